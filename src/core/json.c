/*
 * json.c - the zero-copy JSON pull tokenizer (see json.h).
 *
 * Why our own: every event of most inputs is a JSON document, and the
 * tree-building libraries spend their time allocating nodes and copying
 * strings we would only look at once. Here a document is validated while it
 * is read and every token is a slice of the input.
 *
 * Where the time goes: string bodies are most of the bytes of log JSON. They
 * are scanned 16 bytes at a time (SSE2, or 8 with SWAR elsewhere) for the
 * only bytes that need a closer look: '"', '\\', control characters and
 * non-ASCII bytes. Only those are handled one by one: escapes are checked,
 * control characters rejected, and UTF-8 sequences validated (so ASCII text
 * never pays for UTF-8 validation). Those scanners live in json_scan.h,
 * shared with the event flattener, which drives them with its own loop;
 * this file adds the grammar as a state machine, one token per call.
 */
#include "core/common.h"

#include <locale.h>
#include <pthread.h>

#include "core/json.h"
#include "core/json_scan.h"
#include "core/jsonstr.h"
#include "trawl/arena.h"

enum {
    S_VALUE,          /* a value must come (start, after ':' or after ',' in an array) */
    S_VALUE_OR_CLOSE, /* just after '[' */
    S_KEY,            /* after ',' in an object */
    S_KEY_OR_CLOSE,   /* just after '{' */
    S_AFTER,          /* a value was read: ',' or a closing bracket, or the end */
    S_END,            /* TR_JSON_END was returned */
    S_ERROR           /* TR_JSON_ERROR was returned (sticky) */
};

void tr_json_init(tr_json *j, const char *p, size_t n, uint32_t max_depth)
{
    j->p = p;
    j->n = n;
    j->pos = 0;
    j->depth = 0;
    if (max_depth == 0)
        max_depth = TR_JSON_DEPTH_DEFAULT;
    j->max_depth = max_depth > TR_JSON_DEPTH_CAP ? TR_JSON_DEPTH_CAP : max_depth;
    j->state = S_VALUE;
    j->err_off = 0;
    j->errmsg[0] = '\0';
}

__attribute__((cold, noinline, format(printf, 4, 5))) static tr_json_type
fail(tr_json *j, tr_json_tok *t, size_t off, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->errmsg, sizeof(j->errmsg), fmt, ap);
    va_end(ap);
    if (!j->errmsg[0])
        memcpy(j->errmsg, "error", 6);
    j->err_off = off;
    j->state = S_ERROR;
    j->pos = off;
    t->type = TR_JSON_ERROR;
    t->escaped = false;
    t->text = (tr_str){ j->p ? j->p + (off < j->n ? off : j->n) : NULL, 0 };
    t->off = off;
    return TR_JSON_ERROR;
}

static inline bool in_object(const tr_json *j)
{
    uint32_t d = j->depth - 1;
    return (j->kind[d >> 6] >> (d & 63)) & 1;
}

static inline tr_json_type emit(tr_json *j, tr_json_tok *t, tr_json_type type, size_t start,
                                size_t len, size_t next)
{
    t->type = type;
#if defined(__SSE2__)
    /* One 16-byte store: callers copy t->text as a whole right away, and a
     * 16-byte load from two 8-byte stores cannot be store-forwarded (a stall
     * of a dozen cycles per token). */
    _mm_storeu_si128((__m128i *)(void *)&t->text,
                     _mm_set_epi64x((long long)len, (long long)(intptr_t)(j->p + start)));
#else
    t->text = (tr_str){ j->p + start, len };
#endif
    t->off = start;
    j->pos = next;
    return type;
}

static tr_json_type literal(tr_json *j, tr_json_tok *t, size_t i, const char *word, size_t len,
                            tr_json_type type)
{
    if (j->n - i < len || memcmp(j->p + i, word, len) != 0)
        return fail(j, t, i, "invalid literal");
    j->state = S_AFTER;
    return emit(j, t, type, i, len, i + len);
}

