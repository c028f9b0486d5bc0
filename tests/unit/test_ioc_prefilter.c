/*
 * test_ioc_prefilter.c - the necessary literal of each indicator type and
 * the raw-text prefilter built from them (docs/IOC.md, "Prefilter").
 */
#include "tt.h"

#include "ioc/prefilter.h"
#include "trawl/ioc.h"

static const char *lit(tr_ioc_type t, const char *v)
{
    static char out[512];
    size_t n = ioc_pf_literal(t, tr_str_c(v), out, sizeof(out) - 1);
    out[n] = '\0';
    return out;
}

TEST(ioc_prefilter_literal_ipv4)
{
    CHECK_STR(lit(TR_IOC_IPV4, "1.2.3.4"), "1.2.3.4");
    CHECK_STR(lit(TR_IOC_IPV4, "203.0.113.33"), "203.0.113.33");
    /* networks: the whole fixed octets with their dots */
    CHECK_STR(lit(TR_IOC_CIDR, "10.1.2.0/24"), "10.1.2.");
    CHECK_STR(lit(TR_IOC_CIDR, "10.1.2.128/25"), "10.1.2.");
    CHECK_STR(lit(TR_IOC_CIDR, "10.1.0.0/16"), "10.1.");
    CHECK_STR(lit(TR_IOC_CIDR, "10.1.0.0/23"), "10.1.");
    CHECK_STR(lit(TR_IOC_CIDR, "10.0.0.0/8"), "10.");
    CHECK_STR(lit(TR_IOC_CIDR, "172.16.0.0/12"), "172.");
    CHECK_STR(lit(TR_IOC_CIDR, "0.0.0.0/4"), "");
    CHECK_STR(lit(TR_IOC_CIDR, "1.0.0.0/8"), "1."); /* too short: the prefilter is off */
}

TEST(ioc_prefilter_literal_ipv6)
{
    /* the longest non-zero group of the first six, minimal hex, its ':'
     * (from its first hex digit: the literal starts at a word start) */
    CHECK_STR(lit(TR_IOC_IPV6, "2001:db8::1"), "2001:");
    CHECK_STR(lit(TR_IOC_IPV6, "2001:db8:aaaa::1"), "aaaa:");
    CHECK_STR(lit(TR_IOC_IPV6, "fe80::1:abcd"), "fe80:");
    CHECK_STR(lit(TR_IOC_IPV6, "::1"), "");           /* only group 7 */
    CHECK_STR(lit(TR_IOC_IPV6, "::1.2.3.4"), "");     /* groups 6-7 may be dotted */
    CHECK_STR(lit(TR_IOC_IPV6, "0:0:0:0:0:12:0:1"), "12:");
    CHECK_STR(lit(TR_IOC_IPV6, "1:2:3:4:5:6:7:8"), "1:");
    /* networks: only groups wholly inside the prefix */
    CHECK_STR(lit(TR_IOC_CIDR, "2001:db8::/32"), "2001:");
    CHECK_STR(lit(TR_IOC_CIDR, "2001:db8:abcd::/47"), "2001:");
    CHECK_STR(lit(TR_IOC_CIDR, "2001:db8:abcd::/48"), "abcd:");
    CHECK_STR(lit(TR_IOC_CIDR, "2000::/3"), "");
}

TEST(ioc_prefilter_literal_names)
{
    CHECK_STR(lit(TR_IOC_DOMAIN, "evil.com"), "evil.com");
    CHECK_STR(lit(TR_IOC_URL, "http://evil.com/gate.php?id=1"), "evil.com");
    CHECK_STR(lit(TR_IOC_URL, "https://evil.com:8443/a"), "evil.com");
    CHECK_STR(lit(TR_IOC_URL, "evil.com/gate.php"), "evil.com");
    CHECK_STR(lit(TR_IOC_URL, "http://[2001:db8::1]/x"), "2001:db8::1");
    CHECK_STR(lit(TR_IOC_URL, "http://91.208.184.78/2.exe"), "91.208.184.78");
    CHECK_STR(lit(TR_IOC_MD5, "d41d8cd98f00b204e9800998ecf8427e"),
              "d41d8cd98f00b204e9800998ecf8427e");
    CHECK_STR(lit(TR_IOC_EMAIL, "bad@evil.net"), "bad@evil.net");
    CHECK_STR(lit(TR_IOC_FILENAME, "Invoice.EXE"), "invoice.exe"); /* matched caselessly */
    /* a byte a decoder makes from an escape ends the literal: the longest safe run */
    CHECK_STR(lit(TR_IOC_FILENAME, "ab\"cdef.exe"), "cdef.exe");
    /* and starts with a letter or digit */
    CHECK_STR(lit(TR_IOC_FILENAME, "_evil.exe"), "evil.exe");
    CHECK_STR(lit(TR_IOC_FILENAME, "--x.exe"), "x.exe");
}

