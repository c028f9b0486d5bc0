/*
 * scan.c - matching events against the indicator index.
 *
 * Every typed field is turned into candidate values of the indicator types
 * it can hold, and each candidate costs one hash probe (a domain one probe
 * per parent domain, an address one per prefix length in use). Free text is
 * cut into whole tokens first, so an indicator never matches a piece of a
 * longer token: 1.2.3.4 is not found in 11.2.3.45, evil.com not in
 * notevil.com nor in evil.com.other.net. Nothing here allocates: the
 * scratch holds the few fixed buffers (decoded JSON values, canonical
 * URLs) and the per-event de-duplication list.
 */
#include "core/common.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>

#include "core/jsonstr.h"
#include "ioc/index.h"

#define SCRATCH_DECODE (64u * 1024u)
#define SCRATCH_URL (IOC_MAX_VALUE * 2 + 64)
#define SCRATCH_SEEN 256
#define SCAN_OUTER 64
#define MISS_SLOTS 512   /* values remembered as matching nothing, per thread */
#define MISS_BYTES 184   /* longest value remembered */

/* A value (of a type worth remembering) whose scan found no indicator. */
typedef struct miss_ent {
    uint64_t h;              /* hash of mode and bytes; 0 = empty */
    uint16_t n;
    uint8_t mode;            /* vtype, | 0x80 when bytes are host + request URI */
    char bytes[MISS_BYTES];
} miss_ent;

typedef struct seen_pair {
    uint32_t rec;
    const tr_field *field;
} seen_pair;

struct tr_ioc_scratch {
    const tr_ioc_index *x;
    char *dec;                   /* decoded (JSON-escaped) values */
    char *url;                   /* canonical URL */
    char *join;                  /* host + relative URI */
    pcre2_match_data *md;        /* allowlist regexes */
    seen_pair seen[SCRATCH_SEEN];
    uint32_t nseen;
    miss_ent *miss;              /* MISS_SLOTS entries */
    uint64_t hits;               /* index lookups that found a record (emit calls) */
    /* the scan in progress */
    const tr_field *field;
    tr_ioc_match_fn cb;
    void *ctx;
    int64_t ts;
    const tr_event *ev;
    tr_str host;                 /* the event's host (for relative URLs) */
    bool host_known;             /* host found (on the first relative URL) */
    bool stop;
};

/* Byte classes for the tokeniser. */
enum {
    C_HARD = 1,   /* ends a word: white space, quotes, <>, | */
    C_SOFT = 2,   /* ends a piece inside a word: = , ; ( ) [ ] { } ? & ! * $ ^ */
    C_DIGIT = 4,
    C_HEX = 8,    /* a-f A-F */
    C_HOST = 16,  /* letters, digits, - _ and UTF-8 bytes */
    C_TRIM = 32,  /* trimmed from a URL's end: . , ; : ) ] } ' ! ? */
    C_MARK = 64,  /* . : @ / \ — every indicator but a bare digest has one */
};

static uint8_t cls[256];

static void cls_init(void)
{
    for (int c = 0; c < 256; c++) {
        uint8_t v = 0;
        if (c <= ' ' || c == 0x7f || c == '"' || c == '\'' || c == '`' || c == '<' ||
            c == '>' || c == '|')
            v |= C_HARD;
        if (strchr("=,;()[]{}?&!*$^", c) && c)
            v |= C_SOFT;
        if (c >= '0' && c <= '9')
            v |= C_DIGIT | C_HOST | C_HEX;
        if ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
            v |= C_HEX;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_' || c >= 0x80)
            v |= C_HOST;
        if (strchr(".,;:)]}'!?\"", c) && c)
            v |= C_TRIM;
        if (c == '.' || c == ':' || c == '@' || c == '/' || c == '\\')
            v |= C_MARK;
        cls[c] = v;
    }
}

