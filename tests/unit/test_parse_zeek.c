/*
 * test_parse_zeek.c - Zeek TSV logs: headers, types, unset/empty markers,
 * sets and vectors, escapes, custom separators, header blocks replacing each
 * other, rejections, no allocation per event.
 */
#include "tt.h"

#include "trawl/arena.h"
#include "trawl/parse.h"

#define NF 128

typedef struct zk {
    tr_parser *p;
    tr_arena *a;
    tr_field f[NF];
    tr_event ev;
} zk;

static bool zk_open(zk *z)
{
    memset(z, 0, sizeof(*z));
    if (tr_parser_new(TR_FMT_ZEEK, NULL, &z->p) != TR_OK)
        return false;
    z->a = tr_arena_new(0, 0);
    tr_event_init(&z->ev, z->f, NF, z->a);
    return z->a != NULL;
}

static void zk_close(zk *z)
{
    tr_parser_free(z->p);
    tr_arena_free(z->a);
}

static tr_err zk_parse(zk *z, const char *line)
{
    tr_arena_reset(z->a);
    tr_event_reset(&z->ev);
    return tr_parser_parse(z->p, tr_str_c(line), &z->ev);
}

static const tr_field *get(const zk *z, const char *name)
{
    return tr_event_find(&z->ev, tr_str_c(name));
}

static const char *val(const zk *z, const char *name)
{
    static char buf[4][256];
    static int k;
    const tr_field *f = get(z, name);
    if (!f)
        return "<absent>";
    if (f->kind == TR_VNULL)
        return "<null>";
    char *b = buf[k++ & 3];
    snprintf(b, 256, "%.*s", (int)f->value.n, f->value.p);
    return b;
}

/* Values of every field called name, joined with '|'. */
static const char *all(const zk *z, const char *name)
{
    static char b[512];
    size_t k = 0;
    b[0] = '\0';
    for (uint32_t i = 0; i < z->ev.nfields; i++) {
        const tr_field *f = &z->ev.fields[i];
        if (!tr_str_eq(f->name, tr_str_c(name)))
            continue;
        k += (size_t)snprintf(b + k, sizeof(b) - k, "%s%.*s", k ? "|" : "", (int)f->value.n,
                              f->value.p);
    }
    return b;
}

static bool feed_headers(zk *z, const char *path, const char *fields, const char *types)
{
    char f[1024], t[1024], p[128];
    snprintf(p, sizeof(p), "#path\t%s", path);
    snprintf(f, sizeof(f), "#fields\t%s", fields);
    snprintf(t, sizeof(t), "#types\t%s", types);
    const char *h[] = { "#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)",
                        "#unset_field\t-", p, "#open\t2020-01-20-08-00-00", f, t };
    for (size_t i = 0; i < TR_ARRAY_LEN(h); i++)
        if (zk_parse(z, h[i]) != TR_ESKIP)
            return false;
    return true;
}

TEST(parse_zeek_conn_types_and_nulls)
{
    zk z;
    CHECK(zk_open(&z));
    CHECK(feed_headers(&z, "conn",
                       "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\t"
                       "duration\tlocal_orig\ttunnel_parents",
                       "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tbool\t"
                       "set[string]"));
    CHECK_EQ(zk_parse(&z, "1579508042.123456\tCHhAvV\t10.10.1.20\t51622\t66.42.98.220\t21\ttcp\t"
                          "-\t12.5\tT\t(empty)"),
             TR_OK);
    CHECK_EQ(z.ev.ts, INT64_C(1579508042123456000));
    CHECK_SLICE(z.ev.logsource.product, "zeek");
    CHECK_SLICE(z.ev.logsource.service, "conn");
    CHECK_EQ(z.ev.logsource.ncategory, 0);
    CHECK_STR(val(&z, "id.resp_h"), "66.42.98.220");
    CHECK_EQ(get(&z, "id.resp_h")->kind, TR_VSTR);
    CHECK_STR(val(&z, "id.resp_p"), "21");
    CHECK_EQ(get(&z, "id.resp_p")->kind, TR_VNUM);
    CHECK_EQ(get(&z, "ts")->kind, TR_VNUM);
    CHECK_EQ(get(&z, "duration")->kind, TR_VNUM);
    CHECK_STR(val(&z, "service"), "<null>");
    CHECK_STR(val(&z, "local_orig"), "true");
    CHECK_EQ(get(&z, "local_orig")->kind, TR_VBOOL);
    CHECK_STR(val(&z, "tunnel_parents"), "<absent>"); /* empty set: no element */
    CHECK_EQ(z.ev.nfields, 10);
    zk_close(&z);
}