static tr_json_type open_container(tr_json *j, tr_json_tok *t, size_t i, bool object)
{
    if (TR_UNLIKELY(j->depth >= j->max_depth))
        return fail(j, t, i, "nesting deeper than %u", (unsigned)j->max_depth);
    uint32_t d = j->depth++;
    uint64_t bit = 1ull << (d & 63);
    if (object) {
        j->kind[d >> 6] |= bit;
        j->state = S_KEY_OR_CLOSE;
    } else {
        j->kind[d >> 6] &= ~bit;
        j->state = S_VALUE_OR_CLOSE;
    }
    return emit(j, t, object ? TR_JSON_OBJ_BEGIN : TR_JSON_ARR_BEGIN, i, 1, i + 1);
}

static inline tr_json_type close_container(tr_json *j, tr_json_tok *t, size_t i, bool object)
{
    j->depth--;
    j->state = S_AFTER;
    return emit(j, t, object ? TR_JSON_OBJ_END : TR_JSON_ARR_END, i, 1, i + 1);
}

static inline __attribute__((always_inline)) tr_json_type read_key(tr_json *j, tr_json_tok *t,
                                                                  size_t i)
{
    const unsigned char *s = (const unsigned char *)j->p;
    size_t n = j->n;
    if (TR_UNLIKELY(i >= n))
        return fail(j, t, i, "unterminated object");
    if (TR_UNLIKELY(s[i] != '"')) {
        if (s[i] == '}' && j->state == S_KEY)
            return fail(j, t, i, "trailing comma in object");
        return fail(j, t, i, "expected a string key");
    }
    bool esc;
    tr_jscan_err e = { 0, "error" };
    size_t end = tr_jscan_string(s, n, i, &esc, &e);
    if (TR_UNLIKELY(end == SIZE_MAX))
        return fail(j, t, e.at, "%s", e.why);
    size_t c = tr_jscan_ws(s, end + 1, n);
    if (TR_UNLIKELY(c >= n || s[c] != ':'))
        return fail(j, t, c, "expected ':' after key");
    t->escaped = esc;
    j->state = S_VALUE;
    return emit(j, t, TR_JSON_KEY, i + 1, end - i - 1, c + 1);
}

static inline __attribute__((always_inline)) tr_json_type read_value(tr_json *j,
                                                                    tr_json_tok *t, size_t i)
{
    const unsigned char *s = (const unsigned char *)j->p;
    size_t n = j->n;
    if (TR_UNLIKELY(i >= n)) {
        if (j->depth == 0)
            return fail(j, t, i, tr_jscan_ws(s, 0, n) == n ? "empty input" : "expected a value");
        return fail(j, t, i, in_object(j) ? "unterminated object" : "unterminated array");
    }
    switch (s[i]) {
    case '"': {
        bool esc;
        tr_jscan_err e = { 0, "error" };
        size_t end = tr_jscan_string(s, n, i, &esc, &e);
        if (TR_UNLIKELY(end == SIZE_MAX))
            return fail(j, t, e.at, "%s", e.why);
        t->escaped = esc;
        j->state = S_AFTER;
        return emit(j, t, TR_JSON_STRING, i + 1, end - i - 1, end + 1);
    }
    case '{':
        return open_container(j, t, i, true);
    case '[':
        return open_container(j, t, i, false);
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
        tr_jscan_err e = { 0, "error" };
        size_t end = tr_jscan_number(s, n, i, &e);
        if (TR_UNLIKELY(end == SIZE_MAX))
            return fail(j, t, e.at, "%s", e.why);
        j->state = S_AFTER;
        return emit(j, t, TR_JSON_NUMBER, i, end - i, end);
    }
    case 't':
        return literal(j, t, i, "true", 4, TR_JSON_TRUE);
    case 'f':
        return literal(j, t, i, "false", 5, TR_JSON_FALSE);
    case 'n':
        return literal(j, t, i, "null", 4, TR_JSON_NULL);
    case ']':
        if (j->state == S_VALUE && j->depth && !in_object(j))
            return fail(j, t, i, "trailing comma in array");
        return fail(j, t, i, "expected a value");
    default:
        return fail(j, t, i, "expected a value");
    }
}

