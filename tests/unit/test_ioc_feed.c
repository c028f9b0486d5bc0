/*
 * test_ioc_feed.c - every feed format: counts by type, attribution and
 * metadata, and malformed entries reported with their line.
 */
#include "tt.h"

#include "trawl/ioc.h"
#include "trawl/log.h"

typedef struct diags {
    char text[8192];
    size_t n;
    int count;
} diags;

static void collect(void *ctx, const char *path, uint64_t line, const char *id, const char *why)
{
    diags *d = ctx;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int k = snprintf(d->text + d->n, sizeof(d->text) - d->n, "%s:%" PRIu64 ":%s%s %s\n", base,
                     line, id ? " " : "", id ? id : "", why);
    if (k > 0 && d->n + (size_t)k < sizeof(d->text))
        d->n += (size_t)k;
    d->count++;
}

static tr_ioc_index *load(const char *file, diags *d, const tr_ioc_opts *extra, tr_err *err)
{
    tr_ioc_opts o = { 0 };
    if (extra)
        o = *extra;
    o.diag = collect;
    o.diag_ctx = d;
    memset(d, 0, sizeof(*d));
    tr_ioc_builder *b;
    if (tr_ioc_builder_new(&o, &b) != TR_OK)
        return NULL;
    char path[512];
    snprintf(path, sizeof(path), "%s/ioc/%s", tt_datadir(), file);
    *err = tr_ioc_builder_add_feed(b, path, NULL);
    tr_ioc_index *x;
    if (tr_ioc_builder_finish(b, &x) != TR_OK)
        return NULL;
    return x;
}

/* The indicator with this value, or NULL. */
static bool find(const tr_ioc_index *x, const char *value, tr_indicator *out)
{
    for (size_t i = 0; i < tr_ioc_index_count(x); i++) {
        tr_ioc_index_get(x, i, out);
        if (out->value.n == strlen(value) && memcmp(out->value.p, value, out->value.n) == 0)
            return true;
    }
    return false;
}

TEST(ioc_feed_detect_format)
{
    CHECK_EQ(tr_ioc_format_detect("1.2.3.4\n", 8), TR_IOCF_PLAIN);
    const char *z = "#separator \\x09\n#fields\tindicator\tindicator_type\tmeta.source\n";
    CHECK_EQ(tr_ioc_format_detect(z, strlen(z)), TR_IOCF_ZEEK);
    const char *c = "value,type\n1.2.3.4,ipv4\n";
    CHECK_EQ(tr_ioc_format_detect(c, strlen(c)), TR_IOCF_CSV);
    const char *c2 = "# \"id\",\"url\",\"x\"\n\"1\",\"http://a.com\",\"\"\n";
    CHECK_EQ(tr_ioc_format_detect(c2, strlen(c2)), TR_IOCF_CSV);
    const char *s = " {\"type\": \"bundle\", \"objects\": []}";
    CHECK_EQ(tr_ioc_format_detect(s, strlen(s)), TR_IOCF_STIX);
    const char *m = "{\"response\":[{\"Event\":{}}]}";
    CHECK_EQ(tr_ioc_format_detect(m, strlen(m)), TR_IOCF_MISP);
    const char *w = "{\"name\":\"x\",\"type\":\"cidr\",\"list\":[\"10.0.0.0/8\"]}";
    CHECK_EQ(tr_ioc_format_detect(w, strlen(w)), TR_IOCF_WARNINGLIST);
}

