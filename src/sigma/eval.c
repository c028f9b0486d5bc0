/*
 * eval.c - tr_sigma_scan(): bind the event's fields to the rules' field
 * names, pick the rules to evaluate (prefilter, logsource), evaluate their
 * expressions, apply filters and report matches with the fields that made
 * them.
 *
 * Field names: a rule field binds to an event field whose full name or
 * taxonomy alias equals it exactly; when the event has no exact match for
 * a rule field, a case-insensitive (ASCII) match is used instead
 * (docs/SIGMA.md, "Field names"). Multi-valued fields (JSON arrays) bind
 * every element: a value list matches if any element matches any value
 * (with |all: every value is matched by some element).
 */
#include "core/common.h"

#include "core/jsonstr.h"
#include "sigma/plan.h"
#include "sigma/regex.h"
#include "sigma/scratch.h"
#include "trawl/log.h"

#define SG_MAX_MATCHED_FIELDS 64

/* ---- Scratch -------------------------------------------------------------------------------- */

tr_err tr_sigma_scratch_new(const tr_ruleset *rs, tr_sigma_scratch **out)
{
    *out = NULL;
    tr_sigma_scratch *s = tr_calloc(1, sizeof(*s));
    if (!s)
        return TR_ENOMEM;
    s->rs = rs;
    size_t nf = rs->fields.n ? rs->fields.n : 1, np = rs->preds.n ? rs->preds.n : 1;
    size_t nr = rs->rules.n ? rs->rules.n : 1;
    s->fgen = tr_calloc(nf, sizeof(uint32_t));
    s->fhead = tr_calloc(nf, sizeof(uint32_t));
    s->ftail = tr_calloc(nf, sizeof(uint32_t));
    s->fexact = tr_calloc(nf, 1);
    s->pgen = tr_calloc(np, sizeof(uint32_t));
    s->pval = tr_calloc(np, 1);
    s->cgen = tr_calloc(nr, sizeof(uint32_t));
    s->re_reported = tr_calloc(nr, 1);
    s->rm = sg_rematch_new(rs->re_match_limit, rs->re_depth_limit);
    tr_err err = TR_OK;
    if (!s->fgen || !s->fhead || !s->ftail || !s->fexact || !s->pgen || !s->pval || !s->cgen ||
        !s->re_reported || !s->rm)
        err = TR_ENOMEM;
    if (!err && rs->plan)
        err = sg_plan_scratch_new(rs->plan, &s->ps);
    if (!err && rs->plan)
        err = tr_idset_init(&s->hits, sg_plan_nslots(rs->plan));
    if (!err && !tr_vec_grow((void **)&s->cands.v, &s->cands.cap, nr, sizeof(uint32_t)))
        err = TR_ENOMEM;
    for (int i = 0; i < SG_LS_CACHE && !err; i++) {
        tr_buf_init(&s->ls[i].key, 4096);
        s->ls[i].routes = tr_calloc(rs->plan ? sg_plan_nroutes(rs->plan) + 1 : 1, 1);
        s->ls[i].always = tr_calloc(nr, sizeof(uint32_t));
        if (!s->ls[i].routes || !s->ls[i].always)
            err = TR_ENOMEM;
    }
    tr_buf_init(&s->dec, 0);
    if (err) {
        tr_sigma_scratch_free(s);
        return err;
    }
    *out = s;
    return TR_OK;
}

void tr_sigma_scratch_free(tr_sigma_scratch *s)
{
    if (!s)
        return;
    tr_free(s->fgen);
    tr_free(s->fhead);
    tr_free(s->ftail);
    tr_free(s->fexact);
    tr_free(s->pgen);
    tr_free(s->pval);
    tr_free(s->cgen);
    tr_free(s->re_reported);
    TR_VEC_FREE(&s->binds);
    TR_VEC_FREE(&s->touched);
    TR_VEC_FREE(&s->vals);
    TR_VEC_FREE(&s->vgen);
    TR_VEC_FREE(&s->cands);
    TR_VEC_FREE(&s->mf);
    tr_buf_release(&s->dec);
    for (int i = 0; i < SG_LS_CACHE; i++) {
        tr_buf_release(&s->ls[i].key);
        tr_free(s->ls[i].routes);
        tr_free(s->ls[i].always);
    }
    sg_rematch_free(s->rm);
    if (s->ps)
        sg_plan_scratch_free(s->ps);
    tr_idset_release(&s->hits);
    tr_free(s);
}

