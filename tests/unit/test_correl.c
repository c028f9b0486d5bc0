/*
 * test_correl.c - the Sigma correlation runtime on event streams whose
 * answer is unambiguous: every type, conditions and ranges, aliases,
 * chaining, generate, the memory cap, resuming from saved state.
 */
#include "tt.h"

#include "trawl/correl.h"
#include "trawl/log.h"
#include "trawl/sigma.h"

#define MIN(m) ((int64_t)(m) * 60 * 1000000000)
#define T0 ((int64_t)1579508042 * 1000000000) /* 2020-01-20T08:14:02Z */

/* Detection rules the correlations below refer to (their detection parts
 * do not matter: the tests feed detections directly). */
static const char rules_yaml[] =
    "title: Failed login\nid: 10000000-0000-4000-8000-000000000001\nname: failed_login\n"
    "logsource: {product: windows, service: security}\n"
    "detection: {sel: {EventID: 4625}, condition: sel}\n"
    "---\n"
    "title: Successful login\nid: 10000000-0000-4000-8000-000000000002\nname: successful_login\n"
    "logsource: {product: windows, service: security}\n"
    "detection: {sel: {EventID: 4624}, condition: sel}\n"
    "---\n"
    "title: Recon A\nname: recon_a\nlogsource: {category: process_creation}\n"
    "detection: {sel: {Image|endswith: whoami.exe}, condition: sel}\n"
    "---\n"
    "title: Recon B\nname: recon_b\nlogsource: {category: process_creation}\n"
    "detection: {sel: {Image|endswith: net.exe}, condition: sel}\n"
    "---\n"
    "title: Recon C\nname: recon_c\nlogsource: {category: process_creation}\n"
    "detection: {sel: {Image|endswith: ipconfig.exe}, condition: sel}\n"
    "---\n"
    "title: Web access\nname: web_access\nlogsource: {category: proxy}\n"
    "detection: {sel: {cs-method: POST}, condition: sel}\n"
    "---\n"
    "title: Process\nname: process_creation\nlogsource: {category: process_creation}\n"
    "detection: {sel: {Image|endswith: .exe}, condition: sel}\n"
    "---\n"
    "title: Internal error\nname: internal_error\nlogsource: {category: webserver}\n"
    "detection: {sel: {sc-status: 500}, condition: sel}\n"
    "---\n"
    "title: New connection\nname: new_network_connection\n"
    "logsource: {category: network_connection}\n"
    "detection: {sel: {Initiated: 'true'}, condition: sel}\n";

typedef struct fired {
    char rule[64];
    uint32_t flags;
    int64_t ts;
    uint64_t record, first_record, id;
    uint32_t ncontrib;
    char group[256];
    char first_path[64];
} fired;

typedef struct sink {
    fired f[256];
    int n;
} sink;

static tr_err on_fire(void *ctx, const tr_detection *d)
{
    sink *s = ctx;
    if (s->n >= 256)
        return TR_ELIMIT;
    fired *f = &s->f[s->n++];
    memset(f, 0, sizeof(*f));
    snprintf(f->rule, sizeof(f->rule), "%.*s", TR_STR_FMT(d->rule_id));
    f->flags = d->flags;
    f->ts = d->ts;
    f->record = d->record;
    f->first_record = d->first_record;
    f->id = d->id;
    f->ncontrib = d->ncontributing;
    snprintf(f->first_path, sizeof(f->first_path), "%.*s", TR_STR_FMT(d->first_path));
    size_t k = 0;
    for (uint32_t i = 0; i < d->ngroup; i++)
        k += (size_t)snprintf(f->group + k, sizeof(f->group) - k, "%s%.*s=%.*s", i ? "," : "",
                              TR_STR_FMT(d->group[i].key), TR_STR_FMT(d->group[i].value));
    return d->kind == TR_DET_CORRELATION && d->id == tr_detection_id(d) ? TR_OK : TR_EINTERNAL;
}

static void quiet(const tr_sigma_diag *d, void *ctx)
{
    (void)ctx;
    if (d->level == TR_SIGMA_ERROR)
        fprintf(stderr, "  %s:%" PRIu64 ": %s\n", d->path, d->line, d->message);
}

static void drop_logs(tr_log_level level, const char *line, void *ctx)
{
    (void)level;
    (void)line;
    (void)ctx;
}

static tr_ruleset *load(const char *correlations)
{
    size_t n = strlen(rules_yaml) + strlen(correlations) + 8;
    char *y = malloc(n);
    snprintf(y, n, "%s---\n%s", rules_yaml, correlations);
    tr_ruleset *rs = NULL;
    tr_sigma_opts o = { .diag = quiet };
    tr_err e = tr_ruleset_load_string(y, strlen(y), "test.yml", &o, &rs);
    free(y);
    if (e || !rs)
        return NULL;
    const tr_ruleset_stats *st = tr_ruleset_get_stats(rs);
    if (st->correlations_rejected || st->rules_rejected) {
        tr_ruleset_free(rs);
        return NULL;
    }
    return rs;
}

