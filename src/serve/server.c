/*
 * server.c - the HTTP side of `trawl serve`: libmicrohttpd's thread pool,
 * the checks every request passes (rate, host, origin, token, method, size)
 * before a handler sees it, the security headers of every response, the
 * pool of read-only store connections and the thread that keeps the view
 * of the store current.
 */
#include "core/common.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <time.h>

#include "serve/serve_int.h"
#include "trawl/log.h"

#define DEFAULT_LISTEN "127.0.0.1:8080"
#define MIN_TOKEN 16
#define DISCARD_MAX 4 /* an oversized body is read (and dropped) up to this times the limit */

/* ---- responses ---- */

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                          "form-action 'none'; frame-ancestors 'none'";

static void security_headers(struct MHD_Response *resp, bool cacheable)
{
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    MHD_add_response_header(resp, "Cache-Control", cacheable ? "no-cache" : "no-store");
}

static int queue(serve_req *r, unsigned status, struct MHD_Response *resp, const char *type,
                 bool cacheable)
{
    if (!resp)
        return MHD_NO; /* out of memory: MHD closes the connection */
    security_headers(resp, cacheable);
    if (type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    enum MHD_Result rc = MHD_queue_response(r->conn, status, resp);
    MHD_destroy_response(resp);
    r->status = status;
    r->responded = true;
    return rc;
}

static void free_buf(void *p)
{
    tr_free(p);
}

int serve_reply_text(serve_req *r, unsigned status, const char *type, tr_buf *body)
{
    size_t n = 0;
    char *p = tr_buf_detach(body, &n);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer_with_free_callback(n, p ? p : (char *)"", p ? free_buf
                                                                                     : NULL);
    if (!resp)
        tr_free(p);
    return queue(r, status, resp, type, false);
}

int serve_reply_json(serve_req *r, unsigned status, tr_buf *body)
{
    return serve_reply_text(r, status, "application/json; charset=utf-8", body);
}

static int reply_error_v(serve_req *r, unsigned status, const char *hname, const char *hvalue,
                         const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_jw w;
    tr_jw_init(&w, &b);
    tr_jw_obj(&w);
    tr_jw_key(&w, "error");
    tr_jw_str(&w, msg);
    tr_jw_key(&w, "status");
    tr_jw_uint(&w, status);
    tr_jw_end(&w);
    tr_buf_putc(&b, '\n');
    size_t n = 0;
    char *p = tr_buf_detach(&b, &n);
    struct MHD_Response *resp =
        p ? MHD_create_response_from_buffer_with_free_callback(n, p, free_buf) : NULL;
    if (!resp)
        tr_free(p);
    else if (hname)
        MHD_add_response_header(resp, hname, hvalue);
    return queue(r, status, resp, "application/json; charset=utf-8", false);
}

int serve_reply_error(serve_req *r, unsigned status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = reply_error_v(r, status, NULL, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

int serve_reply_error_hdr(serve_req *r, unsigned status, const char *hname, const char *hvalue,
                          const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = reply_error_v(r, status, hname, hvalue, fmt, ap);
    va_end(ap);
    return rc;
}

int serve_reply_static(serve_req *r, const serve_asset *a)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT);
    return queue(r, MHD_HTTP_OK, resp, a->type, true);
}

static void unref_view(void *cls)
{
    serve_view_unref(cls);
}

int serve_reply_view_json(serve_req *r, serve_view *v, const tr_buf *body)
{
    serve_view_ref(v);
    struct MHD_Response *resp = MHD_create_response_from_buffer_with_free_callback_cls(
        body->n, body->p, unref_view, v);
    if (!resp)
        serve_view_unref(v);
    return queue(r, MHD_HTTP_OK, resp, "application/json; charset=utf-8", false);
}

/* ---- request helpers ---- */

typedef struct param_ctx {
    serve_param *out;
    size_t max, n;
    bool too_many;
} param_ctx;

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    TR_UNUSED(kind);
    param_ctx *p = cls;
    if (p->n == p->max) {
        p->too_many = true;
        return MHD_NO;
    }
    p->out[p->n++] = (serve_param){ key, value };
    return MHD_YES;
}

