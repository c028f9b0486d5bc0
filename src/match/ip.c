/*
 * ip.c - the address parsers and formatter (see ip.h for the decisions).
 *
 * Hand-written rather than inet_pton: inet_pton accepts neither zone ids nor
 * slices, and its IPv4 leading-zero behaviour differs between libcs.
 */
#include "core/common.h"

#include "match/ip.h"

/* Parses a strict dotted quad in s[0..n) into out[4]. */
static bool parse_v4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part) {
            if (i >= n || s[i] != '.')
                return false;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        size_t digits = i - start;
        if (digits == 0 || v > 255 || (digits > 1 && s[start] == '0'))
            return false;
        if (i < n && s[i] >= '0' && s[i] <= '9')
            return false; /* a fourth digit */
        out[part] = (uint8_t)v;
    }
    return i == n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parses RFC 4291 text in s[0..n) (no zone) into out[16]. */
static bool parse_v6(const char *s, size_t n, uint8_t out[16])
{
    uint16_t g[8];
    int ng = 0, gap = -1; /* gap: index in g[] where "::" stands */
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
        if (i == n)
            goto done;
    } else if (n >= 1 && s[0] == ':') {
        return false;
    }
    for (;;) {
        /* one group, or a dotted IPv4 tail */
        size_t start = i;
        unsigned v = 0;
        int h;
        while (i < n && (h = hexval(s[i])) >= 0 && i - start < 4) {
            v = v * 16 + (unsigned)h;
            i++;
        }
        if (i < n && s[i] == '.') {
            if (ng > 6)
                return false;
            uint8_t v4[4];
            if (!parse_v4(s + start, n - start, v4))
                return false;
            g[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
            g[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = n;
            break;
        }
        if (i == start || ng >= 8)
            return false;
        if (i < n && hexval(s[i]) >= 0)
            return false; /* a fifth hex digit */
        g[ng++] = (uint16_t)v;
        if (i == n)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < n && s[i] == ':') {
            if (gap >= 0)
                return false; /* a second "::" */
            gap = ng;
            i++;
            if (i == n)
                break;
        } else if (i == n) {
            return false; /* trailing single ':' */
        }
    }
done:
    if (gap >= 0) {
        if (ng > 7)
            return false; /* "::" must stand for at least one group */
        int tail = ng - gap;
        memmove(g + 8 - tail, g + gap, (size_t)tail * sizeof(uint16_t));
        for (int k = gap; k < 8 - tail; k++)
            g[k] = 0;
    } else if (ng != 8) {
        return false;
    }
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(g[k] >> 8);
        out[2 * k + 1] = (uint8_t)g[k];
    }
    return true;
}

static bool is_mapped(const uint8_t b[16])
{
    static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    return memcmp(b, pre, 12) == 0;
}

static bool zone_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == '-';
}

tr_err tr_ip_parse(tr_str s, unsigned flags, tr_ip *out)
{
    memset(out, 0, sizeof(*out));
    if (s.n == 0 || s.n > 128)
        return TR_EPARSE;
    const char *colon = memchr(s.p, ':', s.n);
    if (!colon) {
        if (!parse_v4(s.p, s.n, out->b))
            return TR_EPARSE;
        out->family = 4;
        return TR_OK;
    }
    size_t n = s.n;
    const char *pct = memchr(s.p, '%', s.n);
    if (pct) {
        if (!(flags & TR_IP_ZONE))
            return TR_EPARSE;
        size_t z = (size_t)(pct - s.p);
        if (z + 1 == s.n)
            return TR_EPARSE; /* empty zone */
        for (size_t k = z + 1; k < s.n; k++)
            if (!zone_char(s.p[k]))
                return TR_EPARSE;
        n = z;
    }
    if (!parse_v6(s.p, n, out->b)) {
        memset(out, 0, sizeof(*out));
        return TR_EPARSE;
    }
    out->family = 6;
    if (is_mapped(out->b) && !(flags & TR_IP_KEEP_MAPPED)) {
        memmove(out->b, out->b + 12, 4);
        memset(out->b + 4, 0, 12);
        out->family = 4;
    }
    return TR_OK;
}

