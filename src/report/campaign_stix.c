/*
 * campaign_stix.c - placeholder while the stix writer is written.
 */
#include "core/common.h"

#include "report/campaign_report.h"

tr_err cr_write_stix(const tr_campaigns *c, const tr_cmp_report_opts *o, FILE *out)
{
    TR_UNUSED(c);
    TR_UNUSED(o);
    TR_UNUSED(out);
    return TR_EUNSUPPORTED;
}
