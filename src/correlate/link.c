/*
 * link.c - from detections to linked, attributed groups (docs/CAMPAIGNS.md
 * "Attribution and linking"):
 *
 *  1. a canonical order (tenant, time, path, record, rule, indicator) so
 *     that results never depend on the order detections arrived in;
 *  2. per value: tenants, detections, highest stage; values at many tenants
 *     that never led to a compromise are benign and link nothing;
 *  3. edges: the same source record; the same value (consecutive sightings
 *     closer than the link window); a host-side detection that names no
 *     infrastructure attaches to one neighbour: the exploitation of the same
 *     CVE it follows (execution after exploitation) or, failing that, the
 *     nearest detection on the same host. Weak edges only ever attach such
 *     detections, so they can never merge two groups of infrastructure;
 *  4. an attempt without a CVE tag takes the CVE of its session (the nearest
 *     tagged detection at the tenant sharing its remote value);
 *  5. connected components; their seeds (group tags, attributed indicators)
 *     name the actor; two actors in one component is a conflict, reported,
 *     and only the detections that name an actor themselves keep it;
 *  6. a breadth-first walk from the seeds records, for every detection, the
 *     link it joined through: the explanation of the reports.
 */
#include "core/common.h"

#include "correlate/cmp.h"

#define SCAN_CAP 4096 /* neighbours looked at per detection in a time window */

typedef struct sort_key {
    uint32_t tenant, path, r1, r2, r3, r4;
    int64_t ts;
    uint64_t record;
    uint32_t idx;
} sort_key;