const tr_sigma_scan_stats *tr_sigma_scratch_stats(const tr_sigma_scratch *s)
{
    return &s->stats;
}

/* ---- Values and bindings -------------------------------------------------------------------- */

tr_str sg_scratch_value(tr_sigma_scratch *s, uint32_t i)
{
    if (s->vgen.v[i] == s->gen)
        return s->vals.v[i];
    const tr_field *f = &s->ev->fields[i];
    tr_str v = f->value;
    if (f->flags & TR_FIELD_ESCAPED) {
        /* dec was reserved for every escaped byte of the event: no realloc. */
        char *d = s->dec.p + s->dec.n;
        size_t n;
        if (tr_json_unescape(f->value.p, f->value.n, d, &n) == TR_OK) {
            s->dec.n += n;
            v = (tr_str){ d, n };
        }
    }
    if (!v.p)
        v.p = "";
    s->vals.v[i] = v;
    s->vgen.v[i] = s->gen;
    return v;
}

static tr_err bind(tr_sigma_scratch *s, uint32_t fid, uint32_t evf, bool exact)
{
    if (s->fgen[fid] == s->gen) {
        if (s->fexact[fid] && !exact)
            return TR_OK;
        if (exact && !s->fexact[fid]) {
            s->fhead[fid] = SG_NONE; /* exact names win over case-folded ones */
            s->fexact[fid] = 1;
        } else if (s->binds.v[s->ftail[fid]].evf == evf) {
            return TR_OK; /* name and alias of one field */
        }
    } else {
        s->fgen[fid] = s->gen;
        s->fhead[fid] = SG_NONE;
        s->fexact[fid] = exact;
        if (!TR_VEC_PUSH(&s->touched, fid))
            return TR_ENOMEM;
    }
    sg_bind b = { evf, SG_NONE };
    if (!TR_VEC_PUSH(&s->binds, b))
        return TR_ENOMEM;
    uint32_t bi = (uint32_t)s->binds.n - 1;
    if (s->fhead[fid] == SG_NONE)
        s->fhead[fid] = bi;
    else
        s->binds.v[s->ftail[fid]].next = bi;
    s->ftail[fid] = bi;
    return TR_OK;
}

static tr_err bind_name(tr_sigma_scratch *s, tr_str name, uint32_t evf)
{
    const tr_ruleset *rs = s->rs;
    uint64_t head;
    if (!name.n || !tr_map_get(rs->field_fold, name, &head))
        return TR_OK;
    for (uint32_t f = (uint32_t)head; f != SG_NONE; f = rs->fields.v[f].fold_next) {
        tr_str fn = rs->fields.v[f].name;
        tr_err err = bind(s, f, evf, fn.n == name.n && memcmp(fn.p, name.p, name.n) == 0);
        if (err)
            return err;
    }
    return TR_OK;
}

