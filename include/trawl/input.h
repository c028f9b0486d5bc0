/*
 * trawl/input.h - sources: files, directories and stdin, decompressed and
 * cut into records.
 *
 * A tr_source reads one stream in large chunks into a buffer it owns and
 * hands out records as slices of that buffer, valid until the next call to
 * tr_source_next(). Compression (gzip, zstd, lz4 frame) is detected from the
 * magic bytes. Framing is by line, or by JSON value for JSON formats so that
 * concatenated pretty-printed objects (evtx_dump output) work as well as one
 * object per line.
 */
#ifndef TR_INPUT_H
#define TR_INPUT_H

#include "trawl/core.h"
#include "trawl/parse.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tr_compression {
    TR_COMP_NONE = 0,
    TR_COMP_GZIP,
    TR_COMP_ZSTD,
    TR_COMP_LZ4
} tr_compression;

TR_API const char *tr_compression_name(tr_compression c);

typedef enum tr_framing {
    TR_FRAME_LINES = 0, /* one record per line (LF or CRLF) */
    TR_FRAME_JSON,      /* one JSON value per record, on one or many lines */
    TR_FRAME_WHOLE      /* binary formats (EVTX): records are cut by the format's own reader */
} tr_framing;

typedef struct tr_source_opts {
    tr_format format;      /* TR_FMT_AUTO to detect */
    size_t max_record;     /* longest record accepted; 0 = 16 MiB */
    size_t chunk_size;     /* read size; 0 = 1 MiB */
    uint64_t start_offset; /* resume: skip this many (decompressed) bytes first;
                              must be a record boundary */
    uint64_t start_line;   /* line number at start_offset (1-based); 0 = 1 */
    uint64_t start_record; /* record index at start_offset */
} tr_source_opts;

typedef struct tr_record {
    tr_str data;     /* the record bytes without the line terminator (borrowed) */
    uint64_t line;   /* 1-based line of the record's first byte */
    uint64_t offset; /* byte offset of the record in the decompressed stream */
    tr_err status;   /* block mode: TR_OK, or TR_ELIMIT / TR_EPARSE for a record the
                        framing rejected (see tr_source_status_msg) */
} tr_record;

typedef struct tr_source tr_source;

/* Opens path ("-" for stdin), detects compression and, with TR_FMT_AUTO,
 * the format. opts may be NULL. On failure *out is NULL and errbuf (if not
 * NULL) holds a message. */
TR_API tr_err tr_source_open(const char *path, const tr_source_opts *opts, tr_source **out,
                             char *errbuf, size_t errlen);
TR_API void tr_source_free(tr_source *s);

TR_API const char *tr_source_path(const tr_source *s);
TR_API tr_format tr_source_format(const tr_source *s);
TR_API tr_compression tr_source_compression(const tr_source *s);
TR_API tr_framing tr_source_framing(const tr_source *s);

/* Next record. Returns
 *  TR_OK      rec is filled;
 *  TR_EEOF    no more records;
 *  TR_ELIMIT  a record longer than max_record was skipped: rec->line and
 *             rec->offset say where; the next call goes on after it;
 *  TR_EPARSE  (JSON framing) bytes that cannot start a JSON value were
 *             skipped up to the next line; rec says where;
 *  TR_EIO / TR_ECOMPRESS  the stream cannot be read further (message in
 *             tr_source_errmsg()). */
TR_API tr_err tr_source_next(tr_source *s, tr_record *rec);

/* Block mode, for pipelines that hand records to other threads: the source
 * cuts records into caller-owned blocks instead of its own window, so the
 * records of a block stay valid for as long as the caller keeps the block.
 * Only the bytes of a record cut by the end of a block are copied (into the
 * source, then to the front of the next block). A block may be grown (tr_realloc of buf) to hold
 * one long record, up to max_record plus a chunk. */
typedef struct tr_block {
    char *buf;          /* bytes (caller-owned, allocated with tr_malloc; may be grown) */
    size_t cap;         /* capacity of buf */
    size_t len;         /* bytes of buf in use after the call */
    tr_record *recs;    /* caller-provided record table */
    size_t maxrecs;     /* its capacity */
    size_t nrecs;       /* records cut (including rejected ones, by status) */
    bool eof;           /* the stream ended: no further block */
    bool partial;       /* eof, and the last record ended the stream without its terminator
                           (a line without its newline, a JSON value cut short): a writer
                           may still be completing it, so resume before it */
} tr_block;

/* Fills b with the next records. The block may be released or reused as soon
 * as the caller is done with its records (the source keeps its own copy of
 * the unfinished tail). Returns TR_OK (b->eof tells whether the stream ended) or
 * TR_EIO / TR_ECOMPRESS / TR_ENOMEM (records cut before the failure are in b). */
TR_API tr_err tr_source_next_block(tr_source *s, tr_block *b);

/* The message for a record status of block mode. */
TR_API const char *tr_source_status_msg(const tr_source *s, tr_err status);

/* Message for the last error, valid until the next call. */
TR_API const char *tr_source_errmsg(const tr_source *s);

/* Decompressed bytes consumed so far (records handed out, terminators included). */
TR_API uint64_t tr_source_offset(const tr_source *s);
/* Line number of the first byte at tr_source_offset(). */
TR_API uint64_t tr_source_line(const tr_source *s);
/* Compressed bytes read from the file so far (for progress). */
TR_API uint64_t tr_source_bytes_read(const tr_source *s);

/* Path expansion: files as given, directories walked recursively in sorted
 * (byte-wise) order, hidden entries skipped. */
typedef struct tr_pathlist {
    char **paths; /* owned */
    size_t n;
} tr_pathlist;

/* Appends the files under path to list. Unreadable entries are reported
 * through the log and skipped; returns TR_ENOENT if path does not exist. */
TR_API tr_err tr_pathlist_add(tr_pathlist *list, const char *path);
TR_API void tr_pathlist_release(tr_pathlist *list);

#ifdef __cplusplus
}
#endif
#endif /* TR_INPUT_H */
