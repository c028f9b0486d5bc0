/*
 * decomp.c - gzip, zstd and lz4-frame streaming decompression (see decomp.h).
 *
 * Concatenated members/frames are decoded as one stream, as gzip(1),
 * zstd(1) and lz4(1) do. A truncated stream is an error, not a silent end.
 */
#include "core/common.h"

#include <lz4frame.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "input/decomp.h"

struct tr_decomp {
    tr_compression kind;
    int fd;
    unsigned char *in;   /* compressed input buffer */
    size_t incap;
    size_t inpos, inlen; /* unread compressed bytes: in[inpos..inlen) */
    bool eof;            /* fd has no more bytes */
    bool stream_end;     /* the current member/frame ended cleanly */
    uint64_t bytes_in;
    z_stream z;
    bool z_init;
    ZSTD_DStream *zs;
    LZ4F_dctx *lz;
};

tr_compression tr_decomp_detect(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return TR_COMP_GZIP;
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return TR_COMP_ZSTD;
    if (n >= 4 && p[0] == 0x04 && p[1] == 0x22 && p[2] == 0x4d && p[3] == 0x18)
        return TR_COMP_LZ4;
    return TR_COMP_NONE;
}

tr_err tr_decomp_new(tr_compression kind, int fd, const void *prefix, size_t nprefix,
                     size_t chunk, tr_decomp **out)
{
    *out = NULL;
    tr_decomp *d = tr_calloc(1, sizeof(*d));
    if (!d)
        return TR_ENOMEM;
    d->kind = kind;
    d->fd = fd;
    d->incap = chunk > nprefix ? chunk : nprefix;
    d->in = tr_malloc(d->incap);
    if (!d->in)
        goto nomem;
    if (nprefix)
        memcpy(d->in, prefix, nprefix);
    d->inlen = nprefix;
    d->bytes_in = nprefix; /* the sniffed head was read from fd too */
    d->stream_end = false;
    switch (kind) {
    case TR_COMP_GZIP:
        if (inflateInit2(&d->z, 16 + MAX_WBITS) != Z_OK)
            goto nomem;
        d->z_init = true;
        break;
    case TR_COMP_ZSTD:
        d->zs = ZSTD_createDStream();
        if (!d->zs)
            goto nomem;
        ZSTD_initDStream(d->zs);
        break;
    case TR_COMP_LZ4:
        if (LZ4F_isError(LZ4F_createDecompressionContext(&d->lz, LZ4F_VERSION)))
            goto nomem;
        break;
    case TR_COMP_NONE:
        break;
    }
    *out = d;
    return TR_OK;
nomem:
    tr_decomp_free(d);
    return TR_ENOMEM;
}

void tr_decomp_free(tr_decomp *d)
{
    if (!d)
        return;
    if (d->z_init)
        inflateEnd(&d->z);
    if (d->zs)
        ZSTD_freeDStream(d->zs);
    if (d->lz)
        LZ4F_freeDecompressionContext(d->lz);
    tr_free(d->in);
    tr_free(d);
}

uint64_t tr_decomp_bytes_in(const tr_decomp *d)
{
    return d->bytes_in;
}

/* Refills the compressed buffer when it is empty. */
static tr_err refill(tr_decomp *d, char *errbuf, size_t errlen)
{
    if (d->inpos < d->inlen || d->eof)
        return TR_OK;
    d->inpos = d->inlen = 0;
    for (;;) {
        ssize_t r = read(d->fd, d->in, d->incap);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(errbuf, errlen, "read: %s", strerror(errno));
            return TR_EIO;
        }
        if (r == 0)
            d->eof = true;
        d->inlen = (size_t)r;
        d->bytes_in += (uint64_t)r;
        return TR_OK;
    }
}

static tr_err truncated(char *errbuf, size_t errlen, const char *what)
{
    snprintf(errbuf, errlen, "%s stream is truncated", what);
    return TR_ECOMPRESS;
}