tr_err tr_ioc_scratch_new(const tr_ioc_index *x, tr_ioc_scratch **out)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, cls_init);
    *out = NULL;
    tr_ioc_scratch *s = tr_calloc(1, sizeof(*s));
    if (!s)
        return TR_ENOMEM;
    s->x = x;
    s->dec = tr_malloc(SCRATCH_DECODE);
    s->url = tr_malloc(SCRATCH_URL);
    s->join = tr_malloc(SCRATCH_URL);
    s->miss = tr_calloc(MISS_SLOTS, sizeof(miss_ent));
    if (x->allow.regexes.n)
        s->md = pcre2_match_data_create(1, NULL);
    if (!s->dec || !s->url || !s->join || !s->miss || (x->allow.regexes.n && !s->md)) {
        tr_ioc_scratch_free(s);
        return TR_ENOMEM;
    }
    *out = s;
    return TR_OK;
}

void tr_ioc_scratch_free(tr_ioc_scratch *s)
{
    if (!s)
        return;
    tr_free(s->dec);
    tr_free(s->url);
    tr_free(s->join);
    tr_free(s->miss);
    pcre2_match_data_free(s->md);
    tr_free(s);
}

static inline bool has_type(const tr_ioc_scratch *s, tr_ioc_type t)
{
    return (s->x->types >> t) & 1u;
}

static bool already(tr_ioc_scratch *s, uint32_t rec)
{
    for (uint32_t i = 0; i < s->nseen; i++)
        if (s->seen[i].rec == rec && s->seen[i].field == s->field)
            return true;
    if (s->nseen < SCRATCH_SEEN)
        s->seen[s->nseen++] = (seen_pair){ rec, s->field };
    return false;
}

/* Reports every live record of a chain (head r1 = record + 1). */
static void emit(tr_ioc_scratch *s, uint32_t r1, tr_ioc_type t, tr_str token)
{
    const tr_ioc_index *x = s->x;
    s->hits++;
    int allowed = -1; /* unknown until the first candidate */
    for (; r1 && !s->stop; r1 = x->recs[r1 - 1].next) {
        const ioc_rec *r = &x->recs[r1 - 1];
        const ioc_meta *m = &x->metas[r->meta];
        if (s->ts != TR_TS_NONE) {
            if (m->valid_from != TR_TS_NONE && s->ts < m->valid_from)
                continue;
            if (m->valid_until != TR_TS_NONE && s->ts >= m->valid_until)
                continue;
        }
        if (allowed < 0)
            allowed = x->has_allow && ioc_allow_check(&x->allow, s->md, t, token);
        if (allowed)
            return;
        if (already(s, r1 - 1))
            continue;
        tr_indicator ind;
        ioc_index_view(x, r1 - 1, &ind);
        tr_ioc_match mm = { &ind, s->field, token, s->field->side };
        if (s->cb(s->ctx, &mm))
            s->stop = true;
    }
}

static void look_str(tr_ioc_scratch *s, tr_ioc_type t, tr_str key, tr_str token)
{
    if (!has_type(s, t) || key.n == 0)
        return;
    uint32_t r1 = ioc_index_find(s->x, t, key, ioc_key_hash(t, key));
    if (r1)
        emit(s, r1, t, token);
}

typedef struct ip_ctx {
    tr_ioc_scratch *s;
    tr_str token;
} ip_ctx;

static bool ip_hit(void *ctx, uint32_t val)
{
    ip_ctx *c = ctx;
    const ioc_rec *r = &c->s->x->recs[val];
    emit(c->s, val + 1, (tr_ioc_type)r->type, c->token);
    return c->s->stop;
}

static void look_v4(tr_ioc_scratch *s, tr_str tok, uint32_t v4)
{
    ip_ctx c = { s, tok };
    ioc_iptab_lookup_v4(&s->x->ips, v4, ip_hit, &c);
}

