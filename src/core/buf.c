/*
 * buf.c - capped growable buffer (see buf.h).
 */
#include "core/common.h"

#include "core/buf.h"

#define BUF_DEFAULT_MAX ((size_t)1 << 30)

void tr_buf_init(tr_buf *b, size_t max)
{
    b->p = NULL;
    b->n = 0;
    b->cap = 0;
    b->max = max;
}

void tr_buf_release(tr_buf *b)
{
    tr_free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

tr_err tr_buf_reserve(tr_buf *b, size_t extra)
{
    size_t max = b->max ? b->max : BUF_DEFAULT_MAX;
    if (extra > max || b->n > max - extra)
        return TR_ELIMIT;
    size_t need = b->n + extra + 1;
    if (need <= b->cap)
        return TR_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > max + 1)
        cap = max + 1;
    char *p = tr_realloc(b->p, cap);
    if (!p)
        return TR_ENOMEM;
    b->p = p;
    b->cap = cap;
    return TR_OK;
}

tr_err tr_buf_append(tr_buf *b, const void *p, size_t n)
{
    tr_err err = tr_buf_reserve(b, n);
    if (err)
        return err;
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
    return TR_OK;
}

tr_err tr_buf_putc(tr_buf *b, char c)
{
    if (b->n + 1 < b->cap) {
        b->p[b->n++] = c;
        b->p[b->n] = '\0';
        return TR_OK;
    }
    return tr_buf_append(b, &c, 1);
}

tr_err tr_buf_printf(tr_buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int len = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (len < 0)
        return TR_EINVAL;
    if ((size_t)len < sizeof(small))
        return tr_buf_append(b, small, (size_t)len);
    tr_err err = tr_buf_reserve(b, (size_t)len);
    if (err)
        return err;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
    return TR_OK;
}

char *tr_buf_detach(tr_buf *b, size_t *n)
{
    char *p = b->p;
    if (n)
        *n = b->n;
    if (!p)
        p = tr_strndup("", 0);
    b->p = NULL;
    b->n = b->cap = 0;
    return p;
}
