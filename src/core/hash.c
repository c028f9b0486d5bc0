/*
 * hash.c - hashing and the string map (see hash.h).
 *
 * Open addressing with linear probing; the table keeps the full 64-bit hash
 * of each key so that most probes are rejected without touching key bytes.
 * The load factor stays under 1/2.
 */
#include "core/common.h"

#include <xxhash.h>

#include "core/hash.h"

uint64_t tr_hash64(const void *p, size_t n, uint64_t seed)
{
    return XXH3_64bits_withSeed(p, n, seed);
}

static inline uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t tr_hash64_nocase(const void *p, size_t n, uint64_t seed)
{
    const unsigned char *s = p;
    uint64_t h = seed ^ (n * 0x9e3779b97f4a7c15ULL);
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ tr_ascii_lower8(w)) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
        s += 8;
        n -= 8;
    }
    if (n) {
        uint64_t w = 0;
        memcpy(&w, s, n);
        h = (h ^ tr_ascii_lower8(w)) * 0x9e3779b97f4a7c15ULL;
    }
    return mix64(h);
}

bool tr_mem_eq_nocase(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    while (n >= 8) {
        uint64_t u, v;
        memcpy(&u, x, 8);
        memcpy(&v, y, 8);
        if (u != v && tr_ascii_lower8(u) != tr_ascii_lower8(v))
            return false;
        x += 8;
        y += 8;
        n -= 8;
    }
    while (n--) {
        if (tr_ascii_lower(*x++) != tr_ascii_lower(*y++))
            return false;
    }
    return true;
}

typedef struct slot {
    uint64_t hash;  /* 0 = empty (real hashes are forced non-zero) */
    const char *key;
    size_t klen;
    uint64_t value;
} slot;

struct tr_map {
    slot *slots;
    size_t cap;   /* power of two */
    size_t count;
    unsigned flags;
    tr_arena *keys;
};

static uint64_t key_hash(const tr_map *m, const char *p, size_t n)
{
    uint64_t h = (m->flags & TR_MAP_NOCASE) ? tr_hash64_nocase(p, n, 0) : tr_hash64(p, n, 0);
    return h ? h : 1;
}

uint64_t tr_map_hash(const tr_map *m, tr_str key)
{
    return key_hash(m, key.p, key.n);
}

static bool key_eq(const tr_map *m, const slot *s, tr_str k)
{
    if (s->klen != k.n)
        return false;
    if (m->flags & TR_MAP_NOCASE)
        return tr_mem_eq_nocase(s->key, k.p, k.n);
    return k.n == 0 || memcmp(s->key, k.p, k.n) == 0;
}

tr_map *tr_map_new(size_t expected, unsigned flags)
{
    tr_map *m = tr_calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    size_t cap = 16;
    while (cap < expected * 2 + 2)
        cap *= 2;
    m->slots = tr_calloc(cap, sizeof(slot));
    m->keys = tr_arena_new(0, 0);
    if (!m->slots || !m->keys) {
        tr_map_free(m);
        return NULL;
    }
    m->cap = cap;
    m->flags = flags;
    return m;
}

void tr_map_free(tr_map *m)
{
    if (!m)
        return;
    tr_free(m->slots);
    tr_arena_free(m->keys);
    tr_free(m);
}

static slot *find_slot(const tr_map *m, tr_str key, uint64_t h)
{
    size_t mask = m->cap - 1;
    size_t i = (size_t)h & mask;
    for (;;) {
        slot *s = &m->slots[i];
        if (s->hash == 0 || (s->hash == h && key_eq(m, s, key)))
            return s;
        i = (i + 1) & mask;
    }
}

static tr_err grow(tr_map *m)
{
    size_t ncap = m->cap * 2;
    slot *ns = tr_calloc(ncap, sizeof(slot));
    if (!ns)
        return TR_ENOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        slot *s = &m->slots[i];
        if (!s->hash)
            continue;
        size_t j = (size_t)s->hash & (ncap - 1);
        while (ns[j].hash)
            j = (j + 1) & (ncap - 1);
        ns[j] = *s;
    }
    tr_free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return TR_OK;
}

tr_err tr_map_put_new(tr_map *m, tr_str key, uint64_t value, uint64_t *value_out, bool *inserted)
{
    if ((m->count + 1) * 2 > m->cap) {
        tr_err err = grow(m);
        if (err)
            return err;
    }
    uint64_t h = key_hash(m, key.p, key.n);
    slot *s = find_slot(m, key, h);
    if (s->hash) {
        if (value_out)
            *value_out = s->value;
        if (inserted)
            *inserted = false;
        return TR_OK;
    }
    tr_str k = tr_arena_strdup(m->keys, key.p, key.n);
    if (!k.p)
        return TR_ENOMEM;
    s->hash = h;
    s->key = k.p;
    s->klen = k.n;
    s->value = value;
    m->count++;
    if (value_out)
        *value_out = value;
    if (inserted)
        *inserted = true;
    return TR_OK;
}

tr_err tr_map_put(tr_map *m, tr_str key, uint64_t value)
{
    bool inserted;
    tr_err err = tr_map_put_new(m, key, value, NULL, &inserted);
    if (err || inserted)
        return err;
    slot *s = find_slot(m, key, key_hash(m, key.p, key.n));
    s->value = value;
    return TR_OK;
}

bool tr_map_get_hashed(const tr_map *m, tr_str key, uint64_t hash, uint64_t *value)
{
    slot *s = find_slot(m, key, hash);
    if (!s->hash)
        return false;
    if (value)
        *value = s->value;
    return true;
}

bool tr_map_get(const tr_map *m, tr_str key, uint64_t *value)
{
    return tr_map_get_hashed(m, key, key_hash(m, key.p, key.n), value);
}

size_t tr_map_count(const tr_map *m)
{
    return m->count;
}

bool tr_map_next(const tr_map *m, size_t *iter, tr_str *key, uint64_t *value)
{
    while (*iter < m->cap) {
        const slot *s = &m->slots[(*iter)++];
        if (s->hash) {
            if (key)
                *key = (tr_str){ s->key, s->klen };
            if (value)
                *value = s->value;
            return true;
        }
    }
    return false;
}
