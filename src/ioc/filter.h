/*
 * filter.h - a small Bloom filter in front of the indicator hash tables.
 *
 * Almost every value an event offers is not an indicator, and with 100k or
 * more indicators the hash tables are megabytes: each probe of a value that
 * is absent is a cache miss (about 150 ns on a busy machine, the largest
 * single cost of an indicator hunt). The filter answers "certainly absent"
 * from 16 bits per key, in one 64-bit word per lookup (two bits set per
 * key in the same word, so one cache line is touched): 128 KiB for 100k
 * keys, small enough to stay in L2, with about 1-2 % false positives that
 * then cost the probe they cost before.
 *
 * Immutable once the table is built; lookups are thread-safe.
 */
#ifndef TR_SRC_IOC_FILTER_H
#define TR_SRC_IOC_FILTER_H

#include "core/common.h"

typedef struct ioc_filter {
    uint64_t *w;  /* words; a power of two of them */
    size_t mask;  /* words - 1 */
} ioc_filter;

/* Sizes the filter for n keys (16 bits each). TR_OK or TR_ENOMEM. */
tr_err ioc_filter_init(ioc_filter *f, size_t n);
void ioc_filter_release(ioc_filter *f);

static inline uint64_t ioc_filter_mix(uint64_t h)
{
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 29;
    return h;
}

static inline uint64_t ioc_filter_bits(uint64_t m)
{
    return (1ULL << (m & 63)) | (1ULL << ((m >> 6) & 63));
}

static inline void ioc_filter_add(ioc_filter *f, uint64_t h)
{
    uint64_t m = ioc_filter_mix(h);
    f->w[(m >> 12) & f->mask] |= ioc_filter_bits(m);
}

/* false: no key with hash h was added. */
static inline bool ioc_filter_maybe(const ioc_filter *f, uint64_t h)
{
    uint64_t m = ioc_filter_mix(h), b = ioc_filter_bits(m);
    return (f->w[(m >> 12) & f->mask] & b) == b;
}

static inline size_t ioc_filter_memory(const ioc_filter *f)
{
    return f->w ? (f->mask + 1) * sizeof(uint64_t) : 0;
}

#endif
