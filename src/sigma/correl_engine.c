/*
 * correl_engine.c - the Sigma correlation runtime: compiling the loaded
 * correlation documents into lookup tables, feeding detections into the
 * groups' windows, emitting correlation detections and chaining them into
 * the correlations built on them.
 *
 * The loader (ruleset.c) has parsed, validated and resolved the documents;
 * this file only decides, per rule and per correlation, which field to read
 * for each group-by name (aliases) and which correlations a detection
 * feeds. Evaluation is in correl_eval.c, the groups in correl_window.c.
 */
#include "core/common.h"

#include "sigma/correl_int.h"
#include "trawl/log.h"

#define DEFAULT_CAP ((size_t)256 << 20)
#define MAX_CHAIN 32

static bool is_value_type(tr_correl_type t)
{
    return t == TR_CORREL_VALUE_COUNT || t == TR_CORREL_VALUE_SUM || t == TR_CORREL_VALUE_AVG ||
           t == TR_CORREL_VALUE_PERCENTILE;
}

/* The field events of ref r carry for name (a group-by name or a condition
 * field): the alias for that rule when there is one, else the name itself. */
static tr_str resolve_alias(const tr_correl_info *ci, uint32_t r, tr_str name)
{
    for (uint32_t a = 0; a < ci->naliases; a++)
        if (ci->aliases[a].ref == r && tr_str_eq(ci->aliases[a].alias, name))
            return ci->aliases[a].field;
    return name;
}

static bool add_unique(tr_str *v, uint32_t *n, tr_str s)
{
    for (uint32_t i = 0; i < *n; i++)
        if (tr_str_eq(v[i], s))
            return false;
    v[(*n)++] = s;
    return true;
}

/* True when ref r of ci names the same rule as an earlier ref (only the
 * first counts: one event is one entry). */
static bool dup_ref(const tr_correl_info *ci, uint32_t r)
{
    for (uint32_t q = 0; q < r; q++)
        if (ci->refs[q].is_correlation == ci->refs[r].is_correlation &&
            ci->refs[q].index == ci->refs[r].index)
            return true;
    return false;
}

static tr_err compile_one(tr_correl *c, uint32_t k, bool *ok)
{
    ccorr *cc = &c->cc[k];
    const tr_correl_info *ci = cc->info;
    *ok = false;
    cc->out_id = ci->id.n ? ci->id : ci->name.n ? ci->name : ci->title;
    cc->nrefs = ci->nrefs;
    cc->ngb = ci->ngroup_by;
    cc->nvf = is_value_type(ci->type) ? ci->ncond_fields : 0;
    if (cc->ngb > CORREL_MAX_GB || cc->nvf > CORREL_MAX_VF) {
        tr_log_at(TR_LOG_WARN, ci->path, ci->line, "correlation '%.*s': more than %d group-by "
                  "fields or %d condition fields: not run", TR_STR_FMT(ci->title), CORREL_MAX_GB,
                  CORREL_MAX_VF);
        return TR_OK;
    }
    unsigned upper = TR_CORREL_LT | TR_CORREL_LTE | TR_CORREL_EQ | TR_CORREL_NEQ;
    cc->growing = !(ci->cond_ops & upper) && ci->type != TR_CORREL_VALUE_AVG &&
                  ci->type != TR_CORREL_VALUE_PERCENTILE;
    size_t n = (size_t)cc->nrefs;
    cc->gb = tr_arena_alloc(c->arena, (n * cc->ngb + 1) * sizeof(tr_str));
    cc->vf = tr_arena_alloc(c->arena, (n * cc->nvf + 1) * sizeof(tr_str));
    if (!cc->gb || !cc->vf)
        return TR_ENOMEM;
    for (uint32_t r = 0; r < cc->nrefs; r++) {
        for (uint32_t g = 0; g < cc->ngb; g++)
            cc->gb[r * cc->ngb + g] = resolve_alias(ci, r, ci->group_by[g]);
        for (uint32_t f = 0; f < cc->nvf; f++)
            cc->vf[r * cc->nvf + f] = resolve_alias(ci, r, ci->cond_fields[f]);
    }
    *ok = true;
    return TR_OK;
}

