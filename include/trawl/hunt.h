/*
 * trawl/hunt.h - one hunt: sources → parse → route → match → detections →
 * sinks, spread over threads.
 *
 * The hunt reads each source in blocks of whole records (one reader at a
 * time per source), lets worker threads parse, route and match the blocks,
 * and hands detections to the sinks in source order and, within a source,
 * in record order — so the output of -j N is identical to that of -j 1.
 * Memory is bounded by the number of blocks in flight (see tr_hunt_config).
 *
 * Matchers (Sigma rules, indicators) plug in as tr_matcher: an immutable,
 * thread-shared context plus per-thread scratch. Ordered post-processing
 * that must see detections in order (Sigma correlations) plugs in as a
 * tr_hunt_post. Durable sinks (the store) also receive checkpoints.
 */
#ifndef TR_HUNT_H
#define TR_HUNT_H

#include "trawl/detect.h"
#include "trawl/fleet.h"
#include "trawl/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a matcher sends what it found; valid during its scan call only. */
typedef struct tr_hunt_emit tr_hunt_emit;

/* Records a detection found on the current event. Every slice and array of
 * d is copied (the event's memory is recycled after the scan), so the caller
 * may pass views of the event and of its own scratch. d->ts, tenant, path,
 * record, line, source_gen and logsource are filled from the event when left
 * empty. Returns TR_ENOMEM/TR_ELIMIT when the batch's output is full. */
TR_API tr_err tr_hunt_emit_detection(tr_hunt_emit *e, const tr_detection *d);

typedef struct tr_matcher {
    const char *name;                 /* "sigma", "ioc" (for messages) */
    void *ctx;                        /* immutable, shared by threads */
    tr_err (*thread_new)(void *ctx, void **scratch);
    void (*thread_free)(void *scratch);
    /* Scans one routed event; emits detections through e. */
    tr_err (*scan)(void *ctx, void *scratch, const tr_event *ev, tr_hunt_emit *e);
    /* Releases ctx when the matcher owns it (may be NULL). */
    void (*free)(void *ctx);
    /* Optional, before anything of the block is parsed: sets may_match[i]
     * to 1 for each record of blk this matcher may find something in, 0
     * for the others (judged from the raw bytes), and returns true; returns
     * false when it cannot tell for this format (then every record is
     * scanned). A record no matcher marks, of a format whose parser keeps
     * no state from one record to the next, is not parsed at all (counted
     * in tr_hunt_stats.unparsed); otherwise scan() is skipped for it. */
    bool (*block_filter)(void *ctx, void *scratch, tr_format fmt, const tr_block *blk,
                         uint8_t *may_match);
} tr_matcher;

/* Releases what a matcher constructor allocated (tr_matcher_sigma …). */
static inline void tr_matcher_release(tr_matcher *m)
{
    if (m->free)
        m->free(m->ctx);
    m->ctx = NULL;
}

/* Ordered post-processing: sees every detection in output order, before the
 * sinks, and may add detections of its own (they follow the one that caused
 * them). Runs on one thread at a time. */
typedef struct tr_hunt_post {
    void *ctx;
    /* Called for each detection; call add() for each new one to emit. */
    tr_err (*detection)(void *ctx, const tr_detection *d,
                        tr_err (*add)(void *addctx, const tr_detection *nd), void *addctx);
    /* Called once at the end (flush open windows etc.), with the same add(). */
    tr_err (*finish)(void *ctx, tr_err (*add)(void *addctx, const tr_detection *nd),
                     void *addctx);
} tr_hunt_post;

/* Where to start a source (from a store of earlier runs). */
typedef struct tr_resume_point {
    bool skip;            /* nothing new in this source: do not read it */
    uint64_t offset;      /* decompressed byte offset of the next record */
    uint64_t line;        /* its line number (1-based) */
    uint64_t record;      /* its record index */
    uint64_t source_gen;  /* the source's generation (content identity) */
} tr_resume_point;

/* Progress of a source after a block's detections were handed to the sinks. */
typedef struct tr_checkpoint {
    const char *path;
    uint64_t source_gen;
    uint64_t offset;    /* everything before it has been processed and written */
    uint64_t line;
    uint64_t record;
    bool eof;           /* the source was read to its end */
    uint64_t raw_bytes; /* on-disk (compressed) bytes consumed so far */
} tr_checkpoint;

