/*
 * csv.c - RFC 4180 field splitting (see csv.h).
 */
#include "core/common.h"

#include "core/csv.h"

tr_str tr_str_trim(tr_str s)
{
    while (s.n && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.n--;
    }
    while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\r'))
        s.n--;
    return s;
}

tr_err tr_csv_split(const char *line, size_t n, tr_str *fields, size_t max, size_t *nfields,
                    tr_arena *arena)
{
    size_t i = 0, k = 0;
    for (;;) {
        if (k == max)
            return TR_ELIMIT;
        if (i < n && line[i] == '"') {
            char *out = tr_arena_alloc(arena, n - i + 1);
            if (!out)
                return TR_ENOMEM;
            size_t o = 0;
            i++;
            for (;;) {
                if (i >= n)
                    return TR_EPARSE; /* unterminated quoted field */
                if (line[i] == '"') {
                    if (i + 1 < n && line[i + 1] == '"') {
                        out[o++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                out[o++] = line[i++];
            }
            out[o] = '\0';
            fields[k++] = (tr_str){ out, o };
            if (i < n && line[i] != ',')
                return TR_EPARSE; /* text after the closing quote */
        } else {
            size_t start = i;
            while (i < n && line[i] != ',') {
                if (line[i] == '"')
                    return TR_EPARSE;
                i++;
            }
            fields[k++] = (tr_str){ line + start, i - start };
        }
        if (i >= n)
            break;
        i++; /* the comma */
        if (i == n) {
            if (k == max)
                return TR_ELIMIT;
            fields[k++] = (tr_str){ line + n, 0 }; /* trailing empty field */
            break;
        }
    }
    *nfields = k;
    return TR_OK;
}
