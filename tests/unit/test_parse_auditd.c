/*
 * test_parse_auditd.c - auditd records: header, hex-encoded strings (and
 * which hex stays as written), PROCTITLE, split EXECVE arguments, user-space
 * msg='…', enriched fields, node=, rejections, no allocation per event.
 */
#include "tt.h"

#include "trawl/arena.h"
#include "trawl/parse.h"

#define NF 96

typedef struct ad {
    tr_parser *p;
    tr_arena *a;
    tr_field f[NF];
    tr_event ev;
} ad;

static bool ad_open(ad *d)
{
    memset(d, 0, sizeof(*d));
    if (tr_parser_new(TR_FMT_AUDITD, NULL, &d->p) != TR_OK)
        return false;
    d->a = tr_arena_new(0, 0);
    tr_event_init(&d->ev, d->f, NF, d->a);
    return d->a != NULL;
}

static void ad_close(ad *d)
{
    tr_parser_free(d->p);
    tr_arena_free(d->a);
}

static tr_err ad_parse(ad *d, const char *line)
{
    tr_arena_reset(d->a);
    tr_event_reset(&d->ev);
    return tr_parser_parse(d->p, tr_str_c(line), &d->ev);
}

static const char *val(const ad *d, const char *name)
{
    static char buf[4][512];
    static int k;
    const tr_field *f = tr_event_find(&d->ev, tr_str_c(name));
    if (!f)
        return "<absent>";
    char *b = buf[k++ & 3];
    snprintf(b, 512, "%.*s", (int)f->value.n, f->value.p);
    return b;
}

TEST(parse_auditd_syscall_record)
{
    ad d;
    CHECK(ad_open(&d));
    CHECK_EQ(ad_parse(&d, "type=SYSCALL msg=audit(1579508042.123:42): arch=c000003e syscall=59 "
                          "success=yes exit=0 a0=55d1c0a0 a1=4142 a2=0 a3=0 items=2 ppid=2566 "
                          "pid=2567 auid=4294967295 uid=65534 comm=\"ftp\" exe=\"/usr/bin/ftp\" "
                          "key=\"susp_activity\""),
             TR_OK);
    CHECK_EQ(d.ev.ts, INT64_C(1579508042123000000));
    CHECK_STR(val(&d, "type"), "SYSCALL");
    CHECK_STR(val(&d, "audit_id"), "42");
    CHECK_STR(val(&d, "syscall"), "59");
    CHECK_STR(val(&d, "a1"), "4142"); /* a syscall argument, not a string */
    CHECK_STR(val(&d, "exe"), "/usr/bin/ftp");
    CHECK_STR(val(&d, "comm"), "ftp");
    CHECK_STR(val(&d, "key"), "susp_activity");
    CHECK_SLICE(d.ev.logsource.product, "linux");
    CHECK_SLICE(d.ev.logsource.service, "auditd");
    CHECK_EQ(tr_event_find(&d.ev, TR_STR("pid"))->kind, TR_VSTR);
    ad_close(&d);
}

TEST(parse_auditd_hex_encoded_strings)
{
    ad d;
    CHECK(ad_open(&d));
    CHECK_EQ(ad_parse(&d, "type=EXECVE msg=audit(1579508042.123:42): argc=3 a0=\"/usr/bin/ftp\" "
                          "a1=2F746D702F627364 a2=\"414243\""),
             TR_OK);
    CHECK_STR(val(&d, "a0"), "/usr/bin/ftp");
    CHECK_STR(val(&d, "a1"), "/tmp/bsd");
    CHECK_STR(val(&d, "a2"), "414243"); /* quoted: literal */
    CHECK_STR(val(&d, "argc"), "3");
    CHECK_EQ(ad_parse(&d, "type=PROCTITLE msg=audit(1579508042.123:42): proctitle=66747000"),
             TR_OK);
    CHECK_STR(val(&d, "proctitle"), "ftp");
    CHECK_EQ(ad_parse(&d, "type=PROCTITLE msg=audit(1.0:1): proctitle=7368002D630069640A"), TR_OK);
    CHECK_STR(val(&d, "proctitle"), "sh -c id\n");
    /* encoded names in PATH, odd-length or non-hex values stay */
    CHECK_EQ(ad_parse(&d, "type=PATH msg=audit(1.0:1): item=0 name=2F746D702F6120622063 "
                          "inode=123 dev=08:01 mode=0100755"),
             TR_OK);
    CHECK_STR(val(&d, "name"), "/tmp/a b c");
    CHECK_STR(val(&d, "mode"), "0100755");
    CHECK_EQ(ad_parse(&d, "type=PATH msg=audit(1.0:1): item=0 name=ABC"), TR_OK);
    CHECK_STR(val(&d, "name"), "ABC");
    ad_close(&d);
}

