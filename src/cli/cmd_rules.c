/*
 * cmd_rules.c - `trawl rules check|list|modifiers`: load Sigma rules the way
 * `trawl hunt` does and report what was rejected and why, list what was
 * loaded, or document every supported modifier.
 */
#include "core/common.h"

#include "cli/commands.h"
#include "cli/opts.h"
#include "core/buf.h"
#include "core/jsonstr.h"
#include "trawl/log.h"
#include "trawl/sigma.h"

static const cmd_usage rules_usage = {
    "rules",
    "check|list|modifiers [options] RULES…",
    "Load Sigma rules (files, or directories walked recursively for *.yml and *.yaml)\n"
    "and report on them:\n"
    "  check      report every rejected document as 'trawl: PATH:LINE: reason' and print\n"
    "             'loaded N of M rules' (with filters and correlations when there are any)\n"
    "  list       one row per loaded rule: id, level, status, logsource, title\n"
    "  modifiers  every supported value modifier with what it does",
    "Exit status: 0 when every document loaded, 1 when any rule, filter, correlation or\n"
    "file was rejected, 2 on a usage error. Warnings (unknown level, a filter naming a\n"
    "rule that is not loaded…) do not change the exit status.",
};

typedef struct rules_opts {
    const char *format;
    opt_list placeholders;
    const char *placeholder_dir;
    opt_list filters;
    bool no_warnings;
} rules_opts;

typedef struct diag_ctx {
    bool json;
    bool no_warnings;
    tr_buf *json_out; /* diagnostics array for --format json */
    tr_jw *jw;
} diag_ctx;

static void on_diag(const tr_sigma_diag *d, void *ctx)
{
    diag_ctx *c = ctx;
    if (c->json) {
        tr_jw *w = c->jw;
        tr_jw_obj(w);
        tr_jw_key(w, "level");
        tr_jw_str(w, d->level == TR_SIGMA_ERROR ? "error" : "warning");
        tr_jw_key(w, "kind");
        tr_jw_str(w, d->kind);
        tr_jw_key(w, "path");
        tr_jw_str(w, d->path);
        tr_jw_key(w, "line");
        tr_jw_uint(w, d->line);
        tr_jw_key(w, "title");
        tr_jw_str(w, d->title);
        tr_jw_key(w, "message");
        tr_jw_str(w, d->message);
        tr_jw_end(w);
        return;
    }
    if (d->level == TR_SIGMA_WARNING && c->no_warnings)
        return;
    if (d->line)
        fprintf(stderr, "trawl: %s:%" PRIu64 ": %s%s\n", d->path, d->line,
                d->level == TR_SIGMA_WARNING ? "warning: " : "", d->message);
    else
        fprintf(stderr, "trawl: %s: %s%s\n", d->path,
                d->level == TR_SIGMA_WARNING ? "warning: " : "", d->message);
}

static int rejected(const tr_ruleset_stats *st)
{
    return st->rules_rejected || st->filters_rejected || st->correlations_rejected ||
           st->files_rejected;
}

static void json_strs(tr_jw *w, const char *key, const tr_str *v, uint32_t n)
{
    tr_jw_key(w, key);
    tr_jw_arr(w);
    for (uint32_t i = 0; i < n; i++)
        tr_jw_strn(w, v[i].p, v[i].n);
    tr_jw_end(w);
}

static void json_opt(tr_jw *w, const char *key, tr_str v)
{
    tr_jw_key(w, key);
    if (v.n)
        tr_jw_strn(w, v.p, v.n);
    else
        tr_jw_null(w);
}

