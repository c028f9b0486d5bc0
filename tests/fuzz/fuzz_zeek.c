/*
 * fuzz_zeek.c - the Zeek TSV decoder on arbitrary lines, after a header
 * block with sets, vectors and every value type so that records are
 * reached; the input may change separators and layouts itself.
 */
#include "core/common.h"

#include "tests/fuzz/fuzz_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const headers[] = {
    "#separator \\x09",
    "#set_separator\t,",
    "#empty_field\t(empty)",
    "#unset_field\t-",
    "#path\tdns",
    "#fields\tts\tuid\tid.orig_h\tid.resp_p\tquery\tAA\trtt\tanswers\ttags",
    "#types\ttime\tstring\taddr\tport\tstring\tbool\tinterval\tvector[string]\tset[enum]",
    NULL,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_text_run(TR_FMT_ZEEK, NULL, headers, data, size);
}
