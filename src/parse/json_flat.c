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

#include "core/json_scan.h"
#include "core/jsonstr.h"
#include "core/time.h"
#include "parse/json_flat.h"
#include "trawl/arena.h"

static inline __attribute__((always_inline)) tr_field *add_field(jf_state *st, tr_event *ev,
                                                                  tr_str name,
                                                                  const tr_json_tok *v)
{
    tr_vkind kind;
    switch (v->type) {
    case TR_JSON_NUMBER: kind = TR_VNUM; break;
    case TR_JSON_TRUE:
    case TR_JSON_FALSE: kind = TR_VBOOL; break;
    case TR_JSON_NULL: kind = TR_VNULL; break;
    default: kind = TR_VSTR; break;
    }
    /* tr_event_add(), inlined: this runs for every field of every event */
    if (TR_UNLIKELY(ev->nfields >= ev->cap)) {
        ev->truncated++;
        tr_parser_fail(st->parser, TR_ELIMIT, "record has more than %u fields", ev->cap);
        return NULL;
    }
    tr_field *f = &ev->fields[ev->nfields++];
    f->name = name;
    f->alias = (tr_str){ NULL, 0 };
    f->value = v->text;
    if (kind == TR_VNULL)
        f->value.n = 0;
    f->kind = (uint8_t)kind;
    f->flags = v->escaped ? TR_FIELD_ESCAPED : 0;
    f->vtype = TR_T_NONE;
    f->side = TR_SIDE_NONE;
    return f;
}

tr_field *jf_add(jf_state *st, tr_event *ev, tr_str name, const tr_json_tok *v)
{
    return add_field(st, ev, name, v);
}

/* memcpy for the short strings of names: the compiler's inline expansion
 * of a variable-size memcpy is "rep movsq", slow to start for 10-40 bytes. */
