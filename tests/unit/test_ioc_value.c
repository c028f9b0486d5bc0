/*
 * test_ioc_value.c - refanging, type detection and normalisation of
 * indicator values.
 */
#include "tt.h"

#include "ioc/value.h"

static const char *norm(tr_ioc_type *t, const char *in)
{
    static char out[IOC_MAX_VALUE + 64];
    char fang[IOC_MAX_VALUE + 64];
    size_t n = ioc_refang(in, strlen(in), fang);
    if (*t == TR_IOC_NONE)
        *t = ioc_detect(fang, n);
    const char *why;
    if (*t == TR_IOC_NONE || !ioc_normalize(t, fang, n, out, sizeof(out), &why))
        return NULL;
    return out;
}

static tr_ioc_type detect(const char *in)
{
    char fang[IOC_MAX_VALUE + 64];
    size_t n = ioc_refang(in, strlen(in), fang);
    return ioc_detect(fang, n);
}

TEST(ioc_value_refang)
{
    char out[128];
    const char *cases[][2] = {
        { "hxxp://evil[.]com/a", "http://evil.com/a" },
        { "hXXps[://]evil(.)com", "https://evil.com" },
        { "evil{.}com", "evil.com" },
        { "evil[dot]com", "evil.com" },
        { "evil(DOT)com", "evil.com" },
        { "1.2.3[.]4", "1.2.3.4" },
        { "bad[@]evil[.]net", "bad@evil.net" },
        { "bad[at]evil.net", "bad@evil.net" },
        { "http[:]//x.com", "http://x.com" },
        { "fxp://x.org/f", "ftp://x.org/f" },
        { "evil\\.com", "evil.com" },
        { "[not-defanged]", "[not-defanged]" },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(cases); i++) {
        size_t n = ioc_refang(cases[i][0], strlen(cases[i][0]), out);
        out[n] = '\0';
        CHECK_STR(out, cases[i][1]);
    }
}

