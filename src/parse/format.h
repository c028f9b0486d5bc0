/*
 * format.h - the table of format decoders behind tr_parser.
 *
 * Each format provides one tr_format_ops in its own file; parser.c maps
 * tr_format ids to them. A format that is not built in has no entry and
 * tr_parser_new() answers TR_EUNSUPPORTED.
 */
#ifndef TR_SRC_PARSE_FORMAT_H
#define TR_SRC_PARSE_FORMAT_H

#include "core/common.h"

#include "trawl/parse.h"

#define TR_PARSER_ERRLEN 256

struct tr_parser {
    tr_format format;
    const struct tr_format_ops *ops;
    tr_parse_opts opts;
    void *state;                    /* format-specific, ops->state_size bytes */
    char errmsg[TR_PARSER_ERRLEN];  /* reason of the last failure */
};

typedef struct tr_format_ops {
    size_t state_size;
    /* Optional: set up state (zeroed memory of state_size bytes). */
    tr_err (*init)(tr_parser *p);
    /* Decode one record (see tr_parser_parse). */
    tr_err (*parse)(tr_parser *p, tr_str record, tr_event *ev);
    /* Optional: release what init acquired. */
    void (*release)(tr_parser *p);
} tr_format_ops;

/* Records a failure reason; returns err for tail calls. */
tr_err tr_parser_fail(tr_parser *p, tr_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The decoders (defined in their own files; NULL-free table in parser.c). */
extern const tr_format_ops tr_json_format_ops;      /* json, evtx-json, winlogbeat, nxlog,
                                                       eve, zeek-json */
extern const tr_format_ops tr_zeek_format_ops;
extern const tr_format_ops tr_combined_format_ops;
extern const tr_format_ops tr_w3c_format_ops;
extern const tr_format_ops tr_syslog_format_ops;
extern const tr_format_ops tr_auditd_format_ops;
extern const tr_format_ops tr_evtx_format_ops;      /* records cut by the EVTX source */

#endif
