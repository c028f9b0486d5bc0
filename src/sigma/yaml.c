/*
 * yaml.c - libyaml events to the sg_ynode tree (see yaml.h).
 *
 * libyaml's event parser is iterative, so nesting depth is bounded only by
 * our own stack: we cap it (SG_YAML_MAX_DEPTH) and the node count, which
 * also bounds what an alias can make the loader walk. Aliases point at the
 * anchored node itself (no copy).
 */
#include "core/common.h"

#include <yaml.h>

#include "core/vec.h"
#include "sigma/yaml.h"

typedef struct frame {
    sg_ynode *node;
    TR_VEC(sg_ynode *) items;
    char *anchor; /* registered when the node is complete, so that no alias
                     can point at an enclosing node (a cycle) */
} frame;

typedef struct anchor {
    char *name;
    sg_ynode *node;
} anchor;

typedef struct builder {
    tr_arena *arena;
    frame stack[SG_YAML_MAX_DEPTH + 1];
    uint32_t depth;
    TR_VEC(anchor) anchors;
    TR_VEC(sg_ydoc) docs;
    sg_ynode *root;
    uint32_t doc_line;
    uint32_t nodes;
} builder;

static bool is_plain_null(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '~') ||
           (n == 4 && (!memcmp(s, "null", 4) || !memcmp(s, "Null", 4) || !memcmp(s, "NULL", 4)));
}

static bool is_plain_bool(const char *s, size_t n)
{
    static const char *const words[] = { "true", "True", "TRUE", "false", "False", "FALSE" };
    for (size_t i = 0; i < TR_ARRAY_LEN(words); i++)
        if (strlen(words[i]) == n && memcmp(words[i], s, n) == 0)
            return true;
    return false;
}

static bool all_digits(const char *s, size_t n, int base)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        bool ok = base == 16 ? (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'f')
                  : base == 8 ? (c >= '0' && c <= '7')
                              : (c >= '0' && c <= '9');
        if (!ok)
            return false;
    }
    return true;
}

static bool is_plain_int(const char *s, size_t n)
{
    if (n > 2 && s[0] == '0' && s[1] == 'x')
        return all_digits(s + 2, n - 2, 16);
    if (n > 2 && s[0] == '0' && s[1] == 'o')
        return all_digits(s + 2, n - 2, 8);
    if (n && (s[0] == '-' || s[0] == '+'))
        s++, n--;
    return all_digits(s, n, 10);
}

static bool is_plain_float(const char *s, size_t n)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    if (n - i == 4 && s[i] == '.' &&
        (!memcmp(s + i + 1, "inf", 3) || !memcmp(s + i + 1, "Inf", 3) ||
         !memcmp(s + i + 1, "INF", 3)))
        return true;
    if (i == 0 && n == 4 &&
        (!memcmp(s, ".nan", 4) || !memcmp(s, ".NaN", 4) || !memcmp(s, ".NAN", 4)))
        return true;
    size_t d1 = 0, d2 = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, d1++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, d2++;
    }
    if (d1 + d2 == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t d3 = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, d3++;
        if (!d3)
            return false;
    }
    return i == n;
}

static sg_ytype scalar_type(const yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (tag) {
        if (strcmp(tag, YAML_STR_TAG) == 0 || strcmp(tag, "!") == 0)
            return SG_YT_STR;
        if (strcmp(tag, YAML_NULL_TAG) == 0)
            return SG_YT_NULL;
        if (strcmp(tag, YAML_BOOL_TAG) == 0 && is_plain_bool(s, n))
            return SG_YT_BOOL;
        if (strcmp(tag, YAML_INT_TAG) == 0 && is_plain_int(s, n))
            return SG_YT_INT;
        if (strcmp(tag, YAML_FLOAT_TAG) == 0 && (is_plain_float(s, n) || is_plain_int(s, n)))
            return SG_YT_FLOAT;
        return SG_YT_STR;
    }
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return SG_YT_STR;
    if (is_plain_null(s, n))
        return SG_YT_NULL;
    if (is_plain_bool(s, n))
        return SG_YT_BOOL;
    if (is_plain_int(s, n))
        return SG_YT_INT;
    if (is_plain_float(s, n))
        return SG_YT_FLOAT;
    return SG_YT_STR;
}

