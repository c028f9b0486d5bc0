/*
 * serve_int.h - what the files of the serve module share: routes, the
 * server object, the view of the store, requests and responses, limits,
 * metrics and the embedded dashboard.
 */
#ifndef TR_SRC_SERVE_SERVE_INT_H
#define TR_SRC_SERVE_SERVE_INT_H

#include "core/common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "core/buf.h"
#include "core/hash.h"
#include "core/jsonstr.h"
#include "core/vec.h"
#include "trawl/arena.h"
#include "trawl/fleet.h"
#include "trawl/serve.h"
#include "trawl/store.h"

struct MHD_Connection;
struct MHD_Daemon;

/* ---- routes (metrics label, dispatch) ---- */

#define SERVE_ROUTES(X)                                                                            \
    X(SERVE_ROUTE_STATIC, "static")                                                                \
    X(SERVE_ROUTE_HEALTH, "health")                                                                \
    X(SERVE_ROUTE_METRICS, "metrics")                                                              \
    X(SERVE_ROUTE_CAMPAIGNS, "campaigns")                                                          \
    X(SERVE_ROUTE_CAMPAIGN, "campaign")                                                            \
    X(SERVE_ROUTE_TENANTS, "tenants")                                                              \
    X(SERVE_ROUTE_TENANT, "tenant")                                                                \
    X(SERVE_ROUTE_DETECTIONS, "detections")                                                        \
    X(SERVE_ROUTE_DETECTION, "detection")                                                          \
    X(SERVE_ROUTE_INGEST, "ingest")                                                                \
    X(SERVE_ROUTE_UNKNOWN, "unknown")

typedef enum serve_route {
#define X(id, name) id,
    SERVE_ROUTES(X)
#undef X
        SERVE_ROUTE_COUNT
} serve_route;

const char *serve_route_name(serve_route r);

/* Seconds on the monotonic clock. */
double serve_now(void);

/* ---- listen address (listen.c) ---- */

typedef struct serve_addr {
    struct sockaddr_storage ss;
    socklen_t len;
    unsigned port;
    bool loopback;
    bool ipv6;
    char host[72]; /* as written in URLs: "127.0.0.1", "[::1]" */
} serve_addr;

tr_err serve_listen_parse(const char *spec, serve_addr *out, char *err, size_t errlen);

/* ---- who may ask (auth.c) ---- */

/* Constant-time (in the length of want) comparison of two tokens. */
bool serve_token_equal(const char *want, size_t wantn, const char *got, size_t gotn);
/* An "Authorization: Bearer TOKEN" header value carrying token. */
bool serve_bearer_ok(const char *header, const char *token, size_t tokenn);
/* A Host header naming a loopback host or listen_host (DNS rebinding guard). */
bool serve_host_ok(const char *host, const char *listen_host);
/* No Origin header, or one equal to http://HOST. */
bool serve_origin_ok(const char *origin, const char *host);

/* ---- rate limit (ratelimit.c) ---- */

typedef struct serve_ratelimit serve_ratelimit;
serve_ratelimit *serve_ratelimit_new(double rate, double burst);
void serve_ratelimit_free(serve_ratelimit *r);
/* Takes one token of sa's bucket; false (and *retry_after seconds) when empty. */
bool serve_ratelimit_take(serve_ratelimit *r, const struct sockaddr *sa, double now,
                          double *retry_after);

/* ---- the view of the store (view.c) ---- */

typedef struct serve_day {
    int64_t day;         /* midnight UTC, ns */
    uint32_t by_kind[3]; /* detections of that day per tr_det_kind */
} serve_day;

#define SERVE_LEVELS 6 /* informational … critical, then unknown */

typedef struct serve_tenant {
    tr_str id, name, country, sector; /* in the view's arena */
    bool in_fleet;
    uint64_t detections;
    uint64_t by_kind[3];
    uint64_t by_level[SERVE_LEVELS];
    uint64_t undated;     /* detections without a time */
    int64_t first, last;  /* TR_TS_NONE when none */
    int max_level;        /* tr_level_rank, -1 when none */
    TR_VEC(serve_day) days;
    int stage;            /* highest campaign stage (tr_stage), 0 when none */
} serve_tenant;

struct serve_campaigns; /* campaign.c */

typedef struct serve_view {
    atomic_int refs;
    double built_at;      /* serve_now() */
    int64_t built_wall;   /* wall clock, ns */
    double build_seconds;
    uint64_t mark;        /* tr_store_data_mark when built */
    uint64_t detections;
    uint64_t by_kind[3];
    tr_fleet *fleet;      /* tenants (store + fleet file) */
    serve_tenant *tenants; /* sorted by id */
    size_t ntenants;
    size_t tenants_active; /* with detections */
    tr_map *tenant_index; /* id → index in tenants */
    tr_arena *arena;
    tr_buf tenants_json;  /* GET /api/tenants, rendered once */
    struct serve_campaigns *campaigns; /* NULL until built */
} serve_view;

