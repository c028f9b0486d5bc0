/*
 * mpm.h - multi-literal matching over Vectorscan: "which of these thousands
 * of literals occur in this field value?" in one pass.
 *
 * The Sigma engine uses it as the prefilter (every contains/startswith/
 * endswith/equals value of every rule, one id per atom) and the indicator
 * engine for substring indicators. Three objects, after Suricata's
 * util-mpm-hs.c:
 *
 *   tr_mpm_builder   cold: collects (literal, flags, id) triples.
 *   tr_mpm           compiled, immutable, shared by every thread.
 *   tr_mpm_scratch   per thread: Vectorscan scratch. One scratch can serve
 *                    several databases (reserve it for each).
 *
 *   tr_mpm_builder *b; tr_mpm *db; tr_mpm_scratch *s; tr_idset hits;
 *   tr_mpm_builder_new(&b);
 *   tr_mpm_builder_add(b, TR_STR("mimikatz"), TR_MPM_CASELESS, 7);
 *   tr_mpm_builder_add(b, TR_STR("\\cmd.exe"), TR_MPM_CASELESS | TR_MPM_SUFFIX, 8);
 *   tr_mpm_compile(b, &db, err, sizeof(err), NULL);  tr_mpm_builder_free(b);
 *   per thread: tr_mpm_scratch_new(&s); tr_mpm_scratch_reserve(s, db);
 *               tr_idset_init(&hits, tr_mpm_id_bound(db));
 *   per event:  tr_idset_reset(&hits);
 *               for each field value v: tr_mpm_scan(db, s, v, &hits);
 *               hits.ids[0..hits.n) = every id hit in any field, each once.
 *
 * Semantics:
 *   - Matching is on bytes. TR_MPM_CASELESS folds ASCII letters only.
 *   - Every call to tr_mpm_scan() looks at one slice: a literal never matches
 *     across two slices, and TR_MPM_PREFIX / TR_MPM_SUFFIX anchor to the
 *     start / end of that slice. PREFIX|SUFFIX means "the slice equals the
 *     literal".
 *   - The same literal (same bytes after case folding, same flags) may be
 *     added with many ids: it is compiled once and every id is reported.
 *     Different literals may share an id. An id is reported once per call of
 *     the callback scan, and once per reset of the idset with tr_mpm_scan().
 *   - The empty literal is allowed: it occurs in every slice (contains,
 *     startswith and endswith ''), and equals only the empty slice.
 *   - Ids are uint32 below TR_MPM_MAX_ID; keep them dense (they size idsets).
 *
 * No allocation in any scan function. Thread-safety: builder and scratch are
 * single-thread objects; a compiled tr_mpm is read-only and may be scanned
 * by any number of threads, each with its own scratch.
 */
#ifndef TR_SRC_MATCH_MPM_H
#define TR_SRC_MATCH_MPM_H

#include "core/common.h"

#include "match/idset.h"

#define TR_MPM_MAX_ID 0x7fffffffu
#define TR_MPM_NO_ID UINT32_MAX

enum tr_mpm_flags {
    TR_MPM_CASELESS = 1 << 0, /* ASCII case-insensitive */
    TR_MPM_PREFIX = 1 << 1,   /* must start at the slice's first byte (startswith) */
    TR_MPM_SUFFIX = 1 << 2    /* must end at the slice's last byte (endswith) */
};

typedef struct tr_mpm_builder tr_mpm_builder;
typedef struct tr_mpm tr_mpm;
typedef struct tr_mpm_scratch tr_mpm_scratch;

/* A new, empty builder. TR_OK or TR_ENOMEM (*out NULL). */
tr_err tr_mpm_builder_new(tr_mpm_builder **out);
void tr_mpm_builder_free(tr_mpm_builder *b);

/* Adds lit (copied; may contain any byte, NUL included) with flags (enum
 * tr_mpm_flags) under id. TR_EINVAL for unknown flags or id > TR_MPM_MAX_ID,
 * TR_ENOMEM. */
tr_err tr_mpm_builder_add(tr_mpm_builder *b, tr_str lit, unsigned flags, uint32_t id);

/* (literal, id) pairs added so far. */
size_t tr_mpm_builder_count(const tr_mpm_builder *b);

/* Compiles the builder's literals (the builder is left unchanged and may be
 * freed afterwards). An empty builder compiles to a database that never
 * reports anything (besides empty literals). On failure *out is NULL, err
 * holds a message and, when Vectorscan refused one literal, *bad_id (if not
 * NULL) receives the first id of that literal (else TR_MPM_NO_ID).
 * Returns TR_OK, TR_ENOMEM, TR_ELIMIT (more than 2^31 distinct literals) or
 * TR_EINVAL (Vectorscan refused the set: err says why). */
tr_err tr_mpm_compile(const tr_mpm_builder *b, tr_mpm **out, char *err, size_t errlen,
                      uint32_t *bad_id);
void tr_mpm_free(tr_mpm *db);

/* One more than the largest id of db (0 when empty): the universe for an
 * idset receiving db's hits. */
uint32_t tr_mpm_id_bound(const tr_mpm *db);
/* Distinct literals compiled (after deduplication, empty literal included). */
size_t tr_mpm_literal_count(const tr_mpm *db);
/* Bytes used by the compiled database (Vectorscan + fan-out tables). */
size_t tr_mpm_memory(const tr_mpm *db);

/* A per-thread scratch able to scan nothing yet. TR_OK or TR_ENOMEM. */
tr_err tr_mpm_scratch_new(tr_mpm_scratch **out);
/* Grows s so that it can scan db (call once per database, cold path).
 * TR_OK, TR_ENOMEM or TR_EINTERNAL. */
tr_err tr_mpm_scratch_reserve(tr_mpm_scratch *s, const tr_mpm *db);
/* A new scratch able to scan every database proto was reserved for: build a
 * prototype once, clone it for each worker thread. */
tr_err tr_mpm_scratch_clone(const tr_mpm_scratch *proto, tr_mpm_scratch **out);
void tr_mpm_scratch_free(tr_mpm_scratch *s);

/* Scans one slice and adds to hits every id whose literal occurs in it
 * (honouring PREFIX/SUFFIX). Ids already in hits stay once. Returns TR_OK,
 * TR_EINVAL when s was not reserved for db, TR_ELIMIT for a slice of 4 GiB or
 * more, TR_EINTERNAL on a Vectorscan error. Never allocates. */
tr_err tr_mpm_scan(const tr_mpm *db, tr_mpm_scratch *s, tr_str data, tr_idset *hits);

/* tr_mpm_scan over n slices (the fields of one event): no literal matches
 * across slices; each id lands in hits once. */
tr_err tr_mpm_scan_slices(const tr_mpm *db, tr_mpm_scratch *s, const tr_str *slices, size_t n,
                          tr_idset *hits);

/* Called for each (literal, id) hit; return non-zero to stop the scan. */
typedef int (*tr_mpm_match_fn)(uint32_t id, void *ctx);

/* Scans one slice and calls fn for every id hit, each literal's ids at most
 * once per call (an id shared by two hit literals is reported twice). Stopping
 * early through fn is not an error. Errors as tr_mpm_scan(). */
tr_err tr_mpm_scan_cb(const tr_mpm *db, tr_mpm_scratch *s, tr_str data, tr_mpm_match_fn fn,
                      void *ctx);

#endif
