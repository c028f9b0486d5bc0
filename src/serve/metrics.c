/*
 * metrics.c - the server's counters in the Prometheus text exposition
 * format: requests by route and status, a latency histogram per route,
 * the store's detections and tenants, view rebuilds and ingest.
 *
 * Counters are relaxed atomics in fixed arrays indexed by route and status
 * slot: recording a request takes no lock and allocates nothing.
 */
#include "core/common.h"

#include <stdatomic.h>
#include <unistd.h>

#include "serve/serve_int.h"

static const unsigned status_codes[] = { 200, 304, 400, 401, 403, 404, 405, 408, 413, 414,
                                         415, 421, 429, 431, 500, 503 };
#define NSTATUS (TR_ARRAY_LEN(status_codes) + 1) /* + "other" */

/* Upper bounds of the latency buckets, seconds. */
static const double buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                  0.1,    0.25,  0.5,    1,     2.5,  5,     10 };
#define NBUCKETS TR_ARRAY_LEN(buckets)

static const char *const route_names[SERVE_ROUTE_COUNT] = {
#define X(id, name) name,
    SERVE_ROUTES(X)
#undef X
};

struct serve_metrics {
    atomic_uint_fast64_t requests[SERVE_ROUTE_COUNT][NSTATUS];
    atomic_uint_fast64_t hist[SERVE_ROUTE_COUNT][NBUCKETS + 1]; /* last: +Inf only */
    atomic_uint_fast64_t sum_us[SERVE_ROUTE_COUNT];
    atomic_uint_fast64_t ingest[SERVE_INGEST_COUNT];
    atomic_uint_fast64_t views_built, view_errors, view_build_us;
};

const char *serve_route_name(serve_route r)
{
    return r < SERVE_ROUTE_COUNT ? route_names[r] : "unknown";
}

serve_metrics *serve_metrics_new(void)
{
    serve_metrics *m = tr_calloc(1, sizeof(*m));
    return m;
}

void serve_metrics_free(serve_metrics *m)
{
    tr_free(m);
}

