/*
 * test_hunt.c - the hunt pipeline: ordered output whatever the thread count,
 * record/line numbering across blocks, rejected records, tenants, resume and
 * checkpoints. The matcher here is a small real one (a substring on one
 * field); the Sigma and indicator matchers have their own tests, and meet
 * the router here only to show that the whole path (read, parse, route,
 * type, Sigma, indicators, output) allocates nothing per event.
 */
#include "tt.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "trawl/fleet.h"
#include "trawl/hunt.h"
#include "trawl/log.h"
#include "trawl/reader.h"
#include "trawl/arena.h"
#include "trawl/ioc.h"
#include "trawl/logsource.h"
#include "trawl/matchers.h"
#include "trawl/sigma.h"

typedef struct substr_matcher {
    const char *field, *needle;
} substr_matcher;

static tr_err substr_scan(void *ctx, void *scratch, const tr_event *ev, tr_hunt_emit *e)
{
    (void)scratch;
    substr_matcher *m = ctx;
    const tr_field *f = tr_event_find(ev, tr_str_c(m->field));
    if (!f || !memmem(f->value.p, f->value.n, m->needle, strlen(m->needle)))
        return TR_OK;
    tr_kv kv = { tr_str_c(m->field), f->value };
    tr_str tag = TR_STR("attack.t1190");
    tr_detection d = { .kind = TR_DET_SIGMA, .ts = TR_TS_NONE, .rule_id = TR_STR("r-1"),
                       .rule_title = TR_STR("substring"), .level = TR_STR("high"),
                       .tags = &tag, .ntags = 1, .fields = &kv, .nfields = 1 };
    return tr_hunt_emit_detection(e, &d);
}

static char *write_log(const char *dir, const char *name, int lines, int bad_every)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    char *slash = strrchr(path, '/');
    *slash = '\0';
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", path);
    if (system(cmd) != 0)
        return NULL;
    *slash = '/';
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    for (int i = 0; i < lines; i++) {
        if (bad_every && i % bad_every == bad_every - 1) {
            fprintf(f, "this is not an access log line %d\n", i);
            continue;
        }
        fprintf(f,
                "10.0.%d.%d - - [01/Feb/2020:02:%02d:%02d +0000] \"GET %s%d HTTP/1.1\" %d %d "
                "\"-\" \"agent/%d\"\n",
                i % 250, i % 7, (i / 60) % 60, i % 60,
                i % 5 == 0 ? "/vpn/../vpns/portal/x" : "/index.html?q=", i,
                i % 3 ? 200 : 404, 100 + i, i % 13);
    }
    fclose(f);
    return path;
}

