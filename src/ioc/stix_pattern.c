/*
 * stix_pattern.c - a recursive-descent parser for the comparison subset of
 * STIX 2.1 patterning (see stix_pattern.h).
 *
 * There is no C implementation of the STIX pattern grammar (ANTLR has no C
 * target), and an indicator index only needs "which values does this
 * pattern name": the parser reads the whole grammar's lexical shape
 * (comments, quoted property names, typed literals, qualifiers) so that it
 * can say precisely what it does not support, and reduces the supported
 * part to a list of (type, value) alternatives. Nothing is emitted unless
 * the whole pattern is understood.
 */
#include "core/common.h"

#include "core/hash.h"
#include "ioc/stix_pattern.h"

#define MAX_VALUES 1024

typedef struct val {
    tr_ioc_type type;
    tr_str v;
} val;

typedef struct pp {
    const char *p;
    size_t n, i;
    char *buf;    /* unescaped literals */
    size_t bo;
    char *err;
    size_t errlen;
    bool failed;
    val vals[MAX_VALUES];
    size_t nvals;
} pp;

/* What a comparison (or a parenthesised group) contributed. */
typedef struct part {
    bool constraint;      /* only constrains a type: no value */
    size_t first, last;   /* its values: vals[first..last) */
} part;

static void fail(pp *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(pp *s, const char *fmt, ...)
{
    if (s->failed)
        return;
    s->failed = true;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, s->errlen, fmt, ap);
    va_end(ap);
}

static void skip_ws(pp *s)
{
    for (;;) {
        while (s->i < s->n && (s->p[s->i] == ' ' || s->p[s->i] == '\t' || s->p[s->i] == '\r' ||
                               s->p[s->i] == '\n'))
            s->i++;
        if (s->i + 1 < s->n && s->p[s->i] == '/' && s->p[s->i + 1] == '/') {
            while (s->i < s->n && s->p[s->i] != '\n')
                s->i++;
            continue;
        }
        if (s->i + 1 < s->n && s->p[s->i] == '/' && s->p[s->i + 1] == '*') {
            const char *e = NULL;
            for (size_t k = s->i + 2; k + 1 < s->n; k++)
                if (s->p[k] == '*' && s->p[k + 1] == '/') {
                    e = s->p + k;
                    break;
                }
            if (!e) {
                fail(s, "unterminated comment");
                s->i = s->n;
                return;
            }
            s->i = (size_t)(e - s->p) + 2;
            continue;
        }
        return;
    }
}

static bool accept(pp *s, char c)
{
    skip_ws(s);
    if (s->i < s->n && s->p[s->i] == c) {
        s->i++;
        return true;
    }
    return false;
}

static bool is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-';
}

/* An upper-case keyword at the cursor (whole word). */
static bool keyword(pp *s, const char *kw)
{
    skip_ws(s);
    size_t l = strlen(kw);
    if (s->i + l <= s->n && memcmp(s->p + s->i, kw, l) == 0 &&
        (s->i + l == s->n || !is_word(s->p[s->i + l]))) {
        s->i += l;
        return true;
    }
    return false;
}

static tr_str word(pp *s)
{
    skip_ws(s);
    size_t st = s->i;
    while (s->i < s->n && is_word(s->p[s->i]))
        s->i++;
    return (tr_str){ s->p + st, s->i - st };
}

/* A quoted string literal body, unescaped into buf. */
static bool string_lit(pp *s, tr_str *out)
{
    if (s->i >= s->n || s->p[s->i] != '\'') {
        fail(s, "a quoted string was expected at offset %zu", s->i);
        return false;
    }
    s->i++;
    size_t st = s->bo;
    while (s->i < s->n && s->p[s->i] != '\'') {
        char c = s->p[s->i];
        if (c == '\\') {
            if (s->i + 1 >= s->n || (s->p[s->i + 1] != '\'' && s->p[s->i + 1] != '\\')) {
                fail(s, "invalid escape in a string at offset %zu", s->i);
                return false;
            }
            c = s->p[++s->i];
        }
        s->buf[s->bo++] = c;
        s->i++;
    }
    if (s->i >= s->n) {
        fail(s, "unterminated string");
        return false;
    }
    s->i++;
    *out = (tr_str){ s->buf + st, s->bo - st };
    return true;
}

