/*
 * test_input_partial.c - a block says when its last record ended the stream
 * without its terminator (a log still being written), so that the hunt
 * checkpoints before it.
 */
#include "tt.h"

#include "trawl/input.h"

/* Reads the file at path (written with data) in one block; the block's
 * partial flag and the last record are returned. */
static bool read_block(const char *name, const char *data, tr_format fmt, bool *partial, char *last,
                       size_t lastcap)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", tt_tmpdir(), name);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(data, f);
    fclose(f);
    tr_source_opts o = { .format = fmt };
    tr_source *s;
    char err[256];
    if (tr_source_open(path, &o, &s, err, sizeof(err)) != TR_OK)
        return false;
    tr_record recs[16];
    tr_block b = { .buf = tr_malloc(1 << 16), .cap = 1 << 16, .recs = recs, .maxrecs = 16 };
    bool ok = tr_source_next_block(s, &b) == TR_OK && b.eof && b.nrecs > 0;
    if (ok) {
        *partial = b.partial;
        const tr_record *r = &b.recs[b.nrecs - 1];
        snprintf(last, lastcap, "%.*s", (int)r->data.n, r->data.p);
    }
    tr_free(b.buf);
    tr_source_free(s);
    return ok;
}

TEST(input_partial_last_line)
{
    bool partial;
    char last[128];
    CHECK(read_block("a.log", "one\ntwo\nthr", TR_FMT_SYSLOG, &partial, last, sizeof(last)));
    CHECK(partial);
    CHECK_STR(last, "thr");
    CHECK(read_block("b.log", "one\ntwo\n", TR_FMT_SYSLOG, &partial, last, sizeof(last)));
    CHECK(!partial);
    CHECK_STR(last, "two");
    CHECK(read_block("c.log", "one\r\ntwo\r\n\r\n", TR_FMT_SYSLOG, &partial, last, sizeof(last)));
    CHECK(!partial);
}

TEST(input_partial_json_value)
{
    bool partial;
    char last[128];
    CHECK(read_block("a.json", "{\"a\":1}\n{\"b\":", TR_FMT_JSON, &partial, last, sizeof(last)));
    CHECK(partial);
    CHECK_STR(last, "{\"b\":");
    /* a whole value needs no newline after it */
    CHECK(read_block("b.json", "{\"a\":1}\n{\"b\":2}", TR_FMT_JSON, &partial, last, sizeof(last)));
    CHECK(!partial);
    CHECK_STR(last, "{\"b\":2}");
}
