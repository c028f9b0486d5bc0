/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * Every buffer that grows with input has a limit; appending past it fails
 * with TR_ELIMIT and leaves the buffer unchanged, so a hostile record cannot
 * make trawl allocate without bound. The bytes are always NUL-terminated.
 */
#ifndef TR_SRC_CORE_BUF_H
#define TR_SRC_CORE_BUF_H

#include "core/common.h"

typedef struct tr_buf {
    char *p;    /* bytes, NUL-terminated (owned) */
    size_t n;   /* bytes used, excluding the NUL */
    size_t cap; /* allocated bytes */
    size_t max; /* hard limit on n; 0 = 1 GiB */
} tr_buf;

#define TR_BUF_INIT { NULL, 0, 0, 0 }

void tr_buf_init(tr_buf *b, size_t max);
void tr_buf_release(tr_buf *b);
/* n = 0, capacity kept. */
static inline void tr_buf_reset(tr_buf *b)
{
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
}
/* Makes room for extra more bytes. */
tr_err tr_buf_reserve(tr_buf *b, size_t extra);
tr_err tr_buf_append(tr_buf *b, const void *p, size_t n);
static inline tr_err tr_buf_append_str(tr_buf *b, tr_str s)
{
    return tr_buf_append(b, s.p, s.n);
}
tr_err tr_buf_putc(tr_buf *b, char c);
tr_err tr_buf_printf(tr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the bytes to the caller (free with tr_free) and empties b. */
char *tr_buf_detach(tr_buf *b, size_t *n);

#endif
