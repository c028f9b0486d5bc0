/*
 * weblog.c - Apache/Nginx access logs: `common`, `combined`, `vhost_combined`
 * and combined with extra trailing fields (NetScaler httpaccess.log's
 * "Time: N microsecs", nginx's $http_x_forwarded_for, …).
 *
 *   %h %l %u %t "%r" %>s %b ["%{Referer}i" "%{User-Agent}i" [extra…]]
 *
 * Web attacks are found in exactly the lines a sloppy parser drops: scanners
 * send binary garbage, spaces and quotes in the request line, or no request
 * at all. So every line with the frame above parses: the raw request is kept
 * and split as far as it splits; only lines without the frame are rejected.
 *
 * What rules see (category webserver; docs/text-formats.md has the table):
 * c-ip, ident (only when not "-"), cs-username, date/time (UTC, from
 * the timestamp), request (the raw "%r"), cs-method, cs-uri (the request
 * target exactly as sent, never normalised), cs-uri-stem (before '?'),
 * cs-uri-query (the whole target, path and query: SigmaHQ's webserver rules
 * look for paths in it), cs-version, sc-status, sc-bytes ("-" is 0, as the
 * CLF "%b" defines), cs-referer (alias cs-referrer), cs-user-agent (alias
 * c-useragent), time-taken (milliseconds, from NetScaler's microseconds),
 * x-forwarded-for (nginx "main": a quoted address list or "-" right after
 * the user agent), x-extra-N for other trailing fields, and cs-host/s-port
 * for vhost_combined. "-" in user, referer and user agent is null. Log escapes (\" \\ \xHH) in
 * quoted fields are decoded into the event arena, only when present.
 */
#include "core/common.h"

#include "core/time.h"
#include "parse/format.h"
#include "parse/weblog_text.h"
#include "trawl/arena.h"

#define WEBLOG_MAX_EXTRA 8
#define WEBLOG_TS_MAX 40

/* The last timestamp seen: access logs write many lines per second, so the
 * text usually repeats and its parse and date/time spelling can be reused. */
typedef struct weblog_state {
    char text[WEBLOG_TS_MAX]; /* "10/Oct/2000:13:55:36 -0700" of the last line */
    size_t n;                 /* its length; 0 when nothing is cached */
    int64_t ts;               /* its time */
    char date_time[18];       /* "2000-10-1020:55:36" (date, then time) */
    bool have_date_time;
} weblog_state;

static const tr_str extra_names[WEBLOG_MAX_EXTRA] = {
    { "x-extra-1", 9 }, { "x-extra-2", 9 }, { "x-extra-3", 9 }, { "x-extra-4", 9 },
    { "x-extra-5", 9 }, { "x-extra-6", 9 }, { "x-extra-7", 9 }, { "x-extra-8", 9 },
};

typedef struct scan {
    const char *p; /* next byte */
    const char *e; /* end of the record */
} scan;

static void skip_spaces(scan *s)
{
    while (s->p < s->e && *s->p == ' ')
        s->p++;
}

/* The bytes up to the next space (or the end). */
static tr_str token(scan *s)
{
    const char *start = s->p;
    const char *sp = memchr(start, ' ', (size_t)(s->e - start));
    s->p = sp ? sp : s->e;
    return (tr_str){ start, (size_t)(s->p - start) };
}

/* s->p is just after an opening quote. The closing quote is the first one
 * that is not backslash-escaped and is followed by a space or the end: a
 * server that does not escape quotes still yields the right field unless
 * the stray quote itself precedes a space. */
static bool quoted(scan *s, tr_str *out)
{
    const char *start = s->p, *q = start;
    for (;;) {
        q = memchr(q, '"', (size_t)(s->e - q));
        if (!q)
            return false;
        size_t bs = 0;
        for (const char *b = q; b > start && b[-1] == '\\'; b--)
            bs++;
        if (!(bs & 1) && (q + 1 == s->e || q[1] == ' '))
            break;
        q++;
    }
    *out = (tr_str){ start, (size_t)(q - start) };
    s->p = q + 1;
    return true;
}

