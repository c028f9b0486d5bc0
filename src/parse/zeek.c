/*
 * zeek.c - Zeek (Bro) ASCII logs: tab-separated values under # headers.
 *
 *   #separator \x09
 *   #set_separator	,
 *   #empty_field	(empty)
 *   #unset_field	-
 *   #path	conn
 *   #fields	ts	uid	id.orig_h	id.orig_p	…
 *   #types	time	string	addr	port	…
 *   1579508042.123456	CHhAvV…	10.0.0.5	49152	…
 *
 * The headers are the schema: they are copied into fixed-size parser state
 * (W3C-style caps: ZEEK_MAX_COLS columns, ZEEK_NAMES_MAX bytes of names), so
 * a header line costs no allocation, and a later header block (logs
 * concatenated, a new #fields) replaces them. Records are split on the
 * separator; a record whose field count differs from #fields is rejected.
 *
 * Values, by the column's #types entry:
 *  - the unset field ("-") is null, so Sigma's `field: null` matches it;
 *  - the empty field ("(empty)") is the empty string, or no field at all
 *    for an empty set/vector;
 *  - set[…] and vector[…] give one field per element, flagged
 *    TR_FIELD_MULTI (JSON arrays in `trawl cat`);
 *  - count, int, port, double, interval and time are numbers when they
 *    parse as JSON numbers; bool T/F is true/false;
 *  - "\xNN" escapes are decoded into the event arena only for the bytes
 *    Zeek escapes because they would break the framing (the separators) or
 *    the reserved values ("-" written as "\x2d"): printable ASCII and the
 *    separator bytes. Escapes of other bytes stay as written, which is how
 *    Zeek's JSON writer shows them too and what SigmaHQ's Zeek rules
 *    expect (zeek_dns_susp_zbit_flag: answers|endswith '\\x00').
 * logsource: product zeek, service = #path (conn, dns, http, …; from the
 * file name when there is no #path). ts from the ts column.
 */
#include "core/common.h"

#include "core/time.h"
#include "parse/format.h"
#include "parse/weblog_text.h"
#include "trawl/arena.h"

#define ZEEK_MAX_COLS 256
#define ZEEK_NAMES_MAX 8192
#define ZEEK_SEP_MAX 8
#define ZEEK_WORD_MAX 32
#define ZEEK_PATH_MAX 64

enum zeek_type { ZT_STRING = 0, ZT_NUM, ZT_BOOL, ZT_TIME };

typedef struct zeek_col {
    tr_str name;       /* as in #fields (points into zeek_state.names) */
    uint8_t type;      /* enum zeek_type of the value or of each element */
    bool container;    /* set[…], vector[…], table[…] */
} zeek_col;

typedef struct zeek_state {
    char sep[ZEEK_SEP_MAX];       /* field separator, default TAB */
    size_t nsep;
    char setsep[ZEEK_SEP_MAX];    /* element separator of sets/vectors, default ',' */
    size_t nsetsep;
    char empty[ZEEK_WORD_MAX];    /* empty field marker, default "(empty)" */
    size_t nempty;
    char unset[ZEEK_WORD_MAX];    /* unset field marker, default "-" */
    size_t nunset;
    char path[ZEEK_PATH_MAX];     /* #path: the log's name, our service */
    size_t npath;
    zeek_col cols[ZEEK_MAX_COLS]; /* current layout */
    uint32_t ncols;               /* 0: no usable #fields yet */
    int ts;                       /* column of "ts", -1 if none */
    bool bad_header;              /* the last #fields was over the caps */
    char names[ZEEK_NAMES_MAX];   /* names of the current layout */
} zeek_state;

static void set_defaults(zeek_state *st)
{
    st->sep[0] = '\t';
    st->nsep = 1;
    st->setsep[0] = ',';
    st->nsetsep = 1;
    memcpy(st->empty, "(empty)", 7);
    st->nempty = 7;
    st->unset[0] = '-';
    st->nunset = 1;
}

