/*
 * allow.c - benign lists ("allowlists") that suppress indicator matches.
 *
 * Feeds are noisy: a C2 list that names 8.8.8.8 or a CDN host would flood
 * every tenant with detections. A MISP warninglist (string, cidr, hostname,
 * substring, regex) or a plain list of known-good values is consulted twice:
 * at build time an indicator that is itself on the list is dropped (and
 * counted), and at match time a match whose event value is on the list is
 * suppressed. Both checks are off the per-token path: they run only after
 * an index hit.
 */
#include "core/common.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "ioc/index.h"

void ioc_allow_release(ioc_allow *a)
{
    tr_map_free(a->exact);
    tr_map_free(a->hosts);
    TR_VEC_FREE(&a->nets);
    ioc_iptab_release(&a->iptab);
    for (size_t i = 0; i < a->substrings.n; i++)
        tr_free((void *)a->substrings.v[i].p);
    TR_VEC_FREE(&a->substrings);
    for (size_t i = 0; i < a->regexes.n; i++)
        pcre2_code_free(a->regexes.v[i]);
    TR_VEC_FREE(&a->regexes);
    memset(a, 0, sizeof(*a));
}

/* A value of a plain allowlist or a "string" warninglist: networks and
 * addresses go to the network table, host names cover their subdomains,
 * anything else is compared whole (normalised when it is an indicator). */
tr_err ioc_allow_add_value(ioc_allow *a, tr_str v)
{
    char fang[IOC_MAX_VALUE + 64], norm[IOC_MAX_VALUE + 64];
    while (v.n && (unsigned char)v.p[0] <= ' ')
        v.p++, v.n--;
    while (v.n && (unsigned char)v.p[v.n - 1] <= ' ')
        v.n--;
    if (v.n == 0 || v.n > IOC_MAX_VALUE)
        return TR_EPARSE;
    size_t fn = ioc_refang(v.p, v.n, fang);
    tr_ioc_type t = ioc_detect(fang, fn);
    const char *why;
    size_t nn = t != TR_IOC_NONE ? ioc_normalize(&t, fang, fn, norm, sizeof(norm), &why) : 0;
    a->entries++;
    if (nn && (t == TR_IOC_IPV4 || t == TR_IOC_IPV6 || t == TR_IOC_CIDR)) {
        ioc_ip ip;
        if (ioc_parse_ip(norm, nn, &ip, true)) {
            ioc_ip_mask(&ip);
            return TR_VEC_PUSH(&a->nets, ip) ? TR_OK : TR_ENOMEM;
        }
    }
    if (nn && t == TR_IOC_DOMAIN)
        return tr_map_put(a->hosts, (tr_str){ norm, nn }, 1);
    if (nn)
        return tr_map_put(a->exact, (tr_str){ norm, nn }, 1);
    return tr_map_put(a->exact, (tr_str){ fang, fn }, 1);
}

tr_err ioc_allow_add_host(ioc_allow *a, tr_str v)
{
    while (v.n && (v.p[0] == '.' || v.p[0] == '*'))
        v.p++, v.n--;
    while (v.n && v.p[v.n - 1] == '.')
        v.n--;
    if (!v.n)
        return TR_EPARSE;
    a->entries++;
    return tr_map_put(a->hosts, v, 1);
}

tr_err ioc_allow_add_substring(ioc_allow *a, tr_str v)
{
    if (!v.n)
        return TR_EPARSE;
    char *c = tr_strndup(v.p, v.n);
    if (!c)
        return TR_ENOMEM;
    if (!TR_VEC_PUSH(&a->substrings, ((tr_str){ c, v.n }))) {
        tr_free(c);
        return TR_ENOMEM;
    }
    a->entries++;
    return TR_OK;
}

tr_err ioc_allow_add_regex(ioc_allow *a, tr_str v, char *err, size_t errlen)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)v.p, v.n, PCRE2_CASELESS, &code, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(code, msg, sizeof(msg));
        snprintf(err, errlen, "bad regex at offset %zu: %s", (size_t)off, (const char *)msg);
        return TR_EPARSE;
    }
    if (!TR_VEC_PUSH(&a->regexes, re)) {
        pcre2_code_free(re);
        return TR_ENOMEM;
    }
    a->entries++;
    return TR_OK;
}

