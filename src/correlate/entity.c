/*
 * entity.c - the infrastructure a detection names: the remote address of a
 * connection (its source for attempts, its destination for post-exploitation
 * egress), names looked up in DNS, URLs and addresses inside command lines
 * and messages, and the indicator itself. These values are what links
 * detections into activity groups, so what is left out matters as much:
 * the tenant's own addresses, private addresses, DNS resolvers, forged HTTP
 * Host headers and the hashes of the executables a process event names
 * (stock OS binaries for living-off-the-land tools) never link anything.
 */
#include "core/common.h"

#include <arpa/inet.h>

#include "core/buf.h"
#include "correlate/cmp.h"

typedef struct field_class {
    const char *name;
    uint8_t cls;
} field_class;

static const field_class classes[] = {
    /* sources: the remote party of an inbound attempt */
    { "c-ip", CM_F_SRC }, { "src_ip", CM_F_SRC }, { "src", CM_F_SRC },
    { "id.orig_h", CM_F_SRC }, { "SourceIp", CM_F_SRC }, { "source.ip", CM_F_SRC },
    { "client.ip", CM_F_SRC }, { "clientip", CM_F_SRC }, { "src_addr", CM_F_SRC },
    { "srcip", CM_F_SRC }, { "remote_addr", CM_F_SRC }, { "IpAddress", CM_F_SRC },
    /* destinations: where a compromised host connected to */
    { "dst_ip", CM_F_DST }, { "dest_ip", CM_F_DST }, { "dst", CM_F_DST },
    { "id.resp_h", CM_F_DST }, { "DestinationIp", CM_F_DST }, { "destination.ip", CM_F_DST },
    { "dst_addr", CM_F_DST }, { "dstip", CM_F_DST }, { "DestinationHostname", CM_F_DST },
    { "destination.domain", CM_F_DST },
    /* names looked up */
    { "query", CM_F_DOMAIN }, { "QueryName", CM_F_DOMAIN }, { "dns.question.name", CM_F_DOMAIN },
    { "dns.rrname", CM_F_DOMAIN }, { "rrname", CM_F_DOMAIN },
    /* the host the event happened on */
    { "Computer", CM_F_HOST }, { "host", CM_F_HOST }, { "hostname", CM_F_HOST },
    { "host.name", CM_F_HOST }, { "observer.name", CM_F_HOST }, { "DeviceName", CM_F_HOST },
    { "agent.hostname", CM_F_HOST }, { "winlog.computer_name", CM_F_HOST },
    /* never infrastructure */
    { "cs-host", CM_F_SKIP }, { "http.hostname", CM_F_SKIP }, { "cs(Host)", CM_F_SKIP },
    { "c-useragent", CM_F_SKIP }, { "cs-user-agent", CM_F_SKIP },
    { "cs(User-Agent)", CM_F_SKIP }, { "user_agent", CM_F_SKIP },
    { "http.http_user_agent", CM_F_SKIP }, { "user_agent.original", CM_F_SKIP },
    { "Hashes", CM_F_SKIP }, { "Hash", CM_F_SKIP }, { "md5", CM_F_SKIP }, { "sha1", CM_F_SKIP },
    { "sha256", CM_F_SKIP }, { "Imphash", CM_F_SKIP }, { "s-ip", CM_F_SKIP },
    { "id.orig_p", CM_F_SKIP }, { "id.resp_p", CM_F_SKIP }, { "src_port", CM_F_SKIP },
    { "dest_port", CM_F_SKIP }, { "SourcePort", CM_F_SKIP }, { "DestinationPort", CM_F_SKIP },
    { "sc-status", CM_F_SKIP }, { "cs-method", CM_F_SKIP }, { "server_name", CM_F_SKIP },
};

tr_err cm_fields_init(tr_campaigns *c)
{
    c->field_class = tr_map_new(TR_ARRAY_LEN(classes) * 2, TR_MAP_NOCASE);
    if (!c->field_class)
        return TR_ENOMEM;
    for (size_t i = 0; i < TR_ARRAY_LEN(classes); i++) {
        tr_err err = tr_map_put(c->field_class, tr_str_c(classes[i].name), classes[i].cls);
        if (err)
            return err;
    }
    return TR_OK;
}