/* Feeds one detection of rule `rule` (id or name), at ts, with fields "k=v;k=v". */
static tr_err feed(tr_correl *c, sink *s, const char *rule, const char *tenant, int64_t ts,
                   uint64_t record, const char *kvs)
{
    tr_kv kv[8];
    char buf[512];
    uint32_t n = 0;
    snprintf(buf, sizeof(buf), "%s", kvs);
    for (char *p = buf; *p && n < 8;) {
        char *semi = strchr(p, ';');
        if (semi)
            *semi = '\0';
        char *eq = strchr(p, '=');
        if (eq) {
            kv[n].key = (tr_str){ p, (size_t)(eq - p) };
            kv[n].value = tr_str_c(eq + 1);
            n++;
        }
        if (!semi)
            break;
        p = semi + 1;
    }
    tr_detection d;
    memset(&d, 0, sizeof(d));
    d.kind = TR_DET_SIGMA;
    d.ts = ts;
    d.tenant = tr_str_c(tenant);
    d.rule_id = tr_str_c(rule);
    d.path = TR_STR("logs/host.log");
    d.source_gen = 7;
    d.record = record;
    d.line = record + 1;
    d.fields = kv;
    d.nfields = n;
    return tr_correl_feed(c, &d, on_fire, s);
}

static tr_correl *engine(tr_ruleset *rs, size_t cap)
{
    tr_correl_opts o = { .memory_cap = cap };
    tr_correl *c = NULL;
    return tr_correl_new(rs, &o, &c) == TR_OK ? c : NULL;
}

static const char failed_count[] =
    "title: Many failed logins\nid: 20000000-0000-4000-8000-000000000001\n"
    "correlation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n"
    "  timespan: 1h\n  condition: {gte: 3}\nlevel: high\n";

TEST(correl_event_count_fires_and_consumes)
{
    tr_ruleset *rs = load(failed_count);
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    CHECK(c);
    CHECK_EQ(tr_correl_count(c), 1);
    sink s = { .n = 0 };
    const char *fl = "10000000-0000-4000-8000-000000000001";
    CHECK_EQ(feed(c, &s, fl, "org-1", T0, 1, "User=alice"), TR_OK);
    CHECK_EQ(feed(c, &s, fl, "org-1", T0 + MIN(10), 2, "User=alice"), TR_OK);
    CHECK_EQ(feed(c, &s, fl, "org-1", T0 + MIN(5), 3, "User=bob"), TR_OK);
    CHECK_EQ(feed(c, &s, fl, "org-2", T0 + MIN(12), 4, "User=alice"), TR_OK); /* other tenant */
    CHECK_EQ(s.n, 0);
    CHECK_EQ(feed(c, &s, fl, "org-1", T0 + MIN(20), 5, "User=alice"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_STR(s.f[0].rule, "20000000-0000-4000-8000-000000000001");
    CHECK_STR(s.f[0].group, "User=alice");
    CHECK_EQ(s.f[0].record, 5);
    CHECK_EQ(s.f[0].first_record, 1);
    CHECK_EQ(s.f[0].ncontrib, 3);
    CHECK_EQ(s.f[0].ts, T0 + MIN(20));
    CHECK_EQ(s.f[0].flags, 0);
    /* the three were consumed: two more do not fire, a third does */
    CHECK_EQ(feed(c, &s, fl, "org-1", T0 + MIN(21), 6, "User=alice"), TR_OK);
    CHECK_EQ(feed(c, &s, fl, "org-1", T0 + MIN(22), 7, "User=alice"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(feed(c, &s, fl, "org-1", T0 + MIN(23), 8, "User=alice"), TR_OK);
    CHECK_EQ(s.n, 2);
    CHECK_EQ(s.f[1].first_record, 6);
    /* names work as well as ids; the other tenant completes its own group */
    CHECK_EQ(feed(c, &s, "failed_login", "org-2", T0 + MIN(13), 9, "User=alice"), TR_OK);
    CHECK_EQ(feed(c, &s, "failed_login", "org-2", T0 + MIN(14), 10, "User=alice"), TR_OK);
    CHECK_EQ(s.n, 3);
    CHECK_EQ(s.f[2].first_record, 4);
    CHECK(s.f[2].id != s.f[0].id);
    CHECK_EQ(tr_correl_finish(c, on_fire, &s), TR_OK);
    CHECK_EQ(s.n, 3);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_event_count_window_slides)
{
    tr_ruleset *rs = load(failed_count);
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    /* 0, 50, 70, 100 minutes: no hour holds three until the window
     * [40, 100] (50, 70, 100); a tumbling hour from 0 would never see it */
    int64_t at[] = { 0, 50, 70, 100 };
    for (int i = 0; i < 4; i++)
        CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(at[i]), (uint64_t)i, "User=u"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.f[0].first_record, 1);
    CHECK_EQ(s.f[0].record, 3);
    CHECK_EQ(s.f[0].ncontrib, 3);
    /* exactly one hour apart is inside the window */
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(200), 10, "User=v"), TR_OK);
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(230), 11, "User=v"), TR_OK);
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(260), 12, "User=v"), TR_OK);
    CHECK_EQ(s.n, 2);
    /* a detection without the group-by field, or without a time, is ignored */
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0, 13, "Other=x"), TR_OK);
    CHECK_EQ(feed(c, &s, "failed_login", "t", TR_TS_NONE, 14, "User=u"), TR_OK);
    const tr_correl_stats *st = tr_correl_stats_get(c);
    CHECK_EQ(st->missing_field, 1);
    CHECK_EQ(st->no_time, 1);
    CHECK_EQ(st->fired, 2);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_value_count)
{
    tr_ruleset *rs = load("title: Spray\nid: spray\ncorrelation:\n  type: value_count\n"
                          "  rules: [failed_login]\n  group-by: [IpAddress]\n  timespan: 1h\n"
                          "  condition: {field: User, gte: 3}\n");
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    const char *users[] = { "a", "a", "b", "a", "c" };
    for (int i = 0; i < 5; i++) {
        char kv[64];
        snprintf(kv, sizeof(kv), "IpAddress=10.0.0.9;User=%s", users[i]);
        CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(i), (uint64_t)i, kv), TR_OK);
        CHECK_EQ(s.n, i == 4 ? 1 : 0);
    }
    CHECK_EQ(s.f[0].ncontrib, 5);
    CHECK_STR(s.f[0].group, "IpAddress=10.0.0.9");
    /* the field must be there */
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(6), 9, "IpAddress=10.0.0.9"), TR_OK);
    CHECK_EQ(tr_correl_stats_get(c)->missing_field, 1);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

