/*
 * campaign_policy.c - placeholder for the policy file reader.
 */
#include "core/common.h"

#include "trawl/campaign.h"

tr_err tr_campaign_policy_load(tr_campaign_policy *p, const char *path, char *errbuf,
                               size_t errlen)
{
    TR_UNUSED(p);
    snprintf(errbuf, errlen, "%s: policy files are not supported yet", path);
    return TR_EUNSUPPORTED;
}
