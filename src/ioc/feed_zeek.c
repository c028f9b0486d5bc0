/*
 * feed_zeek.c - Zeek Intelligence Framework input files.
 *
 * Tab-separated, with a "#fields indicator indicator_type meta.source …"
 * header; "-" is an unset field. Types ADDR, SUBNET, DOMAIN, URL (no
 * scheme), FILE_HASH (MD5/SHA-1/SHA-256 by length), FILE_NAME and EMAIL are
 * indicators here; SOFTWARE, USER_NAME, CERT_HASH, PUBKEY_HASH and other
 * types are rejected with a reason rather than dropped silently. An optional
 * meta.actor column attributes the indicators (not a Zeek standard field).
 */
#include "core/common.h"

#include "ioc/index.h"

#define ZEEK_MAX_COLS 64

static size_t split_tabs(tr_str line, tr_str *cols, size_t max)
{
    size_t k = 0, s = 0;
    for (size_t i = 0; i <= line.n && k < max; i++) {
        if (i == line.n || line.p[i] == '\t') {
            cols[k++] = (tr_str){ line.p + s, i - s };
            s = i + 1;
        }
    }
    return k;
}

static bool unset(tr_str s)
{
    return s.n == 0 || (s.n == 1 && s.p[0] == '-') ||
           (s.n == 7 && memcmp(s.p, "(empty)", 7) == 0);
}

tr_err ioc_load_zeek(ioc_feed_ctx *c, const char *data, size_t n)
{
    tr_str cols[ZEEK_MAX_COLS], hdr[ZEEK_MAX_COLS];
    size_t nh = 0;
    int ci = -1, ct = -1, ca = -1;
    uint64_t line = 0;
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(data + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - data) : n;
        tr_str s = { data + i, e - i };
        i = e + 1;
        line++;
        if (s.n && s.p[s.n - 1] == '\r')
            s.n--;
        if (s.n == 0)
            continue;
        if (s.p[0] == '#') {
            if (s.n > 8 && memcmp(s.p, "#fields", 7) == 0 && (s.p[7] == '\t' || s.p[7] == ' ')) {
                tr_str rest = { s.p + 8, s.n - 8 };
                nh = split_tabs(rest, hdr, ZEEK_MAX_COLS);
                if (nh == 1) { /* space-separated header */
                    nh = 0;
                    size_t st = 0;
                    for (size_t k = 0; k <= rest.n && nh < ZEEK_MAX_COLS; k++)
                        if (k == rest.n || rest.p[k] == ' ') {
                            if (k > st)
                                hdr[nh++] = (tr_str){ rest.p + st, k - st };
                            st = k + 1;
                        }
                }
                ci = ct = ca = -1;
                for (size_t k = 0; k < nh; k++) {
                    if (tr_str_eq(hdr[k], TR_STR("indicator")))
                        ci = (int)k;
                    else if (tr_str_eq(hdr[k], TR_STR("indicator_type")))
                        ct = (int)k;
                    else if (tr_str_eq(hdr[k], TR_STR("meta.actor")))
                        ca = (int)k;
                }
                if (ci < 0 || ct < 0) {
                    ioc_reject(c->b, c->path, line, NULL,
                               "#fields names no indicator and indicator_type columns");
                    return TR_EPARSE;
                }
            }
            continue;
        }
        if (ci < 0) {
            ioc_reject(c->b, c->path, line, NULL, "data before the #fields header");
            return TR_EPARSE;
        }
        size_t nc = split_tabs(s, cols, ZEEK_MAX_COLS);
        if ((size_t)ci >= nc || (size_t)ct >= nc) {
            ioc_reject(c->b, c->path, line, NULL, "%zu fields, the header names %zu", nc, nh);
            continue;
        }
        tr_str v = cols[ci], label = cols[ct];
        if (unset(v)) {
            ioc_reject(c->b, c->path, line, NULL, "empty indicator");
            continue;
        }
        tr_ioc_type t1, t2;
        if (label.n < 7 || memcmp(label.p, "Intel::", 7) != 0 || !ioc_label_type(label, &t1, &t2)) {
            ioc_reject(c->b, c->path, line, NULL, "indicator type '%.*s' is not supported",
                       (int)TR_MIN(label.n, 60), label.p);
            continue;
        }
        if (tr_str_eq(label, TR_STR("Intel::FILE_HASH"))) {
            t1 = ioc_hash_type(v.p, v.n);
            if (t1 == TR_IOC_NONE) {
                ioc_reject(c->b, c->path, line, NULL,
                           "Intel::FILE_HASH '%.*s' is not an MD5, SHA-1 or SHA-256 digest",
                           (int)TR_MIN(v.n, 80), v.p);
                continue;
            }
        }
        if (tr_str_eq(label, TR_STR("Intel::ADDR"))) {
            ioc_ip ip;
            if (!ioc_parse_ip(v.p, v.n, &ip, false)) {
                ioc_reject(c->b, c->path, line, NULL, "Intel::ADDR '%.*s' is not an address",
                           (int)TR_MIN(v.n, 80), v.p);
                continue;
            }
        }
        ioc_attrs a;
        ioc_attrs_init(&a);
        if (ca >= 0 && (size_t)ca < nc && !unset(cols[ca]))
            a.actor = cols[ca];
        const char *why;
        tr_err err = ioc_builder_add_value(c->b, c->feed, t1, v, &a, &why);
        if (err == TR_EPARSE)
            ioc_reject(c->b, c->path, line, NULL, "%s: '%.*s'", why, (int)TR_MIN(v.n, 80), v.p);
        else if (err)
            return err;
    }
    if (ci < 0) {
        ioc_reject(c->b, c->path, 0, NULL, "no #fields header");
        return TR_EPARSE;
    }
    return TR_OK;
}
