/*
 * test_parse_w3c.c - W3C extended logs: IIS and NetScaler layouts, #Fields
 * changes mid-file, the composed cs-uri-query, aliases, rejection of records
 * that do not fit the layout, header caps, no allocation per event.
 */
#include "tt.h"

#include "trawl/arena.h"
#include "trawl/parse.h"

#define NF 64

typedef struct w3 {
    tr_parser *p;
    tr_arena *a;
    tr_field f[NF];
    tr_event ev;
} w3;

static bool w3_open(w3 *w)
{
    memset(w, 0, sizeof(*w));
    if (tr_parser_new(TR_FMT_W3C, NULL, &w->p) != TR_OK)
        return false;
    w->a = tr_arena_new(0, 0);
    tr_event_init(&w->ev, w->f, NF, w->a);
    return w->a != NULL;
}

static void w3_close(w3 *w)
{
    tr_parser_free(w->p);
    tr_arena_free(w->a);
}

static tr_err w3_parse(w3 *w, const char *line)
{
    tr_arena_reset(w->a);
    tr_event_reset(&w->ev);
    return tr_parser_parse(w->p, tr_str_c(line), &w->ev);
}

static const tr_field *get(const w3 *w, const char *name)
{
    return tr_event_find(&w->ev, tr_str_c(name));
}

static const char *val(const w3 *w, const char *name)
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

#define IIS_FIELDS                                                                         \
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip " \
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken"

TEST(parse_w3c_iis_default_layout)
{
    w3 w;
    CHECK(w3_open(&w));
    CHECK_EQ(w3_parse(&w, "\xEF\xBB\xBF#Software: Microsoft Internet Information Services 10.0"),
             TR_ESKIP);
    CHECK_EQ(w3_parse(&w, "#Version: 1.0"), TR_ESKIP);
    CHECK_EQ(w3_parse(&w, "#Date: 2021-03-02 00:00:05"), TR_ESKIP);
    CHECK_EQ(w3_parse(&w, IIS_FIELDS), TR_ESKIP);
    CHECK_EQ(w3_parse(&w, "2021-03-02 00:00:05 10.0.0.5 POST /ecp/DDI/DDIService.svc/GetObject "
                          "schema=OABVirtualDirectory 443 - 203.0.113.50 "
                          "Mozilla/5.0+(Windows+NT) - 200 0 0 123\r"),
             TR_OK);
    CHECK_STR(val(&w, "cs-uri-stem"), "/ecp/DDI/DDIService.svc/GetObject");
    CHECK_STR(val(&w, "cs-uri-query"),
              "/ecp/DDI/DDIService.svc/GetObject?schema=OABVirtualDirectory");
    CHECK_STR(val(&w, "cs-uri"), "/ecp/DDI/DDIService.svc/GetObject?schema=OABVirtualDirectory");
    CHECK(get(&w, "cs-uri")->flags & TR_FIELD_DERIVED);
    CHECK_STR(val(&w, "cs(User-Agent)"), "Mozilla/5.0+(Windows+NT)"); /* '+' kept */
    CHECK_STR(val(&w, "cs-user-agent"), "Mozilla/5.0+(Windows+NT)");
    CHECK_STR(val(&w, "c-useragent"), "Mozilla/5.0+(Windows+NT)");
    CHECK_STR(val(&w, "cs-referer"), "<null>");
    CHECK_STR(val(&w, "cs-referrer"), "<null>");
    CHECK_STR(val(&w, "cs-username"), "<null>");
    CHECK_STR(val(&w, "sc-status"), "200");
    CHECK_EQ(get(&w, "sc-status")->kind, TR_VNUM);
    CHECK_EQ(get(&w, "time-taken")->kind, TR_VNUM);
    CHECK_EQ(get(&w, "c-ip")->kind, TR_VSTR);
    CHECK_EQ(w.ev.ts, INT64_C(1614643205) * 1000000000);
    CHECK_SLICE(w.ev.logsource.category[0], "webserver");
    /* no query: cs-uri-query is the stem alone */
    CHECK_EQ(w3_parse(&w, "2021-03-02 00:01:17 10.0.0.5 GET /owa/auth/x.js - 443 - 10.0.0.9 "
                          "ua - 304 0 0 15"),
             TR_OK);
    CHECK_STR(val(&w, "cs-uri-query"), "/owa/auth/x.js");
    w3_close(&w);
}

