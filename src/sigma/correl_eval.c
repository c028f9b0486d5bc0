/*
 * correl_eval.c - when a correlation's condition holds on a window.
 *
 * Two kinds of conditions (docs/CORRELATION.md):
 *  - growing ones, with lower bounds only (gt, gte, or none for temporal):
 *    adding an event can only bring them closer to true, so they are
 *    checked on the sliding window that ends at each new event, and fire as
 *    soon as they hold; the events of that window are then consumed;
 *  - the others (an upper bound, eq, neq, value_avg, value_percentile):
 *    checked once per window when it closes: a window opens at the earliest
 *    event of its group and closes when the group has moved past it (or at
 *    the end of the input); its events are then dropped either way.
 */
#include "core/common.h"

#include "sigma/correl_int.h"

static bool holds(const tr_correl_info *ci, double x, uint32_t nrefs)
{
    unsigned ops = ci->cond_ops;
    if (!ops) /* temporal without a condition: every rule */
        return x >= (double)nrefs;
    if ((ops & TR_CORREL_GT) && !(x > ci->gt))
        return false;
    if ((ops & TR_CORREL_GTE) && !(x >= ci->gte))
        return false;
    if ((ops & TR_CORREL_LT) && !(x < ci->lt))
        return false;
    if ((ops & TR_CORREL_LTE) && !(x <= ci->lte))
        return false;
    if ((ops & TR_CORREL_EQ) && !(x == ci->eq))
        return false;
    if ((ops & TR_CORREL_NEQ) && !(x != ci->neq))
        return false;
    return true;
}

/* Number of distinct v[f].h in entries [i, j]: an open-addressing set in
 * scratch (0 marks an empty slot; a real 0 hash is counted apart). */
static bool distinct(tr_correl *c, const cgroup *g, uint32_t i, uint32_t j, uint32_t f,
                     double *out)
{
    size_t w = (size_t)(j - i + 1), cap = 16;
    while (cap < 2 * w)
        cap *= 2;
    if (!tr_vec_grow((void **)&c->set.v, &c->set.cap, cap, sizeof(uint64_t)))
        return false;
    memset(c->set.v, 0, cap * sizeof(uint64_t));
    size_t n = 0;
    bool zero = false;
    for (uint32_t k = i; k <= j; k++) {
        uint64_t h = g->e[k].v[f].h;
        if (h == 0) {
            n += !zero;
            zero = true;
            continue;
        }
        size_t s = (size_t)(h ^ (h >> 29)) & (cap - 1);
        while (c->set.v[s] && c->set.v[s] != h)
            s = (s + 1) & (cap - 1);
        if (!c->set.v[s]) {
            c->set.v[s] = h;
            n++;
        }
    }
    *out = (double)n;
    return true;
}

/* Distinct rules (refs) with an event in [i, j]. */
static bool distinct_refs(tr_correl *c, const cgroup *g, uint32_t nrefs, uint32_t i, uint32_t j,
                          double *out)
{
    if (!tr_vec_grow((void **)&c->cnt.v, &c->cnt.cap, nrefs, sizeof(uint32_t)))
        return false;
    memset(c->cnt.v, 0, nrefs * sizeof(uint32_t));
    uint32_t n = 0;
    for (uint32_t k = i; k <= j && n < nrefs; k++)
        if (g->e[k].ref < nrefs && c->cnt.v[g->e[k].ref]++ == 0)
            n++;
    *out = n;
    return true;
}

/* How many of the rules, from the first, occur in this order in [i, j]
 * (greedy earliest matching: the longest such prefix). */
static double ordered_prefix(const cgroup *g, uint32_t nrefs, uint32_t i, uint32_t j)
{
    uint32_t want = 0;
    for (uint32_t k = i; k <= j && want < nrefs; k++)
        if (g->e[k].ref == want)
            want++;
    return want;
}

/* Does the condition of correlation k hold on entries [i, j] of g? */
static bool window_holds(tr_correl *c, uint32_t k, const cgroup *g, uint32_t i, uint32_t j,
                         bool *oom)
{
    const ccorr *cc = &c->cc[k];
    const tr_correl_info *ci = cc->info;
    double x = 0;
    switch (ci->type) {
    case TR_CORREL_EVENT_COUNT:
        return holds(ci, (double)(j - i + 1), cc->nrefs);
    case TR_CORREL_TEMPORAL:
        if (!distinct_refs(c, g, cc->nrefs, i, j, &x)) {
            *oom = true;
            return false;
        }
        return holds(ci, x, cc->nrefs);
    case TR_CORREL_TEMPORAL_ORDERED:
        return holds(ci, ordered_prefix(g, cc->nrefs, i, j), cc->nrefs);
    case TR_CORREL_VALUE_COUNT:
    case TR_CORREL_VALUE_SUM:
    case TR_CORREL_VALUE_AVG:
        /* several condition fields: each must meet the condition */
        for (uint32_t f = 0; f < cc->nvf; f++) {
            if (ci->type == TR_CORREL_VALUE_COUNT) {
                if (!distinct(c, g, i, j, f, &x)) {
                    *oom = true;
                    return false;
                }
            } else {
                x = 0;
                for (uint32_t e = i; e <= j; e++)
                    x += g->e[e].v[f].d;
                if (ci->type == TR_CORREL_VALUE_AVG)
                    x /= (double)(j - i + 1);
            }
            if (!holds(ci, x, cc->nrefs))
                return false;
        }
        return true;
    case TR_CORREL_VALUE_PERCENTILE:
        return false; /* per value, in close_percentile() */
    }
    return false;
}