static void json_rule(tr_jw *w, const tr_rule_info *r)
{
    tr_jw_obj(w);
    json_opt(w, "id", r->id);
    json_opt(w, "name", r->name);
    json_opt(w, "title", r->title);
    json_opt(w, "status", r->status);
    json_opt(w, "level", r->level);
    json_opt(w, "description", r->description);
    json_opt(w, "author", r->author);
    json_opt(w, "license", r->license);
    json_opt(w, "date", r->date);
    json_opt(w, "modified", r->modified);
    json_opt(w, "taxonomy", r->taxonomy);
    tr_jw_key(w, "logsource");
    tr_jw_obj(w);
    json_opt(w, "product", r->logsource.product);
    json_opt(w, "category", r->logsource.category);
    json_opt(w, "service", r->logsource.service);
    json_opt(w, "definition", r->logsource.definition);
    tr_jw_end(w);
    json_strs(w, "tags", r->tags, r->ntags);
    json_strs(w, "references", r->references, r->nreferences);
    json_strs(w, "falsepositives", r->falsepositives, r->nfalsepositives);
    json_strs(w, "fields", r->fields, r->nfields);
    json_strs(w, "scope", r->scope, r->nscope);
    tr_jw_key(w, "related");
    tr_jw_arr(w);
    for (uint32_t i = 0; i < r->nrelated; i++) {
        tr_jw_obj(w);
        json_opt(w, "id", r->related[i].id);
        json_opt(w, "type", r->related[i].type);
        tr_jw_end(w);
    }
    tr_jw_end(w);
    tr_jw_key(w, "custom");
    tr_jw_obj(w);
    for (uint32_t i = 0; i < r->ncustom; i++) {
        tr_jw_keyn(w, r->custom[i].key.p, r->custom[i].key.n);
        tr_jw_raw(w, r->custom[i].json.p, r->custom[i].json.n);
    }
    tr_jw_end(w);
    tr_jw_key(w, "path");
    tr_jw_str(w, r->path);
    tr_jw_key(w, "line");
    tr_jw_uint(w, r->line);
    tr_jw_key(w, "standalone");
    tr_jw_bool(w, r->standalone);
    tr_jw_key(w, "filters");
    tr_jw_uint(w, r->nfilters);
    tr_jw_end(w);
}

static void json_correlation(tr_jw *w, const tr_ruleset *rs, const tr_correl_info *c)
{
    tr_jw_obj(w);
    json_opt(w, "id", c->id);
    json_opt(w, "name", c->name);
    json_opt(w, "title", c->title);
    json_opt(w, "status", c->status);
    json_opt(w, "level", c->level);
    tr_jw_key(w, "type");
    tr_jw_str(w, tr_correl_type_name(c->type));
    tr_jw_key(w, "rules");
    tr_jw_arr(w);
    for (uint32_t i = 0; i < c->nrefs; i++) {
        const tr_correl_ref *r = &c->refs[i];
        tr_jw_obj(w);
        json_opt(w, "ref", r->ref);
        tr_jw_key(w, "kind");
        tr_jw_str(w, r->is_correlation ? "correlation" : "rule");
        tr_str id = r->is_correlation ? tr_ruleset_correlation(rs, r->index)->id
                                      : tr_ruleset_rule(rs, r->index)->id;
        json_opt(w, "id", id);
        tr_jw_end(w);
    }
    tr_jw_end(w);
    json_strs(w, "group-by", c->group_by, c->ngroup_by);
    json_opt(w, "timespan", c->timespan);
    tr_jw_key(w, "condition");
    tr_jw_obj(w);
    static const char *const ops[] = { "gt", "gte", "lt", "lte", "eq", "neq" };
    const double vals[] = { c->gt, c->gte, c->lt, c->lte, c->eq, c->neq };
    for (int i = 0; i < 6; i++)
        if (c->cond_ops & (1u << i)) {
            tr_jw_key(w, ops[i]);
            tr_jw_double(w, vals[i]);
        }
    if (c->ncond_fields)
        json_strs(w, "field", c->cond_fields, c->ncond_fields);
    tr_jw_end(w);
    tr_jw_key(w, "aliases");
    tr_jw_arr(w);
    for (uint32_t i = 0; i < c->naliases; i++) {
        tr_jw_obj(w);
        json_opt(w, "alias", c->aliases[i].alias);
        json_opt(w, "rule", c->aliases[i].rule);
        json_opt(w, "field", c->aliases[i].field);
        tr_jw_end(w);
    }
    tr_jw_end(w);
    tr_jw_key(w, "generate");
    tr_jw_bool(w, c->generate);
    tr_jw_key(w, "path");
    tr_jw_str(w, c->path);
    tr_jw_key(w, "line");
    tr_jw_uint(w, c->line);
    tr_jw_end(w);
}

static void json_stats(tr_jw *w, const tr_ruleset_stats *st)
{
    tr_jw_key(w, "files");
    tr_jw_uint(w, st->files);
    tr_jw_key(w, "files_rejected");
    tr_jw_uint(w, st->files_rejected);
    const struct {
        const char *k;
        uint32_t a, b;
    } rows[] = { { "rules", st->rules, st->rules_rejected },
                 { "filters", st->filters, st->filters_rejected },
                 { "correlations", st->correlations, st->correlations_rejected } };
    for (size_t i = 0; i < TR_ARRAY_LEN(rows); i++) {
        tr_jw_key(w, rows[i].k);
        tr_jw_obj(w);
        tr_jw_key(w, "loaded");
        tr_jw_uint(w, rows[i].a);
        tr_jw_key(w, "rejected");
        tr_jw_uint(w, rows[i].b);
        tr_jw_end(w);
    }
    tr_jw_key(w, "warnings");
    tr_jw_uint(w, st->warnings);
    /* The compiled plan: what the prefilter works with. */
    tr_jw_key(w, "plan");
    tr_jw_obj(w);
    tr_jw_key(w, "fields");
    tr_jw_uint(w, st->fields);
    tr_jw_key(w, "literals");
    tr_jw_uint(w, st->literals);
    tr_jw_key(w, "exact_values");
    tr_jw_uint(w, st->exact_values);
    tr_jw_key(w, "regexes");
    tr_jw_uint(w, st->regexes);
    tr_jw_key(w, "rules_without_atoms");
    tr_jw_uint(w, st->unfiltered_rules);
    tr_jw_end(w);
}