/* Any literal; only strings carry a value we can use. */
static bool literal(pp *s, tr_str *out, bool *is_string)
{
    skip_ws(s);
    *is_string = false;
    if (s->i >= s->n) {
        fail(s, "a value was expected at the end of the pattern");
        return false;
    }
    char c = s->p[s->i];
    if (c == '\'') {
        *is_string = true;
        return string_lit(s, out);
    }
    if ((c == 't' || c == 'h' || c == 'b') && s->i + 1 < s->n && s->p[s->i + 1] == '\'') {
        s->i++;
        return string_lit(s, out);
    }
    size_t st = s->i;
    while (s->i < s->n && (is_word(s->p[s->i]) || s->p[s->i] == '.' || s->p[s->i] == '+'))
        s->i++;
    if (st == s->i) {
        fail(s, "a value was expected at offset %zu", st);
        return false;
    }
    *out = (tr_str){ s->p + st, s->i - st };
    return true;
}

static bool eq_nocase(tr_str a, const char *b)
{
    return a.n == strlen(b) && tr_mem_eq_nocase(a.p, b, a.n);
}

/* Object path "type:prop.sub.'quoted'[*]" → its type and canonical property. */
typedef struct opath {
    tr_str object;
    char prop[128];
    size_t plen;
} opath;

static bool object_path(pp *s, opath *o)
{
    o->object = word(s);
    if (!o->object.n || s->i >= s->n || s->p[s->i] != ':') {
        fail(s, "an object path (type:property) was expected at offset %zu",
             (size_t)(o->object.p - s->p));
        return false;
    }
    s->i++;
    o->plen = 0;
    for (;;) {
        tr_str part;
        if (s->i < s->n && s->p[s->i] == '\'') {
            size_t save = s->bo;
            if (!string_lit(s, &part))
                return false;
            s->bo = save; /* not a value: give the space back */
        } else if (s->i < s->n && s->p[s->i] == '[') {
            size_t st = s->i;
            while (s->i < s->n && s->p[s->i] != ']')
                s->i++;
            if (s->i >= s->n) {
                fail(s, "unterminated list index");
                return false;
            }
            s->i++;
            part = (tr_str){ s->p + st, s->i - st };
        } else {
            size_t st = s->i;
            while (s->i < s->n && (is_word(s->p[s->i]) && s->p[s->i] != '-'))
                s->i++;
            part = (tr_str){ s->p + st, s->i - st };
        }
        if (!part.n) {
            fail(s, "a property name was expected at offset %zu", s->i);
            return false;
        }
        if (o->plen + part.n + 1 >= sizeof(o->prop)) {
            fail(s, "property path too long");
            return false;
        }
        if (o->plen && part.p[0] != '[')
            o->prop[o->plen++] = '.';
        memcpy(o->prop + o->plen, part.p, part.n);
        o->plen += part.n;
        if (s->i < s->n && s->p[s->i] == '.') {
            s->i++;
            continue;
        }
        if (s->i < s->n && s->p[s->i] == '[')
            continue;
        break;
    }
    o->prop[o->plen] = '\0';
    return true;
}

enum pkind { P_VALUE, P_CONSTRAINT, P_UNSUPPORTED };

