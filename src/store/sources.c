/*
 * sources.c - which files were read, how far, and where to resume them.
 *
 * A source generation is one content: the bytes a file had when it was
 * first read, plus whatever was appended since. Its identity is its head,
 * a hash of the first 4 KiB on disk (fewer for smaller files), not its path
 * or inode: log rotation renames files, replaces them and copies them, and
 * log collectors recreate them with new inodes. The decision table is in
 * docs/STORE.md "Resuming sources"; the code below follows it line by line.
 */
#include "core/common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hash.h"
#include "store/store_int.h"

#define HEAD_LEN 4096
#define HEAD_SEED 0x67656eULL /* "gen": the seed trawl hunt uses for source_gen */

const char *tr_resume_why_name(tr_resume_why why)
{
    switch (why) {
    case TR_RESUME_NEW: return "new";
    case TR_RESUME_GROWN: return "grown";
    case TR_RESUME_UNCHANGED: return "unchanged";
    case TR_RESUME_REPLACED: return "replaced";
    case TR_RESUME_SHRUNK: return "shrunk";
    case TR_RESUME_MOVED: return "moved";
    case TR_RESUME_RULES: return "rules changed";
    case TR_RESUME_UNTRACKED: return "untracked";
    }
    return "?";
}

/* What the file looks like now. */
typedef struct ident {
    uint64_t dev, ino, size;
    int64_t mtime;
    unsigned char head[HEAD_LEN];
    size_t nhead; /* bytes of head read: min(size, 4096) unless the file shrank meanwhile */
    bool compressed;
} ident;

/* One row of sources. */
typedef struct src_row {
    int64_t id;
    uint64_t gen, dev, ino, size, head_hash;
    size_t head_len;
    bool compressed;
    uint64_t offset, line, record;
    bool eof;
    uint64_t eof_size, ruleset;
} src_row;

#define ROW_COLUMNS                                                                                \
    "id, gen, dev, ino, size, head_hash, head_len, compressed, offset, line, record, eof, "         \
    "eof_size, ruleset"

static void row_read(sqlite3_stmt *q, src_row *r)
{
    r->id = sqlite3_column_int64(q, 0);
    r->gen = store_u64(sqlite3_column_int64(q, 1));
    r->dev = store_u64(sqlite3_column_int64(q, 2));
    r->ino = store_u64(sqlite3_column_int64(q, 3));
    r->size = (uint64_t)sqlite3_column_int64(q, 4);
    r->head_hash = store_u64(sqlite3_column_int64(q, 5));
    r->head_len = (size_t)sqlite3_column_int64(q, 6);
    r->compressed = sqlite3_column_int(q, 7) != 0;
    r->offset = (uint64_t)sqlite3_column_int64(q, 8);
    r->line = (uint64_t)sqlite3_column_int64(q, 9);
    r->record = (uint64_t)sqlite3_column_int64(q, 10);
    r->eof = sqlite3_column_int(q, 11) != 0;
    r->eof_size = (uint64_t)sqlite3_column_int64(q, 12);
    r->ruleset = store_u64(sqlite3_column_int64(q, 13));
}

static bool magic_compressed(const unsigned char *p, size_t n)
{
    static const unsigned char gz[] = { 0x1f, 0x8b }, zst[] = { 0x28, 0xb5, 0x2f, 0xfd },
                               lz4[] = { 0x04, 0x22, 0x4d, 0x18 };
    return (n >= 2 && memcmp(p, gz, 2) == 0) || (n >= 4 && memcmp(p, zst, 4) == 0) ||
           (n >= 4 && memcmp(p, lz4, 4) == 0);
}

static void file_err(const char *path)
{
    char msg[600];
    snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
    store_set_errmsg(msg);
}

/* The EVTX file header (4 KiB) and the first chunk's header (512 bytes). */
#define EVTX_FIRST_RECORD (4096 + 512)

/* Stats path and reads its head. TR_EUNSUPPORTED for anything but a regular file. */
static tr_err read_ident(const char *path, ident *id)
{
    if (strcmp(path, "-") == 0)
        return TR_EUNSUPPORTED;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        file_err(path);
        return errno == ENOENT ? TR_ENOENT : TR_EIO;
    }
    struct stat sb;
    tr_err err = TR_OK;
    if (fstat(fd, &sb) != 0) {
        file_err(path);
        err = TR_EIO;
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        err = TR_EUNSUPPORTED;
        goto out;
    }
    id->dev = (uint64_t)sb.st_dev;
    id->ino = (uint64_t)sb.st_ino;
    id->size = (uint64_t)sb.st_size;
    id->mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    id->nhead = 0;
    /* An EVTX file's header and chunk header are rewritten as events are
     * added (record counts, checksums): its identity starts at the first
     * record, which never changes. */
    off_t base = 0;
    char magic[8];
    if (pread(fd, magic, sizeof(magic), 0) == (ssize_t)sizeof(magic) &&
        memcmp(magic, "ElfFile", 8) == 0)
        base = EVTX_FIRST_RECORD;
    uint64_t avail = id->size > (uint64_t)base ? id->size - (uint64_t)base : 0;
    size_t want = (size_t)TR_MIN(avail, (uint64_t)HEAD_LEN);
    while (id->nhead < want) {
        ssize_t r = pread(fd, id->head + id->nhead, want - id->nhead, base + (off_t)id->nhead);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            file_err(path);
            err = TR_EIO;
            goto out;
        }
        if (r == 0)
            break; /* shrank under us: the shorter head is what is there */
        id->nhead += (size_t)r;
    }
    id->compressed = magic_compressed(id->head, id->nhead);
