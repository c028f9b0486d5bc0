/*
 * test_store_crash.c - a hunt killed at any moment loses nothing committed,
 * and the next run completes the work with no duplicate and no gap.
 *
 * The "hunt" here is simulated in a child process: it reads a file of
 * fixed-length lines, emits a detection for every third record and a
 * checkpoint every 50 records, through the store sink. The parent kills it
 * with SIGKILL, checks the store, and lets the next child continue.
 */
#include "tt.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trawl/store.h"

#define LINE_LEN 16 /* "record 0000000\n" plus padding */

static void write_file(const char *path, int lines)
{
    FILE *f = fopen(path, "w");
    for (int i = 0; i < lines; i++)
        fprintf(f, "record %07d_\n", i); /* 16 bytes */
    fclose(f);
}

static void det_for(tr_detection *d, const char *path, uint64_t gen, uint64_t record)
{
    static tr_kv kv[1];
    static char val[32];
    memset(d, 0, sizeof(*d));
    d->kind = TR_DET_SIGMA;
    d->ts = (int64_t)(1579508042 + record) * 1000000000;
    d->tenant = TR_STR("org-001");
    d->rule_id = TR_STR("rule-every-third");
    d->rule_title = TR_STR("Every third record");
    d->level = TR_STR("high");
    d->path = tr_str_c(path);
    d->source_gen = gen;
    d->record = record;
    d->line = record + 1;
    snprintf(val, sizeof(val), "%07" PRIu64, record);
    kv[0] = (tr_kv){ TR_STR("n"), tr_str_c(val) };
    d->fields = kv;
    d->nfields = 1;
}

/* One hunt over path: resume, detections, checkpoints every 50 records.
 * stop_after: write at most this many records' worth, then return without
 * flushing (a crash before the last commit); 0 = to the end. */
static tr_err hunt_sim(const char *db, const char *path, int lines, uint32_t batch,
                       uint32_t delay_ms, int stop_after, bool kill_self)
{
    char err[512];
    tr_store *st;
    tr_err e = tr_store_open(db, TR_STORE_CREATE, &st, err, sizeof(err));
    if (e)
        return e;
    tr_sink *sink;
    tr_store_sink_opts o = { .batch = batch, .max_delay_ms = delay_ms };
    if ((e = tr_store_sink_new(st, &o, &sink)) != TR_OK)
        goto close;
    tr_store_src s;
    if ((e = tr_store_resume(st, path, TR_STR("org-001"), &s)) != TR_OK)
        goto free;
    if (s.skip)
        goto free;
    if (s.offset != s.record * LINE_LEN || s.line != s.record + 1) {
        e = TR_EINTERNAL;
        goto free;
    }
    int done = 0;
    for (uint64_t r = s.record; r < (uint64_t)lines; r++) {
        if (stop_after && done++ == stop_after) {
            if (kill_self)
                raise(SIGKILL);
            break;
        }
        if (r % 3 == 0) {
            tr_detection d;
            det_for(&d, path, s.gen, r);
            if ((e = tr_sink_write(sink, &d)) != TR_OK)
                goto free;
        }
        if ((r + 1) % 50 == 0 &&
            (e = tr_store_sink_checkpoint(sink, &s, (r + 1) * LINE_LEN, r + 2, r + 1, false,
                                          0)) != TR_OK)
            goto free;
    }
    if (!stop_after) {
        uint64_t end = (uint64_t)lines * LINE_LEN;
        e = tr_store_sink_checkpoint(sink, &s, end, (uint64_t)lines + 1, (uint64_t)lines, true,
                                     end);
        if (!e)
            e = tr_sink_flush(sink);
    }
free:
    tr_sink_free(sink);
close:
    tr_store_close(st);
    return e;
}

/* What the store holds: detections, their distinct records, the checkpoint,
 * and whether the records below the checkpoint are all there. */
