/*
 * json_scan.h - the scanning primitives of the JSON tokenizer (json.c),
 * shared with the JSON flattener (src/parse/json_flat.c), which walks
 * records with them directly instead of token by token.
 *
 * Each primitive validates exactly what RFC 8259 allows and returns the
 * index just past (or of the closing quote of) what it read, or SIZE_MAX
 * with the offending offset and a short static reason in *err. Nothing here
 * reads outside s[0..n).
 */
#ifndef TR_SRC_CORE_JSON_SCAN_H
#define TR_SRC_CORE_JSON_SCAN_H

#include "core/common.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

typedef struct tr_jscan_err {
    size_t at;       /* offset of the offending byte */
    const char *why; /* static reason */
} tr_jscan_err;

static inline size_t tr_jscan_fail(tr_jscan_err *err, size_t at, const char *why)
{
    err->at = at;
    err->why = why;
    return SIZE_MAX;
}

/* Index of the first byte at or after i that is not JSON whitespace (or n). */
static inline size_t tr_jscan_ws(const unsigned char *s, size_t i, size_t n)
{
    while (i < n) {
        unsigned char c = s[i];
        if (c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t'))
            break;
        i++;
    }
    return i;
}

/* 1 for the bytes a string body may hold without a closer look. */
static const uint8_t tr_jscan_plain[256] = {
#define R16(v) v, v, v, v, v, v, v, v, v, v, v, v, v, v, v, v
    R16(0), R16(0),                                             /* 0x00-0x1F: control */
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,             /* 0x20-0x2F: '"' */
    R16(1), R16(1),                                             /* 0x30-0x4F */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,             /* 0x50-0x5F: '\\' */
    R16(1), R16(1),                                             /* 0x60-0x7F */
    R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0), R16(0) /* non-ASCII */
#undef R16
};

/* Index of the first byte at or after i that is not plain (or n). */
static inline size_t tr_jscan_plain_run(const unsigned char *s, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (i + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        /* signed compare: bytes >= 0x80 are negative, so "< 0x20" also
         * catches every non-ASCII byte */
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                                 _mm_cmplt_epi8(v, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(m);
        if (mask)
            return i + (unsigned)__builtin_ctz(mask);
        i += 16;
    }
#endif
    /* SWAR: a byte is special when it is '"', '\\', < 0x20 or >= 0x80. The
     * lowest flagged byte is exact (borrows only run upwards), which is all
     * we need. */
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t q = w ^ (ones * '"'), b = w ^ (ones * '\\');
        uint64_t m = ((q - ones) & ~q) | ((b - ones) & ~b) | (w - ones * 0x20) | w;
        m &= highs;
        if (m) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + (size_t)(__builtin_ctzll(m) >> 3);
#else
            break;
#endif
        }
        i += 8;
    }
    while (i < n && tr_jscan_plain[s[i]])
        i++;
    return i;
}

/* Length of the valid UTF-8 sequence starting with a non-ASCII byte at s, or
 * 0: no overlong forms, no UTF-16 surrogates, nothing above U+10FFFF. */
static inline size_t tr_jscan_utf8(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

static inline int tr_jscan_hexval(unsigned c)
{
    if (c - '0' < 10)
        return (int)(c - '0');
    c |= 0x20;
    if (c - 'a' < 6)
        return (int)(c - 'a' + 10);
    return -1;
}

static inline bool tr_jscan_hex4(const unsigned char *s, size_t n, size_t i, unsigned *v)
{
    if (i + 4 > n)
        return false;
    unsigned x = 0;
    for (size_t k = 0; k < 4; k++) {
        int h = tr_jscan_hexval(s[i + k]);
        if (h < 0)
            return false;
        x = x << 4 | (unsigned)h;
    }
    *v = x;
    return true;
}

/* Validates the string whose opening quote is at s[q]. On success returns
 * the index of the closing quote and sets *escaped; on failure returns
 * SIZE_MAX and says where and why in *err. */
static inline __attribute__((always_inline)) size_t
tr_jscan_string(const unsigned char *s, size_t n, size_t q, bool *escaped, tr_jscan_err *err)
{
    size_t i = q + 1;
    bool esc = false;
    for (;;) {
#if defined(__SSE2__)
        /* The common case decided from the masks alone: the closing quote
         * comes before any byte that needs a look. */
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i bslash = _mm_set1_epi8('\\');
        const __m128i space = _mm_set1_epi8(0x20);
        while (TR_LIKELY(i + 16 <= n)) {
            __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            unsigned qm = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote));
            unsigned sm = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_cmpeq_epi8(v, bslash), _mm_cmplt_epi8(v, space)));
            if (!(qm | sm)) {
                i += 16;
                continue;
            }
            if (qm && (sm & ((qm & (0u - qm)) - 1)) == 0) {
                *escaped = esc;
                return i + (unsigned)__builtin_ctz(qm);
            }
            i += (unsigned)__builtin_ctz(sm);
            goto special;
        }
