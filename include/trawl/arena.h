/*
 * trawl/arena.h - bump allocation for per-event and per-ruleset memory.
 *
 * An arena hands out memory from large chunks and frees it all at once.
 * tr_arena_reset() rewinds it but keeps the chunks, so an arena that is reset
 * after every event stops calling malloc once it has seen its largest event.
 * Every arena has a cap: past it, allocation fails instead of growing.
 * Build with -DTR_DEBUG_ARENA to make each allocation a separate malloc that
 * AddressSanitizer can watch.
 */
#ifndef TR_ARENA_H
#define TR_ARENA_H

#include "trawl/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tr_arena tr_arena;

/* chunk: bytes per chunk (0 = 64 KiB); cap: total bytes allowed (0 = 1 GiB). */
TR_API tr_arena *tr_arena_new(size_t chunk, size_t cap);
TR_API void tr_arena_free(tr_arena *a);
/* Frees nothing; the next allocation starts again from the first chunk. */
TR_API void tr_arena_reset(tr_arena *a);
/* n bytes aligned to 8, or NULL when the cap would be passed. */
TR_API void *tr_arena_alloc(tr_arena *a, size_t n);
/* A copy of s[0..n) with a terminating NUL, as a slice (p NULL on failure). */
TR_API tr_str tr_arena_strdup(tr_arena *a, const char *s, size_t n);
/* Bytes handed out since the last reset. */
TR_API size_t tr_arena_used(const tr_arena *a);

#ifdef __cplusplus
}
#endif
#endif /* TR_ARENA_H */
