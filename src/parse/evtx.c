/*
 * evtx.c - the TR_FMT_EVTX decoder: the records the EVTX source cuts
 * (layout in parse/evtx_wire.h) into normalised events.
 *
 * All the work of reading the binary file and its XML is done by the
 * source, once, while it cuts records; what reaches the decoder is already
 * a list of (name, value) pairs, so decoding is a bounds-checked walk that
 * points the event's fields at the record's bytes. Field names are the
 * taxonomy names themselves (EventID, Provider_Name, Image, …), so each
 * field's alias is its name, as the evtx-json decoder gives them.
 */
#include "core/common.h"

#include "parse/evtx_wire.h"
#include "parse/format.h"

static tr_err evtx_parse(tr_parser *p, tr_str rec, tr_event *ev)
{
    if (rec.n < TR_EVTX_WIRE_HEADER || rec.p[0] != TR_EVTX_WIRE_MAGIC)
        return tr_parser_fail(p, TR_EPARSE, "not an EVTX record (the evtx format is read from "
                                            "EVTX files, not from text)");
    if (rec.p[1] == TR_EVTX_WIRE_ERROR) {
        size_t n = rec.n - TR_EVTX_WIRE_HEADER;
        return tr_parser_fail(p, TR_EPARSE, "%.*s", (int)TR_MIN(n, (size_t)TR_PARSER_ERRLEN),
                              rec.p + TR_EVTX_WIRE_HEADER);
    }
    if (rec.p[1] != TR_EVTX_WIRE_EVENT)
        return tr_parser_fail(p, TR_EPARSE, "unknown EVTX record kind %u",
                              (unsigned)(unsigned char)rec.p[1]);
    uint32_t nfields = tr_evtx_get16(rec.p + 2);
    ev->ts = (int64_t)tr_evtx_get64(rec.p + 8);
    ev->logsource.product = TR_STR("windows");
    const char *q = rec.p + TR_EVTX_WIRE_HEADER, *end = rec.p + rec.n;
    for (uint32_t i = 0; i < nfields; i++) {
        if ((size_t)(end - q) < TR_EVTX_WIRE_ENTRY)
            return tr_parser_fail(p, TR_EPARSE, "EVTX record cut short in field %" PRIu32, i);
        size_t nlen = tr_evtx_get16(q);
        uint8_t kind = (uint8_t)q[2];
        uint8_t flags = (uint8_t)q[3];
        size_t vlen = tr_evtx_get32(q + 4);
        q += TR_EVTX_WIRE_ENTRY;
        if ((size_t)(end - q) < nlen || (size_t)(end - q) - nlen < vlen)
            return tr_parser_fail(p, TR_EPARSE, "EVTX record cut short in field %" PRIu32, i);
        tr_str name = { q, nlen };
        tr_field *f = tr_event_add(ev, name, (tr_str){ q + nlen, vlen },
                                   kind <= TR_VNULL ? (tr_vkind)kind : TR_VSTR);
        q += nlen + vlen;
        if (!f)
            continue; /* counted in ev->truncated */
        f->alias = name;
        f->flags |= flags & TR_FIELD_MULTI;
    }
    if (q != end)
        return tr_parser_fail(p, TR_EPARSE, "%zu stray bytes after the EVTX record's fields",
                              (size_t)(end - q));
    return TR_OK;
}

const tr_format_ops tr_evtx_format_ops = {
    .parse = evtx_parse,
};