static void clear_host_bits(uint8_t b[16], unsigned len)
{
    for (unsigned k = 0; k < 16; k++) {
        unsigned lo = k * 8;
        if (lo >= len)
            b[k] = 0;
        else if (lo + 8 > len)
            b[k] &= (uint8_t)(0xff << (8 - (len - lo)));
    }
}

tr_err tr_cidr_parse(tr_str s, unsigned flags, tr_ip *out, uint8_t *len)
{
    memset(out, 0, sizeof(*out));
    *len = 0;
    const char *slash = s.n ? memchr(s.p, '/', s.n) : NULL;
    tr_str addr = s;
    unsigned plen = 0;
    bool has_len = false;
    if (slash) {
        addr.n = (size_t)(slash - s.p);
        const char *d = slash + 1, *end = s.p + s.n;
        if (d == end || end - d > 3 || (*d == '0' && end - d > 1))
            return TR_EPARSE;
        for (; d < end; d++) {
            if (*d < '0' || *d > '9')
                return TR_EPARSE;
            plen = plen * 10 + (unsigned)(*d - '0');
        }
        has_len = true;
    }
    /* Parse keeping mapped addresses as IPv6 so that LEN is read against 128 bits. */
    tr_ip ip;
    if (tr_ip_parse(addr, flags | TR_IP_KEEP_MAPPED, &ip) != TR_OK)
        return TR_EPARSE;
    unsigned bits = tr_ip_bits(&ip);
    if (!has_len)
        plen = bits;
    if (plen > bits)
        return TR_EPARSE;
    tr_ip net = ip;
    clear_host_bits(net.b, plen);
    if ((flags & TR_IP_STRICT_PREFIX) && !tr_ip_eq(&net, &ip))
        return TR_EPARSE;
    if (net.family == 6 && plen >= 96 && is_mapped(net.b) && !(flags & TR_IP_KEEP_MAPPED)) {
        memmove(net.b, net.b + 12, 4);
        memset(net.b + 4, 0, 12);
        net.family = 4;
        plen -= 96;
    }
    *out = net;
    *len = (uint8_t)plen;
    return TR_OK;
}

bool tr_ip_prefix_match(const tr_ip *net, unsigned len, const tr_ip *addr)
{
    if (net->family != addr->family || len > tr_ip_bits(net))
        return false;
    unsigned full = len / 8, rest = len % 8;
    if (memcmp(net->b, addr->b, full) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (net->b[full] & mask) == (addr->b[full] & mask);
}

size_t tr_ip_format(const tr_ip *ip, char *buf, size_t cap)
{
    char tmp[TR_IP_STRLEN + 8];
    int n = 0;
    const uint8_t *b = ip->b;
    if (ip->family == 4) {
        n = snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    } else {
        uint16_t g[8];
        for (int k = 0; k < 8; k++)
            g[k] = (uint16_t)(b[2 * k] << 8 | b[2 * k + 1]);
        int best = -1, bestlen = 0;
        for (int k = 0; k < 8;) {
            if (g[k]) {
                k++;
                continue;
            }
            int j = k;
            while (j < 8 && !g[j])
                j++;
            if (j - k > bestlen && j - k >= 2) {
                best = k;
                bestlen = j - k;
            }
            k = j;
        }
        bool mapped = is_mapped(b);
        int last = mapped ? 6 : 8; /* groups written in hex */
        if (mapped) {
            best = 0;
            bestlen = 5;
        }
        for (int k = 0; k < last;) {
            if (k == best) {
                n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "::");
                k += bestlen;
                continue;
            }
            if (n && tmp[n - 1] != ':')
                tmp[n++] = ':';
            n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "%x", g[k]);
            k++;
        }
        if (mapped)
            n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ":%u.%u.%u.%u", b[12], b[13], b[14],
                          b[15]);
    }
    if (cap) {
        size_t c = (size_t)n < cap ? (size_t)n : cap - 1;
        memcpy(buf, tmp, c);
        buf[c] = '\0';
    }
    return (size_t)n;
}