static tr_err prepare_event(tr_sigma_scratch *s, const tr_event *ev)
{
    if (++s->gen == 0) {
        /* Wrapped: forget every stamp. */
        const tr_ruleset *rs = s->rs;
        memset(s->fgen, 0, (rs->fields.n ? rs->fields.n : 1) * sizeof(uint32_t));
        memset(s->pgen, 0, (rs->preds.n ? rs->preds.n : 1) * sizeof(uint32_t));
        memset(s->cgen, 0, (rs->rules.n ? rs->rules.n : 1) * sizeof(uint32_t));
        memset(s->vgen.v, 0, s->vgen.n * sizeof(uint32_t));
        s->gen = 1;
    }
    s->ev = ev;
    s->binds.n = 0;
    s->touched.n = 0;
    s->cands.n = 0;
    uint32_t nf = ev->nfields;
    if (!tr_vec_grow((void **)&s->vals.v, &s->vals.cap, nf, sizeof(tr_str)) ||
        !tr_vec_grow((void **)&s->vgen.v, &s->vgen.cap, nf, sizeof(uint32_t)))
        return TR_ENOMEM;
    if (s->vgen.n < nf) {
        memset(s->vgen.v + s->vgen.n, 0, (nf - s->vgen.n) * sizeof(uint32_t));
        s->vgen.n = nf;
        s->vals.n = nf;
    }
    size_t escaped = 0;
    for (uint32_t i = 0; i < nf; i++)
        if (ev->fields[i].flags & TR_FIELD_ESCAPED)
            escaped += ev->fields[i].value.n;
    tr_buf_reset(&s->dec);
    if (escaped && tr_buf_reserve(&s->dec, escaped + 1))
        return TR_ENOMEM;
    for (uint32_t i = 0; i < nf; i++) {
        const tr_field *f = &ev->fields[i];
        tr_err err = bind_name(s, f->name, i);
        if (!err && f->alias.n && !tr_str_eq(f->alias, f->name))
            err = bind_name(s, f->alias, i);
        if (err)
            return err;
    }
    return TR_OK;
}

/* ---- Logsource ------------------------------------------------------------------------------ */

static bool ls_eq(tr_str want, tr_str have)
{
    return want.n == 0 || (want.n == have.n && tr_mem_eq_nocase(want.p, have.p, want.n));
}

static bool route_applies(const sg_route *r, const tr_logsource *ls)
{
    if (!ls_eq(r->product, ls->product) || !ls_eq(r->service, ls->service))
        return false;
    if (r->category.n == 0)
        return true;
    for (uint8_t i = 0; i < ls->ncategory && i < TR_MAX_CATEGORIES; i++)
        if (ls_eq(r->category, ls->category[i]))
            return true;
    return false;
}

static tr_err ls_key(tr_buf *b, const tr_logsource *ls)
{
    tr_buf_reset(b);
    tr_err err = tr_buf_append_str(b, ls->product);
    err = err ? err : tr_buf_putc(b, '\0');
    err = err ? err : tr_buf_append_str(b, ls->service);
    for (uint8_t i = 0; i < ls->ncategory && i < TR_MAX_CATEGORIES && !err; i++) {
        err = tr_buf_putc(b, '\0');
        err = err ? err : tr_buf_append_str(b, ls->category[i]);
    }
    return err;
}

static bool ls_key_eq(const tr_buf *b, const tr_logsource *ls)
{
    size_t o = 0;
    tr_str parts[2 + TR_MAX_CATEGORIES];
    size_t np = 0;
    parts[np++] = ls->product;
    parts[np++] = ls->service;
    for (uint8_t i = 0; i < ls->ncategory && i < TR_MAX_CATEGORIES; i++)
        parts[np++] = ls->category[i];
    for (size_t i = 0; i < np; i++) {
        if (i) {
            if (o >= b->n || b->p[o] != '\0')
                return false;
            o++;
        }
        if (o + parts[i].n > b->n || (parts[i].n && memcmp(b->p + o, parts[i].p, parts[i].n)))
            return false;
        o += parts[i].n;
    }
    return o == b->n;
}

/* The cached applicability of rules to this event's logsource. */
static sg_lscache *logsource(tr_sigma_scratch *s, const tr_event *ev)
{
    const tr_ruleset *rs = s->rs;
    for (int i = 0; i < SG_LS_CACHE; i++)
        if (s->ls[i].used && ls_key_eq(&s->ls[i].key, &ev->logsource))
            return &s->ls[i];
    sg_lscache *c = &s->ls[s->ls_next];
    s->ls_next = (s->ls_next + 1) % SG_LS_CACHE;
    c->used = ls_key(&c->key, &ev->logsource) == TR_OK;
    const sg_plan *p = rs->plan;
    uint32_t nroutes = sg_plan_nroutes(p);
    for (uint32_t r = 0; r < nroutes; r++)
        c->routes[r] = rs->no_logsource_filter || route_applies(sg_plan_route(p, r), &ev->logsource);
    c->nalways = 0;
    c->keywords = false;
    for (uint32_t i = 0; i < rs->rules.n; i++) {
        if (!c->routes[sg_plan_rule_route(p, i)])
            continue;
        if (sg_plan_rule_always(p, i))
            c->always[c->nalways++] = i;
        if (sg_plan_rule_keyword(p, i))
            c->keywords = true;
    }
    return c;
}

