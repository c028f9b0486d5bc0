/*
 * evtx_xml.h - one event's XML, as libevtx renders it, reduced to the record
 * layout of parse/evtx_wire.h.
 */
#ifndef TR_SRC_INPUT_EVTX_XML_H
#define TR_SRC_INPUT_EVTX_XML_H

#include "core/common.h"

#include "core/buf.h"

enum tr_evtx_xml_flags {
    /* libevtx 20181227 (its bundled libuna) decodes UTF-16 surrogate pairs
     * 0x3FF short: U+1F41F comes out as U+1F020. With this flag, code
     * points at or above U+10000 in the XML are moved back up by 0x3FF.
     * (Characters U+10000..U+103FE come out below U+10000, where they
     * cannot be told from real ones; they are left as they are.) */
    TR_EVTX_XML_FIX_NONBMP = 1u << 0
};

/* Appends to out the record for the event whose XML is xml[0..n): System
 * children as fields named after the element (EventID, Channel, …) and
 * their attributes as Element_Attribute (Provider_Name, EventID_Qualifiers,
 * TimeCreated_SystemTime, …); EventData <Data Name="X"> items as X, unnamed
 * <Data> items as Data (TR_FIELD_MULTI), other EventData children (Binary)
 * by their element name; UserData and ProcessingErrorData leaf elements by
 * their element name. Values are unescaped; a value that is exactly "0x"
 * and 8 or 16 lowercase hex digits with leading zeros (libevtx's rendering
 * of HexInt32/HexInt64) loses the leading zeros, as Windows writes it.
 * wire_flags go into the record header (TR_EVTX_WIRE_RECOVERED).
 * Returns TR_OK; TR_EPARSE for XML that is not well formed (errbuf says
 * why; out is left as it was); TR_ELIMIT when out's cap is reached or a
 * name is longer than 65535 bytes; TR_ENOMEM. Allocates only to grow out. */
tr_err tr_evtx_xml_to_wire(const char *xml, size_t n, uint32_t xml_flags, uint32_t wire_flags,
                           tr_buf *out, char *errbuf, size_t errlen);

/* Appends an ERROR record whose reason is the formatted message. */
tr_err tr_evtx_wire_error(tr_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
