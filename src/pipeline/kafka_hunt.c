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

#include "input/kafka_client.h"
#include "pipeline/batch.h"
#include "pipeline/kafka_parts.h"
#include "pipeline/kafka_record.h"
#include "pipeline/sinks_out.h"
#include "trawl/kafka.h"
#include "trawl/log.h"

#define KH_BATCH_BYTES ((size_t)4 << 20)
#define KH_BATCH_AGE_S 0.05 /* a partial batch is handed over after this long */

typedef struct kmsg {
    rd_kafka_message_t *m;
    kpart *part;
    tr_format format; /* the topic's format when batched (AUTO: undetected) */
} kmsg;

enum { KB_FREE = 0, KB_FILLING, KB_READY, KB_PROCESSING, KB_DONE };

typedef struct kbatch {
    struct kbatch *next;
    int state;
    uint64_t seq;    /* emission order */
    kmsg *msgs;
    size_t n, cap;
    size_t bytes;
    double opened;   /* when its first message was added */
    batch *out;      /* detections, diagnostics, counters */
    uint64_t fmt_events[TR_FMT_COUNT], fmt_bytes[TR_FMT_COUNT], fmt_rejected[TR_FMT_COUNT];
} kbatch;

typedef struct khunt khunt;

typedef struct kworker {
    khunt *h;
    pthread_t tid;
    krec rec;        /* message → event */
    void **scratch;  /* one per matcher */
} kworker;