static int by_key(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    if (x->tenant != y->tenant)
        return x->tenant < y->tenant ? -1 : 1;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    if (x->path != y->path)
        return x->path < y->path ? -1 : 1;
    if (x->record != y->record)
        return x->record < y->record ? -1 : 1;
    if (x->r1 != y->r1)
        return x->r1 < y->r1 ? -1 : 1;
    if (x->r2 != y->r2)
        return x->r2 < y->r2 ? -1 : 1;
    if (x->r3 != y->r3)
        return x->r3 < y->r3 ? -1 : 1;
    if (x->r4 != y->r4)
        return x->r4 < y->r4 ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Reorders c->dets canonically. */
static tr_err canonical_order(tr_campaigns *c)
{
    size_t n = c->dets.n;
    uint32_t *rank = NULL;
    tr_err err = cm_intern_ranks(&c->strs, &rank);
    if (err)
        return err;
    sort_key *k = tr_malloc((n ? n : 1) * sizeof(*k));
    cm_det *sorted = tr_malloc((n ? n : 1) * sizeof(*sorted));
    if (!k || !sorted) {
        tr_free(rank);
        tr_free(k);
        tr_free(sorted);
        return TR_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        const cm_det *d = &c->dets.v[i];
        const cm_rule *r = &c->rules.v[d->rule];
        const cm_indicator *ind = &c->indicators.v[d->ind];
        k[i] = (sort_key){
            .tenant = rank[d->tenant],
            .path = rank[d->path],
            .r1 = (uint32_t)r->kind << 28 | (rank[r->rule_id] & 0x0fffffff),
            .r2 = rank[r->title],
            .r3 = rank[ind->value],
            .r4 = rank[d->field],
            .ts = d->ts,
            .record = d->record,
            .idx = (uint32_t)i,
        };
        if (rank[r->rule_id] > 0x0fffffff) /* more strings than fit: order by rank alone */
            k[i].r1 = rank[r->rule_id];
    }
    qsort(k, n, sizeof(*k), by_key);
    for (size_t i = 0; i < n; i++)
        sorted[i] = c->dets.v[k[i].idx];
    if (n)
        memcpy(c->dets.v, sorted, n * sizeof(*sorted));
    tr_free(sorted);
    tr_free(k);
    tr_free(rank);
    return TR_OK;
}

static bool same_record(const cm_det *a, const cm_det *b)
{
    return a->tenant == b->tenant && a->path == b->path && a->record == b->record &&
           a->ts == b->ts;
}

static tr_err add_edge(tr_campaigns *c, uint32_t a, uint32_t b, uint8_t why, uint32_t value)
{
    cm_edge e = { a, b, value, why };
    return TR_VEC_PUSH(&c->edges, e) ? TR_OK : TR_ENOMEM;
}

/* ---- values ---- */

static tr_err value_stats(tr_campaigns *c, uint32_t *ntenants)
{
    uint32_t nv = c->values.n;
    c->vals = tr_calloc(nv ? nv : 1, sizeof(*c->vals));
    uint32_t *last_tenant = tr_calloc(nv ? nv : 1, sizeof(*last_tenant));
    if (!c->vals || !last_tenant) {
        tr_free(last_tenant);
        return TR_ENOMEM;
    }
    uint32_t tenants = 0, prev = 0;
    for (size_t i = 0; i < c->dets.n; i++) {
        const cm_det *d = &c->dets.v[i];
        if (d->tenant != prev) {
            tenants++;
            prev = d->tenant;
        }
        for (uint32_t k = 0; k < d->nent; k++) {
            uint32_t v = c->ents.v[d->ent_off + k];
            cm_value *cv = &c->vals[v];
            if (last_tenant[v] != d->tenant) {
                last_tenant[v] = d->tenant;
                cv->tenants++;
            }
            if (!cv->dets++) {
                cv->first = cv->last = d->ts;
            } else if (d->ts != TR_TS_NONE) {
                if (cv->first == TR_TS_NONE || d->ts < cv->first)
                    cv->first = d->ts;
                if (d->ts > cv->last)
                    cv->last = d->ts;
            }
            if (d->stage > cv->max_stage)
                cv->max_stage = d->stage;
        }
    }
    tr_free(last_tenant);
    double share = c->params.benign_share * tenants;
    uint32_t need = TR_MAX(c->params.benign_min_tenants, (uint32_t)share);
    if ((double)need < share)
        need++;
    if (need == 0)
        need = 1;
    for (uint32_t v = 1; v < nv; v++)
        c->vals[v].benign = c->vals[v].dets && c->vals[v].tenants >= need &&
                            c->vals[v].max_stage < TR_STAGE_COMPROMISED &&
                            c->params.benign_share > 0;
    *ntenants = tenants;
    return TR_OK;
}

static bool linkable(const tr_campaigns *c, const cm_det *d)
{
    for (uint32_t k = 0; k < d->nent; k++)
        if (!c->vals[c->ents.v[d->ent_off + k]].benign)
            return true;
    return false;
}

static bool share_value(const tr_campaigns *c, const cm_det *a, const cm_det *b)
{
    for (uint32_t i = 0; i < a->nent; i++)
        for (uint32_t j = 0; j < b->nent; j++)
            if (c->ents.v[a->ent_off + i] == c->ents.v[b->ent_off + j])
                return true;
    return false;
}

static bool share_cve(const tr_campaigns *c, uint32_t s1, uint32_t s2, uint32_t *which)
{
    uint32_t n1, n2;
    const uint32_t *a = cm_cveset(c, s1, &n1), *b = cm_cveset(c, s2, &n2);
    for (uint32_t i = 0; i < n1; i++)
        for (uint32_t j = 0; j < n2; j++)
            if (a[i] == b[j]) {
                *which = a[i];
                return true;
            }
    return false;
}

/* ---- edges ---- */

static tr_err record_edges(tr_campaigns *c)
{
    cm_det *d = c->dets.v;
    size_t n = c->dets.n;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && same_record(&d[i], &d[j]))
            j++;
        bool infra = false;
        for (size_t k = i; k < j; k++)
            infra |= d[k].nent > 0;
        for (size_t k = i; k < j; k++) {
            if (infra)
                d[k].flags |= CM_INFRA;
            if (k > i) {
                tr_err err = add_edge(c, (uint32_t)(k - 1), (uint32_t)k, TR_WHY_SAME_RECORD, 0);
                if (err)
                    return err;
            }
        }
        i = j;
    }
    return TR_OK;
}

static int by_ts(const void *a, const void *b, void *ctx)
{
    const cm_det *d = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (d[x].ts != d[y].ts)
        return d[x].ts < d[y].ts ? -1 : 1;
    return x < y ? -1 : x > y;
}

