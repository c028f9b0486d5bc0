/*
 * sources.c - which files were read, how far, and where to resume them.
 *
 * A source generation is one content: the bytes a file had when it was
 * first read, plus whatever was appended since. Its identity is its head,
 * a hash of the first 4 KiB of content (decompressed for gzip, zstd and lz4
 * files; fewer for smaller files), not its path or inode: log rotation
 * renames files, replaces them, copies them and compresses them, and log
 * collectors recreate them with new inodes. The decision table is in
 * docs/STORE.md "Resuming sources"; the code below follows it line by line.
 */
#include "core/common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hash.h"
#include "input/decomp.h"
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
    const char *path;
    uint64_t dev, ino, size;
    int64_t mtime;
    unsigned char head[HEAD_LEN]; /* the first bytes of content (decompressed) */
    size_t nhead; /* bytes of head read: min(content, 4096) unless the file shrank meanwhile */
    unsigned char raw[HEAD_LEN]; /* compressed files: the first bytes on disk, the identity
                                    stores written before content heads used */
    size_t nraw;
    bool compressed;
    uint64_t tail_hash; /* of the last min(size, 4 KiB) bytes on disk; 0 for EVTX files */
    bool have_csize;
    uint64_t csize; /* decompressed length, computed only when a decision needs it */
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
    bool current;
    uint64_t tail_hash; /* the file's last bytes when it was last opened; 0 = not known */
} src_row;

/* Column 15 is the path, read only where needed (content_gone). */
#define ROW_COLUMNS                                                                                \
    "id, gen, dev, ino, size, head_hash, head_len, compressed, offset, line, record, eof, "        \
    "eof_size, ruleset, current, path, tail_hash"

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
    r->current = sqlite3_column_int(q, 14) != 0;
    r->tail_hash = store_u64(sqlite3_column_int64(q, 16));
}

static void file_err(const char *path)
{
    char msg[600];
    snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
    store_set_errmsg(msg);
}

/* The EVTX file header (4 KiB) and the first chunk's header (512 bytes). */
#define EVTX_FIRST_RECORD (4096 + 512)

