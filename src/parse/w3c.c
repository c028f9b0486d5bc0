/*
 * w3c.c - W3C extended log files: IIS, NetScaler/Citrix ADC web logging
 * (NSWL) and anything else that declares its columns in a #Fields line.
 *
 *   #Software: Microsoft Internet Information Services 10.0
 *   #Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port …
 *   2020-03-05 10:01:02 10.0.0.5 GET /owa/auth/x.js - 443 …
 *
 * Header lines (# …) are consumed (TR_ESKIP); a #Fields line replaces the
 * layout from there on, as IIS writes a new one whenever its configuration
 * changes mid-file. The layout is copied into the parser state, capped at
 * W3C_MAX_COLS columns and W3C_NAMES_MAX bytes of names, so header lines
 * cost no allocation either. A record whose field count differs from the
 * layout's is rejected with both counts.
 *
 * Fields keep the names of the #Fields line; "-" is null. So that rules see
 * the same names as for combined logs: cs(User-Agent) has the alias
 * cs-user-agent plus a derived c-useragent field, cs(Referer) the alias
 * cs-referer plus a derived cs-referrer, cs(Cookie) cs-cookie, cs(Host)
 * cs-host; cs-uri-query holds the stem and the query ("/a.aspx?x=1", just
 * "/a.aspx" when the query is "-") as SigmaHQ's webserver rules expect, and
 * a derived cs-uri holds the same when the log has no cs-uri column. '+' in
 * IIS user agents (its encoding of a space) is kept as written. ts comes
 * from date and time (UTC, as IIS writes them; the #Date header supplies the
 * date when there is no date column).
 */
#include "core/common.h"

#include "core/hash.h"
#include "core/time.h"
#include "parse/format.h"
#include "parse/weblog_text.h"
#include "trawl/arena.h"

#define W3C_MAX_COLS 128
#define W3C_NAMES_MAX 4096

enum w3c_role {
    ROLE_PLAIN = 0,
    ROLE_NUM,   /* a count or a code: a number when it parses as one */
    ROLE_DATE,  /* date */
    ROLE_TIME,  /* time */
    ROLE_STEM,  /* cs-uri-stem */
    ROLE_QUERY, /* cs-uri-query: composed with the stem */
    ROLE_URI    /* cs-uri */
};

typedef struct w3c_col {
    tr_str name;    /* as in #Fields (points into w3c_state.names) */
    tr_str alias;   /* normalised taxonomy name, or empty */
    tr_str derived; /* a second taxonomy name added as a derived field, or empty */
    uint8_t role;   /* enum w3c_role */
} w3c_col;

typedef struct w3c_state {
    w3c_col cols[W3C_MAX_COLS]; /* the current layout */
    uint32_t ncols;             /* 0: no usable #Fields line yet */
    int date, time, stem, query, uri; /* column of each role, -1 if absent */
    bool bad_header;            /* the last #Fields line was over the caps */
    char names[W3C_NAMES_MAX];  /* the names of the current layout */
    char hdr_date[10];          /* date of the last #Date header */
    bool have_hdr_date;
} w3c_state;

typedef struct w3c_alias {
    const char *header;
    tr_str alias, derived;
} w3c_alias;

static const w3c_alias aliases[] = {
    { "cs(User-Agent)", { "cs-user-agent", 13 }, { "c-useragent", 11 } },
    { "cs-user-agent", { "c-useragent", 11 }, { NULL, 0 } },
    { "cs(Referer)", { "cs-referer", 10 }, { "cs-referrer", 11 } },
    { "cs(Referrer)", { "cs-referer", 10 }, { "cs-referrer", 11 } },
    { "cs-referer", { "cs-referrer", 11 }, { NULL, 0 } },
    { "cs(Cookie)", { "cs-cookie", 9 }, { NULL, 0 } },
    { "cs(Host)", { "cs-host", 7 }, { NULL, 0 } },
};

static const char *const numeric[] = { "sc-status", "sc-substatus", "sc-win32-status",
                                       "time-taken", "sc-bytes", "cs-bytes", "s-port",
                                       "c-port", "c-win32-status" };

static bool name_is(tr_str s, const char *c)
{
    size_t n = strlen(c);
    return s.n == n && tr_mem_eq_nocase(s.p, c, n);
}

