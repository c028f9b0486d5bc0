/*
 * detect.c - search identifiers to predicates: Sigma strings (wildcards and
 * backslash escapes), modifier chains applied in order, and the lowering of
 * each resulting value to an sg_value.
 *
 * A rule value goes through a small typed pipeline (`wv`): it starts as a
 * string, number, boolean or null from YAML, and each modifier, left to
 * right, either transforms it (contains adds wildcards, base64 encodes,
 * windash turns dashes into a character class, expand substitutes
 * placeholders and may multiply it) or changes its type (re, cidr, gt,
 * hour, fieldref, exists). Illegal chains are rejected with the reason.
 * The alternatives a value expands into keep the index of that value
 * (`group`), so that |all needs one alternative of every value.
 */
#include "core/common.h"

#include "core/buf.h"
#include "sigma/load.h"
#include "sigma/modifier.h"
#include "sigma/regex.h"

#define SG_MAX_ALTERNATIVES (1u << 20)
#define SG_MAX_DASH_FORMS 3125 /* 5^5: windash before an encoding, per value */
#define SG_G_PH 10 /* internal token: a %placeholder% (lit = name) */

typedef enum wv_type {
    WV_STR = 0,
    WV_NUM,
    WV_BOOL,
    WV_NULL,
    WV_RE,
    WV_CIDR,
    WV_CMP,
    WV_TIME,
    WV_REF,
    WV_EXISTS
} wv_type;

typedef struct wv {
    uint8_t t;          /* enum wv_type */
    bool cased;
    bool wild_before;   /* REF: startswith/endswith/contains as wildcards */
    bool wild_after;
    bool has_cmp;
    uint8_t cmp;
    uint8_t part;
    unsigned reflags;   /* enum sg_re_flags */
    sg_gtok *toks;      /* STR */
    uint32_t ntoks;
    tr_str text;        /* as written */
    double num;
    bool b;
    uint8_t af, bits;
    uint8_t addr[16];
    uint32_t group;
} wv;

typedef TR_VEC(wv) wvlist;
typedef TR_VEC(sg_gtok) toklist;

tr_err sg_fail(sg_ctx *c, uint32_t line, const char *fmt, ...)
{
    if (!c->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->err, sizeof(c->err), fmt, ap);
        va_end(ap);
        c->errline = line;
    }
    return TR_ERULE;
}

tr_err sg_node_add(tr_ruleset *rs, uint8_t op, uint32_t a, const uint32_t *kids, uint32_t n,
                   uint32_t k, uint32_t *id)
{
    sg_node nd = { op, a, (uint32_t)rs->kids.n, n, k };
    for (uint32_t i = 0; i < n; i++)
        if (!TR_VEC_PUSH(&rs->kids, kids[i]))
            return TR_ENOMEM;
    if (!TR_VEC_PUSH(&rs->nodes, nd))
        return TR_ENOMEM;
    *id = (uint32_t)rs->nodes.n - 1;
    return TR_OK;
}

/* ---- Sigma strings -------------------------------------------------------------------------- */

static tr_err push_lit(sg_ctx *c, toklist *tl, const char *p, size_t n)
{
    if (n == 0)
        return TR_OK;
    tr_str s = tr_arena_strdup(c->tmp, p, n);
    if (!s.p)
        return TR_ENOMEM;
    sg_gtok t = { SG_G_LIT, s };
    return TR_VEC_PUSH(tl, t) ? TR_OK : TR_ENOMEM;
}

static tr_err push_tok(toklist *tl, uint8_t kind)
{
    sg_gtok t = { kind, { NULL, 0 } };
    return TR_VEC_PUSH(tl, t) ? TR_OK : TR_ENOMEM;
}

static tr_err freeze(sg_ctx *c, toklist *tl, sg_gtok **out, uint32_t *n)
{
    *n = (uint32_t)tl->n;
    *out = NULL;
    if (tl->n) {
        *out = tr_arena_alloc(c->tmp, tl->n * sizeof(sg_gtok));
        if (!*out)
            return TR_ENOMEM;
        memcpy(*out, tl->v, tl->n * sizeof(sg_gtok));
    }
    TR_VEC_FREE(tl);
    return TR_OK;
}

/* Wildcards and escapes (specification, "Escape Character"): a backslash
 * escapes *, ? and itself; before anything else it is a plain backslash. */
static tr_err parse_sigma_string(sg_ctx *c, tr_str s, sg_gtok **out, uint32_t *n)
{
    toklist tl = { 0 };
    tr_buf lit = TR_BUF_INIT;
    tr_err err = TR_OK;
    for (size_t i = 0; i < s.n && !err; i++) {
        char ch = s.p[i];
        if (ch == '\\') {
            if (i + 1 < s.n && (s.p[i + 1] == '*' || s.p[i + 1] == '?' || s.p[i + 1] == '\\'))
                ch = s.p[++i];
            err = tr_buf_putc(&lit, ch);
        } else if (ch == '*' || ch == '?') {
            err = push_lit(c, &tl, lit.p, lit.n);
            tr_buf_reset(&lit);
            if (!err)
                err = push_tok(&tl, ch == '*' ? SG_G_STAR : SG_G_ONE);
        } else {
            err = tr_buf_putc(&lit, ch);
        }
    }
    if (!err)
        err = push_lit(c, &tl, lit.p, lit.n);
    tr_buf_release(&lit);
    if (err) {
        TR_VEC_FREE(&tl);
        return err;
    }
    return freeze(c, &tl, out, n);
}

static bool has_tok(const wv *v, uint8_t kind)
{
    for (uint32_t i = 0; i < v->ntoks; i++)
        if (v->toks[i].kind == kind)
            return true;
    return false;
}

static bool has_wildcards(const wv *v)
{
    return has_tok(v, SG_G_STAR) || has_tok(v, SG_G_ONE);
}

/* Numbers and booleans become the string they were written as. */
static tr_err to_str(sg_ctx *c, wv *v)
{
    if (v->t == WV_STR)
        return TR_OK;
    if (v->t != WV_NUM && v->t != WV_BOOL)
        return TR_EINVAL;
    toklist tl = { 0 };
    tr_err err = push_lit(c, &tl, v->text.p, v->text.n);
    if (!err)
        err = freeze(c, &tl, &v->toks, &v->ntoks);
    else
        TR_VEC_FREE(&tl);
    v->t = WV_STR;
    return err;
}

/* ---- Modifiers ------------------------------------------------------------------------------ */