typedef struct holding {
    long long count, distinct, ckpt_record, below_ckpt, bad_records, max_record;
    bool integrity_ok, eof;
    char why[600]; /* when inspect() fails */
} holding;

static long long q1(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *q;
    long long v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    return v;
}

static bool inspect(const char *db, holding *h)
{
    memset(h, 0, sizeof(*h));
    /* A child killed before SQLite created the file (a loaded machine can
     * keep a fresh child off the CPU for tens of milliseconds) committed
     * nothing: an empty store. */
    if (access(db, F_OK) != 0 && errno == ENOENT) {
        h->integrity_ok = true;
        h->max_record = -1;
        return true;
    }
    /* open through the store first: it recovers the WAL as any reader would */
    tr_store *st;
    if (tr_store_open(db, 0, &st, h->why, sizeof(h->why)) != TR_OK)
        return false;
    tr_store_close(st);
    sqlite3 *d;
    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        snprintf(h->why, sizeof(h->why), "%s: %s", db, sqlite3_errmsg(d));
        sqlite3_close(d);
        return false;
    }
    sqlite3_stmt *q;
    h->integrity_ok = false;
    if (sqlite3_prepare_v2(d, "PRAGMA integrity_check", -1, &q, NULL) == SQLITE_OK) {
        h->integrity_ok = sqlite3_step(q) == SQLITE_ROW &&
                          strcmp((const char *)sqlite3_column_text(q, 0), "ok") == 0;
        sqlite3_finalize(q);
    }
    h->count = q1(d, "SELECT count(*) FROM detections");
    h->distinct = q1(d, "SELECT count(DISTINCT record) FROM detections");
    h->ckpt_record = q1(d, "SELECT coalesce(max(record), 0) FROM sources");
    h->eof = q1(d, "SELECT coalesce(max(eof), 0) FROM sources") == 1;
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM detections WHERE record < %lld",
             h->ckpt_record);
    h->below_ckpt = q1(d, sql);
    h->bad_records = q1(d, "SELECT count(*) FROM detections WHERE record % 3 != 0");
    h->max_record = q1(d, "SELECT coalesce(max(record), -1) FROM detections");
    sqlite3_close(d);
    return true;
}

static long long thirds_below(long long n)
{
    return (n + 2) / 3; /* multiples of 3 in [0, n) */
}

TEST(store_crash_uncommitted_work_is_lost_whole)
{
    const char *dir = tt_tmpdir();
    char db[400], path[400];
    snprintf(db, sizeof(db), "%s/c.db", dir);
    snprintf(path, sizeof(path), "%s/in.log", dir);
    write_file(path, 300);
    /* a first run that commits up to record 100 … */
    CHECK_EQ(hunt_sim(db, path, 300, 100000, 3600000, 100, false), TR_OK);
    holding h;
    CHECK(inspect(db, &h));
    /* … but its sink was freed, which flushes: start from a committed state */
    CHECK_EQ(h.ckpt_record, 100);
    CHECK_EQ(h.count, thirds_below(100));
    /* a second run killed before it commits anything (huge batch, no delay
     * hand-off): its detections and its checkpoint vanish together */
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0)
        _exit(hunt_sim(db, path, 300, 100000, 3600000, 150, true) == TR_OK ? 0 : 1);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK(inspect(db, &h));
    CHECK(h.integrity_ok);
    CHECK_EQ(h.ckpt_record, 100);
    CHECK_EQ(h.count, thirds_below(100));
    /* the next run completes the work */
    CHECK_EQ(hunt_sim(db, path, 300, 64, 250, 0, false), TR_OK);
    CHECK(inspect(db, &h));
    CHECK_EQ(h.ckpt_record, 300);
    CHECK(h.eof);
    CHECK_EQ(h.count, thirds_below(300));
    CHECK_EQ(h.distinct, h.count);
}

