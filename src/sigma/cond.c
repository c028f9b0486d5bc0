/*
 * cond.c - the condition of a detection: a recursive-descent parser over
 * the search identifiers, producing expression nodes.
 *
 *   expr     := and_expr { "or" and_expr }
 *   and_expr := not_expr { "and" not_expr }
 *   not_expr := "not" not_expr | primary
 *   primary  := "(" expr ")" | QUANT "of" ( "them" | PATTERN ) | IDENT
 *   QUANT    := "1" | "any" | "all" | N (at least N, an extension)
 *
 * Precedence, least to most binding: or, and, not, x of, parentheses
 * (specification, "Condition"). Keywords are matched without regard to
 * case unless a search identifier has exactly that name. `them` and
 * patterns skip identifiers starting with '_' (a pattern that itself
 * starts with '_' selects them). The obsolete pipe aggregation syntax is
 * rejected with a pointer to correlation rules.
 */
#include "core/common.h"

#include "sigma/load.h"

#define COND_MAX_DEPTH 200
/* Conditions in messages are cut at 120 bytes. */
#define COND_FMT(t) (int)TR_MIN((t).n, 120), (t).p

typedef enum ctok {
    CT_END = 0,
    CT_LP,
    CT_RP,
    CT_WORD
} ctok;

typedef struct cparser {
    sg_ctx *c;
    tr_str text;
    uint32_t line;
    size_t pos;       /* next byte */
    ctok tok;         /* current token */
    tr_str word;      /* current word */
    size_t tokpos;    /* offset of the current token */
    const sg_ident *ids;
    uint32_t nids;
    uint32_t depth;
} cparser;

static tr_err cfail(cparser *p, const char *what)
{
    return sg_fail(p->c, p->line, "condition '%.*s': %s at column %zu", COND_FMT(p->text), what,
                   p->tokpos + 1);
}

static bool word_char(char ch)
{
    return !(ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '(' || ch == ')' ||
             ch == '|');
}

static tr_err next(cparser *p)
{
    while (p->pos < p->text.n && !word_char(p->text.p[p->pos]) && p->text.p[p->pos] != '(' &&
           p->text.p[p->pos] != ')' && p->text.p[p->pos] != '|')
        p->pos++;
    p->tokpos = p->pos;
    if (p->pos >= p->text.n) {
        p->tok = CT_END;
        return TR_OK;
    }
    char ch = p->text.p[p->pos];
    if (ch == '|') {
        return sg_fail(p->c, p->line, "condition '%.*s': the pipe aggregation syntax ('|') is "
                       "obsolete since Sigma 2.0; use a correlation rule", COND_FMT(p->text));
    }
    if (ch == '(' || ch == ')') {
        p->tok = ch == '(' ? CT_LP : CT_RP;
        p->pos++;
        return TR_OK;
    }
    size_t start = p->pos;
    while (p->pos < p->text.n && word_char(p->text.p[p->pos]))
        p->pos++;
    p->tok = CT_WORD;
    p->word = (tr_str){ p->text.p + start, p->pos - start };
    return TR_OK;
}

static const sg_ident *find_ident(const cparser *p, tr_str name)
{
    for (uint32_t i = 0; i < p->nids; i++)
        if (tr_str_eq(p->ids[i].name, name))
            return &p->ids[i];
    return NULL;
}

/* The current token is keyword kw (any case) and not an identifier. */
static bool is_kw(const cparser *p, const char *kw)
{
    size_t n = strlen(kw);
    return p->tok == CT_WORD && p->word.n == n && strncasecmp(p->word.p, kw, n) == 0 &&
           !find_ident(p, p->word);
}