static tr_err read_gzip(tr_decomp *d, void *dst, size_t cap, size_t *got, char *eb, size_t el)
{
    d->z.next_out = dst;
    d->z.avail_out = (uInt)TR_MIN(cap, (size_t)UINT_MAX);
    while (d->z.avail_out > 0) {
        tr_err err = refill(d, eb, el);
        if (err)
            return err;
        if (d->inpos == d->inlen && d->eof) {
            if (!d->stream_end)
                return truncated(eb, el, "gzip");
            break;
        }
        if (d->stream_end) {
            /* another member follows (or trailing zero padding, which gzip accepts) */
            if (d->in[d->inpos] == 0) {
                d->inpos = d->inlen;
                continue;
            }
            inflateReset(&d->z);
            d->stream_end = false;
        }
        d->z.next_in = d->in + d->inpos;
        d->z.avail_in = (uInt)(d->inlen - d->inpos);
        int rc = inflate(&d->z, Z_NO_FLUSH);
        d->inpos = d->inlen - d->z.avail_in;
        if (rc == Z_STREAM_END) {
            d->stream_end = true;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            snprintf(eb, el, "gzip: %s", d->z.msg ? d->z.msg : "corrupt data");
            return TR_ECOMPRESS;
        }
        if ((size_t)(d->z.next_out - (unsigned char *)dst) > 0 && d->z.avail_out < cap / 2)
            break;
    }
    *got = (size_t)(d->z.next_out - (unsigned char *)dst);
    return TR_OK;
}

static tr_err read_zstd(tr_decomp *d, void *dst, size_t cap, size_t *got, char *eb, size_t el)
{
    ZSTD_outBuffer ob = { dst, cap, 0 };
    while (ob.pos < ob.size) {
        tr_err err = refill(d, eb, el);
        if (err)
            return err;
        if (d->inpos == d->inlen && d->eof) {
            if (!d->stream_end)
                return truncated(eb, el, "zstd");
            break;
        }
        ZSTD_inBuffer ib = { d->in, d->inlen, d->inpos };
        size_t hint = ZSTD_decompressStream(d->zs, &ob, &ib);
        d->inpos = ib.pos;
        if (ZSTD_isError(hint)) {
            snprintf(eb, el, "zstd: %s", ZSTD_getErrorName(hint));
            return TR_ECOMPRESS;
        }
        d->stream_end = hint == 0;
        if (ob.pos > cap / 2)
            break;
    }
    *got = ob.pos;
    return TR_OK;
}

static tr_err read_lz4(tr_decomp *d, void *dst, size_t cap, size_t *got, char *eb, size_t el)
{
    size_t produced = 0;
    while (produced < cap) {
        tr_err err = refill(d, eb, el);
        if (err)
            return err;
        if (d->inpos == d->inlen && d->eof) {
            if (!d->stream_end)
                return truncated(eb, el, "lz4");
            break;
        }
        size_t outsz = cap - produced, insz = d->inlen - d->inpos;
        size_t hint = LZ4F_decompress(d->lz, (char *)dst + produced, &outsz, d->in + d->inpos, &insz,
                               NULL);
        d->inpos += insz;
        produced += outsz;
        if (LZ4F_isError(hint)) {
            snprintf(eb, el, "lz4: %s", LZ4F_getErrorName(hint));
            return TR_ECOMPRESS;
        }
        d->stream_end = hint == 0;
        if (produced > cap / 2)
            break;
    }
    *got = produced;
    return TR_OK;
}

static tr_err read_plain(tr_decomp *d, void *dst, size_t cap, size_t *got, char *eb, size_t el)
{
    if (d->inpos < d->inlen) { /* the sniffed prefix */
        size_t k = TR_MIN(cap, d->inlen - d->inpos);
        memcpy(dst, d->in + d->inpos, k);
        d->inpos += k;
        *got = k;
        return TR_OK;
    }
    for (;;) {
        ssize_t r = read(d->fd, dst, cap);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(eb, el, "read: %s", strerror(errno));
            return TR_EIO;
        }
        d->bytes_in += (uint64_t)r;
        *got = (size_t)r;
        return TR_OK;
    }
}

tr_err tr_decomp_read(tr_decomp *d, void *dst, size_t cap, size_t *got, char *errbuf,
                      size_t errlen)
{
    *got = 0;
    switch (d->kind) {
    case TR_COMP_GZIP:
        return read_gzip(d, dst, cap, got, errbuf, errlen);
    case TR_COMP_ZSTD:
        return read_zstd(d, dst, cap, got, errbuf, errlen);
    case TR_COMP_LZ4:
        return read_lz4(d, dst, cap, got, errbuf, errlen);
    default:
        return read_plain(d, dst, cap, got, errbuf, errlen);
    }
}
