/*
 * store.c - opening the store (version checks, upgrades, pragmas), its
 * errors, tenants and saved state (see trawl/store.h, docs/STORE.md).
 *
 * One SQLite connection per store, guarded by one mutex: the sink's writer
 * thread and the callers' threads take turns. WAL journaling lets other
 * processes (trawl query, trawl serve) read while a hunt writes.
 */
#include "core/common.h"

#include <sys/stat.h>
#include <time.h>

#include "store/store_int.h"
#include "trawl/log.h"

static _Thread_local char err_text[768];

void store_set_err(const tr_store *st, const char *fmt, ...)
{
    int k = snprintf(err_text, sizeof(err_text), "%s: ", st && st->path ? st->path : "store");
    if (k < 0 || (size_t)k >= sizeof(err_text))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err_text + k, sizeof(err_text) - (size_t)k, fmt, ap);
    va_end(ap);
}

void store_set_errmsg(const char *msg)
{
    snprintf(err_text, sizeof(err_text), "%s", msg);
}

tr_err store_sql_err(const tr_store *st, const char *what)
{
    store_set_err(st, "%s: %s", what, st->db ? sqlite3_errmsg(st->db) : "no database");
    return TR_ESTORE;
}

const char *tr_store_errmsg(const tr_store *st)
{
    TR_UNUSED(st);
    return err_text;
}

tr_err store_exec(tr_store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return TR_OK;
    store_set_err(st, "%s: %s", sql, msg ? msg : sqlite3_errmsg(st->db));
    sqlite3_free(msg);
    return TR_ESTORE;
}

int64_t store_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Runs a one-row, one-column integer query; *found false when no row. */
static tr_err query_int(tr_store *st, const char *sql, int64_t *v, bool *found)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK)
        return TR_ESTORE;
    int rc = sqlite3_step(q);
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? TR_OK : TR_ESTORE;
}

static void read_writer_version(tr_store *st)
{
    sqlite3_stmt *q;
    st->writer_version[0] = '\0';
    if (sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'trawl_version'", -1, &q,
                           NULL) != SQLITE_OK)
        return;
    if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
        snprintf(st->writer_version, sizeof(st->writer_version), "%s",
                 (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
}

/* Checks the version and upgrades when needed. */
static tr_err check_schema(tr_store *st)
{
    int64_t v = 0;
    bool found;
    if (query_int(st, "PRAGMA user_version", &v, &found) != TR_OK) {
        store_set_err(st, "not a trawl store (%s)", sqlite3_errmsg(st->db));
        return TR_ESTORE;
    }
    if (v == 0) {
        /* a fresh file, or somebody else's database */
        int64_t tables = 0;
        if (query_int(st, "SELECT count(*) FROM sqlite_master", &tables, &found) != TR_OK)
            return store_sql_err(st, "not a trawl store");
        if (tables > 0) {
            store_set_err(st, "not a trawl store (a database without trawl's schema)");
            return TR_ESTORE;
        }
        if (st->flags & TR_STORE_READONLY) {
            store_set_err(st, "not a trawl store (empty database)");
            return TR_ESTORE;
        }
    }
    read_writer_version(st);
    if (v > TR_STORE_SCHEMA_VERSION) {
        if (st->writer_version[0])
            store_set_err(st, "schema version %d is newer than this trawl supports (%d); "
                          "upgrade trawl (the store was written by trawl %s)", (int)v,
                          TR_STORE_SCHEMA_VERSION, st->writer_version);
        else
            store_set_err(st, "schema version %d is newer than this trawl supports (%d); "
                          "upgrade trawl", (int)v, TR_STORE_SCHEMA_VERSION);
        return TR_EVERSION;
    }
    if (v < TR_STORE_SCHEMA_VERSION) {
        if (st->flags & TR_STORE_READONLY) {
            store_set_err(st, "schema version %d is older than this trawl's (%d); open it once "
                          "for writing (trawl query or hunt --store) to upgrade it", (int)v,
                          TR_STORE_SCHEMA_VERSION);
            return TR_EVERSION;
        }
        if (v > 0)
            tr_log(TR_LOG_INFO, "%s: upgrading store schema from version %d to %d", st->path,
                   (int)v, TR_STORE_SCHEMA_VERSION);
        tr_err err = store_migrate(st, TR_STORE_SCHEMA_VERSION);
        if (err)
            return err;
        read_writer_version(st);
    }
    st->version = TR_STORE_SCHEMA_VERSION;
    return TR_OK;
}

static tr_err set_pragmas(tr_store *st)
{
    sqlite3_busy_timeout(st->db, 10000);
    if (st->flags & TR_STORE_READONLY)
        return TR_OK;
    /* WAL: readers in other processes do not block the writer and vice versa;
     * with synchronous=NORMAL a commit is one write() to the WAL, no fsync:
     * durable when the process dies, possibly lost (never corrupt) on power
     * loss. TR_STORE_SYNC_FULL fsyncs every commit. */
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1, &q, NULL) != SQLITE_OK)
        return store_sql_err(st, "cannot set WAL mode");
    int rc = sqlite3_step(q);
    bool wal = rc == SQLITE_ROW && sqlite3_column_text(q, 0) &&
               strcmp((const char *)sqlite3_column_text(q, 0), "wal") == 0;
    sqlite3_finalize(q);
    if (!wal)
        tr_log(TR_LOG_WARN, "%s: WAL journaling unavailable (network file system?); using the "
               "default journal", st->path);
    return store_exec(st, (st->flags & TR_STORE_SYNC_FULL) ? "PRAGMA synchronous = FULL;"
                                                              "PRAGMA cache_size = -65536;"
                                                              "PRAGMA temp_store = MEMORY"
                                                            : "PRAGMA synchronous = NORMAL;"
                                                              "PRAGMA cache_size = -65536;"
                                                              "PRAGMA temp_store = MEMORY");
}

