/*
 * trawl/detect.h - the detection record every matcher emits and every sink
 * consumes (DESIGN.md "Detection record").
 *
 * A tr_detection is a borrowed view: every slice and array in it belongs to
 * whoever emitted it and is valid only during the call that receives it.
 * Sinks that keep a detection copy what they need.
 */
#ifndef TR_DETECT_H
#define TR_DETECT_H

#include <stdio.h>

#include "trawl/event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum tr_det_kind {
    TR_DET_SIGMA = 0,   /* a Sigma detection rule matched an event */
    TR_DET_IOC,         /* an indicator matched a value of an event */
    TR_DET_CORRELATION  /* a Sigma correlation rule's condition was met */
} tr_det_kind;

TR_API const char *tr_det_kind_name(tr_det_kind kind);

typedef struct tr_kv {
    tr_str key;
    tr_str value;
} tr_kv;

/* The indicator of an ioc detection. */
typedef struct tr_det_indicator {
    tr_str value; /* indicator as in the feed (refanged, normalised) */
    tr_str type;  /* "ipv4", "ipv6", "cidr", "domain", "url", "md5", "sha1", "sha256",
                     "email", "filename" */
    tr_str feed;  /* feed name (file base name unless the feed names itself) */
    tr_str actor; /* attributed actor, or empty */
    tr_str field; /* event field whose value matched */
    uint8_t side; /* enum tr_side of that field */
} tr_det_indicator;

enum tr_det_flags {
    TR_DET_INTERNAL = 1 << 0 /* feeds correlations only: a rule referenced by a correlation
                                without `generate: true`; not written to sinks */
};

typedef struct tr_detection {
    tr_det_kind kind;
    uint32_t flags;           /* enum tr_det_flags */
    uint64_t id;              /* deterministic (tr_detection_id), 0 = compute on write */
    int64_t ts;               /* event time (UTC ns) or TR_TS_NONE */
    tr_str tenant;
    tr_str rule_id;           /* Sigma id; ioc: "ioc:<type>"; correlation: its id */
    tr_str rule_title;
    tr_str level;             /* informational, low, medium, high, critical */
    const tr_str *tags;       /* rule tags ("attack.t1190", "cve.2019-19781", …) */
    uint32_t ntags;
    tr_logsource logsource;   /* of the event */
    tr_str path;              /* source of the (last) event */
    uint64_t source_gen;      /* identity of the file's content (e.g. a hash of its head),
                                 so a replaced file's records get new ids; 0 if unknown */
    uint64_t record;          /* 0-based record index in path */
    uint64_t line;            /* 1-based line, 0 if none */
    const tr_kv *fields;      /* matched fields + key context */
    uint32_t nfields;
    tr_det_indicator indicator; /* kind == TR_DET_IOC */
    /* kind == TR_DET_CORRELATION */
    uint64_t first_record;    /* earliest event still in the window */
    tr_str first_path;        /* its source (empty: same as path) */
    const tr_kv *group;       /* group-by values */
    uint32_t ngroup;
    const uint64_t *contributing; /* ids of the detections counted */
    uint32_t ncontributing;
} tr_detection;

/* The deterministic id of a detection: the same event matched by the same
 * rule (or indicator, on the same field) gets the same id on every run, so
 * a store keeps each detection once. It hashes kind, tenant, rule id, path,
 * source_gen and record (plus the indicator and field for ioc). Correlations
 * hash their rule, tenant, group and contributing ids. */
TR_API uint64_t tr_detection_id(const tr_detection *d);

/* Writes d as one JSON line (with a trailing newline) in the record format
 * of DESIGN.md, plus "id" as 16 hex digits. */
struct tr_buf;
TR_API tr_err tr_detection_to_json(const tr_detection *d, struct tr_buf *out);

/* A sink receives detections in order. Sinks are not thread-safe: the
 * pipeline serialises calls. */
typedef struct tr_sink tr_sink;
typedef struct tr_sink_ops {
    tr_err (*write)(tr_sink *s, const tr_detection *d);
    tr_err (*flush)(tr_sink *s); /* make everything written so far durable/visible */
    void (*free)(tr_sink *s);
} tr_sink_ops;
struct tr_sink {
    const tr_sink_ops *ops;
    uint64_t written; /* detections written */
};

static inline tr_err tr_sink_write(tr_sink *s, const tr_detection *d)
{
    tr_err err = s->ops->write(s, d);
    if (err == TR_OK)
        s->written++;
    return err;
}
static inline tr_err tr_sink_flush(tr_sink *s)
{
    return s->ops->flush ? s->ops->flush(s) : TR_OK;
}
static inline void tr_sink_free(tr_sink *s)
{
    if (s)
        s->ops->free(s);
}

typedef enum tr_det_format {
    TR_DETFMT_JSONL = 0,
    TR_DETFMT_CSV,
    TR_DETFMT_TABLE
} tr_det_format;

/* A sink writing detections to out (not closed by the sink). */
TR_API tr_err tr_sink_file_new(FILE *out, tr_det_format fmt, tr_sink **sink);

#ifdef __cplusplus
}
#endif
#endif /* TR_DETECT_H */
