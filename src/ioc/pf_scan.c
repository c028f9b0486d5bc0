/*
 * pf_scan.c - the indicator prefilter's scan of one raw record: does it
 * hold a necessary literal (prefilter.c) or an always pattern?
 *
 * A literal is looked for only where it can start: at a word start, a
 * letter or digit whose previous byte is neither (or is the letter of a
 * two-byte escape such as JSON's "\n"). Each indicator's value is found by
 * the scanner as a whole token, a host's label, a path's last component or
 * an address group, and every one of those begins there (docs/IOC.md,
 * "Prefilter", argues it type by type; fuzz_ioc_prefilter checks it
 * against the real decoders). A literal of 8 bytes or more is probed by
 * its first 8 bytes; a shorter one by its exact bytes where a word or the
 * record can end after it. Word starts come from SSE2 byte-class masks, 64
 * bytes at a time, so the cost is a few instructions a byte plus one
 * bitmap probe a word; a line is marked at its first hit.
 */
#include "core/common.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ioc/prefilter.h"

static inline bool is_digit(unsigned char c)
{
    return (unsigned char)(c - '0') < 10;
}

void ioc_pf_masks64_portable(const unsigned char *q, ioc_pf_masks *m)
{
    *m = (ioc_pf_masks){ 0 };
    for (unsigned i = 0; i < 64; i++) {
        unsigned char c = q[i];
        uint64_t b = 1ULL << i;
        m->word |= ioc_pf_is_word(c) ? b : 0;
        m->digit |= is_digit(c) ? b : 0;
        m->bslash |= c == '\\' ? b : 0;
        m->colon |= c == ':' ? b : 0;
        m->zero |= c == '0' ? b : 0;
    }
}

#if defined(__SSE2__)
/* unsigned range checks with signed compares: x in [lo, lo + n) when
 * (x + 0x80 - lo) as a signed byte is below -128 + n */
static inline __attribute__((always_inline)) void masks16(const unsigned char *q, unsigned sh,
                                                          ioc_pf_masks *m)
{
    const __m128i fold = _mm_set1_epi8(0x20);
    const __m128i dbias = _mm_set1_epi8((char)(0x80 - '0')), dlim = _mm_set1_epi8(-128 + 10);
    const __m128i abias = _mm_set1_epi8((char)(0x80 - 'a')), alim = _mm_set1_epi8(-128 + 26);
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
    __m128i dig = _mm_cmplt_epi8(_mm_add_epi8(x, dbias), dlim);
    __m128i let = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(x, fold), abias), alim);
    m->word |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(dig, let)) << sh;
    m->digit |= (uint64_t)(unsigned)_mm_movemask_epi8(dig) << sh;
    m->bslash |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')))
                 << sh;
    m->colon |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(':'))) << sh;
    m->zero |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('0'))) << sh;
}

static inline __attribute__((always_inline)) void masks64(const unsigned char *q, ioc_pf_masks *m)
{
    *m = (ioc_pf_masks){ 0 };
    masks16(q, 0, m);
    masks16(q + 16, 16, m);
    masks16(q + 32, 32, m);
    masks16(q + 48, 48, m);
}
#else
static inline void masks64(const unsigned char *q, ioc_pf_masks *m)
{
    ioc_pf_masks64_portable(q, m);
}
#endif

void ioc_pf_masks64(const unsigned char *q, ioc_pf_masks *m)
{
    masks64(q, m);
}

/* 8 bytes at p as a little-endian word (keys are built byte by byte). */
static inline uint64_t load_le64(const unsigned char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    w = __builtin_bswap64(w);
#endif
    return w;
}

static inline bool bit_set(const tr_ioc_prefilter *pf, uint64_t key)
{
    uint64_t h = ioc_pf_bit(pf, key);
    return (pf->bits[h >> 6] >> (h & 63)) & 1;
}

/* Folded equality of n bytes of text with n bytes of the pool. */
static bool eq_folded(const unsigned char *t, const char *lit, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t a = load_le64(t + i) | IOC_PF_FOLD8, b = load_le64((const unsigned char *)lit + i);
        if (a != b)
            return false;
    }
    for (; i < n; i++)
        if ((t[i] | 0x20) != (unsigned char)lit[i])
            return false;
    return true;
}

/* A literal of 8 bytes or more whose first 8 are key starts at t (rem
 * bytes left in the record)? */
static bool has_long(const tr_ioc_prefilter *pf, uint64_t key, const unsigned char *t, size_t rem)
{
    size_t i = ioc_pf_slot(pf, key);
    for (; pf->tab[i].key; i = (i + 1) & pf->tab_mask) {
        const ioc_pf_entry *e = &pf->tab[i];
        if (e->key == key && e->len <= rem && eq_folded(t + 8, pf->pool + e->off + 8, e->len - 8))
            return true;
    }
    return false;
}