tr_err tr_store_open(const char *path, unsigned flags, tr_store **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!path || !*path) {
        if (errbuf)
            snprintf(errbuf, errlen, "store: no path given");
        return TR_EINVAL;
    }
    struct stat sb;
    if (!(flags & TR_STORE_CREATE) && stat(path, &sb) != 0) {
        if (errbuf)
            snprintf(errbuf, errlen, "%s: %s", path,
                     errno == ENOENT ? "no such store" : strerror(errno));
        return errno == ENOENT ? TR_ENOENT : TR_EIO;
    }
    tr_store *st = tr_calloc(1, sizeof(*st));
    if (!st)
        return TR_ENOMEM;
    pthread_mutex_init(&st->lock, NULL);
    st->flags = flags;
    tr_err err = TR_OK;
    st->path = tr_strndup(path, strlen(path));
    if (!st->path) {
        err = TR_ENOMEM;
        goto out;
    }
    int oflags = SQLITE_OPEN_NOMUTEX;
    if (flags & TR_STORE_READONLY)
        oflags |= SQLITE_OPEN_READONLY;
    else
        oflags |= SQLITE_OPEN_READWRITE | ((flags & TR_STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
        store_set_err(st, "cannot open: %s", st->db ? sqlite3_errmsg(st->db) : "out of memory");
        err = TR_ESTORE;
        goto out;
    }
    sqlite3_extended_result_codes(st->db, 1);
    pthread_mutex_lock(&st->lock);
    err = set_pragmas(st);
    if (err == TR_OK || err == TR_ESTORE) {
        /* a file that is not a database fails in the pragmas: say so plainly */
        tr_err e2 = check_schema(st);
        if (e2)
            err = e2;
    }
    pthread_mutex_unlock(&st->lock);
out:
    if (err) {
        if (errbuf)
            snprintf(errbuf, errlen, "%s", err == TR_ENOMEM ? "out of memory" : err_text);
        tr_store_close(st);
        return err;
    }
    *out = st;
    return TR_OK;
}

void tr_store_close(tr_store *st)
{
    if (!st)
        return;
    if (st->db) {
        /* a clean close checkpoints the WAL back into the database file */
        sqlite3_close_v2(st->db);
    }
    pthread_mutex_destroy(&st->lock);
    tr_free(st->path);
    tr_free(st);
}

int tr_store_schema_version(const tr_store *st)
{
    return st->version;
}

const char *tr_store_writer_version(const tr_store *st)
{
    return st->writer_version;
}

void tr_store_set_ruleset(tr_store *st, uint64_t fingerprint)
{
    pthread_mutex_lock(&st->lock);
    st->ruleset = fingerprint;
    pthread_mutex_unlock(&st->lock);
}

/* ---- tenants ---- */

static void bind_slice(sqlite3_stmt *q, int i, tr_str s)
{
    sqlite3_bind_text(q, i, s.p ? s.p : "", (int)s.n, SQLITE_STATIC);
}

