/*
 * prefilter.c - which raw log lines can hold an indicator at all.
 *
 * Almost no line of a log names an indicator, yet parsing, routing and
 * typing every line costs most of a hunt. Each indicator has a necessary
 * literal (prefilter.h), and a few always-candidate patterns cover the
 * spellings that decoders or the normaliser turn into a value the literal
 * does not show. One Vectorscan scan over a block's bytes marks the lines
 * that hold any of them; the others cannot produce an indicator match and
 * need not be parsed for the indicator matcher. The derivation is argued
 * type by type below and in docs/IOC.md ("Prefilter"); the fuzz target
 * fuzz_ioc_prefilter checks it against the real parsers and scanner.
 */
#include "core/common.h"

#include <hs/hs.h>
#include <limits.h>
#include <time.h>

#include "core/hash.h"
#include "ioc/prefilter.h"
#include "ioc/value.h"

struct tr_ioc_prefilter {
    hs_database_t *lits;  /* literals and the always literals, caseless */
    bool padded_v4;       /* look for zero-padded IPv4 octets (there are IPv4 indicators) */
    hs_scratch_t *proto;  /* cloned for each thread */
    tr_ioc_pf_stats st;
};

struct tr_ioc_pf_scratch {
    const tr_ioc_prefilter *pf;
    hs_scratch_t *hs;
};

/* ------------------------------------------------------------ literals */

/*
 * Bytes a decoder can produce from an escape that is not an always
 * pattern: JSON \" \\ \/ \b \f \n \r \t, log \" \\, RFC 5424 \] — a literal
 * holding none of them that occurs in a decoded value occurs in the raw
 * text too (each escape yields one byte outside the literal). Brackets are
 * added for good measure (an IPv6 URL host).
 */
static bool safe_byte(unsigned char c)
{
    return c >= 0x20 && c != 0x7f && c != '"' && c != '\\' && c != '/' && c != '[' &&
           c != ']';
}

/* The longest run of safe bytes of p, lower-cased into out. */
static size_t put_safe_run(const char *p, size_t n, char *out, size_t cap)
{
    size_t best = 0, best_at = 0, i = 0;
    while (i < n) {
        while (i < n && !safe_byte((unsigned char)p[i]))
            i++;
        size_t st = i;
        while (i < n && safe_byte((unsigned char)p[i]))
            i++;
        if (i - st > best) {
            best = i - st;
            best_at = st;
        }
    }
    if (best >= cap)
        return 0;
    for (size_t k = 0; k < best; k++)
        out[k] = (char)tr_ascii_lower((unsigned char)p[best_at + k]);
    return best;
}

/*
 * IPv6: every textual form (RFC 4291 §2.2: leading zeros optional, one run
 * of zero groups compressed, any case, the last 32 bits possibly dotted)
 * writes a non-zero group among the first six as its hex digits, maybe with
 * leading zeros, followed by ':'; a group after the first is preceded by
 * ':', which is adjacent to the digits when the group has four of them.
 * Groups 6 and 7 may be dotted and are not used. Only groups whose 16 bits
 * all lie inside the prefix are known for a network.
 */
static size_t v6_literal(const ioc_ip *ip, char *out, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    unsigned fixed = ip->plen / 16;
    char best[8];
    size_t bn = 0;
    for (unsigned g = 0; g < 6 && g < fixed; g++) {
        unsigned v = (unsigned)ip->a[2 * g] << 8 | ip->a[2 * g + 1];
        if (!v)
            continue;
        char d[4];
        size_t nd = 0;
        for (int sh = 12; sh >= 0; sh -= 4)
            if (nd || (v >> sh) & 15 || sh == 0)
                d[nd++] = hex[(v >> sh) & 15];
        char lit[8];
        size_t k = 0;
        if (nd == 4 && g > 0)
            lit[k++] = ':';
        memcpy(lit + k, d, nd);
        k += nd;
        lit[k++] = ':';
        if (k > bn) {
            memcpy(best, lit, k);
            bn = k;
        }
    }
    if (!bn || bn >= cap)
        return 0;
    memcpy(out, best, bn);
    return bn;
}

/*
 * IPv4: the dotted text, unless an octet is zero-padded ("010.1.2.3", an
 * always pattern) or the address is written as IPv4-mapped IPv6 (another).
 * A network: its whole fixed octets, each followed by its dot.
 */
