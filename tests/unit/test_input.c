/*
 * test_input.c - sources: compression, line and JSON framing, limits,
 * resume offsets, directory walking.
 */
#include "tt.h"

#include <sys/stat.h>

#include "trawl/input.h"

static char *write_file(const char *dir, const char *name, const void *data, size_t n)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f)
        return NULL;
    fwrite(data, 1, n, f);
    fclose(f);
    return path;
}

static tr_source *open_fmt(const char *path, tr_format fmt, size_t max_record)
{
    tr_source_opts o = { .format = fmt, .max_record = max_record, .chunk_size = 64 };
    tr_source *s = NULL;
    char err[256];
    if (tr_source_open(path, &o, &s, err, sizeof(err)) != TR_OK)
        fprintf(stderr, "open: %s\n", err);
    return s;
}

TEST(input_lines_crlf_blank_and_last_line)
{
    const char *text = "first\r\n\nsecond line\nthird";
    char *p = write_file(tt_tmpdir(), "a.log", text, strlen(text));
    tr_source *s = open_fmt(p, TR_FMT_COMBINED, 0);
    CHECK(s);
    tr_record r;
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "first");
    CHECK_EQ(r.line, 1);
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "second line");
    CHECK_EQ(r.line, 3);
    CHECK_EQ(r.offset, 8);
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "third");
    CHECK_EQ(r.line, 4);
    CHECK_EQ(tr_source_next(s, &r), TR_EEOF);
    CHECK_EQ(tr_source_offset(s), strlen(text));
    tr_source_free(s);
}

TEST(input_lines_longer_than_chunk)
{
    /* Records much longer than the 64-byte chunk force window growth. */
    char text[3000];
    memset(text, 'a', 1000);
    text[1000] = '\n';
    memset(text + 1001, 'b', 1500);
    text[2501] = '\n';
    char *p = write_file(tt_tmpdir(), "long.log", text, 2502);
    tr_source *s = open_fmt(p, TR_FMT_COMBINED, 0);
    tr_record r;
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_EQ(r.data.n, 1000);
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_EQ(r.data.n, 1500);
    CHECK(r.data.p[0] == 'b' && r.data.p[1499] == 'b');
    CHECK_EQ(tr_source_next(s, &r), TR_EEOF);
    tr_source_free(s);
}

TEST(input_oversized_record_is_reported_then_skipped)
{
    char text[1200];
    size_t n = 0;
    n += (size_t)sprintf(text + n, "ok1\n");
    memset(text + n, 'x', 900);
    n += 900;
    text[n++] = '\n';
    n += (size_t)sprintf(text + n, "ok2\n");
    char *p = write_file(tt_tmpdir(), "big.log", text, n);
    tr_source *s = open_fmt(p, TR_FMT_COMBINED, 200);
    tr_record r;
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "ok1");
    CHECK_EQ(tr_source_next(s, &r), TR_ELIMIT);
    CHECK_EQ(r.line, 2);
    CHECK(strstr(tr_source_errmsg(s), "longer than 200"));
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "ok2");
    CHECK_EQ(r.line, 3);
    CHECK_EQ(tr_source_next(s, &r), TR_EEOF);
    tr_source_free(s);
}

TEST(input_json_framing_pretty_and_lines)
{
    const char *text = "{\"a\": 1}\n"
                       "{\n  \"b\": \"x}\\\"{\",\n  \"c\": [1, {\"d\": 2}]\n}\n"
                       "  {\"e\":\"\\\\\"}{\"f\":3}\n"
                       "garbage line\n"
                       "[1,2]";
    char *p = write_file(tt_tmpdir(), "x.json", text, strlen(text));
    tr_source *s = open_fmt(p, TR_FMT_JSON, 0);
    tr_record r;
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\"a\": 1}");
    CHECK_EQ(r.line, 1);
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\n  \"b\": \"x}\\\"{\",\n  \"c\": [1, {\"d\": 2}]\n}");
    CHECK_EQ(r.line, 2);
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\"e\":\"\\\\\"}");
    CHECK_EQ(r.line, 6);
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\"f\":3}");
    CHECK_EQ(tr_source_next(s, &r), TR_EPARSE);
    CHECK_EQ(r.line, 7);
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "[1,2]");
    CHECK_EQ(r.line, 8);
    CHECK_EQ(tr_source_next(s, &r), TR_EEOF);
    tr_source_free(s);
}

