/*
 * sink.c - the store's detection sink: batches filled on the caller's thread,
 * committed by a writer thread, in order.
 *
 * The scanning threads must never wait for SQLite. tr_sink_write() only
 * copies the detection into the current batch (an arena and an item array,
 * both reused, so no allocation once warm); a full batch goes into a bounded
 * queue and the writer thread commits whatever is queued in one transaction
 * with prepared statements. Checkpoints and saved state travel in the same
 * stream as detections, so a commit always covers a prefix of what was
 * written: a checkpoint is never durable before the detections before it.
 * A saved state and the checkpoint written right after it share a batch, so
 * they share a transaction: committed alone, the state (correlation windows
 * holding a block's events) would be ahead of the checkpoint, and a resumed
 * run would feed that block into the windows a second time.
 * JSON encoding of tags and fields happens on the writer thread too.
 */
#include "core/common.h"

#include <stdatomic.h>
#include <time.h>

#include "store/store_int.h"
#include "trawl/log.h"

#define BATCH_ARENA_CAP ((size_t)64 << 20)

typedef enum item_kind { IT_DET = 0, IT_CKPT, IT_STATE } item_kind;

typedef struct ckpt_item {
    int64_t src;
    uint64_t offset, line, record, eof_size, ruleset;
    bool eof;
} ckpt_item;

typedef struct state_item {
    tr_str name;
    tr_str blob;
} state_item;

typedef struct item {
    item_kind kind;
    union {
        tr_detection det; /* slices into the batch arena */
        ckpt_item ck;
        state_item state;
    } u;
} item;

typedef struct batch {
    item *items;        /* cap entries, allocated once */
    uint32_t n;         /* used */
    tr_arena *arena;    /* copies of the detections' bytes; reset on reuse */
    uint64_t seq;       /* submission number */
    int64_t t0;         /* monotonic ns of the first item */
    struct batch *next; /* queue / free list link */
} batch;

typedef struct store_sink {
    tr_sink base;
    tr_store *st;
    tr_store_sink_opts o;
    int64_t run_id;

    pthread_mutex_t mu;     /* guards everything below up to the writer's part */
    pthread_cond_t cv_work; /* writer: a batch is queued, or stop */
    pthread_cond_t cv_free; /* producer: a batch was recycled */
    pthread_cond_t cv_done; /* flush: committed moved */
    batch *fill;            /* the batch being filled (producer's own) */
    batch *q_head, *q_tail; /* submitted, not yet taken by the writer */
    batch *free_list;
    bool hold;              /* fill ends with a state awaiting its checkpoint */
    uint64_t submitted, committed;
    bool stop;
    atomic_bool failed;
    char errmsg[768];
    tr_store_sink_stats stats;
    pthread_t thread;
    bool thread_started;
    bool owns_store_slot;   /* this sink set st->has_sink */

    /* the writer thread's own (used under the store lock) */
    sqlite3_stmt *ins_det, *upd_ckpt, *put_state, *del_state;
    tr_buf jtags, jfields, jgroup, jcontrib;
} store_sink;

static const tr_sink_ops store_sink_ops;

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static batch *batch_new(uint32_t cap)
{
    batch *b = tr_calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->items = tr_calloc(cap, sizeof(item));
    b->arena = tr_arena_new((size_t)1 << 20, BATCH_ARENA_CAP);
    if (!b->items || !b->arena) {
        tr_free(b->items);
        tr_arena_free(b->arena);
        tr_free(b);
        return NULL;
    }
    return b;
}

static void batch_free(batch *b)
{
    if (!b)
        return;
    tr_free(b->items);
    tr_arena_free(b->arena);
    tr_free(b);
}

/* ---- the writer thread ---- */

