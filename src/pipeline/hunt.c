/*
 * hunt.c - the hunt pipeline (see trawl/hunt.h).
 *
 * Threads are symmetric workers. Each takes, in this order of preference:
 *   1. a filled batch from the ready queue: parse, route and match its records;
 *   2. the reading of the next block of a source that nobody is reading, when
 *      a free batch is available.
 * Whoever finishes a batch tries to take the emit lock and hands every batch
 * that is next in output order (source order, then block order) to the post
 * processor and the sinks. Batches are few and recycled, so memory does not
 * grow with the input; one batch is always kept for the source being emitted,
 * so reading ahead on later sources can never starve it.
 *
 * Record indexes are assigned when records are cut, so that workers can
 * number events without knowing what other batches contain: a record is any
 * line (or JSON value) that is not a header line of a header-driven format
 * (Zeek, W3C), malformed ones included.
 */
#include "core/common.h"

#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "pipeline/batch.h"
#include "pipeline/sinks_out.h"
#include "pipeline/progress.h"
#include "trawl/arena.h"
#include "trawl/hunt.h"
#include "trawl/log.h"
#include "trawl/parse.h"
#include "trawl/store.h"

#define HUNT_MAX_FIELDS 2048
#define HUNT_EVENT_ARENA_CAP ((size_t)64 << 20)

typedef struct hsrc {
    const char *path;
    size_t path_len;
    tr_source *src;
    tr_format format;
    bool header_format; /* '#' lines are headers (Zeek, W3C) */
    tr_str tenant;      /* tenant of every event of this source (may be empty) */
    uint64_t source_gen;
    uint64_t next_seq;  /* blocks read */
    uint64_t next_emit; /* next block to emit */
    uint64_t records;   /* records cut so far (the next record's index) */
    uint64_t diag_printed, diag_total;
    header_snap *headers; /* current header lines (header formats) */
    uint64_t raw_size;  /* file size (for progress) */
    int64_t mtime;      /* modification time (ns): the year of year-less syslog dates */
    bool opened, reading, eof, failed, skip;
    bool counted_format;
} hsrc;

typedef struct hunt hunt;

typedef struct worker {
    hunt *h;
    pthread_t tid;
    tr_field *fields;
    tr_arena *arena;
    tr_event ev;
    void **scratch;                   /* one per matcher */
    uint8_t *may_match;               /* per matcher, maxrecs each: block_filter marks */
    bool *filtered;                   /* per matcher: its marks hold for this block */
    tr_parser *parser[TR_FMT_COUNT];  /* per format */
    size_t parser_src[TR_FMT_COUNT];  /* header formats: source and … */
    uint64_t parser_epoch[TR_FMT_COUNT]; /* … header epoch the parser has seen */
    double cpu;                          /* CPU seconds spent in worker_main */
    uint64_t waits;                      /* times it found no work */
} worker;

struct hunt {
    const tr_hunt_config *cfg;
    hsrc *srcs;
    size_t nsrcs;
    size_t block_size, maxrecs;
    unsigned nbatches;
    unsigned reserve;          /* free batches kept for the first source not fully read */
    batch **all;
    pthread_mutex_t lock;
    pthread_cond_t cond;       /* work available, batch freed, or done */
    pthread_mutex_t emit_lock;
    batch *free_list;
    unsigned nfree;
    batch *ready_head, *ready_tail;
    size_t next_read;          /* lowest source index not fully read */
    size_t emit_src;           /* source being emitted */
    bool done, fatal;
    tr_err fatal_err;
    unsigned active;           /* workers not waiting */
    tr_hunt_stats *st;
    tr_progress progress;
    uint64_t raw_total, raw_read;
};

