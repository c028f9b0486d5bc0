/*
 * fingerprint.c - what a hunt looks for, as one number: a store keeps it
 * with each source it read (tr_store_set_ruleset), and reads a source again
 * when the rules or the indicators changed. One definition for `trawl hunt`
 * and `trawl serve`, so that both treat a changed rule alike.
 */
#include "core/common.h"

#include "core/hash.h"
#include "trawl/matchers.h"

uint64_t tr_hunt_fingerprint(const tr_ruleset *rs, const tr_ioc_index *x)
{
    tr_hasher h;
    tr_hasher_init(&h, 0x66707274);
    for (uint32_t i = 0; rs && i < tr_ruleset_count(rs); i++) {
        const tr_rule_info *r = tr_ruleset_rule(rs, i);
        tr_hasher_add_str(&h, r->id);
        tr_hasher_add_str(&h, r->title);
        tr_hasher_add_str(&h, r->level);
        tr_hasher_add_str(&h, r->modified);
        tr_hasher_add_u64(&h, r->nfilters);
    }
    for (uint32_t i = 0; rs && i < tr_ruleset_correlation_count(rs); i++)
        tr_hasher_add_str(&h, tr_ruleset_correlation(rs, i)->id);
    for (size_t i = 0, n = x ? tr_ioc_index_count(x) : 0; i < n; i++) {
        tr_indicator ind;
        tr_ioc_index_get(x, i, &ind);
        tr_hasher_add_str(&h, ind.value);
        tr_hasher_add_str(&h, ind.actor);
    }
    uint64_t v = tr_hasher_final(&h);
    return v ? v : 1;
}