static tr_err add_wildcards(sg_ctx *c, wv *v, bool before, bool after)
{
    toklist tl = { 0 };
    bool lead = v->ntoks && v->toks[0].kind == SG_G_STAR;
    bool trail = v->ntoks && v->toks[v->ntoks - 1].kind == SG_G_STAR;
    tr_err err = TR_OK;
    if (before && !lead)
        err = push_tok(&tl, SG_G_STAR);
    for (uint32_t i = 0; i < v->ntoks && !err; i++)
        err = TR_VEC_PUSH(&tl, v->toks[i]) ? TR_OK : TR_ENOMEM;
    if (!err && after && !(trail || (before && !lead && v->ntoks == 0)))
        err = push_tok(&tl, SG_G_STAR);
    if (err) {
        TR_VEC_FREE(&tl);
        return err;
    }
    return freeze(c, &tl, &v->toks, &v->ntoks);
}

static tr_err apply_windash(sg_ctx *c, wv *v)
{
    toklist tl = { 0 };
    tr_err err = TR_OK;
    for (uint32_t i = 0; i < v->ntoks && !err; i++) {
        const sg_gtok *t = &v->toks[i];
        if (t->kind != SG_G_LIT) {
            err = TR_VEC_PUSH(&tl, *t) ? TR_OK : TR_ENOMEM;
            continue;
        }
        size_t start = 0;
        for (size_t j = 0; j < t->lit.n && !err;) {
            size_t d = sg_dash_at(t->lit.p + j, t->lit.n - j);
            if (!d) {
                j++;
                continue;
            }
            err = push_lit(c, &tl, t->lit.p + start, j - start);
            if (!err)
                err = push_tok(&tl, SG_G_DASH);
            j += d;
            start = j;
        }
        if (!err)
            err = push_lit(c, &tl, t->lit.p + start, t->lit.n - start);
    }
    if (err) {
        TR_VEC_FREE(&tl);
        return err;
    }
    return freeze(c, &tl, &v->toks, &v->ntoks);
}

/* Replaces each windash class by each of the five characters (needed before
 * an encoding, which works on concrete bytes). */
static tr_err expand_dashes(sg_ctx *c, wvlist *out, const wv *v, uint32_t line)
{
    static const char *const dashes[5] = { "-", "/", "\xE2\x80\x93", "\xE2\x80\x94",
                                           "\xE2\x80\x95" };
    uint32_t nd = 0;
    for (uint32_t i = 0; i < v->ntoks; i++)
        nd += v->toks[i].kind == SG_G_DASH;
    uint64_t total = 1;
    for (uint32_t i = 0; i < nd; i++)
        if ((total *= 5) > SG_MAX_DASH_FORMS)
            return sg_fail(c, line, "windash before an encoding makes more than %u values",
                           SG_MAX_DASH_FORMS);
    for (uint64_t combo = 0; combo < total; combo++) {
        wv nv = *v;
        toklist tl = { 0 };
        uint64_t k = combo;
        tr_err err = TR_OK;
        for (uint32_t i = 0; i < v->ntoks && !err; i++) {
            if (v->toks[i].kind == SG_G_DASH) {
                const char *d = dashes[k % 5];
                k /= 5;
                err = push_lit(c, &tl, d, strlen(d));
            } else {
                err = TR_VEC_PUSH(&tl, v->toks[i]) ? TR_OK : TR_ENOMEM;
            }
        }
        if (!err)
            err = freeze(c, &tl, &nv.toks, &nv.ntoks);
        else
            TR_VEC_FREE(&tl);
        if (err || !TR_VEC_PUSH(out, nv))
            return err ? err : TR_ENOMEM;
    }
    return TR_OK;
}

/* The bytes of a wildcard-free string value. */
static tr_err concat_lits(const wv *v, tr_buf *b)
{
    tr_buf_reset(b);
    for (uint32_t i = 0; i < v->ntoks; i++) {
        tr_err err = tr_buf_append_str(b, v->toks[i].lit);
        if (err)
            return err;
    }
    return TR_OK;
}

static tr_err single_lit(sg_ctx *c, wv *v, const char *p, size_t n)
{
    toklist tl = { 0 };
    tr_err err = push_lit(c, &tl, p, n);
    if (err) {
        TR_VEC_FREE(&tl);
        return err;
    }
    return freeze(c, &tl, &v->toks, &v->ntoks);
}

static tr_err apply_base64(sg_ctx *c, wvlist *vals, sg_mod m, uint32_t line)
{
    wvlist out = { 0 };
    tr_buf raw = TR_BUF_INIT;
    tr_buf enc[3] = { TR_BUF_INIT, TR_BUF_INIT, TR_BUF_INIT };
    tr_err err = TR_OK;
    for (size_t i = 0; i < vals->n && !err; i++) {
        wvlist conc = { 0 };
        err = expand_dashes(c, &conc, &vals->v[i], line);
        for (size_t j = 0; j < conc.n && !err; j++) {
            wv *v = &conc.v[j];
            if (has_wildcards(v) || has_tok(v, SG_G_PH)) {
                err = sg_fail(c, line, "%s of a value with wildcards is not allowed "
                              "(put contains/startswith/endswith after it)", sg_mod_name(m));
                break;
            }
            if ((err = concat_lits(v, &raw)))
                break;
            if (m == SG_M_BASE64) {
                tr_buf_reset(&enc[0]);
                if (!(err = sg_base64(&enc[0], raw.p, raw.n)))
                    err = single_lit(c, v, enc[0].p, enc[0].n);
                if (!err && !TR_VEC_PUSH(&out, *v))
                    err = TR_ENOMEM;
            } else {
                if ((err = sg_base64_offsets(enc, raw.p, raw.n)))
                    break;
                for (int k = 0; k < 3 && !err; k++) {
                    wv nv = *v;
                    if (!(err = single_lit(c, &nv, enc[k].p, enc[k].n)) &&
                        !TR_VEC_PUSH(&out, nv))
                        err = TR_ENOMEM;
                }
            }
        }
        TR_VEC_FREE(&conc);
    }
    tr_buf_release(&raw);
    for (int k = 0; k < 3; k++)
        tr_buf_release(&enc[k]);
    if (!err && out.n > SG_MAX_ALTERNATIVES)
        err = sg_fail(c, line, "more than %u values after %s", SG_MAX_ALTERNATIVES,
                      sg_mod_name(m));
    if (err) {
        TR_VEC_FREE(&out);
        return err;
    }
    TR_VEC_FREE(vals);
    *vals = out;
    return TR_OK;
}