/* First entry with ts >= t. */
static uint32_t lower_bound(const cgroup *g, int64_t t)
{
    uint32_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->e[mid].ts < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* First entry with ts > t. */
static uint32_t upper_bound(const cgroup *g, int64_t t)
{
    uint32_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->e[mid].ts <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int64_t sat_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t sat_sub(int64_t a, int64_t b)
{
    return a < INT64_MIN + b ? INT64_MIN : a - b;
}

/* The ids of entries [i, j] into scratch. */
static bool window_ids(tr_correl *c, const cgroup *g, uint32_t i, uint32_t j)
{
    c->ids.n = 0;
    if (!tr_vec_grow((void **)&c->ids.v, &c->ids.cap, (size_t)(j - i + 1), sizeof(uint64_t)))
        return false;
    for (uint32_t k = i; k <= j; k++)
        c->ids.v[c->ids.n++] = g->e[k].id;
    return true;
}

typedef struct hv {
    uint64_t h;
    uint32_t at;
} hv;

static int hv_cmp(const void *a, const void *b)
{
    const hv *x = a, *y = b;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* value_percentile on a closing window [0, j]: for each value of each
 * condition field, the share of the window's events (in percent) that
 * carry it; the condition applies to that share, and fires once per value
 * that meets it (a rare value: lte 1; a dominant one: gte 90). */
static tr_err close_percentile(tr_correl *c, uint32_t k, cgroup *g, uint32_t j,
                               tr_correl_emit_fn emit, void *ctx)
{
    const ccorr *cc = &c->cc[k];
    uint32_t w = j + 1;
    hv *a = tr_malloc((size_t)w * sizeof(*a));
    uint64_t *ids = tr_malloc((size_t)w * sizeof(*ids));
    tr_err err = (a && ids) ? TR_OK : TR_ENOMEM;
    for (uint32_t f = 0; !err && f < cc->nvf; f++) {
        for (uint32_t e = 0; e < w; e++)
            a[e] = (hv){ g->e[e].v[f].h, e };
        qsort(a, w, sizeof(*a), hv_cmp);
        for (uint32_t s = 0; !err && s < w;) {
            uint32_t t = s;
            while (t < w && a[t].h == a[s].h)
                t++;
            double pct = 100.0 * (double)(t - s) / (double)w;
            if (holds(cc->info, pct, cc->nrefs)) {
                for (uint32_t e = s; e < t; e++)
                    ids[e - s] = g->e[a[e].at].id;
                uint32_t vi = (uint32_t)a[s].h;
                tr_kv extra = { cc->info->cond_fields[f],
                                vi < c->strs.n ? c->strs.v[vi] : (tr_str){ "", 0 } };
                cwin win = { g, a[s].at, a[t - 1].at, NULL };
                err = correl_fire(c, k, &win, &extra, ids, t - s, emit, ctx);
            }
            s = t;
        }
    }
    tr_free(a);
    tr_free(ids);
    return err;
}

tr_err correl_close_due(tr_correl *c, uint32_t k, cgroup *g, bool all, tr_correl_emit_fn emit,
                        void *ctx)
{
    const ccorr *cc = &c->cc[k];
    int64_t span = cc->info->timespan_ns;
    tr_err err = TR_OK;
    while (g->n && !err) {
        int64_t end = sat_add(g->e[0].ts, span);
        if (!all && g->newest <= sat_add(end, c->o.lateness_ns))
            break;
        uint32_t j = upper_bound(g, end) - 1;
        if (cc->info->type == TR_CORREL_VALUE_PERCENTILE) {
            err = close_percentile(c, k, g, j, emit, ctx);
        } else {
            bool oom = false;
            if (window_holds(c, k, g, 0, j, &oom)) {
                cwin win = { g, 0, j, NULL };
                err = window_ids(c, g, 0, j)
                          ? correl_fire(c, k, &win, NULL, c->ids.v, (uint32_t)c->ids.n, emit, ctx)
                          : TR_ENOMEM;
            } else if (oom) {
                err = TR_ENOMEM;
            }
        }
        correl_group_remove(c, g, 0, j);
    }
    return err;
}

tr_err correl_after_insert(tr_correl *c, uint32_t k, cgroup *g, uint32_t p,
                           const tr_detection *cur, tr_correl_emit_fn emit, void *ctx)
{
    const ccorr *cc = &c->cc[k];
    int64_t span = cc->info->timespan_ns;
    if (!cc->growing)
        return correl_close_due(c, k, g, false, emit, ctx);
    /* the windows the new event completes: those ending at it and, when it
     * arrived late, those ending at the later events within a timespan */
    int64_t until = sat_add(g->e[p].ts, span);
    for (uint32_t j = p; j < g->n && g->e[j].ts <= until; j++) {
        uint32_t i = lower_bound(g, sat_sub(g->e[j].ts, span));
        bool oom = false;
        if (!window_holds(c, k, g, i, j, &oom)) {
            if (oom)
                return TR_ENOMEM;
            continue;
        }
        if (!window_ids(c, g, i, j))
            return TR_ENOMEM;
        cwin win = { g, i, j, j == p ? cur : NULL };
        tr_err err = correl_fire(c, k, &win, NULL, c->ids.v, (uint32_t)c->ids.n, emit, ctx);
        correl_group_remove(c, g, i, j); /* consumed by the detection */
        if (err)
            return err;
        break;
    }
    /* events no window of a future event can reach any more */
    int64_t horizon = sat_sub(sat_sub(g->newest, span), c->o.lateness_ns);
    uint32_t old = lower_bound(g, horizon);
    if (old > 0)
        correl_group_remove(c, g, 0, old - 1);
    return TR_OK;
}
