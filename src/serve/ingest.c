/*
 * ingest.c - live ingest: POST /api/ingest appends the posted records to a
 * spool file of their tenant and runs the ordinary hunt pipeline over it,
 * with the store as a sink, so posted records are parsed, routed and
 * matched exactly as `trawl hunt --store` would, and every detection points
 * at a real file and line (the dashboard's drill-down reads it).
 *
 * Spool layout: SPOOL/<tenant>/<YYYY-MM-DD>.<format>[.<logsource hash>].log,
 * one file per tenant, UTC day, format (and declared logsource) so that a
 * file never mixes formats. The store's checkpoints make each run read only
 * what the request appended (docs/STORE.md "Resuming sources"). One
 * request hunts at a time; the others wait their turn (bounded).
 */
#include "core/common.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/time.h"
#include "logsource/field_types.h"
#include "serve/serve_int.h"
#include "trawl/correl.h"
#include "trawl/hunt.h"
#include "trawl/hunt_store.h"
#include "trawl/log.h"
#include "trawl/logsource.h"
#include "trawl/matchers.h"
#include "trawl/parse.h"

#define MAX_ROUTERS 16
#define WAIT_TURN_S 30

typedef struct ingest_router {
    char spec[128];        /* declared logsource ("" for none) */
    tr_router *router;
} ingest_router;

struct serve_ingest {
    pthread_mutex_t lock;  /* one hunt at a time; guards everything below */
    tr_store *st;          /* the writable connection */
    tr_sink *sink;
    tr_hunt_store *hs;
    tr_correl *correl;
    tr_matcher matchers[2];
    size_t nmatchers;
    tr_hunt_post post;
    char *spool;
    char *mapping;
    unsigned threads;
    ingest_router routers[MAX_ROUTERS];
    size_t nrouters;
    serve_metrics *metrics;
};

static void route_event(void *ctx, tr_event *ev)
{
    tr_router_route(ctx, ev);
    tr_field_types_apply(ev);
}

static tr_err mkdir_one(const char *path, char *err, size_t errlen)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return TR_OK;
    snprintf(err, errlen, "%s: %s", path, strerror(errno));
    return TR_EIO;
}

tr_err serve_ingest_new(const tr_serve_ingest *cfg, const char *store_path,
                        serve_metrics *metrics, serve_ingest **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!cfg->rules && !cfg->iocs) {
        snprintf(err, errlen, "ingest needs rules or indicators");
        return TR_EINVAL;
    }
    serve_ingest *in = tr_calloc(1, sizeof(*in));
    if (!in) {
        snprintf(err, errlen, "out of memory");
        return TR_ENOMEM;
    }
    pthread_mutex_init(&in->lock, NULL);
    in->metrics = metrics;
    in->threads = cfg->threads ? cfg->threads : 1;
    tr_err e = TR_ENOMEM;
    if (cfg->spool) {
        in->spool = tr_strndup(cfg->spool, strlen(cfg->spool));
    } else {
        size_t n = strlen(store_path) + sizeof(".spool");
        if ((in->spool = tr_malloc(n)) != NULL)
            snprintf(in->spool, n, "%s.spool", store_path);
    }
    if (in->spool && strlen(in->spool) > 2048) {
        snprintf(err, errlen, "spool directory path too long");
        e = TR_EINVAL;
        goto fail;
    }
    if (!in->spool || (cfg->mapping && !(in->mapping = tr_strndup(cfg->mapping,
                                                                   strlen(cfg->mapping))))) {
        snprintf(err, errlen, "out of memory");
        goto fail;
    }
    if ((e = mkdir_one(in->spool, err, errlen)) != TR_OK)
        goto fail;
    /* Detections name their spool file: an absolute path reads back from
     * anywhere (whatever --source-root says about the hunted logs). */
    char *abs = realpath(in->spool, NULL);
    if (!abs) {
        snprintf(err, errlen, "%s: %s", in->spool, strerror(errno));
        e = TR_EIO;
        goto fail;
    }
    tr_free(in->spool);
    in->spool = tr_strndup(abs, strlen(abs));
    free(abs);
    if (!in->spool || strlen(in->spool) > 2048) {
        snprintf(err, errlen, "spool directory: out of memory or path too long");
        e = TR_ENOMEM;
        goto fail;
    }
    if ((e = tr_store_open(store_path, TR_STORE_CREATE, &in->st, err, errlen)) != TR_OK)
        goto fail;
    uint64_t fp = tr_hunt_fingerprint(cfg->rules, cfg->iocs);
    tr_store_set_ruleset(in->st, fp);
    if (cfg->rules && tr_ruleset_correlation_count(cfg->rules)) {
        tr_correl_opts co = { .fingerprint = fp };
        if ((e = tr_correl_new(cfg->rules, &co, &in->correl)) != TR_OK) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        in->post = (tr_hunt_post){ in->correl, tr_correl_post_detection, NULL };
    }
    tr_store_sink_opts so = { .max_delay_ms = 100 };
    if ((e = tr_store_sink_new(in->st, &so, &in->sink)) != TR_OK ||
        (e = tr_hunt_store_new(in->st, in->sink, &in->hs)) != TR_OK ||
        (in->correl && (e = tr_hunt_store_track_correl(in->hs, in->correl)) != TR_OK)) {
        snprintf(err, errlen, "%s", tr_store_errmsg(in->st));
        goto fail;
    }
    if (cfg->rules && !(in->matchers[in->nmatchers++] = tr_matcher_sigma(cfg->rules,
                                                                         in->correl)).ctx) {
        snprintf(err, errlen, "out of memory");
        e = TR_ENOMEM;
        goto fail;
    }
    if (cfg->iocs && !(in->matchers[in->nmatchers++] = tr_matcher_ioc_auto(cfg->iocs, true)).ctx) {
        snprintf(err, errlen, "out of memory");
        e = TR_ENOMEM;
        goto fail;
    }
    *out = in;
    return TR_OK;
