/*
 * cmd_kafka.h - the Kafka options of `trawl hunt` and `trawl campaigns`,
 * and the functions that run those commands on Kafka (docs/SCALING.md).
 * The commands only splice the option rows in and call these.
 */
#ifndef TR_SRC_CLI_CMD_KAFKA_H
#define TR_SRC_CLI_CMD_KAFKA_H

#include "cli/opts.h"
#include "trawl/campaign.h"
#include "trawl/hunt.h"
#include "trawl/kafka.h"

typedef struct kafka_opts {
    const char *brokers;   /* --kafka */
    opt_list topics;       /* --topic */
    const char *group;     /* --group */
    const char *out_topic; /* --kafka-out (hunt) */
    const char *config;    /* --kafka-config */
    opt_list props;        /* -X key=value */
    bool once;             /* --once */
    long long interval_ms; /* --commit-interval (hunt) / --interval (campaigns) */
} kafka_opts;

#define KAFKA_COMMON_OPTIONS(k)                                                                 \
    OPT_STRING(0, "kafka", "BROKERS", &(k)->brokers,                                            \
               "read from Kafka (bootstrap servers host:port,…; docs/SCALING.md)"),            \
    OPT_LIST(0, "topic", "TOPIC", &(k)->topics, "Kafka topic to consume (^REGEX: a pattern)"), \
    OPT_STRING(0, "group", "GROUP", &(k)->group, "Kafka consumer group"),                      \
    OPT_STRING(0, "kafka-config", "FILE", &(k)->config,                                        \
               "librdkafka properties, key=value lines (TLS, SASL, timeouts)"),                \
    OPT_LIST('X', "kafka-property", "KEY=VALUE", &(k)->props, "one librdkafka property"),      \
    OPT_FLAG(0, "once", &(k)->once, "Kafka: stop at the end of the assigned partitions")

#define KAFKA_HUNT_OPTIONS(k)                                                                   \
    KAFKA_COMMON_OPTIONS(k),                                                                    \
    OPT_STRING(0, "kafka-out", "TOPIC", &(k)->out_topic,                                       \
               "also produce detections to this Kafka topic (JSON lines, key = tenant)"),      \
    OPT_INT(0, "commit-interval", "MS", &(k)->interval_ms,                                     \
            "Kafka: make detections durable and commit offsets this often (1000)")

#define KAFKA_CAMPAIGNS_OPTIONS(k)                                                              \
    KAFKA_COMMON_OPTIONS(k),                                                                    \
    OPT_INT(0, "interval", "MS", &(k)->interval_ms,                                            \
            "Kafka: recompute the campaigns at most this often (5000)")

void kafka_opts_free(kafka_opts *k);

/* The librdkafka properties of --kafka-config FILE then -X KEY=VALUE (the
 * later win); NULL after logging why. */
tr_kafka_props *kafka_props_from(const char *config, const opt_list *xs);

/* `trawl hunt --kafka`: runs the hunt cfg describes on the topics, adding
 * the --kafka-out sink to cfg's sinks; SIGINT/SIGTERM stop it cleanly.
 * Prints the summary unless quiet. Returns the exit status (0, 1, 2). */
int kafka_hunt_cli(const kafka_opts *k, const tr_hunt_config *cfg, bool quiet);

/* `trawl campaigns --kafka`: the long-running correlator. */
typedef struct kafka_campaigns_args {
    const char *store, *fleet, *policy, *output;
    tr_cmp_format format;
    tr_cmp_report_opts report;
    bool quiet;
} kafka_campaigns_args;
int kafka_campaigns_cli(const kafka_opts *k, const kafka_campaigns_args *a);

#endif
