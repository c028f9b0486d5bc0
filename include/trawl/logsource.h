/*
 * trawl/logsource.h - the "route" stage: which Sigma logsource an event
 * belongs to, and the taxonomy names rules use for its fields.
 *
 * After a parser has filled a tr_event, tr_router_route():
 *   1. fills in a declared logsource (--logsource) when the format has none
 *      of its own (generic JSON);
 *   2. derives the Sigma logsource as the taxonomy appendix says: Windows
 *      service from Channel, categories from Channel + EventID (+ Provider),
 *      Security 4688 as process_creation, Security 4657 as registry_event /
 *      registry_set / registry_add; Suricata EVE and Zeek http as
 *      `category: proxy`, dns as `category: dns` and as the generic
 *      `category: network` + `service: dns`, connections as `category:
 *      network` + `service: connection` (see tr_logsource_match for how
 *      the generic network service is carried);
 *   3. applies the user's mapping file (docs/LOGSOURCE.md): logsource
 *      conditions ("events whose field X equals V are product P …"), extra
 *      categories and field renames;
 *   4. exposes taxonomy names where the format's differ (4688 NewProcessName
 *      as Image, EVE http.http_user_agent as c-useragent, …) by appending
 *      fields flagged TR_FIELD_DERIVED that point at the same value slice.
 * docs/LOGSOURCE.md lists every table.
 *
 * Memory: routing never calls malloc. Derived names are static strings or
 * strings owned by the router; derived values are slices of the event's own
 * values, static strings, or (for the few values that must be composed, such
 * as Security 4657's TargetObject) bytes in the event's arena. The only
 * growth of the event is the appended tr_field entries; when ev->fields is
 * full they are dropped and counted in ev->truncated, as for parsers.
 *
 * Thread-safety: a router is configured (new, declare) by one thread, then
 * immutable: any number of threads may route their own events with it.
 */
#ifndef TR_LOGSOURCE_H
#define TR_LOGSOURCE_H

#include "trawl/event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tr_router tr_router;

/* Creates a router with the built-in taxonomy tables and, when mapping_path
 * is not NULL, the user's mapping file (YAML, docs/LOGSOURCE.md). On error
 * *out is NULL and err holds "PATH:LINE: reason". Returns TR_OK, TR_ENOENT /
 * TR_EIO (the file cannot be read), TR_EPARSE (bad YAML or a bad mapping),
 * TR_ENOMEM. */
TR_API tr_err tr_router_new(const char *mapping_path, tr_router **out, char *err, size_t errlen);
TR_API void tr_router_free(tr_router *r);

/* Declares the logsource of events whose format gives them none (no product,
 * service or category after parsing): generic JSON, say. Empty slices leave
 * that part unset. The strings are copied. Call before routing starts.
 * TR_OK, TR_EINVAL (nothing given, or an unprintable name), TR_ENOMEM. */
TR_API tr_err tr_router_declare(tr_router *r, tr_str product, tr_str category, tr_str service);

/* tr_router_declare() from the --logsource syntax "PRODUCT[/CATEGORY[/SERVICE]]"
 * ("windows", "windows/process_creation", "windows//sysmon", "/webserver").
 * TR_EINVAL with a message in err for a malformed spec. */
TR_API tr_err tr_router_declare_spec(tr_router *r, const char *spec, char *err, size_t errlen);

/* Routes one event (see above). Never fails: what cannot be derived is left
 * as the parser set it. Thread-safe; no allocation (arena use only for
 * composed values). */
TR_API void tr_router_route(const tr_router *r, tr_event *ev);

/* tr_router_route() followed by the typing of every field for indicator
 * matching (tr_field.vtype and .side, src/logsource/field_types.h), with
 * the work the two share done once. Thread-safe; no allocation after a
 * thread's first events. */
TR_API void tr_router_route_typed(const tr_router *r, tr_event *ev);
/* tr_router_route with the signature of tr_hunt_config.route (ctx is the
 * router). */
TR_API void tr_router_route_cb(void *router, tr_event *ev);

/* tr_logsource_match() is declared in trawl/event.h (it belongs to the
 * logsource contract every stage shares). */

#ifdef __cplusplus
}
#endif
#endif /* TR_LOGSOURCE_H */