static bool glob_full(const char *pat, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;
    while (si < sn) {
        if (pi < pn && pat[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (pi < pn && pat[pi] == s[si]) {
            pi++;
            si++;
        } else if (star != (size_t)-1) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < pn && pat[pi] == '*')
        pi++;
    return pi == pn;
}

static bool word_is(tr_str w, const char *kw)
{
    size_t n = strlen(kw);
    return w.n == n && strncasecmp(w.p, kw, n) == 0;
}

static tr_err parse_or(cparser *p, uint32_t *out);

static tr_err parse_quant(cparser *p, uint32_t *out)
{
    /* QUANT "of" TARGET; the current token is the quantifier. */
    uint32_t need = 0; /* 0 = all */
    bool all = false;
    if (word_is(p->word, "all")) {
        all = true;
    } else if (word_is(p->word, "any")) {
        need = 1;
    } else {
        uint64_t v = 0;
        for (size_t i = 0; i < p->word.n; i++) {
            v = v * 10 + (uint64_t)(p->word.p[i] - '0');
            if (v > UINT32_MAX)
                return cfail(p, "quantifier too large");
        }
        if (v == 0)
            return cfail(p, "'0 of' is not a quantifier (use 1, any or all)");
        need = (uint32_t)v;
    }
    SG_TRY(next(p));
    if (!(p->tok == CT_WORD && word_is(p->word, "of")))
        return cfail(p, "expected 'of' after the quantifier");
    SG_TRY(next(p));
    if (p->tok != CT_WORD)
        return cfail(p, "expected 'them' or a search identifier pattern after 'of'");
    bool them = word_is(p->word, "them") && !find_ident(p, p->word);
    tr_str pat = p->word;
    bool want_underscore = !them && pat.n && pat.p[0] == '_';
    uint32_t *kids = tr_arena_alloc(p->c->tmp, (p->nids ? p->nids : 1) * sizeof(uint32_t));
    if (!kids)
        return TR_ENOMEM;
    uint32_t n = 0;
    for (uint32_t i = 0; i < p->nids; i++) {
        tr_str nm = p->ids[i].name;
        if (nm.n && nm.p[0] == '_' && !want_underscore)
            continue;
        if (them || glob_full(pat.p, pat.n, nm.p, nm.n))
            kids[n++] = p->ids[i].node;
    }
    if (n == 0) {
        if (them)
            return cfail(p, "'them' refers to no search identifier");
        return sg_fail(p->c, p->line, "condition '%.*s': pattern '%.*s' matches no search "
                       "identifier", COND_FMT(p->text), TR_STR_FMT(pat));
    }
    if (!all && need > n)
        return sg_fail(p->c, p->line, "condition '%.*s': %u of '%.*s' can never match (only %u "
                       "identifiers)", COND_FMT(p->text), need, TR_STR_FMT(pat), n);
    SG_TRY(next(p));
    if (n == 1) {
        *out = kids[0];
        return TR_OK;
    }
    if (all)
        return sg_node_add(p->c->rs, SG_N_AND, 0, kids, n, 0, out);
    if (need == 1)
        return sg_node_add(p->c->rs, SG_N_OR, 0, kids, n, 0, out);
    if (need == n)
        return sg_node_add(p->c->rs, SG_N_AND, 0, kids, n, 0, out);
    return sg_node_add(p->c->rs, SG_N_ATLEAST, 0, kids, n, need, out);
}

static bool all_digits(tr_str w)
{
    if (w.n == 0)
        return false;
    for (size_t i = 0; i < w.n; i++)
        if (w.p[i] < '0' || w.p[i] > '9')
            return false;
    return true;
}

static bool quant_like(const cparser *p)
{
    return p->tok == CT_WORD &&
           (all_digits(p->word) || word_is(p->word, "all") || word_is(p->word, "any"));
}

/* Is the token after the current one the word "of"? */
static bool peek_is_of(const cparser *p)
{
    cparser q = *p;
    char saved[sizeof(q.c->err)];
    memcpy(saved, q.c->err, sizeof(saved));
    uint32_t saved_line = q.c->errline;
    bool of = next(&q) == TR_OK && q.tok == CT_WORD && word_is(q.word, "of");
    memcpy(q.c->err, saved, sizeof(saved));
    q.c->errline = saved_line;
    return of;
}

static tr_err parse_primary(cparser *p, uint32_t *out)
{
    if (p->tok == CT_LP) {
        if (++p->depth > COND_MAX_DEPTH)
            return cfail(p, "nested too deeply");
        SG_TRY(next(p));
        SG_TRY(parse_or(p, out));
        if (p->tok != CT_RP)
            return cfail(p, "expected ')'");
        p->depth--;
        return next(p);
    }
    if (p->tok == CT_RP)
        return cfail(p, "unexpected ')'");
    if (p->tok == CT_END)
        return cfail(p, "unexpected end");
    if (quant_like(p) && peek_is_of(p))
        return parse_quant(p, out);
    const sg_ident *id = find_ident(p, p->word);
    if (id) {
        *out = id->node;
        return next(p);
    }
    if (is_kw(p, "and") || is_kw(p, "or") || is_kw(p, "of") || is_kw(p, "them"))
        return sg_fail(p->c, p->line, "condition '%.*s': unexpected '%.*s' at column %zu",
                       COND_FMT(p->text), TR_STR_FMT(p->word), p->tokpos + 1);
    if (memchr(p->word.p, '*', p->word.n))
        return sg_fail(p->c, p->line, "condition '%.*s': pattern '%.*s' needs a quantifier "
                       "('1 of' or 'all of')", COND_FMT(p->text), TR_STR_FMT(p->word));
    return sg_fail(p->c, p->line, "condition '%.*s': unknown search identifier '%.*s'",
                   COND_FMT(p->text), TR_STR_FMT(p->word));
}

static tr_err parse_not(cparser *p, uint32_t *out)
{
    if (is_kw(p, "not")) {
        if (++p->depth > COND_MAX_DEPTH)
            return cfail(p, "nested too deeply");
        SG_TRY(next(p));
        uint32_t kid;
        SG_TRY(parse_not(p, &kid));
        p->depth--;
        return sg_node_add(p->c->rs, SG_N_NOT, 0, &kid, 1, 0, out);
    }
    return parse_primary(p, out);
}

/* A chain of operands joined by one operator. */
static tr_err parse_chain(cparser *p, const char *op, uint8_t nop,
                          tr_err (*operand)(cparser *, uint32_t *), uint32_t *out)
{
    TR_VEC(uint32_t) kids = { 0 };
    uint32_t first;
    tr_err err = operand(p, &first);
    if (err)
        return err;
    if (!is_kw(p, op)) {
        *out = first;
        return TR_OK;
    }
    if (!TR_VEC_PUSH(&kids, first))
        return TR_ENOMEM;
    while (is_kw(p, op)) {
        uint32_t k;
        if ((err = next(p)) || (err = operand(p, &k)))
            break;
        if (!TR_VEC_PUSH(&kids, k)) {
            err = TR_ENOMEM;
            break;
        }
    }
    if (!err)
        err = sg_node_add(p->c->rs, nop, 0, kids.v, (uint32_t)kids.n, 0, out);
    TR_VEC_FREE(&kids);
    return err;
}

static tr_err parse_and(cparser *p, uint32_t *out)
{
    return parse_chain(p, "and", SG_N_AND, parse_not, out);
}

static tr_err parse_or(cparser *p, uint32_t *out)
{
    return parse_chain(p, "or", SG_N_OR, parse_and, out);
}

tr_err sg_cond_parse(sg_ctx *c, tr_str text, uint32_t line, const sg_ident *ids, uint32_t nids,
                     uint32_t *root)
{
    cparser p = { .c = c, .text = text, .line = line, .ids = ids, .nids = nids };
    SG_TRY(next(&p));
    if (p.tok == CT_END)
        return sg_fail(c, line, "empty condition");
    SG_TRY(parse_or(&p, root));
    if (p.tok != CT_END) {
        if (p.tok == CT_RP)
            return cfail(&p, "unbalanced ')'");
        return sg_fail(c, line, "condition '%.*s': unexpected '%.*s' at column %zu (missing "
                       "'and' or 'or'?)", COND_FMT(text),
                       p.tok == CT_WORD ? (int)p.word.n : 1,
                       p.tok == CT_WORD ? p.word.p : "(", p.tokpos + 1);
    }
    return TR_OK;
}
