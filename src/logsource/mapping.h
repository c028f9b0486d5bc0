/*
 * mapping.h - the user's logsource mapping file (docs/LOGSOURCE.md): in the
 * spirit of pySigma processing pipelines, rules that give events a
 * logsource from their field values, add categories, and expose fields
 * under the names rules use.
 *
 * Loaded once (libyaml), immutable afterwards; applying it to an event never
 * allocates except to decode an escaped value in the event arena.
 */
#ifndef TR_SRC_LOGSOURCE_MAPPING_H
#define TR_SRC_LOGSOURCE_MAPPING_H

#include "core/common.h"

#include "trawl/event.h"

typedef struct ls_mapping ls_mapping;

/* Loads path. On error returns TR_ENOENT / TR_EIO / TR_EPARSE / TR_ENOMEM
 * with "PATH:LINE: reason" in err, and *out NULL. */
tr_err ls_mapping_load(const char *path, ls_mapping **out, char *err, size_t errlen);
/* The same from memory; name stands for the path in messages. */
tr_err ls_mapping_load_mem(const char *name, const char *data, size_t n, ls_mapping **out,
                           char *err, size_t errlen);
void ls_mapping_free(ls_mapping *m);

/* Applies the `logsources` entries in order. Returns true when one of them
 * set the product or the service (the built-in derivation then runs again). */
bool ls_mapping_logsources(const ls_mapping *m, tr_event *ev);

/* Applies the `fieldmappings` entries whose conditions hold. */
void ls_mapping_fields(const ls_mapping *m, tr_event *ev);

#endif
