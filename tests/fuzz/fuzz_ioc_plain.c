/*
 * fuzz_ioc_plain.c - the plain feed loader on arbitrary bytes: no crash, no
 * overread, every loaded indicator matches its own value.
 */
#include "core/common.h"

#include "fuzz_ioc_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_ioc_feed(data, size, TR_IOCF_PLAIN);
    fuzz_ioc_allow(data, size);
    return 0;
}
