/*
 * test_sim.c - the fleet simulator: determinism, requested counts, and a
 * truth.json that agrees with the files actually written.
 */
#include "core/common.h"

#include "core/json.h"
#include "trawl/arena.h"
#include "trawl/input.h"
#include "trawl/reader.h"
#include "trawl/sim.h"
#include "tt.h"

/* A small fleet: a few hundred KB, well under a second. */
static tr_err gen(const char *dir, uint64_t seed, uint32_t orgs, int32_t targeted,
                  int32_t compromised, tr_sim_stats *st)
{
    tr_sim_opts o;
    tr_sim_opts_init(&o);
    o.out_dir = dir;
    o.seed = seed;
    o.orgs = orgs;
    o.targeted = targeted;
    o.compromised = compromised;
    o.size = 600 * 1024;
    char err[512];
    tr_err e = tr_sim_run(&o, st, err, sizeof(err));
    if (e)
        fprintf(stderr, "tr_sim_run: %s\n", err);
    return e;
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)len + 1);
    if (p && fread(p, 1, (size_t)len, f) != (size_t)len) {
        free(p);
        p = NULL;
    }
    fclose(f);
    if (p) {
        p[len] = '\0';
        *n = (size_t)len;
    }
    return p;
}

/* The strings of the first array under key in a JSON document; returns
 * the count (up to max), or -1 when the key is missing. */
static int json_strings(const char *doc, size_t n, const char *key, char out[][32], int max)
{
    tr_json j;
    tr_json_init(&j, doc, n, 0);
    tr_json_tok t;
    bool want = false;
    while (tr_json_next(&j, &t) > TR_JSON_END) {
        if (t.type == TR_JSON_KEY && t.text.n == strlen(key) &&
            memcmp(t.text.p, key, t.text.n) == 0) {
            want = true;
            continue;
        }
        if (want && t.type == TR_JSON_ARR_BEGIN) {
            int k = 0;
            while (tr_json_next(&j, &t) == TR_JSON_STRING)
                if (k < max) {
                    snprintf(out[k], 32, "%.*s", (int)t.text.n, t.text.p);
                    k++;
                }
            return k;
        }
        want = false;
    }
    return -1;
}

/* Does any file under dir contain needle? */
static bool dir_contains(const char *dir, const char *needle)
{
    tr_pathlist pl = { 0 };
    if (tr_pathlist_add(&pl, dir) != TR_OK)
        return false;
    bool found = false;
    for (size_t i = 0; i < pl.n && !found; i++) {
        size_t n;
        char *p = slurp(pl.paths[i], &n);
        if (p && memmem(p, n, needle, strlen(needle)))
            found = true;
        free(p);
    }
    tr_pathlist_release(&pl);
    return found;
}

TEST(sim_deterministic_per_seed)
{
    char a[256], b[256];
    snprintf(a, sizeof(a), "%s/a", tt_tmpdir());
    snprintf(b, sizeof(b), "%s/b", tt_tmpdir());
    tr_sim_stats sa, sb;
    CHECK(gen(a, 7, 30, 12, 4, &sa) == TR_OK);
    CHECK(gen(b, 7, 30, 12, 4, &sb) == TR_OK);
    CHECK_EQ(sa.files, sb.files);
    CHECK_EQ(sa.bytes, sb.bytes);
    tr_pathlist pa = { 0 }, pb = { 0 };
    CHECK(tr_pathlist_add(&pa, a) == TR_OK);
    CHECK(tr_pathlist_add(&pb, b) == TR_OK);
    CHECK_EQ(pa.n, pb.n);
    CHECK(pa.n > 20);
    size_t ra = strlen(a), rb = strlen(b);
    bool same = true;
    for (size_t i = 0; i < pa.n && same; i++) {
        CHECK_STR(pa.paths[i] + ra, pb.paths[i] + rb);
        size_t n1, n2;
        char *p1 = slurp(pa.paths[i], &n1), *p2 = slurp(pb.paths[i], &n2);
        same = p1 && p2 && n1 == n2 && memcmp(p1, p2, n1) == 0;
        if (!same)
            tt_fail(__FILE__, __LINE__, "%s differs between runs", pa.paths[i] + ra);
        free(p1);
        free(p2);
    }
    tr_pathlist_release(&pa);
    tr_pathlist_release(&pb);
}

