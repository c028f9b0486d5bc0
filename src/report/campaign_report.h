/*
 * campaign_report.h - what the campaign report writers share: anonymised
 * tenant groups, time formatting, and one writer per format.
 */
#ifndef TR_SRC_REPORT_CAMPAIGN_REPORT_H
#define TR_SRC_REPORT_CAMPAIGN_REPORT_H

#include "core/common.h"

#include "core/buf.h"
#include "trawl/campaign.h"

/* Anonymised view of one campaign: tenants replaced by "<sector> in
 * <country>" groups; groups with fewer than min_group tenants are merged
 * into "other". */
typedef struct cr_group {
    char label[112];
    uint32_t tenants, exploited, compromised;
    int64_t first_seen, last_seen;
} cr_group;

typedef struct cr_anon {
    cr_group *groups;      /* sorted: most tenants first, "other" last */
    uint32_t ngroups;
    uint32_t *group_of;    /* campaign tenant index -> group index */
    tr_str *countries, *sectors; /* values with >= min_group tenants, sorted */
    uint32_t ncountries, nsectors;
    uint32_t other_countries, other_sectors; /* tenants whose country/sector is suppressed */
} cr_anon;

tr_err cr_anon_build(const tr_campaign *cp, uint32_t min_group, cr_anon *a);
/* Zeroes a, then builds it when o asks for anonymised reports. */
tr_err cr_anon_for(const tr_campaign *cp, const tr_cmp_report_opts *o, cr_anon *a);
void cr_anon_release(cr_anon *a);

/* True when an explanation sentence names a tenant of the campaign (left out
 * of anonymised reports). */
bool cr_names_tenant(const tr_campaign *cp, const char *text);

/* What a campaign or cluster amounts to: "intrusion" (a tenant compromised),
 * "exploitation" (vulnerable answers, no compromise) or "attempts". */
const char *cr_profile(const tr_campaign *cp);

/* "2020-01-20T00:28:29Z" (precision of the record) or "" for none. */
void cr_time(int64_t ts, char *buf, size_t n);
void cr_date(int64_t ts, char *buf, size_t n);
/* The dates of the first and last attempt, or of the first and last
 * activity when there was no attempt, into f and l (16 bytes each). */
void cr_span_dates(int64_t first, int64_t last, int64_t act_first, int64_t act_last, char *f,
                   char *l);

/* Effective options (defaults filled in). */
tr_cmp_report_opts cr_opts(const tr_cmp_report_opts *o);

/* qsort order of tr_str values: bytewise, a prefix first. */
int cr_str_order(const void *a, const void *b);

/* Tenants of a campaign per country or sector ("unknown" for none). */
typedef struct cr_tally {
    tr_str value;
    uint32_t n, compromised;
} cr_tally;

/* The tally of cp's tenants by country (else sector), most tenants first,
 * then by value; *n entries and room for one more. NULL when out of memory;
 * tr_free it. */
cr_tally *cr_tally_tenants(const tr_campaign *cp, bool country, uint32_t *n);
void cr_tally_sort(cr_tally *v, uint32_t n);

/* Flushes b to out; TR_EIO on a write error. */
tr_err cr_flush(tr_buf *b, FILE *out);

/* Writes one campaign of a report into b; a is its anonymised view (all
 * zero unless o->anonymise). */
typedef tr_err (*cr_campaign_fn)(tr_buf *b, const tr_campaigns *c, const tr_campaign *cp,
                                 const cr_anon *a, const tr_cmp_report_opts *o);
typedef bool (*cr_pick_fn)(const tr_campaign *cp);
/* Writes every campaign that pick selects with fn, flushing b to out after
 * each; *n counts them. */
tr_err cr_each_campaign(tr_buf *b, const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out,
                        cr_pick_fn pick, cr_campaign_fn fn, size_t *n);
/* pick functions: an actor's campaign; a cluster that reached a compromise. */
bool cr_is_actor(const tr_campaign *cp);
bool cr_is_compromising_cluster(const tr_campaign *cp);

tr_err cr_write_text(const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out);
tr_err cr_write_json(const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out);
tr_err cr_write_html(const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out);
tr_err cr_write_stix(const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out);

#endif
