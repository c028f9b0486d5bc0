/*
 * test_match_ip.c - the strict address and prefix parsers and the canonical
 * formatter.
 */
#include "tt.h"

#include "match/ip.h"

/* Parses s and formats it back; "ERR" when rejected. */
static const char *canon(const char *s, unsigned flags)
{
    static char buf[TR_IP_STRLEN];
    tr_ip ip;
    if (tr_ip_parse(tr_str_c(s), flags, &ip) != TR_OK)
        return "ERR";
    tr_ip_format(&ip, buf, sizeof(buf));
    return buf;
}

static const char *canon_cidr(const char *s, unsigned flags)
{
    static char buf[TR_IP_STRLEN + 8];
    tr_ip ip;
    uint8_t len;
    if (tr_cidr_parse(tr_str_c(s), flags, &ip, &len) != TR_OK)
        return "ERR";
    size_t n = tr_ip_format(&ip, buf, sizeof(buf));
    snprintf(buf + n, sizeof(buf) - n, "/%u", len);
    return buf;
}

TEST(match_ip_v4)
{
    CHECK_STR(canon("1.2.3.4", 0), "1.2.3.4");
    CHECK_STR(canon("0.0.0.0", 0), "0.0.0.0");
    CHECK_STR(canon("255.255.255.255", 0), "255.255.255.255");
    CHECK_STR(canon("10.0.100.9", 0), "10.0.100.9");
    const char *bad[] = { "1.2.3.4.5", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.04", "1.2.3.",
                          ".1.2.3", "1..2.3", "1.2.3.4 ", " 1.2.3.4", "1.2.3.-4", "1.2.3.+4",
                          "0x1.2.3.4", "16909060", "1.2.3.1000", "1.2.3.4/8", "", "a.b.c.d",
                          "1.2.3.4%eth0" };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++)
        CHECK_MSG(strcmp(canon(bad[i], TR_IP_ZONE), "ERR") == 0, "accepted '%s'", bad[i]);
    tr_ip ip;
    CHECK(tr_ip_parse((tr_str){ "1.2.3.4", 5 }, 0, &ip) == TR_EPARSE); /* slice "1.2.3" */
    CHECK(tr_ip_parse((tr_str){ "9.8.7.6xyz", 7 }, 0, &ip) == TR_OK);
    CHECK_EQ(ip.family, 4);
    CHECK_EQ(ip.b[3], 6);
}

TEST(match_ip_v6)
{
    CHECK_STR(canon("::", 0), "::");
    CHECK_STR(canon("::1", 0), "::1");
    CHECK_STR(canon("1::", 0), "1::");
    CHECK_STR(canon("2001:DB8:0:0:0:0:0:1", 0), "2001:db8::1");
    CHECK_STR(canon("2001:db8:0:0:1:0:0:1", 0), "2001:db8::1:0:0:1"); /* first longest run */
    CHECK_STR(canon("2001:0db8:0000:0000:0000:ff00:0042:8329", 0), "2001:db8::ff00:42:8329");
    CHECK_STR(canon("2001:db8:0:1:1:1:1:1", 0), "2001:db8:0:1:1:1:1:1"); /* one zero: no :: */
    CHECK_STR(canon("1:2:3:4:5:6:7::", 0), "1:2:3:4:5:6:7:0");
    CHECK_STR(canon("::2:3:4:5:6:7:8", 0), "0:2:3:4:5:6:7:8");
    CHECK_STR(canon("64:ff9b::192.0.2.33", 0), "64:ff9b::c000:221");
    CHECK_STR(canon("::1.2.3.4", 0), "::102:304");
    CHECK_STR(canon("1:2:3:4:5:6:1.2.3.4", 0), "1:2:3:4:5:6:102:304");
    const char *bad[] = { ":", ":::", "1:2", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::",
                          "1:2:3:4:5:6:7:8::", "::1.2.3", "::256.1.1.1", "::01.2.3.4",
                          "1:2:3:4:5:6:7:1.2.3.4", ":1::", "1:", "1::2:", "g::", "::1 ",
                          "[::1]", "fe80::1%", "fe80::1%eth 0", "1.2.3.4::" };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++)
        CHECK_MSG(strcmp(canon(bad[i], TR_IP_ZONE), "ERR") == 0, "accepted '%s'", bad[i]);
}