TEST(sim_seeds_differ)
{
    char a[256], b[256];
    snprintf(a, sizeof(a), "%s/truth.json", tt_tmpdir());
    snprintf(b, sizeof(b), "%s/truth.json", tt_tmpdir());
    char *da = strdup(a), *db = strdup(b);
    *strrchr(da, '/') = '\0';
    *strrchr(db, '/') = '\0';
    CHECK(gen(da, 1, 30, 12, 4, NULL) == TR_OK);
    CHECK(gen(db, 2, 30, 12, 4, NULL) == TR_OK);
    size_t n1, n2;
    char *p1 = slurp(a, &n1), *p2 = slurp(b, &n2);
    CHECK(p1 && p2);
    CHECK(n1 != n2 || memcmp(p1, p2, n1) != 0);
    free(p1);
    free(p2);
    free(da);
    free(db);
}

TEST(sim_requested_counts)
{
    const char *d = tt_tmpdir();
    tr_sim_stats st;
    CHECK(gen(d, 3, 40, 20, 5, &st) == TR_OK);
    CHECK_EQ(st.tenants, 40);
    CHECK_EQ(st.targeted, 20);
    CHECK_EQ(st.compromised, 5);
    char path[512];
    snprintf(path, sizeof(path), "%s/fleet.csv", d);
    size_t n;
    char *p = slurp(path, &n);
    CHECK(p);
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += p[i] == '\n';
    free(p);
    CHECK_EQ(lines, 41);
    snprintf(path, sizeof(path), "%s/truth.json", d);
    p = slurp(path, &n);
    CHECK(p);
    static char v[200][32];
    CHECK_EQ(json_strings(p, n, "orgs_targeted", v, 200), 20);
    CHECK_EQ(json_strings(p, n, "orgs_compromised", v, 200), 5);
    CHECK_EQ(json_strings(p, n, "countries", v, 200), 20);
    CHECK_EQ(json_strings(p, n, "sectors", v, 200), 19);
    free(p);
}

TEST(sim_default_headline)
{
    const char *d = tt_tmpdir();
    tr_sim_opts o;
    tr_sim_opts_init(&o);
    o.out_dir = d;
    o.size = 2 << 20;
    tr_sim_stats st;
    char err[256];
    CHECK(tr_sim_run(&o, &st, err, sizeof(err)) == TR_OK);
    CHECK_EQ(st.tenants, 120);
    CHECK_EQ(st.targeted, 78);
    CHECK_EQ(st.compromised, 8);
    /* tenants attacked through logs the provider never receives are not targeted */
    char path[512];
    snprintf(path, sizeof(path), "%s/truth.json", d);
    size_t n;
    char *p = slurp(path, &n);
    CHECK(p);
    static char tg[200][32];
    int ntg = json_strings(p, n, "orgs_targeted", tg, 200);
    CHECK_EQ(ntg, 78);
    tr_json j;
    tr_json_init(&j, p, n, 0);
    tr_json_tok t;
    char cur[32] = "";
    bool want_tenant = false;
    int hidden = 0;
    while (tr_json_next(&j, &t) > TR_JSON_END) {
        if (t.type == TR_JSON_KEY) {
            want_tenant = t.text.n == 6 && memcmp(t.text.p, "tenant", 6) == 0;
            if (t.text.n == 23 && memcmp(t.text.p, "unlogged_apt41_attempts", 23) == 0) {
                hidden++;
                for (int i = 0; i < ntg; i++)
                    CHECK_MSG(strcmp(tg[i], cur) != 0, "%s has only unlogged attempts", cur);
                snprintf(path, sizeof(path), "%s/logs/%s", d, cur);
                CHECK(!dir_contains(path, "66.42.98.220"));
            }
        } else if (t.type == TR_JSON_STRING && want_tenant) {
            snprintf(cur, sizeof(cur), "%.*s", (int)t.text.n, t.text.p);
            want_tenant = false;
        }
    }
    CHECK_EQ(hidden, 2);
    free(p);
}

/* Every targeted tenant shows an attempt from the campaign's addresses;
 * every compromised one shows post-exploitation; no other tenant shows the
 * campaign at all. */
