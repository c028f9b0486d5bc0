/*
 * strset.h - exact-match string sets mapping a string to a list of ids.
 *
 * For Sigma equality lists with many values (`Image|endswith` is mpm's job;
 * `EventID: [4624, 4625, …]`, `Hashes` lists, `DestinationHostname` lists)
 * and for indicator values (domains, hashes, URLs). Built once, immutable,
 * shared by threads. A lookup hashes the key once and probes an
 * open-addressing table that stores a 32-bit hash tag per slot, so a miss
 * almost never touches string bytes; no allocation on lookup.
 *
 *   tr_strset_builder *b; tr_strset *set; size_t n;
 *   tr_strset_builder_new(TR_STRSET_NOCASE, &b);
 *   tr_strset_builder_add(b, TR_STR("evil.example"), 3);
 *   tr_strset_build(b, &set);  tr_strset_builder_free(b);
 *   const uint32_t *ids = tr_strset_get(set, value, &n);  (NULL, n = 0: absent)
 *
 * With TR_STRSET_NOCASE keys compare with ASCII case folded (Sigma's default
 * string semantics); bytes >= 0x80 compare exactly.
 *
 * Memory per distinct string: 16 bytes (entry) + 8-16 bytes (slots at load
 * <= 1/2) + the string bytes (copied, unless TR_STRSET_BORROW: then the
 * caller keeps the bytes alive and unchanged for the set's lifetime, which
 * saves a copy when the strings already live in an arena, as indicator
 * values do); a string with several ids adds 4 bytes per id plus 4.
 */
#ifndef TR_SRC_MATCH_STRSET_H
#define TR_SRC_MATCH_STRSET_H

#include "core/common.h"

#define TR_STRSET_MAX_ID 0x7fffffffu

enum tr_strset_flags {
    TR_STRSET_NOCASE = 1 << 0, /* ASCII case-insensitive keys */
    TR_STRSET_BORROW = 1 << 1  /* keep pointers to the added bytes instead of copies */
};

typedef struct tr_strset_builder tr_strset_builder;
typedef struct tr_strset tr_strset;

/* flags: enum tr_strset_flags. TR_OK, TR_EINVAL, TR_ENOMEM. */
tr_err tr_strset_builder_new(unsigned flags, tr_strset_builder **out);
void tr_strset_builder_free(tr_strset_builder *b);

/* Adds key (copied unless TR_STRSET_BORROW) under id. The same key (after
 * case folding with NOCASE) may be added with several ids; a repeated
 * (key, id) pair is kept once. TR_EINVAL for id > TR_STRSET_MAX_ID or a key of
 * 4 GiB or more; TR_ENOMEM. */
tr_err tr_strset_builder_add(tr_strset_builder *b, tr_str key, uint32_t id);

/* Builds the set; b is left unchanged (free it afterwards). The set does not
 * refer to b. TR_OK, TR_ENOMEM, TR_ELIMIT (2^31 distinct strings). */
tr_err tr_strset_build(const tr_strset_builder *b, tr_strset **out);
void tr_strset_free(tr_strset *set);

/* The ids of key, ascending, and their number in *n; NULL and *n = 0 when key
 * is absent. The array belongs to the set. Thread-safe, never allocates. */
const uint32_t *tr_strset_get(const tr_strset *set, tr_str key, size_t *n);

/* The same lookup with a hash from tr_strset_hash() (hash a value once, probe
 * several sets of the same case mode). */
const uint32_t *tr_strset_get_hashed(const tr_strset *set, tr_str key, uint64_t hash, size_t *n);
uint64_t tr_strset_hash(const tr_strset *set, tr_str key);

/* Distinct strings; bytes used. */
size_t tr_strset_count(const tr_strset *set);
size_t tr_strset_memory(const tr_strset *set);

#endif