/* CPU time of the calling thread, in seconds. */
static double thread_cpu_s(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- reading */

static bool is_header_format(tr_format f)
{
    return tr_format_header_line(f, TR_STR("#"));
}

static void snap_release(header_snap *hs)
{
    if (hs && --hs->refs == 0) {
        tr_buf_release(&hs->lines);
        tr_free(hs);
    }
}

/* After a block: a new header snapshot if the block held header lines. */
static tr_err note_headers(hsrc *s, const tr_block *blk)
{
    header_snap *cur = s->headers;
    header_snap *next = NULL;
    for (size_t i = 0; i < blk->nrecs; i++) {
        const tr_record *r = &blk->recs[i];
        if (r->status != TR_OK || !tr_format_header_line(s->format, r->data))
            continue;
        if (!next) {
            next = tr_calloc(1, sizeof(*next));
            if (!next)
                return TR_ENOMEM;
            next->refs = 1;
            tr_buf_init(&next->lines, (size_t)1 << 20);
            if (cur) {
                next->epoch = cur->epoch;
                if (tr_buf_append(&next->lines, cur->lines.p, cur->lines.n)) {
                    snap_release(next);
                    return TR_ELIMIT;
                }
            }
        }
        next->epoch++;
        tr_err e = tr_buf_append(&next->lines, r->data.p, r->data.n);
        if (!e)
            e = tr_buf_putc(&next->lines, '\n');
        if (e) {
            snap_release(next);
            return e;
        }
    }
    if (next) {
        snap_release(cur);
        s->headers = next;
    }
    return TR_OK;
}

/* Header lines before a resume offset: the parser needs them. */
static tr_err preload_headers(hunt *h, hsrc *s, uint64_t offset)
{
    tr_source_opts so = { .format = s->format, .max_record = h->cfg->reader.max_record };
    tr_source *src;
    char err[256];
    if (tr_source_open(s->path, &so, &src, err, sizeof(err)))
        return TR_EIO;
    tr_block blk = { .buf = tr_malloc(h->block_size), .cap = h->block_size,
                     .recs = tr_malloc(h->maxrecs * sizeof(tr_record)), .maxrecs = h->maxrecs };
    tr_err e = (!blk.buf || !blk.recs) ? TR_ENOMEM : TR_OK;
    while (!e) {
        e = tr_source_next_block(src, &blk);
        size_t keep = 0;
        while (keep < blk.nrecs && blk.recs[keep].offset < offset)
            keep++;
        blk.nrecs = keep;
        if (!e)
            e = note_headers(s, &blk);
        if (keep == 0 || blk.eof || tr_source_offset(src) >= offset)
            break;
    }
    tr_free(blk.buf);
    tr_free(blk.recs);
    tr_source_free(src);
    return e;
}

static void source_fail(hunt *h, hsrc *s, batch *b, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void source_fail(hunt *h, hsrc *s, batch *b, const char *fmt, ...)
{
    (void)h;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->read_error, sizeof(b->read_error), fmt, ap);
    va_end(ap);
    b->read_failed = true;
    b->eof = true;
    s->failed = true;
}

/* Opens s for its first block; sets b->eof when there is nothing to read. */
static void open_source(hunt *h, hsrc *s, batch *b)
{
    const tr_hunt_config *cfg = h->cfg;
    s->opened = true;
    /* tenant: --tenant, else the directory layout against the fleet */
    if (cfg->tenant)
        s->tenant = tr_str_c(cfg->tenant);
    else if (cfg->fleet) {
        const tr_tenant *t = tr_fleet_for_path(cfg->fleet, s->path);
        if (t)
            s->tenant = t->id;
    }
    tr_resume_point rp = { 0 };
    if (cfg->resume) {
        tr_err e = cfg->resume(cfg->store_ctx, s->path, s->tenant, &rp);
        if (e) {
            source_fail(h, s, b, "cannot read the resume point: %s", tr_strerror(e));
            return;
        }
        if (rp.skip) {
            s->skip = true;
            b->eof = true;
            return;
        }
    }
    struct stat sb;
    if (strcmp(s->path, "-") != 0 && stat(s->path, &sb) == 0)
        s->mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    if (rp.source_gen)
        s->source_gen = rp.source_gen;
    else if (tr_source_head_gen(s->path, &s->source_gen) != TR_OK)
        s->source_gen = 0;
    tr_source_opts so = {
        .format = cfg->reader.format,
        .max_record = cfg->reader.max_record,
        .chunk_size = h->block_size / 4,
        .start_offset = rp.offset,
        .start_line = rp.line,
        .start_record = rp.record,
    };
    char err[320];
    if (tr_source_open(s->path, &so, &s->src, err, sizeof(err))) {
        source_fail(h, s, b, "%s", err); /* the message already names the path */
        return;
    }
    s->format = tr_source_format(s->src);
    s->header_format = is_header_format(s->format);
    s->records = rp.record;
    if (s->header_format && rp.offset > 0 && preload_headers(h, s, rp.offset)) {
        source_fail(h, s, b, "cannot re-read the header lines before the resume point");
        return;
    }
}

/* Reads the next block of s into b (called without the hunt lock). */
static void read_block(hunt *h, hsrc *s, batch *b)
{
    batch_reset(b);
    if (!s->opened) {
        open_source(h, s, b);
        if (b->eof)
            return;
    }
    uint64_t raw_before = tr_source_bytes_read(s->src);
    tr_err e = tr_source_next_block(s->src, &b->block);
    b->raw_bytes = tr_source_bytes_read(s->src) - raw_before;
    b->eof = b->block.eof;
    if (e) {
        char msg[320];
        snprintf(msg, sizeof(msg), "%s", tr_source_errmsg(s->src));
        source_fail(h, s, b, "%s", msg[0] ? msg : tr_strerror(e));
    }
    /* number the records; headers of header formats are not records */
    b->first_record = s->records;
    if (s->header_format) {
        b->headers = s->headers;
        if (b->headers)
            b->headers->refs++;
        for (size_t i = 0; i < b->block.nrecs; i++) {
            const tr_record *r = &b->block.recs[i];
            if (!(r->status == TR_OK && tr_format_header_line(s->format, r->data)))
                s->records++;
        }
        if (note_headers(s, &b->block))
            source_fail(h, s, b, "header lines exceed 1 MiB");
    } else {
        s->records += b->block.nrecs;
    }
    b->end_offset = tr_source_offset(s->src);
    b->end_line = tr_source_line(s->src);
    b->end_record = s->records;
    b->end_raw = tr_source_bytes_read(s->src);
    if (b->block.partial) {
        /* a last line without its newline may still be being written: it is
         * hunted, but the checkpoint stays before it (docs/STORE.md) */
        const tr_record *last = &b->block.recs[b->block.nrecs - 1];
        b->end_offset = last->offset;
        b->end_line = last->line;
        b->end_record -= !(s->header_format && last->status == TR_OK &&
                           tr_format_header_line(s->format, last->data));
    }
}

/* ------------------------------------------------------------- processing */

tr_err tr_hunt_emit_detection(tr_hunt_emit *e, const tr_detection *d)
{
    tr_detection c = *d;
    const tr_event *ev = e->ev;
    if (c.ts == TR_TS_NONE || (c.ts == 0 && ev->ts != TR_TS_NONE))
        c.ts = ev->ts;
    if (!c.tenant.n)
        c.tenant = ev->tenant;
    if (!c.path.n) {
        c.path = ev->path;
        c.record = ev->record;
        c.line = ev->line;
        c.source_gen = e->source_gen;
    }
    if (!c.logsource.product.n && !c.logsource.ncategory && !c.logsource.service.n)
        c.logsource = ev->logsource;
    c.id = 0;
    return batch_add_detection(e->b, &c);
}

/* The worker's parser for the batch's format, set up for its source: header
 * formats need the header lines seen before the block, syslog the file's
 * time (the year of RFC 3164 dates). */
static tr_parser *parser_for(worker *w, hunt *h, batch *b, hsrc *s, const char **why)
{
    tr_format f = s->format;
    uint64_t epoch = b->headers ? b->headers->epoch : 0;
    bool per_source = s->header_format || f == TR_FMT_SYSLOG;
    tr_parser *p = w->parser[f];
    if (p && (!per_source || (w->parser_src[f] == b->src && w->parser_epoch[f] == epoch)))
        return p;
    tr_parser_free(p);
    w->parser[f] = NULL;
    tr_parse_opts po = h->cfg->reader.parse;
    if (!po.ref_time)
        po.ref_time = s->mtime;
    if (tr_parser_new(f, &po, &p)) {
        *why = "no decoder for this format";
        return NULL;
    }
    if (s->header_format && b->headers) {
        /* replay the header lines seen before this block */
        const char *q = b->headers->lines.p, *end = q + b->headers->lines.n;
        tr_arena_reset(w->arena);
        while (q < end) {
            const char *nl = memchr(q, '\n', (size_t)(end - q));
            size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
            tr_event_reset(&w->ev);
            (void)tr_parser_parse(p, (tr_str){ q, n }, &w->ev);
            q += n + 1;
        }
    }
    w->parser[f] = p;
    w->parser_src[f] = b->src;
    w->parser_epoch[f] = epoch;
    return p;
}

static tr_str tenant_from_field(worker *w, const char *name)
{
    const tr_field *f = tr_event_find(&w->ev, tr_str_c(name));
    tr_str v = { NULL, 0 };
    if (f && f->kind != TR_VNULL && tr_field_value(f, w->arena, &v) != TR_OK)
        v = (tr_str){ NULL, 0 };
    return v;
}

/* Formats whose parser carries nothing from one record to the next but
 * header lines (which are always parsed): a record may be left unparsed
 * without changing how later ones parse. Not syslog (the year of RFC 3164
 * dates follows the months of earlier lines), auditd, EVTX. */
static bool parse_is_stateless(tr_format f)
{
    return tr_format_is_json(f) || f == TR_FMT_ZEEK || f == TR_FMT_COMBINED || f == TR_FMT_W3C;
}

/* Runs the matchers' block filters; true when a record that none marks
 * may be left unparsed. */
static bool filter_block(worker *w, hunt *h, batch *b, tr_format fmt)
{
    const tr_hunt_config *cfg = h->cfg;
    bool all = cfg->nmatchers > 0;
    for (size_t m = 0; m < cfg->nmatchers; m++) {
        const tr_matcher *mt = &cfg->matchers[m];
        w->filtered[m] = mt->block_filter && b->block.nrecs &&
                         mt->block_filter(mt->ctx, w->scratch[m], fmt, &b->block,
                                          w->may_match + m * h->maxrecs);
        all &= w->filtered[m];
    }
    return all && parse_is_stateless(fmt);
}

/* Whether some matcher may match record i (given filter_block's marks). */
static bool record_wanted(const worker *w, const hunt *h, size_t i)
{
    for (size_t m = 0; m < h->cfg->nmatchers; m++)
        if (!w->filtered[m] || w->may_match[m * h->maxrecs + i])
            return true;
    return false;
}

static void process(worker *w, batch *b)
{
    hunt *h = w->h;
    const tr_hunt_config *cfg = h->cfg;
    hsrc *s = &h->srcs[b->src];
    double t0 = now_s();
    const char *why = NULL;
    tr_parser *p = b->block.nrecs ? parser_for(w, h, b, s, &why) : NULL;
    if (b->block.nrecs && !p) {
        batch_diag(b, s->path, 0, "%s (%s)", why, tr_format_name(s->format));
        b->rejected += b->block.nrecs;
        goto out;
    }
    uint64_t record = b->first_record;
    tr_event *ev = &w->ev;
    tr_hunt_emit em = { .b = b, .ev = ev, .source_gen = s->source_gen };
    bool may_skip = filter_block(w, h, b, s->format);
    for (size_t i = 0; i < b->block.nrecs; i++) {
        const tr_record *r = &b->block.recs[i];
        bool header = r->status == TR_OK && tr_format_header_line(s->format, r->data);
        if (r->status != TR_OK) {
            b->rejected++;
            batch_diag(b, s->path, r->line, "%s", tr_source_status_msg(s->src, r->status));
            record++;
            continue;
        }
        if (may_skip && !header && r->data.n && !record_wanted(w, h, i)) {
            b->unparsed++;
            record++;
            continue;
        }
        tr_arena_reset(w->arena);
        tr_event_reset(ev);
        ev->path = (tr_str){ s->path, s->path_len };
        ev->line = r->line;
        ev->offset = r->offset;
        ev->record = header ? record : record++;
        ev->tenant = s->tenant;
        tr_err e = tr_parser_parse(p, r->data, ev);
        if (e == TR_ESKIP || header)
            continue;
        if (e) {
            b->rejected++;
            batch_diag(b, s->path, r->line, "%s", tr_parser_errmsg(p));
            continue;
        }
        b->events++;
        if (ev->truncated)
            b->truncated++;
        if (cfg->tenant_field) {
            tr_str t = tenant_from_field(w, cfg->tenant_field);
            if (t.n)
                ev->tenant = t;
        }
        if (cfg->route)
            cfg->route(cfg->route_ctx, ev);
        for (size_t m = 0; m < cfg->nmatchers; m++) {
            const tr_matcher *mt = &cfg->matchers[m];
            if (w->filtered[m] && !w->may_match[m * h->maxrecs + i])
                continue; /* its block filter says it cannot match this record */
            tr_err se = mt->scan(mt->ctx, w->scratch[m], ev, &em);
            if (se == TR_ELIMIT && b->dropped) {
                continue;
            }
            if (se) {
                b->scan_errors++;
                batch_diag(b, s->path, r->line, "%s: %s", mt->name, tr_strerror(se));
            }
        }
    }
out:
    b->seconds = now_s() - t0;
}

/* ---------------------------------------------------------------- emitting */

static void print_diags(hunt *h, hsrc *s, batch *b)
{
    uint32_t max = h->cfg->max_errors_per_source ? h->cfg->max_errors_per_source : 20;
    const char *q = b->diag.p, *end = q ? q + b->diag.n : NULL;
    while (q && q < end) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t n = nl ? (size_t)(nl - q) + 1 : (size_t)(end - q);
        s->diag_total++;
        if (s->diag_printed < max) {
            s->diag_printed++;
            tr_progress_clear(&h->progress);
            fwrite(q, 1, n, stderr);
        }
        q += n;
    }
}