TEST(input_json_oversized_resyncs_at_next_object)
{
    char text[2000];
    size_t n = 0;
    n += (size_t)sprintf(text + n, "{\n \"big\": \"");
    memset(text + n, 'y', 600);
    n += 600;
    n += (size_t)sprintf(text + n, "\",\n \"z\": 1\n}\n{\"after\":true}\n");
    char *p = write_file(tt_tmpdir(), "big.json", text, n);
    tr_source *s = open_fmt(p, TR_FMT_JSON, 300);
    tr_record r;
    CHECK_EQ(tr_source_next(s, &r), TR_ELIMIT);
    CHECK_EQ(r.line, 1);
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\"after\":true}");
    CHECK_EQ(r.line, 5);
    CHECK_EQ(tr_source_next(s, &r), TR_EEOF);
    tr_source_free(s);
}

static int run_cmd(const char *cmd)
{
    int rc = system(cmd);
    return rc;
}

TEST(input_compressed_gzip_zstd_lz4)
{
    const char *dir = tt_tmpdir();
    char text[64 * 1024];
    size_t n = 0;
    for (int i = 0; n < sizeof(text) - 40; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "line %d of the test\n", i);
    write_file(dir, "plain.log", text, n);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "cd %s && gzip -c plain.log > a.gz && (gzip -c plain.log; gzip -c plain.log) > "
             "two.gz && zstd -q -c plain.log > a.zst && lz4 -q -c plain.log > a.lz4",
             dir);
    CHECK_EQ(run_cmd(cmd), 0);
    const char *names[] = { "a.gz", "a.zst", "a.lz4", "two.gz" };
    const tr_compression kinds[] = { TR_COMP_GZIP, TR_COMP_ZSTD, TR_COMP_LZ4, TR_COMP_GZIP };
    for (int k = 0; k < 4; k++) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
        tr_source *s = open_fmt(path, TR_FMT_COMBINED, 0);
        CHECK(s);
        CHECK_EQ(tr_source_compression(s), kinds[k]);
        tr_record r;
        size_t lines = 0, bytes = 0;
        tr_err e;
        while ((e = tr_source_next(s, &r)) == TR_OK) {
            lines++;
            bytes += r.data.n + 1;
        }
        CHECK_EQ(e, TR_EEOF);
        CHECK_EQ(bytes, k == 3 ? 2 * n : n);
        CHECK(lines > 1000);
        tr_source_free(s);
    }
}

TEST(input_truncated_gzip_is_an_error)
{
    const char *dir = tt_tmpdir();
    char text[8192];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(text); i++) {
        x = x * 1103515245u + 12345u;
        text[i] = (char)(i % 61 == 60 ? '\n' : 'a' + (char)((x >> 16) % 26));
    }
    write_file(dir, "p.log", text, sizeof(text));
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "cd %s && gzip -c p.log | head -c 300 > t.gz", dir);
    CHECK_EQ(run_cmd(cmd), 0);
    char path[512];
    snprintf(path, sizeof(path), "%s/t.gz", dir);
    tr_source *s = open_fmt(path, TR_FMT_COMBINED, 0);
    CHECK(s);
    tr_record r;
    tr_err e;
    while ((e = tr_source_next(s, &r)) == TR_OK)
        ;
    CHECK_EQ(e, TR_ECOMPRESS);
    CHECK(strstr(tr_source_errmsg(s), "truncated"));
    tr_source_free(s);
}

TEST(input_resume_from_offset)
{
    const char *text = "a\nbb\nccc\n";
    char *p = write_file(tt_tmpdir(), "r.log", text, strlen(text));
    tr_source_opts o = { .format = TR_FMT_COMBINED, .start_offset = 2, .start_line = 2 };
    tr_source *s;
    char err[128];
    CHECK_EQ(tr_source_open(p, &o, &s, err, sizeof(err)), TR_OK);
    tr_record r;
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "bb");
    CHECK_EQ(r.line, 2);
    CHECK_EQ(r.offset, 2);
    tr_source_free(s);
    o.start_offset = 100;
    CHECK(tr_source_open(p, &o, &s, err, sizeof(err)) != TR_OK);
}