/* An index of the given plain feed and its prefilter (NULL + why when off). */
static tr_ioc_index *index_of(const char *feed)
{
    tr_ioc_builder *b;
    if (tr_ioc_builder_new(NULL, &b))
        return NULL;
    if (tr_ioc_builder_add_feed_mem(b, feed, strlen(feed), TR_IOCF_PLAIN, "t.txt", NULL)) {
        tr_ioc_builder_free(b);
        return NULL;
    }
    tr_ioc_index *x;
    return tr_ioc_builder_finish(b, &x) ? NULL : x;
}

static bool passes(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch *s, const char *line)
{
    return tr_ioc_prefilter_text(pf, s, tr_str_c(line));
}

/* An index of feed with its prefilter and a scratch (all NULL on failure). */
typedef struct pf_fixture {
    tr_ioc_index *x;
    tr_ioc_prefilter *pf;
    tr_ioc_pf_scratch *s;
} pf_fixture;

static pf_fixture fixture_of(const char *feed)
{
    pf_fixture f = { index_of(feed), NULL, NULL };
    if (f.x && (tr_ioc_prefilter_new(f.x, &f.pf, NULL, 0) || !f.pf ||
                tr_ioc_pf_scratch_new(f.pf, &f.s)))
        f.s = NULL;
    return f;
}

static void fixture_free(pf_fixture *f)
{
    tr_ioc_pf_scratch_free(f->s);
    tr_ioc_prefilter_free(f->pf);
    tr_ioc_index_free(f->x);
}

TEST(ioc_prefilter_text)
{
    tr_ioc_index *x = index_of("1.2.3.4\nevil.com\nhttp://bad.example.org/x\n"
                               "d41d8cd98f00b204e9800998ecf8427e\n10.9.8.0/24\n2001:db8:aaaa::1\n");
    CHECK(x != NULL);
    tr_ioc_prefilter *pf;
    char why[200];
    CHECK_EQ(tr_ioc_prefilter_new(x, &pf, why, sizeof(why)), TR_OK);
    CHECK(pf != NULL);
    tr_ioc_pf_scratch *s;
    CHECK_EQ(tr_ioc_pf_scratch_new(pf, &s), TR_OK);
    CHECK(passes(pf, s, "src=1.2.3.4 dst=5.6.7.8"));
    CHECK(passes(pf, s, "GET http://WWW.EVIL.COM/ HTTP/1.1"));
    CHECK(passes(pf, s, "Bad.Example.Org"));
    CHECK(passes(pf, s, "D41D8CD98F00B204E9800998ECF8427E"));
    CHECK(passes(pf, s, "10.9.8.77"));
    CHECK(passes(pf, s, "[2001:0DB8:AAAA:0:0:0:0:1]"));
    /* always patterns */
    CHECK(passes(pf, s, "{\"q\":\"evil\\u002ecom\"}"));
    CHECK(passes(pf, s, "evil\\x2ecom"));
    CHECK(passes(pf, s, "::FFFF:0102:0304"));
    CHECK(passes(pf, s, "from 001.002.003.004 port 22"));
    CHECK(passes(pf, s, "x=1.2.03.4"));
    CHECK(passes(pf, s, "x=1.2.3.04;"));
    CHECK(passes(pf, s, "x=1.02.3.4"));
    /* nothing of any indicator */
    CHECK(!passes(pf, s, "src=5.6.7.8 dst=9.9.9.9 notevil.co"));
    CHECK(!passes(pf, s, "ts=1600000000.012345 duration=0.000123 100.1.2.3"));
    CHECK(!passes(pf, s, "version 1.05.2 build 10.0"));
    CHECK(!passes(pf, s, ""));
    /* a literal counts only at a word start: the scanner never takes a value
     * from the middle of a word */
    CHECK(!passes(pf, s, "host=notevil.com ip=11.2.3.4 net=110.9.8.7"));
    CHECK(passes(pf, s, "host=a.evil.com"));
    CHECK(passes(pf, s, "host=x_evil.com"));
    CHECK(passes(pf, s, "path=C:\\tmp\\evil.com"));
    /* ... or after a two-byte escape, whose letter is not part of the value */
    CHECK(passes(pf, s, "{\"m\":\"x\\nevil.com\"}"));
    CHECK(passes(pf, s, "{\"m\":\"x\\tevil.com\"}"));

    /* records of a block: marks by span, one per record */
    const char *buf = "a 5.6.7.8\nb evil.com\nc nothing\nd 1.2.03.4\n";
    tr_record recs[4];
    const char *p = buf;
    for (int i = 0; i < 4; i++) {
        const char *nl = strchr(p, '\n');
        recs[i] = (tr_record){ .data = { p, (size_t)(nl - p) }, .line = (uint64_t)i + 1 };
        p = nl + 1;
    }
    uint8_t mark[4];
    CHECK_EQ(tr_ioc_prefilter_mark(pf, s, recs, 4, mark), TR_OK);
    CHECK_EQ(mark[0], 0);
    CHECK_EQ(mark[1], 1);
    CHECK_EQ(mark[2], 0);
    CHECK_EQ(mark[3], 1);
    /* a literal is looked for within one record: split, it is in neither */
    const char *buf2 = "x evil.com y";
    recs[0] = (tr_record){ .data = { buf2, 5 } };
    recs[1] = (tr_record){ .data = { buf2 + 5, 7 } };
    CHECK_EQ(tr_ioc_prefilter_mark(pf, s, recs, 2, mark), TR_OK);
    CHECK(!mark[0]);
    CHECK(!mark[1]);
    /* a rejected record always passes */
    recs[0].status = TR_ELIMIT;
    CHECK_EQ(tr_ioc_prefilter_mark(pf, s, recs, 2, mark), TR_OK);
    CHECK(mark[0]);

    /* the scan allocates nothing */
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 10; i++)
        (void)passes(pf, s, "src=1.2.3.4 dst=5.6.7.8");
    CHECK_EQ(tr_alloc_count(), before);

    tr_ioc_pf_scratch_free(s);
    tr_ioc_prefilter_free(pf);
    tr_ioc_index_free(x);
}

