/*
 * value.c - the comparison semantics of Sigma values (see value.h).
 *
 * Everything that decides whether an event value matches a rule value is
 * here, so that the fast path (literal prefilter) and the slow path (direct
 * evaluation) share one definition. Case folding is ASCII only: non-ASCII
 * letters compare byte for byte (docs/SIGMA.md).
 */
#include "core/common.h"

#include <math.h>

#include "core/hash.h"
#include "core/time.h"
#include "match/ip.h"
#include "sigma/value.h"

const char *sg_memmem_nocase(const char *h, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0)
        return h;
    if (nn > hn)
        return NULL;
    unsigned char c0 = (unsigned char)needle[0];
    unsigned char c1 = (c0 >= 'a' && c0 <= 'z') ? (unsigned char)(c0 - 32) : c0;
    const char *end = h + (hn - nn);
    for (const char *p = h; p <= end;) {
        /* Jump to the next candidate first byte in either case. */
        const char *a = memchr(p, c0, (size_t)(end - p) + 1);
        const char *b = c1 != c0 ? memchr(p, c1, (size_t)(a ? a - p : end - p + 1)) : NULL;
        const char *q = b ? b : a;
        if (!q)
            return NULL;
        if (tr_mem_eq_nocase(q + 1, needle + 1, nn - 1))
            return q;
        p = q + 1;
    }
    return NULL;
}

/* Bytes that fill paths and command lines: a poor byte to look for. */
static bool common_byte(unsigned char c)
{
    return c == ' ' || c == '\\' || c == '/' || c == '-' || c == '.' || c == ':' || c == '"' ||
           c == 'e' || c == 'a' || c == 's' || c == 'i' || c == 'o' || c == 't' || c == 'r' ||
           c == 'n';
}

const char *sg_memmem(const char *h, size_t hn, const char *needle, size_t nn)
{
    if (nn == 0)
        return h;
    if (nn > hn)
        return NULL;
    if (nn == 1)
        return memchr(h, needle[0], hn);
    /* Look for the needle's least common byte (k), then compare. */
    size_t k = 0;
    while (k + 1 < nn && common_byte((unsigned char)needle[k]))
        k++;
    const char *first = h + k, *last = h + (hn - nn) + k; /* where needle[k] may be */
    char c = needle[k];
    for (const char *p = first; p <= last;) {
        const char *q = memchr(p, c, (size_t)(last - p) + 1);
        if (!q)
            return NULL;
        if (memcmp(q - k, needle, nn) == 0)
            return q - k;
        p = q + 1;
    }
    return NULL;
}

static inline bool in_set(const uint8_t *set, unsigned char c)
{
    return set[c >> 3] >> (c & 7) & 1;
}

bool sg_has_run(const uint8_t *set, uint32_t m, tr_str s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    size_t n = s.n;
    /* Positions m apart: every run of m bytes covers one of them. */
    for (size_t i = m - 1; i < n;) {
        if (!in_set(set, p[i])) {
            i += m;
            continue;
        }
        size_t a = i, b = i;
        while (a > 0 && in_set(set, p[a - 1]) && b - a + 1 < m)
            a--;
        while (b + 1 < n && in_set(set, p[b + 1]) && b - a + 1 < m)
            b++;
        if (b - a + 1 >= m)
            return true;
        i = b + 1 + m; /* p[b + 1] is not in the set (or the end) */
    }
    return false;
}

bool sg_has_pair(const uint8_t *set, int first, tr_str s)
{
    const unsigned char *p = (const unsigned char *)s.p;
    if (s.n < 2)
        return false;
    size_t last = s.n - 2; /* the last position of a first byte */
    if (first >= 0) {
        for (const unsigned char *q = memchr(p, first, last + 1); q;
             q = (size_t)(q - p) < last ? memchr(q + 1, first, last - (size_t)(q - p)) : NULL)
            if (in_set(set + 32, q[1]))
                return true;
        return false;
    }
    for (size_t i = 0; i <= last; i++)
        if (in_set(set, p[i]) && in_set(set + 32, p[i + 1]))
            return true;
    return false;
}

size_t sg_dash_at(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == '-' || s[0] == '/')
        return 1;
    if (n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x80) {
        unsigned char c = (unsigned char)s[2];
        if (c == 0x93 || c == 0x94 || c == 0x95)
            return 3;
    }
    return 0;
}

