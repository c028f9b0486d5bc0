/*
 * trawl/ioc.h - indicator feeds and the typed indicator index.
 *
 * Feeds (plain lists, CSV, STIX 2.1 bundles, MISP events, Zeek intel files;
 * the format is detected from the content) are loaded through a builder into
 * an immutable tr_ioc_index. The index is shared read-only by every thread;
 * each thread scans events with its own tr_ioc_scratch. An indicator only
 * matches an event value of its own type (an address, a domain, a URL, a
 * hash, an e-mail address, a file name), never a substring of a longer
 * token; free-text fields are tokenised first. See docs/IOC.md.
 *
 * Ownership: the builder, the index and the scratch are freed with their own
 * _free() (NULL is a no-op). Everything a tr_indicator or a tr_ioc_match
 * points to belongs to the index and lives as long as it does.
 */
#ifndef TR_IOC_H
#define TR_IOC_H

#include "trawl/event.h"
#include "trawl/input.h"
#include "trawl/parse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Indicator types (names as in detection records). */
#define TR_IOC_TYPES(X)                                   \
    X(TR_IOC_NONE, "none")                                \
    X(TR_IOC_IPV4, "ipv4")         /* one IPv4 address */ \
    X(TR_IOC_IPV6, "ipv6")         /* one IPv6 address */ \
    X(TR_IOC_CIDR, "cidr")         /* an IPv4 or IPv6 network */ \
    X(TR_IOC_DOMAIN, "domain")     /* a domain and all its subdomains */ \
    X(TR_IOC_URL, "url")                                  \
    X(TR_IOC_MD5, "md5")                                  \
    X(TR_IOC_SHA1, "sha1")                                \
    X(TR_IOC_SHA256, "sha256")                            \
    X(TR_IOC_EMAIL, "email")                              \
    X(TR_IOC_FILENAME, "filename")

typedef enum tr_ioc_type {
#define TR_IOC_TYPE_ENUM(id, name) id,
    TR_IOC_TYPES(TR_IOC_TYPE_ENUM)
#undef TR_IOC_TYPE_ENUM
    TR_IOC_TYPE_COUNT
} tr_ioc_type;

/* "ipv4", "domain", …; "?" when out of range. Thread-safe. */
TR_API const char *tr_ioc_type_name(tr_ioc_type t);
/* Type by name (the names above, case-insensitive), or TR_IOC_NONE. */
TR_API tr_ioc_type tr_ioc_type_from_name(tr_str name);

/* Feed formats. */
typedef enum tr_ioc_format {
    TR_IOCF_AUTO = 0,    /* detect from the content */
    TR_IOCF_PLAIN,       /* one indicator a line */
    TR_IOCF_CSV,         /* CSV with a header (or --csv-map) */
    TR_IOCF_STIX,        /* STIX 2.1 bundle */
    TR_IOCF_MISP,        /* MISP event JSON (bare, {"Event":…}, {"response":[…]}, a list) */
    TR_IOCF_ZEEK,        /* Zeek intel file (#fields indicator indicator_type …) */
    TR_IOCF_WARNINGLIST, /* MISP warninglist JSON (allowlists only) */
    TR_IOCF_COUNT
} tr_ioc_format;

TR_API const char *tr_ioc_format_name(tr_ioc_format f);
/* Detects a feed's format from its first bytes; TR_IOCF_PLAIN when nothing else fits. */
TR_API tr_ioc_format tr_ioc_format_detect(const char *data, size_t n);

/* One indicator, as the index returns it (a view: no ownership). */
typedef struct tr_indicator {
    tr_str value;        /* refanged, normalised value ("evil.com", "10.0.0.0/8") */
    tr_ioc_type type;
    tr_str feed;         /* feed name (file base name unless named explicitly) */
    tr_str actor;        /* attributed actor, or empty */
    int confidence;      /* 0..100, or -1 when the feed gives none */
    int64_t first_seen;  /* UTC ns, or TR_TS_NONE */
    int64_t last_seen;   /* UTC ns, or TR_TS_NONE */
    int64_t valid_from;  /* UTC ns, or TR_TS_NONE: matches events at or after it */
    int64_t valid_until; /* UTC ns, or TR_TS_NONE: matches events strictly before it */
} tr_indicator;

/* A rejected feed entry: path, line (0 when unknown), the object id (STIX
 * id, MISP attribute uuid; NULL when none) and the reason. */
typedef void (*tr_ioc_diag_fn)(void *ctx, const char *path, uint64_t line, const char *object_id,
                               const char *reason);

