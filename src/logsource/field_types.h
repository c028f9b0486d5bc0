/*
 * field_types.h - the semantic type (address, domain, URL, hash, path, free
 * text …) and the side (source or destination) of every known field of
 * every input format, which indicator matching relies on: an indicator is
 * only compared with values of its own type. The table is in docs/IOC.md.
 */
#ifndef TR_SRC_LOGSOURCE_FIELD_TYPES_H
#define TR_SRC_LOGSOURCE_FIELD_TYPES_H

#include "core/common.h"

#include "trawl/event.h"

/* Sets tr_field.vtype and tr_field.side of every field of ev from its
 * format, logsource and field names; unknown fields get TR_T_NONE. The
 * pipeline calls it once per event after routing (the logsource must be
 * set). Allocation-free; thread-safe. */
void tr_field_types_apply(tr_event *ev);

struct ls_type_slot;
/* tr_field_types_apply() for an event the router routed from a cached plan
 * (ts from ls_network_names(); NULL: the plain call). */
void ls_types_apply_slot(tr_event *ev, struct ls_type_slot *ts);

/* Whether an address is private, loopback, link-local or shared (RFC 1918,
 * RFC 6598, RFC 4193 …): the direction heuristic for flows without
 * local_orig/local_resp. */
bool tr_field_types_private_ip(tr_str addr);

#endif
