/*
 * batch.h - a block of records travelling through the hunt pipeline, and
 * the detections and diagnostics it produced.
 *
 * A batch is filled by the thread reading its source, processed (parse,
 * route, match) by one worker, and emitted in order by whichever thread
 * holds the emit lock. Detections are deep copies into the batch's arena,
 * so they stay valid after the event that produced them is recycled.
 */
#ifndef TR_SRC_PIPELINE_BATCH_H
#define TR_SRC_PIPELINE_BATCH_H

#include "core/common.h"

#include "core/buf.h"
#include "core/vec.h"
#include "trawl/arena.h"
#include "trawl/hunt.h"
#include "trawl/input.h"

typedef enum batch_state {
    BATCH_FREE = 0,
    BATCH_READY,      /* filled, waiting for a worker */
    BATCH_PROCESSING,
    BATCH_DONE        /* processed, waiting to be emitted in order */
} batch_state;

/* Header lines of a source up to some point (Zeek/W3C), shared by batches. */
typedef struct header_snap {
    int refs;         /* protected by the hunt lock */
    uint64_t epoch;   /* number of header lines it holds */
    tr_buf lines;     /* header lines, '\n'-separated */
} header_snap;

typedef struct batch {
    struct batch *next;   /* ready queue / free list */
    batch_state state;
    size_t src;           /* index of the source */
    uint64_t seq;         /* block number within the source */
    tr_block block;
    uint64_t first_record; /* record index of the block's first non-header record */
    header_snap *headers; /* headers as of the block's start (header formats), or NULL */
    bool eof;             /* the source ended with this block */
    bool read_failed;     /* the source could not be read past this block */
    char read_error[320];
    uint64_t end_offset, end_line, end_record; /* resume point after the block */
    uint64_t end_raw;     /* on-disk bytes consumed after the block */
    uint64_t raw_bytes;   /* compressed bytes read for this block (progress) */
    /* output */
    TR_VEC(tr_detection) dets;
    tr_arena *out;        /* strings and arrays of dets */
    tr_buf diag;          /* "trawl: PATH:LINE: reason\n" lines, in record order */
    uint32_t ndiag;
    uint64_t events, rejected, truncated, scan_errors, dropped;
    uint64_t unparsed;    /* records no matcher's block filter marked, not parsed */
    double seconds;       /* worker time */
} batch;

/* What a matcher's detections go to (trawl/hunt.h): the batch being
 * processed, the event, and the source generation to stamp. Shared by the
 * file pipeline (hunt.c) and the Kafka one (kafka_hunt.c). */
struct tr_hunt_emit {
    batch *b;
    const tr_event *ev;
    uint64_t source_gen;
};

/* Creates a free batch with a block of block_size bytes. */
batch *batch_new(size_t block_size, size_t maxrecs);
void batch_free(batch *b);
/* Clears output and counters for reuse (keeps memory). */
void batch_reset(batch *b);

/* Deep-copies d into b (slices, tags, fields, group, contributing). */
tr_err batch_add_detection(batch *b, const tr_detection *d);

void batch_diag(batch *b, const char *path, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