static tr_err apply_utf16(sg_ctx *c, wvlist *vals, sg_mod m, uint32_t line)
{
    sg_utf16_form how = m == SG_M_UTF16BE ? SG_UTF16BE : m == SG_M_UTF16 ? SG_UTF16_BOM : SG_UTF16LE;
    wvlist out = { 0 };
    tr_buf b = TR_BUF_INIT;
    tr_err err = TR_OK;
    for (size_t i = 0; i < vals->n && !err; i++) {
        wvlist conc = { 0 };
        err = expand_dashes(c, &conc, &vals->v[i], line);
        for (size_t j = 0; j < conc.n && !err; j++) {
            wv v = conc.v[j];
            toklist tl = { 0 };
            if (how == SG_UTF16_BOM)
                err = push_lit(c, &tl, "\xFF\xFE", 2);
            for (uint32_t k = 0; k < v.ntoks && !err; k++) {
                const sg_gtok *t = &v.toks[k];
                if (t->kind == SG_G_PH) {
                    err = sg_fail(c, line, "placeholders must be expanded before %s",
                                  sg_mod_name(m));
                } else if (t->kind != SG_G_LIT) {
                    err = TR_VEC_PUSH(&tl, *t) ? TR_OK : TR_ENOMEM;
                } else {
                    tr_buf_reset(&b);
                    err = sg_utf16(&b, t->lit.p, t->lit.n, how);
                    if (err == TR_EPARSE)
                        err = sg_fail(c, line, "%s: value is not valid UTF-8", sg_mod_name(m));
                    if (!err)
                        err = push_lit(c, &tl, b.p, b.n);
                }
            }
            if (!err)
                err = freeze(c, &tl, &v.toks, &v.ntoks);
            else
                TR_VEC_FREE(&tl);
            if (!err && !TR_VEC_PUSH(&out, v))
                err = TR_ENOMEM;
        }
        TR_VEC_FREE(&conc);
    }
    tr_buf_release(&b);
    if (err) {
        TR_VEC_FREE(&out);
        return err;
    }
    TR_VEC_FREE(vals);
    *vals = out;
    return TR_OK;
}

/* |expand: %name% in literal text becomes a placeholder ('\%' is a plain
 * percent sign), and every placeholder is replaced by each of its values
 * (the values are Sigma strings: wildcards work in them). */
static tr_err find_placeholders(sg_ctx *c, wv *v, uint32_t line)
{
    toklist tl = { 0 };
    tr_buf lit = TR_BUF_INIT;
    tr_err err = TR_OK;
    for (uint32_t i = 0; i < v->ntoks && !err; i++) {
        const sg_gtok *t = &v->toks[i];
        if (t->kind != SG_G_LIT) {
            if (!(err = push_lit(c, &tl, lit.p, lit.n)))
                err = TR_VEC_PUSH(&tl, *t) ? TR_OK : TR_ENOMEM;
            tr_buf_reset(&lit);
            continue;
        }
        const char *p = t->lit.p;
        size_t n = t->lit.n;
        for (size_t j = 0; j < n && !err;) {
            if (p[j] == '\\' && j + 1 < n && p[j + 1] == '%') {
                err = tr_buf_putc(&lit, '%');
                j += 2;
            } else if (p[j] == '%') {
                const char *close = memchr(p + j + 1, '%', n - j - 1);
                if (!close) {
                    err = sg_fail(c, line, "unterminated placeholder in '%.*s' (write \\%% for a "
                                  "plain percent sign)", TR_STR_FMT(v->text));
                    break;
                }
                tr_str name = { p + j + 1, (size_t)(close - p - j - 1) };
                if (name.n == 0) {
                    err = sg_fail(c, line, "empty placeholder name '%%%%'");
                    break;
                }
                if (!(err = push_lit(c, &tl, lit.p, lit.n))) {
                    tr_buf_reset(&lit);
                    tr_str nm = tr_arena_strdup(c->tmp, name.p, name.n);
                    sg_gtok ph = { SG_G_PH, nm };
                    err = !nm.p ? TR_ENOMEM : TR_VEC_PUSH(&tl, ph) ? TR_OK : TR_ENOMEM;
                }
                j = (size_t)(close - p) + 1;
            } else {
                err = tr_buf_putc(&lit, p[j++]);
            }
        }
    }
    if (!err)
        err = push_lit(c, &tl, lit.p, lit.n);
    tr_buf_release(&lit);
    if (err) {
        TR_VEC_FREE(&tl);
        return err;
    }
    return freeze(c, &tl, &v->toks, &v->ntoks);
}

static const struct sg_phlist *ph_lookup(const sg_placeholders *ph, tr_str name)
{
    uint64_t idx;
    if (!ph || !ph->names || !tr_map_get(ph->names, name, &idx))
        return NULL;
    return &ph->lists.v[idx];
}

static tr_err resolve_placeholders(sg_ctx *c, wvlist *out, const wv *v, uint32_t line)
{
    uint32_t at = UINT32_MAX;
    for (uint32_t i = 0; i < v->ntoks; i++)
        if (v->toks[i].kind == SG_G_PH) {
            at = i;
            break;
        }
    if (at == UINT32_MAX) {
        if (out->n >= SG_MAX_ALTERNATIVES)
            return sg_fail(c, line, "placeholders expand to more than %u values",
                           SG_MAX_ALTERNATIVES);
        return TR_VEC_PUSH(out, *v) ? TR_OK : TR_ENOMEM;
    }
    tr_str name = v->toks[at].lit;
    const struct sg_phlist *pl = ph_lookup(c->ph, name);
    if (!pl || pl->values.n == 0)
        return sg_fail(c, line, "placeholder %%%.*s%% has no values (give --placeholder "
                       "%.*s=V1,V2 or a file %.*s in the placeholder directory)",
                       TR_STR_FMT(name), TR_STR_FMT(name), TR_STR_FMT(name));
    for (size_t k = 0; k < pl->values.n; k++) {
        sg_gtok *vt;
        uint32_t vn;
        tr_err err = parse_sigma_string(c, pl->values.v[k], &vt, &vn);
        if (err)
            return err;
        toklist tl = { 0 };
        for (uint32_t i = 0; i < v->ntoks && !err; i++) {
            if (i == at) {
                for (uint32_t j = 0; j < vn && !err; j++)
                    err = TR_VEC_PUSH(&tl, vt[j]) ? TR_OK : TR_ENOMEM;
            } else {
                err = TR_VEC_PUSH(&tl, v->toks[i]) ? TR_OK : TR_ENOMEM;
            }
        }
        wv nv = *v;
        if (!err)
            err = freeze(c, &tl, &nv.toks, &nv.ntoks);
        else
            TR_VEC_FREE(&tl);
        if (!err)
            err = resolve_placeholders(c, out, &nv, line);
        if (err)
            return err;
    }
    return TR_OK;
}

