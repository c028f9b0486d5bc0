/*
 * rule.h - the loaded form of Sigma rules, shared by the loader, the
 * compiler and the evaluator.
 *
 * A rule is a boolean expression (sg_node) over predicates (sg_pred); a
 * predicate tests one field (or, for keywords, every field) against a list
 * of values (sg_value, see value.h). Search identifiers become sub-trees;
 * `x of` becomes AND/OR/AT-LEAST nodes. Everything lives in flat arrays of
 * the ruleset so that a rule is a few integers and the whole plan is one
 * immutable object.
 */
#ifndef TR_SRC_SIGMA_RULE_H
#define TR_SRC_SIGMA_RULE_H

#include "core/common.h"

#include "core/hash.h"
#include "core/vec.h"
#include "sigma/value.h"
#include "trawl/arena.h"
#include "trawl/sigma.h"

#define SG_NONE UINT32_MAX

typedef enum sg_nop {
    SG_N_FALSE = 0,
    SG_N_TRUE,
    SG_N_PRED,  /* a = predicate index */
    SG_N_NOT,   /* kids[first] */
    SG_N_AND,   /* kids[first .. first+n) */
    SG_N_OR,
    SG_N_ATLEAST /* at least k of kids[first .. first+n) (`2 of x*`) */
} sg_nop;

typedef struct sg_node {
    uint8_t op;     /* enum sg_nop */
    uint32_t a;     /* PRED: predicate index */
    uint32_t first; /* first child in kids[] */
    uint32_t n;     /* children */
    uint32_t k;     /* ATLEAST threshold */
} sg_node;

typedef enum sg_pkind {
    SG_P_VALUES = 0, /* field against values */
    SG_P_NULL,       /* field absent, or only null values */
    SG_P_EXISTS,     /* field present (exists: true) or absent (false) */
    SG_P_KEYWORD     /* any field value against values (field-less) */
} sg_pkind;

typedef struct sg_pred {
    uint8_t kind;     /* enum sg_pkind */
    uint8_t all;      /* |all: every value group must match */
    uint8_t neg;      /* |neq: field present and the test fails */
    uint8_t exists;   /* EXISTS: expected presence */
    uint32_t field;   /* field id (SG_NONE for keywords) */
    uint32_t first;   /* values[first .. first+n) */
    uint32_t n;
    uint32_t ngroups; /* rule values the alternatives came from */
    uint32_t rule;    /* owning rule (or filter, with SG_PRED_FILTER) */
    uint32_t line;
    tr_str fname;     /* field name as written in the rule */
} sg_pred;

/* A field name used by some rule. Names that differ only in case are
 * linked (fold_next) so that an event field can bind to all of them. */
typedef struct sg_fieldname {
    tr_str name;
    uint32_t fold_next; /* next field id with the same case-folded name, or SG_NONE */
} sg_fieldname;

/* Lowercased logsource used for routing. */
typedef struct sg_route {
    tr_str product, category, service;
} sg_route;

typedef struct sg_rule {
    tr_rule_info info;
    uint32_t root;        /* expression node */
    sg_route route;
    uint32_t *filters;    /* filter indexes */
    uint32_t nfilters;
} sg_rule;

typedef struct sg_filter {
    tr_str id, title;
    const char *path;
    uint64_t line;
    uint32_t root;
    sg_route route;
    tr_str tenant;        /* empty: every tenant */
    tr_str *refs;         /* rule ids/names */
    uint32_t nrefs;
} sg_filter;

struct sg_plan;
struct sg_regexes;

struct tr_ruleset {
    tr_arena *arena;            /* every string and array below */
    TR_VEC(sg_rule) rules;
    TR_VEC(sg_filter) filters;
    TR_VEC(tr_correl_info) correls;
    TR_VEC(sg_node) nodes;
    TR_VEC(uint32_t) kids;
    TR_VEC(sg_pred) preds;
    TR_VEC(sg_value) values;
    TR_VEC(sg_fieldname) fields;
    tr_map *field_exact;        /* name -> field id */
    tr_map *field_fold;         /* case-folded name -> first field id of the fold chain */
    uint64_t name_filter[64];   /* bit per (length, first, last letter) of rule field names */
    tr_map *rule_keys;          /* rule id and name -> rule index */
    tr_map *correl_keys;        /* correlation id and name -> index */
    struct sg_regexes *re;      /* compiled |re patterns */
    struct sg_plan *plan;       /* prefilter (NULL: evaluate every applicable rule) */
    tr_ruleset_stats stats;
    bool no_logsource_filter;
    bool no_prefilter;
    uint32_t re_match_limit, re_depth_limit;
    uint32_t max_values_per_event; /* unused placeholder for future caps */
};

/* The bit of name in name_filter (ASCII case folded): an event field name
 * whose bit is clear is no rule's field, without a lookup. */
static inline uint32_t sg_name_bit(tr_str name)
{
    if (!name.n)
        return 0;
    unsigned a = tr_ascii_lower((unsigned char)name.p[0]);
    unsigned z = tr_ascii_lower((unsigned char)name.p[name.n - 1]);
    return (uint32_t)(((name.n * 31u) ^ (a * 7u) ^ (z * 131u)) & 4095u);
}

/* Field id of name, creating it. */
tr_err sg_field_intern(tr_ruleset *rs, tr_str name, uint32_t *id);

#endif
