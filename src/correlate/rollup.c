/*
 * rollup.c - from attributed detections to campaigns: one campaign per actor
 * (split only by the actor gap when the policy sets one) and one cluster per
 * unattributed component (split by silent gaps), each with its tenants and
 * their stages and evidence, per-CVE counts, countries and sectors,
 * infrastructure, a daily timeline, phases and the sentences that explain
 * how it was put together (docs/CAMPAIGNS.md "Roll-up").
 */
#include "core/common.h"

#include "correlate/rollup.h"

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
    TR_TRY(cm_timeline(r, &cp));
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
        TR_TRY(cm_explain_actor(r, &cp, inferred));
    else
        TR_TRY(cm_explain_cluster(r, &cp, seed_value, split_from, split_gap));
    TR_TRY(cm_explain_common(r, &cp));
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
