/*
 * campaign.c - the campaigns of a view. The campaign engine
 * (trawl/campaign.h) is not part of this build yet: a view then has no
 * campaigns, and the campaign routes answer 404 saying so.
 */
#include "core/common.h"

#include "serve/serve_int.h"

tr_err serve_campaigns_new(const tr_fleet *fleet, const char *policy, serve_campaigns **out,
                           char *err, size_t errlen)
{
    TR_UNUSED(fleet);
    TR_UNUSED(policy);
    TR_UNUSED(err);
    TR_UNUSED(errlen);
    *out = NULL;
    return TR_OK;
}

tr_err serve_campaigns_add(serve_campaigns *c, const tr_detection *d)
{
    TR_UNUSED(c);
    TR_UNUSED(d);
    return TR_OK;
}

tr_err serve_campaigns_finish(serve_campaigns *c, serve_view *v)
{
    TR_UNUSED(c);
    TR_UNUSED(v);
    return TR_OK;
}

void serve_campaigns_free(serve_campaigns *c)
{
    TR_UNUSED(c);
}

size_t serve_campaigns_count(const serve_campaigns *c)
{
    TR_UNUSED(c);
    return 0;
}

const tr_buf *serve_campaigns_list_json(const serve_campaigns *c)
{
    TR_UNUSED(c);
    return NULL;
}

tr_err serve_campaigns_one_json(const serve_campaigns *c, tr_str id, tr_buf *out)
{
    TR_UNUSED(c);
    TR_UNUSED(id);
    TR_UNUSED(out);
    return TR_ENOENT;
}

void serve_campaigns_of_tenant(const serve_campaigns *c, tr_str tenant, tr_jw *w)
{
    TR_UNUSED(c);
    TR_UNUSED(tenant);
    tr_jw_null(w);
}