static void bind_text_or_null(sqlite3_stmt *q, int i, tr_str s)
{
    if (s.n)
        sqlite3_bind_text(q, i, s.p, (int)s.n, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

static tr_err apply_det(store_sink *s, const tr_detection *d)
{
    tr_store *st = s->st;
    sqlite3_stmt *q = s->ins_det;
    uint64_t id = d->id ? d->id : tr_detection_id(d);
    tr_buf_reset(&s->jtags);
    tr_buf_reset(&s->jfields);
    tr_buf_reset(&s->jgroup);
    tr_buf_reset(&s->jcontrib);
    tr_err err = store_json_strs(&s->jtags, d->tags, d->ntags);
    if (!err)
        err = store_json_kvs(&s->jfields, d->fields, d->nfields);
    if (!err && d->kind == TR_DET_CORRELATION) {
        err = store_json_kvs(&s->jgroup, d->group, d->ngroup);
        if (!err)
            err = store_json_ids(&s->jcontrib, d->contributing, d->ncontributing);
    }
    if (err) {
        store_set_err(st, "cannot encode detection %016" PRIx64 ": %s", id, tr_strerror(err));
        return TR_ESTORE;
    }
    sqlite3_bind_int64(q, 1, store_i64(id));
    if (d->ts == TR_TS_NONE)
        sqlite3_bind_null(q, 2);
    else
        sqlite3_bind_int64(q, 2, d->ts);
    sqlite3_bind_text(q, 3, d->tenant.p ? d->tenant.p : "", (int)d->tenant.n, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, tr_det_kind_name(d->kind), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, d->rule_id.p ? d->rule_id.p : "", (int)d->rule_id.n, SQLITE_STATIC);
    bind_text_or_null(q, 6, d->rule_title);
    bind_text_or_null(q, 7, d->level);
    int rank = tr_level_rank(d->level);
    if (rank < 0)
        sqlite3_bind_null(q, 8);
    else
        sqlite3_bind_int(q, 8, rank);
    sqlite3_bind_text(q, 9, s->jtags.p, (int)s->jtags.n, SQLITE_STATIC);
    bind_text_or_null(q, 10, d->logsource.product);
    bind_text_or_null(q, 11, d->logsource.ncategory ? d->logsource.category[0] : (tr_str){ 0 });
    bind_text_or_null(q, 12, d->logsource.service);
    bind_text_or_null(q, 13, d->path);
    sqlite3_bind_int64(q, 14, store_i64(d->source_gen));
    sqlite3_bind_int64(q, 15, store_i64(d->record));
    if (d->line)
        sqlite3_bind_int64(q, 16, store_i64(d->line));
    else
        sqlite3_bind_null(q, 16);
    sqlite3_bind_text(q, 17, s->jfields.p, (int)s->jfields.n, SQLITE_STATIC);
    if (d->kind == TR_DET_IOC) {
        const tr_det_indicator *ind = &d->indicator;
        sqlite3_bind_text(q, 18, ind->value.p ? ind->value.p : "", (int)ind->value.n,
                          SQLITE_STATIC);
        bind_text_or_null(q, 19, ind->type);
        bind_text_or_null(q, 20, ind->feed);
        bind_text_or_null(q, 21, ind->actor);
        bind_text_or_null(q, 22, ind->field);
        sqlite3_bind_text(q, 23, ind->side == TR_SIDE_SRC   ? "source"
                                 : ind->side == TR_SIDE_DST ? "destination"
                                                            : "none",
                          -1, SQLITE_STATIC);
    } else {
        for (int i = 18; i <= 23; i++)
            sqlite3_bind_null(q, i);
    }
    if (d->kind == TR_DET_CORRELATION) {
        sqlite3_bind_int64(q, 24, store_i64(d->first_record));
        bind_text_or_null(q, 25, d->first_path);
        sqlite3_bind_text(q, 26, s->jgroup.p, (int)s->jgroup.n, SQLITE_STATIC);
        sqlite3_bind_text(q, 27, s->jcontrib.p, (int)s->jcontrib.n, SQLITE_STATIC);
    } else {
        for (int i = 24; i <= 27; i++)
            sqlite3_bind_null(q, i);
    }
    sqlite3_bind_int64(q, 28, s->run_id);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return store_sql_err(st, "cannot store detection");
    if (sqlite3_changes(st->db) > 0)
        s->stats.inserted++;
    else
        s->stats.duplicates++;
    return TR_OK;
}

static tr_err apply_ckpt(store_sink *s, const ckpt_item *c)
{
    sqlite3_stmt *q = s->upd_ckpt;
    sqlite3_bind_int64(q, 1, store_i64(c->offset));
    sqlite3_bind_int64(q, 2, store_i64(c->line));
    sqlite3_bind_int64(q, 3, store_i64(c->record));
    sqlite3_bind_int(q, 4, c->eof);
    sqlite3_bind_int64(q, 5, store_i64(c->eof_size));
    sqlite3_bind_int64(q, 6, store_i64(c->ruleset));
    sqlite3_bind_int64(q, 7, store_now_ns());
    sqlite3_bind_int64(q, 8, c->src);
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    if (rc != SQLITE_DONE)
        return store_sql_err(s->st, "cannot store checkpoint");
    s->stats.checkpoints++;
    return TR_OK;
}

static tr_err apply_state(store_sink *s, const state_item *it)
{
    sqlite3_stmt *q = it->blob.n ? s->put_state : s->del_state;
    sqlite3_bind_text(q, 1, it->name.p, (int)it->name.n, SQLITE_STATIC);
    if (it->blob.n) {
        sqlite3_bind_blob(q, 2, it->blob.p, (int)it->blob.n, SQLITE_STATIC);
        sqlite3_bind_int64(q, 3, store_now_ns());
    }
    int rc = sqlite3_step(q);
    sqlite3_reset(q);
    return rc == SQLITE_DONE ? TR_OK : store_sql_err(s->st, "cannot store state");
}

/* Commits the batches of list in one transaction. */
static tr_err commit_list(store_sink *s, batch *list)
{
    tr_store *st = s->st;
    tr_err err = TR_OK;
    bool in_tx = false;
    pthread_mutex_lock(&st->lock);
    tr_store_sink_stats before = s->stats;
    TR_TRY(store_exec(st, "BEGIN IMMEDIATE"));
    in_tx = true;
    for (batch *b = list; b; b = b->next) {
        for (uint32_t i = 0; i < b->n; i++) {
            const item *it = &b->items[i];
            switch (it->kind) {
            case IT_DET: TR_TRY(apply_det(s, &it->u.det)); break;
            case IT_CKPT: TR_TRY(apply_ckpt(s, &it->u.ck)); break;
            case IT_STATE: TR_TRY(apply_state(s, &it->u.state)); break;
            }
        }
    }
    err = store_exec(st, "COMMIT");
    in_tx = err != TR_OK;
    if (!err)
        s->stats.commits++;
out:
    if (in_tx) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        s->stats = before;
    }
    pthread_mutex_unlock(&st->lock);
    return err;
}

static void *writer_main(void *arg)
{
    store_sink *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        while (!s->q_head && !s->stop)
            pthread_cond_wait(&s->cv_work, &s->mu);
        batch *list = s->q_head;
        s->q_head = s->q_tail = NULL;
        bool failed = atomic_load(&s->failed);
        pthread_mutex_unlock(&s->mu);
        if (!list)
            break; /* stop, and nothing left */
        tr_err err = failed ? TR_OK : commit_list(s, list);
        pthread_mutex_lock(&s->mu);
        if (err && !atomic_load(&s->failed)) {
            snprintf(s->errmsg, sizeof(s->errmsg), "%s", tr_store_errmsg(s->st));
            atomic_store(&s->failed, true);
            tr_log(TR_LOG_ERROR, "%s", s->errmsg);
        }
        while (list) {
            batch *b = list;
            list = b->next;
            s->committed = b->seq;
            b->n = 0;
            tr_arena_reset(b->arena);
            b->next = s->free_list;
            s->free_list = b;
        }
        pthread_cond_broadcast(&s->cv_free);
        pthread_cond_broadcast(&s->cv_done);
        pthread_mutex_unlock(&s->mu);
    }
    return NULL;
}

