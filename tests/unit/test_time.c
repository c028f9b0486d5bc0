/*
 * test_time.c - timestamp parsing for every supported format, to UTC.
 */
#include "tt.h"

#include "core/time.h"

#define S INT64_C(1000000000)

static int64_t iso(const char *s)
{
    int64_t ns = 0;
    return tr_time_parse_iso8601(s, strlen(s), &ns) == TR_OK ? ns : -1;
}

TEST(time_civil)
{
    CHECK_EQ(tr_days_from_civil(1970, 1, 1), 0);
    CHECK_EQ(tr_days_from_civil(2000, 3, 1), 11017);
    CHECK_EQ(tr_days_from_civil(1969, 12, 31), -1);
    tr_tm tm;
    tr_time_split(INT64_C(951782400) * S, &tm); /* 2000-02-29 */
    CHECK_EQ(tm.year, 2000);
    CHECK_EQ(tm.month, 2);
    CHECK_EQ(tm.day, 29);
    CHECK_EQ(tm.wday, 2); /* Tuesday */
    tr_time_split(-1, &tm);
    CHECK_EQ(tm.year, 1969);
    CHECK_EQ(tm.second, 59);
    CHECK_EQ(tm.nsec, 999999999);
}

TEST(time_iso8601)
{
    CHECK_EQ(iso("2020-01-20T08:14:02Z"), INT64_C(1579508042) * S);
    CHECK_EQ(iso("2020-01-20T08:14:02"), INT64_C(1579508042) * S);
    CHECK_EQ(iso("2020-01-20 08:14:02"), INT64_C(1579508042) * S);
    CHECK_EQ(iso("2020-01-20T09:14:02+01:00"), INT64_C(1579508042) * S);
    CHECK_EQ(iso("2020-01-20T09:14:02+0100"), INT64_C(1579508042) * S);
    CHECK_EQ(iso("2020-01-20T03:14:02-05"), INT64_C(1579508042) * S);
    CHECK_EQ(iso("2020-01-20T08:14:02.123456789Z"), INT64_C(1579508042) * S + 123456789);
    CHECK_EQ(iso("2020-01-20T08:14:02.5Z"), INT64_C(1579508042) * S + 500000000);
    CHECK_EQ(iso("2020-01-20T08:14:02.1234567891234Z"), INT64_C(1579508042) * S + 123456789);
    CHECK_EQ(iso("20200120T081402Z"), INT64_C(1579508042) * S);
    CHECK_EQ(iso("2020-01-20"), INT64_C(1579478400) * S);
    CHECK_EQ(iso("2020-01-20T08:14Z"), INT64_C(1579508040) * S);
    CHECK_EQ(iso("2020-02-30T00:00:00Z"), -1);
    CHECK_EQ(iso("2020-13-01T00:00:00Z"), -1);
    CHECK_EQ(iso("2020-01-20T24:00:00Z"), -1);
    CHECK_EQ(iso("2020-01-20T08:14:02Zjunk"), -1);
    CHECK_EQ(iso("2020-01-20T08:14:02+25:00"), -1);
    CHECK_EQ(iso("2020-1-20"), -1);
    CHECK_EQ(iso(""), -1);
}

TEST(time_epoch)
{
    int64_t ns;
    CHECK_EQ(tr_time_parse_epoch("1579508042", 10, &ns), TR_OK);
    CHECK_EQ(ns, INT64_C(1579508042) * S);
    CHECK_EQ(tr_time_parse_epoch("1579508042.123456", 17, &ns), TR_OK);
    CHECK_EQ(ns, INT64_C(1579508042) * S + 123456000);
    CHECK_EQ(tr_time_parse_epoch("1579508042123", 13, &ns), TR_OK); /* millis */
    CHECK_EQ(ns, INT64_C(1579508042) * S + 123000000);
    CHECK_EQ(tr_time_parse_epoch("1579508042123.5", 15, &ns), TR_OK);
    CHECK_EQ(ns, INT64_C(1579508042) * S + 123500000);
    CHECK_EQ(tr_time_parse_epoch("15795x", 6, &ns), TR_EPARSE);
    CHECK_EQ(tr_time_parse_epoch("1.", 2, &ns), TR_EPARSE);
    CHECK_EQ(tr_time_parse_epoch("", 0, &ns), TR_EPARSE);
}

