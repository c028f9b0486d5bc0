/*
 * document.c - one YAML document to a detection rule, a filter or a
 * correlation rule, with every piece of metadata kept.
 *
 * A document whose detection cannot be evaluated exactly is rejected with
 * its reason (path:line) and leaves nothing behind: the expression arrays
 * are rolled back to where they were. Metadata that is merely unusual (an
 * unknown level, a tag that is not a list) is kept and reported as a
 * warning.
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/jsonstr.h"
#include "sigma/loader.h"
#include "trawl/log.h"

#define DOC_BUDGET 200000

void sg_diag(sg_loader *L, tr_sigma_diag_level level, const char *path, uint64_t line,
             const char *kind, tr_str title, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char t[272];
    snprintf(t, sizeof(t), "%.*s", (int)TR_MIN(title.n, 256), title.p ? title.p : "");
    if (level == TR_SIGMA_WARNING)
        L->rs->stats.warnings++;
    if (L->opts && L->opts->diag) {
        tr_sigma_diag d = { level, path, line, msg, kind, t };
        L->opts->diag(&d, L->opts->diag_ctx);
        return;
    }
    tr_log_at(level == TR_SIGMA_ERROR ? TR_LOG_ERROR : TR_LOG_WARN, path, line, "%s", msg);
}

/* ---- Metadata helpers ----------------------------------------------------------------------- */

static tr_str keep(tr_ruleset *rs, tr_str s)
{
    tr_str r = tr_arena_strdup(rs->arena, s.p ? s.p : "", s.n);
    return r.p ? r : (tr_str){ NULL, 0 };
}

typedef struct docctx {
    sg_loader *L;
    const char *path;
    const char *kind;
    tr_str title;
    bool oom;
} docctx;

