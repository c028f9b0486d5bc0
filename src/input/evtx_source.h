/*
 * evtx_source.h - the EVTX kind of tr_source: a Windows event log read
 * through libevtx, one record per event record.
 *
 * source.c hands a stream over to this file when its first bytes are the
 * EVTX signature; from then on tr_source_next() and tr_source_next_block()
 * are answered here. Record bytes are the layout of parse/evtx_wire.h,
 * which the TR_FMT_EVTX decoder reads.
 *
 * Records come in this order: the allocated records of every chunk, in
 * file order, then the records libevtx recovers from chunks' free space
 * (leftovers of overwritten or cleared logs) that are not copies of an
 * allocated record (same EventRecordID and written time). A record libevtx
 * cannot decode is still a record: its bytes are an ERROR record naming the
 * reason, which the decoder reports. Recovered candidates that cannot be
 * decoded are fragments, not records: they are counted and summarised.
 *
 * The resume position (tr_source_offset) of an EVTX source counts records
 * rather than bytes: start_offset N resumes after the first N.
 */
#ifndef TR_SRC_INPUT_EVTX_SOURCE_H
#define TR_SRC_INPUT_EVTX_SOURCE_H

#include "core/common.h"

#include "input/decomp.h"
#include "trawl/input.h"

typedef struct tr_evtx_source tr_evtx_source;

/* Takes over a stream source.c has opened: fd (a regular uncompressed file
 * is mapped, anything else is read to its end through dec, after the bytes
 * head[0..nhead) already read). path names the source in messages (borrowed:
 * it must outlive the EVTX source). Damage found in the file header and
 * chunk headers is reported (tr_log, WARN) here. On failure errbuf says
 * why, naming path. */
tr_err tr_evtx_source_open(const char *path, int fd, tr_compression comp, tr_decomp *dec,
                           const char *head, size_t nhead, const tr_source_opts *opts,
                           tr_evtx_source **out, char *errbuf, size_t errlen);

/* The same over an image in memory (copied), for tests and the fuzz target. */
tr_err tr_evtx_source_open_mem(const char *path, const void *data, size_t n,
                               const tr_source_opts *opts, tr_evtx_source **out, char *errbuf,
                               size_t errlen);

void tr_evtx_source_free(tr_evtx_source *e);

/* tr_source_next(): rec->data is valid until the next call; line is 0,
 * offset the record's byte offset in the file. TR_OK or TR_EEOF, TR_ENOMEM. */
tr_err tr_evtx_source_next(tr_evtx_source *e, tr_record *rec);

/* tr_source_next_block(). */
tr_err tr_evtx_source_next_block(tr_evtx_source *e, tr_block *b);

/* Records handed out (the resume position). */
uint64_t tr_evtx_source_offset(const tr_evtx_source *e);
/* File bytes behind the records handed out (progress). */
uint64_t tr_evtx_source_bytes_read(const tr_evtx_source *e);
const char *tr_evtx_source_errmsg(const tr_evtx_source *e);

/* Counters, for tests and summaries. */
typedef struct tr_evtx_source_stats {
    uint64_t allocated;  /* allocated records libevtx lists */
    uint64_t recovered;  /* recovered records handed out */
    uint64_t duplicates; /* recovered copies of allocated records, skipped */
    uint64_t fragments;  /* recovered candidates that could not be decoded */
    uint64_t rejected;   /* records handed out as ERROR records */
    uint32_t chunks;     /* chunks with a signature */
    uint32_t damaged;    /* chunks reported damaged */
} tr_evtx_source_stats;

const tr_evtx_source_stats *tr_evtx_source_stats_get(const tr_evtx_source *e);

/* True when the libevtx in use shifts characters outside the BMP down by
 * 0x3FF (evtx_probe.c); asked once per process. */
bool tr_evtx_libevtx_shifts_nonbmp(void);

#endif