static const char recon_temporal[] =
    "title: Recon\nid: recon\ncorrelation:\n  type: temporal\n"
    "  rules: [recon_a, recon_b, recon_c]\n  group-by: [ComputerName, User]\n  timespan: 5m\n";

TEST(correl_temporal_any_order)
{
    tr_ruleset *rs = load(recon_temporal);
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    const char *h1 = "ComputerName=ws1;User=eve";
    CHECK_EQ(feed(c, &s, "recon_c", "t", T0, 1, h1), TR_OK);
    CHECK_EQ(feed(c, &s, "recon_a", "t", T0 + MIN(1), 2, h1), TR_OK);
    CHECK_EQ(feed(c, &s, "recon_a", "t", T0 + MIN(2), 3, "ComputerName=ws2;User=eve"), TR_OK);
    CHECK_EQ(s.n, 0);
    CHECK_EQ(feed(c, &s, "recon_b", "t", T0 + MIN(3), 4, h1), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_STR(s.f[0].group, "ComputerName=ws1,User=eve");
    CHECK_EQ(s.f[0].first_record, 1);
    /* too far apart: A, B, then C six minutes after A */
    CHECK_EQ(feed(c, &s, "recon_a", "t", T0 + MIN(60), 5, h1), TR_OK);
    CHECK_EQ(feed(c, &s, "recon_b", "t", T0 + MIN(61), 6, h1), TR_OK);
    CHECK_EQ(feed(c, &s, "recon_c", "t", T0 + MIN(66), 7, h1), TR_OK);
    CHECK_EQ(s.n, 0 + 1);
    /* an A arriving late, between B and C: the window B..C now holds all three */
    CHECK_EQ(feed(c, &s, "recon_a", "t", T0 + MIN(65), 8, h1), TR_OK);
    CHECK_EQ(s.n, 2);
    CHECK_EQ(s.f[1].first_record, 6);
    CHECK_EQ(s.f[1].record, 7); /* the window ends at C */
    CHECK_EQ(tr_correl_stats_get(c)->late, 1);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_temporal_ordered)
{
    tr_ruleset *rs = load("title: Recon ordered\nid: recon-o\ncorrelation:\n"
                          "  type: temporal_ordered\n  rules: [recon_a, recon_b, recon_c]\n"
                          "  group-by: [ComputerName]\n  timespan: 10m\n");
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    const char *h = "ComputerName=ws1";
    /* B, A, C: out of order, nothing */
    CHECK_EQ(feed(c, &s, "recon_b", "t", T0, 1, h), TR_OK);
    CHECK_EQ(feed(c, &s, "recon_a", "t", T0 + MIN(1), 2, h), TR_OK);
    CHECK_EQ(feed(c, &s, "recon_c", "t", T0 + MIN(2), 3, h), TR_OK);
    CHECK_EQ(s.n, 0);
    /* … then B and C: A(2) B(4) C(5) are in order */
    CHECK_EQ(feed(c, &s, "recon_b", "t", T0 + MIN(3), 4, h), TR_OK);
    CHECK_EQ(s.n, 0);
    CHECK_EQ(feed(c, &s, "recon_c", "t", T0 + MIN(4), 5, h), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.f[0].record, 5);
    /* the same stream as temporal (unordered) fires already at record 3 */
    tr_correl_free(c);
    tr_ruleset_free(rs);
    rs = load(recon_temporal);
    c = engine(rs, 0);
    s.n = 0;
    const char *h1 = "ComputerName=ws1;User=x";
    CHECK_EQ(feed(c, &s, "recon_b", "t", T0, 1, h1), TR_OK);
    CHECK_EQ(feed(c, &s, "recon_a", "t", T0 + MIN(1), 2, h1), TR_OK);
    CHECK_EQ(feed(c, &s, "recon_c", "t", T0 + MIN(2), 3, h1), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.f[0].record, 3);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_value_sum)
{
    tr_ruleset *rs = load("title: Exfil\nid: exfil\ncorrelation:\n  type: value_sum\n"
                          "  rules: [web_access]\n  group-by: [SourceIP, User]\n  timespan: 1h\n"
                          "  condition: {field: bytes_sent, gt: 1000}\n");
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    CHECK_EQ(feed(c, &s, "web_access", "t", T0, 1, "SourceIP=1.1.1.1;User=u;bytes_sent=400"),
             TR_OK);
    CHECK_EQ(feed(c, &s, "web_access", "t", T0 + MIN(1), 2,
                  "SourceIP=1.1.1.1;User=u;bytes_sent=600"), TR_OK); /* 1000: not > 1000 */
    CHECK_EQ(feed(c, &s, "web_access", "t", T0 + MIN(2), 3, "SourceIP=1.1.1.1;User=u;bytes_sent=x"),
             TR_OK);
    CHECK_EQ(s.n, 0);
    CHECK_EQ(tr_correl_stats_get(c)->not_numeric, 1);
    CHECK_EQ(feed(c, &s, "web_access", "t", T0 + MIN(3), 4,
                  "SourceIP=1.1.1.1;User=u;bytes_sent=0.5"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.f[0].ncontrib, 3);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_value_avg_decides_when_the_window_closes)
{
    tr_ruleset *rs = load("title: Avg\nid: avg\ncorrelation:\n  type: value_avg\n"
                          "  rules: [web_access]\n  group-by: [SourceIP]\n  timespan: 1h\n"
                          "  condition: {field: BytesOut, gt: 500}\n");
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    CHECK_EQ(feed(c, &s, "web_access", "t", T0, 1, "SourceIP=a;BytesOut=600"), TR_OK);
    CHECK_EQ(feed(c, &s, "web_access", "t", T0 + MIN(10), 2, "SourceIP=a;BytesOut=700"), TR_OK);
    CHECK_EQ(s.n, 0); /* average 650, but the hour is not over */
    CHECK_EQ(feed(c, &s, "web_access", "t", T0 + MIN(120), 3, "SourceIP=a;BytesOut=100"), TR_OK);
    CHECK_EQ(s.n, 1); /* the window [0, 60m] closed */
    CHECK_EQ(s.f[0].record, 2);
    CHECK_EQ(s.f[0].first_record, 1);
    CHECK_EQ(s.f[0].ncontrib, 2);
    CHECK_EQ(tr_correl_finish(c, on_fire, &s), TR_OK);
    CHECK_EQ(s.n, 1); /* the last window: average 100 */
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_value_percentile_rare_value)
{
    tr_ruleset *rs = load("title: Rare process\nid: rare\ncorrelation:\n"
                          "  type: value_percentile\n  rules: [process_creation]\n"
                          "  group-by: [ComputerName]\n  timespan: 24h\n"
                          "  condition: {field: Image, lte: 10}\n");
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    for (int i = 0; i < 19; i++)
        CHECK_EQ(feed(c, &s, "process_creation", "t", T0 + MIN(i), (uint64_t)i,
                      "ComputerName=ws1;Image=C:\\Windows\\svchost.exe"), TR_OK);
    CHECK_EQ(feed(c, &s, "process_creation", "t", T0 + MIN(30), 50,
                  "ComputerName=ws1;Image=C:\\Users\\x\\evil.exe"), TR_OK);
    CHECK_EQ(feed(c, &s, "process_creation", "t", T0 + MIN(31), 51,
                  "ComputerName=ws2;Image=C:\\Users\\x\\evil.exe"), TR_OK);
    CHECK_EQ(s.n, 0);
    CHECK_EQ(tr_correl_finish(c, on_fire, &s), TR_OK);
    /* ws1: evil.exe is 5% of 20; svchost 95%. ws2: evil.exe is 100% */
    CHECK_EQ(s.n, 1);
    CHECK_STR(s.f[0].group, "ComputerName=ws1,Image=C:\\Users\\x\\evil.exe");
    CHECK_EQ(s.f[0].record, 50);
    CHECK_EQ(s.f[0].ncontrib, 1);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_condition_ranges)
{
    /* 3 to 4 failed logins in an hour: upper bound, decided at the window's close */
    tr_ruleset *rs = load("title: Range\nid: range\ncorrelation:\n  type: event_count\n"
                          "  rules: [failed_login]\n  group-by: [User]\n  timespan: 1h\n"
                          "  condition: {gt: 2, lte: 4}\n"
                          "---\n"
                          "title: Not one\nid: neq\ncorrelation:\n  type: event_count\n"
                          "  rules: [successful_login]\n  group-by: [User]\n  timespan: 1h\n"
                          "  condition: {neq: 1}\n");
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    for (int i = 0; i < 3; i++) /* a: 3 → yes */
        CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(i), (uint64_t)i, "User=a"), TR_OK);
    for (int i = 0; i < 5; i++) /* b: 5 → no */
        CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(i), (uint64_t)(10 + i), "User=b"),
                 TR_OK);
    for (int i = 0; i < 2; i++) /* c: 2 → no */
        CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(i), (uint64_t)(20 + i), "User=c"),
                 TR_OK);
    CHECK_EQ(feed(c, &s, "successful_login", "t", T0, 30, "User=a"), TR_OK);
    CHECK_EQ(feed(c, &s, "successful_login", "t", T0, 31, "User=b"), TR_OK);
    CHECK_EQ(feed(c, &s, "successful_login", "t", T0 + MIN(1), 32, "User=b"), TR_OK);
    CHECK_EQ(s.n, 0);
    CHECK_EQ(tr_correl_finish(c, on_fire, &s), TR_OK);
    CHECK_EQ(s.n, 2);
    int range = s.f[0].rule[0] == 'r' ? 0 : 1;
    CHECK_STR(s.f[range].rule, "range");
    CHECK_STR(s.f[range].group, "User=a");
    CHECK_STR(s.f[1 - range].rule, "neq");
    CHECK_STR(s.f[1 - range].group, "User=b");
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_aliases)
{
    tr_ruleset *rs = load("title: Error then connection\nid: alias\ncorrelation:\n"
                          "  type: temporal\n  rules: [internal_error, new_network_connection]\n"
                          "  group-by: [internal_ip, remote_ip]\n  timespan: 10s\n"
                          "  aliases:\n"
                          "    internal_ip:\n      internal_error: destination.ip\n"
                          "      new_network_connection: source.ip\n"
                          "    remote_ip:\n      internal_error: source.ip\n"
                          "      new_network_connection: destination.ip\n");
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    /* the fields each rule's detections must carry */
    const tr_rule_info *ie = tr_ruleset_find(rs, TR_STR("internal_error"));
    CHECK(ie);
    const tr_str *names;
    CHECK_EQ(tr_correl_rule_fields(c, ie->index, &names), 2);
    CHECK_SLICE(names[0], "destination.ip");
    CHECK_SLICE(names[1], "source.ip");
    CHECK(tr_correl_uses_rule(c, ie->index));
    CHECK(!tr_correl_uses_rule(c, tr_ruleset_find(rs, TR_STR("recon_a"))->index));
    int64_t s1 = 1000000000;
    CHECK_EQ(feed(c, &s, "internal_error", "t", T0, 1,
                  "destination.ip=10.0.0.5;source.ip=203.0.113.9"), TR_OK);
    /* the wrong way round: no */
    CHECK_EQ(feed(c, &s, "new_network_connection", "t", T0 + s1, 2,
                  "source.ip=203.0.113.9;destination.ip=10.0.0.5"), TR_OK);
    CHECK_EQ(s.n, 0);
    CHECK_EQ(feed(c, &s, "new_network_connection", "t", T0 + 2 * s1, 3,
                  "source.ip=10.0.0.5;destination.ip=203.0.113.9"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_STR(s.f[0].group, "internal_ip=10.0.0.5,remote_ip=203.0.113.9");
    CHECK_EQ(s.f[0].first_record, 1);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

/* The specification's example: many failed logins, then a success. */
static const char chain[] =
    "title: Failed logins then success\nid: outer\ncorrelation:\n  type: temporal_ordered\n"
    "  rules: [multiple_failed_login, successful_login]\n  group-by: [User]\n"
    "  timespan: 10m\nlevel: high\n%s"
    "---\n"
    "title: Multiple failed logons\nid: inner\nname: multiple_failed_login\n"
    "correlation:\n  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n"
    "  timespan: 10m\n  condition: {gte: 10}\n";

TEST(correl_chaining)
{
    char y[2048];
    snprintf(y, sizeof(y), chain, "");
    tr_ruleset *rs = load(y);
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    CHECK_EQ(tr_correl_count(c), 2);
    sink s = { .n = 0 };
    for (int i = 0; i < 10; i++)
        CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + i * 1000000000LL, (uint64_t)i, "User=x"),
                 TR_OK);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + i * 1000000000LL, (uint64_t)(20 + i),
                      "User=y"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_STR(s.f[0].rule, "inner");
    CHECK_EQ(s.f[0].flags, TR_DET_INTERNAL); /* referenced, not generated */
    CHECK_EQ(s.f[0].ncontrib, 10);
    CHECK_EQ(feed(c, &s, "successful_login", "t", T0 + MIN(2), 30, "User=y"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(feed(c, &s, "successful_login", "t", T0 + MIN(3), 31, "User=x"), TR_OK);
    CHECK_EQ(s.n, 2);
    CHECK_STR(s.f[1].rule, "outer");
    CHECK_EQ(s.f[1].flags, 0);
    CHECK_EQ(s.f[1].ncontrib, 2); /* the inner correlation's detection and the success */
    CHECK_EQ(s.f[1].record, 31);
    CHECK_EQ(s.f[1].first_record, 9); /* the inner detection's record: its last event */
    CHECK_EQ(tr_correl_stats_get(c)->internal, 1);
    tr_correl_free(c);
    tr_ruleset_free(rs);
    /* generate: true keeps the inner correlation's detections */
    snprintf(y, sizeof(y), chain, "generate: true\n");
    rs = load(y);
    CHECK(rs);
    c = engine(rs, 0);
    s.n = 0;
    for (int i = 0; i < 10; i++)
        CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + i * 1000000000LL, (uint64_t)i, "User=x"),
                 TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.f[0].flags, 0);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

static int evict_lines;
static void count_logs(tr_log_level level, const char *line, void *ctx)
{
    (void)ctx;
    if (level <= TR_LOG_WARN && strstr(line, "memory cap"))
        evict_lines++;
}

TEST(correl_memory_cap_evicts_and_says_so)
{
    tr_ruleset *rs = load(failed_count);
    CHECK(rs);
    tr_correl *c = engine(rs, 16 * 1024);
    CHECK(c);
    sink s = { .n = 0 };
    evict_lines = 0;
    tr_log_set_sink(count_logs, NULL);
    /* 500 users, two failures each: 500 open groups do not fit in 16 KiB */
    for (int i = 0; i < 500; i++) {
        char kv[32];
        snprintf(kv, sizeof(kv), "User=user%03d", i);
        tr_err e = feed(c, &s, "failed_login", "t", T0 + i * 1000000LL, (uint64_t)i, kv);
        if (!e)
            e = feed(c, &s, "failed_login", "t", T0 + i * 1000000LL + 1, (uint64_t)(1000 + i), kv);
        if (e) {
            tr_log_set_sink(NULL, NULL);
            CHECK_EQ(e, TR_OK);
        }
    }
    const tr_correl_stats *st = tr_correl_stats_get(c);
    CHECK(st->evicted_groups > 0);
    CHECK_EQ(st->evicted_events, 2 * st->evicted_groups);
    CHECK(st->bytes <= 16 * 1024);
    CHECK_EQ(evict_lines, 1); /* said once per correlation, counted always */
    /* recent groups survived: a third failure of the last user still fires */
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + 499 * 1000000LL + 2, 5000, "User=user499"),
             TR_OK);
    CHECK_EQ(s.n, 1);
    /* an evicted one starts again from nothing */
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + 500 * 1000000LL, 5001, "User=user000"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(tr_correl_finish(c, on_fire, &s), TR_OK);
    tr_log_set_sink(NULL, NULL);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_late_events_within_lateness)
{
    tr_ruleset *rs = load(failed_count);
    CHECK(rs);
    tr_correl_opts o = { .lateness_ns = MIN(120) };
    tr_correl *c;
    CHECK_EQ(tr_correl_new(rs, &o, &c), TR_OK);
    sink s = { .n = 0 };
    /* one source up to 3h, then another source's events from the first hour */
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(10), 1, "User=u"), TR_OK);
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(180), 2, "User=u"), TR_OK);
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(20), 3, "User=u"), TR_OK);
    CHECK_EQ(s.n, 0);
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(30), 4, "User=u"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.f[0].first_record, 1);
    CHECK_EQ(s.f[0].record, 4);
    CHECK_EQ(tr_correl_stats_get(c)->late, 2);
    /* beyond the lateness: dropped */
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 - MIN(60), 5, "User=u"), TR_OK);
    CHECK_EQ(tr_correl_stats_get(c)->too_late, 1);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