/* ---- the producer side ---- */

static tr_err fail_err(store_sink *s)
{
    store_set_errmsg(s->errmsg);
    return TR_ESTORE;
}

/* Hands the current batch to the writer and takes an empty one. */
static void submit(store_sink *s)
{
    s->hold = false;
    if (s->fill->n == 0)
        return;
    pthread_mutex_lock(&s->mu);
    batch *b = s->fill;
    b->seq = ++s->submitted;
    b->next = NULL;
    if (s->q_tail)
        s->q_tail->next = b;
    else
        s->q_head = b;
    s->q_tail = b;
    pthread_cond_signal(&s->cv_work);
    while (!s->free_list)
        pthread_cond_wait(&s->cv_free, &s->mu);
    s->fill = s->free_list;
    s->free_list = s->fill->next;
    s->fill->next = NULL;
    pthread_mutex_unlock(&s->mu);
}

/* The next free item of the current batch. */
static item *next_item(store_sink *s)
{
    if (s->fill->n == s->o.batch)
        submit(s);
    batch *b = s->fill;
    if (b->n == 0)
        b->t0 = mono_ns();
    return &b->items[b->n++];
}

/* Ends an item: hands the batch over when it has waited long enough (not
 * between a state and its checkpoint). */
static void item_done(store_sink *s)
{
    batch *b = s->fill;
    if (!s->hold && b->n > 1 && mono_ns() - b->t0 > (int64_t)s->o.max_delay_ms * 1000000)
        submit(s);
}