static char *run_hunt(const char *const *paths, size_t n, unsigned threads, size_t block,
                      const tr_fleet *fleet, tr_hunt_stats *st)
{
    char *out = NULL;
    size_t outn = 0;
    FILE *mem = open_memstream(&out, &outn);
    tr_sink *sink;
    tr_sink_file_new(mem, TR_DETFMT_JSONL, &sink);
    substr_matcher m = { "cs-uri", "/vpns/" };
    tr_matcher mt = { .name = "substr", .ctx = &m, .scan = substr_scan };
    tr_hunt_config cfg = { .threads = threads, .block_size = block, .blocks_in_flight = 4,
                           .fleet = fleet, .matchers = &mt, .nmatchers = 1, .sinks = &sink,
                           .nsinks = 1, .max_errors_per_source = 1000 };
    tr_log_set_level(TR_LOG_ERROR);
    tr_err e = tr_hunt_run(&cfg, paths, n, st);
    tr_log_set_level(TR_LOG_WARN);
    tr_sink_free(sink);
    fclose(mem);
    if (e) {
        free(out);
        return NULL;
    }
    return out;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

TEST(hunt_threads_give_identical_output)
{
    const char *dir = tt_tmpdir();
    char p1[512], p2[512], p3[512];
    snprintf(p1, sizeof(p1), "%s", write_log(dir, "org-1/a.log", 3000, 97));
    snprintf(p2, sizeof(p2), "%s", write_log(dir, "org-2/b.log", 10, 0));
    snprintf(p3, sizeof(p3), "%s", write_log(dir, "org-2/c/d.log", 1500, 0));
    tr_fleet *fl = tr_fleet_new();
    tr_fleet_add(fl, "org-1", "One", "US", "healthcare");
    tr_fleet_add(fl, "org-2", "Two", "FR", "legal");
    const char *paths[] = { dir };
    tr_hunt_stats s1, s2, s4;
    /* small blocks: many batches per file, so ordering is really exercised */
    int stderr_fd = dup(2);
    int devnull = open("/dev/null", 1);
    dup2(devnull, 2);
    char *o1 = run_hunt(paths, 1, 1, 4096, fl, &s1);
    char *o2 = run_hunt(paths, 1, 2, 4096, fl, &s2);
    char *o4 = run_hunt(paths, 1, 4, 8192, fl, &s4);
    dup2(stderr_fd, 2);
    close(devnull);
    close(stderr_fd);
    CHECK(o1 && o2 && o4);
    CHECK_STR(o1, o2);
    CHECK_STR(o1, o4);
    CHECK_EQ(s1.sources, 3);
    CHECK_EQ(s1.events, 3000 - 3000 / 97 + 10 + 1500);
    CHECK_EQ(s1.rejected, 3000 / 97);
    CHECK_EQ(s2.events, s1.events);
    /* every 5th well-formed line is a hit */
    int hits = 0;
    for (int i = 0; i < 3000; i++)
        hits += i % 5 == 0 && i % 97 != 96;
    hits += 2 + 300;
    CHECK_EQ(count_lines(o1), hits);
    CHECK_EQ(s1.detections, (uint64_t)hits);
    /* file order: a.log, b.log, c/d.log; tenants from the layout */
    CHECK(strstr(o1, "\"tenant\":\"org-1\""));
    const char *first_b = strstr(o1, "b.log");
    const char *last_a = NULL;
    for (const char *q = o1; (q = strstr(q, "a.log")); q++)
        last_a = q;
    CHECK(first_b && last_a && last_a < first_b);
    /* line 1001 is record 1000 */
    CHECK(strstr(o1, "\"record\":1000,\"line\":1001,")); /* malformed lines are records too */
    free(o1);
    free(o2);
    free(o4);
    tr_fleet_free(fl);
}

typedef struct cp_log {
    int n;
    uint64_t last_offset, last_record;
    bool eof;
} cp_log;

static tr_err note_cp(void *ctx, const tr_checkpoint *cp)
{
    cp_log *l = ctx;
    if (cp->offset < l->last_offset)
        return TR_EINTERNAL; /* checkpoints must move forward */
    l->n++;
    l->last_offset = cp->offset;
    l->last_record = cp->record;
    l->eof = cp->eof;
    return TR_OK;
}

static tr_err resume_half(void *ctx, const char *path, tr_str tenant, tr_resume_point *rp)
{
    (void)path;
    (void)tenant;
    const uint64_t *offset = ctx;
    rp->offset = offset[0];
    rp->line = offset[1];
    rp->record = offset[2];
    return TR_OK;
}

TEST(hunt_checkpoints_and_resume)
{
    const char *dir = tt_tmpdir();
    char p[512];
    snprintf(p, sizeof(p), "%s", write_log(dir, "x.log", 2000, 0));
    const char *paths[] = { p };
    cp_log log = { 0 };
    tr_sink *sink;
    char *out = NULL;
    size_t outn;
    FILE *mem = open_memstream(&out, &outn);
    tr_sink_file_new(mem, TR_DETFMT_JSONL, &sink);
    substr_matcher m = { "cs-uri", "/vpns/" };
    tr_matcher mt = { .name = "substr", .ctx = &m, .scan = substr_scan };
    tr_hunt_config cfg = { .threads = 2, .block_size = 8192, .matchers = &mt, .nmatchers = 1,
                           .sinks = &sink, .nsinks = 1, .checkpoint = note_cp,
                           .store_ctx = &log };
    tr_hunt_stats st;
    CHECK_EQ(tr_hunt_run(&cfg, paths, 1, &st), TR_OK);
    fclose(mem);
    tr_sink_free(sink);
    CHECK_MSG(log.n > 10, "%d checkpoints", log.n);
    CHECK(log.eof);
    CHECK_EQ(log.last_record, 2000);
    struct stat sb;
    CHECK(stat(p, &sb) == 0);
    CHECK_EQ(log.last_offset, (uint64_t)sb.st_size);
    /* resume at line 1001 (record 1000): only the second half is read */
    const char *l1001 = out; /* find the offset of line 1001 from the file itself */
    (void)l1001;
    FILE *f = fopen(p, "r");
    char line[512];
    uint64_t off = 0;
    for (int i = 0; i < 1000 && fgets(line, sizeof(line), f); i++)
        off += strlen(line);
    fclose(f);
    uint64_t rp[3] = { off, 1001, 1000 };
    char *out2 = NULL;
    mem = open_memstream(&out2, &outn);
    tr_sink_file_new(mem, TR_DETFMT_JSONL, &sink);
    tr_hunt_config cfg2 = { .threads = 2, .block_size = 8192, .matchers = &mt, .nmatchers = 1,
                            .sinks = &sink, .nsinks = 1, .resume = resume_half,
                            .store_ctx = rp };
    CHECK_EQ(tr_hunt_run(&cfg2, paths, 1, &st), TR_OK);
    fclose(mem);
    tr_sink_free(sink);
    CHECK_EQ(st.events, 1000);
    CHECK(strstr(out2, "\"record\":1000,\"line\":1001,"));
    CHECK(!strstr(out2, "\"record\":995,"));
    /* the second half of the first run's output equals the resumed run's */
    const char *tail = strstr(out, "\"record\":1000,\"line\":1001,");
    CHECK(tail);
    while (tail > out && tail[-1] != '\n')
        tail--;
    CHECK_STR(tail, out2);
    free(out);
    free(out2);
}

TEST(hunt_reports_unreadable_inputs)
{
    const char *dir = tt_tmpdir();
    char p[512], gz[600];
    snprintf(p, sizeof(p), "%s", write_log(dir, "ok.log", 50, 0));
    snprintf(gz, sizeof(gz), "%s/cut.log.gz", dir);
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "gzip -c '%s' | head -c 200 > '%s'", p, gz);
    CHECK_EQ(system(cmd), 0);
    const char *paths[] = { "/no/such/dir", gz, p };
    tr_hunt_stats st;
    int stderr_fd = dup(2);
    int devnull = open("/dev/null", 1);
    dup2(devnull, 2);
    char *out = run_hunt(paths, 3, 2, 4096, NULL, &st);
    dup2(stderr_fd, 2);
    close(devnull);
    close(stderr_fd);
    CHECK(out);
    CHECK_EQ(st.sources, 2);
    CHECK_EQ(st.sources_failed, 2);
    CHECK(st.events >= 50);
    free(out);
}