fail:
    serve_ingest_free(in);
    return e;
}

void serve_ingest_free(serve_ingest *in)
{
    if (!in)
        return;
    tr_sink_free(in->sink); /* flushes and stops its writer */
    tr_hunt_store_free(in->hs);
    for (size_t i = 0; i < in->nmatchers; i++)
        tr_matcher_release(&in->matchers[i]);
    tr_correl_free(in->correl);
    tr_store_close(in->st);
    for (size_t i = 0; i < in->nrouters; i++)
        tr_router_free(in->routers[i].router);
    tr_free(in->spool);
    tr_free(in->mapping);
    pthread_mutex_destroy(&in->lock);
    tr_free(in);
}

/* The router for a declared logsource (cached). Caller holds the lock. */
static tr_router *router_for(serve_ingest *in, const char *spec, char *err, size_t errlen)
{
    for (size_t i = 0; i < in->nrouters; i++)
        if (strcmp(in->routers[i].spec, spec) == 0)
            return in->routers[i].router;
    if (in->nrouters == MAX_ROUTERS) {
        snprintf(err, errlen, "logsource: more than %d different logsources declared since the "
                              "server started", MAX_ROUTERS);
        return NULL;
    }
    tr_router *r;
    if (tr_router_new(in->mapping, &r, err, errlen) != TR_OK)
        return NULL;
    if (*spec && tr_router_declare_spec(r, spec, err, errlen) != TR_OK) {
        tr_router_free(r);
        return NULL;
    }
    ingest_router *ir = &in->routers[in->nrouters++];
    snprintf(ir->spec, sizeof(ir->spec), "%s", spec);
    ir->router = r;
    return r;
}

static tr_err append_body(const char *path, const serve_ingest_req *req, char *err,
                          size_t errlen)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "spool: %s", strerror(errno));
        return TR_EIO;
    }
    const char *p = req->body;
    size_t left = req->len;
    bool nl = req->len && req->body[req->len - 1] == '\n';
    while (left || !nl) {
        const char *chunk = left ? p : "\n";
        size_t n = left ? left : 1;
        ssize_t k = write(fd, chunk, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            snprintf(err, errlen, "spool: %s", strerror(errno));
            close(fd);
            return TR_EIO;
        }
        if (left) {
            p += k;
            left -= (size_t)k;
        } else {
            nl = true;
        }
    }
    if (close(fd) != 0) {
        snprintf(err, errlen, "spool: %s", strerror(errno));
        return TR_EIO;
    }
    return TR_OK;
}