size_t serve_req_params(serve_req *r, serve_param *out, size_t max, bool *too_many)
{
    param_ctx p = { out, max, 0, false };
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect_param, &p);
    *too_many = p.too_many;
    return p.n;
}

const char *serve_req_header(serve_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *serve_req_param(serve_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* ---- store connections for the request threads ---- */

static tr_err pool_open(serve_storepool *p, const char *path, size_t n, char *err, size_t errlen)
{
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    p->path = tr_strndup(path, strlen(path));
    p->free = tr_calloc(n, sizeof(*p->free));
    if (!p->path || !p->free) {
        snprintf(err, errlen, "out of memory");
        return TR_ENOMEM;
    }
    p->cap = n;
    for (size_t i = 0; i < n; i++) {
        tr_err e = tr_store_open(path, TR_STORE_READONLY, &p->free[i], err, errlen);
        if (e)
            return e;
        p->nfree++;
    }
    return TR_OK;
}

static void pool_close(serve_storepool *p)
{
    for (size_t i = 0; i < p->nfree; i++)
        tr_store_close(p->free[i]);
    tr_free(p->free);
    tr_free(p->path);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
}

tr_store *serve_store_acquire(tr_serve *s)
{
    serve_storepool *p = &s->pool;
    pthread_mutex_lock(&p->lock);
    while (p->nfree == 0)
        pthread_cond_wait(&p->cond, &p->lock);
    tr_store *st = p->free[--p->nfree];
    pthread_mutex_unlock(&p->lock);
    return st;
}

void serve_store_release(tr_serve *s, tr_store *st)
{
    serve_storepool *p = &s->pool;
    pthread_mutex_lock(&p->lock);
    p->free[p->nfree++] = st;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->lock);
}

/* ---- the view and its refresher ---- */

serve_view *serve_view_get(tr_serve *s)
{
    pthread_mutex_lock(&s->view_lock);
    serve_view *v = s->view;
    serve_view_ref(v);
    pthread_mutex_unlock(&s->view_lock);
    return v;
}

static tr_err rebuild(tr_serve *s, bool force)
{
    uint64_t mark;
    tr_err e = tr_store_data_mark(s->refresh_store, &mark);
    if (e) {
        tr_warn("serve: cannot read the store: %s", tr_store_errmsg(s->refresh_store));
        serve_metrics_view(s->metrics, false, 0);
        return e;
    }
    pthread_mutex_lock(&s->view_lock);
    bool same = s->view && s->view->mark == mark;
    pthread_mutex_unlock(&s->view_lock);
    if (same && !force)
        return TR_OK;
    serve_view *v;
    char err[512];
    if ((e = serve_view_build(s->refresh_store, &s->view_cfg, &v, err, sizeof(err))) != TR_OK) {
        tr_warn("serve: the view of the store was not rebuilt (the previous one stays): %s",
                err);
        serve_metrics_view(s->metrics, false, 0);
        return e;
    }
    serve_metrics_view(s->metrics, true, v->build_seconds);
    tr_debug("serve: view rebuilt in %.3f s (%" PRIu64 " detections, %zu tenants)",
             v->build_seconds, v->detections, v->ntenants);
    pthread_mutex_lock(&s->view_lock);
    serve_view *old = s->view;
    s->view = v;
    pthread_mutex_unlock(&s->view_lock);
    serve_view_unref(old);
    return TR_OK;
}

static void *refresher_main(void *arg)
{
    tr_serve *s = arg;
    pthread_mutex_lock(&s->refresh_lock);
    while (!s->stopping) {
        if (s->refresh_req == s->refresh_done) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += s->refresh_ms / 1000;
            ts.tv_nsec += (long)(s->refresh_ms % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&s->refresh_cond, &s->refresh_lock, &ts);
        }
        if (s->stopping)
            break;
        uint64_t want = s->refresh_req;
        bool force = want != s->refresh_done;
        pthread_mutex_unlock(&s->refresh_lock);
        rebuild(s, force);
        pthread_mutex_lock(&s->refresh_lock);
        s->refresh_done = want;
        pthread_cond_broadcast(&s->done_cond);
    }
    pthread_mutex_unlock(&s->refresh_lock);
    return NULL;
}