typedef struct tr_ioc_opts {
    bool misp_all_attributes; /* MISP: also attributes with to_ids=false */
    const char *csv_map;      /* CSV column mapping "value=3,type=ioc_type,actor=7" (1-based
                                 numbers or header names); NULL = from the header */
    tr_ioc_diag_fn diag;      /* rejects; NULL = tr_log_at(TR_LOG_WARN, …) */
    void *diag_ctx;
    size_t max_indicators;    /* 0 = 100 million */
} tr_ioc_opts;

typedef struct tr_ioc_builder tr_ioc_builder;
typedef struct tr_ioc_index tr_ioc_index;
typedef struct tr_ioc_scratch tr_ioc_scratch;

/* A builder collecting indicators and allowlist entries. opts may be NULL
 * and is copied. Errors: TR_ENOMEM. Not thread-safe. */
TR_API tr_err tr_ioc_builder_new(const tr_ioc_opts *opts, tr_ioc_builder **out);
TR_API void tr_ioc_builder_free(tr_ioc_builder *b);

/* Loads a feed file (read with mmap, no DOM). feed_name NULL = the file's
 * base name without extension (a STIX/MISP document may not rename it).
 * Rejected entries are reported to opts.diag and counted; they do not fail
 * the call. Errors: TR_ENOENT/TR_EIO (unreadable), TR_EFORMAT (a warninglist
 * given as a feed), TR_EPARSE (the document is broken, e.g. invalid JSON:
 * what was read before the break is kept and the break reported), TR_ELIMIT,
 * TR_ENOMEM. */
TR_API tr_err tr_ioc_builder_add_feed(tr_ioc_builder *b, const char *path, const char *feed_name);
/* Same for a feed in memory; path names it in diagnostics. */
TR_API tr_err tr_ioc_builder_add_feed_mem(tr_ioc_builder *b, const char *data, size_t n,
                                          tr_ioc_format fmt, const char *path,
                                          const char *feed_name);
/* Loads a benign list: a MISP warninglist (types string, cidr, hostname,
 * substring, regex) or a plain list (one value a line, typed like a plain
 * feed). Matches whose event value or indicator is on it are suppressed. */
TR_API tr_err tr_ioc_builder_add_allowlist(tr_ioc_builder *b, const char *path);
TR_API tr_err tr_ioc_builder_add_allowlist_mem(tr_ioc_builder *b, const char *data, size_t n,
                                               const char *path);
/* Adds one indicator; value is refanged and normalised, type TR_IOC_NONE is
 * detected. Returns TR_EPARSE (reason in *why when non-NULL) for a value
 * that is not an indicator of the type. */
TR_API tr_err tr_ioc_builder_add(tr_ioc_builder *b, const tr_indicator *ind, const char **why);

/* Builds the immutable index and frees the builder (also on error).
 * Errors: TR_ENOMEM. */
TR_API tr_err tr_ioc_builder_finish(tr_ioc_builder *b, tr_ioc_index **out);

TR_API void tr_ioc_index_free(tr_ioc_index *x);

typedef struct tr_ioc_stats {
    uint64_t by_type[TR_IOC_TYPE_COUNT]; /* indicators in the index per type */
    uint64_t total;             /* indicators in the index */
    uint64_t rejected;          /* feed entries rejected (reported to diag) */
    uint64_t skipped;           /* entries deliberately ignored (MISP to_ids=false,
                                   non-indicator MISP types, STIX non-indicator objects) */
    uint64_t duplicates;        /* same value, type and feed seen again (first kept) */
    uint64_t allowlisted;       /* indicators dropped because an allowlist names them */
    uint64_t allowlist_entries; /* entries of all allowlists */
    uint64_t feeds;             /* feeds loaded */
    size_t memory;              /* bytes held by the index */
} tr_ioc_stats;

/* Counts of an index (or, before finish, of a builder: memory is then 0). */
TR_API void tr_ioc_index_stats(const tr_ioc_index *x, tr_ioc_stats *st);
TR_API void tr_ioc_builder_stats(const tr_ioc_builder *b, tr_ioc_stats *st);

/* Number of indicators and the i-th one (load order), for listing. */
TR_API size_t tr_ioc_index_count(const tr_ioc_index *x);
TR_API void tr_ioc_index_get(const tr_ioc_index *x, size_t i, tr_indicator *out);

/* Per-thread scratch for scanning (fixed buffers, allocated here once).
 * Errors: TR_ENOMEM. */
TR_API tr_err tr_ioc_scratch_new(const tr_ioc_index *x, tr_ioc_scratch **out);
TR_API void tr_ioc_scratch_free(tr_ioc_scratch *s);

/* One match. */
typedef struct tr_ioc_match {
    const tr_indicator *indicator; /* the matched indicator (valid during the callback) */
    const tr_field *field;         /* the event field whose value matched */
    tr_str token;                  /* the matching part of the value (a token of a text) */
    uint8_t side;                  /* enum tr_side of the field */
} tr_ioc_match;

