/*
 * fuzz_time.c - every timestamp parser on arbitrary bytes: no crash, no
 * out-of-bounds read, and a parsed time formats and re-parses to itself.
 */
#include "core/common.h"

#include "core/time.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Copy into an exact-size heap buffer so ASan sees any overread. */
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    int64_t ns;
    size_t used;
    if (tr_time_parse_iso8601(p, size, &ns) == TR_OK) {
        char buf[48];
        size_t n = tr_time_format(ns, buf, sizeof(buf));
        int64_t back;
        if (tr_time_parse_iso8601(buf, n, &back) != TR_OK || back != ns)
            abort();
    }
    (void)tr_time_parse_epoch(p, size, &ns);
    (void)tr_time_parse_apache(p, size, &ns);
    (void)tr_time_parse_rfc3164(p, size, 2020, &ns, &used);
    (void)tr_time_parse_rfc5424(p, size, &ns);
    size_t half = size / 2;
    (void)tr_time_parse_w3c(p, half, p + half, size - half, &ns);
    free(p);
    return 0;
}
