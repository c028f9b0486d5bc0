/*
 * test_hunt_setup.c - what `trawl hunt` and `trawl serve` share to set a
 * hunt up: the fingerprint of what it looks for and the indicator matcher
 * with or without its prefilter.
 */
#include "tt.h"

#include "trawl/log.h"
#include "trawl/matchers.h"

static tr_ruleset *rules_of(const char *level)
{
    char yml[512];
    int n = snprintf(yml, sizeof(yml),
                     "title: t\nid: 5d2a0000-0000-4000-8000-000000000001\nlevel: %s\n"
                     "logsource: {product: windows}\n"
                     "detection: {sel: {CommandLine|contains: evil}, condition: sel}\n",
                     level);
    tr_ruleset *rs = NULL;
    return tr_ruleset_load_string(yml, (size_t)n, "r.yml", NULL, &rs) == TR_OK ? rs : NULL;
}

static tr_ioc_index *index_of(const char *feed)
{
    tr_ioc_builder *b;
    tr_ioc_index *x = NULL;
    if (tr_ioc_builder_new(NULL, &b))
        return NULL;
    if (tr_ioc_builder_add_feed_mem(b, feed, strlen(feed), TR_IOCF_PLAIN, "f.txt", NULL) ||
        tr_ioc_builder_finish(b, &x)) {
        tr_ioc_builder_free(b);
        return NULL;
    }
    return x;
}

TEST(hunt_fingerprint_follows_rules_and_indicators)
{
    tr_ruleset *high = rules_of("high"), *low = rules_of("low");
    tr_ioc_index *a = index_of("1.2.3.4\n"), *b = index_of("1.2.3.4\nevil.com\n");
    CHECK(high && low && a && b);
    uint64_t f = tr_hunt_fingerprint(high, a);
    CHECK(f != 0);
    CHECK_EQ(tr_hunt_fingerprint(high, a), f); /* deterministic */
    CHECK(tr_hunt_fingerprint(low, a) != f);  /* a rule's level changed */
    CHECK(tr_hunt_fingerprint(high, b) != f); /* an indicator added */
    CHECK(tr_hunt_fingerprint(high, NULL) != f);
    CHECK(tr_hunt_fingerprint(NULL, NULL) != 0);
    tr_ruleset_free(high);
    tr_ruleset_free(low);
    tr_ioc_index_free(a);
    tr_ioc_index_free(b);
}

TEST(hunt_ioc_matcher_prefilter_when_possible)
{
    tr_ioc_index *x = index_of("1.2.3.4\nevil.com\n"), *shortlit = index_of("::1\nevil.com\n");
    CHECK(x && shortlit);
    tr_log_level lv = tr_log_get_level();
    tr_log_set_level(TR_LOG_ERROR); /* the "prefilter off" warning is expected */
    tr_matcher m = tr_matcher_ioc_auto(x, true);
    CHECK(m.ctx != NULL && m.block_filter != NULL);
    tr_matcher_release(&m);
    m = tr_matcher_ioc_auto(x, false);
    CHECK(m.ctx != NULL && m.block_filter == NULL);
    tr_matcher_release(&m);
    m = tr_matcher_ioc_auto(shortlit, true); /* "::1" has no literal of 3 bytes */
    CHECK(m.ctx != NULL && m.block_filter == NULL);
    tr_matcher_release(&m);
    tr_log_set_level(lv);
    tr_ioc_index_free(x);
    tr_ioc_index_free(shortlit);
}
