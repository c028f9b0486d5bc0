/*
 * kafka_client.h - what every librdkafka client of trawl shares: the
 * configuration (trawl's defaults, then the user's properties), and the
 * reporting of librdkafka's errors and logs through tr_log, rate-limited so
 * that a broker outage gives a line every few seconds, not thousands.
 */
#ifndef TR_SRC_INPUT_KAFKA_CLIENT_H
#define TR_SRC_INPUT_KAFKA_CLIENT_H

#include "core/common.h"

#include <pthread.h>
#include <librdkafka/rdkafka.h>

#include "trawl/kafka.h"

/* Error reporting state of one client. The client's opaque points at it;
 * its owner embeds it and finds itself again through owner. */
typedef struct kc_state {
    const char *what;         /* "consumer", "producer": names the client in messages */
    pthread_mutex_t lock;
    int last_err;             /* rd_kafka_resp_err_t of the last message printed */
    double last_time;         /* when it was printed (monotonic seconds) */
    uint64_t suppressed;      /* repeats not printed since */
    uint64_t errors;          /* every error reported by librdkafka */
    bool fatal;               /* a fatal error was raised (rd_kafka_fatal_error) */
    char fatal_msg[320];
    void *owner;              /* the object the callbacks work for */
} kc_state;

void kc_state_init(kc_state *s, const char *what);
void kc_state_release(kc_state *s);

/* A configuration for brokers with the defaults (pairs of key, value, NULL
 * terminated; may be NULL), then props on top, with the error and log
 * callbacks reporting through s. The client's opaque is s, and s->owner is
 * set to owner. On failure err holds the reason and *out is NULL. */
tr_err kc_conf_new(const char *brokers, const char *const *defaults, const tr_kafka_props *props,
                   kc_state *s, void *owner, rd_kafka_conf_t **out, char *err, size_t errlen);

/* A consumer of group (joined through a subscription to topics; "^…" names
 * are patterns) with trawl's consumer defaults under props: no auto-commit,
 * earliest offsets for a new group, partition-end events. The callbacks are
 * served by rd_kafka_consumer_poll(). Logs why and returns TR_EINVAL /
 * TR_ENOMEM on failure. */
tr_err kc_consumer_new(const char *brokers, const char *group, const char *client_id,
                       const tr_kafka_props *props, kc_state *s, void *owner,
                       void (*rebalance)(rd_kafka_t *, rd_kafka_resp_err_t,
                                         rd_kafka_topic_partition_list_t *, void *),
                       void (*committed)(rd_kafka_t *, rd_kafka_resp_err_t,
                                         rd_kafka_topic_partition_list_t *, void *),
                       const char *const *topics, size_t ntopics, rd_kafka_t **out);

/* Answers a rebalance callback once the owner is done: assigns or
 * unassigns parts, incrementally under the cooperative protocol. */
void kc_rebalance_apply(rd_kafka_t *rk, kc_state *s, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t *parts);

/* The kc_state of a client made from such a configuration (its opaque). */
kc_state *kc_state_of(rd_kafka_t *rk);

/* Reports an error about the client (rate-limited per error code). */
void kc_report(kc_state *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

double kc_now(void);

#endif
