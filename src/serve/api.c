/*
 * api.c - the endpoints answered from the view of the store: health,
 * metrics, tenants and campaigns. They cost a lookup and a copy-free
 * response (the list bodies are rendered once per view).
 */
#include "core/common.h"

#include <microhttpd.h>

#include "serve/serve_int.h"

/* Refuses query parameters on endpoints that take none (a typo must not
 * look like a filter that matched everything). */
static bool no_params(serve_req *r, int *rc)
{
    serve_param p[1];
    bool more;
    if (serve_req_params(r, p, 1, &more) == 0)
        return true;
    *rc = serve_reply_error(r, MHD_HTTP_BAD_REQUEST, "unknown parameter '%.40s' (%s takes none)",
                            p[0].key, r->url);
    return false;
}

int serve_api_health(serve_req *r)
{
    int rc;
    if (!no_params(r, &rc))
        return rc;
    tr_serve *s = r->srv;
    serve_view *v = serve_view_get(s);
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_jw w;
    tr_jw_init(&w, &b);
    tr_jw_obj(&w);
    tr_jw_key(&w, "status");
    tr_jw_str(&w, "ok");
    tr_jw_key(&w, "version");
    tr_jw_str(&w, tr_version());
    tr_jw_key(&w, "detections");
    tr_jw_uint(&w, v->detections);
    tr_jw_key(&w, "tenants");
    tr_jw_uint(&w, v->ntenants);
    tr_jw_key(&w, "campaigns");
    if (v->campaigns)
        tr_jw_uint(&w, serve_campaigns_count(v->campaigns));
    else
        tr_jw_null(&w);
    tr_jw_key(&w, "view");
    tr_jw_obj(&w);
    tr_jw_key(&w, "built");
    tr_jw_time(&w, v->built_wall);
    tr_jw_key(&w, "age_seconds");
    tr_jw_double(&w, serve_now() - v->built_at);
    tr_jw_key(&w, "build_seconds");
    tr_jw_double(&w, v->build_seconds);
    tr_jw_end(&w);
    tr_jw_key(&w, "ingest");
    tr_jw_bool(&w, s->ingest != NULL);
    tr_jw_key(&w, "auth");
    tr_jw_str(&w, s->token ? "bearer" : "none (loopback only)");
    tr_jw_end(&w);
    tr_buf_putc(&b, '\n');
    serve_view_unref(v);
    if (w.err) {
        tr_buf_release(&b);
        return serve_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    return serve_reply_json(r, MHD_HTTP_OK, &b);
}

int serve_api_metrics(serve_req *r)
{
    int rc;
    if (!no_params(r, &rc))
        return rc;
    serve_view *v = serve_view_get(r->srv);
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_err e = serve_metrics_render(r->srv->metrics, v, &b);
    serve_view_unref(v);
    if (e) {
        tr_buf_release(&b);
        return serve_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    return serve_reply_text(r, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &b);
}

int serve_api_tenants(serve_req *r)
{
    int rc;
    if (!no_params(r, &rc))
        return rc;
    serve_view *v = serve_view_get(r->srv);
    rc = serve_reply_view_json(r, v, &v->tenants_json);
    serve_view_unref(v);
    return rc;
}

int serve_api_tenant(serve_req *r)
{
    int rc;
    if (!no_params(r, &rc))
        return rc;
    serve_view *v = serve_view_get(r->srv);
    const serve_tenant *t = serve_view_tenant(v, r->arg);
    if (!t) {
        serve_view_unref(v);
        return serve_reply_error(r, MHD_HTTP_NOT_FOUND, "no tenant '%.*s'",
                                 (int)TR_MIN(r->arg.n, 100), r->arg.p);
    }
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_jw w;
    tr_jw_init(&w, &b);
    tr_jw_obj(&w);
    tr_jw_key(&w, "tenant");
    serve_tenant_json(v, t, true, &w);
    tr_jw_end(&w);
    tr_buf_putc(&b, '\n');
    serve_view_unref(v);
    if (w.err) {
        tr_buf_release(&b);
        return serve_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    }
    return serve_reply_json(r, MHD_HTTP_OK, &b);
}

int serve_api_campaigns(serve_req *r)
{
    int rc;
    if (!no_params(r, &rc))
        return rc;
    serve_view *v = serve_view_get(r->srv);
    const tr_buf *list = v->campaigns ? serve_campaigns_list_json(v->campaigns) : NULL;
    if (!list) {
        serve_view_unref(v);
        return serve_reply_error(r, MHD_HTTP_NOT_FOUND,
                                 "campaigns are not available in this build of trawl");
    }
    rc = serve_reply_view_json(r, v, list);
    serve_view_unref(v);
    return rc;
}

int serve_api_campaign(serve_req *r)
{
    int rc;
    if (!no_params(r, &rc))
        return rc;
    serve_view *v = serve_view_get(r->srv);
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_err e = v->campaigns ? serve_campaigns_one_json(v->campaigns, r->arg, &b) : TR_ENOENT;
    serve_view_unref(v);
    if (e == TR_ENOENT) {
        tr_buf_release(&b);
        return serve_reply_error(r, MHD_HTTP_NOT_FOUND, "no campaign '%.*s'",
                                 (int)TR_MIN(r->arg.n, 100), r->arg.p);
    }
    if (e) {
        tr_buf_release(&b);
        return serve_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", tr_strerror(e));
    }
    return serve_reply_json(r, MHD_HTTP_OK, &b);
}