/* A literal shorter than 8 bytes equal to key (it holds all its bytes)? */
static bool has_short(const tr_ioc_prefilter *pf, uint64_t key)
{
    size_t i = ioc_pf_slot(pf, key);
    for (; pf->tab[i].key; i = (i + 1) & pf->tab_mask)
        if (pf->tab[i].key == key)
            return true;
    return false;
}

/* Does a literal shorter than 8 bytes start at u[s]? w: the folded bytes
 * from s (0 past the record's end). */
static bool probe_short(const tr_ioc_prefilter *pf, const unsigned char *u, size_t s, size_t n,
                        uint64_t w)
{
    size_t rem = n - s;
    for (unsigned lens = pf->short_lens; lens; lens &= lens - 1) {
        size_t l = (size_t)__builtin_ctz(lens);
        if (l > rem)
            break;
        /* a short literal ends where the word does, or with a non-word byte
         * of its own (a network's "10.1.2.", an IPv6 group's "db8:") */
        if (l < rem && ioc_pf_is_word(u[s + l]) && ioc_pf_is_word(u[s + l - 1]))
            continue;
        uint64_t k = w & ((1ULL << (8 * l)) - 1);
        if (bit_set(pf, k) && has_short(pf, k))
            return true;
    }
    return false;
}

/* Does a literal start at u[s]? The common case (8 bytes left, the bitmap
 * says no, no short literals) stays inline in the scan loop. */
static inline __attribute__((always_inline)) bool probe(const tr_ioc_prefilter *pf,
                                                         const unsigned char *u, size_t s,
                                                         size_t n)
{
    uint64_t w;
    if (TR_LIKELY(s + 8 <= n)) {
        w = load_le64(u + s) | IOC_PF_FOLD8;
        if (TR_UNLIKELY(bit_set(pf, w)) && has_long(pf, w, u + s, n - s))
            return true;
    } else {
        unsigned char tmp[8] = { 0 };
        memcpy(tmp, u + s, n - s);
        w = load_le64(tmp) | IOC_PF_FOLD8;
    }
    return pf->short_lens && probe_short(pf, u, s, n, w);
}

/* A start at a '0' of an IPv6 literal's group: "0db8:" holds "db8:". */
static bool probe_after_zeros(const tr_ioc_prefilter *pf, const unsigned char *u, size_t i,
                              size_t n)
{
    for (size_t k = i + 1; k < n && k <= i + 3 && u[k - 1] == '0'; k++)
        if (probe(pf, u, k, n))
            return true;
    return false;
}

/* Four consecutive 1-3 digit groups, one of them zero-padded, in the run of
 * digits and dots around p (ioc_parse_ipv4 reads "010.001.002.003" as
 * 10.1.2.3, whose literal that spelling does not show). */
static bool padded_quad_around(const char *p, const char *lo, const char *hi)
{
    const char *a = p, *b = p;
    while (a > lo && (is_digit((unsigned char)a[-1]) || a[-1] == '.'))
        a--;
    while (b < hi && (is_digit((unsigned char)*b) || *b == '.'))
        b++;
    unsigned ok = 0;       /* consecutive valid groups so far */
    unsigned last_pad = 0; /* ok-index (1-based) of the latest padded group */
    const char *q = a;
    while (q <= b) {
        const char *g = q;
        while (q < b && *q != '.')
            q++;
        size_t len = (size_t)(q - g);
        if (len >= 1 && len <= 3) {
            ok++;
            if (len >= 2 && g[0] == '0')
                last_pad = ok;
            if (ok >= 4 && last_pad && ok - last_pad < 4)
                return true;
        } else {
            ok = 0;
            last_pad = 0;
        }
        q++; /* past the dot (or the end) */
    }
    return false;
}

/* A rare byte at i: an escape, a colon, the first zero of a digit run. */
static bool rare_at(const unsigned char *u, size_t i, size_t n)
{
    if (u[i] == '\\') /* "\u", "\x": an escape can spell any byte of a value */
        return i + 1 < n && ((u[i + 1] | 0x20) == 'u' || (u[i + 1] | 0x20) == 'x');
    if (u[i] == ':') { /* "ffff:" is in every spelling of IPv4-mapped IPv6 */
        uint32_t f;
        if (i < 4)
            return false;
        memcpy(&f, u + i - 4, 4);
        return (f | 0x20202020u) == (uint32_t)'f' * 0x01010101u;
    }
    /* a zero-padded octet */
    return i + 1 < n && is_digit(u[i + 1]) &&
           padded_quad_around((const char *)u + i, (const char *)u, (const char *)u + n);
}

