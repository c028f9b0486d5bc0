/*
 * schema.c - the store's schema, as the ordered list of steps that build it.
 *
 * Step N turns a version N-1 store into a version N store. A step is never
 * edited once released: a change of schema is a new step at the end, and
 * TR_STORE_SCHEMA_VERSION moves with it (policy in docs/STORE.md). The steps
 * run inside one transaction, so an upgrade happens whole or not at all.
 */
#include "core/common.h"

#include "store/store_int.h"

static const char *const steps[] = {
    /* 1: tenants, sources with checkpoints, detections */
    "CREATE TABLE meta ("
    "  key TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE tenants ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  country TEXT NOT NULL,"
    "  sector TEXT NOT NULL,"
    "  updated INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "CREATE TABLE sources ("
    "  id INTEGER PRIMARY KEY,"
    "  tenant TEXT NOT NULL,"
    "  path TEXT NOT NULL,"
    "  first_path TEXT NOT NULL,"
    "  current INTEGER NOT NULL DEFAULT 1,"
    "  gen INTEGER NOT NULL,"
    "  dev INTEGER NOT NULL,"
    "  ino INTEGER NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  mtime INTEGER NOT NULL,"
    "  head_hash INTEGER NOT NULL,"
    "  head_len INTEGER NOT NULL,"
    "  compressed INTEGER NOT NULL,"
    "  offset INTEGER NOT NULL DEFAULT 0,"
    "  line INTEGER NOT NULL DEFAULT 1,"
    "  record INTEGER NOT NULL DEFAULT 0,"
    "  eof INTEGER NOT NULL DEFAULT 0,"
    "  eof_size INTEGER NOT NULL DEFAULT 0,"
    "  ruleset INTEGER NOT NULL DEFAULT 0,"
    "  first_seen INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL"
    ");"
    "CREATE INDEX sources_path ON sources(path, tenant) WHERE current = 1;"
    "CREATE INDEX sources_head ON sources(tenant, head_hash) WHERE head_len = 4096;"
    "CREATE INDEX sources_inode ON sources(dev, ino);"
    "CREATE INDEX sources_gen ON sources(tenant, gen);"
    "CREATE TABLE detections ("
    "  seq INTEGER PRIMARY KEY,"
    "  id INTEGER NOT NULL UNIQUE,"
    "  ts INTEGER,"
    "  tenant TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  rule_id TEXT NOT NULL,"
    "  rule_title TEXT,"
    "  level TEXT,"
    "  level_rank INTEGER,"
    "  tags TEXT NOT NULL,"
    "  product TEXT,"
    "  category TEXT,"
    "  service TEXT,"
    "  path TEXT,"
    "  source_gen INTEGER NOT NULL,"
    "  record INTEGER NOT NULL,"
    "  line INTEGER,"
    "  fields TEXT NOT NULL,"
    "  ind_value TEXT,"
    "  ind_type TEXT,"
    "  ind_feed TEXT,"
    "  ind_actor TEXT,"
    "  ind_field TEXT,"
    "  ind_side TEXT,"
    "  first_record INTEGER,"
    "  first_path TEXT,"
    "  grp TEXT,"
    "  contributing TEXT"
    ");"
    "CREATE INDEX det_ts ON detections(ts, id);"
    "CREATE INDEX det_tenant ON detections(tenant, ts, id);"
    "CREATE INDEX det_rule ON detections(rule_id, ts, id);"
    "CREATE INDEX det_kind ON detections(kind, ts, id);"
    "CREATE INDEX det_indicator ON detections(ind_value) WHERE ind_value IS NOT NULL;",

    /* 2: runs, and engine state saved with the checkpoints (correlation windows) */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  started INTEGER NOT NULL,"
    "  finished INTEGER,"
    "  trawl_version TEXT NOT NULL,"
    "  inserted INTEGER NOT NULL DEFAULT 0,"
    "  duplicates INTEGER NOT NULL DEFAULT 0"
    ");"
    "ALTER TABLE detections ADD COLUMN run_id INTEGER;"
    "CREATE TABLE state ("
    "  name TEXT PRIMARY KEY,"
    "  blob BLOB NOT NULL,"
    "  updated INTEGER NOT NULL"
    ") WITHOUT ROWID;",

    /* 3: the last bytes of each source when last opened (in-place rewrites) */
    "ALTER TABLE sources ADD COLUMN tail_hash INTEGER NOT NULL DEFAULT 0;",
};

_Static_assert(TR_ARRAY_LEN(steps) == TR_STORE_SCHEMA_VERSION,
               "one schema step per version");

static tr_err read_version(tr_store *st, int *version)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &q, NULL) != SQLITE_OK)
        return store_sql_err(st, "cannot read the schema version");
    int rc = sqlite3_step(q);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    return rc == SQLITE_ROW ? TR_OK : store_sql_err(st, "cannot read the schema version");
}

tr_err store_put_meta(tr_store *st, const char *key, const char *value)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", -1,
                           &q, NULL) != SQLITE_OK)
        return store_sql_err(st, "cannot write meta");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? TR_OK : store_sql_err(st, "cannot write meta");
}

tr_err store_migrate(tr_store *st, int target)
{
    if (target < 1 || target > TR_STORE_SCHEMA_VERSION)
        TR_BUG("schema target %d", target);
    tr_err err = TR_OK;
    bool in_tx = false;
    TR_TRY(store_exec(st, "BEGIN IMMEDIATE"));
    in_tx = true;
    int from;
    /* read again inside the transaction: another process may have upgraded it */
    TR_TRY(read_version(st, &from));
    if (from > target) {
        store_set_err(st, "schema version %d is newer than this trawl supports (%d); upgrade trawl",
                      from, TR_STORE_SCHEMA_VERSION);
        err = TR_EVERSION;
        goto out;
    }
    for (int v = from + 1; v <= target; v++) {
        char what[48];
        snprintf(what, sizeof(what), "schema step %d failed", v);
        if (sqlite3_exec(st->db, steps[v - 1], NULL, NULL, NULL) != SQLITE_OK) {
            err = store_sql_err(st, what);
            goto out;
        }
    }
    if (from < target) {
        char sql[48], num[16], now[24];
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", target);
        TR_TRY(store_exec(st, sql));
        snprintf(num, sizeof(num), "%d", target);
        snprintf(now, sizeof(now), "%" PRId64, store_now_ns());
        TR_TRY(store_put_meta(st, "schema_version", num));
        if (from == 0) {
            TR_TRY(store_put_meta(st, "created_by", TR_VERSION_STRING));
            TR_TRY(store_put_meta(st, "created_at", now));
        } else {
            TR_TRY(store_put_meta(st, "migrated_at", now));
        }
        TR_TRY(store_put_meta(st, "trawl_version", TR_VERSION_STRING));
    }
    err = store_exec(st, "COMMIT");
    in_tx = err != TR_OK;
out:
    if (in_tx)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return err;
}

TR_STATIC tr_err store_create_at_version(const char *path, int version)
{
    tr_store st = { 0 };
    st.path = (char *)path;
    if (sqlite3_open_v2(path, &st.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        sqlite3_close(st.db);
        return TR_ESTORE;
    }
    tr_err err = store_migrate(&st, version);
    sqlite3_close(st.db);
    return err;
}
