/*
 * feed_stix.c - STIX 2.1 bundles: indicators with STIX patterns, their
 * validity window, and attribution through "indicates" relationships.
 *
 * A bundle may list relationships and intrusion sets before or after the
 * indicators they concern, so the document is read once (pull tokens, no
 * tree) into compact records that point into it: indicators (id, pattern
 * slice, validity, confidence, offset for the line number), "indicates" and
 * "attributed-to" edges (hashed ids), and actor names. Attribution is then
 * resolved — indicator → intrusion-set/threat-actor, or indicator →
 * campaign/malware → attributed-to → intrusion-set/threat-actor — and each
 * indicator's pattern is reduced to values (stix_pattern.c). Patterns the
 * index cannot represent are reported with the indicator id and line.
 */
#include "core/common.h"

#include "core/jsonstr.h"
#include "core/time.h"
#include "ioc/jsonfeed.h"
#include "ioc/stix_pattern.h"

typedef struct sx_ind {
    uint64_t id;           /* hash of the id */
    size_t off;            /* object offset (line numbers) */
    tr_str idtext;         /* slice of the document */
    tr_str pattern;        /* raw JSON string body */
    bool pattern_escaped;
    bool bad_pattern_type; /* pattern_type other than "stix" */
    bool revoked;
    int confidence;
    int64_t valid_from, valid_until;
} sx_ind;

typedef struct sx_edge {
    uint64_t src, dst;
} sx_edge;

typedef struct stix_ctx {
    ioc_feed_ctx *c;
    const char *data;
    TR_VEC(sx_ind) inds;
    TR_VEC(sx_edge) indicates;
    TR_VEC(sx_edge) attributed;
    tr_map *actors;  /* id hash (8 bytes) → index into names */
    TR_VEC(char *) names;
    uint64_t others; /* objects that are neither (counted as skipped) */
    char tmp[1024];
} stix_ctx;

static uint64_t id_hash(tr_str s)
{
    return tr_hash64(s.p, s.n, 0x5717);
}

static int64_t ts_of(const tr_json_tok *t, char *buf, size_t cap)
{
    tr_str s = ioc_jstr(t, buf, cap);
    int64_t ns;
    if (s.n && tr_time_parse_iso8601(s.p, s.n, &ns) == TR_OK)
        return ns;
    return TR_TS_NONE;
}

static tr_err stix_object(stix_ctx *x, tr_json *j, size_t off, int depth);

static tr_err objects_array(stix_ctx *x, tr_json *j, int depth)
{
    tr_json_tok e;
    while (tr_json_element(j, &e)) {
        if (e.type == TR_JSON_OBJ_BEGIN) {
            tr_err err = stix_object(x, j, e.off, depth + 1);
            if (err)
                return err;
        } else if (tr_json_skip(j, &e) != TR_OK) {
            break;
        }
    }
    return TR_OK;
}

/* Reads one object (its '{' was just read); nested "objects" arrays
 * (bundles) are descended into. */
