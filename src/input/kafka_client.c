/*
 * kafka_client.c - configuration and error reporting shared by trawl's
 * Kafka clients (see kafka_client.h).
 *
 * librdkafka retries everything itself (reconnects with back-off, resends
 * with the idempotent producer, refetches); what trawl owes the operator is
 * to say so. Each error reaches the log once, then at most every few
 * seconds per error code with the count of repeats, so an outage is visible
 * from its first second without flooding the log.
 */
#include "core/common.h"

#include <time.h>

#include "input/kafka_client.h"
#include "trawl/log.h"

#define KC_REPEAT_S 5.0

double kc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void kc_state_init(kc_state *s, const char *what)
{
    memset(s, 0, sizeof(*s));
    s->what = what;
    s->last_err = INT_MIN;
    pthread_mutex_init(&s->lock, NULL);
}

void kc_state_release(kc_state *s)
{
    pthread_mutex_destroy(&s->lock);
}

void kc_report(kc_state *s, int err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    double now = kc_now();
    pthread_mutex_lock(&s->lock);
    s->errors++;
    bool print = err != s->last_err || now - s->last_time >= KC_REPEAT_S;
    uint64_t repeats = 0;
    if (print) {
        repeats = s->suppressed;
        s->suppressed = 0;
        s->last_err = err;
        s->last_time = now;
    } else {
        s->suppressed++;
    }
    pthread_mutex_unlock(&s->lock);
    if (!print)
        return;
    if (repeats)
        tr_warn("kafka %s: %s (%" PRIu64 " more errors in the last seconds)", s->what, msg,
                repeats);
    else
        tr_warn("kafka %s: %s", s->what, msg);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    kc_state *s = opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[200];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof(buf));
        pthread_mutex_lock(&s->lock);
        s->fatal = true;
        snprintf(s->fatal_msg, sizeof(s->fatal_msg), "%s: %s", rd_kafka_err2name(orig), buf);
        pthread_mutex_unlock(&s->lock);
        tr_error("kafka %s: fatal error: %s: %s", s->what, rd_kafka_err2name(orig), buf);
        return;
    }
    kc_report(s, err, "%s (%s); retrying", reason,
              rd_kafka_err2name((rd_kafka_resp_err_t)err));
}

/* librdkafka's own log lines (syslog levels): visible with -v / -vv. */
static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    tr_log(level <= 4 ? TR_LOG_INFO : TR_LOG_DEBUG, "kafka: %s: %s", fac, buf);
}

kc_state *kc_state_of(rd_kafka_t *rk)
{
    return rd_kafka_opaque(rk);
}

tr_err kc_conf_new(const char *brokers, const char *const *defaults, const tr_kafka_props *props,
                   kc_state *s, void *owner, rd_kafka_conf_t **out, char *err, size_t errlen)
{
    *out = NULL;
    rd_kafka_conf_t *c = rd_kafka_conf_new();
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return TR_ENOMEM;
    }
    char why[512];
    bool ok = true;
    if (brokers && rd_kafka_conf_set(c, "bootstrap.servers", brokers, why, sizeof(why)))
        ok = false;
    for (size_t i = 0; ok && defaults && defaults[i]; i += 2)
        if (rd_kafka_conf_set(c, defaults[i], defaults[i + 1], why, sizeof(why)))
            ok = false;
    for (size_t i = 0; ok && i < tr_kafka_props_count(props); i++) {
        const char *k, *v;
        tr_kafka_props_get(props, i, &k, &v);
        if (rd_kafka_conf_set(c, k, v, why, sizeof(why)))
            ok = false;
    }
    if (!ok) {
        snprintf(err, errlen, "%s", why);
        rd_kafka_conf_destroy(c);
        return TR_EINVAL;
    }
    s->owner = owner;
    rd_kafka_conf_set_opaque(c, s);
    rd_kafka_conf_set_error_cb(c, on_error);
    rd_kafka_conf_set_log_cb(c, on_log);
    *out = c;
    return TR_OK;
}

tr_err kc_consumer_new(const char *brokers, const char *group, const char *client_id,
                       const tr_kafka_props *props, kc_state *s, void *owner,
                       void (*rebalance)(rd_kafka_t *, rd_kafka_resp_err_t,
                                         rd_kafka_topic_partition_list_t *, void *),
                       void (*committed)(rd_kafka_t *, rd_kafka_resp_err_t,
                                         rd_kafka_topic_partition_list_t *, void *),
                       const char *const *topics, size_t ntopics, rd_kafka_t **out)
{
    *out = NULL;
    const char *defaults[] = {
        "group.id", group,
        "client.id", client_id,
        "enable.auto.commit", "false",        /* offsets only once the output is durable */
        "enable.auto.offset.store", "false",
        "auto.offset.reset", "earliest",      /* a new group reads the topics from the start */
        "enable.partition.eof", "true",       /* --once, and sealing batches at the end */
        NULL,
    };
    char err[512];
    rd_kafka_conf_t *conf;
    tr_err e = kc_conf_new(brokers, defaults, props, s, owner, &conf, err, sizeof(err));
    if (e) {
        tr_error("kafka: %s", err);
        return e;
    }
    if (rebalance)
        rd_kafka_conf_set_rebalance_cb(conf, rebalance);
    if (committed)
        rd_kafka_conf_set_offset_commit_cb(conf, committed);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        tr_error("kafka: cannot create the consumer: %s", err);
        return TR_EINVAL;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)ntopics);
    if (!l) {
        rd_kafka_destroy(rk);
        return TR_ENOMEM;
    }
    for (size_t i = 0; i < ntopics; i++)
        rd_kafka_topic_partition_list_add(l, topics[i], RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t ke = rd_kafka_subscribe(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (ke) {
        tr_error("kafka: cannot subscribe: %s", rd_kafka_err2str(ke));
        rd_kafka_destroy(rk);
        return TR_EINVAL;
    }
    *out = rk;
    return TR_OK;
}

void kc_rebalance_apply(rd_kafka_t *rk, kc_state *s, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t *parts)
{
    bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (!cooperative) {
            rd_kafka_assign(rk, parts);
            return;
        }
        rd_kafka_error_t *ke = rd_kafka_incremental_assign(rk, parts);
        if (ke) {
            kc_report(s, rd_kafka_error_code(ke), "assign: %s", rd_kafka_error_string(ke));
            rd_kafka_error_destroy(ke);
        }
        return;
    }
    if (cooperative && err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
        rd_kafka_error_t *ke = rd_kafka_incremental_unassign(rk, parts);
        if (ke) {
            kc_report(s, rd_kafka_error_code(ke), "unassign: %s", rd_kafka_error_string(ke));
            rd_kafka_error_destroy(ke);
        }
        return;
    }
    rd_kafka_assign(rk, NULL);
}
