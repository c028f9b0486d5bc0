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
