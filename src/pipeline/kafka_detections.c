/*
 * kafka_detections.c - a consumer of detection topics: the input of the
 * campaign correlator (trawl/kafka.h).
 *
 * One thread: each message is one detection record (a JSON line as `trawl
 * hunt --format jsonl` and --kafka-out write it), handed to the caller,
 * which stores it. As in the hunt workers, a partition's offset is committed
 * only after the caller made what it received durable, so a detection is
 * stored at least once; the store keeps it once (by id). The caller is also
 * ticked, periodically and when the assigned partitions have been read to
 * their end, so that it can keep its campaign view current.
 */
#include "core/common.h"

#include "input/kafka_client.h"
#include "pipeline/kafka_parts.h"
#include "trawl/campaign.h"
#include "trawl/kafka.h"
#include "trawl/log.h"

typedef struct kdet {
    const tr_kafka_detections_config *cfg;
    tr_kafka_detections_stats *st;
    rd_kafka_t *rk;
    kc_state kc;
    kparts parts;
    tr_err err;         /* a callback's failure: stop, commit nothing more */
} kdet;

static tr_err on_detection(void *ctx, const tr_detection *d)
{
    kdet *k = ctx;
    k->st->detections++;
    return k->cfg->detection(k->cfg->ctx, d);
}

/* Makes what was handed over durable, then commits its offsets. */
static void commit_durable(kdet *k, bool sync)
{
    if (k->err)
        return;
    if (k->cfg->durable && (k->err = k->cfg->durable(k->cfg->ctx)) != TR_OK) {
        tr_error("kafka: cannot make the detections durable: %s; offsets not committed",
                 tr_strerror(k->err));
        return;
    }
    rd_kafka_topic_partition_list_t *l = kparts_to_commit(&k->parts);
    if (!l)
        return;
    rd_kafka_resp_err_t ke = rd_kafka_commit(k->rk, l, sync ? 0 : 1);
    if (ke) {
        k->st->commit_failures++;
        kc_report(&k->kc, ke, "cannot commit offsets: %s; committed later, or repeated by the "
                  "partitions' next owner", rd_kafka_err2str(ke));
    } else if (sync) {
        kparts_committed(&k->parts, l);
        k->st->commits++;
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque)
{
    (void)rk;
    kdet *k = ((kc_state *)opaque)->owner;
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET)
        return;
    if (err) {
        k->st->commit_failures++;
        kc_report(&k->kc, err, "offset commit failed: %s; retried at the next commit",
                  rd_kafka_err2str(err));
        return;
    }
    kparts_committed(&k->parts, offsets);
    k->st->commits++;
}

static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    kc_state *kc = opaque;
    kdet *k = kc->owner;
    char names[512];
    kparts_names(parts, names, sizeof(names));
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (!kparts_assign(&k->parts, parts, true) && !k->err)
            k->err = TR_ENOMEM;
        tr_info("kafka: assigned %d partitions: %s", parts->cnt, names);
    } else {
        bool lost = err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS || rd_kafka_assignment_lost(rk);
        if (!lost)
            commit_durable(k, true);
        else if (!k->err && k->cfg->durable)
            k->err = k->cfg->durable(k->cfg->ctx);
        tr_info("kafka: %s %d partitions: %s", lost ? "lost" : "revoked", parts->cnt, names);
        kparts_assign(&k->parts, parts, false);
    }
    kc_rebalance_apply(rk, kc, err, parts);
}

/* One message: a detection record, or a report of why it is not one. */
static void handle(kdet *k, rd_kafka_message_t *m)
{
    ktopic *t = kparts_topic_of(&k->parts, m->rkt);
    kpart *p = t ? kparts_part(t, m->partition) : NULL;
    if (!p) {
        k->err = TR_ENOMEM;
        return;
    }
    p->eof = false;
    k->st->messages++;
    char name[600];
    snprintf(name, sizeof(name), "%s: offset %" PRId64, p->path, m->offset);
    uint64_t bad = 0;
    tr_err e = tr_detections_read_jsonl_buf(name, m->payload, m->payload ? m->len : 0,
                                            on_detection, k, &bad);
    k->st->bad += bad;
    if (e) {
        k->err = e;
        return;
    }
    p->emitted = m->offset + 1;
}

tr_err tr_kafka_detections_run(const tr_kafka_detections_config *cfg,
                               tr_kafka_detections_stats *st)
{
    memset(st, 0, sizeof(*st));
    if (!cfg->brokers || !cfg->ntopics || !cfg->detection) {
        tr_error("kafka: brokers, a topic and a detection callback are needed");
        return TR_EINVAL;
    }
    kdet k = { .cfg = cfg, .st = st };
    kc_state_init(&k.kc, "consumer");
    tr_err err = kc_consumer_new(cfg->brokers, cfg->group ? cfg->group : "trawl-campaigns",
                                 "trawl-campaigns", cfg->props, &k.kc, &k, on_rebalance,
                                 on_commit, cfg->topics, cfg->ntopics, &k.rk);
    double interval = (cfg->commit_interval_ms ? cfg->commit_interval_ms : 1000) / 1e3;
    double tick = (cfg->tick_ms ? cfg->tick_ms : 5000) / 1e3;
    double last_commit = kc_now(), last_tick = kc_now();
    bool idle_told = false;
    while (!err && !k.err && !(cfg->stop && *cfg->stop)) {
        if (k.kc.fatal) {
            tr_error("kafka: the consumer cannot go on: %s", k.kc.fatal_msg);
            err = TR_ENET;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(k.rk, 100);
        if (m) {
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                kpart *p = m->rkt ? kparts_find(&k.parts, rd_kafka_topic_name(m->rkt),
                                                m->partition)
                                  : NULL;
                if (p)
                    p->eof = true;
            } else if (m->err) {
                kc_report(&k.kc, m->err, "%s%s%s", m->rkt ? rd_kafka_topic_name(m->rkt) : "",
                          m->rkt ? ": " : "", rd_kafka_message_errstr(m));
            } else {
                handle(&k, m);
                idle_told = false;
            }
            rd_kafka_message_destroy(m);
        }
        double now = kc_now();
        if (now - last_commit >= interval) {
            commit_durable(&k, false);
            last_commit = now;
        }
        bool at_end = kparts_all_eof(&k.parts);
        if (!k.err && cfg->tick && ((at_end && !idle_told) || now - last_tick >= tick)) {
            if (at_end)
                commit_durable(&k, false); /* the caller's view is of stored detections */
            if (!k.err)
                k.err = cfg->tick(cfg->ctx, at_end);
            idle_told = idle_told || at_end;
            last_tick = now;
        }
        if (cfg->once && at_end)
            break;
    }
    if (k.rk) {
        if (!err)
            commit_durable(&k, true);
        rd_kafka_resp_err_t ke = rd_kafka_consumer_close(k.rk);
        if (ke)
            kc_report(&k.kc, ke, "closing the consumer: %s", rd_kafka_err2str(ke));
        rd_kafka_destroy(k.rk);
    }
    st->kafka_errors = k.kc.errors;
    kparts_release(&k.parts);
    kc_state_release(&k.kc);
    return err ? err : k.err;
}