void serve_metrics_request(serve_metrics *m, serve_route r, unsigned status, double seconds)
{
    if (r >= SERVE_ROUTE_COUNT)
        r = SERVE_ROUTE_UNKNOWN;
    size_t s = NSTATUS - 1;
    for (size_t i = 0; i < TR_ARRAY_LEN(status_codes); i++)
        if (status_codes[i] == status) {
            s = i;
            break;
        }
    atomic_fetch_add_explicit(&m->requests[r][s], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKETS && seconds > buckets[b])
        b++;
    atomic_fetch_add_explicit(&m->hist[r][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us[r], (uint64_t)(seconds * 1e6 + 0.5),
                              memory_order_relaxed);
}

void serve_metrics_ingest(serve_metrics *m, serve_ingest_counter c, uint64_t n)
{
    atomic_fetch_add_explicit(&m->ingest[c], n, memory_order_relaxed);
}

void serve_metrics_view(serve_metrics *m, bool ok, double seconds)
{
    atomic_fetch_add_explicit(ok ? &m->views_built : &m->view_errors, 1, memory_order_relaxed);
    if (ok)
        atomic_store_explicit(&m->view_build_us, (uint64_t)(seconds * 1e6),
                              memory_order_relaxed);
}

static uint64_t get(atomic_uint_fast64_t *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

static uint64_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return 0;
    unsigned long long size = 0, res = 0;
    int k = fscanf(f, "%llu %llu", &size, &res);
    fclose(f);
    return k == 2 ? res * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

static const char *const ingest_names[SERVE_INGEST_COUNT][2] = {
    { "trawl_ingest_requests_total", "ingest requests accepted and hunted" },
    { "trawl_ingest_failed_total", "ingest requests refused or failed" },
    { "trawl_ingest_bytes_total", "bytes of log records received" },
    { "trawl_ingest_events_total", "events parsed from posted records" },
    { "trawl_ingest_rejected_records_total", "posted records that could not be parsed" },
    { "trawl_ingest_detections_total", "detections found in posted records" },
};

tr_err serve_metrics_render(serve_metrics *m, const serve_view *v, tr_buf *out)
{
    tr_err err = TR_OK;
#define P(...)                                                                                     \
    do {                                                                                           \
        if ((err = tr_buf_printf(out, __VA_ARGS__)) != TR_OK)                                      \
            return err;                                                                            \
    } while (0)
    P("# HELP trawl_build_info trawl's version.\n# TYPE trawl_build_info gauge\n"
      "trawl_build_info{version=\"%s\"} 1\n",
      tr_version());
    P("# HELP trawl_http_requests_total HTTP requests answered, by route and status.\n"
      "# TYPE trawl_http_requests_total counter\n");
    for (size_t r = 0; r < SERVE_ROUTE_COUNT; r++)
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t n = get(&m->requests[r][s]);
            if (!n)
                continue;
            if (s < NSTATUS - 1)
                P("trawl_http_requests_total{route=\"%s\",code=\"%u\"} %" PRIu64 "\n",
                  route_names[r], status_codes[s], n);
            else
                P("trawl_http_requests_total{route=\"%s\",code=\"other\"} %" PRIu64 "\n",
                  route_names[r], n);
        }
    P("# HELP trawl_http_request_duration_seconds Time from the request's headers to the end "
      "of its response.\n# TYPE trawl_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r < SERVE_ROUTE_COUNT; r++) {
        uint64_t cum = 0;
        uint64_t counts[NBUCKETS + 1];
        for (size_t b = 0; b <= NBUCKETS; b++)
            cum += counts[b] = get(&m->hist[r][b]);
        if (!cum)
            continue;
        uint64_t run = 0;
        for (size_t b = 0; b < NBUCKETS; b++) {
            run += counts[b];
            P("trawl_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %" PRIu64 "\n",
              route_names[r], buckets[b], run);
        }
        P("trawl_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
          route_names[r], cum);
        P("trawl_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", route_names[r],
          (double)get(&m->sum_us[r]) / 1e6);
        P("trawl_http_request_duration_seconds_count{route=\"%s\"} %" PRIu64 "\n",
          route_names[r], cum);
    }
    if (v) {
        P("# HELP trawl_detections Detections in the store, by kind.\n"
          "# TYPE trawl_detections gauge\n");
        static const char *const kinds[3] = { "sigma", "ioc", "correlation" };
        for (size_t k = 0; k < 3; k++)
            P("trawl_detections{kind=\"%s\"} %" PRIu64 "\n", kinds[k], v->by_kind[k]);
        P("# HELP trawl_tenants Tenants known to the store (fleet and detections).\n"
          "# TYPE trawl_tenants gauge\ntrawl_tenants %zu\n",
          v->ntenants);
        P("# HELP trawl_tenants_with_detections Tenants with at least one detection.\n"
          "# TYPE trawl_tenants_with_detections gauge\ntrawl_tenants_with_detections %zu\n",
          v->tenants_active);
        P("# HELP trawl_campaigns Campaigns and clusters in the current view.\n"
          "# TYPE trawl_campaigns gauge\ntrawl_campaigns %zu\n",
          serve_view_campaign_count(v));
        P("# HELP trawl_view_age_seconds Seconds since the view of the store was built.\n"
          "# TYPE trawl_view_age_seconds gauge\ntrawl_view_age_seconds %.3f\n",
          serve_now() - v->built_at);
    }
    P("# HELP trawl_view_builds_total Views of the store built (the store changed).\n"
      "# TYPE trawl_view_builds_total counter\ntrawl_view_builds_total %" PRIu64 "\n",
      get(&m->views_built));
    P("# HELP trawl_view_build_errors_total Failed view builds (the previous view is kept).\n"
      "# TYPE trawl_view_build_errors_total counter\ntrawl_view_build_errors_total %" PRIu64
      "\n",
      get(&m->view_errors));
    P("# HELP trawl_view_build_seconds Time the last view build took.\n"
      "# TYPE trawl_view_build_seconds gauge\ntrawl_view_build_seconds %.6f\n",
      (double)get(&m->view_build_us) / 1e6);
    for (size_t i = 0; i < SERVE_INGEST_COUNT; i++)
        P("# HELP %s %s.\n# TYPE %s counter\n%s %" PRIu64 "\n", ingest_names[i][0],
          ingest_names[i][1], ingest_names[i][0], ingest_names[i][0], get(&m->ingest[i]));
    P("# HELP process_resident_memory_bytes Resident memory of the server.\n"
      "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes %" PRIu64 "\n",
      rss_bytes());
#undef P
    return err;
}
