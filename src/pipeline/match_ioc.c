/*
 * match_ioc.c - the indicator index as a hunt matcher: each (indicator,
 * field) match becomes an "ioc" detection record. With a prefilter, the
 * matcher also marks, per block and from the raw bytes, the records that
 * may hold an indicator (tr_matcher.block_filter); the others are never
 * scanned, and never parsed when no other matcher needs them.
 */
#include "core/common.h"

#include "pipeline/context.h"
#include "trawl/log.h"
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

/* The prefiltered matcher: the index plus the prefilter it owns. */
typedef struct ioc_pf_ctx {
    const tr_ioc_index *x;
    tr_ioc_prefilter *pf;
} ioc_pf_ctx;

typedef struct ioc_pf_thread {
    tr_ioc_scratch *s;
    tr_ioc_pf_scratch *pfs;
} ioc_pf_thread;

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

static void ioc_pf_thread_free(void *scratch)
{
    ioc_pf_thread *t = scratch;
    if (!t)
        return;
    tr_ioc_scratch_free(t->s);
    tr_ioc_pf_scratch_free(t->pfs);
    tr_free(t);
}

static tr_err ioc_pf_thread_new(void *ctx, void **scratch)
{
    ioc_pf_ctx *c = ctx;
    *scratch = NULL;
    ioc_pf_thread *t = tr_calloc(1, sizeof(*t));
    if (!t)
        return TR_ENOMEM;
    tr_err e = tr_ioc_scratch_new(c->x, &t->s);
    if (!e)
        e = tr_ioc_pf_scratch_new(c->pf, &t->pfs);
    if (e) {
        ioc_pf_thread_free(t);
        return e;
    }
    *scratch = t;
    return TR_OK;
}

static tr_err ioc_pf_scan(void *ctx, void *scratch, const tr_event *ev, tr_hunt_emit *e)
{
    ioc_pf_ctx *c = ctx;
    ioc_pf_thread *t = scratch;
    return ioc_scan((void *)c->x, t->s, ev, e);
}

static bool ioc_pf_block(void *ctx, void *scratch, tr_format fmt, const tr_block *blk,
                         uint8_t *may_match)
{
    ioc_pf_ctx *c = ctx;
    ioc_pf_thread *t = scratch;
    if (!tr_ioc_prefilter_covers(fmt))
        return false;
    return tr_ioc_prefilter_mark(c->pf, t->pfs, blk->recs, blk->nrecs, may_match) == TR_OK;
}

static void ioc_pf_free(void *ctx)
{
    ioc_pf_ctx *c = ctx;
    if (!c)
        return;
    tr_ioc_prefilter_free(c->pf);
    tr_free(c);
}

tr_matcher tr_matcher_ioc_prefiltered(const tr_ioc_index *x, tr_ioc_prefilter *pf)
{
    ioc_pf_ctx *c = tr_calloc(1, sizeof(*c));
    if (!c) {
        tr_ioc_prefilter_free(pf);
        return (tr_matcher){ .name = "ioc" };
    }
    c->x = x;
    c->pf = pf;
    return (tr_matcher){ .name = "ioc", .ctx = c, .thread_new = ioc_pf_thread_new,
                         .thread_free = ioc_pf_thread_free, .scan = ioc_pf_scan,
                         .free = ioc_pf_free, .block_filter = ioc_pf_block };
}

tr_matcher tr_matcher_ioc(const tr_ioc_index *x)
{
    return (tr_matcher){ .name = "ioc", .ctx = (void *)x, .thread_new = ioc_thread_new,
                         .thread_free = ioc_thread_free, .scan = ioc_scan };
}

tr_matcher tr_matcher_ioc_auto(const tr_ioc_index *x, bool prefilter)
{
    size_t n = tr_ioc_index_count(x);
    if (!prefilter || n == 0)
        return tr_matcher_ioc(x);
    if (n > TR_IOC_PREFILTER_MAX_INDICATORS) {
        tr_info("indicator prefilter not built: %zu indicators (more than %d); every line is "
                "parsed", n, TR_IOC_PREFILTER_MAX_INDICATORS);
        return tr_matcher_ioc(x);
    }
    tr_ioc_prefilter *pf = NULL;
    char why[320];
    tr_err e = tr_ioc_prefilter_new(x, &pf, why, sizeof(why));
    if (e == TR_ENOMEM)
        return (tr_matcher){ .name = "ioc" };
    if (e || !pf) {
        tr_warn("indicator prefilter off, every line is parsed: %s",
                why[0] ? why : tr_strerror(e));
        return tr_matcher_ioc(x);
    }
    tr_ioc_pf_stats ps;
    tr_ioc_prefilter_stats(pf, &ps);
    tr_info("indicator prefilter: %zu literals, %zu always patterns, %.1f MB, built in %.2f s, "
            "%s scan", ps.literals, ps.always, (double)ps.memory / 1e6, ps.compile_s, ps.scan);
    return tr_matcher_ioc_prefiltered(x, pf);
}
