/*
 * fields.c - field lookup and derived taxonomy names (see route.h).
 *
 * Lookups are linear scans: an event has a few dozen fields, routing asks
 * for a handful of names, and a scan touches memory the parser just wrote.
 */
#include "core/common.h"

#include "core/hash.h"
#include "logsource/route.h"

bool ls_eq_nocase_str(tr_str a, tr_str b)
{
    return a.n == b.n && (a.n == 0 || tr_mem_eq_nocase(a.p, b.p, a.n));
}

const tr_field *ls_find(const tr_event *ev, tr_str key)
{
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const tr_field *f = &ev->fields[i];
        if (tr_str_eq(f->alias, key) || tr_str_eq(f->name, key))
            return f;
    }
    return NULL;
}

bool ls_value(const tr_event *ev, const tr_field *f, tr_str *out)
{
    if (!(f->flags & TR_FIELD_ESCAPED)) {
        *out = f->value;
        return true;
    }
    return ev->arena && tr_field_value(f, ev->arena, out) == TR_OK;
}

long ls_number(const tr_event *ev, const tr_field *f)
{
    tr_str v;
    if (!f || f->kind == TR_VNULL || !ls_value(ev, f, &v))
        return -1;
    size_t i = 0;
    while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
        i++;
    long n = 0;
    size_t start = i;
    while (i < v.n && v.p[i] >= '0' && v.p[i] <= '9' && i - start < 10) {
        n = n * 10 + (v.p[i] - '0');
        i++;
    }
    if (i == start || n > INT32_MAX)
        return -1;
    while (i < v.n && (v.p[i] == ' ' || v.p[i] == '\t'))
        i++;
    return i == v.n ? n : -1;
}

static bool has_field(const tr_event *ev, tr_str name)
{
    return ls_find(ev, name) != NULL;
}

static tr_field *append(tr_event *ev, tr_str name, tr_str value, tr_vkind kind)
{
    tr_field *d = tr_event_add(ev, name, value, kind);
    if (d) {
        d->alias = (tr_str){ NULL, 0 };
        d->flags = TR_FIELD_DERIVED;
    }
    return d;
}

void ls_derive(tr_event *ev, tr_str name, const tr_field *f)
{
    if (!f || has_field(ev, name))
        return;
    tr_field src = *f; /* f may live in ev->fields: copy before appending */
    tr_field *d = append(ev, name, src.value, (tr_vkind)src.kind);
    if (d) {
        d->flags |= src.flags & (TR_FIELD_ESCAPED | TR_FIELD_MULTI);
        d->vtype = src.vtype;
        d->side = src.side;
    }
}

void ls_derive_value(tr_event *ev, tr_str name, tr_str value, tr_vkind kind)
{
    if (!has_field(ev, name))
        append(ev, name, value, kind);
}

/* name equals pattern, where a '*' in pattern stands for one whole dotted
 * segment ("dns.answers.*.rdata" matches "dns.answers.0.rdata"). */
static bool name_matches(tr_str name, tr_str pat)
{
    size_t i = 0, j = 0;
    while (j < pat.n) {
        if (pat.p[j] == '*') {
            size_t start = i;
            while (i < name.n && name.p[i] != '.')
                i++;
            if (i == start)
                return false;
            j++;
            continue;
        }
        if (i >= name.n || name.p[i] != pat.p[j])
            return false;
        i++;
        j++;
    }
    return i == name.n;
}

void ls_derive_all(tr_event *ev, tr_str name, tr_str src)
{
    ls_derive_all_logged(ev, name, src, NULL);
}

void ls_derive_all_logged(tr_event *ev, tr_str name, tr_str src, ls_derive_log *log)
{
    if (has_field(ev, name))
        return;
    bool glob = memchr(src.p, '*', src.n) != NULL;
    uint32_t n = ev->nfields; /* fields appended below are not sources */
    for (uint32_t i = 0; i < n; i++) {
        const tr_field *f = &ev->fields[i];
        if (glob ? !name_matches(f->name, src)
                 : !tr_str_eq(f->name, src) && !tr_str_eq(f->alias, src))
            continue;
        tr_field s = *f;
        tr_field *d = append(ev, name, s.value, (tr_vkind)s.kind);
        if (!d)
            return;
        d->flags |= s.flags & (TR_FIELD_ESCAPED | TR_FIELD_MULTI);
        if (glob)
            d->flags |= TR_FIELD_MULTI; /* elements of an array of objects */
        d->vtype = s.vtype;
        d->side = s.side;
        if (log) {
            if (log->n < log->cap)
                log->steps[log->n] = (ls_derive_step){ name, (uint16_t)i, glob };
            log->n++;
        }
    }
}

void ls_derive_replay(tr_event *ev, const ls_derive_step *steps, uint32_t n)
{
    if (TR_LIKELY(ev->cap - ev->nfields >= n)) {
        /* room for every step (the usual case): one store per field */
        tr_field *out = ev->fields + ev->nfields;
        for (uint32_t k = 0; k < n; k++) {
            const tr_field *s = &ev->fields[steps[k].src];
            uint8_t flags = (uint8_t)(s->flags & (TR_FIELD_ESCAPED | TR_FIELD_MULTI));
            flags |= (uint8_t)(TR_FIELD_DERIVED | (steps[k].glob ? TR_FIELD_MULTI : 0));
            out[k] = (tr_field){ .name = steps[k].name,
                                 .value = s->value,
                                 .kind = s->kind,
                                 .flags = flags,
                                 .vtype = s->vtype,
                                 .side = s->side };
        }
        ev->nfields += n;
        return;
    }
    for (uint32_t k = 0; k < n; k++) {
        tr_field s = ev->fields[steps[k].src];
        tr_field *d = append(ev, steps[k].name, s.value, (tr_vkind)s.kind);
        if (!d)
            return;
        d->flags |= s.flags & (TR_FIELD_ESCAPED | TR_FIELD_MULTI);
        if (steps[k].glob)
            d->flags |= TR_FIELD_MULTI;
        d->vtype = s.vtype;
        d->side = s.side;
    }
}
