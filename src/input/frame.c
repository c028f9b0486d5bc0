/*
 * frame.c - JSON value framing (see frame.h).
 *
 * Strings make up most bytes of log JSON; they are skipped with memchr for
 * the closing quote (then the backslashes before it are counted), so the
 * byte loop only runs over structure.
 */
#include "core/common.h"

#include "input/frame.h"

tr_frame_status tr_frame_json_end(const char *p, size_t n, size_t *end)
{
    size_t depth = 0;
    size_t i = 0;
    while (i < n) {
        char c = p[i];
        if (c == '"') {
            size_t j = i + 1;
            for (;;) {
                const char *q = memchr(p + j, '"', n - j);
                if (!q)
                    return TR_FRAME_INCOMPLETE;
                size_t k = (size_t)(q - p);
                size_t bs = 0;
                while (k - bs > i + 1 && p[k - bs - 1] == '\\')
                    bs++;
                j = k + 1;
                if ((bs & 1) == 0)
                    break;
            }
            i = j;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0) {
                *end = i; /* stray closer: let the parser complain about it */
                return TR_FRAME_COMPLETE;
            }
            if (--depth == 0) {
                *end = i + 1;
                return TR_FRAME_COMPLETE;
            }
        } else if (c == '\n' && depth == 0) {
            *end = i;
            return TR_FRAME_COMPLETE;
        }
        i++;
    }
    return TR_FRAME_INCOMPLETE;
}
