/*
 * fuzz_logsource_mapping.c - the logsource mapping loader on arbitrary
 * bytes (a hostile or broken --mapping file): no crash, an error message
 * that names the file, and an accepted mapping applies to events without
 * crashing either.
 */
#include "core/common.h"

#include "logsource/mapping.h"
#include "trawl/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p = malloc(size ? size : 1); /* exact size: ASan sees overreads */
    if (!p)
        return 0;
    memcpy(p, data, size);
    ls_mapping *m;
    char err[512];
    tr_err e = ls_mapping_load_mem("fuzz.yml", p, size, &m, err, sizeof(err));
    if (e != TR_OK) {
        if (m || strncmp(err, "fuzz.yml", 8) != 0)
            abort();
        free(p);
        return 0;
    }
    tr_field fields[32];
    tr_arena *a = tr_arena_new(0, 0);
    tr_event ev;
    tr_event_init(&ev, fields, 32, a);
    static const char *const kv[][2] = {
        { "type", "traffic" }, { "EventID", "4688" }, { "Channel", "Security" },
        { "src", "10.0.0.1" }, { "a", "b" },          { "x.0.y", "z" },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(kv); i++)
        tr_event_add(&ev, tr_str_c(kv[i][0]), tr_str_c(kv[i][1]), TR_VSTR);
    ls_mapping_logsources(m, &ev);
    ls_mapping_fields(m, &ev);
    ls_mapping_free(m);
    tr_arena_free(a);
    free(p);
    return 0;
}