TEST(match_ip_mapped_and_zone_decisions)
{
    /* IPv4-mapped addresses are IPv4 unless asked otherwise */
    CHECK_STR(canon("::ffff:1.2.3.4", 0), "1.2.3.4");
    CHECK_STR(canon("::FFFF:0102:0304", 0), "1.2.3.4");
    CHECK_STR(canon("::ffff:1.2.3.4", TR_IP_KEEP_MAPPED), "::ffff:1.2.3.4");
    tr_ip a, b;
    CHECK(!tr_ip_parse(TR_STR("::ffff:10.0.0.1"), 0, &a));
    CHECK(!tr_ip_parse(TR_STR("10.0.0.1"), 0, &b));
    CHECK(tr_ip_eq(&a, &b));
    /* zone ids: rejected by default, stripped on request */
    CHECK_STR(canon("fe80::1%eth0", 0), "ERR");
    CHECK_STR(canon("fe80::1%eth0", TR_IP_ZONE), "fe80::1");
    CHECK_STR(canon("fe80::1%12", TR_IP_ZONE), "fe80::1");
}

TEST(match_ip_cidr_parse)
{
    CHECK_STR(canon_cidr("10.0.0.0/8", 0), "10.0.0.0/8");
    CHECK_STR(canon_cidr("10.1.2.3/8", 0), "10.0.0.0/8"); /* host bits cleared */
    CHECK_STR(canon_cidr("10.1.2.3/8", TR_IP_STRICT_PREFIX), "ERR");
    CHECK_STR(canon_cidr("1.2.3.4", 0), "1.2.3.4/32");
    CHECK_STR(canon_cidr("0.0.0.0/0", 0), "0.0.0.0/0");
    CHECK_STR(canon_cidr("255.255.255.255/31", 0), "255.255.255.254/31");
    CHECK_STR(canon_cidr("2001:db8::/32", 0), "2001:db8::/32");
    CHECK_STR(canon_cidr("2001:db8::1", 0), "2001:db8::1/128");
    CHECK_STR(canon_cidr("::/0", 0), "::/0");
    CHECK_STR(canon_cidr("2001:db8:ffff::/33", 0), "2001:db8:8000::/33");
    CHECK_STR(canon_cidr("::ffff:10.1.0.0/112", 0), "10.1.0.0/16");
    CHECK_STR(canon_cidr("::ffff:0:0/96", 0), "0.0.0.0/0");
    CHECK_STR(canon_cidr("::ffff:0:0/95", 0), "::fffe:0:0/95");
    const char *bad[] = { "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/08", "10.0.0.0/-1", "/8",
                          "::/129", "::/1000", "10.0.0.0/8/8", "10.0.0.0/ 8", "1.2.3/24" };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++)
        CHECK_MSG(strcmp(canon_cidr(bad[i], 0), "ERR") == 0, "accepted '%s'", bad[i]);
}

TEST(match_ip_prefix_match)
{
    tr_ip net, a;
    uint8_t len;
    CHECK(!tr_cidr_parse(TR_STR("192.168.0.0/23"), 0, &net, &len));
    CHECK(!tr_ip_parse(TR_STR("192.168.1.255"), 0, &a));
    CHECK(tr_ip_prefix_match(&net, len, &a));
    CHECK(!tr_ip_parse(TR_STR("192.168.2.0"), 0, &a));
    CHECK(!tr_ip_prefix_match(&net, len, &a));
    CHECK(!tr_ip_parse(TR_STR("::1"), 0, &a));
    CHECK(!tr_ip_prefix_match(&net, len, &a)); /* other family */
    char small[8];
    CHECK(!tr_ip_parse(TR_STR("2001:db8::1"), 0, &a));
    CHECK_EQ(tr_ip_format(&a, small, sizeof(small)), 11); /* truncated, as snprintf */
    CHECK_STR(small, "2001:db");
}