typedef struct serve_view_cfg {
    const tr_fleet *extra_fleet; /* tenants that override or add to the store's */
    const char *policy;          /* campaign policy file */
} serve_view_cfg;

/* Reads the whole store into a new view (refs 1). */
tr_err serve_view_build(tr_store *st, const serve_view_cfg *cfg, serve_view **out,
                        char *err, size_t errlen);
void serve_view_ref(serve_view *v);
void serve_view_unref(serve_view *v);
const serve_tenant *serve_view_tenant(const serve_view *v, tr_str id);
size_t serve_view_campaign_count(const serve_view *v);
/* The JSON object of one tenant; with_timeline adds its days and campaigns. */
void serve_tenant_json(const serve_view *v, const serve_tenant *t, bool with_timeline,
                       tr_jw *w);

/* Campaigns of a view (campaign.c): built from the detections the view
 * reads; the JSON of the list is rendered once. */
typedef struct serve_campaigns serve_campaigns;
tr_err serve_campaigns_new(const tr_fleet *fleet, const char *policy, serve_campaigns **out,
                           char *err, size_t errlen);
tr_err serve_campaigns_add(serve_campaigns *c, const tr_detection *d);
tr_err serve_campaigns_finish(serve_campaigns *c, serve_view *v);
void serve_campaigns_free(serve_campaigns *c);
size_t serve_campaigns_count(const serve_campaigns *c);
/* The rendered list, or NULL when campaigns are not available. */
const tr_buf *serve_campaigns_list_json(const serve_campaigns *c);
/* One campaign's JSON into out; TR_ENOENT when no campaign has this id. */
tr_err serve_campaigns_one_json(const serve_campaigns *c, tr_str id, tr_buf *out);
/* The campaigns tenant takes part in, as a JSON array value. */
void serve_campaigns_of_tenant(const serve_campaigns *c, tr_str tenant, tr_jw *w);

/* ---- metrics (metrics.c) ---- */

typedef enum serve_ingest_counter {
    SERVE_INGEST_REQUESTS = 0,
    SERVE_INGEST_FAILED,
    SERVE_INGEST_BYTES,
    SERVE_INGEST_EVENTS,
    SERVE_INGEST_REJECTED,
    SERVE_INGEST_DETECTIONS,
    SERVE_INGEST_COUNT
} serve_ingest_counter;

typedef struct serve_metrics serve_metrics;
serve_metrics *serve_metrics_new(void);
void serve_metrics_free(serve_metrics *m);
void serve_metrics_request(serve_metrics *m, serve_route r, unsigned status, double seconds);
void serve_metrics_ingest(serve_metrics *m, serve_ingest_counter c, uint64_t n);
void serve_metrics_view(serve_metrics *m, bool ok, double seconds);
tr_err serve_metrics_render(serve_metrics *m, const serve_view *v, tr_buf *out);

/* ---- query parameters (params.c) ---- */

/* The filter and page of GET /api/detections. */
typedef struct serve_det_query {
    tr_store_filter filter;
    tr_store_cursor cursor;
    unsigned limit;
    bool total;          /* also count every match */
    char tenant[256], rule[256], indicator[512];
} serve_det_query;

/* One query parameter as MHD hands it (value may be NULL for "?flag"). */
typedef struct serve_param {
    const char *key;
    const char *value;
} serve_param;

/* Builds q from params; on a bad parameter returns TR_EINVAL with a message
 * naming it in err. max_page caps limit. */
tr_err serve_det_query_parse(const serve_param *params, size_t n, unsigned max_page,
                             serve_det_query *q, char *err, size_t errlen);
/* A detection id: exactly 16 hex digits. */
bool serve_parse_id(tr_str s, uint64_t *id);
/* A tenant id usable as a directory name: 1-64 of [A-Za-z0-9._-], not "." or "..". */
bool serve_tenant_name_ok(const char *s);

/* ---- the embedded dashboard (assets.c + the generated table) ---- */

typedef struct serve_asset {
    const char *path;         /* "/app.js" */
    const unsigned char *data;
    size_t len;
    const char *type;         /* Content-Type */
} serve_asset;

/* The asset served at path, or NULL. "/" is "/index.html". */
const serve_asset *serve_asset_find(const char *path);

/* Generated at build time from src/serve/www/ (src/serve/embed.sh). */
extern const serve_asset serve_assets[];
extern const size_t serve_nassets;

/* ---- ingest (ingest.c) ---- */