TEST(ioc_feed_plain)
{
    diags d;
    tr_err err;
    tr_ioc_index *x = load("plain.txt", &d, NULL, &err);
    CHECK(x);
    CHECK_EQ(err, TR_OK);
    CHECK_MSG(d.count == 0, "unexpected rejects:\n%s", d.text);
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    CHECK_EQ(st.by_type[TR_IOC_IPV4], 2);
    CHECK_EQ(st.by_type[TR_IOC_IPV6], 1);
    CHECK_EQ(st.by_type[TR_IOC_CIDR], 2);
    CHECK_EQ(st.by_type[TR_IOC_URL], 3);
    CHECK_EQ(st.by_type[TR_IOC_DOMAIN], 2);
    CHECK_EQ(st.by_type[TR_IOC_MD5], 1);
    CHECK_EQ(st.by_type[TR_IOC_SHA1], 1);
    CHECK_EQ(st.by_type[TR_IOC_SHA256], 1);
    CHECK_EQ(st.by_type[TR_IOC_EMAIL], 1);
    CHECK_EQ(st.by_type[TR_IOC_FILENAME], 2);
    CHECK_EQ(st.total, 16);
    tr_indicator ind;
    CHECK(find(x, "66.42.98.220", &ind));
    CHECK_SLICE(ind.feed, "plain");
    CHECK(ind.actor.n == 0 && ind.confidence == -1 && ind.valid_from == TR_TS_NONE);
    CHECK(find(x, "https://evil.com/Gate.php?id=1", &ind));
    CHECK(find(x, "www.example.org", &ind));
    CHECK(find(x, "da39a3ee5e6b4b0d3255bfef95601890afd80709", &ind));
    CHECK(find(x, "attacker@bad-mail.net", &ind));
    CHECK(find(x, "install.bat", &ind));
    CHECK(find(x, "2.exe", &ind));
    tr_ioc_index_free(x);
}

TEST(ioc_feed_plain_rejects_with_lines)
{
    diags d;
    tr_err err;
    tr_ioc_index *x = load("plain_bad.txt", &d, NULL, &err);
    CHECK(x);
    CHECK_EQ(err, TR_OK);
    CHECK_EQ(tr_ioc_index_count(x), 1);
    CHECK_EQ(d.count, 5);
    CHECK_MSG(strstr(d.text, "plain_bad.txt:3: cannot tell the indicator type: '999.1.1.1'"),
              "%s", d.text);
    CHECK(strstr(d.text, "plain_bad.txt:4: "));
    CHECK(strstr(d.text, "plain_bad.txt:5: "));
    CHECK(strstr(d.text, "plain_bad.txt:6: not a URL"));
    CHECK(strstr(d.text, "plain_bad.txt:8: "));
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    CHECK_EQ(st.rejected, 5);
    tr_ioc_index_free(x);
}

TEST(ioc_feed_csv_threatfox)
{
    diags d;
    tr_err err;
    tr_ioc_index *x = load("threatfox.csv", &d, NULL, &err);
    CHECK(x);
    CHECK_EQ(err, TR_OK);
    CHECK_EQ(tr_ioc_index_count(x), 4);
    CHECK_EQ(d.count, 2);
    CHECK_MSG(strstr(d.text, "threatfox.csv:11: not a domain name: 'not a domain'"), "%s",
              d.text);
    CHECK_MSG(strstr(d.text, "threatfox.csv:12: malformed CSV"), "%s", d.text);
    tr_indicator ind;
    CHECK(find(x, "66.42.98.220", &ind));
    CHECK_EQ(ind.type, TR_IOC_IPV4);
    CHECK_EQ(ind.confidence, 100);
    CHECK_EQ(ind.first_seen, INT64_C(1579507200) * 1000000000);
    CHECK(ind.last_seen != TR_TS_NONE);
    CHECK(find(x, "http://91.208.184.78/2.exe", &ind));
    CHECK_EQ(ind.confidence, 75);
    CHECK(ind.last_seen == TR_TS_NONE);
    CHECK(find(x, "checkin.travelsanignacio.com", &ind));
    tr_ioc_index_free(x);
}

TEST(ioc_feed_csv_vendor_mapping)
{
    diags d;
    tr_err err;
    tr_ioc_index *x = load("vendor.csv", &d, NULL, &err);
    CHECK(x);
    CHECK_EQ(tr_ioc_index_count(x), 4);
    CHECK_EQ(d.count, 2);
    CHECK_MSG(strstr(d.text, "vendor.csv:5: not a domain name"), "%s", d.text);
    CHECK_MSG(strstr(d.text, "vendor.csv:6: not a domain name"), "%s", d.text);
    tr_indicator ind;
    CHECK(find(x, "exchange.dumb1.com", &ind));
    CHECK_SLICE(ind.actor, "APT41");
    CHECK_EQ(ind.confidence, 80);
    CHECK(find(x, "c0ffee00c0ffee00c0ffee00c0ffee00", &ind));
    CHECK_SLICE(ind.actor, "APT \"41\"");
    tr_ioc_index_free(x);

    /* an explicit mapping overrides the header */
    tr_ioc_opts o = { .csv_map = "value=1,actor=7" };
    x = load("vendor.csv", &d, &o, &err);
    CHECK(x);
    CHECK(find(x, "66.42.98.220", &ind));
    CHECK_SLICE(ind.actor, "C2, Cobalt Strike");
    tr_ioc_index_free(x);
    tr_ioc_opts bad = { .csv_map = "value=nosuchcolumn" };
    x = load("vendor.csv", &d, &bad, &err);
    CHECK_EQ(err, TR_EINVAL);
    CHECK(strstr(d.text, "no column 'nosuchcolumn'"));
    tr_ioc_index_free(x);
}

