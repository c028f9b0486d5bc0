/*
 * kafka_hunt.c - a hunt worker in a Kafka consumer group (trawl/kafka.h).
 *
 * The calling thread is the consumer: it polls messages, cuts them into
 * batches (zero-copy: a batch holds the librdkafka messages themselves) and
 * hands them to worker threads, which parse, route and match each message
 * as one record. Batches are numbered as they are cut and emitted to the
 * sinks strictly in that order, by whichever thread holds the emit lock, so
 * detections of a partition reach the sinks in offset order whatever the
 * number of threads. The emitter advances each partition's "emitted"
 * watermark; the consumer then, every commit interval, flushes the sinks
 * (everything emitted becomes durable) and commits the watermarks. An
 * offset is therefore never committed before the detections of the
 * messages before it are durable: at-least-once delivery, with the store
 * removing the repeats by detection id.
 *
 * A rebalance is handled in the rebalance callback, on the consumer thread:
 * before partitions are revoked, the batch being cut is sealed, every batch
 * in flight is emitted, the sinks are flushed and the offsets committed;
 * only then are the partitions given up. A worker that dies without doing
 * this (SIGKILL, OOM) leaves its uncommitted messages to the next owner,
 * which redoes them and gets the same detection ids.
 *
 * Memory is bounded by the number of batches (4 per thread, at least 4):
 * when all are in flight the consumer stops polling until one is free.
 */
#include "core/common.h"

#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "core/hash.h"
#include "core/vec.h"
#include "input/kafka_client.h"
#include "pipeline/batch.h"
#include "trawl/arena.h"
#include "trawl/kafka.h"
#include "trawl/log.h"
#include "trawl/parse.h"

#define KH_MAX_FIELDS 2048
#define KH_EVENT_ARENA_CAP ((size_t)64 << 20)
#define KH_PARSERS 8             /* parsers cached per worker (formats × header sets) */
#define KH_BATCH_BYTES ((size_t)4 << 20)
#define KH_BATCH_AGE_S 0.05      /* a partial batch is handed over after this long */
#define KH_HOUR_MS 3600000LL

typedef struct kpart {
    char *path;          /* "kafka:<topic>/<partition>": the detections' path */
    int32_t partition;
    int64_t emitted;     /* offset after the last message whose detections reached the sinks;
                            -1 none (emit lock) */
    int64_t committed;   /* offset last committed (consumer thread); -1 none */
    bool assigned;       /* consumer thread */
    bool eof;            /* consumer thread: the last event was the end of the partition */
    uint64_t diag_total; /* malformed messages (atomic) */
} kpart;

typedef struct ktopic {
    char *name;
    const rd_kafka_topic_t *rkt; /* handle last seen with this name (lookup cache) */
    tr_format format;            /* TR_FMT_AUTO until detected */
    bool told;                   /* "cannot detect" was reported */
    TR_VEC(kpart *) parts;       /* by partition number (NULL: never seen) */
} ktopic;

typedef struct kmsg {
    rd_kafka_message_t *m;
    kpart *part;
    tr_format format;            /* the topic's format when batched (AUTO: undetected) */
} kmsg;

enum { KB_FREE = 0, KB_FILLING, KB_READY, KB_PROCESSING, KB_DONE };

typedef struct kbatch {
    struct kbatch *next;
    int state;
    uint64_t seq;
    kmsg *msgs;
    size_t n, cap;
    size_t bytes;
    double opened;               /* when its first message was added */
    batch *out;                  /* detections, diagnostics, counters */
    uint64_t fmt_events[TR_FMT_COUNT], fmt_bytes[TR_FMT_COUNT], fmt_rejected[TR_FMT_COUNT];
    uint64_t skipped;            /* header lines sent as messages */
} kbatch;

typedef struct kparser {
    tr_parser *p;
    tr_format fmt;
    uint64_t key;                /* header-lines hash, syslog reference hour, else 0 */
    uint64_t used;               /* LRU clock */
} kparser;

typedef struct khunt khunt;

typedef struct kworker {
    khunt *h;
    pthread_t tid;
    tr_field *fields;
    tr_arena *arena;
    tr_event ev;
    void **scratch;              /* one per matcher */
    kparser parsers[KH_PARSERS];
    uint64_t clock;
} kworker;

struct khunt {
    const tr_kafka_hunt_config *kcfg;
    const tr_hunt_config *cfg;
    rd_kafka_t *rk;
    kc_state kc;
    bool cooperative;
    pthread_mutex_t lock;        /* queues, states, counters below */
    pthread_cond_t cond;
    pthread_mutex_t emit_lock;   /* sinks, watermarks, emitted stats */
    kbatch *all;
    unsigned nbatches;
    kbatch *free_list;
    kbatch *ready_head, *ready_tail;
    kbatch *cur;                 /* being filled (consumer thread) */
    uint64_t next_seq, next_emit;
    unsigned inflight;           /* sealed and not yet emitted */
    bool done, fatal;
    tr_err fatal_err;
    TR_VEC(ktopic *) topics;     /* consumer thread */
    uint32_t max_batch;
    uint32_t max_diag;
    tr_kafka_hunt_stats *st;
    double last_commit;
    double first_message, last_emit; /* for busy_seconds */
    tr_buf detect;               /* scratch for format detection */
};

static bool is_fatal(khunt *h)
{
    pthread_mutex_lock(&h->lock);
    bool f = h->fatal;
    pthread_mutex_unlock(&h->lock);
    return f;
}