tr_json_type tr_json_next(tr_json *j, tr_json_tok *t)
{
    const unsigned char *s = (const unsigned char *)j->p;
    size_t n = j->n;
    size_t i = tr_jscan_ws(s, j->pos, n);
    t->escaped = false;
    switch (j->state) {
    case S_AFTER:
        if (j->depth == 0) {
            if (i < n)
                return fail(j, t, i, "trailing characters after value");
            j->state = S_END;
            return emit(j, t, TR_JSON_END, i, 0, i);
        }
        if (TR_UNLIKELY(i >= n))
            return fail(j, t, i, in_object(j) ? "unterminated object" : "unterminated array");
        if (s[i] == ',') {
            i = tr_jscan_ws(s, i + 1, n);
            if (in_object(j)) {
                j->state = S_KEY;
                return read_key(j, t, i);
            }
            j->state = S_VALUE;
            return read_value(j, t, i);
        }
        if (in_object(j)) {
            if (s[i] == '}')
                return close_container(j, t, i, true);
            return fail(j, t, i, "expected ',' or '}' after member");
        }
        if (s[i] == ']')
            return close_container(j, t, i, false);
        return fail(j, t, i, "expected ',' or ']' after element");
    case S_KEY_OR_CLOSE:
        if (i < n && s[i] == '}')
            return close_container(j, t, i, true);
        return read_key(j, t, i);
    case S_KEY:
        return read_key(j, t, i);
    case S_VALUE_OR_CLOSE:
        if (i < n && s[i] == ']')
            return close_container(j, t, i, false);
        j->state = S_VALUE;
        return read_value(j, t, i);
    case S_VALUE:
        return read_value(j, t, i);
    case S_END:
        return emit(j, t, TR_JSON_END, j->pos, 0, j->pos);
    default:
        t->type = TR_JSON_ERROR;
        t->text = (tr_str){ j->p ? j->p + (j->err_off < n ? j->err_off : n) : NULL, 0 };
        t->off = j->err_off;
        return TR_JSON_ERROR;
    }
}

tr_err tr_json_skip(tr_json *j, const tr_json_tok *t)
{
    tr_json_tok v;
    tr_json_type type = t->type;
    if (type == TR_JSON_KEY)
        type = tr_json_next(j, &v);
    if (type == TR_JSON_ERROR)
        return TR_EPARSE;
    if (type != TR_JSON_OBJ_BEGIN && type != TR_JSON_ARR_BEGIN)
        return TR_OK;
    /* The container opened at depth d closes when depth falls back to d - 1. */
    uint32_t outer = j->depth - 1;
    while (j->depth > outer)
        if (tr_json_next(j, &v) == TR_JSON_ERROR)
            return TR_EPARSE;
    return TR_OK;
}

bool tr_json_member(tr_json *j, tr_json_tok *key)
{
    return tr_json_next(j, key) == TR_JSON_KEY;
}

bool tr_json_element(tr_json *j, tr_json_tok *first)
{
    tr_json_type type = tr_json_next(j, first);
    return type != TR_JSON_ARR_END && type != TR_JSON_ERROR && type != TR_JSON_END;
}

tr_err tr_json_str(const tr_json_tok *t, char *buf, size_t cap, tr_str *out)
{
    if (cap < t->text.n)
        return TR_ELIMIT;
    size_t n = t->text.n;
    if ((t->type == TR_JSON_STRING || t->type == TR_JSON_KEY) && t->escaped) {
        tr_err err = tr_json_unescape(t->text.p, t->text.n, buf, &n);
        if (err)
            return err;
    } else if (n) {
        memcpy(buf, t->text.p, n);
    }
    *out = (tr_str){ buf, n };
    return TR_OK;
}