TEST(ioc_feed_csv_misp_export)
{
    diags d;
    tr_err err;
    tr_ioc_index *x = load("misp_export.csv", &d, NULL, &err);
    CHECK(x);
    CHECK_MSG(d.count == 0, "%s", d.text);
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    /* ip-dst, filename|md5 (2), ip-dst|port (1), domain|ip (2); to_ids=0 and comment skipped */
    CHECK_EQ(st.total, 6);
    CHECK_EQ(st.skipped, 2);
    tr_indicator ind;
    CHECK(find(x, "install.bat", &ind) && ind.type == TR_IOC_FILENAME);
    CHECK(find(x, "0cc175b9c0f1b6a831c399e269772661", &ind) && ind.type == TR_IOC_MD5);
    CHECK(find(x, "45.76.6.149", &ind));
    CHECK(find(x, "103.74.192.105", &ind));
    CHECK(!find(x, "www.google.com", &ind));
    tr_ioc_index_free(x);
    tr_ioc_opts all = { .misp_all_attributes = true };
    x = load("misp_export.csv", &d, &all, &err);
    CHECK(find(x, "www.google.com", &ind));
    tr_ioc_index_free(x);
}

TEST(ioc_feed_zeek_intel)
{
    diags d;
    tr_err err;
    tr_ioc_index *x = load("intel.dat", &d, NULL, &err);
    CHECK(x);
    CHECK_EQ(err, TR_OK);
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    CHECK_EQ(st.total, 7);
    CHECK_EQ(st.by_type[TR_IOC_CIDR], 1);
    CHECK_EQ(st.by_type[TR_IOC_URL], 1);
    CHECK_EQ(d.count, 5);
    CHECK_MSG(strstr(d.text, "intel.dat:9: indicator type 'Intel::SOFTWARE' is not supported"),
              "%s", d.text);
    CHECK(strstr(d.text, "intel.dat:10: Intel::ADDR '1.2.3' is not an address"));
    CHECK(strstr(d.text, "intel.dat:11: Intel::FILE_HASH 'abc'"));
    CHECK(strstr(d.text, "intel.dat:12: empty indicator"));
    CHECK(strstr(d.text, "intel.dat:13: 1 fields"));
    tr_indicator ind;
    CHECK(find(x, "evil.com", &ind));
    CHECK(find(x, "evil.com/gate.php", &ind));
    tr_ioc_index_free(x);
    x = load("intel_bad.dat", &d, NULL, &err);
    CHECK_EQ(err, TR_EPARSE);
    CHECK(strstr(d.text, "intel_bad.dat:1: #fields names no indicator and indicator_type"));
    tr_ioc_index_free(x);
}

TEST(ioc_feed_duplicates_and_feeds)
{
    tr_ioc_builder *b;
    CHECK(tr_ioc_builder_new(NULL, &b) == TR_OK);
    const char *f1 = "evil.com\nEVIL.COM.\n1.2.3.4\n";
    const char *f2 = "evil.com\n";
    CHECK(tr_ioc_builder_add_feed_mem(b, f1, strlen(f1), TR_IOCF_AUTO, "f1.txt", NULL) == TR_OK);
    CHECK(tr_ioc_builder_add_feed_mem(b, f2, strlen(f2), TR_IOCF_AUTO, "x/f2.txt", "second") ==
          TR_OK);
    tr_ioc_index *x;
    CHECK(tr_ioc_builder_finish(b, &x) == TR_OK);
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    CHECK_EQ(st.total, 3); /* evil.com from two feeds + the address */
    CHECK_EQ(st.duplicates, 1);
    CHECK_EQ(st.feeds, 2);
    tr_indicator ind;
    tr_ioc_index_get(x, 2, &ind);
    CHECK_SLICE(ind.feed, "second");
    tr_ioc_index_free(x);
}

