/*
 * value.c - what an indicator value is (see value.h).
 *
 * Feeds and logs spell the same thing many ways: "hxxp://Evil[.]com:80/",
 * "EVIL.COM.", "10.0.0.1/32". Everything is brought to one canonical form
 * here, and the scanner uses the same parsers on log values, so that
 * equality of canonical forms is the whole matching rule.
 */
#include "core/common.h"

#include <arpa/inet.h>

#include "core/hash.h"
#include "ioc/value.h"

static inline bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static inline int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

bool ioc_parse_ipv4(const char *p, size_t n, uint32_t *out)
{
    /* 1 to 3 digits a part (leading zeros allowed), each at most 255; the
     * digits unrolled, since every address of every log comes through here */
    if (n < 7 || n > 15)
        return false;
    const unsigned char *q = (const unsigned char *)p, *e = q + n;
    uint32_t v = 0;
    for (int part = 0;; part++) {
        unsigned x = (unsigned)*q - '0', d;
        if (x > 9)
            return false;
        q++;
        if (q < e && (d = (unsigned)*q - '0') <= 9) {
            x = x * 10 + d;
            q++;
            if (q < e && (d = (unsigned)*q - '0') <= 9) {
                x = x * 10 + d;
                q++;
                if (x > 255)
                    return false;
            }
        }
        v = v << 8 | x;
        if (part == 3)
            break;
        if (e - q < 2 || *q != '.') /* a dot and at least one digit */
            return false;
        q++;
    }
    if (q != e)
        return false;
    *out = v;
    return true;
}

static void ip_from_v4(ioc_ip *ip, uint32_t v)
{
    memset(ip->a, 0, 10);
    ip->a[10] = ip->a[11] = 0xff;
    ip->a[12] = (uint8_t)(v >> 24);
    ip->a[13] = (uint8_t)(v >> 16);
    ip->a[14] = (uint8_t)(v >> 8);
    ip->a[15] = (uint8_t)v;
    ip->v4 = true;
    ip->plen = 32;
}

static bool is_v4_mapped(const uint8_t a[16])
{
    static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(a, pre, 12) == 0;
}

bool ioc_parse_ip(const char *p, size_t n, ioc_ip *out, bool allow_prefix)
{
    int plen = -1;
    if (allow_prefix) {
        for (size_t i = n; i > 0; i--) {
            if (p[i - 1] == '/') {
                size_t d = n - i;
                if (d == 0 || d > 3)
                    return false;
                plen = 0;
                for (size_t k = i; k < n; k++) {
                    if (!is_digit((unsigned char)p[k]))
                        return false;
                    plen = plen * 10 + (p[k] - '0');
                }
                n = i - 1;
                break;
            }
        }
    }
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        p++;
        n -= 2;
    }
    uint32_t v4;
    if (ioc_parse_ipv4(p, n, &v4)) {
        ip_from_v4(out, v4);
        if (plen > 32)
            return false;
        if (plen >= 0)
            out->plen = (uint8_t)plen;
        return true;
    }
    if (n < 2 || n > 45)
        return false;
    char buf[48];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (hexval(c) < 0 && c != ':' && c != '.')
            return false;
        buf[k++] = (char)c;
    }
    buf[k] = '\0';
    if (inet_pton(AF_INET6, buf, out->a) != 1)
        return false;
    if (is_v4_mapped(out->a)) {
        out->v4 = true;
        out->plen = 32;
        if (plen > 128 || (plen >= 0 && plen < 96))
            return false;
        if (plen >= 0)
            out->plen = (uint8_t)(plen - 96);
        return true;
    }
    out->v4 = false;
    out->plen = 128;
    if (plen > 128)
        return false;
    if (plen >= 0)
        out->plen = (uint8_t)plen;
    return true;
}

void ioc_ip_mask(ioc_ip *ip)
{
    unsigned bits = ip->v4 ? 96u + ip->plen : ip->plen;
    for (unsigned i = 0; i < 16; i++) {
        unsigned lo = i * 8;
        if (bits >= lo + 8)
            continue;
        if (bits <= lo)
            ip->a[i] = 0;
        else
            ip->a[i] &= (uint8_t)(0xff00u >> (bits - lo));
    }
}