/* ---- Evaluation ----------------------------------------------------------------------------- */

typedef struct evalctx {
    tr_sigma_scratch *s;
    uint32_t rule;     /* for regex limit reports */
    bool limit_hit;
} evalctx;

static int re_cb(void *ctx, uint32_t re, uint8_t flags, tr_str v)
{
    (void)flags;
    evalctx *e = ctx;
    int r = sg_regex_match(e->s->rs->re, e->s->rm, re, v);
    if (r < 0) {
        e->limit_hit = true;
        e->s->stats.regex_limit++;
    }
    return r;
}

static bool alt_match(evalctx *e, const sg_value *v, tr_str s)
{
    if (v->op != SG_OP_FIELDREF)
        return sg_value_match(v, s, re_cb, e);
    tr_sigma_scratch *sc = e->s;
    if (sc->fgen[v->ref] != sc->gen)
        return false;
    for (uint32_t b = sc->fhead[v->ref]; b != SG_NONE; b = sc->binds.v[b].next) {
        uint32_t evf = sc->binds.v[b].evf;
        if (sc->ev->fields[evf].kind == TR_VNULL)
            continue;
        if (sg_ref_match(v, s, sg_scratch_value(sc, evf)))
            return true;
    }
    return false;
}

/* Iterates the non-null values a predicate looks at: the bindings of its
 * field, or every field of the event for keywords. */
typedef struct valiter {
    tr_sigma_scratch *s;
    bool keyword;
    uint32_t cur;
} valiter;

static void vi_start(valiter *it, tr_sigma_scratch *s, const sg_pred *p)
{
    it->s = s;
    it->keyword = p->kind == SG_P_KEYWORD;
    if (it->keyword)
        it->cur = 0;
    else
        it->cur = s->fgen[p->field] == s->gen ? s->fhead[p->field] : SG_NONE;
}

static bool vi_next(valiter *it, uint32_t *evf)
{
    tr_sigma_scratch *s = it->s;
    for (;;) {
        uint32_t f;
        if (it->keyword) {
            if (it->cur >= s->ev->nfields)
                return false;
            f = it->cur++;
        } else {
            if (it->cur == SG_NONE)
                return false;
            f = s->binds.v[it->cur].evf;
            it->cur = s->binds.v[it->cur].next;
        }
        if (s->ev->fields[f].kind != TR_VNULL) {
            *evf = f;
            return true;
        }
    }
}

/* Does some value match some alternative of values[a, b)? */
static bool any_match(evalctx *e, const sg_pred *p, uint32_t a, uint32_t b)
{
    const sg_value *vals = e->s->rs->values.v;
    bool undecided = true;
    if (e->s->decided) {
        /* Literal tests were decided by the prefilter scan of every value. */
        undecided = false;
        for (uint32_t i = a; i < b; i++) {
            if (vals[i].slot == SG_NONE)
                undecided = true;
            else if (tr_idset_has(&e->s->hits, vals[i].slot))
                return true;
        }
        if (!undecided)
            return false;
    }
    valiter it;
    vi_start(&it, e->s, p);
    uint32_t evf;
    while (vi_next(&it, &evf)) {
        tr_str v = sg_scratch_value(e->s, evf);
        for (uint32_t i = a; i < b; i++)
            if ((!e->s->decided || vals[i].slot == SG_NONE) && alt_match(e, &vals[i], v))
                return true;
    }
    return false;
}

