/*
 * detection.c - an indicator match as a detection record, so that every
 * caller of tr_ioc_scan (the hunt pipeline, the server, tests) reports
 * matches the same way.
 */
#include "core/common.h"

#include "trawl/ioc.h"

void tr_ioc_detection(const tr_ioc_match *m, const tr_event *ev, tr_detection *d, tr_kv kv[1],
                      char rule_id[32])
{
    const tr_indicator *ind = m->indicator;
    memset(d, 0, sizeof(*d));
    d->kind = TR_DET_IOC;
    d->ts = ev->ts;
    d->tenant = ev->tenant;
    int n = snprintf(rule_id, 32, "ioc:%s", tr_ioc_type_name(ind->type));
    d->rule_id = (tr_str){ rule_id, n > 0 ? (size_t)n : 0 };
    d->rule_title = ind->feed;
    bool file = ind->type == TR_IOC_MD5 || ind->type == TR_IOC_SHA1 ||
                ind->type == TR_IOC_SHA256 || ind->type == TR_IOC_FILENAME;
    if (ind->confidence >= 0 && ind->confidence < 30)
        d->level = TR_STR("low");
    else if (m->side == TR_SIDE_DST || file)
        d->level = TR_STR("high");
    else
        d->level = TR_STR("medium");
    d->logsource = ev->logsource;
    d->path = ev->path;
    d->record = ev->record;
    d->line = ev->line;
    kv[0].key = m->field->name;
    kv[0].value = (m->field->flags & TR_FIELD_ESCAPED) ? m->token : m->field->value;
    d->fields = kv;
    d->nfields = 1;
    d->indicator.value = ind->value;
    d->indicator.type = tr_str_c(tr_ioc_type_name(ind->type));
    d->indicator.feed = ind->feed;
    d->indicator.actor = ind->actor;
    d->indicator.field = m->field->name;
    d->indicator.side = m->side;
}
