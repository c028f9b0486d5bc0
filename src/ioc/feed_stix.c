/*
 * feed_stix.c - STIX 2.1 bundles: indicators with STIX patterns, their
 * validity window, and attribution through "indicates" relationships.
 *
 * The document is read once (pull tokens, no tree). An indicator's pattern
 * is reduced to values (stix_pattern.c) and added as soon as its object
 * ends, so nothing of the document is kept and the pages read are handed
 * back as the reader goes (a 1 M-indicator bundle is ~300 MB). A bundle may
 * list relationships and intrusion sets before or after the indicators they
 * concern, so attribution comes last: each indicator leaves a 16-byte note
 * (id hash, its records), the "indicates" and "attributed-to" edges are kept
 * as hashed ids and actor names are copied; then indicator →
 * intrusion-set/threat-actor, or indicator → campaign/malware →
 * attributed-to → intrusion-set/threat-actor is resolved and the actor set
 * on the indicator's records. Patterns the index cannot represent are
 * reported with the indicator id and line.
 */
#include "core/common.h"

#include "core/jsonstr.h"
#include "core/time.h"
#include "ioc/jsonfeed.h"
#include "ioc/stix_pattern.h"

/* One indicator while its object is read: slices of the document. */
typedef struct sx_ind {
    size_t off;            /* object offset (line numbers) */
    tr_str idtext;
    tr_str pattern;        /* raw JSON string body */
    bool pattern_escaped;
    bool bad_pattern_type; /* pattern_type other than "stix" */
    bool revoked;
    int confidence;
    int64_t valid_from, valid_until;
} sx_ind;

/* An added indicator awaiting attribution: its records [first, first + n). */
typedef struct sx_note {
    uint64_t id;  /* hash of the id */
    uint32_t first, n;
} sx_note;

typedef struct sx_edge {
    uint64_t src, dst;
} sx_edge;

typedef struct stix_ctx {
    ioc_feed_ctx *c;
    const char *data;
    TR_VEC(sx_note) notes;
    TR_VEC(sx_edge) indicates;
    TR_VEC(sx_edge) attributed;
    tr_map *actors;  /* id hash (8 bytes) → index into names */
    TR_VEC(char *) names;
    uint64_t others; /* objects that are neither (counted as skipped) */
    size_t from_off; /* line counting: a known (offset, line) pair */
    uint64_t from_line;
    char *pat, *vals; /* pattern decoding buffers */
    size_t cap;
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
static tr_err add_indicator(stix_ctx *x, const sx_ind *ind, uint64_t id);

static tr_err objects_array(stix_ctx *x, tr_json *j, int depth)
{
    tr_json_tok e;
    while (tr_json_element(j, &e)) {
        if (e.type == TR_JSON_OBJ_BEGIN) {
            tr_err err = stix_object(x, j, e.off, depth + 1);
            if (err)
                return err;
            /* count lines up to here before the pages go: never read again */
            ioc_line_at(x->data, e.off, &x->from_off, &x->from_line);
            ioc_feed_consumed(x->c, x->data, e.off);
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
        ind.idtext = id;
        tr_err err = add_indicator(x, &ind, id_hash(id));
        if (err)
            return err;
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

/* Reduces one indicator's pattern to values and adds them (no actor yet). */
static tr_err add_indicator(stix_ctx *x, const sx_ind *ind, uint64_t id)
{
    emit_ctx e = { x, ind, NULL, { 0 }, 0, TR_OK };
    snprintf(e.id, sizeof(e.id), "%.*s", (int)TR_MIN(ind->idtext.n, 150), ind->idtext.p);
    e.line = ioc_line_at(x->data, ind->off, &x->from_off, &x->from_line);
    tr_ioc_builder *b = x->c->b;
    if (ind->revoked) {
        b->skipped++;
        return TR_OK;
    }
    if (ind->bad_pattern_type) {
        ioc_reject(b, x->c->path, e.line, e.id, "pattern_type is not stix");
        return TR_OK;
    }
    if (!ind->pattern.n) {
        ioc_reject(b, x->c->path, e.line, e.id, "indicator without a pattern");
        return TR_OK;
    }
    if (ind->pattern.n + 1 > x->cap) {
        size_t cap = x->cap ? x->cap : 4096;
        while (cap < ind->pattern.n + 1)
            cap *= 2;
        char *np = tr_realloc(x->pat, cap);
        if (!np)
            return TR_ENOMEM;
        x->pat = np;
        char *nv = tr_realloc(x->vals, cap);
        if (!nv)
            return TR_ENOMEM;
        x->vals = nv;
        x->cap = cap;
    }
    size_t pn = ind->pattern.n;
    if (ind->pattern_escaped) {
        if (tr_json_unescape(ind->pattern.p, ind->pattern.n, x->pat, &pn) != TR_OK) {
            ioc_reject(b, x->c->path, e.line, e.id, "invalid escape in the pattern");
            return TR_OK;
        }
    } else {
        memcpy(x->pat, ind->pattern.p, pn);
    }
    ioc_attrs a;
    ioc_attrs_init(&a);
    a.confidence = ind->confidence;
    a.valid_from = ind->valid_from;
    a.valid_until = ind->valid_until;
    e.attrs = &a;
    size_t first = b->recs.n;
    char why[160];
    const char *bad = stix_pattern_values(x->pat, pn, x->vals, on_value, &e, why, sizeof(why));
    if (bad)
        ioc_reject(b, x->c->path, e.line, e.id, "%s: %.*s", bad, (int)TR_MIN(pn, 120), x->pat);
    if (b->recs.n > first) {
        sx_note note = { id, (uint32_t)first, (uint32_t)(b->recs.n - first) };
        if (!TR_VEC_PUSH(&x->notes, note))
            return TR_ENOMEM;
    }
    return e.err;
}

/* Sets the actor of every added indicator that has one. */
static tr_err attribute_indicators(stix_ctx *x)
{
    if (!x->indicates.n)
        return TR_OK;
    qsort(x->indicates.v, x->indicates.n, sizeof(sx_edge), edge_cmp);
    if (x->attributed.n)
        qsort(x->attributed.v, x->attributed.n, sizeof(sx_edge), edge_cmp);
    for (size_t i = 0; i < x->notes.n; i++) {
        const sx_note *n = &x->notes.v[i];
        const char *actor = resolve_actor(x, n->id);
        if (!actor)
            continue;
        tr_err err = ioc_builder_set_actor(x->c->b, n->first, (size_t)n->first + n->n,
                                           tr_str_c(actor));
        if (err)
            return err;
    }
    return TR_OK;
}

tr_err ioc_load_stix(ioc_feed_ctx *c, const char *data, size_t n)
{
    stix_ctx *x = tr_calloc(1, sizeof(*x));
    if (!x)
        return TR_ENOMEM;
    x->c = c;
    x->data = data;
    x->from_line = 1;
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
        ioc_jerror_from(c->b, c->path, data, &j, &x->from_off, &x->from_line);
    if (!err)
        err = attribute_indicators(x);
    c->b->skipped += x->others;
    TR_VEC_FREE(&x->notes);
    tr_free(x->pat);
    tr_free(x->vals);
    TR_VEC_FREE(&x->indicates);
    TR_VEC_FREE(&x->attributed);
    for (size_t i = 0; i < x->names.n; i++)
        tr_free(x->names.v[i]);
    TR_VEC_FREE(&x->names);
    tr_map_free(x->actors);
    tr_free(x);
    return err ? err : broken ? TR_EPARSE : TR_OK;
}
