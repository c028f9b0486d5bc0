/*
 * prefilter.c - which raw log lines can hold an indicator at all.
 *
 * Almost no line of a log names an indicator, yet parsing, routing and
 * typing every line costs most of a hunt. Each indicator has a necessary
 * literal (prefilter.h), and a few always-candidate patterns cover the
 * spellings that decoders or the normaliser turn into a value the literal
 * does not show. This file derives the literals and builds the table that
 * pf_scan.c probes at each word start of a record; a record holding none
 * cannot produce an indicator match and need not be parsed for the
 * indicator matcher. The derivation is argued type by type below and in
 * docs/IOC.md ("Prefilter"); the fuzz target fuzz_ioc_prefilter checks it
 * against the real parsers and scanner.
 */
#include "core/common.h"

#include <limits.h>
#include <time.h>

#include "core/hash.h"
#include "ioc/prefilter.h"
#include "ioc/value.h"

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

/* The literal as looked for: from its first letter or digit. Bytes before
 * it (the ':' of ":aaaa:", a file name's leading '_') are not word bytes,
 * so the rest starts at a word start of the line (pf_scan.c); a shorter
 * literal is still a necessary one. */
static size_t from_word_start(char *out, size_t n)
{
    size_t k = 0;
    while (k < n && !ioc_pf_is_word((unsigned char)out[k]))
        k++;
    memmove(out, out + k, n - k);
    return n - k;
}

static size_t literal_of(tr_ioc_type t, tr_str v, char *out, size_t cap)
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

size_t ioc_pf_literal(tr_ioc_type t, tr_str v, char *out, size_t cap)
{
    return from_word_start(out, literal_of(t, v, out, cap));
}

/* --------------------------------------------------------------- build */

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

static bool is_v6_indicator(const tr_indicator *ind)
{
    return (ind->type == TR_IOC_IPV6 || ind->type == TR_IOC_CIDR) &&
           memchr(ind->value.p, ':', ind->value.n) != NULL;
}

static unsigned log2_at_least(size_t n)
{
    unsigned b = 0;
    while (b < 63 && ((size_t)1 << b) < n)
        b++;
    return b;
}

/* A zeroed bitmap of bits_per_item bits for each of n items, rounded up to a
 * power of two between 2^min_log2 and 2^27 bits (16 MB); *shift is 64 minus
 * its log2, for the multiply-shift hashes of prefilter.h; its bytes are
 * added to *memory. */
static uint64_t *new_bitmap(size_t n, unsigned bits_per_item, unsigned min_log2, unsigned *shift,
                            size_t *memory)
{
    unsigned lg = log2_at_least(n * bits_per_item);
    lg = lg < min_log2 ? min_log2 : lg > 27 ? 27 : lg;
    *shift = 64 - lg;
    *memory += ((size_t)1 << lg) / 8;
    return tr_calloc(1, ((size_t)1 << lg) / 8);
}

/* Adds the folded literal lit[0..n) unless it is there already. */
static void add_literal(tr_ioc_prefilter *pf, size_t *pool_len, const char *lit, size_t n)
{
    uint64_t key = ioc_pf_table_key(lit, n);
    size_t i = ioc_pf_slot(pf, key);
    for (; pf->tab[i].key; i = (i + 1) & pf->tab_mask) {
        const ioc_pf_entry *e = &pf->tab[i];
        if (e->key == key && e->len == n && !memcmp(pf->pool + e->off, lit, n))
            return;
    }
    char *dst = pf->pool + *pool_len;
    for (size_t k = 0; k < n; k++)
        dst[k] = (char)((unsigned char)lit[k] | 0x20);
    pf->tab[i] = (ioc_pf_entry){ key, (uint32_t)*pool_len, (uint32_t)n };
    *pool_len += n;
    /* the scan probes the first 8 bytes, then the table key */
    ioc_pf_set(pf->bits, ioc_pf_bit(pf, ioc_pf_key(lit, n)));
    ioc_pf_set(pf->key_bits, ioc_pf_key_bit(pf, key));
    for (size_t k = 0; n >= 8 && k < 8; k++) {
        unsigned char c = (unsigned char)lit[k];
        if (!ioc_pf_is_word(c))
            pf->head |= c == '.'   ? IOC_PF_HEAD_DOT
                        : c == ':' ? IOC_PF_HEAD_COLON
                        : c == '-' || c == '_' || c == '@' ? IOC_PF_HEAD_JOIN
                                                           : IOC_PF_HEAD_ANY;
    }
    if (n < 8) {
        pf->short_lens |= (uint8_t)(1u << n);
        ioc_pf_set(pf->short_bits, ioc_pf_short_bit(pf, key, n < 4 ? 3 : 4));
        pf->short3 |= n == 3;
        unsigned char last = (unsigned char)lit[n - 1];
        pf->short_end[n] |= ioc_pf_is_word(last) ? IOC_PF_END_WORD
                            : last == ':'        ? IOC_PF_END_COLON
                            : last == '.'        ? IOC_PF_END_DOT
                                                 : IOC_PF_END_OTHER;
    }
    pf->len8 |= n >= 8 && n < 12;
    pf->len12 |= n >= 12 && n < 16;
    pf->st.literals++;
}