tr_err serve_ingest_run(serve_ingest *in, const serve_ingest_req *req, serve_ingest_result *res,
                        char *err, size_t errlen)
{
    memset(res, 0, sizeof(*res));
    if (!req->tenant || !serve_tenant_name_ok(req->tenant)) {
        snprintf(err, errlen, "tenant: give ?tenant=ID or an X-Trawl-Tenant header (1-64 of "
                              "A-Z a-z 0-9 . _ -)");
        return TR_EINVAL;
    }
    if (req->len == 0) {
        snprintf(err, errlen, "empty body: post log records (JSON lines or text lines)");
        return TR_EINVAL;
    }
    if (memchr(req->body, '\0', req->len)) {
        snprintf(err, errlen, "the body holds NUL bytes: post text records (JSON lines or log "
                              "lines), not binary files");
        return TR_EFORMAT;
    }
    tr_format fmt;
    if (req->format) {
        fmt = tr_format_from_name(req->format);
        if (fmt == TR_FMT_COUNT || fmt == TR_FMT_AUTO) {
            snprintf(err, errlen, "format: unknown input format '%.40s' (see trawl help cat)",
                     req->format);
            return TR_EINVAL;
        }
    } else {
        fmt = tr_format_detect(req->body, TR_MIN(req->len, (size_t)65536), NULL);
        if (fmt == TR_FMT_COUNT || fmt == TR_FMT_AUTO) {
            snprintf(err, errlen, "cannot tell the format of the records: give ?format=NAME");
            return TR_EFORMAT;
        }
    }
    if (fmt == TR_FMT_EVTX) {
        snprintf(err, errlen, "format: EVTX is binary; post its events as JSON lines instead");
        return TR_EFORMAT;
    }
    const char *spec = req->logsource ? req->logsource : "";
    if (strlen(spec) >= sizeof(((ingest_router *)0)->spec)) {
        snprintf(err, errlen, "logsource: longer than allowed");
        return TR_EINVAL;
    }
    /* Wait for our turn, but not for ever: a slow client must not pile up threads. */
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_TURN_S;
    if (pthread_mutex_timedlock(&in->lock, &until) != 0) {
        snprintf(err, errlen, "ingest busy: another request has been hunting for %d s; retry",
                 WAIT_TURN_S);
        return TR_EBUSY;
    }
    tr_err e;
    tr_router *router = router_for(in, spec, err, errlen);
    if (!router) {
        e = TR_EINVAL;
        goto out;
    }
    char dir[3072]; /* the spool path is at most 2048 bytes, a tenant 64 */
    snprintf(dir, sizeof(dir), "%s/%s", in->spool, req->tenant);
    if ((e = mkdir_one(in->spool, err, errlen)) != TR_OK ||
        (e = mkdir_one(dir, err, errlen)) != TR_OK)
        goto out;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    char day[40];
    tr_time_format((int64_t)now.tv_sec * TR_NS_PER_SEC, day, sizeof(day));
    day[10] = '\0';
    if (*spec)
        snprintf(res->path, sizeof(res->path), "%s/%s.%s.%08" PRIx64 ".log", dir, day,
                 tr_format_name(fmt), tr_hash64(spec, strlen(spec), 0) & 0xffffffffu);
    else
        snprintf(res->path, sizeof(res->path), "%s/%s.%s.log", dir, day, tr_format_name(fmt));
    res->format = tr_format_name(fmt);
    if ((e = append_body(res->path, req, err, errlen)) != TR_OK)
        goto out;
    tr_store_sink_stats before, after;
    tr_store_sink_stats_get(in->sink, &before);
    tr_hunt_config cfg = { 0 };
    cfg.threads = in->threads;
    cfg.reader.format = fmt;
    cfg.tenant = req->tenant;
    cfg.route = route_event;
    cfg.route_ctx = router;
    cfg.matchers = in->matchers;
    cfg.nmatchers = in->nmatchers;
    cfg.post = in->correl ? &in->post : NULL;
    tr_sink *sinks[1] = { in->sink };
    cfg.sinks = sinks;
    cfg.nsinks = 1;
    tr_hunt_store_attach(in->hs, &cfg);
    tr_hunt_stats hs;
    const char *paths[1] = { res->path };
    e = tr_hunt_run(&cfg, paths, 1, &hs);
    if (!e)
        e = tr_sink_flush(in->sink);
    if (e) {
        snprintf(err, errlen, "hunt failed: %s%s%s", tr_strerror(e),
                 e == TR_ESTORE ? ": " : "", e == TR_ESTORE ? tr_store_errmsg(in->st) : "");
        goto out;
    }
    if (hs.sources_failed) {
        snprintf(err, errlen, "the spool file could not be read (see the server's log)");
        e = TR_EIO;
        goto out;
    }
    tr_store_sink_stats_get(in->sink, &after);
    res->events = hs.events;
    res->rejected = hs.rejected;
    res->records = hs.events + hs.rejected;
    res->detections = hs.detections;
    res->inserted = after.inserted - before.inserted;
    serve_metrics_ingest(in->metrics, SERVE_INGEST_BYTES, req->len);
    serve_metrics_ingest(in->metrics, SERVE_INGEST_EVENTS, hs.events);
    serve_metrics_ingest(in->metrics, SERVE_INGEST_REJECTED, hs.rejected);
    serve_metrics_ingest(in->metrics, SERVE_INGEST_DETECTIONS, hs.detections);
out:
    pthread_mutex_unlock(&in->lock);
    return e;
}