static size_t v4_literal(const ioc_ip *ip, char *out, size_t cap)
{
    unsigned fixed = ip->plen / 8;
    size_t o = 0;
    for (unsigned i = 0; i < fixed && i < 4; i++) {
        char b[8];
        int k = snprintf(b, sizeof(b), i < 3 ? "%u." : "%u", ip->a[12 + i]);
        if (k < 0 || o + (size_t)k >= cap)
            return 0;
        memcpy(out + o, b, (size_t)k);
        o += (size_t)k;
    }
    return o;
}

size_t ioc_pf_literal(tr_ioc_type t, tr_str v, char *out, size_t cap)
{
    switch (t) {
    case TR_IOC_IPV4:
    case TR_IOC_IPV6:
    case TR_IOC_CIDR: {
        ioc_ip ip;
        if (!ioc_parse_ip(v.p, v.n, &ip, true))
            return 0;
        if (t == TR_IOC_IPV4)
            ip.plen = 32;
        return ip.v4 ? v4_literal(&ip, out, cap) : v6_literal(&ip, out, cap);
    }
    case TR_IOC_URL: {
        /* the host, as the canonical URL keeps it (lower case, no port, no
         * brackets): never the path, which is compared percent-decoded */
        tr_str h = ioc_url_host(v.p, v.n);
        return h.n ? put_safe_run(h.p, h.n, out, cap) : 0;
    }
    case TR_IOC_DOMAIN: /* the name itself; matches are it or a subdomain of it */
    case TR_IOC_MD5:
    case TR_IOC_SHA1:
    case TR_IOC_SHA256:
    case TR_IOC_EMAIL:
    case TR_IOC_FILENAME:
        return put_safe_run(v.p, v.n, out, cap);
    default:
        return 0;
    }
}

/* --------------------------------------------------------------- build */

/* Always-candidate literals: JSON "\u" and log "\x" escapes can spell any
 * byte of a value (a dot, a letter); "ffff:" is in every spelling of an
 * IPv4-mapped IPv6 address (the parser takes it as the IPv4 address). */
static const char *const always_lits[] = { "\\u", "\\x", "ffff:" };

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_v4_indicator(const tr_indicator *ind)
{
    if (ind->type == TR_IOC_IPV4)
        return true;
    return ind->type == TR_IOC_CIDR && memchr(ind->value.p, '.', ind->value.n) != NULL;
}

tr_err tr_ioc_prefilter_new(const tr_ioc_index *x, tr_ioc_prefilter **out, char *why,
                            size_t whylen)
{
    *out = NULL;
    if (why && whylen)
        why[0] = '\0';
    double t0 = mono_s();
    tr_err e = TR_ENOMEM;
    size_t n = tr_ioc_index_count(x);
    tr_map *seen = tr_map_new(n + 8, TR_MAP_NOCASE);
    tr_ioc_prefilter *pf = tr_calloc(1, sizeof(*pf));
    const char **exprs = NULL;
    size_t *lens = NULL;
    unsigned *flags = NULL, *ids = NULL;
    hs_compile_error_t *cerr = NULL;
    if (!seen || !pf)
        goto out;
    bool v4 = false;
    char lit[IOC_MAX_VALUE + 64];
    for (size_t i = 0; i < n; i++) {
        tr_indicator ind;
        tr_ioc_index_get(x, i, &ind);
        size_t k = ioc_pf_literal(ind.type, ind.value, lit, sizeof(lit));
        if (k < IOC_PF_MIN_LITERAL) {
            if (why && whylen)
                snprintf(why, whylen,
                         "indicator %.*s (%s) gives no literal of %d bytes or more to look for",
                         (int)TR_MIN(ind.value.n, 200), ind.value.p, tr_ioc_type_name(ind.type),
                         IOC_PF_MIN_LITERAL);
            e = TR_OK;
            goto out;
        }
        v4 |= is_v4_indicator(&ind);
        uint64_t old;
        bool inserted;
        if ((e = tr_map_put_new(seen, (tr_str){ lit, k }, 0, &old, &inserted)) != TR_OK)
            goto out;
        e = TR_ENOMEM;
    }
    size_t nalways = v4 ? 3 : 2;
    for (size_t i = 0; i < nalways; i++) {
        uint64_t old;
        bool inserted;
        if ((e = tr_map_put_new(seen, tr_str_c(always_lits[i]), 0, &old, &inserted)) != TR_OK)
            goto out;
        e = TR_ENOMEM;
    }
    size_t nl = tr_map_count(seen);
    exprs = tr_malloc(nl * sizeof(*exprs));
    lens = tr_malloc(nl * sizeof(*lens));
    flags = tr_malloc(nl * sizeof(*flags));
    ids = tr_malloc(nl * sizeof(*ids));
    if (!exprs || !lens || !flags || !ids)
        goto out;
    size_t k = 0;
    tr_str key;
    uint64_t val;
    for (size_t it = 0; tr_map_next(seen, &it, &key, &val) && k < nl; k++) {
        exprs[k] = key.p;
        lens[k] = key.n;
        flags[k] = HS_FLAG_CASELESS;
        ids[k] = (unsigned)k; /* distinct: one shared id makes the compile quadratic */
    }
    e = TR_EINTERNAL;
    if (hs_compile_lit_multi(exprs, flags, ids, lens, (unsigned)k, HS_MODE_BLOCK, NULL,
                             &pf->lits, &cerr) != HS_SUCCESS) {
        if (why && whylen)
            snprintf(why, whylen, "Vectorscan: %s", cerr && cerr->message ? cerr->message : "?");
        goto out;
    }
    pf->padded_v4 = v4;
    if (hs_alloc_scratch(pf->lits, &pf->proto) != HS_SUCCESS) {
        e = TR_ENOMEM;
        goto out;
    }
    size_t sz = 0;
    pf->st.literals = k - nalways;
    pf->st.always = nalways + v4; /* + the zero-padded octet check */
    if (hs_database_size(pf->lits, &sz) == HS_SUCCESS)
        pf->st.memory += sz;
    if (hs_scratch_size(pf->proto, &sz) == HS_SUCCESS)
        pf->st.memory += sz;
    pf->st.compile_s = mono_s() - t0;
    *out = pf;
    pf = NULL;
    e = TR_OK;
out:
    hs_free_compile_error(cerr);
    tr_free(exprs);
    tr_free(lens);
    tr_free(flags);
    tr_free(ids);
    tr_map_free(seen);
    tr_ioc_prefilter_free(pf);
    return e;
}

