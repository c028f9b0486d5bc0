/*
 * jsonfeed.h - small helpers shared by the JSON feed loaders (STIX, MISP,
 * warninglists) on top of the core pull tokenizer.
 */
#ifndef TR_SRC_IOC_JSONFEED_H
#define TR_SRC_IOC_JSONFEED_H

#include "core/common.h"

#include "core/json.h"
#include "ioc/index.h"

/* The text of a string token, decoded into buf when it has escapes (empty
 * when it does not fit or is not a string). */
static inline tr_str ioc_jstr(const tr_json_tok *t, char *buf, size_t cap)
{
    if (t->type != TR_JSON_STRING && t->type != TR_JSON_KEY)
        return (tr_str){ NULL, 0 };
    if (!t->escaped)
        return t->text;
    tr_str out;
    if (tr_json_str(t, buf, cap, &out) != TR_OK)
        return (tr_str){ NULL, 0 };
    return out;
}

/* Reads the value of the member whose key was just read; containers are
 * skipped. Returns false on a syntax error. */
static inline bool ioc_jvalue(tr_json *j, tr_json_tok *v)
{
    tr_json_type t = tr_json_next(j, v);
    if (t == TR_JSON_OBJ_BEGIN || t == TR_JSON_ARR_BEGIN)
        return tr_json_skip(j, v) == TR_OK;
    return t != TR_JSON_ERROR && t != TR_JSON_END;
}

/* Reports a JSON syntax error of the document at its line, counting lines
 * on from a known (offset, line) pair (see ioc_line_at). */
static inline void ioc_jerror_from(tr_ioc_builder *b, const char *path, const char *data,
                                   const tr_json *j, size_t *from_off, uint64_t *from_line)
{
    uint64_t l = ioc_line_at(data, j->err_off, from_off, from_line);
    ioc_reject(b, path, l, NULL, "invalid JSON: %s (what was read before is kept)", j->errmsg);
}

/* Reports a JSON syntax error of the document at its line. */
static inline void ioc_jerror(tr_ioc_builder *b, const char *path, const char *data,
                              const tr_json *j)
{
    size_t off = 0;
    uint64_t line = 1;
    ioc_jerror_from(b, path, data, j, &off, &line);
}

#endif