/* An address, with an optional ":port" (IPv4) or "[v6]:port". */
static void look_ip(tr_ioc_scratch *s, const char *p, size_t n)
{
    if (!(s->x->types & (1u << TR_IOC_IPV4 | 1u << TR_IOC_IPV6 | 1u << TR_IOC_CIDR)))
        return;
    uint32_t v4;
    if (ioc_parse_ipv4(p, n, &v4)) { /* most addresses: no ioc_ip to build */
        look_v4(s, (tr_str){ p, n }, v4);
        return;
    }
    ioc_ip ip;
    tr_str tok = { p, n };
    if (!ioc_parse_ip(p, n, &ip, false)) {
        size_t k = n;
        while (k > 0 && (cls[(unsigned char)p[k - 1]] & C_DIGIT))
            k--;
        if (k < 2 || k == n || p[k - 1] != ':')
            return;
        tok.n = k - 1;
        if (tok.n >= 2 && tok.p[0] == '[' && tok.p[tok.n - 1] == ']') {
            tok.p++;
            tok.n -= 2;
        }
        if (!ioc_parse_ip(tok.p, tok.n, &ip, false))
            return;
    }
    ip_ctx c = { s, tok };
    ioc_iptab_lookup(&s->x->ips, &ip, ip_hit, &c);
}

/* A host name: itself and each parent domain (a.b.evil.com → b.evil.com →
 * evil.com); never a single label. */
static void look_domain(tr_ioc_scratch *s, tr_str h)
{
    while (h.n && h.p[h.n - 1] == '.')
        h.n--;
    if (!has_type(s, TR_IOC_DOMAIN) || h.n < 3)
        return;
    tr_str token = h;
    size_t i = 0;
    for (;;) {
        size_t d = i;
        while (d < h.n && h.p[d] != '.')
            d++;
        if (d >= h.n)
            return; /* the top-level label alone is never looked up */
        look_str(s, TR_IOC_DOMAIN, (tr_str){ h.p + i, h.n - i }, token);
        if (s->stop)
            return;
        i = d + 1;
    }
}

/* A host of a URL, a Host header or a DNS name: an address or a domain. */
static void look_host(tr_ioc_scratch *s, tr_str h)
{
    if (h.n == 0)
        return;
    unsigned char c0 = (unsigned char)h.p[0], cl = (unsigned char)h.p[h.n - 1];
    if ((cls[c0] & C_DIGIT) || c0 == '[' || c0 == ':' || (cls[cl] & C_DIGIT)) {
        uint32_t v4;
        if (ioc_parse_ipv4(h.p, h.n, &v4)) {
            if (s->x->types & (1u << TR_IOC_IPV4 | 1u << TR_IOC_IPV6 | 1u << TR_IOC_CIDR))
                look_v4(s, h, v4);
            return;
        }
        ioc_ip ip;
        tr_str t = h;
        if (t.n >= 2 && t.p[0] == '[' && t.p[t.n - 1] == ']')
            t.p++, t.n -= 2;
        if (ioc_parse_ip(t.p, t.n, &ip, false)) {
            look_ip(s, t.p, t.n);
            return;
        }
    }
    /* "host:port" */
    const char *colon = memchr(h.p, ':', h.n);
    if (colon && !memchr(colon + 1, ':', h.n - (size_t)(colon + 1 - h.p)))
        h.n = (size_t)(colon - h.p);
    look_domain(s, h);
}

static void look_filename(tr_ioc_scratch *s, tr_str name)
{
    if (name.n)
        look_str(s, TR_IOC_FILENAME, name, name);
}

static tr_str last_component(tr_str p)
{
    size_t k = p.n;
    while (k > 0 && p.p[k - 1] != '/' && p.p[k - 1] != '\\')
        k--;
    return (tr_str){ p.p + k, p.n - k };
}

static void scan_text(tr_ioc_scratch *s, const char *p, size_t n);