void tr_ioc_prefilter_free(tr_ioc_prefilter *pf)
{
    if (!pf)
        return;
    hs_free_database(pf->lits);
    hs_free_scratch(pf->proto);
    tr_free(pf);
}

void tr_ioc_prefilter_stats(const tr_ioc_prefilter *pf, tr_ioc_pf_stats *st)
{
    *st = pf->st;
}

tr_err tr_ioc_pf_scratch_new(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch **out)
{
    *out = NULL;
    tr_ioc_pf_scratch *s = tr_calloc(1, sizeof(*s));
    if (!s)
        return TR_ENOMEM;
    s->pf = pf;
    if (hs_clone_scratch(pf->proto, &s->hs) != HS_SUCCESS) {
        tr_free(s);
        return TR_ENOMEM;
    }
    *out = s;
    return TR_OK;
}

void tr_ioc_pf_scratch_free(tr_ioc_pf_scratch *s)
{
    if (!s)
        return;
    hs_free_scratch(s->hs);
    tr_free(s);
}

bool tr_ioc_prefilter_covers(tr_format fmt)
{
    /* not auditd (it hex-encodes values) nor EVTX (binary) */
    return tr_format_is_json(fmt) || fmt == TR_FMT_ZEEK || fmt == TR_FMT_COMBINED ||
           fmt == TR_FMT_W3C || fmt == TR_FMT_SYSLOG;
}

/* ---------------------------------------------------------------- scan */

/*
 * Zero-padded IPv4 octets. ioc_parse_ipv4 reads "010.001.002.003" as
 * 10.1.2.3, whose literal "10.1.2.3" that spelling does not show. Such an
 * address is a run of digits and dots holding four consecutive groups of
 * 1-3 digits, one of them a '0' followed by a digit; a token the scanner
 * parses as an address is made of consecutive groups of the run it lies in
 * (the bytes around a run are neither digits nor dots). Found from the dots
 * (memchr), with the whole run checked only where a dot touches a padded
 * group — far cheaper than a regular expression over every byte.
 */
