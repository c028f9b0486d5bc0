/*
 * trawl/core.h - the types every part of libtrawl shares: the error enum,
 * borrowed string slices, the allocator hooks and the version.
 *
 * Ownership, everywhere in the API: whoever allocates frees. Anything the
 * library returns on the heap is released with its own _free() function or,
 * for plain buffers, with tr_free(). A tr_str is a borrowed view: it never
 * owns its bytes and is never NUL-terminated by contract.
 */
#ifndef TR_CORE_H
#define TR_CORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define TR_API __attribute__((visibility("default")))
#else
#define TR_API
#endif

#define TR_VERSION_MAJOR 0
#define TR_VERSION_MINOR 1
#define TR_VERSION_PATCH 0
#define TR_VERSION_STRING "0.1.0"

/* The one error enum of libtrawl. New codes go at the end (values are stable). */
#define TR_ERRORS(X)                                                       \
    X(TR_OK, "success")                                                    \
    X(TR_ENOMEM, "out of memory")                                          \
    X(TR_EINVAL, "invalid argument")                                       \
    X(TR_EIO, "input/output error")                                        \
    X(TR_ENOENT, "no such file or directory")                              \
    X(TR_EPARSE, "malformed input")                                        \
    X(TR_ELIMIT, "limit exceeded")                                         \
    X(TR_EUNSUPPORTED, "not supported")                                    \
    X(TR_EEOF, "end of input")                                             \
    X(TR_ESKIP, "record skipped (header or comment)")                      \
    X(TR_EFORMAT, "unknown or undetected format")                          \
    X(TR_ECOMPRESS, "decompression failed")                                \
    X(TR_ERULE, "invalid rule")                                            \
    X(TR_ESTORE, "store error")                                            \
    X(TR_EVERSION, "incompatible version")                                 \
    X(TR_EBUSY, "resource busy")                                           \
    X(TR_ENET, "network error")                                            \
    X(TR_EAUTH, "not authorised")                                          \
    X(TR_EEXIST, "already exists")                                         \
    X(TR_EINTERNAL, "internal error")

typedef enum tr_err {
#define TR_ERR_ENUM(name, text) name,
    TR_ERRORS(TR_ERR_ENUM)
#undef TR_ERR_ENUM
    TR_ERR_COUNT
} tr_err;

/* A static, human-readable description of err; never NULL. Thread-safe. */
TR_API const char *tr_strerror(tr_err err);

/* A borrowed byte slice. p may be NULL when n == 0. Not NUL-terminated. */
typedef struct tr_str {
    const char *p; /* first byte (borrowed) */
    size_t n;      /* length in bytes */
} tr_str;

/* Slice literal from a C string constant: TR_STR("abc"). */
#define TR_STR(lit) ((tr_str){ (lit), sizeof(lit) - 1 })
/* printf helper: printf("%.*s", TR_STR_FMT(s)). */
#define TR_STR_FMT(s) (int)(s).n, (s).p

/* The library's allocator. Every heap allocation inside libtrawl goes through
 * these so that tests can count allocations (zero per event on the hot path)
 * and so that a caller can release what the library hands out. */
TR_API void *tr_malloc(size_t n);
TR_API void *tr_calloc(size_t count, size_t size);
TR_API void *tr_realloc(void *p, size_t n);
TR_API void tr_free(void *p);
TR_API char *tr_strndup(const char *s, size_t n);

/* Number of tr_malloc/tr_calloc/tr_realloc calls so far (all threads). */
TR_API uint64_t tr_alloc_count(void);

/* Library version string ("0.1.0"). */
TR_API const char *tr_version(void);

#ifdef __cplusplus
}
#endif
#endif /* TR_CORE_H */