/* A stream of detections over several rules and groups, fed to an engine
 * in one go, or in two halves with a save/restore in between. */
static const char mixed[] =
    "title: Many failed logins\nid: c-count\ncorrelation:\n  type: event_count\n"
    "  rules: [failed_login]\n  group-by: [User]\n  timespan: 30m\n  condition: {gte: 4}\n"
    "---\n"
    "title: Avg\nid: c-avg\ncorrelation:\n  type: value_avg\n  rules: [web_access]\n"
    "  group-by: [SourceIP]\n  timespan: 1h\n  condition: {field: BytesOut, gt: 50}\n"
    "---\n"
    "title: Rare\nid: c-rare\ncorrelation:\n  type: value_percentile\n"
    "  rules: [process_creation]\n  group-by: [ComputerName]\n  timespan: 2h\n"
    "  condition: {field: Image, lt: 15}\n";

static tr_err feed_stream(tr_correl *c, sink *s, int from, int to)
{
    tr_err e = TR_OK;
    for (int i = from; i < to && !e; i++) {
        char kv[96];
        int64_t ts = T0 + (int64_t)i * 37 * 1000000000LL;
        switch (i % 4) {
        case 0:
        case 1:
            snprintf(kv, sizeof(kv), "User=u%d", i % 7);
            e = feed(c, s, "failed_login", i % 3 ? "org-a" : "org-b", ts, (uint64_t)i, kv);
            break;
        case 2:
            snprintf(kv, sizeof(kv), "SourceIP=10.0.0.%d;BytesOut=%d", i % 5, (i * 13) % 100);
            e = feed(c, s, "web_access", "org-a", ts, (uint64_t)i, kv);
            break;
        default:
            snprintf(kv, sizeof(kv), "ComputerName=ws%d;Image=%s", i % 3,
                     i % 17 == 0 ? "rare.exe" : "common.exe");
            e = feed(c, s, "process_creation", "org-a", ts, (uint64_t)i, kv);
            break;
        }
    }
    return e;
}