TEST(parse_auditd_split_arguments_user_msg_enriched_node)
{
    ad d;
    CHECK(ad_open(&d));
    CHECK_EQ(ad_parse(&d, "node=web01 type=EXECVE msg=audit(1579508200.000:90): argc=3 a0=\"sh\" "
                          "a1_len=14 a1[0]=2D632069 a1[1]=64203E202F746D702F78 a2=\"end\""),
             TR_OK);
    CHECK_STR(val(&d, "node"), "web01");
    CHECK_STR(val(&d, "a1"), "-c id > /tmp/x");
    CHECK_STR(val(&d, "a2"), "end");
    CHECK_STR(val(&d, "a1[0]"), "<absent>");
    CHECK_EQ(ad_parse(&d, "type=USER_CMD msg=audit(1579508100.500:77): pid=3001 uid=1000 "
                          "msg='cwd=\"/home/alice\" cmd=636174202F6574632F736861646F77 "
                          "terminal=pts/0 res=success'"),
             TR_OK);
    CHECK_STR(val(&d, "cwd"), "/home/alice");
    CHECK_STR(val(&d, "cmd"), "cat /etc/shadow");
    CHECK_STR(val(&d, "res"), "success");
    CHECK_STR(val(&d, "msg"), "<absent>");
    CHECK_EQ(ad_parse(&d, "type=SYSCALL msg=audit(1.5:91): syscall=319 comm=\"ecasound\" "
                          "exe=\"/usr/bin/ecasound\"\x1d" "ARCH=x86_64 SYSCALL=memfd_create "
                          "AUID=\"root\""),
             TR_OK);
    CHECK_STR(val(&d, "exe"), "/usr/bin/ecasound");
    CHECK_STR(val(&d, "SYSCALL"), "memfd_create");
    CHECK_STR(val(&d, "AUID"), "root");
    ad_close(&d);
}

TEST(parse_auditd_rejections)
{
    ad d;
    CHECK(ad_open(&d));
    static const char *const bad[] = {
        "this is not an audit record",
        "",
        "type=SYSCALL arch=c000003e syscall=59",
        "type=SYSCALL msg=audit(notatime:1): arch=x",
        "type=SYSCALL msg=audit(1579508042.123 arch=x",
        "arch=c000003e type=SYSCALL msg=audit(1.0:1):",
        "type= msg=audit(1.0:1):",
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++) {
        CHECK_MSG(ad_parse(&d, bad[i]) == TR_EPARSE, "line %zu accepted: %s", i, bad[i]);
        CHECK(tr_parser_errmsg(d.p)[0]);
    }
    ad_close(&d);
}

TEST(parse_auditd_no_allocation_per_event)
{
    ad d;
    CHECK(ad_open(&d));
    const char *line = "type=EXECVE msg=audit(1579508042.123:42): argc=3 a0=\"ftp\" "
                       "a1=2F746D702F627364 a2[0]=41 a2[1]=42 msg='cmd=6C73'";
    CHECK_EQ(ad_parse(&d, line), TR_OK);
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(ad_parse(&d, line), TR_OK);
    CHECK_EQ(tr_alloc_count(), before);
    ad_close(&d);
}
