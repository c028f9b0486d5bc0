/*
 * evtx_wire.h - the record layout between the EVTX source and its decoder.
 *
 * EVTX is binary and libevtx hands out each event as XML. The EVTX source
 * (src/input/evtx_source.c) reduces every event record to this compact
 * layout, written into the record bytes of tr_source (its own buffer, or the
 * caller's block in block mode); the TR_FMT_EVTX decoder (src/parse/evtx.c)
 * turns it into a tr_event whose names and values are slices of those bytes.
 * Nothing is parsed twice and nothing is copied when decoding.
 *
 *   record := header entry*                    (integers little-endian)
 *   header := 'E' kind:u8 nfields:u16 flags:u32 ts:i64           16 bytes
 *   entry  := name_len:u16 vkind:u8 fflags:u8 value_len:u32 name value
 *
 * kind EVENT: nfields entries follow; ts is TimeCreated (UTC ns) or
 * TR_TS_NONE; vkind is a tr_vkind, fflags tr_field_flags (MULTI for the
 * unnamed <Data> items of classic events). kind ERROR: a record libevtx
 * could not decode; the bytes after the header are the reason, which the
 * decoder reports (TR_EPARSE), so that cat and hunt count and print it like
 * any malformed record. Names and values are UTF-8, already unescaped.
 *
 * The layout is private to trawl (it never leaves the process); it lives
 * here, with its reader, and the source includes it.
 */
#ifndef TR_SRC_PARSE_EVTX_WIRE_H
#define TR_SRC_PARSE_EVTX_WIRE_H

#include "core/common.h"

#define TR_EVTX_WIRE_MAGIC 'E'
#define TR_EVTX_WIRE_HEADER 16 /* bytes of the record header */
#define TR_EVTX_WIRE_ENTRY 8   /* bytes of an entry header */

enum tr_evtx_wire_kind {
    TR_EVTX_WIRE_EVENT = 1,
    TR_EVTX_WIRE_ERROR = 2
};

enum tr_evtx_wire_flags {
    TR_EVTX_WIRE_RECOVERED = 1u << 0 /* read from a chunk's free space (libevtx recovery) */
};

static inline void tr_evtx_put16(char *p, uint16_t v)
{
    p[0] = (char)(v & 0xff);
    p[1] = (char)(v >> 8);
}

static inline void tr_evtx_put32(char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (char)((v >> (8 * i)) & 0xff);
}

static inline void tr_evtx_put64(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)((v >> (8 * i)) & 0xff);
}

static inline uint16_t tr_evtx_get16(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint16_t)(u[0] | (u[1] << 8));
}

static inline uint32_t tr_evtx_get32(const char *p)
{
    const unsigned char *u = (const unsigned char *)p;
    return (uint32_t)u[0] | (uint32_t)u[1] << 8 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 24;
}

static inline uint64_t tr_evtx_get64(const char *p)
{
    return (uint64_t)tr_evtx_get32(p) | (uint64_t)tr_evtx_get32(p + 4) << 32;
}

#endif
