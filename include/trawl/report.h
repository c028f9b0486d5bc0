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

/* Writes ev as one JSON line in the `trawl cat` shape: ts, tenant,
 * logsource, path, record, line, fields. Returns TR_EIO on write failure. */
TR_API tr_err tr_event_write_json(const tr_event *ev, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* TR_REPORT_H */