/* A URL (absolute, or "host/path" without a scheme). */
static void look_url(tr_ioc_scratch *s, tr_str u)
{
    const tr_ioc_index *x = s->x;
    size_t key_off;
    ioc_url_parts parts;
    size_t k = ioc_url_canon_parts(u.p, u.n, s->url, SCRATCH_URL, &key_off, &parts);
    if (!k)
        return;
    look_str(s, TR_IOC_URL, (tr_str){ s->url + key_off, k - key_off }, u);
    if (!s->stop)
        look_host(s, parts.host);
    if (!s->stop && ((x->types >> TR_IOC_FILENAME) & 1u))
        look_filename(s, last_component(parts.path));
    if (parts.query.n && !s->stop)
        scan_text(s, parts.query.p, parts.query.n);
}

/* One piece of a word: an address, a hash, an e-mail address, a path, a
 * host name or a file name, told apart by the bytes it is made of. */
static void classify(tr_ioc_scratch *s, const char *p, size_t n)
{
    while (n && (p[n - 1] == '.' || p[n - 1] == ':'))
        n--;
    while (n && p[0] == '.')
        p++, n--;
    if (n < 3)
        return;
    unsigned all = 0xff;
    size_t dots = 0, colons = 0;
    bool slash = false, at = false, nondigit = false, nonhex = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        unsigned v = cls[c];
        all &= v;
        dots += c == '.';
        colons += c == ':';
        slash |= c == '/' || c == '\\';
        at |= c == '@';
        nondigit |= !(v & C_DIGIT) && c != '.' && c != ':';
        nonhex |= !(v & (C_DIGIT | C_HEX)) && c != '.' && c != ':' && c != '[' && c != ']';
    }
    tr_str w = { p, n };
    if (slash) {
        const char *sl = memchr(p, '/', n);
        if (sl && sl > p && !memchr(p, '\\', n)) {
            tr_str first = { p, (size_t)(sl - p) };
            if (memchr(first.p, '.', first.n) || memchr(first.p, ':', first.n)) {
                look_url(s, w); /* "91.208.184.78/2.exe", "evil.com/gate.php" */
                return;
            }
        }
        tr_str base = last_component(w);
        if (base.n && memchr(base.p, '.', base.n))
            look_filename(s, base);
        return;
    }
    if (at) {
        look_str(s, TR_IOC_EMAIL, w, w);
        const char *a = memchr(p, '@', n);
        look_domain(s, (tr_str){ a + 1, n - (size_t)(a + 1 - p) });
        return;
    }
    if (all & C_HEX && !dots && !colons && (n == 32 || n == 40 || n == 64)) {
        look_str(s, n == 32 ? TR_IOC_MD5 : n == 40 ? TR_IOC_SHA1 : TR_IOC_SHA256, w, w);
        return;
    }
    if (dots == 3 && !nondigit && colons <= 1) { /* "1.2.3.4", "1.2.3.4:443" */
        look_ip(s, p, n);
        return;
    }
    if (colons >= 2 && !nonhex) { /* IPv6, "[v6]:port" */
        look_ip(s, p, n);
        return;
    }
    if (!dots)
        return;
    const char *colon = memchr(p, ':', n);
    tr_str host = colon ? (tr_str){ p, (size_t)(colon - p) } : w;
    if (ioc_is_domain(host.p, host.n)) {
        look_domain(s, host);
        if (!s->stop && !colon)
            look_filename(s, w);
    } else if (!colon) {
        look_filename(s, w);
    }
}

