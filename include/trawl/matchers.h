/*
 * trawl/matchers.h - the Sigma ruleset and the indicator index as matchers
 * of the hunt pipeline (trawl/hunt.h).
 *
 * Both turn what they find into detection records (trawl/detect.h) with the
 * matched fields plus the event's key context (addresses, host, user,
 * process). The returned tr_matcher borrows rs / x, which must outlive it.
 */
#ifndef TR_MATCHERS_H
#define TR_MATCHERS_H

#include "trawl/correl.h"
#include "trawl/hunt.h"
#include "trawl/ioc.h"
#include "trawl/sigma.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Sigma detections (kind "sigma"). Matches of rules that only feed a
 * correlation (tr_rule_info.standalone false) are flagged TR_DET_INTERNAL.
 * With correlations (c may be NULL), each detection also carries the event
 * fields the correlations of its rule group or aggregate by. */
TR_API tr_matcher tr_matcher_sigma(const tr_ruleset *rs, const tr_correl *c);

/* Indicator detections (kind "ioc"), one per (indicator, field). */
TR_API tr_matcher tr_matcher_ioc(const tr_ioc_index *x);
/* The same with a raw-text prefilter (tr_ioc_prefilter_new), which the
 * matcher takes over (freed by tr_matcher_release, also when this fails:
 * then .ctx is NULL). Records of a block that hold no indicator literal are
 * not scanned (tr_matcher.block_filter). */
TR_API tr_matcher tr_matcher_ioc_prefiltered(const tr_ioc_index *x, tr_ioc_prefilter *pf);

/* Above this many indicators tr_matcher_ioc_auto builds no prefilter: its
 * bitmaps and table no longer stay in the caches and parsing every line
 * costs less (measured: 200k 2.8x faster with it, 400k even, 1M slower;
 * docs/IOC.md, "Prefilter"). */
#define TR_IOC_PREFILTER_MAX_INDICATORS 262144

/* The indicator matcher of a hunt: prefiltered when prefilter is true and
 * the index allows it, else plain; why not is logged (info: too many
 * indicators; warning: an indicator without a usable literal). .ctx NULL:
 * out of memory. */
TR_API tr_matcher tr_matcher_ioc_auto(const tr_ioc_index *x, bool prefilter);

/* What a hunt looks for, as one non-zero number (rule ids, titles, levels,
 * modification dates, filter counts, correlation ids, indicator values and
 * actors), so that a store reads a source again when it changes
 * (tr_store_set_ruleset). rs and x may be NULL. */
TR_API uint64_t tr_hunt_fingerprint(const tr_ruleset *rs, const tr_ioc_index *x);

#ifdef __cplusplus
}
#endif
#endif /* TR_MATCHERS_H */
