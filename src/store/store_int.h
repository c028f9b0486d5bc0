/*
 * store_int.h - what the files of the store module share: the store object,
 * its lock and error helpers, the schema steps and the JSON helpers.
 */
#ifndef TR_SRC_STORE_STORE_INT_H
#define TR_SRC_STORE_STORE_INT_H

#include "core/common.h"

#include <pthread.h>
#include <sqlite3.h>

#include "core/buf.h"
#include "trawl/arena.h"
#include "trawl/store.h"

struct tr_store {
    sqlite3 *db;            /* the one connection (guarded by lock) */
    pthread_mutex_t lock;   /* held for every statement sequence and transaction */
    char *path;             /* as opened (owned) */
    unsigned flags;         /* enum tr_store_open_flags */
    int version;            /* schema version after open */
    char writer_version[32]; /* trawl version that last wrote the store */
    uint64_t ruleset;       /* tr_store_set_ruleset() */
    bool has_sink;          /* a sink is open (one per store) */
};

/* Formats the calling thread's store error message ("PATH: what: sqlite says"). */
void store_set_err(const tr_store *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets the calling thread's store error message as is. */
void store_set_errmsg(const char *msg);
/* Same, with SQLite's message for db appended; returns TR_ESTORE. */
tr_err store_sql_err(const tr_store *st, const char *what);
/* Runs SQL without results (several statements allowed). Caller holds the lock. */
tr_err store_exec(tr_store *st, const char *sql);

/* Wall-clock time in ns (for the "updated" columns). */
int64_t store_now_ns(void);

/* ---- schema (schema.c) ---- */

/* Brings db from its version to `target` (<= TR_STORE_SCHEMA_VERSION) in one
 * transaction. Tests use a lower target to build an old store. */
tr_err store_migrate(tr_store *st, int target);
/* Tests: a store file of an older schema version, as an older trawl made it. */
tr_err store_create_at_version(const char *path, int version);
/* meta(key) = value. Caller holds the lock. */
tr_err store_put_meta(tr_store *st, const char *key, const char *value);

/* ---- JSON of string lists and string maps (kvjson.c) ---- */

/* ["a","b"] */
tr_err store_json_strs(tr_buf *b, const tr_str *v, uint32_t n);
/* {"k":"v",…} */
tr_err store_json_kvs(tr_buf *b, const tr_kv *kv, uint32_t n);
/* ["0123456789abcdef",…] */
tr_err store_json_ids(tr_buf *b, const uint64_t *ids, uint32_t n);
/* Inverse of the above, for what this module wrote (and any equivalent JSON
 * of strings without nesting). Slices and arrays are allocated in arena. */
tr_err store_parse_strs(const char *p, size_t n, tr_arena *arena, tr_str **out, uint32_t *count);
tr_err store_parse_kvs(const char *p, size_t n, tr_arena *arena, tr_kv **out, uint32_t *count);
tr_err store_parse_ids(const char *p, size_t n, tr_arena *arena, uint64_t **out, uint32_t *count);

/* Signed storage of unsigned 64-bit ids and hashes (SQLite integers are signed). */
static inline int64_t store_i64(uint64_t u)
{
    int64_t i;
    memcpy(&i, &u, sizeof(i));
    return i;
}
static inline uint64_t store_u64(int64_t i)
{
    uint64_t u;
    memcpy(&u, &i, sizeof(u));
    return u;
}

#endif
