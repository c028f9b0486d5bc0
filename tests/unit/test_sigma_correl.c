/*
 * test_sigma_correl.c - correlation rules are parsed, validated and exposed
 * (sigma-correlation-rules-specification.md); their runtime is elsewhere.
 */
#include "test_sigma_util.h"

/* The specification's full example. */
static const char spec_example[] =
    "title: Correlation - Multiple Failed Logins Followed by Successful Login\n"
    "id: b180ead8-d58f-40b2-ae54-c8940995b9b6\nstatus: experimental\n"
    "description: Detects multiple failed logins by a single user followed by a successful login\n"
    "references:\n    - https://reference.com\nauthor: Florian Roth (Nextron Systems)\n"
    "date: 2023-06-16\ncorrelation:\n    type: temporal_ordered\n    rules:\n"
    "        - multiple_failed_login\n        - successful_login\n    group-by:\n"
    "        - User\n    timespan: 10m\nfalsepositives:\n    - Unlikely\nlevel: high\n"
    "---\ntitle: Multiple failed logons\nid: a8418a5a-5fc4-46b5-b23b-6c73beb19d41\n"
    "description: Detects multiple failed logins within a certain amount of time\n"
    "name: multiple_failed_login\ncorrelation:\n    type: event_count\n    rules:\n"
    "        - failed_login\n    group-by:\n        - User\n    timespan: 10m\n"
    "    condition:\n        gte: 10\n"
    "---\ntitle: Single failed login\nid: 53ba33fd-3a50-4468-a5ef-c583635cfa92\n"
    "name: failed_login\nlogsource:\n    product: windows\n    service: security\n"
    "detection:\n    selection:\n        EventID:\n            - 529\n            - 4625\n"
    "    condition: selection\n"
    "---\ntitle: Successful login\nid: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8\n"
    "description: Detects a successful login\nname: successful_login\nlogsource:\n"
    "    product: windows\n    service: security\ndetection:\n    selection:\n"
    "        EventID:\n            - 528\n            - 4624\n    condition: selection\n";

TEST(sigma_correl_spec_example)
{
    tr_ruleset *rs = sgt_load(spec_example);
    CHECK(rs);
    CHECK_MSG(sgt_nerr == 0, "%s", sgt_err);
    CHECK_EQ(tr_ruleset_count(rs), 2);
    CHECK_EQ(tr_ruleset_correlation_count(rs), 2);
    const tr_correl_info *top = tr_ruleset_correlation(rs, 0);
    CHECK(top->type == TR_CORREL_TEMPORAL_ORDERED);
    CHECK_STR(tr_correl_type_name(top->type), "temporal_ordered");
    CHECK_SLICE(top->level, "high");
    CHECK_EQ(top->timespan_ns, 600 * INT64_C(1000000000));
    CHECK_SLICE(top->timespan, "10m");
    CHECK_EQ(top->ngroup_by, 1);
    CHECK_SLICE(top->group_by[0], "User");
    CHECK_EQ(top->nrefs, 2);
    CHECK(top->refs[0].is_correlation);
    CHECK_EQ(top->refs[0].index, 1);
    CHECK(!top->refs[1].is_correlation);
    CHECK_SLICE(tr_ruleset_rule(rs, top->refs[1].index)->name, "successful_login");
    CHECK(!top->generate);
    CHECK_EQ(top->line, 1);
    const tr_correl_info *cnt = tr_ruleset_correlation(rs, 1);
    CHECK(cnt->type == TR_CORREL_EVENT_COUNT);
    CHECK(cnt->cond_ops == TR_CORREL_GTE);
    CHECK(cnt->gte == 10);
    CHECK_SLICE(tr_ruleset_rule(rs, cnt->refs[0].index)->name, "failed_login");
    /* Referenced rules with generate: false are not detections of their own. */
    CHECK(!tr_ruleset_rule(rs, 0)->standalone);
    CHECK(!tr_ruleset_rule(rs, 1)->standalone);
    tr_ruleset_free(rs);
}

