/*
 * trawl/correl.h - the runtime of Sigma correlation rules (Sigma v2.1:
 * event_count, value_count, temporal, temporal_ordered, value_sum,
 * value_avg, value_percentile), over the correlation documents a ruleset
 * loaded (trawl/sigma.h). docs/CORRELATION.md states the semantics.
 *
 *   tr_correl *c;
 *   tr_correl_new(rs, NULL, &c);
 *   (resuming: tr_store_get_state(st, TR_CORREL_STATE_NAME, …); tr_correl_restore(c, …))
 *   for each Sigma detection, in output order:
 *       tr_correl_feed(c, &d, emit, ctx);            emit() receives correlation detections
 *   at each checkpoint: if (tr_correl_dirty(c)) tr_correl_save(c, &blob, &n) → the store
 *   at the end: tr_correl_finish(c, emit, ctx);   (closes the windows still open)
 *   tr_correl_free(c);
 *
 * The detections fed in must carry, in their fields, the event fields the
 * correlations group or aggregate by: tr_correl_rule_fields() lists them per
 * rule, so the matcher can copy them from the event.
 *
 * Ownership: the engine borrows rs, which must outlive it. Emitted
 * detections are views valid during the emit call. Not thread-safe: one
 * thread feeds it, in order (the hunt's ordered post-processing).
 */
#ifndef TR_CORREL_H
#define TR_CORREL_H

#include "trawl/detect.h"
#include "trawl/sigma.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The name under which hunts save the engine's state in the store. */
#define TR_CORREL_STATE_NAME "sigma-correlations"

typedef struct tr_correl tr_correl;

typedef struct tr_correl_opts {
    size_t memory_cap;     /* bytes of window state kept at most (0 = 256 MiB); beyond it the
                              least recently used groups are dropped, logged and counted */
    int64_t lateness_ns;   /* how far (event time) behind the newest event of a group an event
                              may arrive and still join its windows (0 = none): several sources
                              of one tenant covering the same period want this */
    uint64_t fingerprint;  /* what the hunt looks for (tr_store_set_ruleset's value): saved with
                              the state, and a state saved under another one is not restored
                              (its events would be fed again and counted twice) */
} tr_correl_opts;

typedef struct tr_correl_stats {
    uint64_t fed;            /* detections offered */
    uint64_t used;           /* events added to a window (one detection may feed several) */
    uint64_t fired;          /* correlation detections emitted (chained ones included) */
    uint64_t internal;       /* … of which feed other correlations only (not generated) */
    uint64_t late;           /* events older than the newest of their group (inserted in
                                time order) */
    uint64_t too_late;       /* events older than the group's retention: dropped */
    uint64_t no_time;        /* events without a timestamp: ignored */
    uint64_t missing_field;  /* events without a group-by or condition field: ignored */
    uint64_t not_numeric;    /* value_sum/value_avg events whose field is not a number */
    uint64_t evicted_groups; /* groups dropped by the memory cap */
    uint64_t evicted_events; /* events dropped with them */
    uint64_t groups;         /* groups held now */
    size_t bytes;            /* state held now */
} tr_correl_stats;

/* An engine for the correlations of rs (none is fine: feeding does nothing).
 * Correlations it cannot run are reported with tr_log_at() and skipped.
 * opts may be NULL. TR_ENOMEM on failure. */
TR_API tr_err tr_correl_new(const tr_ruleset *rs, const tr_correl_opts *opts, tr_correl **out);
TR_API void tr_correl_free(tr_correl *c);

/* Number of correlations the engine runs. */
TR_API uint32_t tr_correl_count(const tr_correl *c);

/* The event field names correlations need from the detections of rule
 * (a tr_rule_info index): group-by fields (after aliases) and condition
 * fields. *names is valid while c lives; returns their number (0: none, or
 * the rule feeds no correlation). */
TR_API uint32_t tr_correl_rule_fields(const tr_correl *c, uint32_t rule, const tr_str **names);
/* True when detections of rule feed at least one correlation. */
TR_API bool tr_correl_uses_rule(const tr_correl *c, uint32_t rule);

/* Receives a correlation detection (kind TR_DET_CORRELATION; flags
 * TR_DET_INTERNAL when it only feeds other correlations). A non-OK return
 * stops the feed and is returned by it. */
typedef tr_err (*tr_correl_emit_fn)(void *ctx, const tr_detection *d);

/* Feeds one detection: Sigma detections of rules that correlations refer
 * to (by d->rule_id, the rule's id or name) go into their windows; anything
 * else is ignored. Correlation detections that fire are passed to emit
 * (and to the correlations chained on them) before this returns. */
TR_API tr_err tr_correl_feed(tr_correl *c, const tr_detection *d, tr_correl_emit_fn emit,
                             void *ctx);
/* The same with the rule given by its index (no lookup by id). */
TR_API tr_err tr_correl_feed_rule(tr_correl *c, uint32_t rule, const tr_detection *d,
                                  tr_correl_emit_fn emit, void *ctx);

/* End of input: evaluates the windows still open (conditions that are only
 * decided when a window closes) and empties the engine. */
TR_API tr_err tr_correl_finish(tr_correl *c, tr_correl_emit_fn emit, void *ctx);

/* True when the state changed since the last tr_correl_save() (or restore). */
TR_API bool tr_correl_dirty(const tr_correl *c);

/* Serialises the open windows: *blob (free with tr_free) and *len. The blob
 * names correlations by id/name/title, so it survives rule files being
 * reordered; windows of correlations that no longer exist are dropped on
 * restore. */
TR_API tr_err tr_correl_save(tr_correl *c, void **blob, size_t *len);
/* Replaces the state of c (which must not have been fed yet) with a saved
 * one. TR_EPARSE for a blob that is not a saved state; TR_EVERSION for a
 * state of another format version or saved under another fingerprint. On
 * failure the engine is left empty (start from nothing). */
TR_API tr_err tr_correl_restore(tr_correl *c, const void *blob, size_t len);

/* The engine as the ordered post-processing of a hunt (trawl/hunt.h):
 *   tr_hunt_post post = { c, tr_correl_post_detection, tr_correl_post_finish };
 * c is the tr_correl; add receives the correlation detections. */
TR_API tr_err tr_correl_post_detection(void *c, const tr_detection *d, tr_correl_emit_fn add,
                                       void *addctx);
TR_API tr_err tr_correl_post_finish(void *c, tr_correl_emit_fn add, void *addctx);

TR_API const tr_correl_stats *tr_correl_stats_get(const tr_correl *c);

#ifdef __cplusplus
}
#endif
#endif /* TR_CORREL_H */
