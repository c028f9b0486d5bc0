/*
 * test_sigma_util.h - helpers for the Sigma unit tests: load a rule from a
 * YAML string, build an event by hand with tr_event_add(), and evaluate
 * the rule both with the literal prefilter and without it. The two must
 * agree; every helper call checks that they do.
 */
#ifndef TR_TESTS_TEST_SIGMA_UTIL_H
#define TR_TESTS_TEST_SIGMA_UTIL_H

#include "tt.h"

#include "trawl/arena.h"
#include "trawl/event.h"
#include "trawl/log.h"
#include "trawl/sigma.h"

/* Last error diagnostic of the last load, and counts. */
static char sgt_err[1024];
static unsigned sgt_nerr, sgt_nwarn;

static void sgt_diag(const tr_sigma_diag *d, void *ctx)
{
    (void)ctx;
    if (d->level == TR_SIGMA_ERROR) {
        snprintf(sgt_err, sizeof(sgt_err), "%s:%" PRIu64 ": %s", d->path, d->line, d->message);
        sgt_nerr++;
    } else {
        sgt_nwarn++;
    }
}

/* Loads yaml; opts may be NULL (its diag is replaced). */
static inline tr_ruleset *sgt_load_opts(const char *yaml, const tr_sigma_opts *opts)
{
    tr_sigma_opts o = opts ? *opts : (tr_sigma_opts){ 0 };
    o.diag = sgt_diag;
    sgt_err[0] = '\0';
    sgt_nerr = sgt_nwarn = 0;
    tr_ruleset *rs = NULL;
    if (tr_ruleset_load_string(yaml, strlen(yaml), "test.yml", &o, &rs) != TR_OK)
        return NULL;
    return rs;
}

static inline tr_ruleset *sgt_load(const char *yaml)
{
    return sgt_load_opts(yaml, NULL);
}

/* An event of up to 64 fields with its own arena. */
typedef struct sgt_event {
    tr_event ev;
    tr_field fields[64];
    tr_arena *arena;
} sgt_event;

static inline void sgt_event_init(sgt_event *e)
{
    e->arena = tr_arena_new(0, 0);
    tr_event_init(&e->ev, e->fields, 64, e->arena);
    e->ev.path = TR_STR("test.jsonl");
}

static inline void sgt_event_release(sgt_event *e)
{
    tr_arena_free(e->arena);
}

static inline tr_field *sgt_add(sgt_event *e, const char *name, const char *value, tr_vkind kind)
{
    return tr_event_add(&e->ev, tr_str_c(name), value ? tr_str_c(value) : (tr_str){ "", 0 },
                        value ? kind : TR_VNULL);
}

/* kv: name, value pairs, NULL-terminated; a NULL value is a JSON null. */
static inline void sgt_event_kv(sgt_event *e, const char *const *kv)
{
    for (size_t i = 0; kv && kv[i]; i += 2)
        sgt_add(e, kv[i], kv[i + 1], TR_VSTR);
}

typedef struct sgt_hits {
    unsigned n;
    char titles[8][64];
    char fields[8][256]; /* "name=value;…" of the first matches */
} sgt_hits;

static int sgt_on_match(const tr_sigma_match *m, void *ctx)
{
    sgt_hits *h = ctx;
    if (h->n < 8) {
        snprintf(h->titles[h->n], sizeof(h->titles[0]), "%.*s", TR_STR_FMT(m->rule->title));
        size_t o = 0;
        for (uint32_t i = 0; i < m->nfields && o < sizeof(h->fields[0]); i++)
            o += (size_t)snprintf(h->fields[h->n] + o, sizeof(h->fields[0]) - o, "%.*s=%.*s;",
                                  TR_STR_FMT(m->fields[i].name), TR_STR_FMT(m->fields[i].value));
    }
    h->n++;
    return 0;
}

/* Scans ev with rs; returns the number of matching rules. */
static inline int sgt_scan(const tr_ruleset *rs, const tr_event *ev, sgt_hits *hits)
{
    sgt_hits local;
    sgt_hits *h = hits ? hits : &local;
    memset(h, 0, sizeof(*h));
    tr_sigma_scratch *s;
    if (tr_sigma_scratch_new(rs, &s) != TR_OK)
        return -100;
    tr_err err = tr_sigma_scan(rs, s, ev, sgt_on_match, h);
    tr_sigma_scratch_free(s);
    return err ? -100 : (int)h->n;
}

/* Evaluates the rules of yaml on ev with and without the prefilter.
 * Returns the number of matches, -1 if a rule was rejected, -2 when the
 * two paths disagree, -3 when loading failed. */
static inline int sgt_eval_opts(const char *yaml, const tr_event *ev, tr_sigma_opts *o,
                                sgt_hits *hits)
{
    tr_sigma_opts base = o ? *o : (tr_sigma_opts){ 0 };
    base.no_prefilter = false;
    tr_ruleset *fast = sgt_load_opts(yaml, &base);
    if (!fast)
        return -3;
    if (sgt_nerr) {
        tr_ruleset_free(fast);
        return -1;
    }
    base.no_prefilter = true;
    char err_copy[sizeof(sgt_err)];
    memcpy(err_copy, sgt_err, sizeof(err_copy));
    tr_ruleset *slow = sgt_load_opts(yaml, &base);
    int a = sgt_scan(fast, ev, hits);
    int b = slow ? sgt_scan(slow, ev, NULL) : -100;
    tr_ruleset_free(fast);
    tr_ruleset_free(slow);
    memcpy(sgt_err, err_copy, sizeof(err_copy));
    if (a != b) {
        fprintf(stderr, "  prefiltered scan found %d matches, full evaluation %d\n", a, b);
        return -2;
    }
    return a;
}

/* The rule document around a detection section (indented 4 spaces). */
static inline char *sgt_rule_doc(const char *detection)
{
    static char buf[16384];
    snprintf(buf, sizeof(buf),
             "title: test rule\nid: 11111111-2222-3333-4444-555555555555\nstatus: test\n"
             "level: high\nlogsource:\n    product: test\ndetection:\n%s", detection);
    return buf;
}

/* One detection section on one event given as name/value pairs. */
static inline int sgt_match(const char *detection, const char *const *kv)
{
    sgt_event e;
    sgt_event_init(&e);
    sgt_event_kv(&e, kv);
    e.ev.logsource.product = TR_STR("test");
    int r = sgt_eval_opts(sgt_rule_doc(detection), &e.ev, NULL, NULL);
    sgt_event_release(&e);
    return r;
}

#define KV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* CHECK that detection matches (or not) the event kv. */
#define MATCH(det, kv) CHECK_MSG(sgt_match(det, kv) == 1, "expected a match: %s", sgt_err)
#define NO_MATCH(det, kv) CHECK_MSG(sgt_match(det, kv) == 0, "expected no match: %s", sgt_err)
#define REJECT(det) CHECK_MSG(sgt_match(det, KV("x", "y")) == -1, "expected a rejection")

#endif