out:
    close(fd);
    return err;
}

static uint64_t head_hash(const ident *id, size_t len)
{
    return tr_hash64(id->head, len, HEAD_SEED);
}

/* The content recorded in r is the start of the file now. */
static bool same_head(const src_row *r, const ident *id)
{
    return r->head_len <= id->nhead && head_hash(id, r->head_len) == r->head_hash;
}

/* On-disk bytes known to have been in the file. For uncompressed files the
 * decompressed offset is an on-disk offset too. */
static uint64_t known_size(const src_row *r)
{
    uint64_t k = r->size;
    if (r->eof)
        k = TR_MAX(k, r->eof_size);
    if (!r->compressed)
        k = TR_MAX(k, r->offset);
    return k;
}

static bool read_to_end(const src_row *r, const ident *id)
{
    return r->eof && id->size == r->eof_size;
}

static tr_err prep(tr_store *st, sqlite3_stmt **q, const char *sql)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, q, NULL) != SQLITE_OK)
        return store_sql_err(st, "cannot read sources");
    return TR_OK;
}

static tr_err step_done(tr_store *st, sqlite3_stmt *q, const char *what)
{
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? TR_OK : store_sql_err(st, what);
}

static void bind_str(sqlite3_stmt *q, int i, tr_str s)
{
    sqlite3_bind_text(q, i, s.p ? s.p : "", (int)s.n, SQLITE_STATIC);
}

/* The generation currently at (path, tenant). */
static tr_err find_current(tr_store *st, const char *path, tr_str tenant, src_row *r, bool *found)
{
    sqlite3_stmt *q;
    tr_err err = prep(st, &q, "SELECT " ROW_COLUMNS " FROM sources"
                              " WHERE path = ?1 AND tenant = ?2 AND current = 1"
                              " ORDER BY id DESC LIMIT 1");
    if (err)
        return err;
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    bind_str(q, 2, tenant);
    int rc = sqlite3_step(q);
    *found = rc == SQLITE_ROW;
    if (*found)
        row_read(q, r);
    else if (rc != SQLITE_DONE)
        err = store_sql_err(st, "cannot read sources");
    sqlite3_finalize(q);
    return err;
}

/* A generation of this tenant, other than `not`, whose content the file
 * now holds in full (same head, at least as large, same compression):
 * a file renamed by rotation, or collected again under another name. Same
 * device and inode with the same (non-empty) head, or the same full 4 KiB
 * head. Small files copied under another name are not recognised: a few
 * identical bytes are too weak a proof. */
static tr_err find_moved(tr_store *st, tr_str tenant, const ident *id, int64_t not, src_row *r,
                         bool *found)
{
    *found = false;
    static const char *const sqls[] = {
        "SELECT " ROW_COLUMNS " FROM sources WHERE dev = ?1 AND ino = ?2 AND tenant = ?3"
        " AND id != ?4 AND head_len > 0 ORDER BY id DESC",
        "SELECT " ROW_COLUMNS " FROM sources WHERE tenant = ?3 AND head_len = 4096"
        " AND head_hash = ?5 AND id != ?4 ORDER BY id DESC",
    };
    for (size_t k = 0; k < TR_ARRAY_LEN(sqls) && !*found; k++) {
        if (k == 1 && id->nhead < HEAD_LEN)
            break;
        sqlite3_stmt *q;
        tr_err err = prep(st, &q, sqls[k]);
        if (err)
            return err;
        sqlite3_bind_int64(q, 1, store_i64(id->dev));
        sqlite3_bind_int64(q, 2, store_i64(id->ino));
        bind_str(q, 3, tenant);
        sqlite3_bind_int64(q, 4, not);
        sqlite3_bind_int64(q, 5, store_i64(head_hash(id, id->nhead)));
        int rc;
        while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
            row_read(q, r);
            if (same_head(r, id) && id->size >= known_size(r) && r->compressed == id->compressed) {
                *found = true;
                break;
            }
        }
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            err = store_sql_err(st, "cannot read sources");
        sqlite3_finalize(q);
        if (err)
            return err;
    }
    return TR_OK;
}