/* Emits one batch (called with the emit lock held, not the hunt lock). */
static tr_err emit_batch(hunt *h, batch *b)
{
    hsrc *s = &h->srcs[b->src];
    const tr_hunt_config *cfg = h->cfg;
    print_diags(h, s, b);
    sinks_out out = { cfg, h->st, TR_OK };
    tr_err oe = sinks_out_batch(&out, b->dets.v, b->dets.n);
    if (oe)
        return oe;
    if (b->dropped) {
        tr_progress_clear(&h->progress);
        tr_log_at(TR_LOG_ERROR, s->path, 0,
                  "%" PRIu64 " detections lost: the output of one block exceeded its limit",
                  b->dropped);
    }
    tr_hunt_stats *st = h->st;
    st->events += b->events;
    st->rejected += b->rejected;
    st->truncated += b->truncated;
    st->scan_errors += b->scan_errors;
    st->unparsed += b->unparsed;
    st->bytes += b->block.len;
    if (s->opened && !s->skip && s->src) {
        tr_hunt_format_stats *fs = &st->by_format[s->format];
        if (!s->counted_format) {
            fs->files++;
            s->counted_format = true;
        }
        fs->events += b->events;
        fs->rejected += b->rejected;
        fs->seconds += b->seconds;
        fs->bytes += b->block.len;
    }
    if (b->read_failed) {
        tr_progress_clear(&h->progress);
        if (strncmp(b->read_error, s->path, strlen(s->path)) == 0)
            tr_log(TR_LOG_ERROR, "%s", b->read_error);
        else
            tr_log_at(TR_LOG_ERROR, s->path, 0, "%s", b->read_error);
    }
    if (cfg->checkpoint && s->src && !s->skip && !b->read_failed) {
        tr_checkpoint cp = { s->path, s->source_gen, b->end_offset, b->end_line, b->end_record,
                             b->eof, b->end_raw };
        tr_err e = cfg->checkpoint(cfg->store_ctx, &cp);
        if (e)
            return e;
    }
    return TR_OK;
}