TEST(sim_truth_agrees_with_logs)
{
    const char *d = tt_tmpdir();
    CHECK(gen(d, 11, 50, 30, 6, NULL) == TR_OK);
    char path[512];
    snprintf(path, sizeof(path), "%s/truth.json", d);
    size_t n;
    char *p = slurp(path, &n);
    CHECK(p);
    static char tg[200][32], cp[200][32];
    int ntg = json_strings(p, n, "orgs_targeted", tg, 200);
    int ncp = json_strings(p, n, "orgs_compromised", cp, 200);
    free(p);
    CHECK_EQ(ntg, 30);
    CHECK_EQ(ncp, 6);
    for (int i = 0; i < ntg; i++) {
        snprintf(path, sizeof(path), "%.200s/logs/%.31s", d, tg[i]);
        CHECK_MSG(dir_contains(path, "66.42.98.220") || dir_contains(path, "91.208.184.78"),
                  "%s is targeted but its logs show no campaign address", tg[i]);
    }
    static const char *const post[] = {
        "shell_command=\"file /bin/pwd\"", "RETR\tftp://66.42.98.220/", "\"Wget\"",
        "StorSyncSvc", "exchange.dumb1.com",
    };
    for (int i = 0; i < ncp; i++) {
        snprintf(path, sizeof(path), "%.200s/logs/%.31s", d, cp[i]);
        bool any = false;
        for (size_t k = 0; k < TR_ARRAY_LEN(post) && !any; k++)
            any = dir_contains(path, post[k]);
        CHECK_MSG(any, "%s is compromised but its logs show no post-exploitation", cp[i]);
    }
    for (int t = 1; t <= 50; t++) {
        char id[16];
        snprintf(id, sizeof(id), "org-%03d", t);
        bool listed = false;
        for (int i = 0; i < ntg && !listed; i++)
            listed = strcmp(tg[i], id) == 0;
        if (listed)
            continue;
        snprintf(path, sizeof(path), "%s/logs/%s", d, id);
        CHECK_MSG(!dir_contains(path, "66.42.98.220") && !dir_contains(path, "91.208.184.78"),
                  "%s is not targeted but shows a campaign address", id);
    }
}

/* Every JSON-lines file is valid JSON, line by line. */
TEST(sim_json_lines_valid)
{
    const char *d = tt_tmpdir();
    CHECK(gen(d, 5, 40, 20, 5, NULL) == TR_OK);
    tr_pathlist pl = { 0 };
    CHECK(tr_pathlist_add(&pl, d) == TR_OK);
    size_t files = 0, lines = 0;
    for (size_t i = 0; i < pl.n; i++) {
        const char *f = pl.paths[i];
        size_t l = strlen(f);
        if (!(l > 5 && (strcmp(f + l - 5, ".json") == 0 || strcmp(f + l - 6, ".jsonl") == 0)))
            continue;
        files++;
        size_t n;
        char *p = slurp(f, &n);
        CHECK(p);
        bool whole = strstr(f, "truth.json") != NULL;
        for (char *s = p; s < p + n;) {
            char *e = whole ? p + n : memchr(s, '\n', (size_t)(p + n - s));
            if (!e)
                e = p + n;
            tr_json j;
            tr_json_init(&j, s, (size_t)(e - s), 0);
            tr_json_tok t;
            while (tr_json_next(&j, &t) > TR_JSON_END)
                ;
            CHECK_MSG(t.type == TR_JSON_END, "%s: invalid JSON at byte %zu: %s", f,
                      (size_t)(s - p) + j.err_off, j.errmsg);
            lines++;
            s = e + 1;
        }
        free(p);
    }
    tr_pathlist_release(&pl);
    CHECK(files >= 3);
    CHECK(lines > 100);
}

/* Every log file goes through trawl's own readers without a rejected record
 * (formats whose decoder is not built yet are skipped). */