void serve_refresh_request(tr_serve *s, bool wait)
{
    pthread_mutex_lock(&s->refresh_lock);
    uint64_t target = ++s->refresh_req;
    pthread_cond_signal(&s->refresh_cond);
    while (wait && !s->stopping && s->refresh_done < target)
        pthread_cond_wait(&s->done_cond, &s->refresh_lock);
    pthread_mutex_unlock(&s->refresh_lock);
}

tr_err tr_serve_refresh(tr_serve *s)
{
    serve_refresh_request(s, true);
    return TR_OK;
}

/* ---- dispatch ---- */

static bool has_prefix(const char *s, const char *prefix, tr_str *rest)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0)
        return false;
    *rest = tr_str_c(s + n);
    return true;
}

/* The route of url; r->arg receives the rest of the path for routes with an
 * argument. */
static serve_route classify(const char *url, tr_str *arg)
{
    *arg = (tr_str){ "", 0 };
    if (strncmp(url, "/api/", 5) != 0)
        return strcmp(url, "/metrics") == 0 ? SERVE_ROUTE_METRICS : SERVE_ROUTE_STATIC;
    if (strcmp(url, "/api/health") == 0)
        return SERVE_ROUTE_HEALTH;
    if (strcmp(url, "/api/campaigns") == 0)
        return SERVE_ROUTE_CAMPAIGNS;
    if (strcmp(url, "/api/tenants") == 0)
        return SERVE_ROUTE_TENANTS;
    if (strcmp(url, "/api/detections") == 0)
        return SERVE_ROUTE_DETECTIONS;
    if (strcmp(url, "/api/ingest") == 0)
        return SERVE_ROUTE_INGEST;
    if (has_prefix(url, "/api/campaigns/", arg) && arg->n)
        return SERVE_ROUTE_CAMPAIGN;
    if (has_prefix(url, "/api/tenants/", arg) && arg->n)
        return SERVE_ROUTE_TENANT;
    if (has_prefix(url, "/api/detections/", arg) && arg->n)
        return SERVE_ROUTE_DETECTION;
    return SERVE_ROUTE_UNKNOWN;
}

static int dispatch(serve_req *r)
{
    switch (r->route) {
    case SERVE_ROUTE_HEALTH:
        return serve_api_health(r);
    case SERVE_ROUTE_METRICS:
        return serve_api_metrics(r);
    case SERVE_ROUTE_CAMPAIGNS:
        return serve_api_campaigns(r);
    case SERVE_ROUTE_CAMPAIGN:
        return serve_api_campaign(r);
    case SERVE_ROUTE_TENANTS:
        return serve_api_tenants(r);
    case SERVE_ROUTE_TENANT:
        return serve_api_tenant(r);
    case SERVE_ROUTE_DETECTIONS:
        return serve_api_detections(r);
    case SERVE_ROUTE_DETECTION:
        return serve_api_detection(r);
    case SERVE_ROUTE_INGEST:
        return serve_api_ingest(r);
    case SERVE_ROUTE_STATIC: {
        const serve_asset *a = serve_asset_find(r->url);
        if (a)
            return serve_reply_static(r, a);
        return serve_reply_error(r, MHD_HTTP_NOT_FOUND, "no such page: %.200s", r->url);
    }
    default:
        return serve_reply_error(r, MHD_HTTP_NOT_FOUND,
                                 "no such API endpoint: %.200s (see /api/health and docs/SERVE.md)",
                                 r->url);
    }
}

static const struct sockaddr *client_addr(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci ? ci->client_addr : NULL;
}