static tr_err compile(tr_correl *c)
{
    const tr_ruleset *rs = c->rs;
    c->ncc = tr_ruleset_correlation_count(rs);
    c->nrules = tr_ruleset_count(rs);
    c->cc = tr_arena_alloc(c->arena, (c->ncc + 1) * sizeof(ccorr));
    c->rule_off = tr_arena_alloc(c->arena, (c->nrules + 2) * sizeof(uint32_t));
    c->rfield_off = tr_arena_alloc(c->arena, (c->nrules + 2) * sizeof(uint32_t));
    bool *ok = tr_calloc(c->ncc + 1, sizeof(bool));
    uint32_t *nuses = tr_calloc(c->nrules + 1, sizeof(uint32_t));
    tr_err err = (c->cc && c->rule_off && c->rfield_off && ok && nuses) ? TR_OK : TR_ENOMEM;
    if (err)
        goto out;
    memset(c->cc, 0, (c->ncc + 1) * sizeof(ccorr));
    for (uint32_t k = 0; k < c->ncc && !err; k++) {
        c->cc[k].info = tr_ruleset_correlation(rs, k);
        err = compile_one(c, k, &ok[k]);
    }
    /* who feeds whom */
    uint32_t total = 0;
    for (uint32_t k = 0; k < c->ncc && !err; k++) {
        const tr_correl_info *ci = c->cc[k].info;
        for (uint32_t r = 0; ok[k] && r < ci->nrefs; r++) {
            if (dup_ref(ci, r))
                continue;
            if (ci->refs[r].is_correlation) {
                c->cc[ci->refs[r].index].nouts++;
            } else if (ci->refs[r].index < c->nrules) {
                nuses[ci->refs[r].index]++;
                total++;
            }
        }
    }
    c->rule_off[0] = 0;
    for (uint32_t i = 0; i < c->nrules; i++)
        c->rule_off[i + 1] = c->rule_off[i] + nuses[i];
    c->uses = tr_arena_alloc(c->arena, (total + 1) * sizeof(cuse));
    if (!err && !c->uses)
        err = TR_ENOMEM;
    for (uint32_t k = 0; k < c->ncc && !err; k++) {
        ccorr *cc = &c->cc[k];
        cc->outs = tr_arena_alloc(c->arena, (cc->nouts + 1) * sizeof(cuse));
        if (!cc->outs)
            err = TR_ENOMEM;
        cc->nouts = 0;
    }
    memset(nuses, 0, (c->nrules + 1) * sizeof(uint32_t));
    bool *referenced = tr_calloc(c->ncc + 1, sizeof(bool));
    bool *generated = tr_calloc(c->ncc + 1, sizeof(bool));
    if (!err && (!referenced || !generated))
        err = TR_ENOMEM;
    for (uint32_t k = 0; k < c->ncc && !err; k++) {
        const tr_correl_info *ci = c->cc[k].info;
        for (uint32_t r = 0; ok[k] && r < ci->nrefs; r++) {
            if (dup_ref(ci, r))
                continue;
            uint32_t t = ci->refs[r].index;
            cuse u = { k, r };
            if (ci->refs[r].is_correlation) {
                c->cc[t].outs[c->cc[t].nouts++] = u;
                referenced[t] = true;
                generated[t] |= ci->generate;
            } else if (t < c->nrules) {
                c->uses[c->rule_off[t] + nuses[t]++] = u;
            }
        }
    }
    for (uint32_t k = 0; k < c->ncc && !err; k++)
        c->cc[k].internal = referenced[k] && !generated[k];
    tr_free(referenced);
    tr_free(generated);
    /* per rule: the event fields its detections must carry */
    uint32_t nf = 0;
    for (uint32_t i = 0; i < c->nrules && !err; i++)
        for (uint32_t u = c->rule_off[i]; u < c->rule_off[i + 1]; u++)
            nf += c->cc[c->uses[u].correl].ngb + c->cc[c->uses[u].correl].nvf;
    c->rfields = tr_arena_alloc(c->arena, (nf + 1) * sizeof(tr_str));
    if (!err && !c->rfields)
        err = TR_ENOMEM;
    uint32_t w = 0;
    for (uint32_t i = 0; i < c->nrules && !err; i++) {
        c->rfield_off[i] = w;
        uint32_t n = 0;
        for (uint32_t u = c->rule_off[i]; u < c->rule_off[i + 1]; u++) {
            const ccorr *cc = &c->cc[c->uses[u].correl];
            uint32_t r = c->uses[u].ref;
            for (uint32_t g = 0; g < cc->ngb; g++)
                add_unique(c->rfields + w, &n, cc->gb[r * cc->ngb + g]);
            for (uint32_t f = 0; f < cc->nvf; f++)
                add_unique(c->rfields + w, &n, cc->vf[r * cc->nvf + f]);
        }
        w += n;
    }
    if (!err)
        c->rfield_off[c->nrules] = w;
out:
    tr_free(ok);
    tr_free(nuses);
    return err;
}