static inline void copy_short(char *d, const char *s, size_t n)
{
    if (n >= 16) {
        size_t i = 0;
        for (; i + 16 <= n; i += 16)
            memcpy(d + i, s + i, 16);
        if (i < n)
            memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
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
    copy_short(o, part.p, part.n);
    return (uint32_t)need;
}

/* Names are carved from blocks of the event arena, so that most names cost
 * no call at all. */
#define JF_NAME_BLOCK 2048

static char *name_space(jf_state *st, tr_event *ev, size_t n)
{
    if (TR_LIKELY(n <= st->names_left && st->names)) { /* no block yet: NULL + 0 is UB */
        char *d = st->names;
        st->names += n;
        st->names_left -= n;
        return d;
    }
    size_t block = n > JF_NAME_BLOCK ? n : JF_NAME_BLOCK;
    char *d = ev->arena ? tr_arena_alloc(ev->arena, block) : NULL;
    if (!d)
        return NULL;
    st->names = d + n;
    st->names_left = block - n;
    return d;
}

/* prefix.key: the prefix (path[], which has 16 bytes of slack) is copied
 * 16 bytes at a time into a name block that keeps 16 bytes of slack too;
 * the key, a slice of the record, is copied exactly. */
static inline __attribute__((always_inline)) tr_str make_name(jf_state *st, tr_event *ev,
                                                               uint32_t plen, tr_str key)
{
    size_t n = plen + 1 + key.n;
    char *d;
    if (TR_LIKELY(n + 16 <= st->names_left && n < JF_NAME_MAX)) {
        d = st->names;
        st->names += n;
        st->names_left -= n;
    } else {
        d = n < JF_NAME_MAX ? name_space(st, ev, n + 16) : NULL;
        if (TR_UNLIKELY(!d)) {
            tr_parser_fail(st->parser, TR_ELIMIT,
                           n >= JF_NAME_MAX ? "field name longer than %d bytes"
                                            : "event arena full (%d-byte names)",
                           JF_NAME_MAX);
            return (tr_str){ NULL, 0 };
        }
        st->names -= 16; /* give the slack back */
        st->names_left += 16;
    }
    for (uint32_t k = 0; k < plen; k += 16)
        memcpy(d + k, st->path + k, 16);
    d[plen] = '.';
    copy_short(d + plen + 1, key.p, key.n);
    return (tr_str){ d, n };
}

tr_str jf_name(jf_state *st, tr_event *ev, uint32_t plen, tr_str key)
{
    if (plen)
        return make_name(st, ev, plen, key);
    char *d = name_space(st, ev, key.n ? key.n : 1);
    if (!d) {
        tr_parser_fail(st->parser, TR_ELIMIT, "event arena full");
        return (tr_str){ NULL, 0 };
    }
    copy_short(d, key.p, key.n);
    return (tr_str){ d, key.n };
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
        char *d = name_space(st, ev, fr->plen);
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

static inline __attribute__((always_inline)) tr_err leaf(jf_state *st, tr_event *ev, jf_frame *fr,
                                                       tr_str key, const tr_json_tok *t)
{
    if (fr->is_array) {
        if (st->fl->capture_from && fr->zone >= st->fl->capture_from &&
            st->fl->capture(st, fr, key, t)) {
            fr->index++;
            return TR_OK;
        }
        fr->index++;
        tr_str name = array_name(st, ev, fr);
        if (!name.p)
            return TR_ELIMIT;
        tr_field *f = add_field(st, ev, name, t);
        if (!f)
            return TR_ELIMIT;
        f->flags |= TR_FIELD_MULTI;
        st->fl->leaf(st, fr, key, f);
        return TR_OK;
    }
    if (st->fl->capture_from && fr->zone >= st->fl->capture_from &&
        st->fl->capture(st, fr, key, t))
        return TR_OK;
    tr_str name = key;
    if (fr->plen) {
        name = make_name(st, ev, fr->plen, key);
        if (!name.p)
            return TR_ELIMIT;
    }
    tr_field *f = add_field(st, ev, name, t);
    if (!f)
        return TR_ELIMIT;
    st->fl->leaf(st, fr, key, f);
    return TR_OK;
}

/* The reference walk, token by token with the tokenizer of core/json.h. It
 * runs only when walk_fast() meets something it does not accept, so that
 * the reason (and the byte offset) reported is the tokenizer's own. */
static tr_err walk_tokens(jf_state *st, tr_str rec, tr_event *ev)
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

/* A literal ("true", "false", "null") at s[i]. */
static inline bool is_literal(const unsigned char *s, size_t n, size_t i, const char *w, size_t wl)
{
    return n - i >= wl && memcmp(s + i, w, wl) == 0;
}

/* The walk of every record: the grammar is driven by the flattener's own
 * frames (it knows whether it is in an object or an array), with the
 * tokenizer's scanning primitives doing the validation. Any syntax error
 * (or a nesting deeper than the limit) returns TR_EPARSE without a message:
 * the caller then runs walk_tokens() for the exact reason. Limits hit
 * while flattening (fields, names, arena) return TR_ELIMIT with a message. */
static tr_err walk_fast(jf_state *st, tr_str rec, tr_event *ev)
{
    const unsigned char *s = (const unsigned char *)rec.p;
    const size_t n = rec.n;
    tr_jscan_err e;
    tr_err err;
    size_t i = tr_jscan_ws(s, 0, n);
    if (TR_UNLIKELY(i >= n || s[i] != '{'))
        return TR_EPARSE;
    i++;
    jf_frame *root = &st->frames[0];
    memset(root, 0, sizeof(*root));
    root->zone = JF_ZONE_ROOT;
    uint32_t d = 0;
    bool first = true; /* nothing read yet in the current container */
    for (;;) {
        jf_frame *fr = &st->frames[d];
        if (TR_UNLIKELY(i >= n || s[i] <= ' ')) {
            i = tr_jscan_ws(s, i, n);
            if (i >= n)
                return TR_EPARSE;
        }
        unsigned c = s[i];
        if (c == (fr->is_array ? (unsigned)']' : (unsigned)'}')) {
            if (st->fl->leave && (err = st->fl->leave(st, ev, fr)) != TR_OK)
                return err;
            i++;
            if (d == 0)
                return tr_jscan_ws(s, i, n) == n ? TR_OK : TR_EPARSE;
            d--;
            first = false;
            continue;
        }
        if (!first) {
            if (TR_UNLIKELY(c != ','))
                return TR_EPARSE;
            i++;
            if (TR_UNLIKELY(i >= n || s[i] <= ' ')) {
                i = tr_jscan_ws(s, i, n);
                if (i >= n)
                    return TR_EPARSE;
            }
            c = s[i];
        }
        first = false;
        tr_str key;
        if (!fr->is_array) {
            bool kesc;
            if (TR_UNLIKELY(c != '"'))
                return TR_EPARSE;
            size_t end = tr_jscan_string(s, n, i, &kesc, &e);
            if (TR_UNLIKELY(end == SIZE_MAX))
                return TR_EPARSE;
            key = (tr_str){ rec.p + i + 1, end - i - 1 };
            if (TR_UNLIKELY(kesc)) {
                tr_json_tok kt = { .type = TR_JSON_KEY, .escaped = true, .text = key };
                if (!decode_key(st, ev, &kt, &key))
                    return TR_ELIMIT;
            }
            i = end + 1;
            if (TR_UNLIKELY(i >= n || s[i] != ':')) { /* compact JSON has none of this */
                i = tr_jscan_ws(s, i, n);
                if (i >= n || s[i] != ':')
                    return TR_EPARSE;
            }
            i++;
            if (TR_UNLIKELY(i >= n || s[i] <= ' ')) {
                i = tr_jscan_ws(s, i, n);
                if (i >= n)
                    return TR_EPARSE;
            }
            c = s[i];
        } else {
            key = fr->key;
        }
        tr_json_tok v;
        v.escaped = false;
        switch (c) {
        case '"': {
            size_t end = tr_jscan_string(s, n, i, &v.escaped, &e);
            if (TR_UNLIKELY(end == SIZE_MAX))
                return TR_EPARSE;
            v.type = TR_JSON_STRING;
            v.text = (tr_str){ rec.p + i + 1, end - i - 1 };
            i = end + 1;
            break;
        }
        case '{':
        case '[':
            if (TR_UNLIKELY(d + 1 >= st->max_depth))
                return TR_EPARSE; /* walk_tokens() says "nesting deeper than …" */
            if ((err = open_container(st, d, key, c == '[')) != TR_OK)
                return err;
            d++;
            i++;
            first = true;
            continue;
        case '-':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9': {
            size_t end = tr_jscan_number(s, n, i, &e);
            if (TR_UNLIKELY(end == SIZE_MAX))
                return TR_EPARSE;
            v.type = TR_JSON_NUMBER;
            v.text = (tr_str){ rec.p + i, end - i };
            i = end;
            break;
        }
        case 't':
            if (!is_literal(s, n, i, "true", 4))
                return TR_EPARSE;
            v.type = TR_JSON_TRUE;
            v.text = (tr_str){ rec.p + i, 4 };
            i += 4;
            break;
        case 'f':
            if (!is_literal(s, n, i, "false", 5))
                return TR_EPARSE;
            v.type = TR_JSON_FALSE;
            v.text = (tr_str){ rec.p + i, 5 };
            i += 5;
            break;
        case 'n':
            if (!is_literal(s, n, i, "null", 4))
                return TR_EPARSE;
            v.type = TR_JSON_NULL;
            v.text = (tr_str){ rec.p + i, 4 };
            i += 4;
            break;
        default:
            return TR_EPARSE;
        }
        if ((err = leaf(st, ev, fr, key, &v)) != TR_OK)
            return err;
    }
}

static tr_err json_init(tr_parser *p)
{
    jf_state *st = p->state;
    st->parser = p;
    st->max_depth = p->opts.max_depth > TR_JSON_DEPTH_CAP ? TR_JSON_DEPTH_CAP : p->opts.max_depth;
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
    st->names_left = 0; /* the caller has reset the arena */
    uint32_t nfields = ev->nfields;
    tr_err err = walk_fast(st, rec, ev);
    if (err == TR_EPARSE) {
        /* start over with the tokenizer: it names the error exactly */
        ev->nfields = nfields;
        st->ts_have = 0;
        st->service = (tr_str){ NULL, 0 };
        st->have_eventid = false;
        st->item_has_text = st->item_has_name = false;
        err = walk_tokens(st, rec, ev);
        if (err == TR_OK) /* cannot happen: both walks accept the same records */
            err = tr_parser_fail(p, TR_EINTERNAL, "JSON walks disagree on this record");
    }
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