static tr_err stix_object(stix_ctx *x, tr_json *j, size_t off, int depth)
{
    tr_str type = { NULL, 0 }, id = { NULL, 0 }, name = { NULL, 0 }, rel = { NULL, 0 };
    tr_str src = { NULL, 0 }, dst = { NULL, 0 };
    sx_ind ind;
    memset(&ind, 0, sizeof(ind));
    ind.confidence = -1;
    ind.valid_from = ind.valid_until = TR_TS_NONE;
    ind.off = off;
    char nbuf[512];
    tr_json_tok k, v;
    while (tr_json_member(j, &k)) {
        if (tr_json_str_is(&k, "objects") && depth < 4) {
            if (tr_json_next(j, &v) == TR_JSON_ARR_BEGIN) {
                tr_err err = objects_array(x, j, depth);
                if (err)
                    return err;
            } else if (tr_json_skip(j, &v) != TR_OK) {
                return TR_OK;
            }
            continue;
        }
        if (!ioc_jvalue(j, &v))
            return TR_OK;
        if (tr_json_str_is(&k, "type"))
            type = v.text;
        else if (tr_json_str_is(&k, "id"))
            id = v.text;
        else if (tr_json_str_is(&k, "pattern") && v.type == TR_JSON_STRING) {
            ind.pattern = v.text;
            ind.pattern_escaped = v.escaped;
        } else if (tr_json_str_is(&k, "pattern_type"))
            ind.bad_pattern_type = !tr_json_str_is(&v, "stix");
        else if (tr_json_str_is(&k, "valid_from"))
            ind.valid_from = ts_of(&v, x->tmp, sizeof(x->tmp));
        else if (tr_json_str_is(&k, "valid_until"))
            ind.valid_until = ts_of(&v, x->tmp, sizeof(x->tmp));
        else if (tr_json_str_is(&k, "confidence") && v.type == TR_JSON_NUMBER) {
            int64_t c;
            if (tr_json_int(&v, &c) == TR_OK && c >= 0 && c <= 100)
                ind.confidence = (int)c;
        } else if (tr_json_str_is(&k, "revoked"))
            ind.revoked = v.type == TR_JSON_TRUE;
        else if (tr_json_str_is(&k, "name"))
            name = ioc_jstr(&v, nbuf, sizeof(nbuf));
        else if (tr_json_str_is(&k, "relationship_type"))
            rel = v.text;
        else if (tr_json_str_is(&k, "source_ref"))
            src = v.text;
        else if (tr_json_str_is(&k, "target_ref"))
            dst = v.text;
    }
    if (tr_json_failed(j))
        return TR_OK;
    if (tr_str_eq(type, TR_STR("indicator"))) {
        ind.id = id_hash(id);
        ind.idtext = id;
        if (!TR_VEC_PUSH(&x->inds, ind))
            return TR_ENOMEM;
    } else if (tr_str_eq(type, TR_STR("relationship"))) {
        sx_edge e = { id_hash(src), id_hash(dst) };
        if (tr_str_eq(rel, TR_STR("indicates")) && !TR_VEC_PUSH(&x->indicates, e))
            return TR_ENOMEM;
        if (tr_str_eq(rel, TR_STR("attributed-to")) && !TR_VEC_PUSH(&x->attributed, e))
            return TR_ENOMEM;
    } else if ((tr_str_eq(type, TR_STR("intrusion-set")) ||
                tr_str_eq(type, TR_STR("threat-actor"))) && name.n && id.n) {
        uint64_t h = id_hash(id);
        char *copy = tr_strndup(name.p, name.n);
        if (!copy || !TR_VEC_PUSH(&x->names, copy)) {
            tr_free(copy);
            return TR_ENOMEM;
        }
        tr_err err = tr_map_put(x->actors, (tr_str){ (const char *)&h, 8 }, x->names.n - 1);
        if (err)
            return err;
    } else if (type.n && !tr_str_eq(type, TR_STR("bundle"))) {
        x->others++;
    }
    return TR_OK;
}

static int edge_cmp(const void *a, const void *b)
{
    const sx_edge *x = a, *y = b;
    return x->src < y->src ? -1 : x->src > y->src ? 1 : (x->dst > y->dst) - (x->dst < y->dst);
}

/* First edge from src in a sorted edge list, or NULL. */
static const sx_edge *edges_from(const sx_edge *v, size_t n, uint64_t src, size_t *count)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].src < src)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = lo;
    while (k < n && v[k].src == src)
        k++;
    *count = k - lo;
    return *count ? &v[lo] : NULL;
}

static const char *actor_name(stix_ctx *x, uint64_t id)
{
    uint64_t idx;
    if (tr_map_get(x->actors, (tr_str){ (const char *)&id, 8 }, &idx))
        return x->names.v[idx];
    return NULL;
}

/* Actor of an indicator: a direct "indicates" target that is an actor, else
 * the actor a target (campaign, malware) is attributed to. */
static const char *resolve_actor(stix_ctx *x, uint64_t ind)
{
    size_t n;
    const sx_edge *e = edges_from(x->indicates.v, x->indicates.n, ind, &n);
    for (size_t i = 0; i < n; i++) {
        const char *a = actor_name(x, e[i].dst);
        if (a)
            return a;
    }
    for (size_t i = 0; i < n; i++) {
        size_t m;
        const sx_edge *f = edges_from(x->attributed.v, x->attributed.n, e[i].dst, &m);
        for (size_t k = 0; k < m; k++) {
            const char *a = actor_name(x, f[k].dst);
            if (a)
                return a;
        }
    }
    return NULL;
}

typedef struct emit_ctx {
    stix_ctx *x;
    const sx_ind *ind;
    ioc_attrs *attrs;
    char id[160];
    uint64_t line;
    tr_err err;
} emit_ctx;

static int on_value(void *ctx, tr_ioc_type type, tr_str value)
{
    emit_ctx *e = ctx;
    const char *why;
    tr_err err = ioc_builder_add_value(e->x->c->b, e->x->c->feed, type, value, e->attrs, &why);
    if (err == TR_EPARSE) {
        ioc_reject(e->x->c->b, e->x->c->path, e->line, e->id, "%s: '%.*s'", why,
                   (int)TR_MIN(value.n, 80), value.p);
        return 0;
    }
    e->err = err;
    return err != TR_OK;
}