/* A child running hunt_sim() to the end; exit status: its tr_err. */
static void sim_child(const char *db, const char *path, int lines)
{
    tr_err e = hunt_sim(db, path, lines, 64, 250, 0, false);
    if (e)
        fprintf(stderr, "  hunt_sim: %s: %s\n", tr_strerror(e), tr_store_errmsg(NULL));
    _exit((int)e & 0xff);
}

TEST(store_crash_sigkill_at_random_points)
{
    const char *dir = tt_tmpdir();
    char db[400], path[400];
    snprintf(db, sizeof(db), "%s/k.db", dir);
    snprintf(path, sizeof(path), "%s/in.log", dir);
    const int lines = 60000;
    write_file(path, lines);
    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    int killed_mid_run = 0;
    long long last_ckpt = 0;
    /* what each round did, for the failure message: kill delay (ms),
     * k(illed) or e(xited), checkpoint and detections held */
    char trail[600] = "";
    size_t tn = 0;
    for (int round = 0; round < 6; round++) {
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0)
            sim_child(db, path, lines);
        int delay_us = 2000 + rand() % 60000;
        usleep((useconds_t)delay_us);
        kill(pid, SIGKILL);
        int status;
        CHECK(waitpid(pid, &status, 0) == pid);
        bool finished = WIFEXITED(status);
        holding h;
        bool readable = inspect(db, &h);
        int k = snprintf(trail + tn, sizeof(trail) - tn, " [%d: %.1f ms %s ckpt %lld det %lld]",
                         round, delay_us / 1000.0, finished ? "exited" : "killed", h.ckpt_record,
                         h.count);
        if (k > 0 && (size_t)k < sizeof(trail) - tn)
            tn += (size_t)k;
        CHECK_MSG(!finished || WEXITSTATUS(status) == 0, "seed %u round %d: child failed (%d):%s",
                  seed, round, WEXITSTATUS(status), trail);
        CHECK_MSG(readable, "seed %u round %d: store unreadable: %s:%s", seed, round, h.why,
                  trail);
        CHECK_MSG(h.integrity_ok, "seed %u round %d: integrity check failed:%s", seed, round,
                  trail);
        CHECK_MSG(h.distinct == h.count,
                  "seed %u round %d: duplicates (%lld rows, %lld records):%s", seed, round,
                  h.count, h.distinct, trail);
        CHECK_MSG(h.bad_records == 0, "seed %u round %d: records that were never detected:%s",
                  seed, round, trail);
        /* no gap: every detection of a record before the checkpoint is there */
        CHECK_MSG(h.below_ckpt == thirds_below(h.ckpt_record),
                  "seed %u round %d: %lld detections below checkpoint %lld, expected %lld:%s",
                  seed, round, h.below_ckpt, h.ckpt_record, thirds_below(h.ckpt_record), trail);
        /* progress never goes backwards */
        CHECK_MSG(h.ckpt_record >= last_ckpt, "seed %u round %d: checkpoint went back:%s", seed,
                  round, trail);
        last_ckpt = h.ckpt_record;
        if (!finished && h.ckpt_record < lines)
            killed_mid_run++;
        if (h.eof)
            break;
    }
    /* finish without interruption: exactly the full set */
    CHECK_EQ(hunt_sim(db, path, lines, 64, 250, 0, false), TR_OK);
    holding h;
    CHECK_MSG(inspect(db, &h), "seed %u: store unreadable: %s", seed, h.why);
    CHECK(h.eof);
    CHECK_EQ(h.ckpt_record, lines);
    CHECK_EQ(h.count, thirds_below(lines));
    CHECK_EQ(h.distinct, h.count);
    CHECK_EQ(h.max_record, lines - 3);
    CHECK_MSG(killed_mid_run > 0, "seed %u: no kill landed mid-run:%s", seed, trail);
    /* and another run adds nothing */
    CHECK_EQ(hunt_sim(db, path, lines, 64, 250, 0, false), TR_OK);
    CHECK(inspect(db, &h));
    CHECK_EQ(h.count, thirds_below(lines));
}