static tr_err zeek_init(tr_parser *p)
{
    zeek_state *st = p->state;
    set_defaults(st);
    st->ts = -1;
    return TR_OK;
}

/* The byte of a "\xNN" escape at v[i], or -1. */
static int escape_at(tr_str v, size_t i)
{
    if (i + 3 >= v.n || v.p[i] != '\\' || v.p[i + 1] != 'x')
        return -1;
    int hi = tr_text_hexval((unsigned char)v.p[i + 2]);
    int lo = tr_text_hexval((unsigned char)v.p[i + 3]);
    return hi < 0 || lo < 0 ? -1 : hi << 4 | lo;
}

/* Decodes every "\xNN" escape of a header value into out (cap bytes). */
static bool header_value(tr_str v, char *out, size_t cap, size_t *n)
{
    size_t o = 0;
    for (size_t i = 0; i < v.n; i++) {
        int b = escape_at(v, i);
        if (o == cap)
            return false;
        if (b >= 0) {
            out[o++] = (char)b;
            i += 3;
        } else {
            out[o++] = v.p[i];
        }
    }
    *n = o;
    return true;
}

static bool starts_with(tr_str s, const char *w)
{
    size_t n = strlen(w);
    return s.n >= n && memcmp(s.p, w, n) == 0;
}

static const char *find_byte(const char *p, size_t n, char c)
{
    return tr_text_find1(p, n, c);
}

/* The next separator-delimited piece of *s (which advances past it). */
static tr_str next_piece(const zeek_state *st, tr_str *s, bool *more)
{
    const char *hit = st->nsep == 1 ? find_byte(s->p, s->n, st->sep[0])
                                    : memmem(s->p, s->n, st->sep, st->nsep);
    tr_str piece;
    if (!hit) {
        piece = *s;
        s->p += s->n;
        s->n = 0;
        *more = false;
        return piece;
    }
    piece = (tr_str){ s->p, (size_t)(hit - s->p) };
    size_t skip = piece.n + st->nsep;
    s->p += skip;
    s->n -= skip;
    *more = true;
    return piece;
}

/* Splits rec on the one-byte separator c into vals (room for max pieces;
 * more are counted, not stored) and returns the number of pieces. One pass
 * over the record a word at a time, taking every separator of a word from
 * its bit mask, instead of one search per field: records are a couple of
 * dozen short fields. */
static uint32_t split1(tr_str rec, char c, tr_str *vals, uint32_t max)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t pc = ones * (unsigned char)c;
    const char *p = rec.p;
    size_t n = rec.n, start = 0, i = 0;
    uint32_t k = 0;
    for (;;) {
        uint64_t w = 0, hit;
        size_t take = n - i < 8 ? n - i : 8;
        if (take == 8) {
            memcpy(&w, p + i, 8);
            uint64_t x = w ^ pc;
            hit = (x - ones) & ~x & highs;
        } else {
            hit = 0; /* the last bytes one by one (no read past the record) */
            for (size_t j = 0; j < take; j++)
                if (p[i + j] == c)
                    hit |= 0x80ULL << (8 * j);
        }
        /* a borrow can flag a byte after a real match as a match too; the
         * lowest flag of a word is always exact, so take flags one at a time
         * and re-test the bytes after each */
        while (hit) {
            size_t j = (size_t)(__builtin_ctzll(hit) >> 3);
            if (p[i + j] == c) {
                if (k < max)
                    vals[k] = (tr_str){ p + start, i + j - start };
                k++;
                start = i + j + 1;
            }
            hit &= hit - 1;
        }
        if (take < 8)
            break;
        i += 8;
    }
    if (k < max)
        vals[k] = (tr_str){ p + start, n - start };
    return k + 1;
}