/* A Sigma string (a placeholder value) as regex text: wildcards become .*
 * and ., everything else is matched literally. */
static tr_err regex_of(sg_ctx *c, tr_str value, tr_buf *out)
{
    sg_gtok *t;
    uint32_t n;
    tr_err err = parse_sigma_string(c, value, &t, &n);
    for (uint32_t i = 0; i < n && !err; i++) {
        if (t[i].kind == SG_G_STAR) {
            err = tr_buf_append(out, ".*", 2);
        } else if (t[i].kind == SG_G_ONE) {
            err = tr_buf_putc(out, '.');
        } else {
            for (size_t k = 0; k < t[i].lit.n && !err; k++) {
                unsigned char ch = (unsigned char)t[i].lit.p[k];
                bool plain = ch >= 0x80 || (ch >= '0' && ch <= '9') || ((ch | 32) >= 'a' && (ch | 32) <= 'z');
                if (!plain)
                    err = tr_buf_putc(out, '\\');
                if (!err)
                    err = tr_buf_putc(out, (char)ch);
            }
        }
    }
    return err;
}

/* |expand on a regular expression: each placeholder becomes each of its
 * values, as regex text matching that value. */
static tr_err expand_regex(sg_ctx *c, wvlist *out, const wv *v, uint32_t line)
{
    wv tmp = *v;
    toklist tl = { 0 };
    tr_err err = push_lit(c, &tl, v->text.p, v->text.n);
    if (!err)
        err = freeze(c, &tl, &tmp.toks, &tmp.ntoks);
    else
        TR_VEC_FREE(&tl);
    if (!err)
        err = find_placeholders(c, &tmp, line);
    /* Every combination of values, built left to right. */
    TR_VEC(tr_buf) acc = { 0 };
    tr_buf first = TR_BUF_INIT;
    if (!err && !TR_VEC_PUSH(&acc, first))
        err = TR_ENOMEM;
    for (uint32_t i = 0; i < tmp.ntoks && !err; i++) {
        const sg_gtok *t = &tmp.toks[i];
        if (t->kind != SG_G_PH) {
            for (size_t k = 0; k < acc.n && !err; k++)
                err = tr_buf_append_str(&acc.v[k], t->lit);
            continue;
        }
        const struct sg_phlist *pl = ph_lookup(c->ph, t->lit);
        if (!pl || pl->values.n == 0) {
            err = sg_fail(c, line, "placeholder %%%.*s%% has no values (give --placeholder "
                          "%.*s=V1,V2 or a file %.*s in the placeholder directory)",
                          TR_STR_FMT(t->lit), TR_STR_FMT(t->lit), TR_STR_FMT(t->lit));
            break;
        }
        if (acc.n * pl->values.n > SG_MAX_ALTERNATIVES) {
            err = sg_fail(c, line, "placeholders expand to more than %u values",
                          SG_MAX_ALTERNATIVES);
            break;
        }
        size_t base = acc.n;
        for (size_t k = 0; k < base && !err; k++)
            for (size_t j = 1; j < pl->values.n && !err; j++) {
                tr_buf copy = TR_BUF_INIT;
                err = tr_buf_append(&copy, acc.v[k].p, acc.v[k].n);
                if (!err)
                    err = regex_of(c, pl->values.v[j], &copy);
                if (!err && !TR_VEC_PUSH(&acc, copy))
                    err = TR_ENOMEM;
                if (err)
                    tr_buf_release(&copy);
            }
        for (size_t k = 0; k < base && !err; k++)
            err = regex_of(c, pl->values.v[0], &acc.v[k]);
    }
    for (size_t k = 0; k < acc.n; k++) {
        if (!err) {
            wv nv = *v;
            nv.text = tr_arena_strdup(c->tmp, acc.v[k].p ? acc.v[k].p : "", acc.v[k].n);
            if (!nv.text.p || !TR_VEC_PUSH(out, nv))
                err = TR_ENOMEM;
        }
        tr_buf_release(&acc.v[k]);
    }
    TR_VEC_FREE(&acc);
    return err;
}

static tr_err apply_expand(sg_ctx *c, wvlist *vals, uint32_t line)
{
    wvlist out = { 0 };
    tr_err err = TR_OK;
    for (size_t i = 0; i < vals->n && !err; i++) {
        wv v = vals->v[i];
        if (v.t == WV_RE) {
            err = expand_regex(c, &out, &v, line);
            continue;
        }
        if (v.t == WV_NUM || v.t == WV_BOOL)
            err = to_str(c, &v);
        if (!err && v.t != WV_STR)
            err = sg_fail(c, line, "expand applies to strings and regular expressions only");
        if (!err)
            err = find_placeholders(c, &v, line);
        if (!err)
            err = resolve_placeholders(c, &out, &v, line);
    }
    if (err) {
        TR_VEC_FREE(&out);
        return err;
    }
    TR_VEC_FREE(vals);
    *vals = out;
    return TR_OK;
}

static bool is_number_text(tr_str s, double *d)
{
    return sg_parse_number(s, d);
}

