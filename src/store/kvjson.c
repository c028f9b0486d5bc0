/*
 * kvjson.c - the JSON text of the store's list and map columns (tags,
 * fields, group, contributing) and the way back to slices.
 *
 * The columns hold JSON so that analysts can use SQLite's json_extract() on
 * them; the decoder only needs the flat shapes written here: an array of
 * strings, or an object whose values are strings. Anything else is
 * TR_EPARSE, never a crash: the file may have been edited by hand.
 */
#include "core/common.h"

#include "core/jsonstr.h"
#include "store/store_int.h"

tr_err store_json_strs(tr_buf *b, const tr_str *v, uint32_t n)
{
    tr_jw w;
    tr_jw_init(&w, b);
    tr_jw_arr(&w);
    for (uint32_t i = 0; i < n; i++)
        tr_jw_strn(&w, v[i].p, v[i].n);
    tr_jw_end(&w);
    return w.err;
}

tr_err store_json_kvs(tr_buf *b, const tr_kv *kv, uint32_t n)
{
    tr_jw w;
    tr_jw_init(&w, b);
    tr_jw_obj(&w);
    for (uint32_t i = 0; i < n; i++) {
        tr_jw_keyn(&w, kv[i].key.p, kv[i].key.n);
        tr_jw_strn(&w, kv[i].value.p, kv[i].value.n);
    }
    tr_jw_end(&w);
    return w.err;
}

tr_err store_json_ids(tr_buf *b, const uint64_t *ids, uint32_t n)
{
    tr_jw w;
    tr_jw_init(&w, b);
    tr_jw_arr(&w);
    for (uint32_t i = 0; i < n; i++) {
        char h[17];
        snprintf(h, sizeof(h), "%016" PRIx64, ids[i]);
        tr_jw_strn(&w, h, 16);
    }
    tr_jw_end(&w);
    return w.err;
}

typedef struct scan {
    const char *p;
    size_t n, i;
    tr_arena *arena;
} scan;

static void skip_ws(scan *s)
{
    while (s->i < s->n &&
           (s->p[s->i] == ' ' || s->p[s->i] == '\t' || s->p[s->i] == '\n' || s->p[s->i] == '\r'))
        s->i++;
}

static bool take(scan *s, char c)
{
    skip_ws(s);
    if (s->i < s->n && s->p[s->i] == c) {
        s->i++;
        return true;
    }
    return false;
}

/* A JSON string at s->i; escapes are decoded into the arena. */
static tr_err string(scan *s, tr_str *out)
{
    if (!take(s, '"'))
        return TR_EPARSE;
    size_t start = s->i;
    bool escaped = false;
    while (s->i < s->n && s->p[s->i] != '"') {
        if (s->p[s->i] == '\\') {
            escaped = true;
            s->i++;
        }
        s->i++;
    }
    if (s->i >= s->n)
        return TR_EPARSE;
    size_t len = s->i - start;
    s->i++; /* closing quote */
    if (!escaped) {
        *out = (tr_str){ s->p + start, len };
        return TR_OK;
    }
    char *buf = tr_arena_alloc(s->arena, len + 1);
    if (!buf)
        return TR_ENOMEM;
    size_t got;
    if (tr_json_unescape(s->p + start, len, buf, &got) != TR_OK)
        return TR_EPARSE;
    buf[got] = '\0';
    *out = (tr_str){ buf, got };
    return TR_OK;
}

/* Counts the top-level elements of an array or object, to size the result. */
static uint32_t count_items(const char *p, size_t n)
{
    uint32_t k = 0;
    bool in_str = false, any = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
            any = true;
        } else if (c == ',') {
            k++;
        }
    }
    return any ? k + 1 : 0;
}

static tr_err parse_list(const char *p, size_t n, tr_arena *arena, bool object, tr_str **keys,
                         tr_str **values, uint32_t *count)
{
    scan s = { p ? p : "", p ? n : 0, 0, arena };
    *count = 0;
    uint32_t cap = count_items(s.p, s.n);
    tr_str *k = NULL, *v = NULL;
    if (cap) {
        v = tr_arena_alloc(arena, cap * sizeof(*v));
        if (object)
            k = tr_arena_alloc(arena, cap * sizeof(*k));
        if (!v || (object && !k))
            return TR_ENOMEM;
    }
    if (!take(&s, object ? '{' : '['))
        return TR_EPARSE;
    uint32_t used = 0;
    if (!take(&s, object ? '}' : ']')) {
        for (;;) {
            if (used == cap)
                return TR_EPARSE;
            tr_err err;
            if (object) {
                if ((err = string(&s, &k[used])) != TR_OK)
                    return err;
                if (!take(&s, ':'))
                    return TR_EPARSE;
            }
            if ((err = string(&s, &v[used])) != TR_OK)
                return err;
            used++;
            if (take(&s, ','))
                continue;
            if (take(&s, object ? '}' : ']'))
                break;
            return TR_EPARSE;
        }
    }
    skip_ws(&s);
    if (s.i != s.n)
        return TR_EPARSE;
    *keys = k;
    *values = v;
    *count = used;
    return TR_OK;
}

tr_err store_parse_strs(const char *p, size_t n, tr_arena *arena, tr_str **out, uint32_t *count)
{
    tr_str *keys;
    return parse_list(p, n, arena, false, &keys, out, count);
}

tr_err store_parse_kvs(const char *p, size_t n, tr_arena *arena, tr_kv **out, uint32_t *count)
{
    tr_str *keys, *values;
    tr_err err = parse_list(p, n, arena, true, &keys, &values, count);
    if (err)
        return err;
    *out = NULL;
    if (*count == 0)
        return TR_OK;
    tr_kv *kv = tr_arena_alloc(arena, *count * sizeof(*kv));
    if (!kv)
        return TR_ENOMEM;
    for (uint32_t i = 0; i < *count; i++)
        kv[i] = (tr_kv){ keys[i], values[i] };
    *out = kv;
    return TR_OK;
}

static bool parse_hex64(tr_str s, uint64_t *v)
{
    if (s.n == 0 || s.n > 16)
        return false;
    uint64_t x = 0;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        x = x << 4 | d;
    }
    *v = x;
    return true;
}

tr_err store_parse_ids(const char *p, size_t n, tr_arena *arena, uint64_t **out, uint32_t *count)
{
    tr_str *hex;
    tr_err err = store_parse_strs(p, n, arena, &hex, count);
    if (err)
        return err;
    *out = NULL;
    if (*count == 0)
        return TR_OK;
    uint64_t *ids = tr_arena_alloc(arena, *count * sizeof(*ids));
    if (!ids)
        return TR_ENOMEM;
    for (uint32_t i = 0; i < *count; i++)
        if (!parse_hex64(hex[i], &ids[i]))
            return TR_EPARSE;
    *out = ids;
    return TR_OK;
}