/* Source finished emitting: summary line and bookkeeping. */
static void finish_source(hunt *h, hsrc *s)
{
    tr_hunt_stats *st = h->st;
    if (s->skip) {
        st->sources_skipped++;
        return;
    }
    st->sources++;
    if (s->failed)
        st->sources_failed++;
    if (s->diag_total > s->diag_printed) {
        tr_progress_clear(&h->progress);
        tr_log_at(TR_LOG_WARN, s->path, 0, "%" PRIu64 " more malformed records not shown",
                  s->diag_total - s->diag_printed);
    }
    snap_release(s->headers);
    s->headers = NULL;
    tr_source_free(s->src);
    s->src = NULL;
}

static batch *find_done(hunt *h)
{
    if (h->emit_src >= h->nsrcs)
        return NULL;
    hsrc *s = &h->srcs[h->emit_src];
    for (unsigned i = 0; i < h->nbatches; i++) {
        batch *b = h->all[i];
        if (b->state == BATCH_DONE && b->src == h->emit_src && b->seq == s->next_emit)
            return b;
    }
    return NULL;
}

static void release_batch(hunt *h, batch *b)
{
    snap_release(b->headers);
    b->headers = NULL;
    b->state = BATCH_FREE;
    b->next = h->free_list;
    h->free_list = b;
    h->nfree++;
}

