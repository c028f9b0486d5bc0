/*
 * view.c - the server's in-memory view of a store: every tenant with its
 * counts and daily timeline, the totals, and the campaigns, built in one
 * pass over the detections whenever the store changes.
 *
 * Why a view: the list pages (tenants, campaigns) aggregate every
 * detection; doing that per request would cost a full scan each time. A
 * view is immutable once built and reference-counted, so a request keeps
 * the one it started with while the refresher swaps in the next.
 */
#include "core/common.h"

#include <time.h>

#include "core/time.h"
#include "serve/serve_int.h"
#include "trawl/log.h"

#define DAY_NS (86400 * TR_NS_PER_SEC)
#define VIEW_PAGE 65536

double serve_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * TR_NS_PER_SEC + ts.tv_nsec;
}

static int64_t day_of(int64_t ts)
{
    int64_t d = ts / DAY_NS;
    if (ts % DAY_NS < 0)
        d--;
    return d * DAY_NS;
}

typedef struct build_ctx {
    serve_view *v;
    TR_VEC(serve_tenant) tenants;
    tr_err err;
} build_ctx;

static tr_str keep(serve_view *v, tr_str s)
{
    if (s.n == 0)
        return (tr_str){ "", 0 };
    return tr_arena_strdup(v->arena, s.p, s.n);
}

/* The tenant entry for id, created (outside the fleet) when new. */
static serve_tenant *tenant_for(build_ctx *b, tr_str id, bool in_fleet)
{
    uint64_t idx;
    if (tr_map_get(b->v->tenant_index, id, &idx))
        return &b->tenants.v[idx];
    serve_tenant t = { 0 };
    t.id = keep(b->v, id);
    if (id.n && !t.id.p)
        return NULL;
    t.in_fleet = in_fleet;
    t.first = t.last = TR_TS_NONE;
    t.max_level = -1;
    if (!TR_VEC_PUSH(&b->tenants, t))
        return NULL;
    if (tr_map_put(b->v->tenant_index, t.id, b->tenants.n - 1) != TR_OK) {
        b->tenants.n--;
        return NULL;
    }
    return &b->tenants.v[b->tenants.n - 1];
}

static tr_err add_detection(void *ctx, const tr_detection *d)
{
    build_ctx *b = ctx;
    serve_view *v = b->v;
    serve_tenant *t = tenant_for(b, d->tenant, false);
    if (!t)
        return TR_ENOMEM;
    unsigned kind = d->kind <= TR_DET_CORRELATION ? (unsigned)d->kind : 0;
    v->detections++;
    v->by_kind[kind]++;
    if (t->detections++ == 0)
        v->tenants_active++;
    t->by_kind[kind]++;
    int level = tr_level_rank(d->level);
    t->by_level[level >= 0 ? level : SERVE_LEVELS - 1]++;
    if (level > t->max_level)
        t->max_level = level;
    if (d->ts == TR_TS_NONE) {
        t->undated++;
    } else {
        /* Detections come in time order, so each tenant's days are appended. */
        if (t->first == TR_TS_NONE)
            t->first = d->ts;
        t->last = d->ts;
        int64_t day = day_of(d->ts);
        if (t->days.n == 0 || t->days.v[t->days.n - 1].day != day) {
            serve_day nd = { .day = day };
            if (!TR_VEC_PUSH(&t->days, nd))
                return TR_ENOMEM;
        }
        t->days.v[t->days.n - 1].by_kind[kind]++;
    }
    if (v->campaigns)
        return serve_campaigns_add(v->campaigns, d);
    return TR_OK;
}

static int tenant_cmp(const void *a, const void *b)
{
    const serve_tenant *x = a, *y = b;
    size_t n = TR_MIN(x->id.n, y->id.n);
    int c = n ? memcmp(x->id.p, y->id.p, n) : 0;
    return c ? c : (x->id.n > y->id.n) - (x->id.n < y->id.n);
}

static const char *const level_names[SERVE_LEVELS] = { "informational", "low", "medium",
                                                        "high", "critical", "other" };

static void put_opt_str(tr_jw *w, const char *key, tr_str s)
{
    tr_jw_key(w, key);
    if (s.n)
        tr_jw_strn(w, s.p, s.n);
    else
        tr_jw_null(w);
}