static void set_fatal(khunt *h, tr_err e)
{
    pthread_mutex_lock(&h->lock);
    if (!h->fatal) {
        h->fatal = true;
        h->fatal_err = e;
    }
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
}

/* ---------------------------------------------------------- topics, partitions */

static ktopic *topic_named(khunt *h, const char *name)
{
    for (size_t i = 0; i < h->topics.n; i++)
        if (strcmp(h->topics.v[i]->name, name) == 0)
            return h->topics.v[i];
    ktopic *t = tr_calloc(1, sizeof(*t));
    if (!t || !(t->name = tr_strndup(name, strlen(name))) || !TR_VEC_PUSH(&h->topics, t)) {
        if (t)
            tr_free(t->name);
        tr_free(t);
        return NULL;
    }
    t->format = h->cfg->reader.format;
    return t;
}

static ktopic *topic_of(khunt *h, const rd_kafka_topic_t *rkt)
{
    for (size_t i = 0; i < h->topics.n; i++)
        if (h->topics.v[i]->rkt == rkt)
            return h->topics.v[i];
    ktopic *t = topic_named(h, rd_kafka_topic_name(rkt));
    if (t)
        t->rkt = rkt;
    return t;
}

static kpart *part_of(ktopic *t, int32_t partition)
{
    if (partition < 0)
        return NULL;
    size_t i = (size_t)partition;
    while (t->parts.n <= i)
        if (!TR_VEC_PUSH(&t->parts, NULL))
            return NULL;
    if (t->parts.v[i])
        return t->parts.v[i];
    kpart *p = tr_calloc(1, sizeof(*p));
    char path[512];
    int n = snprintf(path, sizeof(path), "kafka:%s/%" PRId32, t->name, partition);
    if (!p || !(p->path = tr_strndup(path, (size_t)n))) {
        tr_free(p);
        return NULL;
    }
    p->partition = partition;
    p->emitted = p->committed = -1;
    t->parts.v[i] = p;
    return p;
}

static void topics_free(khunt *h)
{
    for (size_t i = 0; i < h->topics.n; i++) {
        ktopic *t = h->topics.v[i];
        for (size_t k = 0; k < t->parts.n; k++) {
            if (t->parts.v[k])
                tr_free(t->parts.v[k]->path);
            tr_free(t->parts.v[k]);
        }
        TR_VEC_FREE(&t->parts);
        tr_free(t->name);
        tr_free(t);
    }
    TR_VEC_FREE(&h->topics);
}

/* ------------------------------------------------------------ message parts */

static tr_str header_value(rd_kafka_message_t *m, const char *name)
{
    rd_kafka_headers_t *hdrs;
    const void *v;
    size_t n;
    if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        rd_kafka_header_get_last(hdrs, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR || !v)
        return (tr_str){ NULL, 0 };
    return (tr_str){ v, n };
}

/* The record of a message: its payload without a trailing line break. */
static tr_str message_record(const rd_kafka_message_t *m)
{
    tr_str r = { m->payload, m->payload ? m->len : 0 };
    while (r.n && (r.p[r.n - 1] == '\n' || r.p[r.n - 1] == '\r'))
        r.n--;
    return r;
}

/* Detects the format of t from message m (consumer thread). */
static tr_format detect_format(khunt *h, ktopic *t, rd_kafka_message_t *m)
{
    tr_str rec = message_record(m);
    tr_str hdr = header_value(m, TR_KAFKA_HEADER_LINES);
    tr_buf_reset(&h->detect);
    if (hdr.n && (tr_buf_append(&h->detect, hdr.p, hdr.n) || tr_buf_putc(&h->detect, '\n')))
        return TR_FMT_AUTO;
    if (tr_buf_append(&h->detect, rec.p, TR_MIN(rec.n, (size_t)4096)) ||
        tr_buf_putc(&h->detect, '\n'))
        return TR_FMT_AUTO;
    tr_format f = rec.n ? tr_format_detect(h->detect.p, h->detect.n, NULL) : TR_FMT_COUNT;
    if (f == TR_FMT_COUNT || f == TR_FMT_AUTO || f == TR_FMT_EVTX)
        return TR_FMT_AUTO;
    t->format = f;
    tr_info("kafka: topic %s: %s records", t->name, tr_format_name(f));
    return f;
}

/* -------------------------------------------------------------- processing */

static tr_parser *parser_for(kworker *w, tr_format f, tr_str hdr, int64_t ts_ms, const char **why)
{
    const tr_hunt_config *cfg = w->h->cfg;
    bool header_fmt = tr_format_header_line(f, TR_STR("#"));
    uint64_t key = 0;
    if (header_fmt)
        key = hdr.n ? tr_hash64(hdr.p, hdr.n, 0x6b686472) : 1;
    else if (f == TR_FMT_SYSLOG && !cfg->reader.parse.ref_time && ts_ms > 0)
        key = (uint64_t)((ts_ms + KH_HOUR_MS - 1) / KH_HOUR_MS); /* ceiling to the hour */
    w->clock++;
    kparser *slot = &w->parsers[0];
    for (int i = 0; i < KH_PARSERS; i++) {
        kparser *k = &w->parsers[i];
        if (k->p && k->fmt == f && k->key == key) {
            k->used = w->clock;
            return k->p;
        }
        if (!k->p || k->used < slot->used)
            slot = k;
        if (!k->p)
            slot = k;
    }
    tr_parser_free(slot->p);
    slot->p = NULL;
    tr_parse_opts po = cfg->reader.parse;
    if (key && f == TR_FMT_SYSLOG)
        po.ref_time = (int64_t)key * KH_HOUR_MS * 1000000;
    tr_parser *p;
    if (tr_parser_new(f, &po, &p)) {
        *why = "no decoder for this format";
        return NULL;
    }
    /* header formats: the file's header lines, from the message header */
    const char *q = hdr.p, *end = hdr.p + hdr.n;
    while (q && q < end) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
        tr_arena_reset(w->arena);
        tr_event_reset(&w->ev);
        (void)tr_parser_parse(p, (tr_str){ q, n }, &w->ev);
        q += n + 1;
    }
    *slot = (kparser){ p, f, key, w->clock };
    return p;
}