struct khunt {
    const tr_kafka_hunt_config *kcfg;
    const tr_hunt_config *cfg;
    rd_kafka_t *rk;
    kc_state kc;
    pthread_mutex_t lock;      /* queues, batch states, fatal */
    pthread_cond_t cond;
    pthread_mutex_t emit_lock; /* sinks, emitted offsets, emitted stats */
    kbatch *all;
    unsigned nbatches;
    kbatch *free_list;
    kbatch *ready_head, *ready_tail;
    kbatch *cur;               /* being filled (consumer thread) */
    uint64_t next_seq, next_emit;
    unsigned inflight;         /* sealed and not yet emitted */
    bool done, fatal;
    tr_err fatal_err;
    kparts parts;              /* consumer thread; "emitted" under the emit lock */
    uint32_t max_batch;
    uint32_t max_diag;
    tr_kafka_hunt_stats *st;
    double last_commit;
    double first_message, last_emit; /* busy_seconds */
    tr_buf detect;             /* scratch for format detection */
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

/* -------------------------------------------------------------- processing */

static void reject(khunt *h, kbatch *kb, const kmsg *km, const char *why)
{
    kb->out->rejected++;
    kb->fmt_rejected[km->format]++;
    if (__atomic_fetch_add(&km->part->diag_total, 1, __ATOMIC_RELAXED) < h->max_diag)
        batch_diag(kb->out, km->part->path, 0, "offset %" PRId64 ": %s", km->m->offset, why);
}

static void process_message(kworker *w, kbatch *kb, const kmsg *km)
{
    khunt *h = w->h;
    const tr_hunt_config *cfg = h->cfg;
    kb->fmt_bytes[km->format] += km->m->len;
    tr_err e = krec_event(&w->rec, km->m, km->part->path, km->format);
    if (e == TR_ESKIP)
        return;
    if (e) {
        reject(h, kb, km, w->rec.why);
        return;
    }
    tr_event *ev = &w->rec.ev;
    kb->out->events++;
    kb->fmt_events[km->format]++;
    if (ev->truncated)
        kb->out->truncated++;
    if (cfg->route)
        cfg->route(cfg->route_ctx, ev);
    tr_hunt_emit em = { .b = kb->out, .ev = ev, .source_gen = 0 };
    /* a matcher whose raw-text filter rules the message out (the indicator
     * prefilter) is not run on it; the message is parsed all the same, so a
     * malformed one is still reported */
    tr_record rec = { .data = { km->m->payload, km->m->payload ? km->m->len : 0 } };
    tr_block one = { .recs = &rec, .maxrecs = 1, .nrecs = 1 };
    for (size_t i = 0; i < cfg->nmatchers; i++) {
        const tr_matcher *mt = &cfg->matchers[i];
        uint8_t may = 1;
        if (mt->block_filter && mt->block_filter(mt->ctx, w->scratch[i], (tr_format)ev->format,
                                                 &one, &may) && !may)
            continue;
        tr_err se = mt->scan(mt->ctx, w->scratch[i], ev, &em);
        if (se == TR_ELIMIT && kb->out->dropped)
            continue;
        if (se) {
            kb->out->scan_errors++;
            batch_diag(kb->out, km->part->path, 0, "offset %" PRId64 ": %s: %s", km->m->offset,
                       mt->name, tr_strerror(se));
        }
    }
}

static void process(kworker *w, kbatch *kb)
{
    double t0 = kc_now();
    for (size_t i = 0; i < kb->n; i++)
        process_message(w, kb, &kb->msgs[i]);
    kb->out->seconds = kc_now() - t0;
}

/* ---------------------------------------------------------------- emitting */

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
    sinks_out out = { cfg, &h->st->hunt, TR_OK };
    tr_err oe = sinks_out_batch(&out, b->dets.v, b->dets.n);
    if (oe)
        return oe;
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
        st->by_format[f].seconds += kb->fmt_events[f] ? b->seconds : 0;
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

/* Returns an emitted (or abandoned) batch to the free list (hunt lock held). */
static void batch_release(khunt *h, kbatch *kb)
{
    for (size_t i = 0; i < kb->n; i++)
        rd_kafka_message_destroy(kb->msgs[i].m);
    kb->n = 0;
    kb->bytes = 0;
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
        /* a batch may have become ready between our last look and the unlock */
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

static void deadline(struct timespec *ts, long ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_nsec += ms * 1000000;
    if (ts->tv_nsec >= 1000000000) {
        ts->tv_sec += ts->tv_nsec / 1000000000;
        ts->tv_nsec %= 1000000000;
    }
}

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

/* The batch to fill: waits up to 100 ms for a free one; NULL on timeout. */
static kbatch *fill_batch(khunt *h)
{
    if (h->cur)
        return h->cur;
    try_emit(h);
    pthread_mutex_lock(&h->lock);
    if (!h->free_list && !h->fatal) {
        struct timespec ts;
        deadline(&ts, 100);
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

/* Seals the current batch and waits until every sealed batch is emitted. */
static void drain(khunt *h)
{
    seal(h);
    for (;;) {
        try_emit(h);
        pthread_mutex_lock(&h->lock);
        bool idle = h->inflight == 0;
        if (!idle) {
            struct timespec ts;
            deadline(&ts, 50);
            pthread_cond_timedwait(&h->cond, &h->lock, &ts);
        }
        pthread_mutex_unlock(&h->lock);
        if (idle)
            return;
    }
}

/* Adds a message to the batch being filled (consumer thread), which takes
 * it; false when out of memory (the message is destroyed). */
static bool add_message(khunt *h, kbatch *kb, rd_kafka_message_t *m)
{
    ktopic *t = kparts_topic_of(&h->parts, m->rkt);
    kpart *p = t ? kparts_part(t, m->partition) : NULL;
    if (!p) {
        rd_kafka_message_destroy(m);
        return false;
    }
    p->eof = false;
    if (t->format == TR_FMT_AUTO && (t->format = krec_detect(&h->detect, m)) != TR_FMT_AUTO)
        tr_info("kafka: topic %s: %s records", t->name, tr_format_name(t->format));
    if (t->format == TR_FMT_AUTO && !t->told) {
        t->told = true;
        tr_warn("kafka: topic %s: cannot detect the format of its first records; they are "
                "rejected until one is recognised (or give --input-format)", t->name);
    }
    if (kb->n == 0) {
        kb->opened = kc_now();
        if (h->first_message == 0)
            h->first_message = kb->opened;
    }
    kb->msgs[kb->n++] = (kmsg){ m, p, t->format };
    kb->bytes += m->len;
    h->st->messages++;
    return true;
}

/* ----------------------------------------------------------- commit, rebalance */

/* Makes everything emitted durable, then commits its offsets (consumer
 * thread). sync waits for the broker's answer (rebalance, shutdown). */
static tr_err commit_durable(khunt *h, bool sync)
{
    h->last_commit = kc_now();
    pthread_mutex_lock(&h->emit_lock);
    tr_err e = TR_OK;
    for (size_t i = 0; !e && i < h->cfg->nsinks; i++)
        e = tr_sink_flush(h->cfg->sinks[i]);
    rd_kafka_topic_partition_list_t *l = e ? NULL : kparts_to_commit(&h->parts);
    pthread_mutex_unlock(&h->emit_lock);
    try_emit(h); /* batches finished while we held the emit lock */
    if (e) {
        tr_error("kafka: cannot make the detections durable: %s; offsets not committed",
                 tr_strerror(e));
        set_fatal(h, e);
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
        kparts_committed(&h->parts, l);
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
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
        return;
    if (err) {
        h->st->commit_failures++;
        kc_report(&h->kc, err, "offset commit failed: %s; retried at the next commit",
                  rd_kafka_err2str(err));
        return;
    }
    kparts_committed(&h->parts, offsets);
    h->st->commits++;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    kc_state *kc = opaque;
    khunt *h = kc->owner;
    char names[512];
    kparts_names(parts, names, sizeof(names));
    h->st->rebalances++;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        pthread_mutex_lock(&h->emit_lock);
        bool ok = kparts_assign(&h->parts, parts, true);
        pthread_mutex_unlock(&h->emit_lock);
        if (!ok)
            set_fatal(h, TR_ENOMEM);
        h->st->partitions += (uint64_t)parts->cnt;
        tr_info("kafka: assigned %d partitions: %s", parts->cnt, names);
        kc_rebalance_apply(rk, kc, err, parts);
        return;
    }
    /* revoked (or an error): finish and commit what we have, then let go */
    bool lost = err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS || rd_kafka_assignment_lost(rk);
    drain(h);
    if (lost) {
        /* offsets cannot be committed any more: flush, so that the next
         * owner's repeats find their detections already stored */
        pthread_mutex_lock(&h->emit_lock);
        for (size_t i = 0; i < h->cfg->nsinks; i++)
            if (tr_sink_flush(h->cfg->sinks[i]) != TR_OK)
                set_fatal(h, TR_ESTORE);
        pthread_mutex_unlock(&h->emit_lock);
        tr_warn("kafka: partitions lost (%s): %s; their next owner repeats the uncommitted "
                "messages", err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS
                                ? "the group no longer knew this worker"
                                : rd_kafka_err2str(err), names);
    } else {
        commit_durable(h, true);
        tr_info("kafka: revoked %d partitions: %s", parts->cnt, names);
    }
    pthread_mutex_lock(&h->emit_lock);
    kparts_assign(&h->parts, parts, false);
    pthread_mutex_unlock(&h->emit_lock);
    kc_rebalance_apply(rk, kc, err, parts);
}

/* --once: every assigned partition read to its end, nothing in flight. */
static bool all_done(khunt *h)
{
    if (!kparts_all_eof(&h->parts) || (h->cur && h->cur->n))
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
    tr_err e = krec_init(&w->rec, h->cfg);
    w->scratch = tr_calloc(h->cfg->nmatchers ? h->cfg->nmatchers : 1, sizeof(void *));
    if (e || !w->scratch)
        return TR_ENOMEM;
    for (size_t i = 0; i < h->cfg->nmatchers; i++) {
        const tr_matcher *mt = &h->cfg->matchers[i];
        if (mt->thread_new && (e = mt->thread_new(mt->ctx, &w->scratch[i])) != TR_OK)
            return e;
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
    tr_free(w->scratch);
    krec_release(&w->rec);
}

static unsigned cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (unsigned)n : 1;
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
    while (!stop_requested(h) && !is_fatal(h)) {
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
                kpart *p = m->rkt ? kparts_find(&h->parts, rd_kafka_topic_name(m->rkt),
                                                m->partition)
                                  : NULL;
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
        while (!kb && !(kb = fill_batch(h)) && !is_fatal(h))
            ; /* sealed by a rebalance: wait for a free batch */
        if (!kb) {
            rd_kafka_message_destroy(m);
            break;
        }
        if (!add_message(h, kb, m)) {
            set_fatal(h, TR_ENOMEM);
            break;
        }
        if (kb->n >= h->max_batch || kb->bytes >= KH_BATCH_BYTES)
            seal(h);
    }
}

static tr_err batches_new(khunt *h)
{
    h->all = tr_calloc(h->nbatches, sizeof(kbatch));
    if (!h->all)
        return TR_ENOMEM;
    for (unsigned i = 0; i < h->nbatches; i++) {
        kbatch *kb = &h->all[i];
        kb->cap = h->max_batch;
        kb->msgs = tr_malloc(kb->cap * sizeof(kmsg));
        kb->out = batch_new(64, 1); /* its block is unused: records are messages */
        if (!kb->msgs || !kb->out)
            return TR_ENOMEM;
        kb->next = h->free_list;
        h->free_list = kb;
    }
    return TR_OK;
}

static void batches_free(khunt *h)
{
    for (unsigned i = 0; h->all && i < h->nbatches; i++) {
        kbatch *kb = &h->all[i];
        for (size_t k = 0; k < kb->n; k++)
            rd_kafka_message_destroy(kb->msgs[k].m);
        tr_free(kb->msgs);
        batch_free(kb->out);
    }
    tr_free(h->all);
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
    h.parts.format = h.cfg->reader.format;
    h.max_batch = kcfg->batch_messages ? kcfg->batch_messages : 1000;
    h.max_diag = h.cfg->max_errors_per_source ? h.cfg->max_errors_per_source : 20;
    kc_state_init(&h.kc, "consumer");
    tr_buf_init(&h.detect, (size_t)1 << 20);
    pthread_mutex_init(&h.lock, NULL);
    pthread_cond_init(&h.cond, NULL);
    pthread_mutex_init(&h.emit_lock, NULL);
    unsigned nthreads = h.cfg->threads ? h.cfg->threads : cpu_count();
    h.nbatches = TR_MAX(4u * nthreads, 4u);
    unsigned started = 0;
    kworker *ws = tr_calloc(nthreads, sizeof(kworker));
    tr_err err = ws ? batches_new(&h) : TR_ENOMEM;
    for (unsigned i = 0; !err && i < nthreads; i++)
        err = worker_init(&ws[i], &h);
    if (!err)
        err = kc_consumer_new(kcfg->brokers, kcfg->group ? kcfg->group : "trawl-hunt",
                              "trawl-hunt", kcfg->props, &h.kc, &h, on_rebalance, on_commit,
                              kcfg->topics, kcfg->ntopics, &h.rk);
    for (unsigned i = 0; !err && i < nthreads; i++) {
        if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0)
            err = TR_ENOMEM;
        else
            started++;
    }
    if (!err) {
        consume(&h);
        /* a clean stop: emit what was read, make it durable, commit, leave */
        drain(&h);
        if (!is_fatal(&h))
            commit_durable(&h, true);
        rd_kafka_resp_err_t ke = rd_kafka_consumer_close(h.rk);
        if (ke)
            kc_report(&h.kc, ke, "closing the consumer: %s", rd_kafka_err2str(ke));
    }
    drain(&h);
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
        sinks_out out = { h.cfg, &h.st->hunt, TR_OK };
        err = sinks_out_finish(&out);
        for (size_t i = 0; !err && i < h.cfg->nsinks; i++)
            err = tr_sink_flush(h.cfg->sinks[i]);
    }
    for (size_t i = 0; i < h.parts.topics.n; i++) {
        ktopic *t = h.parts.topics.v[i];
        for (size_t k = 0; k < t->parts.n; k++) {
            kpart *p = t->parts.v[k];
            if (p && p->diag_total > h.max_diag)
                tr_log_at(TR_LOG_WARN, p->path, 0, "%" PRIu64 " more malformed records not shown",
                          p->diag_total - h.max_diag);
        }
    }
    batches_free(&h);
    if (h.rk)
        rd_kafka_destroy(h.rk);
    st->kafka_errors = h.kc.errors;
    if (h.first_message > 0 && h.last_emit > h.first_message)
        st->busy_seconds = h.last_emit - h.first_message;
    for (unsigned i = 0; ws && i < nthreads; i++)
        worker_release(&ws[i]);
    tr_free(ws);
    kparts_release(&h.parts);
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
    double busy = st->busy_seconds > 0 ? st->busy_seconds : (h->seconds > 0 ? h->seconds : 1e-9);
    fprintf(f,
            "trawl: kafka: %" PRIu64 " messages (%.1f MB), %" PRIu64 " events, %" PRIu64
            " rejected records, %" PRIu64 " detections (sigma %" PRIu64 ", ioc %" PRIu64
            ", correlation %" PRIu64 ") in %.2f s, %.2f s of it busy: %.0f messages/s busy\n",
            st->messages, (double)h->bytes / 1e6, h->events, h->rejected, h->detections,
            h->by_kind[TR_DET_SIGMA], h->by_kind[TR_DET_IOC], h->by_kind[TR_DET_CORRELATION],
            h->seconds, st->busy_seconds, (double)st->messages / busy);
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
