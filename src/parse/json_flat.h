/*
 * json_flat.h - the JSON flattener shared by every JSON input format, and
 * the hooks through which each format ("flavour") names its fields.
 *
 * The flattener walks one record with the tokenizer of core/json.h and adds
 * one tr_field per scalar: nested objects give dotted names ("a.b.c"),
 * elements of arrays of objects get their index ("a.0.b"), and every
 * element of an array of scalars becomes its own field named after the
 * array with TR_FIELD_MULTI. Values are slices of the record; names of
 * top-level keys are slices too, dotted names are built in the event arena.
 *
 * A flavour sees the walk through zones: when a container opens, enter()
 * gives it a small number describing where it is ("the System element",
 * "winlog.event_data"); leaf() then sees each field with the zone of its
 * container and sets aliases or notes timestamp candidates, without ever
 * comparing full dotted names. finish() runs after the record.
 */
#ifndef TR_SRC_PARSE_JSON_FLAT_H
#define TR_SRC_PARSE_JSON_FLAT_H

#include "core/common.h"

#include "core/json.h"
#include "parse/format.h"
#include "trawl/event.h"

#define JF_NAME_MAX 4096 /* longest dotted field name */
#define JF_TS_SLOTS 10   /* timestamp candidates, by priority (0 first) */

/* Zone 0 is "nothing special" in every flavour; zone 1 is the root object. */
enum { JF_ZONE_NONE = 0, JF_ZONE_ROOT = 1 };

typedef struct jf_frame {
    uint32_t plen;     /* length of this container's dotted name in path[] */
    uint32_t index;    /* arrays: index of the next element */
    bool is_array;     /* array or object */
    uint8_t zone;      /* flavour's zone of this container */
    tr_str key;        /* decoded key that opened it (arrays' elements: the array's key) */
    tr_str alias;      /* flavour: alias this container's "#text" child takes */
    tr_str name;       /* this container's full name when already known (or empty) */
} jf_frame;

typedef struct jf_state jf_state;

typedef struct jf_flavour {
    const char *product; /* logsource product, or NULL */
    uint8_t capture_from; /* capture() sees only leaves in zones >= this (0: never) */
    /* Zone of container nf (its key, is_array and plen are set) opened under
     * parent; nf->key is the array's key for an element of an array. May set
     * nf->alias. */
    uint8_t (*enter)(jf_state *st, const jf_frame *parent, jf_frame *nf);
    /* Optional: takes a scalar of a zone >= capture_from instead of emitting
     * it (true = consumed). */
    bool (*capture)(jf_state *st, const jf_frame *fr, tr_str key, const tr_json_tok *v);
    /* Sees each emitted field with its container and key. */
    void (*leaf)(jf_state *st, const jf_frame *fr, tr_str key, tr_field *f);
    /* Optional: a container of this flavour's zones closed. */
    tr_err (*leave)(jf_state *st, tr_event *ev, const jf_frame *fr);
    /* After the whole record: timestamp, logsource, late aliases. */
    tr_err (*finish)(jf_state *st, tr_event *ev);
} jf_flavour;

/* Per-parser state (allocated once by tr_parser_new, reused per record). */
struct jf_state {
    const jf_flavour *fl;
    tr_parser *parser;
    uint32_t max_depth;
    tr_str ts_field;           /* generic JSON: --timestamp-field, or empty */
    tr_json j;
    /* --- per record, reset by the walker --- */
    tr_str ts[JF_TS_SLOTS];    /* timestamp candidates by priority */
    bool ts_escaped[JF_TS_SLOTS];
    uint32_t ts_have;          /* bit per filled slot */
    tr_str service;            /* logsource service from the record (eve, zeek) */
    bool service_escaped;
    bool have_eventid;         /* winlogbeat: an EventID alias was set */
    uint32_t ed_plen;          /* evtx: length of the EventData element's name in path[] */
    /* evtx: one EventData "Data" item being read ({"#attributes":{"Name":…},"#text":…}) */
    tr_json_tok item_text, item_name;
    bool item_has_text, item_has_name;
    char *names;               /* free space for this record's names (event arena) */
    size_t names_left;         /* bytes left there */
    /* --- walker scratch --- */
    jf_frame frames[TR_JSON_DEPTH_CAP + 1];
    char path[JF_NAME_MAX + 16]; /* +16: names are copied 16 bytes at a time */
};

/* The flavours (json_*.c). */
extern const jf_flavour jf_generic, jf_evtx, jf_winlogbeat, jf_nxlog, jf_eve, jf_zeek;

/* Adds a field for scalar token v with the given name; NULL (and a parser
 * error set) when the event is full. Sets kind and TR_FIELD_ESCAPED. */
tr_field *jf_add(jf_state *st, tr_event *ev, tr_str name, const tr_json_tok *v);

/* The name prefix.key built in the event arena (prefix is path[0..plen)).
 * .p is NULL when the arena is full or the name too long. */
tr_str jf_name(jf_state *st, tr_event *ev, uint32_t plen, tr_str key);

/* Notes a timestamp candidate of the given priority (first note per slot wins). */
static inline void jf_ts_note(jf_state *st, unsigned slot, const tr_field *f)
{
    if (!(st->ts_have & (1u << slot))) {
        st->ts_have |= 1u << slot;
        st->ts[slot] = f->value;
        st->ts_escaped[slot] = (f->flags & TR_FIELD_ESCAPED) != 0;
    }
}

/* ev->ts from the best candidate that parses (tr_time_parse_any). */
void jf_ts_resolve(jf_state *st, tr_event *ev);

/* Slice equality with a string literal. */
#define JF_IS(s, lit) ((s).n == sizeof(lit) - 1 && memcmp((s).p, lit, sizeof(lit) - 1) == 0)

#endif
