/*
 * match_sigma.c - the Sigma engine as a hunt matcher: each rule match
 * becomes a "sigma" detection record.
 */
#include "core/common.h"

#include "pipeline/context.h"
#include "trawl/matchers.h"

#define SIGMA_DET_FIELDS 32

/* What the matcher shares between threads (immutable). */
typedef struct sigma_shared {
    const tr_ruleset *rs;
    const tr_correl *correl; /* may be NULL */
} sigma_shared;

typedef struct sigma_ctx {
    const sigma_shared *sh;
    tr_hunt_emit *emit;
    const tr_event *ev;
    tr_err err;
} sigma_ctx;

/* Copies the event fields the rule's correlations need into kv. */
static void correlation_fields(const sigma_ctx *c, uint32_t rule, tr_kv *kv, uint32_t *n,
                               uint32_t max)
{
    const tr_str *names;
    uint32_t k = c->sh->correl ? tr_correl_rule_fields(c->sh->correl, rule, &names) : 0;
    for (uint32_t i = 0; i < k && *n < max; i++) {
        bool have = false;
        for (uint32_t j = 0; j < *n && !have; j++)
            have = tr_str_eq(kv[j].key, names[i]);
        const tr_field *f = have ? NULL : tr_event_find(c->ev, names[i]);
        tr_str v;
        if (f && f->kind != TR_VNULL && tr_field_value(f, c->ev->arena, &v) == TR_OK)
            kv[(*n)++] = (tr_kv){ names[i], v };
    }
}

static int on_match(const tr_sigma_match *m, void *ctx)
{
    sigma_ctx *c = ctx;
    const tr_rule_info *r = m->rule;
    tr_kv kv[SIGMA_DET_FIELDS];
    uint32_t n = 0;
    for (uint32_t i = 0; i < m->nfields && n < SIGMA_DET_FIELDS - TR_CONTEXT_MAX; i++) {
        bool dup = false;
        for (uint32_t k = 0; k < n && !dup; k++)
            dup = tr_str_eq(kv[k].key, m->fields[i].name);
        if (!dup)
            kv[n++] = (tr_kv){ m->fields[i].name, m->fields[i].value };
    }
    correlation_fields(c, r->index, kv, &n, SIGMA_DET_FIELDS);
    tr_context_fields(c->ev, kv, &n, SIGMA_DET_FIELDS);
    tr_detection d = {
        .kind = TR_DET_SIGMA,
        .flags = r->standalone ? 0 : TR_DET_INTERNAL,
        .ts = TR_TS_NONE,
        .rule_id = r->id.n ? r->id : (r->name.n ? r->name : r->title),
        .rule_title = r->title,
        .level = r->level,
        .tags = r->tags,
        .ntags = r->ntags,
        .fields = kv,
        .nfields = n,
    };
    tr_err e = tr_hunt_emit_detection(c->emit, &d);
    if (e && !c->err)
        c->err = e;
    return 0;
}

static tr_err sigma_thread_new(void *ctx, void **scratch)
{
    const sigma_shared *sh = ctx;
    return tr_sigma_scratch_new(sh->rs, (tr_sigma_scratch **)scratch);
}

static void sigma_thread_free(void *scratch)
{
    tr_sigma_scratch_free(scratch);
}

static tr_err sigma_scan(void *ctx, void *scratch, const tr_event *ev, tr_hunt_emit *e)
{
    const sigma_shared *sh = ctx;
    sigma_ctx c = { sh, e, ev, TR_OK };
    tr_err err = tr_sigma_scan(sh->rs, scratch, ev, on_match, &c);
    return err ? err : c.err;
}

static void sigma_free(void *ctx)
{
    tr_free(ctx);
}

tr_matcher tr_matcher_sigma(const tr_ruleset *rs, const tr_correl *c)
{
    sigma_shared *sh = tr_calloc(1, sizeof(*sh));
    if (sh) {
        sh->rs = rs;
        sh->correl = c;
    }
    return (tr_matcher){ .name = "sigma", .ctx = sh, .thread_new = sigma_thread_new,
                         .thread_free = sigma_thread_free, .scan = sigma_scan,
                         .free = sigma_free };
}