static void print_summary(const tr_ruleset_stats *st)
{
    printf("loaded %u of %u rules", st->rules, st->rules + st->rules_rejected);
    if (st->filters || st->filters_rejected)
        printf(", %u of %u filters", st->filters, st->filters + st->filters_rejected);
    if (st->correlations || st->correlations_rejected)
        printf(", %u of %u correlations", st->correlations,
               st->correlations + st->correlations_rejected);
    if (st->files_rejected)
        printf("; %u file%s could not be read", st->files_rejected,
               st->files_rejected == 1 ? "" : "s");
    printf("\n");
}

static void print_table(const tr_ruleset *rs)
{
    printf("%-36s  %-13s  %-12s  %-40s  %s\n", "ID", "LEVEL", "STATUS", "LOGSOURCE", "TITLE");
    for (uint32_t i = 0; i < tr_ruleset_count(rs); i++) {
        const tr_rule_info *r = tr_ruleset_rule(rs, i);
        /* product/category/service, '*' where the rule does not say */
        char ls[256];
        const tr_str parts[3] = { r->logsource.product, r->logsource.category,
                                  r->logsource.service };
        size_t o = 0;
        for (int k = 0; k < 3 && o < sizeof(ls); k++)
            o += (size_t)snprintf(ls + o, sizeof(ls) - o, "%s%.*s", k ? "/" : "",
                                  parts[k].n ? (int)parts[k].n : 1, parts[k].n ? parts[k].p : "*");
        printf("%-36.*s  %-13.*s  %-12.*s  %-40s  %.*s\n", TR_STR_FMT(r->id), TR_STR_FMT(r->level),
               TR_STR_FMT(r->status), ls, TR_STR_FMT(r->title));
    }
    for (uint32_t i = 0; i < tr_ruleset_correlation_count(rs); i++) {
        const tr_correl_info *c = tr_ruleset_correlation(rs, i);
        char ls[64];
        snprintf(ls, sizeof(ls), "correlation:%s", tr_correl_type_name(c->type));
        printf("%-36.*s  %-13.*s  %-12.*s  %-40s  %.*s\n", TR_STR_FMT(c->id), TR_STR_FMT(c->level),
               TR_STR_FMT(c->status), ls, TR_STR_FMT(c->title));
    }
}

static int modifiers(bool json)
{
    size_t n;
    const tr_sigma_modifier_doc *m = tr_sigma_modifiers(&n);
    if (!json) {
        for (size_t i = 0; i < n; i++)
            printf("%-13s %-9s %s\n", m[i].name, m[i].group, m[i].summary);
        return 0;
    }
    tr_buf b = TR_BUF_INIT;
    tr_jw w;
    tr_jw_init(&w, &b);
    tr_jw_arr(&w);
    for (size_t i = 0; i < n; i++) {
        tr_jw_obj(&w);
        tr_jw_key(&w, "name");
        tr_jw_str(&w, m[i].name);
        tr_jw_key(&w, "group");
        tr_jw_str(&w, m[i].group);
        tr_jw_key(&w, "summary");
        tr_jw_str(&w, m[i].summary);
        tr_jw_end(&w);
    }
    tr_jw_end(&w);
    int rc = w.err ? 1 : 0;
    if (!rc)
        printf("%.*s\n", (int)b.n, b.p);
    tr_buf_release(&b);
    return rc;
}