TEST(ioc_feed_missing_file)
{
    tr_ioc_builder *b;
    CHECK(tr_ioc_builder_new(NULL, &b) == TR_OK);
    CHECK_EQ(tr_ioc_builder_add_feed(b, "/nonexistent/feed.txt", NULL), TR_ENOENT);
    tr_ioc_builder_free(b);
}

TEST(ioc_feed_stix_bundle)
{
    diags d;
    tr_err err;
    tr_ioc_index *x = load("bundle.json", &d, NULL, &err);
    CHECK(x);
    CHECK_EQ(err, TR_OK);
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    CHECK_EQ(st.total, 11);
    CHECK_EQ(st.by_type[TR_IOC_URL], 2);
    CHECK_EQ(st.by_type[TR_IOC_CIDR], 1);
    CHECK_EQ(st.by_type[TR_IOC_IPV6], 1);
    CHECK_EQ(d.count, 4);
    CHECK_MSG(strstr(d.text, "bundle.json:68: indicator--a1000000-0000-4000-8000-000000000006 "
                             "AND of value comparisons"), "%s", d.text);
    CHECK_MSG(strstr(d.text, "bundle.json:78: indicator--a1000000-0000-4000-8000-000000000007 "
                             "object path process:name is not supported"), "%s", d.text);
    CHECK(strstr(d.text, "bundle.json:88: indicator--a1000000-0000-4000-8000-000000000008 "
                         "pattern_type is not stix"));
    CHECK(strstr(d.text, ":98: indicator--a1000000-0000-4000-8000-000000000009 qualifiers"));
    tr_indicator ind;
    CHECK(find(x, "66.42.98.220", &ind));
    CHECK_SLICE(ind.actor, "APT41");
    CHECK_EQ(ind.confidence, 85);
    CHECK_EQ(ind.valid_from, INT64_C(1579478400) * 1000000000);
    CHECK_EQ(ind.valid_until, INT64_C(1585699200) * 1000000000);
    CHECK(find(x, "http://66.42.98.220/12345/test.txt", &ind));
    CHECK(ind.actor.n == 0);
    CHECK(find(x, "cead3f77f6cda6ec00f57d76c9a6879f", &ind) && ind.type == TR_IOC_MD5);
    CHECK(find(x, "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f", &ind));
    CHECK(find(x, "203.0.113.33", &ind) && ind.type == TR_IOC_IPV4);
    CHECK(find(x, "198.51.100.0/24", &ind));
    CHECK(find(x, "lure@evil.example", &ind));
    CHECK(find(x, "c2.campaign.example", &ind));
    CHECK_SLICE(ind.actor, "Wicked Panda");
    tr_ioc_index_free(x);
}

TEST(ioc_feed_stix_broken_keeps_what_was_read)
{
    diags d;
    tr_err err;
    tr_ioc_index *x = load("bundle_broken.json", &d, NULL, &err);
    CHECK(x);
    CHECK_EQ(err, TR_EPARSE);
    CHECK_EQ(tr_ioc_index_count(x), 1);
    CHECK_MSG(strstr(d.text, "bundle_broken.json:13: invalid JSON"), "%s", d.text);
    tr_ioc_index_free(x);
}

