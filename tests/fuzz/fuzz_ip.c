/*
 * fuzz_ip.c - the address and prefix parsers and the prefix set on arbitrary
 * bytes: no crash or overread; a parsed address formats and re-parses to
 * itself; and the set's lookups agree with a brute-force check.
 *
 * Input: lines. Every line that parses as a prefix goes into a set (id =
 * line number); then every line is looked up as an address.
 */
#include "core/common.h"

#include "match/cidr.h"
#include "match/ip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LINES 256

static void check_roundtrip(const char *p, size_t n, unsigned flags)
{
    tr_ip ip, back;
    if (tr_ip_parse((tr_str){ p, n }, flags, &ip) != TR_OK)
        return;
    char buf[TR_IP_STRLEN];
    size_t m = tr_ip_format(&ip, buf, sizeof(buf));
    if (m >= sizeof(buf) || tr_ip_parse((tr_str){ buf, m }, flags, &back) != TR_OK ||
        !tr_ip_eq(&ip, &back))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Copy each line into an exact-size heap buffer so ASan sees any overread. */
    tr_ip nets[MAX_LINES];
    uint8_t lens[MAX_LINES];
    bool ok[MAX_LINES];
    char *lines[MAX_LINES];
    size_t lens_b[MAX_LINES];
    size_t nl = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && nl < MAX_LINES; i++) {
        if (i < size && data[i] != '\n')
            continue;
        size_t n = i - start;
        char *p = malloc(n ? n : 1);
        if (!p)
            break;
        memcpy(p, data + start, n);
        lines[nl] = p;
        lens_b[nl] = n;
        nl++;
        start = i + 1;
    }
    tr_cidr_builder *b = NULL;
    if (tr_cidr_builder_new(&b) != TR_OK)
        goto out;
    for (size_t i = 0; i < nl; i++) {
        check_roundtrip(lines[i], lens_b[i], 0);
        check_roundtrip(lines[i], lens_b[i], TR_IP_ZONE | TR_IP_KEEP_MAPPED);
        ok[i] = tr_cidr_parse((tr_str){ lines[i], lens_b[i] }, i & 1 ? TR_IP_STRICT_PREFIX : 0,
                              &nets[i], &lens[i]) == TR_OK;
        if (ok[i] && tr_cidr_builder_add(b, &nets[i], lens[i], (uint32_t)i) != TR_OK)
            abort();
    }
    tr_cidr *set = NULL;
    if (tr_cidr_build(b, &set) != TR_OK)
        goto out;
    for (size_t i = 0; i < nl; i++) {
        tr_ip a;
        if (tr_ip_parse((tr_str){ lines[i], lens_b[i] }, TR_IP_ZONE, &a) != TR_OK) {
            if (!ok[i])
                continue;
            a = nets[i]; /* look the network address up instead */
        }
        uint32_t ids[MAX_LINES];
        uint8_t got[MAX_LINES];
        size_t n = tr_cidr_lookup(set, &a, ids, MAX_LINES, got);
        size_t expect = 0;
        for (size_t k = 0; k < nl; k++)
            if (ok[k] && tr_ip_prefix_match(&nets[k], lens[k], &a))
                expect++;
        if (n != expect || (n > 0) != tr_cidr_contains(set, &a))
            abort();
        for (size_t k = 0; k < n; k++)
            if (!ok[ids[k]] || !tr_ip_prefix_match(&nets[ids[k]], lens[ids[k]], &a) ||
                got[k] != lens[ids[k]] || (k && got[k] > got[k - 1]))
                abort();
    }
    tr_cidr_free(set);
out:
    tr_cidr_builder_free(b);
    for (size_t i = 0; i < nl; i++)
        free(lines[i]);
    return 0;
}
