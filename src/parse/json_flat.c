/*
 * json_flat.c - one JSON record to one tr_event: the flattener behind every
 * JSON input format (json, evtx-json, winlogbeat, nxlog, eve, zeek-json).
 *
 * A record must be one JSON object: that is what an event is in every one of
 * these formats. A top-level array is rejected with its own reason rather
 * than guessed at (an array of events would need one record per element,
 * which is the framer's job, not the parser's); so is any other value.
 *
 * Nothing is allocated per record: values are slices of the record, names
 * of top-level keys too, and only dotted names (and the rare key written
 * with escapes) are built in the event arena, which the caller resets.
 */
#include "core/common.h"

#include "core/jsonstr.h"
#include "core/time.h"
#include "parse/json_flat.h"
#include "trawl/arena.h"

tr_field *jf_add(jf_state *st, tr_event *ev, tr_str name, const tr_json_tok *v)
{
    tr_vkind kind;
    switch (v->type) {
    case TR_JSON_NUMBER: kind = TR_VNUM; break;
    case TR_JSON_TRUE:
    case TR_JSON_FALSE: kind = TR_VBOOL; break;
    case TR_JSON_NULL: kind = TR_VNULL; break;
    default: kind = TR_VSTR; break;
    }
    tr_field *f = tr_event_add(ev, name, kind == TR_VNULL ? (tr_str){ v->text.p, 0 } : v->text,
                               kind);
    if (TR_UNLIKELY(!f)) {
        tr_parser_fail(st->parser, TR_ELIMIT, "record has more than %u fields", ev->cap);
        return NULL;
    }
    if (v->escaped)
        f->flags |= TR_FIELD_ESCAPED;
    return f;
}

/* Appends ".part" (or "part" at the root) to path[0..plen); returns the new length or 0. */
static uint32_t path_push(jf_state *st, uint32_t plen, tr_str part)
{
    size_t need = plen + (plen ? 1 : 0) + part.n;
    if (TR_UNLIKELY(need >= JF_NAME_MAX))
        return 0;
    char *o = st->path + plen;
    if (plen)
        *o++ = '.';
    memcpy(o, part.p, part.n);
    return (uint32_t)need;
}

tr_str jf_name(jf_state *st, tr_event *ev, uint32_t plen, tr_str key)
{
    size_t n = plen + (plen ? 1 : 0) + key.n;
    char *d = ev->arena ? tr_arena_alloc(ev->arena, n) : NULL;
    if (TR_UNLIKELY(!d || n >= JF_NAME_MAX)) {
        tr_parser_fail(st->parser, TR_ELIMIT,
                       n >= JF_NAME_MAX ? "field name longer than %d bytes"
                                        : "event arena full (%d-byte names)",
                       JF_NAME_MAX);
        return (tr_str){ NULL, 0 };
    }
    memcpy(d, st->path, plen);
    if (plen)
        d[plen] = '.';
    memcpy(d + plen + (plen ? 1 : 0), key.p, key.n);
    return (tr_str){ d, n };
}

void jf_ts_resolve(jf_state *st, tr_event *ev)
{
    for (unsigned slot = 0; slot < JF_TS_SLOTS; slot++) {
        if (!(st->ts_have & (1u << slot)))
            continue;
        tr_str v = st->ts[slot];
        char buf[80];
        if (st->ts_escaped[slot]) {
            size_t n;
            if (v.n > sizeof(buf) || tr_json_unescape(v.p, v.n, buf, &n) != TR_OK)
                continue;
            v = (tr_str){ buf, n };
        }
        int64_t ns;
        if (v.n && tr_time_parse_any(v.p, v.n, &ns) == TR_OK) {
            ev->ts = ns;
            return;
        }
    }
}