/* Applies modifier m (the idx-th of the chain) to every value. */
static tr_err apply_mod(sg_ctx *c, wvlist *vals, sg_mod m, uint32_t idx, uint32_t line)
{
    switch (m) {
    case SG_M_ALL:
    case SG_M_NEQ:
        return TR_OK; /* predicate flags */
    case SG_M_BASE64:
    case SG_M_BASE64OFFSET:
    case SG_M_UTF16LE:
    case SG_M_WIDE:
    case SG_M_UTF16BE:
    case SG_M_UTF16:
        for (size_t i = 0; i < vals->n; i++) {
            wv *v = &vals->v[i];
            if (v->t == WV_NUM || v->t == WV_BOOL)
                SG_TRY(to_str(c, v));
            if (v->t != WV_STR)
                return sg_fail(c, line, "%s applies to strings only", sg_mod_name(m));
        }
        return (m == SG_M_BASE64 || m == SG_M_BASE64OFFSET) ? apply_base64(c, vals, m, line)
                                                            : apply_utf16(c, vals, m, line);
    case SG_M_EXPAND:
        return apply_expand(c, vals, line);
    default:
        break;
    }
    for (size_t i = 0; i < vals->n; i++) {
        wv *v = &vals->v[i];
        tr_err err = TR_OK;
        switch (m) {
        case SG_M_CONTAINS:
        case SG_M_STARTSWITH:
        case SG_M_ENDSWITH: {
            bool before = m != SG_M_STARTSWITH, after = m != SG_M_ENDSWITH;
            if (v->t == WV_RE) {
                /* A regex is searched anywhere; startswith/endswith anchor it. */
                if (m == SG_M_STARTSWITH)
                    v->reflags |= SG_RE_START;
                if (m == SG_M_ENDSWITH)
                    v->reflags |= SG_RE_END;
                break;
            }
            if (v->t == WV_REF) {
                v->wild_before |= before;
                v->wild_after |= after;
                break;
            }
            if ((err = to_str(c, v)))
                return sg_fail(c, line, "%s applies to strings, regular expressions and field "
                               "references only", sg_mod_name(m));
            err = add_wildcards(c, v, before, after);
            break;
        }
        case SG_M_WINDASH:
            if (to_str(c, v))
                return sg_fail(c, line, "windash applies to strings only");
            err = apply_windash(c, v);
            break;
        case SG_M_RE:
            if (idx != 0)
                return sg_fail(c, line, "re must be the first modifier (it takes the value as "
                               "written)");
            if (v->t != WV_STR && v->t != WV_NUM)
                return sg_fail(c, line, "re applies to strings only");
            v->t = WV_RE;
            break;
        case SG_M_I:
        case SG_M_IGNORECASE:
        case SG_M_M:
        case SG_M_MULTILINE:
        case SG_M_S:
        case SG_M_DOTALL:
            if (v->t != WV_RE)
                return sg_fail(c, line, "%s is a flag of re and must follow it", sg_mod_name(m));
            v->reflags |= (m == SG_M_I || m == SG_M_IGNORECASE)  ? SG_RE_I
                          : (m == SG_M_M || m == SG_M_MULTILINE) ? SG_RE_M
                                                                 : SG_RE_S;
            break;
        case SG_M_CASED:
            if (v->t == WV_REF) {
                v->cased = true;
                break;
            }
            if (to_str(c, v))
                return sg_fail(c, line, "cased applies to strings and field references only");
            v->cased = true;
            break;
        case SG_M_CIDR:
            if (idx != 0)
                return sg_fail(c, line, "cidr must be the first modifier");
            if (v->t != WV_STR || has_wildcards(v) ||
                !sg_parse_cidr(v->text, &v->af, v->addr, &v->bits))
                return sg_fail(c, line, "'%.*s' is not an IPv4 or IPv6 network",
                               TR_STR_FMT(v->text));
            v->t = WV_CIDR;
            break;
        case SG_M_LT:
        case SG_M_LTE:
        case SG_M_GT:
        case SG_M_GTE: {
            uint8_t cmp = m == SG_M_LT ? SG_CMP_LT : m == SG_M_LTE ? SG_CMP_LTE
                          : m == SG_M_GT ? SG_CMP_GT : SG_CMP_GTE;
            if (v->has_cmp)
                return sg_fail(c, line, "only one of lt, lte, gt, gte per value");
            if (v->t == WV_TIME) {
                v->cmp = cmp;
                v->has_cmp = true;
                break;
            }
            double d;
            if (v->t == WV_STR && !has_wildcards(v) && is_number_text(v->text, &d)) {
                v->num = d;
                v->t = WV_NUM;
            }
            if (v->t != WV_NUM)
                return sg_fail(c, line, "%s needs a number, not '%.*s'", sg_mod_name(m),
                               TR_STR_FMT(v->text));
            v->t = WV_CMP;
            v->cmp = cmp;
            v->has_cmp = true;
            break;
        }
        case SG_M_MINUTE:
        case SG_M_HOUR:
        case SG_M_DAY:
        case SG_M_WEEK:
        case SG_M_MONTH:
        case SG_M_YEAR: {
            double d;
            if (v->t == WV_STR && !has_wildcards(v) && is_number_text(v->text, &d)) {
                v->num = d;
                v->t = WV_NUM;
            }
            if ((v->t != WV_NUM && v->t != WV_CMP) || v->num != (double)(int64_t)v->num)
                return sg_fail(c, line, "%s needs an integer, not '%.*s'", sg_mod_name(m),
                               TR_STR_FMT(v->text));
            if (v->t == WV_NUM)
                v->cmp = SG_CMP_EQ;
            v->part = (uint8_t)(m - SG_M_MINUTE);
            v->t = WV_TIME;
            break;
        }
        case SG_M_FIELDREF:
            if (to_str(c, v) || has_wildcards(v) || has_tok(v, SG_G_DASH))
                return sg_fail(c, line, "fieldref needs a plain field name (no wildcards; put "
                               "contains/startswith/endswith after fieldref)");
            v->t = WV_REF;
            break;
        case SG_M_EXISTS:
            if (idx != 0 || v->t != WV_BOOL)
                return sg_fail(c, line, "exists takes true or false and no other modifier");
            v->t = WV_EXISTS;
            break;
        default:
            return sg_fail(c, line, "modifier %s not handled", sg_mod_name(m));
        }
        if (err)
            return err;
    }
    return TR_OK;
}

/* ---- Lowering to sg_value ------------------------------------------------------------------- */

static tr_str lower_copy(sg_ctx *c, tr_str s, bool cased)
{
    tr_str r = tr_arena_strdup(c->rs->arena, s.p ? s.p : "", s.n);
    if (r.p && !cased)
        for (size_t i = 0; i < r.n; i++)
            ((char *)r.p)[i] = (char)tr_ascii_lower((unsigned char)r.p[i]);
    return r;
}

