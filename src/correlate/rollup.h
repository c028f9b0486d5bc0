/*
 * rollup.h - what the roll-up files share (rollup.c builds campaigns,
 * timeline.c their days and phases, explain.c their sentences): the scratch
 * state of the campaign being built and small helpers.
 */
#ifndef TR_SRC_CORRELATE_ROLLUP_H
#define TR_SRC_CORRELATE_ROLLUP_H

#include "core/common.h"

#include "core/buf.h"
#include "core/time.h"
#include "correlate/cmp.h"

#define NS_DAY (INT64_C(86400) * 1000000000)
#define MAX_DAYS 3660     /* longer spans get no daily timeline */
#define MAX_EXPLAIN 40

typedef TR_VEC(uint32_t) u32vec;

/* Scratch reused by every campaign. */
typedef struct rollup {
    tr_campaigns *c;
    uint32_t serial;       /* campaign being built, for the stamps below */
    uint32_t *val_mark;    /* per value: serial of the campaign that saw it last */
    uint32_t *val_slot;    /* per value: its index in the campaign's infra list */
    uint32_t *val_tenant;  /* per value: last tenant counted */
    uint32_t *ten_mark;    /* per string id: stamp of the last count that saw it as a tenant */
    uint32_t ten_stamp;
    u32vec list;           /* detections of the campaign */
    u32vec infra_vid;      /* parallel to infra: value id */
    u32vec tmp;
    TR_VEC(tr_cmp_infra) infra;
    TR_VEC(tr_cmp_evidence) ev;
    TR_VEC(tr_cmp_tenant) tenants;
    TR_VEC(tr_cmp_cve) cves;
    u32vec cve_ids;        /* parallel to cves: CVE string id */
    u32vec tcve, tcve_st;  /* one tenant's CVEs and the stage reached through each */
    TR_VEC(const char *) explain;
    tr_buf line;
} rollup;

static inline int64_t day_of(int64_t ts)
{
    int64_t d = ts / NS_DAY;
    if (ts % NS_DAY < 0)
        d--;
    return d;
}

static inline void fmt_date(int64_t ts, char *buf, size_t n)
{
    tr_tm tm;
    tr_time_split(ts, &tm);
    snprintf(buf, n, "%04d-%02d-%02d", tm.year, tm.month, tm.day);
}

static inline void fmt_time(int64_t ts, char *buf, size_t n)
{
    if (ts == TR_TS_NONE)
        snprintf(buf, n, "(no time)");
    else
        tr_time_format(ts, buf, n);
}

static inline tr_str value_text(const tr_campaigns *c, uint32_t v)
{
    tr_str s = cm_str(&c->values, v);
    return s.n ? (tr_str){ s.p + 1, s.n - 1 } : s;
}

static inline const char *value_type(char t)
{
    switch (t) {
    case CM_V_IP: return "ip";
    case CM_V_DOMAIN: return "domain";
    case CM_V_URL: return "url";
    case CM_V_HASH: return "hash";
    case CM_V_FILE: return "filename";
    case CM_V_EMAIL: return "email";
    }
    return "value";
}

static inline void *out_copy(tr_campaigns *c, const void *p, size_t n)
{
    if (n == 0)
        return NULL;
    void *q = tr_arena_alloc(c->out, n);
    if (q)
        memcpy(q, p, n);
    return q;
}

static inline const char *out_str(tr_campaigns *c, const char *p, size_t n)
{
    char *q = tr_arena_alloc(c->out, n + 1);
    if (!q)
        return NULL;
    memcpy(q, p, n);
    q[n] = '\0';
    return q;
}

/* Appends a sentence to the campaign being built (at most MAX_EXPLAIN). */
tr_err cm_explain(rollup *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "path:line" (or "path#record" for records without lines) of a detection. */
static inline const char *where(const tr_campaigns *c, uint32_t i, char *buf, size_t n)
{
    const cm_det *d = &c->dets.v[i];
    tr_str p = cm_str(&c->strs, d->path);
    if (d->line)
        snprintf(buf, n, "%.*s:%" PRIu64, TR_STR_FMT(p), d->line);
    else
        snprintf(buf, n, "%.*s#%" PRIu64, TR_STR_FMT(p), d->record);
    return buf;
}

static inline bool is_attempt(const cm_det *d)
{
    return d->stage < TR_STAGE_COMPROMISED && !(d->flags & CM_FLOW) && d->ts != TR_TS_NONE;
}

static inline int cmp_str_ids(const void *a, const void *b, void *ctx)
{
    const cm_intern *in = ctx;
    tr_str x = in->strs[*(const uint32_t *)a], y = in->strs[*(const uint32_t *)b];
    size_t n = TR_MIN(x.n, y.n);
    int r = n ? memcmp(x.p, y.p, n) : 0;
    return r ? r : (x.n < y.n ? -1 : x.n > y.n);
}

static inline int cmp_tr_str(const void *a, const void *b)
{
    const tr_str *x = a, *y = b;
    size_t n = TR_MIN(x->n, y->n);
    int r = n ? memcmp(x->p, y->p, n) : 0;
    return r ? r : (x->n < y->n ? -1 : x->n > y->n);
}

/* Sorted, unique copy of strs[0..n) in the output arena. */
static inline const tr_str *unique_strs(tr_campaigns *c, tr_str *strs, uint32_t n, uint32_t *out_n)
{
    qsort(strs, n, sizeof(*strs), cmp_tr_str);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (strs[i].n && (!m || !tr_str_eq(strs[m - 1], strs[i])))
            strs[m++] = strs[i];
    *out_n = m;
    return out_copy(c, strs, m * sizeof(*strs));
}

static inline void widen(int64_t *first, int64_t *last, int64_t ts)
{
    if (ts == TR_TS_NONE)
        return;
    if (*first == TR_TS_NONE || ts < *first)
        *first = ts;
    if (*last == TR_TS_NONE || ts > *last)
        *last = ts;
}

/* timeline.c */
tr_err cm_timeline(rollup *r, tr_campaign *cp);
/* explain.c */
tr_err cm_explain_actor(rollup *r, tr_campaign *cp, bool inferred);
tr_err cm_explain_cluster(rollup *r, tr_campaign *cp, uint32_t seed_value, uint32_t split_from,
                          int64_t split_gap);
tr_err cm_explain_common(rollup *r, tr_campaign *cp);

#endif
