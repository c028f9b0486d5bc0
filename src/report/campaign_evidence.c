/*
 * campaign_evidence.c - the evidence formatter the text and HTML campaign
 * reports share (campaign_evidence.h): one wording of why a detection is
 * in a campaign, one way of naming where it was read.
 */
#include "core/common.h"

#include "report/campaign_evidence.h"

void cr_ev_place(tr_buf *b, const cr_ev_style *st, const tr_cmp_det *d)
{
    st->value(b, d->path);
    if (d->line)
        tr_buf_printf(b, "%s%" PRIu64, st->line_sep, d->line);
    else
        tr_buf_printf(b, "%s%" PRIu64, st->record_sep, d->record);
}

void cr_ev_count(tr_buf *b, const cr_ev_style *st, const tr_cmp_evidence *e)
{
    if (e->count > 1)
        tr_buf_printf(b, " %s%u", st->times, e->count);
}

void cr_ev_why(tr_buf *b, const cr_ev_style *st, const tr_cmp_evidence *e, const tr_cmp_det *d)
{
    if (e->why == TR_WHY_ORIGIN && !st->origin)
        return;
    tr_buf_printf(b, "%s", st->why_open);
    switch (e->why) {
    case TR_WHY_SEED_RULE:
        tr_buf_printf(b, "its rule names ");
        st->value(b, d->actor_seed);
        break;
    case TR_WHY_SEED_INDICATOR:
        tr_buf_printf(b, "feed ");
        st->value(b, d->feed);
        tr_buf_printf(b, " attributes it to ");
        st->value(b, d->actor_seed);
        break;
    case TR_WHY_SAME_RECORD: tr_buf_printf(b, "same record as a campaign detection"); break;
    case TR_WHY_SHARED_VALUE:
        tr_buf_printf(b, "shares %s", st->code_open);
        st->value(b, e->via_value);
        tr_buf_printf(b, "%s", st->code_close);
        break;
    case TR_WHY_EXEC_AFTER:
        tr_buf_printf(b, "runs right after an exploitation of ");
        st->value(b, e->via_value);
        break;
    case TR_WHY_SAME_HOST:
        tr_buf_printf(b, "same host ");
        st->value(b, e->via_value);
        break;
    case TR_WHY_ORIGIN: tr_buf_printf(b, "%s", st->origin); break;
    }
    tr_buf_printf(b, "%s", st->why_close);
}

const tr_cmp_tenant *cr_tenant_next(const tr_campaign *cp, cr_tenant_it *it)
{
    if (!it->stage) {
        it->stage = TR_STAGE_COMPROMISED;
        it->i = 0;
    }
    for (; it->stage >= TR_STAGE_TARGETED; it->stage--, it->i = 0)
        while (it->i < cp->ntenants) {
            const tr_cmp_tenant *t = &cp->tenants[it->i++];
            if ((int)t->stage == it->stage)
                return t;
        }
    it->stage = -1; /* done: stays done */
    return NULL;
}