size_t ioc_ip_format(const ioc_ip *ip, char *out, size_t cap)
{
    char buf[64];
    if (ip->v4) {
        snprintf(buf, sizeof(buf), "%u.%u.%u.%u", ip->a[12], ip->a[13], ip->a[14], ip->a[15]);
    } else if (!inet_ntop(AF_INET6, ip->a, buf, sizeof(buf))) {
        return 0;
    }
    size_t n = strlen(buf);
    unsigned full = ip->v4 ? 32 : 128;
    if (ip->plen != full)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "/%u", ip->plen);
    if (n >= cap)
        return 0;
    memcpy(out, buf, n + 1);
    return n;
}

/* Case-insensitive prefix test of p[i..n) against lit. */
static bool at(const char *p, size_t n, size_t i, const char *lit, size_t ln)
{
    return i + ln <= n && tr_mem_eq_nocase(p + i, lit, ln);
}

size_t ioc_refang(const char *in, size_t n, char *out)
{
    static const struct {
        const char *from;
        uint8_t fn;
        const char *to;
    } subs[] = {
        { "[://]", 5, "://" }, { "[:]", 3, ":" },   { "[.]", 3, "." },    { "(.)", 3, "." },
        { "{.}", 3, "." },     { "[dot]", 5, "." }, { "(dot)", 5, "." },  { "{dot}", 5, "." },
        { "\\.", 2, "." },     { "[/]", 3, "/" },   { "[@]", 3, "@" },    { "(@)", 3, "@" },
        { "{@}", 3, "@" },     { "[at]", 4, "@" },  { "(at)", 4, "@" },
    };
    size_t o = 0, i = 0;
    /* scheme spellings, only at the start of the value */
    if (at(in, n, 0, "hxxp", 4) || at(in, n, 0, "hxtp", 4) || at(in, n, 0, "h**p", 4) ||
        at(in, n, 0, "meow", 4)) {
        memcpy(out, "http", 4);
        o = i = 4;
    } else if (at(in, n, 0, "fxp", 3)) {
        memcpy(out, "ftp", 3);
        o = i = 3;
    }
    while (i < n) {
        char c = in[i];
        if (c == '[' || c == '(' || c == '{' || c == '\\') {
            bool hit = false;
            for (size_t k = 0; k < TR_ARRAY_LEN(subs); k++) {
                if (subs[k].from[0] == c && at(in, n, i, subs[k].from, subs[k].fn)) {
                    size_t tl = strlen(subs[k].to);
                    memcpy(out + o, subs[k].to, tl);
                    o += tl;
                    i += subs[k].fn;
                    hit = true;
                    break;
                }
            }
            if (hit)
                continue;
        }
        out[o++] = c;
        i++;
    }
    return o;
}

static inline bool host_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
           c == '_' || c >= 0x80;
}

bool ioc_is_domain(const char *p, size_t n)
{
    if (n && p[n - 1] == '.')
        n--;
    if (n < 3 || n > 253)
        return false;
    size_t labels = 0, len = 0;
    bool alpha_in_last = false;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '.') {
            if (len == 0 || len > 63)
                return false;
            labels++;
            if (i < n) {
                len = 0;
                alpha_in_last = false;
            }
            continue;
        }
        unsigned char c = (unsigned char)p[i];
        if (!host_char(c) || (len == 0 && c == '-'))
            return false;
        if (!is_digit(c))
            alpha_in_last = true;
        len++;
    }
    return labels >= 2 && alpha_in_last && p[n - len] != '-';
}

tr_ioc_type ioc_hash_type(const char *p, size_t n)
{
    if (n != 32 && n != 40 && n != 64)
        return TR_IOC_NONE;
    for (size_t i = 0; i < n; i++)
        if (hexval((unsigned char)p[i]) < 0)
            return TR_IOC_NONE;
    return n == 32 ? TR_IOC_MD5 : n == 40 ? TR_IOC_SHA1 : TR_IOC_SHA256;
}

