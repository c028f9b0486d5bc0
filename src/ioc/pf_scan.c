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

#include "ioc/pf_masks.h"
#include "ioc/prefilter.h"

static inline bool is_digit(unsigned char c)
{
    return (unsigned char)(c - '0') < 10;
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
    return ioc_pf_test(pf->bits, ioc_pf_bit(pf, key));
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

/* A literal of lo to hi bytes (at most rem) under table key k at t, whose
 * first skip bytes are known to match? */
static inline bool in_chain(const tr_ioc_prefilter *pf, uint64_t k, const unsigned char *t,
                            size_t rem, uint32_t lo, uint32_t hi, size_t skip)
{
    if (!ioc_pf_test(pf->key_bits, ioc_pf_key_bit(pf, k)))
        return false;
    for (size_t i = ioc_pf_slot(pf, k); pf->tab[i].key; i = (i + 1) & pf->tab_mask) {
        const ioc_pf_entry *e = &pf->tab[i];
        if (e->key == k && e->len >= lo && e->len <= hi && e->len <= rem &&
            eq_folded(t + skip, pf->pool + e->off + skip, e->len - skip))
            return true;
    }
    return false;
}

/* A literal of 8 bytes or more whose first 8 are key starts at t (rem
 * bytes left in the record)? One chain per length class (8-11, 12-15, 16
 * and more), each keyed by as many bytes as its literals have for sure. */
static bool has_long(const tr_ioc_prefilter *pf, uint64_t key, const unsigned char *t, size_t rem)
{
    if (rem >= 16 &&
        in_chain(pf, ioc_pf_key_long(key, load_le64(t + 8) | IOC_PF_FOLD8), t, rem, 16,
                 UINT32_MAX, 0))
        return true;
    if (pf->len12 && rem >= 12) {
        uint64_t k2 = ioc_pf_key((const char *)t + 8, 4);
        if (in_chain(pf, ioc_pf_key_long(key, k2), t, rem, 12, 15, 0))
            return true;
    }
    return pf->len8 && in_chain(pf, key, t, rem, 8, 11, 8);
}

/* A literal shorter than 8 bytes equal to key (it holds all its bytes)? */
static bool has_short(const tr_ioc_prefilter *pf, uint64_t key)
{
    size_t i = ioc_pf_slot(pf, key);
    for (; pf->tab[i].key; i = (i + 1) & pf->tab_mask)
        if (pf->tab[i].key == key && pf->tab[i].len < 8)
            return true;
    return false;
}

/* x >> k with the k bits shifted in from past the chunk set (unknown). */
static inline uint64_t shr_unknown(uint64_t x, unsigned k)
{
    return x >> k | ~(~0ULL >> k);
}

/* Bit i: bytes i to i + 7 of the chunk are all letters, digits or bytes
 * that the first 8 bytes of some literal of 8 bytes or more hold, so such
 * a literal can start at i. Most word starts in logs are followed within 8
 * bytes by a space, quote, slash, tab or '=' that no literal holds, and
 * need no bitmap probe. */
static inline uint64_t long_heads_of(const tr_ioc_prefilter *pf, const ioc_pf_masks *m)
{
    unsigned h = pf->head;
    if (h & IOC_PF_HEAD_ANY)
        return ~0ULL;
    uint64_t good = m->word | (h & IOC_PF_HEAD_DOT ? m->dot : 0) |
                    (h & IOC_PF_HEAD_COLON ? m->colon : 0) | (h & IOC_PF_HEAD_JOIN ? m->join : 0);
    uint64_t g2 = good & shr_unknown(good, 1);
    uint64_t g4 = g2 & shr_unknown(g2, 2);
    return g4 & shr_unknown(g4, 4);
}

/* Bit i: a literal of a length l under 8 that the index has can start at
 * byte i of the chunk, by what byte i + l - 1 would be: the end of a word
 * (probe_short requires a literal ending in a letter or digit to end where
 * a word does), or a ':', '.' or other byte that such a literal ends with
 * (IPv6 groups "db8:", networks "10.1."). Word starts inside words, or not
 * followed by the right byte, are ruled out with a few shifts instead of a
 * bitmap probe each. Bytes past the chunk are unknown: taken as possible. */
static inline uint64_t short_ends_of(const tr_ioc_prefilter *pf, const ioc_pf_masks *m)
{
    uint64_t word_end = m->word & ~(m->word >> 1);
    uint64_t other = ~m->word & ~m->colon & ~m->dot;
    uint64_t ok = 0;
    for (unsigned lens = pf->short_lens; lens; lens &= lens - 1) {
        unsigned l = (unsigned)__builtin_ctz(lens);
        unsigned c = pf->short_end[l];
        uint64_t last = (c & IOC_PF_END_WORD ? word_end : 0) | (c & IOC_PF_END_COLON ? m->colon : 0) |
                        (c & IOC_PF_END_DOT ? m->dot : 0) | (c & IOC_PF_END_OTHER ? other : 0);
        ok |= shr_unknown(last, l - 1);
    }
    return ok;
}

/* Can a literal shorter than 8 bytes start with the folded bytes w? */
static inline bool short_gate(const tr_ioc_prefilter *pf, uint64_t w)
{
    return ioc_pf_test(pf->short_bits, ioc_pf_short_bit(pf, w, 4)) ||
           (pf->short3 && ioc_pf_test(pf->short_bits, ioc_pf_short_bit(pf, w, 3)));
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
    return pf->short_lens && short_gate(pf, w) && probe_short(pf, u, s, n, w);
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

/* The bytes of a chunk where rare_at can find an IPv4 always pattern: a
 * colon after four f's ("ffff:"), and the first zero of a run of digits
 * that a digit follows, with a dot just before the run or 2 or 3 bytes on
 * (a padded octet, "010" or "01", has a dot on one side). Bytes past the
 * chunk are unknown and taken as possible. carry_*: bit 0 is the last
 * byte of the previous chunk; prev_f: its whole f mask. */
static inline uint64_t v4_candidates(const ioc_pf_masks *m, uint64_t carry_digit,
                                     uint64_t carry_dot, uint64_t prev_f)
{
    uint64_t ffff = (m->f << 1 | prev_f >> 63) & (m->f << 2 | prev_f >> 62) &
                    (m->f << 3 | prev_f >> 61) & (m->f << 4 | prev_f >> 60);
    uint64_t run_zero = m->zero & ~(m->digit << 1 | carry_digit) & (m->digit >> 1 | 1ULL << 63);
    uint64_t dot_near = (m->dot << 1 | carry_dot) | m->dot >> 2 | m->dot >> 3 | 7ULL << 61;
    return (m->colon & ffff) | (run_zero & dot_near);
}

#define NO_HIT SIZE_MAX

#define PF_FIRST_HIT first_hit_base
#define PF_MASKS64 ioc_pf_masks64_base
#define PF_TARGET
#include "ioc/pf_first_hit.h"

#if IOC_PF_HAVE_AVX512
#define PF_FIRST_HIT first_hit_avx512
#define PF_MASKS64 ioc_pf_masks64_avx512
#define PF_TARGET IOC_PF_AVX512_TARGET
#include "ioc/pf_first_hit.h"
#endif

ioc_pf_isa ioc_pf_best_isa(void)
{
#if IOC_PF_HAVE_AVX512
    if (__builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("bmi") &&
        __builtin_cpu_supports("bmi2"))
        return IOC_PF_ISA_AVX512;
#endif
    return IOC_PF_ISA_BASE;
}

bool ioc_pf_isa_supported(ioc_pf_isa isa)
{
    return isa == IOC_PF_ISA_BASE || isa == ioc_pf_best_isa();
}

const char *ioc_pf_isa_name(ioc_pf_isa isa)
{
#if defined(__SSE2__)
    const char *base = "SSE2";
#else
    const char *base = "portable";
#endif
    return isa == IOC_PF_ISA_AVX512 ? "AVX-512BW" : base;
}

void ioc_pf_masks64(ioc_pf_isa isa, const unsigned char *q, ioc_pf_masks *m)
{
#if IOC_PF_HAVE_AVX512
    if (isa == IOC_PF_ISA_AVX512) {
        ioc_pf_masks64_avx512_call(q, m);
        return;
    }
#endif
    (void)isa;
    ioc_pf_masks64_base(q, m);
}

static size_t first_hit(const tr_ioc_prefilter *pf, const char *p, size_t n, const char *safe_end,
                        size_t o)
{
#if IOC_PF_HAVE_AVX512
    if (pf->isa == IOC_PF_ISA_AVX512)
        return first_hit_avx512(pf, p, n, safe_end, o);
#endif
    return first_hit_base(pf, p, n, safe_end, o);
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