int cmd_rules(int argc, char **argv)
{
    rules_opts o = { 0 };
    const opt table[] = {
        OPT_STRING('f', "format", "FMT", &o.format,
                   "output: text (check, modifiers), table (list) or json"),
        OPT_LIST(0, "placeholder", "NAME=V1,V2", &o.placeholders,
                 "values of the %NAME% placeholder for |expand"),
        OPT_STRING(0, "placeholder-dir", "DIR", &o.placeholder_dir,
                   "directory with one file per placeholder (NAME or NAME.txt, one value a line)"),
        OPT_LIST(0, "filters", "DIR", &o.filters,
                 "Sigma filter directory: DIR/*.yml for all tenants, DIR/TENANT/ for one"),
        OPT_FLAG(0, "no-warnings", &o.no_warnings, "do not print warnings (text output)"),
        OPT_END(),
    };
    opt_list pos = { 0 };
    bool help;
    int rc = opts_parse(&rules_usage, table, argc, argv, &pos, &help);
    if (rc || help)
        goto out;
    if (pos.n == 0) {
        fprintf(stderr, "trawl rules: give check, list or modifiers (see trawl help rules)\n");
        rc = 2;
        goto out;
    }
    const char *sub = pos.v[0];
    bool json = o.format && strcmp(o.format, "json") == 0;
    if (o.format && !json && strcmp(o.format, "text") && strcmp(o.format, "table")) {
        fprintf(stderr, "trawl rules: unknown format '%s' (text, table, json)\n", o.format);
        rc = 2;
        goto out;
    }
    if (strcmp(sub, "modifiers") == 0) {
        rc = modifiers(json);
        goto out;
    }
    bool check = strcmp(sub, "check") == 0;
    if (!check && strcmp(sub, "list") != 0) {
        fprintf(stderr, "trawl rules: unknown subcommand '%s' (check, list, modifiers)\n", sub);
        rc = 2;
        goto out;
    }
    if (pos.n < 2) {
        fprintf(stderr, "trawl rules %s: no rules given (files or directories)\n", sub);
        rc = 2;
        goto out;
    }
    tr_buf jb = TR_BUF_INIT;
    tr_jw jw;
    tr_jw_init(&jw, &jb);
    diag_ctx dc = { json && check, o.no_warnings, &jb, &jw };
    if (dc.json) {
        tr_jw_obj(&jw);
        tr_jw_key(&jw, "diagnostics");
        tr_jw_arr(&jw);
    }
    tr_sigma_opts so = {
        .placeholders = o.placeholders.v,
        .nplaceholders = o.placeholders.n,
        .placeholder_dir = o.placeholder_dir,
        .filter_dirs = o.filters.v,
        .nfilter_dirs = o.filters.n,
        .diag = on_diag,
        .diag_ctx = &dc,
    };
    /* list does not need the diagnostics in JSON: they go to stderr. */
    if (!check && json)
        dc.json = false;
    tr_ruleset *rs = NULL;
    tr_err err = tr_ruleset_load((const char *const *)pos.v + 1, pos.n - 1, &so, &rs);
    if (err) {
        fprintf(stderr, "trawl rules: %s\n", tr_strerror(err));
        tr_buf_release(&jb);
        rc = err == TR_EINVAL ? 2 : 1;
        goto out;
    }
    const tr_ruleset_stats *st = tr_ruleset_get_stats(rs);
    if (check) {
        if (json) {
            tr_jw_end(&jw);
            json_stats(&jw, st);
            tr_jw_end(&jw);
            printf("%.*s\n", (int)jb.n, jb.p);
        } else {
            print_summary(st);
        }
    } else if (json) {
        tr_buf_reset(&jb);
        tr_jw_init(&jw, &jb);
        tr_jw_obj(&jw);
        tr_jw_key(&jw, "rules");
        tr_jw_arr(&jw);
        for (uint32_t i = 0; i < tr_ruleset_count(rs); i++)
            json_rule(&jw, tr_ruleset_rule(rs, i));
        tr_jw_end(&jw);
        tr_jw_key(&jw, "correlations");
        tr_jw_arr(&jw);
        for (uint32_t i = 0; i < tr_ruleset_correlation_count(rs); i++)
            json_correlation(&jw, rs, tr_ruleset_correlation(rs, i));
        tr_jw_end(&jw);
        tr_jw_end(&jw);
        printf("%.*s\n", (int)jb.n, jb.p);
    } else {
        print_table(rs);
    }
    if (jw.err) {
        fprintf(stderr, "trawl rules: %s\n", tr_strerror(jw.err));
        rc = 1;
    } else {
        rc = rejected(st) ? 1 : 0;
    }
    if (fflush(stdout) != 0) {
        fprintf(stderr, "trawl rules: write error: %s\n", strerror(errno));
        rc = 1;
    }
    tr_buf_release(&jb);
    tr_ruleset_free(rs);
out:
    opt_list_free(&pos);
    opt_list_free(&o.placeholders);
    opt_list_free(&o.filters);
    return rc;
}