/* Reads up to n bytes at off; fewer when the file is shorter (or shrank under us). */
static tr_err pread_full(int fd, void *dst, size_t n, off_t off, size_t *got)
{
    *got = 0;
    while (*got < n) {
        ssize_t r = pread(fd, (char *)dst + *got, n - *got, off + (off_t)*got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return TR_EIO;
        if (r == 0)
            break;
        *got += (size_t)r;
    }
    return TR_OK;
}

/* The hash of the min(end, 4 KiB) bytes before end on disk. An EVTX file
 * rewrites its last chunk in place as events are added, so it has none. */
static tr_err tail_hash_at(int fd, uint64_t end, uint64_t *hash)
{
    unsigned char buf[HEAD_LEN];
    size_t want = (size_t)TR_MIN(end, (uint64_t)HEAD_LEN), got;
    tr_err err = pread_full(fd, buf, want, (off_t)(end - want), &got);
    if (err)
        return err;
    *hash = tr_hash64(buf, got, HEAD_SEED);
    if (*hash == 0)
        *hash = 1; /* 0 means not known */
    return TR_OK;
}

/* Decompresses fd from its start into dst[0..cap) (*got bytes), then, when
 * total is not NULL, on to the end, counting every decompressed byte. A
 * corrupt or truncated stream ends early: the content is what decompresses
 * (the reader reports the error when it reads the file). */
static tr_err decompress_from(int fd, tr_compression kind, unsigned char *dst, size_t cap,
                              size_t *got, uint64_t *total)
{
    *got = 0;
    if (total)
        *total = 0;
    if (lseek(fd, 0, SEEK_SET) < 0)
        return TR_EIO;
    tr_decomp *d;
    tr_err err = tr_decomp_new(kind, fd, NULL, 0, (size_t)64 << 10, &d);
    if (err)
        return err;
    unsigned char *scratch = NULL;
    char msg[128];
    for (;;) {
        unsigned char *to = dst + *got;
        size_t room = cap - *got;
        if (room == 0) {
            if (!total)
                break;
            if (!scratch && !(scratch = tr_malloc((size_t)64 << 10))) {
                err = TR_ENOMEM;
                break;
            }
            to = scratch;
            room = (size_t)64 << 10;
        }
        size_t n;
        if (tr_decomp_read(d, to, room, &n, msg, sizeof(msg)) != TR_OK || n == 0)
            break;
        if (to != scratch)
            *got += n;
        if (total)
            *total += n;
    }
    tr_free(scratch);
    tr_decomp_free(d);
    return err;
}

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
    id->path = path;
    id->dev = (uint64_t)sb.st_dev;
    id->ino = (uint64_t)sb.st_ino;
    id->size = (uint64_t)sb.st_size;
    id->mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
    id->nhead = id->nraw = 0;
    id->have_csize = false;
    size_t want = (size_t)TR_MIN(id->size, (uint64_t)HEAD_LEN);
    if ((err = pread_full(fd, id->raw, want, 0, &id->nraw))) {
        file_err(path);
        goto out;
    }
    tr_compression kind = tr_decomp_detect(id->raw, id->nraw);
    id->compressed = kind != TR_COMP_NONE;
    id->tail_hash = 0;
    if (!(id->nraw >= 8 && memcmp(id->raw, "ElfFile", 8) == 0) &&
        (err = tail_hash_at(fd, id->size, &id->tail_hash))) {
        file_err(path);
        goto out;
    }
    /* An EVTX file's header and chunk header are rewritten as events are
     * added (record counts, checksums): its identity starts at the first
     * record, which never changes. */
    if (!id->compressed) {
        off_t base = 0;
        if (id->nraw >= 8 && memcmp(id->raw, "ElfFile", 8) == 0)
            base = EVTX_FIRST_RECORD;
        if (base == 0) {
            memcpy(id->head, id->raw, id->nraw);
            id->nhead = id->nraw;
        } else if (id->size > (uint64_t)base &&
                   (err = pread_full(fd, id->head,
                                     (size_t)TR_MIN(id->size - (uint64_t)base, (uint64_t)HEAD_LEN),
                                     base, &id->nhead))) {
            file_err(path);
        }
        id->nraw = 0;
        goto out;
    }
    /* Compressed: the identity is the content, so that a file compressed by
     * rotation (app.log.1 -> app.log.2.gz) is still the content read before. */
    unsigned char *buf = tr_malloc(EVTX_FIRST_RECORD + HEAD_LEN);
    if (!buf) {
        err = TR_ENOMEM;
        goto out;
    }
    size_t n;
    err = decompress_from(fd, kind, buf, EVTX_FIRST_RECORD + HEAD_LEN, &n, NULL);
    if (err == TR_EIO)
        file_err(path);
    size_t base = n >= 8 && memcmp(buf, "ElfFile", 8) == 0 ? EVTX_FIRST_RECORD : 0;
    if (!err && n > base) {
        id->nhead = TR_MIN(n - base, (size_t)HEAD_LEN);
        memcpy(id->head, buf + base, id->nhead);
    }
    tr_free(buf);
out:
    close(fd);
    return err;
}

/* The decompressed length of the file (its size when not compressed). */
static tr_err content_size(ident *id, uint64_t *csize)
{
    if (id->have_csize || !id->compressed) {
        *csize = id->compressed ? id->csize : id->size;
        return TR_OK;
    }
    int fd = open(id->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        file_err(id->path);
        return TR_EIO;
    }
    unsigned char magic[4];
    size_t n, got;
    tr_err err = pread_full(fd, magic, sizeof(magic), 0, &n);
    if (!err)
        err = decompress_from(fd, tr_decomp_detect(magic, n), NULL, 0, &got, &id->csize);
    close(fd);
    if (err == TR_EIO)
        file_err(id->path);
    id->have_csize = !err;
    *csize = id->csize;
    return err;
}

static uint64_t head_hash(const ident *id, size_t len)
{
    return tr_hash64(id->head, len, HEAD_SEED);
}

/* The content recorded in r is the start of the file now. A compressed
 * generation registered before heads were taken on content (stores written
 * by older trawls) is recognised by its bytes on disk. */