static bool pred_eval(evalctx *e, const sg_pred *p)
{
    tr_sigma_scratch *s = e->s;
    switch (p->kind) {
    case SG_P_EXISTS: {
        bool present = s->fgen[p->field] == s->gen;
        return present == (bool)p->exists;
    }
    case SG_P_NULL: {
        valiter it;
        uint32_t evf;
        vi_start(&it, s, p);
        return !vi_next(&it, &evf);
    }
    default:
        break;
    }
    if (p->neg || p->kind == SG_P_VALUES) {
        /* neq needs a (non-null) value to differ. */
        valiter it;
        uint32_t evf;
        vi_start(&it, s, p);
        if (!vi_next(&it, &evf))
            return false;
    }
    bool res;
    uint32_t end = p->first + p->n;
    if (!p->all) {
        res = any_match(e, p, p->first, end);
    } else {
        /* Alternatives are grouped by the rule value they came from. */
        const sg_value *vals = s->rs->values.v;
        res = true;
        for (uint32_t a = p->first; a < end && res;) {
            uint32_t b = a;
            while (b < end && vals[b].group == vals[a].group)
                b++;
            res = any_match(e, p, a, b);
            a = b;
        }
    }
    return p->neg ? !res : res;
}

static bool pred_cached(evalctx *e, uint32_t pi)
{
    tr_sigma_scratch *s = e->s;
    if (s->pgen[pi] == s->gen)
        return s->pval[pi];
    bool r = pred_eval(e, &s->rs->preds.v[pi]);
    s->pgen[pi] = s->gen;
    s->pval[pi] = r;
    return r;
}

static bool node_eval(evalctx *e, uint32_t ni)
{
    const tr_ruleset *rs = e->s->rs;
    const sg_node *n = &rs->nodes.v[ni];
    const uint32_t *k = rs->kids.v + n->first;
    switch (n->op) {
    case SG_N_TRUE:
        return true;
    case SG_N_PRED:
        return pred_cached(e, n->a);
    case SG_N_NOT:
        return !node_eval(e, k[0]);
    case SG_N_AND:
        for (uint32_t i = 0; i < n->n; i++)
            if (!node_eval(e, k[i]))
                return false;
        return true;
    case SG_N_OR:
        for (uint32_t i = 0; i < n->n; i++)
            if (node_eval(e, k[i]))
                return true;
        return false;
    case SG_N_ATLEAST: {
        uint32_t hits = 0;
        for (uint32_t i = 0; i < n->n && hits < n->k; i++)
            hits += node_eval(e, k[i]);
        return hits >= n->k;
    }
    default:
        return false;
    }
}

/* ---- Matched fields ------------------------------------------------------------------------- */

static void add_field(tr_sigma_scratch *s, tr_str name, uint32_t evf)
{
    for (size_t i = 0; i < s->mf.n; i++)
        if (s->mf.v[i].field == &s->ev->fields[evf])
            return;
    if (s->mf.n >= SG_MAX_MATCHED_FIELDS || s->mf.n >= s->mf.cap)
        return;
    const tr_field *f = &s->ev->fields[evf];
    if (!name.n)
        name = f->alias.n ? f->alias : f->name;
    s->mf.v[s->mf.n++] = (tr_sigma_field){ name, sg_scratch_value(s, evf), f };
}

/* The fields of the positive, true predicates under node ni. */
static void collect(evalctx *e, uint32_t ni)
{
    tr_sigma_scratch *s = e->s;
    const tr_ruleset *rs = s->rs;
    const sg_node *n = &rs->nodes.v[ni];
    const uint32_t *k = rs->kids.v + n->first;
    switch (n->op) {
    case SG_N_PRED: {
        const sg_pred *p = &rs->preds.v[n->a];
        if (!pred_cached(e, n->a) || p->neg || p->kind == SG_P_NULL ||
            (p->kind == SG_P_EXISTS && !p->exists))
            return;
        valiter it;
        uint32_t evf;
        vi_start(&it, s, p);
        while (vi_next(&it, &evf)) {
            tr_str v = sg_scratch_value(s, evf);
            bool hit = p->kind == SG_P_EXISTS;
            for (uint32_t i = p->first; i < p->first + p->n && !hit; i++)
                hit = alt_match(e, &rs->values.v[i], v);
            if (hit)
                add_field(s, p->kind == SG_P_KEYWORD ? (tr_str){ NULL, 0 } : p->fname, evf);
        }
        return;
    }
    case SG_N_AND:
    case SG_N_OR:
    case SG_N_ATLEAST:
        for (uint32_t i = 0; i < n->n; i++)
            if (node_eval(e, k[i]))
                collect(e, k[i]);
        return;
    default:
        return; /* NOT: what is absent made it match; nothing to show */
    }
}

