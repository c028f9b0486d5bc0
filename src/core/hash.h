/*
 * hash.h - hashing and an open-addressing map from byte strings to values.
 *
 * tr_map stores copies of its keys in its own arena, so callers may pass
 * borrowed slices. Lookups never allocate. With TR_MAP_NOCASE keys compare
 * and hash with ASCII case folded (Sigma values are case-insensitive).
 */
#ifndef TR_SRC_CORE_HASH_H
#define TR_SRC_CORE_HASH_H

#include "core/common.h"

#include "trawl/arena.h"

uint64_t tr_hash64(const void *p, size_t n, uint64_t seed);

/* Incremental hashing of several pieces (same function as tr_hash64 over
 * their concatenation); lives on the stack, allocates nothing. */
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
typedef struct tr_hasher {
    XXH3_state_t st;
} tr_hasher;
static inline void tr_hasher_init(tr_hasher *h, uint64_t seed)
{
    /* A state on the stack holds what the last one there left: libxxhash
     * 0.8.1 keeps a stale secret when the stale seed equals this one. */
    XXH3_INITSTATE(&h->st);
    XXH3_64bits_reset_withSeed(&h->st, seed);
}
static inline void tr_hasher_add(tr_hasher *h, const void *p, size_t n)
{
    XXH3_64bits_update(&h->st, p, n);
}
/* A length-prefixed piece, so that ("ab","c") and ("a","bc") differ. */
static inline void tr_hasher_add_str(tr_hasher *h, tr_str s)
{
    uint64_t n = s.n;
    XXH3_64bits_update(&h->st, &n, sizeof(n));
    XXH3_64bits_update(&h->st, s.p, s.n);
}
static inline void tr_hasher_add_u64(tr_hasher *h, uint64_t v)
{
    XXH3_64bits_update(&h->st, &v, sizeof(v));
}
static inline uint64_t tr_hasher_final(const tr_hasher *h)
{
    return XXH3_64bits_digest(&h->st);
}
/* Hash of the ASCII-lowercased bytes (same value for "ABC" and "abc"). */
uint64_t tr_hash64_nocase(const void *p, size_t n, uint64_t seed);

/* ASCII lowercase of 8 packed bytes (non-letters unchanged). */
static inline uint64_t tr_ascii_lower8(uint64_t x)
{
    uint64_t hept = x & 0x7f7f7f7f7f7f7f7fULL;
    uint64_t ge_a = hept + 0x3f3f3f3f3f3f3f3fULL; /* high bit set where byte >= 'A' */
    uint64_t gt_z = hept + 0x2525252525252525ULL; /* high bit set where byte > 'Z' */
    uint64_t upper = (ge_a ^ gt_z) & ~x & 0x8080808080808080ULL;
    return x | (upper >> 2);
}

static inline unsigned char tr_ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* Case-insensitive (ASCII) equality of two byte ranges of length n. */
bool tr_mem_eq_nocase(const void *a, const void *b, size_t n);

enum tr_map_flags {
    TR_MAP_NOCASE = 1 << 0 /* fold ASCII case in keys */
};

typedef struct tr_map tr_map;

tr_map *tr_map_new(size_t expected, unsigned flags);
void tr_map_free(tr_map *m);
/* Inserts or replaces. The key is copied. */
tr_err tr_map_put(tr_map *m, tr_str key, uint64_t value);
/* Inserts if absent; *value_out receives the stored value either way and
 * *inserted tells which. */
tr_err tr_map_put_new(tr_map *m, tr_str key, uint64_t value, uint64_t *value_out, bool *inserted);
/* true and *value when found. */
bool tr_map_get(const tr_map *m, tr_str key, uint64_t *value);
/* Same lookup with a hash computed by the caller (tr_map_hash). */
bool tr_map_get_hashed(const tr_map *m, tr_str key, uint64_t hash, uint64_t *value);
uint64_t tr_map_hash(const tr_map *m, tr_str key);
size_t tr_map_count(const tr_map *m);

/* Iteration: for (size_t it = 0; tr_map_next(m, &it, &k, &v);) … */
bool tr_map_next(const tr_map *m, size_t *iter, tr_str *key, uint64_t *value);

#endif
