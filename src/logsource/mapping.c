/*
 * mapping.c - loading and applying the logsource mapping file (mapping.h).
 *
 *   version: 1
 *   logsources:
 *     - when: {type: [TRAFFIC, THREAT]}       field conditions (all must hold)
 *       logsource: {product: paloalto}        condition on the logsource so far
 *       product: paloalto                     sets (optional)
 *       service: traffic                      sets (optional)
 *       category: firewall                    adds (string or list, optional)
 *   fieldmappings:
 *     - logsource: {category: firewall}       optional
 *       when: {…}                             optional
 *       fields:
 *         src_ip: src                         taxonomy name: event field
 *         dst_ip: [dst, dest_ip]              first one present
 *
 * The file is read with libyaml's document loader: every node keeps its
 * line, so each complaint names "PATH:LINE". Everything kept lives in one
 * arena owned by the mapping.
 */
#include "core/common.h"

#include <yaml.h>

#include "logsource/mapping.h"
#include "logsource/route.h"
#include "trawl/arena.h"
#include "trawl/logsource.h"

typedef struct cond {
    tr_str field;     /* event field name (or alias) */
    tr_str *values;   /* one of these, ASCII case-insensitively */
    uint32_t nvalues;
} cond;

typedef struct lsfilter {
    tr_str product, category, service; /* empty = any */
    bool set;
} lsfilter;

typedef struct ls_rule {
    cond *conds;
    uint32_t nconds;
    lsfilter when_ls;
    tr_str product, service;
    bool set_product, set_service;
    tr_str categories[TR_MAX_CATEGORIES];
    uint8_t ncategories;
} ls_rule;

typedef struct fieldrename {
    tr_str name;     /* taxonomy name */
    tr_str *sources; /* event field names, by preference */
    uint32_t nsources;
} fieldrename;

typedef struct fieldmap {
    cond *conds;
    uint32_t nconds;
    lsfilter when_ls;
    fieldrename *renames;
    uint32_t nrenames;
} fieldmap;

struct ls_mapping {
    tr_arena *arena;
    ls_rule *rules;
    uint32_t nrules;
    fieldmap *maps;
    uint32_t nmaps;
};

/* ---- loading ---- */

typedef struct loader {
    const char *path;
    yaml_document_t *doc;
    ls_mapping *m;
    char *err;
    size_t errlen;
} loader;

__attribute__((format(printf, 3, 4))) static tr_err fail(loader *ld, const yaml_node_t *n,
                                                       const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(ld->err, ld->errlen, "%s:%zu: %s", ld->path, n ? (size_t)n->start_mark.line + 1 : 0,
             msg);
    return TR_EPARSE;
}

static yaml_node_t *node(loader *ld, int id)
{
    return yaml_document_get_node(ld->doc, id);
}

static tr_str scalar(const yaml_node_t *n)
{
    return (tr_str){ (const char *)n->data.scalar.value, n->data.scalar.length };
}

static bool key_is(const yaml_node_t *k, const char *name)
{
    return k->type == YAML_SCALAR_NODE && tr_str_eq(scalar(k), tr_str_c(name));
}

/* A copy of a scalar in the mapping's arena. */
static tr_err keep(loader *ld, const yaml_node_t *n, const char *what, tr_str *out)
{
    if (n->type != YAML_SCALAR_NODE)
        return fail(ld, n, "%s must be a string", what);
    tr_str s = scalar(n);
    if (s.n == 0)
        return fail(ld, n, "%s must not be empty", what);
    *out = tr_arena_strdup(ld->m->arena, s.p, s.n);
    return out->p ? TR_OK : TR_ENOMEM;
}

