/*
 * idset.h - a set of small integer ids for the hot path: "which rules (or
 * atoms, or indicators) are candidates for this event".
 *
 * Every matcher of src/match/ reports ids into one of these. Membership is a
 * bit per id of a fixed universe [0, universe), and the members are also kept
 * in insertion order, so that
 *   - adding is O(1) and reports each id once, however many times it is hit
 *     (one event's several fields, one literal shared by several atoms);
 *   - iterating is O(members), not O(universe);
 *   - reset is O(members): only the bits that were set are cleared.
 * Storage is sized once at init (universe/8 bytes + 4 bytes per id) and never
 * grows, so add, has and reset never allocate.
 *
 *   tr_idset cand;
 *   if (tr_idset_init(&cand, nrules)) … TR_ENOMEM …
 *   per event:  tr_idset_reset(&cand); …scan…; for (i < cand.n) use cand.ids[i];
 *   tr_idset_release(&cand);
 *
 * Thread-compatible: one idset per thread (it is scratch, not shared).
 */
#ifndef TR_SRC_MATCH_IDSET_H
#define TR_SRC_MATCH_IDSET_H

#include "core/common.h"

typedef struct tr_idset {
    uint64_t *bits;    /* universe bits (owned) */
    uint32_t *ids;     /* members in insertion order (owned), capacity universe */
    uint32_t n;        /* members */
    uint32_t universe; /* ids must be < universe */
} tr_idset;

/* Sizes the set for ids in [0, universe). universe may be 0 (an always-empty
 * set). Returns TR_OK or TR_ENOMEM (s is then released and empty). */
tr_err tr_idset_init(tr_idset *s, uint32_t universe);

/* Frees the storage; s becomes an empty set of universe 0. Safe to call twice. */
void tr_idset_release(tr_idset *s);

/* Grows the universe to at least universe (cold path: a scratch that serves a
 * newly compiled database). Members are kept. TR_OK or TR_ENOMEM. */
tr_err tr_idset_grow(tr_idset *s, uint32_t universe);

/* Adds id; true when it was not yet a member. Ids outside the universe are
 * ignored (false): callers size the universe from the compiled object. */
static inline bool tr_idset_add(tr_idset *s, uint32_t id)
{
    if (TR_UNLIKELY(id >= s->universe))
        return false;
    uint64_t bit = 1ULL << (id & 63);
    uint64_t *w = &s->bits[id >> 6];
    if (*w & bit)
        return false;
    *w |= bit;
    s->ids[s->n++] = id;
    return true;
}

static inline bool tr_idset_has(const tr_idset *s, uint32_t id)
{
    return id < s->universe && (s->bits[id >> 6] >> (id & 63) & 1);
}

/* Empties the set in O(members); keeps the storage. */
static inline void tr_idset_reset(tr_idset *s)
{
    for (uint32_t i = 0; i < s->n; i++)
        s->bits[s->ids[i] >> 6] = 0;
    s->n = 0;
}

/* Sorts the members ascending (for deterministic output order). */
void tr_idset_sort(tr_idset *s);

#endif