typedef struct copier {
    tr_arena *a;
    bool oom;
} copier;

static tr_str cp_str(copier *c, tr_str s)
{
    if (s.n == 0)
        return (tr_str){ "", 0 };
    tr_str r = tr_arena_strdup(c->a, s.p, s.n);
    if (!r.p) {
        c->oom = true;
        return (tr_str){ "", 0 };
    }
    return r;
}

static void *cp_mem(copier *c, const void *p, size_t n)
{
    if (n == 0 || !p)
        return NULL;
    void *r = tr_arena_alloc(c->a, n);
    if (!r) {
        c->oom = true;
        return NULL;
    }
    memcpy(r, p, n);
    return r;
}

static tr_kv *cp_kvs(copier *c, const tr_kv *kv, uint32_t n)
{
    tr_kv *r = cp_mem(c, kv, n * sizeof(*kv));
    for (uint32_t i = 0; r && i < n; i++) {
        r[i].key = cp_str(c, kv[i].key);
        r[i].value = cp_str(c, kv[i].value);
    }
    return r;
}

/* Deep copy of d into the arena; false when the arena is full. */
static bool copy_det(tr_arena *a, tr_detection *dst, const tr_detection *d)
{
    copier c = { a, false };
    *dst = *d;
    dst->tenant = cp_str(&c, d->tenant);
    dst->rule_id = cp_str(&c, d->rule_id);
    dst->rule_title = cp_str(&c, d->rule_title);
    dst->level = cp_str(&c, d->level);
    tr_str *tags = cp_mem(&c, d->tags, d->ntags * sizeof(*tags));
    for (uint32_t i = 0; tags && i < d->ntags; i++)
        tags[i] = cp_str(&c, d->tags[i]);
    dst->tags = tags;
    dst->logsource.product = cp_str(&c, d->logsource.product);
    dst->logsource.service = cp_str(&c, d->logsource.service);
    for (uint32_t i = 0; i < d->logsource.ncategory && i < TR_MAX_CATEGORIES; i++)
        dst->logsource.category[i] = cp_str(&c, d->logsource.category[i]);
    dst->path = cp_str(&c, d->path);
    dst->fields = cp_kvs(&c, d->fields, d->nfields);
    if (d->kind == TR_DET_IOC) {
        dst->indicator.value = cp_str(&c, d->indicator.value);
        dst->indicator.type = cp_str(&c, d->indicator.type);
        dst->indicator.feed = cp_str(&c, d->indicator.feed);
        dst->indicator.actor = cp_str(&c, d->indicator.actor);
        dst->indicator.field = cp_str(&c, d->indicator.field);
    }
    if (d->kind == TR_DET_CORRELATION) {
        dst->first_path = cp_str(&c, d->first_path);
        dst->group = cp_kvs(&c, d->group, d->ngroup);
        dst->contributing = cp_mem(&c, d->contributing, d->ncontributing * sizeof(uint64_t));
    }
    return !c.oom;
}

static tr_err sink_write(tr_sink *base, const tr_detection *d)
{
    store_sink *s = (store_sink *)base;
    if (atomic_load(&s->failed))
        return fail_err(s);
    for (int attempt = 0;; attempt++) {
        item *it = next_item(s);
        it->kind = IT_DET;
        if (copy_det(s->fill->arena, &it->u.det, d))
            break;
        s->fill->n--; /* the batch's arena is full: hand it over and retry in an empty one */
        if (attempt == 1 || s->fill->n == 0) {
            if (s->fill->n == 0)
                tr_arena_reset(s->fill->arena);
            store_set_errmsg("detection larger than a store batch (64 MiB)");
            return TR_ELIMIT;
        }
        submit(s);
    }
    item_done(s);
    return TR_OK;
}

static tr_err sink_flush(tr_sink *base)
{
    store_sink *s = (store_sink *)base;
    submit(s);
    pthread_mutex_lock(&s->mu);
    while (s->committed < s->submitted)
        pthread_cond_wait(&s->cv_done, &s->mu);
    pthread_mutex_unlock(&s->mu);
    return atomic_load(&s->failed) ? fail_err(s) : TR_OK;
}