/* ---- Scan ----------------------------------------------------------------------------------- */

static bool filtered(evalctx *e, const sg_rule *r, const tr_event *ev)
{
    const tr_ruleset *rs = e->s->rs;
    for (uint32_t i = 0; i < r->nfilters; i++) {
        const sg_filter *f = &rs->filters.v[r->filters[i]];
        if (f->tenant.n && !tr_str_eq(f->tenant, ev->tenant))
            continue;
        if (!rs->no_logsource_filter && !route_applies(&f->route, &ev->logsource))
            continue;
        if (node_eval(e, f->root))
            return true;
    }
    return false;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void report_limit(tr_sigma_scratch *s, uint32_t rule)
{
    if (s->re_reported[rule])
        return;
    s->re_reported[rule] = 1;
    const tr_rule_info *ri = &s->rs->rules.v[rule].info;
    tr_log_at(TR_LOG_WARN, ri->path, ri->line,
              "rule '%.*s': a regular expression hit the PCRE2 match limit on %.*s record %" PRIu64
              " and counted as not matching (reported once per rule and thread)",
              TR_STR_FMT(ri->title), TR_STR_FMT(s->ev->path), s->ev->record);
}

tr_err tr_sigma_scan(const tr_ruleset *rs, tr_sigma_scratch *s, const tr_event *ev,
                     tr_sigma_match_fn cb, void *ctx)
{
    if (!s || s->rs != rs)
        return TR_EINVAL;
    tr_err err = prepare_event(s, ev);
    if (err)
        return err;
    s->stats.events++;
    sg_lscache *ls = logsource(s, ev);
    s->cur_ls = ls;
    /* Candidates: applicable rules without atoms, plus atom hits. */
    for (uint32_t i = 0; i < ls->nalways; i++) {
        s->cgen[ls->always[i]] = s->gen;
        if (!TR_VEC_PUSH(&s->cands, ls->always[i]))
            return TR_ENOMEM;
    }
    if ((err = sg_plan_prefilter(rs, s)))
        return err;
    s->decided = sg_plan_prefiltered(rs->plan);
    if (s->cands.n > 1)
        qsort(s->cands.v, s->cands.n, sizeof(uint32_t), cmp_u32);
    if (!s->mf.cap && !tr_vec_grow((void **)&s->mf.v, &s->mf.cap, SG_MAX_MATCHED_FIELDS,
                                   sizeof(tr_sigma_field)))
        return TR_ENOMEM;
    evalctx e = { s, 0, false };
    for (size_t ci = 0; ci < s->cands.n; ci++) {
        uint32_t ri = s->cands.v[ci];
        const sg_rule *r = &rs->rules.v[ri];
        e.rule = ri;
        e.limit_hit = false;
        s->stats.candidates++;
        bool m = node_eval(&e, r->root);
        if (e.limit_hit)
            report_limit(s, ri);
        if (!m)
            continue;
        if (r->nfilters && filtered(&e, r, ev)) {
            s->stats.filtered++;
            continue;
        }
        s->mf.n = 0;
        collect(&e, r->root);
        s->stats.matches++;
        tr_sigma_match mt = { &r->info, s->mf.v, (uint32_t)s->mf.n };
        if (cb && cb(&mt, ctx))
            break;
    }
    return TR_OK;
}