/* The child of store_crash_state_commits_with_its_checkpoint: a committed
 * baseline (state "A" with the checkpoint at record 50), then two detections,
 * state "B" and its checkpoint at record 100, arranged so that the sink hands
 * a batch to the writer between the state and the checkpoint (variant 0: the
 * state fills the batch; variant 1: the state finds the batch older than
 * max_delay). Once the writer has committed that batch, the child kills
 * itself: the checkpoint at 100 is still in the unsubmitted batch. */
static int state_child(const char *db, const char *path, int variant)
{
    char err[512];
    tr_store *st;
    if (tr_store_open(db, TR_STORE_CREATE, &st, err, sizeof(err)) != TR_OK)
        return 10;
    tr_sink *sink;
    tr_store_sink_opts o = { .batch = variant == 0 ? 3 : 64,
                             .max_delay_ms = variant == 0 ? 3600000 : 1 };
    tr_store_src s;
    if (tr_store_sink_new(st, &o, &sink) != TR_OK)
        return 11;
    if (tr_store_resume(st, path, TR_STR("org-001"), &s) != TR_OK)
        return 12;
    if (tr_store_sink_put_state(sink, "t", "A", 1) != TR_OK ||
        tr_store_sink_checkpoint(sink, &s, 50 * LINE_LEN, 51, 50, false, 0) != TR_OK ||
        tr_sink_flush(sink) != TR_OK)
        return 13;
    tr_store_sink_stats before;
    tr_store_sink_stats_get(sink, &before);
    for (uint64_t r = 51; r <= 54; r += 3) {
        tr_detection d;
        det_for(&d, path, s.gen, r);
        if (tr_sink_write(sink, &d) != TR_OK)
            return 14;
    }
    if (variant == 1)
        usleep(5000); /* the batch is now older than max_delay (1 ms) */
    if (tr_store_sink_put_state(sink, "t", "B", 1) != TR_OK ||
        tr_store_sink_checkpoint(sink, &s, 100 * LINE_LEN, 101, 100, false, 0) != TR_OK)
        return 15;
    /* wait (bounded) for the writer to commit what was handed over */
    for (int i = 0; i < 10000; i++) {
        tr_store_sink_stats now;
        tr_store_sink_stats_get(sink, &now);
        if (now.commits > before.commits)
            raise(SIGKILL);
        usleep(1000);
    }
    return 16; /* nothing was handed over: the sink batches differently than assumed */
}

/* A state (the correlation windows) and the checkpoint written right after
 * it are committed in one transaction: a resumed run must never see windows
 * that already hold the records it is about to read again. */
TEST(store_crash_state_commits_with_its_checkpoint)
{
    const char *dir = tt_tmpdir();
    char path[400];
    snprintf(path, sizeof(path), "%s/in.log", dir);
    write_file(path, 300);
    for (int variant = 0; variant < 2; variant++) {
        char db[400];
        snprintf(db, sizeof(db), "%s/s%d.db", dir, variant);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0)
            _exit(state_child(db, path, variant));
        int status;
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK_MSG(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
                  "variant %d: the child did not kill itself (exit %d)", variant,
                  WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        holding h;
        CHECK(inspect(db, &h));
        char err[512];
        tr_store *st;
        CHECK_EQ(tr_store_open(db, 0, &st, err, sizeof(err)), TR_OK);
        void *blob;
        size_t len;
        tr_err e = tr_store_get_state(st, "t", &blob, &len);
        tr_store_close(st);
        CHECK_EQ(e, TR_OK);
        CHECK(blob && len == 1);
        char saved = *(char *)blob;
        tr_free(blob);
        CHECK_MSG((saved == 'B') == (h.ckpt_record == 100),
                  "variant %d: state %c committed with the checkpoint at record %lld", variant,
                  saved, h.ckpt_record);
    }
}
