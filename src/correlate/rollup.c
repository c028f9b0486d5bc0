/*
 * rollup.c - from attributed detections to campaigns: one campaign per actor
 * (split only by the actor gap when the policy sets one) and one cluster per
 * unattributed component (split by silent gaps), each with its tenants and
 * their stages and evidence, per-CVE counts, countries and sectors,
 * infrastructure, a daily timeline, phases and the sentences that explain
 * how it was put together (docs/CAMPAIGNS.md "Roll-up").
 */
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

static int64_t day_of(int64_t ts)
{
    int64_t d = ts / NS_DAY;
    if (ts % NS_DAY < 0)
        d--;
    return d;
}

static void fmt_date(int64_t ts, char *buf, size_t n)
{
    tr_tm tm;
    tr_time_split(ts, &tm);
    snprintf(buf, n, "%04d-%02d-%02d", tm.year, tm.month, tm.day);
}

static void fmt_time(int64_t ts, char *buf, size_t n)
{
    if (ts == TR_TS_NONE)
        snprintf(buf, n, "(no time)");
    else
        tr_time_format(ts, buf, n);
}

static tr_str value_text(const tr_campaigns *c, uint32_t v)
{
    tr_str s = cm_str(&c->values, v);
    return s.n ? (tr_str){ s.p + 1, s.n - 1 } : s;
}

static const char *value_type(char t)
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

static void *out_copy(tr_campaigns *c, const void *p, size_t n)
{
    if (n == 0)
        return NULL;
    void *q = tr_arena_alloc(c->out, n);
    if (q)
        memcpy(q, p, n);
    return q;
}

static const char *out_str(tr_campaigns *c, const char *p, size_t n)
{
    char *q = tr_arena_alloc(c->out, n + 1);
    if (!q)
        return NULL;
    memcpy(q, p, n);
    q[n] = '\0';
    return q;
}

static tr_err explain(rollup *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static tr_err explain(rollup *r, const char *fmt, ...)
{
    if (r->explain.n >= MAX_EXPLAIN)
        return TR_OK;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return TR_EINVAL;
    const char *s = out_str(r->c, buf, TR_MIN((size_t)n, sizeof(buf) - 1));
    if (!s || !TR_VEC_PUSH(&r->explain, s))
        return TR_ENOMEM;
    return TR_OK;
}

/* "path:line" (or "path#record" for records without lines) of a detection. */
static const char *where(const tr_campaigns *c, uint32_t i, char *buf, size_t n)
{
    const cm_det *d = &c->dets.v[i];
    tr_str p = cm_str(&c->strs, d->path);
    if (d->line)
        snprintf(buf, n, "%.*s:%" PRIu64, TR_STR_FMT(p), d->line);
    else
        snprintf(buf, n, "%.*s#%" PRIu64, TR_STR_FMT(p), d->record);
    return buf;
}

static bool is_attempt(const cm_det *d)
{
    return d->stage < TR_STAGE_COMPROMISED && !(d->flags & CM_FLOW) && d->ts != TR_TS_NONE;
}

static int cmp_str_ids(const void *a, const void *b, void *ctx)
{
    const cm_intern *in = ctx;
    tr_str x = in->strs[*(const uint32_t *)a], y = in->strs[*(const uint32_t *)b];
    size_t n = TR_MIN(x.n, y.n);
    int r = n ? memcmp(x.p, y.p, n) : 0;
    return r ? r : (x.n < y.n ? -1 : x.n > y.n);
}

static int cmp_tr_str(const void *a, const void *b)
{
    const tr_str *x = a, *y = b;
    size_t n = TR_MIN(x->n, y->n);
    int r = n ? memcmp(x->p, y->p, n) : 0;
    return r ? r : (x->n < y->n ? -1 : x->n > y->n);
}

/* Sorted, unique copy of strs[0..n) in the output arena. */
static const tr_str *unique_strs(tr_campaigns *c, tr_str *strs, uint32_t n, uint32_t *out_n)
{
    qsort(strs, n, sizeof(*strs), cmp_tr_str);
    uint32_t m = 0;
    for (uint32_t i = 0; i < n; i++)
        if (strs[i].n && (!m || !tr_str_eq(strs[m - 1], strs[i])))
            strs[m++] = strs[i];
    *out_n = m;
    return out_copy(c, strs, m * sizeof(*strs));
}

static uint32_t cve_slot(u32vec *ids, u32vec *st, uint32_t cve, bool *ok)
{
    for (uint32_t i = 0; i < ids->n; i++)
        if (ids->v[i] == cve)
            return i;
    if (!TR_VEC_PUSH(ids, cve) || !TR_VEC_PUSH(st, 0))
        *ok = false;
    return (uint32_t)ids->n - 1;
}

static void raise_cves(rollup *r, uint32_t set, uint8_t stage, bool *ok)
{
    uint32_t n;
    const uint32_t *ids = cm_cveset(r->c, set, &n);
    for (uint32_t k = 0; k < n; k++) {
        uint32_t s = cve_slot(&r->tcve, &r->tcve_st, ids[k], ok);
        if (*ok && r->tcve_st.v[s] < stage)
            r->tcve_st.v[s] = stage;
    }
}

/* The slot of cve in the campaign's by-CVE table. */
static tr_cmp_cve *campaign_cve(rollup *r, uint32_t cve)
{
    for (uint32_t i = 0; i < r->cve_ids.n; i++)
        if (r->cve_ids.v[i] == cve)
            return &r->cves.v[i];
    tr_cmp_cve z = { .cve = cm_str(&r->c->strs, cve), .first_seen = TR_TS_NONE,
                     .last_seen = TR_TS_NONE };
    if (!TR_VEC_PUSH(&r->cves, z) || !TR_VEC_PUSH(&r->cve_ids, cve))
        return NULL;
    return &r->cves.v[r->cves.n - 1];
}

static void widen(int64_t *first, int64_t *last, int64_t ts)
{
    if (ts == TR_TS_NONE)
        return;
    if (*first == TR_TS_NONE || ts < *first)
        *first = ts;
    if (*last == TR_TS_NONE || ts > *last)
        *last = ts;
}

typedef struct ev_key {
    uint8_t stage;
    uint32_t rule, ind, idx;
} ev_key;

static int by_ev_key(const void *a, const void *b)
{
    const ev_key *x = a, *y = b;
    if (x->stage != y->stage)
        return x->stage > y->stage ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    if (x->ind != y->ind)
        return x->ind < y->ind ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int by_ev_first(const void *a, const void *b)
{
    const tr_cmp_evidence *x = a, *y = b;
    if (x->stage != y->stage)
        return x->stage > y->stage ? -1 : 1;
    return x->det < y->det ? -1 : x->det > y->det;
}

static tr_str via_text(const tr_campaigns *c, uint8_t why, uint32_t v)
{
    if (why == TR_WHY_SHARED_VALUE)
        return value_text(c, v);
    if (why == TR_WHY_EXEC_AFTER || why == TR_WHY_SAME_HOST)
        return cm_str(&c->strs, v);
    return (tr_str){ "", 0 };
}

/* Evidence of one tenant: detections grouped by stage, rule and indicator. */
static tr_err tenant_evidence(rollup *r, const uint32_t *dets, uint32_t n, bool cluster,
                              tr_cmp_tenant *t)
{
    tr_campaigns *c = r->c;
    ev_key *k = tr_malloc((n ? n : 1) * sizeof(*k));
    if (!k)
        return TR_ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        const cm_det *d = &c->dets.v[dets[i]];
        k[i] = (ev_key){ d->stage, d->rule, d->ind, dets[i] };
    }
    qsort(k, n, sizeof(*k), by_ev_key);
    r->ev.n = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i + 1;
        while (j < n && k[j].stage == k[i].stage && k[j].rule == k[i].rule &&
               k[j].ind == k[i].ind)
            j++;
        uint32_t first = k[i].idx;
        tr_cmp_evidence e = {
            .det = first,
            .count = j - i,
            .stage = (tr_stage)k[i].stage,
            .why = (tr_cmp_why)c->why[first],
            .via = c->via[first] == first ? UINT32_MAX : c->via[first],
            .via_value = via_text(c, c->why[first], c->via_value[first]),
            .first = TR_TS_NONE,
            .last = TR_TS_NONE,
        };
        if (cluster && e.why == TR_WHY_ORIGIN)
            e.via = UINT32_MAX;
        for (uint32_t m = i; m < j; m++)
            widen(&e.first, &e.last, c->dets.v[k[m].idx].ts);
        if (!TR_VEC_PUSH(&r->ev, e)) {
            tr_free(k);
            return TR_ENOMEM;
        }
        i = j;
    }
    tr_free(k);
    if (r->ev.n)
        qsort(r->ev.v, r->ev.n, sizeof(*r->ev.v), by_ev_first);
    t->evidence = out_copy(c, r->ev.v, r->ev.n * sizeof(*r->ev.v));
    t->nevidence = (uint32_t)r->ev.n;
    return r->ev.n && !t->evidence ? TR_ENOMEM : TR_OK;
}