static bool same_head(const src_row *r, const ident *id)
{
    if (r->head_len <= id->nhead && head_hash(id, r->head_len) == r->head_hash)
        return true;
    return r->compressed && id->compressed && r->head_len > 0 && r->head_len <= id->nraw &&
           tr_hash64(id->raw, r->head_len, HEAD_SEED) == r->head_hash;
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

/* Bytes of content (decompressed) known to have been in the generation. */
static uint64_t known_content(const src_row *r)
{
    return r->compressed ? r->offset : known_size(r);
}

/* The bytes that ended the file when generation r was last opened are still
 * there (an in-place rewrite keeping the head and the size changes them).
 * Not known for rows from stores before schema 3, nor for EVTX files. */
static tr_err tail_same(const src_row *r, const ident *id, bool *same)
{
    *same = true;
    if (r->tail_hash == 0 || id->tail_hash == 0 || id->size < r->size)
        return TR_OK;
    if (id->size == r->size) {
        *same = id->tail_hash == r->tail_hash;
        return TR_OK;
    }
    int fd = open(id->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        file_err(id->path);
        return TR_EIO;
    }
    uint64_t h;
    tr_err err = tail_hash_at(fd, r->size, &h);
    close(fd);
    if (err)
        file_err(id->path);
    else
        *same = h == r->tail_hash;
    return err;
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

/* The file (id) holds all the content of generation r: it starts with r's
 * head and is at least as long as what was read of r. Across a change of
 * compression (app.log.1 compressed into app.log.2.gz) lengths are compared
 * decompressed, which costs one decompression of the file. */
static tr_err holds_gen(const src_row *r, ident *id, bool *yes)
{
    *yes = false;
    if (!same_head(r, id))
        return TR_OK;
    if (r->compressed == id->compressed) {
        if (id->size >= known_size(r))
            return tail_same(r, id, yes);
        return TR_OK;
    }
    uint64_t csize;
    tr_err err = content_size(id, &csize);
    if (err)
        return err;
    *yes = csize >= known_content(r);
    return TR_OK;
}

/* Generation r's content is no longer at the path it was read under
 * (column 15 of q): the path holds something else, or nothing. */
static tr_err content_gone(sqlite3_stmt *q, const src_row *r, bool *gone)
{
    *gone = true;
    if (!r->current)
        return TR_OK; /* already replaced there, or moved away */
    const char *path = (const char *)sqlite3_column_text(q, 15);
    ident *now = tr_malloc(sizeof(*now));
    if (!now)
        return TR_ENOMEM;
    if (path && read_ident(path, now) == TR_OK)
        *gone = !(same_head(r, now) && now->compressed == r->compressed &&
                  now->size >= known_size(r));
    tr_free(now);
    return TR_OK;
}

/* A generation of this tenant, other than `not`, whose content the file
 * now holds in full (same head, at least as large): a file renamed by
 * rotation, compressed by rotation, or collected again under another name.
 * Same device and inode with the same (non-empty) head, or the same full
 * 4 KiB head; or, for a file compressed or decompressed since (a new
 * inode), any head when that content is gone from where it was read. Small
 * files copied under another name are not recognised: a few identical bytes
 * are too weak a proof that two files are one. */
static tr_err find_moved(tr_store *st, tr_str tenant, ident *id, int64_t not, src_row *r,
                         bool *found)
{
    *found = false;
    static const char *const sqls[] = {
        "SELECT " ROW_COLUMNS " FROM sources WHERE dev = ?1 AND ino = ?2 AND tenant = ?3"
        " AND id != ?4 AND head_len > 0 ORDER BY id DESC",
        "SELECT " ROW_COLUMNS " FROM sources WHERE tenant = ?3 AND head_len = 4096"
        " AND head_hash = ?5 AND id != ?4 ORDER BY id DESC",
        "SELECT " ROW_COLUMNS " FROM sources WHERE tenant = ?3 AND id != ?4"
        " AND compressed != ?6 AND head_len > 0 AND head_len < 4096 AND head_len <= ?7"
        " ORDER BY id DESC",
    };
    for (size_t k = 0; k < TR_ARRAY_LEN(sqls) && !*found; k++) {
        if (k == 1 && id->nhead < HEAD_LEN)
            continue;
        sqlite3_stmt *q;
        tr_err err = prep(st, &q, sqls[k]);
        if (err)
            return err;
        sqlite3_bind_int64(q, 1, store_i64(id->dev));
        sqlite3_bind_int64(q, 2, store_i64(id->ino));
        bind_str(q, 3, tenant);
        sqlite3_bind_int64(q, 4, not);
        sqlite3_bind_int64(q, 5, store_i64(head_hash(id, id->nhead)));
        sqlite3_bind_int(q, 6, id->compressed);
        sqlite3_bind_int64(q, 7, (int64_t)id->nhead);
        int rc = SQLITE_DONE;
        while (!err && (rc = sqlite3_step(q)) == SQLITE_ROW) {
            row_read(q, r);
            bool holds, gone = true;
            err = holds_gen(r, id, &holds);
            if (!err && holds && k == 2)
                err = content_gone(q, r, &gone);
            if (!err && holds && gone) {
                *found = true;
                break;
            }
        }
        if (!err && rc != SQLITE_ROW && rc != SQLITE_DONE)
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
    tr_err err = prep(st, &q,
                      "INSERT INTO sources(tenant, path, first_path, current, gen, dev,"
                      " ino, size, mtime, head_hash, head_len, compressed, ruleset,"
                      " first_seen, updated, tail_hash)"
                      " VALUES (?1, ?2, ?2, 1, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
                      " ?12, ?12, ?13)");
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
    sqlite3_bind_int64(q, 13, store_i64(id->tail_hash));
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
    tr_err err = prep(st, &q,
                      "UPDATE sources SET path = ?1, current = 1, dev = ?2, ino = ?3,"
                      " size = ?4, mtime = ?5, head_hash = ?6, head_len = ?7,"
                      " updated = ?8, tail_hash = ?10 WHERE id = ?9");
    if (err)
        return err;
    size_t hl = id->nhead; /* never shorter than r's: same_head held */
    sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, store_i64(id->dev));
    sqlite3_bind_int64(q, 3, store_i64(id->ino));
    sqlite3_bind_int64(q, 4, (int64_t)id->size);
    sqlite3_bind_int64(q, 5, id->mtime);
    sqlite3_bind_int64(q, 6, store_i64(head_hash(id, hl)));
    sqlite3_bind_int64(q, 7, (int64_t)hl);
    sqlite3_bind_int64(q, 8, store_now_ns());
    sqlite3_bind_int64(q, 9, r->id);
    sqlite3_bind_int64(q, 10, store_i64(id->tail_hash));
    err = step_done(st, q, "cannot update sources");
    sqlite3_finalize(q);
    return err;
}

/* Continue generation r: from its checkpoint, from the start under other
 * rules, or not at all when it was read to the end. */
static void continue_gen(tr_store *st, const src_row *r, bool at_end, tr_resume_why why,
                         tr_store_src *out)
{
    out->id = r->id;
    out->gen = r->gen;
    out->why = why;
    if (r->ruleset != st->ruleset) {
        out->why = TR_RESUME_RULES;
        return; /* offset 0 */
    }
    if (at_end) {
        out->skip = true;
        if (why == TR_RESUME_GROWN)
            out->why = TR_RESUME_UNCHANGED;
    }
    out->offset = r->offset;
    out->line = r->line ? r->line : 1;
    out->record = r->record;
}

/* Generation r, read as a plain file, is now compressed at path (or the
 * other way round). Its checkpoint is a content offset, valid in either
 * form; it was read to its end when the content is exactly as long as what
 * the last run read. Its end-of-input size is then the size on disk now, so
 * that the next run finds it unchanged; otherwise the end is unknown until
 * this run reaches it. */
static tr_err move_recompressed(tr_store *st, const src_row *r, const char *path, tr_str tenant,
                                ident *id, tr_store_src *out)
{
    uint64_t csize;
    tr_err err = content_size(id, &csize);
    if (err)
        return err;
    uint64_t end = r->compressed ? r->offset : TR_MAX(r->eof_size, r->offset);
    bool at_end = r->eof && csize == end;
    continue_gen(st, r, at_end, TR_RESUME_MOVED, out);
    TR_TRY(clear_current(st, path, tenant, r->id));
    TR_TRY(touch_gen(st, r, path, id));
    sqlite3_stmt *q;
    TR_TRY(prep(st, &q,
                "UPDATE sources SET compressed = ?1, eof = ?2, eof_size = ?3"
                " WHERE id = ?4"));
    sqlite3_bind_int(q, 1, id->compressed);
    sqlite3_bind_int(q, 2, at_end);
    sqlite3_bind_int64(q, 3, at_end ? (int64_t)id->size : 0);
    sqlite3_bind_int64(q, 4, r->id);
    err = step_done(st, q, "cannot update sources");
    sqlite3_finalize(q);
out:
    return err;
}

static tr_err decide(tr_store *st, const char *path, tr_str tenant, ident *id, tr_store_src *out)
{
    src_row cur, moved;
    bool have_cur, have_moved;
    tr_err err = find_current(st, path, tenant, &cur, &have_cur);
    if (err)
        return err;
    if (have_cur && same_head(&cur, id)) {
        bool same = false;
        if (id->size >= known_size(&cur) && (err = tail_same(&cur, id, &same)))
            return err;
        if (same) {
            continue_gen(st, &cur, read_to_end(&cur, id), TR_RESUME_GROWN, out);
            return touch_gen(st, &cur, path, id);
        }
        /* same head, less data than was read: truncated and written again;
         * or as much, but other bytes where the file ended: rewritten */
        out->why = id->size >= known_size(&cur) ? TR_RESUME_REPLACED : TR_RESUME_SHRUNK;
    } else {
        err = find_moved(st, tenant, id, have_cur ? cur.id : 0, &moved, &have_moved);
        if (err)
            return err;
        if (have_moved && moved.compressed != id->compressed)
            return move_recompressed(st, &moved, path, tenant, id, out);
        if (have_moved) {
            continue_gen(st, &moved, read_to_end(&moved, id), TR_RESUME_MOVED, out);
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