tr_err ioc_allow_add_net(ioc_allow *a, tr_str v)
{
    ioc_ip ip;
    if (!ioc_parse_ip(v.p, v.n, &ip, true))
        return TR_EPARSE;
    ioc_ip_mask(&ip);
    a->entries++;
    return TR_VEC_PUSH(&a->nets, ip) ? TR_OK : TR_ENOMEM;
}

tr_err ioc_allow_finish(ioc_allow *a)
{
    size_t n4 = 0, n6 = 0;
    for (size_t i = 0; i < a->nets.n; i++)
        a->nets.v[i].v4 ? n4++ : n6++;
    tr_err err = ioc_iptab_init(&a->iptab, n4, n6);
    if (err)
        return err;
    for (size_t i = 0; i < a->nets.n; i++) {
        bool dup;
        uint32_t ex;
        ioc_iptab_put(&a->iptab, &a->nets.v[i], (uint32_t)i, &dup, &ex);
    }
    TR_VEC_FREE(&a->nets);
    return TR_OK;
}

static bool host_listed(const ioc_allow *a, tr_str h)
{
    while (h.n && h.p[h.n - 1] == '.')
        h.n--;
    for (;;) {
        if (tr_map_get(a->hosts, h, NULL))
            return true;
        const char *dot = memchr(h.p, '.', h.n);
        if (!dot)
            return false;
        h.n -= (size_t)(dot + 1 - h.p);
        h.p = dot + 1;
    }
}

static bool contains_nocase(tr_str hay, tr_str needle)
{
    if (needle.n > hay.n)
        return false;
    for (size_t i = 0; i + needle.n <= hay.n; i++)
        if (tr_mem_eq_nocase(hay.p + i, needle.p, needle.n))
            return true;
    return false;
}

bool ioc_allow_check(const ioc_allow *a, void *match_data, tr_ioc_type t, tr_str value)
{
    if (!a->entries || !value.n)
        return false;
    if (tr_map_get(a->exact, value, NULL))
        return true;
    ioc_ip ip;
    switch (t) {
    case TR_IOC_IPV4:
    case TR_IOC_IPV6:
    case TR_IOC_CIDR:
        if (ioc_parse_ip(value.p, value.n, &ip, true)) {
            unsigned full = ip.v4 ? 32 : 128;
            if (ip.plen == full && ioc_iptab_any(&a->iptab, &ip))
                return true;
        }
        break;
    case TR_IOC_DOMAIN:
    case TR_IOC_EMAIL: {
        tr_str h = value;
        const char *at = memchr(h.p, '@', h.n);
        if (at) {
            h.n -= (size_t)(at + 1 - h.p);
            h.p = at + 1;
        }
        if (host_listed(a, h))
            return true;
        break;
    }
    case TR_IOC_URL: {
        tr_str h = ioc_url_host(value.p, value.n);
        if (h.n && ioc_parse_ip(h.p, h.n, &ip, false)) {
            if (ioc_iptab_any(&a->iptab, &ip))
                return true;
        } else if (h.n && host_listed(a, h)) {
            return true;
        }
        break;
    }
    default:
        break;
    }
    for (size_t i = 0; i < a->substrings.n; i++)
        if (contains_nocase(value, a->substrings.v[i]))
            return true;
    if (a->regexes.n) {
        pcre2_match_data *md = match_data;
        pcre2_match_data *own = NULL;
        if (!md && !(md = own = pcre2_match_data_create(1, NULL)))
            return false;
        bool hit = false;
        for (size_t i = 0; i < a->regexes.n && !hit; i++)
            hit = pcre2_match(a->regexes.v[i], (PCRE2_SPTR)value.p, value.n, 0, 0, md, NULL) >= 0;
        pcre2_match_data_free(own);
        if (hit)
            return true;
    }
    return false;
}