/* A scalar or a sequence of scalars, as an array in the arena. */
static tr_err keep_list(loader *ld, const yaml_node_t *n, const char *what, tr_str **out,
                        uint32_t *count)
{
    if (n->type == YAML_SCALAR_NODE) {
        *out = tr_arena_alloc(ld->m->arena, sizeof(tr_str));
        *count = 1;
        return *out ? keep(ld, n, what, *out) : TR_ENOMEM;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(ld, n, "%s must be a string or a list of strings", what);
    size_t len = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (len == 0)
        return fail(ld, n, "%s must not be an empty list", what);
    *out = tr_arena_alloc(ld->m->arena, len * sizeof(tr_str));
    if (!*out)
        return TR_ENOMEM;
    for (size_t i = 0; i < len; i++) {
        tr_err e = keep(ld, node(ld, n->data.sequence.items.start[i]), what, &(*out)[i]);
        if (e)
            return e;
    }
    *count = (uint32_t)len;
    return TR_OK;
}

#define FOR_PAIRS(n, p) for (yaml_node_pair_t *p = (n)->data.mapping.pairs.start; p < (n)->data.mapping.pairs.top; p++)

static size_t pair_count(const yaml_node_t *n)
{
    return (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
}

/* when: {field: value | [values]} */
static tr_err load_conds(loader *ld, const yaml_node_t *n, cond **out, uint32_t *count)
{
    if (n->type != YAML_MAPPING_NODE || pair_count(n) == 0)
        return fail(ld, n, "'when' must map field names to values");
    *out = tr_arena_alloc(ld->m->arena, pair_count(n) * sizeof(cond));
    if (!*out)
        return TR_ENOMEM;
    uint32_t i = 0;
    FOR_PAIRS(n, p)
    {
        cond *c = &(*out)[i++];
        tr_err e = keep(ld, node(ld, p->key), "a field name", &c->field);
        if (!e)
            e = keep_list(ld, node(ld, p->value), "a field value", &c->values, &c->nvalues);
        if (e)
            return e;
    }
    *count = i;
    return TR_OK;
}

/* logsource: {product, category, service} */
static tr_err load_lsfilter(loader *ld, const yaml_node_t *n, lsfilter *f)
{
    if (n->type != YAML_MAPPING_NODE || pair_count(n) == 0)
        return fail(ld, n, "'logsource' must be a map of product, category and service");
    FOR_PAIRS(n, p)
    {
        yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
        tr_str *dst = key_is(k, "product")    ? &f->product
                      : key_is(k, "category") ? &f->category
                      : key_is(k, "service")  ? &f->service
                                              : NULL;
        if (!dst)
            return fail(ld, k, "unknown logsource key (product, category or service expected)");
        tr_err e = keep(ld, v, "a logsource value", dst);
        if (e)
            return e;
    }
    f->set = true;
    return TR_OK;
}

static tr_err load_rule(loader *ld, const yaml_node_t *n, ls_rule *r)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(ld, n, "each logsources entry must be a map");
    bool action = false;
    FOR_PAIRS(n, p)
    {
        yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
        tr_err e;
        if (key_is(k, "when")) {
            e = load_conds(ld, v, &r->conds, &r->nconds);
        } else if (key_is(k, "logsource")) {
            e = load_lsfilter(ld, v, &r->when_ls);
        } else if (key_is(k, "product")) {
            e = keep(ld, v, "product", &r->product);
            r->set_product = action = true;
        } else if (key_is(k, "service")) {
            e = keep(ld, v, "service", &r->service);
            r->set_service = action = true;
        } else if (key_is(k, "category")) {
            tr_str *cats;
            uint32_t nc;
            e = keep_list(ld, v, "category", &cats, &nc);
            if (!e && nc > TR_MAX_CATEGORIES)
                e = fail(ld, v, "at most %d categories", TR_MAX_CATEGORIES);
            if (!e) {
                memcpy(r->categories, cats, nc * sizeof(tr_str));
                r->ncategories = (uint8_t)nc;
                action = true;
            }
        } else {
            e = fail(ld, k, "unknown key in a logsources entry (when, logsource, product, "
                            "service or category expected)");
        }
        if (e)
            return e;
    }
    if (!r->nconds && !r->when_ls.set)
        return fail(ld, n, "a logsources entry needs a 'when' or 'logsource' condition");
    if (!action)
        return fail(ld, n, "a logsources entry needs a product, service or category to set");
    return TR_OK;
}

static tr_err load_fieldmap(loader *ld, const yaml_node_t *n, fieldmap *fm)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(ld, n, "each fieldmappings entry must be a map");
    const yaml_node_t *fields = NULL;
    FOR_PAIRS(n, p)
    {
        yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
        tr_err e = TR_OK;
        if (key_is(k, "when"))
            e = load_conds(ld, v, &fm->conds, &fm->nconds);
        else if (key_is(k, "logsource"))
            e = load_lsfilter(ld, v, &fm->when_ls);
        else if (key_is(k, "fields"))
            fields = v;
        else
            e = fail(ld, k, "unknown key in a fieldmappings entry (logsource, when or fields "
                            "expected)");
        if (e)
            return e;
    }
    if (!fields)
        return fail(ld, n, "a fieldmappings entry needs 'fields'");
    if (fields->type != YAML_MAPPING_NODE || pair_count(fields) == 0)
        return fail(ld, fields, "'fields' must map taxonomy names to event field names");
    fm->renames = tr_arena_alloc(ld->m->arena, pair_count(fields) * sizeof(fieldrename));
    if (!fm->renames)
        return TR_ENOMEM;
    FOR_PAIRS(fields, p)
    {
        fieldrename *rn = &fm->renames[fm->nrenames++];
        tr_err e = keep(ld, node(ld, p->key), "a field name", &rn->name);
        if (!e)
            e = keep_list(ld, node(ld, p->value), "a source field name", &rn->sources,
                          &rn->nsources);
        if (e)
            return e;
    }
    return TR_OK;
}

