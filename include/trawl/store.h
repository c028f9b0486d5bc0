/*
 * trawl/store.h - the SQLite store: tenants, sources with checkpoints,
 * detections and saved engine state, so that detections outlive a run and a
 * run can be resumed (docs/STORE.md documents every table).
 *
 * A hunt uses it in four calls, none of which needs SQL:
 *   tr_store_open(path, TR_STORE_CREATE, &st, err, sizeof err);
 *   tr_store_put_fleet(st, fleet);                    tenants
 *   tr_store_sink_new(st, NULL, &sink);               a tr_sink, like the JSONL one
 *   for each file: tr_store_resume(st, path, tenant, &src) says where to start;
 *       read from src.offset/line/record, stamp src.gen on each detection,
 *       tr_sink_write() detections and, between records,
 *       tr_store_sink_checkpoint(sink, &src, offset, line, record, eof);
 *   tr_sink_flush(sink); tr_sink_free(sink); tr_store_close(st);
 *
 * Consistency: the sink applies writes, detections and checkpoints, in the
 * order it receives them, in transactions; what a crash leaves in the store
 * is always a prefix of that sequence. A checkpoint is therefore never ahead
 * of the detections of the records before it, and detections are keyed by
 * their deterministic id (INSERT OR IGNORE), so a resumed run repeats
 * nothing and misses nothing.
 *
 * Thread-safety: a tr_store may be shared by threads; every call takes the
 * store's lock (one SQLite connection). A sink is used by one thread at a
 * time (as every tr_sink) and writes through its own writer thread.
 */
#ifndef TR_STORE_H
#define TR_STORE_H

#include "trawl/detect.h"
#include "trawl/fleet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this trawl writes (PRAGMA user_version). */
#define TR_STORE_SCHEMA_VERSION 3

typedef struct tr_store tr_store;

enum tr_store_open_flags {
    TR_STORE_CREATE = 1 << 0,    /* create the file if it does not exist */
    TR_STORE_READONLY = 1 << 1,  /* never write: no migration, no sink */
    TR_STORE_SYNC_FULL = 1 << 2  /* fsync every commit (synchronous=FULL): survives power
                                    loss, not only a killed process; slower */
};

/* Opens (and with TR_STORE_CREATE creates) the store at path, upgrading an
 * older schema in one transaction. On failure *out is NULL, errbuf holds
 * "PATH: reason" and the result is
 *   TR_ENOENT    no such file and no TR_STORE_CREATE;
 *   TR_EVERSION  the schema is newer than this trawl supports ("upgrade
 *                trawl"), or older and TR_STORE_READONLY forbids upgrading;
 *   TR_ESTORE    not a trawl store, or SQLite failed (locked, corrupt, I/O). */
TR_API tr_err tr_store_open(const char *path, unsigned flags, tr_store **out, char *errbuf,
                            size_t errlen);
/* Closes the store. Free every sink of the store first. NULL is fine. */
TR_API void tr_store_close(tr_store *st);

/* The message of the last failure of a call on st (empty when none). Valid
 * until the next call on st from the same thread. */
TR_API const char *tr_store_errmsg(const tr_store *st);

/* Schema version of the open store (== TR_STORE_SCHEMA_VERSION once open for
 * writing) and the trawl version that last wrote it (borrowed, valid while open). */
TR_API int tr_store_schema_version(const tr_store *st);
TR_API const char *tr_store_writer_version(const tr_store *st);

/* Inserts or updates every tenant of fleet (name, country, sector). */
TR_API tr_err tr_store_put_fleet(tr_store *st, const tr_fleet *fleet);
/* Number of tenants stored. */
TR_API tr_err tr_store_count_tenants(tr_store *st, uint64_t *count);
/* The stored tenants as a fleet (free with tr_fleet_free); an empty fleet
 * when the hunts that filled the store had none. */
TR_API tr_err tr_store_get_fleet(tr_store *st, tr_fleet **out);

/* ---- sources and where to resume them ---- */

/* A fingerprint of what a run looks for (its rules, feeds and matching
 * options). Checkpoints remember it; a source whose checkpoint was taken
 * with another fingerprint is read again from the start (its old detections
 * keep their ids, so only the new rules' detections are added). 0, the
 * default, matches only 0. Set it before tr_store_resume(). */
TR_API void tr_store_set_ruleset(tr_store *st, uint64_t fingerprint);

