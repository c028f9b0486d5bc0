/*
 * load.h - internal interfaces of the loader: one document in, rules,
 * filters or correlations appended to the ruleset being built.
 */
#ifndef TR_SRC_SIGMA_LOAD_H
#define TR_SRC_SIGMA_LOAD_H

#include "core/common.h"

#include "sigma/rule.h"
#include "sigma/yaml.h"

/* Returns from the function when expr fails. */
#define SG_TRY(expr)                                                                               \
    do {                                                                                           \
        tr_err sg_e_ = (expr);                                                                     \
        if (sg_e_)                                                                                 \
            return sg_e_;                                                                          \
    } while (0)

/* Values of the placeholders of |expand, by name (ASCII case ignored). */
typedef struct sg_placeholders {
    tr_map *names;               /* name -> index into lists */
    TR_VEC(struct sg_phlist {
        tr_str name;
        TR_VEC(tr_str) values;
    }) lists;
} sg_placeholders;

void sg_placeholders_release(sg_placeholders *ph);
/* Adds "NAME=V1,V2" ('\,' escapes a comma). TR_EINVAL if malformed. */
tr_err sg_placeholders_add_spec(sg_placeholders *ph, const char *spec);
tr_err sg_placeholders_add(sg_placeholders *ph, tr_str name, tr_str value);
/* Reads DIR/NAME[.txt|.yml|.yaml]: one value per line. */
tr_err sg_placeholders_load_dir(sg_placeholders *ph, const char *dir, char *err, size_t errlen);

/* State while one document is turned into nodes. */
typedef struct sg_ctx {
    tr_ruleset *rs;
    tr_arena *tmp;               /* freed after the document */
    const sg_placeholders *ph;
    const char *path;
    uint32_t owner;              /* rule index stored in predicates */
    uint32_t budget;             /* YAML nodes the document may still visit */
    bool keyword_ok;             /* field-less values allowed */
    char err[512];               /* first error */
    uint32_t errline;
} sg_ctx;

/* Records the first error; returns TR_ERULE. */
tr_err sg_fail(sg_ctx *c, uint32_t line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Node construction. */
tr_err sg_node_add(tr_ruleset *rs, uint8_t op, uint32_t a, const uint32_t *kids, uint32_t n,
                   uint32_t k, uint32_t *id);

/* The predicate tree of one search identifier (map, list, scalar). */
tr_err sg_search_build(sg_ctx *c, const sg_ynode *value, uint32_t *node);

/* A search identifier name with its built node, for the condition. */
typedef struct sg_ident {
    tr_str name;
    uint32_t node;
} sg_ident;

/* Parses a condition over idents into a node. */
tr_err sg_cond_parse(sg_ctx *c, tr_str text, uint32_t line, const sg_ident *ids, uint32_t nids,
                     uint32_t *root);

/* A whole detection section (search identifiers + condition); keys listed
 * in skip (NULL-terminated) are not search identifiers. */
tr_err sg_detection_build(sg_ctx *c, const sg_ynode *det, const char *const *skip,
                          uint32_t *root);

#endif