static uint8_t type_of(tr_str t, bool *container)
{
    *container = false;
    const char *lb = memchr(t.p, '[', t.n);
    if (lb && t.n && t.p[t.n - 1] == ']') {
        *container = true;
        t = (tr_str){ lb + 1, (size_t)(t.p + t.n - lb - 2) };
    }
    static const char *const nums[] = { "count", "int", "port", "double", "interval", "counter" };
    for (size_t i = 0; i < TR_ARRAY_LEN(nums); i++)
        if (t.n == strlen(nums[i]) && memcmp(t.p, nums[i], t.n) == 0)
            return ZT_NUM;
    if (t.n == 4 && memcmp(t.p, "time", 4) == 0)
        return ZT_TIME;
    if (t.n == 4 && memcmp(t.p, "bool", 4) == 0)
        return ZT_BOOL;
    return ZT_STRING;
}

static tr_err set_fields(tr_parser *p, tr_str list)
{
    zeek_state *st = p->state;
    st->ncols = 0;
    st->ts = -1;
    st->bad_header = true;
    size_t used = 0;
    bool more = list.n > 0;
    while (more) {
        tr_str name = next_piece(st, &list, &more);
        if (!name.n) {
            uint32_t col = st->ncols + 1;
            st->ncols = 0;
            return tr_parser_fail(p, TR_EPARSE, "#fields column %u has no name", col);
        }
        if (st->ncols == ZEEK_MAX_COLS || used + name.n > ZEEK_NAMES_MAX) {
            st->ncols = 0;
            return tr_parser_fail(p, TR_ELIMIT, "#fields over the limits (%d columns, %d bytes)",
                                  ZEEK_MAX_COLS, ZEEK_NAMES_MAX);
        }
        memcpy(st->names + used, name.p, name.n);
        zeek_col *c = &st->cols[st->ncols];
        c->name = (tr_str){ st->names + used, name.n };
        c->type = ZT_STRING;
        c->container = false;
        used += name.n;
        if (name.n == 2 && memcmp(name.p, "ts", 2) == 0)
            st->ts = (int)st->ncols;
        st->ncols++;
    }
    if (st->ncols == 0)
        return tr_parser_fail(p, TR_EPARSE, "#fields declares no columns");
    st->bad_header = false;
    return TR_ESKIP;
}

static tr_err set_types(tr_parser *p, tr_str list)
{
    zeek_state *st = p->state;
    uint32_t n = 0;
    bool more = list.n > 0;
    while (more) {
        tr_str t = next_piece(st, &list, &more);
        if (n < st->ncols) {
            st->cols[n].type = type_of(t, &st->cols[n].container);
            if ((int)n == st->ts && st->cols[n].type == ZT_STRING)
                st->ts = -1; /* a "ts" that is not a time */
        }
        n++;
    }
    if (n != st->ncols) {
        for (uint32_t i = 0; i < st->ncols; i++) {
            st->cols[i].type = ZT_STRING;
            st->cols[i].container = false;
        }
        return tr_parser_fail(p, TR_EPARSE, "#types lists %u types for %u #fields: all read as "
                              "strings", n, st->ncols);
    }
    return TR_ESKIP;
}