TEST(ioc_value_detect_types)
{
    CHECK_EQ(detect("1.2.3.4"), TR_IOC_IPV4);
    CHECK_EQ(detect("1.2.3.4:8080"), TR_IOC_IPV4);
    CHECK_EQ(detect("1.2.3.0/24"), TR_IOC_CIDR);
    CHECK_EQ(detect("1.2.3.4/32"), TR_IOC_IPV4);
    CHECK_EQ(detect("2001:db8::1"), TR_IOC_IPV6);
    CHECK_EQ(detect("2001:db8::/32"), TR_IOC_CIDR);
    CHECK_EQ(detect("evil.com"), TR_IOC_DOMAIN);
    CHECK_EQ(detect("EVIL.COM."), TR_IOC_DOMAIN);
    CHECK_EQ(detect("xn--80ak6aa92e.com"), TR_IOC_DOMAIN);
    CHECK_EQ(detect("hxxp://evil[.]com"), TR_IOC_URL);
    CHECK_EQ(detect("evil.com/gate.php"), TR_IOC_URL);
    CHECK_EQ(detect("d41d8cd98f00b204e9800998ecf8427e"), TR_IOC_MD5);
    CHECK_EQ(detect("da39a3ee5e6b4b0d3255bfef95601890afd80709"), TR_IOC_SHA1);
    CHECK_EQ(detect("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
             TR_IOC_SHA256);
    CHECK_EQ(detect("a@evil.com"), TR_IOC_EMAIL);
    CHECK_EQ(detect("2.exe"), TR_IOC_FILENAME);
    CHECK_EQ(detect("invoice.PDF"), TR_IOC_FILENAME);
    CHECK_EQ(detect("C:\\Windows\\Temp\\x.bat"), TR_IOC_FILENAME);
    CHECK_EQ(detect("no_dot_word"), TR_IOC_NONE);
    CHECK_EQ(detect("999.1.1.1"), TR_IOC_NONE);
    CHECK_EQ(detect("two words.com"), TR_IOC_NONE);
    CHECK_EQ(detect("1234.5678"), TR_IOC_NONE);
    CHECK_EQ(detect("d41d8cd98f00b204e9800998ecf8427"), TR_IOC_NONE); /* 31 hex */
}

TEST(ioc_value_normalise)
{
    tr_ioc_type t = TR_IOC_NONE;
    CHECK_STR(norm(&t, "EVIL.Com."), "evil.com");
    t = TR_IOC_DOMAIN;
    CHECK_STR(norm(&t, "*.evil.com"), "evil.com");
    t = TR_IOC_NONE;
    CHECK_STR(norm(&t, "10.1.2.3/8"), "10.0.0.0/8");
    CHECK_EQ(t, TR_IOC_CIDR);
    t = TR_IOC_NONE;
    CHECK_STR(norm(&t, "10.1.2.3/32"), "10.1.2.3");
    CHECK_EQ(t, TR_IOC_IPV4);
    t = TR_IOC_NONE;
    CHECK_STR(norm(&t, "2001:DB8:0:0::1"), "2001:db8::1");
    t = TR_IOC_NONE;
    CHECK_STR(norm(&t, "::ffff:1.2.3.4"), "1.2.3.4");
    CHECK_EQ(t, TR_IOC_IPV4);
    t = TR_IOC_NONE;
    CHECK_STR(norm(&t, "66.42.98.220:443"), "66.42.98.220");
    t = TR_IOC_NONE;
    CHECK_STR(norm(&t, "D41D8CD98F00B204E9800998ECF8427E"), "d41d8cd98f00b204e9800998ecf8427e");
    t = TR_IOC_SHA256; /* wrong length for the type */
    CHECK(norm(&t, "d41d8cd98f00b204e9800998ecf8427e") == NULL);
    t = TR_IOC_NONE;
    CHECK_STR(norm(&t, "Bad@Evil.COM"), "bad@evil.com");
    t = TR_IOC_FILENAME;
    CHECK_STR(norm(&t, "/tmp/Payload.EXE"), "Payload.EXE");
}

TEST(ioc_value_url_canon)
{
    const char *cases[][2] = {
        { "HTTP://Evil.COM:80/A/b?x=1#frag", "http://evil.com/A/b?x=1" },
        { "https://evil.com:443", "https://evil.com/" },
        { "https://evil.com:8443/", "https://evil.com:8443/" },
        { "http://user:pw@evil.com/x", "http://evil.com/x" },
        { "ftp://test:pw@66.42.98.220/bsd", "ftp://66.42.98.220/bsd" },
        { "http://evil.com/%7euser/%2f%41", "http://evil.com/~user/%2FA" },
        { "http://evil.com./x", "http://evil.com/x" },
        { "evil.com/gate.php", "evil.com/gate.php" },
        { "http://[2001:db8::1]:80/x", "http://[2001:db8::1]/x" },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(cases); i++) {
        tr_ioc_type t = TR_IOC_URL;
        const char *got = norm(&t, cases[i][0]);
        CHECK_MSG(got && strcmp(got, cases[i][1]) == 0, "%s -> %s (want %s)", cases[i][0],
                  got ? got : "(null)", cases[i][1]);
    }
    tr_ioc_type t = TR_IOC_URL;
    CHECK(norm(&t, "http:///nohost") == NULL);
    CHECK(norm(&t, "http://bad host/") == NULL);
    tr_str k = ioc_url_key(TR_STR("https://evil.com/x"));
    CHECK_SLICE(k, "evil.com/x");
    k = ioc_url_key(TR_STR("evil.com/a://b"));
    CHECK_SLICE(k, "evil.com/a://b");
}

TEST(ioc_value_ip_parse_strict)
{
    uint32_t v;
    CHECK(ioc_parse_ipv4("1.2.3.4", 7, &v) && v == 0x01020304);
    CHECK(!ioc_parse_ipv4("1.2.3", 5, &v));
    CHECK(!ioc_parse_ipv4("1.2.3.4.5", 9, &v));
    CHECK(!ioc_parse_ipv4("1.2.3.256", 9, &v));
    CHECK(!ioc_parse_ipv4("1.2.3.1234", 10, &v));
    ioc_ip ip;
    CHECK(ioc_parse_ip("[2001:db8::1]", 13, &ip, false) && !ip.v4);
    CHECK(!ioc_parse_ip("2001:db8::g", 11, &ip, false));
    CHECK(!ioc_parse_ip("10.0.0.0/33", 11, &ip, true));
    CHECK(ioc_parse_ip("10.0.0.0/8", 10, &ip, true) && ip.plen == 8 && ip.v4);
}

/* The dotted-quad reader as first written (the reference): a part is 1 to 3
 * digits, leading zeros allowed, at most 255. */
static bool ref_ipv4(const char *p, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || p[i] != '.')
                return false;
            i++;
        }
        unsigned x = 0, digits = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 4) {
            x = x * 10 + (unsigned)(p[i] - '0');
            i++;
            digits++;
        }
        if (digits == 0 || digits > 3 || x > 255)
            return false;
        v = (v << 8) | x;
    }
    if (i != n)
        return false;
    *out = v;
    return true;
}

TEST(ioc_value_ipv4_as_reference)
{
    static const char alphabet[] = "0123456789..12a";
    uint64_t x = 88172645463325252ULL;
    for (int round = 0; round < 200000; round++) {
        char buf[20];
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t n = (size_t)(x % 18);
        for (size_t i = 0; i < n; i++)
            buf[i] = alphabet[(x >> (4 + 3 * i)) % (sizeof(alphabet) - 1)];
        if (round % 3 == 0 && n >= 7) /* mostly well-formed quads */
            n = (size_t)snprintf(buf, sizeof(buf), "%u.%u.%u.%u", (unsigned)(x >> 8) % 300,
                                 (unsigned)(x >> 20) % 256, (unsigned)(x >> 32) % 1000,
                                 (unsigned)(x >> 44) % 260);
        uint32_t a = 0, b = 0;
        bool ra = ioc_parse_ipv4(buf, n, &a), rb = ref_ipv4(buf, n, &b);
        CHECK_MSG(ra == rb && (!ra || a == b), "'%.*s': %d/%d", (int)n, buf, ra, rb);
    }
}

TEST(ioc_value_domain_rules)
{
    CHECK(ioc_is_domain("a.b", 3));
    CHECK(ioc_is_domain("evil.com.", 9));
    CHECK(!ioc_is_domain("com", 3));
    CHECK(!ioc_is_domain("1.2.3.4", 7));
    CHECK(!ioc_is_domain("evil..com", 9));
    CHECK(!ioc_is_domain("-evil.com", 9));
    CHECK(!ioc_is_domain("evil.com/x", 10));
}