TEST(time_apache)
{
    int64_t ns;
    const char *a = "[10/Oct/2000:13:55:36 -0700]";
    CHECK_EQ(tr_time_parse_apache(a, strlen(a), &ns), TR_OK);
    CHECK_EQ(ns, INT64_C(971211336) * S);
    const char *b = "01/Feb/2020:02:13:05 +0000";
    CHECK_EQ(tr_time_parse_apache(b, strlen(b), &ns), TR_OK);
    CHECK_EQ(ns, INT64_C(1580523185) * S);
    const char *c = "01/Fob/2020:02:13:05 +0000";
    CHECK_EQ(tr_time_parse_apache(c, strlen(c), &ns), TR_EPARSE);
    const char *d = "[01/Feb/2020:02:13:05 +0000";
    CHECK_EQ(tr_time_parse_apache(d, strlen(d), &ns), TR_EPARSE);
}

TEST(time_w3c)
{
    int64_t ns;
    CHECK_EQ(tr_time_parse_w3c("2020-01-20", 10, "08:14:02", 8, &ns), TR_OK);
    CHECK_EQ(ns, INT64_C(1579508042) * S);
    CHECK_EQ(tr_time_parse_w3c("2020-01-20", 10, "08:14:02.25", 11, &ns), TR_OK);
    CHECK_EQ(ns, INT64_C(1579508042) * S + 250000000);
    CHECK_EQ(tr_time_parse_w3c("2020-01-20", 10, "8:14:02", 7, &ns), TR_EPARSE);
}

TEST(time_syslog)
{
    int64_t ns;
    size_t used;
    CHECK_EQ(tr_time_parse_rfc3164("Jan 20 08:14:02 host app: x", 27, 2020, &ns, &used), TR_OK);
    CHECK_EQ(ns, INT64_C(1579508042) * S);
    CHECK_EQ(used, 15);
    CHECK_EQ(tr_time_parse_rfc3164("Feb  1 02:13:05 host", 20, 2020, &ns, &used), TR_OK);
    CHECK_EQ(ns, INT64_C(1580523185) * S);
    CHECK_EQ(tr_time_parse_rfc3164("Foo  1 02:13:05 host", 20, 2020, &ns, &used), TR_EPARSE);
    const char *t = "2020-01-20T08:14:02.003Z";
    CHECK_EQ(tr_time_parse_rfc5424(t, strlen(t), &ns), TR_OK);
    CHECK_EQ(ns, INT64_C(1579508042) * S + 3000000);
    CHECK_EQ(tr_time_parse_rfc5424("-", 1, &ns), TR_ESKIP);
    CHECK_EQ(tr_time_parse_rfc5424("2020-01-20", 10, &ns), TR_EPARSE);
}

TEST(time_format)
{
    char b[48];
    tr_time_format(INT64_C(1579508042) * S, b, sizeof(b));
    CHECK_STR(b, "2020-01-20T08:14:02Z");
    tr_time_format(INT64_C(1579508042) * S + 120000000, b, sizeof(b));
    CHECK_STR(b, "2020-01-20T08:14:02.120Z");
    tr_time_format(INT64_C(1579508042) * S + 1000, b, sizeof(b));
    CHECK_STR(b, "2020-01-20T08:14:02.000001Z");
    tr_time_format(INT64_C(1579508042) * S + 1, b, sizeof(b));
    CHECK_STR(b, "2020-01-20T08:14:02.000000001Z");
    int64_t ns;
    CHECK_EQ(tr_time_parse_any("2020-01-20T08:14:02Z", 20, &ns), TR_OK);
    CHECK_EQ(tr_time_parse_any("1579508042", 10, &ns), TR_OK);
    CHECK_EQ(tr_time_parse_any("20/Jan/2020:08:14:02 +0000", 26, &ns), TR_OK);
    CHECK_EQ(ns, INT64_C(1579508042) * S);
}