/* A word of free text (between white space or quotes). */
static void scan_word(tr_ioc_scratch *s, const char *p, size_t n)
{
    /* a URL inside the word runs to its end */
    for (const char *c = memchr(p, ':', n); c; c = memchr(c + 1, ':', n - (size_t)(c + 1 - p))) {
        size_t k = (size_t)(c - p);
        if (k == 0 || k + 3 >= n || p[k + 1] != '/' || p[k + 2] != '/')
            continue;
        size_t st = k;
        while (st > 0 && (((p[st - 1] | 0x20) >= 'a' && (p[st - 1] | 0x20) <= 'z')))
            st--;
        if (st == k)
            continue;
        if (st > 0)
            scan_word(s, p, st);
        size_t e = n;
        while (e > k + 3 && (cls[(unsigned char)p[e - 1]] & C_TRIM))
            e--;
        if (!s->stop)
            look_url(s, (tr_str){ p + st, e - st });
        return;
    }
    size_t i = 0;
    while (i < n && !s->stop) {
        while (i < n && (cls[(unsigned char)p[i]] & C_SOFT))
            i++;
        size_t st = i;
        while (i < n && !(cls[(unsigned char)p[i]] & C_SOFT))
            i++;
        if (i > st)
            classify(s, p + st, i - st);
    }
}

static void scan_text(tr_ioc_scratch *s, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && !s->stop) {
        while (i < n && (cls[(unsigned char)p[i]] & C_HARD))
            i++;
        size_t st = i;
        unsigned marks = 0;
        while (i < n && !(cls[(unsigned char)p[i]] & C_HARD))
            marks |= cls[(unsigned char)p[i++]];
        /* a word without . : @ / \ can only be a digest: most words of a user
         * agent or a message are skipped here */
        size_t len = i - st;
        if (len >= 3 && ((marks & C_MARK) || len >= 32))
            scan_word(s, p + st, len);
    }
}

/* Sysmon "SHA1=…,MD5=…,SHA256=…,IMPHASH=…": only the digests named as file hashes. */
static void scan_hashes(tr_ioc_scratch *s, tr_str v)
{
    if (!memchr(v.p, '=', v.n)) {
        scan_text(s, v.p, v.n);
        return;
    }
    size_t i = 0;
    while (i < v.n && !s->stop) {
        size_t st = i;
        while (i < v.n && v.p[i] != ',')
            i++;
        tr_str kv = { v.p + st, i - st };
        i++;
        const char *eq = memchr(kv.p, '=', kv.n);
        if (!eq)
            continue;
        tr_str k = { kv.p, (size_t)(eq - kv.p) }, h = { eq + 1, kv.n - k.n - 1 };
        while (k.n && k.p[0] == ' ')
            k.p++, k.n--;
        tr_ioc_type t = ioc_hash_type(h.p, h.n);
        bool named = (k.n == 3 && tr_mem_eq_nocase(k.p, "MD5", 3)) ||
                     (k.n == 4 && tr_mem_eq_nocase(k.p, "SHA1", 4)) ||
                     (k.n == 5 && tr_mem_eq_nocase(k.p, "SHA-1", 5)) ||
                     (k.n == 6 && tr_mem_eq_nocase(k.p, "SHA256", 6)) ||
                     (k.n == 7 && tr_mem_eq_nocase(k.p, "SHA-256", 7));
        if (t != TR_IOC_NONE && named)
            look_str(s, t, h, h);
    }
}

static tr_str trim_ws(tr_str v)
{
    while (v.n && (unsigned char)v.p[0] <= ' ')
        v.p++, v.n--;
    while (v.n && (unsigned char)v.p[v.n - 1] <= ' ')
        v.n--;
    return v;
}

/* The event's host, for joining with a request URI: its first unescaped
 * DOMAIN or HOSTPORT field, looked for on the first relative URL only. */
static tr_str event_host(tr_ioc_scratch *s)
{
    if (s->host_known)
        return s->host;
    s->host_known = true;
    s->host = (tr_str){ NULL, 0 };
    if (!(s->x->types & (1u << TR_IOC_URL)))
        return s->host;
    const tr_event *ev = s->ev;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const tr_field *f = &ev->fields[i];
        if ((f->vtype == TR_T_DOMAIN || f->vtype == TR_T_HOSTPORT) &&
            !(f->flags & TR_FIELD_ESCAPED)) {
            s->host = trim_ws(f->value);
            break;
        }
    }
    return s->host;
}