TEST(ioc_feed_stix_patterns)
{
    tr_ioc_builder *b;
    diags d;
    memset(&d, 0, sizeof(d));
    tr_ioc_opts o = { .diag = collect, .diag_ctx = &d };
    CHECK(tr_ioc_builder_new(&o, &b) == TR_OK);
    const char *doc =
        "[{\"type\":\"indicator\",\"id\":\"i1\",\"pattern\":"
        "\"[url:value IN ('http://a.example/x', 'http://b.example/y')] /* list */\"},"
        "{\"type\":\"indicator\",\"id\":\"i2\",\"pattern\":"
        "\"([domain-name:value = 'it\\\\'s.example'] OR [domain-name:value = 'ok.example'])\"},"
        "{\"type\":\"indicator\",\"id\":\"i3\",\"pattern\":\"[ipv4-addr:value != '1.2.3.4']\"},"
        "{\"type\":\"indicator\",\"id\":\"i4\",\"pattern\":"
        "\"[ipv4-addr:value = '1.2.3.4'] AND [ipv4-addr:value = '5.6.7.8']\"},"
        "{\"type\":\"indicator\",\"id\":\"i5\",\"pattern\":\"[ipv4-addr:value = '1.2.3.4'\"},"
        "{\"type\":\"indicator\",\"id\":\"i6\",\"pattern\":\"[file:hashes.'SHA-1' = 'f00']\"},"
        "{\"type\":\"indicator\",\"id\":\"i7\",\"revoked\":true,\"pattern\":"
        "\"[domain-name:value = 'revoked.example']\"},"
        "{\"type\":\"indicator\",\"id\":\"i8\",\"pattern\":"
        "\"[network-traffic:dst_ref.value = 'c2.example' AND network-traffic:dst_ref.type = "
        "'domain-name']\"}]";
    CHECK(tr_ioc_builder_add_feed_mem(b, doc, strlen(doc), TR_IOCF_STIX, "p.json", NULL) ==
          TR_OK);
    tr_ioc_index *x;
    CHECK(tr_ioc_builder_finish(b, &x) == TR_OK);
    tr_indicator ind;
    CHECK(find(x, "http://a.example/x", &ind));
    CHECK(find(x, "http://b.example/y", &ind));
    CHECK(find(x, "ok.example", &ind));
    CHECK(find(x, "c2.example", &ind) && ind.type == TR_IOC_DOMAIN);
    CHECK(!find(x, "revoked.example", &ind));
    CHECK_MSG(strstr(d.text, "i2 not a domain name: 'it's.example'"), "%s", d.text);
    CHECK(strstr(d.text, "i3 operator != is not supported"));
    CHECK(strstr(d.text, "i4 AND/FOLLOWEDBY between observations"));
    CHECK(strstr(d.text, "i5 ']' was expected"));
    CHECK(strstr(d.text, "i6 not a hex digest"));
    CHECK_EQ(d.count, 5);
    tr_ioc_index_free(x);
}

TEST(ioc_feed_misp_events)
{
    diags d;
    tr_err err;
    tr_ioc_index *x = load("misp_event.json", &d, NULL, &err);
    CHECK(x);
    CHECK_EQ(err, TR_OK);
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    CHECK_EQ(st.total, 9);
    CHECK_EQ(st.skipped, 4);
    CHECK_EQ(d.count, 1);
    CHECK_MSG(strstr(d.text, "misp_event.json:16: 5e2a0001-0000-4000-8000-000000000005 not a hex "
                             "digest (sha256): 'not-a-hash'"), "%s", d.text);
    tr_indicator ind;
    CHECK(find(x, "66.42.98.220", &ind));
    CHECK_SLICE(ind.actor, "APT41");
    CHECK_EQ(ind.first_seen, INT64_C(1579478400) * 1000000000);
    CHECK(find(x, "http://91.208.184.78/2.exe", &ind));
    CHECK_SLICE(ind.actor, "Wicked Panda");
    CHECK(find(x, "45.76.6.149", &ind));
    CHECK(find(x, "install.bat", &ind));
    CHECK_SLICE(ind.actor, "APT41");
    CHECK(find(x, "103.74.192.105", &ind));
    CHECK(find(x, "evil.example.org", &ind));
    CHECK(ind.actor.n == 0);
    CHECK(find(x, "198.51.100.7", &ind));
    CHECK(!find(x, "www.google.com", &ind));
    CHECK(!find(x, "exchange.dumb1.com", &ind));
    tr_ioc_index_free(x);

    x = load("misp_bare.json", &d, NULL, &err);
    CHECK(x);
    CHECK_EQ(tr_ioc_index_count(x), 3);
    CHECK(find(x, "hr@lure.example", &ind));
    CHECK_SLICE(ind.actor, "APT41");
    CHECK(find(x, "Resume.doc", &ind) && ind.type == TR_IOC_FILENAME);
    tr_ioc_index_free(x);
}