static void reject(khunt *h, kbatch *kb, const kmsg *km, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reject(khunt *h, kbatch *kb, const kmsg *km, const char *fmt, ...)
{
    kb->out->rejected++;
    kb->fmt_rejected[km->format]++;
    uint64_t n = __atomic_fetch_add(&km->part->diag_total, 1, __ATOMIC_RELAXED);
    if (n >= h->max_diag)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    batch_diag(kb->out, km->part->path, 0, "offset %" PRId64 ": %s", km->m->offset, msg);
}

static tr_str tenant_from_field(kworker *w, const char *name)
{
    const tr_field *f = tr_event_find(&w->ev, tr_str_c(name));
    tr_str v = { NULL, 0 };
    if (f && f->kind != TR_VNULL && tr_field_value(f, w->arena, &v) != TR_OK)
        v = (tr_str){ NULL, 0 };
    return v;
}

static void process_message(kworker *w, kbatch *kb, const kmsg *km)
{
    khunt *h = w->h;
    const tr_hunt_config *cfg = h->cfg;
    rd_kafka_message_t *m = km->m;
    tr_str rec = message_record(m);
    if (km->format == TR_FMT_AUTO) {
        reject(h, kb, km, "the format of this topic is not detected yet (give --input-format)");
        return;
    }
    size_t max = cfg->reader.max_record ? cfg->reader.max_record : (size_t)16 << 20;
    if (rec.n > max) {
        reject(h, kb, km, "record of %zu bytes exceeds the limit (%zu)", rec.n, max);
        return;
    }
    kb->fmt_bytes[km->format] += m->len;
    if (tr_format_header_line(km->format, rec)) {
        kb->skipped++; /* header lines belong in the trawl-header message header */
        return;
    }
    tr_str hdr = tr_format_header_line(km->format, TR_STR("#"))
                     ? header_value(m, TR_KAFKA_HEADER_LINES)
                     : (tr_str){ NULL, 0 };
    rd_kafka_timestamp_type_t tstype;
    int64_t ts_ms = rd_kafka_message_timestamp(m, &tstype);
    const char *why = NULL;
    tr_parser *p = parser_for(w, km->format, hdr, ts_ms, &why);
    if (!p) {
        reject(h, kb, km, "%s (%s)", why, tr_format_name(km->format));
        return;
    }
    tr_event *ev = &w->ev;
    tr_arena_reset(w->arena);
    tr_event_reset(ev);
    ev->path = tr_str_c(km->part->path);
    ev->record = (uint64_t)m->offset;
    ev->line = 0;
    ev->offset = 0;
    if (cfg->tenant)
        ev->tenant = tr_str_c(cfg->tenant);
    else if (m->key_len)
        ev->tenant = (tr_str){ m->key, m->key_len };
    else
        ev->tenant = header_value(m, TR_KAFKA_HEADER_TENANT);
    tr_err e = tr_parser_parse(p, rec, ev);
    if (e == TR_ESKIP) {
        kb->skipped++;
        return;
    }
    if (e) {
        reject(h, kb, km, "%s", tr_parser_errmsg(p));
        return;
    }
    kb->out->events++;
    kb->fmt_events[km->format]++;
    if (ev->truncated)
        kb->out->truncated++;
    if (cfg->tenant_field) {
        tr_str t = tenant_from_field(w, cfg->tenant_field);
        if (t.n)
            ev->tenant = t;
    }
    if (cfg->route)
        cfg->route(cfg->route_ctx, ev);
    tr_hunt_emit em = { .b = kb->out, .ev = ev, .source_gen = 0 };
    for (size_t i = 0; i < cfg->nmatchers; i++) {
        const tr_matcher *mt = &cfg->matchers[i];
        tr_err se = mt->scan(mt->ctx, w->scratch[i], ev, &em);
        if (se == TR_ELIMIT && kb->out->dropped)
            continue;
        if (se) {
            kb->out->scan_errors++;
            batch_diag(kb->out, km->part->path, 0, "offset %" PRId64 ": %s: %s", m->offset,
                       mt->name, tr_strerror(se));
        }
    }
}

static void process(kworker *w, kbatch *kb)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (size_t i = 0; i < kb->n; i++)
        process_message(w, kb, &kb->msgs[i]);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    kb->out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

/* ---------------------------------------------------------------- emitting */

typedef struct add_ctx {
    khunt *h;
    tr_err err;
} add_ctx;

static tr_err sinks_write(khunt *h, const tr_detection *d)
{
    for (size_t i = 0; i < h->cfg->nsinks; i++) {
        tr_err e = tr_sink_write(h->cfg->sinks[i], d);
        if (e)
            return e;
    }
    h->st->hunt.detections++;
    if ((unsigned)d->kind < 3)
        h->st->hunt.by_kind[d->kind]++;
    return TR_OK;
}

static tr_err post_add(void *ctx, const tr_detection *nd)
{
    add_ctx *a = ctx;
    tr_detection c = *nd;
    if (!c.id)
        c.id = tr_detection_id(&c);
    tr_err e = (c.flags & TR_DET_INTERNAL) ? TR_OK : sinks_write(a->h, &c);
    if (e && !a->err)
        a->err = e;
    return e;
}

/* Emits one batch (emit lock held). */
static tr_err emit_batch(khunt *h, kbatch *kb)
{
    const tr_hunt_config *cfg = h->cfg;
    batch *b = kb->out;
    /* malformed records, one "trawl: kafka:T/P: offset N: reason" line each */
    for (const char *q = b->diag.p, *end = q + b->diag.n; q && q < end;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        size_t n = nl ? (size_t)(nl - q) : (size_t)(end - q);
        size_t skip = n >= 7 && memcmp(q, "trawl: ", 7) == 0 ? 7 : 0;
        tr_log(TR_LOG_WARN, "%.*s", (int)(n - skip), q + skip);
        q += n + 1;
    }
    add_ctx ac = { h, TR_OK };
    for (size_t i = 0; i < b->dets.n; i++) {
        const tr_detection *d = &b->dets.v[i];
        tr_err e = (d->flags & TR_DET_INTERNAL) ? TR_OK : sinks_write(h, d);
        if (e)
            return e;
        if (cfg->post && cfg->post->detection) {
            e = cfg->post->detection(cfg->post->ctx, d, post_add, &ac);
            if (e || ac.err)
                return e ? e : ac.err;
        }
    }
    if (b->dropped)
        tr_error("kafka: %" PRIu64 " detections lost: the output of one batch exceeded its "
                 "limit", b->dropped);
    tr_hunt_stats *st = &h->st->hunt;
    st->events += b->events;
    st->rejected += b->rejected;
    st->truncated += b->truncated;
    st->scan_errors += b->scan_errors;
    st->bytes += kb->bytes;
    for (int f = 0; f < TR_FMT_COUNT; f++) {
        st->by_format[f].events += kb->fmt_events[f];
        st->by_format[f].bytes += kb->fmt_bytes[f];
        st->by_format[f].rejected += kb->fmt_rejected[f];
    }
    h->last_emit = kc_now();
    /* the detections of these messages are in the sinks now */
    for (size_t i = 0; i < kb->n; i++) {
        kpart *p = kb->msgs[i].part;
        int64_t next = kb->msgs[i].m->offset + 1;
        if (next > p->emitted)
            p->emitted = next;
    }
    return TR_OK;
}

static void batch_release(khunt *h, kbatch *kb)
{
    for (size_t i = 0; i < kb->n; i++)
        rd_kafka_message_destroy(kb->msgs[i].m);
    kb->n = 0;
    kb->bytes = 0;
    kb->skipped = 0;
    memset(kb->fmt_events, 0, sizeof(kb->fmt_events));
    memset(kb->fmt_bytes, 0, sizeof(kb->fmt_bytes));
    memset(kb->fmt_rejected, 0, sizeof(kb->fmt_rejected));
    batch_reset(kb->out);
    kb->state = KB_FREE;
    kb->next = h->free_list;
    h->free_list = kb;
}

static kbatch *find_done(khunt *h)
{
    for (unsigned i = 0; i < h->nbatches; i++) {
        kbatch *kb = &h->all[i];
        if (kb->state == KB_DONE && kb->seq == h->next_emit)
            return kb;
    }
    return NULL;
}

/* Emits every batch that is next in order (hunt lock not held). After a
 * fatal error batches are released without reaching the sinks. */
static void try_emit(khunt *h)
{
    for (;;) {
        if (pthread_mutex_trylock(&h->emit_lock) != 0)
            return;
        for (;;) {
            pthread_mutex_lock(&h->lock);
            kbatch *kb = find_done(h);
            bool fatal = h->fatal;
            pthread_mutex_unlock(&h->lock);
            if (!kb)
                break;
            tr_err e = fatal ? TR_OK : emit_batch(h, kb);
            if (e)
                set_fatal(h, e);
            pthread_mutex_lock(&h->lock);
            h->next_emit++;
            batch_release(h, kb);
            h->inflight--;
            pthread_cond_broadcast(&h->cond);
            pthread_mutex_unlock(&h->lock);
        }
        pthread_mutex_unlock(&h->emit_lock);
        pthread_mutex_lock(&h->lock);
        bool more = find_done(h) != NULL;
        pthread_mutex_unlock(&h->lock);
        if (!more)
            return;
    }
}

static void *worker_main(void *arg)
{
    kworker *w = arg;
    khunt *h = w->h;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        if (h->ready_head) {
            kbatch *kb = h->ready_head;
            h->ready_head = kb->next;
            if (!h->ready_head)
                h->ready_tail = NULL;
            kb->state = KB_PROCESSING;
            bool fatal = h->fatal;
            pthread_mutex_unlock(&h->lock);
            if (!fatal)
                process(w, kb);
            pthread_mutex_lock(&h->lock);
            kb->state = KB_DONE;
            pthread_mutex_unlock(&h->lock);
            try_emit(h);
            pthread_mutex_lock(&h->lock);
            continue;
        }
        if (h->done)
            break;
        pthread_cond_wait(&h->cond, &h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* ------------------------------------------------------ batches (consumer) */

/* Hands the batch being filled to the workers. */
static void seal(khunt *h)
{
    kbatch *kb = h->cur;
    if (!kb)
        return;
    h->cur = NULL;
    pthread_mutex_lock(&h->lock);
    if (kb->n == 0) {
        kb->state = KB_FREE;
        kb->next = h->free_list;
        h->free_list = kb;
    } else {
        kb->seq = h->next_seq++;
        kb->state = KB_READY;
        kb->next = NULL;
        if (h->ready_tail)
            h->ready_tail->next = kb;
        else
            h->ready_head = kb;
        h->ready_tail = kb;
        h->inflight++;
    }
    pthread_cond_broadcast(&h->cond);
    pthread_mutex_unlock(&h->lock);
}

/* A batch to fill: waits (up to 100 ms) for a free one. NULL on timeout. */
static kbatch *fill_batch(khunt *h)
{
    if (h->cur)
        return h->cur;
    try_emit(h);
    pthread_mutex_lock(&h->lock);
    if (!h->free_list) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&h->cond, &h->lock, &ts);
    }
    kbatch *kb = h->free_list;
    if (kb) {
        h->free_list = kb->next;
        kb->state = KB_FILLING;
        kb->n = 0;
        h->cur = kb;
    }
    pthread_mutex_unlock(&h->lock);
    return kb;
}

/* Waits until every sealed batch has been emitted. */
static void drain(khunt *h)
{
    seal(h);
    for (;;) {
        try_emit(h);
        pthread_mutex_lock(&h->lock);
        bool idle = h->inflight == 0;
        if (!idle) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_nsec += 50000000;
            if (ts.tv_nsec >= 1000000000) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&h->cond, &h->lock, &ts);
        }
        pthread_mutex_unlock(&h->lock);
        if (idle)
            return;
    }
}

