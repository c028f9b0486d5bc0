/*
 * kafka_sink.c - detections to a Kafka topic, one JSON line per message,
 * keyed by tenant (trawl/kafka.h).
 *
 * The producer is idempotent (acks=all, retries without duplicates or
 * reordering within a partition), so what the broker acknowledges is
 * stored once and in order. Durability is the point of flush: it returns
 * only when every message written so far has a delivery report, and fails
 * when any report carried an error - the hunt then commits no offset past
 * it, and the next owner of those input partitions redoes them.
 */
#include "core/common.h"

#include "core/buf.h"
#include "input/kafka_client.h"
#include "trawl/kafka.h"
#include "trawl/log.h"

#define KS_WAIT_REPORT_S 10.0

typedef struct ksink {
    tr_sink base;
    rd_kafka_t *rk;
    rd_kafka_topic_t *rkt;
    kc_state kc;
    tr_buf json;
    char *topic;
    uint64_t failed;       /* delivery reports with an error (delivery thread: atomic) */
    char fail_msg[256];    /* the first of them */
    pthread_mutex_t lock;  /* fail_msg */
} ksink;

/* Delivery report (served by rd_kafka_poll/flush on the caller's thread). */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    ksink *k = ((kc_state *)opaque)->owner;
    if (!m->err)
        return;
    if (__atomic_fetch_add(&k->failed, 1, __ATOMIC_RELAXED) == 0) {
        pthread_mutex_lock(&k->lock);
        snprintf(k->fail_msg, sizeof(k->fail_msg), "%s", rd_kafka_err2str(m->err));
        pthread_mutex_unlock(&k->lock);
    }
    kc_report(&k->kc, m->err, "a detection was not delivered to %s: %s", k->topic,
              rd_kafka_err2str(m->err));
}

static tr_err ks_write(tr_sink *s, const tr_detection *d)
{
    ksink *k = (ksink *)s;
    tr_buf_reset(&k->json);
    tr_err e = tr_detection_to_json(d, &k->json);
    if (e)
        return e;
    size_t n = k->json.n;
    while (n && k->json.p[n - 1] == '\n')
        n--;
    double waiting = 0;
    for (;;) {
        rd_kafka_resp_err_t ke = rd_kafka_producev(
            k->rk, RD_KAFKA_V_RKT(k->rkt), RD_KAFKA_V_KEY(d->tenant.p, d->tenant.n),
            RD_KAFKA_V_VALUE(k->json.p, n), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_END);
        if (!ke)
            break;
        if (ke != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            tr_error("kafka producer: %s: %s", k->topic, rd_kafka_err2str(ke));
            return TR_ENET;
        }
        /* the local queue is full (the broker is slow or away): wait */
        double now = kc_now();
        if (waiting == 0)
            waiting = now;
        else if (now - waiting >= KS_WAIT_REPORT_S) {
            tr_warn("kafka producer: %s: the send queue is full (%d messages waiting); "
                    "waiting for the broker", k->topic, rd_kafka_outq_len(k->rk));
            waiting = now;
        }
        rd_kafka_poll(k->rk, 100);
    }
    rd_kafka_poll(k->rk, 0);
    if (__atomic_load_n(&k->failed, __ATOMIC_RELAXED))
        return TR_ENET;
    return TR_OK;
}

static tr_err ks_flush(tr_sink *s)
{
    ksink *k = (ksink *)s;
    double start = kc_now(), told = start;
    while (rd_kafka_outq_len(k->rk) > 0) {
        if (k->kc.fatal) {
            tr_error("kafka producer: %s", k->kc.fatal_msg);
            return TR_ENET;
        }
        rd_kafka_flush(k->rk, 500);
        double now = kc_now();
        if (rd_kafka_outq_len(k->rk) > 0 && now - told >= KS_WAIT_REPORT_S) {
            tr_warn("kafka producer: %s: %d detections not yet acknowledged after %.0f s; "
                    "waiting (message.timeout.ms bounds it)", k->topic,
                    rd_kafka_outq_len(k->rk), now - start);
            told = now;
        }
    }
    if (__atomic_load_n(&k->failed, __ATOMIC_RELAXED)) {
        pthread_mutex_lock(&k->lock);
        tr_error("kafka producer: %s: %" PRIu64 " detections were not delivered (%s)", k->topic,
                 k->failed, k->fail_msg);
        pthread_mutex_unlock(&k->lock);
        return TR_ENET;
    }
    return TR_OK;
}

static void ks_free(tr_sink *s)
{
    ksink *k = (ksink *)s;
    if (k->rk) {
        (void)ks_flush(s);
        if (k->rkt)
            rd_kafka_topic_destroy(k->rkt);
        rd_kafka_destroy(k->rk);
    }
    tr_buf_release(&k->json);
    kc_state_release(&k->kc);
    pthread_mutex_destroy(&k->lock);
    tr_free(k->topic);
    tr_free(k);
}

static const tr_sink_ops ksink_ops = { ks_write, ks_flush, ks_free };

tr_err tr_kafka_sink_new(const char *brokers, const char *topic, const tr_kafka_props *props,
                         tr_sink **out, char *err, size_t errlen)
{
    *out = NULL;
    ksink *k = tr_calloc(1, sizeof(*k));
    if (!k) {
        snprintf(err, errlen, "out of memory");
        return TR_ENOMEM;
    }
    k->base.ops = &ksink_ops;
    kc_state_init(&k->kc, "producer");
    pthread_mutex_init(&k->lock, NULL);
    tr_buf_init(&k->json, (size_t)64 << 20);
    k->topic = tr_strndup(topic, strlen(topic));
    const char *defaults[] = {
        "enable.idempotence", "true", /* acks=all; retries keep order, add no duplicates */
        "linger.ms", "5",
        "client.id", "trawl",
        NULL,
    };
    rd_kafka_conf_t *conf = NULL;
    tr_err e = k->topic ? kc_conf_new(brokers, defaults, props, &k->kc, k, &conf, err, errlen)
                        : TR_ENOMEM;
    if (e) {
        ks_free(&k->base);
        return e;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    char why[512];
    k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof(why));
    if (!k->rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, errlen, "cannot create the producer: %s", why);
        ks_free(&k->base);
        return TR_EINVAL;
    }
    k->rkt = rd_kafka_topic_new(k->rk, topic, NULL);
    if (!k->rkt) {
        snprintf(err, errlen, "%s: %s", topic, rd_kafka_err2str(rd_kafka_last_error()));
        ks_free(&k->base);
        return TR_EINVAL;
    }
    *out = &k->base;
    return TR_OK;
}