/* One tenant of a campaign: stage, windows, CVEs and the stage reached
 * through each; a compromise whose evidence names no CVE is put on the CVE
 * of the last exploitation before it. */
static tr_err tenant_rollup(rollup *r, tr_campaign *cp, const uint32_t *dets, uint32_t n,
                            bool *inferred)
{
    tr_campaigns *c = r->c;
    bool ok = true;
    const cm_det *d0 = &c->dets.v[dets[0]];
    tr_cmp_tenant t = {
        .id = cm_str(&c->strs, d0->tenant),
        .first_seen = TR_TS_NONE,
        .last_seen = TR_TS_NONE,
        .activity_first = TR_TS_NONE,
        .activity_last = TR_TS_NONE,
        .detections = n,
    };
    const tr_tenant *ft = tr_fleet_find(c->fleet, t.id);
    if (ft) {
        t.name = ft->name;
        t.country = ft->country;
        t.sector = ft->sector;
    }
    r->tcve.n = r->tcve_st.n = 0;
    bool cve_at[TR_STAGE_COMPROMISED + 1] = { false };
    uint32_t first_at[TR_STAGE_COMPROMISED + 1];
    for (int s = 0; s <= TR_STAGE_COMPROMISED; s++)
        first_at[s] = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        const cm_det *d = &c->dets.v[dets[i]];
        if (d->stage > t.stage)
            t.stage = (tr_stage)d->stage;
        widen(&t.activity_first, &t.activity_last, d->ts);
        if (is_attempt(d))
            widen(&t.first_seen, &t.last_seen, d->ts);
        uint32_t set = c->eff_cves[dets[i]];
        if (set) {
            raise_cves(r, set, d->stage, &ok);
            for (int s = TR_STAGE_EXPLOITED; s <= d->stage; s++)
                cve_at[s] = true;
        }
        for (int s = TR_STAGE_EXPLOITED; s <= d->stage; s++)
            if (first_at[s] == UINT32_MAX)
                first_at[s] = i;
    }
    /* compromise (or exploitation) whose evidence names no CVE */
    for (int s = TR_STAGE_COMPROMISED; s >= TR_STAGE_EXPLOITED; s--) {
        if ((int)t.stage < s || cve_at[s] || first_at[s] == UINT32_MAX)
            continue;
        const cm_det *fd = &c->dets.v[dets[first_at[s]]];
        uint32_t best = UINT32_MAX;
        for (uint32_t i = 0; i < n; i++) {
            const cm_det *d = &c->dets.v[dets[i]];
            if (c->eff_cves[dets[i]] && d->ts != TR_TS_NONE && d->ts <= fd->ts)
                best = i;
        }
        if (best != UINT32_MAX) {
            raise_cves(r, c->eff_cves[dets[best]], (uint8_t)s, &ok);
            *inferred = true;
            for (int k = TR_STAGE_EXPLOITED; k <= s; k++)
                cve_at[k] = true;
        }
    }
    if (!ok)
        return TR_ENOMEM;
    /* the campaign's per-CVE table */
    uint32_t *ids = tr_malloc((r->tcve.n ? r->tcve.n : 1) * sizeof(*ids));
    if (!ids)
        return TR_ENOMEM;
    for (uint32_t k = 0; k < r->tcve.n; k++) {
        tr_cmp_cve *cv = campaign_cve(r, r->tcve.v[k]);
        if (!cv) {
            tr_free(ids);
            return TR_ENOMEM;
        }
        uint8_t st = r->tcve_st.v[k];
        cv->targeted++;
        cv->exploited += st >= TR_STAGE_EXPLOITED;
        cv->compromised += st >= TR_STAGE_COMPROMISED;
        ids[k] = r->tcve.v[k];
    }
    qsort_r(ids, r->tcve.n, sizeof(*ids), cmp_str_ids, &c->strs);
    tr_str *cv = tr_arena_alloc(c->out, (r->tcve.n ? r->tcve.n : 1) * sizeof(*cv));
    if (!cv) {
        tr_free(ids);
        return TR_ENOMEM;
    }
    for (uint32_t k = 0; k < r->tcve.n; k++)
        cv[k] = cm_str(&c->strs, ids[k]);
    t.cves = cv;
    t.ncves = (uint32_t)r->tcve.n;
    tr_free(ids);
    /* attempts per CVE for the campaign's first/last seen of each CVE */
    for (uint32_t i = 0; i < n; i++) {
        const cm_det *d = &c->dets.v[dets[i]];
        uint32_t m;
        const uint32_t *s = cm_cveset(c, c->eff_cves[dets[i]], &m);
        if (!is_attempt(d))
            continue;
        for (uint32_t k = 0; k < m; k++) {
            tr_cmp_cve *x = campaign_cve(r, s[k]);
            if (!x)
                return TR_ENOMEM;
            widen(&x->first_seen, &x->last_seen, d->ts);
        }
    }
    tr_err err = tenant_evidence(r, dets, n, cp->cluster, &t);
    if (err)
        return err;
    if (t.stage >= TR_STAGE_EXPLOITED)
        cp->nexploited++;
    if (t.stage >= TR_STAGE_COMPROMISED)
        cp->ncompromised++;
    widen(&cp->first_seen, &cp->last_seen, t.first_seen);
    widen(&cp->first_seen, &cp->last_seen, t.last_seen);
    widen(&cp->activity_first, &cp->activity_last, t.activity_first);
    widen(&cp->activity_first, &cp->activity_last, t.activity_last);
    return TR_VEC_PUSH(&r->tenants, t) ? TR_OK : TR_ENOMEM;
}