/* Emits everything that is next in order. Called without the hunt lock. */
static void try_emit(hunt *h)
{
    for (;;) {
        if (pthread_mutex_trylock(&h->emit_lock) != 0)
            return;
        for (;;) {
            pthread_mutex_lock(&h->lock);
            batch *b = h->fatal ? NULL : find_done(h);
            pthread_mutex_unlock(&h->lock);
            if (!b)
                break;
            tr_err e = emit_batch(h, b);
            pthread_mutex_lock(&h->lock);
            hsrc *s = &h->srcs[b->src];
            s->next_emit++;
            bool last = b->eof;
            h->raw_read += b->raw_bytes;
            if (e && !h->fatal) {
                h->fatal = true;
                h->fatal_err = e;
            }
            release_batch(h, b);
            if (last) {
                finish_source(h, s);
                h->emit_src++;
                if (h->emit_src >= h->nsrcs)
                    h->done = true;
            }
            pthread_cond_broadcast(&h->cond);
            pthread_mutex_unlock(&h->lock);
        }
        pthread_mutex_unlock(&h->emit_lock);
        /* a batch may have become ready between our last look and the unlock */
        pthread_mutex_lock(&h->lock);
        bool more = !h->fatal && find_done(h) != NULL;
        pthread_mutex_unlock(&h->lock);
        if (!more)
            return;
    }
}