TEST(hunt_syslog_year_from_file_time)
{
    /* A year-less RFC 3164 line takes the year of the file's time: a file
     * last written in March 2020 holds "Feb 29" of 2020, a leap year. */
    const char *dir = tt_tmpdir();
    char p[512];
    snprintf(p, sizeof(p), "%s/bash.log", dir);
    FILE *f = fopen(p, "w");
    fputs("Feb 29 07:55:59 ns01 bash[123]: nobody on /dev/pts/0 shell_command=\"id\"\n", f);
    fclose(f);
    struct timespec ts[2] = { { 1583712000, 0 }, { 1583712000, 0 } }; /* 2020-03-09 */
    CHECK(utimensat(AT_FDCWD, p, ts, 0) == 0);
    tr_reader *r;
    char err[256];
    CHECK_EQ(tr_reader_open(p, NULL, &r, err, sizeof(err)), TR_OK);
    tr_field fields[64];
    tr_arena *a = tr_arena_new(0, 0);
    tr_event ev;
    tr_event_init(&ev, fields, 64, a);
    CHECK_EQ(tr_reader_next(r, &ev), TR_OK);
    CHECK_EQ(ev.ts, INT64_C(1582962959) * 1000000000);
    tr_reader_free(r);
    tr_arena_free(a);
}

/* ---- the whole hunt path allocates nothing per event ---- */

static void route_typed_cb(void *ctx, tr_event *ev)
{
    tr_router_route_typed(ctx, ev);
}

/* n access-log lines and n Zeek conn lines, of which exactly 3 of each match
 * the rules and the feed below, whatever n. */