TEST(correl_resume_continues_the_windows)
{
    tr_ruleset *rs = load(mixed);
    CHECK(rs);
    sink all = { .n = 0 }, parts = { .n = 0 };
    tr_correl *c = engine(rs, 0);
    CHECK_EQ(feed_stream(c, &all, 0, 600), TR_OK);
    CHECK_EQ(tr_correl_finish(c, on_fire, &all), TR_OK);
    tr_correl_free(c);
    CHECK(all.n > 10);
    for (int cut = 1; cut < 600; cut += 97) {
        parts.n = 0;
        c = engine(rs, 0);
        CHECK_EQ(feed_stream(c, &parts, 0, cut), TR_OK);
        CHECK(tr_correl_dirty(c));
        void *blob;
        size_t len;
        CHECK_EQ(tr_correl_save(c, &blob, &len), TR_OK);
        CHECK(!tr_correl_dirty(c));
        tr_correl_free(c); /* the run dies here */
        c = engine(rs, 0);
        CHECK_EQ(tr_correl_restore(c, blob, len), TR_OK);
        tr_free(blob);
        CHECK_EQ(feed_stream(c, &parts, cut, 600), TR_OK);
        CHECK_EQ(tr_correl_finish(c, on_fire, &parts), TR_OK);
        tr_correl_free(c);
        CHECK_MSG(parts.n == all.n, "cut %d: %d detections, uninterrupted %d", cut, parts.n,
                  all.n);
        for (int i = 0; i < all.n; i++)
            CHECK_MSG(parts.f[i].id == all.f[i].id, "cut %d: detection %d differs", cut, i);
    }
    tr_ruleset_free(rs);
}

