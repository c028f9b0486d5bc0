/*
 * test_store.c - the SQLite store: schema and upgrades, the detection sink,
 * reading back with filters and cursors.
 */
#include "tt.h"

#include <sqlite3.h>

#include "core/buf.h"
#include "store/store_int.h"
#include "trawl/store.h"

#define NS(s) ((int64_t)(s) * 1000000000)

static char *db_path(const char *name)
{
    static char buf[512];
    snprintf(buf, sizeof(buf), "%s/%s", tt_tmpdir(), name);
    return buf;
}

static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

static long long raw_int(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *q;
    long long v = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
        if (sqlite3_step(q) == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
        sqlite3_finalize(q);
    }
    sqlite3_close(db);
    return v;
}

/* A detection with every kind-specific part filled. */
typedef struct det_fix {
    tr_detection d;
    tr_str tags[2];
    tr_kv fields[2];
    tr_kv group[1];
    uint64_t contrib[2];
} det_fix;

static void fix_init(det_fix *f, tr_det_kind kind, const char *tenant, const char *rule,
                     const char *level, int64_t ts, uint64_t record)
{
    memset(f, 0, sizeof(*f));
    tr_detection *d = &f->d;
    d->kind = kind;
    d->ts = ts;
    d->tenant = tr_str_c(tenant);
    d->rule_id = tr_str_c(rule);
    d->rule_title = TR_STR("Citrix ADC path traversal \"CVE-2019-19781\"");
    d->level = tr_str_c(level);
    f->tags[0] = TR_STR("attack.t1190");
    f->tags[1] = TR_STR("cve.2019-19781");
    d->tags = f->tags;
    d->ntags = 2;
    d->logsource.product = TR_STR("citrix");
    d->logsource.category[0] = TR_STR("webserver");
    d->logsource.ncategory = 1;
    d->path = TR_STR("logs/org-001/citrix/httpaccess.log");
    d->source_gen = 0x1234;
    d->record = record;
    d->line = record + 1;
    f->fields[0] = (tr_kv){ TR_STR("c-ip"), TR_STR("66.42.98.220") };
    f->fields[1] = (tr_kv){ TR_STR("cs-uri-stem"), TR_STR("/vpn/../vpns/cfg/smb.conf\n\"x\"") };
    d->fields = f->fields;
    d->nfields = 2;
    if (kind == TR_DET_IOC) {
        d->indicator.value = TR_STR("66.42.98.220");
        d->indicator.type = TR_STR("ipv4");
        d->indicator.feed = TR_STR("apt41.csv");
        d->indicator.actor = TR_STR("APT41");
        d->indicator.field = TR_STR("c-ip");
        d->indicator.side = TR_SIDE_SRC;
    }
    if (kind == TR_DET_CORRELATION) {
        d->first_record = record > 3 ? record - 3 : 0;
        d->first_path = TR_STR("logs/org-001/citrix/httpaccess.log.1");
        f->group[0] = (tr_kv){ TR_STR("c-ip"), TR_STR("66.42.98.220") };
        d->group = f->group;
        d->ngroup = 1;
        f->contrib[0] = 0xfedcba9876543210ULL ^ record;
        f->contrib[1] = 0x0123456789abcdefULL;
        d->contributing = f->contrib;
        d->ncontributing = 2;
    }
}

/* Collects query results as JSON lines. */
typedef struct collect {
    tr_buf out;
    size_t n;
} collect;

static tr_err collect_row(void *ctx, const tr_detection *d)
{
    collect *c = ctx;
    c->n++;
    return tr_detection_to_json(d, &c->out);
}