static sg_ynode *new_node(builder *b, sg_ykind kind, uint32_t line)
{
    if (++b->nodes > SG_YAML_MAX_NODES)
        return NULL;
    sg_ynode *n = tr_arena_alloc(b->arena, sizeof(*n));
    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->kind = (uint8_t)kind;
    n->line = line;
    return n;
}

static tr_err remember_anchor(builder *b, const unsigned char *name, sg_ynode *node)
{
    if (!name)
        return TR_OK;
    anchor a = { tr_strndup((const char *)name, strlen((const char *)name)), node };
    if (!a.name || !TR_VEC_PUSH(&b->anchors, a)) {
        tr_free(a.name);
        return TR_ENOMEM;
    }
    return TR_OK;
}

/* Attaches a finished node to its parent (or makes it the root). */
static tr_err attach(builder *b, sg_ynode *node)
{
    if (b->depth == 0) {
        b->root = node;
        return TR_OK;
    }
    frame *f = &b->stack[b->depth - 1];
    return TR_VEC_PUSH(&f->items, node) ? TR_OK : TR_ENOMEM;
}

static void free_frames(builder *b)
{
    for (uint32_t i = 0; i < b->depth; i++) {
        TR_VEC_FREE(&b->stack[i].items);
        tr_free(b->stack[i].anchor);
    }
    b->depth = 0;
}

static void clear_anchors(builder *b)
{
    for (size_t i = 0; i < b->anchors.n; i++)
        tr_free(b->anchors.v[i].name);
    b->anchors.n = 0;
}

static tr_err on_event(builder *b, const yaml_event_t *ev, char *err, size_t errlen)
{
    uint32_t line = (uint32_t)ev->start_mark.line + 1;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        b->root = NULL;
        b->doc_line = line;
        clear_anchors(b);
        return TR_OK;
    case YAML_DOCUMENT_END_EVENT: {
        sg_ydoc d = { b->root, b->doc_line };
        return TR_VEC_PUSH(&b->docs, d) ? TR_OK : TR_ENOMEM;
    }
    case YAML_SCALAR_EVENT: {
        sg_ynode *n = new_node(b, SG_Y_SCALAR, line);
        if (!n)
            goto limit;
        n->type = (uint8_t)scalar_type(ev);
        n->s = tr_arena_strdup(b->arena, (const char *)ev->data.scalar.value,
                               ev->data.scalar.length);
        if (!n->s.p)
            return TR_ENOMEM;
        if (remember_anchor(b, ev->data.scalar.anchor, n))
            return TR_ENOMEM;
        return attach(b, n);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (b->depth >= SG_YAML_MAX_DEPTH) {
            snprintf(err, errlen, "nesting deeper than %d levels", SG_YAML_MAX_DEPTH);
            return TR_ELIMIT;
        }
        bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
        sg_ynode *n = new_node(b, seq ? SG_Y_SEQ : SG_Y_MAP, line);
        if (!n)
            goto limit;
        const unsigned char *anc = seq ? ev->data.sequence_start.anchor
                                       : ev->data.mapping_start.anchor;
        frame *f = &b->stack[b->depth];
        f->node = n;
        memset(&f->items, 0, sizeof(f->items));
        f->anchor = NULL;
        if (anc && !(f->anchor = tr_strndup((const char *)anc, strlen((const char *)anc))))
            return TR_ENOMEM;
        b->depth++;
        return TR_OK;
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        if (b->depth == 0)
            return TR_EPARSE;
        frame *f = &b->stack[b->depth - 1];
        sg_ynode *n = f->node;
        size_t count = f->items.n;
        if (n->kind == SG_Y_MAP && (count & 1)) {
            snprintf(err, errlen, "mapping with a key but no value");
            return TR_EPARSE;
        }
        if (count) {
            n->items = tr_arena_alloc(b->arena, count * sizeof(*n->items));
            if (!n->items)
                return TR_ENOMEM;
            memcpy(n->items, f->items.v, count * sizeof(*n->items));
        }
        n->n = (uint32_t)(n->kind == SG_Y_MAP ? count / 2 : count);
        TR_VEC_FREE(&f->items);
        tr_err e = remember_anchor(b, (const unsigned char *)f->anchor, n);
        tr_free(f->anchor);
        f->anchor = NULL;
        b->depth--;
        return e ? e : attach(b, n);
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        for (size_t i = b->anchors.n; i-- > 0;)
            if (strcmp(b->anchors.v[i].name, name) == 0) {
                /* An alias costs what it points to, so that repeated
                 * aliases cannot blow up the walk of the loader. */
                b->nodes += 16;
                if (b->nodes > SG_YAML_MAX_NODES)
                    goto limit;
                return attach(b, b->anchors.v[i].node);
            }
        snprintf(err, errlen, "unknown alias '*%s'", name);
        return TR_EPARSE;
    }
    default:
        return TR_OK;
    }