bool ioc_is_file_ext(const char *p, size_t n)
{
    /* Extensions that are not (or hardly ever used as) top-level domains. */
    static const char *const exts[] = {
        "exe", "dll", "sys", "bat", "cmd", "ps1", "psm1", "vbs", "vbe", "js",  "jse", "wsf",
        "hta", "jar", "zip", "rar", "7z",  "gz",  "tgz", "doc", "docx", "docm", "xls", "xlsx",
        "xlsm", "ppt", "pptx", "pdf", "rtf", "lnk", "scr", "msi", "iso", "img", "elf", "bin",
        "sh",  "py",  "php", "jsp", "jspx", "asp", "aspx", "ashx", "txt", "dat", "tmp", "ocx",
        "cpl", "html", "htm", "log", "ini", "cfg", "conf", "dmp", "apk", "dylib", "so",
        "pl",  "rb",  "war", "class", "xml", "json", "csv", "png", "jpg", "gif", "svg", "tar",
        "cab", "chm", "inf", "reg", "sct", "xll", "wll", "one", "vhd", "vhdx", "ps", "db",
    };
    if (n == 0 || n > 5)
        return false;
    unsigned char c0 = tr_ascii_lower((unsigned char)p[0]);
    for (size_t i = 0; i < TR_ARRAY_LEN(exts); i++)
        if ((unsigned char)exts[i][0] == c0 && strlen(exts[i]) == n &&
            tr_mem_eq_nocase(exts[i], p, n))
            return true;
    return false;
}

static bool unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Copies a path or query with percent-escapes normalised. */
static size_t put_pct(const char *p, size_t n, char *out, size_t o, size_t cap, bool *ok)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        if (o + 3 >= cap) {
            *ok = false;
            return o;
        }
        unsigned char c = (unsigned char)p[i];
        if (c <= ' ' || c == 0x7f || c == '"' || c == '<' || c == '>') {
            *ok = false; /* not a URL character: a URL never holds raw white space */
            return o;
        }
        if (c == '%' && i + 2 < n && hexval((unsigned char)p[i + 1]) >= 0 &&
            hexval((unsigned char)p[i + 2]) >= 0) {
            unsigned char d =
                (unsigned char)(hexval((unsigned char)p[i + 1]) * 16 + hexval((unsigned char)p[i + 2]));
            if (unreserved(d)) {
                out[o++] = (char)d;
            } else {
                out[o++] = '%';
                out[o++] = hex[d >> 4];
                out[o++] = hex[d & 15];
            }
            i += 2;
            continue;
        }
        out[o++] = (char)c;
    }
    return o;
}

static unsigned default_port(const char *s, size_t n)
{
    if (n == 0 || (n == 4 && tr_mem_eq_nocase(s, "http", 4)))
        return 80;
    if (n == 5 && tr_mem_eq_nocase(s, "https", 5))
        return 443;
    if (n == 3 && tr_mem_eq_nocase(s, "ftp", 3))
        return 21;
    if (n == 2 && tr_mem_eq_nocase(s, "ws", 2))
        return 80;
    if (n == 3 && tr_mem_eq_nocase(s, "wss", 3))
        return 443;
    return 0;
}

/* Splits a URL into scheme, authority (host, port) and rest. */
typedef struct url_parts {
    tr_str scheme, host, port, path, query;
} url_parts;