/* ------------------------------------------------------------- scheduling */

/* A source to read next, or NULL. Called with the hunt lock held. */
static hsrc *pick_source(hunt *h)
{
    if (h->nfree == 0)
        return NULL;
    while (h->next_read < h->nsrcs && h->srcs[h->next_read].eof)
        h->next_read++;
    for (size_t i = h->next_read; i < h->nsrcs; i++) {
        hsrc *s = &h->srcs[i];
        if (s->eof || s->reading)
            continue;
        /* Keep a batch per worker for the first source not fully read: it is
         * emitted next, and batches of later sources wait for it. Keeping
         * just one let those fill every other batch, after which its blocks
         * were read and processed one at a time while the other workers
         * idled. */
        if (i != h->next_read && h->nfree <= h->reserve)
            return NULL;
        /* read ahead on at most a few sources at a time */
        if (i > h->next_read + h->nbatches)
            return NULL;
        return s;
    }
    return NULL;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    hunt *h = w->h;
    double cpu0 = thread_cpu_s();
    pthread_mutex_lock(&h->lock);
    for (;;) {
        if (h->done || h->fatal)
            break;
        if (h->ready_head) {
            batch *b = h->ready_head;
            h->ready_head = b->next;
            if (!h->ready_head)
                h->ready_tail = NULL;
            b->state = BATCH_PROCESSING;
            pthread_mutex_unlock(&h->lock);
            process(w, b);
            pthread_mutex_lock(&h->lock);
            b->state = BATCH_DONE;
            pthread_mutex_unlock(&h->lock);
            try_emit(h);
            pthread_mutex_lock(&h->lock);
            continue;
        }
        hsrc *s = pick_source(h);
        if (s) {
            batch *b = h->free_list;
            h->free_list = b->next;
            h->nfree--;
            s->reading = true;
            b->src = (size_t)(s - h->srcs);
            b->seq = s->next_seq++;
            b->state = BATCH_PROCESSING; /* owned by this reader */
            pthread_mutex_unlock(&h->lock);
            read_block(h, s, b);
            pthread_mutex_lock(&h->lock);
            s->reading = false;
            if (b->eof)
                s->eof = true;
            b->state = BATCH_READY;
            b->next = NULL;
            if (h->ready_tail)
                h->ready_tail->next = b;
            else
                h->ready_head = b;
            h->ready_tail = b;
            pthread_cond_broadcast(&h->cond);
            continue;
        }
        w->waits++;
        pthread_cond_wait(&h->cond, &h->lock);
    }
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
    w->cpu = thread_cpu_s() - cpu0;
    return NULL;
}

/* ------------------------------------------------------------------ setup */

static unsigned cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

static tr_err worker_init(worker *w, hunt *h)
{
    w->h = h;
    w->fields = tr_malloc(HUNT_MAX_FIELDS * sizeof(tr_field));
    w->arena = tr_arena_new(256 * 1024, HUNT_EVENT_ARENA_CAP);
    w->scratch = tr_calloc(h->cfg->nmatchers ? h->cfg->nmatchers : 1, sizeof(void *));
    w->filtered = tr_calloc(h->cfg->nmatchers ? h->cfg->nmatchers : 1, sizeof(bool));
    bool any_filter = false;
    for (size_t m = 0; m < h->cfg->nmatchers; m++)
        any_filter |= h->cfg->matchers[m].block_filter != NULL;
    if (any_filter)
        w->may_match = tr_malloc(h->cfg->nmatchers * h->maxrecs);
    if (!w->fields || !w->arena || !w->scratch || !w->filtered || (any_filter && !w->may_match))
        return TR_ENOMEM;
    tr_event_init(&w->ev, w->fields, HUNT_MAX_FIELDS, w->arena);
    for (size_t m = 0; m < h->cfg->nmatchers; m++) {
        const tr_matcher *mt = &h->cfg->matchers[m];
        if (mt->thread_new) {
            tr_err e = mt->thread_new(mt->ctx, &w->scratch[m]);
            if (e)
                return e;
        }
    }
    return TR_OK;
}