TEST(store_create_and_reopen)
{
    char *path = db_path("a.db");
    char err[512];
    tr_store *st = NULL;
    CHECK_EQ(tr_store_open(path, 0, &st, err, sizeof(err)), TR_ENOENT);
    CHECK(st == NULL);
    CHECK(strstr(err, "no such store") != NULL);
    CHECK_EQ(tr_store_open(path, TR_STORE_CREATE, &st, err, sizeof(err)), TR_OK);
    CHECK_EQ(tr_store_schema_version(st), TR_STORE_SCHEMA_VERSION);
    CHECK_STR(tr_store_writer_version(st), TR_VERSION_STRING);
    tr_store_close(st);
    CHECK_EQ(raw_int(path, "PRAGMA user_version"), TR_STORE_SCHEMA_VERSION);
    CHECK_EQ(raw_int(path, "SELECT count(*) FROM meta WHERE key = 'trawl_version'"), 1);
    CHECK_EQ(tr_store_open(path, 0, &st, err, sizeof(err)), TR_OK);
    tr_store_close(st);
    CHECK_EQ(tr_store_open(path, TR_STORE_READONLY, &st, err, sizeof(err)), TR_OK);
    tr_sink *sink = NULL;
    CHECK_EQ(tr_store_sink_new(st, NULL, &sink), TR_EINVAL);
    tr_store_close(st);
}

TEST(store_refuses_newer_schema)
{
    char *path = db_path("new.db");
    char err[512];
    tr_store *st;
    CHECK_EQ(tr_store_open(path, TR_STORE_CREATE, &st, err, sizeof(err)), TR_OK);
    tr_store_close(st);
    CHECK_EQ(raw_exec(path, "PRAGMA user_version = 5"), SQLITE_OK);
    CHECK_EQ(tr_store_open(path, 0, &st, err, sizeof(err)), TR_EVERSION);
    CHECK(st == NULL);
    char want[600];
    snprintf(want, sizeof(want),
             "%s: schema version 5 is newer than this trawl supports (%d); upgrade trawl", path,
             TR_STORE_SCHEMA_VERSION);
    CHECK_MSG(strncmp(err, want, strlen(want)) == 0, "got: %s", err);
    /* the store was not touched */
    CHECK_EQ(raw_int(path, "PRAGMA user_version"), 5);
}

TEST(store_rejects_other_files)
{
    char *path = db_path("text.db");
    FILE *f = fopen(path, "w");
    CHECK(f);
    fputs("this is not a database, just some text that is long enough to have a header\n", f);
    fclose(f);
    char err[512];
    tr_store *st;
    CHECK_EQ(tr_store_open(path, 0, &st, err, sizeof(err)), TR_ESTORE);
    CHECK_MSG(strstr(err, "not a trawl store") != NULL, "got: %s", err);
    char *other = db_path("other.db");
    CHECK_EQ(raw_exec(other, "CREATE TABLE t(x)"), SQLITE_OK);
    CHECK_EQ(tr_store_open(other, 0, &st, err, sizeof(err)), TR_ESTORE);
    CHECK_MSG(strstr(err, "not a trawl store") != NULL, "got: %s", err);
}

