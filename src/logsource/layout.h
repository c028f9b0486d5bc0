/*
 * layout.h - recognising an event's field layout, so that routing work that
 * depends only on the names of the fields is done once per layout instead
 * of once per event.
 *
 * The layout of an event is the sequence of its fields' (name, alias) pairs
 * plus a caller's tag (format family, monitor, categories). Events of one
 * Zeek file, one web server or one Windows channel share a handful of
 * layouts, so a small per-thread cache of them absorbs almost every event:
 * recognising a layout costs one comparison per name (no hashing, no table
 * walk), after which the cached plan is replayed.
 *
 * A cache belongs to one thread (ls_thread_caches()); nothing is shared, so
 * nothing locks. Layouts are compared by content, never by pointer: names
 * of JSON events live in the record, which is recycled.
 */
#ifndef TR_SRC_LOGSOURCE_LAYOUT_H
#define TR_SRC_LOGSOURCE_LAYOUT_H

#include "core/common.h"

#include "trawl/event.h"

#define LS_LAYOUT_FIELDS 96   /* events with more fields are not cached */
#define LS_LAYOUT_BYTES 2048  /* nor events whose names need more bytes */
#define LS_LAYOUT_SLOTS 8     /* layouts remembered per cache */

typedef struct ls_layout {
    uint64_t tag;                         /* caller's key beyond the names */
    uint32_t n;                           /* fields; 0 = unused slot */
    uint32_t nbytes;                      /* bytes used in names[] */
    uint16_t len[2 * LS_LAYOUT_FIELDS];   /* name and alias length of each field */
    char names[LS_LAYOUT_BYTES];          /* names and aliases, concatenated */
} ls_layout;

/* Whether fields[0..n) with tag are the layout l. */
bool ls_layout_same(const ls_layout *l, uint64_t tag, const tr_field *fields, uint32_t n);

/* Makes l the layout of fields[0..n) with tag; false (l unused) when it does
 * not fit. */
bool ls_layout_store(ls_layout *l, uint64_t tag, const tr_field *fields, uint32_t n);

/* Finds the slot of slots[LS_LAYOUT_SLOTS] holding this layout, starting
 * with *mru, and updates *mru; -1 when none does. */
int ls_layout_find(const ls_layout *slots, unsigned *mru, uint64_t tag, const tr_field *fields,
                   uint32_t n);

/* What typing decides from names alone (field_types.c): the type and side
 * rule of each field, and which fields give a flow its direction. */
typedef struct ls_type_plan {
    int32_t orig, resp, lo, lr;       /* fields giving the direction, or -1 */
    uint8_t vt[LS_LAYOUT_FIELDS];     /* vtype of each field */
    uint8_t rule[LS_LAYOUT_FIELDS];   /* side rule of each field */
} ls_type_plan;

/* A type plan kept with the network names plan of a layout (network.c), so
 * that an event routed from that plan is typed without recognising its
 * layout a second time. It covers the fields the names plan accounts for
 * (the layout plus its derived names); what follows (URI parts, cut from
 * values) is typed field by field. Valid while the names plan is. */
typedef struct ls_type_slot {
    ls_type_plan plan;
    uint32_t prefix; /* fields the plan covers */
    uint8_t fam;     /* family it was made for */
    bool valid;
} ls_type_slot;

/* Per-thread state of the route stage (network.c and field_types.c keep
 * their plan caches here). Allocated on a thread's first use, freed when
 * the thread exits; NULL when out of memory (callers then take the slow
 * path). */
typedef struct ls_net_cache ls_net_cache;
typedef struct ls_type_cache ls_type_cache;
typedef struct ls_thread {
    ls_net_cache *net;
    ls_type_cache *types;
} ls_thread;

ls_thread *ls_thread_state(void);

/* Turns the calling thread's plan caches off (every event then takes the
 * slow path) or back on: tests compare both. */
void ls_layout_cache_enable(bool on);

#endif