TEST(correl_restore_rejects_garbage)
{
    tr_ruleset *rs = load(failed_count);
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0, 1, "User=u"), TR_OK);
    void *blob;
    size_t len;
    CHECK_EQ(tr_correl_save(c, &blob, &len), TR_OK);
    tr_correl_free(c);
    /* every truncation and a flipped byte at every position: never a crash */
    for (size_t cut = 0; cut < len; cut++) {
        c = engine(rs, 0);
        tr_err e = tr_correl_restore(c, blob, cut);
        CHECK(e == TR_EPARSE || e == TR_EVERSION);
        CHECK_EQ(tr_correl_stats_get(c)->groups, 0);
        tr_correl_free(c);
    }
    unsigned char *b = blob;
    tr_log_set_sink(drop_logs, NULL); /* "windows dropped" for every damaged name */
    for (size_t i = 0; i < len; i++) {
        b[i] ^= 0x5a;
        c = engine(rs, 0);
        tr_correl_restore(c, blob, len); /* any result, but safely */
        CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + 1, 2, "User=u"), TR_OK);
        tr_correl_free(c);
        b[i] ^= 0x5a;
    }
    tr_log_set_sink(NULL, NULL);
    /* the intact blob restores the window: two more fire */
    c = engine(rs, 0);
    CHECK_EQ(tr_correl_restore(c, blob, len), TR_OK);
    s.n = 0;
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + 1, 2, "User=u"), TR_OK);
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + 2, 3, "User=u"), TR_OK);
    CHECK_EQ(s.n, 1);
    CHECK_EQ(s.f[0].first_record, 1);
    tr_correl_free(c);
    /* a state saved under another fingerprint (other rules) is not restored */
    tr_correl_opts o = { .fingerprint = 42 };
    CHECK_EQ(tr_correl_new(rs, &o, &c), TR_OK);
    CHECK_EQ(tr_correl_restore(c, blob, len), TR_EVERSION);
    CHECK_EQ(tr_correl_stats_get(c)->groups, 0);
    tr_correl_free(c);
    tr_free(blob);
    tr_ruleset_free(rs);
}