static bool is_dash(tr_str v)
{
    return v.n == 1 && v.p[0] == '-';
}

static bool all_digits(tr_str v)
{
    if (!v.n)
        return false;
    for (size_t i = 0; i < v.n; i++)
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
    return true;
}

/* RFC 9110 tchar: what an HTTP method may be made of. */
static bool is_method(tr_str v)
{
    if (!v.n || v.n > 64)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            continue;
        if (!strchr("!#$%&'*+-.^_`|~", c) || c == 0)
            return false;
    }
    return true;
}

static tr_field *add_str_or_null(tr_event *ev, tr_str name, tr_str alias, tr_str v)
{
    return tr_text_add(ev, name, alias, v, is_dash(v) ? TR_VNULL : TR_VSTR);
}

/* "%r": METHOD SP TARGET [SP HTTP/x.y]. The target may itself hold spaces
 * (scanners), so the version is taken from the last space on. */
static void add_request(tr_event *ev, tr_str r)
{
    if (!r.n || is_dash(r)) {
        tr_text_put(ev, TR_STR("request"), r, r.n ? TR_VNULL : TR_VSTR);
        return;
    }
    tr_text_put(ev, TR_STR("request"), r, TR_VSTR);
    const char *sp = memchr(r.p, ' ', r.n);
    tr_str method = { r.p, sp ? (size_t)(sp - r.p) : r.n };
    if (!sp || !is_method(method))
        return;
    tr_str rest = { sp + 1, r.n - method.n - 1 };
    tr_str version = { NULL, 0 };
    const char *last = rest.n ? memrchr(rest.p, ' ', rest.n) : NULL;
    if (last && (size_t)(rest.p + rest.n - last - 1) >= 5 && memcmp(last + 1, "HTTP/", 5) == 0) {
        version = (tr_str){ last + 1, (size_t)(rest.p + rest.n - last - 1) };
        rest.n = (size_t)(last - rest.p);
    } else if (rest.n >= 5 && memcmp(rest.p, "HTTP/", 5) == 0 && !memchr(rest.p, ' ', rest.n)) {
        version = rest; /* "GET HTTP/1.1": no target at all */
        rest.n = 0;
    }
    tr_text_put(ev, TR_STR("cs-method"), method, TR_VSTR);
    if (rest.n) {
        const char *qm = memchr(rest.p, '?', rest.n);
        tr_str stem = { rest.p, qm ? (size_t)(qm - rest.p) : rest.n };
        tr_text_put(ev, TR_STR("cs-uri"), rest, TR_VSTR);
        tr_text_put(ev, TR_STR("cs-uri-stem"), stem, TR_VSTR);
        tr_text_put(ev, TR_STR("cs-uri-query"), rest, TR_VSTR);
    }
    if (version.n)
        tr_text_put(ev, TR_STR("cs-version"), version, TR_VSTR);
}

/* nginx's default "main" format ends with "$http_x_forwarded_for": a list
 * of addresses ("198.51.100.1, 10.0.0.1") or "-". */
static bool looks_forwarded_for(tr_str v)
{
    if (is_dash(v))
        return true;
    bool sep = false;
    for (size_t i = 0; i < v.n; i++) {
        unsigned char c = (unsigned char)v.p[i];
        if (c == '.' || c == ':')
            sep = true;
        else if (!(tr_text_hexval(c) >= 0 || c == ',' || c == ' '))
            return false;
    }
    return sep;
}

/* NetScaler's "Time: 6809 microsecs" as milliseconds ("6.809"), the unit
 * of W3C time-taken. false when v is not that field. */
