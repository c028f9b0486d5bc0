/*
 * ip.h - strict IPv4/IPv6 address and prefix parsing, canonical formatting.
 *
 * Indicator feeds and log values both go through these parsers, so an
 * address written two ways in two places compares equal. Decisions:
 *
 *   IPv4  exactly four dotted decimal parts, each 0..255, no sign, no
 *         whitespace, and no leading zero ("010.1.1.1" is rejected: inet_aton
 *         reads it as octal 8, many tools as decimal 10; refusing it is the
 *         only reading that cannot be wrong). "1.2.3", "1.2.3.4.5",
 *         "256.1.1.1", hex and single-number forms are rejected.
 *   IPv6  RFC 4291 text: up to eight groups of 1-4 hex digits (either case),
 *         at most one "::", an optional dotted IPv4 tail ("::1.2.3.4",
 *         "64:ff9b::192.0.2.33"). A zone id ("fe80::1%eth0", "%12") is
 *         rejected unless TR_IP_ZONE is given, in which case it is stripped
 *         (a zone scopes a link-local address to one host; it never helps
 *         matching an indicator).
 *   Mapped IPv4-mapped addresses (::ffff:0:0/96, e.g. "::ffff:1.2.3.4", as
 *         dual-stack servers such as IIS log them) are returned as the IPv4
 *         address (family 4), so they match IPv4 indicators; TR_IP_KEEP_MAPPED
 *         keeps them as IPv6.
 *   Prefixes "ADDR/LEN", LEN decimal without leading zero, <= 32 or <= 128;
 *         a bare address is /32 or /128. Host bits below LEN are cleared
 *         ("10.1.2.3/8" is 10.0.0.0/8) unless TR_IP_STRICT_PREFIX rejects
 *         them. A mapped prefix with LEN >= 96 becomes the IPv4 prefix
 *         LEN - 96; a shorter one stays IPv6 (and then matches no IPv4
 *         address, since those are normalised to family 4).
 *
 * Pure functions of their arguments: thread-safe, no allocation.
 */
#ifndef TR_SRC_MATCH_IP_H
#define TR_SRC_MATCH_IP_H

#include "core/common.h"

typedef struct tr_ip {
    uint8_t family; /* 4 or 6 */
    uint8_t b[16];  /* address in network byte order; IPv4 in b[0..4), rest zero */
} tr_ip;

enum tr_ip_flags {
    TR_IP_ZONE = 1 << 0,          /* accept and strip an IPv6 zone id (%eth0) */
    TR_IP_KEEP_MAPPED = 1 << 1,   /* keep ::ffff:a.b.c.d as IPv6 */
    TR_IP_STRICT_PREFIX = 1 << 2  /* tr_cidr_parse: reject host bits below LEN */
};

/* Longest text tr_ip_format() writes, with its NUL. */
#define TR_IP_STRLEN 46

/* Parses one address (the whole slice). TR_OK or TR_EPARSE; *out is zeroed
 * on failure. */
tr_err tr_ip_parse(tr_str s, unsigned flags, tr_ip *out);

/* Parses "ADDR" or "ADDR/LEN" (see above). *out holds the network (host bits
 * cleared), *len the prefix length. TR_OK or TR_EPARSE. */
tr_err tr_cidr_parse(tr_str s, unsigned flags, tr_ip *out, uint8_t *len);

/* Canonical text (IPv4 dotted quad; IPv6 per RFC 5952: lowercase, no leading
 * zeros, the longest run of two or more zero groups as "::"). Writes at most
 * cap bytes including a NUL and returns the length (as snprintf). */
size_t tr_ip_format(const tr_ip *ip, char *buf, size_t cap);

/* Bits of the address: 32 or 128. */
static inline unsigned tr_ip_bits(const tr_ip *ip)
{
    return ip->family == 4 ? 32u : 128u;
}

static inline bool tr_ip_eq(const tr_ip *a, const tr_ip *b)
{
    return a->family == b->family && memcmp(a->b, b->b, 16) == 0;
}

/* True when the first len bits of a and b agree (same family required). */
bool tr_ip_prefix_match(const tr_ip *net, unsigned len, const tr_ip *addr);

#endif