/* Byte length of the character at s (one byte for invalid UTF-8). */
static size_t utf8_len(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    size_t want = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    if (want > n)
        return 1;
    for (size_t i = 1; i < want; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            return 1;
    return want;
}

/* Length matched by one non-star token at s, or (size_t)-1. */
static size_t tok_match(const sg_gtok *t, bool cased, const char *s, size_t n)
{
    switch (t->kind) {
    case SG_G_LIT:
        if (t->lit.n > n)
            return (size_t)-1;
        if (cased ? memcmp(s, t->lit.p, t->lit.n) == 0 : tr_mem_eq_nocase(s, t->lit.p, t->lit.n))
            return t->lit.n;
        return (size_t)-1;
    case SG_G_ONE:
        return n ? utf8_len(s, n) : (size_t)-1;
    case SG_G_DASH: {
        size_t d = sg_dash_at(s, n);
        return d ? d : (size_t)-1;
    }
    default:
        return (size_t)-1;
    }
}

static const char *find_lit(const sg_gtok *t, bool cased, const char *s, size_t n)
{
    if (cased)
        return t->lit.n ? sg_memmem(s, n, t->lit.p, t->lit.n) : s;
    return sg_memmem_nocase(s, n, t->lit.p, t->lit.n);
}

/* Classic wildcard matching with backtracking to the last star. Each token
 * other than a star matches a length determined by its position (the dash
 * characters are not prefixes of each other), so greedy leftmost matching
 * of each star-free segment is exact. After a star the next literal is
 * searched for rather than tried at every byte; when it does not occur
 * any more, no extension of any star can help. */
bool sg_glob_match(const sg_gtok *toks, uint32_t ntoks, bool cased, tr_str str)
{
    const char *s = str.p ? str.p : "";
    size_t n = str.n, si = 0;
    uint32_t ti = 0;
    uint32_t star_ti = UINT32_MAX;
    size_t star_si = 0;
    while (si < n || ti < ntoks) {
        if (ti < ntoks) {
            const sg_gtok *t = &toks[ti];
            if (t->kind == SG_G_STAR) {
                star_ti = ti++;
                if (ti == ntoks)
                    return true; /* a trailing star takes the rest */
                if (toks[ti].kind == SG_G_LIT) {
                    const char *q = find_lit(&toks[ti], cased, s + si, n - si);
                    if (!q)
                        return false;
                    si = (size_t)(q - s);
                }
                star_si = si;
                continue;
            }
            size_t m = tok_match(t, cased, s + si, n - si);
            if (m != (size_t)-1) {
                si += m;
                ti++;
                continue;
            }
        }
        if (star_ti != UINT32_MAX && star_si < n) {
            star_si++;
            ti = star_ti + 1;
            if (toks[ti].kind == SG_G_LIT) {
                const char *q = find_lit(&toks[ti], cased, s + star_si, n - star_si);
                if (!q)
                    return false;
                star_si = (size_t)(q - s);
            }
            si = star_si;
            continue;
        }
        return false;
    }
    return true;
}

bool sg_parse_number(tr_str s, double *out)
{
    if (s.n == 0 || s.n > 64)
        return false;
    char buf[72];
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    const char *p = buf;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        if (!p[2])
            return false;
        uint64_t v = 0;
        for (const char *q = p + 2; *q; q++) {
            unsigned c = (unsigned char)*q, d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if ((c | 32) >= 'a' && (c | 32) <= 'f')
                d = (c | 32) - 'a' + 10;
            else
                return false;
            if (v >> 60)
                return false;
            v = v * 16 + d;
        }
        *out = neg ? -(double)v : (double)v;
        return true;
    }
    /* Decimal: digits, optional fraction, optional exponent; nothing else. */
    const char *q = p;
    size_t digits = 0;
    while (*q >= '0' && *q <= '9')
        q++, digits++;
    if (*q == '.') {
        q++;
        while (*q >= '0' && *q <= '9')
            q++, digits++;
    }
    if (!digits)
        return false;
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '-' || *q == '+')
            q++;
        if (!(*q >= '0' && *q <= '9'))
            return false;
        while (*q >= '0' && *q <= '9')
            q++;
    }
    if (*q)
        return false;
    char *end;
    double v = strtod(p, &end);
    if (*end || isnan(v))
        return false;
    *out = neg ? -v : v;
    return true;
}

