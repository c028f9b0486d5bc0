/*
 * readback.c - what long-lived readers of a store (trawl serve) need
 * besides detection queries: a cheap mark that tells them the store changed,
 * so that they rebuild their views only then.
 */
#include "core/common.h"

#include "store/store_int.h"

tr_err tr_store_data_mark(tr_store *st, uint64_t *mark)
{
    *mark = 0;
    tr_err err = TR_OK;
    sqlite3_stmt *q = NULL;
    pthread_mutex_lock(&st->lock);
    /* seq only grows (rows are never deleted), and every tenant change
     * bumps its updated column: together they move on every write. */
    if (sqlite3_prepare_v2(st->db,
                           "SELECT (SELECT coalesce(max(seq), 0) FROM detections),"
                           " (SELECT count(*) FROM tenants),"
                           " (SELECT coalesce(max(updated), 0) FROM tenants)",
                           -1, &q, NULL) != SQLITE_OK) {
        err = store_sql_err(st, "cannot read the store's state");
        goto out;
    }
    if (sqlite3_step(q) != SQLITE_ROW) {
        err = store_sql_err(st, "cannot read the store's state");
        goto out;
    }
    uint64_t seq = (uint64_t)sqlite3_column_int64(q, 0);
    uint64_t nt = (uint64_t)sqlite3_column_int64(q, 1);
    uint64_t upd = (uint64_t)sqlite3_column_int64(q, 2);
    *mark = seq * UINT64_C(0x9E3779B97F4A7C15) ^ (nt << 48) ^ upd;
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    return err;
}