static int by_infra(const void *a, const void *b)
{
    const tr_cmp_infra *x = a, *y = b;
    int t = cmp_tr_str(&x->type, &y->type);
    if (t) { /* addresses, domains and URLs first, in that order */
        static const char order[] = "ipdomainurl";
        const char *px = strstr(order, x->type.p), *py = strstr(order, y->type.p);
        if (px && py)
            return px < py ? -1 : 1;
        if (px || py)
            return px ? -1 : 1;
        return t;
    }
    return cmp_tr_str(&x->value, &y->value);
}

/* The campaign's values (benign ones left out) and, for a cluster, its seed:
 * the value seen at the most tenants (then detections, then byte order). */
static tr_err infrastructure(rollup *r, tr_campaign *cp, uint32_t *seed)
{
    tr_campaigns *c = r->c;
    r->infra.n = r->infra_vid.n = 0;
    for (uint32_t i = 0; i < r->list.n; i++) {
        const cm_det *d = &c->dets.v[r->list.v[i]];
        for (uint32_t k = 0; k < d->nent; k++) {
            uint32_t v = c->ents.v[d->ent_off + k];
            if (c->vals[v].benign)
                continue;
            if (r->val_mark[v] != r->serial) {
                r->val_mark[v] = r->serial;
                r->val_tenant[v] = 0;
                r->val_slot[v] = (uint32_t)r->infra.n;
                tr_str s = cm_str(&c->values, v);
                tr_cmp_infra x = { .value = value_text(c, v),
                                   .type = tr_str_c(value_type(s.p[0])),
                                   .first_seen = TR_TS_NONE,
                                   .last_seen = TR_TS_NONE };
                if (!TR_VEC_PUSH(&r->infra, x) || !TR_VEC_PUSH(&r->infra_vid, v))
                    return TR_ENOMEM;
            }
            tr_cmp_infra *x = &r->infra.v[r->val_slot[v]];
            x->detections++;
            if (r->val_tenant[v] != d->tenant) {
                r->val_tenant[v] = d->tenant;
                x->tenants++;
            }
            widen(&x->first_seen, &x->last_seen, d->ts);
        }
    }
    *seed = 0;
    uint32_t best = UINT32_MAX;
    for (uint32_t k = 0; k < r->infra.n; k++) {
        const tr_cmp_infra *x = &r->infra.v[k];
        if (best == UINT32_MAX) {
            best = k;
            continue;
        }
        const tr_cmp_infra *s = &r->infra.v[best];
        if (x->tenants > s->tenants ||
            (x->tenants == s->tenants &&
             (x->detections > s->detections ||
              (x->detections == s->detections && cmp_tr_str(&x->value, &s->value) < 0))))
            best = k;
    }
    if (best != UINT32_MAX)
        *seed = r->infra_vid.v[best];
    if (r->infra.n)
        qsort(r->infra.v, r->infra.n, sizeof(*r->infra.v), by_infra);
    cp->infra = out_copy(c, r->infra.v, r->infra.n * sizeof(*r->infra.v));
    cp->ninfra = (uint32_t)r->infra.n;
    return r->infra.n && !cp->infra ? TR_ENOMEM : TR_OK;
}

/* The daily timeline (tenants per stage per day) and the phases: runs of
 * days with attempts separated by at least phase_gap of silence. */