/* An IPv6 group literal of fewer than 4 hex digits ("db8:") may be written
 * with leading zeros ("0db8:"), which then start the word: the padded
 * spellings are literals too (at most 2 more: a 1-digit group's literal is
 * too short to build a prefilter at all). */
static void add_zero_padded(tr_ioc_prefilter *pf, size_t *pool_len, const char *lit, size_t n)
{
    size_t nd = n - 1; /* hex digits before the ':' */
    if (n < 2 || nd >= 4 || lit[nd] != ':')
        return;
    char padded[8];
    for (size_t pad = 1; nd + pad <= 4; pad++) {
        memset(padded, '0', pad);
        memcpy(padded + pad, lit, n);
        add_literal(pf, pool_len, padded, pad + n);
    }
}

tr_err tr_ioc_prefilter_new(const tr_ioc_index *x, tr_ioc_prefilter **out, char *why,
                            size_t whylen)
{
    *out = NULL;
    if (why && whylen)
        why[0] = '\0';
    double t0 = mono_s();
    size_t n = tr_ioc_index_count(x);
    if (n > UINT32_MAX / 256)
        return TR_ELIMIT;
    tr_ioc_prefilter *pf = tr_calloc(1, sizeof(*pf));
    if (!pf)
        return TR_ENOMEM;
    /* literals are no longer than their values; an IPv6 one may add two
     * zero-padded spellings of up to 5 bytes (add_zero_padded) */
    size_t pool_cap = 0, pool_len = 0, nlit = n, nshort = 0;
    char lit[IOC_MAX_VALUE + 64];
    for (size_t i = 0; i < n; i++) {
        tr_indicator ind;
        tr_ioc_index_get(x, i, &ind);
        pool_cap += ind.value.n + 8;
        bool v6 = is_v6_indicator(&ind);
        if (v6) {
            pool_cap += 10;
            nlit += 2;
        }
        if (ioc_pf_literal(ind.type, ind.value, lit, sizeof(lit)) < 8)
            nshort += v6 ? 3 : 1;
    }
    size_t memory = 0;
    pf->short_bits = new_bitmap(nshort, 64, IOC_PF_SHORT_BITS_MIN_LOG2, &pf->short_bits_shift,
                                &memory);
    /* 64 bits a literal keeps the bitmap about 1.5 % full (a probe of an
     * unrelated word passes it that rarely). The key bitmap, probed only
     * after a hit in the first, has 32. */
    pf->bits = new_bitmap(nlit, 64, 16, &pf->bits_shift, &memory);
    pf->key_bits = new_bitmap(nlit, 32, 12, &pf->key_bits_shift, &memory);
    unsigned tab_log2 = log2_at_least(nlit * 2 + 2);
    pf->tab_shift = 64 - tab_log2;
    pf->tab_mask = ((size_t)1 << tab_log2) - 1;
    size_t tab_bytes = ((size_t)1 << tab_log2) * sizeof(ioc_pf_entry);
    memory += tab_bytes;
    pf->tab = tr_calloc(1, tab_bytes);
    tr_err e = TR_ENOMEM;
    pf->pool = tr_malloc(pool_cap ? pool_cap : 1);
    if (!pf->bits || !pf->key_bits || !pf->short_bits || !pf->tab || !pf->pool)
        goto out;
    for (size_t i = 0; i < n; i++) {
        tr_indicator ind;
        tr_ioc_index_get(x, i, &ind);
        size_t k = ioc_pf_literal(ind.type, ind.value, lit, sizeof(lit));
        if (k < IOC_PF_MIN_LITERAL || pool_len + k > pool_cap) {
            if (why && whylen)
                snprintf(why, whylen,
                         "indicator %.*s (%s) gives no literal of %d bytes or more to look for",
                         (int)TR_MIN(ind.value.n, 200), ind.value.p, tr_ioc_type_name(ind.type),
                         IOC_PF_MIN_LITERAL);
            e = TR_OK;
            goto out;
        }
        pf->v4 |= is_v4_indicator(&ind);
        add_literal(pf, &pool_len, lit, k);
        if (is_v6_indicator(&ind))
            add_zero_padded(pf, &pool_len, lit, k);
    }
    pf->isa = ioc_pf_best_isa();
    pf->st.scan = ioc_pf_isa_name(pf->isa);
    pf->st.always = 2 + 2 * pf->v4; /* \u, \x; with IPv4: ffff: and zero-padded octets */
    pf->st.memory = memory + pool_cap;
    pf->st.compile_s = mono_s() - t0;
    *out = pf;
    pf = NULL;
    e = TR_OK;
out:
    tr_ioc_prefilter_free(pf);
    return e;
}