TEST(sim_logs_parse)
{
    const char *d = tt_tmpdir();
    CHECK(gen(d, 9, 40, 20, 5, NULL) == TR_OK);
    char logs[512];
    snprintf(logs, sizeof(logs), "%s/logs", d);
    tr_pathlist pl = { 0 };
    CHECK(tr_pathlist_add(&pl, logs) == TR_OK);
    tr_field *fields = malloc(1024 * sizeof(tr_field));
    tr_arena *arena = tr_arena_new(0, 64u << 20);
    CHECK(fields && arena);
    tr_event ev;
    tr_event_init(&ev, fields, 1024, arena);
    uint64_t events = 0;
    size_t parsed_files = 0;
    for (size_t i = 0; i < pl.n; i++) {
        tr_reader_opts ro = { .format = TR_FMT_AUTO };
        ro.parse.default_year = 2020;
        tr_reader *r;
        char err[512];
        tr_err e = tr_reader_open(pl.paths[i], &ro, &r, err, sizeof(err));
        if (e == TR_EUNSUPPORTED)
            continue;
        CHECK_MSG(e == TR_OK, "%s: %s", pl.paths[i], err);
        for (;;) {
            e = tr_reader_next(r, &ev);
            if (e == TR_EEOF)
                break;
            CHECK_MSG(e == TR_OK, "%s:%" PRIu64 ": %s", pl.paths[i], tr_reader_errline(r),
                      tr_reader_errmsg(r));
            events++;
        }
        CHECK_EQ(tr_reader_stats_get(r)->rejected, 0);
        tr_reader_free(r);
        parsed_files++;
    }
    free(fields);
    tr_arena_free(arena);
    tr_pathlist_release(&pl);
    CHECK(parsed_files > 10);
    CHECK(events > 1000);
}

TEST(sim_days_window)
{
    const char *d = tt_tmpdir();
    tr_sim_opts o;
    tr_sim_opts_init(&o);
    o.out_dir = d;
    o.orgs = 40;
    o.targeted = 20;
    o.compromised = 5;
    o.size = 300 * 1024;
    o.from_ns = INT64_C(1579478400) * 1000000000; /* 2020-01-20 */
    o.to_ns = INT64_C(1579737600) * 1000000000;   /* 2020-01-23 */
    char err[256];
    tr_sim_stats st;
    CHECK(tr_sim_run(&o, &st, err, sizeof(err)) == TR_OK);
    /* only the first Citrix days are inside: fewer tenants are visibly targeted */
    CHECK(st.targeted > 0);
    CHECK(st.targeted < 20);
    char path[512];
    snprintf(path, sizeof(path), "%s/truth.json", d);
    size_t n;
    char *p = slurp(path, &n);
    CHECK(p);
    /* by_cve holds objects; elsewhere CVE names are array items or string values */
    CHECK(strstr(p, "\"CVE-2019-19781\": {") != NULL);
    CHECK(strstr(p, "\"CVE-2019-1653\": {") == NULL);
    CHECK(strstr(p, "\"CVE-2020-10189\": {") == NULL);
    CHECK(strstr(p, "\"first_seen\": \"2020-01-2") != NULL);
    CHECK(strstr(p, "\"last_seen\": \"2020-01-2") != NULL);
    free(p);
}

TEST(sim_rejects_bad_options)
{
    tr_sim_opts o;
    tr_sim_opts_init(&o);
    o.out_dir = tt_tmpdir();
    o.orgs = 10;
    o.targeted = 20;
    char err[256];
    CHECK(tr_sim_run(&o, NULL, err, sizeof(err)) == TR_EINVAL);
    CHECK(strstr(err, "--targeted") != NULL);
    o.targeted = 5;
    o.compromised = 6;
    CHECK(tr_sim_run(&o, NULL, err, sizeof(err)) == TR_EINVAL);
    o.compromised = 2;
    o.scenario = "apt99";
    CHECK(tr_sim_run(&o, NULL, err, sizeof(err)) == TR_EINVAL);
    CHECK(strstr(err, "apt99") != NULL);
}

/* Every consistent request is met exactly, down to tiny and all-compromised fleets. */
TEST(sim_extreme_counts)
{
    static const int32_t cases[][3] = { { 1, 1, 1 },   { 3, 3, 3 },    { 5, 5, 0 },
                                        { 20, 20, 20 }, { 40, 40, 12 }, { 60, 25, 25 } };
    for (size_t i = 0; i < TR_ARRAY_LEN(cases); i++) {
        char d[300];
        snprintf(d, sizeof(d), "%s/f%zu", tt_tmpdir(), i);
        tr_sim_opts o;
        tr_sim_opts_init(&o);
        o.out_dir = d;
        o.orgs = (uint32_t)cases[i][0];
        o.targeted = cases[i][1];
        o.compromised = cases[i][2];
        o.size = 64 * 1024;
        tr_sim_stats st;
        char err[256];
        CHECK_MSG(tr_sim_run(&o, &st, err, sizeof(err)) == TR_OK, "%d/%d/%d: %s", cases[i][0],
                  cases[i][1], cases[i][2], err);
        CHECK_EQ(st.targeted, cases[i][1]);
        CHECK_EQ(st.compromised, cases[i][2]);
    }
}