static tr_err lower_str(sg_ctx *c, const wv *v, sg_value *out)
{
    /* Merge adjacent literals and runs of stars. */
    toklist tl = { 0 };
    tr_buf lit = TR_BUF_INIT;
    tr_err err = TR_OK;
    for (uint32_t i = 0; i < v->ntoks && !err; i++) {
        const sg_gtok *t = &v->toks[i];
        if (t->kind == SG_G_LIT) {
            err = tr_buf_append_str(&lit, t->lit);
            continue;
        }
        if (lit.n) {
            tr_str s = lower_copy(c, (tr_str){ lit.p, lit.n }, v->cased);
            sg_gtok lt = { SG_G_LIT, s };
            err = !s.p ? TR_ENOMEM : TR_VEC_PUSH(&tl, lt) ? TR_OK : TR_ENOMEM;
            tr_buf_reset(&lit);
        }
        if (!err && !(t->kind == SG_G_STAR && tl.n && tl.v[tl.n - 1].kind == SG_G_STAR))
            err = TR_VEC_PUSH(&tl, *t) ? TR_OK : TR_ENOMEM;
    }
    if (!err && lit.n) {
        tr_str s = lower_copy(c, (tr_str){ lit.p, lit.n }, v->cased);
        sg_gtok lt = { SG_G_LIT, s };
        err = !s.p ? TR_ENOMEM : TR_VEC_PUSH(&tl, lt) ? TR_OK : TR_ENOMEM;
    }
    tr_buf_release(&lit);
    if (err) {
        TR_VEC_FREE(&tl);
        return err;
    }
    out->flags |= v->cased ? SG_V_CASED : 0;
    size_t n = tl.n;
    sg_gtok *t = tl.v;
#define K(i) (t[i].kind)
    if (n == 0) {
        out->op = SG_OP_EQ;
        out->lit = lower_copy(c, (tr_str){ "", 0 }, true);
    } else if (n == 1 && K(0) == SG_G_LIT) {
        out->op = SG_OP_EQ;
        out->lit = t[0].lit;
    } else if (n == 1 && K(0) == SG_G_STAR) {
        out->op = SG_OP_ANY;
    } else if (n == 2 && K(0) == SG_G_LIT && K(1) == SG_G_STAR) {
        out->op = SG_OP_PREFIX;
        out->lit = t[0].lit;
    } else if (n == 2 && K(0) == SG_G_STAR && K(1) == SG_G_LIT) {
        out->op = SG_OP_SUFFIX;
        out->lit = t[1].lit;
    } else if (n == 3 && K(0) == SG_G_STAR && K(1) == SG_G_LIT && K(2) == SG_G_STAR) {
        out->op = SG_OP_CONTAINS;
        out->lit = t[1].lit;
    } else {
        out->op = SG_OP_GLOB;
        sg_gtok *g = tr_arena_alloc(c->rs->arena, n * sizeof(*g));
        if (!g) {
            TR_VEC_FREE(&tl);
            return TR_ENOMEM;
        }
        memcpy(g, t, n * sizeof(*g));
        out->toks = g;
        out->ntoks = (uint32_t)n;
    }
#undef K
    TR_VEC_FREE(&tl);
    if ((out->op == SG_OP_EQ || out->op == SG_OP_PREFIX || out->op == SG_OP_SUFFIX ||
         out->op == SG_OP_CONTAINS) && !out->lit.p)
        return TR_ENOMEM;
    return TR_OK;
}

static tr_err lower(sg_ctx *c, const wv *v, uint32_t line, sg_value *out)
{
    memset(out, 0, sizeof(*out));
    out->group = v->group;
    out->text = tr_arena_strdup(c->rs->arena, v->text.p ? v->text.p : "", v->text.n);
    if (!out->text.p)
        return TR_ENOMEM;
    switch (v->t) {
    case WV_STR:
        return lower_str(c, v, out);
    case WV_NUM:
        out->op = SG_OP_EQ;
        out->flags = SG_V_NUMBER;
        out->num = v->num;
        out->lit = lower_copy(c, v->text, false);
        return out->lit.p ? TR_OK : TR_ENOMEM;
    case WV_BOOL:
        out->op = SG_OP_EQ;
        out->lit = lower_copy(c, v->text, false);
        return out->lit.p ? TR_OK : TR_ENOMEM;
    case WV_RE: {
        uint32_t id;
        tr_err err = sg_regex_add(c->rs->re, v->text, v->reflags, &id, c->err, sizeof(c->err));
        if (err == TR_ERULE) {
            c->errline = line;
            return err;
        }
        if (err)
            return err;
        out->op = SG_OP_RE;
        out->re = id;
        out->flags = (uint8_t)(((v->reflags & SG_RE_START) ? SG_V_RE_START : 0) |
                               ((v->reflags & SG_RE_END) ? SG_V_RE_END : 0));
        return TR_OK;
    }
    case WV_CIDR:
        out->op = SG_OP_CIDR;
        out->af = v->af;
        out->bits = v->bits;
        memcpy(out->addr, v->addr, 16);
        return TR_OK;
    case WV_CMP:
        out->op = SG_OP_NUM;
        out->cmp = v->cmp;
        out->num = v->num;
        return TR_OK;
    case WV_TIME:
        out->op = SG_OP_TIME;
        out->cmp = v->cmp;
        out->part = v->part;
        out->num = v->num;
        return TR_OK;
    case WV_REF: {
        tr_buf b = TR_BUF_INIT;
        tr_err err = concat_lits(v, &b);
        uint32_t id = 0;
        if (!err)
            err = sg_field_intern(c->rs, (tr_str){ b.p ? b.p : "", b.n }, &id);
        tr_buf_release(&b);
        if (err)
            return err;
        out->op = SG_OP_FIELDREF;
        out->ref = id;
        out->flags = v->cased ? SG_V_CASED : 0;
        out->part = v->wild_before && v->wild_after ? SG_OP_CONTAINS
                    : v->wild_after                ? SG_OP_PREFIX
                    : v->wild_before               ? SG_OP_SUFFIX
                                                   : SG_OP_EQ;
        return TR_OK;
    }
    default:
        return sg_fail(c, line, "internal: value type %d cannot be lowered", v->t);
    }
}

/* ---- Predicates ----------------------------------------------------------------------------- */

static tr_err scalar_wv(sg_ctx *c, const sg_ynode *n, uint32_t group, wv *v)
{
    memset(v, 0, sizeof(*v));
    v->group = group;
    v->text = n->s;
    switch (n->type) {
    case SG_YT_NULL:
        v->t = WV_NULL;
        return TR_OK;
    case SG_YT_BOOL:
        v->t = WV_BOOL;
        v->b = n->s.p[0] == 't' || n->s.p[0] == 'T';
        return TR_OK;
    case SG_YT_INT:
    case SG_YT_FLOAT:
        v->t = WV_NUM;
        if (!sg_parse_number(n->s, &v->num)) {
            /* .inf, 0o17: keep them as strings */
            v->t = WV_STR;
            return parse_sigma_string(c, n->s, &v->toks, &v->ntoks);
        }
        return TR_OK;
    default:
        v->t = WV_STR;
        return parse_sigma_string(c, n->s, &v->toks, &v->ntoks);
    }
}