TEST(correl_ignores_what_it_does_not_correlate)
{
    tr_ruleset *rs = load(failed_count);
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    CHECK_EQ(feed(c, &s, "successful_login", "t", T0, 1, "User=u"), TR_OK);
    CHECK_EQ(feed(c, &s, "no-such-rule", "t", T0, 2, "User=u"), TR_OK);
    tr_detection d;
    memset(&d, 0, sizeof(d));
    d.kind = TR_DET_IOC;
    d.rule_id = TR_STR("failed_login");
    d.ts = T0;
    CHECK_EQ(tr_correl_feed(c, &d, on_fire, &s), TR_OK);
    CHECK_EQ(tr_correl_stats_get(c)->used, 0);
    CHECK_EQ(tr_correl_stats_get(c)->fed, 3);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

TEST(correl_finish_closes_inner_windows_before_dropping_outer_ones)
{
    /* the outer group (a success) is older than the inner window it needs,
     * which only closes at the end of the input */
    tr_ruleset *rs = load("title: Few failures then success\nid: outer2\ncorrelation:\n"
                          "  type: temporal\n  rules: [few_failed, successful_login]\n"
                          "  group-by: [User]\n  timespan: 2h\n"
                          "---\n"
                          "title: Few failures\nid: inner2\nname: few_failed\ncorrelation:\n"
                          "  type: event_count\n  rules: [failed_login]\n  group-by: [User]\n"
                          "  timespan: 1h\n  condition: {gte: 1, lte: 3}\n");
    CHECK(rs);
    tr_correl *c = engine(rs, 0);
    sink s = { .n = 0 };
    CHECK_EQ(feed(c, &s, "successful_login", "t", T0 + MIN(10), 1, "User=x"), TR_OK);
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0, 2, "User=x"), TR_OK);
    CHECK_EQ(feed(c, &s, "failed_login", "t", T0 + MIN(5), 3, "User=x"), TR_OK);
    CHECK_EQ(s.n, 0);
    CHECK_EQ(tr_correl_finish(c, on_fire, &s), TR_OK);
    CHECK_EQ(s.n, 2);
    CHECK_STR(s.f[0].rule, "inner2");
    CHECK_EQ(s.f[0].flags, TR_DET_INTERNAL);
    CHECK_STR(s.f[1].rule, "outer2");
    CHECK_EQ(s.f[1].ncontrib, 2);
    CHECK_EQ(tr_correl_stats_get(c)->groups, 0);
    tr_correl_free(c);
    tr_ruleset_free(rs);
}

