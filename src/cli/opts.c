/*
 * opts.c - command-line option parsing and help (see opts.h).
 */
#include "core/common.h"

#include "cli/opts.h"

static bool list_push(opt_list *l, const char *s)
{
    const char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
    if (!nv)
        return false;
    l->v = nv;
    l->v[l->n++] = s;
    return true;
}

void opt_list_free(opt_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

static int usage_error(const cmd_usage *u, const char *fmt, const char *arg)
{
    fprintf(stderr, "trawl %s: ", u->name);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\nusage: trawl %s %s\n(see: trawl help %s)\n", u->name, u->synopsis,
            u->name);
    return 2;
}

static int apply(const cmd_usage *u, const opt *o, const char *val)
{
    switch (o->kind) {
    case OPT_FLAG:
        *(bool *)o->target = true;
        return 0;
    case OPT_STRING:
        *(const char **)o->target = val;
        return 0;
    case OPT_LIST:
        return list_push(o->target, val) ? 0 : usage_error(u, "%s: out of memory", o->name);
    case OPT_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(val, &end, 10);
        if (errno || end == val || *end)
            return usage_error(u, "expected a number, got '%s'", val);
        *(long long *)o->target = v;
        return 0;
    }
    default:
        return 0;
    }
}

int opts_parse(const cmd_usage *u, const opt *table, int argc, char **argv, opt_list *pos,
               bool *help_shown)
{
    *help_shown = false;
    bool only_pos = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || strcmp(a, "-") == 0) {
            if (!list_push(pos, a))
                return usage_error(u, "%s", "out of memory");
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            opts_help(stdout, u, table);
            *help_shown = true;
            return 0;
        }
        const opt *o = NULL;
        const char *val = NULL;
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t nl = eq ? (size_t)(eq - name) : strlen(name);
            for (const opt *t = table; t->kind != OPT_END; t++)
                if (strlen(t->name) == nl && strncmp(t->name, name, nl) == 0)
                    o = t;
            if (!o)
                return usage_error(u, "unknown option '%s'", a);
            if (eq) {
                if (o->kind == OPT_FLAG)
                    return usage_error(u, "option '%s' takes no value", a);
                val = eq + 1;
            }
        } else {
            for (const opt *t = table; t->kind != OPT_END; t++)
                if (t->shortname && t->shortname == a[1])
                    o = t;
            if (!o)
                return usage_error(u, "unknown option '%s'", a);
            if (a[2]) {
                if (o->kind == OPT_FLAG)
                    return usage_error(u, "option '%s' takes no value", a);
                val = a + 2; /* -j4 */
            }
        }
        if (o->kind != OPT_FLAG && !val) {
            if (i + 1 >= argc)
                return usage_error(u, "option '%s' needs a value", a);
            val = argv[++i];
        }
        int rc = apply(u, o, val);
        if (rc)
            return rc;
    }
    return 0;
}

void opts_help(FILE *f, const cmd_usage *u, const opt *table)
{
    fprintf(f, "usage: trawl %s %s\n\n%s\n", u->name, u->synopsis, u->summary);
    bool any = false;
    for (const opt *t = table; t->kind != OPT_END; t++) {
        if (!any)
            fprintf(f, "\noptions:\n");
        any = true;
        char left[96];
        int k = 0;
        if (t->shortname)
            k = snprintf(left, sizeof(left), "-%c, ", t->shortname);
        else
            k = snprintf(left, sizeof(left), "    ");
        if (t->argname)
            snprintf(left + k, sizeof(left) - (size_t)k, "--%s %s", t->name, t->argname);
        else
            snprintf(left + k, sizeof(left) - (size_t)k, "--%s", t->name);
        const char *rep =
            t->kind == OPT_LIST && !strstr(t->help, "repeatable") ? " (repeatable)" : "";
        if (strlen(left) > 28)
            fprintf(f, "  %s\n  %-28s  %s%s\n", left, "", t->help, rep);
        else
            fprintf(f, "  %-28s  %s%s\n", left, t->help, rep);
    }
    fprintf(f, "  %-28s  %s\n", "-h, --help", "show this help");
    if (u->details)
        fprintf(f, "\n%s\n", u->details);
}
