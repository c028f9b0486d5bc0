/*
 * kafka_parts.h - the partitions a Kafka consumer of trawl works on: what
 * it was assigned, how far its output is durable-ready ("emitted"), what it
 * committed, and whether it reached the end. Shared by the hunt workers
 * (kafka_hunt.c) and the detection consumer (kafka_detections.c).
 *
 * Partitions are found by topic handle (cached) or name and number, and
 * never freed before the end, so pointers to them stay valid. The consumer
 * thread owns the table; "emitted" may be written by another thread under
 * the owner's lock (the hunt's emit lock).
 */
#ifndef TR_SRC_PIPELINE_KAFKA_PARTS_H
#define TR_SRC_PIPELINE_KAFKA_PARTS_H

#include "core/common.h"

#include <librdkafka/rdkafka.h>

#include "core/vec.h"
#include "trawl/parse.h"

typedef struct kpart {
    char *path;          /* "kafka:<topic>/<partition>": the detections' path */
    int32_t partition;
    int64_t emitted;     /* offset after the last message whose output reached the sinks; -1 */
    int64_t committed;   /* offset last committed; -1 */
    bool assigned;       /* currently ours */
    bool eof;            /* the last event of it was its end */
    uint64_t diag_total; /* malformed messages (atomic) */
} kpart;

typedef struct ktopic {
    char *name;
    const rd_kafka_topic_t *rkt; /* handle last seen with this name (lookup cache) */
    tr_format format;            /* TR_FMT_AUTO until detected */
    bool told;                   /* "cannot detect" was reported */
    TR_VEC(kpart *) parts;       /* by partition number (NULL: never seen) */
} ktopic;

typedef struct kparts {
    TR_VEC(ktopic *) topics;
    tr_format format;            /* format of new topics */
} kparts;

/* The topic named name (created when new). NULL when out of memory. */
ktopic *kparts_topic(kparts *k, const char *name);
/* The topic of a message's handle. */
ktopic *kparts_topic_of(kparts *k, const rd_kafka_topic_t *rkt);
/* The partition of t (created when new); NULL when out of memory. */
kpart *kparts_part(ktopic *t, int32_t partition);
/* The partition topic/partition, or NULL. */
kpart *kparts_find(kparts *k, const char *topic, int32_t partition);
void kparts_release(kparts *k);

/* Marks the partitions of l assigned (fresh: not at the end, nothing
 * emitted or committed) or no longer assigned. false when out of memory. */
bool kparts_assign(kparts *k, const rd_kafka_topic_partition_list_t *l, bool assigned);
/* A list of the assigned partitions whose emitted offset is past the
 * committed one, at their emitted offsets; NULL when there is none. */
rd_kafka_topic_partition_list_t *kparts_to_commit(kparts *k);
/* Records the offsets of l that were committed without error. */
void kparts_committed(kparts *k, const rd_kafka_topic_partition_list_t *l);
/* True when at least one partition is assigned and every assigned one is at
 * its end. */
bool kparts_all_eof(const kparts *k);

/* "topic/0 topic/1 …" of l, cut to fit buf. */
void kparts_names(const rd_kafka_topic_partition_list_t *l, char *buf, size_t n);

#endif