static void worker_release(worker *w)
{
    hunt *h = w->h;
    if (!h)
        return;
    for (size_t m = 0; w->scratch && m < h->cfg->nmatchers; m++)
        if (w->scratch[m] && h->cfg->matchers[m].thread_free)
            h->cfg->matchers[m].thread_free(w->scratch[m]);
    for (int f = 0; f < TR_FMT_COUNT; f++)
        tr_parser_free(w->parser[f]);
    tr_free(w->scratch);
    tr_free(w->filtered);
    tr_free(w->may_match);
    tr_free(w->fields);
    tr_arena_free(w->arena);
}

static void *progress_main(void *arg)
{
    hunt *h = arg;
    pthread_mutex_lock(&h->lock);
    while (!h->done && !h->fatal) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&h->cond, &h->lock, &ts);
        if (h->done || h->fatal)
            break;
        tr_progress_sample smp = { h->raw_read, h->raw_total, h->st->events,
                                   h->st->detections, h->emit_src, h->nsrcs };
        pthread_mutex_unlock(&h->lock);
        if (pthread_mutex_trylock(&h->emit_lock) == 0) {
            tr_progress_draw(&h->progress, &smp);
            pthread_mutex_unlock(&h->emit_lock);
            /* A worker whose try_emit found the emit lock held by us went
             * back to sleep: emit what finished meanwhile, or the last batch
             * would wait forever (a hang seen on a slow pipe under ASan). */
            try_emit(h);
        }
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

tr_err tr_hunt_run(const tr_hunt_config *cfg, const char *const *paths, size_t npaths,
                   tr_hunt_stats *st)
{
    memset(st, 0, sizeof(*st));
    double t0 = now_s();
    hunt h = { 0 };
    h.cfg = cfg;
    h.st = st;
    tr_err err = TR_OK;
    unsigned nthreads = cfg->threads ? cfg->threads : cpu_count();
    worker *ws = NULL;
    tr_pathlist files = { 0 };
    for (size_t i = 0; i < npaths; i++) {
        tr_err e = tr_pathlist_add(&files, paths[i]);
        if (e) {
            tr_log_at(TR_LOG_ERROR, paths[i], 0, "%s", tr_strerror(e));
            st->sources_failed++;
            if (e == TR_ENOMEM) {
                err = e;
                goto out;
            }
        }
    }
    h.nsrcs = files.n;
    h.srcs = tr_calloc(files.n ? files.n : 1, sizeof(hsrc));
    if (!h.srcs) {
        err = TR_ENOMEM;
        goto out;
    }
    bool size_unknown = false; /* stdin or a pipe: progress without a total */
    for (size_t i = 0; i < files.n; i++) {
        h.srcs[i].path = files.paths[i];
        h.srcs[i].path_len = strlen(files.paths[i]);
        struct stat sb;
        if (strcmp(files.paths[i], "-") != 0 && stat(files.paths[i], &sb) == 0 &&
            S_ISREG(sb.st_mode))
            h.raw_total += (uint64_t)sb.st_size;
        else
            size_unknown = true;
    }
    if (size_unknown)
        h.raw_total = 0;
    h.block_size = cfg->block_size ? cfg->block_size : (size_t)4 << 20;
    h.maxrecs = h.block_size / 32 + 16;
    h.nbatches = cfg->blocks_in_flight ? cfg->blocks_in_flight : 8 * nthreads;
    if (h.nbatches < 4)
        h.nbatches = 4;
    h.reserve = TR_MIN(nthreads, h.nbatches - 1);
    h.all = tr_calloc(h.nbatches, sizeof(batch *));
    if (!h.all) {
        err = TR_ENOMEM;
        goto out;
    }
    for (unsigned i = 0; i < h.nbatches; i++) {
        h.all[i] = batch_new(h.block_size, h.maxrecs);
        if (!h.all[i]) {
            err = TR_ENOMEM;
            goto out;
        }
        release_batch(&h, h.all[i]);
    }
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.cond, NULL);
    pthread_mutex_init(&h.emit_lock, NULL);
    tr_progress_init(&h.progress, cfg->progress);
    if (h.nsrcs == 0)
        h.done = true;
    ws = tr_calloc(nthreads, sizeof(worker));
    if (!ws) {
        err = TR_ENOMEM;
        goto out_sync;
    }
    for (unsigned i = 0; i < nthreads; i++) {
        err = worker_init(&ws[i], &h);
        if (err)
            goto out_sync;
    }
    pthread_t prog;
    bool have_prog = cfg->progress && pthread_create(&prog, NULL, progress_main, &h) == 0;
    unsigned started = 0;
    for (unsigned i = 1; i < nthreads; i++) {
        if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0)
            break;
        started++;
    }
    worker_main(&ws[0]); /* the calling thread works too */
    for (unsigned i = 1; i <= started; i++)
        pthread_join(ws[i].tid, NULL);
    for (unsigned i = 0; i <= started && i < TR_HUNT_THREAD_STATS; i++) {
        st->thread_cpu[i] = ws[i].cpu;
        st->thread_waits[i] = ws[i].waits;
        st->threads = i + 1;
    }
    if (have_prog) {
        pthread_mutex_lock(&h.lock);
        h.done = true;
        pthread_cond_broadcast(&h.cond);
        pthread_mutex_unlock(&h.lock);
        pthread_join(prog, NULL);
    }
    tr_progress_clear(&h.progress);
    if (h.fatal) {
        err = h.fatal_err;
    } else {
        sinks_out out = { cfg, h.st, TR_OK };
        err = sinks_out_finish(&out);
    }
    for (size_t i = 0; !err && i < cfg->nsinks; i++)
        err = tr_sink_flush(cfg->sinks[i]);
