/*
 * regex.c - PCRE2 patterns of |re (see regex.h).
 *
 * Patterns are compiled with PCRE2_UTF | PCRE2_MATCH_INVALID_UTF so that
 * '.' and (?i) work on characters while event values that are not valid
 * UTF-8 still match safely. Start/end anchoring of re|startswith and
 * re|endswith is a compile option, which the JIT supports, rather than a
 * match option, which would force the interpreter.
 */
#include "core/common.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/hash.h"
#include "core/vec.h"
#include "sigma/regex.h"

typedef struct sg_re {
    pcre2_code *code;
    char *pattern;
    unsigned flags;
} sg_re;

struct sg_regexes {
    TR_VEC(sg_re) v;
    tr_map *dedup; /* flags byte + pattern -> id */
};

struct sg_rematch {
    pcre2_match_context *mctx;
    pcre2_jit_stack *stack;
    pcre2_match_data *md;
};

sg_regexes *sg_regexes_new(void)
{
    sg_regexes *r = tr_calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->dedup = tr_map_new(64, 0);
    if (!r->dedup) {
        tr_free(r);
        return NULL;
    }
    return r;
}

void sg_regexes_free(sg_regexes *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->v.n; i++) {
        pcre2_code_free(r->v.v[i].code);
        tr_free(r->v.v[i].pattern);
    }
    TR_VEC_FREE(&r->v);
    tr_map_free(r->dedup);
    tr_free(r);
}

tr_err sg_regex_add(sg_regexes *r, tr_str pattern, unsigned flags, uint32_t *id, char *err,
                    size_t errlen)
{
    char *key = tr_malloc(pattern.n + 1);
    if (!key)
        return TR_ENOMEM;
    key[0] = (char)('0' + flags);
    memcpy(key + 1, pattern.p, pattern.n);
    uint64_t found;
    bool hit = tr_map_get(r->dedup, (tr_str){ key, pattern.n + 1 }, &found);
    if (hit) {
        tr_free(key);
        *id = (uint32_t)found;
        return TR_OK;
    }
    uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (flags & SG_RE_I)
        opts |= PCRE2_CASELESS;
    if (flags & SG_RE_M)
        opts |= PCRE2_MULTILINE;
    if (flags & SG_RE_S)
        opts |= PCRE2_DOTALL;
    if (flags & SG_RE_START)
        opts |= PCRE2_ANCHORED;
    if (flags & SG_RE_END)
        opts |= PCRE2_ENDANCHORED;
    int ecode;
    PCRE2_SIZE eoff;
    pcre2_code *code =
        pcre2_compile((PCRE2_SPTR)pattern.p, pattern.n, opts, &ecode, &eoff, NULL);
    if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(ecode, msg, sizeof(msg));
        snprintf(err, errlen, "bad regular expression at offset %zu: %s", (size_t)eoff,
                 (const char *)msg);
        tr_free(key);
        return TR_ERULE;
    }
    /* Without JIT (unsupported platform or option) the interpreter is used. */
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
    sg_re re = { code, tr_strndup(pattern.p, pattern.n), flags };
    tr_err e = TR_OK;
    if (!re.pattern || !TR_VEC_PUSH(&r->v, re)) {
        pcre2_code_free(code);
        tr_free(re.pattern);
        e = TR_ENOMEM;
    } else {
        *id = (uint32_t)(r->v.n - 1);
        e = tr_map_put(r->dedup, (tr_str){ key, pattern.n + 1 }, *id);
    }
    tr_free(key);
    return e;
}

uint32_t sg_regexes_count(const sg_regexes *r)
{
    return r ? (uint32_t)r->v.n : 0;
}

const char *sg_regex_pattern(const sg_regexes *r, uint32_t id)
{
    return r->v.v[id].pattern;
}

unsigned sg_regex_flags(const sg_regexes *r, uint32_t id)
{
    return r->v.v[id].flags;
}

sg_rematch *sg_rematch_new(uint32_t match_limit, uint32_t depth_limit)
{
    sg_rematch *m = tr_calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    m->mctx = pcre2_match_context_create(NULL);
    m->stack = pcre2_jit_stack_create(32 * 1024, 512 * 1024, NULL);
    m->md = pcre2_match_data_create(1, NULL);
    if (!m->mctx || !m->stack || !m->md) {
        sg_rematch_free(m);
        return NULL;
    }
    pcre2_set_match_limit(m->mctx, match_limit ? match_limit : SG_RE_DEFAULT_MATCH_LIMIT);
    pcre2_set_depth_limit(m->mctx, depth_limit ? depth_limit : SG_RE_DEFAULT_DEPTH_LIMIT);
    pcre2_jit_stack_assign(m->mctx, NULL, m->stack);
    return m;
}

void sg_rematch_free(sg_rematch *m)
{
    if (!m)
        return;
    pcre2_match_context_free(m->mctx);
    pcre2_jit_stack_free(m->stack);
    pcre2_match_data_free(m->md);
    tr_free(m);
}

int sg_regex_match(const sg_regexes *r, sg_rematch *m, uint32_t id, tr_str s)
{
    static const char empty[1] = "";
    const char *p = s.p ? s.p : empty;
    int rc = pcre2_match(r->v.v[id].code, (PCRE2_SPTR)p, s.n, 0, 0, m->md, m->mctx);
    if (rc >= 0)
        return 1;
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    /* Match/depth/heap limits, JIT stack exhaustion: bounded cost, reported. */
    return -1;
}