TEST(ioc_feed_warninglists)
{
    tr_ioc_builder *b;
    diags d;
    memset(&d, 0, sizeof(d));
    tr_ioc_opts o = { .diag = collect, .diag_ctx = &d };
    CHECK(tr_ioc_builder_new(&o, &b) == TR_OK);
    const char *feed = "8.8.8.8\n1.1.1.5\n2606:4700::1\nwww.google.com\nupdate.microsoft.com\n"
                       "update3.evil.com\nevil.com\n66.42.98.220\n";
    CHECK(tr_ioc_builder_add_feed_mem(b, feed, strlen(feed), TR_IOCF_PLAIN, "f.txt", NULL) ==
          TR_OK);
    const char *lists[] = { "warninglist.json", "warninglist_hosts.json", "warninglist_regex.json" };
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/ioc/%s", tt_datadir(), lists[i]);
        CHECK(tr_ioc_builder_add_allowlist(b, path) == TR_OK);
    }
    /* a warninglist given as a feed is refused */
    char wl[512];
    snprintf(wl, sizeof(wl), "%s/ioc/warninglist.json", tt_datadir());
    CHECK_EQ(tr_ioc_builder_add_feed(b, wl, NULL), TR_EFORMAT);
    tr_ioc_index *x;
    CHECK(tr_ioc_builder_finish(b, &x) == TR_OK);
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    CHECK_EQ(st.allowlist_entries, 7);
    CHECK_EQ(st.allowlisted, 6);
    CHECK_EQ(st.total, 2);
    CHECK_MSG(strstr(d.text, "warninglist.json:6: not a value of the list's type: 'not-a-network'"),
              "%s", d.text);
    CHECK(strstr(d.text, "warninglist_regex.json:1: bad regex"));
    CHECK(strstr(d.text, "warninglist.json:0: a MISP warninglist is an allowlist"));
    tr_ioc_index_free(x);
}

TEST(ioc_feed_misp_list_of_events_and_broken)
{
    tr_ioc_builder *b;
    diags d;
    memset(&d, 0, sizeof(d));
    tr_ioc_opts o = { .diag = collect, .diag_ctx = &d };
    CHECK(tr_ioc_builder_new(&o, &b) == TR_OK);
    const char *list = "[{\"Event\": {\"Attribute\": [{\"type\": \"domain\", \"value\": \"a.example\","
                       " \"to_ids\": true}]}},\n {\"Event\": {\"Galaxy\": [{\"type\": "
                       "\"mitre-intrusion-set\", \"GalaxyCluster\": [{\"value\": \"APT41 - G0096\"}]}],"
                       " \"Attribute\": [{\"type\": \"hostname\", \"value\": \"b.example\", "
                       "\"to_ids\": true}]}}]";
    CHECK(tr_ioc_builder_add_feed_mem(b, list, strlen(list), TR_IOCF_AUTO, "l.json", NULL) ==
          TR_OK);
    /* a document cut in the middle of an event: the attributes read so far are kept */
    const char *cut = "{\"Event\": {\"Attribute\": [{\"type\": \"ip-dst\", \"value\": \"192.0.2.9\", "
                      "\"to_ids\": true},\n{\"type\": \"ip-dst\", \"value\": \"192.0.2.10\"";
    CHECK_EQ(tr_ioc_builder_add_feed_mem(b, cut, strlen(cut), TR_IOCF_AUTO, "cut.json", NULL),
             TR_EPARSE);
    tr_ioc_index *x;
    CHECK(tr_ioc_builder_finish(b, &x) == TR_OK);
    tr_indicator ind;
    CHECK(find(x, "a.example", &ind) && ind.actor.n == 0);
    CHECK(find(x, "b.example", &ind));
    CHECK_SLICE(ind.actor, "APT41");
    CHECK(find(x, "192.0.2.9", &ind));
    CHECK(!find(x, "192.0.2.10", &ind)); /* incomplete: no to_ids seen */
    CHECK_MSG(strstr(d.text, "cut.json:2: invalid JSON"), "%s", d.text);
    tr_ioc_index_free(x);
}

/* Writes a feed of several MiB to the temporary directory: large enough that
 * the loader hands pages of the mapping back while it reads. */
static FILE *big_feed(const char *name, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", tt_tmpdir(), name);
    return fopen(path, "w");
}

