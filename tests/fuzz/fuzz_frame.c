/*
 * fuzz_frame.c - the JSON record framer on arbitrary bytes: the end it
 * reports always lies inside the input.
 */
#include "core/common.h"

#include "input/frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    size_t off = 0;
    while (off < size) {
        size_t end = 0;
        if (tr_frame_json_end(p + off, size - off, &end) == TR_FRAME_INCOMPLETE)
            break;
        if (end > size - off)
            abort();
        off += end ? end : 1;
    }
    free(p);
    return 0;
}
