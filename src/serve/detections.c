/*
 * detections.c - GET /api/detections (filtered, paged with keyset cursors,
 * straight from the store) and GET /api/detections/ID, one detection with
 * the source record it points at (path:line) and the records around it.
 */
#include "core/common.h"

#include <microhttpd.h>

#include "serve/serve_int.h"
#include "trawl/input.h"

#define MAX_PARAMS 32
#define PAGE_BYTES ((size_t)64 << 20)
#define CONTEXT 2                          /* records shown before and after */
#define SNIPPET 8192                       /* bytes of a record shown at most */
#define SCAN_LIMIT ((uint64_t)4 << 30)     /* bytes read to find a record, at most */

typedef struct page_ctx {
    tr_jw *w;        /* the page, inside its "detections" array */
    tr_buf row;      /* one detection's JSON line (reused) */
} page_ctx;

static tr_err put_row(void *ctx, const tr_detection *d)
{
    page_ctx *p = ctx;
    tr_buf_reset(&p->row);
    tr_err e = tr_detection_to_json(d, &p->row);
    if (e)
        return e;
    tr_jw_raw(p->w, p->row.p, p->row.n && p->row.p[p->row.n - 1] == '\n' ? p->row.n - 1
                                                                            : p->row.n);
    return p->w->err;
}

int serve_api_detections(serve_req *r)
{
    tr_serve *s = r->srv;
    serve_param params[MAX_PARAMS];
    bool too_many;
    size_t np = serve_req_params(r, params, MAX_PARAMS, &too_many);
    if (too_many)
        return serve_reply_error(r, MHD_HTTP_BAD_REQUEST, "more than %d parameters", MAX_PARAMS);
    serve_det_query q;
    char msg[256];
    if (serve_det_query_parse(params, np, s->max_page, &q, msg, sizeof(msg)) != TR_OK)
        return serve_reply_error(r, MHD_HTTP_BAD_REQUEST, "%s", msg);
    tr_buf b;
    tr_buf_init(&b, PAGE_BYTES);
    tr_jw w;
    tr_jw_init(&w, &b);
    tr_jw_obj(&w);
    tr_jw_key(&w, "detections");
    tr_jw_arr(&w);
    page_ctx pc = { &w, TR_BUF_INIT };
    size_t got = 0;
    uint64_t total = 0;
    tr_store *st = serve_store_acquire(s);
    tr_err e = tr_store_query(st, &q.filter, &q.cursor, q.limit, put_row, &pc, &got);
    if (!e && q.total)
        e = tr_store_count(st, &q.filter, &total);
    if (e == TR_ESTORE)
        snprintf(msg, sizeof(msg), "%s", tr_store_errmsg(st));
    serve_store_release(s, st);
    tr_buf_release(&pc.row);
    if (e) {
        tr_buf_release(&b);
        if (e == TR_ESTORE)
            return serve_reply_error(r, MHD_HTTP_SERVICE_UNAVAILABLE, "store: %s", msg);
        if (e == TR_ELIMIT)
            return serve_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                                     "page larger than %zu bytes: ask for a smaller limit",
                                     PAGE_BYTES);
        return serve_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", tr_strerror(e));
    }
    tr_jw_end(&w);
    tr_jw_key(&w, "count");
    tr_jw_uint(&w, got);
    tr_jw_key(&w, "next");
    if (got == q.limit) {
        char next[64];
        tr_store_cursor_format(&q.cursor, next, sizeof(next));
        tr_jw_str(&w, next);
    } else {
        tr_jw_null(&w);
    }
    if (q.total) {
        tr_jw_key(&w, "total");
        tr_jw_uint(&w, total);
    }
    tr_jw_end(&w);
    tr_buf_putc(&b, '\n');
    if (w.err) {
        tr_buf_release(&b);
        return serve_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "page too large");
    }
    return serve_reply_json(r, MHD_HTTP_OK, &b);
}

/* ---- one detection and its source record ---- */

typedef struct snippet {
    uint64_t line;
    size_t len;       /* bytes kept */
    size_t full;      /* bytes of the record */
    char text[SNIPPET];
} snippet;

typedef struct one_ctx {
    tr_buf *out;      /* the detection's JSON */
    char path[4096];
    uint64_t line;
    uint64_t record;
    bool found;
} one_ctx;

static tr_err keep_one(void *ctx, const tr_detection *d)
{
    one_ctx *o = ctx;
    o->found = true;
    if (d->path.n >= sizeof(o->path))
        return TR_ELIMIT;
    memcpy(o->path, d->path.p, d->path.n);
    o->path[d->path.n] = '\0';
    o->line = d->line;
    o->record = d->record;
    tr_err e = tr_detection_to_json(d, o->out);
    if (!e && o->out->n && o->out->p[o->out->n - 1] == '\n')
        o->out->p[--o->out->n] = '\0';
    return e;
}

static void snip(snippet *s, const tr_record *rec)
{
    s->line = rec->line;
    s->full = rec->data.n;
    s->len = TR_MIN(rec->data.n, sizeof(s->text));
    memcpy(s->text, rec->data.p, s->len);
}

static void put_snippet(tr_jw *w, const snippet *s, bool match)
{
    tr_jw_obj(w);
    tr_jw_key(w, "line");
    tr_jw_uint(w, s->line);
    tr_jw_key(w, "text");
    tr_jw_strn(w, s->text, s->len);
    if (s->len < s->full) {
        tr_jw_key(w, "truncated");
        tr_jw_uint(w, s->full);
    }
    if (match) {
        tr_jw_key(w, "match");
        tr_jw_bool(w, true);
    }
    tr_jw_end(w);
}