static tr_err value_edges(tr_campaigns *c)
{
    uint32_t nv = c->values.n;
    uint32_t *off = tr_calloc((size_t)nv + 1, sizeof(*off));
    uint32_t *list = tr_malloc((c->ents.n ? c->ents.n : 1) * sizeof(*list));
    uint32_t *fill = tr_malloc(((size_t)nv + 1) * sizeof(*fill));
    tr_err err = TR_OK;
    if (!off || !list || !fill) {
        err = TR_ENOMEM;
        goto out;
    }
    const cm_det *d = c->dets.v;
    for (size_t i = 0; i < c->dets.n; i++)
        for (uint32_t k = 0; k < d[i].nent; k++)
            off[c->ents.v[d[i].ent_off + k] + 1]++;
    for (uint32_t v = 0; v < nv; v++)
        off[v + 1] += off[v];
    memcpy(fill, off, ((size_t)nv + 1) * sizeof(*fill));
    for (size_t i = 0; i < c->dets.n; i++)
        for (uint32_t k = 0; k < d[i].nent; k++)
            list[fill[c->ents.v[d[i].ent_off + k]]++] = (uint32_t)i;
    for (uint32_t v = 1; v < nv; v++) {
        uint32_t a = off[v], b = off[v + 1];
        if (b - a < 2 || c->vals[v].benign)
            continue;
        qsort_r(list + a, b - a, sizeof(*list), by_ts, (void *)d);
        for (uint32_t k = a + 1; k < b; k++) {
            const cm_det *p = &d[list[k - 1]], *q = &d[list[k]];
            if (cm_span(q->ts, p->ts) > c->params.link_window)
                continue;
            if (same_record(p, q))
                continue; /* already linked */
            TR_TRY(add_edge(c, list[k - 1], list[k], TR_WHY_SHARED_VALUE, v));
        }
    }
out:
    tr_free(off);
    tr_free(list);
    tr_free(fill);
    return err;
}

/* Tenant ranges of the canonical order. */
static tr_err tenant_ranges(const tr_campaigns *c, uint32_t **start, uint32_t **end)
{
    size_t n = c->dets.n;
    *start = tr_malloc((n ? n : 1) * sizeof(**start));
    *end = tr_malloc((n ? n : 1) * sizeof(**end));
    if (!*start || !*end)
        return TR_ENOMEM;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && c->dets.v[j].tenant == c->dets.v[i].tenant)
            j++;
        for (size_t k = i; k < j; k++) {
            (*start)[k] = (uint32_t)i;
            (*end)[k] = (uint32_t)j;
        }
        i = j;
    }
    return TR_OK;
}

/* Host-side detections without infrastructure attach to one neighbour. */
static tr_err weak_edges(tr_campaigns *c, const uint32_t *ts0, const uint32_t *ts1)
{
    const cm_det *d = c->dets.v;
    uint8_t *lk = tr_malloc(c->dets.n ? c->dets.n : 1);
    if (!lk)
        return TR_ENOMEM;
    for (size_t i = 0; i < c->dets.n; i++)
        lk[i] = linkable(c, &d[i]);
    tr_err err = TR_OK;
    for (size_t ii = 0; ii < c->dets.n; ii++) {
        uint32_t i = (uint32_t)ii;
        const cm_det *x = &d[i];
        if ((x->flags & CM_INFRA) || x->ts == TR_TS_NONE)
            continue;
        uint32_t best = UINT32_MAX, cve = 0;
        /* execution after exploitation: the nearest preceding (or same-instant)
         * exploitation of the same CVE at this tenant */
        if (x->stage >= TR_STAGE_EXPLOITED && x->cves) {
            for (uint32_t j = i + 1, steps = 0; j < ts1[i] && d[j].ts == x->ts && steps < SCAN_CAP;
                 j++, steps++)
                if (lk[j] && !same_record(x, &d[j]) && share_cve(c, x->cves, d[j].cves, &cve)) {
                    best = j;
                    break;
                }
            for (uint32_t j = i, steps = 0; best == UINT32_MAX && j-- > ts0[i] && steps < SCAN_CAP;
                 steps++) {
                if (cm_span(x->ts, d[j].ts) > c->params.exec_window)
                    break;
                if (lk[j] && !same_record(x, &d[j]) && share_cve(c, x->cves, d[j].cves, &cve))
                    best = j;
            }
            if (best != UINT32_MAX) {
                TR_TRY(add_edge(c, best, i, TR_WHY_EXEC_AFTER, cve));
                continue;
            }
        }
        if (!x->host)
            continue;
        int64_t bd = INT64_MAX;
        for (uint32_t j = i, steps = 0; j-- > ts0[i] && steps < SCAN_CAP; steps++) {
            int64_t dt = cm_span(x->ts, d[j].ts);
            if (dt > c->params.host_window)
                break;
            if (lk[j] && d[j].host == x->host && dt < bd) {
                bd = dt;
                best = j;
                break; /* scanning backwards: the first hit is the nearest */
            }
        }
        for (uint32_t j = i + 1, steps = 0; j < ts1[i] && steps < SCAN_CAP; j++, steps++) {
            int64_t dt = cm_span(d[j].ts, x->ts);
            if (dt > c->params.host_window || dt >= bd)
                break;
            if (lk[j] && d[j].host == x->host) {
                best = j;
                break;
            }
        }
        if (best != UINT32_MAX)
            TR_TRY(add_edge(c, best, i, TR_WHY_SAME_HOST, x->host));
    }
out:
    tr_free(lk);
    return err;
}

