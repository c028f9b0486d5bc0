/*
 * regex.c - the |re patterns of a ruleset (see regex.h), on the PCRE2
 * wrapper of src/match/regex.h.
 *
 * Patterns run in UTF-8 mode (a Sigma rule is Unicode text: '.' and [äö]
 * are characters), with invalid UTF-8 in event values tolerated. The
 * anchoring of re|startswith / re|endswith is written into the pattern as
 * \A(?:…) / (?:…)\z, which keeps JIT matching. Identical patterns with the
 * same flags are compiled once.
 */
#include "core/common.h"

#include "core/buf.h"
#include "core/hash.h"
#include "core/vec.h"
#include "match/regex.h"
#include "sigma/regex.h"

typedef struct sg_re {
    tr_re *re;
    char *source; /* the pattern as the rule wrote it */
    unsigned flags;
    size_t min_len; /* shorter subjects cannot match: PCRE2 is not called */
} sg_re;

struct sg_regexes {
    TR_VEC(sg_re) v;
    tr_map *dedup; /* flags byte + pattern -> id */
};

struct sg_rematch {
    tr_re_scratch *s;
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
        tr_re_free(r->v.v[i].re);
        tr_free(r->v.v[i].source);
    }
    TR_VEC_FREE(&r->v);
    tr_map_free(r->dedup);
    tr_free(r);
}

tr_err sg_regex_add(sg_regexes *r, tr_str pattern, unsigned flags, uint32_t *id, char *err,
                    size_t errlen)
{
    tr_buf key = TR_BUF_INIT;
    tr_err e = tr_buf_putc(&key, (char)('A' + flags));
    if (!e)
        e = tr_buf_append_str(&key, pattern);
    uint64_t found;
    if (!e && tr_map_get(r->dedup, (tr_str){ key.p, key.n }, &found)) {
        tr_buf_release(&key);
        *id = (uint32_t)found;
        return TR_OK;
    }
    tr_buf src = TR_BUF_INIT;
    if (!e && (flags & SG_RE_START))
        e = tr_buf_append(&src, "\\A(?:", 5);
    else if (!e && (flags & SG_RE_END))
        e = tr_buf_append(&src, "(?:", 3);
    if (!e)
        e = tr_buf_append_str(&src, pattern);
    if (!e && (flags & (SG_RE_START | SG_RE_END)))
        e = tr_buf_putc(&src, ')');
    if (!e && (flags & SG_RE_END))
        e = tr_buf_append(&src, "\\z", 2);
    unsigned tf = TR_RE_UTF | ((flags & SG_RE_I) ? TR_RE_CASELESS : 0) |
                  ((flags & SG_RE_M) ? TR_RE_MULTILINE : 0) | ((flags & SG_RE_S) ? TR_RE_DOTALL : 0);
    tr_re *re = NULL;
    char msg[200];
    if (!e) {
        e = tr_re_compile((tr_str){ src.p ? src.p : "", src.n }, tf, &re, msg, sizeof(msg));
        if (e == TR_EPARSE) {
            snprintf(err, errlen, "bad regular expression '%.*s': %s", (int)TR_MIN(pattern.n, 200),
                     pattern.p, msg);
            e = TR_ERULE;
        }
    }
    tr_buf_release(&src);
    sg_re s = { re, e ? NULL : tr_strndup(pattern.p, pattern.n), flags,
                 e ? 0 : tr_re_min_length(re) };
    if (!e && (!s.source || !TR_VEC_PUSH(&r->v, s)))
        e = TR_ENOMEM;
    if (e) {
        tr_re_free(re);
        tr_free(s.source);
        tr_buf_release(&key);
        return e;
    }
    *id = (uint32_t)(r->v.n - 1);
    e = tr_map_put(r->dedup, (tr_str){ key.p, key.n }, *id);
    tr_buf_release(&key);
    return e;
}

uint32_t sg_regexes_count(const sg_regexes *r)
{
    return r ? (uint32_t)r->v.n : 0;
}

const char *sg_regex_pattern(const sg_regexes *r, uint32_t id)
{
    return r->v.v[id].source;
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
    tr_re_limits lim = { .match_limit = match_limit ? match_limit : SG_RE_DEFAULT_MATCH_LIMIT,
                         .depth_limit = depth_limit ? depth_limit : SG_RE_DEFAULT_DEPTH_LIMIT };
    if (tr_re_scratch_new(&lim, &m->s) != TR_OK) {
        tr_free(m);
        return NULL;
    }
    return m;
}

void sg_rematch_free(sg_rematch *m)
{
    if (!m)
        return;
    tr_re_scratch_free(m->s);
    tr_free(m);
}

int sg_regex_match(const sg_regexes *r, sg_rematch *m, uint32_t id, tr_str s)
{
    if (s.n < r->v.v[id].min_len)
        return 0; /* what pcre2_match() would answer, without its set-up */
    bool hit = false;
    tr_err e = tr_re_match(r->v.v[id].re, m->s, s, &hit);
    if (e == TR_OK)
        return hit ? 1 : 0;
    return -1; /* a limit (or a PCRE2 failure): undecided, counted by the caller */
}
