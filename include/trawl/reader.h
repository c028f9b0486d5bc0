/*
 * trawl/reader.h - one source turned into events: open, detect, decompress,
 * frame and parse, with malformed records counted and reported.
 *
 * A reader owns its source and parser; the caller owns the event, its field
 * array and its arena. tr_reader_next() resets the arena and the event
 * before each record ("reset per event").
 */
#ifndef TR_READER_H
#define TR_READER_H

#include "trawl/event.h"
#include "trawl/input.h"
#include "trawl/parse.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tr_reader tr_reader;

typedef struct tr_reader_opts {
    tr_format format;      /* TR_FMT_AUTO to detect */
    tr_parse_opts parse;   /* timestamp field, syslog year, JSON depth */
    size_t max_record;     /* 0 = 16 MiB */
    uint64_t start_offset; /* resume point (a record boundary), with … */
    uint64_t start_line;   /* … its line number and … */
    uint64_t start_record; /* … the index of the next record */
} tr_reader_opts;

typedef struct tr_reader_stats {
    uint64_t events;   /* events produced */
    uint64_t skipped;  /* header and comment lines */
    uint64_t rejected; /* malformed or oversized records */
    uint64_t bytes;    /* decompressed bytes consumed */
} tr_reader_stats;

TR_API tr_err tr_reader_open(const char *path, const tr_reader_opts *opts, tr_reader **out,
                             char *errbuf, size_t errlen);
TR_API void tr_reader_free(tr_reader *r);

/* Next event into ev (ev->path, record, line, offset, format are set).
 *  TR_OK        an event;
 *  TR_EEOF      the source is exhausted;
 *  TR_EPARSE / TR_ELIMIT  a record was rejected: tr_reader_errmsg() and
 *               tr_reader_errline() say why and where; call again to go on;
 *  other        the source cannot be read further (tr_reader_errmsg()). */
TR_API tr_err tr_reader_next(tr_reader *r, tr_event *ev);

TR_API const char *tr_reader_errmsg(const tr_reader *r);
TR_API uint64_t tr_reader_errline(const tr_reader *r);
TR_API const char *tr_reader_path(const tr_reader *r);
TR_API tr_format tr_reader_format(const tr_reader *r);
TR_API tr_compression tr_reader_compression(const tr_reader *r);
TR_API const tr_reader_stats *tr_reader_stats_get(const tr_reader *r);
/* Decompressed offset after the last record handed out (a resume point). */
TR_API uint64_t tr_reader_offset(const tr_reader *r);
/* Line number at tr_reader_offset(). */
TR_API uint64_t tr_reader_line(const tr_reader *r);
/* Compressed bytes read so far (progress). */
TR_API uint64_t tr_reader_bytes_read(const tr_reader *r);

#ifdef __cplusplus
}
#endif
#endif /* TR_READER_H */