/* Checks that come before any handler; returns true when a refusal was queued. */
static bool refuse(serve_req *r, int *rc)
{
    tr_serve *s = r->srv;
    bool api = r->route != SERVE_ROUTE_STATIC;
    double retry;
    if (s->rl && !serve_ratelimit_take(s->rl, client_addr(r->conn), r->start, &retry)) {
        char after[32];
        snprintf(after, sizeof(after), "%u", (unsigned)(retry + 1));
        *rc = serve_reply_error_hdr(r, MHD_HTTP_TOO_MANY_REQUESTS, "Retry-After", after,
                                    "too many requests from this address (--rate); retry "
                                    "after %s s", after);
        return true;
    }
    const char *host = serve_req_header(r, MHD_HTTP_HEADER_HOST);
    if (!s->token && !serve_host_ok(host, s->addr.host)) {
        *rc = serve_reply_error(r, MHD_HTTP_FORBIDDEN,
                                "host '%.100s' refused: without a token the server answers "
                                "only to loopback names (127.0.0.1, localhost, [::1])",
                                host ? host : "");
        return true;
    }
    if (!serve_origin_ok(serve_req_header(r, "Origin"), host)) {
        *rc = serve_reply_error(r, MHD_HTTP_FORBIDDEN,
                                "cross-origin request refused (Origin is not this server)");
        return true;
    }
    if (api && s->token &&
        !serve_bearer_ok(serve_req_header(r, MHD_HTTP_HEADER_AUTHORIZATION), s->token,
                         s->tokenn)) {
        *rc = serve_reply_error_hdr(r, MHD_HTTP_UNAUTHORIZED, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                    "Bearer realm=\"trawl\"",
                                    "missing or wrong token: send 'Authorization: Bearer TOKEN'");
        return true;
    }
    bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    bool post = strcmp(r->method, "POST") == 0;
    if (r->route == SERVE_ROUTE_INGEST) {
        if (!s->ingest) {
            *rc = serve_reply_error(r, MHD_HTTP_FORBIDDEN,
                                    "ingest is disabled: this server is read-only (start it "
                                    "with --ingest)");
            return true;
        }
        if (!post) {
            *rc = serve_reply_error_hdr(r, MHD_HTTP_METHOD_NOT_ALLOWED, "Allow", "POST",
                                        "%.10s not allowed: POST log records to /api/ingest",
                                        r->method);
            return true;
        }
        const char *cl = serve_req_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->max_body) {
            *rc = serve_reply_error(r, MHD_HTTP_CONTENT_TOO_LARGE,
                                    "body of %.20s bytes is larger than the limit of %zu "
                                    "(--max-body)", cl, s->max_body);
            return true;
        }
        return false;
    }
    if (!get) {
        *rc = serve_reply_error_hdr(r, MHD_HTTP_METHOD_NOT_ALLOWED, "Allow", "GET, HEAD",
                                    "%.10s not allowed: this endpoint is read-only (GET)",
                                    r->method);
        return true;
    }
    return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    TR_UNUSED(version);
    tr_serve *s = cls;
    serve_req *r = *con_cls;
    if (!r) {
        r = tr_calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        *con_cls = r;
        r->srv = s;
        r->conn = conn;
        r->method = method;
        r->url = url;
        r->start = serve_now();
        r->route = classify(url, &r->arg);
        tr_buf_init(&r->body, s->max_body);
        int rc;
        if (refuse(r, &rc))
            return (enum MHD_Result)rc;
        if (r->route == SERVE_ROUTE_INGEST)
            return MHD_YES; /* the body follows */
        return (enum MHD_Result)dispatch(r);
    }
    if (r->responded) {
        *upload_data_size = 0; /* a refusal was queued: discard what follows */
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->route != SERVE_ROUTE_INGEST)
            return MHD_YES;
        /* libmicrohttpd sends a response only once the body is read, so a
         * body past the limit is read and dropped up to DISCARD_MAX times
         * the limit, then answered 413; beyond that the connection is cut. */
        if (r->body_too_large || tr_buf_append(&r->body, upload_data, n) != TR_OK) {
            if (!r->body_too_large) {
                r->body_too_large = true;
                r->discarded = r->body.n;
                tr_buf_release(&r->body);
            }
            r->discarded += n;
            if (r->discarded / DISCARD_MAX > s->max_body)
                return MHD_NO;
        }
        return MHD_YES;
    }
    if (r->body_too_large)
        return (enum MHD_Result)serve_reply_error(
            r, MHD_HTTP_CONTENT_TOO_LARGE, "body larger than the limit of %zu bytes (--max-body)",
            s->max_body);
    if (r->route == SERVE_ROUTE_INGEST)
        return (enum MHD_Result)dispatch(r);
    return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    tr_serve *s = cls;
    serve_req *r = *con_cls;
    if (!r)
        return;
    double dt = serve_now() - r->start;
    unsigned status = r->status ? r->status : 500;
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK || r->status)
        serve_metrics_request(s->metrics, r->route, status, dt);
    if (s->access_log) {
        char ip[64] = "-";
        const struct sockaddr *sa = client_addr(conn);
        if (sa && sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
        else if (sa && sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
        /* The path only: the query string and the headers (the token) stay out. */
        tr_info("serve: %s %s %.200s %u %.2f ms%s", ip, r->method, r->url, status, dt * 1e3,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection ended early)");
    }
    tr_buf_release(&r->body);
    tr_free(r);
    *con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    TR_UNUSED(cls);
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    tr_debug("serve: libmicrohttpd: %s", msg);
}

/* ---- life cycle ---- */

static tr_err fail(char *err, size_t errlen, tr_err e, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static tr_err fail(char *err, size_t errlen, tr_err e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return e;
}

tr_err tr_serve_start(const tr_serve_opts *o, tr_serve **out, char *err, size_t errlen)
{
    *out = NULL;
    if (!o || !o->store)
        return fail(err, errlen, TR_EINVAL, "no store given");
    tr_serve *s = tr_calloc(1, sizeof(*s));
    if (!s)
        return fail(err, errlen, TR_ENOMEM, "out of memory");
    pthread_mutex_init(&s->view_lock, NULL);
    pthread_mutex_init(&s->refresh_lock, NULL);
    pthread_cond_init(&s->refresh_cond, NULL);
    pthread_cond_init(&s->done_cond, NULL);
    tr_err e = serve_listen_parse(o->listen ? o->listen : DEFAULT_LISTEN, &s->addr, err, errlen);
    if (e)
        goto out;
    if (o->token) {
        s->tokenn = strlen(o->token);
        if (s->tokenn < MIN_TOKEN) {
            e = fail(err, errlen, TR_EINVAL, "the token must have at least %d characters",
                     MIN_TOKEN);
            goto out;
        }
        for (size_t i = 0; i < s->tokenn; i++)
            if ((unsigned char)o->token[i] <= ' ' || (unsigned char)o->token[i] >= 127) {
                e = fail(err, errlen, TR_EINVAL, "the token must be printable ASCII without "
                                                 "spaces");
                goto out;
            }
        if (!(s->token = tr_strndup(o->token, s->tokenn))) {
            e = fail(err, errlen, TR_ENOMEM, "out of memory");
            goto out;
        }
    } else if (!s->addr.loopback) {
        e = fail(err, errlen, TR_EAUTH,
                 "refusing to listen on %s without a token: anyone who can reach it could "
                 "read the detections (give --token-file FILE, or listen on 127.0.0.1)",
                 s->addr.host);
        goto out;
    }
    unsigned threads = o->threads ? o->threads : 4;
    if (threads > 256) {
        e = fail(err, errlen, TR_EINVAL, "at most 256 threads");
        goto out;
    }
    s->max_page = o->max_page ? o->max_page : 1000;
    s->max_body = o->max_body ? o->max_body : (size_t)8 << 20;
    s->access_log = o->access_log;
    s->refresh_ms = o->refresh_ms ? o->refresh_ms : 2000;
    s->metrics = serve_metrics_new();
    s->store_path = tr_strndup(o->store, strlen(o->store));
    if (!s->metrics || !s->store_path) {
        e = fail(err, errlen, TR_ENOMEM, "out of memory");
        goto out;
    }
    if (o->source_root && !(s->source_root = tr_strndup(o->source_root, strlen(o->source_root)))) {
        e = fail(err, errlen, TR_ENOMEM, "out of memory");
        goto out;
    }
    double rate = o->rate == 0 ? 100 : o->rate;
    if (rate > 0 && !(s->rl = serve_ratelimit_new(rate, o->burst))) {
        e = fail(err, errlen, TR_ENOMEM, "out of memory");
        goto out;
    }
    if (o->fleet) {
        if ((e = tr_fleet_load(o->fleet, &s->extra_fleet, NULL, err, errlen)) != TR_OK)
            goto out;
        s->view_cfg.extra_fleet = s->extra_fleet;
    }
    if (o->policy) {
        if (!(s->policy = tr_strndup(o->policy, strlen(o->policy)))) {
            e = fail(err, errlen, TR_ENOMEM, "out of memory");
            goto out;
        }
        s->view_cfg.policy = s->policy;
    }
    /* The writer first: it creates or upgrades the store the readers open. */
    if (o->ingest &&
        (e = serve_ingest_new(o->ingest, o->store, s->metrics, &s->ingest, err, errlen)) != TR_OK)
        goto out;
    if ((e = pool_open(&s->pool, o->store, threads, err, errlen)) != TR_OK)
        goto out;
    if ((e = tr_store_open(o->store, TR_STORE_READONLY, &s->refresh_store, err, errlen)) != TR_OK)
        goto out;
    if ((e = serve_view_build(s->refresh_store, &s->view_cfg, &s->view, err, errlen)) != TR_OK)
        goto out;
    serve_metrics_view(s->metrics, true, s->view->build_seconds);
    if (pthread_create(&s->refresher, NULL, refresher_main, s) != 0) {
        e = fail(err, errlen, TR_ENOMEM, "cannot start a thread");
        goto out;
    }
    s->refresher_started = true;

    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (s->addr.ipv6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)s->addr.port, NULL, NULL, on_request, s,
        /* the logger first: libmicrohttpd reports on the options that follow (a pool of
         * one thread is no pool) through it, not on stderr */
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&s->addr.ss,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, o->max_connections ? o->max_connections : 256u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_per_ip ? o->max_per_ip : 64u,
        MHD_OPTION_CONNECTION_TIMEOUT, o->timeout_s ? o->timeout_s : 30u,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->max_header ? o->max_header : (size_t)32768,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        e = fail(err, errlen, TR_ENET, "cannot listen on %s:%u (address in use, not local, or "
                                       "a privileged port)", s->addr.host, s->addr.port);
        goto out;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (di && di->port)
        s->addr.port = di->port;
    snprintf(s->url, sizeof(s->url), "http://%s:%u/", s->addr.host, s->addr.port);
    *out = s;
    return TR_OK;
out:
    tr_serve_stop(s);
    return e;
}

unsigned tr_serve_port(const tr_serve *s)
{
    return s->addr.port;
}

const char *tr_serve_url(const tr_serve *s)
{
    return s->url;
}

void tr_serve_stop(tr_serve *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    if (s->refresher_started) {
        pthread_mutex_lock(&s->refresh_lock);
        s->stopping = true;
        pthread_cond_broadcast(&s->refresh_cond);
        pthread_cond_broadcast(&s->done_cond);
        pthread_mutex_unlock(&s->refresh_lock);
        pthread_join(s->refresher, NULL);
    }
    serve_view_unref(s->view);
    tr_store_close(s->refresh_store);
    if (s->pool.path)
        pool_close(&s->pool);
    serve_ingest_free(s->ingest);
    serve_ratelimit_free(s->rl);
    serve_metrics_free(s->metrics);
    tr_fleet_free(s->extra_fleet);
    tr_free(s->policy);
    if (s->token) {
        /* The token does not outlive the server in freed memory. */
        volatile char *t = s->token;
        for (size_t i = 0; i < s->tokenn; i++)
            t[i] = 0;
        tr_free(s->token);
    }
    tr_free(s->source_root);
    tr_free(s->store_path);
    pthread_mutex_destroy(&s->view_lock);
    pthread_mutex_destroy(&s->refresh_lock);
    pthread_cond_destroy(&s->refresh_cond);
    pthread_cond_destroy(&s->done_cond);
    tr_free(s);
}
