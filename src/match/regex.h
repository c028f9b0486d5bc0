/*
 * regex.h - PCRE2 regular expressions, JIT-compiled once, matched with
 * bounded cost by any number of threads.
 *
 * Sigma `|re` values and regex indicators come from untrusted rule files and
 * run over untrusted log values, so a catastrophic pattern (`(a+)+$` against
 * "aaaa…!") must cost bounded time and be reported, never hang a worker:
 * every match runs under a match limit (and, for the interpreter, depth and
 * heap limits) and a capped JIT stack; hitting one returns TR_ELIMIT and is
 * counted in the scratch.
 *
 *   tr_re       compiled pattern (+ JIT code), immutable, shared by threads.
 *   tr_re_scratch  per thread: one match-data block, one match context holding
 *               the limits, one JIT stack. It serves every tr_re: trawl only
 *               asks "does it match", so a single ovector pair is enough for
 *               any pattern, and PCRE2 keeps its interpreter frames in the
 *               match data between calls (no allocation after warm-up).
 *
 *   tr_re *re; tr_re_scratch *s; bool hit;
 *   if (tr_re_compile(TR_STR("\\\\(cmd|powershell)\\.exe$"), TR_RE_CASELESS, &re,
 *                     err, sizeof(err))) … report err …
 *   tr_re_scratch_new(NULL, &s);            (per thread)
 *   switch (tr_re_match(re, s, value, &hit)) { TR_OK: use hit; TR_ELIMIT: count … }
 *
 * Semantics (decided here, documented for rule authors):
 *   - Byte mode by default: `.` is one byte, \w \d \s and caseless matching
 *     are ASCII; values need not be valid UTF-8 (logs often are not) and
 *     patterns cannot switch UTF on with (*UTF). Non-ASCII literal text in a
 *     pattern still matches the same bytes.
 *   - TR_RE_UTF turns on UTF-8 mode with PCRE2_MATCH_INVALID_UTF: invalid
 *     sequences in a value never match a character but are safe.
 *   - Unanchored search (Sigma: the regex may match anywhere in the value).
 */
#ifndef TR_SRC_MATCH_REGEX_H
#define TR_SRC_MATCH_REGEX_H

#include "core/common.h"

enum tr_re_flags {
    TR_RE_CASELESS = 1 << 0,  /* i */
    TR_RE_MULTILINE = 1 << 1, /* m: ^ and $ also at line breaks */
    TR_RE_DOTALL = 1 << 2,    /* s: . also matches a newline */
    TR_RE_UTF = 1 << 3        /* UTF-8 characters instead of bytes */
};

/* Per-thread limits; a zero member takes the default. */
typedef struct tr_re_limits {
    uint32_t match_limit;    /* backtracking steps per match; default 1,000,000 */
    uint32_t depth_limit;    /* interpreter nesting depth; default 10,000 */
    uint32_t heap_limit_kib; /* interpreter frame memory; default 20,480 KiB */
    uint32_t jit_stack_kib;  /* JIT stack maximum; default 1,024 KiB */
} tr_re_limits;

#define TR_RE_DEFAULT_MATCH_LIMIT 1000000u
#define TR_RE_DEFAULT_DEPTH_LIMIT 10000u
#define TR_RE_DEFAULT_HEAP_LIMIT_KIB 20480u
#define TR_RE_DEFAULT_JIT_STACK_KIB 1024u

typedef struct tr_re tr_re;
typedef struct tr_re_scratch tr_re_scratch;

/* Compiles pattern (not NUL-terminated; may contain NUL) with flags (enum
 * tr_re_flags) and JIT-compiles it (the interpreter is used if JIT is not
 * available). On a syntax error returns TR_EPARSE with err = "offset N:
 * PCRE2 message"; TR_EINVAL for unknown flags; TR_ENOMEM. *out NULL on
 * failure. */
tr_err tr_re_compile(tr_str pattern, unsigned flags, tr_re **out, char *err, size_t errlen);
void tr_re_free(tr_re *re);

/* A lower bound of the length, in bytes, of any subject the pattern can
 * match (PCRE2_INFO_MINLENGTH, which counts characters, each at least one
 * byte); 0 when PCRE2 does not know one. pcre2_match() rejects shorter
 * subjects itself: callers can skip the call. */
size_t tr_re_min_length(const tr_re *re);

/* True when the pattern runs as JIT code. */
bool tr_re_is_jit(const tr_re *re);
/* The pattern as given (NUL-terminated copy) and its flags. */
const char *tr_re_pattern(const tr_re *re);
unsigned tr_re_flags_of(const tr_re *re);

/* A per-thread scratch with the given limits (NULL = defaults).
 * TR_OK or TR_ENOMEM (*out NULL). */
tr_err tr_re_scratch_new(const tr_re_limits *limits, tr_re_scratch **out);
void tr_re_scratch_free(tr_re_scratch *s);

/* Searches subject for re. Returns
 *   TR_OK      *matched tells whether re matched somewhere in subject;
 *   TR_ELIMIT  a limit was hit: the value is undecided (*matched = false) and
 *              the scratch's limit counter is incremented;
 *   TR_EINTERNAL any other PCRE2 failure (*matched = false).
 * Never allocates once the scratch has served its largest interpreter match
 * (JIT matches never allocate). Thread-compatible: one scratch per thread;
 * re may be shared. */
tr_err tr_re_match(const tr_re *re, tr_re_scratch *s, tr_str subject, bool *matched);

/* Offsets of the last successful match of s: [*start, *end). */
void tr_re_last_match(const tr_re_scratch *s, size_t *start, size_t *end);

/* Matches that ended in TR_ELIMIT since the scratch was made. */
uint64_t tr_re_scratch_limit_hits(const tr_re_scratch *s);

#endif