static tr_err timeline(rollup *r, tr_campaign *cp)
{
    tr_campaigns *c = r->c;
    if (cp->activity_first == TR_TS_NONE)
        return TR_OK;
    int64_t d0 = day_of(cp->activity_first), d1 = day_of(cp->activity_last);
    if (d1 - d0 + 1 > MAX_DAYS)
        return TR_OK;
    uint32_t nd = (uint32_t)(d1 - d0 + 1);
    tr_cmp_day *days = tr_arena_alloc(c->out, nd * sizeof(*days));
    uint32_t *att = tr_calloc(nd, sizeof(*att));
    int32_t *phase_of = tr_malloc(nd * sizeof(*phase_of));
    tr_err err = TR_OK;
    if (!days || !att || !phase_of) {
        err = TR_ENOMEM;
        goto out;
    }
    for (uint32_t k = 0; k < nd; k++)
        days[k] = (tr_cmp_day){ .day = (d0 + k) * NS_DAY };
    int64_t last[4] = { -1, -1, -1, -1 };
    uint32_t tenant = 0;
    for (uint32_t i = 0; i < r->list.n; i++) {
        const cm_det *d = &c->dets.v[r->list.v[i]];
        if (d->tenant != tenant) {
            tenant = d->tenant;
            last[0] = last[1] = last[2] = last[3] = -1;
        }
        if (d->ts == TR_TS_NONE)
            continue;
        int64_t k = day_of(d->ts) - d0;
        if (last[d->stage] != k) {
            last[d->stage] = k;
            if (d->stage == TR_STAGE_TARGETED)
                days[k].targeted++;
            else if (d->stage == TR_STAGE_EXPLOITED)
                days[k].exploited++;
            else
                days[k].compromised++;
        }
        if (is_attempt(d) && last[0] != k) {
            last[0] = k;
            att[k]++;
        }
    }
    cp->days = days;
    cp->ndays = nd;
    /* phases */
    int64_t gap = c->params.phase_gap / NS_DAY;
    if (gap < 1)
        gap = 1;
    TR_VEC(tr_cmp_phase) ph = { 0 };
    int64_t last_att = -1;
    for (uint32_t k = 0; k < nd; k++) {
        phase_of[k] = -1;
        if (!att[k])
            continue;
        if (last_att < 0 || (int64_t)k - last_att - 1 >= gap) {
            tr_cmp_phase p = { .first = TR_TS_NONE, .last = TR_TS_NONE };
            if (!TR_VEC_PUSH(&ph, p)) {
                err = TR_ENOMEM;
                goto out;
            }
        }
        phase_of[k] = (int32_t)ph.n - 1;
        last_att = k;
    }
    for (uint32_t k = 1; k < nd; k++) /* silent days inside a phase belong to it */
        if (phase_of[k] < 0 && phase_of[k - 1] >= 0) {
            uint32_t j = k;
            while (j < nd && phase_of[j] < 0)
                j++;
            if (j < nd && phase_of[j] == phase_of[k - 1])
                for (uint32_t m = k; m < j; m++)
                    phase_of[m] = phase_of[k - 1];
        }
    if (ph.n) {
        /* tenants and CVEs per phase */
        uint32_t *ten_last = tr_malloc(ph.n * sizeof(*ten_last));
        u32vec *pc = tr_calloc(ph.n, sizeof(*pc));
        if (!ten_last || !pc) {
            tr_free(ten_last);
            tr_free(pc);
            TR_VEC_FREE(&ph);
            err = TR_ENOMEM;
            goto out;
        }
        for (size_t p = 0; p < ph.n; p++)
            ten_last[p] = 0;
        for (uint32_t i = 0; i < r->list.n; i++) {
            const cm_det *d = &c->dets.v[r->list.v[i]];
            if (!is_attempt(d))
                continue;
            int32_t p = phase_of[day_of(d->ts) - d0];
            if (p < 0)
                continue;
            widen(&ph.v[p].first, &ph.v[p].last, d->ts);
            if (ten_last[p] != d->tenant) {
                ten_last[p] = d->tenant;
                ph.v[p].tenants++;
            }
            uint32_t m;
            const uint32_t *s = cm_cveset(c, c->eff_cves[r->list.v[i]], &m);
            for (uint32_t k = 0; k < m; k++) {
                bool have = false;
                for (size_t q = 0; q < pc[p].n; q++)
                    have |= pc[p].v[q] == s[k];
                if (!have && !TR_VEC_PUSH(&pc[p], s[k]))
                    err = TR_ENOMEM;
            }
        }
        for (size_t p = 0; p < ph.n && !err; p++) {
            if (pc[p].n)
                qsort_r(pc[p].v, pc[p].n, sizeof(*pc[p].v), cmp_str_ids, &c->strs);
            tr_str *cv = tr_arena_alloc(c->out, (pc[p].n ? pc[p].n : 1) * sizeof(*cv));
            if (!cv) {
                err = TR_ENOMEM;
                break;
            }
            for (size_t q = 0; q < pc[p].n; q++)
                cv[q] = cm_str(&c->strs, pc[p].v[q]);
            ph.v[p].cves = cv;
            ph.v[p].ncves = (uint32_t)pc[p].n;
        }
        for (size_t p = 0; p < ph.n; p++)
            TR_VEC_FREE(&pc[p]);
        tr_free(pc);
        tr_free(ten_last);
        cp->phases = out_copy(c, ph.v, ph.n * sizeof(*ph.v));
        cp->nphases = (uint32_t)ph.n;
    }
    TR_VEC_FREE(&ph);
out:
    tr_free(att);
    tr_free(phase_of);
    return err;
}

