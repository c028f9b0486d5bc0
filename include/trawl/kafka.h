/*
 * trawl/kafka.h - scale-out on Apache Kafka: hunt workers in a consumer
 * group, a detection sink that produces to a topic, and a consumer of
 * detection topics for the campaign correlator (docs/SCALING.md).
 *
 * trawl adds no cluster protocol of its own: Kafka partitions the input,
 * runs the group membership and keeps the offsets; trawl parses and matches.
 * Delivery is at least once: a worker commits a partition's offset only
 * after every detection of the messages before it is durable (committed to
 * the store, acknowledged by the broker for a detection topic). Detection
 * ids are deterministic (path "kafka:<topic>/<partition>", record = the
 * message offset, source_gen 0), so a message processed twice, after a
 * rebalance or a killed worker, gives the same ids and the store keeps each
 * detection once.
 *
 * Messages: one log record per message. The tenant is the message key, else
 * the value of a "tenant" header (tr_hunt_config.tenant and tenant_field
 * override it as for files). Records of header-driven formats (Zeek TSV, W3C)
 * carry their file's header lines in a "trawl-header" message header (what
 * `trawl kafka produce` writes). The message timestamp stands in for a file's
 * modification time (the year of year-less syslog dates).
 *
 * Thread-safety: the run functions block the calling thread until they stop;
 * distinct runs may go on in parallel. Property lists are immutable while a
 * run uses them.
 */
#ifndef TR_KAFKA_H
#define TR_KAFKA_H

#include <signal.h>

#include "trawl/hunt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The message header carrying the header lines of a header-driven format
 * ('\n'-separated), and the one carrying a tenant when the key is empty. */
#define TR_KAFKA_HEADER_LINES "trawl-header"
#define TR_KAFKA_HEADER_TENANT "tenant"

/* ---- librdkafka properties --------------------------------------------------------------- */

/* An ordered list of librdkafka properties (key=value); later ones win.
 * Every property is checked against librdkafka when it is added, so a typo
 * is reported where it was written. */
typedef struct tr_kafka_props tr_kafka_props;

TR_API tr_err tr_kafka_props_new(tr_kafka_props **out);
TR_API void tr_kafka_props_free(tr_kafka_props *p);
/* Adds key=value (both copied). TR_EINVAL with librdkafka's reason in err
 * for an unknown property or a bad value; TR_ENOMEM. */
TR_API tr_err tr_kafka_props_set(tr_kafka_props *p, const char *key, const char *value,
                                 char *err, size_t errlen);
/* Adds one "key=value" (the -X syntax). TR_EINVAL without '='. */
TR_API tr_err tr_kafka_props_parse(tr_kafka_props *p, const char *kv, char *err,
                                   size_t errlen);
/* Adds the key=value lines of a file; blank lines and lines starting with
 * '#' are ignored, spaces around key and value are trimmed. On failure err
 * holds "PATH:LINE: reason" (TR_ENOENT/TR_EIO, TR_EINVAL). */
TR_API tr_err tr_kafka_props_load(tr_kafka_props *p, const char *path, char *err,
                                  size_t errlen);
/* Number of properties, and the i-th one (borrowed). */
TR_API size_t tr_kafka_props_count(const tr_kafka_props *p);
TR_API void tr_kafka_props_get(const tr_kafka_props *p, size_t i, const char **key,
                               const char **value);

/* ---- hunt workers ------------------------------------------------------------------------ */

typedef struct tr_kafka_hunt_config {
    const char *brokers;              /* bootstrap.servers */
    const char *const *topics;        /* topics to consume ("^regex" subscribes by pattern) */
    size_t ntopics;
    const char *group;                /* consumer group; NULL = "trawl-hunt" */
    const tr_kafka_props *props;      /* extra librdkafka properties; may be NULL */
    /* What to do with each record: threads, reader.format (TR_FMT_AUTO: each
     * topic's format is detected from its first messages), reader.parse,
     * reader.max_record, tenant, tenant_field, route, matchers, post, sinks.
     * paths-related fields (fleet, resume, checkpoint, progress) are unused:
     * Kafka keeps the offsets. */
    const tr_hunt_config *hunt;
    uint32_t batch_messages;          /* messages per batch handed to a worker; 0 = 1000 */
    uint32_t commit_interval_ms;      /* flush sinks and commit offsets this often; 0 = 1000 */
    bool once;                        /* stop when every assigned partition is at its end */
    const volatile sig_atomic_t *stop; /* set (by a signal handler) to stop cleanly; may be
                                          NULL */
} tr_kafka_hunt_config;

