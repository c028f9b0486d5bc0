/*
 * uuid.c - SHA-1 (FIPS 180-4) and name-based UUIDs (RFC 9562 version 5):
 * campaign and STIX object ids must be the same on every run over the same
 * data, and STIX 2.1 (2.9) asks for UUIDv5 where ids are derived from
 * content. Written here to avoid a crypto dependency for one hash.
 */
#include "core/common.h"

#include "correlate/cmp.h"

/* dcbc9e92-a4e9-5838-b106-6144bedaecdd = uuid5(NAMESPACE_URL,
 * "https://trawl.invalid/campaigns"): our own namespace,
 * never the STIX SCO namespace (intel-anchors §1.2). Derivation checked by
 * the unit test campaign_uuid_namespace. */
const uint8_t cm_uuid_ns[16] = { 0xdc, 0xbc, 0x9e, 0x92, 0xa4, 0xe9, 0x58, 0x38,
                                 0xb1, 0x06, 0x61, 0x44, 0xbe, 0xda, 0xec, 0xdd };

typedef struct sha1_ctx {
    uint32_t h[5];
    uint64_t len;
    uint8_t buf[64];
    size_t nbuf;
} sha1_ctx;

static uint32_t rol(uint32_t x, int n)
{
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(sha1_ctx *s, const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ c ^ d;
            k = 0xca62c1d6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol(b, 30);
        b = a;
        a = t;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
}

static void sha1_init(sha1_ctx *s)
{
    static const uint32_t init[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
                                      0xc3d2e1f0 };
    memcpy(s->h, init, sizeof(init));
    s->len = 0;
    s->nbuf = 0;
}

static void sha1_add(sha1_ctx *s, const void *data, size_t n)
{
    const uint8_t *p = data;
    s->len += n;
    while (n) {
        size_t take = TR_MIN(n, 64 - s->nbuf);
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take;
        p += take;
        n -= take;
        if (s->nbuf == 64) {
            sha1_block(s, s->buf);
            s->nbuf = 0;
        }
    }
}

static void sha1_final(sha1_ctx *s, uint8_t out[20])
{
    uint64_t bits = s->len * 8;
    uint8_t pad = 0x80;
    sha1_add(s, &pad, 1);
    uint8_t zero = 0;
    while (s->nbuf != 56)
        sha1_add(s, &zero, 1);
    uint8_t lenb[8];
    for (int i = 0; i < 8; i++)
        lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha1_add(s, lenb, 8);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

void cm_sha1(const void *p, size_t n, uint8_t out[20])
{
    sha1_ctx s;
    sha1_init(&s);
    sha1_add(&s, p, n);
    sha1_final(&s, out);
}

void tr_uuid5(const uint8_t ns[16], const void *name, size_t n, char out[37])
{
    sha1_ctx s;
    uint8_t h[20];
    sha1_init(&s);
    sha1_add(&s, ns, 16);
    sha1_add(&s, name, n);
    sha1_final(&s, h);
    h[6] = (uint8_t)((h[6] & 0x0f) | 0x50);
    h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[h[i] >> 4];
        out[o++] = hex[h[i] & 15];
    }
    out[o] = '\0';
}