static tr_err explain_actor(rollup *r, tr_campaign *cp, bool inferred)
{
    tr_campaigns *c = r->c;
    tr_buf *b = &r->line;
    uint32_t nrule = 0, nind = 0, why_n[TR_WHY_ORIGIN + 1] = { 0 }, session = 0;
    uint32_t rules[8], nrules = 0, inds[12], ninds = 0, feeds[4], nfeeds = 0;
    uint32_t top_val[4] = { 0 }, top_cnt[4] = { 0 };
    for (uint32_t i = 0; i < r->list.n; i++) {
        uint32_t x = r->list.v[i];
        const cm_det *d = &c->dets.v[x];
        if (c->eff_cves[x] != d->cves)
            session++;
        uint8_t w = c->why[x];
        if (w <= TR_WHY_ORIGIN)
            why_n[w]++;
        if (c->via[x] == x && d->seed == c->actor[x]) {
            if (w == TR_WHY_SEED_RULE) {
                nrule++;
                bool have = false;
                for (uint32_t k = 0; k < nrules; k++)
                    have |= rules[k] == d->rule;
                if (!have && nrules < TR_ARRAY_LEN(rules))
                    rules[nrules++] = d->rule;
            } else {
                nind++;
                const cm_indicator *ind = &c->indicators.v[d->ind];
                bool have = false;
                for (uint32_t k = 0; k < ninds; k++)
                    have |= c->indicators.v[inds[k]].value == ind->value;
                if (!have && ninds < TR_ARRAY_LEN(inds))
                    inds[ninds++] = d->ind;
                have = false;
                for (uint32_t k = 0; k < nfeeds; k++)
                    have |= feeds[k] == ind->feed;
                if (!have && nfeeds < TR_ARRAY_LEN(feeds))
                    feeds[nfeeds++] = ind->feed;
            }
        } else if (w == TR_WHY_SHARED_VALUE) {
            uint32_t v = c->via_value[x];
            bool placed = false;
            for (int k = 0; k < 4 && !placed; k++)
                if (top_val[k] == v) {
                    top_cnt[k]++;
                    placed = true;
                }
            for (int k = 0; k < 4 && !placed; k++)
                if (!top_val[k]) {
                    top_val[k] = v;
                    top_cnt[k] = 1;
                    placed = true;
                }
        }
    }
    tr_str actor = cp->actor;
    tr_buf_reset(b);
    tr_buf_printf(b, "Attributed to %.*s by %u seed detections:", TR_STR_FMT(actor),
                  nrule + nind);
    if (nrule) {
        tr_buf_printf(b, " %u of rules tagged with its ATT&CK group (", nrule);
        for (uint32_t k = 0; k < nrules; k++)
            tr_buf_printf(b, "%s%.*s", k ? "; " : "",
                          TR_STR_FMT(cm_str(&c->strs, c->rules.v[rules[k]].title)));
        tr_buf_append(b, ")", 1);
    }
    if (nind) {
        tr_buf_printf(b, "%s %u of indicators its feeds attribute to it (", nrule ? ";" : "",
                      nind);
        for (uint32_t k = 0; k < nfeeds; k++)
            tr_buf_printf(b, "%sfeed %.*s", k ? ", " : "", TR_STR_FMT(cm_str(&c->strs, feeds[k])));
        tr_buf_append(b, ": ", 2);
        for (uint32_t k = 0; k < ninds; k++)
            tr_buf_printf(b, "%s%.*s", k ? ", " : "",
                          TR_STR_FMT(cm_str(&c->strs, c->indicators.v[inds[k]].value)));
        tr_buf_append(b, ninds == TR_ARRAY_LEN(inds) ? ", …)" : ")",
                      ninds == TR_ARRAY_LEN(inds) ? 6 : 1);
    }
    tr_buf_append(b, ".", 1);
    tr_err err = explain(r, "%s", b->p);
    if (err)
        return err;
    tr_buf_reset(b);
    tr_buf_printf(b, "Linked to the seeds (detections inherit the attribution): %u through the "
                     "same source record, %u through shared infrastructure",
                  why_n[TR_WHY_SAME_RECORD], why_n[TR_WHY_SHARED_VALUE]);
    for (int k = 0; k < 4 && top_val[k]; k++)
        tr_buf_printf(b, "%s%.*s ×%u", k ? ", " : " (", TR_STR_FMT(value_text(c, top_val[k])),
                      top_cnt[k]);
    if (top_val[0])
        tr_buf_append(b, ")", 1);
    tr_buf_printf(b, ", %u as execution following an exploitation of the same CVE (within %lld "
                     "min), %u on the same host (within %lld min).",
                  why_n[TR_WHY_EXEC_AFTER], (long long)(c->params.exec_window / 60000000000LL),
                  why_n[TR_WHY_SAME_HOST], (long long)(c->params.host_window / 60000000000LL));
    if ((err = explain(r, "%s", b->p)))
        return err;
    if (session &&
        (err = explain(r, "%u attempt%s without a CVE tag took the CVE of the exploitation "
                          "session %s (same remote value, same tenant, within %lld min).",
                       session, session == 1 ? "" : "s",
                       session == 1 ? "it belongs to" : "they belong to",
                       (long long)(c->params.session_window / 60000000000LL))))
        return err;
    if (inferred &&
        (err = explain(r, "Where the compromise evidence names no CVE, the compromise is "
                          "counted for the CVE of the last exploitation before it.")))
        return err;
    return TR_OK;
}

static tr_err explain_common(rollup *r, tr_campaign *cp)
{
    tr_campaigns *c = r->c;
    char a[40], b[40], w1[512], w2[512];
    uint32_t first = UINT32_MAX, last = UINT32_MAX;
    for (uint32_t i = 0; i < r->list.n; i++) {
        const cm_det *d = &c->dets.v[r->list.v[i]];
        if (!is_attempt(d))
            continue;
        if (d->ts == cp->first_seen && first == UINT32_MAX)
            first = r->list.v[i];
        if (d->ts == cp->last_seen)
            last = r->list.v[i];
    }
    if (first != UINT32_MAX && last != UINT32_MAX) {
        fmt_time(cp->first_seen, a, sizeof(a));
        fmt_time(cp->last_seen, b, sizeof(b));
        tr_err err = explain(r, "First attempt %s at %.*s (%s); last attempt %s at %.*s (%s).", a,
                             TR_STR_FMT(cm_str(&c->strs, c->dets.v[first].tenant)),
                             where(c, first, w1, sizeof(w1)), b,
                             TR_STR_FMT(cm_str(&c->strs, c->dets.v[last].tenant)),
                             where(c, last, w2, sizeof(w2)));
        if (err)
            return err;
    }
    uint32_t st[4] = { 0 };
    for (uint32_t i = 0; i < cp->ntenants; i++)
        st[cp->tenants[i].stage]++;
    return explain(r, "Stages: %u tenant%s only targeted (attempts: stage.targeted or "
                      "initial-access rules, inbound indicator matches), %u exploited (a "
                      "vulnerable answer), %u compromised (post-exploitation rules, egress to "
                      "its infrastructure, its files on a host); an HTTP 200 alone is never a "
                      "compromise.",
                   st[TR_STAGE_TARGETED], st[TR_STAGE_TARGETED] == 1 ? "" : "s",
                   st[TR_STAGE_EXPLOITED], st[TR_STAGE_COMPROMISED]);
}