void serve_tenant_json(const serve_view *v, const serve_tenant *t, bool with_timeline, tr_jw *w)
{
    tr_jw_obj(w);
    tr_jw_key(w, "id");
    tr_jw_strn(w, t->id.p, t->id.n);
    put_opt_str(w, "name", t->name);
    put_opt_str(w, "country", t->country);
    put_opt_str(w, "sector", t->sector);
    tr_jw_key(w, "in_fleet");
    tr_jw_bool(w, t->in_fleet);
    tr_jw_key(w, "detections");
    tr_jw_uint(w, t->detections);
    tr_jw_key(w, "by_kind");
    tr_jw_obj(w);
    for (int k = TR_DET_SIGMA; k <= TR_DET_CORRELATION; k++) {
        tr_jw_key(w, tr_det_kind_name((tr_det_kind)k));
        tr_jw_uint(w, t->by_kind[k]);
    }
    tr_jw_end(w);
    tr_jw_key(w, "by_level");
    tr_jw_obj(w);
    for (int l = 0; l < SERVE_LEVELS; l++) {
        tr_jw_key(w, level_names[l]);
        tr_jw_uint(w, t->by_level[l]);
    }
    tr_jw_end(w);
    tr_jw_key(w, "max_level");
    if (t->max_level >= 0)
        tr_jw_str(w, level_names[t->max_level]);
    else
        tr_jw_null(w);
    tr_jw_key(w, "first_seen");
    tr_jw_time(w, t->first);
    tr_jw_key(w, "last_seen");
    tr_jw_time(w, t->last);
    tr_jw_key(w, "undated");
    tr_jw_uint(w, t->undated);
    tr_jw_key(w, "stage");
    if (t->stage > 0 && v->campaigns)
        tr_jw_str(w, t->stage == 1 ? "targeted" : t->stage == 2 ? "exploited" : "compromised");
    else
        tr_jw_null(w);
    if (with_timeline) {
        tr_jw_key(w, "timeline");
        tr_jw_arr(w);
        for (size_t i = 0; i < t->days.n; i++) {
            const serve_day *d = &t->days.v[i];
            char day[40];
            tr_time_format(d->day, day, sizeof(day));
            tr_jw_obj(w);
            tr_jw_key(w, "day");
            tr_jw_strn(w, day, 10);
            for (int k = TR_DET_SIGMA; k <= TR_DET_CORRELATION; k++) {
                tr_jw_key(w, tr_det_kind_name((tr_det_kind)k));
                tr_jw_uint(w, d->by_kind[k]);
            }
            tr_jw_end(w);
        }
        tr_jw_end(w);
        tr_jw_key(w, "campaigns");
        if (v->campaigns)
            serve_campaigns_of_tenant(v->campaigns, t->id, w);
        else
            tr_jw_null(w);
    }
    tr_jw_end(w);
}

static tr_err render_tenants(serve_view *v)
{
    tr_buf_init(&v->tenants_json, 0);
    tr_jw w;
    tr_jw_init(&w, &v->tenants_json);
    tr_jw_obj(&w);
    tr_jw_key(&w, "tenants");
    tr_jw_arr(&w);
    for (size_t i = 0; i < v->ntenants; i++)
        serve_tenant_json(v, &v->tenants[i], false, &w);
    tr_jw_end(&w);
    tr_jw_key(&w, "total");
    tr_jw_uint(&w, v->ntenants);
    tr_jw_key(&w, "with_detections");
    tr_jw_uint(&w, v->tenants_active);
    tr_jw_key(&w, "detections");
    tr_jw_uint(&w, v->detections);
    tr_jw_end(&w);
    if (!w.err)
        w.err = tr_buf_putc(&v->tenants_json, '\n');
    return w.err;
}