/* ---- addresses ---- */

static bool parse_v4(tr_str s, uint8_t o[4])
{
    size_t i = 0;
    for (int k = 0; k < 4; k++) {
        if (k) {
            if (i >= s.n || s.p[i] != '.')
                return false;
            i++;
        }
        unsigned v = 0, nd = 0;
        while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && nd < 4) {
            v = v * 10 + (unsigned)(s.p[i] - '0');
            i++;
            nd++;
        }
        if (nd == 0 || nd > 3 || v > 255 || (nd > 1 && s.p[i - nd] == '0'))
            return false;
        o[k] = (uint8_t)v;
    }
    return i == s.n;
}

static bool v4_public(const uint8_t o[4])
{
    if (o[0] == 0 || o[0] == 10 || o[0] == 127 || o[0] >= 224)
        return false;
    if (o[0] == 100 && (o[1] & 0xc0) == 64)
        return false; /* 100.64/10 carrier-grade NAT */
    if (o[0] == 169 && o[1] == 254)
        return false;
    if (o[0] == 172 && (o[1] & 0xf0) == 16)
        return false;
    if (o[0] == 192 && o[1] == 168)
        return false;
    return true; /* documentation ranges count as Internet: test fleets use them */
}

bool cm_ip_public(tr_str s)
{
    uint8_t o[4];
    if (parse_v4(s, o))
        return v4_public(o);
    if (s.n < 2 || s.n > 45 || !memchr(s.p, ':', s.n))
        return false;
    char buf[46];
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    uint8_t a[16];
    if (inet_pton(AF_INET6, buf, a) != 1)
        return false;
    static const uint8_t zero[16];
    if (!memcmp(a, zero, 15) && a[15] <= 1)
        return false; /* :: and ::1 */
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return false; /* fe80::/10 */
    if ((a[0] & 0xfe) == 0xfc || a[0] == 0xff)
        return false; /* fc00::/7, multicast */
    if (!memcmp(a, zero, 10) && a[10] == 0xff && a[11] == 0xff)
        return v4_public(a + 12);
    return true;
}

static bool is_ip_literal(tr_str s)
{
    uint8_t o[4];
    if (parse_v4(s, o))
        return true;
    return s.n >= 2 && memchr(s.p, ':', s.n) != NULL && cm_ip_public(s);
}

/* ---- URLs ---- */

static bool scheme_char(char ch, bool first)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
        return true;
    return !first && ((ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == '.');
}

static void lower_append(tr_buf *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tr_buf_putc(b, (char)tr_ascii_lower((unsigned char)p[i]));
}

/* RFC 3986 5.2.4 remove_dot_segments, appending the result to out. */
static void append_path(tr_buf *out, const char *p, size_t n)
{
    size_t base = out->n;
    size_t i = 0;
    if (n == 0) {
        tr_buf_putc(out, '/');
        return;
    }
    while (i < n) {
        /* one segment: p[i] is '/' (paths after an authority start with one) */
        size_t j = i + 1;
        while (j < n && p[j] != '/')
            j++;
        const char *seg = p + i + 1;
        size_t sn = j - i - 1;
        if (sn == 1 && seg[0] == '.') {
            if (j == n)
                tr_buf_putc(out, '/');
        } else if (sn == 2 && seg[0] == '.' && seg[1] == '.') {
            while (out->n > base && out->p[out->n - 1] != '/')
                out->n--;
            if (out->n > base)
                out->n--; /* the '/' before the removed segment */
            if (j == n)
                tr_buf_putc(out, '/');
        } else {
            tr_buf_append(out, p + i, j - i);
        }
        i = j;
    }
    if (out->n == base)
        tr_buf_putc(out, '/');
    out->p[out->n] = '\0';
}