/* Why tr_store_resume() decided what it did. */
typedef enum tr_resume_why {
    TR_RESUME_NEW = 0,    /* never seen: read from the start */
    TR_RESUME_GROWN,      /* same content, more of it (or last run stopped early): from the
                             checkpoint */
    TR_RESUME_UNCHANGED,  /* same content, read to its end already: skip */
    TR_RESUME_REPLACED,   /* other content now at a known path (rotated, replaced): from the
                             start, new generation */
    TR_RESUME_SHRUNK,     /* same head but smaller than already read (truncated and rewritten):
                             from the start, new generation */
    TR_RESUME_MOVED,      /* content already read under another path (rotated away): from its
                             checkpoint, or skip when nothing was added */
    TR_RESUME_RULES,      /* same content, read with other rules (tr_store_set_ruleset): from
                             the start, same generation */
    TR_RESUME_UNTRACKED   /* not a regular file (stdin, a pipe): read it all, no checkpoints */
} tr_resume_why;

TR_API const char *tr_resume_why_name(tr_resume_why why);

/* Where to read one source from, and the handle its checkpoints refer to. */
typedef struct tr_store_src {
    int64_t id;            /* the generation's row in the store; 0 = untracked */
    uint64_t gen;          /* source_gen to stamp on this source's detections (never 0 when
                              tracked) */
    tr_resume_why why;
    bool skip;             /* nothing new to read */
    uint64_t offset;       /* start here: decompressed byte offset of the next record … */
    uint64_t line;         /* … its 1-based line (1 at the start) … */
    uint64_t record;       /* … and its record index */
    uint64_t size;         /* on-disk size of the file now */
    uint64_t ruleset;      /* fingerprint its checkpoints carry (tr_store_set_ruleset) */
} tr_store_src;

/* Decides where to read path (tenant: the tenant its events belong to, may
 * be empty) from, and registers the source (a new generation when its
 * content is new). The rules are in docs/STORE.md "Resuming sources":
 * identity is the content's head (a hash of the first 4 KiB on disk), not the
 * path or the inode. Reads the file's head; the file need not stay open.
 * Returns TR_ENOENT/TR_EIO when the file cannot be read, TR_ESTORE on a
 * store failure (tr_store_errmsg). */
TR_API tr_err tr_store_resume(tr_store *st, const char *path, tr_str tenant,
                              tr_store_src *out);

/* The generation number a file gets when it is new to a store: the hash of
 * its head (first 4 KiB, or the whole file when smaller). A hunt without a
 * store stamps it as source_gen so that its detection ids are those a store
 * would give. *gen is 0 for stdin and non-regular files. Thread-safe. */
TR_API tr_err tr_source_head_gen(const char *path, uint64_t *gen);

/* The stored progress of source id (from a tr_store_src). */
typedef struct tr_store_progress {
    uint64_t offset, line, record;
    bool eof;          /* the checkpoint was taken at the end of the input */
    uint64_t eof_size; /* on-disk bytes consumed when eof */
} tr_store_progress;
TR_API tr_err tr_store_get_progress(tr_store *st, int64_t id, tr_store_progress *out);

/* ---- the detection sink ---- */

typedef struct tr_store_sink_opts {
    uint32_t batch;         /* writes per transaction, at most (0 = 4096) */
    uint32_t queue;         /* batches queued before write blocks (0 = 4) */
    uint32_t max_delay_ms;  /* a partial batch older than this is handed to the writer on the
                               next write (0 = 250) */
} tr_store_sink_opts;

/* A sink writing detections into st. tr_sink_write() copies the detection
 * into the current batch (d->id 0 is computed; the detection's source_gen
 * must be the one tr_store_resume() gave); a writer thread commits batches
 * with prepared statements; tr_sink_flush() returns once everything written
 * so far is committed (durable against a killed process; against power loss
 * too with TR_STORE_SYNC_FULL). After a store error every call returns
 * TR_ESTORE and tr_store_errmsg() says why. opts may be NULL. */
TR_API tr_err tr_store_sink_new(tr_store *st, const tr_store_sink_opts *opts, tr_sink **out);