/* Clusters: which values it is made of and how each one joined. */
static tr_err explain_cluster(rollup *r, tr_campaign *cp, uint32_t seed_value, uint32_t split_from,
                              int64_t split_gap)
{
    tr_campaigns *c = r->c;
    tr_err err = explain(r, "Unattributed: none of its %u detections carries an ATT&CK group tag "
                            "or an indicator a feed attributes to an actor.",
                         cp->detections);
    if (err)
        return err;
    if (seed_value) {
        const cm_value *v = &c->vals[seed_value];
        char a[40];
        fmt_date(v->first, a, sizeof(a));
        if ((err = explain(r, "Grew from %.*s (%s, seen at %u tenants in all, from %s).",
                           TR_STR_FMT(value_text(c, seed_value)),
                           value_type(cm_str(&c->values, seed_value).p[0]), v->tenants, a)))
            return err;
    }
    /* every other value: the link that brought its first detection in */
    uint32_t shown = 0;
    for (uint32_t i = 0; i < r->list.n && shown < 12; i++) {
        uint32_t x = r->list.v[i];
        const cm_det *d = &c->dets.v[x];
        for (uint32_t k = 0; k < d->nent; k++) {
            uint32_t v = c->ents.v[d->ent_off + k];
            if (v == seed_value || c->vals[v].benign || r->val_mark[v] == r->serial + 1)
                continue;
            r->val_mark[v] = r->serial + 1;
            char w[512], w2[512];
            uint32_t via = c->via[x];
            tr_str vt = value_text(c, v);
            switch (c->why[x]) {
            case TR_WHY_SAME_RECORD:
                err = explain(r, "Merge: %.*s appears in the same record as a detection of the "
                                 "cluster (%s).",
                              TR_STR_FMT(vt), where(c, x, w, sizeof(w)));
                break;
            case TR_WHY_SHARED_VALUE:
                err = explain(r, "Merge: %.*s comes with %.*s (%s), which the cluster shares "
                                 "with %s.",
                              TR_STR_FMT(vt), TR_STR_FMT(value_text(c, c->via_value[x])),
                              where(c, x, w, sizeof(w)), where(c, via, w2, sizeof(w2)));
                break;
            case TR_WHY_ORIGIN: continue;
            default:
                err = explain(r, "Merge: %.*s joined by %s (%s).", TR_STR_FMT(vt),
                              tr_cmp_why_name((tr_cmp_why)c->why[x]), where(c, x, w, sizeof(w)));
                break;
            }
            if (err)
                return err;
            shown++;
        }
    }
    uint32_t weak[TR_WHY_ORIGIN + 1] = { 0 };
    for (uint32_t i = 0; i < r->list.n; i++)
        weak[c->why[r->list.v[i]]]++;
    if (weak[TR_WHY_EXEC_AFTER] || weak[TR_WHY_SAME_HOST])
        if ((err = explain(r, "%u host detections without infrastructure joined as execution "
                              "after an exploitation of the same CVE, %u by the same host.",
                           weak[TR_WHY_EXEC_AFTER], weak[TR_WHY_SAME_HOST])))
            return err;
    if (split_from)
        return explain(r, "Split from the rest of its linked activity (%u detections) by a "
                          "silence of %lld days (the cluster gap is %lld days).",
                       split_from, (long long)(split_gap / NS_DAY),
                       (long long)(c->params.cluster_gap / NS_DAY));
    return TR_OK;
}

/* Builds a campaign from r->list (detection indices, any order). */
static tr_err make_campaign(rollup *r, uint32_t actor, uint32_t segment, uint32_t split_from,
                            int64_t split_gap)
{
    tr_campaigns *c = r->c;
    tr_err err = TR_OK;
    r->serial += 2;
    uint32_t *l = r->list.v;
    uint32_t n = (uint32_t)r->list.n;
    /* canonical order = tenant-major, time-ordered */
    for (uint32_t i = 1; i < n; i++)
        if (l[i - 1] > l[i]) {
            for (uint32_t a = 1; a < n; a++) { /* insertion sort is rare: lists come sorted */
                uint32_t v = l[a], b = a;
                while (b > 0 && l[b - 1] > v) {
                    l[b] = l[b - 1];
                    b--;
                }
                l[b] = v;
            }
            break;
        }
    tr_campaign cp = {
        .actor = cm_str(&c->strs, actor),
        .cluster = actor == 0,
        .first_seen = TR_TS_NONE,
        .last_seen = TR_TS_NONE,
        .activity_first = TR_TS_NONE,
        .activity_last = TR_TS_NONE,
        .detections = n,
    };
    r->tenants.n = r->cves.n = r->cve_ids.n = r->explain.n = 0;
    bool inferred = false;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i + 1;
        while (j < n && c->dets.v[l[j]].tenant == c->dets.v[l[i]].tenant)
            j++;
        TR_TRY(tenant_rollup(r, &cp, l + i, j - i, &inferred));
        i = j;
    }
    cp.tenants = out_copy(c, r->tenants.v, r->tenants.n * sizeof(*r->tenants.v));
    cp.ntenants = (uint32_t)r->tenants.n;
    /* countries and sectors */
    tr_str *tmp = tr_malloc((cp.ntenants ? cp.ntenants : 1) * sizeof(*tmp));
    if (!tmp)
        return TR_ENOMEM;
    for (uint32_t i = 0; i < cp.ntenants; i++)
        tmp[i] = cp.tenants[i].country;
    cp.countries = unique_strs(c, tmp, cp.ntenants, &cp.ncountries);
    for (uint32_t i = 0; i < cp.ntenants; i++)
        tmp[i] = cp.tenants[i].sector;
    cp.sectors = unique_strs(c, tmp, cp.ntenants, &cp.nsectors);
    tr_free(tmp);
    /* per-CVE table, sorted by CVE */
    for (size_t i = 1; i < r->cves.n; i++)
        for (size_t k = i; k > 0 && cmp_tr_str(&r->cves.v[k - 1].cve, &r->cves.v[k].cve) > 0;
             k--) {
            tr_cmp_cve t = r->cves.v[k];
            r->cves.v[k] = r->cves.v[k - 1];
            r->cves.v[k - 1] = t;
        }
    cp.cves = out_copy(c, r->cves.v, r->cves.n * sizeof(*r->cves.v));
    cp.ncves = (uint32_t)r->cves.n;
    uint32_t seed_value = 0;
    TR_TRY(infrastructure(r, &cp, &seed_value));
    if (actor)
        seed_value = 0;
    TR_TRY(timeline(r, &cp));
    /* name and id */
    char d1[16] = "?", d2[16] = "?", idbuf[48];
    int64_t f = cp.first_seen != TR_TS_NONE ? cp.first_seen : cp.activity_first;
    int64_t t = cp.last_seen != TR_TS_NONE ? cp.last_seen : cp.activity_last;
    if (f != TR_TS_NONE)
        fmt_date(f, d1, sizeof(d1));
    if (t != TR_TS_NONE)
        fmt_date(t, d2, sizeof(d2));
    char act_day[16] = "none";
    if (cp.activity_first != TR_TS_NONE)
        fmt_date(cp.activity_first, act_day, sizeof(act_day));
    tr_buf *b = &r->line;
    tr_buf_reset(b);
    if (actor) {
        tr_buf_printf(b, "actor:%.*s", TR_STR_FMT(cp.actor));
        if (segment)
            tr_buf_printf(b, ":%s", act_day);
    } else if (seed_value) {
        tr_buf_printf(b, "cluster:%.*s:%s", TR_STR_FMT(cm_str(&c->values, seed_value)), act_day);
    } else {
        const cm_det *d = &c->dets.v[l[0]];
        tr_buf_printf(b, "cluster:tenant:%.*s:rule:%.*s:%s", TR_STR_FMT(cm_str(&c->strs, d->tenant)),
                      TR_STR_FMT(cm_str(&c->strs, c->rules.v[d->rule].rule_id)), act_day);
    }
    char uuid[37];
    tr_uuid5(cm_uuid_ns, b->p, b->n, uuid);
    snprintf(idbuf, sizeof(idbuf), "campaign--%s", uuid);
    cp.id = out_str(c, idbuf, strlen(idbuf));
    tr_buf_reset(b);
    if (actor) {
        tr_buf_printf(b, "%.*s campaign, %s to %s", TR_STR_FMT(cp.actor), d1, d2);
    } else {
        tr_str sv = seed_value ? value_text(c, seed_value)
                               : cm_str(&c->strs, c->rules.v[c->dets.v[l[0]].rule].title);
        cp.seed = sv;
        tr_buf_printf(b, "Unattributed activity around %.*s", TR_STR_FMT(sv));
        if (cp.ncves) {
            tr_buf_append(b, " (", 2);
            for (uint32_t k = 0; k < cp.ncves; k++)
                tr_buf_printf(b, "%s%.*s", k ? ", " : "", TR_STR_FMT(cp.cves[k].cve));
            tr_buf_append(b, ")", 1);
        }
        tr_buf_printf(b, ", %s to %s", d1, d2);
    }
    cp.name = out_str(c, b->p, b->n);
    if (!cp.id || !cp.name)
        return TR_ENOMEM;
    if (actor)
        TR_TRY(explain_actor(r, &cp, inferred));
    else
        TR_TRY(explain_cluster(r, &cp, seed_value, split_from, split_gap));
    TR_TRY(explain_common(r, &cp));
    cp.explanation = out_copy(c, r->explain.v, r->explain.n * sizeof(*r->explain.v));
    cp.nexplanation = (uint32_t)r->explain.n;
    if (!TR_VEC_PUSH(&c->res.campaigns, cp))
        return TR_ENOMEM;
