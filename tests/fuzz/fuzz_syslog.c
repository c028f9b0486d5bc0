/*
 * fuzz_syslog.c - the syslog decoder (RFC 5424, RFC 3164, key=value
 * extraction) on arbitrary lines, with a fixed year so that runs repeat.
 */
#include "core/common.h"

#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tr_parse_opts o = { .default_year = 2019 };
    return fuzz_text_run(TR_FMT_SYSLOG, &o, NULL, data, size);
}
