/*
 * campaign_evidence.h - the parts of a tenant's evidence that the text and
 * HTML campaign reports both write (the order of the tenants, where a
 * detection was read, how many, why it joined the campaign), each report
 * giving only its markup and how a value from the data is written.
 */
#ifndef TR_SRC_REPORT_CAMPAIGN_EVIDENCE_H
#define TR_SRC_REPORT_CAMPAIGN_EVIDENCE_H

#include "core/common.h"

#include "core/buf.h"
#include "trawl/campaign.h"

typedef struct cr_ev_style {
    void (*value)(tr_buf *b, tr_str s); /* a value from the data: as is, or escaped */
    const char *line_sep, *record_sep;  /* between path and line, path and record */
    const char *times;                  /* before a count above one ("×") */
    const char *why_open, *why_close;   /* around the reason */
    const char *code_open, *code_close; /* around a shared value in the reason */
    const char *origin;                 /* reason of a cluster's first detection (NULL: none) */
} cr_ev_style;

/* "path:line", or "path<record_sep>record" when the format has no lines. */
void cr_ev_place(tr_buf *b, const cr_ev_style *st, const tr_cmp_det *d);
/* " ×N" when the evidence group holds more than one detection. */
void cr_ev_count(tr_buf *b, const cr_ev_style *st, const tr_cmp_evidence *e);
/* Why the group's first detection joined the campaign, in why_open/why_close. */
void cr_ev_why(tr_buf *b, const cr_ev_style *st, const tr_cmp_evidence *e, const tr_cmp_det *d);

/* The tenants of a campaign compromised first, then exploited, then
 * targeted (by id inside):
 *   cr_tenant_it it = { 0 };
 *   for (const tr_cmp_tenant *t; (t = cr_tenant_next(cp, &it));) … */
typedef struct cr_tenant_it {
    int stage; /* 0 before the first call */
    uint32_t i;
} cr_tenant_it;

const tr_cmp_tenant *cr_tenant_next(const tr_campaign *cp, cr_tenant_it *it);

#endif