/* Called in output order after each block's detections went to the sinks. */
typedef tr_err (*tr_hunt_checkpoint_fn)(void *ctx, const tr_checkpoint *cp);

/* Computes the resume point of path (whose events belong to tenant, maybe
 * empty); return TR_OK with rp zeroed for "from the start". Called from
 * reader threads, concurrently for different paths. */
typedef tr_err (*tr_hunt_resume_fn)(void *ctx, const char *path, tr_str tenant,
                                    tr_resume_point *rp);

/* Tenant of an event when no rule of the configuration gives one. */
typedef struct tr_hunt_config {
    unsigned threads;            /* worker threads; 0 = number of CPUs */
    size_t block_size;           /* bytes per block; 0 = 4 MiB */
    unsigned blocks_in_flight;   /* 0 = 8 per thread (min 4) */
    tr_reader_opts reader;       /* input format, parse options, record cap */
    const tr_fleet *fleet;       /* tenants by directory layout; may be NULL */
    const char *tenant;          /* --tenant: one tenant for every input */
    const char *tenant_field;    /* --tenant-from field:NAME */
    /* Routing (logsource) of parsed events; NULL = events keep the parser's. */
    void (*route)(void *ctx, tr_event *ev);
    void *route_ctx;
    const tr_matcher *matchers;  /* run in this order on every event */
    size_t nmatchers;
    const tr_hunt_post *post;    /* may be NULL */
    tr_sink **sinks;             /* every detection goes to each */
    size_t nsinks;
    tr_hunt_resume_fn resume;    /* may be NULL */
    tr_hunt_checkpoint_fn checkpoint; /* may be NULL */
    void *store_ctx;             /* ctx of resume and checkpoint */
    bool progress;               /* draw progress on stderr (a terminal) */
    uint32_t max_errors_per_source; /* malformed-record messages printed per source
                                       (all are counted); 0 = 20 */
} tr_hunt_config;

typedef struct tr_hunt_format_stats {
    uint64_t files, bytes, events, rejected;
    double seconds; /* worker time spent on this format */
} tr_hunt_format_stats;

#define TR_HUNT_THREAD_STATS 64

typedef struct tr_hunt_stats {
    uint64_t sources;        /* inputs read */
    uint64_t sources_failed; /* inputs that could not be opened or read to the end */
    uint64_t sources_skipped;/* unchanged since the last run (resume) */
    uint64_t bytes;          /* decompressed bytes */
    uint64_t events;
    uint64_t rejected;       /* malformed or oversized records */
    uint64_t truncated;      /* events with more fields than the field cap */
    uint64_t detections;     /* all kinds */
    uint64_t by_kind[3];     /* per tr_det_kind */
    uint64_t scan_errors;    /* matcher errors (e.g. regex limits), reported */
    double seconds;          /* wall clock */
    tr_hunt_format_stats by_format[TR_FMT_COUNT];
    /* Per pipeline thread, the calling thread first (at most
     * TR_HUNT_THREAD_STATS listed): CPU seconds it spent in the pipeline
     * and how many times it found no work and waited. On a shared machine
     * these, not wall time, tell whether threads starve or the split is
     * uneven. */
    uint32_t threads;
    double thread_cpu[TR_HUNT_THREAD_STATS];
    uint64_t thread_waits[TR_HUNT_THREAD_STATS];
    /* Records no matcher's block_filter marked, left unparsed (malformed
     * ones among them are not reported). */
    uint64_t unparsed;
} tr_hunt_stats;

/* Runs a hunt over paths (files, directories, "-"), in order. Problems with
 * single inputs are reported and counted, not fatal. Returns an error only
 * when the hunt itself cannot go on (a sink fails, out of memory). */
TR_API tr_err tr_hunt_run(const tr_hunt_config *cfg, const char *const *paths, size_t npaths,
                          tr_hunt_stats *stats);

/* Writes the end-of-run summary (events, detections, rejected records,
 * throughput per format) to f. */
TR_API void tr_hunt_stats_print(const tr_hunt_stats *st, FILE *f);

#ifdef __cplusplus
}
#endif
#endif /* TR_HUNT_H */
