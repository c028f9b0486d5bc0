/*
 * evtx_chunks.h - a look at an EVTX image's file header and chunk headers
 * before libevtx opens it: what to report, and what to neutralise.
 */
#ifndef TR_SRC_INPUT_EVTX_CHUNKS_H
#define TR_SRC_INPUT_EVTX_CHUNKS_H

#include "core/common.h"

#define TR_EVTX_HEADER_BLOCK 4096
#define TR_EVTX_CHUNK_SIZE 65536

/* Receives one finding: chunk is the 0-based chunk number, or -1 for the
 * file header; msg is the reason ("header checksum mismatch; …"). */
typedef void (*tr_evtx_note_fn)(void *ctx, long chunk, const char *msg);

typedef struct tr_evtx_chunk_stats {
    uint64_t *offsets;  /* file offsets of the records libevtx lists as allocated, in
                           its order, as far as the chunk headers tell (owned: tr_free) */
    size_t noffsets;
    uint32_t declared;  /* chunks the file header declares */
    uint32_t slots;     /* chunk-sized slots in the image (the last may be padding) */
    uint32_t used;      /* slots holding a chunk signature */
    uint32_t damaged;   /* chunks with a finding */
    uint32_t rewritten; /* chunks whose signature was cleared (see below) */
} tr_evtx_chunk_stats;

/* Examines img[0..size), where the file's own bytes are img[0..file_size)
 * and the rest (up to a whole chunk) is zero padding. Reports through note:
 * a file header checksum mismatch or a chunk count the file does not hold;
 * per chunk, a missing signature (garbage or overwritten data), header and
 * event-record checksum mismatches, and a chunk cut short by the end of the
 * file. A chunk whose header has values libevtx refuses (header size other
 * than 128, free-space offset outside the chunk) would make libevtx refuse
 * the whole file: its signature is cleared in img, so that libevtx reads it
 * as a damaged chunk and scans it for records instead. img must be
 * writable. st->offsets lists where the allocated records are (libevtx
 * itself does not say): the records of chunks the header counts (or of
 * every chunk of a dirty file), walked from the chunk's first record to its
 * last, as libevtx walks them. Returns false (and notes why) when img is
 * not an EVTX image; TR_ENOMEM leaves offsets NULL. */
bool tr_evtx_chunks_check(unsigned char *img, size_t size, size_t file_size,
                          tr_evtx_note_fn note, void *ctx, tr_evtx_chunk_stats *st);

#endif
