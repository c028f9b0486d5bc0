/*
 * event.c - the normalised event (see trawl/event.h).
 */
#include "core/common.h"

#include "core/hash.h"
#include "core/jsonstr.h"
#include "trawl/arena.h"
#include "trawl/event.h"

void tr_event_init(tr_event *ev, tr_field *fields, uint32_t cap, tr_arena *arena)
{
    memset(ev, 0, sizeof(*ev));
    ev->fields = fields;
    ev->cap = cap;
    ev->arena = arena;
    ev->ts = TR_TS_NONE;
}

void tr_event_reset(tr_event *ev)
{
    ev->nfields = 0;
    ev->truncated = 0;
    ev->ts = TR_TS_NONE;
    memset(&ev->logsource, 0, sizeof(ev->logsource));
    ev->raw = (tr_str){ NULL, 0 };
    ev->line = 0;
    ev->offset = 0;
}

tr_field *tr_event_add(tr_event *ev, tr_str name, tr_str value, tr_vkind kind)
{
    if (TR_UNLIKELY(ev->nfields >= ev->cap)) {
        ev->truncated++;
        return NULL;
    }
    tr_field *f = &ev->fields[ev->nfields++];
    f->name = name;
    f->alias = (tr_str){ NULL, 0 };
    f->value = value;
    f->kind = (uint8_t)kind;
    f->flags = 0;
    f->vtype = TR_T_NONE;
    f->side = TR_SIDE_NONE;
    return f;
}

const tr_field *tr_event_find(const tr_event *ev, tr_str name)
{
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const tr_field *f = &ev->fields[i];
        if (tr_str_eq(f->name, name) || (f->alias.n && tr_str_eq(f->alias, name)))
            return f;
    }
    return NULL;
}

tr_err tr_field_value(const tr_field *f, tr_arena *arena, tr_str *out)
{
    if (!(f->flags & TR_FIELD_ESCAPED)) {
        *out = f->value;
        return TR_OK;
    }
    char *d = tr_arena_alloc(arena, f->value.n + 1);
    if (!d)
        return TR_ENOMEM;
    size_t n;
    tr_err err = tr_json_unescape(f->value.p, f->value.n, d, &n);
    if (err)
        return err;
    d[n] = '\0';
    *out = (tr_str){ d, n };
    return TR_OK;
}

void tr_logsource_add_category(tr_logsource *ls, tr_str category)
{
    for (uint8_t i = 0; i < ls->ncategory; i++)
        if (tr_str_eq(ls->category[i], category))
            return;
    if (ls->ncategory < TR_MAX_CATEGORIES)
        ls->category[ls->ncategory++] = category;
}

static bool ls_eq(tr_str a, tr_str b)
{
    return a.n == b.n && tr_mem_eq_nocase(a.p, b.p, a.n);
}

/* Category "c/s" among have's categories. */
static bool has_qualified(const tr_logsource *have, tr_str c, tr_str s)
{
    for (unsigned i = 0; i < have->ncategory; i++) {
        tr_str h = have->category[i];
        if (h.n == c.n + 1 + s.n && h.p[c.n] == '/' && ls_eq((tr_str){ h.p, c.n }, c) &&
            ls_eq((tr_str){ h.p + c.n + 1, s.n }, s))
            return true;
    }
    return false;
}

bool tr_logsource_match(const tr_logsource *have, tr_str product, tr_str category,
                        tr_str service)
{
    if (product.n && !ls_eq(have->product, product))
        return false;
    if (category.n) {
        bool found = false;
        for (unsigned i = 0; i < have->ncategory && !found; i++)
            found = ls_eq(have->category[i], category);
        if (!found)
            return false;
        if (service.n && has_qualified(have, category, service))
            return true; /* generic category with its own service (network/dns) */
    }
    return !service.n || ls_eq(have->service, service);
}
