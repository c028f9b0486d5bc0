/*
 * strset.c - the exact string set (see strset.h).
 *
 * Build sorts the added (key, id) pairs by (hash, key, id) so that equal keys
 * and their ids are adjacent, keeps one entry per distinct key with its ids
 * (inline when there is one, else a run in `multi`), copies the key bytes
 * into one block, and fills a power-of-two slot table with linear probing at
 * load <= 1/2. A slot is 8 bytes: the high half of the key's hash and the
 * entry number + 1 (0 = empty).
 */
#include "core/common.h"

#include "core/hash.h"
#include "core/vec.h"
#include "match/strset.h"
#include "trawl/arena.h"

#define MULTI_BIT 0x80000000u

typedef struct item {
    const char *p;
    uint32_t len;
    uint32_t id;
    uint64_t hash;
} item;

struct tr_strset_builder {
    unsigned flags;
    tr_arena *keys; /* copies of added keys (unless BORROW) */
    TR_VEC(item) v;
};

typedef struct entry {
    const char *p; /* key bytes (in blob, or borrowed) */
    uint32_t len;
    uint32_t ids;  /* id, or MULTI_BIT | offset in multi */
} entry;

typedef struct slot {
    uint32_t tag;   /* hash >> 32 */
    uint32_t entry; /* entry index + 1; 0 = empty */
} slot;

struct tr_strset {
    unsigned flags;
    slot *slots;
    size_t mask;     /* slots - 1 */
    entry *entries;
    uint32_t nent;
    uint32_t *multi; /* [count, id…] runs */
    size_t nmulti;
    char *blob;      /* key bytes (NULL with BORROW) */
    size_t blob_n;
};

static uint64_t hash_key(unsigned flags, const char *p, size_t n)
{
    return (flags & TR_STRSET_NOCASE) ? tr_hash64_nocase(p, n, 0) : tr_hash64(p, n, 0);
}

static bool key_eq(unsigned flags, const char *a, size_t an, const char *b, size_t bn)
{
    if (an != bn)
        return false;
    if (an == 0)
        return true;
    return (flags & TR_STRSET_NOCASE) ? tr_mem_eq_nocase(a, b, an) : memcmp(a, b, an) == 0;
}

tr_err tr_strset_builder_new(unsigned flags, tr_strset_builder **out)
{
    *out = NULL;
    if (flags & ~(unsigned)(TR_STRSET_NOCASE | TR_STRSET_BORROW))
        return TR_EINVAL;
    tr_strset_builder *b = tr_calloc(1, sizeof(*b));
    if (!b)
        return TR_ENOMEM;
    b->flags = flags;
    if (!(flags & TR_STRSET_BORROW) && !(b->keys = tr_arena_new(1u << 20, SIZE_MAX / 2))) {
        tr_free(b);
        return TR_ENOMEM;
    }
    *out = b;
    return TR_OK;
}

void tr_strset_builder_free(tr_strset_builder *b)
{
    if (!b)
        return;
    tr_arena_free(b->keys);
    TR_VEC_FREE(&b->v);
    tr_free(b);
}

tr_err tr_strset_builder_add(tr_strset_builder *b, tr_str key, uint32_t id)
{
    if (id > TR_STRSET_MAX_ID || key.n >= UINT32_MAX)
        return TR_EINVAL;
    const char *p = key.p ? key.p : "";
    if (b->keys && key.n) {
        tr_str c = tr_arena_strdup(b->keys, key.p, key.n);
        if (!c.p)
            return TR_ENOMEM;
        p = c.p;
    }
    item it = { p, (uint32_t)key.n, id, hash_key(b->flags, p, key.n) };
    return TR_VEC_PUSH(&b->v, it) ? TR_OK : TR_ENOMEM;
}

