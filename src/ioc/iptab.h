/*
 * iptab.h - a compact, immutable table of IP addresses and networks.
 *
 * One open-addressing hash table per address family keyed by (masked
 * address, prefix length), plus the list of prefix lengths in use. A lookup
 * masks the address once per prefix length present (longest first) and
 * probes: for real feeds that is a handful of probes, and the memory is 12
 * bytes (IPv4) or 24 bytes (IPv6) per slot at a load factor under 1/2, far
 * below a pointer-based trie. Exact addresses are /32 and /128 entries.
 * A Bloom filter (filter.h) answers most probes of absent keys without
 * touching the tables.
 */
#ifndef TR_SRC_IOC_IPTAB_H
#define TR_SRC_IOC_IPTAB_H

#include "core/common.h"

#include "ioc/filter.h"
#include "ioc/value.h"

typedef struct ioc_v4slot {
    uint32_t addr;  /* masked address */
    uint32_t val1;  /* payload + 1; 0 = empty */
    uint8_t plen;
} ioc_v4slot;

typedef struct ioc_v6slot {
    uint8_t a[16];
    uint32_t val1;
    uint8_t plen;
} ioc_v6slot;

typedef struct ioc_iptab {
    ioc_v4slot *v4;
    size_t v4mask;
    ioc_v6slot *v6;
    size_t v6mask;
    uint8_t v4plens[33];  /* prefix lengths present, longest first */
    uint8_t nv4plens;
    uint8_t v6plens[129];
    uint8_t nv6plens;
    size_t count;
    ioc_filter filter;    /* keys (masked address, prefix length) present */
} ioc_iptab;

/* Sizes the table for n4 IPv4 and n6 IPv6 entries. */
tr_err ioc_iptab_init(ioc_iptab *t, size_t n4, size_t n6);
void ioc_iptab_release(ioc_iptab *t);
/* Inserts ip (masked by the caller) with payload val. When the key is
 * already present, *existing receives its payload and nothing is inserted. */
void ioc_iptab_put(ioc_iptab *t, const ioc_ip *ip, uint32_t val, bool *dup, uint32_t *existing);

/* Calls fn for each entry containing the address ip (a single address),
 * longest prefix first; stops when fn returns true. */
typedef bool (*ioc_iptab_fn)(void *ctx, uint32_t val);
void ioc_iptab_lookup(const ioc_iptab *t, const ioc_ip *ip, ioc_iptab_fn fn, void *ctx);
/* The same for the IPv4 address a (host order), without an ioc_ip. */
void ioc_iptab_lookup_v4(const ioc_iptab *t, uint32_t a, ioc_iptab_fn fn, void *ctx);
bool ioc_iptab_any(const ioc_iptab *t, const ioc_ip *ip);
size_t ioc_iptab_memory(const ioc_iptab *t);

#endif
