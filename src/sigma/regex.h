/*
 * regex.h - the |re patterns of a ruleset: PCRE2, JIT-compiled once at
 * load, matched with per-thread state under match and depth limits so that
 * a pathological pattern on hostile input costs bounded time.
 */
#ifndef TR_SRC_SIGMA_REGEX_H
#define TR_SRC_SIGMA_REGEX_H

#include "core/common.h"

enum sg_re_flags {
    SG_RE_I = 1 << 0,      /* caseless */
    SG_RE_M = 1 << 1,      /* multiline */
    SG_RE_S = 1 << 2,      /* dot matches newline */
    SG_RE_START = 1 << 3,  /* match must start at the start of the value */
    SG_RE_END = 1 << 4     /* match must end at the end of the value */
};

typedef struct sg_regexes sg_regexes;
typedef struct sg_rematch sg_rematch;

sg_regexes *sg_regexes_new(void);
void sg_regexes_free(sg_regexes *r);
/* Compiles pattern (UTF-8; invalid UTF-8 in subjects is tolerated) with
 * flags; identical patterns share an id. On a syntax error returns
 * TR_ERULE with the message and offset in err. */
tr_err sg_regex_add(sg_regexes *r, tr_str pattern, unsigned flags, uint32_t *id, char *err,
                    size_t errlen);
uint32_t sg_regexes_count(const sg_regexes *r);
/* The pattern text of id (NUL-terminated). */
const char *sg_regex_pattern(const sg_regexes *r, uint32_t id);
unsigned sg_regex_flags(const sg_regexes *r, uint32_t id);

/* Per-thread matching state (limits 0 = defaults). */
sg_rematch *sg_rematch_new(uint32_t match_limit, uint32_t depth_limit);
void sg_rematch_free(sg_rematch *m);
/* 1 match, 0 no match, -1 a limit was hit (counted as no match by callers). */
int sg_regex_match(const sg_regexes *r, sg_rematch *m, uint32_t id, tr_str s);

#define SG_RE_DEFAULT_MATCH_LIMIT 100000u
#define SG_RE_DEFAULT_DEPTH_LIMIT 1000u

#endif