/* Adds a message to the batch being filled (consumer thread). Takes the
 * message; false when it cannot be kept (out of memory). */
static bool add_message(khunt *h, kbatch *kb, rd_kafka_message_t *m)
{
    ktopic *t = topic_of(h, m->rkt);
    kpart *p = t ? part_of(t, m->partition) : NULL;
    if (!p) {
        rd_kafka_message_destroy(m);
        return false;
    }
    p->eof = false;
    tr_format f = t->format;
    if (f == TR_FMT_AUTO) {
        f = detect_format(h, t, m);
        if (f == TR_FMT_AUTO && !t->told) {
            t->told = true;
            tr_warn("kafka: topic %s: cannot detect the format of its first records; they are "
                    "rejected until one is recognised (or give --input-format)", t->name);
        }
    }
    if (kb->n == 0) {
        kb->opened = kc_now();
        if (h->first_message == 0)
            h->first_message = kb->opened;
    }
    kb->msgs[kb->n++] = (kmsg){ m, p, f };
    kb->bytes += m->len;
    h->st->messages++;
    return true;
}

/* ----------------------------------------------------------- commit, rebalance */

/* Makes everything emitted durable, then commits the offsets (consumer
 * thread). sync waits for the broker's answer (rebalance, shutdown). */
static tr_err commit_durable(khunt *h, bool sync)
{
    h->last_commit = kc_now();
    pthread_mutex_lock(&h->emit_lock);
    tr_err e = TR_OK;
    for (size_t i = 0; !e && i < h->cfg->nsinks; i++)
        e = tr_sink_flush(h->cfg->sinks[i]);
    rd_kafka_topic_partition_list_t *l = NULL;
    if (!e) {
        for (size_t i = 0; i < h->topics.n; i++) {
            ktopic *t = h->topics.v[i];
            for (size_t k = 0; k < t->parts.n; k++) {
                kpart *p = t->parts.v[k];
                if (!p || !p->assigned || p->emitted <= p->committed)
                    continue;
                if (!l && !(l = rd_kafka_topic_partition_list_new(8))) {
                    e = TR_ENOMEM;
                    break;
                }
                rd_kafka_topic_partition_list_add(l, t->name, p->partition)->offset = p->emitted;
            }
        }
    }
    pthread_mutex_unlock(&h->emit_lock);
    try_emit(h); /* batches finished while we held the emit lock */
    if (e) {
        tr_error("kafka: cannot make the detections durable: %s; offsets not committed",
                 tr_strerror(e));
        set_fatal(h, e);
        if (l)
            rd_kafka_topic_partition_list_destroy(l);
        return e;
    }
    if (!l)
        return TR_OK;
    rd_kafka_resp_err_t ke = rd_kafka_commit(h->rk, l, sync ? 0 : 1);
    if (ke) {
        h->st->commit_failures++;
        kc_report(&h->kc, ke, "cannot commit offsets: %s; they are committed later, or the "
                  "partitions' next owner repeats those messages", rd_kafka_err2str(ke));
    } else if (sync) {
        for (int i = 0; i < l->cnt; i++) {
            ktopic *t = topic_named(h, l->elems[i].topic);
            kpart *p = t ? part_of(t, l->elems[i].partition) : NULL;
            if (p && !l->elems[i].err && l->elems[i].offset > p->committed)
                p->committed = l->elems[i].offset;
        }
        h->st->commits++;
    }
    rd_kafka_topic_partition_list_destroy(l);
    return TR_OK;
}