static tr_err syntax_error(jf_state *st)
{
    /* the nesting limit is a limit, not malformed input (trawl/parse.h) */
    tr_err err = strncmp(st->j.errmsg, "nesting deeper", 14) == 0 ? TR_ELIMIT : TR_EPARSE;
    return tr_parser_fail(st->parser, err, "invalid JSON at byte %zu: %s", st->j.err_off,
                          st->j.errmsg);
}

/* The decoded key of a KEY token (arena copy only when it has escapes). */
static bool decode_key(jf_state *st, tr_event *ev, const tr_json_tok *t, tr_str *key)
{
    if (TR_LIKELY(!t->escaped)) {
        *key = t->text;
        return true;
    }
    if (!ev->arena || tr_json_str_arena(t, ev->arena, key) != TR_OK) {
        tr_parser_fail(st->parser, TR_ELIMIT, "event arena full");
        return false;
    }
    return true;
}

/* The shared name of an array's scalar elements: the array's own full name. */
static tr_str array_name(jf_state *st, tr_event *ev, jf_frame *fr)
{
    if (!fr->name.p) {
        char *d = ev->arena ? tr_arena_alloc(ev->arena, fr->plen ? fr->plen : 1) : NULL;
        if (!d) {
            tr_parser_fail(st->parser, TR_ELIMIT, "event arena full");
            return fr->name;
        }
        memcpy(d, st->path, fr->plen);
        fr->name = (tr_str){ d, fr->plen };
    }
    return fr->name;
}

static tr_err open_container(jf_state *st, int d, tr_str key, bool is_array)
{
    jf_frame *fr = &st->frames[d];
    jf_frame *nf = &st->frames[d + 1];
    tr_str part = key;
    char idx[24];
    if (fr->is_array) {
        int k = snprintf(idx, sizeof(idx), "%" PRIu32, fr->index++);
        part = (tr_str){ idx, (size_t)k };
    }
    uint32_t plen = path_push(st, fr->plen, part);
    if (TR_UNLIKELY(!plen && part.n + fr->plen))
        return tr_parser_fail(st->parser, TR_ELIMIT, "field name longer than %d bytes",
                              JF_NAME_MAX);
    nf->plen = plen;
    nf->index = 0;
    nf->is_array = is_array;
    nf->key = key;
    nf->alias = (tr_str){ NULL, 0 };
    /* a top-level key is its own full name: no copy needed for its elements */
    nf->name = (d == 0) ? key : (tr_str){ NULL, 0 };
    nf->zone = st->fl->enter ? st->fl->enter(st, fr, nf) : JF_ZONE_NONE;
    return TR_OK;
}

static tr_err leaf(jf_state *st, tr_event *ev, jf_frame *fr, tr_str key, const tr_json_tok *t)
{
    if (fr->is_array) {
        if (st->fl->capture && st->fl->capture(st, fr, key, t)) {
            fr->index++;
            return TR_OK;
        }
        fr->index++;
        tr_str name = array_name(st, ev, fr);
        if (!name.p)
            return TR_ELIMIT;
        tr_field *f = jf_add(st, ev, name, t);
        if (!f)
            return TR_ELIMIT;
        f->flags |= TR_FIELD_MULTI;
        st->fl->leaf(st, fr, key, f);
        return TR_OK;
    }
    if (st->fl->capture && st->fl->capture(st, fr, key, t))
        return TR_OK;
    tr_str name = key;
    if (fr->plen) {
        name = jf_name(st, ev, fr->plen, key);
        if (!name.p)
            return TR_ELIMIT;
    }
    tr_field *f = jf_add(st, ev, name, t);
    if (!f)
        return TR_ELIMIT;
    st->fl->leaf(st, fr, key, f);
    return TR_OK;
}