static tr_err emit_indicators(stix_ctx *x)
{
    if (x->indicates.n)
        qsort(x->indicates.v, x->indicates.n, sizeof(sx_edge), edge_cmp);
    if (x->attributed.n)
        qsort(x->attributed.v, x->attributed.n, sizeof(sx_edge), edge_cmp);
    size_t cap = 4096;
    char *pat = tr_malloc(cap), *vals = tr_malloc(cap);
    if (!pat || !vals) {
        tr_free(pat);
        tr_free(vals);
        return TR_ENOMEM;
    }
    size_t from_off = 0;
    uint64_t from_line = 1;
    tr_err err = TR_OK;
    for (size_t i = 0; i < x->inds.n && !err; i++) {
        const sx_ind *ind = &x->inds.v[i];
        emit_ctx e = { x, ind, NULL, { 0 }, 0, TR_OK };
        snprintf(e.id, sizeof(e.id), "%.*s", (int)TR_MIN(ind->idtext.n, 150), ind->idtext.p);
        e.line = ioc_line_at(x->data, ind->off, &from_off, &from_line);
        if (ind->revoked) {
            x->c->b->skipped++;
            continue;
        }
        if (ind->bad_pattern_type) {
            ioc_reject(x->c->b, x->c->path, e.line, e.id, "pattern_type is not stix");
            continue;
        }
        if (!ind->pattern.n) {
            ioc_reject(x->c->b, x->c->path, e.line, e.id, "indicator without a pattern");
            continue;
        }
        if (ind->pattern.n + 1 > cap) {
            while (cap < ind->pattern.n + 1)
                cap *= 2;
            char *np = tr_realloc(pat, cap), *nv = np ? tr_realloc(vals, cap) : NULL;
            if (np)
                pat = np;
            if (nv)
                vals = nv;
            if (!np || !nv) {
                err = TR_ENOMEM;
                break;
            }
        }
        size_t pn = ind->pattern.n;
        if (ind->pattern_escaped) {
            if (tr_json_unescape(ind->pattern.p, ind->pattern.n, pat, &pn) != TR_OK) {
                ioc_reject(x->c->b, x->c->path, e.line, e.id, "invalid escape in the pattern");
                continue;
            }
        } else {
            memcpy(pat, ind->pattern.p, pn);
        }
        ioc_attrs a;
        ioc_attrs_init(&a);
        const char *actor = resolve_actor(x, ind->id);
        if (actor)
            a.actor = tr_str_c(actor);
        a.confidence = ind->confidence;
        a.valid_from = ind->valid_from;
        a.valid_until = ind->valid_until;
        e.attrs = &a;
        char why[160];
        const char *bad = stix_pattern_values(pat, pn, vals, on_value, &e, why, sizeof(why));
        if (bad)
            ioc_reject(x->c->b, x->c->path, e.line, e.id, "%s: %.*s", bad,
                       (int)TR_MIN(pn, 120), pat);
        err = e.err;
    }
    tr_free(pat);
    tr_free(vals);
    return err;
}

tr_err ioc_load_stix(ioc_feed_ctx *c, const char *data, size_t n)
{
    stix_ctx *x = tr_calloc(1, sizeof(*x));
    if (!x)
        return TR_ENOMEM;
    x->c = c;
    x->data = data;
    x->actors = tr_map_new(64, 0);
    tr_err err = x->actors ? TR_OK : TR_ENOMEM;
    tr_json j;
    tr_json_init(&j, data, n, 64);
    tr_json_tok t;
    if (!err) {
        tr_json_type top = tr_json_next(&j, &t);
        if (top == TR_JSON_OBJ_BEGIN)
            err = stix_object(x, &j, t.off, 0);
        else if (top == TR_JSON_ARR_BEGIN)
            err = objects_array(x, &j, 0);
        else if (top != TR_JSON_ERROR)
            ioc_reject(c->b, c->path, 1, NULL, "not a STIX bundle (a JSON object or list)");
    }
    if (!err && !tr_json_failed(&j))
        tr_json_next(&j, &t); /* the end: trailing garbage is an error too */
    bool broken = tr_json_failed(&j);
    if (broken)
        ioc_jerror(c->b, c->path, data, &j);
    if (!err)
        err = emit_indicators(x);
    c->b->skipped += x->others;
    TR_VEC_FREE(&x->inds);
    TR_VEC_FREE(&x->indicates);
    TR_VEC_FREE(&x->attributed);
    for (size_t i = 0; i < x->names.n; i++)
        tr_free(x->names.v[i]);
    TR_VEC_FREE(&x->names);
    tr_map_free(x->actors);
    tr_free(x);
    return err ? err : broken ? TR_EPARSE : TR_OK;
}