TEST(ioc_prefilter_word_starts_and_ends)
{
    /* short literals (under 8 bytes) need the word to end after them or to
     * end with a non-word byte of their own; long ones are verified whole */
    pf_fixture f = fixture_of("t.co\n10.9.8.0/24\nfe8::1\nservicehost189.info\n_drop.js\n");
    CHECK(f.s != NULL);
    const tr_ioc_prefilter *pf = f.pf;
    tr_ioc_pf_scratch *s = f.s;
    CHECK(passes(pf, s, "GET https://t.co/abc"));
    CHECK(passes(pf, s, "host T.CO."));
    CHECK(passes(pf, s, "t.co"));
    CHECK(!passes(pf, s, "host t.com t.cox"));
    CHECK(passes(pf, s, "src 10.9.8.200 dst"));
    CHECK(!passes(pf, s, "src 10.9.80.1 110.9.8.1"));
    /* an IPv6 group may be written with leading zeros: "fe8:" in "0fe8:" */
    CHECK(passes(pf, s, "[0FE8::1]:443"));
    CHECK(passes(pf, s, "fe8::1"));
    CHECK(!passes(pf, s, "1fe8::1"));
    CHECK(passes(pf, s, "Host: SERVICEHOST189.INFO"));
    CHECK(!passes(pf, s, "Host: servicehost18.info servicehost1890.inf"));
    CHECK(passes(pf, s, "/static/_drop.js?v=1"));
    /* a literal reaching the end of the record, in a buffer that goes on */
    const char *buf = "x servicehost189.infoXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
    CHECK(tr_ioc_prefilter_text(pf, s, (tr_str){ buf, 21 }));
    CHECK(!tr_ioc_prefilter_text(pf, s, (tr_str){ buf, 20 }));
    fixture_free(&f);
}