/* Result of an asynchronous commit (served by the consumer poll). */
static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk;
    khunt *h = ((kc_state *)opaque)->owner;
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
        h->st->commit_failures++;
        kc_report(&h->kc, err, "offset commit failed: %s; retried at the next commit",
                  rd_kafka_err2str(err));
        return;
    }
    for (int i = 0; offsets && i < offsets->cnt; i++) {
        ktopic *t = topic_named(h, offsets->elems[i].topic);
        kpart *p = t ? part_of(t, offsets->elems[i].partition) : NULL;
        if (p && !offsets->elems[i].err && offsets->elems[i].offset > p->committed)
            p->committed = offsets->elems[i].offset;
    }
    h->st->commits++;
}

static void list_parts(const rd_kafka_topic_partition_list_t *l, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < l->cnt && used + 1 < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s/%" PRId32, i ? " " : "", l->elems[i].topic,
                         l->elems[i].partition);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    khunt *h = ((kc_state *)opaque)->owner;
    char names[512];
    list_parts(parts, names, sizeof(names));
    h->st->rebalances++;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        for (int i = 0; i < parts->cnt; i++) {
            ktopic *t = topic_named(h, parts->elems[i].topic);
            kpart *p = t ? part_of(t, parts->elems[i].partition) : NULL;
            if (!p) {
                set_fatal(h, TR_ENOMEM);
                continue;
            }
            pthread_mutex_lock(&h->emit_lock);
            p->assigned = true;
            p->eof = false;
            p->emitted = p->committed = -1;
            pthread_mutex_unlock(&h->emit_lock);
            h->st->partitions++;
        }
        tr_info("kafka: assigned %d partitions: %s", parts->cnt, names);
        if (h->cooperative) {
            rd_kafka_error_t *ke = rd_kafka_incremental_assign(rk, parts);
            if (ke) {
                kc_report(&h->kc, rd_kafka_error_code(ke), "assign: %s",
                          rd_kafka_error_string(ke));
                rd_kafka_error_destroy(ke);
            }
        } else {
            rd_kafka_assign(rk, parts);
        }
        return;
    }
    /* revoked (or an error): finish and commit what we have, then let go */
    bool lost = err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS || rd_kafka_assignment_lost(rk);
    drain(h);
    if (lost) {
        /* offsets cannot be committed any more; flush so the next owner's
         * repeats find their detections already stored */
        pthread_mutex_lock(&h->emit_lock);
        for (size_t i = 0; i < h->cfg->nsinks; i++)
            if (tr_sink_flush(h->cfg->sinks[i]) != TR_OK)
                set_fatal(h, TR_ESTORE);
        pthread_mutex_unlock(&h->emit_lock);
        tr_warn("kafka: partitions lost (%s): %s; their next owner repeats the uncommitted "
                "messages", rd_kafka_err2str(err), names);
    } else {
        commit_durable(h, true);
        tr_info("kafka: revoked %d partitions: %s", parts->cnt, names);
    }
    for (int i = 0; i < parts->cnt; i++) {
        ktopic *t = topic_named(h, parts->elems[i].topic);
        kpart *p = t ? part_of(t, parts->elems[i].partition) : NULL;
        if (p)
            p->assigned = false;
    }
    if (h->cooperative && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        rd_kafka_error_t *ke = rd_kafka_incremental_unassign(rk, parts);
        if (ke)
            rd_kafka_error_destroy(ke);
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

/* --once: every assigned partition read to its end, nothing in flight. */
static bool all_done(khunt *h)
{
    size_t assigned = 0;
    for (size_t i = 0; i < h->topics.n; i++) {
        ktopic *t = h->topics.v[i];
        for (size_t k = 0; k < t->parts.n; k++) {
            kpart *p = t->parts.v[k];
            if (!p || !p->assigned)
                continue;
            if (!p->eof)
                return false;
            assigned++;
        }
    }
    if (!assigned || (h->cur && h->cur->n))
        return false;
    pthread_mutex_lock(&h->lock);
    bool idle = h->inflight == 0;
    pthread_mutex_unlock(&h->lock);
    return idle;
}

/* ------------------------------------------------------------------ setup */

static tr_err worker_init(kworker *w, khunt *h)
{
    w->h = h;
    w->fields = tr_malloc(KH_MAX_FIELDS * sizeof(tr_field));
    w->arena = tr_arena_new(256 * 1024, KH_EVENT_ARENA_CAP);
    w->scratch = tr_calloc(h->cfg->nmatchers ? h->cfg->nmatchers : 1, sizeof(void *));
    if (!w->fields || !w->arena || !w->scratch)
        return TR_ENOMEM;
    tr_event_init(&w->ev, w->fields, KH_MAX_FIELDS, w->arena);
    for (size_t i = 0; i < h->cfg->nmatchers; i++) {
        const tr_matcher *mt = &h->cfg->matchers[i];
        if (mt->thread_new) {
            tr_err e = mt->thread_new(mt->ctx, &w->scratch[i]);
            if (e)
                return e;
        }
    }
    return TR_OK;
}

static void worker_release(kworker *w)
{
    khunt *h = w->h;
    if (!h)
        return;
    for (size_t i = 0; w->scratch && i < h->cfg->nmatchers; i++)
        if (w->scratch[i] && h->cfg->matchers[i].thread_free)
            h->cfg->matchers[i].thread_free(w->scratch[i]);
    for (int i = 0; i < KH_PARSERS; i++)
        tr_parser_free(w->parsers[i].p);
    tr_free(w->scratch);
    tr_free(w->fields);
    tr_arena_free(w->arena);
}

static unsigned cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
}