typedef struct serve_ingest serve_ingest;
typedef struct serve_ingest_req {
    const char *tenant;
    const char *format;      /* input format name, or NULL to detect */
    const char *logsource;   /* P[/C[/S]] for generic JSON, or NULL */
    const char *body;
    size_t len;
} serve_ingest_req;

typedef struct serve_ingest_result {
    char path[4096];         /* spool file the records were added to */
    const char *format;
    uint64_t first_line;     /* line of the first posted record in path */
    uint64_t records;        /* lines posted */
    uint64_t events, rejected, detections, inserted;
} serve_ingest_result;

tr_err serve_ingest_new(const tr_serve_ingest *cfg, const char *store_path,
                        serve_metrics *metrics, serve_ingest **out, char *err, size_t errlen);
void serve_ingest_free(serve_ingest *in);
/* Spools and hunts one request. TR_EINVAL/TR_EFORMAT with a message for
 * the client in err; TR_EBUSY when another request holds the ingest too long. */
tr_err serve_ingest_run(serve_ingest *in, const serve_ingest_req *req,
                        serve_ingest_result *res, char *err, size_t errlen);

/* ---- the server (server.c) and its handlers ---- */

typedef struct serve_storepool {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    tr_store **free;
    size_t nfree, cap;
    char *path;
} serve_storepool;

struct tr_serve {
    struct MHD_Daemon *daemon;
    serve_addr addr;
    char url[128];
    char *token;               /* owned; NULL: no token */
    size_t tokenn;
    char *source_root;         /* owned; NULL: cwd */
    char *store_path;
    unsigned max_page;
    size_t max_body;
    bool access_log;
    serve_ratelimit *rl;       /* NULL: no limit */
    serve_metrics *metrics;
    serve_storepool pool;      /* read-only connections for the request threads */
    serve_ingest *ingest;      /* NULL: read-only server */

    /* the current view, swapped by the refresher */
    pthread_mutex_t view_lock;
    serve_view *view;
    serve_view_cfg view_cfg;
    tr_fleet *extra_fleet;
    char *policy;

    /* the refresher */
    pthread_t refresher;
    bool refresher_started;
    pthread_mutex_t refresh_lock;
    pthread_cond_t refresh_cond; /* wakes the refresher */
    pthread_cond_t done_cond;  /* wakes those waiting for a rebuild */
    bool stopping;
    uint64_t refresh_req;      /* rebuilds asked for */
    uint64_t refresh_done;     /* of those, the last one served */
    unsigned refresh_ms;
    tr_store *refresh_store;   /* the refresher's own connection */
};

/* The current view with a reference taken (never NULL once started). */
serve_view *serve_view_get(tr_serve *s);
/* Asks the refresher to rebuild now; with wait, returns after it did. */
void serve_refresh_request(tr_serve *s, bool wait);

tr_store *serve_store_acquire(tr_serve *s);
void serve_store_release(tr_serve *s, tr_store *st);

/* A request as the handlers see it. */
typedef struct serve_req {
    tr_serve *srv;
    struct MHD_Connection *conn;
    serve_route route;
    const char *method;
    const char *url;         /* path only, decoded by MHD */
    tr_str arg;              /* the path after the route's prefix ("org-017") */
    unsigned status;         /* status of the response queued */
    double start;
    tr_buf body;             /* ingest body (capped) */
    bool body_too_large;     /* past --max-body: dropped, answered 413 */
    uint64_t discarded;      /* bytes of it dropped */
    bool responded;
} serve_req;

/* Queue a response; each returns the MHD result to hand back. Every
 * response carries the security headers. */
int serve_reply_json(serve_req *r, unsigned status, tr_buf *body); /* takes body's bytes */
int serve_reply_error(serve_req *r, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with one extra header (Retry-After, WWW-Authenticate, Allow). */
int serve_reply_error_hdr(serve_req *r, unsigned status, const char *hname, const char *hvalue,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int serve_reply_static(serve_req *r, const serve_asset *a);
/* A response whose bytes belong to v (kept alive until sent). */
int serve_reply_view_json(serve_req *r, serve_view *v, const tr_buf *body);
int serve_reply_text(serve_req *r, unsigned status, const char *type, tr_buf *body);

/* Collects the query parameters of r (at most max; borrowed from MHD). */
size_t serve_req_params(serve_req *r, serve_param *out, size_t max, bool *too_many);
const char *serve_req_header(serve_req *r, const char *name);
const char *serve_req_param(serve_req *r, const char *name);

int serve_api_health(serve_req *r);
int serve_api_metrics(serve_req *r);
int serve_api_tenants(serve_req *r);
int serve_api_tenant(serve_req *r);
int serve_api_campaigns(serve_req *r);
int serve_api_campaign(serve_req *r);
int serve_api_detections(serve_req *r);
int serve_api_detection(serve_req *r);
int serve_api_ingest(serve_req *r);

#endif
