/*
 * trawl/report.h - writing events and detections for people and programs.
 */
#ifndef TR_REPORT_H
#define TR_REPORT_H

#include <stdio.h>

#include "trawl/event.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tr_buf;

/* Appends ev as one JSON line (with its newline) in the `trawl cat` shape:
 * ts, tenant, logsource, path, record, line, fields. */
TR_API tr_err tr_event_to_json(const tr_event *ev, struct tr_buf *out);

/* The same, written to out (a convenience that allocates per call; loops
 * should keep a buffer and use tr_event_to_json). TR_EIO on write failure. */
TR_API tr_err tr_event_write_json(const tr_event *ev, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* TR_REPORT_H */
