/*
 * alloc.c - the library allocator.
 *
 * A thin wrapper over malloc whose only job is to count: tests assert that
 * the per-event hot path performs no allocation after warm-up by reading
 * tr_alloc_count() before and after a batch of events.
 */
#include "core/common.h"

#include <stdatomic.h>

static _Atomic uint64_t alloc_calls;

void *tr_malloc(size_t n)
{
    atomic_fetch_add_explicit(&alloc_calls, 1, memory_order_relaxed);
    return malloc(n ? n : 1);
}

void *tr_calloc(size_t count, size_t size)
{
    atomic_fetch_add_explicit(&alloc_calls, 1, memory_order_relaxed);
    return calloc(count ? count : 1, size ? size : 1);
}

void *tr_realloc(void *p, size_t n)
{
    atomic_fetch_add_explicit(&alloc_calls, 1, memory_order_relaxed);
    return realloc(p, n ? n : 1);
}

void tr_free(void *p)
{
    free(p);
}

char *tr_strndup(const char *s, size_t n)
{
    char *d = tr_malloc(n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

uint64_t tr_alloc_count(void)
{
    return atomic_load_explicit(&alloc_calls, memory_order_relaxed);
}
