/*
 * iptab.c - hash-per-prefix-length IP tables (see iptab.h).
 */
#include "core/common.h"

#include "core/hash.h"
#include "ioc/iptab.h"

static size_t table_size(size_t n)
{
    size_t cap = 16;
    while (cap < n * 2 + 2)
        cap *= 2;
    return cap;
}

tr_err ioc_filter_init(ioc_filter *f, size_t n)
{
    size_t words = 1;
    while (words * 64 < n * 16)
        words *= 2;
    f->w = tr_calloc(words, sizeof(uint64_t));
    f->mask = words - 1;
    return f->w ? TR_OK : TR_ENOMEM;
}

void ioc_filter_release(ioc_filter *f)
{
    tr_free(f->w);
    f->w = NULL;
    f->mask = 0;
}

tr_err ioc_iptab_init(ioc_iptab *t, size_t n4, size_t n6)
{
    memset(t, 0, sizeof(*t));
    size_t c4 = table_size(n4), c6 = table_size(n6);
    t->v4 = tr_calloc(c4, sizeof(ioc_v4slot));
    t->v6 = tr_calloc(c6, sizeof(ioc_v6slot));
    if (!t->v4 || !t->v6 || ioc_filter_init(&t->filter, n4 + n6) != TR_OK) {
        ioc_iptab_release(t);
        return TR_ENOMEM;
    }
    t->v4mask = c4 - 1;
    t->v6mask = c6 - 1;
    return TR_OK;
}

void ioc_iptab_release(ioc_iptab *t)
{
    tr_free(t->v4);
    tr_free(t->v6);
    ioc_filter_release(&t->filter);
    memset(t, 0, sizeof(*t));
}

static inline uint32_t v4_of(const ioc_ip *ip)
{
    return (uint32_t)ip->a[12] << 24 | (uint32_t)ip->a[13] << 16 | (uint32_t)ip->a[14] << 8 |
           ip->a[15];
}

static inline size_t h4(uint32_t addr, unsigned plen)
{
    uint64_t x = ((uint64_t)addr << 8 | plen) * 0x9e3779b97f4a7c15ULL;
    return (size_t)(x ^ (x >> 29));
}

static inline size_t h6(const uint8_t a[16], unsigned plen)
{
    return (size_t)tr_hash64(a, 16, plen);
}

static void add_plen(uint8_t *list, uint8_t *n, uint8_t plen)
{
    for (unsigned i = 0; i < *n; i++)
        if (list[i] == plen)
            return;
    unsigned i = *n;
    while (i > 0 && list[i - 1] < plen) { /* keep longest first */
        list[i] = list[i - 1];
        i--;
    }
    list[i] = plen;
    (*n)++;
}

void ioc_iptab_put(ioc_iptab *t, const ioc_ip *ip, uint32_t val, bool *dup, uint32_t *existing)
{
    *dup = false;
    if (ip->v4) {
        uint32_t a = v4_of(ip);
        size_t i = h4(a, ip->plen) & t->v4mask;
        while (t->v4[i].val1) {
            if (t->v4[i].addr == a && t->v4[i].plen == ip->plen) {
                *dup = true;
                *existing = t->v4[i].val1 - 1;
                return;
            }
            i = (i + 1) & t->v4mask;
        }
        t->v4[i] = (ioc_v4slot){ a, val + 1, ip->plen };
        ioc_filter_add(&t->filter, h4(a, ip->plen));
        add_plen(t->v4plens, &t->nv4plens, ip->plen);
    } else {
        size_t i = h6(ip->a, ip->plen) & t->v6mask;
        while (t->v6[i].val1) {
            if (t->v6[i].plen == ip->plen && memcmp(t->v6[i].a, ip->a, 16) == 0) {
                *dup = true;
                *existing = t->v6[i].val1 - 1;
                return;
            }
            i = (i + 1) & t->v6mask;
        }
        ioc_filter_add(&t->filter, h6(ip->a, ip->plen));
        memcpy(t->v6[i].a, ip->a, 16);
        t->v6[i].val1 = val + 1;
        t->v6[i].plen = ip->plen;
        add_plen(t->v6plens, &t->nv6plens, ip->plen);
    }
    t->count++;
}

void ioc_iptab_lookup_v4(const ioc_iptab *t, uint32_t a, ioc_iptab_fn fn, void *ctx)
{
    for (unsigned k = 0; k < t->nv4plens; k++) {
        unsigned plen = t->v4plens[k];
        uint32_t m = plen ? a & (0xffffffffu << (32 - plen)) : 0;
        size_t h = h4(m, plen);
        if (!ioc_filter_maybe(&t->filter, h))
            continue;
        size_t i = h & t->v4mask;
        while (t->v4[i].val1) {
            if (t->v4[i].addr == m && t->v4[i].plen == plen) {
                if (fn(ctx, t->v4[i].val1 - 1))
                    return;
                break;
            }
            i = (i + 1) & t->v4mask;
        }
    }
}

void ioc_iptab_lookup(const ioc_iptab *t, const ioc_ip *ip, ioc_iptab_fn fn, void *ctx)
{
    if (ip->v4) {
        ioc_iptab_lookup_v4(t, v4_of(ip), fn, ctx);
        return;
    }
    for (unsigned k = 0; k < t->nv6plens; k++) {
        ioc_ip m = *ip;
        m.plen = t->v6plens[k];
        ioc_ip_mask(&m);
        size_t h = h6(m.a, m.plen);
        if (!ioc_filter_maybe(&t->filter, h))
            continue;
        size_t i = h & t->v6mask;
        while (t->v6[i].val1) {
            if (t->v6[i].plen == m.plen && memcmp(t->v6[i].a, m.a, 16) == 0) {
                if (fn(ctx, t->v6[i].val1 - 1))
                    return;
                break;
            }
            i = (i + 1) & t->v6mask;
        }
    }
}

static bool any_fn(void *ctx, uint32_t val)
{
    TR_UNUSED(val);
    *(bool *)ctx = true;
    return true;
}

bool ioc_iptab_any(const ioc_iptab *t, const ioc_ip *ip)
{
    bool hit = false;
    ioc_iptab_lookup(t, ip, any_fn, &hit);
    return hit;
}

size_t ioc_iptab_memory(const ioc_iptab *t)
{
    return (t->v4mask + 1) * sizeof(ioc_v4slot) + (t->v6mask + 1) * sizeof(ioc_v6slot) +
           ioc_filter_memory(&t->filter);
}
