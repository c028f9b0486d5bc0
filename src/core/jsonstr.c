/*
 * jsonstr.c - JSON string escaping/unescaping and the streaming writer.
 */
#include "core/common.h"

#include "core/jsonstr.h"
#include "core/time.h"

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

static bool hex4(const char *p, size_t n, size_t i, unsigned *v)
{
    if (i + 4 > n)
        return false;
    unsigned x = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval((unsigned char)p[i + (size_t)k]);
        if (h < 0)
            return false;
        x = x << 4 | (unsigned)h;
    }
    *v = x;
    return true;
}

static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

tr_err tr_json_unescape(const char *p, size_t n, char *out, size_t *outn)
{
    size_t i = 0, o = 0;
    while (i < n) {
        const char *bs = memchr(p + i, '\\', n - i);
        size_t run = bs ? (size_t)(bs - (p + i)) : n - i;
        memmove(out + o, p + i, run);
        o += run;
        i += run;
        if (i >= n)
            break;
        if (i + 1 >= n)
            return TR_EPARSE;
        char c = p[i + 1];
        i += 2;
        switch (c) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            unsigned cp;
            if (!hex4(p, n, i, &cp))
                return TR_EPARSE;
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (i + 6 > n || p[i] != '\\' || p[i + 1] != 'u' || !hex4(p, n, i + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return TR_EPARSE;
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return TR_EPARSE;
            }
            /* "\uXXXX" is 6 bytes and yields at most 3; a pair is 12 and yields 4. */
            o += put_utf8(out + o, cp);
            break;
        }
        default:
            return TR_EPARSE;
        }
    }
    *outn = o;
    return TR_OK;
}

/* Length of a valid UTF-8 sequence at s[0..n), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (n < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && s[1] < 0xA0)
            return 0;
        if (c == 0xED && s[1] > 0x9F)
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (n < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && s[1] < 0x90)
            return 0;
        if (c == 0xF4 && s[1] > 0x8F)
            return 0;
        return 4;
    }
    return 0;
}

tr_err tr_json_put_str(tr_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    tr_err err = tr_buf_reserve(b, n + 2);
    if (err)
        return err;
    b->p[b->n++] = '"';
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && u[i] >= 0x20 && u[i] < 0x80 && u[i] != '"' && u[i] != '\\')
            i++;
        if (i > start && (err = tr_buf_append(b, s + start, i - start)))
            return err;
        if (i >= n)
            break;
        unsigned char c = u[i];
        char esc[8];
        size_t k = 0;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            k = 2;
            i++;
        } else if (c < 0x20) {
            esc[0] = '\\';
            switch (c) {
            case '\n': esc[1] = 'n'; k = 2; break;
            case '\r': esc[1] = 'r'; k = 2; break;
            case '\t': esc[1] = 't'; k = 2; break;
            case '\b': esc[1] = 'b'; k = 2; break;
            case '\f': esc[1] = 'f'; k = 2; break;
            default:
                memcpy(esc, "\\u00", 4);
                esc[4] = hex[c >> 4];
                esc[5] = hex[c & 15];
                k = 6;
            }
            i++;
        } else {
            size_t l = utf8_len(u + i, n - i);
            if (l) {
                memcpy(esc, s + i, l);
                k = l;
                i += l;
            } else {
                memcpy(esc, "\xEF\xBF\xBD", 3); /* U+FFFD */
                k = 3;
                i++;
            }
        }
        if ((err = tr_buf_append(b, esc, k)))
            return err;
    }
    return tr_buf_putc(b, '"');
}

void tr_jw_init(tr_jw *w, tr_buf *b)
{
    memset(w, 0, sizeof(*w));
    w->b = b;
    w->first[0] = true;
}

static void sep(tr_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth] && !w->err)
        w->err = tr_buf_putc(w->b, ',');
    w->first[w->depth] = false;
}

static void put(tr_jw *w, const char *s, size_t n)
{
    if (!w->err)
        w->err = tr_buf_append(w->b, s, n);
}

static void open_c(tr_jw *w, char c)
{
    sep(w);
    put(w, &c, 1);
    if (w->depth + 1 >= TR_JW_DEPTH) {
        w->err = TR_ELIMIT;
        return;
    }
    w->first[++w->depth] = true;
    w->closer[w->depth] = c == '{' ? '}' : ']';
}

void tr_jw_obj(tr_jw *w)
{
    open_c(w, '{');
}

void tr_jw_arr(tr_jw *w)
{
    open_c(w, '[');
}

void tr_jw_end(tr_jw *w)
{
    if (w->depth == 0) {
        w->err = TR_EINVAL;
        return;
    }
    put(w, &w->closer[w->depth], 1);
    w->depth--;
}

void tr_jw_keyn(tr_jw *w, const char *k, size_t n)
{
    sep(w);
    if (!w->err)
        w->err = tr_json_put_str(w->b, k, n);
    put(w, ":", 1);
    w->after_key = true;
}

void tr_jw_key(tr_jw *w, const char *k)
{
    tr_jw_keyn(w, k, strlen(k));
}

void tr_jw_strn(tr_jw *w, const char *s, size_t n)
{
    sep(w);
    if (!w->err)
        w->err = tr_json_put_str(w->b, s, n);
}

void tr_jw_str(tr_jw *w, const char *s)
{
    if (!s) {
        tr_jw_null(w);
        return;
    }
    tr_jw_strn(w, s, strlen(s));
}

void tr_jw_int(tr_jw *w, int64_t v)
{
    sep(w);
    if (!w->err)
        w->err = tr_buf_printf(w->b, "%" PRId64, v);
}

void tr_jw_uint(tr_jw *w, uint64_t v)
{
    sep(w);
    if (!w->err)
        w->err = tr_buf_printf(w->b, "%" PRIu64, v);
}

void tr_jw_double(tr_jw *w, double v)
{
    sep(w);
    if (v != v || v > 1.7976931348623157e308 || v < -1.7976931348623157e308) {
        put(w, "null", 4);
        return;
    }
    if (!w->err)
        w->err = tr_buf_printf(w->b, "%.17g", v);
}

void tr_jw_bool(tr_jw *w, bool v)
{
    sep(w);
    put(w, v ? "true" : "false", v ? 4 : 5);
}

void tr_jw_null(tr_jw *w)
{
    sep(w);
    put(w, "null", 4);
}

void tr_jw_raw(tr_jw *w, const char *s, size_t n)
{
    sep(w);
    put(w, s, n);
}

void tr_jw_time(tr_jw *w, int64_t ns)
{
    if (ns == TR_TS_NONE) {
        tr_jw_null(w);
        return;
    }
    char t[48];
    size_t n = tr_time_format(ns, t, sizeof(t));
    tr_jw_strn(w, t, n);
}