#endif
        i = tr_jscan_plain_run(s, i, n);
        if (TR_UNLIKELY(i >= n)) {
            return tr_jscan_fail(err, q, "unterminated string");
        }
        if (TR_LIKELY(s[i] == '"')) {
            *escaped = esc;
            return i;
        }
#if defined(__SSE2__)
    special:;
#endif
        unsigned c = s[i];
        if (c == '\\') {
            esc = true;
            if (i + 1 >= n) {
                return tr_jscan_fail(err, q, "unterminated string");
            }
            switch (s[i + 1]) {
            case '"':
            case '\\':
            case '/':
            case 'b':
            case 'f':
            case 'n':
            case 'r':
            case 't':
                i += 2;
                continue;
            case 'u': {
                unsigned cp;
                if (!tr_jscan_hex4(s, n, i + 2, &cp)) {
                    return tr_jscan_fail(err, i, "invalid \\u escape");
                }
                if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return tr_jscan_fail(err, i, "lone low surrogate");
                }
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    unsigned lo;
                    if (i + 7 >= n || s[i + 6] != '\\' || s[i + 7] != 'u' ||
                        !tr_jscan_hex4(s, n, i + 8, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
                        return tr_jscan_fail(err, i, "lone high surrogate");
                    }
                    i += 6;
                }
                i += 6;
                continue;
            }
            default:
                return tr_jscan_fail(err, i, "invalid escape");
            }
        }
        if (c < 0x20) {
            return tr_jscan_fail(err, i, "control character in string");
        }
        /* non-ASCII: validate this sequence and any that follow at once */
        do {
            size_t l = tr_jscan_utf8(s + i, n - i);
            if (!l) {
                return tr_jscan_fail(err, i, "invalid UTF-8");
            }
            i += l;
        } while (i < n && s[i] >= 0x80);
    }
}

static inline bool tr_jscan_digit(unsigned c)
{
    return c - '0' < 10;
}

/* Validates the number starting at s[i] ('-' or a digit); returns its end,
 * or SIZE_MAX with *err set. */
static inline size_t tr_jscan_number(const unsigned char *s, size_t n, size_t i, tr_jscan_err *err)
{
    if (s[i] == '-')
        i++;
    if (i >= n || !tr_jscan_digit(s[i])) {
        return tr_jscan_fail(err, i, "invalid number");
    }
    if (s[i] == '0') {
        i++;
        if (i < n && tr_jscan_digit(s[i])) {
            return tr_jscan_fail(err, i - 1, "leading zero in number");
        }
    } else {
        while (i < n && tr_jscan_digit(s[i]))
            i++;
    }
    if (i < n && s[i] == '.') {
        i++;
        if (i >= n || !tr_jscan_digit(s[i])) {
            return tr_jscan_fail(err, i, "digit expected after decimal point");
        }
        while (i < n && tr_jscan_digit(s[i]))
            i++;
    }
    if (i < n && (s[i] | 0x20) == 'e') {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n || !tr_jscan_digit(s[i])) {
            return tr_jscan_fail(err, i, "digit expected in exponent");
        }
        while (i < n && tr_jscan_digit(s[i]))
            i++;
    }
    return i;
}

#endif
