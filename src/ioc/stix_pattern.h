/*
 * stix_pattern.h - the comparison subset of STIX 2.1 patterning that an
 * indicator index can represent: equality (and ISSUBSET for networks, IN for
 * lists) on the value of ipv4-addr, ipv6-addr, domain-name, url, email-addr,
 * network-traffic dst_ref/src_ref, file hashes (MD5, SHA-1, SHA-256, quoted
 * or not) and file names; OR of comparisons and of observations; AND when
 * all but one comparison only constrain the type (network-traffic:
 * dst_ref.type = 'ipv4-addr'). Everything else is rejected with a reason.
 */
#ifndef TR_SRC_IOC_STIX_PATTERN_H
#define TR_SRC_IOC_STIX_PATTERN_H

#include "core/common.h"

#include "trawl/ioc.h"

#define STIX_MAX_COMPARISONS 256

/* Receives each value the pattern matches; type NONE = detect from the
 * value (network-traffic references). Return non-zero to stop. */
typedef int (*stix_value_fn)(void *ctx, tr_ioc_type type, tr_str value);

/* Parses pattern p[0..n) and calls fn once per value. Returns NULL on
 * success, else a static reason ("AND of two value comparisons is not
 * supported", "operator LIKE is not supported", "syntax error at …") copied
 * into err (errlen bytes). buf (at least n bytes) holds unescaped values. */
const char *stix_pattern_values(const char *p, size_t n, char *buf, stix_value_fn fn, void *ctx,
                                char *err, size_t errlen);

#endif