static bool url_split(const char *p, size_t n, url_parts *u)
{
    memset(u, 0, sizeof(*u));
    size_t i = 0;
    if (n && ((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z')) {
        size_t k = 1;
        while (k < n && k < 32 &&
               (host_char((unsigned char)p[k]) || p[k] == '+' || p[k] == '.') && p[k] != '_')
            k++;
        if (k + 2 < n && p[k] == ':' && p[k + 1] == '/' && p[k + 2] == '/') {
            u->scheme = (tr_str){ p, k };
            i = k + 3;
        }
    }
    /* One pass over the authority: where the userinfo ends (the last '@'),
     * and after it the first ':', the first byte that cannot be in a host
     * name and whether the port is all digits. */
    size_t a = i, colon = SIZE_MAX, bad = SIZE_MAX;
    bool port_ok = true;
    for (; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '/' || c == '?' || c == '#')
            break;
        if (c == '@') {
            a = i + 1;
            colon = bad = SIZE_MAX;
            port_ok = true;
        } else if (colon != SIZE_MAX) {
            port_ok &= is_digit(c);
        } else if (c == ':') {
            colon = i;
        } else if (bad == SIZE_MAX && !host_char(c) && c != '.') {
            bad = i;
        }
    }
    tr_str auth = { p + a, i - a };
    if (auth.n == 0)
        return false;
    if (auth.p[0] != '[') { /* a name or an IPv4 address: decided by the pass */
        u->host = (tr_str){ auth.p, (colon == SIZE_MAX ? i : colon) - a };
        if (colon != SIZE_MAX)
            u->port = (tr_str){ p + colon + 1, i - colon - 1 };
        if (u->host.n && u->host.p[u->host.n - 1] == '.')
            u->host.n--;
        if (u->host.n == 0 || !port_ok || bad != SIZE_MAX)
            return false;
    } else { /* "[v6]" or "[v6]:port" */
        size_t k = 1;
        while (k < auth.n && auth.p[k] != ']')
            k++;
        if (k == auth.n)
            return false;
        u->host = (tr_str){ auth.p, k + 1 };
        if (k + 1 < auth.n) {
            if (auth.p[k + 1] != ':')
                return false;
            u->port = (tr_str){ auth.p + k + 2, auth.n - k - 2 };
        }
        for (size_t j = 0; j < u->port.n; j++)
            if (!is_digit((unsigned char)u->port.p[j]))
                return false;
    }
    size_t ps = i;
    while (i < n && p[i] != '?' && p[i] != '#')
        i++;
    u->path = (tr_str){ p + ps, i - ps };
    if (i < n && p[i] == '?') {
        size_t qs = ++i;
        while (i < n && p[i] != '#')
            i++;
        u->query = (tr_str){ p + qs, i - qs };
    }
    return true;
}

tr_str ioc_url_host(const char *p, size_t n)
{
    url_parts u;
    if (!url_split(p, n, &u))
        return (tr_str){ NULL, 0 };
    if (u.host.n >= 2 && u.host.p[0] == '[')
        return (tr_str){ u.host.p + 1, u.host.n - 2 };
    return u.host;
}

size_t ioc_url_canon(const char *p, size_t n, char *out, size_t cap, size_t *key_off)
{
    ioc_url_parts parts;
    return ioc_url_canon_parts(p, n, out, cap, key_off, &parts);
}

size_t ioc_url_canon_parts(const char *p, size_t n, char *out, size_t cap, size_t *key_off,
                           ioc_url_parts *parts)
{
    url_parts u;
    if (!url_split(p, n, &u))
        return 0;
    parts->host = u.host;
    if (u.host.n >= 2 && u.host.p[0] == '[')
        parts->host = (tr_str){ u.host.p + 1, u.host.n - 2 };
    parts->path = u.path;
    parts->query = u.query;
    if (u.scheme.n + u.host.n + u.port.n + 8 >= cap)
        return 0;
    size_t o = 0;
    for (size_t i = 0; i < u.scheme.n; i++)
        out[o++] = (char)tr_ascii_lower((unsigned char)u.scheme.p[i]);
    if (u.scheme.n) {
        memcpy(out + o, "://", 3);
        o += 3;
    }
    *key_off = o;
    for (size_t i = 0; i < u.host.n; i++)
        out[o++] = (char)tr_ascii_lower((unsigned char)u.host.p[i]);
    if (u.port.n) {
        unsigned port = 0;
        for (size_t i = 0; i < u.port.n && port < 100000; i++)
            port = port * 10 + (unsigned)(u.port.p[i] - '0');
        if (port != default_port(u.scheme.p, u.scheme.n)) {
            out[o++] = ':';
            memcpy(out + o, u.port.p, u.port.n);
            o += u.port.n;
        }
    }
    bool ok = true;
    if (u.path.n == 0)
        out[o++] = '/';
    else
        o = put_pct(u.path.p, u.path.n, out, o, cap, &ok);
    if (ok && u.query.n) {
        out[o++] = '?';
        o = put_pct(u.query.p, u.query.n, out, o, cap, &ok);
    }
    if (!ok || o >= cap)
        return 0;
    out[o] = '\0';
    return o;
}

static bool is_email(const char *p, size_t n)
{
    size_t at_pos = n;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '@') {
            if (at_pos != n)
                return false;
            at_pos = i;
        } else if (at_pos == n && !(host_char(c) || c == '.' || c == '+' || c == '%')) {
            return false; /* local part: letters, digits, . _ % + - (what mail systems use) */
        }
    }
    return at_pos > 0 && at_pos < n && p[0] != '.' && p[at_pos - 1] != '.' &&
           ioc_is_domain(p + at_pos + 1, n - at_pos - 1);
}

