/*
 * test_store_rotation.c - resuming files that logrotate compressed: a file
 * read plain and later found as .gz (or .zst) is the same content, resumed
 * after what was read, never read again as a new file.
 */
#include "tt.h"

#include <sys/stat.h>
#include <unistd.h>

#include "trawl/store.h"
#include "test_store_util.h"

/* As a hunt does after reading all `lines` lines of a file whose content
 * is `content` bytes long (on disk: its size now). */
static tr_err read_to_end(env *e, const tr_store_src *src, const char *path, uint64_t content,
                          uint64_t lines)
{
    tr_err err = tr_store_sink_checkpoint(e->sink, src, content, lines + 1, lines, true,
                                          file_size(path));
    return err ? err : tr_sink_flush(e->sink);
}

/* Runs a shell command on two paths (compressors: gzip, zstd). */
static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), fmt, a, b);
    return system(cmd);
}

/* logrotate with compress: app.log grows after it was read, is renamed and
 * compressed (app.log.1.gz, a new inode) and a new app.log starts. */
TEST(store_rotation_compressed_resumes_after_what_was_read)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "app.log"), *gz = at(&e, "app.log.1.gz");
    write_lines(p, 1, 200, false); /* > 4 KiB */
    uint64_t size200 = file_size(p);
    tr_store_src s, r, m;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(read_to_end(&e, &s, p, size200, 200), TR_OK);
    write_lines(p, 201, 210, true);
    uint64_t size210 = file_size(p);
    CHECK_EQ(sh("mv '%s' '%s.1'", p, p), 0);
    CHECK_EQ(sh("gzip -n '%s.1'%s", p, ""), 0);
    write_lines(p, 5001, 5003, false);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &r), TR_OK);
    CHECK_EQ(r.why, TR_RESUME_REPLACED);
    CHECK_EQ(tr_store_resume(e.st, gz, TR_STR("t"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_MOVED);
    CHECK(!m.skip);
    CHECK_EQ(m.id, s.id);
    CHECK_EQ(m.gen, s.gen); /* same ids for the same records */
    CHECK_EQ(m.offset, size200);
    CHECK_EQ(m.line, 201);
    CHECK_EQ(m.record, 200);
    CHECK_EQ(read_to_end(&e, &m, gz, size210, 210), TR_OK);
    /* the next run: unchanged */
    CHECK_EQ(tr_store_resume(e.st, gz, TR_STR("t"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_UNCHANGED);
    CHECK(m.skip);
    CHECK_EQ(m.id, s.id);
    env_close(&e);
}

/* logrotate with delaycompress: app.log.1 was read to its end, then becomes
 * app.log.2.gz: nothing to read, and nothing the run after either. */
TEST(store_rotation_delaycompress_skips)
{
    env e;
    CHECK(env_open(&e));
    const char *p1 = at(&e, "app.log.1"), *gz = at(&e, "app.log.2.gz");
    write_lines(p1, 1, 300, false);
    tr_store_src s, m;
    CHECK_EQ(tr_store_resume(e.st, p1, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(read_to_end(&e, &s, p1, file_size(p1), 300), TR_OK);
    CHECK_EQ(sh("gzip -n -c '%s' > '%s'", p1, gz), 0);
    CHECK_EQ(unlink(p1), 0);
    CHECK_EQ(tr_store_resume(e.st, gz, TR_STR("t"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_MOVED);
    CHECK(m.skip);
    CHECK_EQ(m.gen, s.gen);
    CHECK_EQ(tr_store_resume(e.st, gz, TR_STR("t"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_UNCHANGED);
    CHECK(m.skip);
    env_close(&e);
}

/* Small files (under 4 KiB of content) are recognised once compressed only
 * when their content is gone from where it was read: a compressed copy next
 * to the original is another file. zstd as well as gzip. */
TEST(store_rotation_small_files_and_zstd)
{
    env e;
    CHECK(env_open(&e));
    const char *a = at(&e, "a.log"), *b = at(&e, "b.log");
    write_lines(a, 1, 5, false);
    write_lines(b, 1, 5, false); /* same bytes as a */
    tr_store_src sa, sb, m;
    CHECK_EQ(tr_store_resume(e.st, a, TR_STR("t"), &sa), TR_OK);
    CHECK_EQ(read_to_end(&e, &sa, a, file_size(a), 5), TR_OK);
    CHECK_EQ(tr_store_resume(e.st, b, TR_STR("t"), &sb), TR_OK);
    CHECK_EQ(read_to_end(&e, &sb, b, file_size(b), 5), TR_OK);
    /* a compressed copy, a.log still there: a new file */
    CHECK_EQ(sh("gzip -n -c '%s' > '%s.copy.gz'", a, a), 0);
    char copy[500];
    snprintf(copy, sizeof(copy), "%s.copy.gz", a);
    CHECK_EQ(tr_store_resume(e.st, copy, TR_STR("t"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_NEW);
    /* a.log compressed away (gzip replaces it): the same content, read already */
    CHECK_EQ(sh("gzip -n '%s'%s", a, ""), 0);
    char agz[500];
    snprintf(agz, sizeof(agz), "%s.gz", a);
    CHECK_EQ(tr_store_resume(e.st, agz, TR_STR("t"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_MOVED);
    CHECK(m.skip);
    CHECK_EQ(m.id, sa.id);
    /* b.log to zstd, with 2 more lines first */
    write_lines(b, 6, 7, true);
    CHECK_EQ(sh("zstd -q --rm '%s' -o '%s.zst'", b, b), 0);
    char bz[500];
    snprintf(bz, sizeof(bz), "%s.zst", b);
    CHECK_EQ(tr_store_resume(e.st, bz, TR_STR("t"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_MOVED);
    CHECK(!m.skip);
    CHECK_EQ(m.id, sb.id);
    CHECK_EQ(m.record, 5);
    /* other tenants never share content */
    CHECK_EQ(tr_store_resume(e.st, agz, TR_STR("u"), &m), TR_OK);
    CHECK_EQ(m.why, TR_RESUME_NEW);
    env_close(&e);
}

/* Without a store, a compressed file gets the generation number of its
 * content: the same as the plain file it was rotated from. */
TEST(store_rotation_head_gen_is_content)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "x.log");
    write_lines(p, 1, 100, false);
    uint64_t plain, packed;
    CHECK_EQ(tr_source_head_gen(p, &plain), TR_OK);
    CHECK_EQ(sh("gzip -n '%s'%s", p, ""), 0);
    char gz[500];
    snprintf(gz, sizeof(gz), "%s.gz", p);
    CHECK_EQ(tr_source_head_gen(gz, &packed), TR_OK);
    CHECK(plain != 0);
    CHECK_EQ(packed, plain);
    env_close(&e);
}

/* Overwrites the line holding "n":<n> with the same number of bytes. */
static void patch_line(const char *path, int n, int with)
{
    FILE *f = fopen(path, "r+");
    char line[200], key[40];
    snprintf(key, sizeof(key), "\"n\":%d,", n);
    long at = 0;
    while (fgets(line, sizeof(line), f)) {
        if (strstr(line, key)) {
            char *k = strstr(line, key);
            char repl[40];
            snprintf(repl, sizeof(repl), "\"n\":%d,", with);
            memcpy(k, repl, strlen(repl)); /* same width: 3 digits for 3 digits */
            fseek(f, at, SEEK_SET);
            fputs(line, f);
            break;
        }
        at = ftell(f);
    }
    fclose(f);
}

/* A file rewritten in place with the same head and size: detected when the
 * bytes that ended the file when it was last opened changed (its last 4 KiB),
 * not when only bytes between the head and that tail changed. */
TEST(store_rewrite_same_size_same_head)
{
    env e;
    CHECK(env_open(&e));
    const char *p = at(&e, "w.log");
    write_lines(p, 1, 300, false); /* ~18 KiB */
    uint64_t size = file_size(p);
    tr_store_src s, r;
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &s), TR_OK);
    CHECK_EQ(read_to_end(&e, &s, p, size, 300), TR_OK);
    patch_line(p, 298, 999); /* near the end */
    CHECK_EQ(file_size(p), size);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &r), TR_OK);
    CHECK_EQ(r.why, TR_RESUME_REPLACED);
    CHECK(!r.skip);
    CHECK_EQ(r.offset, 0);
    CHECK(r.gen != s.gen); /* other records: other ids */
    CHECK_EQ(read_to_end(&e, &r, p, size, 300), TR_OK);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &r), TR_OK);
    CHECK_EQ(r.why, TR_RESUME_UNCHANGED);
    /* grown since, and the old end rewritten: also a new generation */
    tr_store_src g;
    patch_line(p, 299, 998);
    write_lines(p, 301, 310, true);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &g), TR_OK);
    CHECK_EQ(g.why, TR_RESUME_REPLACED);
    CHECK_EQ(g.offset, 0);
    CHECK_EQ(read_to_end(&e, &g, p, file_size(p), 310), TR_OK);
    /* appended only: grown, from the checkpoint */
    write_lines(p, 311, 312, true);
    CHECK_EQ(tr_store_resume(e.st, p, TR_STR("t"), &g), TR_OK);
    CHECK_EQ(g.why, TR_RESUME_GROWN);
    CHECK(g.offset > 0);
    env_close(&e);
}
