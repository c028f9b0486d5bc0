/*
 * intern.c - one copy of each distinct string, numbered: the campaign engine
 * keeps a million detections as small records of string ids instead of
 * copies (no per-detection allocation, cheap equality).
 */
#include "core/common.h"

#include "correlate/cmp.h"

#define INTERN_SEED 0x636d70696e746e72ULL

tr_err cm_intern_init(cm_intern *in)
{
    memset(in, 0, sizeof(*in));
    in->arena = tr_arena_new(256 * 1024, (size_t)8 << 30);
    in->cap = 1024;
    in->strs = tr_malloc(in->cap * sizeof(*in->strs));
    in->hashes = tr_malloc(in->cap * sizeof(*in->hashes));
    in->mask = 2047;
    in->slots = tr_calloc(in->mask + 1, sizeof(*in->slots));
    if (!in->arena || !in->strs || !in->hashes || !in->slots) {
        cm_intern_release(in);
        return TR_ENOMEM;
    }
    in->strs[0] = (tr_str){ "", 0 };
    in->hashes[0] = 0;
    in->n = 1;
    return TR_OK;
}

void cm_intern_release(cm_intern *in)
{
    tr_arena_free(in->arena);
    tr_free(in->strs);
    tr_free(in->hashes);
    tr_free(in->slots);
    memset(in, 0, sizeof(*in));
}

static uint32_t *find(const cm_intern *in, tr_str s, uint64_t h)
{
    uint32_t i = (uint32_t)h & in->mask;
    for (;;) {
        uint32_t *slot = &in->slots[i];
        uint32_t id = *slot;
        if (!id)
            return slot;
        if (in->hashes[id] == h && tr_str_eq(in->strs[id], s))
            return slot;
        i = (i + 1) & in->mask;
    }
}

static tr_err grow_slots(cm_intern *in)
{
    uint32_t nmask = in->mask * 2 + 1;
    uint32_t *ns = tr_calloc((size_t)nmask + 1, sizeof(*ns));
    if (!ns)
        return TR_ENOMEM;
    for (uint32_t id = 1; id < in->n; id++) {
        uint32_t i = (uint32_t)in->hashes[id] & nmask;
        while (ns[i])
            i = (i + 1) & nmask;
        ns[i] = id;
    }
    tr_free(in->slots);
    in->slots = ns;
    in->mask = nmask;
    return TR_OK;
}

tr_err cm_intern_put(cm_intern *in, tr_str s, uint32_t *id)
{
    if (s.n == 0) {
        *id = 0;
        return TR_OK;
    }
    uint64_t h = tr_hash64(s.p, s.n, INTERN_SEED) | 1;
    uint32_t *slot = find(in, s, h);
    if (*slot) {
        *id = *slot;
        return TR_OK;
    }
    if (in->n == UINT32_MAX)
        return TR_ELIMIT;
    if (in->n == in->cap) {
        uint32_t nc = in->cap * 2;
        tr_str *ns = tr_realloc(in->strs, (size_t)nc * sizeof(*ns));
        if (!ns)
            return TR_ENOMEM;
        in->strs = ns;
        uint64_t *nh = tr_realloc(in->hashes, (size_t)nc * sizeof(*nh));
        if (!nh)
            return TR_ENOMEM;
        in->hashes = nh;
        in->cap = nc;
    }
    tr_str copy = tr_arena_strdup(in->arena, s.p, s.n);
    if (!copy.p)
        return TR_ENOMEM;
    uint32_t nid = in->n++;
    in->strs[nid] = copy;
    in->hashes[nid] = h;
    *slot = nid;
    if ((uint64_t)in->n * 2 > in->mask) {
        tr_err err = grow_slots(in);
        if (err)
            return err;
    }
    *id = nid;
    return TR_OK;
}

uint32_t cm_intern_get(const cm_intern *in, tr_str s)
{
    if (s.n == 0)
        return 0;
    uint64_t h = tr_hash64(s.p, s.n, INTERN_SEED) | 1;
    return *find(in, s, h);
}

static int by_bytes(const void *a, const void *b, void *ctx)
{
    const cm_intern *in = ctx;
    tr_str x = in->strs[*(const uint32_t *)a], y = in->strs[*(const uint32_t *)b];
    size_t n = TR_MIN(x.n, y.n);
    int r = n ? memcmp(x.p, y.p, n) : 0;
    if (r)
        return r;
    return x.n < y.n ? -1 : x.n > y.n;
}

tr_err cm_intern_ranks(const cm_intern *in, uint32_t **rank)
{
    uint32_t *order = tr_malloc((size_t)in->n * sizeof(*order));
    uint32_t *r = tr_malloc((size_t)in->n * sizeof(*r));
    if (!order || !r) {
        tr_free(order);
        tr_free(r);
        return TR_ENOMEM;
    }
    for (uint32_t i = 0; i < in->n; i++)
        order[i] = i;
    qsort_r(order, in->n, sizeof(*order), by_bytes, (void *)in);
    for (uint32_t i = 0; i < in->n; i++)
        r[order[i]] = i;
    tr_free(order);
    *rank = r;
    return TR_OK;
}
