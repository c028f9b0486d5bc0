/*
 * fuzz_ioc_common.h - shared body of the feed fuzz targets: load bytes as a
 * feed of one format (rejects are discarded), build the index, and scan
 * the same bytes as every value type against it.
 */
#ifndef TR_TESTS_FUZZ_IOC_COMMON_H
#define TR_TESTS_FUZZ_IOC_COMMON_H

#include "core/common.h"

#include "trawl/ioc.h"

static void fuzz_ioc_quiet(void *ctx, const char *path, uint64_t line, const char *id,
                           const char *why)
{
    (void)ctx;
    (void)path;
    (void)line;
    (void)id;
    (void)why;
}

static int fuzz_ioc_count(void *ctx, const tr_ioc_match *m)
{
    (*(size_t *)ctx)++;
    if (!m->indicator || !m->field)
        abort();
    return 0;
}

static inline void fuzz_ioc_feed(const uint8_t *data, size_t size, tr_ioc_format fmt)
{
    /* exact-size copy so that ASan sees any overread */
    char *p = malloc(size ? size : 1);
    if (!p)
        return;
    memcpy(p, data, size);
    tr_ioc_opts o = { .diag = fuzz_ioc_quiet };
    tr_ioc_builder *b;
    if (tr_ioc_builder_new(&o, &b) != TR_OK) {
        free(p);
        return;
    }
    (void)tr_ioc_builder_add_feed_mem(b, p, size, fmt, "fuzz", NULL);
    tr_ioc_index *x;
    if (tr_ioc_builder_finish(b, &x) != TR_OK) {
        free(p);
        return;
    }
    tr_ioc_scratch *s;
    if (tr_ioc_scratch_new(x, &s) == TR_OK) {
        size_t n = 0;
        for (int t = TR_T_TEXT; t <= TR_T_HOSTPORT; t++)
            tr_ioc_scan_value(x, s, (tr_vtype)t, (tr_str){ p, size }, 1, fuzz_ioc_count, &n);
        /* every indicator must find itself through a field of its kind */
        for (size_t i = 0; i < tr_ioc_index_count(x) && i < 64; i++) {
            tr_indicator ind;
            tr_ioc_index_get(x, i, &ind);
            tr_vtype vt = ind.type == TR_IOC_URL ? TR_T_URL
                          : ind.type == TR_IOC_DOMAIN ? TR_T_DOMAIN
                          : ind.type == TR_IOC_EMAIL ? TR_T_TEXT
                          : ind.type == TR_IOC_FILENAME ? TR_T_FILENAME
                          : (ind.type == TR_IOC_MD5 || ind.type == TR_IOC_SHA1 ||
                             ind.type == TR_IOC_SHA256) ? TR_T_HASH
                          : TR_T_IP;
            if (ind.type == TR_IOC_CIDR)
                continue;
            size_t before = n;
            tr_ioc_scan_value(x, s, vt, ind.value, TR_TS_NONE, fuzz_ioc_count, &n);
            if (n == before && ind.valid_from == TR_TS_NONE && ind.valid_until == TR_TS_NONE) {
                fprintf(stderr, "indicator %s '%.*s' does not match itself\n",
                        tr_ioc_type_name(ind.type), (int)ind.value.n, ind.value.p);
                abort();
            }
        }
        tr_ioc_scratch_free(s);
    }
    tr_ioc_index_free(x);
    free(p);
}

/* The same bytes as an allowlist (plain or warninglist) over a feed of them. */
static inline void fuzz_ioc_allow(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1);
    if (!p)
        return;
    memcpy(p, data, size);
    tr_ioc_opts o = { .diag = fuzz_ioc_quiet };
    tr_ioc_builder *b;
    if (tr_ioc_builder_new(&o, &b) == TR_OK) {
        (void)tr_ioc_builder_add_feed_mem(b, p, size, TR_IOCF_PLAIN, "fuzz", NULL);
        (void)tr_ioc_builder_add_allowlist_mem(b, p, size, "fuzz-allow");
        tr_ioc_index *x;
        if (tr_ioc_builder_finish(b, &x) == TR_OK) {
            tr_ioc_stats st;
            tr_ioc_index_stats(x, &st);
            tr_ioc_index_free(x);
        }
    }
    free(p);
}

#endif