static void finish_run(store_sink *s)
{
    tr_store *st = s->st;
    pthread_mutex_lock(&st->lock);
    sqlite3_stmt *q;
    if (s->run_id &&
        sqlite3_prepare_v2(st->db, "UPDATE runs SET finished = ?1, inserted = ?2,"
                                   " duplicates = ?3 WHERE id = ?4", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(q, 1, store_now_ns());
        sqlite3_bind_int64(q, 2, (int64_t)s->stats.inserted);
        sqlite3_bind_int64(q, 3, (int64_t)s->stats.duplicates);
        sqlite3_bind_int64(q, 4, s->run_id);
        sqlite3_step(q);
        sqlite3_finalize(q);
    }
    sqlite3_finalize(s->ins_det);
    sqlite3_finalize(s->upd_ckpt);
    sqlite3_finalize(s->put_state);
    sqlite3_finalize(s->del_state);
    if (s->owns_store_slot)
        st->has_sink = false;
    pthread_mutex_unlock(&st->lock);
}

static void sink_free(tr_sink *base)
{
    store_sink *s = (store_sink *)base;
    if (s->thread_started) {
        sink_flush(base);
        pthread_mutex_lock(&s->mu);
        s->stop = true;
        pthread_cond_signal(&s->cv_work);
        pthread_mutex_unlock(&s->mu);
        pthread_join(s->thread, NULL);
    }
    finish_run(s);
    batch_free(s->fill);
    while (s->free_list) {
        batch *b = s->free_list;
        s->free_list = b->next;
        batch_free(b);
    }
    tr_buf_release(&s->jtags);
    tr_buf_release(&s->jfields);
    tr_buf_release(&s->jgroup);
    tr_buf_release(&s->jcontrib);
    pthread_cond_destroy(&s->cv_work);
    pthread_cond_destroy(&s->cv_free);
    pthread_cond_destroy(&s->cv_done);
    pthread_mutex_destroy(&s->mu);
    tr_free(s);
}

static const tr_sink_ops store_sink_ops = { sink_write, sink_flush, sink_free };

static store_sink *as_store_sink(tr_sink *sink)
{
    return sink && sink->ops == &store_sink_ops ? (store_sink *)sink : NULL;
}

tr_err tr_store_sink_checkpoint(tr_sink *sink, const tr_store_src *src, uint64_t offset,
                                uint64_t line, uint64_t record, bool eof, uint64_t eof_size)
{
    store_sink *s = as_store_sink(sink);
    if (!s || !src || src->id == 0)
        return TR_OK;
    if (atomic_load(&s->failed))
        return fail_err(s);
    item *it = next_item(s);
    it->kind = IT_CKPT;
    it->u.ck = (ckpt_item){ src->id, offset, line, record, eof_size, src->ruleset, eof };
    s->hold = false;
    item_done(s);
    return TR_OK;
}

tr_err tr_store_sink_put_state(tr_sink *sink, const char *name, const void *blob, size_t len)
{
    store_sink *s = as_store_sink(sink);
    if (!s)
        return TR_OK;
    if (atomic_load(&s->failed))
        return fail_err(s);
    if (len > INT32_MAX)
        return TR_ELIMIT;
    /* room for the state and the checkpoint that follows it, in one batch */
    if (s->fill->n + 2 > s->o.batch)
        submit(s);
    for (int attempt = 0;; attempt++) {
        item *it = next_item(s);
        it->kind = IT_STATE;
        copier c = { s->fill->arena, false };
        it->u.state.name = cp_str(&c, tr_str_c(name));
        it->u.state.blob = (tr_str){ cp_mem(&c, blob, len), len };
        if (!c.oom)
            break;
        s->fill->n--;
        if (attempt == 1 || s->fill->n == 0) {
            if (s->fill->n == 0)
                tr_arena_reset(s->fill->arena);
            store_set_errmsg("state larger than a store batch (64 MiB)");
            return TR_ELIMIT;
        }
        submit(s);
    }
    s->hold = true; /* no item_done(): the batch waits for the checkpoint */
    return TR_OK;
}

void tr_store_sink_stats_get(tr_sink *sink, tr_store_sink_stats *out)
{
    store_sink *s = as_store_sink(sink);
    memset(out, 0, sizeof(*out));
    if (!s)
        return;
    pthread_mutex_lock(&s->st->lock); /* the writer updates stats under the store lock */
    *out = s->stats;
    pthread_mutex_unlock(&s->st->lock);
}

static tr_err prepare_all(store_sink *s)
{
    tr_store *st = s->st;
    static const char ins[] =
        "INSERT OR IGNORE INTO detections(id, ts, tenant, kind, rule_id, rule_title, level,"
        " level_rank, tags, product, category, service, path, source_gen, record, line, fields,"
        " ind_value, ind_type, ind_feed, ind_actor, ind_field, ind_side, first_record,"
        " first_path, grp, contributing, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,"
        " ?27, ?28)";
    static const char ck[] = "UPDATE sources SET offset = ?1, line = ?2, record = ?3, eof = ?4,"
                             " eof_size = ?5, ruleset = ?6, updated = ?7 WHERE id = ?8";
    static const char put[] =
        "INSERT OR REPLACE INTO state(name, blob, updated) VALUES (?1, ?2, ?3)";
    static const char del[] = "DELETE FROM state WHERE name = ?1";
    unsigned pf = SQLITE_PREPARE_PERSISTENT;
    if (sqlite3_prepare_v3(st->db, ins, -1, pf, &s->ins_det, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, ck, -1, pf, &s->upd_ckpt, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, put, -1, pf, &s->put_state, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(st->db, del, -1, pf, &s->del_state, NULL) != SQLITE_OK)
        return store_sql_err(st, "cannot prepare the store's statements");
    return TR_OK;
}

static tr_err start_run(store_sink *s)
{
    tr_store *st = s->st;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "INSERT INTO runs(started, trawl_version) VALUES (?1, ?2)", -1,
                           &q, NULL) != SQLITE_OK)
        return store_sql_err(st, "cannot record the run");
    sqlite3_bind_int64(q, 1, store_now_ns());
    sqlite3_bind_text(q, 2, TR_VERSION_STRING, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return store_sql_err(st, "cannot record the run");
    s->run_id = sqlite3_last_insert_rowid(st->db);
    return store_put_meta(st, "trawl_version", TR_VERSION_STRING);
}

tr_err tr_store_sink_new(tr_store *st, const tr_store_sink_opts *opts, tr_sink **out)
{
    *out = NULL;
    if (st->flags & TR_STORE_READONLY) {
        store_set_err(st, "opened read-only");
        return TR_EINVAL;
    }
    store_sink *s = tr_calloc(1, sizeof(*s));
    if (!s)
        return TR_ENOMEM;
    s->base.ops = &store_sink_ops;
    s->st = st;
    if (opts)
        s->o = *opts;
    if (!s->o.batch)
        s->o.batch = 4096;
    if (s->o.batch < 2)
        s->o.batch = 2; /* a state and its checkpoint */
    if (!s->o.queue)
        s->o.queue = 4;
    if (!s->o.max_delay_ms)
        s->o.max_delay_ms = 250;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv_work, NULL);
    pthread_cond_init(&s->cv_free, NULL);
    pthread_cond_init(&s->cv_done, NULL);
    tr_buf_init(&s->jtags, 0);
    tr_buf_init(&s->jfields, 0);
    tr_buf_init(&s->jgroup, 0);
    tr_buf_init(&s->jcontrib, 0);
    tr_err err = TR_OK;
    s->fill = batch_new(s->o.batch);
    if (!s->fill)
        err = TR_ENOMEM;
    for (uint32_t i = 0; !err && i < s->o.queue; i++) {
        batch *b = batch_new(s->o.batch);
        if (!b) {
            err = TR_ENOMEM;
            break;
        }
        b->next = s->free_list;
        s->free_list = b;
    }
    pthread_mutex_lock(&st->lock);
    if (!err && st->has_sink) {
        store_set_err(st, "the store already has a sink open");
        err = TR_EBUSY;
    }
    if (!err)
        err = prepare_all(s);
    if (!err)
        err = start_run(s);
    if (!err)
        st->has_sink = s->owns_store_slot = true;
    pthread_mutex_unlock(&st->lock);
    if (!err) {
        if (pthread_create(&s->thread, NULL, writer_main, s) != 0) {
            store_set_err(st, "cannot start the writer thread");
            err = TR_ESTORE;
        } else {
            s->thread_started = true;
        }
    }
    if (err) {
        sink_free(&s->base);
        return err;
    }
    *out = &s->base;
    return TR_OK;
}