typedef struct tr_kafka_hunt_stats {
    tr_hunt_stats hunt;          /* events, rejected, detections, bytes, per format, seconds */
    uint64_t messages;           /* messages consumed */
    uint64_t partitions;         /* partitions assigned over the run */
    uint64_t rebalances;         /* assignments and revocations */
    uint64_t commits;            /* successful offset commits */
    uint64_t commit_failures;    /* commits that failed (retried, or left to the next owner) */
    uint64_t kafka_errors;       /* errors librdkafka reported (broker down, …) */
    double busy_seconds;         /* from the first message received to the last batch emitted:
                                    the run without the group join and the idle tail */
} tr_kafka_hunt_stats;

/* Joins the consumer group and hunts the records of the topics until
 * cfg->stop is set, or with cfg->once until the assigned partitions are
 * exhausted. Workers parse and match in parallel; detections reach the
 * sinks in message order within each partition. Every commit_interval_ms,
 * on a revocation and at the end, the sinks are flushed and the offsets of
 * the messages whose detections were flushed are committed. Malformed
 * records are reported ("trawl: kafka:T/P: offset N: reason"), counted and
 * committed like any other. Broker errors are logged and retried by
 * librdkafka with back-off. Returns TR_OK after a clean stop; TR_EINVAL for
 * a bad configuration (message logged); TR_ESTORE/TR_ENET/… when a sink
 * fails (nothing after the failure is committed); TR_ENET on a fatal Kafka
 * error. */
TR_API tr_err tr_kafka_hunt_run(const tr_kafka_hunt_config *cfg, tr_kafka_hunt_stats *st);

/* Writes the end-of-run summary to f. */
TR_API void tr_kafka_hunt_stats_print(const tr_kafka_hunt_stats *st, FILE *f);

/* ---- detections to a topic --------------------------------------------------------------- */

/* A sink producing each detection as one JSON line (tr_detection_to_json,
 * as `trawl hunt --format jsonl` writes) to topic, keyed by tenant, with an
 * idempotent producer (acks=all). tr_sink_flush() returns once the broker
 * has acknowledged everything written, TR_ENET when a delivery failed
 * (after librdkafka's retries, message.timeout.ms); while the broker is
 * unreachable it waits, logging what it waits for. On failure *out is NULL
 * and err holds the reason. */
TR_API tr_err tr_kafka_sink_new(const char *brokers, const char *topic,
                                const tr_kafka_props *props, tr_sink **out, char *err,
                                size_t errlen);

/* ---- detections from a topic (the correlator) -------------------------------------------- */

typedef struct tr_kafka_detections_config {
    const char *brokers;
    const char *const *topics;
    size_t ntopics;
    const char *group;                /* NULL = "trawl-campaigns" */
    const tr_kafka_props *props;      /* may be NULL */
    bool once;                        /* stop at the end of the assigned partitions */
    const volatile sig_atomic_t *stop;
    uint32_t commit_interval_ms;      /* 0 = 1000 */
    uint32_t tick_ms;                 /* tick() at least this often; 0 = 5000 */
    void *ctx;
    /* One detection (a view valid during the call), parsed from a message. */
    tr_err (*detection)(void *ctx, const tr_detection *d);
    /* Make everything passed to detection() durable: called before offsets
     * are committed. May be NULL (nothing to make durable). */
    tr_err (*durable)(void *ctx);
    /* Every tick_ms, and once with idle set each time the assigned
     * partitions have been read to their end (after durable()). May be NULL. */
    tr_err (*tick)(void *ctx, bool idle);
} tr_kafka_detections_config;

typedef struct tr_kafka_detections_stats {
    uint64_t messages, detections, bad; /* bad: messages that are not detection records */
    uint64_t commits, commit_failures, kafka_errors;
} tr_kafka_detections_stats;

/* Consumes detection records (JSON lines) until stopped; messages that are
 * not detection records are reported and counted. Returns as
 * tr_kafka_hunt_run(), or what a callback returned. */
TR_API tr_err tr_kafka_detections_run(const tr_kafka_detections_config *cfg,
                                      tr_kafka_detections_stats *st);

#ifdef __cplusplus
}
#endif
#endif /* TR_KAFKA_H */