static enum pkind path_kind(const opath *o, tr_ioc_type *t)
{
    tr_str prop = { o->prop, o->plen };
    tr_str ob = o->object;
    *t = TR_IOC_NONE;
    if (eq_nocase(prop, "value")) {
        if (eq_nocase(ob, "ipv4-addr"))
            *t = TR_IOC_IPV4;
        else if (eq_nocase(ob, "ipv6-addr"))
            *t = TR_IOC_IPV6;
        else if (eq_nocase(ob, "domain-name"))
            *t = TR_IOC_DOMAIN;
        else if (eq_nocase(ob, "url"))
            *t = TR_IOC_URL;
        else if (eq_nocase(ob, "email-addr"))
            *t = TR_IOC_EMAIL;
        else
            return P_UNSUPPORTED;
        return P_VALUE;
    }
    if (eq_nocase(ob, "network-traffic")) {
        if (eq_nocase(prop, "dst_ref.value") || eq_nocase(prop, "src_ref.value"))
            return P_VALUE; /* NONE: an address or a name */
        if (eq_nocase(prop, "dst_ref.type") || eq_nocase(prop, "src_ref.type"))
            return P_CONSTRAINT;
        return P_UNSUPPORTED;
    }
    if (eq_nocase(ob, "email-message")) {
        if (eq_nocase(prop, "from_ref.value") || eq_nocase(prop, "sender_ref.value") ||
            eq_nocase(prop, "to_refs[*].value"))
            *t = TR_IOC_EMAIL;
        return *t ? P_VALUE : P_UNSUPPORTED;
    }
    if (eq_nocase(ob, "file") || eq_nocase(ob, "artifact")) {
        if (eq_nocase(prop, "hashes.MD5"))
            *t = TR_IOC_MD5;
        else if (eq_nocase(prop, "hashes.SHA-1") || eq_nocase(prop, "hashes.SHA1"))
            *t = TR_IOC_SHA1;
        else if (eq_nocase(prop, "hashes.SHA-256") || eq_nocase(prop, "hashes.SHA256"))
            *t = TR_IOC_SHA256;
        else if (eq_nocase(ob, "file") && eq_nocase(prop, "name"))
            *t = TR_IOC_FILENAME;
        return *t ? P_VALUE : P_UNSUPPORTED;
    }
    return P_UNSUPPORTED;
}

static bool add_val(pp *s, tr_ioc_type t, tr_str v)
{
    if (s->nvals >= MAX_VALUES) {
        fail(s, "more than %d values", MAX_VALUES);
        return false;
    }
    s->vals[s->nvals++] = (val){ t, v };
    return true;
}

static part comp_expr(pp *s);

/* One comparison, or a parenthesised comparison expression. */
static part comparison(pp *s)
{
    part r = { false, s->nvals, s->nvals };
    if (accept(s, '('))
    {
        r = comp_expr(s);
        if (!s->failed && !accept(s, ')'))
            fail(s, "')' was expected at offset %zu", s->i);
        return r;
    }
    opath o;
    if (!object_path(s, &o))
        return r;
    tr_ioc_type t;
    enum pkind k = path_kind(&o, &t);
    bool neg = keyword(s, "NOT");
    skip_ws(s);
    const char *op = NULL;
    if (accept(s, '='))
        op = "=";
    else if (s->i + 1 < s->n && s->p[s->i] == '!' && s->p[s->i + 1] == '=')
        op = "!=";
    else if (s->i < s->n && (s->p[s->i] == '<' || s->p[s->i] == '>'))
        op = s->p[s->i] == '<' ? "<" : ">";
    else if (keyword(s, "IN"))
        op = "IN";
    else if (keyword(s, "ISSUBSET"))
        op = "ISSUBSET";
    else if (keyword(s, "LIKE"))
        op = "LIKE";
    else if (keyword(s, "MATCHES"))
        op = "MATCHES";
    else if (keyword(s, "ISSUPERSET"))
        op = "ISSUPERSET";
    else if (keyword(s, "EXISTS"))
        op = "EXISTS";
    if (!op) {
        fail(s, "a comparison operator was expected at offset %zu", s->i);
        return r;
    }
    if (k == P_UNSUPPORTED) {
        fail(s, "object path %.*s:%s is not supported", (int)o.object.n, o.object.p, o.prop);
        return r;
    }
    if (neg) {
        fail(s, "NOT %s is not supported", op);
        return r;
    }
    bool subset = strcmp(op, "ISSUBSET") == 0;
    if (subset && t != TR_IOC_IPV4 && t != TR_IOC_IPV6 &&
        !(t == TR_IOC_NONE && k == P_VALUE)) {
        fail(s, "ISSUBSET is only supported on addresses");
        return r;
    }
    if (strcmp(op, "=") != 0 && strcmp(op, "IN") != 0 && !subset) {
        fail(s, "operator %s is not supported", op);
        return r;
    }
    if (k == P_CONSTRAINT) {
        if (strcmp(op, "=") != 0) {
            fail(s, "operator %s on a type is not supported", op);
            return r;
        }
        tr_str v;
        bool str;
        if (literal(s, &v, &str))
            r.constraint = true;
        return r;
    }
    tr_str v;
    bool str;
    if (strcmp(op, "IN") == 0) {
        if (!accept(s, '(')) {
            fail(s, "'(' was expected after IN");
            return r;
        }
        do {
            if (!literal(s, &v, &str))
                return r;
            if (!str) {
                fail(s, "a string value was expected in IN (…)");
                return r;
            }
            if (!add_val(s, t, v))
                return r;
        } while (accept(s, ','));
        if (!accept(s, ')'))
            fail(s, "')' was expected after the IN list");
    } else {
        if (!literal(s, &v, &str))
            return r;
        if (!str) {
            fail(s, "a string value was expected for %.*s:%s", (int)o.object.n, o.object.p,
                 o.prop);
            return r;
        }
        add_val(s, t, v);
    }
    r.last = s->nvals;
    return r;
}