tr_err tr_correl_new(const tr_ruleset *rs, const tr_correl_opts *opts, tr_correl **out)
{
    *out = NULL;
    tr_correl *c = tr_calloc(1, sizeof(*c));
    if (!c)
        return TR_ENOMEM;
    c->rs = rs;
    if (opts)
        c->o = *opts;
    if (!c->o.memory_cap)
        c->o.memory_cap = DEFAULT_CAP;
    if (c->o.lateness_ns < 0)
        c->o.lateness_ns = 0;
    tr_buf_init(&c->key, 0);
    c->arena = tr_arena_new(0, 0);
    c->path_idx = tr_map_new(64, 0);
    c->str_idx = tr_map_new(64, 0);
    c->tenant_idx = tr_map_new(64, 0);
    tr_err err = (c->arena && c->path_idx && c->str_idx && c->tenant_idx) ? TR_OK : TR_ENOMEM;
    if (!err)
        err = compile(c);
    if (err) {
        tr_correl_free(c);
        return err;
    }
    *out = c;
    return TR_OK;
}

void tr_correl_free(tr_correl *c)
{
    if (!c)
        return;
    while (c->lru_head)
        correl_group_free(c, c->lru_head);
    tr_free(c->tab);
    TR_VEC_FREE(&c->paths);
    TR_VEC_FREE(&c->strs);
    TR_VEC_FREE(&c->tenants);
    TR_VEC_FREE(&c->wm);
    TR_VEC_FREE(&c->gkv);
    TR_VEC_FREE(&c->ids);
    TR_VEC_FREE(&c->set);
    TR_VEC_FREE(&c->cnt);
    tr_map_free(c->path_idx);
    tr_map_free(c->str_idx);
    tr_map_free(c->tenant_idx);
    tr_buf_release(&c->key);
    tr_arena_free(c->arena);
    tr_free(c);
}

uint32_t tr_correl_count(const tr_correl *c)
{
    return c->ncc;
}

uint32_t tr_correl_rule_fields(const tr_correl *c, uint32_t rule, const tr_str **names)
{
    *names = NULL;
    if (rule >= c->nrules)
        return 0;
    *names = c->rfields + c->rfield_off[rule];
    return c->rfield_off[rule + 1] - c->rfield_off[rule];
}

bool tr_correl_uses_rule(const tr_correl *c, uint32_t rule)
{
    return rule < c->nrules && c->rule_off[rule + 1] > c->rule_off[rule];
}

const tr_correl_stats *tr_correl_stats_get(const tr_correl *c)
{
    ((tr_correl *)c)->st.bytes = c->bytes;
    return &c->st;
}

bool tr_correl_dirty(const tr_correl *c)
{
    return c->dirty;
}

/* ---- feeding ---- */

/* The value of name in d: its group values first (a chained correlation
 * detection), then its fields; exact name, then ignoring ASCII case. */