TEST(store_migrates_from_version_1)
{
    char *path = db_path("old.db");
    CHECK_EQ(store_create_at_version(path, 1), TR_OK);
    CHECK_EQ(raw_int(path, "PRAGMA user_version"), 1);
    /* a detection as a version-1 trawl wrote it */
    CHECK_EQ(raw_exec(path, "INSERT INTO detections(id, ts, tenant, kind, rule_id, rule_title,"
                            " level, level_rank, tags, path, source_gen, record, line, fields)"
                            " VALUES (42, 1579508042000000000, 'org-001', 'sigma', 'r-1',"
                            " 'Old rule', 'high', 3, '[\"attack.t1190\"]', 'a.log', 7, 3, 4,"
                            " '{\"c-ip\":\"10.0.0.1\"}')"),
             SQLITE_OK);
    CHECK_EQ(raw_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'runs'"), 0);
    char err[512];
    tr_store *st;
    CHECK_EQ(tr_store_open(path, 0, &st, err, sizeof(err)), TR_OK);
    CHECK_EQ(tr_store_schema_version(st), TR_STORE_SCHEMA_VERSION);
    collect c = { TR_BUF_INIT, 0 };
    CHECK_EQ(tr_store_query(st, NULL, NULL, 0, collect_row, &c, NULL), TR_OK);
    CHECK_EQ(c.n, 1);
    CHECK_MSG(strstr(c.out.p, "\"id\":\"000000000000002a\",\"ts\":\"2020-01-20T08:14:02Z\","
                              "\"tenant\":\"org-001\",\"kind\":\"sigma\",\"rule_id\":\"r-1\"") !=
                  NULL,
              "%s", c.out.p);
    CHECK(strstr(c.out.p, "\"fields\":{\"c-ip\":\"10.0.0.1\"}") != NULL);
    tr_buf_release(&c.out);
    /* the new parts work on the upgraded store */
    tr_sink *sink;
    CHECK_EQ(tr_store_sink_new(st, NULL, &sink), TR_OK);
    CHECK_EQ(tr_store_sink_put_state(sink, "x", "abc", 3), TR_OK);
    CHECK_EQ(tr_sink_flush(sink), TR_OK);
    tr_sink_free(sink);
    void *blob;
    size_t len;
    CHECK_EQ(tr_store_get_state(st, "x", &blob, &len), TR_OK);
    CHECK_EQ(len, 3);
    CHECK(memcmp(blob, "abc", 3) == 0);
    tr_free(blob);
    tr_store_close(st);
    CHECK_EQ(raw_int(path, "PRAGMA user_version"), TR_STORE_SCHEMA_VERSION);
    CHECK_EQ(raw_int(path, "SELECT count(*) FROM meta WHERE key = 'migrated_at'"), 1);
    CHECK_EQ(raw_int(path, "SELECT count(*) FROM runs"), 1);
}

TEST(store_roundtrip_every_kind)
{
    char *path = db_path("rt.db");
    char err[512];
    tr_store *st;
    CHECK_EQ(tr_store_open(path, TR_STORE_CREATE, &st, err, sizeof(err)), TR_OK);
    tr_sink *sink;
    CHECK_EQ(tr_store_sink_new(st, NULL, &sink), TR_OK);
    det_fix f[4];
    fix_init(&f[0], TR_DET_SIGMA, "org-001", "rule-a", "high", NS(1579508042), 10);
    fix_init(&f[1], TR_DET_IOC, "org-002", "ioc:ipv4", "critical", NS(1579508043), 11);
    fix_init(&f[2], TR_DET_CORRELATION, "org-001", "corr-1", "medium", NS(1579508044), 12);
    fix_init(&f[3], TR_DET_SIGMA, "", "rule-b", "", TR_TS_NONE, 13);
    f[3].d.line = 0;
    f[3].d.ntags = 0;
    f[3].d.nfields = 0;
    f[3].d.logsource = (tr_logsource){ 0 };
    tr_buf want;
    tr_buf_init(&want, 0);
    /* expected order: no time first, then by time */
    CHECK_EQ(tr_detection_to_json(&f[3].d, &want), TR_OK);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(tr_detection_to_json(&f[i].d, &want), TR_OK);
    for (int i = 0; i < 4; i++)
        CHECK_EQ(tr_sink_write(sink, &f[i].d), TR_OK);
    CHECK_EQ(tr_sink_flush(sink), TR_OK);
    tr_store_sink_stats stats;
    tr_store_sink_stats_get(sink, &stats);
    CHECK_EQ(stats.inserted, 4);
    tr_sink_free(sink);
    collect c = { TR_BUF_INIT, 0 };
    CHECK_EQ(tr_store_query(st, NULL, NULL, 0, collect_row, &c, NULL), TR_OK);
    CHECK_EQ(c.n, 4);
    CHECK_MSG(strcmp(c.out.p, want.p) == 0, "\n got: %s\nwant: %s", c.out.p, want.p);
    tr_buf_release(&c.out);
    tr_buf_release(&want);
    tr_store_close(st);
}

TEST(store_duplicate_ids_ignored)
{
    char *path = db_path("dup.db");
    char err[512];
    tr_store *st;
    CHECK_EQ(tr_store_open(path, TR_STORE_CREATE, &st, err, sizeof(err)), TR_OK);
    for (int run = 0; run < 2; run++) {
        tr_sink *sink;
        tr_store_sink_opts o = { .batch = 7 };
        CHECK_EQ(tr_store_sink_new(st, &o, &sink), TR_OK);
        for (uint64_t r = 0; r < 50; r++) {
            det_fix f;
            fix_init(&f, TR_DET_SIGMA, "org-001", "rule-a", "high", NS(1579508042 + r), r);
            CHECK_EQ(tr_sink_write(sink, &f.d), TR_OK);
            CHECK_EQ(tr_sink_write(sink, &f.d), TR_OK); /* same id twice in one run */
        }
        CHECK_EQ(tr_sink_flush(sink), TR_OK);
        tr_store_sink_stats stats;
        tr_store_sink_stats_get(sink, &stats);
        CHECK_EQ(stats.inserted, run == 0 ? 50 : 0);
        CHECK_EQ(stats.duplicates, run == 0 ? 50 : 100);
        tr_sink_free(sink);
        uint64_t n;
        CHECK_EQ(tr_store_count(st, NULL, &n), TR_OK);
        CHECK_EQ(n, 50);
    }
    tr_store_close(st);
    CHECK_EQ(raw_int(path, "SELECT count(*) FROM runs WHERE finished IS NOT NULL"), 2);
    CHECK_EQ(raw_int(path, "SELECT sum(inserted) FROM runs"), 50);
}

TEST(store_tenants_from_fleet)
{
    char *path = db_path("fleet.db");
    char err[512];
    tr_store *st;
    CHECK_EQ(tr_store_open(path, TR_STORE_CREATE, &st, err, sizeof(err)), TR_OK);
    tr_fleet *fl = tr_fleet_new();
    CHECK(fl);
    CHECK_EQ(tr_fleet_add(fl, "org-001", "Acme Health", "us", "healthcare"), TR_OK);
    CHECK_EQ(tr_fleet_add(fl, "org-002", "Beta Bank", "DE", "financial-services"), TR_OK);
    CHECK_EQ(tr_store_put_fleet(st, fl), TR_OK);
    CHECK_EQ(tr_store_put_fleet(st, fl), TR_OK);
    tr_fleet_free(fl);
    fl = tr_fleet_new();
    CHECK_EQ(tr_fleet_add(fl, "org-002", "Beta Bank AG", "DE", "financial-services"), TR_OK);
    CHECK_EQ(tr_store_put_fleet(st, fl), TR_OK);
    tr_fleet_free(fl);
    uint64_t n;
    CHECK_EQ(tr_store_count_tenants(st, &n), TR_OK);
    CHECK_EQ(n, 2);
    tr_store_close(st);
    CHECK_EQ(raw_int(path, "SELECT count(*) FROM tenants WHERE id = 'org-001' AND country = 'US'"),
             1);
    CHECK_EQ(raw_int(path, "SELECT count(*) FROM tenants WHERE name = 'Beta Bank AG'"), 1);
}

/* ---- filters and cursors ---- */

static tr_store *filled_store(const char *name)
{
    char err[512];
    tr_store *st;
    if (tr_store_open(db_path(name), TR_STORE_CREATE, &st, err, sizeof(err)) != TR_OK)
        return NULL;
    tr_sink *sink;
    if (tr_store_sink_new(st, NULL, &sink) != TR_OK) {
        tr_store_close(st);
        return NULL;
    }
    static const char *const levels[] = { "informational", "low", "medium", "high", "critical" };
    /* 100 detections: tenant i%4, level i%5, kind i%3, rule i%2, one second apart; the
     * timestamps of 90..99 repeat 80..89 to exercise ties */
    for (uint64_t i = 0; i < 100; i++) {
        char tenant[16], rule[16];
        snprintf(tenant, sizeof(tenant), "org-%03d", (int)(i % 4));
        snprintf(rule, sizeof(rule), "rule-%d", (int)(i % 2));
        det_fix f;
        int64_t sec = 1579508000 + (int64_t)(i < 90 ? i : i - 10);
        fix_init(&f, (tr_det_kind)(i % 3), tenant, rule, levels[i % 5], NS(sec), i);
        if (i % 3 == 1) {
            char v[32];
            snprintf(v, sizeof(v), "10.0.0.%d", (int)(i % 7));
            f.d.indicator.value = tr_str_c(v);
            tr_sink_write(sink, &f.d);
        } else {
            tr_sink_write(sink, &f.d);
        }
    }
    tr_err e = tr_sink_flush(sink);
    tr_sink_free(sink);
    if (e) {
        tr_store_close(st);
        return NULL;
    }
    return st;
}

typedef struct check_rows {
    const tr_store_filter *f;
    size_t n;
    int64_t last_ts;
    uint64_t seen[2]; /* record bitmap */
    int bad;
} check_rows;

static tr_err check_row(void *ctx, const tr_detection *d)
{
    check_rows *c = ctx;
    const tr_store_filter *f = c->f;
    c->n++;
    if (d->ts < c->last_ts)
        c->bad++;
    c->last_ts = d->ts;
    if (d->record < 128) {
        if (c->seen[d->record / 64] & (1ULL << (d->record % 64)))
            c->bad++;
        c->seen[d->record / 64] |= 1ULL << (d->record % 64);
    }
    if (f->tenant && !tr_str_eq(d->tenant, tr_str_c(f->tenant)))
        c->bad++;
    if (f->rule && !tr_str_eq(d->rule_id, tr_str_c(f->rule)))
        c->bad++;
    if (f->min_level >= 0 && tr_level_rank(d->level) < f->min_level)
        c->bad++;
    if (f->kind >= 0 && (int)d->kind != f->kind)
        c->bad++;
    if (f->since != TR_TS_NONE && d->ts < f->since)
        c->bad++;
    if (f->until != TR_TS_NONE && d->ts >= f->until)
        c->bad++;
    if (f->indicator && !tr_str_eq(d->indicator.value, tr_str_c(f->indicator)))
        c->bad++;
    return TR_OK;
}

/* Expected count by brute force over the generator above. */
static size_t expected(const tr_store_filter *f)
{
    size_t n = 0;
    for (int i = 0; i < 100; i++) {
        char tenant[16], rule[16], v[32];
        snprintf(tenant, sizeof(tenant), "org-%03d", i % 4);
        snprintf(rule, sizeof(rule), "rule-%d", i % 2);
        snprintf(v, sizeof(v), "10.0.0.%d", i % 7);
        int64_t ts = NS(1579508000 + (i < 90 ? i : i - 10));
        if (f->tenant && strcmp(f->tenant, tenant) != 0)
            continue;
        if (f->rule && strcmp(f->rule, rule) != 0)
            continue;
        if (f->min_level >= 0 && i % 5 < f->min_level)
            continue;
        if (f->kind >= 0 && i % 3 != f->kind)
            continue;
        if (f->since != TR_TS_NONE && ts < f->since)
            continue;
        if (f->until != TR_TS_NONE && ts >= f->until)
            continue;
        if (f->indicator && (i % 3 != 1 || strcmp(f->indicator, v) != 0))
            continue;
        n++;
    }
    return n;
}

TEST(store_query_filters)
{
    tr_store *st = filled_store("filters.db");
    CHECK(st);
    tr_store_filter fs[8];
    for (int i = 0; i < 8; i++)
        tr_store_filter_init(&fs[i]);
    fs[1].tenant = "org-002";
    fs[2].rule = "rule-1";
    fs[3].min_level = 3;
    fs[4].kind = TR_DET_IOC;
    fs[5].since = NS(1579508020);
    fs[5].until = NS(1579508040);
    fs[6].indicator = "10.0.0.3";
    fs[7].tenant = "org-001";
    fs[7].min_level = 2;
    fs[7].kind = TR_DET_SIGMA;
    fs[7].since = NS(1579508010);
    for (int i = 0; i < 8; i++) {
        check_rows c = { .f = &fs[i], .last_ts = INT64_MIN };
        size_t n;
        CHECK_EQ(tr_store_query(st, &fs[i], NULL, 0, check_row, &c, &n), TR_OK);
        CHECK_MSG(c.bad == 0, "filter %d: %d bad rows", i, c.bad);
        CHECK_MSG(c.n == expected(&fs[i]), "filter %d: %zu rows, expected %zu", i, c.n,
                  expected(&fs[i]));
        CHECK(c.n > 0);
        uint64_t cnt;
        CHECK_EQ(tr_store_count(st, &fs[i], &cnt), TR_OK);
        CHECK_EQ(cnt, c.n);
    }
    tr_store_close(st);
}

TEST(store_query_cursor_pages)
{
    tr_store *st = filled_store("pages.db");
    CHECK(st);
    for (size_t page = 1; page <= 13; page += 4) {
        tr_store_filter f;
        tr_store_filter_init(&f);
        if (page > 5)
            f.tenant = "org-003";
        check_rows c = { .f = &f, .last_ts = INT64_MIN };
        tr_store_cursor cur = { 0 };
        size_t got, pages = 0;
        do {
            /* the cursor survives a round trip through its text form */
            char tok[64];
            tr_store_cursor_format(&cur, tok, sizeof(tok));
            tr_store_cursor back;
            CHECK_EQ(tr_store_cursor_parse(tok, &back), TR_OK);
            CHECK(back.started == cur.started && back.id == cur.id && back.ts == cur.ts);
            CHECK_EQ(tr_store_query(st, &f, &back, page, check_row, &c, &got), TR_OK);
            cur = back;
            CHECK(got <= page);
            pages++;
        } while (got == page);
        CHECK_EQ(c.bad, 0);
        CHECK_EQ(c.n, expected(&f));
        CHECK_EQ(pages, c.n / page + 1);
    }
    tr_store_cursor bad;
    CHECK_EQ(tr_store_cursor_parse("t12x", &bad), TR_EPARSE);
    CHECK_EQ(tr_store_cursor_parse("zz", &bad), TR_EPARSE);
    tr_store_close(st);
}

static tr_err stop_after_5(void *ctx, const tr_detection *d)
{
    TR_UNUSED(d);
    return ++*(int *)ctx == 5 ? TR_EEOF : TR_OK;
}

TEST(store_query_stops_on_callback_error)
{
    tr_store *st = filled_store("stop.db");
    CHECK(st);
    size_t n;
    int calls = 0;
    CHECK_EQ(tr_store_query(st, NULL, NULL, 0, stop_after_5, &calls, &n), TR_EEOF);
    CHECK_EQ(n, 5);
    CHECK_EQ(calls, 5);
    tr_store_close(st);
}

TEST(store_level_rank)
{
    CHECK_EQ(tr_level_rank(TR_STR("informational")), 0);
    CHECK_EQ(tr_level_rank(TR_STR("HIGH")), 3);
    CHECK_EQ(tr_level_rank(TR_STR("critical")), 4);
    CHECK_EQ(tr_level_rank(TR_STR("severe")), -1);
    CHECK_EQ(tr_level_rank(TR_STR("")), -1);
}
