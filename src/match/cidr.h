/*
 * cidr.h - a compact set of IPv4/IPv6 prefixes mapping each prefix to ids:
 * "which indicator networks (or rule CIDR values) contain this address?".
 *
 * Built once from (prefix, length, id) triples, then immutable and shared by
 * threads. Lookup walks a path-compressed binary trie (one per family) and
 * returns the ids of every prefix containing the address, longest prefix
 * first; an exact address is a /32 or /128. Lookups never allocate.
 *
 *   tr_cidr_builder *b; tr_cidr *set; uint32_t ids[16];
 *   tr_cidr_builder_new(&b);
 *   tr_ip net; uint8_t len;
 *   tr_cidr_parse(TR_STR("10.0.0.0/8"), 0, &net, &len);
 *   tr_cidr_builder_add(b, &net, len, 42);
 *   tr_cidr_build(b, &set);  tr_cidr_builder_free(b);
 *   size_t n = tr_cidr_lookup(set, &addr, ids, 16, NULL);  (n may exceed 16)
 *
 * Memory (measured by tr_cidr_memory): each distinct prefix costs 9 bytes
 * (IPv4: key, length, id) or 21 bytes (IPv6), plus at most one 16-byte trie
 * node; a prefix with several ids adds 4 bytes per id plus 4. One million
 * IPv4 addresses take about 25 MB.
 *
 * Thread-safety: the builder is single-thread; a built tr_cidr is read-only.
 */
#ifndef TR_SRC_MATCH_CIDR_H
#define TR_SRC_MATCH_CIDR_H

#include "core/common.h"

#include "match/ip.h"

#define TR_CIDR_MAX_ID 0x7fffffffu

typedef struct tr_cidr_builder tr_cidr_builder;
typedef struct tr_cidr tr_cidr;

tr_err tr_cidr_builder_new(tr_cidr_builder **out);
void tr_cidr_builder_free(tr_cidr_builder *b);

/* Adds net/len under id. Host bits of net below len are ignored. The same
 * prefix may be added with several ids; duplicates of (prefix, id) are kept
 * once. TR_EINVAL for a bad family, len > 32/128 or id > TR_CIDR_MAX_ID;
 * TR_ENOMEM. */
tr_err tr_cidr_builder_add(tr_cidr_builder *b, const tr_ip *net, unsigned len, uint32_t id);

/* Prefixes added so far (with repetitions). */
size_t tr_cidr_builder_count(const tr_cidr_builder *b);

/* Builds the set. Sorts b's entries in place; b stays valid (free it, or add
 * more and build again). TR_OK, TR_ENOMEM or TR_ELIMIT (2^31 prefixes). */
tr_err tr_cidr_build(tr_cidr_builder *b, tr_cidr **out);
void tr_cidr_free(tr_cidr *set);

/* Ids of every prefix of set containing addr, longest prefix first (ids of
 * one prefix ascending). Stores at most cap ids in ids[] and, if lens is not
 * NULL, each one's prefix length in lens[]. Returns the total number found,
 * which may exceed cap (as snprintf). An address of an unknown family
 * matches nothing. */
size_t tr_cidr_lookup(const tr_cidr *set, const tr_ip *addr, uint32_t *ids, size_t cap,
                      uint8_t *lens);

/* True when some prefix of set contains addr. */
bool tr_cidr_contains(const tr_cidr *set, const tr_ip *addr);

/* Distinct prefixes in the set. */
size_t tr_cidr_count(const tr_cidr *set);
/* Bytes used by the set. */
size_t tr_cidr_memory(const tr_cidr *set);

#endif
