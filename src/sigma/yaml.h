/*
 * yaml.h - a small read-only YAML document tree with line numbers, built
 * with libyaml's event parser.
 *
 * Sigma needs three things libyaml's own document API does not give
 * cheaply: the line of every node (for "path:line: reason"), the scalar
 * style (a quoted '4688' is a string, a plain 4688 a number) and hard limits
 * (depth, node count) so that a hostile file cannot exhaust memory. Every
 * node lives in the arena passed to sg_yaml_parse().
 */
#ifndef TR_SRC_SIGMA_YAML_H
#define TR_SRC_SIGMA_YAML_H

#include "core/common.h"

#include "trawl/arena.h"

typedef enum sg_ykind {
    SG_Y_SCALAR = 0,
    SG_Y_SEQ,
    SG_Y_MAP
} sg_ykind;

/* The type of a scalar under the YAML 1.2 core schema. */
typedef enum sg_ytype {
    SG_YT_STR = 0, /* quoted, block, tagged !!str, or plain text */
    SG_YT_NULL,    /* plain null, Null, NULL, ~ or nothing */
    SG_YT_BOOL,    /* plain true/false (any of the three spellings) */
    SG_YT_INT,     /* plain decimal, 0x hex or 0o octal integer */
    SG_YT_FLOAT    /* plain float, .inf, .nan */
} sg_ytype;

typedef struct sg_ynode sg_ynode;
struct sg_ynode {
    uint8_t kind;      /* enum sg_ykind */
    uint8_t type;      /* enum sg_ytype (scalars) */
    uint32_t line;     /* 1-based line where the node starts */
    tr_str s;          /* scalar text, NUL-terminated (scalars) */
    sg_ynode **items;  /* SEQ: n items; MAP: 2n nodes, key then value */
    uint32_t n;        /* items (SEQ) or pairs (MAP) */
};

/* One document of a stream. */
typedef struct sg_ydoc {
    sg_ynode *root; /* NULL for an empty document */
    uint32_t line;  /* line of the document start */
} sg_ydoc;

typedef struct sg_ystream {
    sg_ydoc *docs;
    uint32_t ndocs;
} sg_ystream;

#define SG_YAML_MAX_DEPTH 64
#define SG_YAML_MAX_NODES 1000000

/* Parses text into arena. On a syntax error or limit returns TR_EPARSE (or
 * TR_ELIMIT, TR_ENOMEM) with a message in err and its line in *errline;
 * documents before the error are kept in *out. */
tr_err sg_yaml_parse(const char *text, size_t n, tr_arena *arena, sg_ystream *out, char *err,
                     size_t errlen, uint32_t *errline);

/* MAP lookup of a key (exact); NULL when absent or node is not a MAP. */
sg_ynode *sg_ymap_get(const sg_ynode *map, const char *key);

static inline sg_ynode *sg_ymap_key(const sg_ynode *m, uint32_t i)
{
    return m->items[2 * i];
}
static inline sg_ynode *sg_ymap_val(const sg_ynode *m, uint32_t i)
{
    return m->items[2 * i + 1];
}

static inline bool sg_yscalar(const sg_ynode *n)
{
    return n && n->kind == SG_Y_SCALAR;
}

#endif