/* The consumer: subscribed, with trawl's defaults under the user's properties. */
static tr_err consumer_new(khunt *h)
{
    const tr_kafka_hunt_config *k = h->kcfg;
    const char *defaults[] = {
        "group.id", k->group ? k->group : "trawl-hunt",
        "enable.auto.commit", "false",        /* offsets only after durability */
        "enable.auto.offset.store", "false",
        "auto.offset.reset", "earliest",      /* a new group reads the topic from its start */
        "enable.partition.eof", "true",       /* --once, and sealing batches at the end */
        "client.id", "trawl-hunt",
        NULL,
    };
    char err[512];
    rd_kafka_conf_t *conf;
    tr_err e = kc_conf_new(k->brokers, defaults, k->props, &h->kc, h, &conf, err, sizeof(err));
    if (e) {
        tr_error("kafka: %s", err);
        return e;
    }
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
    h->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!h->rk) {
        rd_kafka_conf_destroy(conf);
        tr_error("kafka: cannot create the consumer: %s", err);
        return TR_EINVAL;
    }
    rd_kafka_poll_set_consumer(h->rk);
    h->cooperative = strcmp(rd_kafka_rebalance_protocol(h->rk), "COOPERATIVE") == 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)k->ntopics);
    if (!l)
        return TR_ENOMEM;
    for (size_t i = 0; i < k->ntopics; i++)
        rd_kafka_topic_partition_list_add(l, k->topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t ke = rd_kafka_subscribe(h->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (ke) {
        tr_error("kafka: cannot subscribe: %s", rd_kafka_err2str(ke));
        return TR_EINVAL;
    }
    return TR_OK;
}

static bool stop_requested(const khunt *h)
{
    return h->kcfg->stop && *h->kcfg->stop;
}

/* The consumer loop: until stopped, --once is satisfied, or a fatal error. */
static void consume(khunt *h)
{
    double interval = (h->kcfg->commit_interval_ms ? h->kcfg->commit_interval_ms : 1000) / 1e3;
    h->last_commit = kc_now();
    while (!stop_requested(h)) {
        if (is_fatal(h))
            break;
        if (h->kc.fatal) {
            tr_error("kafka: the consumer cannot go on: %s", h->kc.fatal_msg);
            set_fatal(h, TR_ENET);
            break;
        }
        if (h->kcfg->once && all_done(h))
            break;
        double now = kc_now();
        if (now - h->last_commit >= interval)
            commit_durable(h, false);
        kbatch *kb = fill_batch(h);
        if (!kb)
            continue; /* every batch is busy: wait for the workers */
        int timeout = 100;
        if (kb->n) {
            double left = KH_BATCH_AGE_S - (now - kb->opened);
            timeout = left > 0 ? (int)(left * 1000) : 0;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(h->rk, timeout);
        kb = h->cur; /* a rebalance during the poll may have sealed it */
        if (!m) {
            if (kb && kb->n && kc_now() - kb->opened >= KH_BATCH_AGE_S)
                seal(h);
            continue;
        }
        if (m->err) {
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                ktopic *t = m->rkt ? topic_of(h, m->rkt) : NULL;
                kpart *p = t ? part_of(t, m->partition) : NULL;
                if (p)
                    p->eof = true;
                seal(h); /* nothing more to wait for on this partition */
            } else {
                kc_report(&h->kc, m->err, "%s%s%s", m->rkt ? rd_kafka_topic_name(m->rkt) : "",
                          m->rkt ? ": " : "", rd_kafka_message_errstr(m));
            }
            rd_kafka_message_destroy(m);
            continue;
        }
        if (!kb && !(kb = fill_batch(h))) {
            /* sealed by a rebalance and no batch free yet: wait for one */
            while (!(kb = fill_batch(h)) && !is_fatal(h))
                ;
            if (!kb) {
                rd_kafka_message_destroy(m);
                break;
            }
        }
        if (!add_message(h, kb, m)) {
            set_fatal(h, TR_ENOMEM);
            break;
        }
        if (kb->n >= h->max_batch || kb->bytes >= KH_BATCH_BYTES)
            seal(h);
    }
}

tr_err tr_kafka_hunt_run(const tr_kafka_hunt_config *kcfg, tr_kafka_hunt_stats *st)
{
    memset(st, 0, sizeof(*st));
    double t0 = kc_now();
    if (!kcfg->brokers || !kcfg->ntopics || !kcfg->hunt) {
        tr_error("kafka: brokers and at least one topic are needed");
        return TR_EINVAL;
    }
    khunt h = { 0 };
    h.kcfg = kcfg;
    h.cfg = kcfg->hunt;
    h.st = st;
    h.max_batch = kcfg->batch_messages ? kcfg->batch_messages : 1000;
    h.max_diag = h.cfg->max_errors_per_source ? h.cfg->max_errors_per_source : 20;
    kc_state_init(&h.kc, "consumer");
    tr_buf_init(&h.detect, (size_t)1 << 20);
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.cond, NULL);
    pthread_mutex_init(&h.emit_lock, NULL);
    unsigned nthreads = h.cfg->threads ? h.cfg->threads : cpu_count();
    h.nbatches = TR_MAX(4u * nthreads, 4u);
    tr_err err = TR_OK;
    kworker *ws = tr_calloc(nthreads, sizeof(kworker));
    h.all = tr_calloc(h.nbatches, sizeof(kbatch));
    unsigned started = 0;
    if (!ws || !h.all) {
        err = TR_ENOMEM;
        goto out;
    }
    for (unsigned i = 0; i < h.nbatches; i++) {
        kbatch *kb = &h.all[i];
        kb->cap = h.max_batch;
        kb->msgs = tr_malloc(kb->cap * sizeof(kmsg));
        kb->out = batch_new(64, 1);
        if (!kb->msgs || !kb->out) {
            err = TR_ENOMEM;
            goto out;
        }
        kb->next = h.free_list;
        h.free_list = kb;
    }
    for (unsigned i = 0; i < nthreads; i++)
        if ((err = worker_init(&ws[i], &h)) != TR_OK)
            goto out;
    if ((err = consumer_new(&h)) != TR_OK)
        goto out;
    for (unsigned i = 0; i < nthreads; i++) {
        if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0) {
            err = TR_ENOMEM;
            break;
        }
        started++;
    }
    if (!err) {
        consume(&h);
        /* clean stop: emit what was read, make it durable, commit, leave */
        drain(&h);
        if (!h.fatal)
            commit_durable(&h, true);
        rd_kafka_resp_err_t ke = rd_kafka_consumer_close(h.rk);
        if (ke)
            kc_report(&h.kc, ke, "closing the consumer: %s", rd_kafka_err2str(ke));
        drain(&h); /* a revocation during close seals nothing new, but be sure */
    }
    pthread_mutex_lock(&h.lock);
    h.done = true;
    pthread_cond_broadcast(&h.cond);
    pthread_mutex_unlock(&h.lock);
    for (unsigned i = 0; i < started; i++)
        pthread_join(ws[i].tid, NULL);
    if (!err && h.fatal)
        err = h.fatal_err;
    /* Correlation windows close at the end of a finite run only: a worker
     * that stops (or loses its partitions) in the middle of the stream
     * drops its open windows rather than report half of them. */
    if (!err && kcfg->once && h.cfg->post && h.cfg->post->finish) {
        add_ctx ac = { &h, TR_OK };
        err = h.cfg->post->finish(h.cfg->post->ctx, post_add, &ac);
        if (!err)
            err = ac.err;
        for (size_t i = 0; !err && i < h.cfg->nsinks; i++)
            err = tr_sink_flush(h.cfg->sinks[i]);
    }
    for (size_t i = 0; i < h.topics.n; i++) {
        ktopic *t = h.topics.v[i];
        for (size_t k = 0; k < t->parts.n; k++) {
            kpart *p = t->parts.v[k];
            if (p && p->diag_total > h.max_diag)
                tr_log_at(TR_LOG_WARN, p->path, 0, "%" PRIu64 " more malformed records not shown",
                          p->diag_total - h.max_diag);
        }
    }