/* comparison (AND comparison)*: exactly one of them may name values. */
static part comp_and(pp *s)
{
    part r = comparison(s);
    int with_values = r.constraint ? 0 : 1;
    part valued = r;
    while (!s->failed && keyword(s, "AND")) {
        part q = comparison(s);
        if (s->failed)
            break;
        if (!q.constraint) {
            with_values++;
            valued = q;
        }
    }
    if (!s->failed && with_values > 1)
        fail(s, "AND of value comparisons (one observation of several properties) is not "
                "supported");
    if (!s->failed && with_values == 0)
        fail(s, "the observation compares no value");
    return valued;
}

static part comp_expr(pp *s)
{
    part r = comp_and(s);
    while (!s->failed && keyword(s, "OR")) {
        part q = comp_and(s);
        if (!s->failed)
            r.last = q.last; /* values are appended in order: the union is a range */
    }
    return r;
}

static void observation(pp *s);

static void obs_primary(pp *s)
{
    if (accept(s, '(')) {
        observation(s);
        if (!s->failed && !accept(s, ')'))
            fail(s, "')' was expected at offset %zu", s->i);
    } else if (accept(s, '[')) {
        comp_expr(s);
        if (!s->failed && !accept(s, ']'))
            fail(s, "']' was expected at offset %zu", s->i);
    } else {
        fail(s, "'[' was expected at offset %zu", s->i);
        return;
    }
    if (s->failed)
        return;
    if (keyword(s, "WITHIN") || keyword(s, "REPEATS") || keyword(s, "START"))
        fail(s, "qualifiers (WITHIN, REPEATS, START/STOP) are not supported");
}

/* observation (OR observation)*: AND and FOLLOWEDBY between observations
 * need several events and are rejected. */
static void observation(pp *s)
{
    obs_primary(s);
    while (!s->failed) {
        if (keyword(s, "OR")) {
            obs_primary(s);
        } else if (keyword(s, "AND") || keyword(s, "FOLLOWEDBY")) {
            fail(s, "AND/FOLLOWEDBY between observations is not supported");
        } else {
            break;
        }
    }
}

const char *stix_pattern_values(const char *p, size_t n, char *buf, stix_value_fn fn, void *ctx,
                                char *err, size_t errlen)
{
    pp *s = tr_malloc(sizeof(pp));
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return err;
    }
    s->p = p;
    s->n = n;
    s->i = 0;
    s->buf = buf;
    s->bo = 0;
    s->err = err;
    s->errlen = errlen;
    s->failed = false;
    s->nvals = 0;
    observation(s);
    skip_ws(s);
    if (!s->failed && s->i < s->n)
        fail(s, "unexpected text at offset %zu", s->i);
    const char *r = s->failed ? err : NULL;
    if (!s->failed)
        for (size_t i = 0; i < s->nvals; i++)
            if (fn(ctx, s->vals[i].type, s->vals[i].v))
                break;
    tr_free(s);
    return r;
}