/* "host" or "host:port" is a domain or an IP address. */
static bool is_host(const char *p, size_t n)
{
    size_t k = n;
    for (size_t i = 0; i < n; i++)
        if (p[i] == ':') {
            k = i;
            break;
        }
    ioc_ip ip;
    return ioc_is_domain(p, k) || ioc_parse_ip(p, k, &ip, false);
}

static tr_str basename_of(const char *p, size_t n)
{
    size_t s = n;
    while (s > 0 && p[s - 1] != '/' && p[s - 1] != '\\')
        s--;
    return (tr_str){ p + s, n - s };
}

static bool is_filename(const char *p, size_t n)
{
    if (n == 0 || n > 255)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < ' ' || c == '/' || c == '\\' || c == '"' || c == '<' || c == '>' || c == '|')
            return false;
    }
    return !(n == 1 && p[0] == '.') && !(n == 2 && p[0] == '.' && p[1] == '.');
}

static bool has_file_ext(const char *p, size_t n)
{
    size_t d = n;
    while (d > 0 && p[d - 1] != '.')
        d--;
    return d > 0 && ioc_is_file_ext(p + d, n - d);
}

tr_ioc_type ioc_detect(const char *p, size_t n)
{
    if (n == 0 || n > IOC_MAX_VALUE)
        return TR_IOC_NONE;
    bool slash = false, bslash = false, space = false, at_sign = false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ':' && i + 2 < n && p[i + 1] == '/' && p[i + 2] == '/' && i > 0)
            return TR_IOC_URL;
        slash |= c == '/';
        bslash |= c == '\\';
        space |= (unsigned char)c <= ' ';
        at_sign |= c == '@';
    }
    ioc_ip ip;
    if (ioc_parse_ip(p, n, &ip, true)) {
        unsigned full = ip.v4 ? 32 : 128;
        return ip.plen != full ? TR_IOC_CIDR : ip.v4 ? TR_IOC_IPV4 : TR_IOC_IPV6;
    }
    /* "1.2.3.4:443" (ThreatFox ip:port) */
    for (size_t i = n; i > 0; i--) {
        if (p[i - 1] == ':') {
            uint32_t v;
            if (ioc_parse_ipv4(p, i - 1, &v))
                return TR_IOC_IPV4;
            break;
        }
    }
    tr_ioc_type h = ioc_hash_type(p, n);
    if (h != TR_IOC_NONE)
        return h;
    if (space)
        return TR_IOC_NONE;
    if (at_sign && is_email(p, n))
        return TR_IOC_EMAIL;
    if (bslash)
        return is_filename(basename_of(p, n).p, basename_of(p, n).n) ? TR_IOC_FILENAME
                                                                       : TR_IOC_NONE;
    if (slash) {
        size_t k = 0;
        ioc_ip ip;
        const char *last = memrchr(p, '/', n);
        if (last && ioc_parse_ip(p, (size_t)(last - p), &ip, false))
            return TR_IOC_CIDR; /* an address with a bad prefix: normalising says why */
        while (k < n && p[k] != '/')
            k++;
        if (k > 0 && is_host(p, k))
            return TR_IOC_URL;
        tr_str b = basename_of(p, n);
        return b.n && is_filename(b.p, b.n) ? TR_IOC_FILENAME : TR_IOC_NONE;
    }
    if (ioc_is_domain(p, n))
        return has_file_ext(p, n) ? TR_IOC_FILENAME : TR_IOC_DOMAIN;
    /* "name.ext": an extension of 1-8 letters and digits with a letter */
    const char *dot = memrchr(p, '.', n);
    if (dot && dot > p && is_filename(p, n) && !at_sign) {
        size_t el = n - (size_t)(dot + 1 - p);
        bool letter = false, ok = el >= 1 && el <= 8;
        for (const char *q = dot + 1; q < p + n && ok; q++) {
            unsigned char c = (unsigned char)*q;
            ok = is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
            letter |= !is_digit(c);
        }
        if (ok && letter)
            return TR_IOC_FILENAME;
    }
    return TR_IOC_NONE;
}