limit:
    snprintf(err, errlen, "more than %d YAML nodes", SG_YAML_MAX_NODES);
    return TR_ELIMIT;
}

tr_err sg_yaml_parse(const char *text, size_t n, tr_arena *arena, sg_ystream *out, char *err,
                     size_t errlen, uint32_t *errline)
{
    builder b;
    memset(&b, 0, sizeof(b));
    b.arena = arena;
    out->docs = NULL;
    out->ndocs = 0;
    *errline = 0;
    if (errlen)
        err[0] = '\0';
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return TR_ENOMEM;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, n);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);
    tr_err e = TR_OK;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            const char *what = p.problem ? p.problem : "syntax error";
            if (p.context)
                snprintf(err, errlen, "YAML: %s %s", what, p.context);
            else
                snprintf(err, errlen, "YAML: %s", what);
            *errline = (uint32_t)p.problem_mark.line + 1;
            e = p.error == YAML_MEMORY_ERROR ? TR_ENOMEM : TR_EPARSE;
            break;
        }
        bool end = ev.type == YAML_STREAM_END_EVENT;
        e = on_event(&b, &ev, err, errlen);
        if (e) {
            *errline = (uint32_t)ev.start_mark.line + 1;
            if (!err[0] && errlen)
                snprintf(err, errlen, "%s", tr_strerror(e));
        }
        yaml_event_delete(&ev);
        if (e || end)
            break;
    }
    yaml_parser_delete(&p);
    free_frames(&b);
    clear_anchors(&b);
    TR_VEC_FREE(&b.anchors);
    if (b.docs.n) {
        out->docs = tr_arena_alloc(arena, b.docs.n * sizeof(sg_ydoc));
        if (out->docs) {
            memcpy(out->docs, b.docs.v, b.docs.n * sizeof(sg_ydoc));
            out->ndocs = (uint32_t)b.docs.n;
        } else if (!e) {
            e = TR_ENOMEM;
        }
    }
    TR_VEC_FREE(&b.docs);
    return e;
}

sg_ynode *sg_ymap_get(const sg_ynode *map, const char *key)
{
    if (!map || map->kind != SG_Y_MAP)
        return NULL;
    size_t kl = strlen(key);
    for (uint32_t i = 0; i < map->n; i++) {
        sg_ynode *k = sg_ymap_key(map, i);
        if (k->kind == SG_Y_SCALAR && k->s.n == kl && memcmp(k->s.p, key, kl) == 0)
            return sg_ymap_val(map, i);
    }
    return NULL;
}