static tr_err walk(jf_state *st, tr_str rec, tr_event *ev)
{
    tr_json *j = &st->j;
    tr_json_init(j, rec.p, rec.n, st->max_depth);
    tr_json_tok t;
    switch (tr_json_next(j, &t)) {
    case TR_JSON_OBJ_BEGIN:
        break;
    case TR_JSON_ERROR:
        return syntax_error(st);
    case TR_JSON_ARR_BEGIN:
        return tr_parser_fail(st->parser, TR_EPARSE,
                              "a JSON array is not an event (one object per record expected)");
    default:
        return tr_parser_fail(st->parser, TR_EPARSE, "expected a JSON object, found %s",
                              t.type == TR_JSON_STRING ? "a string" : "a scalar");
    }
    jf_frame *root = &st->frames[0];
    memset(root, 0, sizeof(*root));
    root->zone = JF_ZONE_ROOT;
    int d = 0;
    tr_err err;
    for (;;) {
        jf_frame *fr = &st->frames[d];
        tr_str key;
        tr_json_type type = tr_json_next(j, &t);
        if (!fr->is_array) {
            if (type == TR_JSON_KEY) {
                if (!decode_key(st, ev, &t, &key))
                    return TR_ELIMIT;
                type = tr_json_next(j, &t);
            } else if (type == TR_JSON_OBJ_END) {
                if (st->fl->leave && (err = st->fl->leave(st, ev, fr)) != TR_OK)
                    return err;
                if (d-- == 0)
                    break;
                continue;
            }
        } else {
            if (type == TR_JSON_ARR_END) {
                if (st->fl->leave && (err = st->fl->leave(st, ev, fr)) != TR_OK)
                    return err;
                d--;
                continue;
            }
            key = fr->key;
        }
        switch (type) {
        case TR_JSON_OBJ_BEGIN:
        case TR_JSON_ARR_BEGIN:
            if ((err = open_container(st, d, key, type == TR_JSON_ARR_BEGIN)) != TR_OK)
                return err;
            d++;
            break;
        case TR_JSON_STRING:
        case TR_JSON_NUMBER:
        case TR_JSON_TRUE:
        case TR_JSON_FALSE:
        case TR_JSON_NULL:
            if ((err = leaf(st, ev, fr, key, &t)) != TR_OK)
                return err;
            break;
        default:
            return syntax_error(st);
        }
    }
    if (tr_json_next(j, &t) != TR_JSON_END)
        return syntax_error(st);
    return TR_OK;
}

static tr_err json_init(tr_parser *p)
{
    jf_state *st = p->state;
    st->parser = p;
    st->max_depth = p->opts.max_depth;
    st->ts_field = tr_str_c(p->opts.timestamp_field);
    switch (p->format) {
    case TR_FMT_EVTX_JSON: st->fl = &jf_evtx; break;
    case TR_FMT_WINLOGBEAT: st->fl = &jf_winlogbeat; break;
    case TR_FMT_NXLOG: st->fl = &jf_nxlog; break;
    case TR_FMT_EVE: st->fl = &jf_eve; break;
    case TR_FMT_ZEEK_JSON: st->fl = &jf_zeek; break;
    case TR_FMT_JSON: st->fl = &jf_generic; break;
    default: return TR_EINVAL;
    }
    return TR_OK;
}

static tr_err json_parse(tr_parser *p, tr_str rec, tr_event *ev)
{
    jf_state *st = p->state;
    st->ts_have = 0;
    st->service = (tr_str){ NULL, 0 };
    st->service_escaped = false;
    st->have_eventid = false;
    st->ed_plen = 0;
    st->item_has_text = st->item_has_name = false;
    tr_err err = walk(st, rec, ev);
    if (err) {
        if (err == TR_EPARSE && tr_format_header_line(p->format, rec))
            return TR_ESKIP; /* evtx_dump's "Record N" lines */
        return err;
    }
    if (st->fl->product)
        ev->logsource.product = tr_str_c(st->fl->product);
    return st->fl->finish(st, ev);
}

const tr_format_ops tr_json_format_ops = {
    .state_size = sizeof(jf_state),
    .init = json_init,
    .parse = json_parse,
};
