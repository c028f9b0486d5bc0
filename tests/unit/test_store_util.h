/*
 * test_store_util.h - the fixture of the store's resume tests: a store and
 * its sink in the test's temporary directory, paths inside it, and log files
 * of numbered JSON lines written or appended.
 */
#ifndef TR_TESTS_TEST_STORE_UTIL_H
#define TR_TESTS_TEST_STORE_UTIL_H

#include "tt.h"

#include <sys/stat.h>

#include "trawl/store.h"

typedef struct env {
    char dir[300];
    tr_store *st;
    tr_sink *sink;
} env;

static inline bool env_open(env *e)
{
    snprintf(e->dir, sizeof(e->dir), "%s", tt_tmpdir());
    char db[400], err[512];
    snprintf(db, sizeof(db), "%s/store.db", e->dir);
    if (tr_store_open(db, TR_STORE_CREATE, &e->st, err, sizeof(err)) != TR_OK)
        return false;
    return tr_store_sink_new(e->st, NULL, &e->sink) == TR_OK;
}

static inline void env_close(env *e)
{
    tr_sink_free(e->sink);
    tr_store_close(e->st);
}

/* DIR/name, in one of 8 rotating buffers (several paths live at once). */
static inline const char *at(env *e, const char *name)
{
    static char buf[8][420];
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof(buf[k]), "%s/%s", e->dir, name);
    return buf[k];
}

/* JSON lines first..last (1-based), each ~60 bytes, appended (or written). */
static inline void write_lines(const char *path, int first, int last, bool append)
{
    FILE *f = fopen(path, append ? "a" : "w");
    for (int i = first; i <= last; i++)
        fprintf(f, "{\"ts\":\"2020-01-20T08:%02d:%02dZ\",\"n\":%d,\"pad\":\"xxxxxxxxxx\"}\n",
                (i / 60) % 60, i % 60, i);
    fclose(f);
}

static inline uint64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

#endif
