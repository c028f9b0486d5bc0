/*
 * fuzz_w3c.c - the W3C extended-log decoder on arbitrary lines, after an
 * IIS header so that records are reached; the input may declare its own
 * #Fields lines too.
 */
#include "core/common.h"

#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const headers[] = {
    "#Software: Microsoft Internet Information Services 10.0",
    "#Date: 2021-03-02 00:00:05",
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
    NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_text_run(TR_FMT_W3C, NULL, headers, data, size);
}