TEST(input_detects_formats)
{
    const char *zeek = "#separator \\x09\n#set_separator\t,\n#fields\tts\tuid\n";
    CHECK_EQ(tr_format_detect(zeek, strlen(zeek), "x"), TR_FMT_ZEEK);
    const char *w3c = "#Software: Microsoft Internet Information Services 10.0\n";
    CHECK_EQ(tr_format_detect(w3c, strlen(w3c), "x"), TR_FMT_W3C);
    const char *comb = "66.42.98.220 - - [01/Feb/2020:02:13:05 +0000] \"GET / HTTP/1.1\" 200 1";
    CHECK_EQ(tr_format_detect(comb, strlen(comb), "x"), TR_FMT_COMBINED);
    const char *evtx = "{\n  \"Event\": {\n    \"System\": {";
    CHECK_EQ(tr_format_detect(evtx, strlen(evtx), "x"), TR_FMT_EVTX_JSON);
    const char *eve = "{\"timestamp\":\"x\",\"flow_id\":1,\"event_type\":\"http\",\"src_ip\":\"1\"}";
    CHECK_EQ(tr_format_detect(eve, strlen(eve), "x"), TR_FMT_EVE);
    const char *wlb = "{\"@timestamp\":\"x\",\"winlog\":{\"channel\":\"Security\"}}";
    CHECK_EQ(tr_format_detect(wlb, strlen(wlb), "x"), TR_FMT_WINLOGBEAT);
    const char *audit = "type=EXECVE msg=audit(1579508042.123:42): argc=2";
    CHECK_EQ(tr_format_detect(audit, strlen(audit), "x"), TR_FMT_AUDITD);
    const char *sys = "<34>1 2020-01-20T08:14:02Z host app - - - msg";
    CHECK_EQ(tr_format_detect(sys, strlen(sys), "x"), TR_FMT_SYSLOG);
    const char *bsd = "Jan 20 08:14:02 host sshd[1]: x";
    CHECK_EQ(tr_format_detect(bsd, strlen(bsd), "x"), TR_FMT_SYSLOG);
    CHECK_EQ(tr_format_detect("ElfFile\0xx", 10, "x"), TR_FMT_EVTX);
    CHECK_EQ(tr_format_detect("{\"a\":1}", 7, "x"), TR_FMT_JSON);
    CHECK_EQ(tr_format_detect("???", 3, "x.bin"), TR_FMT_COUNT);
}

TEST(input_walk_sorted_recursive)
{
    const char *dir = tt_tmpdir();
    char cmd[600];
    snprintf(cmd, sizeof(cmd),
             "cd %s && mkdir -p b/z a && touch b/z/2 b/1 a/3 c .hidden && mkdir .git && "
             "touch .git/x",
             dir);
    CHECK_EQ(run_cmd(cmd), 0);
    tr_pathlist l = { 0 };
    CHECK_EQ(tr_pathlist_add(&l, dir), TR_OK);
    CHECK_EQ(l.n, 4);
    const char *want[] = { "/a/3", "/b/1", "/b/z/2", "/c" };
    for (int i = 0; i < 4; i++) {
        char exp[512];
        snprintf(exp, sizeof(exp), "%s%s", dir, want[i]);
        CHECK_STR(l.paths[i], exp);
    }
    CHECK_EQ(tr_pathlist_add(&l, "/nonexistent/trawl"), TR_ENOENT);
    tr_pathlist_release(&l);
}

/* Reads path record by record, and again block by block with tiny blocks,
 * and checks both give the same records, lines, offsets and statuses. */
