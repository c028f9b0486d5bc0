/*
 * fuzz_correl_state.c - the correlation engine's saved windows read back
 * from arbitrary bytes, as a resumed hunt reads them from its store
 * (tr_store_get_state, then tr_correl_restore). A damaged or hostile blob
 * must be refused or restored, never crash, leak or read out of bounds; a
 * restored state must save again, restore from that, and go on correlating.
 */
#include "core/common.h"

#include <stdlib.h>

#include "trawl/correl.h"
#include "trawl/log.h"
#include "trawl/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every correlation type, over rules whose detections the fuzzer feeds. */
static const char rules[] =
    "title: Failed login\nname: failed_login\nlogsource: {product: windows}\n"
    "detection: {sel: {EventID: 4625}, condition: sel}\n"
    "---\n"
    "title: Recon A\nname: recon_a\nlogsource: {category: process_creation}\n"
    "detection: {sel: {Image|endswith: whoami.exe}, condition: sel}\n"
    "---\n"
    "title: Recon B\nname: recon_b\nlogsource: {category: process_creation}\n"
    "detection: {sel: {Image|endswith: net.exe}, condition: sel}\n"
    "---\n"
    "title: Web\nname: web_access\nlogsource: {category: proxy}\n"
    "detection: {sel: {cs-method: POST}, condition: sel}\n"
    "---\n"
    "title: Count\nid: c-count\ncorrelation:\n  type: event_count\n  rules: [failed_login]\n"
    "  group-by: [User]\n  timespan: 30m\n  condition: {gte: 4}\n"
    "---\n"
    "title: Values\nid: c-values\ncorrelation:\n  type: value_count\n  rules: [failed_login]\n"
    "  group-by: [SourceIP]\n  timespan: 1h\n  condition: {field: User, gte: 3}\n"
    "---\n"
    "title: Sum\nid: c-sum\ncorrelation:\n  type: value_sum\n  rules: [web_access]\n"
    "  group-by: [SourceIP]\n  timespan: 1h\n  condition: {field: BytesOut, gt: 500}\n"
    "---\n"
    "title: Avg\nid: c-avg\ncorrelation:\n  type: value_avg\n  rules: [web_access]\n"
    "  group-by: [SourceIP]\n  timespan: 1h\n  condition: {field: BytesOut, gt: 50}\n"
    "---\n"
    "title: Rare\nid: c-rare\ncorrelation:\n  type: value_percentile\n  rules: [recon_a]\n"
    "  group-by: [ComputerName]\n  timespan: 2h\n  condition: {field: Image, lt: 15}\n"
    "---\n"
    "title: Recon\nid: c-temporal\ncorrelation:\n  type: temporal\n"
    "  rules: [recon_a, recon_b]\n  group-by: [ComputerName]\n  timespan: 5m\n"
    "---\n"
    "title: Ordered\nid: c-ordered\ncorrelation:\n  type: temporal_ordered\n"
    "  rules: [recon_a, recon_b]\n  group-by: [ComputerName]\n  timespan: 5m\n"
    "---\n"
    "title: Chained\nid: c-chain\ncorrelation:\n  type: event_count\n  rules: [c-count]\n"
    "  group-by: [User]\n  timespan: 2h\n  condition: {gte: 2}\n";

static tr_ruleset *rs;

static void quiet(const tr_sigma_diag *d, void *ctx)
{
    (void)d;
    (void)ctx;
}

static void drop(tr_log_level level, const char *line, void *ctx)
{
    (void)level;
    (void)line;
    (void)ctx;
}

static tr_err count(void *ctx, const tr_detection *d)
{
    (*(uint64_t *)ctx) += 1 + d->ngroup + d->ncontributing;
    return TR_OK;
}

/* A few detections of every fed rule, after the saved windows (by time). */
static void feed_some(tr_correl *c, uint64_t *n)
{
    static const char *const rule[] = { "failed_login", "recon_a", "recon_b", "web_access" };
    const int64_t t0 = 1579507200LL * 1000000000LL;
    for (int i = 0; i < 16; i++) {
        tr_kv kv[4] = {
            { TR_STR("User"), TR_STR("alice") },
            { TR_STR("SourceIP"), TR_STR("10.0.0.1") },
            { TR_STR("ComputerName"), TR_STR("ws1") },
            { TR_STR("BytesOut"), i % 2 ? TR_STR("400") : TR_STR("x") },
        };
        tr_detection d;
        memset(&d, 0, sizeof(d));
        d.kind = TR_DET_SIGMA;
        d.ts = t0 + (int64_t)i * 30 * 1000000000LL;
        d.tenant = TR_STR("org-001");
        d.rule_id = tr_str_c(rule[i % 4]);
        d.path = TR_STR("host.log");
        d.source_gen = 7;
        d.record = (uint64_t)i;
        d.line = (uint64_t)i + 1;
        d.fields = kv;
        d.nfields = 4;
        tr_correl_feed(c, &d, count, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 256 * 1024)
        return 0;
    if (!rs) {
        tr_log_set_level((tr_log_level)-1);
        tr_log_set_sink(drop, NULL);
        tr_sigma_opts o = { .diag = quiet };
        if (tr_ruleset_load_string(rules, strlen(rules), "fuzz.yml", &o, &rs) != TR_OK)
            abort();
    }
    /* an exact-size heap copy, so that ASan sees any overread */
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    tr_correl *c;
    if (tr_correl_new(rs, NULL, &c) != TR_OK)
        abort();
    uint64_t n = 0;
    tr_err e = tr_correl_restore(c, p, size);
    if (e != TR_OK && e != TR_EPARSE && e != TR_EVERSION && e != TR_ENOMEM)
        abort();
    if (e != TR_OK && tr_correl_stats_get(c)->groups != 0)
        abort(); /* a refused state leaves the engine empty */
    if (e == TR_OK) {
        /* what was restored saves, and restores again */
        void *blob;
        size_t len;
        if (tr_correl_save(c, &blob, &len) == TR_OK) {
            tr_correl *again;
            if (tr_correl_new(rs, NULL, &again) != TR_OK)
                abort();
            if (tr_correl_restore(again, blob, len) != TR_OK)
                abort();
            if (tr_correl_stats_get(again)->groups != tr_correl_stats_get(c)->groups)
                abort();
            tr_correl_free(again);
            tr_free(blob);
        }
    }
    feed_some(c, &n);
    tr_correl_finish(c, count, &n);
    tr_correl_free(c);
    free(p);
    return 0;
}