static bool add_time_taken(tr_event *ev, tr_str v)
{
    static const char pre[] = "Time: ", post[] = " microsecs";
    size_t np = sizeof(pre) - 1, nq = sizeof(post) - 1;
    if (v.n <= np + nq || memcmp(v.p, pre, np) != 0 || memcmp(v.p + v.n - nq, post, nq) != 0)
        return false;
    tr_str num = { v.p + np, v.n - np - nq };
    if (!all_digits(num) || num.n > 18 || !ev->arena)
        return false;
    uint64_t us = 0;
    for (size_t i = 0; i < num.n; i++)
        us = us * 10 + (uint64_t)(num.p[i] - '0');
    char *b = tr_arena_alloc(ev->arena, 32);
    if (!b)
        return false;
    /* whole milliseconds, then the fraction without trailing zeros (6809 us
     * is "6.809", 6800 "6.8", 6000 "6"); written by hand: most NetScaler
     * lines carry the field, and snprintf per line showed in profiles */
    char digits[24];
    int nd = 0;
    uint64_t ms = us / 1000, frac = us % 1000;
    do {
        digits[nd++] = (char)('0' + ms % 10);
        ms /= 10;
    } while (ms);
    int k = 0;
    while (nd)
        b[k++] = digits[--nd];
    if (frac) {
        int places = frac % 100 == 0 ? 1 : frac % 10 == 0 ? 2 : 3;
        b[k++] = '.';
        b[k++] = (char)('0' + frac / 100);
        if (places > 1)
            b[k++] = (char)('0' + frac / 10 % 10);
        if (places > 2)
            b[k++] = (char)('0' + frac % 10);
    }
    tr_text_put(ev, TR_STR("time-taken"), (tr_str){ b, (size_t)k }, TR_VNUM);
    return true;
}

