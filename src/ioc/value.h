/*
 * value.h - indicator values: refanging, type detection, normalisation, and
 * the parsers the scanner shares with the feeds (IP addresses, URLs,
 * domains, hashes). One definition of "what an indicator is" for both sides
 * of a match, so that a value normalised from a feed and the same value
 * found in a log compare equal.
 */
#ifndef TR_SRC_IOC_VALUE_H
#define TR_SRC_IOC_VALUE_H

#include "core/common.h"

#include "trawl/ioc.h"

#define IOC_MAX_VALUE 4096 /* longest indicator value accepted, bytes */

/* An IPv4 or IPv6 address or network. IPv4 is kept as an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d) with plen counted in IPv4 bits. */
typedef struct ioc_ip {
    uint8_t a[16];
    uint8_t plen; /* prefix length: 32 (v4) / 128 (v6) for a single address */
    bool v4;
} ioc_ip;

/* Strict dotted quad "a.b.c.d" (each 0..255, 1-3 digits), nothing else. */
bool ioc_parse_ipv4(const char *p, size_t n, uint32_t *out);
/* An IPv4 or IPv6 address, optionally "/plen" when allow_prefix. Also
 * accepts "[v6]" and IPv4-mapped "::ffff:a.b.c.d" (as IPv4). */
bool ioc_parse_ip(const char *p, size_t n, ioc_ip *out, bool allow_prefix);
/* Zeroes the host bits of ip beyond its prefix. */
void ioc_ip_mask(ioc_ip *ip);
/* Text of ip ("1.2.3.4", "2001:db8::1", with "/plen" for a network). */
size_t ioc_ip_format(const ioc_ip *ip, char *out, size_t cap);

/* Refangs in[0..n) into out (needs n bytes: refanging never grows).
 * "hxxp://evil[.]com" → "http://evil.com". Returns the new length. */
size_t ioc_refang(const char *in, size_t n, char *out);

/* True for a host name: labels of [A-Za-z0-9_-] or UTF-8 bytes, at least two
 * labels, a top-level label that is not all digits, ≤ 253 bytes. A trailing
 * dot is allowed. */
bool ioc_is_domain(const char *p, size_t n);
/* n is 32, 40 or 64 and every byte is a hex digit: the hash type, else NONE. */
tr_ioc_type ioc_hash_type(const char *p, size_t n);
/* A file extension that makes "name.ext" a file name rather than a domain. */
bool ioc_is_file_ext(const char *p, size_t n);

/* Canonical URL (docs/IOC.md): lower-case scheme and host, no userinfo,
 * default port dropped, empty path "/", unreserved percent-escapes decoded
 * and other escapes upper-cased, no fragment. Writes "scheme://" + key, or
 * just the key when the URL has no scheme; *key_off receives where the key
 * (the scheme-less part that is compared) starts. Returns the length, 0 when
 * p is not a URL (no host) or out is too small. */
size_t ioc_url_canon(const char *p, size_t n, char *out, size_t cap, size_t *key_off);

/* The parts of a URL as written (slices of the input): host (no brackets,
 * no port, no trailing dot), path and query (without '?'). */
typedef struct ioc_url_parts {
    tr_str host, path, query;
} ioc_url_parts;

/* ioc_url_canon that also returns the parts (one parse for both). */
size_t ioc_url_canon_parts(const char *p, size_t n, char *out, size_t cap, size_t *key_off,
                           ioc_url_parts *parts);

/* The host part of a URL or "host/path" text (no userinfo, no port). */
tr_str ioc_url_host(const char *p, size_t n);

/* Detects the type of a refanged, trimmed value; TR_IOC_NONE if it is none. */
tr_ioc_type ioc_detect(const char *p, size_t n);

/* Normalises value p[0..n) (already refanged) of type *type into out
 * (cap bytes; IOC_MAX_VALUE + 64 is always enough) and may refine the type
 * (an address with a prefix becomes CIDR, "/32" an address). Returns the
 * length, or 0 with *why set when the value is not of that type. */
size_t ioc_normalize(tr_ioc_type *type, const char *p, size_t n, char *out, size_t cap,
                     const char **why);

/* Where the compared key of a normalised URL value starts (after "://"). */
static inline tr_str ioc_url_key(tr_str v)
{
    for (size_t i = 0; i + 2 < v.n && i < 32; i++) {
        if (v.p[i] == ':' && v.p[i + 1] == '/' && v.p[i + 2] == '/')
            return (tr_str){ v.p + i + 3, v.n - i - 3 };
        if (v.p[i] == '/')
            break;
    }
    return v;
}

#endif