static tr_ioc_index *load_path(const char *path, diags *d, tr_err *err)
{
    tr_ioc_opts o = { 0 };
    o.diag = collect;
    o.diag_ctx = d;
    memset(d, 0, sizeof(*d));
    tr_ioc_builder *b;
    if (tr_ioc_builder_new(&o, &b) != TR_OK)
        return NULL;
    *err = tr_ioc_builder_add_feed(b, path, NULL);
    tr_ioc_index *x;
    if (tr_ioc_builder_finish(b, &x) != TR_OK)
        return NULL;
    return x;
}

TEST(ioc_feed_stix_large_bundle_attributed_at_the_end)
{
    enum { N = 60000 };
    char path[512];
    FILE *f = big_feed("large.stix.json", path, sizeof(path));
    CHECK(f);
    if (!f)
        return;
    fprintf(f, "{\"type\": \"bundle\", \"id\": \"bundle--1\", \"objects\": [\n");
    for (int k = 0; k < N; k++)
        fprintf(f, "{\"type\": \"indicator\", \"id\": \"indicator--%08d\", \"created\": "
                   "\"2020-01-20T00:00:00.000Z\", \"pattern\": \"[ipv4-addr:value = "
                   "'10.%d.%d.%d']\", \"pattern_type\": \"stix\", \"valid_from\": "
                   "\"2020-01-01T00:00:00Z\", \"confidence\": %d},\n",
                k, k >> 16, (k >> 8) & 255, k & 255, k % 100);
    /* line N + 2 */
    fprintf(f, "{\"type\": \"indicator\", \"id\": \"indicator--bad\", "
               "\"pattern\": \"[process:name = 'x']\", \"pattern_type\": \"stix\"},\n");
    fprintf(f, "{\"type\": \"relationship\", \"relationship_type\": \"indicates\", "
               "\"source_ref\": \"indicator--00000000\", \"target_ref\": \"intrusion-set--1\"},\n");
    fprintf(f, "{\"type\": \"relationship\", \"relationship_type\": \"indicates\", "
               "\"source_ref\": \"indicator--%08d\", \"target_ref\": \"campaign--1\"},\n", N - 1);
    fprintf(f, "{\"type\": \"relationship\", \"relationship_type\": \"attributed-to\", "
               "\"source_ref\": \"campaign--1\", \"target_ref\": \"threat-actor--1\"},\n");
    fprintf(f, "{\"type\": \"intrusion-set\", \"id\": \"intrusion-set--1\", \"name\": \"APT41\"},\n");
    fprintf(f, "{\"type\": \"threat-actor\", \"id\": \"threat-actor--1\", "
               "\"name\": \"Wicked Panda\"},\n"); /* line N + 7; no closing "]}" */
    long size = ftell(f);
    fclose(f);
    CHECK(size > 8L << 20);
    diags d;
    tr_err err;
    tr_ioc_index *x = load_path(path, &d, &err);
    CHECK(x);
    if (!x)
        return;
    CHECK_EQ(err, TR_EPARSE);
    CHECK_EQ(tr_ioc_index_count(x), N);
    CHECK_EQ(d.count, 2);
    char want[128];
    snprintf(want, sizeof(want), "large.stix.json:%d: indicator--bad object path process:name",
             N + 2);
    CHECK_MSG(strstr(d.text, want), "%s", d.text);
    snprintf(want, sizeof(want), "large.stix.json:%d: invalid JSON", N + 8);
    CHECK_MSG(strstr(d.text, want), "%s", d.text);
    tr_indicator ind;
    CHECK(find(x, "10.0.0.0", &ind));
    CHECK_SLICE(ind.actor, "APT41");
    CHECK_EQ(ind.confidence, 0);
    char last[32];
    snprintf(last, sizeof(last), "10.%d.%d.%d", (N - 1) >> 16, ((N - 1) >> 8) & 255,
             (N - 1) & 255);
    CHECK(find(x, last, &ind));
    CHECK_SLICE(ind.actor, "Wicked Panda");
    CHECK_EQ(ind.confidence, (N - 1) % 100);
    CHECK(find(x, "10.0.0.1", &ind));
    CHECK(ind.actor.n == 0);
    CHECK_EQ(ind.confidence, 1);
    CHECK_EQ(ind.valid_from, INT64_C(1577836800) * 1000000000);
    tr_ioc_index_free(x);
    remove(path);
}