static inline bool is_dig(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* The run of digits and dots around p, within [lo, hi), has four
 * consecutive 1-3 digit groups one of which is padded. */
static bool padded_quad_around(const char *p, const char *lo, const char *hi)
{
    const char *a = p, *b = p;
    while (a > lo && (is_dig((unsigned char)a[-1]) || a[-1] == '.'))
        a--;
    while (b < hi && (is_dig((unsigned char)*b) || *b == '.'))
        b++;
    unsigned ok = 0;       /* consecutive valid groups so far */
    unsigned last_pad = 0; /* ok-index (1-based) of the latest padded group */
    const char *q = a;
    while (q <= b) {
        const char *g = q;
        while (q < b && *q != '.')
            q++;
        size_t len = (size_t)(q - g);
        if (len >= 1 && len <= 3) {
            ok++;
            if (len >= 2 && g[0] == '0')
                last_pad = ok;
            if (ok >= 4 && last_pad && ok - last_pad < 4)
                return true;
        } else {
            ok = 0;
            last_pad = 0;
        }
        q++; /* past the dot (or the end) */
    }
    return false;
}

/* First position in [p, e) where a zero-padded dotted quad may be, or NULL. */
static const char *find_padded_v4(const char *p, const char *e)
{
    const char *lo = p;
    for (const char *d = p; d < e && (d = memchr(d, '.', (size_t)(e - d))) != NULL; d++) {
        /* ".0d" (a padded group after the dot) or "0d." / "0dd." before it */
        bool after = d + 2 < e && d[1] == '0' && is_dig((unsigned char)d[2]);
        bool before = false;
        if (!after && d - lo >= 2 && is_dig((unsigned char)d[-1]) && is_dig((unsigned char)d[-2])) {
            const char *g = d - 2;
            if (g > lo && is_dig((unsigned char)g[-1]))
                g--;
            before = *g == '0' && (g == lo || !is_dig((unsigned char)g[-1]));
        }
        if ((after || before) && padded_quad_around(d, lo, e))
            return d;
    }
    return NULL;
}

static int stop_on_match(unsigned id, unsigned long long from, unsigned long long to,
                         unsigned flags, void *ctx)
{
    (void)id, (void)from, (void)to, (void)flags;
    *(bool *)ctx = true;
    return 1;
}

bool tr_ioc_prefilter_text(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch *s, tr_str text)
{
    if (text.n > UINT_MAX)
        return true;
    bool hit = false;
    const char *p = text.p ? text.p : "";
    hs_error_t he = hs_scan(pf->lits, p, (unsigned)text.n, 0, s->hs, stop_on_match, &hit);
    if (he != HS_SUCCESS || hit) /* a match, or an error: the record passes */
        return true;
    return pf->padded_v4 && find_padded_v4(p, p + text.n) != NULL;
}

/* The records of one span, walked in step with the matches. */
typedef struct mark_ctx {
    const char *base;
    const tr_record *recs;
    size_t n, cur;
    uint8_t *mark;
} mark_ctx;

/* Marks the record holding byte at (records ascending from c->cur). */
static void mark_at(mark_ctx *c, const char *at)
{
    if (c->cur < c->n && c->recs[c->cur].data.p > at)
        c->cur = 0; /* out of order (never seen): search again from the start */
    while (c->cur < c->n &&
           (c->recs[c->cur].status != TR_OK || c->recs[c->cur].data.p + c->recs[c->cur].data.n <= at))
        c->cur++;
    if (c->cur < c->n && c->recs[c->cur].data.p <= at)
        c->mark[c->cur] = 1;
}

static int on_span_match(unsigned id, unsigned long long from, unsigned long long to,
                         unsigned flags, void *ctx)
{
    (void)id, (void)from, (void)flags;
    mark_ctx *c = ctx;
    if (to > 0)
        mark_at(c, c->base + to - 1); /* the match's last byte */
    return 0;
}

tr_err tr_ioc_prefilter_mark(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch *s,
                             const tr_record *recs, size_t n, uint8_t *mark)
{
    /* one span when the records are ascending slices of one buffer */
    const char *start = NULL, *end = NULL;
    bool span = true;
    for (size_t i = 0; i < n; i++) {
        const tr_record *r = &recs[i];
        mark[i] = r->status != TR_OK;
        if (r->status != TR_OK)
            continue;
        if (!r->data.p) {
            span = span && r->data.n == 0;
            continue;
        }
        if (!start)
            start = r->data.p;
        else if (r->data.p < end)
            span = false;
        end = r->data.p + r->data.n;
    }
    if (!start)
        return TR_OK;
    if (!span || (size_t)(end - start) > UINT_MAX) {
        for (size_t i = 0; i < n; i++)
            if (!mark[i])
                mark[i] = tr_ioc_prefilter_text(pf, s, recs[i].data);
        return TR_OK;
    }
    mark_ctx c = { start, recs, n, 0, mark };
    if (hs_scan(pf->lits, start, (unsigned)(end - start), 0, s->hs, on_span_match, &c) !=
        HS_SUCCESS) {
        memset(mark, 1, n);
        return TR_EINTERNAL;
    }
    if (pf->padded_v4) {
        /* per record, so that a run never joins the end of one line to the next */
        for (size_t i = 0; i < n; i++) {
            const tr_record *r = &recs[i];
            if (!mark[i] && r->data.n && find_padded_v4(r->data.p, r->data.p + r->data.n))
                mark[i] = 1;
        }
    }
    return TR_OK;
}
