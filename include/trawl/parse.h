/*
 * trawl/parse.h - record decoders: one record in, one normalised event out.
 *
 * A tr_parser holds the per-source state a format needs (a Zeek #fields
 * header, a W3C #Fields line, the year of RFC 3164 timestamps) and nothing
 * else: it is cheap to create, owned by one thread, and never allocates while
 * parsing. Event field slices point into the record or into the event arena.
 */
#ifndef TR_PARSE_H
#define TR_PARSE_H

#include "trawl/event.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every input format trawl knows: id, name (as given to --input-format), description. */
#define TR_FORMATS(X)                                                                \
    X(TR_FMT_AUTO, "auto", "detect the format from the content, then the file name") \
    X(TR_FMT_JSON, "json", "generic JSON lines or concatenated objects, flattened")  \
    X(TR_FMT_EVTX_JSON, "evtx-json", "Windows events as evtx_dump JSON")             \
    X(TR_FMT_WINLOGBEAT, "winlogbeat", "Windows events as winlogbeat/ECS JSON")      \
    X(TR_FMT_NXLOG, "nxlog", "Windows events as NXLog flat JSON")                    \
    X(TR_FMT_EVE, "eve", "Suricata EVE JSON")                                        \
    X(TR_FMT_ZEEK_JSON, "zeek-json", "Zeek logs as JSON")                            \
    X(TR_FMT_ZEEK, "zeek", "Zeek TSV logs with #fields headers")                     \
    X(TR_FMT_COMBINED, "combined", "Apache/Nginx combined or common access log")     \
    X(TR_FMT_W3C, "w3c", "W3C extended log (IIS, NetScaler) with #Fields header")    \
    X(TR_FMT_SYSLOG, "syslog", "syslog RFC 3164 or RFC 5424")                        \
    X(TR_FMT_AUDITD, "auditd", "Linux auditd key=value lines")                       \
    X(TR_FMT_EVTX, "evtx", "Windows EVTX binary event log")

typedef enum tr_format {
#define TR_FMT_ENUM(id, name, desc) id,
    TR_FORMATS(TR_FMT_ENUM)
#undef TR_FMT_ENUM
    TR_FMT_COUNT
} tr_format;

/* Name of a format ("zeek"); "?" for an out-of-range value. */
TR_API const char *tr_format_name(tr_format fmt);
/* Format by name, or TR_FMT_COUNT when unknown. */
TR_API tr_format tr_format_from_name(const char *name);
/* One-line description of a format. */
TR_API const char *tr_format_desc(tr_format fmt);

/* Detects the format of a source from its first bytes (decompressed) and,
 * failing that, from its path. Returns TR_FMT_COUNT when nothing fits. */
TR_API tr_format tr_format_detect(const char *head, size_t n, const char *path);

/* True for formats whose records are JSON values (they use the JSON framer). */
TR_API bool tr_format_is_json(tr_format fmt);

/* True when line is a header or comment line of fmt rather than a record
 * (the '#' lines of Zeek and W3C logs, evtx_dump's "Record N"). Record indexes count every other line,
 * malformed ones included, so they can be assigned before parsing. A parser
 * returns TR_ESKIP only for such lines. */
TR_API bool tr_format_header_line(tr_format fmt, tr_str line);

typedef struct tr_parser tr_parser;

typedef struct tr_parse_opts {
    const char *timestamp_field; /* generic JSON: field holding the time, or NULL */
    int default_year;            /* RFC 3164 syslog has no year: the year of the first line
                                    (archives); 0 = infer it from ref_time */
    int64_t ref_time;            /* the newest time the records can have (UTC ns), e.g. the
                                    file's modification time: a year-less RFC 3164 date gets
                                    the latest year that puts it no later than this (plus a
                                    day of slack); 0 = now */
    uint32_t max_depth;          /* JSON nesting limit; 0 = 64 */
} tr_parse_opts;

/* Creates a parser for fmt (not TR_FMT_AUTO). opts may be NULL. */
TR_API tr_err tr_parser_new(tr_format fmt, const tr_parse_opts *opts, tr_parser **out);
TR_API void tr_parser_free(tr_parser *p);
TR_API tr_format tr_parser_format(const tr_parser *p);

/* Decodes one record into ev (which the caller has reset). Returns
 *  TR_OK     an event was produced;
 *  TR_ESKIP  a header or comment line was consumed (not a record);
 *  TR_EPARSE the record is malformed: tr_parser_errmsg() says why;
 *  TR_ELIMIT a limit (depth, field count) was hit: tr_parser_errmsg() says which.
 * Never allocates; thread-compatible (one parser per thread). */
TR_API tr_err tr_parser_parse(tr_parser *p, tr_str record, tr_event *ev);

/* Reason for the last TR_EPARSE/TR_ELIMIT, valid until the next call. */
TR_API const char *tr_parser_errmsg(const tr_parser *p);

#ifdef __cplusplus
}
#endif
#endif /* TR_PARSE_H */