TEST(ioc_feed_misp_large_event_actor_at_the_end)
{
    enum { N = 40000 };
    char path[512];
    FILE *f = big_feed("large.misp.json", path, sizeof(path));
    CHECK(f);
    if (!f)
        return;
    fprintf(f, "{\"Event\": {\"info\": \"big\", \"Attribute\": [\n");
    for (int k = 0; k < N; k++) {
        const char *own = k == N / 2 ? ", \"Tag\": [{\"name\": "
                                       "\"misp-galaxy:threat-actor=\\\"Wicked Panda\\\"\"}]"
                                     : "";
        fprintf(f, "{\"type\": \"ip-dst\", \"category\": \"Network activity\", \"to_ids\": true, "
                   "\"uuid\": \"5e2a0000-0000-4000-8000-%012d\", \"value\": \"10.%d.%d.%d\"%s},\n",
                k, k >> 16, (k >> 8) & 255, k & 255, own);
    }
    /* line N + 2 */
    fprintf(f, "{\"type\": \"md5\", \"to_ids\": true, \"uuid\": \"bad\", \"value\": \"nope\"}],\n");
    fprintf(f, "\"Tag\": [{\"name\": \"misp-galaxy:threat-actor=\\\"APT41\\\"\"}]}}\n");
    long size = ftell(f);
    fclose(f);
    CHECK(size > 5L << 20);
    diags d;
    tr_err err;
    tr_ioc_index *x = load_path(path, &d, &err);
    CHECK(x);
    if (!x)
        return;
    CHECK_EQ(err, TR_OK);
    CHECK_EQ(tr_ioc_index_count(x), N);
    CHECK_EQ(d.count, 1);
    char want[64];
    snprintf(want, sizeof(want), "large.misp.json:%d: bad ", N + 2);
    CHECK_MSG(strstr(d.text, want), "%s", d.text);
    tr_indicator ind;
    CHECK(find(x, "10.0.0.0", &ind));
    CHECK_SLICE(ind.actor, "APT41");
    char mid[32];
    snprintf(mid, sizeof(mid), "10.%d.%d.%d", (N / 2) >> 16, ((N / 2) >> 8) & 255, (N / 2) & 255);
    CHECK(find(x, mid, &ind));
    CHECK_SLICE(ind.actor, "Wicked Panda");
    tr_ioc_index_free(x);
    remove(path);
}

static void keep_log(tr_log_level level, const char *line, void *ctx)
{
    (void)level;
    char *buf = ctx;
    size_t n = strlen(buf);
    snprintf(buf + n, 4096 - n, "%s\n", line);
}

TEST(ioc_feed_csv_unknown_type_said_once_with_its_line)
{
    static const char feed[] = "type,value\nip-dst,1.2.3.4\nmutex,Global\\x\nmutex,Global\\y\n"
                               "ip-dts,5.6.7.8\n";
    char logbuf[4096] = "";
    tr_log_set_sink(keep_log, logbuf);
    tr_ioc_builder *b;
    CHECK_EQ(tr_ioc_builder_new(NULL, &b), TR_OK);
    CHECK_EQ(tr_ioc_builder_add_feed_mem(b, feed, sizeof(feed) - 1, TR_IOCF_CSV, "t.csv", NULL),
             TR_OK);
    tr_ioc_index *x;
    CHECK_EQ(tr_ioc_builder_finish(b, &x), TR_OK);
    tr_log_set_sink(NULL, NULL);
    tr_ioc_stats st;
    tr_ioc_index_stats(x, &st);
    CHECK_EQ(st.total, 1);
    CHECK_EQ(st.skipped, 3);
    CHECK_MSG(strstr(logbuf, "t.csv:3: rows of type 'mutex' skipped") != NULL, "%s", logbuf);
    CHECK_MSG(strstr(logbuf, "t.csv:5: rows of type 'ip-dts' skipped") != NULL, "%s", logbuf);
    CHECK_MSG(strstr(logbuf, "t.csv:4:") == NULL, "said twice: %s", logbuf); /* once a type */
    tr_ioc_index_free(x);
}
