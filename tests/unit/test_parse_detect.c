/*
 * test_parse_detect.c - format detection when the first line is damaged.
 *
 * A log whose first line was cut (copytruncate rotation, a crash mid-write)
 * must still be recognised from the lines after it; a first line that fits
 * a format still decides alone.
 */
#include "core/common.h"

#include "trawl/parse.h"
#include "tt.h"

#define DETECT(s, path) tr_format_detect((s), strlen(s), (path))

TEST(parse_detect_after_a_cut_first_line)
{
    const char *comb = "0 HTTP/1.1\" 200 5\n"
                       "66.42.98.220 - - [01/Feb/2020:02:13:05 +0000] \"GET / HTTP/1.1\" 200 1\n";
    CHECK_EQ(DETECT(comb, "x"), TR_FMT_COMBINED);
    const char *bsd = "ost sshd[1]: x\nJan 20 08:14:02 host sshd[1]: y\n";
    CHECK_EQ(DETECT(bsd, "x"), TR_FMT_SYSLOG);
    const char *audit = "=2\ntype=EXECVE msg=audit(1579508042.123:42): argc=2\n";
    CHECK_EQ(DETECT(audit, "x"), TR_FMT_AUDITD);
    const char *eve = "ttp\"}\n{\"timestamp\":\"x\",\"flow_id\":1,\"event_type\":\"http\","
                      "\"src_ip\":\"1\"}\n";
    CHECK_EQ(DETECT(eve, "x"), TR_FMT_EVE);
}

TEST(parse_detect_gives_up_after_a_few_lines)
{
    /* four lines of nothing: the name decides (here: nothing) */
    const char *junk = "a\nb\nc\nd\n66.42.98.220 - - [01/Feb/2020:02:13:05 +0000] \"GET /\" 200 1\n";
    CHECK_EQ(DETECT(junk, "x.bin"), TR_FMT_COUNT);
    CHECK_EQ(DETECT(junk, "access.log"), TR_FMT_COMBINED);
    /* a last line cut by the end of the sniffed window decides nothing */
    const char *cut = "???\n66.42.98.220 - - [01";
    CHECK_EQ(DETECT(cut, "x.bin"), TR_FMT_COUNT);
    CHECK_EQ(DETECT("???", "x.bin"), TR_FMT_COUNT);
    CHECK_EQ(DETECT("\n\n\n", "x.bin"), TR_FMT_COUNT);
}