static tr_err header(tr_parser *p, tr_str line)
{
    zeek_state *st = p->state;
    if (starts_with(line, "#separator") && (line.n == 10 || line.p[10] == ' ')) {
        /* the one header whose value follows a space */
        tr_str v = { line.p + TR_MIN(line.n, 11), line.n - TR_MIN(line.n, 11) };
        size_t n;
        char buf[ZEEK_SEP_MAX];
        if (!header_value(v, buf, sizeof(buf), &n) || n == 0)
            return tr_parser_fail(p, TR_EPARSE, "bad #separator");
        memcpy(st->sep, buf, n);
        st->nsep = n;
        return TR_ESKIP;
    }
    tr_str rest = line;
    bool more;
    tr_str key = next_piece(st, &rest, &more);
    if (!more)
        return TR_ESKIP; /* a comment, or #close with no value */
    if (tr_str_eq(key, TR_STR("#fields")))
        return set_fields(p, rest);
    if (tr_str_eq(key, TR_STR("#types")))
        return set_types(p, rest);
    char *dst = NULL;
    size_t cap = 0, *len = NULL;
    if (tr_str_eq(key, TR_STR("#set_separator")))
        dst = st->setsep, cap = sizeof(st->setsep), len = &st->nsetsep;
    else if (tr_str_eq(key, TR_STR("#empty_field")))
        dst = st->empty, cap = sizeof(st->empty), len = &st->nempty;
    else if (tr_str_eq(key, TR_STR("#unset_field")))
        dst = st->unset, cap = sizeof(st->unset), len = &st->nunset;
    else if (tr_str_eq(key, TR_STR("#path")))
        dst = st->path, cap = sizeof(st->path), len = &st->npath;
    if (!dst)
        return TR_ESKIP; /* #open, #close, comments */
    char buf[ZEEK_PATH_MAX];
    size_t n;
    if (!header_value(rest, buf, TR_MIN(cap, sizeof(buf)), &n) ||
        (n == 0 && dst != st->path && dst != st->empty))
        return tr_parser_fail(p, TR_EPARSE, "bad %.*s header", (int)key.n, key.p);
    memcpy(dst, buf, n);
    *len = n;
    return TR_ESKIP;
}

static bool is_keep_byte(const zeek_state *st, unsigned char b)
{
    if (b >= 0x20 && b < 0x7f)
        return true;
    return memchr(st->sep, b, st->nsep) || memchr(st->setsep, b, st->nsetsep);
}

/* The byte of an escape at v[i] that Zeek added for framing, or -1. */
static int framing_escape_at(const zeek_state *st, tr_str v, size_t i)
{
    int b = escape_at(v, i);
    return b >= 0 && is_keep_byte(st, (unsigned char)b) ? b : -1;
}

/* v with the escapes Zeek adds for framing decoded (see the file comment). */
static tr_str unescape(const zeek_state *st, tr_str v, tr_arena *arena)
{
    const char *bs = v.n ? memchr(v.p, '\\', v.n) : NULL;
    if (!bs || !arena)
        return v;
    size_t i = (size_t)(bs - v.p);
    while (i < v.n && framing_escape_at(st, v, i) < 0)
        i++;
    if (i == v.n)
        return v;
    char *out = tr_arena_alloc(arena, v.n + 1);
    if (!out)
        return v;
    memcpy(out, v.p, i);
    size_t o = i;
    while (i < v.n) {
        int b = framing_escape_at(st, v, i);
        if (b >= 0) {
            out[o++] = (char)b;
            i += 4;
        } else {
            out[o++] = v.p[i++];
        }
    }
    out[o] = '\0';
    return (tr_str){ out, o };
}

static bool is_word(tr_str v, const char *w, size_t n)
{
    return v.n == n && memcmp(v.p, w, n) == 0;
}

/* Adds one value of type t (inlined: it runs for every column of every record). */
static inline __attribute__((always_inline)) void add_value(const zeek_state *st, tr_event *ev,
                                                            tr_str name, uint8_t t, tr_str v,
                                                            uint8_t flags, bool escapes)
{
    tr_field *f;
    if (is_word(v, st->unset, st->nunset)) {
        f = tr_text_put(ev, name, v, TR_VNULL);
    } else if (t == ZT_NUM || t == ZT_TIME) {
        f = tr_text_add_num(ev, name, v);
    } else if (t == ZT_BOOL && v.n == 1 && (v.p[0] == 'T' || v.p[0] == 'F')) {
        f = tr_text_put(ev, name, v.p[0] == 'T' ? TR_STR("true") : TR_STR("false"), TR_VBOOL);
    } else if (is_word(v, st->empty, st->nempty)) {
        f = tr_text_put(ev, name, (tr_str){ v.p, 0 }, TR_VSTR);
    } else {
        f = tr_text_put(ev, name, escapes ? unescape(st, v, ev->arena) : v, TR_VSTR);
    }
    if (f)
        f->flags |= flags;
}

