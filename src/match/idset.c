/*
 * idset.c - storage management of tr_idset (see idset.h); the hot-path
 * operations are inline in the header.
 */
#include "core/common.h"

#include "match/idset.h"

static size_t words_for(uint32_t universe)
{
    return ((size_t)universe + 63) / 64;
}

tr_err tr_idset_init(tr_idset *s, uint32_t universe)
{
    memset(s, 0, sizeof(*s));
    s->bits = tr_calloc(words_for(universe) ? words_for(universe) : 1, sizeof(uint64_t));
    s->ids = tr_malloc(((size_t)universe ? universe : 1) * sizeof(uint32_t));
    if (!s->bits || !s->ids) {
        tr_idset_release(s);
        return TR_ENOMEM;
    }
    s->universe = universe;
    return TR_OK;
}

void tr_idset_release(tr_idset *s)
{
    tr_free(s->bits);
    tr_free(s->ids);
    memset(s, 0, sizeof(*s));
}

tr_err tr_idset_grow(tr_idset *s, uint32_t universe)
{
    if (universe <= s->universe)
        return TR_OK;
    size_t ow = words_for(s->universe), nw = words_for(universe);
    uint64_t *bits = tr_calloc(nw, sizeof(uint64_t));
    uint32_t *ids = tr_malloc((size_t)universe * sizeof(uint32_t));
    if (!bits || !ids) {
        tr_free(bits);
        tr_free(ids);
        return TR_ENOMEM;
    }
    if (ow)
        memcpy(bits, s->bits, ow * sizeof(uint64_t));
    if (s->n)
        memcpy(ids, s->ids, (size_t)s->n * sizeof(uint32_t));
    tr_free(s->bits);
    tr_free(s->ids);
    s->bits = bits;
    s->ids = ids;
    s->universe = universe;
    return TR_OK;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void tr_idset_sort(tr_idset *s)
{
    if (s->n > 1)
        qsort(s->ids, s->n, sizeof(uint32_t), cmp_u32);
}
