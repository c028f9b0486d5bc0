/*
 * jsonstr.h - JSON string escaping (for output) and unescaping (for values
 * that carry backslash escapes).
 */
#ifndef TR_SRC_CORE_JSONSTR_H
#define TR_SRC_CORE_JSONSTR_H

#include "core/buf.h"
#include "core/common.h"

/* Decodes the body of a JSON string (between the quotes) into out, which
 * must hold at least n bytes (decoding never grows). Resolves \uXXXX,
 * surrogate pairs to UTF-8. Returns TR_EPARSE on a bad escape or lone
 * surrogate; *outn receives the decoded length. */
tr_err tr_json_unescape(const char *p, size_t n, char *out, size_t *outn);

/* Appends s as a quoted JSON string. Invalid UTF-8 bytes become U+FFFD so
 * that the output is always valid JSON. */
tr_err tr_json_put_str(tr_buf *b, const char *s, size_t n);

/* A tiny streaming writer: it tracks commas for you.
 *   tr_jw w; tr_jw_init(&w, buf);
 *   tr_jw_obj(&w); tr_jw_key(&w, "a"); tr_jw_int(&w, 1); tr_jw_end(&w);  */
#define TR_JW_DEPTH 32
typedef struct tr_jw {
    tr_buf *b;
    uint32_t depth;
    bool first[TR_JW_DEPTH]; /* no element written yet at this depth */
    char closer[TR_JW_DEPTH]; /* '}' or ']' for the container open at this depth */
    bool after_key;          /* a key was written, the value comes next */
    tr_err err;              /* first error (sticky) */
} tr_jw;

void tr_jw_init(tr_jw *w, tr_buf *b);
void tr_jw_obj(tr_jw *w);
void tr_jw_arr(tr_jw *w);
void tr_jw_end(tr_jw *w);
void tr_jw_key(tr_jw *w, const char *k);
void tr_jw_keyn(tr_jw *w, const char *k, size_t n);
void tr_jw_str(tr_jw *w, const char *s);
void tr_jw_strn(tr_jw *w, const char *s, size_t n);
void tr_jw_int(tr_jw *w, int64_t v);
void tr_jw_uint(tr_jw *w, uint64_t v);
void tr_jw_double(tr_jw *w, double v);
void tr_jw_bool(tr_jw *w, bool v);
void tr_jw_null(tr_jw *w);
/* Writes pre-encoded JSON text as a value. */
void tr_jw_raw(tr_jw *w, const char *s, size_t n);
/* A timestamp as an ISO 8601 string (null for TR_TS_NONE). */
void tr_jw_time(tr_jw *w, int64_t ns);

#endif