/* What the sink did so far (counts of committed writes). */
typedef struct tr_store_sink_stats {
    uint64_t inserted;    /* detections new to the store */
    uint64_t duplicates;  /* detections already stored (same id), ignored */
    uint64_t checkpoints; /* checkpoints committed */
    uint64_t commits;     /* transactions */
} tr_store_sink_stats;
TR_API void tr_store_sink_stats_get(tr_sink *sink, tr_store_sink_stats *out);

/* Records that every record of src before offset (decompressed; line and
 * record are those of the record at offset) has been matched and its
 * detections written. eof: offset is the end of the input, and eof_size the
 * on-disk bytes consumed (tr_reader_bytes_read()). Ordered with the writes:
 * committed together with, never before, the detections written before it.
 * Untracked sources (id 0) are ignored. */
TR_API tr_err tr_store_sink_checkpoint(tr_sink *sink, const tr_store_src *src, uint64_t offset,
                                       uint64_t line, uint64_t record, bool eof,
                                       uint64_t eof_size);

/* Saves an opaque blob of engine state (the correlation engine's open
 * windows) under name, ordered with the writes like a checkpoint, and
 * committed in one transaction with the checkpoint written right after it:
 * a resumed run reads the state that matches the checkpoints. An empty blob
 * deletes it. */
TR_API tr_err tr_store_sink_put_state(tr_sink *sink, const char *name, const void *blob,
                                      size_t len);
/* The state saved under name: *blob (free with tr_free) and *len; *blob NULL
 * and *len 0 when there is none. */
TR_API tr_err tr_store_get_state(tr_store *st, const char *name, void **blob, size_t *len);

/* ---- reading detections back ---- */

/* Level names in increasing order: informational, low, medium, high,
 * critical. -1 for an unknown name. */
TR_API int tr_level_rank(tr_str level);

typedef struct tr_store_filter {
    const char *tenant;    /* exact tenant id, or NULL */
    const char *rule;      /* exact rule id, or NULL */
    int min_level;         /* at least this tr_level_rank(), or -1 */
    int kind;              /* a tr_det_kind, or -1 */
    int64_t since;         /* ts >= since, or TR_TS_NONE */
    int64_t until;         /* ts < until, or TR_TS_NONE */
    const char *indicator; /* exact indicator value, or NULL */
} tr_store_filter;

/* A filter that matches everything. */
TR_API void tr_store_filter_init(tr_store_filter *f);

/* Keyset cursor over (ts, id), the order of every query (detections without
 * a time come first). Zero-initialise it to start; a query leaves it after
 * the last row it returned, so the next query continues from there. */
typedef struct tr_store_cursor {
    bool started;  /* false: from the beginning */
    bool ts_null;  /* last row had no time */
    int64_t ts;
    int64_t id;    /* detection id (as stored, signed) */
} tr_store_cursor;

/* "t<ts>.<id>" tokens for APIs that hand the cursor to a client. */
TR_API void tr_store_cursor_format(const tr_store_cursor *c, char *buf, size_t len);
TR_API tr_err tr_store_cursor_parse(const char *s, tr_store_cursor *c);

/* Receives one detection; the view and everything in it is valid during
 * the call only. A non-OK return stops the query and is returned by it. The
 * callback must not call into the same store. */
typedef tr_err (*tr_store_row_fn)(void *ctx, const tr_detection *d);

/* Calls fn for up to limit (0: no limit) detections matching f after
 * *cursor, in (ts, id) order, and advances *cursor. *nrows (optional)
 * receives how many were returned: fewer than limit means the end. */
TR_API tr_err tr_store_query(tr_store *st, const tr_store_filter *f, tr_store_cursor *cursor,
                             size_t limit, tr_store_row_fn fn, void *ctx, size_t *nrows);
/* Number of detections matching f. */
TR_API tr_err tr_store_count(tr_store *st, const tr_store_filter *f, uint64_t *count);

/* Calls fn once with the detection whose id is id; TR_ENOENT when there is
 * none. The view is valid during the call only. */
TR_API tr_err tr_store_get(tr_store *st, uint64_t id, tr_store_row_fn fn, void *ctx);

/* ---- for long-lived readers ---- */

/* A number that changes whenever detections are added or tenants change
 * (by this or any other process), so that a reader keeping a view of the
 * store rebuilds it only then. Cheap: the last detection row and the (small)
 * tenants table. */
TR_API tr_err tr_store_data_mark(tr_store *st, uint64_t *mark);

#ifdef __cplusplus
}
#endif
#endif /* TR_STORE_H */
