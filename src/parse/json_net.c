/*
 * json_net.c - JSON formats whose fields are used under their own names:
 * generic JSON lines, Suricata EVE and Zeek's JSON logs.
 *
 * These flavours only find the timestamp and the logsource in a record;
 * names stay as flattened (EVE "http.hostname", Zeek's literal "id.orig_h").
 * For generic JSON the logsource is the user's to declare (--logsource).
 */
#include "core/common.h"

#include "parse/json_flat.h"
#include "trawl/arena.h"

/* ----------------------------------------------------------------- generic */

/* Where generic JSON keeps its time, by priority (DESIGN.md: --timestamp-field). */
static int generic_ts_slot(tr_str k)
{
    switch (k.n) {
    case 2:
        return JF_IS(k, "ts") ? 2 : -1;
    case 4:
        return JF_IS(k, "time") ? 3 : JF_IS(k, "date") ? 7 : -1;
    case 9:
        return JF_IS(k, "timestamp") ? 1 : JF_IS(k, "EventTime") ? 4 : JF_IS(k, "eventTime") ? 6
                                                                                           : -1;
    case 10:
        return JF_IS(k, "@timestamp") ? 0 : -1;
    case 11:
        return JF_IS(k, "TimeCreated") ? 5 : -1;
    default:
        return -1;
    }
}

static void generic_leaf(jf_state *st, const jf_frame *fr, tr_str key, tr_field *f)
{
    if (st->ts_field.n) {
        /* the user named the field (a full dotted name): only that one counts */
        if (tr_str_eq(f->name, st->ts_field))
            jf_ts_note(st, 0, f);
        return;
    }
    if (fr->zone != JF_ZONE_ROOT || fr->is_array)
        return;
    int slot = generic_ts_slot(key);
    if (slot >= 0)
        jf_ts_note(st, (unsigned)slot, f);
}

static tr_err generic_finish(jf_state *st, tr_event *ev)
{
    jf_ts_resolve(st, ev);
    return TR_OK;
}

const jf_flavour jf_generic = {
    .product = NULL,
    .leaf = generic_leaf,
    .finish = generic_finish,
};

/* ------------------------------------------------------------ service names */

/* ev->logsource.service from the record's own value (decoded when escaped). */
static tr_err set_service(jf_state *st, tr_event *ev)
{
    if (!st->service.n)
        return TR_OK;
    if (!st->service_escaped) {
        ev->logsource.service = st->service;
        return TR_OK;
    }
    tr_json_tok t = { .type = TR_JSON_STRING, .escaped = true, .text = st->service };
    if (!ev->arena || tr_json_str_arena(&t, ev->arena, &ev->logsource.service) != TR_OK)
        return tr_parser_fail(st->parser, TR_ELIMIT, "event arena full");
    return TR_OK;
}

static void note_service(jf_state *st, const tr_field *f)
{
    if (f->kind == TR_VSTR && !st->service.n) {
        st->service = f->value;
        st->service_escaped = (f->flags & TR_FIELD_ESCAPED) != 0;
    }
}

/* --------------------------------------------------------------------- eve */

static void eve_leaf(jf_state *st, const jf_frame *fr, tr_str key, tr_field *f)
{
    if (fr->zone != JF_ZONE_ROOT || fr->is_array)
        return;
    if (JF_IS(key, "timestamp"))
        jf_ts_note(st, 0, f);
    else if (JF_IS(key, "event_type"))
        note_service(st, f);
}

static tr_err eve_finish(jf_state *st, tr_event *ev)
{
    jf_ts_resolve(st, ev);
    return set_service(st, ev);
}

const jf_flavour jf_eve = {
    .product = "suricata",
    .leaf = eve_leaf,
    .finish = eve_finish,
};

/* -------------------------------------------------------------------- zeek */

static void zeek_leaf(jf_state *st, const jf_frame *fr, tr_str key, tr_field *f)
{
    if (fr->zone != JF_ZONE_ROOT || fr->is_array)
        return;
    if (JF_IS(key, "ts"))
        jf_ts_note(st, 0, f);
    else if (JF_IS(key, "_path"))
        note_service(st, f);
}

/* The log's path from its file name: "conn.log", "conn.09:00:00-10:00:00.log.gz"
 * and "conn.log.zst" are all "conn". Nothing for names without ".log". */
static tr_str service_from_path(tr_str path)
{
    const char *base = path.p, *end = path.p + path.n;
    for (const char *c = path.p; c < end; c++)
        if (*c == '/')
            base = c + 1;
    size_t n = (size_t)(end - base);
    const char *dot = memchr(base, '.', n);
    if (!dot || dot == base || !memmem(dot, (size_t)(end - dot), ".log", 4))
        return (tr_str){ NULL, 0 };
    return (tr_str){ base, (size_t)(dot - base) };
}

static tr_err zeek_finish(jf_state *st, tr_event *ev)
{
    jf_ts_resolve(st, ev);
    if (!st->service.n && ev->path.n) {
        ev->logsource.service = service_from_path(ev->path);
        return TR_OK;
    }
    return set_service(st, ev);
}

const jf_flavour jf_zeek = {
    .product = "zeek",
    .leaf = zeek_leaf,
    .finish = zeek_finish,
};