static tr_err budget(sg_ctx *c, const sg_ynode *n)
{
    if (c->budget == 0)
        return sg_fail(c, n->line, "document too large");
    c->budget--;
    return TR_OK;
}

/* One `field|mods: values` item. */
static tr_err build_item(sg_ctx *c, tr_str key, uint32_t line, const sg_ynode *val,
                         bool keyword, uint32_t *node)
{
    tr_err err = TR_OK;
    sg_pred p;
    memset(&p, 0, sizeof(p));
    p.line = line;
    p.rule = c->owner;
    p.field = SG_NONE;
    sg_mod mods[32];
    uint32_t nmods = 0;
    const char *bar = memchr(key.p, '|', key.n);
    tr_str fname = { key.p, bar ? (size_t)(bar - key.p) : key.n };
    while (bar) {
        const char *start = bar + 1, *end = key.p + key.n;
        bar = memchr(start, '|', (size_t)(end - start));
        tr_str mn = { start, (size_t)((bar ? bar : end) - start) };
        sg_mod m = sg_mod_lookup(mn);
        if (m == SG_M_COUNT)
            return sg_fail(c, line, "unknown modifier '%.*s' in '%.*s'", TR_STR_FMT(mn),
                           TR_STR_FMT(key));
        if (nmods == TR_ARRAY_LEN(mods))
            return sg_fail(c, line, "too many modifiers in '%.*s'", TR_STR_FMT(key));
        for (uint32_t i = 0; i < nmods; i++)
            if (mods[i] == m && m != SG_M_CONTAINS && m != SG_M_STARTSWITH && m != SG_M_ENDSWITH)
                return sg_fail(c, line, "modifier %s given twice", sg_mod_name(m));
        if (m == SG_M_ALL)
            p.all = 1;
        if (m == SG_M_NEQ)
            p.neg = 1;
        mods[nmods++] = m;
    }
    if (fname.n == 0 && !keyword)
        keyword = true;
    if (keyword && !c->keyword_ok)
        return sg_fail(c, line, "a value without a field name is not allowed here");
    if (fname.n) {
        p.fname = tr_arena_strdup(c->rs->arena, fname.p, fname.n);
        if (!p.fname.p)
            return TR_ENOMEM;
    }

    /* The raw values. */
    const sg_ynode *const *items;
    uint32_t nitems;
    const sg_ynode *single = val;
    bool is_list = val->kind == SG_Y_SEQ;
    if (is_list) {
        items = (const sg_ynode *const *)val->items;
        nitems = val->n;
        if (nitems == 0)
            return sg_fail(c, line, "empty list of values for '%.*s'", TR_STR_FMT(key));
    } else {
        items = &single;
        nitems = 1;
    }
    if (p.all && !is_list)
        return sg_fail(c, line, "'all' needs a list of values (specification: single values "
                       "may not have the all modifier)");
    if (nitems > SG_MAX_ALTERNATIVES)
        return sg_fail(c, line, "too many values");

    wvlist vals = { 0 };
    for (uint32_t i = 0; i < nitems; i++) {
        const sg_ynode *it = items[i];
        if ((err = budget(c, it)))
            goto out;
        if (it->kind != SG_Y_SCALAR) {
            err = sg_fail(c, it->line, "a value of '%.*s' must be a scalar, not a %s",
                          TR_STR_FMT(key), it->kind == SG_Y_MAP ? "map" : "list");
            goto out;
        }
        wv v;
        if ((err = scalar_wv(c, it, i, &v)))
            goto out;
        if (v.t == WV_NULL && (is_list || nmods)) {
            err = sg_fail(c, it->line, is_list ? "null cannot be part of a list of values "
                                                 "(specification: Special Field Values)"
                                               : "null takes no modifiers");
            goto out;
        }
        if (!TR_VEC_PUSH(&vals, v)) {
            err = TR_ENOMEM;
            goto out;
        }
    }

    /* Field existence and null are predicates of their own. */
    if (vals.v[0].t == WV_NULL || (nmods && mods[0] == SG_M_EXISTS)) {
        if (keyword) {
            err = sg_fail(c, line, "%s needs a field name",
                          vals.v[0].t == WV_NULL ? "null" : "exists");
            goto out;
        }
        if (vals.v[0].t == WV_NULL) {
            p.kind = SG_P_NULL;
        } else {
            if (nmods != 1 || vals.v[0].t != WV_BOOL || is_list) {
                err = sg_fail(c, line, "exists takes one boolean value and no other modifier");
                goto out;
            }
            p.kind = SG_P_EXISTS;
            p.exists = vals.v[0].b;
        }
        if ((err = sg_field_intern(c->rs, fname, &p.field)))
            goto out;
        goto emit;
    }
    for (uint32_t i = 0; i < nmods && !err; i++) {
        if (mods[i] == SG_M_EXISTS) {
            err = sg_fail(c, line, "exists must be the only modifier");
            break;
        }
        err = apply_mod(c, &vals, mods[i], i, line);
        if (!err && vals.n > SG_MAX_ALTERNATIVES)
            err = sg_fail(c, line, "more than %u values", SG_MAX_ALTERNATIVES);
    }
    if (err)
        goto out;
    if (keyword) {
        /* Field-less values are searched anywhere in any field unless a
         * position or type modifier says otherwise. */
        bool positioned = false;
        for (uint32_t i = 0; i < nmods; i++)
            positioned |= mods[i] == SG_M_CONTAINS || mods[i] == SG_M_STARTSWITH ||
                          mods[i] == SG_M_ENDSWITH;
        for (size_t i = 0; i < vals.n && !err; i++) {
            wv *v = &vals.v[i];
            if (v->t == WV_REF) {
                err = sg_fail(c, line, "fieldref needs a field name");
            } else if ((v->t == WV_STR || v->t == WV_NUM || v->t == WV_BOOL) && !positioned) {
                if (!(err = to_str(c, v)))
                    err = add_wildcards(c, v, true, true);
            }
        }
        if (err)
            goto out;
        p.kind = SG_P_KEYWORD;
    } else {
        p.kind = SG_P_VALUES;
        if ((err = sg_field_intern(c->rs, fname, &p.field)))
            goto out;
    }
    p.first = (uint32_t)c->rs->values.n;
    p.n = (uint32_t)vals.n;
    p.ngroups = nitems;
    for (size_t i = 0; i < vals.n; i++) {
        sg_value sv;
        if ((err = lower(c, &vals.v[i], line, &sv)))
            goto out;
        if (!TR_VEC_PUSH(&c->rs->values, sv)) {
            err = TR_ENOMEM;
            goto out;
        }
    }
emit:
    if (!TR_VEC_PUSH(&c->rs->preds, p)) {
        err = TR_ENOMEM;
        goto out;
    }
    err = sg_node_add(c->rs, SG_N_PRED, (uint32_t)c->rs->preds.n - 1, NULL, 0, 0, node);
out:
    TR_VEC_FREE(&vals);
    return err;
}