TEST(ioc_prefilter_masks_agree)
{
    /* the SIMD byte classes (SSE2, and AVX-512BW where the CPU has it)
     * equal the portable ones on every byte value */
    unsigned char q[64];
    for (unsigned round = 0; round < 16; round++) {
        ioc_pf_isa isa = round < 8 ? IOC_PF_ISA_BASE : IOC_PF_ISA_AVX512;
        if (!ioc_pf_isa_supported(isa))
            continue;
        for (unsigned i = 0; i < 64; i++)
            q[i] = (unsigned char)(round * 64 + i);
        ioc_pf_masks a, b;
        ioc_pf_masks64(isa, q, &a);
        ioc_pf_masks64_portable(q, &b);
        CHECK_EQ(a.word, b.word);
        CHECK_EQ(a.digit, b.digit);
        CHECK_EQ(a.bslash, b.bslash);
        CHECK_EQ(a.colon, b.colon);
        CHECK_EQ(a.zero, b.zero);
        CHECK_EQ(a.dot, b.dot);
        CHECK_EQ(a.f, b.f);
        CHECK_EQ(a.join, b.join);
    }
    ioc_pf_masks m;
    ioc_pf_masks64_portable((const unsigned char *)"aZ09:\\0_@[`{/.-"
                            "................................................", &m);
    CHECK_EQ(m.word & 0xffff, 0x4fu); /* a Z 0 9, the second 0 */
    CHECK_EQ(m.digit & 0xffff, 0x4cu);
    CHECK_EQ(m.colon & 0xffff, 0x10u);
    CHECK_EQ(m.bslash & 0xffff, 0x20u);
    CHECK_EQ(m.zero & 0xffff, 0x44u);
    CHECK_EQ(m.dot & 0xffff, 0xa000u); /* the "." and the filler from 15 on */
    ioc_pf_masks64_portable((const unsigned char *)"fF.f"
                            "............................................................", &m);
    CHECK_EQ(m.f & 0xffff, 0xbu);
    ioc_pf_masks64_portable((const unsigned char *)"-_@a+`"
                            "............................................................", &m);
    CHECK_EQ(m.join & 0xffff, 0x7u);
}

TEST(ioc_prefilter_no_ipv4_no_padded_check)
{
    /* without IPv4 indicators neither "ffff:" nor padded octets pass a line */
    pf_fixture f = fixture_of("evil.com\n");
    CHECK(f.s != NULL);
    const tr_ioc_prefilter *pf = f.pf;
    tr_ioc_pf_scratch *s = f.s;
    CHECK(!passes(pf, s, "::ffff:1.2.3.4 001.002.003.004"));
    CHECK(passes(pf, s, "EVIL.COM."));
    fixture_free(&f);
}

TEST(ioc_prefilter_off_for_short_literal)
{
    const char *feeds[] = { "evil.com\n::1\n", "evil.com\n1.0.0.0/8\n", "evil.com\n::/0\n" };
    for (size_t i = 0; i < TR_ARRAY_LEN(feeds); i++) {
        tr_ioc_index *x = index_of(feeds[i]);
        CHECK(x != NULL);
        tr_ioc_prefilter *pf = (tr_ioc_prefilter *)1;
        char why[200];
        CHECK_EQ(tr_ioc_prefilter_new(x, &pf, why, sizeof(why)), TR_OK);
        CHECK(pf == NULL);
        CHECK_MSG(strstr(why, "no literal of 3 bytes") != NULL, "%s", why);
        tr_ioc_index_free(x);
    }
}

TEST(ioc_prefilter_covers)
{
    CHECK(tr_ioc_prefilter_covers(TR_FMT_ZEEK));
    CHECK(tr_ioc_prefilter_covers(TR_FMT_JSON));
    CHECK(tr_ioc_prefilter_covers(TR_FMT_COMBINED));
    CHECK(!tr_ioc_prefilter_covers(TR_FMT_AUDITD));
    CHECK(!tr_ioc_prefilter_covers(TR_FMT_EVTX));
}

/* Builds 200 lines of 1-6 pieces into buf, the records into recs. */
static size_t lines_of(const char *const *pieces, size_t npieces, char *buf, size_t cap,
                       tr_record *recs, size_t nrecs)
{
    size_t len = 0, n = 0;
    uint32_t seed = 7;
    while (n < nrecs) {
        /* a line of 1-6 pieces, some long enough to cross 64-byte chunks */
        char line[512];
        size_t ln = 0;
        seed = seed * 1103515245u + 12345u;
        unsigned k = 1 + (seed >> 16) % 6;
        for (unsigned j = 0; j < k; j++) {
            seed = seed * 1103515245u + 12345u;
            const char *pc = pieces[(seed >> 16) % npieces];
            ln += (size_t)snprintf(line + ln, sizeof(line) - ln, "%s%s", j ? " " : "", pc);
        }
        if (len + ln + 2 > cap)
            break;
        memcpy(buf + len, line, ln);
        recs[n] = (tr_record){ .data = { buf + len, ln }, .line = n + 1 };
        len += ln;
        if (n % 3 == 0) /* some lines end in CRLF */
            buf[len++] = '\r';
        buf[len++] = '\n';
        n++;
    }
    return n;
}

/* One pass over a block's lines marks what each line alone would, with
 * every instruction set this CPU has, and they all mark the same. */