out:
    return err;
}

static int cm_by_ts(const void *a, const void *b, void *ctx);

/* Splits list (time-sorted copy in r->tmp) at silences longer than gap and
 * builds each part. */
static tr_err build_split(rollup *r, uint32_t actor, int64_t gap, uint32_t min_tenants,
                          uint32_t *in_campaign)
{
    tr_campaigns *c = r->c;
    r->tmp.n = 0;
    for (size_t i = 0; i < r->list.n; i++)
        if (!TR_VEC_PUSH(&r->tmp, r->list.v[i]))
            return TR_ENOMEM;
    const cm_det *d = c->dets.v;
    if (gap > 0) {
        if (r->tmp.n)
            qsort_r(r->tmp.v, r->tmp.n, sizeof(*r->tmp.v), cm_by_ts, (void *)d);
    }
    uint32_t n = (uint32_t)r->tmp.n, segment = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i + 1;
        int64_t cut = 0;
        while (j < n) {
            int64_t span = cm_span(d[r->tmp.v[j]].ts, d[r->tmp.v[j - 1]].ts);
            if (gap > 0 && d[r->tmp.v[j - 1]].ts != TR_TS_NONE && span > gap) {
                cut = span;
                break;
            }
            j++;
        }
        r->list.n = 0;
        uint32_t tenants = 0, prev = UINT32_MAX;
        bool compromised = false;
        for (uint32_t k = i; k < j; k++) {
            if (!TR_VEC_PUSH(&r->list, r->tmp.v[k]))
                return TR_ENOMEM;
            compromised |= d[r->tmp.v[k]].stage == TR_STAGE_COMPROMISED;
        }
        /* tenants: count distinct (the list is time-sorted, not tenant-major) */
        r->ten_stamp++;
        for (uint32_t k = 0; k < r->list.n && tenants < min_tenants; k++) {
            uint32_t t = d[r->list.v[k]].tenant;
            if (t != prev && r->ten_mark[t] != r->ten_stamp) {
                r->ten_mark[t] = r->ten_stamp;
                tenants++;
            }
            prev = t;
        }
        /* a cluster needs infrastructure to be about: host alerts that link
         * to nothing stay in the background */
        bool has_value = false;
        for (uint32_t k = 0; k < r->list.n && !has_value && !actor; k++) {
            const cm_det *x = &d[r->list.v[k]];
            for (uint32_t e = 0; e < x->nent && !has_value; e++)
                has_value = !c->vals[c->ents.v[x->ent_off + e]].benign;
        }
        bool keep = actor || (has_value && (tenants >= min_tenants || compromised));
        bool whole = i == 0 && j == n;
        if (keep) {
            tr_err err = make_campaign(r, actor, segment, whole ? 0 : n - (j - i),
                                       whole ? 0 : cut);
            if (err)
                return err;
            for (uint32_t k = 0; k < r->list.n; k++)
                in_campaign[r->list.v[k]] = 1;
            segment++;
        }
        i = j;
    }
    return TR_OK;
}

static int cm_by_ts(const void *a, const void *b, void *ctx)
{
    const cm_det *d = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (d[x].ts != d[y].ts)
        return d[x].ts < d[y].ts ? -1 : 1;
    return x < y ? -1 : x > y;
}

