/*
 * vec.h - typed growable arrays for cold paths (rule loading, feeds, lists).
 *
 *   TR_VEC(int) v = {0};
 *   if (TR_VEC_PUSH(&v, 42)) … out of memory …
 *   tr_free(v.v);
 */
#ifndef TR_SRC_CORE_VEC_H
#define TR_SRC_CORE_VEC_H

#include "core/common.h"

#define TR_VEC(T)                                                                                  \
    struct {                                                                                       \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }

/* Grows the storage of a vec to hold at least need elements of size esz. */
static inline bool tr_vec_grow(void **v, size_t *cap, size_t need, size_t esz)
{
    if (need <= *cap)
        return true;
    size_t nc = *cap ? *cap * 2 : 8;
    while (nc < need)
        nc *= 2;
    if (nc > SIZE_MAX / esz)
        return false;
    void *p = tr_realloc(*v, nc * esz);
    if (!p)
        return false;
    *v = p;
    *cap = nc;
    return true;
}

/* Appends x; evaluates to true on success, false when out of memory. */
#define TR_VEC_PUSH(vec, x)                                                                        \
    (tr_vec_grow((void **)&(vec)->v, &(vec)->cap, (vec)->n + 1, sizeof(*(vec)->v))                 \
         ? ((vec)->v[(vec)->n++] = (x), true)                                                      \
         : false)

#define TR_VEC_FREE(vec)                                                                           \
    do {                                                                                           \
        tr_free((vec)->v);                                                                         \
        (vec)->v = NULL;                                                                           \
        (vec)->n = (vec)->cap = 0;                                                                 \
    } while (0)

#endif