static const char base_rules[] =
    "title: A\nid: 00000000-0000-0000-0000-00000000000a\nname: rule_a\n"
    "logsource: {product: test}\ndetection:\n    s: {a: 1}\n    condition: s\n---\n"
    "title: B\nid: 00000000-0000-0000-0000-00000000000b\nname: rule_b\n"
    "logsource: {product: test}\ndetection:\n    s: {b: 1}\n    condition: s\n---\n"
    "title: C\nid: 00000000-0000-0000-0000-00000000000c\n"
    "logsource: {product: test}\ndetection:\n    s: {c: 1}\n    condition: s\n---\n";

static tr_ruleset *with_base(const char *correl)
{
    static char buf[8192];
    snprintf(buf, sizeof(buf), "%s%s", base_rules, correl);
    return sgt_load(buf);
}

TEST(sigma_correl_all_types_and_conditions)
{
    static const struct {
        const char *type, *cond;
        tr_correl_type t;
    } cases[] = {
        { "event_count", "    condition: {gt: 100, lte: 200}\n", TR_CORREL_EVENT_COUNT },
        { "value_count", "    condition: {field: User, gte: 5}\n", TR_CORREL_VALUE_COUNT },
        { "temporal", "", TR_CORREL_TEMPORAL },
        { "temporal_ordered", "", TR_CORREL_TEMPORAL_ORDERED },
        { "value_sum", "    condition: {field: bytes_sent, gt: 1000000}\n", TR_CORREL_VALUE_SUM },
        { "value_avg", "    condition: {field: BytesOut, gt: 500.5}\n", TR_CORREL_VALUE_AVG },
        { "value_percentile", "    condition: {field: image, lte: 1}\n",
          TR_CORREL_VALUE_PERCENTILE },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(cases); i++) {
        char doc[1024];
        snprintf(doc, sizeof(doc),
                 "title: c\ncorrelation:\n    type: %s\n    rules: [rule_a, "
                 "00000000-0000-0000-0000-00000000000c]\n    group-by: [Host]\n"
                 "    timespan: 1h\n%s",
                 cases[i].type, cases[i].cond);
        tr_ruleset *rs = with_base(doc);
        CHECK(rs);
        CHECK_MSG(sgt_nerr == 0, "%s: %s", cases[i].type, sgt_err);
        const tr_correl_info *c = tr_ruleset_correlation(rs, 0);
        CHECK(c && c->type == cases[i].t);
        CHECK_EQ(c->timespan_ns, 3600 * INT64_C(1000000000));
        CHECK_EQ(c->nrefs, 2);
        CHECK_EQ(c->refs[1].index, 2);
        if (i == 0)
            CHECK(c->cond_ops == (TR_CORREL_GT | TR_CORREL_LTE) && c->gt == 100 && c->lte == 200);
        if (i == 5)
            CHECK(c->gt == 500.5 && c->ncond_fields == 1);
        tr_ruleset_free(rs);
    }
}

TEST(sigma_correl_aliases)
{
    tr_ruleset *rs = with_base("title: c\ncorrelation:\n    type: temporal\n"
                               "    rules: [rule_a, rule_b]\n    group-by: [internal_ip]\n"
                               "    timespan: 10s\n    aliases:\n        internal_ip:\n"
                               "            rule_a: destination.ip\n"
                               "            rule_b: source.ip\n");
    CHECK(rs);
    CHECK_MSG(sgt_nerr == 0, "%s", sgt_err);
    const tr_correl_info *c = tr_ruleset_correlation(rs, 0);
    CHECK_EQ(c->naliases, 2);
    CHECK_SLICE(c->aliases[0].alias, "internal_ip");
    CHECK_SLICE(c->aliases[1].field, "source.ip");
    CHECK_EQ(c->aliases[1].ref, 1);
    tr_ruleset_free(rs);
    rs = with_base("title: c\ncorrelation:\n    type: temporal\n    rules: [rule_a, rule_b]\n"
                   "    group-by: [ip]\n    timespan: 10s\n    aliases:\n        ip:\n"
                   "            rule_c: x\n");
    CHECK(rs && tr_ruleset_correlation_count(rs) == 0);
    CHECK(strstr(sgt_err, "does not refer to"));
    tr_ruleset_free(rs);
}

