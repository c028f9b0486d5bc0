/*
 * context.h - the key context of an event that every detection carries:
 * source and destination address, host, user and process (DESIGN.md
 * "Detection record": fields = matched fields + key context).
 */
#ifndef TR_SRC_PIPELINE_CONTEXT_H
#define TR_SRC_PIPELINE_CONTEXT_H

#include "core/common.h"

#include "trawl/detect.h"
#include "trawl/event.h"

#define TR_CONTEXT_MAX 8

/* Appends to kv (which holds *n entries, room for max) the context fields
 * of ev that are not already there. Values are decoded into the event's
 * arena when they carry escapes. */
void tr_context_fields(const tr_event *ev, tr_kv *kv, uint32_t *n, uint32_t max);

#endif
