/*
 * test_store_resume.c - where tr_store_resume() says a source continues:
 * new, grown, unchanged, rotated, replaced, shrunk, moved, compressed,
 * read under other rules.
 */
#include "tt.h"

#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "trawl/input.h"
#include "trawl/store.h"
#include "test_store_util.h"

/* As a hunt would after reading the whole (uncompressed) file of `lines` lines. */
static tr_err read_to_end(env *e, const tr_store_src *src, const char *path, uint64_t lines)
{
    uint64_t size = file_size(path);
    tr_err err = tr_store_sink_checkpoint(e->sink, src, size, lines + 1, lines, true, size);
    return err ? err : tr_sink_flush(e->sink);
}

TEST(store_resume_new_unchanged_grown)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "a.log");
    write_lines(p, 1, 10, false);
    tr_store_src s;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("org-001"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_NEW);
    CHECK(s.id > 0 && s.gen != 0 && !s.skip);
    CHECK_EQ(s.offset, 0);
    CHECK_EQ(s.line, 1);
    uint64_t gen = s.gen;
    uint64_t nostore;
    CHECK_EQ(tr_source_head_gen(p, &nostore), TR_OK);
    CHECK_EQ(nostore, gen); /* the same ids with and without a store */
    /* killed before the first checkpoint: the same file starts again from 0 */
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("org-001"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_GROWN);
    CHECK_EQ(s.offset, 0);
    CHECK_EQ(s.gen, gen);
    CHECK_EQ(read_to_end(&e, &s, p, 10), TR_OK);
    uint64_t size10 = file_size(p);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("org-001"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_UNCHANGED);
    CHECK(s.skip);
    CHECK_EQ(s.gen, gen);
    /* grown: from where the last run stopped */
    write_lines(p, 11, 15, true);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("org-001"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_GROWN);
    CHECK(!s.skip);
    CHECK_EQ(s.gen, gen);
    CHECK_EQ(s.offset, size10);
    CHECK_EQ(s.line, 11);
    CHECK_EQ(s.record, 10);
    /* a checkpoint mid-file: not skipped although the size did not change */
    CHECK_EQ(tr_store_sink_checkpoint(e.sink, &s, size10 + 61, 12, 11, false, 0), TR_OK);
    CHECK_EQ(tr_sink_flush(e.sink), TR_OK);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("org-001"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_GROWN);
    CHECK_EQ(s.offset, size10 + 61);
    CHECK_EQ(s.record, 11);
    /* another tenant reading the same path is another source */
    tr_store_src o;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("org-002"), &o), TR_OK);
    CHECK_EQ(o.why, TR_RESUME_NEW);
    CHECK(o.id != s.id);
    env_close(&e);
}

TEST(store_resume_small_file_grows_past_its_head)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "small.log");
    write_lines(p, 1, 2, false); /* ~120 bytes: the head is the whole file */
    tr_store_src s;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR(""), &s), TR_OK);
    CHECK_EQ(read_to_end(&e, &s, p, 2), TR_OK);
    uint64_t gen = s.gen;
    write_lines(p, 3, 200, true); /* now > 4 KiB */
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR(""), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_GROWN);
    CHECK_EQ(s.gen, gen);
    CHECK_EQ(s.record, 2);
    CHECK_EQ(read_to_end(&e, &s, p, 200), TR_OK);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR(""), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_UNCHANGED);
    env_close(&e);
}