TEST(parse_zeek_sets_vectors_and_escapes)
{
    zk z;
    CHECK(zk_open(&z));
    CHECK(feed_headers(&z, "dns", "ts\tquery\tanswers\tTTLs\tAA\tqtype_name",
                       "time\tstring\tvector[string]\tvector[interval]\tbool\tstring"));
    CHECK_EQ(zk_parse(&z, "1583906446.001\tweird\\x09name\\x2cx\\x00y\\x5c\t"
                          "v=spf1\\x2c -all\\x00,1.2.3.4\t60.0,60.0\tF\t(empty)"),
             TR_OK);
    const tr_field *q = get(&z, "query");
    CHECK(q);
    /* separator bytes and printable ASCII decode; NUL stays "\x00" as Zeek JSON writes it */
    CHECK_SLICE(q->value, "weird\tname,x\\x00y\\");
    CHECK_STR(all(&z, "answers"), "v=spf1, -all\\x00|1.2.3.4");
    CHECK(get(&z, "answers")->flags & TR_FIELD_MULTI);
    CHECK_STR(all(&z, "TTLs"), "60.0|60.0");
    CHECK_EQ(get(&z, "TTLs")->kind, TR_VNUM);
    CHECK_STR(val(&z, "AA"), "false");
    CHECK_STR(val(&z, "qtype_name"), ""); /* (empty) string */
    CHECK_EQ(get(&z, "qtype_name")->kind, TR_VSTR);
    /* "-" as a value is written \x2d; an unset vector element is null */
    CHECK_EQ(zk_parse(&z, "1583906447\t\\x2d\t-,a\t-\t-\t-"), TR_OK);
    CHECK_STR(val(&z, "query"), "-");
    CHECK_EQ(get(&z, "answers")->kind, TR_VNULL);
    CHECK_STR(all(&z, "answers"), "-|a");
    CHECK_STR(val(&z, "TTLs"), "<null>");
    CHECK_STR(val(&z, "AA"), "<null>");
    zk_close(&z);
}

TEST(parse_zeek_custom_separators_and_new_blocks)
{
    zk z;
    CHECK(zk_open(&z));
    CHECK_EQ(zk_parse(&z, "#separator \\x7c"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "#set_separator|;"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "#unset_field|NONE"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "#path|files"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "#fields|ts|tx_hosts|mime_type"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "#types|time|set[addr]|string"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "1579508042|1.1.1.1;2.2.2.2|NONE"), TR_OK);
    CHECK_STR(all(&z, "tx_hosts"), "1.1.1.1|2.2.2.2");
    CHECK_STR(val(&z, "mime_type"), "<null>");
    CHECK_SLICE(z.ev.logsource.service, "files");
    /* a new block (logs concatenated) replaces the layout and the path */
    CHECK_EQ(zk_parse(&z, "#separator \\x09"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "#path\tssl"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "#fields\tts\tserver_name"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "#types\ttime\tstring"), TR_ESKIP);
    CHECK_EQ(zk_parse(&z, "1579508042.5\tlogin.live.com"), TR_OK);
    CHECK_STR(val(&z, "server_name"), "login.live.com");
    CHECK_SLICE(z.ev.logsource.service, "ssl");
    zk_close(&z);
}

TEST(parse_zeek_service_from_file_name)
{
    zk z;
    CHECK(zk_open(&z));
    CHECK_EQ(zk_parse(&z, "#fields\tts\tquery"), TR_ESKIP);
    z.ev.path = TR_STR("/logs/org-1/zeek/dns.00:00:00-01:00:00.log.gz");
    CHECK_EQ(zk_parse(&z, "1\tx"), TR_OK);
    CHECK_SLICE(z.ev.logsource.service, "dns");
    CHECK_STR(val(&z, "ts"), "1"); /* no #types: strings, yet ts still gives the time */
    CHECK_EQ(get(&z, "ts")->kind, TR_VSTR);
    CHECK_EQ(z.ev.ts, INT64_C(1000000000));
    zk_close(&z);
}