/* A generation number unique within the tenant: the head hash, salted on
 * the rare collision (a file truncated and rewritten with the same head). */
static tr_err new_gen(tr_store *st, tr_str tenant, const ident *id, uint64_t *gen)
{
    sqlite3_stmt *q;
    tr_err err = prep(st, &q, "SELECT 1 FROM sources WHERE tenant = ?1 AND gen = ?2");
    if (err)
        return err;
    uint64_t g = head_hash(id, id->nhead);
    for (uint64_t salt = 1;; salt++) {
        if (g == 0)
            g = 1;
        bind_str(q, 1, tenant);
        sqlite3_bind_int64(q, 2, store_i64(g));
        int rc = sqlite3_step(q);
        sqlite3_reset(q);
        if (rc == SQLITE_DONE)
            break;
        if (rc != SQLITE_ROW) {
            err = store_sql_err(st, "cannot read sources");
            break;
        }
        uint64_t in[2] = { g, salt };
        g = tr_hash64(in, sizeof(in), HEAD_SEED);
    }
    sqlite3_finalize(q);
    *gen = g;
    return err;
}

/* Nothing is current at (path, tenant) but keep. */
static tr_err clear_current(tr_store *st, const char *path, tr_str tenant, int64_t keep)
{
    sqlite3_stmt *q;
    tr_err err = prep(st, &q, "UPDATE sources SET current = 0"
                              " WHERE path = ?1 AND tenant = ?2 AND current = 1 AND id != ?3");
    if (err)
        return err;
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    bind_str(q, 2, tenant);
    sqlite3_bind_int64(q, 3, keep);
    err = step_done(st, q, "cannot update sources");
    sqlite3_finalize(q);
    return err;
}

static tr_err insert_gen(tr_store *st, const char *path, tr_str tenant, const ident *id,
                         uint64_t gen, int64_t *rowid)
{
    sqlite3_stmt *q;
    tr_err err = prep(st, &q, "INSERT INTO sources(tenant, path, first_path, current, gen, dev,"
                              " ino, size, mtime, head_hash, head_len, compressed, ruleset,"
                              " first_seen, updated)"
                              " VALUES (?1, ?2, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                              " ?12, ?12)");
    if (err)
        return err;
    bind_str(q, 1, tenant);
    sqlite3_bind_text(q, 2, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, store_i64(gen));
    sqlite3_bind_int64(q, 4, store_i64(id->dev));
    sqlite3_bind_int64(q, 5, store_i64(id->ino));
    sqlite3_bind_int64(q, 6, (int64_t)id->size);
    sqlite3_bind_int64(q, 7, id->mtime);
    sqlite3_bind_int64(q, 8, store_i64(head_hash(id, id->nhead)));
    sqlite3_bind_int64(q, 9, (int64_t)id->nhead);
    sqlite3_bind_int(q, 10, id->compressed);
    sqlite3_bind_int64(q, 11, store_i64(st->ruleset));
    sqlite3_bind_int64(q, 12, store_now_ns());
    err = step_done(st, q, "cannot register source");
    sqlite3_finalize(q);
    *rowid = sqlite3_last_insert_rowid(st->db);
    return err;
}

/* The generation r is (now) at path, looking like id: its head grows up to
 * 4 KiB with the file. */
static tr_err touch_gen(tr_store *st, const src_row *r, const char *path, const ident *id)
{
    sqlite3_stmt *q;
    tr_err err = prep(st, &q, "UPDATE sources SET path = ?1, current = 1, dev = ?2, ino = ?3,"
                              " size = ?4, mtime = ?5, head_hash = ?6, head_len = ?7,"
                              " updated = ?8 WHERE id = ?9");
    if (err)
        return err;
    size_t hl = TR_MAX(r->head_len, id->nhead);
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, store_i64(id->dev));
    sqlite3_bind_int64(q, 3, store_i64(id->ino));
    sqlite3_bind_int64(q, 4, (int64_t)id->size);
    sqlite3_bind_int64(q, 5, id->mtime);
    sqlite3_bind_int64(q, 6, store_i64(head_hash(id, hl)));
    sqlite3_bind_int64(q, 7, (int64_t)hl);
    sqlite3_bind_int64(q, 8, store_now_ns());
    sqlite3_bind_int64(q, 9, r->id);
    err = step_done(st, q, "cannot update sources");
    sqlite3_finalize(q);
    return err;
}

/* Continue generation r: from its checkpoint, from the start under other
 * rules, or not at all when it was read to the end. */