static void add_container(const zeek_state *st, tr_event *ev, const zeek_col *c, tr_str v,
                          bool escapes)
{
    if (is_word(v, st->unset, st->nunset)) {
        tr_text_put(ev, c->name, v, TR_VNULL);
        return;
    }
    if (is_word(v, st->empty, st->nempty))
        return; /* an empty set: no element, no field */
    for (;;) {
        const char *hit = st->nsetsep == 1 ? find_byte(v.p, v.n, st->setsep[0])
                                           : memmem(v.p, v.n, st->setsep, st->nsetsep);
        tr_str elem = { v.p, hit ? (size_t)(hit - v.p) : v.n };
        add_value(st, ev, c->name, c->type, elem, TR_FIELD_MULTI, escapes);
        if (!hit)
            break;
        size_t skip = elem.n + st->nsetsep;
        v.p += skip;
        v.n -= skip;
    }
}

/* "conn" from ".../conn.00:00:00-01:00:00.log.gz": the service when there
 * is no #path header. */
static tr_str service_from_path(tr_str path)
{
    const char *slash = path.n ? memrchr(path.p, '/', path.n) : NULL;
    tr_str base = slash ? (tr_str){ slash + 1, (size_t)(path.p + path.n - slash - 1) } : path;
    const char *dot = base.n ? memchr(base.p, '.', base.n) : NULL;
    if (dot)
        base.n = (size_t)(dot - base.p);
    return base;
}

static tr_err parse_zeek(tr_parser *p, tr_str rec, tr_event *ev)
{
    zeek_state *st = p->state;
    rec = tr_text_trim_record(rec);
    if (rec.n && rec.p[0] == '#')
        return header(p, rec);
    if (!st->ncols)
        return tr_parser_fail(p, TR_EPARSE, st->bad_header
                                                ? "no usable #fields header before this record"
                                                : "no #fields header before this record");
    /* Count first, so a short or long record adds nothing. */
    tr_str vals[ZEEK_MAX_COLS];
    uint32_t n;
    if (st->nsep == 1) {
        n = split1(rec, st->sep[0], vals, st->ncols);
    } else {
        n = 0;
        tr_str rest = rec;
        bool more = true;
        while (more) {
            tr_str v = next_piece(st, &rest, &more);
            if (n < st->ncols)
                vals[n] = v;
            n++;
        }
    }
    if (n != st->ncols)
        return tr_parser_fail(p, TR_EPARSE, "%u fields, #fields declares %u", n, st->ncols);
    if (st->ts >= 0 && !is_word(vals[st->ts], st->unset, st->nunset) &&
        tr_time_parse_epoch(vals[st->ts].p, vals[st->ts].n, &ev->ts) != TR_OK)
        return tr_parser_fail(p, TR_EPARSE, "bad ts '%.*s'", (int)TR_MIN(vals[st->ts].n, 40),
                              vals[st->ts].p);
    bool escapes = memchr(rec.p, '\\', rec.n) != NULL; /* one look for the whole record */
    for (uint32_t i = 0; i < n; i++) {
        const zeek_col *c = &st->cols[i];
        if (c->container)
            add_container(st, ev, c, vals[i], escapes);
        else
            add_value(st, ev, c->name, c->type, vals[i], 0, escapes);
    }
    ev->logsource.product = TR_STR("zeek");
    ev->logsource.service =
        st->npath ? (tr_str){ st->path, st->npath } : service_from_path(ev->path);
    return TR_OK;
}

const tr_format_ops tr_zeek_format_ops = {
    .state_size = sizeof(zeek_state),
    .init = zeek_init,
    .parse = parse_zeek,
    .release = NULL,
};
