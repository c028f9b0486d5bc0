/*
 * json.h - trawl's zero-copy JSON pull tokenizer (RFC 8259, exactly).
 *
 * Log JSON is read far more often than it is built, and a tree costs an
 * allocation per node. This tokenizer instead hands out one token at a time
 * over a complete document held by the caller:
 *
 *   tr_json j;
 *   tr_json_init(&j, p, n, 0);
 *   tr_json_tok t;
 *   while (tr_json_next(&j, &t) > TR_JSON_END) { … }
 *   if (t.type == TR_JSON_ERROR) fprintf(stderr, "%zu: %s\n", j.err_off, j.errmsg);
 *
 * Ownership: nothing is allocated and nothing is copied. A string or key
 * token is the raw body between its quotes (a slice of p) plus an `escaped`
 * flag; decode it with tr_json_str() / tr_json_str_arena() (or
 * tr_json_unescape from core/jsonstr.h) when it has escapes. A number token
 * is the slice of its text. Every slice is valid as long as p is.
 *
 * Validation: the document is checked as it is read. Every valid RFC 8259
 * document is accepted; every invalid one ends in TR_JSON_ERROR: number
 * grammar, escapes (\uXXXX, surrogate pairs; lone surrogates rejected), raw
 * control characters in strings, invalid UTF-8 in strings (overlong forms,
 * UTF-16 surrogates, code points above U+10FFFF, truncated sequences),
 * trailing bytes after the top-level value (whitespace is allowed), empty
 * input, nesting deeper than the limit. A byte order mark is not JSON text
 * and is rejected; strip it before. Duplicate keys are allowed (both are
 * reported). A document is only known to be valid once TR_JSON_END has
 * been returned: a consumer that stops early has validated only what it read.
 *
 * Errors are sticky: after TR_JSON_ERROR every call returns TR_JSON_ERROR
 * again. err_off is the byte offset of the offending byte and errmsg a short
 * reason ("invalid escape", "unterminated string", "trailing characters
 * after value", "nesting deeper than 64", …).
 *
 * Thread-safety: a tr_json belongs to one thread at a time; there is no
 * global state, so any number of tokenizers may run in parallel.
 */
#ifndef TR_SRC_CORE_JSON_H
#define TR_SRC_CORE_JSON_H

#include "core/common.h"

typedef struct tr_arena tr_arena;

/* Hard ceiling of max_depth (containers open at once). */
#define TR_JSON_DEPTH_CAP 1024
#define TR_JSON_DEPTH_DEFAULT 64

typedef enum tr_json_type {
    TR_JSON_ERROR = 0, /* malformed document: see err_off / errmsg */
    TR_JSON_END,       /* the top-level value was complete and only whitespace followed */
    TR_JSON_OBJ_BEGIN, /* '{' */
    TR_JSON_OBJ_END,   /* '}' */
    TR_JSON_ARR_BEGIN, /* '[' */
    TR_JSON_ARR_END,   /* ']' */
    TR_JSON_KEY,       /* an object member's name; its ':' has been consumed */
    TR_JSON_STRING,    /* a string value */
    TR_JSON_NUMBER,    /* a number value; text is its literal ("-1.5e3") */
    TR_JSON_TRUE,
    TR_JSON_FALSE,
    TR_JSON_NULL
} tr_json_type;

typedef struct tr_json_tok {
    tr_json_type type; /* what was read */
    bool escaped;      /* KEY/STRING: the body contains backslash escapes */
    tr_str text;       /* KEY/STRING: body between the quotes; NUMBER and literals: their
                          text; brackets: the bracket itself */
    size_t off;        /* byte offset of the token's first byte in the document */
} tr_json_tok;

/* Caller-provided tokenizer state (about 200 bytes; embed it or put it on the stack). */
typedef struct tr_json {
    const char *p;       /* the document (borrowed) */
    size_t n;            /* its length */
    size_t pos;          /* next byte to read */
    uint32_t depth;      /* containers open */
    uint32_t max_depth;  /* nesting limit (1..TR_JSON_DEPTH_CAP) */
    uint8_t state;       /* what the grammar expects next (private) */
    size_t err_off;      /* TR_JSON_ERROR: offset of the offending byte */
    char errmsg[48];     /* TR_JSON_ERROR: reason; empty otherwise */
    uint64_t kind[TR_JSON_DEPTH_CAP / 64]; /* one bit per open container: 1 = object */
} tr_json;

/* Starts tokenizing p[0..n). max_depth 0 means TR_JSON_DEPTH_DEFAULT (64);
 * values above TR_JSON_DEPTH_CAP are clamped to it. Never fails. */
void tr_json_init(tr_json *j, const char *p, size_t n, uint32_t max_depth);

/* Reads the next token into *t and returns its type (also in t->type).
 * TR_JSON_END and TR_JSON_ERROR repeat on further calls. */
tr_json_type tr_json_next(tr_json *j, tr_json_tok *t);

/* True once a TR_JSON_ERROR has been returned. */
static inline bool tr_json_failed(const tr_json *j)
{
    return j->errmsg[0] != '\0';
}

/* Skips the rest of the value that t (the token just read) starts: for
 * OBJ_BEGIN / ARR_BEGIN reads through the matching end, for a KEY skips the
 * member's value, for a scalar does nothing. Still validates what it skips.
 * Returns TR_OK or TR_EPARSE (the tokenizer then holds the error). */
tr_err tr_json_skip(tr_json *j, const tr_json_tok *t);

/* Iterating containers without a tree. After an OBJ_BEGIN token,
 *   while (tr_json_member(&j, &key)) { read or skip the value }
 * gives each member's key (the value is the caller's to consume next, with
 * tr_json_next() or tr_json_skip(&j, &key)). After an ARR_BEGIN token,
 *   while (tr_json_element(&j, &first)) { first is the element's first token }
 * Both return false at the container's end and on error (check
 * tr_json_failed()). */
bool tr_json_member(tr_json *j, tr_json_tok *key);
bool tr_json_element(tr_json *j, tr_json_tok *first);

/* Decoded text of a KEY or STRING token (escapes resolved; other tokens give
 * their text as is) into buf[0..cap). *out points into buf. Returns TR_OK,
 * TR_ELIMIT when cap is too small (the body's raw length always suffices), or
 * TR_EPARSE on a bad escape (impossible for tokens the tokenizer accepted). */
tr_err tr_json_str(const tr_json_tok *t, char *buf, size_t cap, tr_str *out);

/* The same, decoded into arena memory only when the token has escapes;
 * otherwise *out is the token's own slice (no copy). TR_ENOMEM when the
 * arena is full. */
tr_err tr_json_str_arena(const tr_json_tok *t, tr_arena *a, tr_str *out);

/* True when a KEY/STRING token's decoded text equals the C string s. */
bool tr_json_str_is(const tr_json_tok *t, const char *s);

/* A NUMBER token as an integer (TR_EINVAL if it has a fraction or exponent,
 * or is not a number; TR_ELIMIT when out of range) or as a double. */
tr_err tr_json_int(const tr_json_tok *t, int64_t *v);
tr_err tr_json_double(const tr_json_tok *t, double *v);

/* Validates a whole document. On failure returns TR_EPARSE and, when errj is
 * given, leaves the failing tokenizer state (err_off, errmsg) in it. */
tr_err tr_json_validate(const char *p, size_t n, uint32_t max_depth, tr_json *errj);

#endif /* TR_SRC_CORE_JSON_H */