/* Attempts without a CVE tag take the CVE of their session. */
static void session_cves(tr_campaigns *c, const uint32_t *ts0, const uint32_t *ts1)
{
    const cm_det *d = c->dets.v;
    for (size_t ii = 0; ii < c->dets.n; ii++) {
        uint32_t i = (uint32_t)ii;
        const cm_det *x = &d[i];
        c->eff_cves[i] = x->cves;
        if (x->cves || x->stage >= TR_STAGE_COMPROMISED || !x->nent || x->ts == TR_TS_NONE)
            continue;
        uint32_t best = UINT32_MAX;
        for (uint32_t j = i, steps = 0; j-- > ts0[i] && steps < SCAN_CAP; steps++) {
            if (cm_span(x->ts, d[j].ts) > c->params.session_window)
                break;
            if (d[j].cves && d[j].ts != TR_TS_NONE && share_value(c, x, &d[j])) {
                best = j;
                break;
            }
        }
        for (uint32_t j = i + 1, steps = 0; best == UINT32_MAX && j < ts1[i] && steps < SCAN_CAP;
             j++, steps++) {
            if (cm_span(d[j].ts, x->ts) > c->params.session_window)
                break;
            if (d[j].cves && share_value(c, x, &d[j]))
                best = j;
        }
        if (best != UINT32_MAX)
            c->eff_cves[i] = d[best].cves;
    }
}

/* Edges and per-detection value lists in an order that depends only on the
 * data (value ids depend on arrival order): the walk below visits
 * neighbours in edge order, so this makes every explanation reproducible. */
typedef struct edge_key {
    uint32_t a, b, vrank;
    uint8_t why;
    uint32_t idx;
} edge_key;

static int by_edge(const void *x, const void *y)
{
    const edge_key *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    if (p->why != q->why)
        return p->why < q->why ? -1 : 1;
    if (p->vrank != q->vrank)
        return p->vrank < q->vrank ? -1 : 1;
    return p->idx < q->idx ? -1 : p->idx > q->idx;
}

static int by_rank(const void *x, const void *y, void *ctx)
{
    const uint32_t *rank = ctx;
    uint32_t a = rank[*(const uint32_t *)x], b = rank[*(const uint32_t *)y];
    return a < b ? -1 : a > b;
}

static tr_err canonical_values(tr_campaigns *c, uint32_t **vrank)
{
    tr_err err = cm_intern_ranks(&c->values, vrank);
    if (err)
        return err;
    for (size_t i = 0; i < c->dets.n; i++) {
        const cm_det *d = &c->dets.v[i];
        if (d->nent > 1)
            qsort_r(c->ents.v + d->ent_off, d->nent, sizeof(*c->ents.v), by_rank, *vrank);
    }
    return TR_OK;
}

static tr_err canonical_edges(tr_campaigns *c, const uint32_t *vrank)
{
    size_t ne = c->edges.n;
    edge_key *k = tr_malloc((ne ? ne : 1) * sizeof(*k));
    cm_edge *sorted = tr_malloc((ne ? ne : 1) * sizeof(*sorted));
    if (!k || !sorted) {
        tr_free(k);
        tr_free(sorted);
        return TR_ENOMEM;
    }
    for (size_t e = 0; e < ne; e++) {
        cm_edge *x = &c->edges.v[e];
        if (x->a > x->b) {
            uint32_t t = x->a;
            x->a = x->b;
            x->b = t;
        }
        k[e] = (edge_key){ x->a, x->b, x->why == TR_WHY_SHARED_VALUE ? vrank[x->value] : x->value,
                           x->why, (uint32_t)e };
    }
    qsort(k, ne, sizeof(*k), by_edge);
    for (size_t e = 0; e < ne; e++)
        sorted[e] = c->edges.v[k[e].idx];
    if (ne)
        memcpy(c->edges.v, sorted, ne * sizeof(*sorted));
    tr_free(k);
    tr_free(sorted);
    return TR_OK;
}