static bool lookup(const tr_detection *d, tr_str name, tr_str *out)
{
    for (int pass = 0; pass < 2; pass++) {
        const tr_kv *kv = pass == 0 ? d->group : d->fields;
        uint32_t n = pass == 0 ? d->ngroup : d->nfields;
        for (uint32_t i = 0; i < n; i++)
            if (tr_str_eq(kv[i].key, name)) {
                *out = kv[i].value;
                return true;
            }
    }
    for (int pass = 0; pass < 2; pass++) {
        const tr_kv *kv = pass == 0 ? d->group : d->fields;
        uint32_t n = pass == 0 ? d->ngroup : d->nfields;
        for (uint32_t i = 0; i < n; i++)
            if (kv[i].key.n == name.n && tr_mem_eq_nocase(kv[i].key.p, name.p, name.n)) {
                *out = kv[i].value;
                return true;
            }
    }
    return false;
}

static bool parse_number(tr_str s, double *out)
{
    char buf[64];
    if (s.n == 0 || s.n >= sizeof(buf))
        return false;
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || end == buf || *end)
        return false;
    *out = v;
    return true;
}

static void tenant_seen(tr_correl *c, tr_str tenant, int64_t ts)
{
    uint32_t i = correl_intern(c, c->tenant_idx, &c->tenants, tenant);
    if (i == CORREL_NONE)
        return;
    while (c->wm.n <= i)
        if (!TR_VEC_PUSH(&c->wm, INT64_MIN))
            return;
    if (ts > c->wm.v[i])
        c->wm.v[i] = ts;
}

static int64_t tenant_wm(const tr_correl *c, tr_str tenant)
{
    uint64_t i;
    return tr_map_get(c->tenant_idx, tenant, &i) && i < c->wm.n ? c->wm.v[i] : INT64_MIN;
}

/* Puts event d into the window of its group for ref r of correlation k. */
static tr_err add_event(tr_correl *c, uint32_t k, uint32_t r, const tr_detection *d,
                        tr_correl_emit_fn emit, void *ctx)
{
    const ccorr *cc = &c->cc[k];
    const tr_correl_info *ci = cc->info;
    if (d->ts == TR_TS_NONE) {
        c->st.no_time++;
        return TR_OK;
    }
    tr_str vals[CORREL_MAX_GB + 1];
    for (uint32_t g = 0; g < cc->ngb; g++)
        if (!lookup(d, cc->gb[r * cc->ngb + g], &vals[g])) {
            c->st.missing_field++;
            return TR_OK;
        }
    cval v[CORREL_MAX_VF];
    memset(v, 0, sizeof(v));
    for (uint32_t f = 0; f < cc->nvf; f++) {
        tr_str s;
        if (!lookup(d, cc->vf[r * cc->nvf + f], &s)) {
            c->st.missing_field++;
            return TR_OK;
        }
        switch (ci->type) {
        case TR_CORREL_VALUE_SUM:
        case TR_CORREL_VALUE_AVG:
            if (!parse_number(s, &v[f].d)) {
                c->st.not_numeric++;
                return TR_OK;
            }
            break;
        case TR_CORREL_VALUE_PERCENTILE: {
            uint32_t i = correl_intern(c, c->str_idx, &c->strs, s);
            if (i == CORREL_NONE)
                return TR_ENOMEM;
            v[f].h = i;
            break;
        }
        default:
            v[f].h = tr_hash64(s.p, s.n, 0x76616c7565);
            break;
        }
    }
    uint32_t path = correl_intern(c, c->path_idx, &c->paths, d->path);
    cgroup *g = correl_group_get(c, k, d->tenant, vals, cc->ngb);
    if (!g || path == CORREL_NONE)
        return TR_ENOMEM;
    int64_t span = ci->timespan_ns;
    if (g->n && d->ts < g->newest) {
        int64_t slack = span > INT64_MAX - c->o.lateness_ns ? INT64_MAX : span + c->o.lateness_ns;
        if (g->newest - d->ts > slack) {
            c->st.too_late++;
            return TR_OK;
        }
        c->st.late++;
    }
    if (!correl_group_reserve(c, g))
        return TR_ENOMEM;
    /* insert after every entry at or before d->ts (arrival order on ties) */
    uint32_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->e[mid].ts <= d->ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(&g->e[lo + 1], &g->e[lo], (size_t)(g->n - lo) * sizeof(centry));
    centry *e = &g->e[lo];
    e->ts = d->ts;
    e->seq = ++c->seq;
    e->id = d->id ? d->id : tr_detection_id(d);
    e->record = d->record;
    e->line = d->line;
    e->source_gen = d->source_gen;
    e->path = path;
    e->ref = r;
    memcpy(e->v, v, sizeof(v));
    g->n++;
    if (d->ts > g->newest)
        g->newest = d->ts;
    c->st.used++;
    c->dirty = true;
    correl_group_touch(c, g);
    tenant_seen(c, d->tenant, d->ts);
    tr_err err = correl_after_insert(c, k, g, lo, d, emit, ctx);
    if (g->n == 0 && !c->finishing)
        correl_group_free(c, g);
    return err;
}