TEST(parse_zeek_rejections)
{
    zk z;
    CHECK(zk_open(&z));
    CHECK_EQ(zk_parse(&z, "1579508042\tx"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(z.p), "no #fields"));
    CHECK(feed_headers(&z, "conn", "ts\tuid\tid.orig_h", "time\tstring\taddr"));
    CHECK_EQ(zk_parse(&z, "1579508042\tC1"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(z.p), "2 fields, #fields declares 3"));
    CHECK_EQ(zk_parse(&z, "1579508042\tC1\t1.2.3.4\textra"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(z.p), "4 fields"));
    CHECK_EQ(zk_parse(&z, "yesterday\tC1\t1.2.3.4"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(z.p), "bad ts"));
    CHECK_EQ(zk_parse(&z, "#types\ttime\tstring"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(z.p), "2 types for 3"));
    CHECK_EQ(zk_parse(&z, "#separator "), TR_EPARSE);
    CHECK_EQ(zk_parse(&z, "#fields\tts\t\tquery"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(z.p), "column 2 has no name"));
    CHECK_EQ(zk_parse(&z, "1\t\tx"), TR_EPARSE);
    /* numbers that are not JSON numbers stay strings */
    CHECK(feed_headers(&z, "x", "ts\tn", "time\tdouble"));
    CHECK_EQ(zk_parse(&z, "1\tnan"), TR_OK);
    CHECK_EQ(get(&z, "n")->kind, TR_VSTR);
    zk_close(&z);
}

TEST(parse_zeek_header_caps)
{
    zk z;
    CHECK(zk_open(&z));
    char line[16384];
    size_t k = (size_t)snprintf(line, sizeof(line), "#fields");
    for (int i = 0; i < 300; i++)
        k += (size_t)snprintf(line + k, sizeof(line) - k, "\tf%d", i);
    CHECK_EQ(zk_parse(&z, line), TR_ELIMIT);
    CHECK_EQ(zk_parse(&z, "1\t2"), TR_EPARSE);
    CHECK(strstr(tr_parser_errmsg(z.p), "no usable #fields"));
    char big[200];
    memset(big, 'p', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    char path[256];
    snprintf(path, sizeof(path), "#path\t%s", big);
    CHECK_EQ(zk_parse(&z, path), TR_EPARSE);
    zk_close(&z);
}

TEST(parse_zeek_no_allocation_per_event)
{
    zk z;
    CHECK(zk_open(&z));
    CHECK(feed_headers(&z, "dns", "ts\tquery\tanswers", "time\tstring\tvector[string]"));
    const char *line = "1583906446.001\ta\\x2cb\\x00\tx,y,z";
    CHECK_EQ(zk_parse(&z, line), TR_OK);
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(zk_parse(&z, line), TR_OK);
    CHECK(feed_headers(&z, "dns", "ts\tquery\tanswers", "time\tstring\tvector[string]"));
    CHECK_EQ(tr_alloc_count(), before);
    zk_close(&z);
}

/* Records are split a word at a time: separators at every position of a
 * word, empty fields anywhere, records of every length up to three words,
 * too few and too many fields. Each value must be the bytes between its
 * separators. */
TEST(parse_zeek_split_every_position)
{
    zk z;
    CHECK(zk_open(&z));
    zk_parse(&z, "#fields\ta\tb\tc\td"); /* header lines are not events */
    zk_parse(&z, "#types\tstring\tstring\tstring\tstring");
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < 20000; round++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int len = (int)(x % 27);
        char line[32];
        int tabs = 0;
        for (int i = 0; i < len; i++) {
            unsigned r = (unsigned)(x >> (i * 2)) & 3;
            bool tab = r == 0;
            /* '\b' is the byte a word-wise search can mistake for a tab after one */
            line[i] = tab ? '\t' : r == 1 && (round & 1) ? '\b' : (char)('a' + i % 26);
            tabs += tab;
        }
        while (len && line[len - 1] == '\t') { /* trailing blanks are trimmed */
            len--;
            tabs--;
        }
        line[len] = '\0';
        tr_err e = zk_parse(&z, line);
        if (tabs != 3) {
            CHECK_MSG(e == TR_EPARSE, "len %d tabs %d: %d", len, tabs, e);
            continue;
        }
        CHECK_EQ(e, TR_OK);
        const char *names[] = { "a", "b", "c", "d" };
        const char *q = line;
        for (int f = 0; f < 4; f++) {
            const char *t = strchr(q, '\t');
            size_t n = t ? (size_t)(t - q) : strlen(q);
            char want[32];
            snprintf(want, sizeof(want), "%.*s", (int)n, q);
            CHECK_MSG(strcmp(val(&z, names[f]), want) == 0, "line %d field %s: '%s' vs '%s'",
                      round, names[f], val(&z, names[f]), want);
            q = t ? t + 1 : q + n;
        }
    }
    zk_close(&z);
}
