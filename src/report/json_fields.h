/*
 * json_fields.h - writes the members of a report struct as JSON keys from a
 * table (key, kind of value, offset), so that each object kind of a JSON
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
    JF_STRS,      /* const tr_str * with its uint32_t count at .count */
} jf_kind;

typedef struct jf {
    const char *key;
    jf_kind kind;
    size_t off;   /* of the member */
    size_t count; /* JF_STRS: of the count member */
} jf;

/* JF(type, "key", KIND, member) and JF_N(type, "key", member, count member). */
#define JF(T, key, kind, m) { key, kind, offsetof(T, m), 0 }
#define JF_N(T, key, m, n) { key, JF_STRS, offsetof(T, m), offsetof(T, n) }

/* Writes key and value of the n fields of obj (a struct the table describes)
 * into the object open in w. */
void jf_write(tr_jw *w, const void *obj, const jf *f, size_t n);
/* The same as one object of its own. */
void jf_object(tr_jw *w, const void *obj, const jf *f, size_t n);

#define JF_WRITE(w, obj, table) jf_write(w, obj, table, sizeof(table) / sizeof(table[0]))
#define JF_OBJECT(w, obj, table) jf_object(w, obj, table, sizeof(table) / sizeof(table[0]))

#endif