static tr_err build_map(sg_ctx *c, const sg_ynode *m, uint32_t *node)
{
    if (m->n == 0)
        return sg_fail(c, m->line, "empty map in a search identifier");
    uint32_t *kids = tr_arena_alloc(c->tmp, m->n * sizeof(uint32_t));
    if (!kids)
        return TR_ENOMEM;
    for (uint32_t i = 0; i < m->n; i++) {
        const sg_ynode *k = sg_ymap_key(m, i);
        SG_TRY(budget(c, k));
        if (k->kind != SG_Y_SCALAR)
            return sg_fail(c, k->line, "a field name must be a scalar");
        for (uint32_t j = 0; j < i; j++)
            if (tr_str_eq(sg_ymap_key(m, j)->s, k->s))
                return sg_fail(c, k->line, "field '%.*s' given twice in one map (use a list of "
                               "values, or |all)", TR_STR_FMT(k->s));
        SG_TRY(build_item(c, k->s, k->line, sg_ymap_val(m, i), false, &kids[i]));
    }
    if (m->n == 1) {
        *node = kids[0];
        return TR_OK;
    }
    return sg_node_add(c->rs, SG_N_AND, 0, kids, m->n, 0, node);
}

tr_err sg_search_build(sg_ctx *c, const sg_ynode *v, uint32_t *node)
{
    SG_TRY(budget(c, v));
    if (v->kind == SG_Y_MAP)
        return build_map(c, v, node);
    if (v->kind == SG_Y_SCALAR) {
        if (v->type == SG_YT_NULL && v->s.n == 0)
            return sg_fail(c, v->line, "empty search identifier");
        return build_item(c, (tr_str){ "", 0 }, v->line, v, true, node);
    }
    /* A list: plain values are keywords (OR), maps are OR-ed. Consecutive
     * plain values form one keyword predicate. */
    if (v->n == 0)
        return sg_fail(c, v->line, "empty search identifier");
    uint32_t *kids = tr_arena_alloc(c->tmp, v->n * sizeof(uint32_t));
    if (!kids)
        return TR_ENOMEM;
    uint32_t nk = 0;
    for (uint32_t i = 0; i < v->n;) {
        const sg_ynode *it = v->items[i];
        if (it->kind == SG_Y_MAP) {
            SG_TRY(build_map(c, it, &kids[nk++]));
            i++;
            continue;
        }
        if (it->kind == SG_Y_SEQ)
            return sg_fail(c, it->line, "a list inside a list of values is not allowed");
        uint32_t j = i;
        while (j < v->n && v->items[j]->kind == SG_Y_SCALAR)
            j++;
        /* A synthetic list node for the run of scalars. */
        sg_ynode run = { SG_Y_SEQ, SG_YT_STR, it->line, { NULL, 0 }, v->items + i, j - i };
        SG_TRY(build_item(c, (tr_str){ "", 0 }, it->line, &run, true, &kids[nk++]));
        i = j;
    }
    if (nk == 1) {
        *node = kids[0];
        return TR_OK;
    }
    return sg_node_add(c->rs, SG_N_OR, 0, kids, nk, 0, node);
}

tr_err sg_detection_build(sg_ctx *c, const sg_ynode *det, const char *const *skip,
                          uint32_t *root)
{
    if (!det || det->kind != SG_Y_MAP)
        return sg_fail(c, det ? det->line : 0, "detection must be a map");
    const sg_ynode *cond = sg_ymap_get(det, "condition");
    if (!cond)
        return sg_fail(c, det->line, "detection has no condition");
    sg_ident *ids = tr_arena_alloc(c->tmp, (det->n ? det->n : 1) * sizeof(sg_ident));
    if (!ids)
        return TR_ENOMEM;
    uint32_t nids = 0;
    for (uint32_t i = 0; i < det->n; i++) {
        const sg_ynode *k = sg_ymap_key(det, i);
        if (k->kind != SG_Y_SCALAR)
            return sg_fail(c, k->line, "a search identifier must be a scalar");
        if (tr_str_eq(k->s, TR_STR("condition")))
            continue;
        bool skipped = false;
        for (const char *const *s = skip; s && *s; s++)
            skipped |= tr_str_eq(k->s, tr_str_c(*s));
        if (skipped)
            continue;
        for (uint32_t j = 0; j < nids; j++)
            if (tr_str_eq(ids[j].name, k->s))
                return sg_fail(c, k->line, "search identifier '%.*s' defined twice",
                               TR_STR_FMT(k->s));
        ids[nids].name = k->s;
        SG_TRY(sg_search_build(c, sg_ymap_val(det, i), &ids[nids].node));
        nids++;
    }
    if (cond->kind == SG_Y_SCALAR)
        return sg_cond_parse(c, cond->s, cond->line, ids, nids, root);
    if (cond->kind == SG_Y_SEQ && cond->n) {
        /* A list of conditions is OR-ed. */
        uint32_t *kids = tr_arena_alloc(c->tmp, cond->n * sizeof(uint32_t));
        if (!kids)
            return TR_ENOMEM;
        for (uint32_t i = 0; i < cond->n; i++) {
            const sg_ynode *it = cond->items[i];
            if (it->kind != SG_Y_SCALAR)
                return sg_fail(c, it->line, "each condition of the list must be a string");
            SG_TRY(sg_cond_parse(c, it->s, it->line, ids, nids, &kids[i]));
        }
        if (cond->n == 1) {
            *root = kids[0];
            return TR_OK;
        }
        return sg_node_add(c->rs, SG_N_OR, 0, kids, cond->n, 0, root);
    }
    return sg_fail(c, cond->line, "condition must be a string or a list of strings");
}