static int by_campaign(const void *a, const void *b)
{
    const tr_campaign *x = a, *y = b;
    if (x->cluster != y->cluster)
        return x->cluster ? 1 : -1;
    if (!x->cluster) {
        int r = cmp_tr_str(&x->actor, &y->actor);
        if (r)
            return r;
        if (x->activity_first != y->activity_first)
            return x->activity_first < y->activity_first ? -1 : 1;
        return strcmp(x->id, y->id);
    }
    if (x->ntenants != y->ntenants)
        return x->ntenants > y->ntenants ? -1 : 1;
    if (x->ncompromised != y->ncompromised)
        return x->ncompromised > y->ncompromised ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_benign(const void *a, const void *b)
{
    const tr_cmp_benign *x = a, *y = b;
    if (x->tenants != y->tenants)
        return x->tenants > y->tenants ? -1 : 1;
    return cmp_tr_str(&x->value, &y->value);
}

tr_err cm_rollup(tr_campaigns *c)
{
    tr_err err = TR_OK;
    size_t n = c->dets.n;
    uint32_t nv = c->values.n;
    rollup r = { .c = c };
    tr_buf_init(&r.line, 1 << 16);
    r.val_mark = tr_calloc(nv ? nv : 1, sizeof(*r.val_mark));
    r.val_slot = tr_calloc(nv ? nv : 1, sizeof(*r.val_slot));
    r.val_tenant = tr_calloc(nv ? nv : 1, sizeof(*r.val_tenant));
    r.ten_mark = tr_calloc(c->strs.n ? c->strs.n : 1, sizeof(*r.ten_mark));
    uint32_t *in_campaign = tr_calloc(n ? n : 1, sizeof(*in_campaign));
    uint8_t *comp_seeded = tr_calloc(n ? n : 1, 1);
    uint32_t *order = tr_malloc((n ? n : 1) * sizeof(*order));
    if (!r.val_mark || !r.val_slot || !r.val_tenant || !r.ten_mark || !in_campaign || !order || !comp_seeded) {
        err = TR_ENOMEM;
        goto out;
    }
    /* actors, in order of their string id (sorted at the end) */
    uint32_t *actors = tr_calloc(c->strs.n ? c->strs.n : 1, sizeof(*actors));
    if (!actors) {
        err = TR_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (c->actor[i])
            actors[c->actor[i]]++;
    for (uint32_t a = 1; a < c->strs.n && !err; a++) {
        if (!actors[a])
            continue;
        r.list.n = 0;
        for (size_t i = 0; i < n; i++)
            if (c->actor[i] == a && !TR_VEC_PUSH(&r.list, (uint32_t)i))
                err = TR_ENOMEM;
        if (!err)
            err = build_split(&r, a, c->params.actor_gap, 1, in_campaign);
    }
    tr_free(actors);
    if (err)
        goto out;
    /* unattributed components: detections of a component are listed
     * together by sorting on (component, index) */
    uint32_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (c->dets.v[i].seed)
            comp_seeded[c->comp[i]] = 1;
    for (size_t i = 0; i < n; i++)
        if (!c->actor[i] && !comp_seeded[c->comp[i]])
            order[m++] = (uint32_t)i;
    /* counting sort by component (component ids are detection indices) */
    {
        uint32_t *cnt = tr_calloc(n + 1, sizeof(*cnt));
        uint32_t *tmp = tr_malloc((m ? m : 1) * sizeof(*tmp));
        if (!cnt || !tmp) {
            tr_free(cnt);
            tr_free(tmp);
            err = TR_ENOMEM;
            goto out;
        }
        for (uint32_t i = 0; i < m; i++)
            cnt[c->comp[order[i]] + 1]++;
        for (size_t i = 0; i < n; i++)
            cnt[i + 1] += cnt[i];
        for (uint32_t i = 0; i < m; i++)
            tmp[cnt[c->comp[order[i]]]++] = order[i];
        if (m)
            memcpy(order, tmp, m * sizeof(*tmp));
        tr_free(cnt);
        tr_free(tmp);
    }
    for (uint32_t i = 0; i < m && !err;) {
        uint32_t j = i + 1;
        while (j < m && c->comp[order[j]] == c->comp[order[i]])
            j++;
        /* (components with seeds but no single actor are reported as conflicts) */
        r.list.n = 0;
        for (uint32_t k = i; k < j; k++)
            if (!TR_VEC_PUSH(&r.list, order[k]))
                err = TR_ENOMEM;
        if (!err)
            err = build_split(&r, 0, c->params.cluster_gap, c->params.cluster_min_tenants,
                              in_campaign);
        i = j;
    }
    if (err)
        goto out;
    if (c->res.campaigns.n)
        qsort(c->res.campaigns.v, c->res.campaigns.n, sizeof(*c->res.campaigns.v), by_campaign);
    /* background and benign values */
    uint32_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_campaign[i])
            continue;
        c->summary.background++;
        if (c->dets.v[i].tenant != prev) {
            prev = c->dets.v[i].tenant;
            c->summary.background_tenants++; /* tenant-major: counts each tenant once */
        }
    }
    for (uint32_t v = 1; v < nv; v++) {
        const cm_value *cv = &c->vals[v];
        if (!cv->benign)
            continue;
        tr_cmp_benign b = { .value = value_text(c, v),
                            .type = tr_str_c(value_type(cm_str(&c->values, v).p[0])),
                            .tenants = cv->tenants,
                            .detections = cv->dets,
                            .max_stage = (tr_stage)cv->max_stage,
                            .first_seen = cv->first,
                            .last_seen = cv->last };
        if (!TR_VEC_PUSH(&c->res.benign, b)) {
            err = TR_ENOMEM;
            goto out;
        }
    }
    if (c->res.benign.n)
        qsort(c->res.benign.v, c->res.benign.n, sizeof(*c->res.benign.v), by_benign);
    c->summary.benign = c->res.benign.v;
    c->summary.nbenign = (uint32_t)c->res.benign.n;
    c->summary.conflicts = c->res.conflicts.v;
    c->summary.nconflicts = (uint32_t)c->res.conflicts.n;
out:
    tr_free(r.val_mark);
    tr_free(r.val_slot);
    tr_free(r.val_tenant);
    tr_free(r.ten_mark);
    tr_free(in_campaign);
    tr_free(comp_seeded);
    tr_free(order);
    TR_VEC_FREE(&r.list);
    TR_VEC_FREE(&r.tmp);
    TR_VEC_FREE(&r.infra);
    TR_VEC_FREE(&r.infra_vid);
    TR_VEC_FREE(&r.ev);
    TR_VEC_FREE(&r.tenants);
    TR_VEC_FREE(&r.cves);
    TR_VEC_FREE(&r.cve_ids);
    TR_VEC_FREE(&r.tcve);
    TR_VEC_FREE(&r.tcve_st);
    TR_VEC_FREE(&r.explain);
    tr_buf_release(&r.line);
    return err;
}
