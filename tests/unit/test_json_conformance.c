/*
 * test_json_conformance.c - the tokenizer over every case of
 * tests/data/json-conformance: y_*.json must be accepted, n_*.json rejected
 * (default depth limit). With TT_JSON_CONFORMANCE=1 in the environment each
 * case is listed as "ok NAME" / "not ok NAME: why" on stdout, which
 * tests/suite_json_conformance.sh counts.
 */
#include "tt.h"

#include <dirent.h>

#include "core/json.h"
#include "core/jsonstr.h"

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *p = malloc(cap);
    size_t r;
    while (p && (r = fread(p + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) {
            char *q = realloc(p, cap *= 2);
            if (!q) {
                free(p);
                p = NULL;
            }
            p = q;
        }
    }
    fclose(f);
    *n = len;
    return p;
}

/* Checks one case; returns NULL or why it failed (static text). */
static const char *check_case(const char *name, const char *p, size_t n, char *why, size_t wl)
{
    bool want = name[0] == 'y';
    tr_json j;
    tr_err err = tr_json_validate(p, n, 0, &j);
    if (want && err != TR_OK) {
        snprintf(why, wl, "rejected at %zu: %s", j.err_off, j.errmsg);
        return why;
    }
    if (!want) {
        if (err == TR_OK)
            return "accepted";
        if (j.err_off > n || !j.errmsg[0])
            return "error without a sane offset or reason";
        return NULL;
    }
    /* accepted: every string decodes, and a second pass gives the same tokens */
    tr_json_init(&j, p, n, 0);
    tr_json_tok t;
    size_t count = 0;
    char *buf = malloc(n + 1);
    if (!buf)
        return "out of memory";
    while (tr_json_next(&j, &t) > TR_JSON_END) {
        count++;
        if ((t.type == TR_JSON_STRING || t.type == TR_JSON_KEY) && t.escaped) {
            size_t on;
            if (tr_json_unescape(t.text.p, t.text.n, buf, &on) != TR_OK) {
                free(buf);
                return "an accepted string does not decode";
            }
        }
    }
    free(buf);
    tr_json_init(&j, p, n, 0);
    size_t again = 0;
    while (tr_json_next(&j, &t) > TR_JSON_END)
        again++;
    if (again != count || t.type != TR_JSON_END)
        return "second pass differs";
    return NULL;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(json_conformance)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/json-conformance", tt_datadir());
    DIR *d = opendir(dir);
    CHECK_MSG(d, "cannot open %s", dir);
    char *names[1024];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nn < TR_ARRAY_LEN(names)) {
        size_t l = strlen(e->d_name);
        if ((e->d_name[0] == 'y' || e->d_name[0] == 'n') && e->d_name[1] == '_' && l > 5 &&
            strcmp(e->d_name + l - 5, ".json") == 0)
            names[nn++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof(*names), by_name);
    bool list = getenv("TT_JSON_CONFORMANCE") != NULL;
    size_t yes = 0, no = 0, failed = 0;
    for (size_t i = 0; i < nn; i++) {
        char path[1100], why[128];
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        size_t n = 0;
        char *p = slurp(path, &n);
        const char *bad = p ? check_case(names[i], p, n, why, sizeof(why)) : "unreadable";
        free(p);
        if (bad) {
            failed++;
            tt_fail(__FILE__, __LINE__, "%s: %s", names[i], bad);
        }
        if (list)
            printf(bad ? "not ok %s: %s\n" : "ok %s\n", names[i], bad ? bad : "");
        names[i][0] == 'y' ? yes++ : no++;
        free(names[i]);
    }
    CHECK_EQ(failed, 0);
    CHECK_MSG(yes >= 60 && no >= 90, "only %zu accept and %zu reject cases", yes, no);
}