out:
    if (h.cur)
        seal(&h);
    for (unsigned i = 0; h.all && i < h.nbatches; i++) {
        kbatch *kb = &h.all[i];
        for (size_t k = 0; k < kb->n; k++)
            rd_kafka_message_destroy(kb->msgs[k].m);
        tr_free(kb->msgs);
        batch_free(kb->out);
    }
    if (h.rk)
        rd_kafka_destroy(h.rk);
    st->kafka_errors = h.kc.errors;
    if (h.first_message > 0 && h.last_emit > h.first_message)
        st->busy_seconds = h.last_emit - h.first_message;
    for (unsigned i = 0; ws && i < nthreads; i++)
        worker_release(&ws[i]);
    tr_free(ws);
    tr_free(h.all);
    topics_free(&h);
    tr_buf_release(&h.detect);
    pthread_mutex_destroy(&h.lock);
    pthread_cond_destroy(&h.cond);
    pthread_mutex_destroy(&h.emit_lock);
    kc_state_release(&h.kc);
    st->hunt.seconds = kc_now() - t0;
    return err;
}

void tr_kafka_hunt_stats_print(const tr_kafka_hunt_stats *st, FILE *f)
{
    const tr_hunt_stats *h = &st->hunt;
    double secs = h->seconds > 0 ? h->seconds : 1e-9;
    fprintf(f,
            "trawl: kafka: %" PRIu64 " messages (%.1f MB), %" PRIu64 " events, %" PRIu64
            " rejected records, %" PRIu64 " detections (sigma %" PRIu64 ", ioc %" PRIu64
            ", correlation %" PRIu64 ") in %.2f s, %.2f s of it busy: %.0f messages/s busy\n",
            st->messages, (double)h->bytes / 1e6, h->events, h->rejected, h->detections,
            h->by_kind[TR_DET_SIGMA], h->by_kind[TR_DET_IOC], h->by_kind[TR_DET_CORRELATION],
            h->seconds, st->busy_seconds,
            (double)st->messages / (st->busy_seconds > 0 ? st->busy_seconds : secs));
    fprintf(f,
            "trawl: kafka: %" PRIu64 " partitions assigned, %" PRIu64 " rebalance events, %" PRIu64
            " offset commits (%" PRIu64 " failed), %" PRIu64 " errors from librdkafka\n",
            st->partitions, st->rebalances, st->commits, st->commit_failures, st->kafka_errors);
    for (int i = 0; i < TR_FMT_COUNT; i++) {
        const tr_hunt_format_stats *fs = &h->by_format[i];
        if (!fs->events && !fs->rejected)
            continue;
        fprintf(f, "trawl:   %-10s %10.1f MB %12" PRIu64 " events %8" PRIu64 " rejected\n",
                tr_format_name((tr_format)i), (double)fs->bytes / 1e6, fs->events, fs->rejected);
    }
    if (h->scan_errors)
        fprintf(f, "trawl: %" PRIu64 " matcher errors (see messages above)\n", h->scan_errors);
}
