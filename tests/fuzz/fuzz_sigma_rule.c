/*
 * fuzz_sigma_rule.c - Sigma documents from arbitrary bytes: YAML parsing,
 * rule/filter/correlation loading, modifier chains, the compiled plan, and
 * a scan of a small event with whatever loaded. Nothing may crash, leak or
 * read out of bounds, and the prefiltered scan must agree with full
 * evaluation on the event.
 */
#include "core/common.h"

#include "trawl/arena.h"
#include "trawl/log.h"
#include "trawl/sigma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(const tr_sigma_diag *d, void *ctx)
{
    (void)d;
    (void)ctx;
}

static int count(const tr_sigma_match *m, void *ctx)
{
    /* Touch everything the callback may read. */
    uint64_t *n = ctx;
    for (uint32_t i = 0; i < m->nfields; i++)
        *n += m->fields[i].name.n + m->fields[i].value.n;
    *n += 1000000 + m->rule->index;
    return 0;
}

static uint64_t scan(const tr_ruleset *rs, const tr_event *ev)
{
    tr_sigma_scratch *s;
    uint64_t n = 0;
    if (tr_sigma_scratch_new(rs, &s) != TR_OK)
        return UINT64_MAX;
    tr_sigma_scan(rs, s, ev, count, &n);
    tr_sigma_scan(rs, s, ev, count, &n); /* a second time: scratch reuse */
    tr_sigma_scratch_free(s);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 64 * 1024)
        return 0;
    tr_log_set_level((tr_log_level)-1);
    /* Copy into an exact-size heap buffer so ASan sees any overread. */
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    const char *ph[] = { "Administrators=adm*,root", "Servers=srv-?1" };
    tr_sigma_opts o = { .diag = quiet, .placeholders = ph, .nplaceholders = 2,
                        .regex_match_limit = 5000 };
    tr_ruleset *fast = NULL, *slow = NULL;
    if (tr_ruleset_load_string(p, size, "fuzz.yml", &o, &fast) == TR_OK) {
        o.no_prefilter = true;
        if (tr_ruleset_load_string(p, size, "fuzz.yml", &o, &slow) == TR_OK) {
            for (uint32_t i = 0; i < tr_ruleset_count(fast); i++)
                (void)tr_ruleset_find(fast, tr_ruleset_rule(fast, i)->id);
            for (uint32_t i = 0; i < tr_ruleset_correlation_count(fast); i++)
                (void)tr_ruleset_correlation(fast, i)->nrefs;
            tr_field fields[16];
            tr_arena *a = tr_arena_new(0, 0);
            tr_event ev;
            tr_event_init(&ev, fields, 16, a);
            ev.logsource.product = TR_STR("windows");
            tr_logsource_add_category(&ev.logsource, TR_STR("process_creation"));
            tr_event_add(&ev, TR_STR("Image"), TR_STR("C:\\Windows\\System32\\cmd.exe"), TR_VSTR);
            tr_event_add(&ev, TR_STR("CommandLine"), TR_STR("cmd /c whoami /all -enc SQBFAFgA"),
                         TR_VSTR);
            tr_event_add(&ev, TR_STR("EventID"), TR_STR("1"), TR_VNUM);
            tr_event_add(&ev, TR_STR("User"), TR_STR("root"), TR_VSTR);
            tr_event_add(&ev, TR_STR("ip"), TR_STR("10.1.2.3"), TR_VSTR);
            tr_event_add(&ev, TR_STR("a"), TR_STR("1"), TR_VSTR);
            tr_event_add(&ev, TR_STR("b"), TR_STR(""), TR_VNULL);
            tr_field *esc = tr_event_add(&ev, TR_STR("x"), TR_STR("a\\\\b\\u0041"), TR_VSTR);
            if (esc)
                esc->flags |= TR_FIELD_ESCAPED;
            tr_event_add(&ev, TR_STR("t"), TR_STR("2020-03-11T23:45:12Z"), TR_VSTR);
            uint64_t a1 = scan(fast, &ev), a2 = scan(slow, &ev);
            if (a1 != a2)
                abort(); /* the prefilter changed a result */
            tr_arena_free(a);
        }
    }
    tr_ruleset_free(fast);
    tr_ruleset_free(slow);
    free(p);
    return 0;
}
