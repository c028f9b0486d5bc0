/*
 * regex.c - PCRE2 with JIT under hard limits (see regex.h).
 *
 * All PCRE2 memory goes through a general context wired to tr_malloc/tr_free
 * so tests can see that matching does not allocate. Limits live in the
 * per-thread match context; a pattern may lower them with (*LIMIT_MATCH=…)
 * but never raise them.
 */
#include "core/common.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "match/regex.h"

#define KNOWN_FLAGS (TR_RE_CASELESS | TR_RE_MULTILINE | TR_RE_DOTALL | TR_RE_UTF)

struct tr_re {
    pcre2_code *code; /* compiled pattern (+ JIT code) */
    char *pattern;    /* copy of the source, NUL-terminated */
    unsigned flags;   /* enum tr_re_flags */
    bool jit;         /* JIT compilation succeeded */
};

struct tr_re_scratch {
    pcre2_general_context *gctx;
    pcre2_match_context *mctx; /* limits + JIT stack */
    pcre2_match_data *md;      /* one ovector pair: match or not */
    pcre2_jit_stack *jstack;
    uint64_t limit_hits;       /* matches ended by a limit */
};

static void *re_alloc(size_t n, void *ctx)
{
    TR_UNUSED(ctx);
    return tr_malloc(n);
}

static void re_free(void *p, void *ctx)
{
    TR_UNUSED(ctx);
    tr_free(p);
}

tr_err tr_re_compile(tr_str pattern, unsigned flags, tr_re **out, char *err, size_t errlen)
{
    *out = NULL;
    if (errlen)
        err[0] = '\0';
    if (flags & ~(unsigned)KNOWN_FLAGS) {
        snprintf(err, errlen, "unknown regex flags 0x%x", flags);
        return TR_EINVAL;
    }
    tr_err e = TR_OK;
    pcre2_general_context *gctx = pcre2_general_context_create(re_alloc, re_free, NULL);
    pcre2_compile_context *cctx = gctx ? pcre2_compile_context_create(gctx) : NULL;
    tr_re *re = tr_calloc(1, sizeof(*re));
    if (!gctx || !cctx || !re || !(re->pattern = tr_strndup(pattern.p ? pattern.p : "", pattern.n))) {
        e = TR_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    re->flags = flags;
    uint32_t opts = 0;
    if (flags & TR_RE_CASELESS)
        opts |= PCRE2_CASELESS;
    if (flags & TR_RE_MULTILINE)
        opts |= PCRE2_MULTILINE;
    if (flags & TR_RE_DOTALL)
        opts |= PCRE2_DOTALL;
    opts |= (flags & TR_RE_UTF) ? PCRE2_UTF | PCRE2_MATCH_INVALID_UTF : PCRE2_NEVER_UTF;
    int ecode;
    PCRE2_SIZE eoff;
    re->code = pcre2_compile((PCRE2_SPTR)re->pattern, pattern.n, opts, &ecode, &eoff, cctx);
    if (!re->code) {
        PCRE2_UCHAR msg[256];
        if (pcre2_get_error_message(ecode, msg, sizeof(msg)) < 0)
            snprintf((char *)msg, sizeof(msg), "error %d", ecode);
        snprintf(err, errlen, "offset %zu: %s", (size_t)eoff, (const char *)msg);
        e = ecode == PCRE2_ERROR_NOMEMORY ? TR_ENOMEM : TR_EPARSE;
        goto out;
    }
    re->jit = pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE) == 0;
    *out = re;
    re = NULL;
out:
    tr_re_free(re);
    pcre2_compile_context_free(cctx);
    pcre2_general_context_free(gctx);
    return e;
}

void tr_re_free(tr_re *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    tr_free(re->pattern);
    tr_free(re);
}

size_t tr_re_min_length(const tr_re *re)
{
    uint32_t n = 0;
    if (pcre2_pattern_info(re->code, PCRE2_INFO_MINLENGTH, &n) != 0)
        return 0;
    return n;
}

bool tr_re_is_jit(const tr_re *re)
{
    return re->jit;
}

const char *tr_re_pattern(const tr_re *re)
{
    return re->pattern;
}

unsigned tr_re_flags_of(const tr_re *re)
{
    return re->flags;
}

tr_err tr_re_scratch_new(const tr_re_limits *limits, tr_re_scratch **out)
{
    tr_re_limits lim = limits ? *limits : (tr_re_limits){ 0 };
    if (!lim.match_limit)
        lim.match_limit = TR_RE_DEFAULT_MATCH_LIMIT;
    if (!lim.depth_limit)
        lim.depth_limit = TR_RE_DEFAULT_DEPTH_LIMIT;
    if (!lim.heap_limit_kib)
        lim.heap_limit_kib = TR_RE_DEFAULT_HEAP_LIMIT_KIB;
    if (!lim.jit_stack_kib)
        lim.jit_stack_kib = TR_RE_DEFAULT_JIT_STACK_KIB;
    *out = NULL;
    tr_re_scratch *s = tr_calloc(1, sizeof(*s));
    if (!s)
        return TR_ENOMEM;
    s->gctx = pcre2_general_context_create(re_alloc, re_free, NULL);
    if (s->gctx) {
        s->mctx = pcre2_match_context_create(s->gctx);
        s->md = pcre2_match_data_create(1, s->gctx);
        size_t max = (size_t)lim.jit_stack_kib * 1024;
        s->jstack = pcre2_jit_stack_create(TR_MIN((size_t)32 * 1024, max), max, s->gctx);
    }
    if (!s->gctx || !s->mctx || !s->md || !s->jstack) {
        tr_re_scratch_free(s);
        return TR_ENOMEM;
    }
    pcre2_set_match_limit(s->mctx, lim.match_limit);
    pcre2_set_depth_limit(s->mctx, lim.depth_limit);
    pcre2_set_heap_limit(s->mctx, lim.heap_limit_kib);
    pcre2_jit_stack_assign(s->mctx, NULL, s->jstack);
    *out = s;
    return TR_OK;
}

void tr_re_scratch_free(tr_re_scratch *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    pcre2_jit_stack_free(s->jstack);
    pcre2_match_context_free(s->mctx);
    pcre2_general_context_free(s->gctx);
    tr_free(s);
}

tr_err tr_re_match(const tr_re *re, tr_re_scratch *s, tr_str subject, bool *matched)
{
    *matched = false;
    /* PCRE2 wants a non-NULL pointer even for an empty subject. */
    PCRE2_SPTR p = (PCRE2_SPTR)(subject.p ? subject.p : "");
    int rc = pcre2_match(re->code, p, subject.n, 0, 0, s->md, s->mctx);
    if (rc >= 0) { /* 0: matched, ovector too small for the captures (by design) */
        *matched = true;
        return TR_OK;
    }
    switch (rc) {
    case PCRE2_ERROR_NOMATCH:
        return TR_OK;
    case PCRE2_ERROR_MATCHLIMIT:
    case PCRE2_ERROR_DEPTHLIMIT:
    case PCRE2_ERROR_HEAPLIMIT:
    case PCRE2_ERROR_JIT_STACKLIMIT:
    case PCRE2_ERROR_NOMEMORY:
        s->limit_hits++;
        return TR_ELIMIT;
    default:
        return TR_EINTERNAL;
    }
}

void tr_re_last_match(const tr_re_scratch *s, size_t *start, size_t *end)
{
    const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(s->md);
    *start = ov[0];
    *end = ov[1];
}

uint64_t tr_re_scratch_limit_hits(const tr_re_scratch *s)
{
    return s->limit_hits;
}