static void warn(docctx *d, uint32_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(docctx *d, uint32_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sg_diag(d->L, TR_SIGMA_WARNING, d->path, line, d->kind, d->title, "%s", msg);
}

/* A scalar metadata value (numbers and dates are kept as written). */
static tr_str meta_str(docctx *d, const sg_ynode *root, const char *key)
{
    const sg_ynode *n = sg_ymap_get(root, key);
    if (!n || (n->kind == SG_Y_SCALAR && n->type == SG_YT_NULL))
        return (tr_str){ "", 0 };
    if (n->kind != SG_Y_SCALAR) {
        warn(d, n->line, "'%s' should be a string; ignored", key);
        return (tr_str){ "", 0 };
    }
    tr_str s = keep(d->L->rs, n->s);
    if (!s.p)
        d->oom = true;
    return s;
}

/* A list of strings; a single string is taken as a list of one. */
static const tr_str *meta_list(docctx *d, const sg_ynode *root, const char *key, uint32_t *n)
{
    *n = 0;
    const sg_ynode *v = sg_ymap_get(root, key);
    if (!v || (v->kind == SG_Y_SCALAR && v->type == SG_YT_NULL))
        return NULL;
    uint32_t cnt = v->kind == SG_Y_SEQ ? v->n : 1;
    if (v->kind == SG_Y_MAP) {
        warn(d, v->line, "'%s' should be a list of strings; ignored", key);
        return NULL;
    }
    tr_str *out = tr_arena_alloc(d->L->rs->arena, (cnt ? cnt : 1) * sizeof(tr_str));
    if (!out) {
        d->oom = true;
        return NULL;
    }
    if (v->kind == SG_Y_SCALAR) {
        warn(d, v->line, "'%s' should be a list; taken as a list of one", key);
        out[0] = keep(d->L->rs, v->s);
        *n = 1;
        return out;
    }
    for (uint32_t i = 0; i < v->n; i++) {
        const sg_ynode *it = v->items[i];
        if (it->kind != SG_Y_SCALAR) {
            warn(d, it->line, "item of '%s' should be a string; ignored", key);
            continue;
        }
        out[(*n)++] = keep(d->L->rs, it->s);
    }
    return out;
}

static void json_node(tr_jw *w, const sg_ynode *n, int depth)
{
    if (depth > SG_YAML_MAX_DEPTH) {
        tr_jw_null(w);
        return;
    }
    switch (n->kind) {
    case SG_Y_MAP:
        tr_jw_obj(w);
        for (uint32_t i = 0; i < n->n; i++) {
            const sg_ynode *k = sg_ymap_key(n, i);
            tr_jw_keyn(w, k->kind == SG_Y_SCALAR ? k->s.p : "?",
                       k->kind == SG_Y_SCALAR ? k->s.n : 1);
            json_node(w, sg_ymap_val(n, i), depth + 1);
        }
        tr_jw_end(w);
        return;
    case SG_Y_SEQ:
        tr_jw_arr(w);
        for (uint32_t i = 0; i < n->n; i++)
            json_node(w, n->items[i], depth + 1);
        tr_jw_end(w);
        return;
    default:
        break;
    }
    double num;
    switch (n->type) {
    case SG_YT_NULL:
        tr_jw_null(w);
        return;
    case SG_YT_BOOL:
        tr_jw_bool(w, n->s.p[0] == 't' || n->s.p[0] == 'T');
        return;
    case SG_YT_INT:
    case SG_YT_FLOAT: {
        /* JSON numbers only: 0x1f and .inf stay strings. */
        bool plain = sg_parse_number(n->s, &num) && !memchr(n->s.p, 'x', n->s.n) &&
                     n->s.p[0] != '+' && !(n->s.n > 1 && n->s.p[0] == '0' && n->s.p[1] != '.') &&
                     n->s.p[0] != '.';
        if (plain) {
            tr_jw_raw(w, n->s.p, n->s.n);
            return;
        }
        break;
    }
    default:
        break;
    }
    tr_jw_strn(w, n->s.p, n->s.n);
}

static const tr_sigma_kv *meta_custom(docctx *d, const sg_ynode *root, const char *const *known,
                                      uint32_t *n)
{
    *n = 0;
    tr_sigma_kv *out = tr_arena_alloc(d->L->rs->arena, (root->n ? root->n : 1) * sizeof(*out));
    if (!out) {
        d->oom = true;
        return NULL;
    }
    tr_buf b = TR_BUF_INIT;
    for (uint32_t i = 0; i < root->n; i++) {
        const sg_ynode *k = sg_ymap_key(root, i);
        if (k->kind != SG_Y_SCALAR)
            continue;
        bool is_known = false;
        for (const char *const *kk = known; *kk && !is_known; kk++)
            is_known = tr_str_eq(k->s, tr_str_c(*kk));
        if (is_known)
            continue;
        tr_buf_reset(&b);
        tr_jw w;
        tr_jw_init(&w, &b);
        json_node(&w, sg_ymap_val(root, i), 0);
        if (w.err) {
            d->oom = true;
            break;
        }
        out[*n].key = keep(d->L->rs, k->s);
        out[*n].json = keep(d->L->rs, (tr_str){ b.p, b.n });
        (*n)++;
    }
    tr_buf_release(&b);
    return out;
}

static bool one_of(tr_str s, const char *const *words)
{
    for (; *words; words++)
        if (tr_str_eq(s, tr_str_c(*words)))
            return true;
    return false;
}

static tr_str lower_keep(tr_ruleset *rs, tr_str s)
{
    tr_str r = keep(rs, s);
    for (size_t i = 0; r.p && i < r.n; i++)
        ((char *)r.p)[i] = (char)tr_ascii_lower((unsigned char)r.p[i]);
    return r;
}

/* logsource: product, category, service, definition (+ any other key, ignored). */
static tr_err read_logsource(docctx *d, sg_ctx *c, const sg_ynode *root, tr_sigma_logsource *ls,
                             sg_route *route)
{
    memset(ls, 0, sizeof(*ls));
    memset(route, 0, sizeof(*route));
    const sg_ynode *n = sg_ymap_get(root, "logsource");
    if (!n)
        return sg_fail(c, 0, "no logsource (it is mandatory)");
    if (n->kind != SG_Y_MAP)
        return sg_fail(c, n->line, "logsource must be a map");
    static const char *const keys[] = { "product", "category", "service", "definition" };
    tr_str *dst[] = { &ls->product, &ls->category, &ls->service, &ls->definition };
    for (size_t i = 0; i < 4; i++) {
        const sg_ynode *v = sg_ymap_get(n, keys[i]);
        if (!v || (v->kind == SG_Y_SCALAR && v->type == SG_YT_NULL))
            continue;
        if (v->kind != SG_Y_SCALAR)
            return sg_fail(c, v->line, "logsource %s must be a string", keys[i]);
        *dst[i] = keep(d->L->rs, v->s);
    }
    route->product = lower_keep(d->L->rs, ls->product);
    route->category = lower_keep(d->L->rs, ls->category);
    route->service = lower_keep(d->L->rs, ls->service);
    return TR_OK;
}

/* ---- Rollback ------------------------------------------------------------------------------- */

typedef struct mark {
    size_t nodes, kids, preds, values;
} mark;

static mark take_mark(const tr_ruleset *rs)
{
    return (mark){ rs->nodes.n, rs->kids.n, rs->preds.n, rs->values.n };
}

static void rollback(tr_ruleset *rs, mark m)
{
    rs->nodes.n = m.nodes;
    rs->kids.n = m.kids;
    rs->preds.n = m.preds;
    rs->values.n = m.values;
}

static void init_ctx(sg_ctx *c, sg_loader *L, const char *path, uint32_t owner, tr_arena *tmp)
{
    memset(c, 0, sizeof(*c));
    c->rs = L->rs;
    c->tmp = tmp;
    c->ph = &L->ph;
    c->path = path;
    c->owner = owner;
    c->budget = DOC_BUDGET;
    c->keyword_ok = true;
}

/* ---- Detection rules ------------------------------------------------------------------------ */

static const char *const rule_keys[] = { "title", "id", "name", "related", "taxonomy", "status",
                                         "description", "license", "author", "references", "date",
                                         "modified", "logsource", "detection", "fields",
                                         "falsepositives", "level", "tags", "scope", NULL };

static const char *const statuses[] = { "stable", "test", "experimental", "deprecated",
                                        "unsupported", NULL };
static const char *const levels[] = { "informational", "low", "medium", "high", "critical",
                                      NULL };

static void read_common(docctx *d, const sg_ynode *root, tr_rule_info *ri)
{
    ri->title = meta_str(d, root, "title");
    ri->id = meta_str(d, root, "id");
    ri->name = meta_str(d, root, "name");
    ri->status = meta_str(d, root, "status");
    ri->level = meta_str(d, root, "level");
    ri->description = meta_str(d, root, "description");
    ri->author = meta_str(d, root, "author");
    ri->license = meta_str(d, root, "license");
    ri->date = meta_str(d, root, "date");
    ri->modified = meta_str(d, root, "modified");
    ri->taxonomy = meta_str(d, root, "taxonomy");
    if (!ri->taxonomy.n)
        ri->taxonomy = TR_STR("sigma");
    ri->tags = meta_list(d, root, "tags", &ri->ntags);
    ri->references = meta_list(d, root, "references", &ri->nreferences);
    ri->falsepositives = meta_list(d, root, "falsepositives", &ri->nfalsepositives);
    ri->fields = meta_list(d, root, "fields", &ri->nfields);
    ri->scope = meta_list(d, root, "scope", &ri->nscope);
    if (ri->status.n && !one_of(ri->status, statuses))
        warn(d, 0, "unknown status '%.*s'", TR_STR_FMT(ri->status));
    if (ri->level.n && !one_of(ri->level, levels))
        warn(d, 0, "unknown level '%.*s'", TR_STR_FMT(ri->level));
    if (ri->title.n > 256)
        warn(d, 0, "title longer than 256 characters");
}

static void read_related(docctx *d, const sg_ynode *root, tr_rule_info *ri)
{
    const sg_ynode *r = sg_ymap_get(root, "related");
    if (!r)
        return;
    if (r->kind != SG_Y_SEQ) {
        warn(d, r->line, "'related' should be a list of {id, type}; ignored");
        return;
    }
    tr_sigma_related *out = tr_arena_alloc(d->L->rs->arena, (r->n ? r->n : 1) * sizeof(*out));
    if (!out) {
        d->oom = true;
        return;
    }
    static const char *const types[] = { "derived", "obsolete", "merged", "renamed", "similar",
                                         NULL };
    uint32_t n = 0;
    for (uint32_t i = 0; i < r->n; i++) {
        const sg_ynode *it = r->items[i];
        const sg_ynode *id = sg_ymap_get(it, "id"), *ty = sg_ymap_get(it, "type");
        if (!sg_yscalar(id) || !sg_yscalar(ty)) {
            warn(d, it->line, "related entry needs an id and a type; ignored");
            continue;
        }
        if (!one_of(ty->s, types))
            warn(d, ty->line, "unknown related type '%.*s'", TR_STR_FMT(ty->s));
        out[n].id = keep(d->L->rs, id->s);
        out[n].type = keep(d->L->rs, ty->s);
        n++;
    }
    ri->related = out;
    ri->nrelated = n;
}

static tr_err load_rule(sg_loader *L, const char *path, const sg_ydoc *doc, tr_arena *tmp)
{
    tr_ruleset *rs = L->rs;
    const sg_ynode *root = doc->root;
    const sg_ynode *t = sg_ymap_get(root, "title");
    docctx d = { L, path, "rule", sg_yscalar(t) ? t->s : (tr_str){ "", 0 }, false };
    sg_ctx c;
    init_ctx(&c, L, path, (uint32_t)rs->rules.n, tmp);
    mark m = take_mark(rs);
    sg_rule r;
    memset(&r, 0, sizeof(r));
    tr_err err = TR_OK;
    if (L->filters_only) {
        err = sg_fail(&c, doc->line, "a filter directory may only hold filters");
        goto reject;
    }
    if (!sg_yscalar(t) || t->type == SG_YT_NULL || t->s.n == 0) {
        err = sg_fail(&c, t ? t->line : doc->line, "no title (it is mandatory)");
        goto reject;
    }
    if ((err = read_logsource(&d, &c, root, &r.info.logsource, &r.route)))
        goto reject;
    const sg_ynode *det = sg_ymap_get(root, "detection");
    if ((err = sg_detection_build(&c, det, NULL, &r.root)))
        goto reject;
    read_common(&d, root, &r.info);
    read_related(&d, root, &r.info);
    r.info.custom = meta_custom(&d, root, rule_keys, &r.info.ncustom);
    if (d.oom)
        return TR_ENOMEM;
    r.info.index = (uint32_t)rs->rules.n;
    r.info.path = path;
    r.info.line = doc->root->line;
    r.info.standalone = true;
    if (!TR_VEC_PUSH(&rs->rules, r))
        return TR_ENOMEM;
    rs->stats.rules++;
    return TR_OK;
reject:
    rollback(rs, m);
    if (err != TR_ERULE)
        return err;
    rs->stats.rules_rejected++;
    sg_diag(L, TR_SIGMA_ERROR, path, c.errline ? c.errline : doc->root->line, "rule", d.title,
            "%s", c.err);
    return TR_OK;
}

/* ---- Filters -------------------------------------------------------------------------------- */

static tr_err load_filter(sg_loader *L, const char *path, const sg_ydoc *doc, tr_arena *tmp)
{
    tr_ruleset *rs = L->rs;
    const sg_ynode *root = doc->root;
    const sg_ynode *t = sg_ymap_get(root, "title");
    docctx d = { L, path, "filter", sg_yscalar(t) ? t->s : (tr_str){ "", 0 }, false };
    sg_ctx c;
    init_ctx(&c, L, path, (uint32_t)rs->filters.n, tmp);
    mark m = take_mark(rs);
    sg_filter f;
    memset(&f, 0, sizeof(f));
    tr_err err;
    tr_sigma_logsource ls;
    const sg_ynode *fs = sg_ymap_get(root, "filter");
    const sg_ynode *refs = sg_ymap_get(fs, "rules");
    if (!sg_yscalar(t) || t->s.n == 0) {
        err = sg_fail(&c, doc->line, "no title (it is mandatory)");
        goto reject;
    }
    if ((err = read_logsource(&d, &c, root, &ls, &f.route)))
        goto reject;
    if (!fs || fs->kind != SG_Y_MAP) {
        err = sg_fail(&c, fs ? fs->line : doc->line, "filter must be a map");
        goto reject;
    }
    if (!refs || (refs->kind == SG_Y_SEQ && refs->n == 0) || refs->kind == SG_Y_MAP) {
        err = sg_fail(&c, refs ? refs->line : fs->line, "filter needs 'rules': the ids or names "
                      "of the rules it applies to");
        goto reject;
    }
    static const char *const skip[] = { "rules", NULL };
    if ((err = sg_detection_build(&c, fs, skip, &f.root)))
        goto reject;
    uint32_t nr = refs->kind == SG_Y_SEQ ? refs->n : 1;
    f.refs = tr_arena_alloc(rs->arena, nr * sizeof(tr_str));
    if (!f.refs)
        return TR_ENOMEM;
    for (uint32_t i = 0; i < nr; i++) {
        const sg_ynode *it = refs->kind == SG_Y_SEQ ? refs->items[i] : refs;
        if (it->kind != SG_Y_SCALAR) {
            err = sg_fail(&c, it->line, "filter rules must be rule ids or names");
            goto reject;
        }
        f.refs[f.nrefs++] = keep(rs, it->s);
    }
    f.id = meta_str(&d, root, "id");
    f.title = meta_str(&d, root, "title");
    f.path = path;
    f.line = root->line;
    f.tenant = L->tenant;
    if (d.oom)
        return TR_ENOMEM;
    if (!TR_VEC_PUSH(&rs->filters, f))
        return TR_ENOMEM;
    rs->stats.filters++;
    return TR_OK;
reject:
    rollback(rs, m);
    if (err != TR_ERULE)
        return err;
    rs->stats.filters_rejected++;
    sg_diag(L, TR_SIGMA_ERROR, path, c.errline ? c.errline : root->line, "filter", d.title, "%s",
            c.err);
    return TR_OK;
}

/* ---- Correlations --------------------------------------------------------------------------- */

static const char *const correl_keys[] = { "title", "id", "name", "status", "description",
                                           "author", "references", "date", "modified",
                                           "taxonomy", "falsepositives", "level", "tags",
                                           "generate", "correlation", NULL };

static const char *const correl_types[] = { "event_count", "value_count", "temporal",
                                            "temporal_ordered", "value_sum", "value_avg",
                                            "value_percentile", NULL };

const char *tr_correl_type_name(tr_correl_type t)
{
    return (unsigned)t < 7 ? correl_types[t] : "?";
}

static bool parse_timespan(tr_str s, int64_t *ns)
{
    if (s.n < 2)
        return false;
    int64_t v = 0;
    for (size_t i = 0; i + 1 < s.n; i++) {
        if (s.p[i] < '0' || s.p[i] > '9' || v > INT64_C(100000000000))
            return false;
        v = v * 10 + (s.p[i] - '0');
    }
    int64_t unit;
    switch (s.p[s.n - 1]) {
    case 's':
        unit = 1;
        break;
    case 'm':
        unit = 60;
        break;
    case 'h':
        unit = 3600;
        break;
    case 'd':
        unit = 86400;
        break;
    default:
        return false;
    }
    if (v == 0 || v > INT64_MAX / (unit * INT64_C(1000000000)))
        return false;
    *ns = v * unit * INT64_C(1000000000);
    return true;
}

static tr_err load_correlation(sg_loader *L, const char *path, const sg_ydoc *doc, tr_arena *tmp)
{
    tr_ruleset *rs = L->rs;
    const sg_ynode *root = doc->root;
    const sg_ynode *t = sg_ymap_get(root, "title");
    docctx d = { L, path, "correlation", sg_yscalar(t) ? t->s : (tr_str){ "", 0 }, false };
    sg_ctx c;
    init_ctx(&c, L, path, 0, tmp);
    tr_correl_info ci;
    memset(&ci, 0, sizeof(ci));
    tr_err err = TR_ERULE;
    const sg_ynode *co = sg_ymap_get(root, "correlation");
    const sg_ynode *ty = sg_ymap_get(co, "type");
    const sg_ynode *rules = sg_ymap_get(co, "rules");
    const sg_ynode *ts = sg_ymap_get(co, "timespan");
    const sg_ynode *cond = sg_ymap_get(co, "condition");
    const sg_ynode *gb = sg_ymap_get(co, "group-by");
    const sg_ynode *al = sg_ymap_get(co, "aliases");
    const sg_ynode *gen = sg_ymap_get(root, "generate");
    if (L->filters_only) {
        sg_fail(&c, doc->line, "a filter directory may only hold filters");
        goto reject;
    }
    if (!sg_yscalar(t) || t->s.n == 0) {
        sg_fail(&c, doc->line, "no title (it is mandatory)");
        goto reject;
    }
    if (!co || co->kind != SG_Y_MAP) {
        sg_fail(&c, co ? co->line : doc->line, "correlation must be a map");
        goto reject;
    }
    if (!sg_yscalar(ty) || !one_of(ty->s, correl_types)) {
        sg_fail(&c, ty ? ty->line : co->line, "correlation type must be one of event_count, "
                "value_count, temporal, temporal_ordered, value_sum, value_avg, "
                "value_percentile");
        goto reject;
    }
    for (unsigned i = 0; correl_types[i]; i++)
        if (tr_str_eq(ty->s, tr_str_c(correl_types[i])))
            ci.type = (tr_correl_type)i;
    if (!rules || rules->kind == SG_Y_MAP || (rules->kind == SG_Y_SEQ && rules->n == 0)) {
        sg_fail(&c, rules ? rules->line : co->line, "correlation needs 'rules': the rules it "
                "correlates");
        goto reject;
    }
    if (rules->kind == SG_Y_SEQ)
        for (uint32_t i = 0; i < rules->n; i++)
            if (rules->items[i]->kind != SG_Y_SCALAR) {
                sg_fail(&c, rules->items[i]->line, "correlation rules must be ids or names");
                goto reject;
            }
    if (!sg_yscalar(ts) || !parse_timespan(ts->s, &ci.timespan_ns)) {
        sg_fail(&c, ts ? ts->line : co->line, "correlation needs a timespan like 30s, 5m, 1h or "
                "1d");
        goto reject;
    }
    ci.timespan = keep(rs, ts->s);
    if (gb) {
        if (gb->kind == SG_Y_MAP) {
            sg_fail(&c, gb->line, "group-by must be a list of field names");
            goto reject;
        }
        ci.group_by = meta_list(&d, co, "group-by", &ci.ngroup_by);
    }
    bool is_value = ci.type == TR_CORREL_VALUE_COUNT || ci.type == TR_CORREL_VALUE_SUM ||
                    ci.type == TR_CORREL_VALUE_AVG || ci.type == TR_CORREL_VALUE_PERCENTILE;
    bool is_temporal = ci.type == TR_CORREL_TEMPORAL || ci.type == TR_CORREL_TEMPORAL_ORDERED;
    if (cond) {
        if (cond->kind != SG_Y_MAP) {
            sg_fail(&c, cond->line, "correlation condition must be a map such as {gte: 10}");
            goto reject;
        }
        static const char *const ops[] = { "gt", "gte", "lt", "lte", "eq", "neq" };
        double *vals[] = { &ci.gt, &ci.gte, &ci.lt, &ci.lte, &ci.eq, &ci.neq };
        for (uint32_t i = 0; i < cond->n; i++) {
            const sg_ynode *k = sg_ymap_key(cond, i), *v = sg_ymap_val(cond, i);
            if (k->kind != SG_Y_SCALAR)
                continue;
            if (tr_str_eq(k->s, TR_STR("field"))) {
                if (v->kind == SG_Y_MAP) {
                    sg_fail(&c, v->line, "condition field must be a field name or a list");
                    goto reject;
                }
                ci.cond_fields = meta_list(&d, cond, "field", &ci.ncond_fields);
                continue;
            }
            size_t oi = 0;
            while (oi < 6 && !tr_str_eq(k->s, tr_str_c(ops[oi])))
                oi++;
            if (oi == 6) {
                sg_fail(&c, k->line, "unknown correlation condition '%.*s' (gt, gte, lt, lte, "
                        "eq, neq, field)", TR_STR_FMT(k->s));
                goto reject;
            }
            if (!sg_yscalar(v) || !sg_parse_number(v->s, vals[oi])) {
                sg_fail(&c, v->line, "correlation condition %s needs a number", ops[oi]);
                goto reject;
            }
            ci.cond_ops |= 1u << oi;
        }
    }
    if (!is_temporal && !ci.cond_ops) {
        sg_fail(&c, cond ? cond->line : co->line, "%.*s needs a condition such as {gte: 10}",
                TR_STR_FMT(ty->s));
        goto reject;
    }
    if (is_value && ci.ncond_fields == 0) {
        sg_fail(&c, cond ? cond->line : co->line, "%.*s needs 'field' in its condition",
                TR_STR_FMT(ty->s));
        goto reject;
    }
    if (!is_value && ci.ncond_fields)
        warn(&d, cond->line, "'field' is ignored by %.*s", TR_STR_FMT(ty->s));
    if (al && al->kind != SG_Y_MAP) {
        sg_fail(&c, al->line, "aliases must be a map: alias: {rule_name: field}");
        goto reject;
    }
    if (al)
        for (uint32_t i = 0; i < al->n; i++) {
            const sg_ynode *m = sg_ymap_val(al, i);
            if (!sg_yscalar(sg_ymap_key(al, i)) || !m || m->kind != SG_Y_MAP) {
                sg_fail(&c, m ? m->line : al->line, "each alias must map rule names to fields");
                goto reject;
            }
            for (uint32_t j = 0; j < m->n; j++)
                if (!sg_yscalar(sg_ymap_key(m, j)) || !sg_yscalar(sg_ymap_val(m, j))) {
                    sg_fail(&c, m->line, "each alias must map rule names to fields");
                    goto reject;
                }
        }
    if (gen) {
        if (!sg_yscalar(gen) || gen->type != SG_YT_BOOL) {
            sg_fail(&c, gen->line, "generate must be true or false");
            goto reject;
        }
        ci.generate = gen->s.p[0] == 't' || gen->s.p[0] == 'T';
    }
    ci.title = meta_str(&d, root, "title");
    ci.id = meta_str(&d, root, "id");
    ci.name = meta_str(&d, root, "name");
    ci.status = meta_str(&d, root, "status");
    ci.level = meta_str(&d, root, "level");
    ci.description = meta_str(&d, root, "description");
    ci.author = meta_str(&d, root, "author");
    ci.date = meta_str(&d, root, "date");
    ci.modified = meta_str(&d, root, "modified");
    ci.tags = meta_list(&d, root, "tags", &ci.ntags);
    ci.references = meta_list(&d, root, "references", &ci.nreferences);
    ci.falsepositives = meta_list(&d, root, "falsepositives", &ci.nfalsepositives);
    ci.custom = meta_custom(&d, root, correl_keys, &ci.ncustom);
    if (ci.level.n && !one_of(ci.level, levels))
        warn(&d, 0, "unknown level '%.*s'", TR_STR_FMT(ci.level));
    ci.path = path;
    ci.line = root->line;
    ci.index = (uint32_t)rs->correls.n;
    if (d.oom)
        return TR_ENOMEM;
    sg_correl_raw raw = { rules, al };
    if (!TR_VEC_PUSH(&rs->correls, ci) || !TR_VEC_PUSH(&L->correl_raw, raw))
        return TR_ENOMEM;
    return TR_OK;
reject:
    (void)err;
    rs->stats.correlations_rejected++;
    sg_diag(L, TR_SIGMA_ERROR, path, c.errline ? c.errline : root->line, "correlation", d.title,
            "%s", c.err);
    return TR_OK;
}

/* ---- Documents ------------------------------------------------------------------------------ */

tr_err sg_load_text(sg_loader *L, const char *path, const char *text, size_t n)
{
    sg_ystream st;
    char err[512];
    uint32_t errline;
    tr_err e = sg_yaml_parse(text, n, L->yaml_arena, &st, err, sizeof(err), &errline);
    if (e == TR_ENOMEM)
        return e;
    L->rs->stats.files++;
    if (e) {
        /* Documents before the error are still loaded; the rest is lost. */
        L->rs->stats.files_rejected++;
        sg_diag(L, TR_SIGMA_ERROR, path, errline, "file", (tr_str){ "", 0 }, "%s", err);
    }
    tr_arena *tmp = tr_arena_new(0, 0);
    if (!tmp)
        return TR_ENOMEM;
    tr_err rc = TR_OK;
    for (uint32_t i = 0; i < st.ndocs && !rc; i++) {
        const sg_ydoc *doc = &st.docs[i];
        tr_arena_reset(tmp);
        if (!doc->root || (doc->root->kind == SG_Y_SCALAR && doc->root->type == SG_YT_NULL))
            continue; /* an empty document (trailing ---) */
        if (doc->root->kind != SG_Y_MAP) {
            L->rs->stats.rules_rejected++;
            sg_diag(L, TR_SIGMA_ERROR, path, doc->root->line, "rule", (tr_str){ "", 0 },
                    "document is not a map of keys (not a Sigma rule)");
            continue;
        }
        if (sg_ymap_get(doc->root, "correlation"))
            rc = load_correlation(L, path, doc, tmp);
        else if (sg_ymap_get(doc->root, "filter") && !sg_ymap_get(doc->root, "detection"))
            rc = load_filter(L, path, doc, tmp);
        else if (sg_ymap_get(doc->root, "detection"))
            rc = load_rule(L, path, doc, tmp);
        else {
            const sg_ynode *t = sg_ymap_get(doc->root, "title");
            L->rs->stats.rules_rejected++;
            sg_diag(L, TR_SIGMA_ERROR, path, doc->root->line, "rule",
                    sg_yscalar(t) ? t->s : (tr_str){ "", 0 },
                    "no detection, filter or correlation section (not a Sigma rule)");
        }
    }
    tr_arena_free(tmp);
    return rc;
}
