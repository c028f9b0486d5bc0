/*
 * sigma_diff.c - conformance helper: loads a ruleset twice (with and
 * without the literal prefilter) and checks, on events synthesised from
 * every rule's own values, that both report exactly the same matches
 * (see tests/unit/test_sigma_gen.h).
 *
 *   sigma_diff [--events-per-rule N] [--placeholder-dir DIR] RULES…
 *
 * Prints "sigma_diff: E events, M with matches, D differ" and the first
 * difference; exit status 1 when any event differs.
 */
#include "core/common.h"

#include "test_sigma_gen.h"
#include "trawl/log.h"

static void quiet(const tr_sigma_diag *d, void *ctx)
{
    (void)d;
    (void)ctx;
}

int main(int argc, char **argv)
{
    uint32_t per_rule = 20;
    const char *phdir = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "--events-per-rule") && i + 1 < argc)
            per_rule = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--placeholder-dir") && i + 1 < argc)
            phdir = argv[++i];
        else
            break;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: sigma_diff [--events-per-rule N] [--placeholder-dir DIR] RULES...\n");
        return 2;
    }
    tr_sigma_opts o = { .placeholder_dir = phdir, .diag = quiet };
    tr_ruleset *fast = NULL, *slow = NULL;
    if (tr_ruleset_load((const char *const *)argv + i, (size_t)(argc - i), &o, &fast) != TR_OK)
        return 1;
    o.no_prefilter = true;
    if (tr_ruleset_load((const char *const *)argv + i, (size_t)(argc - i), &o, &slow) != TR_OK)
        return 1;
    tr_log_set_level(TR_LOG_ERROR); /* regex limit notes of synthetic events */
    sgd_stats st;
    sgd_run(fast, slow, per_rule, 20261127, &st);
    printf("sigma_diff: %u rules, %" PRIu64 " events, %" PRIu64 " with matches, %" PRIu64
           " differ\n", tr_ruleset_count(fast), st.events, st.matches, st.mismatches);
    if (st.mismatches)
        printf("sigma_diff: first difference: %s\n", st.first);
    tr_ruleset_free(fast);
    tr_ruleset_free(slow);
    return st.mismatches ? 1 : 0;
}