/* ---- components, attribution, explanation ---- */

typedef struct graph {
    uint32_t *off, *adj, *edge;
} graph;

static void graph_free(graph *g)
{
    tr_free(g->off);
    tr_free(g->adj);
    tr_free(g->edge);
}

static tr_err graph_build(const tr_campaigns *c, graph *g)
{
    size_t n = c->dets.n, ne = c->edges.n;
    g->off = tr_calloc(n + 1, sizeof(*g->off));
    g->adj = tr_malloc((2 * ne + 1) * sizeof(*g->adj));
    g->edge = tr_malloc((2 * ne + 1) * sizeof(*g->edge));
    uint32_t *fill = tr_malloc((n + 1) * sizeof(*fill));
    if (!g->off || !g->adj || !g->edge || !fill) {
        tr_free(fill);
        return TR_ENOMEM;
    }
    for (size_t e = 0; e < ne; e++) {
        g->off[c->edges.v[e].a + 1]++;
        g->off[c->edges.v[e].b + 1]++;
    }
    for (size_t i = 0; i < n; i++)
        g->off[i + 1] += g->off[i];
    memcpy(fill, g->off, (n + 1) * sizeof(*fill));
    for (size_t e = 0; e < ne; e++) {
        uint32_t a = c->edges.v[e].a, b = c->edges.v[e].b;
        g->adj[fill[a]] = b;
        g->edge[fill[a]++] = (uint32_t)e;
        g->adj[fill[b]] = a;
        g->edge[fill[b]++] = (uint32_t)e;
    }
    tr_free(fill);
    return TR_OK;
}

/* Breadth-first from the queued sources; via[] == UINT32_MAX marks unvisited. */
static void bfs(tr_campaigns *c, const graph *g, uint32_t *queue, size_t head, size_t tail,
                bool set_comp)
{
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t k = g->off[u]; k < g->off[u + 1]; k++) {
            uint32_t v = g->adj[k];
            if (c->via[v] != UINT32_MAX)
                continue;
            const cm_edge *e = &c->edges.v[g->edge[k]];
            c->via[v] = u;
            c->why[v] = e->why;
            c->via_value[v] = e->value;
            if (set_comp)
                c->comp[v] = c->comp[u];
            queue[tail++] = v;
        }
    }
}

static tr_err note_conflict(tr_campaigns *c, uint32_t comp, const uint32_t *first_actor,
                            const uint32_t *size)
{
    /* the actors of the component, in order of first appearance */
    tr_buf *b = &c->scratch;
    tr_buf_reset(b);
    uint32_t seen[8], nseen = 0, tenants = 0, prev_tenant = 0;
    for (size_t i = comp; i < c->dets.n; i++) {
        if (c->comp[i] != comp)
            continue;
        const cm_det *d = &c->dets.v[i];
        if (d->tenant != prev_tenant) {
            tenants++;
            prev_tenant = d->tenant;
        }
        if (!d->seed)
            continue;
        bool known = false;
        for (uint32_t k = 0; k < nseen; k++)
            known |= seen[k] == d->seed;
        if (!known && nseen < TR_ARRAY_LEN(seen))
            seen[nseen++] = d->seed;
    }
    for (uint32_t k = 0; k < nseen; k++) {
        if (k)
            tr_buf_append(b, k + 1 == nseen ? " and " : ", ", k + 1 == nseen ? 5 : 2);
        tr_buf_append_str(b, cm_str(&c->strs, seen[k]));
    }
    tr_buf_printf(b, " seeds in one linked group of %u detections at %u tenants; only detections "
                     "naming an actor themselves are attributed",
                  size[comp], tenants);
    TR_UNUSED(first_actor);
    char *text = tr_arena_alloc(c->out, b->n + 1);
    if (!text)
        return TR_ENOMEM;
    memcpy(text, b->p, b->n + 1);
    tr_cmp_conflict cf = { text, comp, size[comp] };
    return TR_VEC_PUSH(&c->res.conflicts, cf) ? TR_OK : TR_ENOMEM;
}