static tr_err load_root(loader *ld, const yaml_node_t *root)
{
    if (!root)
        return TR_OK; /* an empty file maps nothing */
    if (root->type != YAML_MAPPING_NODE)
        return fail(ld, root, "a mapping file is a map with 'logsources' and/or 'fieldmappings'");
    FOR_PAIRS(root, p)
    {
        yaml_node_t *k = node(ld, p->key), *v = node(ld, p->value);
        if (key_is(k, "version")) {
            if (v->type != YAML_SCALAR_NODE || !tr_str_eq(scalar(v), TR_STR("1")))
                return fail(ld, v, "unsupported mapping file version (1 expected)");
            continue;
        }
        bool rules = key_is(k, "logsources");
        if (!rules && !key_is(k, "fieldmappings"))
            return fail(ld, k, "unknown top-level key (version, logsources or fieldmappings "
                               "expected)");
        if (v->type != YAML_SEQUENCE_NODE)
            return fail(ld, v, "'%s' must be a list", rules ? "logsources" : "fieldmappings");
        size_t len = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (!len)
            continue;
        void *arr = tr_arena_alloc(ld->m->arena, len * (rules ? sizeof(ls_rule) : sizeof(fieldmap)));
        if (!arr)
            return TR_ENOMEM;
        memset(arr, 0, len * (rules ? sizeof(ls_rule) : sizeof(fieldmap)));
        if ((rules && ld->m->rules) || (!rules && ld->m->maps))
            return fail(ld, k, "'%s' given twice", rules ? "logsources" : "fieldmappings");
        for (size_t i = 0; i < len; i++) {
            yaml_node_t *item = node(ld, v->data.sequence.items.start[i]);
            tr_err e = rules ? load_rule(ld, item, &((ls_rule *)arr)[i])
                             : load_fieldmap(ld, item, &((fieldmap *)arr)[i]);
            if (e)
                return e;
        }
        if (rules) {
            ld->m->rules = arr;
            ld->m->nrules = (uint32_t)len;
        } else {
            ld->m->maps = arr;
            ld->m->nmaps = (uint32_t)len;
        }
    }
    return TR_OK;
}

void ls_mapping_free(ls_mapping *m)
{
    if (!m)
        return;
    tr_arena_free(m->arena);
    tr_free(m);
}

