/*
 * rng.h - the simulator's pseudo-random numbers.
 *
 * Output must be byte-identical for a seed on every machine, so the
 * generator is written here (no rand(), no libc differences): splitmix64
 * expands a seed into xoshiro256** state. Every output file gets its own
 * stream derived from (seed, tenant, stream kind), so files do not depend on
 * the order in which they are generated.
 */
#ifndef TR_SIM_RNG_H
#define TR_SIM_RNG_H

#include "core/common.h"

#include <math.h>

typedef struct sim_rng {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
} sim_rng;

static inline uint64_t sim_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Mixes up to three stream coordinates into a seed. */
static inline uint64_t sim_seed_mix(uint64_t seed, uint64_t a, uint64_t b)
{
    uint64_t x = seed ^ 0x5A17C0FFEE5EEDULL;
    uint64_t h = sim_splitmix64(&x);
    x = h ^ (a * 0xD6E8FEB86659FD93ULL);
    h = sim_splitmix64(&x);
    x = h ^ (b * 0xA0761D6478BD642FULL);
    return sim_splitmix64(&x);
}

static inline void sim_rng_init(sim_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = sim_splitmix64(&x);
}

static inline uint64_t sim_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t sim_u64(sim_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = sim_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sim_rotl(s[3], 45);
    return out;
}

/* Uniform in [0, n) (Lemire's multiply-shift; n > 0). The tiny bias of
 * skipping the rejection step is irrelevant for log synthesis. */
static inline uint32_t sim_below(sim_rng *r, uint32_t n)
{
    return (uint32_t)(((sim_u64(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [lo, hi]. */
static inline int64_t sim_range(sim_rng *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(sim_u64(r) % (uint64_t)(hi - lo + 1));
}

/* Uniform double in [0, 1). */
static inline double sim_f64(sim_rng *r)
{
    return (double)(sim_u64(r) >> 11) * (1.0 / 9007199254740992.0);
}

static inline bool sim_chance(sim_rng *r, double p)
{
    return sim_f64(r) < p;
}

/* Exponentially distributed with the given mean. */
static inline double sim_exp(sim_rng *r, double mean)
{
    return -log(1.0 - sim_f64(r)) * mean;
}

#define SIM_PICK(r, arr) ((arr)[sim_below((r), (uint32_t)TR_ARRAY_LEN(arr))])

#endif