out_sync:
    if (ws)
        for (unsigned i = 0; i < nthreads; i++)
            worker_release(&ws[i]);
    tr_free(ws);
    pthread_mutex_destroy(&h.lock);
    pthread_cond_destroy(&h.cond);
    pthread_mutex_destroy(&h.emit_lock);
out:
    for (size_t i = 0; i < h.nsrcs; i++) {
        tr_source_free(h.srcs[i].src);
        snap_release(h.srcs[i].headers);
    }
    for (unsigned i = 0; h.all && i < h.nbatches; i++)
        batch_free(h.all[i]);
    tr_free(h.all);
    tr_free(h.srcs);
    tr_pathlist_release(&files);
    st->seconds = now_s() - t0;
    return err;
}

void tr_hunt_stats_print(const tr_hunt_stats *st, FILE *f)
{
    double secs = st->seconds > 0 ? st->seconds : 1e-9;
    fprintf(f,
            "trawl: %" PRIu64 " sources (%" PRIu64 " failed, %" PRIu64 " unchanged), %.1f MB, %" PRIu64
            " events, %" PRIu64 " rejected records, %" PRIu64 " detections (sigma %" PRIu64
            ", ioc %" PRIu64 ", correlation %" PRIu64 ") in %.2f s: %.1f MB/s, %.0f events/s\n",
            st->sources, st->sources_failed, st->sources_skipped, (double)st->bytes / 1e6,
            st->events, st->rejected, st->detections, st->by_kind[TR_DET_SIGMA],
            st->by_kind[TR_DET_IOC], st->by_kind[TR_DET_CORRELATION], st->seconds,
            (double)st->bytes / 1e6 / secs, (double)st->events / secs);
    for (int i = 0; i < TR_FMT_COUNT; i++) {
        const tr_hunt_format_stats *fs = &st->by_format[i];
        if (!fs->files)
            continue;
        double ws = fs->seconds > 0 ? fs->seconds : 1e-9;
        fprintf(f,
                "trawl:   %-10s %5" PRIu64 " files %10.1f MB %12" PRIu64 " events %8" PRIu64
                " rejected  %8.1f MB/s per thread\n",
                tr_format_name((tr_format)i), fs->files, (double)fs->bytes / 1e6, fs->events,
                fs->rejected, (double)fs->bytes / 1e6 / ws);
    }
    if (st->threads) {
        double total = 0, most = 0;
        uint64_t waits = 0;
        for (uint32_t i = 0; i < st->threads; i++) {
            total += st->thread_cpu[i];
            most = TR_MAX(most, st->thread_cpu[i]);
            waits += st->thread_waits[i];
        }
        fprintf(f,
                "trawl:   threads %3u: %.2f s CPU in all, %.2f s in the busiest, %" PRIu64
                " waits for work;",
                st->threads, total, most, waits);
        for (uint32_t i = 0; i < st->threads && i < 8; i++)
            fprintf(f, " %.2f", st->thread_cpu[i]);
        fprintf(f, "%s s\n", st->threads > 8 ? " …" : "");
    }
    if (st->unparsed)
        fprintf(f, "trawl: %" PRIu64 " lines without any indicator text, not parsed (malformed "
                   "ones among them are not reported; with --no-ioc-prefilter every line is parsed)\n",
                st->unparsed);
    if (st->truncated)
        fprintf(f, "trawl: %" PRIu64 " events had more fields than the limit (%d); extra fields "
                   "were ignored\n", st->truncated, HUNT_MAX_FIELDS);
    if (st->scan_errors)
        fprintf(f, "trawl: %" PRIu64 " matcher errors (see messages above)\n", st->scan_errors);
}