tr_err tr_json_str_arena(const tr_json_tok *t, tr_arena *a, tr_str *out)
{
    if (!t->escaped || (t->type != TR_JSON_STRING && t->type != TR_JSON_KEY)) {
        *out = t->text;
        return TR_OK;
    }
    char *d = tr_arena_alloc(a, t->text.n + 1);
    if (!d)
        return TR_ENOMEM;
    size_t n;
    tr_err err = tr_json_unescape(t->text.p, t->text.n, d, &n);
    if (err)
        return err;
    d[n] = '\0';
    *out = (tr_str){ d, n };
    return TR_OK;
}

bool tr_json_str_is(const tr_json_tok *t, const char *s)
{
    size_t sn = strlen(s);
    if (!t->escaped)
        return t->text.n == sn && memcmp(t->text.p, s, sn) == 0;
    /* An escape yields at least one byte per six raw bytes (or 4 per 12);
     * a longer body cannot decode to s. Shorter ones decode in chunks. */
    if (t->text.n > 6 * sn)
        return false;
    char buf[512];
    if (t->text.n <= sizeof(buf)) {
        size_t n;
        if (tr_json_unescape(t->text.p, t->text.n, buf, &n) != TR_OK)
            return false;
        return n == sn && memcmp(buf, s, n) == 0;
    }
    /* A long key with escapes: decode piecewise at escape boundaries. */
    const char *p = t->text.p, *end = t->text.p + t->text.n;
    size_t matched = 0;
    while (p < end) {
        const char *stop = p;
        size_t len = 0;
        /* take up to ~500 raw bytes, never splitting an escape */
        while (stop < end && len < sizeof(buf) - 12) {
            size_t step = 1;
            if (*stop == '\\' && end - stop >= 2) {
                step = stop[1] == 'u' ? 6 : 2;
                if (stop[1] == 'u' && end - stop >= 12 && stop[6] == '\\' && stop[7] == 'u') {
                    unsigned hi = 0;
                    if (tr_jscan_hex4((const unsigned char *)stop, (size_t)(end - stop), 2, &hi) &&
                        hi >= 0xD800 && hi <= 0xDBFF)
                        step = 12;
                }
            }
            stop += step;
            len += step;
        }
        if (stop > end)
            return false;
        size_t n;
        if (tr_json_unescape(p, (size_t)(stop - p), buf, &n) != TR_OK)
            return false;
        if (matched + n > sn || memcmp(buf, s + matched, n) != 0)
            return false;
        matched += n;
        p = stop;
    }
    return matched == sn;
}

tr_err tr_json_int(const tr_json_tok *t, int64_t *v)
{
    if (t->type != TR_JSON_NUMBER || t->text.n == 0)
        return TR_EINVAL;
    const char *p = t->text.p, *end = p + t->text.n;
    bool neg = *p == '-';
    if (neg)
        p++;
    uint64_t x = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; p < end; p++) {
        unsigned d = (unsigned)(unsigned char)*p - '0';
        if (d > 9)
            return TR_EINVAL;
        if (x > (limit - d) / 10)
            return TR_ELIMIT;
        x = x * 10 + d;
    }
    *v = neg ? (int64_t)(0 - x) : (int64_t)x;
    return TR_OK;
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

tr_err tr_json_double(const tr_json_tok *t, double *v)
{
    if (t->type != TR_JSON_NUMBER || t->text.n == 0)
        return TR_EINVAL;
    char buf[128];
    if (t->text.n >= sizeof(buf))
        return TR_ELIMIT;
    memcpy(buf, t->text.p, t->text.n);
    buf[t->text.n] = '\0';
    pthread_once(&c_locale_once, make_c_locale);
    char *end;
    /* JSON numbers always use '.', whatever the process locale says */
    *v = c_locale ? strtod_l(buf, &end, c_locale) : strtod(buf, &end);
    return *end == '\0' ? TR_OK : TR_EINVAL;
}

tr_err tr_json_validate(const char *p, size_t n, uint32_t max_depth, tr_json *errj)
{
    tr_json local;
    tr_json *j = errj ? errj : &local;
    tr_json_init(j, p, n, max_depth);
    tr_json_tok t;
    tr_json_type type;
    while ((type = tr_json_next(j, &t)) > TR_JSON_END)
        ;
    return type == TR_JSON_END ? TR_OK : TR_EPARSE;
}