tr_err correl_fire(tr_correl *c, uint32_t k, const cwin *w, const tr_kv *extra,
                   const uint64_t *ids, uint32_t nids, tr_correl_emit_fn emit, void *ctx)
{
    const ccorr *cc = &c->cc[k];
    const tr_correl_info *ci = cc->info;
    const cgroup *g = w->g;
    centry last = g->e[w->j], first = g->e[w->i];
    /* own copies: chained correlations reuse the engine's scratch */
    uint32_t ngkv = g->nvals + (extra ? 1 : 0);
    tr_kv *gkv = tr_malloc((ngkv + 1) * sizeof(*gkv));
    uint64_t *contrib = tr_malloc(((size_t)nids + 1) * sizeof(*contrib));
    if (!gkv || !contrib) {
        tr_free(gkv);
        tr_free(contrib);
        return TR_ENOMEM;
    }
    for (uint32_t i = 0; i < g->nvals; i++)
        gkv[i] = (tr_kv){ ci->group_by[i], g->vals[i] };
    if (extra)
        gkv[g->nvals] = *extra;
    memcpy(contrib, ids, (size_t)nids * sizeof(*contrib));
    tr_detection d;
    memset(&d, 0, sizeof(d));
    d.kind = TR_DET_CORRELATION;
    d.flags = cc->internal ? TR_DET_INTERNAL : 0;
    d.ts = last.ts;
    d.tenant = g->tenant;
    d.rule_id = cc->out_id;
    d.rule_title = ci->title;
    d.level = ci->level;
    d.tags = ci->tags;
    d.ntags = ci->ntags;
    if (w->cur) {
        d.logsource = w->cur->logsource;
        d.fields = w->cur->fields;
        d.nfields = w->cur->nfields;
    }
    d.path = last.path < c->paths.n ? c->paths.v[last.path] : (tr_str){ "", 0 };
    d.source_gen = last.source_gen;
    d.record = last.record;
    d.line = last.line;
    d.first_record = first.record;
    if (first.path != last.path && first.path < c->paths.n)
        d.first_path = c->paths.v[first.path];
    d.group = gkv;
    d.ngroup = ngkv;
    d.contributing = contrib;
    d.ncontributing = nids;
    d.id = tr_detection_id(&d);
    c->st.fired++;
    if (cc->internal)
        c->st.internal++;
    tr_err err = emit ? emit(ctx, &d) : TR_OK;
    if (!err && cc->nouts) {
        if (c->depth >= MAX_CHAIN) {
            err = TR_ELIMIT;
        } else {
            c->depth++;
            for (uint32_t u = 0; u < cc->nouts && !err; u++)
                err = add_event(c, cc->outs[u].correl, cc->outs[u].ref, &d, emit, ctx);
            c->depth--;
        }
    }
    tr_free(gkv);
    tr_free(contrib);
    return err;
}

