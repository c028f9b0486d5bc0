/*
 * json_fields.h - writes the members of a report struct as JSON keys from a
 * table (key, kind of value, offsets), so that each object kind of a JSON
 * report is a list of its keys rather than a run of writer calls.
 */
#ifndef TR_SRC_REPORT_JSON_FIELDS_H
#define TR_SRC_REPORT_JSON_FIELDS_H

#include "core/common.h"

#include <stddef.h>

#include "core/jsonstr.h"

typedef enum jf_kind {
    JF_STR,       /* tr_str */
    JF_STR_NULL,  /* tr_str, null when empty */
    JF_STR_OPT,   /* tr_str, the key left out when empty */
    JF_CSTR,      /* const char * */
    JF_CHARS,     /* char[N] inside the struct */
    JF_BOOL,      /* bool */
    JF_U32,       /* uint32_t */
    JF_U64,       /* uint64_t */
    JF_U64_NULL,  /* uint64_t, null when 0 (a line number) */
    JF_TIME,      /* int64_t ns, ISO 8601 (null for TR_TS_NONE) */
    JF_DATE,      /* int64_t ns, "YYYY-MM-DD" */
    JF_STAGE,     /* tr_stage, by name */
    JF_STRS,      /* const tr_str * (off[0]) and its uint32_t count (off[1]) */
    JF_TIMES,     /* "<key>first_seen" and "<key>last_seen": int64_t ns at off[0], off[1] */
    JF_STAGE_COUNTS, /* "targeted", "exploited", "compromised": uint32_t at off[0..2] */
} jf_kind;

typedef struct jf {
    const char *key;
    jf_kind kind;
    size_t off[3]; /* of the member(s) */
} jf;

/* The rows of a table over struct T. */
#define JF(T, key, kind, m) { key, kind, { offsetof(T, m), 0, 0 } }
#define JF_N(T, key, m, n) { key, JF_STRS, { offsetof(T, m), offsetof(T, n), 0 } }
#define JF_SPAN(T, prefix, first, last) \
    { prefix, JF_TIMES, { offsetof(T, first), offsetof(T, last), 0 } }
#define JF_COUNTS(T, targeted, exploited, compromised) \
    { "", JF_STAGE_COUNTS,                             \
      { offsetof(T, targeted), offsetof(T, exploited), offsetof(T, compromised) } }

/* Writes key and value of the n fields of obj (a struct the table describes)
 * into the object open in w. */
void jf_write(tr_jw *w, const void *obj, const jf *f, size_t n);
/* The same as one object of its own. */
void jf_object(tr_jw *w, const void *obj, const jf *f, size_t n);
/* key: an array of count objects, each of size bytes from first on. */
void jf_array(tr_jw *w, const char *key, const void *first, size_t size, uint32_t count,
              const jf *f, size_t n);

#define JF_LEN(table) (sizeof(table) / sizeof(table[0]))
#define JF_WRITE(w, obj, table) jf_write(w, obj, table, JF_LEN(table))
#define JF_OBJECT(w, obj, table) jf_object(w, obj, table, JF_LEN(table))
#define JF_ARRAY(w, key, v, count, table) \
    jf_array(w, key, v, sizeof(*(v)), count, table, JF_LEN(table))

#endif