static void scan_value(tr_ioc_scratch *s, tr_vtype vt, tr_str v)
{
    v = trim_ws(v);
    if (v.n == 0)
        return;
    switch (vt) {
    case TR_T_TEXT:
    case TR_T_EMAIL:
        scan_text(s, v.p, v.n);
        break;
    case TR_T_IP:
        look_ip(s, v.p, v.n);
        break;
    case TR_T_DOMAIN:
    case TR_T_HOSTPORT:
        look_host(s, v);
        break;
    case TR_T_URL:
        if (v.p[0] == '/') { /* a request URI: joined with the event's host */
            tr_str host = event_host(s);
            if (host.n && host.n + v.n < SCRATCH_URL) {
                memcpy(s->join, host.p, host.n);
                memcpy(s->join + host.n, v.p, v.n);
                look_url(s, (tr_str){ s->join, host.n + v.n });
            } else {
                size_t q = 0;
                while (q < v.n && v.p[q] != '?')
                    q++;
                look_filename(s, last_component((tr_str){ v.p, q }));
                if (q < v.n && !s->stop)
                    scan_text(s, v.p + q + 1, v.n - q - 1);
            }
        } else if (memchr(v.p, ' ', v.n)) {
            scan_text(s, v.p, v.n);
        } else {
            look_url(s, v);
        }
        break;
    case TR_T_HASH: {
        tr_ioc_type t = ioc_hash_type(v.p, v.n);
        if (t != TR_IOC_NONE)
            look_str(s, t, v, v);
        else
            scan_hashes(s, v);
        break;
    }
    case TR_T_HASHES:
        scan_hashes(s, v);
        break;
    case TR_T_PATH:
        look_filename(s, last_component(v));
        break;
    case TR_T_FILENAME:
        look_filename(s, v);
        break;
    default:
        break;
    }
}

/* A value inside another typed value already scanned (a taxonomy copy,
 * cs-uri-query inside cs-uri): those bytes are scanned once. g is a typed,
 * non-address, non-empty field before f. */
static inline bool inside(const tr_field *f, const tr_field *g)
{
    return !((f->flags | g->flags) & TR_FIELD_ESCAPED) && f->value.p >= g->value.p &&
           f->value.p + f->value.n <= g->value.p + g->value.n &&
           (g->vtype == f->vtype || g->vtype == TR_T_URL || g->vtype == TR_T_TEXT);
}

static bool inside_list(const tr_field *f, const tr_field *const *outer, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        if (inside(f, outer[j]))
            return true;
    return false;
}

/* The same over every field before f (events with very many typed fields). */
static bool inside_any(const tr_field *f, const tr_field *fields, uint32_t i)
{
    for (uint32_t j = 0; j < i; j++) {
        const tr_field *g = &fields[j];
        if (g->vtype != TR_T_NONE && g->vtype != TR_T_IP && g->value.n && inside(f, g))
            return true;
    }
    return false;
}

/*
 * Values repeat: a web server sees a few user agents and referrers, a DNS
 * log the same names, all day long. A value whose scan found nothing (no
 * index lookup hit) is remembered, per thread, with its bytes, and the next
 * identical value of the same type is skipped after one hash and one
 * comparison. What is remembered depends only on the value, its type and
 * the index (a request URI also on the host it is joined with, which is
 * then part of the remembered bytes). Addresses, digests and file names
 * cost one lookup anyway and are not remembered.
 */
static bool worth_remembering(tr_vtype vt)
{
    return vt == TR_T_TEXT || vt == TR_T_EMAIL || vt == TR_T_URL || vt == TR_T_DOMAIN ||
           vt == TR_T_HOSTPORT || vt == TR_T_HASHES;
}