/* ---- the endpoint ---- */

int serve_api_ingest(serve_req *r)
{
    tr_serve *s = r->srv;
    serve_param params[8];
    bool too_many;
    size_t np = serve_req_params(r, params, TR_ARRAY_LEN(params), &too_many);
    serve_ingest_req req = { .body = r->body.p, .len = r->body.n };
    bool wait = false;
    for (size_t i = 0; i < np; i++) {
        const char *k = params[i].key, *v = params[i].value ? params[i].value : "";
        if (strcmp(k, "tenant") == 0)
            req.tenant = v;
        else if (strcmp(k, "format") == 0)
            req.format = v;
        else if (strcmp(k, "logsource") == 0)
            req.logsource = v;
        else if (strcmp(k, "wait") == 0)
            wait = strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
        else {
            serve_metrics_ingest(s->metrics, SERVE_INGEST_FAILED, 1);
            return serve_reply_error(r, MHD_HTTP_BAD_REQUEST,
                                     "unknown parameter '%.40s' (tenant, format, logsource, "
                                     "wait)", k);
        }
    }
    if (too_many) {
        serve_metrics_ingest(s->metrics, SERVE_INGEST_FAILED, 1);
        return serve_reply_error(r, MHD_HTTP_BAD_REQUEST, "too many parameters");
    }
    if (!req.tenant)
        req.tenant = serve_req_header(r, "X-Trawl-Tenant");
    serve_ingest_result res;
    char err[512];
    tr_err e = serve_ingest_run(s->ingest, &req, &res, err, sizeof(err));
    if (e) {
        serve_metrics_ingest(s->metrics, SERVE_INGEST_FAILED, 1);
        unsigned status = e == TR_EINVAL    ? MHD_HTTP_BAD_REQUEST
                          : e == TR_EFORMAT ? MHD_HTTP_UNSUPPORTED_MEDIA_TYPE
                          : e == TR_EBUSY   ? MHD_HTTP_SERVICE_UNAVAILABLE
                                            : MHD_HTTP_INTERNAL_SERVER_ERROR;
        if (status >= 500)
            tr_warn("serve: ingest: %s", err);
        return serve_reply_error(r, status, "%s", err);
    }
    serve_metrics_ingest(s->metrics, SERVE_INGEST_REQUESTS, 1);
    serve_refresh_request(s, wait);
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_jw w;
    tr_jw_init(&w, &b);
    tr_jw_obj(&w);
    tr_jw_key(&w, "tenant");
    tr_jw_str(&w, req.tenant);
    tr_jw_key(&w, "format");
    tr_jw_str(&w, res.format);
    tr_jw_key(&w, "path");
    tr_jw_str(&w, res.path);
    tr_jw_key(&w, "bytes");
    tr_jw_uint(&w, req.len);
    tr_jw_key(&w, "records");
    tr_jw_uint(&w, res.records);
    tr_jw_key(&w, "events");
    tr_jw_uint(&w, res.events);
    tr_jw_key(&w, "rejected");
    tr_jw_uint(&w, res.rejected);
    tr_jw_key(&w, "detections");
    tr_jw_uint(&w, res.detections);
    tr_jw_key(&w, "stored");
    tr_jw_uint(&w, res.inserted);
    tr_jw_key(&w, "visible");
    tr_jw_bool(&w, wait);
    tr_jw_end(&w);
    tr_buf_putc(&b, '\n');
    return serve_reply_json(r, MHD_HTTP_OK, &b);
}
