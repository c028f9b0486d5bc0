/*
 * fuzz_ioc_stix.c - the stix feed loader on arbitrary bytes: no crash, no
 * overread, every loaded indicator matches its own value.
 */
#include "core/common.h"

#include "fuzz_ioc_common.h"
#include "ioc/stix_pattern.h"

static int pattern_value(void *ctx, tr_ioc_type t, tr_str v)
{
    (void)ctx;
    if ((unsigned)t >= TR_IOC_TYPE_COUNT || (v.n && !v.p))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_ioc_feed(data, size, TR_IOCF_STIX);
    /* the bytes as a pattern, straight into the pattern parser */
    char *p = malloc(size ? size : 1), *buf = malloc(size + 1);
    if (p && buf) {
        memcpy(p, data, size);
        char err[160];
        (void)stix_pattern_values(p, size, buf, pattern_value, NULL, err, sizeof(err));
    }
    free(p);
    free(buf);
    return 0;
}