static void check_block_pass(const char *feed, const char *const *pieces, size_t npieces)
{
    pf_fixture f = fixture_of(feed);
    CHECK(f.s != NULL);
    if (!f.s)
        return;
    char buf[16384];
    tr_record recs[200];
    uint8_t mark[200], base_mark[200];
    size_t n = lines_of(pieces, npieces, buf, sizeof(buf), recs, TR_ARRAY_LEN(recs));
    CHECK(n > 100);
    for (ioc_pf_isa isa = IOC_PF_ISA_BASE; isa <= IOC_PF_ISA_AVX512; isa++) {
        if (!ioc_pf_isa_supported(isa))
            continue;
        f.pf->isa = isa;
        CHECK_EQ(tr_ioc_prefilter_mark(f.pf, f.s, recs, n, mark), TR_OK);
        size_t marked = 0;
        for (size_t i = 0; i < n; i++) {
            bool alone = tr_ioc_prefilter_text(f.pf, f.s, recs[i].data);
            CHECK_MSG(mark[i] == alone, "%s, line %zu: %.*s", ioc_pf_isa_name(isa), i,
                      (int)recs[i].data.n, recs[i].data.p);
            if (isa != IOC_PF_ISA_BASE)
                CHECK_MSG(mark[i] == base_mark[i], "%s vs baseline, line %zu: %.*s",
                          ioc_pf_isa_name(isa), i, (int)recs[i].data.n, recs[i].data.p);
            marked += mark[i];
        }
        memcpy(base_mark, mark, n);
        CHECK(marked > 10 && marked < n); /* both kinds are there */
    }
    fixture_free(&f);
}

TEST(ioc_prefilter_block_pass_equals_record_pass)
{
    /* short literals and IPv6 groups: every start takes the slow probe */
    static const char *const pieces[] = {
        "GET /a HTTP/1.1", "host=evil.com", "notevil.com", "11.2.3.4", "1.2.3.4:80",
        "x\\nevil.com", "T.CO/", "t.com", "10.9.8.7", "110.9.8.7", "[0fe8::1]", "::FFFF:1.1.1.1",
        "01.002.3.4", "a\\u002ecom", "D41D8CD98F00B204E9800998ECF8427E",
        "servicehost18.info", "SERVICEHOST189.INFO.", "/x/_drop.js?", "ts=1579478400.049000",
    };
    check_block_pass("1.2.3.4\nevil.com\nt.co\n10.9.8.0/24\nfe8::1\n_drop.js\n"
                     "d41d8cd98f00b204e9800998ecf8427e\nservicehost189.info\n",
                     pieces, TR_ARRAY_LEN(pieces));
}

TEST(ioc_prefilter_block_pass_long_literals)
{
    /* only literals of 8 bytes or more: the bitmap loop, all length classes */
    static const char *const pieces[] = {
        "GET /a HTTP/1.1", "ref=https://a.medianet607.cn/", "medianet608.cn", "10.20.30.40",
        "10.20.30.4", "110.20.30.40", "MEDIANET607.COM", "medianet607.cn.exampl",
        "statsupport.infox", "x\\nstatsupport.info", "::ffff:10.20.30.40", "010.20.30.40",
        "d41d8cd98f00b204e9800998ecf8427f", "20/Jan/2020:00:00:00", "ffff:abcd",
    };
    check_block_pass("10.20.30.40\nmedianet607.cn\nmedianet607.com\nmedianet607.cn.example\n"
                     "statsupport.info\nd41d8cd98f00b204e9800998ecf8427e\n",
                     pieces, TR_ARRAY_LEN(pieces));
}

TEST(ioc_prefilter_shared_prefixes)
{
    /* literals sharing their first 8 or 12 bytes, in each length class
     * (8-11, 12-15, 16 and more): each is found whole, no neighbour is */
    pf_fixture f = fixture_of("10.20.3.4\nmedianet607.org\nmedianet607.net\n"
                              "servicehost189.info.example\nservicehost189.info.examples\n");
    CHECK(f.s != NULL);
    const tr_ioc_prefilter *pf = f.pf;
    tr_ioc_pf_scratch *s = f.s;
    static const char *const yes[] = {
        "ip=10.20.3.4 x", "host medianet607.org", "MEDIANET607.NET",
        "a.servicehost189.info.example/", "servicehost189.info.examples",
    };
    static const char *const no[] = {
        "ip=10.20.3.5 x", "10.20.3.", "medianet607.cn", "medianet607.or", "medianet6070.org",
        "xmedianet607.org", "servicehost189.info.exampl", "servicehost189.info",
        "servicehost189.info.exbmple",
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(yes); i++)
        CHECK_MSG(passes(pf, s, yes[i]), "%s", yes[i]);
    for (size_t i = 0; i < TR_ARRAY_LEN(no); i++)
        CHECK_MSG(!passes(pf, s, no[i]), "%s", no[i]);
    fixture_free(&f);
}
