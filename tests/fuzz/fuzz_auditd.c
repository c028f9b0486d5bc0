/*
 * fuzz_auditd.c - the auditd decoder (hex strings, split arguments, nested
 * msg='…') on arbitrary lines.
 */
#include "core/common.h"

#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_text_run(TR_FMT_AUDITD, NULL, NULL, data, size);
}
