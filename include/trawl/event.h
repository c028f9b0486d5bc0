/*
 * trawl/event.h - the normalised event every parser produces and every
 * matcher reads.
 *
 * An event is a list of (name, value) slices borrowed from the input buffer;
 * nothing is copied on the hot path. Names that do not exist contiguously in
 * the input (dotted names of nested JSON, say) and decoded strings live in the
 * event's arena, which the caller resets before parsing the next record. An
 * event, its fields and every slice in it are valid until that reset.
 */
#ifndef TR_EVENT_H
#define TR_EVENT_H

#include "trawl/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tr_arena tr_arena;

/* Timestamps are nanoseconds since 1970-01-01T00:00:00Z. */
#define TR_TS_NONE INT64_MIN

/* What a raw value is, as its format says (JSON kinds; everything else is a string). */
typedef enum tr_vkind {
    TR_VSTR = 0, /* text */
    TR_VNUM,     /* number, value is its literal text ("4688", "1.5e3") */
    TR_VBOOL,    /* "true" or "false" */
    TR_VNULL     /* explicit null (JSON null, Zeek "-") */
} tr_vkind;

/* Semantic type of a field's value, set by the logsource mapping. Indicator
 * matching only compares an indicator with values of its own type; TEXT
 * values are tokenised first. */
typedef enum tr_vtype {
    TR_T_NONE = 0, /* unknown: not used for indicator matching */
    TR_T_TEXT,     /* free text: command lines, messages, query strings */
    TR_T_IP,       /* one IPv4 or IPv6 address */
    TR_T_DOMAIN,   /* a host or domain name */
    TR_T_URL,      /* a URL or request URI */
    TR_T_HASH,     /* one MD5 / SHA-1 / SHA-256 digest */
    TR_T_HASHES,   /* a list such as Sysmon's "MD5=…,SHA256=…" */
    TR_T_PATH,     /* a file path (its last component is a file name) */
    TR_T_FILENAME, /* a bare file name */
    TR_T_EMAIL,    /* an e-mail address */
    TR_T_HOSTPORT  /* "host:port" (proxy CONNECT targets, Host headers) */
} tr_vtype;

/* Which side of a connection a value belongs to. */
typedef enum tr_side {
    TR_SIDE_NONE = 0,
    TR_SIDE_SRC, /* inbound source: the party that initiated towards us */
    TR_SIDE_DST  /* destination: where the monitored host connected to */
} tr_side;

enum tr_field_flags {
    TR_FIELD_ESCAPED = 1 << 0, /* value is a JSON string body with backslash escapes:
                                  decode with tr_field_value() before comparing */
    TR_FIELD_MULTI = 1 << 1,   /* one element of an array of scalars; its siblings
                                  share the same name */
    TR_FIELD_DERIVED = 1 << 2  /* added by the logsource mapping (a taxonomy name for
                                  another field's value), not present in the record */
};

typedef struct tr_field {
    tr_str name;    /* full name, dotted for nested JSON ("winlog.event_data.Image") */
    tr_str alias;   /* short taxonomy name ("Image"); empty when there is none */
    tr_str value;   /* raw value slice; see flags */
    uint8_t kind;   /* enum tr_vkind */
    uint8_t flags;  /* enum tr_field_flags */
    uint8_t vtype;  /* enum tr_vtype (set by the logsource mapping) */
    uint8_t side;   /* enum tr_side (set by the logsource mapping) */
} tr_field;

#define TR_MAX_CATEGORIES 4

/* Sigma logsource of an event. A Windows event may belong to several
 * categories at once (Sysmon 13: registry_event and registry_set). */
typedef struct tr_logsource {
    tr_str product;                         /* "windows", "zeek", "linux", … or empty */
    tr_str service;                         /* "sysmon", "http", … or empty */
    tr_str category[TR_MAX_CATEGORIES];     /* "process_creation", "webserver", … */
    uint8_t ncategory;                      /* entries used in category[] */
} tr_logsource;

typedef struct tr_event {
    tr_field *fields;       /* caller-provided array (scratch) */
    uint32_t nfields;       /* entries used */
    uint32_t cap;           /* capacity of fields[] */
    uint32_t truncated;     /* fields dropped because cap was reached */
    uint16_t format;        /* enum tr_format (trawl/parse.h) that produced it */
    int64_t ts;             /* UTC ns, or TR_TS_NONE */
    tr_str tenant;          /* tenant id (borrowed from the fleet or options) */
    tr_logsource logsource; /* set by the parser and the logsource mapping */
    tr_str path;            /* source path as given */
    uint64_t record;        /* 0-based index among the source's events */
    uint64_t line;          /* 1-based line of the record's first byte; 0 if none */
    uint64_t offset;        /* byte offset of the record in the (decompressed) source */
    tr_str raw;             /* the whole record */
    tr_arena *arena;        /* per-event scratch for derived names and decoded values */
} tr_event;

/* Prepares ev to use fields[cap] and arena. Does not allocate. */
TR_API void tr_event_init(tr_event *ev, tr_field *fields, uint32_t cap, tr_arena *arena);

/* Empties ev for the next record: nfields = 0, logsource and ts cleared.
 * Keeps tenant, path and format. Does not reset the arena (the caller owns it). */
TR_API void tr_event_reset(tr_event *ev);

/* Appends a field; returns NULL (and counts ev->truncated) when full. */
TR_API tr_field *tr_event_add(tr_event *ev, tr_str name, tr_str value, tr_vkind kind);

/* First field whose name or alias equals name (case-sensitive), else NULL.
 * A linear scan: for debugging, tests and cold paths, not for matching. */
TR_API const tr_field *tr_event_find(const tr_event *ev, tr_str name);

/* The comparable value of f: f->value itself, or its decoded form (JSON
 * escapes resolved, allocated in arena) when TR_FIELD_ESCAPED is set.
 * Returns TR_EPARSE for an invalid escape, TR_ENOMEM if the arena is full. */
TR_API tr_err tr_field_value(const tr_field *f, tr_arena *arena, tr_str *out);

/* Whether an event with logsource have satisfies a rule's logsource: every
 * part the rule names (non-empty) must match, ASCII case-insensitively; a
 * rule's category matches any of the event's categories.
 * The generic network logsource of taxonomy v2.1 (`category: network` with
 * `service: connection` or `dns`) is carried as two categories, "network"
 * and "network/<service>", because the event's service slot keeps the
 * product's own name (Zeek "conn", EVE "flow"); a rule
 * {category: network, service: S} matches an event having category
 * "network/S" whatever its service. Thread-safe. */
TR_API bool tr_logsource_match(const tr_logsource *have, tr_str product, tr_str category,
                               tr_str service);

/* Adds a category to the event's logsource (ignored if already present or full). */
TR_API void tr_logsource_add_category(tr_logsource *ls, tr_str category);

#ifdef __cplusplus
}
#endif
#endif /* TR_EVENT_H */
