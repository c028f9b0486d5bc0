/*
 * test_sigma_diff.c - the prefiltered scan and full evaluation agree:
 * every rule of tests/data/sigma/rules, both ways, on events synthesised
 * from the rules' own values (see test_sigma_gen.h). The conformance
 * target runs the same check over the SigmaHQ ruleset.
 */
#include "test_sigma_gen.h"
#include "test_sigma_util.h"

TEST(sigma_diff_prefilter_agrees_with_full_evaluation)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/sigma/rules", tt_datadir());
    const char *paths[] = { dir };
    tr_sigma_opts o = { .diag = sgt_diag };
    tr_ruleset *fast = NULL, *slow = NULL;
    CHECK(tr_ruleset_load(paths, 1, &o, &fast) == TR_OK);
    o.no_prefilter = true;
    CHECK(tr_ruleset_load(paths, 1, &o, &slow) == TR_OK);
    CHECK_EQ(tr_ruleset_get_stats(fast)->rules_rejected, 0);
    CHECK(tr_ruleset_count(fast) >= 10);
    CHECK_EQ(tr_ruleset_count(fast), tr_ruleset_count(slow));
    sgd_stats st;
    sgd_run(fast, slow, 400, 12345, &st);
    CHECK_MSG(st.mismatches == 0, "%" PRIu64 " of %" PRIu64 " events differ; first: %s",
              st.mismatches, st.events, st.first);
    /* The events must exercise matches, not only misses. */
    CHECK_MSG(st.matches > st.events / 20, "only %" PRIu64 " of %" PRIu64 " events matched",
              st.matches, st.events);
    tr_ruleset_free(fast);
    tr_ruleset_free(slow);
}

TEST(sigma_diff_every_rule_matches_a_synthetic_event)
{
    /* Each test rule is matched by at least one event made from it, so
     * that the comparison above covers every rule's positive path. */
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/sigma/rules", tt_datadir());
    const char *paths[] = { dir };
    tr_sigma_opts o = { .diag = sgt_diag };
    tr_ruleset *fast = NULL, *slow = NULL;
    CHECK(tr_ruleset_load(paths, 1, &o, &fast) == TR_OK);
    o.no_prefilter = true;
    CHECK(tr_ruleset_load(paths, 1, &o, &slow) == TR_OK);
    for (uint32_t i = 0; i < tr_ruleset_count(fast); i++) {
        /* A ruleset of this one rule. */
        const tr_rule_info *ri = tr_ruleset_rule(fast, i);
        const char *one[] = { ri->path };
        tr_ruleset *f1 = NULL, *s1 = NULL;
        tr_sigma_opts o1 = { .diag = sgt_diag };
        CHECK(tr_ruleset_load(one, 1, &o1, &f1) == TR_OK);
        o1.no_prefilter = true;
        CHECK(tr_ruleset_load(one, 1, &o1, &s1) == TR_OK);
        sgd_stats st;
        sgd_run(f1, s1, 300, 99 + i, &st);
        CHECK_MSG(st.mismatches == 0, "%s: %s", ri->path, st.first);
        CHECK_MSG(st.matches > 0, "%s: no synthetic event matched", ri->path);
        tr_ruleset_free(f1);
        tr_ruleset_free(s1);
    }
    tr_ruleset_free(fast);
    tr_ruleset_free(slow);
}