static void continue_gen(tr_store *st, const src_row *r, const ident *id, tr_resume_why why,
                         tr_store_src *out)
{
    out->id = r->id;
    out->gen = r->gen;
    out->why = why;
    if (r->ruleset != st->ruleset) {
        out->why = TR_RESUME_RULES;
        return; /* offset 0 */
    }
    if (read_to_end(r, id)) {
        out->skip = true;
        if (why == TR_RESUME_GROWN)
            out->why = TR_RESUME_UNCHANGED;
    }
    out->offset = r->offset;
    out->line = r->line ? r->line : 1;
    out->record = r->record;
}

static tr_err decide(tr_store *st, const char *path, tr_str tenant, const ident *id,
                     tr_store_src *out)
{
    src_row cur, moved;
    bool have_cur, have_moved;
    tr_err err = find_current(st, path, tenant, &cur, &have_cur);
    if (err)
        return err;
    if (have_cur && same_head(&cur, id)) {
        if (id->size >= known_size(&cur)) {
            continue_gen(st, &cur, id, TR_RESUME_GROWN, out);
            return touch_gen(st, &cur, path, id);
        }
        /* same head, less data than was read: truncated and written again */
        out->why = TR_RESUME_SHRUNK;
    } else {
        err = find_moved(st, tenant, id, have_cur ? cur.id : 0, &moved, &have_moved);
        if (err)
            return err;
        if (have_moved) {
            continue_gen(st, &moved, id, TR_RESUME_MOVED, out);
            err = clear_current(st, path, tenant, moved.id);
            return err ? err : touch_gen(st, &moved, path, id);
        }
        out->why = have_cur ? TR_RESUME_REPLACED : TR_RESUME_NEW;
    }
    /* a new generation at path */
    TR_TRY(clear_current(st, path, tenant, 0));
    TR_TRY(new_gen(st, tenant, id, &out->gen));
    TR_TRY(insert_gen(st, path, tenant, id, out->gen, &out->id));
    out->offset = 0;
    out->line = 1;
    out->record = 0;
out:
    return err;
}

tr_err tr_store_resume(tr_store *st, const char *path, tr_str tenant, tr_store_src *out)
{
    memset(out, 0, sizeof(*out));
    out->line = 1;
    out->why = TR_RESUME_UNTRACKED;
    if (st->flags & TR_STORE_READONLY) {
        store_set_err(st, "opened read-only");
        return TR_EINVAL;
    }
    ident *id = tr_malloc(sizeof(*id));
    if (!id)
        return TR_ENOMEM;
    pthread_mutex_lock(&st->lock);
    tr_err err = read_ident(path, id);
    bool in_tx = false;
    if (err == TR_EUNSUPPORTED) {
        err = TR_OK; /* stdin, pipes, devices: read in full, no checkpoints */
        goto out;
    }
    if (err)
        goto out;
    out->size = id->size;
    out->ruleset = st->ruleset;
    TR_TRY(store_exec(st, "BEGIN IMMEDIATE"));
    in_tx = true;
    TR_TRY(decide(st, path, tenant, id, out));
    err = store_exec(st, "COMMIT");
    in_tx = err != TR_OK;
out:
    if (in_tx) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        tr_store_src keep = { .line = 1, .why = TR_RESUME_UNTRACKED };
        *out = keep;
    }
    pthread_mutex_unlock(&st->lock);
    tr_free(id);
    return err;
}

tr_err tr_source_head_gen(const char *path, uint64_t *gen)
{
    *gen = 0;
    ident *id = tr_malloc(sizeof(*id));
    if (!id)
        return TR_ENOMEM;
    tr_err err = read_ident(path, id);
    if (err == TR_OK) {
        *gen = head_hash(id, id->nhead);
        if (*gen == 0)
            *gen = 1;
    } else if (err == TR_EUNSUPPORTED) {
        err = TR_OK;
    }
    tr_free(id);
    return err;
}

tr_err tr_store_get_progress(tr_store *st, int64_t id, tr_store_progress *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *q;
    pthread_mutex_lock(&st->lock);
    tr_err err = prep(st, &q, "SELECT offset, line, record, eof, eof_size FROM sources"
                              " WHERE id = ?1");
    if (err)
        goto out;
    sqlite3_bind_int64(q, 1, id);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        out->offset = (uint64_t)sqlite3_column_int64(q, 0);
        out->line = (uint64_t)sqlite3_column_int64(q, 1);
        out->record = (uint64_t)sqlite3_column_int64(q, 2);
        out->eof = sqlite3_column_int(q, 3) != 0;
        out->eof_size = (uint64_t)sqlite3_column_int64(q, 4);
    } else if (rc == SQLITE_DONE) {
        store_set_err(st, "no source %" PRId64, id);
        err = TR_ENOENT;
    } else {
        err = store_sql_err(st, "cannot read sources");
    }
    sqlite3_finalize(q);
out:
    pthread_mutex_unlock(&st->lock);
    return err;
}
