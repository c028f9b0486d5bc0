/*
 * common.h - the prelude every libtrawl .c file includes first.
 *
 * It fixes the feature macros, pulls in the libc headers every module uses,
 * and defines the few macros of the house style (TR_TRY, TR_BUG, likely).
 */
#ifndef TR_SRC_CORE_COMMON_H
#define TR_SRC_CORE_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trawl/core.h"

#define TR_LIKELY(x) __builtin_expect(!!(x), 1)
#define TR_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define TR_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define TR_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TR_MAX(a, b) ((a) > (b) ? (a) : (b))
#define TR_UNUSED(x) (void)(x)

/* Functions tests may reach: static in release builds would hide them. */
#define TR_STATIC

/* Jump to the function's single cleanup label on error:
 *   tr_err err = TR_OK; TR_TRY(step()); … out: cleanup; return err; */
#define TR_TRY(expr)                                                                               \
    do {                                                                                           \
        err = (expr);                                                                              \
        if (TR_UNLIKELY(err != TR_OK))                                                             \
            goto out;                                                                              \
    } while (0)

/* A programmer error: print and abort, in every build. */
#define TR_BUG(...) tr_bug(__FILE__, __LINE__, __VA_ARGS__)
void tr_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 3, 4)));

static inline bool tr_str_eq(tr_str a, tr_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static inline tr_str tr_str_c(const char *s)
{
    return (tr_str){ s, s ? strlen(s) : 0 };
}

#endif /* TR_SRC_CORE_COMMON_H */