/* Loads from an initialised parser; name is for messages. */
static tr_err load_from(yaml_parser_t *parser, const char *name, ls_mapping **out, char *err,
                        size_t errlen)
{
    ls_mapping *m = tr_calloc(1, sizeof(*m));
    if (!m || !(m->arena = tr_arena_new(0, 0))) {
        tr_free(m);
        snprintf(err, errlen, "%s: out of memory", name);
        return TR_ENOMEM;
    }
    yaml_document_t doc;
    if (!yaml_parser_load(parser, &doc)) {
        snprintf(err, errlen, "%s:%zu: %s%s%s", name, (size_t)parser->problem_mark.line + 1,
                 parser->problem ? parser->problem : "malformed YAML",
                 parser->context ? " " : "", parser->context ? parser->context : "");
        ls_mapping_free(m);
        return TR_EPARSE;
    }
    loader ld = { name, &doc, m, err, errlen };
    tr_err e = load_root(&ld, yaml_document_get_root_node(&doc));
    if (e == TR_ENOMEM)
        snprintf(err, errlen, "%s: out of memory", name);
    yaml_document_delete(&doc);
    if (e) {
        ls_mapping_free(m);
        return e;
    }
    *out = m;
    return TR_OK;
}

tr_err ls_mapping_load(const char *path, ls_mapping **out, char *err, size_t errlen)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return e == ENOENT ? TR_ENOENT : TR_EIO;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return TR_ENOMEM;
    }
    yaml_parser_set_input_file(&parser, f);
    tr_err e = load_from(&parser, path, out, err, errlen);
    yaml_parser_delete(&parser);
    fclose(f);
    return e;
}

tr_err ls_mapping_load_mem(const char *name, const char *data, size_t n, ls_mapping **out,
                           char *err, size_t errlen)
{
    *out = NULL;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(err, errlen, "%s: out of memory", name);
        return TR_ENOMEM;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, n);
    tr_err e = load_from(&parser, name, out, err, errlen);
    yaml_parser_delete(&parser);
    return e;
}

/* ---- applying ---- */

static bool cond_holds(const tr_event *ev, const cond *c)
{
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const tr_field *f = &ev->fields[i];
        if (!tr_str_eq(f->name, c->field) && !tr_str_eq(f->alias, c->field))
            continue;
        tr_str v;
        if (f->kind == TR_VNULL || !ls_value(ev, f, &v))
            continue;
        for (uint32_t k = 0; k < c->nvalues; k++)
            if (ls_eq_nocase_str(v, c->values[k]))
                return true;
    }
    return false;
}

static bool conds_hold(const tr_event *ev, const cond *c, uint32_t n, const lsfilter *ls)
{
    if (ls->set && !tr_logsource_match(&ev->logsource, ls->product, ls->category, ls->service))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!cond_holds(ev, &c[i]))
            return false;
    return true;
}

bool ls_mapping_logsources(const ls_mapping *m, tr_event *ev)
{
    bool changed = false;
    for (uint32_t i = 0; i < m->nrules; i++) {
        const ls_rule *r = &m->rules[i];
        if (!conds_hold(ev, r->conds, r->nconds, &r->when_ls))
            continue;
        if (r->set_product && !tr_str_eq(ev->logsource.product, r->product)) {
            ev->logsource.product = r->product;
            changed = true;
        }
        if (r->set_service && !tr_str_eq(ev->logsource.service, r->service)) {
            ev->logsource.service = r->service;
            changed = true;
        }
        for (uint8_t k = 0; k < r->ncategories; k++)
            tr_logsource_add_category(&ev->logsource, r->categories[k]);
    }
    return changed;
}

void ls_mapping_fields(const ls_mapping *m, tr_event *ev)
{
    for (uint32_t i = 0; i < m->nmaps; i++) {
        const fieldmap *fm = &m->maps[i];
        if (!conds_hold(ev, fm->conds, fm->nconds, &fm->when_ls))
            continue;
        for (uint32_t k = 0; k < fm->nrenames; k++) {
            const fieldrename *rn = &fm->renames[k];
            if (ls_find(ev, rn->name))
                continue; /* the event has the name already */
            for (uint32_t s = 0; s < rn->nsources; s++) {
                uint32_t before = ev->nfields;
                ls_derive_all(ev, rn->name, rn->sources[s]);
                if (ev->nfields > before)
                    break;
            }
        }
    }
}
