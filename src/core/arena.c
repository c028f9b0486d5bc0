/*
 * arena.c - chunked bump allocator (see trawl/arena.h).
 *
 * Chunks form a list that reset() does not free: the common case, an arena
 * reset after each event, reaches a steady state where no call allocates.
 */
#include "core/common.h"

#include "trawl/arena.h"

typedef struct chunk {
    struct chunk *next;
    size_t size; /* usable bytes after the header */
    max_align_t data[];
} chunk;

struct tr_arena {
    chunk *head;    /* first chunk (kept across resets) */
    chunk *cur;     /* chunk being filled */
    size_t used;    /* bytes used in cur */
    size_t total;   /* bytes handed out since reset */
    size_t chunk;   /* default chunk size */
    size_t cap;     /* limit on bytes allocated in chunks */
    size_t reserved;/* bytes allocated in chunks */
#ifdef TR_DEBUG_ARENA
    void **blocks;  /* debug: one malloc per allocation */
    size_t nblocks, capblocks;
#endif
};

tr_arena *tr_arena_new(size_t chunk_size, size_t cap)
{
    tr_arena *a = tr_calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->chunk = chunk_size ? chunk_size : 64 * 1024;
    a->cap = cap ? cap : (size_t)1 << 30;
    return a;
}

#ifdef TR_DEBUG_ARENA
static void debug_release(tr_arena *a)
{
    for (size_t i = 0; i < a->nblocks; i++)
        free(a->blocks[i]);
    a->nblocks = 0;
}
#endif

void tr_arena_free(tr_arena *a)
{
    if (!a)
        return;
    chunk *c = a->head;
    while (c) {
        chunk *next = c->next;
        tr_free(c);
        c = next;
    }
#ifdef TR_DEBUG_ARENA
    debug_release(a);
    free(a->blocks);
#endif
    tr_free(a);
}

void tr_arena_reset(tr_arena *a)
{
    a->cur = a->head;
    a->used = 0;
    a->total = 0;
#ifdef TR_DEBUG_ARENA
    debug_release(a);
#endif
}

void *tr_arena_alloc(tr_arena *a, size_t n)
{
    size_t need = (n + 7) & ~(size_t)7;
    if (need < n || need > a->cap)
        return NULL;
#ifdef TR_DEBUG_ARENA
    if (a->total + need > a->cap)
        return NULL;
    if (a->nblocks == a->capblocks) {
        size_t nc = a->capblocks ? a->capblocks * 2 : 64;
        void **nb = realloc(a->blocks, nc * sizeof(*nb));
        if (!nb)
            return NULL;
        a->blocks = nb;
        a->capblocks = nc;
    }
    void *p = malloc(need ? need : 1);
    if (!p)
        return NULL;
    a->blocks[a->nblocks++] = p;
    a->total += need;
    return p;
#else
    if (a->cur && a->cur->size - a->used >= need) {
        void *p = (char *)a->cur->data + a->used;
        a->used += need;
        a->total += need;
        return p;
    }
    /* Move on to the next kept chunk that fits, or add one. */
    chunk *prev = a->cur;
    chunk *c = a->cur ? a->cur->next : a->head;
    while (c && c->size < need) {
        prev = c;
        c = c->next;
    }
    if (!c) {
        size_t size = need > a->chunk ? need : a->chunk;
        if (a->reserved + size > a->cap)
            return NULL;
        c = tr_malloc(sizeof(chunk) + size);
        if (!c)
            return NULL;
        c->size = size;
        c->next = NULL;
        a->reserved += size;
        if (prev) {
            c->next = prev->next;
            prev->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    a->cur = c;
    a->used = need;
    a->total += need;
    return c->data;
#endif
}

tr_str tr_arena_strdup(tr_arena *a, const char *s, size_t n)
{
    char *d = tr_arena_alloc(a, n + 1);
    if (!d)
        return (tr_str){ NULL, 0 };
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return (tr_str){ d, n };
}

size_t tr_arena_used(const tr_arena *a)
{
    return a->total;
}