TEST(parse_w3c_fields_change_mid_file)
{
    w3 w;
    CHECK(w3_open(&w));
    CHECK_EQ(w3_parse(&w, IIS_FIELDS), TR_ESKIP);
    CHECK_EQ(w3_parse(&w, "2021-03-02 00:00:05 10.0.0.5 GET / - 443 - 1.2.3.4 ua - 200 0 0 1"),
             TR_OK);
    CHECK_EQ(w.ev.nfields, 18);
    CHECK_EQ(w3_parse(&w, "#Fields: date time c-ip cs-method cs-uri-stem cs(Host) sc-status"),
             TR_ESKIP);
    CHECK_EQ(w3_parse(&w, "2021-03-02 00:00:05 10.0.0.5 GET / - 443 - 1.2.3.4 ua - 200 0 0 1"),
             TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(w.p), "#Fields declares 7"));
    CHECK_EQ(w3_parse(&w, "2021-03-02 00:00:06 1.2.3.4 GET /x.aspx mail.example.com 500"), TR_OK);
    CHECK_STR(val(&w, "cs(Host)"), "mail.example.com");
    CHECK_STR(val(&w, "cs-host"), "mail.example.com");
    CHECK_STR(val(&w, "cs-uri-query"), "<absent>");
    CHECK_STR(val(&w, "cs-uri"), "/x.aspx");
    CHECK_STR(val(&w, "sc-status"), "500");
    w3_close(&w);
}

TEST(parse_w3c_netscaler_nswl)
{
    w3 w;
    CHECK(w3_open(&w));
    CHECK_EQ(w3_parse(&w, "#Fields: date time c-ip cs-username sc-servicename s-ip s-port "
                          "cs-method cs-uri-stem cs-uri-query sc-status cs-bytes sc-bytes "
                          "time-taken cs-version cs(User-Agent) cs(Cookie) cs(Referer)"),
             TR_ESKIP);
    CHECK_EQ(w3_parse(&w, "2020-01-20 08:14:02 66.42.98.220 - HTTP 10.10.1.20 443 POST "
                          "/vpn/../vpns/portal/scripts/newbm.pl - 200 1121 135 7 HTTP/1.1 "
                          "\"python requests\" NSC_USER=nsroot -"),
             TR_OK);
    CHECK_STR(val(&w, "cs-uri-query"), "/vpn/../vpns/portal/scripts/newbm.pl");
    CHECK_STR(val(&w, "cs-user-agent"), "python requests"); /* quoted value with a space */
    CHECK_STR(val(&w, "cs-cookie"), "NSC_USER=nsroot");
    CHECK_STR(val(&w, "sc-bytes"), "135");
    w3_close(&w);
}

TEST(parse_w3c_time_only_uses_header_date)
{
    w3 w;
    CHECK(w3_open(&w));
    CHECK_EQ(w3_parse(&w, "#Date: 2020-01-20 08:00:00"), TR_ESKIP);
    CHECK_EQ(w3_parse(&w, "#Fields: time c-ip cs-method cs-uri"), TR_ESKIP);
    CHECK_EQ(w3_parse(&w, "08:14:02.5 1.2.3.4 GET /a?b"), TR_OK);
    CHECK_EQ(w.ev.ts, INT64_C(1579508042) * 1000000000 + 500000000);
    CHECK_STR(val(&w, "date"), "2020-01-20");
    CHECK_STR(val(&w, "cs-uri"), "/a?b");
    w3_close(&w);
}

TEST(parse_w3c_rejects_records_without_layout)
{
    w3 w;
    CHECK(w3_open(&w));
    CHECK_EQ(w3_parse(&w, "2021-03-02 00:00:05 10.0.0.5 GET / - 443"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(w.p), "no #Fields"));
    CHECK_EQ(w3_parse(&w, "#Fields: date time c-ip"), TR_ESKIP);
    CHECK_EQ(w3_parse(&w, "2021-03-02 00:00:05"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(w.p), "2 fields, #Fields declares 3"));
    CHECK_EQ(w3_parse(&w, "2021-13-02 00:00:05 1.2.3.4"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(w.p), "bad date/time"));
    CHECK_EQ(w3_parse(&w, "2021-03-02 00:00:05 \"1.2.3.4"), TR_EPARSE);
    w3_close(&w);
}

TEST(parse_w3c_header_caps)
{
    w3 w;
    CHECK(w3_open(&w));
    char line[8192];
    size_t k = (size_t)snprintf(line, sizeof(line), "#Fields:");
    for (int i = 0; i < 200; i++)
        k += (size_t)snprintf(line + k, sizeof(line) - k, " f%d", i);
    CHECK_EQ(w3_parse(&w, line), TR_ELIMIT);
    CHECK_EQ(w3_parse(&w, "a b c"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(w.p), "no usable #Fields"));
    CHECK_EQ(w3_parse(&w, "#Fields:"), TR_EPARSE);
    w3_close(&w);
}

TEST(parse_w3c_no_allocation_per_event)
{
    w3 w;
    CHECK(w3_open(&w));
    CHECK_EQ(w3_parse(&w, IIS_FIELDS), TR_ESKIP);
    const char *line = "2021-03-02 00:00:05 10.0.0.5 POST /a.aspx x=1 443 - 1.2.3.4 ua - 200 0 0 1";
    CHECK_EQ(w3_parse(&w, line), TR_OK);
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(w3_parse(&w, line), TR_OK);
    CHECK_EQ(w3_parse(&w, IIS_FIELDS), TR_ESKIP); /* header lines do not allocate either */
    CHECK_EQ(tr_alloc_count(), before);
    w3_close(&w);
}