bool cm_url_norm(tr_str s, tr_buf *out, tr_str *host)
{
    size_t i = 0;
    while (i < s.n && scheme_char(s.p[i], i == 0))
        i++;
    if (i == 0 || i + 3 > s.n || memcmp(s.p + i, "://", 3) != 0)
        return false;
    tr_str scheme = { s.p, i };
    size_t a = i + 3, e = a;
    while (e < s.n && s.p[e] != '/' && s.p[e] != '?' && s.p[e] != '#')
        e++;
    const char *auth = s.p + a;
    size_t an = e - a;
    const char *at = NULL;
    for (size_t k = 0; k < an; k++)
        if (auth[k] == '@')
            at = auth + k;
    if (at) {
        an -= (size_t)(at + 1 - auth);
        auth = at + 1;
    }
    if (an == 0)
        return false;
    /* host and port; drop the scheme's default port */
    size_t hn = an;
    const char *colon = NULL;
    if (auth[0] == '[') {
        const char *rb = memchr(auth, ']', an);
        if (!rb)
            return false;
        if ((size_t)(rb + 1 - auth) < an && rb[1] == ':')
            colon = rb + 1;
    } else {
        colon = memchr(auth, ':', an);
    }
    if (colon)
        hn = (size_t)(colon - auth);
    if (hn == 0)
        return false;
    tr_str port = colon ? (tr_str){ colon + 1, an - hn - 1 } : (tr_str){ NULL, 0 };
    bool dflt = port.n == 0 ||
                (tr_str_eq(port, TR_STR("80")) && scheme.n == 4 &&
                 tr_mem_eq_nocase(scheme.p, "http", 4)) ||
                (tr_str_eq(port, TR_STR("443")) && scheme.n == 5 &&
                 tr_mem_eq_nocase(scheme.p, "https", 5)) ||
                (tr_str_eq(port, TR_STR("21")) && scheme.n == 3 &&
                 tr_mem_eq_nocase(scheme.p, "ftp", 3));
    tr_buf_reset(out);
    lower_append(out, scheme.p, scheme.n);
    tr_buf_append(out, "://", 3);
    size_t hoff = out->n;
    lower_append(out, auth, hn);
    if (host)
        *host = (tr_str){ out->p + hoff, hn };
    if (!dflt) {
        tr_buf_putc(out, ':');
        tr_buf_append(out, port.p, port.n);
    }
    size_t q = e;
    while (q < s.n && s.p[q] != '?' && s.p[q] != '#')
        q++;
    append_path(out, s.p + e, q - e);
    if (q < s.n && s.p[q] == '?') {
        size_t f = q;
        while (f < s.n && s.p[f] != '#')
            f++;
        tr_buf_append(out, s.p + q, f - q);
    }
    if (host) /* the buffer may have moved */
        *host = (tr_str){ out->p + hoff, hn };
    return out->p != NULL;
}

/* ---- extraction ---- */

static tr_err add_value(tr_campaigns *c, char type, tr_str v, uint32_t start, uint16_t *nent)
{
    if (v.n == 0 || v.n > 2048 || *nent == UINT16_MAX)
        return TR_OK;
    if (c->ignore && tr_map_get(c->ignore, v, NULL))
        return TR_OK;
    tr_buf *k = &c->scratch;
    tr_buf_reset(k);
    tr_buf_putc(k, type);
    if (type == CM_V_URL)
        tr_buf_append(k, v.p, v.n);
    else
        lower_append(k, v.p, v.n);
    if (type == CM_V_DOMAIN)
        while (k->n > 1 && k->p[k->n - 1] == '.')
            k->n--;
    uint32_t id;
    tr_err err = cm_intern_put(&c->values, (tr_str){ k->p, k->n }, &id);
    if (err)
        return err;
    for (uint32_t i = start; i < c->ents.n; i++)
        if (c->ents.v[i] == id)
            return TR_OK;
    if (!TR_VEC_PUSH(&c->ents, id))
        return TR_ENOMEM;
    (*nent)++;
    return TR_OK;
}

