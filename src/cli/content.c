/*
 * content.c - locating the bundled content (see content.h).
 */
#include "core/common.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/content.h"

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static char *own(content_paths *c, const char *s)
{
    char **n = realloc(c->owned, (c->nowned + 1) * sizeof(*n));
    if (!n)
        return NULL;
    c->owned = n;
    char *d = strdup(s);
    if (d)
        c->owned[c->nowned++] = d;
    return d;
}

static bool push(opt_list *l, const char *s)
{
    const char **n = realloc(l->v, (l->n + 1) * sizeof(*n));
    if (!n)
        return false;
    l->v = n;
    l->v[l->n++] = s;
    return true;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int fill(content_paths *c)
{
    char p[PATH_MAX + 16];
    snprintf(p, sizeof(p), "%s/rules", c->dir);
    if (is_dir(p) && !push(&c->rules, own(c, p)))
        return -1;
    snprintf(p, sizeof(p), "%s/feeds", c->dir);
    DIR *d = opendir(p);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.' || strstr(e->d_name, ".md"))
                continue;
            char f[PATH_MAX + 300];
            snprintf(f, sizeof(f), "%s/%s", p, e->d_name);
            if (!is_dir(f) && !push(&c->feeds, own(c, f))) {
                closedir(d);
                return -1;
            }
        }
        closedir(d);
        if (c->feeds.n)
            qsort(c->feeds.v, c->feeds.n, sizeof(char *), cmp);
    }
    return c->rules.n || c->feeds.n ? 0 : -1;
}

int content_find(content_paths *c)
{
    char cand[4][PATH_MAX];
    int n = 0;
    const char *env = getenv("TRAWL_CONTENT");
    if (env && *env)
        snprintf(cand[n++], PATH_MAX, "%s", env);
    char exe[PATH_MAX];
    ssize_t k = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (k > 0) {
        exe[k] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(cand[n++], PATH_MAX, "%.*s/../share/trawl/content", PATH_MAX - 32, exe);
            snprintf(cand[n++], PATH_MAX, "%.*s/../content", PATH_MAX - 32, exe);
        }
    }
    snprintf(cand[n++], PATH_MAX, "content");
    for (int i = 0; i < n; i++) {
        if (!is_dir(cand[i]))
            continue;
        if (!realpath(cand[i], c->dir))
            snprintf(c->dir, sizeof(c->dir), "%.*s", PATH_MAX - 1, cand[i]);
        if (fill(c) == 0)
            return 0;
        content_paths_release(c);
    }
    return -1;
}

void content_paths_release(content_paths *c)
{
    for (size_t i = 0; i < c->nowned; i++)
        free(c->owned[i]);
    free(c->owned);
    opt_list_free(&c->rules);
    opt_list_free(&c->feeds);
    c->owned = NULL;
    c->nowned = 0;
}