/* Frees or closes idle groups at the head of the LRU list whose tenant has
 * moved past all their windows: keeps a long stream's memory flat. */
static tr_err sweep(tr_correl *c, tr_correl_emit_fn emit, void *ctx)
{
    tr_err err = TR_OK;
    for (int n = 0; n < 4 && c->lru_head && !err; n++) {
        cgroup *g = c->lru_head;
        const ccorr *cc = &c->cc[g->correl];
        int64_t wm = tenant_wm(c, g->tenant);
        int64_t reach = g->newest;
        int64_t slack = cc->info->timespan_ns;
        reach = reach > INT64_MAX - slack ? INT64_MAX : reach + slack;
        reach = reach > INT64_MAX - c->o.lateness_ns ? INT64_MAX : reach + c->o.lateness_ns;
        if (g->n && wm <= reach)
            break;
        if (g->n && !cc->growing)
            err = correl_close_due(c, g->correl, g, true, emit, ctx);
        c->dirty = true; /* expired events, or at least the group's place */
        correl_group_free(c, g);
    }
    return err;
}

tr_err tr_correl_feed_rule(tr_correl *c, uint32_t rule, const tr_detection *d,
                           tr_correl_emit_fn emit, void *ctx)
{
    c->st.fed++;
    if (rule >= c->nrules)
        return TR_OK;
    tr_err err = TR_OK;
    /* Any use may change saved state without inserting an event (a group's
     * place in the LRU, an interned path, a watermark): the checkpoint after
     * it must save the windows, or a resumed run starts from older ones. */
    if (c->rule_off[rule] < c->rule_off[rule + 1])
        c->dirty = true;
    for (uint32_t u = c->rule_off[rule]; u < c->rule_off[rule + 1] && !err; u++)
        err = add_event(c, c->uses[u].correl, c->uses[u].ref, d, emit, ctx);
    if (!err)
        err = sweep(c, emit, ctx);
    correl_enforce_cap(c, NULL);
    return err;
}

tr_err tr_correl_feed(tr_correl *c, const tr_detection *d, tr_correl_emit_fn emit, void *ctx)
{
    if (d->kind != TR_DET_SIGMA || c->ncc == 0) {
        c->st.fed++;
        return TR_OK;
    }
    const tr_rule_info *ri = tr_ruleset_find(c->rs, d->rule_id);
    if (!ri) {
        c->st.fed++;
        return TR_OK;
    }
    return tr_correl_feed_rule(c, ri->index, d, emit, ctx);
}

tr_err tr_correl_finish(tr_correl *c, tr_correl_emit_fn emit, void *ctx)
{
    tr_err err = TR_OK;
    /* Every closing window is evaluated before any group is dropped: a
     * detection fired here may complete a window of a correlation chained
     * on it, whatever its place in the list. Groups are not freed during
     * the passes (so the walk stays valid); groups a chained detection
     * touches move to the tail and are seen by this pass or the next. */
    c->finishing = true;
    for (bool again = true; again && !err;) {
        again = false;
        for (cgroup *g = c->lru_head; g && !err; g = g->next) {
            if (g->n && !c->cc[g->correl].growing) {
                err = correl_close_due(c, g->correl, g, true, emit, ctx);
                again = true;
            }
        }
    }
    c->finishing = false;
    while (c->lru_head)
        correl_group_free(c, c->lru_head);
    if (c->st.evicted_groups)
        tr_log(TR_LOG_WARN, "correlations: the memory cap dropped %" PRIu64 " windows (%" PRIu64
               " events)", c->st.evicted_groups, c->st.evicted_events);
    c->dirty = true;
    return err;
}

tr_err tr_correl_post_detection(void *c, const tr_detection *d, tr_correl_emit_fn add,
                                void *addctx)
{
    return tr_correl_feed(c, d, add, addctx);
}

tr_err tr_correl_post_finish(void *c, tr_correl_emit_fn add, void *addctx)
{
    return tr_correl_finish(c, add, addctx);
}