static tr_err add_address(tr_campaigns *c, tr_str v, uint32_t start, uint16_t *nent)
{
    /* "host:port" (one colon) and [v6]:port */
    if (v.n && v.p[0] == '[') {
        const char *rb = memchr(v.p, ']', v.n);
        if (rb)
            v = (tr_str){ v.p + 1, (size_t)(rb - v.p - 1) };
    } else {
        const char *c1 = memchr(v.p, ':', v.n);
        if (c1 && !memchr(c1 + 1, ':', v.n - (size_t)(c1 + 1 - v.p)))
            v.n = (size_t)(c1 - v.p);
    }
    if (is_ip_literal(v))
        return cm_ip_public(v) ? add_value(c, CM_V_IP, v, start, nent) : TR_OK;
    /* a name in an address field (DestinationHostname) */
    if (v.n && memchr(v.p, '.', v.n) && !memchr(v.p, ' ', v.n) && !memchr(v.p, '/', v.n))
        return add_value(c, CM_V_DOMAIN, v, start, nent);
    return TR_OK;
}

static bool url_end(char ch)
{
    return ch <= ' ' || ch == '"' || ch == '\'' || ch == '<' || ch == '>' || ch == '(' ||
           ch == ')' || ch == '[' || ch == ']' || ch == '{' || ch == '}' || ch == ',' ||
           ch == ';' || ch == '|' || ch == '`' || ch == '^' || ch == '\\';
}

/* URLs and IPv4 addresses in free text (command lines, messages). */
static tr_err scan_text(tr_campaigns *c, tr_str v, uint32_t start, uint16_t *nent)
{
    tr_err err;
    tr_buf *url = &c->urlbuf;
    const char *p = v.p, *end = v.p + v.n;
    /* URLs: find "://" and walk back over the scheme */
    for (const char *q = p; q + 3 <= end; q++) {
        q = memchr(q, ':', (size_t)(end - q));
        if (!q || q + 3 > end)
            break;
        if (q[1] != '/' || q[2] != '/')
            continue;
        const char *b = q;
        while (b > p && scheme_char(b[-1], false))
            b--;
        while (b < q && !scheme_char(*b, true))
            b++;
        if (b == q)
            continue;
        const char *e = q + 3;
        while (e < end && !url_end(*e))
            e++;
        while (e > q + 3 && (e[-1] == '.' || e[-1] == ':'))
            e--;
        tr_str host;
        if (cm_url_norm((tr_str){ b, (size_t)(e - b) }, url, &host)) {
            tr_str u = { url->p, url->n };
            if ((err = add_value(c, CM_V_URL, u, start, nent)))
                goto out;
            if (is_ip_literal(host)) {
                if (cm_ip_public(host) && (err = add_value(c, CM_V_IP, host, start, nent)))
                    goto out;
            } else if (host.n && memchr(host.p, '.', host.n)) {
                if ((err = add_value(c, CM_V_DOMAIN, host, start, nent)))
                    goto out;
            }
        }
        q = e - 1;
    }
    /* dotted quads not inside a longer run of digits and dots */
    for (const char *q = p; q < end; q++) {
        if (*q < '0' || *q > '9' || (q > p && (q[-1] == '.' || (q[-1] >= '0' && q[-1] <= '9'))))
            continue;
        const char *e = q;
        while (e < end && ((*e >= '0' && *e <= '9') || *e == '.'))
            e++;
        uint8_t o[4];
        tr_str cand = { q, (size_t)(e - q) };
        if (cand.n >= 7 && parse_v4(cand, o) && v4_public(o) &&
            (err = add_value(c, CM_V_IP, cand, start, nent)))
            goto out;
        q = e - 1;
    }
    err = TR_OK;
out:
    return err;
}

static uint32_t classify(const tr_campaigns *c, tr_str name)
{
    uint64_t v;
    if (tr_map_get(c->field_class, name, &v))
        return (uint32_t)v;
    /* nested JSON keeps its full dotted name: classify by the last part too */
    const char *dot = NULL;
    for (size_t i = name.n; i-- > 0;)
        if (name.p[i] == '.') {
            dot = name.p + i;
            break;
        }
    if (dot && tr_map_get(c->field_class, (tr_str){ dot + 1, name.n - (size_t)(dot + 1 - name.p) },
                          &v))
        return (uint32_t)v;
    return CM_F_OTHER;
}