static bool cmp_num(double a, uint8_t cmp, double b)
{
    switch (cmp) {
    case SG_CMP_LT:
        return a < b;
    case SG_CMP_LTE:
        return a <= b;
    case SG_CMP_GT:
        return a > b;
    case SG_CMP_GTE:
        return a >= b;
    default:
        return a == b;
    }
}

static int digits_at(const char *s, size_t n, size_t i, size_t k)
{
    if (i + k > n)
        return -1;
    int v = 0;
    for (size_t j = 0; j < k; j++) {
        char c = s[i + j];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

/* ISO 8601 week number (1..53) of a civil date. */
static int iso_week(int y, int m, int d)
{
    int64_t days = tr_days_from_civil(y, (unsigned)m, (unsigned)d);
    int wday = (int)(((days % 7) + 10) % 7); /* 0 = Monday (1970-01-01 was a Thursday) */
    int64_t jan1 = tr_days_from_civil(y, 1, 1);
    int yday = (int)(days - jan1);
    int wk = (yday - wday + 10) / 7;
    if (wk < 1) {
        /* Last week of the previous year. */
        int py = y - 1;
        int64_t pdays = tr_days_from_civil(py, 12, 31);
        int pw = (int)(((pdays % 7) + 10) % 7);
        int pyday = (int)(pdays - tr_days_from_civil(py, 1, 1));
        return (pyday - pw + 10) / 7;
    }
    if (wk == 53) {
        /* Week 53 exists only if Dec 31 is a Thursday or later in the week. */
        int64_t dec31 = tr_days_from_civil(y, 12, 31);
        int w31 = (int)(((dec31 % 7) + 10) % 7);
        if (w31 < 3)
            return 1;
    }
    return wk;
}

bool sg_time_part(tr_str s, sg_tpart part, int64_t *out)
{
    /* "YYYY-MM-DD[T ]hh:mm…" as written: the modifiers do not convert
     * time zones (modifiers appendix), so the parts are read from the text. */
    const char *p = s.p;
    size_t n = s.n;
    int y = digits_at(p, n, 0, 4), mo = -1, d = -1, h = -1, mi = -1;
    if (y >= 0 && n >= 10 && p[4] == '-' && p[7] == '-') {
        mo = digits_at(p, n, 5, 2);
        d = digits_at(p, n, 8, 2);
        if (mo < 1 || mo > 12 || d < 1 || d > 31)
            return false;
        if (n >= 16 && (p[10] == 'T' || p[10] == ' ' || p[10] == 't') && p[13] == ':') {
            h = digits_at(p, n, 11, 2);
            mi = digits_at(p, n, 14, 2);
            if (h < 0 || h > 23 || mi < 0 || mi > 59)
                return false;
        } else if (n != 10) {
            return false;
        }
    } else {
        /* Epoch seconds/milliseconds and the other formats trawl knows: UTC. */
        int64_t ns;
        if (tr_time_parse_any(p, n, &ns) != TR_OK)
            return false;
        tr_tm tm;
        tr_time_split(ns, &tm);
        y = tm.year, mo = tm.month, d = tm.day, h = tm.hour, mi = tm.minute;
    }
    switch (part) {
    case SG_T_MINUTE:
        if (mi < 0)
            return false;
        *out = mi;
        return true;
    case SG_T_HOUR:
        if (h < 0)
            return false;
        *out = h;
        return true;
    case SG_T_DAY:
        *out = d;
        return true;
    case SG_T_WEEK:
        *out = iso_week(y, mo, d);
        return true;
    case SG_T_MONTH:
        *out = mo;
        return true;
    case SG_T_YEAR:
        *out = y;
        return true;
    }
    return false;
}

bool sg_parse_ip(tr_str s, uint8_t *af, uint8_t addr[16])
{
    /* "[v6]" as in URLs and some logs; zone ids are stripped by tr_ip_parse. */
    if (s.n >= 2 && s.p[0] == '[' && s.p[s.n - 1] == ']')
        s = (tr_str){ s.p + 1, s.n - 2 };
    tr_ip ip;
    if (tr_ip_parse(s, TR_IP_ZONE, &ip) != TR_OK)
        return false;
    *af = ip.family;
    memcpy(addr, ip.b, 16);
    return true;
}

bool sg_parse_cidr(tr_str s, uint8_t *af, uint8_t addr[16], uint8_t *bits)
{
    tr_ip ip;
    if (tr_cidr_parse(s, 0, &ip, bits) != TR_OK)
        return false;
    *af = ip.family;
    memcpy(addr, ip.b, 16);
    return true;
}

static bool cidr_match(const sg_value *v, tr_str s)
{
    tr_ip addr, net;
    if (!sg_parse_ip(s, &addr.family, addr.b) || addr.family != v->af)
        return false;
    net.family = v->af;
    memcpy(net.b, v->addr, 16);
    return tr_ip_prefix_match(&net, v->bits, &addr);
}

static bool lit_eq(tr_str s, tr_str lit, bool cased)
{
    return s.n == lit.n && (cased ? memcmp(s.p, lit.p, s.n) == 0
                                  : tr_mem_eq_nocase(s.p, lit.p, s.n));
}

static bool lit_contains(tr_str s, tr_str lit, bool cased)
{
    if (cased)
        return lit.n == 0 || sg_memmem(s.p, s.n, lit.p, lit.n) != NULL;
    return sg_memmem_nocase(s.p, s.n, lit.p, lit.n) != NULL;
}

void sg_lower(char *out, tr_str s)
{
    size_t i = 0;
    for (; i + 8 <= s.n; i += 8) {
        uint64_t w;
        memcpy(&w, s.p + i, 8);
        w = tr_ascii_lower8(w);
        memcpy(out + i, &w, 8);
    }
    for (; i < s.n; i++)
        out[i] = (char)tr_ascii_lower((unsigned char)s.p[i]);
}

bool sg_value_match(const sg_value *v, tr_str s, tr_str low, sg_re_fn re, void *re_ctx)
{
    bool cased = v->flags & (SG_V_CASED | SG_V_NOFOLD);
    /* Caseless literals are stored lowercase: against the lowercased value
     * a caseless test is a byte test. */
    if (!cased && low.p && v->op <= SG_OP_GLOB) {
        s = low;
        cased = true;
    }
    switch (v->op) {
    case SG_OP_EQ:
        if (lit_eq(s, v->lit, cased))
            return true;
        if (v->flags & SG_V_NUMBER) {
            double d;
            return sg_parse_number(s, &d) && d == v->num;
        }
        return false;
    case SG_OP_PREFIX:
        return s.n >= v->lit.n && lit_eq((tr_str){ s.p, v->lit.n }, v->lit, cased);
    case SG_OP_SUFFIX:
        return s.n >= v->lit.n && lit_eq((tr_str){ s.p + s.n - v->lit.n, v->lit.n }, v->lit, cased);
    case SG_OP_CONTAINS:
        return lit_contains(s, v->lit, cased);
    case SG_OP_ANY:
        return true;
    case SG_OP_GLOB:
        return sg_glob_match(v->toks, v->ntoks, cased, s);
    case SG_OP_RE:
        return re && re(re_ctx, v->re, v->flags, s) == 1;
    case SG_OP_CIDR:
        return cidr_match(v, s);
    case SG_OP_NUM: {
        double d;
        return sg_parse_number(s, &d) && cmp_num(d, v->cmp, v->num);
    }
    case SG_OP_TIME: {
        int64_t part;
        return sg_time_part(s, (sg_tpart)v->part, &part) && cmp_num((double)part, v->cmp, v->num);
    }
    default:
        return false;
    }
}

bool sg_ref_match(const sg_value *v, tr_str s, tr_str r)
{
    bool cased = v->flags & SG_V_CASED;
    switch (v->part) {
    case SG_OP_PREFIX:
        return s.n >= r.n && lit_eq((tr_str){ s.p, r.n }, r, cased);
    case SG_OP_SUFFIX:
        return s.n >= r.n && lit_eq((tr_str){ s.p + s.n - r.n, r.n }, r, cased);
    case SG_OP_CONTAINS:
        if (cased)
            return lit_contains(s, r, true);
        /* r is an event value, not lowercased: fold both sides. */
        if (r.n == 0)
            return true;
        for (size_t i = 0; i + r.n <= s.n; i++)
            if (tr_mem_eq_nocase(s.p + i, r.p, r.n))
                return true;
        return false;
    default:
        return lit_eq(s, r, cased);
    }
}