static tr_err attribute(tr_campaigns *c)
{
    size_t n = c->dets.n;
    graph g = { 0 };
    uint32_t *queue = tr_malloc((n ? n : 1) * sizeof(*queue));
    uint32_t *first_actor = tr_calloc(n ? n : 1, sizeof(*first_actor));
    uint32_t *size = tr_calloc(n ? n : 1, sizeof(*size));
    uint8_t *conflict = tr_calloc(n ? n : 1, 1);
    tr_err err = TR_OK;
    if (!queue || !first_actor || !size || !conflict) {
        err = TR_ENOMEM;
        goto out;
    }
    TR_TRY(graph_build(c, &g));
    /* components, numbered by their first detection */
    for (size_t i = 0; i < n; i++)
        c->via[i] = UINT32_MAX;
    for (size_t i = 0; i < n; i++) {
        if (c->via[i] != UINT32_MAX)
            continue;
        c->via[i] = (uint32_t)i;
        c->comp[i] = (uint32_t)i;
        c->why[i] = TR_WHY_ORIGIN;
        queue[0] = (uint32_t)i;
        bfs(c, &g, queue, 0, 1, true);
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t k = c->comp[i];
        size[k]++;
        uint32_t s = c->dets.v[i].seed;
        if (!s)
            continue;
        if (!first_actor[k])
            first_actor[k] = s;
        else if (first_actor[k] != s)
            conflict[k] = 1;
    }
    /* explanation walk from the seeds of every seeded component */
    size_t tail = 0;
    for (size_t i = 0; i < n; i++) {
        if (!first_actor[c->comp[i]])
            continue;
        if (c->dets.v[i].seed) {
            c->via[i] = UINT32_MAX - 1; /* a source: filled in below */
            queue[tail++] = (uint32_t)i;
        } else {
            c->via[i] = UINT32_MAX;
        }
    }
    for (size_t k = 0; k < tail; k++) {
        uint32_t i = queue[k];
        const cm_det *d = &c->dets.v[i];
        c->via[i] = i;
        c->why[i] = c->rules.v[d->rule].seed == d->seed ? TR_WHY_SEED_RULE
                                                         : TR_WHY_SEED_INDICATOR;
        c->via_value[i] = 0;
    }
    bfs(c, &g, queue, 0, tail, false);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = c->comp[i];
        c->actor[i] = conflict[k] ? c->dets.v[i].seed : first_actor[k];
    }
    for (size_t i = 0; i < n; i++)
        if (c->comp[i] == i && conflict[i])
            TR_TRY(note_conflict(c, (uint32_t)i, first_actor, size));
out:
    graph_free(&g);
    tr_free(queue);
    tr_free(first_actor);
    tr_free(size);
    tr_free(conflict);
    return err;
}

tr_err cm_link(tr_campaigns *c)
{
    tr_err err;
    size_t n = c->dets.n;
    uint32_t *ts0 = NULL, *ts1 = NULL, *vrank = NULL, tenants = 0;
    TR_TRY(canonical_order(c));
    TR_TRY(canonical_values(c, &vrank));
    c->actor = tr_calloc(n ? n : 1, sizeof(*c->actor));
    c->comp = tr_calloc(n ? n : 1, sizeof(*c->comp));
    c->via = tr_calloc(n ? n : 1, sizeof(*c->via));
    c->why = tr_calloc(n ? n : 1, sizeof(*c->why));
    c->via_value = tr_calloc(n ? n : 1, sizeof(*c->via_value));
    c->eff_cves = tr_calloc(n ? n : 1, sizeof(*c->eff_cves));
    if (!c->actor || !c->comp || !c->via || !c->why || !c->via_value || !c->eff_cves) {
        err = TR_ENOMEM;
        goto out;
    }
    TR_TRY(value_stats(c, &tenants));
    c->summary.detections = (uint32_t)n;
    c->summary.tenants = tenants;
    TR_TRY(tenant_ranges(c, &ts0, &ts1));
    TR_TRY(record_edges(c));
    TR_TRY(value_edges(c));
    TR_TRY(weak_edges(c, ts0, ts1));
    session_cves(c, ts0, ts1);
    TR_TRY(canonical_edges(c, vrank));
    TR_TRY(attribute(c));
out:
    tr_free(ts0);
    tr_free(ts1);
    tr_free(vrank);
    return err;
}