TEST(sigma_correl_generate)
{
    tr_ruleset *rs = with_base("title: c\ngenerate: true\ncorrelation:\n    type: event_count\n"
                               "    rules: [rule_a]\n    timespan: 5m\n    condition: {gte: 2}\n");
    CHECK(rs && tr_ruleset_correlation(rs, 0)->generate);
    CHECK(tr_ruleset_rule(rs, 0)->standalone);
    CHECK(tr_ruleset_rule(rs, 1)->standalone); /* not referenced */
    tr_ruleset_free(rs);
}

TEST(sigma_correl_validation)
{
    static const char *const bad[] = {
        /* unknown referenced rule */
        "title: c\ncorrelation:\n    type: event_count\n    rules: [nope]\n    timespan: 5m\n"
        "    condition: {gte: 2}\n",
        /* unknown type */
        "title: c\ncorrelation:\n    type: count\n    rules: [rule_a]\n    timespan: 5m\n"
        "    condition: {gte: 2}\n",
        /* bad timespan */
        "title: c\ncorrelation:\n    type: event_count\n    rules: [rule_a]\n    timespan: 5y\n"
        "    condition: {gte: 2}\n",
        /* event_count without condition */
        "title: c\ncorrelation:\n    type: event_count\n    rules: [rule_a]\n    timespan: 5m\n",
        /* value_count without field */
        "title: c\ncorrelation:\n    type: value_count\n    rules: [rule_a]\n    timespan: 5m\n"
        "    condition: {gte: 2}\n",
        /* unknown condition operator */
        "title: c\ncorrelation:\n    type: event_count\n    rules: [rule_a]\n    timespan: 5m\n"
        "    condition: {more: 2}\n",
        /* no rules */
        "title: c\ncorrelation:\n    type: temporal\n    timespan: 5m\n",
        /* no title */
        "correlation:\n    type: temporal\n    rules: [rule_a]\n    timespan: 5m\n",
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++) {
        tr_ruleset *rs = with_base(bad[i]);
        CHECK(rs);
        CHECK_MSG(tr_ruleset_correlation_count(rs) == 0 &&
                      tr_ruleset_get_stats(rs)->correlations_rejected == 1,
                  "case %zu accepted", i);
        CHECK(strstr(sgt_err, "test.yml:"));
        tr_ruleset_free(rs);
    }
}

TEST(sigma_correl_chains_and_cycles)
{
    /* x -> y -> rule_a is fine; p <-> q is a cycle; r refers to the cycle. */
    tr_ruleset *rs = with_base(
        "title: x\nname: x\ncorrelation:\n    type: temporal\n    rules: [y, rule_b]\n"
        "    timespan: 5m\n---\n"
        "title: y\nname: y\ncorrelation:\n    type: event_count\n    rules: [rule_a]\n"
        "    timespan: 5m\n    condition: {gte: 3}\n---\n"
        "title: p\nname: p\ncorrelation:\n    type: temporal\n    rules: [q]\n    timespan: 5m\n"
        "---\ntitle: q\nname: q\ncorrelation:\n    type: temporal\n    rules: [p]\n"
        "    timespan: 5m\n---\n"
        "title: r\nname: r\ncorrelation:\n    type: temporal\n    rules: [p, rule_a]\n"
        "    timespan: 5m\n");
    CHECK(rs);
    CHECK_EQ(tr_ruleset_correlation_count(rs), 2);
    CHECK_EQ(tr_ruleset_get_stats(rs)->correlations_rejected, 3);
    const tr_correl_info *x = tr_ruleset_correlation(rs, 0);
    CHECK_SLICE(x->name, "x");
    CHECK(x->refs[0].is_correlation && x->refs[0].index == 1);
    CHECK_SLICE(tr_ruleset_correlation(rs, 1)->name, "y");
    tr_ruleset_free(rs);
}