static void write_pair(const char *dir, int n)
{
    char path[600];
    snprintf(path, sizeof(path), "%s/web.log", dir);
    FILE *f = fopen(path, "w");
    for (int i = 0; i < n; i++)
        fprintf(f,
                "10.%d.%d.%d - - [20/Jan/2020:%02d:%02d:%02d +0000] \"GET %s?id=%d HTTP/1.1\" %d "
                "%d \"https://ref%d.example/\" \"agent/%d\"\n",
                i % 200, i / 200 % 250, i % 7 + 1, i / 3600 % 24, i / 60 % 60, i % 60,
                i % (n / 3) == 1 ? "/vpns/portal/scripts/newbm.pl" : "/index.html", i,
                i % 3 ? 200 : 404, 100 + i, i % 500, i % 13);
    fclose(f);
    snprintf(path, sizeof(path), "%s/conn.log", dir);
    f = fopen(path, "w");
    fprintf(f, "#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.orig_p\t"
               "id.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\t"
               "conn_state\n#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\t"
               "interval\tcount\tcount\tstring\n");
    for (int i = 0; i < n; i++)
        fprintf(f, "%d.%06d\tC%08d\t10.1.%d.%d\t%d\t%s\t443\ttcp\tssl\t%d.5\t%d\t%d\tSF\n",
                1579500000 + i, i % 999983, i, i / 250 % 250, i % 250 + 1, 1024 + i % 60000,
                i % (n / 3) == 2 ? "66.42.98.220" : "93.184.216.34", i % 100, i * 3, i * 7);
    fclose(f);
}

TEST(hunt_allocates_nothing_per_event)
{
    static const char rules[] =
        "title: Citrix traversal\nid: 11111111-1111-1111-1111-111111111111\n"
        "logsource: {category: webserver}\n"
        "detection: {sel: {cs-uri-stem|contains: '/vpns/'}, condition: sel}\nlevel: high\n"
        "---\n"
        "title: Outbound to a known address\nid: 22222222-2222-2222-2222-222222222222\n"
        "logsource: {product: zeek, service: conn}\n"
        "detection: {sel: {id.resp_h: 66.42.98.220}, condition: sel}\nlevel: high\n";
    tr_ruleset *rs = NULL;
    CHECK(tr_ruleset_load_string(rules, sizeof(rules) - 1, "rules.yml", NULL, &rs) == TR_OK);
    static const char feed[] = "66.42.98.220\nevil.example\n";
    tr_ioc_builder *b;
    tr_ioc_index *x = NULL;
    CHECK(tr_ioc_builder_new(NULL, &b) == TR_OK);
    CHECK(tr_ioc_builder_add_feed_mem(b, feed, sizeof(feed) - 1, TR_IOCF_PLAIN, "f.txt", NULL) ==
          TR_OK);
    CHECK(tr_ioc_builder_finish(b, &x) == TR_OK);
    tr_router *router;
    char err[256];
    CHECK(tr_router_new(NULL, &router, err, sizeof(err)) == TR_OK);
    if (!rs || !x || !router)
        return;
    tr_matcher mt[2] = { tr_matcher_sigma(rs, NULL), tr_matcher_ioc(x) };
    FILE *null = fopen("/dev/null", "w");
    tr_sink *sink;
    CHECK(tr_sink_file_new(null, TR_DETFMT_JSONL, &sink) == TR_OK);
    tr_hunt_config cfg = { .threads = 1, .matchers = mt, .nmatchers = 2, .sinks = &sink,
                           .nsinks = 1, .route = route_typed_cb, .route_ctx = router };
    const int sizes[] = { 3000, 3000, 30000 }; /* warm-up, then 10x the events */
    uint64_t allocs[3], dets[3], events[3];
    for (int k = 0; k < 3; k++) {
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/alloc-%d", tt_tmpdir(), k);
        mkdir(dir, 0700);
        write_pair(dir, sizes[k]);
        const char *paths[] = { dir };
        tr_hunt_stats st;
        uint64_t before = tr_alloc_count();
        CHECK(tr_hunt_run(&cfg, paths, 1, &st) == TR_OK);
        allocs[k] = tr_alloc_count() - before;
        dets[k] = st.detections;
        events[k] = st.events;
    }
    CHECK_EQ(events[2], 2 * 30000);
    CHECK_EQ(dets[1], dets[2]); /* the same hits whatever n */
    CHECK_EQ(dets[1], 9); /* web rule, Zeek rule and indicator, 3 each */
#ifndef TR_DEBUG_ARENA
    CHECK_MSG(allocs[2] == allocs[1], "%" PRIu64 " allocations for 60000 events, %" PRIu64
              " for 6000", allocs[2], allocs[1]);
#else
    (void)allocs; /* the debug arena allocates per reset on purpose */
#endif
    tr_sink_free(sink);
    fclose(null);
    for (int i = 0; i < 2; i++)
        if (mt[i].free)
            mt[i].free(mt[i].ctx);
    tr_router_free(router);
    tr_ioc_index_free(x);
    tr_ruleset_free(rs);
}
