/*
 * value.h - what it means for one event value to match one Sigma value.
 *
 * This is the only place where comparison semantics live: case folding,
 * wildcards, windash classes, numbers, CIDR ranges, time parts. The slow
 * evaluator calls sg_value_match() directly; the prefiltered scan uses
 * literal hits only to decide which rules to evaluate, and decides a
 * literal alternative from a hit only when sg_value_literal() says the hit
 * is the whole truth. A test runs every rule both ways and compares.
 */
#ifndef TR_SRC_SIGMA_VALUE_H
#define TR_SRC_SIGMA_VALUE_H

#include "core/common.h"

typedef enum sg_op {
    SG_OP_EQ = 0,   /* the whole value equals lit (numbers: or numerically equal) */
    SG_OP_PREFIX,   /* value starts with lit */
    SG_OP_SUFFIX,   /* value ends with lit */
    SG_OP_CONTAINS, /* lit occurs in value */
    SG_OP_ANY,      /* any value at all ('*', contains '') */
    SG_OP_GLOB,     /* wildcard program toks[] */
    SG_OP_RE,       /* regular expression re */
    SG_OP_CIDR,     /* value is an address inside the network */
    SG_OP_NUM,      /* numeric comparison cmp with num */
    SG_OP_TIME,     /* time part `part` of the value, compared with cmp to num */
    SG_OP_FIELDREF  /* compared with the values of field `ref` (pos = how) */
} sg_op;

typedef enum sg_cmp {
    SG_CMP_EQ = 0,
    SG_CMP_LT,
    SG_CMP_LTE,
    SG_CMP_GT,
    SG_CMP_GTE
} sg_cmp;

typedef enum sg_tpart {
    SG_T_MINUTE = 0,
    SG_T_HOUR,
    SG_T_DAY,
    SG_T_WEEK,
    SG_T_MONTH,
    SG_T_YEAR
} sg_tpart;

enum sg_value_flags {
    SG_V_CASED = 1 << 0,  /* compare bytes exactly (|cased); else ASCII case folded */
    SG_V_NUMBER = 1 << 1, /* EQ of a YAML number: numeric equality also counts */
    SG_V_RE_START = 1 << 2, /* RE: the match must start at the value start */
    SG_V_RE_END = 1 << 3,   /* RE: the match must end at the value end */
    SG_V_NOFOLD = 1 << 4    /* caseless, but without an ASCII letter: compared as is (no
                               lowercased copy of the value needed; set by the plan) */
};

/* One token of a wildcard program. */
typedef enum sg_gkind {
    SG_G_LIT = 0, /* bytes (lowercase unless cased) */
    SG_G_STAR,    /* any run of bytes, possibly empty */
    SG_G_ONE,     /* exactly one character (one UTF-8 sequence, or one byte if invalid) */
    SG_G_DASH     /* one of - / – — ― (|windash) */
} sg_gkind;

typedef struct sg_gtok {
    uint8_t kind;
    tr_str lit;
} sg_gtok;

typedef struct sg_value {
    uint8_t op;       /* enum sg_op */
    uint8_t flags;    /* enum sg_value_flags */
    uint8_t cmp;      /* enum sg_cmp (NUM, TIME) */
    uint8_t part;     /* enum sg_tpart (TIME); FIELDREF: the position op (EQ…CONTAINS) */
    uint32_t group;   /* index of the rule value this alternative came from */
    uint8_t af;       /* CIDR: 4 or 6 */
    uint8_t bits;     /* CIDR prefix length */
    tr_str lit;       /* EQ/PREFIX/SUFFIX/CONTAINS literal (lowercase unless cased) */
    const sg_gtok *toks; /* GLOB program */
    uint32_t ntoks;
    uint32_t re;      /* RE: regex index in the ruleset */
    uint32_t ref;     /* FIELDREF: field id */
    const uint32_t *slots; /* prefilter slots: a hit of any decides this value true, none
                              false (set by the plan, see plan.c); NULL: evaluate directly */
    uint32_t nslots;
    uint32_t need;    /* prefilter slot of a literal this value cannot match without
                         (regexes, wildcards), or UINT32_MAX */
    tr_str need_lit;  /* such a literal too short for a database, tested directly
                         (lowercase unless need_cased) before the regex runs */
    bool need_cased;
    uint32_t run_min; /* RE: > 0 when no match is possible without run_min consecutive bytes */
    const uint8_t *run_set; /* of this set (256-bit map), tested before the regex runs */
    const uint8_t *pair_set; /* RE: two 256-bit maps: no match is possible without a byte of
                                the first followed by one of the second (NULL: none) */
    int16_t pair_first;     /* the first map's only byte, or -1 */
    double num;       /* NUM/TIME threshold; EQ|NUMBER: the number */
    uint8_t addr[16]; /* CIDR network (masked) */
    tr_str text;      /* the value as written in the rule (for messages) */
} sg_value;

/* Regex evaluation hook: returns 1 match, 0 no match, -1 limit hit. */
typedef int (*sg_re_fn)(void *ctx, uint32_t re, uint8_t flags, tr_str s);

/* Does s match v? low is s with ASCII letters lowercased (same length), or
 * {NULL, 0} when the caller has none: the result is the same either way,
 * low only makes caseless tests plain byte compares. FIELDREF is not
 * handled here (see sg_ref_match). */
bool sg_value_match(const sg_value *v, tr_str s, tr_str low, sg_re_fn re, void *re_ctx);

/* ASCII lowercase of s into out (s.n bytes). */
void sg_lower(char *out, tr_str s);

/* FIELDREF comparison of a value s with a referenced value r. */
bool sg_ref_match(const sg_value *v, tr_str s, tr_str r);

/* Strict number parse of a whole slice: optional sign, decimal integer or
 * fraction with exponent, or 0x hex. No spaces. */
bool sg_parse_number(tr_str s, double *out);

/* Time part of a timestamp text; false when s is not a timestamp. */
bool sg_time_part(tr_str s, sg_tpart part, int64_t *out);

/* Parses an IPv4 or IPv6 address (IPv4-mapped IPv6 becomes IPv4); false if not. */
bool sg_parse_ip(tr_str s, uint8_t *af, uint8_t addr[16]);
/* Parses "addr" or "addr/bits" into a masked network. */
bool sg_parse_cidr(tr_str s, uint8_t *af, uint8_t addr[16], uint8_t *bits);

/* Case-insensitive substring search (needle already lowercase). */
const char *sg_memmem_nocase(const char *h, size_t hn, const char *needle, size_t nn);
/* memmem() for the short needles and values of rules and events: glibc's
 * two-way set-up costs several hundred instructions per call. */
const char *sg_memmem(const char *h, size_t hn, const char *needle, size_t nn);

/* Does s hold m (> 0) consecutive bytes of set (a 256-bit map)? Looks at
 * about one byte in m when few bytes are in the set. */
bool sg_has_run(const uint8_t *set, uint32_t m, tr_str s);

/* Does s hold a byte of set[0..32) followed by one of set[32..64)? first is
 * the first set's only byte (found with memchr()), or -1. */
bool sg_has_pair(const uint8_t *set, int first, tr_str s);

/* Glob program match (wildcards, one-char, windash class). */
bool sg_glob_match(const sg_gtok *toks, uint32_t ntoks, bool cased, tr_str s);

/* The five windash characters: "-", "/", U+2013, U+2014, U+2015. Returns
 * the byte length of a dash at s (0 if none). */
size_t sg_dash_at(const char *s, size_t n);

#endif