TEST(store_resume_rotated_by_rename)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "app.log");
    const char *p1 = at(&e, "app.log.1");
    write_lines(p, 1, 20, false); /* small: recognised by inode + head */
    tr_store_src s, r;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(read_to_end(&e, &s, p, 20), TR_OK);
    uint64_t size20 = file_size(p);
    /* more lines, then logrotate: rename, and a new file at the old name */
    write_lines(p, 21, 25, true);
    CHECK_EQ(rename(p, p1), 0);
    write_lines(p, 1001, 1003, false);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &r), TR_OK);
    CHECK_EQ(r.why, TR_RESUME_REPLACED);
    CHECK(r.gen != s.gen);
    CHECK_EQ(r.offset, 0);
    CHECK(r.id != s.id);
    tr_store_src m;
    CHECK_EQ(tr_store_resume(e.st, p1, TR_STR("t"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_MOVED);
    CHECK(!m.skip);
    CHECK_EQ(m.id, s.id);
    CHECK_EQ(m.gen, s.gen);
    CHECK_EQ(m.offset, size20);
    CHECK_EQ(m.record, 20);
    CHECK_EQ(read_to_end(&e, &m, p1, 25), TR_OK);
    CHECK_EQ(read_to_end(&e, &r, p, 3), TR_OK);
    /* the next run: both unchanged, each under its own name */
    CHECK_EQ(tr_store_resume(e.st, p1, TR_STR("t"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_UNCHANGED);
    CHECK_EQ(m.id, s.id);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &r), TR_OK);
    CHECK_EQ(r.why, TR_RESUME_UNCHANGED);
    CHECK(r.id != s.id);
    env_close(&e);
}

TEST(store_resume_moved_by_copy_needs_a_full_head)
{
    env e;
    CHECK(env_open(&e));
    const char *big = at(&e, "big.log"), *big2 = at(&e, "archive-big.log");
    const char *sm = at(&e, "small.log"), *sm2 = at(&e, "archive-small.log");
    write_lines(big, 1, 200, false); /* > 4 KiB */
    write_lines(sm, 1, 5, false);
    tr_store_src b, s, c;
    CHECK_EQ(tr_store_resume(e.st, big, TR_STR("t"), &b), TR_OK);
    CHECK_EQ(read_to_end(&e, &b, big, 200), TR_OK);
    CHECK_EQ(tr_store_resume(e.st, sm, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(read_to_end(&e, &s, sm, 5), TR_OK);
    /* copies (new inodes) collected under other names */
    char cmd[1000];
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s' && cp '%s' '%s'", big, big2, sm, sm2);
    CHECK_EQ(system(cmd), 0);
    CHECK_EQ(tr_store_resume(e.st, big2, TR_STR("t"), &c), TR_OK);
    CHECK_EQ(c.why, TR_RESUME_MOVED);
    CHECK(c.skip);
    CHECK_EQ(c.gen, b.gen);
    CHECK_EQ(tr_store_resume(e.st, sm2, TR_STR("t"), &c), TR_OK);
    CHECK_EQ(c.why, TR_RESUME_NEW); /* 5 lines are too weak a proof */
    /* never across tenants */
    snprintf(cmd, sizeof(cmd), "cp '%s' '%s.other'", big, big);
    CHECK_EQ(system(cmd), 0);
    char other[500];
    snprintf(other, sizeof(other), "%s.other", big);
    CHECK_EQ(tr_store_resume(e.st, other, TR_STR("u"), &c), TR_OK);
    CHECK_EQ(c.why, TR_RESUME_NEW);
    env_close(&e);
}

TEST(store_resume_replaced_and_shrunk)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "w.log");
    write_lines(p, 1, 200, false);
    tr_store_src s, r;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(read_to_end(&e, &s, p, 200), TR_OK);
    /* truncated and written again with the same first lines, but less */
    write_lines(p, 1, 150, false);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &r), TR_OK);
    CHECK_EQ(r.why, TR_RESUME_SHRUNK);
    CHECK_EQ(r.offset, 0);
    CHECK(r.gen != s.gen); /* same head, yet a new generation: ids must not collide */
    CHECK(r.id != s.id);
    CHECK_EQ(read_to_end(&e, &r, p, 150), TR_OK);
    /* replaced in place by other content */
    write_lines(p, 5000, 5010, false);
    tr_store_src q;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &q), TR_OK);
    CHECK_EQ(q.why, TR_RESUME_REPLACED);
    CHECK_EQ(q.offset, 0);
    CHECK(q.gen != r.gen && q.gen != s.gen);
    env_close(&e);
}

TEST(store_resume_rules_changed)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "r.log");
    write_lines(p, 1, 30, false);
    tr_store_src s;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(read_to_end(&e, &s, p, 30), TR_OK);
    tr_store_set_ruleset(e.st, 0xabc);
    tr_store_src r;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &r), TR_OK);
    CHECK_EQ(r.why, TR_RESUME_RULES);
    CHECK(!r.skip);
    CHECK_EQ(r.offset, 0);
    CHECK_EQ(r.gen, s.gen); /* same content, same ids */
    CHECK_EQ(r.id, s.id);
    CHECK_EQ(read_to_end(&e, &r, p, 30), TR_OK);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &r), TR_OK);
    CHECK_EQ(r.why, TR_RESUME_UNCHANGED);
    env_close(&e);
}

