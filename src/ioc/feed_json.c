/*
 * feed_json.c - placeholder for the JSON feed formats (STIX, MISP,
 * warninglists) until the JSON pull tokenizer lands in core.
 */
#include "core/common.h"

#include "ioc/index.h"

tr_err ioc_load_stix(ioc_feed_ctx *c, const char *data, size_t n)
{
    TR_UNUSED(data);
    TR_UNUSED(n);
    ioc_reject(c->b, c->path, 0, NULL, "STIX feeds are not supported yet");
    return TR_EUNSUPPORTED;
}

tr_err ioc_load_misp(ioc_feed_ctx *c, const char *data, size_t n)
{
    TR_UNUSED(data);
    TR_UNUSED(n);
    ioc_reject(c->b, c->path, 0, NULL, "MISP feeds are not supported yet");
    return TR_EUNSUPPORTED;
}

tr_err ioc_load_warninglist(tr_ioc_builder *b, const char *path, const char *data, size_t n)
{
    TR_UNUSED(data);
    TR_UNUSED(n);
    ioc_reject(b, path, 0, NULL, "warninglists are not supported yet");
    return TR_EUNSUPPORTED;
}