/* A checkpoint saves the windows only when tr_correl_dirty() says they
 * changed; a resumed run then starts after that checkpoint with the windows
 * saved last. So every change of saved state must mark it dirty, including
 * those that insert no event (a group's place in the LRU, an empty group
 * swept, a late event's touch): this stream, out of order and with events
 * beyond the lateness, is cut after every detection and must give the
 * uninterrupted run's detections each time. */
static tr_err feed_unordered(tr_correl *c, sink *s, int i)
{
    char kv[64];
    /* three sources' worth of time going backwards every 50 detections */
    int64_t ts = T0 + (int64_t)((i % 50) * 3 + (2 - i / 50) * 200) * 60 * 1000000000LL;
    snprintf(kv, sizeof(kv), "User=u%d", (i * 7) % 5);
    return feed(c, s, "failed_login", i % 4 ? "org-a" : "org-b", ts, (uint64_t)i, kv);
}

TEST(correl_checkpoint_after_clean_feeds_resumes_identically)
{
    enum { N = 150 };
    tr_ruleset *rs = load(failed_count);
    CHECK(rs);
    tr_correl_opts o = { .lateness_ns = MIN(90) };
    sink all = { .n = 0 };
    tr_correl *c;
    CHECK_EQ(tr_correl_new(rs, &o, &c), TR_OK);
    for (int i = 0; i < N; i++)
        CHECK_EQ(feed_unordered(c, &all, i), TR_OK);
    CHECK_EQ(tr_correl_finish(c, on_fire, &all), TR_OK);
    tr_correl_free(c);
    CHECK(all.n > 5);
    for (int cut = 1; cut < N; cut++) {
        sink parts = { .n = 0 };
        void *blob = NULL;
        size_t len = 0;
        CHECK_EQ(tr_correl_new(rs, &o, &c), TR_OK);
        for (int i = 0; i < cut; i++) {
            CHECK_EQ(feed_unordered(c, &parts, i), TR_OK);
            if (tr_correl_dirty(c)) { /* what a checkpoint does */
                tr_free(blob);
                CHECK_EQ(tr_correl_save(c, &blob, &len), TR_OK);
            }
        }
        tr_correl_free(c); /* killed after the checkpoint of detection cut-1 */
        CHECK_EQ(tr_correl_new(rs, &o, &c), TR_OK);
        if (blob)
            CHECK_EQ(tr_correl_restore(c, blob, len), TR_OK);
        tr_free(blob);
        for (int i = cut; i < N; i++)
            CHECK_EQ(feed_unordered(c, &parts, i), TR_OK);
        CHECK_EQ(tr_correl_finish(c, on_fire, &parts), TR_OK);
        tr_correl_free(c);
        bool same = parts.n == all.n;
        for (int i = 0; same && i < all.n; i++)
            same = parts.f[i].id == all.f[i].id;
        CHECK_MSG(same, "cut %d: %d detections, uninterrupted %d", cut, parts.n, all.n);
        if (!same)
            break;
    }
    tr_ruleset_free(rs);
}