static size_t put_lower(const char *p, size_t n, char *out, size_t cap)
{
    if (n >= cap)
        return 0;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tr_ascii_lower((unsigned char)p[i]);
    out[n] = '\0';
    return n;
}

size_t ioc_normalize(tr_ioc_type *type, const char *p, size_t n, char *out, size_t cap,
                     const char **why)
{
    *why = NULL;
    if (n == 0) {
        *why = "empty value";
        return 0;
    }
    if (n > IOC_MAX_VALUE) {
        *why = "value longer than 4096 bytes";
        return 0;
    }
    switch (*type) {
    case TR_IOC_IPV4:
    case TR_IOC_IPV6:
    case TR_IOC_CIDR: {
        ioc_ip ip;
        bool ok = ioc_parse_ip(p, n, &ip, true);
        if (!ok && *type == TR_IOC_IPV4) { /* "a.b.c.d:port" */
            for (size_t i = n; i > 0 && !ok; i--)
                if (p[i - 1] == ':') {
                    ok = ioc_parse_ip(p, i - 1, &ip, false);
                    break;
                }
        }
        if (!ok) {
            *why = "not an IP address or network";
            return 0;
        }
        unsigned full = ip.v4 ? 32 : 128;
        ioc_ip_mask(&ip);
        *type = ip.plen != full ? TR_IOC_CIDR : ip.v4 ? TR_IOC_IPV4 : TR_IOC_IPV6;
        size_t k = ioc_ip_format(&ip, out, cap);
        if (!k)
            *why = "not an IP address or network";
        return k;
    }
    case TR_IOC_DOMAIN: {
        if (n >= 2 && p[0] == '*' && p[1] == '.') {
            p += 2;
            n -= 2;
        }
        if (n && p[n - 1] == '.')
            n--;
        ioc_ip ip;
        if (ioc_parse_ip(p, n, &ip, false)) { /* MISP "domain|ip" halves, hostname fields */
            *type = ip.v4 ? TR_IOC_IPV4 : TR_IOC_IPV6;
            return ioc_normalize(type, p, n, out, cap, why);
        }
        if (!ioc_is_domain(p, n)) {
            *why = "not a domain name";
            return 0;
        }
        return put_lower(p, n, out, cap);
    }
    case TR_IOC_URL: {
        size_t key;
        size_t k = ioc_url_canon(p, n, out, cap, &key);
        if (!k)
            *why = "not a URL (no host)";
        return k;
    }
    case TR_IOC_MD5:
    case TR_IOC_SHA1:
    case TR_IOC_SHA256: {
        tr_ioc_type h = ioc_hash_type(p, n);
        if (h != *type) {
            *why = h == TR_IOC_NONE ? "not a hex digest" : "digest length does not fit its type";
            return 0;
        }
        return put_lower(p, n, out, cap);
    }
    case TR_IOC_EMAIL:
        while (n && p[n - 1] == '.')
            n--;
        if (!is_email(p, n)) {
            *why = "not an e-mail address";
            return 0;
        }
        return put_lower(p, n, out, cap);
    case TR_IOC_FILENAME: {
        tr_str b = basename_of(p, n);
        if (!is_filename(b.p, b.n)) {
            *why = "not a file name";
            return 0;
        }
        if (b.n >= cap)
            return 0;
        memcpy(out, b.p, b.n);
        out[b.n] = '\0';
        return b.n;
    }
    default:
        *why = "unknown indicator type";
        return 0;
    }
}