static tr_err w3c_init(tr_parser *p)
{
    w3c_state *st = p->state;
    st->date = st->time = st->stem = st->query = st->uri = -1;
    return TR_OK;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static tr_err set_fields(tr_parser *p, tr_str list)
{
    w3c_state *st = p->state;
    st->ncols = 0;
    st->date = st->time = st->stem = st->query = st->uri = -1;
    st->bad_header = true;
    size_t used = 0;
    const char *s = list.p, *e = list.p + list.n;
    while (s < e) {
        while (s < e && is_blank(*s))
            s++;
        if (s == e)
            break;
        const char *t = s;
        while (t < e && !is_blank(*t))
            t++;
        size_t n = (size_t)(t - s);
        if (st->ncols == W3C_MAX_COLS || used + n > W3C_NAMES_MAX) {
            st->ncols = 0;
            return tr_parser_fail(p, TR_ELIMIT, "#Fields over the limits (%d columns, %d bytes)",
                                  W3C_MAX_COLS, W3C_NAMES_MAX);
        }
        memcpy(st->names + used, s, n);
        w3c_col *c = &st->cols[st->ncols];
        memset(c, 0, sizeof(*c));
        c->name = (tr_str){ st->names + used, n };
        used += n;
        for (size_t i = 0; i < TR_ARRAY_LEN(aliases); i++)
            if (name_is(c->name, aliases[i].header)) {
                c->alias = aliases[i].alias;
                c->derived = aliases[i].derived;
            }
        for (size_t i = 0; i < TR_ARRAY_LEN(numeric); i++)
            if (name_is(c->name, numeric[i]))
                c->role = ROLE_NUM;
        int idx = (int)st->ncols;
        if (name_is(c->name, "date"))
            c->role = ROLE_DATE, st->date = idx;
        else if (name_is(c->name, "time"))
            c->role = ROLE_TIME, st->time = idx;
        else if (name_is(c->name, "cs-uri-stem"))
            c->role = ROLE_STEM, st->stem = idx;
        else if (name_is(c->name, "cs-uri-query"))
            c->role = ROLE_QUERY, st->query = idx;
        else if (name_is(c->name, "cs-uri"))
            c->role = ROLE_URI, st->uri = idx;
        st->ncols++;
        s = t;
    }
    if (st->ncols == 0)
        return tr_parser_fail(p, TR_EPARSE, "#Fields line declares no columns");
    st->bad_header = false;
    return TR_ESKIP;
}

static tr_err header(tr_parser *p, tr_str line)
{
    w3c_state *st = p->state;
    static const char fields[] = "#Fields:", date[] = "#Date:";
    if (line.n >= sizeof(fields) - 1 && tr_mem_eq_nocase(line.p, fields, sizeof(fields) - 1))
        return set_fields(p, (tr_str){ line.p + sizeof(fields) - 1,
                                       line.n - (sizeof(fields) - 1) });
    if (line.n >= sizeof(date) - 1 && tr_mem_eq_nocase(line.p, date, sizeof(date) - 1)) {
        const char *s = line.p + sizeof(date) - 1, *e = line.p + line.n;
        while (s < e && is_blank(*s))
            s++;
        int64_t ns;
        if (e - s >= 10 && tr_time_parse_w3c(s, 10, "00:00", 5, &ns) == TR_OK) {
            memcpy(st->hdr_date, s, 10);
            st->have_hdr_date = true;
        }
    }
    return TR_ESKIP; /* #Software, #Version, #Remark, #Start-Date, … */
}

static bool is_dash(tr_str v)
{
    return v.n == 1 && v.p[0] == '-';
}

/* stem?query, or the stem alone when the query is absent; in the arena. */
static tr_str compose_uri(tr_str stem, tr_str query, tr_arena *arena)
{
    if (!query.n || (query.n == 1 && query.p[0] == '-'))
        return stem;
    if (query.p[0] == '?') { /* some writers keep the '?' */
        query.p++;
        query.n--;
    }
    char *b = arena ? tr_arena_alloc(arena, stem.n + query.n + 2) : NULL;
    if (!b)
        return stem;
    memcpy(b, stem.p, stem.n);
    b[stem.n] = '?';
    memcpy(b + stem.n + 1, query.p, query.n);
    b[stem.n + 1 + query.n] = '\0';
    return (tr_str){ b, stem.n + 1 + query.n };
}

static tr_err parse_w3c(tr_parser *p, tr_str rec, tr_event *ev)
{
    w3c_state *st = p->state;
    rec = tr_text_trim_record(rec);
    if (rec.n && rec.p[0] == '#')
        return header(p, rec);
    if (!st->ncols)
        return tr_parser_fail(p, TR_EPARSE, st->bad_header
                                                ? "no usable #Fields header before this record"
                                                : "no #Fields header before this record");
    tr_str vals[W3C_MAX_COLS];
    uint32_t n = 0;
    const char *s = rec.p, *e = rec.p + rec.n;
    for (;;) {
        while (s < e && is_blank(*s))
            s++;
        if (s == e)
            break;
        const char *t;
        tr_str v;
        if (*s == '"') { /* a quoted string may hold blanks */
            const char *q = s + 1;
            while ((q = memchr(q, '"', (size_t)(e - q))) && q + 1 < e && !is_blank(q[1]))
                q++;
            if (!q)
                return tr_parser_fail(p, TR_EPARSE, "unterminated quoted field %u", n + 1);
            v = (tr_str){ s + 1, (size_t)(q - s - 1) };
            t = q + 1;
        } else {
            t = tr_text_find2(s, (size_t)(e - s), ' ', '\t');
            if (!t)
                t = e;
            v = (tr_str){ s, (size_t)(t - s) };
        }
        if (n < st->ncols)
            vals[n] = v;
        n++;
        s = t;
    }
    if (n != st->ncols)
        return tr_parser_fail(p, TR_EPARSE, "%u fields, #Fields declares %u", n, st->ncols);

    if (st->time >= 0) {
        tr_str d = { NULL, 0 };
        if (st->date >= 0)
            d = vals[st->date];
        else if (st->have_hdr_date)
            d = (tr_str){ st->hdr_date, sizeof(st->hdr_date) };
        tr_str t = vals[st->time];
        if (d.n && tr_time_parse_w3c(d.p, d.n, t.p, t.n, &ev->ts) != TR_OK)
            return tr_parser_fail(p, TR_EPARSE, "bad date/time '%.*s %.*s'", (int)TR_MIN(d.n, 32),
                                  d.p, (int)TR_MIN(t.n, 32), t.p);
    }
    tr_str composed = { NULL, 0 };
    tr_vkind composed_kind = TR_VSTR;
    if (st->stem >= 0) {
        tr_str query = st->query >= 0 ? vals[st->query] : (tr_str){ NULL, 0 };
        if (is_dash(vals[st->stem])) {
            composed = query.n ? query : vals[st->stem];
            composed_kind = is_dash(composed) ? TR_VNULL : TR_VSTR;
        } else {
            composed = compose_uri(vals[st->stem], query, ev->arena);
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        const w3c_col *c = &st->cols[i];
        tr_str v = vals[i];
        tr_field *f;
        if (c->role == ROLE_QUERY && st->stem >= 0)
            f = tr_text_put(ev, c->name, composed, composed_kind);
        else if (is_dash(v))
            f = tr_text_put(ev, c->name, v, TR_VNULL);
        else if (c->role == ROLE_NUM)
            f = tr_text_add_num(ev, c->name, v);
        else
            f = tr_text_put(ev, c->name, v, TR_VSTR);
        if (!f)
            continue;
        f->alias = c->alias;
        if (c->derived.n) {
            tr_field *d = tr_text_put(ev, c->derived, f->value, (tr_vkind)f->kind);
            if (d)
                d->flags |= TR_FIELD_DERIVED;
        }
    }
    if (st->date < 0 && st->time >= 0 && st->have_hdr_date) {
        tr_field *d = tr_text_put(ev, TR_STR("date"), (tr_str){ st->hdr_date, 10 }, TR_VSTR);
        if (d)
            d->flags |= TR_FIELD_DERIVED;
    }
    if (st->uri < 0 && st->stem >= 0) {
        tr_field *d = tr_text_put(ev, TR_STR("cs-uri"), composed, composed_kind);
        if (d)
            d->flags |= TR_FIELD_DERIVED;
    }
    tr_logsource_add_category(&ev->logsource, TR_STR("webserver"));
    return TR_OK;
}

const tr_format_ops tr_w3c_format_ops = {
    .state_size = sizeof(w3c_state),
    .init = w3c_init,
    .parse = parse_w3c,
    .release = NULL,
};