tr_err tr_store_put_fleet(tr_store *st, const tr_fleet *fleet)
{
    if (st->flags & TR_STORE_READONLY) {
        store_set_err(st, "opened read-only");
        return TR_EINVAL;
    }
    tr_err err = TR_OK;
    sqlite3_stmt *q = NULL;
    bool in_tx = false;
    pthread_mutex_lock(&st->lock);
    TR_TRY(store_exec(st, "BEGIN IMMEDIATE"));
    in_tx = true;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO tenants(id, name, country, sector, updated)"
                           " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO UPDATE SET"
                           " name = excluded.name, country = excluded.country,"
                           " sector = excluded.sector, updated = excluded.updated"
                           " WHERE name IS NOT excluded.name OR country IS NOT excluded.country"
                           " OR sector IS NOT excluded.sector",
                           -1, &q, NULL) != SQLITE_OK) {
        err = store_sql_err(st, "cannot store tenants");
        goto out;
    }
    int64_t now = store_now_ns();
    for (size_t i = 0; i < tr_fleet_count(fleet); i++) {
        const tr_tenant *t = tr_fleet_at(fleet, i);
        bind_slice(q, 1, t->id);
        bind_slice(q, 2, t->name);
        bind_slice(q, 3, t->country);
        bind_slice(q, 4, t->sector);
        sqlite3_bind_int64(q, 5, now);
        if (sqlite3_step(q) != SQLITE_DONE) {
            err = store_sql_err(st, "cannot store tenants");
            goto out;
        }
        sqlite3_reset(q);
    }
    err = store_exec(st, "COMMIT");
    in_tx = err != TR_OK;
out:
    sqlite3_finalize(q);
    if (in_tx)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&st->lock);
    return err;
}

tr_err tr_store_count_tenants(tr_store *st, uint64_t *count)
{
    int64_t v = 0;
    bool found;
    pthread_mutex_lock(&st->lock);
    tr_err err = query_int(st, "SELECT count(*) FROM tenants", &v, &found);
    if (err)
        err = store_sql_err(st, "cannot count tenants");
    pthread_mutex_unlock(&st->lock);
    *count = (uint64_t)v;
    return err;
}

tr_err tr_store_get_fleet(tr_store *st, tr_fleet **out)
{
    *out = NULL;
    tr_fleet *f = tr_fleet_new();
    if (!f)
        return TR_ENOMEM;
    sqlite3_stmt *q = NULL;
    tr_err err = TR_OK;
    pthread_mutex_lock(&st->lock);
    if (sqlite3_prepare_v2(st->db, "SELECT id, name, country, sector FROM tenants ORDER BY id",
                           -1, &q, NULL) != SQLITE_OK) {
        err = store_sql_err(st, "cannot read tenants");
        goto out;
    }
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *v[4];
        for (int i = 0; i < 4; i++) {
            v[i] = (const char *)sqlite3_column_text(q, i);
            if (!v[i])
                v[i] = "";
        }
        tr_err e = tr_fleet_add(f, v[0], v[1], v[2], v[3]);
        if (e && e != TR_EEXIST) {
            err = e;
            goto out;
        }
    }
    if (rc != SQLITE_DONE)
        err = store_sql_err(st, "cannot read tenants");
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    if (err) {
        tr_fleet_free(f);
        return err;
    }
    *out = f;
    return TR_OK;
}

/* ---- saved engine state ---- */

tr_err tr_store_get_state(tr_store *st, const char *name, void **blob, size_t *len)
{
    *blob = NULL;
    *len = 0;
    tr_err err = TR_OK;
    sqlite3_stmt *q = NULL;
    pthread_mutex_lock(&st->lock);
    if (sqlite3_prepare_v2(st->db, "SELECT blob FROM state WHERE name = ?1", -1, &q, NULL) !=
        SQLITE_OK) {
        err = store_sql_err(st, "cannot read state");
        goto out;
    }
    sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        const void *p = sqlite3_column_blob(q, 0);
        size_t n = (size_t)sqlite3_column_bytes(q, 0);
        if (n) {
            *blob = tr_malloc(n);
            if (!*blob) {
                err = TR_ENOMEM;
                goto out;
            }
            memcpy(*blob, p, n);
            *len = n;
        }
    } else if (rc != SQLITE_DONE) {
        err = store_sql_err(st, "cannot read state");
    }
out:
    sqlite3_finalize(q);
    pthread_mutex_unlock(&st->lock);
    return err;
}

/* ---- levels and filters ---- */

int tr_level_rank(tr_str level)
{
    static const char *const names[] = { "informational", "low", "medium", "high", "critical" };
    for (size_t i = 0; i < TR_ARRAY_LEN(names); i++)
        if (level.n == strlen(names[i]) && strncasecmp(level.p, names[i], level.n) == 0)
            return (int)i;
    if (level.n == 4 && strncasecmp(level.p, "info", 4) == 0)
        return 0;
    return -1;
}

void tr_store_filter_init(tr_store_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->min_level = -1;
    f->kind = -1;
    f->since = TR_TS_NONE;
    f->until = TR_TS_NONE;
}