static tr_err parse_weblog(tr_parser *p, tr_str rec, tr_event *ev)
{
    rec = tr_text_trim_record(rec);
    scan s = { rec.p, rec.p + rec.n };
    if (!rec.n)
        return tr_parser_fail(p, TR_EPARSE, "empty line");

    /* host ident user, or vhost:port host ident user, then [time] */
    tr_str tok[4];
    int k = 0;
    skip_spaces(&s);
    while (k < 4 && s.p < s.e && *s.p != '[') {
        tok[k++] = token(&s);
        skip_spaces(&s);
    }
    if (s.p >= s.e || *s.p != '[' || k < 3)
        return tr_parser_fail(p, TR_EPARSE,
                              "not an access-log line: expected 'host ident user [time]'");
    const char *close = memchr(s.p, ']', (size_t)(s.e - s.p));
    if (!close)
        return tr_parser_fail(p, TR_EPARSE, "unterminated [timestamp]");
    tr_str when = { s.p + 1, (size_t)(close - s.p - 1) };
    weblog_state *st = p->state;
    bool cached = st->n && when.n == st->n && memcmp(when.p, st->text, when.n) == 0;
    if (cached) {
        ev->ts = st->ts;
    } else if (tr_time_parse_apache(when.p, when.n, &ev->ts) != TR_OK) {
        return tr_parser_fail(p, TR_EPARSE, "bad timestamp [%.*s]", (int)TR_MIN(when.n, 64),
                              when.p);
    }
    s.p = close + 1;
    skip_spaces(&s);
    tr_str request;
    if (s.p >= s.e || *s.p != '"')
        return tr_parser_fail(p, TR_EPARSE, "expected a quoted request after the timestamp");
    s.p++;
    if (!quoted(&s, &request))
        return tr_parser_fail(p, TR_EPARSE, "unterminated quoted request");
    skip_spaces(&s);
    tr_str status = token(&s);
    if (!all_digits(status) && !is_dash(status))
        return tr_parser_fail(p, TR_EPARSE, "expected a status code after the request, got '%.*s'",
                              (int)TR_MIN(status.n, 32), status.p);
    skip_spaces(&s);
    tr_str bytes = token(&s);
    if (bytes.n && !all_digits(bytes) && !is_dash(bytes))
        return tr_parser_fail(p, TR_EPARSE, "expected a byte count after the status, got '%.*s'",
                              (int)TR_MIN(bytes.n, 32), bytes.p);

    int first = 0;
    if (k == 4) { /* vhost_combined: "%v:%p" first */
        tr_str vh = tok[0];
        const char *colon = vh.n ? memrchr(vh.p, ':', vh.n) : NULL;
        tr_str port = { NULL, 0 };
        if (colon && !memchr(vh.p, ']', vh.n) && memchr(vh.p, ':', vh.n) == colon) {
            port = (tr_str){ colon + 1, (size_t)(vh.p + vh.n - colon - 1) };
            vh.n = (size_t)(colon - vh.p);
        }
        tr_text_put(ev, TR_STR("cs-host"), vh, TR_VSTR);
        if (all_digits(port))
            tr_text_add_num(ev, TR_STR("s-port"), port);
        first = 1;
    }
    tr_text_put(ev, TR_STR("c-ip"), tok[first], TR_VSTR);
    if (!is_dash(tok[first + 1]))
        tr_text_put(ev, TR_STR("ident"), tok[first + 1], TR_VSTR);
    add_str_or_null(ev, TR_STR("cs-username"), (tr_str){ NULL, 0 }, tok[first + 2]);
    tr_str date, time;
    if (cached && st->have_date_time && ev->arena) {
        char *b = tr_arena_alloc(ev->arena, sizeof(st->date_time));
        if (b) {
            memcpy(b, st->date_time, sizeof(st->date_time));
            tr_text_put(ev, TR_STR("date"), (tr_str){ b, 10 }, TR_VSTR);
            tr_text_put(ev, TR_STR("time"), (tr_str){ b + 10, 8 }, TR_VSTR);
        }
    } else if (tr_text_date_time(ev->ts, ev->arena, &date, &time)) {
        if (when.n <= WEBLOG_TS_MAX) {
            memcpy(st->text, when.p, when.n);
            st->n = when.n;
            st->ts = ev->ts;
            memcpy(st->date_time, date.p, 10);
            memcpy(st->date_time + 10, time.p, 8);
            st->have_date_time = true;
        }
        tr_text_put(ev, TR_STR("date"), date, TR_VSTR);
        tr_text_put(ev, TR_STR("time"), time, TR_VSTR);
    }
    add_request(ev, tr_text_unescape_log(request, ev->arena));
    if (is_dash(status))
        tr_text_put(ev, TR_STR("sc-status"), status, TR_VNULL);
    else
        tr_text_add_num(ev, TR_STR("sc-status"), status);
    if (is_dash(bytes))
        tr_text_put(ev, TR_STR("sc-bytes"), TR_STR("0"), TR_VNUM);
    else if (bytes.n)
        tr_text_add_num(ev, TR_STR("sc-bytes"), bytes);

    /* Referer and User-Agent when quoted, then anything else. */
    int item = 0, nextra = 0;
    for (;;) {
        skip_spaces(&s);
        if (s.p >= s.e)
            break;
        tr_str v;
        bool q = *s.p == '"';
        if (q) {
            s.p++;
            if (!quoted(&s, &v)) {
                v = (tr_str){ s.p, (size_t)(s.e - s.p) }; /* unterminated: keep the rest */
                s.p = s.e;
            }
            v = tr_text_unescape_log(v, ev->arena);
        } else {
            v = token(&s);
        }
        if (item == 0 && q)
            add_str_or_null(ev, TR_STR("cs-referer"), TR_STR("cs-referrer"), v);
        else if (item == 1 && q)
            add_str_or_null(ev, TR_STR("cs-user-agent"), TR_STR("c-useragent"), v);
        else if (item == 2 && q && looks_forwarded_for(v))
            add_str_or_null(ev, TR_STR("x-forwarded-for"), (tr_str){ NULL, 0 }, v);
        else if (!(q && add_time_taken(ev, v)) && nextra < WEBLOG_MAX_EXTRA)
            add_str_or_null(ev, extra_names[nextra++], (tr_str){ NULL, 0 }, v);
        if (item < 2 && !q)
            item = 2; /* an unquoted field ends the referer/user-agent pair */
        else
            item++;
    }
    tr_logsource_add_category(&ev->logsource, TR_STR("webserver"));
    return TR_OK;
}

const tr_format_ops tr_combined_format_ops = {
    .state_size = sizeof(weblog_state),
    .init = NULL,
    .parse = parse_weblog,
    .release = NULL,
};