static void scan_value_cached(tr_ioc_scratch *s, tr_vtype vt, tr_str v)
{
    v = trim_ws(v);
    if (v.n == 0)
        return;
    tr_str key = v;
    uint8_t mode = (uint8_t)vt;
    tr_str host = vt == TR_T_URL && v.p[0] == '/' ? event_host(s) : (tr_str){ NULL, 0 };
    if (host.n) {
        /* the scan joins host and URI: remember the joined bytes */
        if (host.n + v.n > MISS_BYTES) {
            scan_value(s, vt, v);
            return;
        }
        memcpy(s->join, host.p, host.n);
        memcpy(s->join + host.n, v.p, v.n);
        key = (tr_str){ s->join, host.n + v.n };
        mode |= 0x80;
    }
    if (!worth_remembering(vt) || key.n > MISS_BYTES) {
        scan_value(s, vt, v);
        return;
    }
    uint64_t h = tr_hash64(key.p, key.n, mode) | 1;
    miss_ent *e = &s->miss[(h >> 7) & (MISS_SLOTS - 1)];
    if (e->h == h && e->n == key.n && e->mode == mode && memcmp(e->bytes, key.p, key.n) == 0)
        return;
    uint64_t hits = s->hits;
    scan_value(s, vt, v);
    if (s->hits == hits && !s->stop) {
        e->h = h;
        e->n = (uint16_t)key.n;
        e->mode = mode;
        memcpy(e->bytes, key.p, key.n);
    }
}

/* The comparable text of a field (JSON escapes decoded into the scratch). */
static tr_str field_text(tr_ioc_scratch *s, const tr_field *f)
{
    if (!(f->flags & TR_FIELD_ESCAPED) || f->value.n > SCRATCH_DECODE)
        return f->value;
    size_t n;
    if (tr_json_unescape(f->value.p, f->value.n, s->dec, &n) != TR_OK)
        return f->value;
    return (tr_str){ s->dec, n };
}

tr_err tr_ioc_scan(const tr_ioc_index *x, tr_ioc_scratch *s, const tr_event *ev,
                   tr_ioc_match_fn cb, void *ctx)
{
    if (!x->nlive)
        return TR_OK;
    s->x = x;
    s->cb = cb;
    s->ctx = ctx;
    s->ts = ev->ts;
    s->stop = false;
    s->nseen = 0;
    s->ev = ev;
    s->host_known = false;
    /* typed values that may contain later ones (not addresses), in field order */
    const tr_field *outer[SCAN_OUTER];
    uint32_t nouter = 0;
    bool overflow = false;
    /* most fields are untyped (taxonomy copies, counters): the skip is the
     * tight part of the loop */
    const tr_field *fields = ev->fields;
    for (uint32_t i = 0, n = ev->nfields; i < n; i++) {
        const tr_field *f = &fields[i];
        if (TR_LIKELY(f->vtype == TR_T_NONE))
            continue;
        if (f->kind != TR_VNULL && f->value.n != 0 &&
            !(overflow ? inside_any(f, fields, i) : inside_list(f, outer, nouter))) {
            s->field = f;
            scan_value_cached(s, (tr_vtype)f->vtype, field_text(s, f));
            if (s->stop)
                break;
        }
        if (f->vtype != TR_T_IP && f->value.n) {
            if (nouter < SCAN_OUTER)
                outer[nouter++] = f;
            else
                overflow = true;
        }
    }
    return TR_OK;
}

tr_err tr_ioc_scan_value(const tr_ioc_index *x, tr_ioc_scratch *s, tr_vtype vtype,
                         tr_str value, int64_t ts, tr_ioc_match_fn cb, void *ctx)
{
    tr_field f = { .name = TR_STR("value"), .value = value, .vtype = (uint8_t)vtype };
    tr_event ev;
    tr_event_init(&ev, &f, 1, NULL);
    ev.nfields = 1;
    ev.ts = ts;
    return tr_ioc_scan(x, s, &ev, cb, ctx);
}
