/*
 * frame.c - JSON value framing (see frame.h).
 *
 * Strings make up most bytes of log JSON; they are skipped with memchr for
 * the closing quote (then the backslashes before it are counted), so the
 * byte loop only runs over structure.
 */
#include "core/common.h"

#include "input/frame.h"

/* A line starting with '{' inside a value: the value was cut short (a
 * truncated JSON line) and a new record starts there. Pretty-printers
 * indent nested values, so a '{' in column 0 only ever opens a record. */
static bool restarts_at(const char *p, size_t n, size_t nl)
{
    return nl + 1 < n && (p[nl + 1] == '{');
}

/* The first newline in p[from..to) that a new record follows, or to. */
static size_t restart_in(const char *p, size_t n, size_t from, size_t to)
{
    while (from < to) {
        const char *nl = memchr(p + from, '\n', to - from);
        if (!nl)
            return to;
        size_t k = (size_t)(nl - p);
        if (restarts_at(p, n, k))
            return k;
        from = k + 1;
    }
    return to;
}

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
                size_t stop = restart_in(p, n, j, q ? (size_t)(q - p) : n);
                if (stop < (q ? (size_t)(q - p) : n)) {
                    *end = stop; /* unterminated string: the parser reports it */
                    return TR_FRAME_COMPLETE;
                }
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
        } else if (c == '\n' && (depth == 0 || restarts_at(p, n, i))) {
            *end = i;
            return TR_FRAME_COMPLETE;
        }
        i++;
    }
    return TR_FRAME_INCOMPLETE;
}