/* Return non-zero to stop the scan of this event. */
typedef int (*tr_ioc_match_fn)(void *ctx, const tr_ioc_match *m);

/* Matches every typed field of ev (tr_field.vtype, set by the logsource
 * mapping; TR_T_NONE fields are ignored) against the index and calls cb once
 * per (indicator, field) pair. Indicators whose validity window does not
 * hold the event time do not match (an event without a time is not checked).
 * Allocation-free. Thread-safe for distinct scratches. Returns TR_OK. */
TR_API tr_err tr_ioc_scan(const tr_ioc_index *x, tr_ioc_scratch *s, const tr_event *ev,
                          tr_ioc_match_fn cb, void *ctx);

/* Matches one value of the given type (as a field of that type would be),
 * e.g. for tests or lookups outside an event. ts may be TR_TS_NONE. */
TR_API tr_err tr_ioc_scan_value(const tr_ioc_index *x, tr_ioc_scratch *s, tr_vtype vtype,
                                tr_str value, int64_t ts, tr_ioc_match_fn cb, void *ctx);

/*
 * Raw-text prefilter (docs/IOC.md, "Prefilter"). Every indicator yields a
 * necessary literal: bytes that occur, ignoring ASCII case, in the raw text
 * of any log line whose parsed event can match it (an address's dotted text,
 * a network's fixed octets, a domain, a URL's host, …), plus a few
 * always-candidate patterns for spellings that parsers or the normaliser
 * turn into a value the literal does not show (JSON \u and log \x escapes,
 * IPv4-mapped IPv6, zero-padded IPv4 octets). A table of the literals,
 * probed at the word starts of the raw text, marks the lines worth parsing;
 * a line it does not mark cannot produce an indicator match. Built apart from the index, so that loading and
 * listing feeds do not pay for it. Immutable and thread-shared once built;
 * each thread scans with its own tr_ioc_pf_scratch.
 */
typedef struct tr_ioc_prefilter tr_ioc_prefilter;
typedef struct tr_ioc_pf_scratch tr_ioc_pf_scratch;

typedef struct tr_ioc_pf_stats {
    size_t literals;     /* distinct literals in the database */
    size_t always;       /* always-candidate patterns */
    size_t memory;       /* bytes of its tables */
    double compile_s;    /* seconds spent building them */
    const char *scan;    /* the scan's instruction set: "AVX-512BW", "SSE2", "portable" */
} tr_ioc_pf_stats;

/* Builds the prefilter of x. *out is NULL with TR_OK when no exact
 * prefilter exists for this index (an indicator whose literal is shorter
 * than 3 bytes, e.g. "::1" or a /4 network); then why (when non-NULL)
 * receives the reason. Errors: TR_ENOMEM, TR_ELIMIT (more indicators than
 * its 32-bit offsets hold). x must outlive nothing: the prefilter
 * keeps no pointer to it. */
TR_API tr_err tr_ioc_prefilter_new(const tr_ioc_index *x, tr_ioc_prefilter **out, char *why,
                                   size_t whylen);
TR_API void tr_ioc_prefilter_free(tr_ioc_prefilter *pf);
TR_API void tr_ioc_prefilter_stats(const tr_ioc_prefilter *pf, tr_ioc_pf_stats *st);

/* Per-thread scratch. Errors: TR_ENOMEM. */
TR_API tr_err tr_ioc_pf_scratch_new(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch **out);
TR_API void tr_ioc_pf_scratch_free(tr_ioc_pf_scratch *s);

/* True when the raw text of a record of format fmt shows every value its
 * parser produces (up to the escapes the always patterns cover): JSON
 * formats, Zeek TSV, web access, W3C and syslog. False for auditd (hex
 * encoded values) and EVTX (binary): their records are never filtered. */
TR_API bool tr_ioc_prefilter_covers(tr_format fmt);

/* Marks, for each of the n records recs[i], whether its raw bytes hold a
 * literal or an always pattern: mark[i] = 1 (may match), 0 (cannot match);
 * records whose status is not TR_OK are marked 1. When the records are
 * ascending, non-overlapping slices of one buffer (a tr_block), the span
 * from the first to the end of the last is scanned once; otherwise each
 * record is scanned alone. Allocation-free. Returns TR_OK. */
TR_API tr_err tr_ioc_prefilter_mark(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch *s,
                                    const tr_record *recs, size_t n, uint8_t *mark);

/* True when text (one raw record) holds a literal or an always pattern. */
TR_API bool tr_ioc_prefilter_text(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch *s,
                                  tr_str text);

#ifdef __cplusplus
}
#endif
#endif /* TR_IOC_H */
