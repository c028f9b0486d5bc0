/*
 * route.h - helpers shared by the routing tables of src/logsource/:
 * finding fields, reading their values, appending taxonomy names.
 */
#ifndef TR_SRC_LOGSOURCE_ROUTE_H
#define TR_SRC_LOGSOURCE_ROUTE_H

#include "core/common.h"

#include "core/hash.h"
#include "trawl/event.h"

/* ASCII case-insensitive equality of a slice and a C string (inline: with a
 * literal b the length is a constant, and routing compares per event). */
static inline bool ls_eq_nocase(tr_str a, const char *b)
{
    size_t n = strlen(b);
    return a.n == n && tr_mem_eq_nocase(a.p, b, n);
}
/* Same for two slices. */
bool ls_eq_nocase_str(tr_str a, tr_str b);

/* The first field whose name or alias equals key (case-sensitive), or NULL. */
const tr_field *ls_find(const tr_event *ev, tr_str key);

/* The comparable value of f: its slice, or its decoded form (in the event
 * arena) when it carries JSON escapes. false when decoding fails. */
bool ls_value(const tr_event *ev, const tr_field *f, tr_str *out);

/* Decimal value of a field such as EventID (surrounding blanks allowed), or
 * -1 when it is not a number below 2^31. */
long ls_number(const tr_event *ev, const tr_field *f);

/* Appends taxonomy name `name` (static or router-owned) for f's value, unless
 * the event already has a field called name. Keeps f's kind and the flags
 * that describe the value (escaped, multi); adds TR_FIELD_DERIVED. */
void ls_derive(tr_event *ev, tr_str name, const tr_field *f);

/* Appends name with a value that is not another field's (a static string or
 * bytes in the event arena), unless the event already has name. */
void ls_derive_value(tr_event *ev, tr_str name, tr_str value, tr_vkind kind);

/* Appends name for every field called src (all elements of a multi-valued
 * field), unless the event already has name. A '*' in src stands for one
 * dotted segment ("dns.answers.*.rdata": every element of an array of
 * objects); those derived fields are flagged TR_FIELD_MULTI. */
void ls_derive_all(tr_event *ev, tr_str name, tr_str src);

/* One append of ls_derive_all: name, the index of the field it copied and
 * whether src was a pattern (the copy is then TR_FIELD_MULTI). Replaying
 * the steps logged on one event on another event of the same layout
 * (layout.h) appends exactly the same fields. */
typedef struct ls_derive_step {
    tr_str name;  /* static or router-owned */
    uint16_t src; /* index into ev->fields */
    bool glob;
} ls_derive_step;

typedef struct ls_derive_log {
    ls_derive_step *steps; /* room for cap steps */
    uint32_t cap;
    uint32_t n;            /* steps taken (may exceed cap: the log is then incomplete) */
} ls_derive_log;

/* ls_derive_all() that also appends its steps to log (when not NULL). */
void ls_derive_all_logged(tr_event *ev, tr_str name, tr_str src, ls_derive_log *log);

/* Appends the fields the logged steps describe. The caller checks that ev
 * has the layout the steps were logged on and room for them. */
void ls_derive_replay(tr_event *ev, const ls_derive_step *steps, uint32_t n);

/* Built-in tables (windows.c, network.c). */

/* Logsource of a Windows event (service from Channel, categories from
 * Channel + EventID + Provider). Idempotent. true when ev is a Windows
 * event (product windows, or Channel and EventID fields present). */
bool ls_windows_logsource(tr_event *ev);
/* Taxonomy names of Windows events whose format names differ (4688, 4657). */
void ls_windows_names(tr_event *ev);

/* Categories of Suricata EVE and Zeek events (proxy, dns, network/…). */
void ls_network_logsource(tr_event *ev);
/* Their taxonomy names. Returns the type slot of the cached names plan the
 * event was routed with (layout.h), or NULL. */
struct ls_type_slot *ls_network_names(tr_event *ev);

#endif
