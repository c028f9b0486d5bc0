/*
 * kafka_record.h - one Kafka message as one event: its record (the value),
 * its tenant (key, or "tenant" header), and the parser state its format
 * needs (a header-driven format's lines from the "trawl-header" message
 * header; the year of year-less syslog from the message timestamp). One
 * krec per worker thread; nothing is allocated per message once the
 * parsers in use are cached.
 */
#ifndef TR_SRC_PIPELINE_KAFKA_RECORD_H
#define TR_SRC_PIPELINE_KAFKA_RECORD_H

#include "core/common.h"

#include <librdkafka/rdkafka.h>

#include "core/buf.h"
#include "trawl/hunt.h"
#include "trawl/parse.h"

#define KREC_PARSERS 8 /* parsers cached per thread (formats × header sets × syslog hours) */

typedef struct krec_parser {
    tr_parser *p;
    tr_format fmt;
    uint64_t key;  /* header-lines hash, syslog reference hour, else 0 */
    uint64_t used; /* LRU clock */
} krec_parser;

typedef struct krec {
    const tr_hunt_config *cfg; /* parse options, max_record, tenant options */
    tr_field *fields;
    tr_arena *arena;
    tr_event ev;               /* the event of the last krec_event() */
    krec_parser parsers[KREC_PARSERS];
    uint64_t clock;
    char why[192];             /* reason of the last rejection */
} krec;

tr_err krec_init(krec *r, const tr_hunt_config *cfg);
void krec_release(krec *r);

/* Parses message m (of format fmt, found at path) into r->ev with its
 * tenant. TR_OK: an event; TR_ESKIP: not an event (a header line sent as a
 * message); TR_EPARSE / TR_ELIMIT: rejected, r->why says why. */
tr_err krec_event(krec *r, rd_kafka_message_t *m, const char *path, tr_format fmt);

/* The value of the last header called name of m (empty when none). */
tr_str krec_header(rd_kafka_message_t *m, const char *name);
/* The record of m: its value without a trailing line break. */
tr_str krec_record(const rd_kafka_message_t *m);
/* The format of m's record (with its header lines), or TR_FMT_AUTO when
 * nothing fits; scratch is a work buffer. */
tr_format krec_detect(tr_buf *scratch, rd_kafka_message_t *m);

#endif