void tr_ioc_prefilter_free(tr_ioc_prefilter *pf)
{
    if (!pf)
        return;
    tr_free(pf->bits);
    tr_free(pf->key_bits);
    tr_free(pf->short_bits);
    tr_free(pf->tab);
    tr_free(pf->pool);
    tr_free(pf);
}

void tr_ioc_prefilter_stats(const tr_ioc_prefilter *pf, tr_ioc_pf_stats *st)
{
    *st = pf->st;
}

/* The scan needs no per-thread state; the scratch is kept so that callers
 * stay the same if a future scan does. */
struct tr_ioc_pf_scratch {
    const tr_ioc_prefilter *pf;
};

tr_err tr_ioc_pf_scratch_new(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch **out)
{
    *out = tr_calloc(1, sizeof(**out));
    if (!*out)
        return TR_ENOMEM;
    (*out)->pf = pf;
    return TR_OK;
}

void tr_ioc_pf_scratch_free(tr_ioc_pf_scratch *s)
{
    tr_free(s);
}

bool tr_ioc_prefilter_covers(tr_format fmt)
{
    /* not auditd (it hex-encodes values) nor EVTX (binary) */
    return tr_format_is_json(fmt) || fmt == TR_FMT_ZEEK || fmt == TR_FMT_COMBINED ||
           fmt == TR_FMT_W3C || fmt == TR_FMT_SYSLOG;
}

/* ---------------------------------------------------------------- scan */

bool tr_ioc_prefilter_text(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch *s, tr_str text)
{
    (void)s;
    return text.n && ioc_pf_scan(pf, text.p, text.n, text.p + text.n);
}

tr_err tr_ioc_prefilter_mark(const tr_ioc_prefilter *pf, tr_ioc_pf_scratch *s,
                             const tr_record *recs, size_t n, uint8_t *mark)
{
    (void)s;
    /* One pass over the block when its records are ascending slices of one
     * buffer separated by bytes that are neither letters nor digits (line
     * ends): each record then starts at a word start as it does alone. */
    const char *start = NULL, *end = NULL;
    bool span = true;
    for (size_t i = 0; i < n; i++) {
        const tr_record *r = &recs[i];
        mark[i] = r->status != TR_OK;
        if (r->status != TR_OK || !r->data.n)
            continue;
        if (!start) {
            start = r->data.p;
        } else if (r->data.p <= end) { /* overlapping or touching: no line end between */
            span = false;
        } else {
            for (const char *g = end; g < r->data.p && span; g++)
                span = !ioc_pf_is_word((unsigned char)*g);
        }
        end = r->data.p + r->data.n;
    }
    if (!start)
        return TR_OK;
    if (span) {
        ioc_pf_scan_span(pf, start, (size_t)(end - start), recs, n, mark);
        return TR_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (!mark[i] && recs[i].data.n)
            mark[i] = ioc_pf_scan(pf, recs[i].data.p, recs[i].data.n,
                                  recs[i].data.p + recs[i].data.n);
    return TR_OK;
}