#define NO_HIT SIZE_MAX

/* The first position at or after o of p[0..n) where a literal or an always
 * pattern starts, or NO_HIT; bytes up to safe_end may be read. o is taken as
 * the start of a line (the byte before it, if any, is not a letter or digit). */
static size_t first_hit(const tr_ioc_prefilter *pf, const char *p, size_t n, const char *safe_end,
                        size_t o)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t carry_word = 0, carry_digit = 0, carry_bs = 0;
    const uint64_t *bits = pf->bits;
    bool short_lens = pf->short_lens != 0, zeros = pf->zeros, v4 = pf->v4;
    for (; o < n; o += 64) {
        ioc_pf_masks m;
        size_t avail = n - o;
        if (TR_LIKELY(avail >= 64 || (size_t)(safe_end - (p + o)) >= 64)) {
            masks64(u + o, &m);
        } else {
            unsigned char tmp[64] = { 0 };
            memcpy(tmp, u + o, avail);
            masks64(tmp, &m);
        }
        if (avail < 64) {
            uint64_t keep = (1ULL << avail) - 1;
            m.word &= keep, m.digit &= keep, m.bslash &= keep, m.colon &= keep, m.zero &= keep;
        }
        uint64_t after_word = m.word << 1 | carry_word; /* bit i: byte i-1 is a letter or digit */
        uint64_t after_esc = m.bslash << 2 | carry_bs;  /* bit i: byte i-2 is a backslash */
        uint64_t starts = m.word & (~after_word | after_esc);
        uint64_t rare = m.bslash;
        if (v4) /* colons ("ffff:") and the first zero of a digit run (padded octets) */
            rare |= m.colon | (m.zero & ~(m.digit << 1 | carry_digit));
        /* the earliest hit of the chunk: the rare bytes first, then the word
         * starts before it */
        size_t hit = NO_HIT;
        for (; rare; rare &= rare - 1) {
            size_t i = o + (size_t)__builtin_ctzll(rare);
            if (rare_at(u, i, n)) {
                hit = i;
                starts &= (2ULL << (i - o)) - 1; /* the starts up to it */
                break;
            }
        }
        if (TR_LIKELY(o + 72 <= n) && !short_lens && !zeros) {
            /* every start here has 8 bytes after it: the bitmap decides */
            for (; starts; starts &= starts - 1) {
                size_t i = o + (size_t)__builtin_ctzll(starts);
                uint64_t w = load_le64(u + i) | IOC_PF_FOLD8;
                uint64_t h = ioc_pf_bit(pf, w);
                if (TR_UNLIKELY((bits[h >> 6] >> (h & 63)) & 1) && has_long(pf, w, u + i, n - i))
                    return i < hit ? i : hit;
            }
        }
        for (; starts; starts &= starts - 1) {
            size_t i = o + (size_t)__builtin_ctzll(starts);
            if (probe(pf, u, i, n) || (zeros && u[i] == '0' && probe_after_zeros(pf, u, i, n)))
                return i < hit ? i : hit;
        }
        if (hit != NO_HIT)
            return hit;
        carry_word = m.word >> 63;
        carry_digit = m.digit >> 63;
        carry_bs = m.bslash >> 62;
    }
    return NO_HIT;
}

bool ioc_pf_scan(const tr_ioc_prefilter *pf, const char *p, size_t n, const char *safe_end)
{
    return first_hit(pf, p, n, safe_end, 0) != NO_HIT;
}

void ioc_pf_scan_span(const tr_ioc_prefilter *pf, const char *p, size_t n, const tr_record *recs,
                      size_t nrecs, uint8_t *mark)
{
    size_t cur = 0, o = 0, q;
    while ((q = first_hit(pf, p, n, p + n, o)) != NO_HIT) {
        const char *at = p + q;
        while (cur < nrecs && (recs[cur].status != TR_OK || !recs[cur].data.n ||
                               recs[cur].data.p + recs[cur].data.n <= at))
            cur++;
        if (cur == nrecs)
            return;
        if (recs[cur].data.p > at) { /* between records: nothing to mark */
            o = q + 1;
            continue;
        }
        mark[cur] = 1;
        /* on from the end of that record (a line start: it ends before a
         * byte that is not a letter or digit, see tr_ioc_prefilter_mark) */
        o = (size_t)(recs[cur].data.p + recs[cur].data.n - p);
        cur++;
    }
}