tr_err serve_view_build(tr_store *st, const serve_view_cfg *cfg, serve_view **out, char *err,
                        size_t errlen)
{
    *out = NULL;
    double t0 = serve_now();
    serve_view *v = tr_calloc(1, sizeof(*v));
    build_ctx b = { .v = v };
    tr_err e = TR_ENOMEM;
    if (!v)
        goto fail;
    atomic_init(&v->refs, 1);
    v->arena = tr_arena_new(0, 0);
    v->tenant_index = tr_map_new(256, 0);
    if (!v->arena || !v->tenant_index)
        goto fail;
    if ((e = tr_store_data_mark(st, &v->mark)) != TR_OK ||
        (e = tr_store_get_fleet(st, &v->fleet)) != TR_OK) {
        snprintf(err, errlen, "%s", tr_store_errmsg(st));
        goto fail;
    }
    /* The fleet file given to the server overrides and extends the store's. */
    if (cfg && cfg->extra_fleet) {
        tr_fleet *merged = tr_fleet_new();
        e = merged ? TR_OK : TR_ENOMEM;
        const tr_fleet *sources[2] = { cfg->extra_fleet, v->fleet };
        for (size_t s = 0; s < 2 && !e; s++)
            for (size_t i = 0; i < tr_fleet_count(sources[s]) && !e; i++) {
                const tr_tenant *t = tr_fleet_at(sources[s], i);
                char *f[4] = { tr_strndup(t->id.p, t->id.n), tr_strndup(t->name.p, t->name.n),
                               tr_strndup(t->country.p, t->country.n),
                               tr_strndup(t->sector.p, t->sector.n) };
                e = f[0] && f[1] && f[2] && f[3] ? tr_fleet_add(merged, f[0], f[1], f[2], f[3])
                                                 : TR_ENOMEM;
                if (e == TR_EEXIST)
                    e = TR_OK;
                for (size_t k = 0; k < 4; k++)
                    tr_free(f[k]);
            }
        tr_fleet_free(v->fleet);
        v->fleet = merged;
        if (e) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
    }
    for (size_t i = 0; i < tr_fleet_count(v->fleet); i++) {
        const tr_tenant *ft = tr_fleet_at(v->fleet, i);
        serve_tenant *t = tenant_for(&b, ft->id, true);
        if (!t) {
            e = TR_ENOMEM;
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        t->name = keep(v, ft->name);
        t->country = keep(v, ft->country);
        t->sector = keep(v, ft->sector);
    }
    if ((e = serve_campaigns_new(v->fleet, cfg ? cfg->policy : NULL, &v->campaigns, err,
                                 errlen)) != TR_OK)
        goto fail;
    tr_store_cursor cur = { 0 };
    for (;;) {
        size_t got;
        e = tr_store_query(st, NULL, &cur, VIEW_PAGE, add_detection, &b, &got);
        if (e) {
            snprintf(err, errlen, "%s", e == TR_ENOMEM ? "out of memory" : tr_store_errmsg(st));
            goto fail;
        }
        if (got < VIEW_PAGE)
            break;
    }
    v->tenants = b.tenants.v;
    v->ntenants = b.tenants.n;
    b.tenants.v = NULL;
    qsort(v->tenants, v->ntenants, sizeof(*v->tenants), tenant_cmp);
    for (size_t i = 0; i < v->ntenants; i++)
        if ((e = tr_map_put(v->tenant_index, v->tenants[i].id, i)) != TR_OK)
            goto fail;
    if ((e = serve_campaigns_finish(v->campaigns, v)) != TR_OK) {
        snprintf(err, errlen, "campaigns: %s", tr_strerror(e));
        goto fail;
    }
    if ((e = render_tenants(v)) != TR_OK) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    v->built_at = serve_now();
    v->built_wall = wall_ns();
    v->build_seconds = v->built_at - t0;
    *out = v;
    return TR_OK;
fail:
    if (v && !v->tenants) {
        v->tenants = b.tenants.v;
        v->ntenants = b.tenants.n;
    }
    serve_view_unref(v);
    return e;
}

void serve_view_ref(serve_view *v)
{
    atomic_fetch_add(&v->refs, 1);
}

void serve_view_unref(serve_view *v)
{
    if (!v || atomic_fetch_sub(&v->refs, 1) != 1)
        return;
    for (size_t i = 0; i < v->ntenants; i++)
        TR_VEC_FREE(&v->tenants[i].days);
    tr_free(v->tenants);
    tr_map_free(v->tenant_index);
    tr_arena_free(v->arena);
    tr_fleet_free(v->fleet);
    tr_buf_release(&v->tenants_json);
    serve_campaigns_free(v->campaigns);
    tr_free(v);
}

const serve_tenant *serve_view_tenant(const serve_view *v, tr_str id)
{
    uint64_t idx;
    if (!tr_map_get(v->tenant_index, id, &idx) || idx >= v->ntenants)
        return NULL;
    return &v->tenants[idx];
}

size_t serve_view_campaign_count(const serve_view *v)
{
    return v->campaigns ? serve_campaigns_count(v->campaigns) : 0;
}