static tr_err set_host(tr_campaigns *c, tr_str v, uint32_t *host)
{
    if (!v.n || *host)
        return TR_OK;
    if (!is_ip_literal(v)) {
        const char *dot = memchr(v.p, '.', v.n);
        if (dot)
            v.n = (size_t)(dot - v.p);
    }
    tr_buf *k = &c->scratch;
    tr_buf_reset(k);
    lower_append(k, v.p, v.n);
    return cm_intern_put(&c->strs, (tr_str){ k->p, k->n }, host);
}

static tr_err one_field(tr_campaigns *c, tr_str name, tr_str v, uint8_t stage, bool dns,
                        uint32_t start, uint32_t *host, uint16_t *nent)
{
    switch (classify(c, name)) {
    case CM_F_SRC:
        if (dns || stage >= TR_STAGE_COMPROMISED)
            return TR_OK;
        return add_address(c, v, start, nent);
    case CM_F_DST:
        if (dns || stage < TR_STAGE_COMPROMISED)
            return TR_OK;
        return add_address(c, v, start, nent);
    case CM_F_DOMAIN:
        if (v.n && memchr(v.p, '.', v.n) && !is_ip_literal(v))
            return add_value(c, CM_V_DOMAIN, v, start, nent);
        return TR_OK;
    case CM_F_HOST: return set_host(c, v, host);
    case CM_F_SKIP: return TR_OK;
    default: return scan_text(c, v, start, nent);
    }
}

static tr_err add_indicator(tr_campaigns *c, const tr_detection *d, uint32_t start,
                            uint16_t *nent)
{
    tr_str t = d->indicator.type, v = d->indicator.value;
    if (!v.n)
        return TR_OK;
    if (tr_str_eq(t, TR_STR("ipv4")) || tr_str_eq(t, TR_STR("ipv6")) ||
        tr_str_eq(t, TR_STR("ip")))
        return add_value(c, CM_V_IP, v, start, nent);
    if (tr_str_eq(t, TR_STR("cidr"))) {
        /* the address that fell in the range, not the range */
        for (uint32_t i = 0; i < d->nfields; i++)
            if (tr_str_eq(d->fields[i].key, d->indicator.field) &&
                is_ip_literal(d->fields[i].value))
                return add_value(c, CM_V_IP, d->fields[i].value, start, nent);
        return TR_OK;
    }
    if (tr_str_eq(t, TR_STR("domain")) || tr_str_eq(t, TR_STR("hostname")))
        return add_value(c, CM_V_DOMAIN, v, start, nent);
    if (tr_str_eq(t, TR_STR("url"))) {
        if (cm_url_norm(v, &c->urlbuf, NULL))
            return add_value(c, CM_V_URL, (tr_str){ c->urlbuf.p, c->urlbuf.n }, start, nent);
        return add_value(c, CM_V_URL, v, start, nent);
    }
    if (tr_str_eq(t, TR_STR("md5")) || tr_str_eq(t, TR_STR("sha1")) ||
        tr_str_eq(t, TR_STR("sha256")) || tr_str_eq(t, TR_STR("sha512")))
        return add_value(c, CM_V_HASH, v, start, nent);
    if (tr_str_eq(t, TR_STR("filename")))
        return add_value(c, CM_V_FILE, v, start, nent);
    if (tr_str_eq(t, TR_STR("email")))
        return add_value(c, CM_V_EMAIL, v, start, nent);
    return TR_OK;
}

tr_err cm_extract(tr_campaigns *c, const tr_detection *d, uint8_t stage, bool dns,
                  uint32_t *host, uint16_t *nent)
{
    tr_err err;
    uint32_t start = (uint32_t)c->ents.n;
    *host = 0;
    *nent = 0;
    for (uint32_t i = 0; i < d->nfields; i++)
        if ((err = one_field(c, d->fields[i].key, d->fields[i].value, stage, dns, start, host,
                             nent)))
            return err;
    for (uint32_t i = 0; i < d->ngroup; i++)
        if ((err = one_field(c, d->group[i].key, d->group[i].value, stage, dns, start, host,
                             nent)))
            return err;
    if (d->kind == TR_DET_IOC && (err = add_indicator(c, d, start, nent)))
        return err;
    return TR_OK;
}