static void compare_block_mode(const char *path, tr_format fmt, size_t max_record,
                               size_t block_cap, size_t maxrecs)
{
    tr_record want[512];
    size_t nwant = 0;
    tr_source *s = open_fmt(path, fmt, max_record);
    CHECK(s);
    char *copies[512];
    tr_err e;
    tr_record r;
    while ((e = tr_source_next(s, &r)) != TR_EEOF) {
        CHECK(e == TR_OK || e == TR_ELIMIT || e == TR_EPARSE);
        CHECK(nwant < 512);
        copies[nwant] = tr_strndup(r.data.p, r.data.n);
        want[nwant] = r;
        want[nwant].data.p = copies[nwant];
        want[nwant].status = e;
        nwant++;
    }
    tr_source_free(s);

    s = open_fmt(path, fmt, max_record);
    tr_block blocks[2] = { 0 };
    tr_record recs[2][64];
    size_t got = 0;
    for (int i = 0; i < 2; i++) {
        blocks[i].buf = tr_malloc(block_cap);
        blocks[i].cap = block_cap;
        blocks[i].recs = recs[i];
        blocks[i].maxrecs = maxrecs;
    }
    for (int k = 0;; k = !k) {
        CHECK_EQ(tr_source_next_block(s, &blocks[k]), TR_OK);
        for (size_t i = 0; i < blocks[k].nrecs; i++, got++) {
            tr_record *g = &blocks[k].recs[i];
            CHECK(got < nwant);
            CHECK_EQ(g->status, want[got].status);
            CHECK_EQ(g->line, want[got].line);
            CHECK_EQ(g->offset, want[got].offset);
            CHECK_EQ(g->data.n, want[got].data.n);
            CHECK(g->data.n == 0 || memcmp(g->data.p, want[got].data.p, g->data.n) == 0);
        }
        if (blocks[k].eof)
            break;
    }
    CHECK_EQ(got, nwant);
    for (int i = 0; i < 2; i++)
        tr_free(blocks[i].buf);
    for (size_t i = 0; i < nwant; i++)
        tr_free(copies[i]);
    tr_source_free(s);
}

TEST(input_block_mode_matches_record_mode)
{
    const char *dir = tt_tmpdir();
    char text[20000];
    size_t n = 0;
    for (int i = 0; i < 200; i++) {
        int len = (i * 37) % 150; /* lines of varied length, some empty */
        for (int j = 0; j < len; j++)
            text[n++] = (char)('a' + (i + j) % 26);
        if (i % 17 == 0) {
            memset(text + n, 'Z', 300); /* oversized for max_record 250 */
            n += 300;
        }
        text[n++] = i % 5 == 0 ? '\r' : 'x';
        text[n++] = '\n';
    }
    char *p = write_file(dir, "lines.log", text, n);
    char path[512];
    snprintf(path, sizeof(path), "%s", p);
    compare_block_mode(path, TR_FMT_COMBINED, 250, 128, 64);
    compare_block_mode(path, TR_FMT_COMBINED, 250, 4096, 7);
    compare_block_mode(path, TR_FMT_COMBINED, 1000, 64, 64);
}

TEST(input_block_mode_json_pretty)
{
    const char *dir = tt_tmpdir();
    char text[20000];
    size_t n = 0;
    for (int i = 0; i < 120; i++) {
        if (i % 3 == 0)
            n += (size_t)snprintf(text + n, sizeof(text) - n,
                                  "{\n  \"i\": %d,\n  \"s\": \"a}\\\"{\"\n}\n", i);
        else if (i % 11 == 0)
            n += (size_t)snprintf(text + n, sizeof(text) - n, "junk %d\n", i);
        else
            n += (size_t)snprintf(text + n, sizeof(text) - n, "{\"i\":%d,\"pad\":\"%0*d\"}\n", i,
                                  i % 40, 0);
    }
    char *p = write_file(dir, "x.json", text, n);
    char path[512];
    snprintf(path, sizeof(path), "%s", p);
    compare_block_mode(path, TR_FMT_JSON, 0, 96, 64);
    compare_block_mode(path, TR_FMT_JSON, 0, 4096, 3);
}

TEST(input_json_truncated_line_does_not_swallow_the_next)
{
    const char *text = "\xEF\xBB\xBF{\"a\":1}\n{\"a\":\"cut\n{\"a\":2}\n{\"a\":3,\n{\"a\":4}\n";
    char *p = write_file(tt_tmpdir(), "t.json", text, strlen(text));
    tr_source *s = open_fmt(p, TR_FMT_JSON, 0);
    tr_record r;
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\"a\":1}");
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\"a\":\"cut");
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\"a\":2}");
    CHECK_EQ(r.line, 3);
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\"a\":3,");
    CHECK_EQ(tr_source_next(s, &r), TR_OK);
    CHECK_SLICE(r.data, "{\"a\":4}");
    CHECK_EQ(r.line, 5);
    CHECK_EQ(tr_source_next(s, &r), TR_EEOF);
    tr_source_free(s);
}
