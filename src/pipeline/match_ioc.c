/*
 * match_ioc.c - the indicator index as a hunt matcher: each (indicator,
 * field) match becomes an "ioc" detection record.
 */
#include "core/common.h"

#include "pipeline/context.h"
#include "trawl/matchers.h"

typedef struct ioc_ctx {
    tr_hunt_emit *emit;
    const tr_event *ev;
    tr_err err;
} ioc_ctx;

static tr_str level_of(int confidence)
{
    if (confidence >= 0 && confidence < 50)
        return TR_STR("medium");
    return TR_STR("high");
}

static int on_match(void *ctx, const tr_ioc_match *m)
{
    ioc_ctx *c = ctx;
    const tr_indicator *ind = m->indicator;
    tr_kv kv[1 + TR_CONTEXT_MAX];
    uint32_t n = 0;
    tr_str v;
    if (tr_field_value(m->field, c->ev->arena, &v) != TR_OK)
        v = m->field->value;
    tr_str fname = m->field->alias.n ? m->field->alias : m->field->name;
    kv[n++] = (tr_kv){ fname, v };
    tr_context_fields(c->ev, kv, &n, 1 + TR_CONTEXT_MAX);
    char rule_id[32];
    int k = snprintf(rule_id, sizeof(rule_id), "ioc:%s", tr_ioc_type_name(ind->type));
    char title[160];
    int t = snprintf(title, sizeof(title), "Indicator %.*s (%.*s)", TR_STR_FMT(ind->value),
                     TR_STR_FMT(ind->feed));
    tr_detection d = {
        .kind = TR_DET_IOC,
        .ts = TR_TS_NONE,
        .rule_id = { rule_id, (size_t)k },
        .rule_title = { title, (size_t)TR_MIN(t, (int)sizeof(title) - 1) },
        .level = level_of(ind->confidence),
        .fields = kv,
        .nfields = n,
        .indicator = { .value = ind->value,
                       .type = tr_str_c(tr_ioc_type_name(ind->type)),
                       .feed = ind->feed,
                       .actor = ind->actor,
                       .field = fname,
                       .side = m->side },
    };
    tr_err e = tr_hunt_emit_detection(c->emit, &d);
    if (e && !c->err)
        c->err = e;
    return 0;
}

static tr_err ioc_thread_new(void *ctx, void **scratch)
{
    return tr_ioc_scratch_new(ctx, (tr_ioc_scratch **)scratch);
}

static void ioc_thread_free(void *scratch)
{
    tr_ioc_scratch_free(scratch);
}

static tr_err ioc_scan(void *ctx, void *scratch, const tr_event *ev, tr_hunt_emit *e)
{
    ioc_ctx c = { e, ev, TR_OK };
    tr_err err = tr_ioc_scan(ctx, scratch, ev, on_match, &c);
    return err ? err : c.err;
}

tr_matcher tr_matcher_ioc(const tr_ioc_index *x)
{
    return (tr_matcher){ .name = "ioc", .ctx = (void *)x, .thread_new = ioc_thread_new,
                         .thread_free = ioc_thread_free, .scan = ioc_scan };
}