/* Writes the "source" member: the records around line of path. */
static void put_source(tr_serve *s, const one_ctx *o, tr_jw *w)
{
    char full[8192];
    const char *path = o->path;
    if (path[0] != '/' && s->source_root) {
        snprintf(full, sizeof(full), "%s/%s", s->source_root, path);
        path = full;
    }
    tr_jw_key(w, "source");
    tr_jw_obj(w);
    tr_jw_key(w, "path");
    tr_jw_str(w, o->path);
    tr_jw_key(w, "line");
    tr_jw_uint(w, o->line);
    const char *why = NULL;
    char errbuf[512];
    tr_source *src = NULL;
    snippet *ring = NULL;
    if (o->line == 0) {
        why = "the record has no line number (a binary format such as EVTX): use its record "
              "index";
    } else if (tr_source_open(path, NULL, &src, errbuf, sizeof(errbuf)) != TR_OK) {
        why = errbuf;
    } else if (tr_source_framing(src) == TR_FRAME_WHOLE) {
        why = "binary format: no text lines to show";
    } else if (!(ring = tr_calloc(2 * CONTEXT + 1, sizeof(*ring)))) {
        why = "out of memory";
    }
    if (why) {
        tr_jw_key(w, "available");
        tr_jw_bool(w, false);
        tr_jw_key(w, "reason");
        tr_jw_str(w, why);
        goto out;
    }
    /* Read up to CONTEXT records past the match, keeping the last 2*CONTEXT+1. */
    size_t n = 0, match = SIZE_MAX, after = 0;
    tr_record rec;
    tr_err e;
    while ((e = tr_source_next(src, &rec)) != TR_EEOF) {
        if (e == TR_ELIMIT || e == TR_EPARSE)
            continue;
        if (e != TR_OK || tr_source_offset(src) > SCAN_LIMIT)
            break;
        if (match == SIZE_MAX && rec.line > o->line)
            break; /* the line is not a record start (any more): the file changed */
        snip(&ring[n % (2 * CONTEXT + 1)], &rec);
        n++;
        if (match == SIZE_MAX && rec.line == o->line)
            match = n - 1;
        else if (match != SIZE_MAX && ++after == CONTEXT)
            break;
    }
    tr_jw_key(w, "available");
    tr_jw_bool(w, match != SIZE_MAX);
    if (match == SIZE_MAX) {
        tr_jw_key(w, "reason");
        tr_jw_str(w, e == TR_EIO || e == TR_ECOMPRESS ? tr_source_errmsg(src)
                                                      : "the file has no record at this line "
                                                        "(it changed since the hunt)");
        goto out;
    }
    tr_jw_key(w, "records");
    tr_jw_arr(w);
    size_t first = n > 2 * CONTEXT + 1 ? n - (2 * CONTEXT + 1) : 0;
    if (match >= CONTEXT && first < match - CONTEXT)
        first = match - CONTEXT;
    for (size_t i = first; i < n; i++)
        put_snippet(w, &ring[i % (2 * CONTEXT + 1)], i == match);
    tr_jw_end(w);
out:
    tr_jw_end(w);
    tr_free(ring);
    tr_source_free(src);
}

int serve_api_detection(serve_req *r)
{
    uint64_t id;
    if (!serve_parse_id(r->arg, &id))
        return serve_reply_error(r, MHD_HTTP_NOT_FOUND,
                                 "'%.*s' is not a detection id (16 hex digits)",
                                 (int)TR_MIN(r->arg.n, 40), r->arg.p);
    serve_param p[1];
    bool more;
    if (serve_req_params(r, p, 1, &more))
        return serve_reply_error(r, MHD_HTTP_BAD_REQUEST, "unknown parameter '%.40s'",
                                 p[0].key);
    tr_buf det;
    tr_buf_init(&det, 0);
    one_ctx *o = tr_calloc(1, sizeof(*o));
    if (!o)
        return serve_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
    o->out = &det;
    char msg[256] = "";
    tr_store *st = serve_store_acquire(r->srv);
    tr_err e = tr_store_get(st, id, keep_one, o);
    if (e == TR_ESTORE)
        snprintf(msg, sizeof(msg), "%s", tr_store_errmsg(st));
    serve_store_release(r->srv, st);
    int rc;
    if (e == TR_ENOENT) {
        rc = serve_reply_error(r, MHD_HTTP_NOT_FOUND, "no detection %016" PRIx64, id);
        goto out;
    }
    if (e) {
        rc = serve_reply_error(r, e == TR_ESTORE ? MHD_HTTP_SERVICE_UNAVAILABLE
                                                 : MHD_HTTP_INTERNAL_SERVER_ERROR,
                               "%s", e == TR_ESTORE ? msg : tr_strerror(e));
        goto out;
    }
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_jw w;
    tr_jw_init(&w, &b);
    tr_jw_obj(&w);
    tr_jw_key(&w, "detection");
    tr_jw_raw(&w, det.p, det.n);
    put_source(r->srv, o, &w);
    tr_jw_end(&w);
    tr_buf_putc(&b, '\n');
    if (w.err) {
        tr_buf_release(&b);
        rc = serve_reply_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
        goto out;
    }
    rc = serve_reply_json(r, MHD_HTTP_OK, &b);
out:
    tr_buf_release(&det);
    tr_free(o);
    return rc;
}