TEST(store_resume_untracked_and_missing)
{
    env e;
    CHECK(env_open(&e));
    tr_store_src s;
    CHECK_EQ(tr_store_resume(e.st, "-", TR_STR("t"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_UNTRACKED);
    CHECK_EQ(s.id, 0);
    CHECK_EQ(s.offset, 0);
    /* checkpoints of untracked sources are ignored */
    CHECK_EQ(tr_store_sink_checkpoint(e.sink, &s, 100, 2, 1, true, 100), TR_OK);
    CHECK_EQ(tr_store_resume(e.st, e.dir, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_UNTRACKED);
    CHECK_EQ(tr_store_resume(e.st, at(&e, "nope.log"), TR_STR("t"), &s), TR_ENOENT);
    CHECK(strstr(tr_store_errmsg(e.st), "nope.log") != NULL);
    env_close(&e);
}

/* Appends one gzip member holding lines first..last; returns the decompressed bytes. */
static size_t gz_member(const char *path, int first, int last)
{
    gzFile g = gzopen(path, "ab");
    size_t n = 0;
    for (int i = first; i <= last; i++)
        n += (size_t)gzprintf(g, "{\"ts\":\"2020-01-20T09:00:00Z\",\"n\":%d}\n", i);
    gzclose(g);
    return n;
}

TEST(store_resume_compressed_offsets_are_decompressed)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "events.json.gz");
    size_t plain = gz_member(p, 1, 300);
    tr_store_src s;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_NEW);
    uint64_t gzsize = file_size(p);
    CHECK(plain > gzsize); /* the offset below is not an on-disk offset */
    CHECK_EQ(tr_store_sink_checkpoint(e.sink, &s, plain, 301, 300, true, gzsize), TR_OK);
    CHECK_EQ(tr_sink_flush(e.sink), TR_OK);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_UNCHANGED);
    /* a second gzip member appended: resume at the decompressed offset */
    gz_member(p, 301, 305);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_GROWN);
    CHECK_EQ(s.offset, plain);
    CHECK_EQ(s.line, 301);
    CHECK_EQ(s.record, 300);
    /* and a source started there reads exactly the new records */
    tr_source_opts so = { .format = TR_FMT_JSON, .start_offset = s.offset,
                          .start_line = s.line };
    tr_source *src;
    char err[512];
    CHECK_MSG(tr_source_open(p, &so, &src, err, sizeof(err)) == TR_OK, "%s", err);
    tr_record rec;
    int n = 0;
    while (tr_source_next(src, &rec) == TR_OK) {
        if (n == 0) {
            CHECK_EQ(rec.line, 301);
            CHECK_EQ(rec.offset, plain);
            CHECK(rec.data.n > 10 && memmem(rec.data.p, rec.data.n, "\"n\":301}", 8) != NULL);
        }
        n++;
    }
    CHECK_EQ(n, 5);
    tr_source_free(src);
    env_close(&e);
}

/* An EVTX file's header and first chunk header change whenever Windows adds
 * events; its identity starts at the first record, so a grown log resumes
 * instead of being read again as a new file. */
TEST(store_resume_evtx_header_rewritten)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "Security.evtx");
    unsigned char img[4096 + 512 + 2000];
    memset(img, 0, sizeof(img));
    memcpy(img, "ElfFile", 8);
    img[24] = 10; /* "next record" count in the file header */
    memcpy(img + 4096, "ElfChnk", 8);
    for (size_t i = 4608; i < sizeof(img); i++)
        img[i] = (unsigned char)(i * 7);
    FILE *f = fopen(p, "wb");
    fwrite(img, 1, sizeof(img), f);
    fclose(f);
    tr_store_src s;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("org-001"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_NEW);
    uint64_t gen = s.gen;
    CHECK_EQ(tr_store_sink_checkpoint(e.sink, &s, 5, 0, 5, true, sizeof(img)), TR_OK);
    CHECK_EQ(tr_sink_flush(e.sink), TR_OK);
    /* Windows adds records: header counters change, the file grows */
    img[24] = 20;
    img[4096 + 16] = 9;
    f = fopen(p, "wb");
    fwrite(img, 1, sizeof(img), f);
    for (int i = 0; i < 500; i++)
        fputc(i, f);
    fclose(f);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("org-001"), &s), TR_OK);
    CHECK_EQ(s.why, TR_RESUME_GROWN);
    CHECK_EQ(s.gen, gen);
    CHECK_EQ(s.record, 5);
    env_close(&e);
}