static int cmp_item(const void *pa, const void *pb, void *pflags)
{
    const item *a = pa, *b = pb;
    unsigned flags = *(const unsigned *)pflags;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    for (uint32_t i = 0; i < a->len; i++) {
        unsigned char x = (unsigned char)a->p[i], y = (unsigned char)b->p[i];
        if (flags & TR_STRSET_NOCASE) {
            x = tr_ascii_lower(x);
            y = tr_ascii_lower(y);
        }
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (a->id > b->id) - (a->id < b->id);
}

void tr_strset_free(tr_strset *set)
{
    if (!set)
        return;
    tr_free(set->slots);
    tr_free(set->entries);
    tr_free(set->multi);
    tr_free(set->blob);
    tr_free(set);
}

tr_err tr_strset_build(const tr_strset_builder *b, tr_strset **out)
{
    *out = NULL;
    tr_err err = TR_OK;
    size_t n = b->v.n;
    item *v = tr_malloc((n ? n : 1) * sizeof(item));
    tr_strset *set = tr_calloc(1, sizeof(*set));
    if (!v || !set) {
        err = TR_ENOMEM;
        goto out;
    }
    set->flags = b->flags;
    if (n)
        memcpy(v, b->v.v, n * sizeof(item));
    unsigned flags = b->flags;
    if (n > 1)
        qsort_r(v, n, sizeof(item), cmp_item, &flags);

    /* distinct keys, their bytes and their multi-id runs */
    size_t distinct = 0, bytes = 0, multi = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1, nid = 1;
        while (j < n && v[j].hash == v[i].hash && key_eq(flags, v[j].p, v[j].len, v[i].p, v[i].len)) {
            if (v[j].id != v[j - 1].id)
                nid++;
            j++;
        }
        distinct++;
        bytes += v[i].len;
        if (nid > 1)
            multi += nid + 1;
        i = j;
    }
    if (distinct >= MULTI_BIT || multi >= MULTI_BIT) {
        err = TR_ELIMIT;
        goto out;
    }
    size_t cap = 8;
    while (cap < distinct * 2)
        cap *= 2;
    set->slots = tr_calloc(cap, sizeof(slot));
    set->entries = tr_malloc((distinct ? distinct : 1) * sizeof(entry));
    set->multi = multi ? tr_malloc(multi * sizeof(uint32_t)) : NULL;
    if (!(flags & TR_STRSET_BORROW))
        set->blob = tr_malloc(bytes ? bytes : 1);
    if (!set->slots || !set->entries || (multi && !set->multi) ||
        (!(flags & TR_STRSET_BORROW) && !set->blob)) {
        err = TR_ENOMEM;
        goto out;
    }
    set->mask = cap - 1;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && v[j].hash == v[i].hash && key_eq(flags, v[j].p, v[j].len, v[i].p, v[i].len))
            j++;
        entry *e = &set->entries[set->nent];
        e->len = v[i].len;
        if (set->blob) {
            if (v[i].len)
                memcpy(set->blob + set->blob_n, v[i].p, v[i].len);
            e->p = set->blob + set->blob_n;
            set->blob_n += v[i].len;
        } else {
            e->p = v[i].p;
        }
        if (j - i == 1 || v[j - 1].id == v[i].id) {
            e->ids = v[i].id;
        } else {
            e->ids = MULTI_BIT | (uint32_t)set->nmulti;
            size_t count_at = set->nmulti++;
            uint32_t cnt = 0;
            for (size_t k = i; k < j; k++) {
                if (k == i || v[k].id != v[k - 1].id) {
                    set->multi[set->nmulti++] = v[k].id;
                    cnt++;
                }
            }
            set->multi[count_at] = cnt;
        }
        size_t s = (size_t)v[i].hash & set->mask;
        while (set->slots[s].entry)
            s = (s + 1) & set->mask;
        set->slots[s] = (slot){ (uint32_t)(v[i].hash >> 32), set->nent + 1 };
        set->nent++;
        i = j;
    }
    *out = set;
    set = NULL;
out:
    tr_free(v);
    tr_strset_free(set);
    return err;
}

uint64_t tr_strset_hash(const tr_strset *set, tr_str key)
{
    return hash_key(set->flags, key.p ? key.p : "", key.n);
}

const uint32_t *tr_strset_get_hashed(const tr_strset *set, tr_str key, uint64_t hash, size_t *n)
{
    uint32_t tag = (uint32_t)(hash >> 32);
    size_t s = (size_t)hash & set->mask;
    for (;;) {
        const slot *sl = &set->slots[s];
        if (!sl->entry)
            break;
        if (sl->tag == tag) {
            const entry *e = &set->entries[sl->entry - 1];
            if (key_eq(set->flags, e->p, e->len, key.p, key.n)) {
                if (e->ids & MULTI_BIT) {
                    const uint32_t *run = &set->multi[e->ids & ~MULTI_BIT];
                    *n = run[0];
                    return run + 1;
                }
                *n = 1;
                return &e->ids;
            }
        }
        s = (s + 1) & set->mask;
    }
    *n = 0;
    return NULL;
}

const uint32_t *tr_strset_get(const tr_strset *set, tr_str key, size_t *n)
{
    return tr_strset_get_hashed(set, key, tr_strset_hash(set, key), n);
}

size_t tr_strset_count(const tr_strset *set)
{
    return set->nent;
}

size_t tr_strset_memory(const tr_strset *set)
{
    return sizeof(*set) + (set->mask + 1) * sizeof(slot) + (size_t)set->nent * sizeof(entry) +
           set->nmulti * sizeof(uint32_t) + set->blob_n;
}
