/*
 * test_core.c - arena, buffers, map, JSON strings, logging helpers.
 */
#include "tt.h"

#include "core/buf.h"
#include "core/hash.h"
#include "core/jsonstr.h"
#include "core/vec.h"
#include "trawl/arena.h"
#include "trawl/event.h"

TEST(core_strerror)
{
    CHECK_STR(tr_strerror(TR_OK), "success");
    CHECK_STR(tr_strerror(TR_EPARSE), "malformed input");
    CHECK_STR(tr_strerror((tr_err)9999), "unknown error");
}

TEST(core_arena_alloc_and_reset_reuses_chunks)
{
    tr_arena *a = tr_arena_new(1024, 0);
    CHECK(a);
    char *p = tr_arena_alloc(a, 10);
    CHECK(p && ((uintptr_t)p & 7) == 0);
    memset(p, 'x', 10);
    void *big = tr_arena_alloc(a, 5000); /* larger than a chunk */
    CHECK(big);
    CHECK(tr_arena_used(a) >= 5010);
    tr_arena_reset(a);
    CHECK_EQ(tr_arena_used(a), 0);
    uint64_t before = tr_alloc_count();
    for (int round = 0; round < 100; round++) {
        tr_arena_reset(a);
        CHECK(tr_arena_alloc(a, 10));
        CHECK(tr_arena_alloc(a, 5000));
    }
#ifndef TR_DEBUG_ARENA
    CHECK_EQ(tr_alloc_count() - before, 0); /* steady state: no malloc */
#else
    (void)before;
#endif
    tr_arena_free(a);
}

TEST(core_arena_cap)
{
    tr_arena *a = tr_arena_new(1024, 4096);
    CHECK(tr_arena_alloc(a, 3000));
    CHECK(tr_arena_alloc(a, 3000) == NULL);
    tr_str s = tr_arena_strdup(a, "hello", 5);
    CHECK_SLICE(s, "hello");
    CHECK(s.p[5] == '\0');
    tr_arena_free(a);
}

TEST(core_buf_cap_and_printf)
{
    tr_buf b;
    tr_buf_init(&b, 16);
    CHECK_EQ(tr_buf_append(&b, "0123456789", 10), TR_OK);
    CHECK_EQ(tr_buf_printf(&b, "%d", 12345), TR_OK);
    CHECK_STR(b.p, "012345678912345");
    CHECK_EQ(tr_buf_append(&b, "xy", 2), TR_ELIMIT);
    CHECK_EQ(b.n, 15); /* unchanged after the refused append */
    tr_buf_reset(&b);
    CHECK_EQ(b.n, 0);
    tr_buf_release(&b);
    tr_buf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        CHECK_EQ(tr_buf_printf(&b, "%04d", i), TR_OK);
    CHECK_EQ(b.n, 4000);
    tr_buf_release(&b);
}

TEST(core_map_put_get_grow)
{
    tr_map *m = tr_map_new(0, 0);
    char key[32];
    for (int i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof(key), "key-%d", i);
        CHECK_EQ(tr_map_put(m, (tr_str){ key, (size_t)n }, (uint64_t)i * 3), TR_OK);
    }
    CHECK_EQ(tr_map_count(m), 5000);
    uint64_t v;
    CHECK(tr_map_get(m, TR_STR("key-4321"), &v));
    CHECK_EQ(v, 4321 * 3);
    CHECK(!tr_map_get(m, TR_STR("KEY-4321"), &v));
    CHECK(!tr_map_get(m, TR_STR("key-5000"), &v));
    CHECK_EQ(tr_map_put(m, TR_STR("key-1"), 7), TR_OK);
    CHECK(tr_map_get(m, TR_STR("key-1"), &v) && v == 7);
    CHECK_EQ(tr_map_count(m), 5000);
    size_t it = 0, seen = 0;
    tr_str k;
    while (tr_map_next(m, &it, &k, &v))
        seen++;
    CHECK_EQ(seen, 5000);
    tr_map_free(m);
}

TEST(core_map_nocase)
{
    tr_map *m = tr_map_new(4, TR_MAP_NOCASE);
    CHECK_EQ(tr_map_put(m, TR_STR("C:\\Windows\\System32\\CMD.EXE"), 1), TR_OK);
    uint64_t v;
    CHECK(tr_map_get(m, TR_STR("c:\\windows\\system32\\cmd.exe"), &v) && v == 1);
    CHECK(!tr_map_get(m, TR_STR("c:\\windows\\system32\\cmd.ex"), &v));
    CHECK(tr_hash64_nocase("AbCdEfGhIjK", 11, 0) == tr_hash64_nocase("aBcDeFgHiJk", 11, 0));
    CHECK(tr_mem_eq_nocase("Hello World!", "hELLO wORLD!", 12));
    CHECK(!tr_mem_eq_nocase("Hello[", "hello{", 6)); /* '[' and '{' differ by 0x20 */
    tr_map_free(m);
}

TEST(core_ascii_lower8)
{
    const char in[9] = "AZaz@[`{";
    uint64_t w;
    memcpy(&w, in, 8);
    w = tr_ascii_lower8(w);
    char out[9] = { 0 };
    memcpy(out, &w, 8);
    CHECK_STR(out, "azaz@[`{");
}

TEST(core_json_unescape)
{
    char out[64];
    size_t n;
    const char *in = "a\\\"b\\\\c\\/\\n\\u00e9\\ud83d\\ude00";
    CHECK_EQ(tr_json_unescape(in, strlen(in), out, &n), TR_OK);
    CHECK_EQ(n, 3 + 2 + 1 + 1 + 2 + 4);
    CHECK(memcmp(out, "a\"b\\c/\n\xc3\xa9\xf0\x9f\x98\x80", n) == 0);
    CHECK_EQ(tr_json_unescape("\\x", 2, out, &n), TR_EPARSE);
    CHECK_EQ(tr_json_unescape("\\ud83d", 6, out, &n), TR_EPARSE);     /* lone high */
    CHECK_EQ(tr_json_unescape("\\ude00x", 7, out, &n), TR_EPARSE);    /* lone low */
    CHECK_EQ(tr_json_unescape("\\u12", 4, out, &n), TR_EPARSE);
    CHECK_EQ(tr_json_unescape("abc\\", 4, out, &n), TR_EPARSE);
}

TEST(core_json_writer)
{
    tr_buf b;
    tr_buf_init(&b, 0);
    tr_jw w;
    tr_jw_init(&w, &b);
    tr_jw_obj(&w);
    tr_jw_key(&w, "a");
    tr_jw_int(&w, -5);
    tr_jw_key(&w, "s");
    tr_jw_strn(&w, "q\"\\\n\x01\xff", 6);
    tr_jw_key(&w, "l");
    tr_jw_arr(&w);
    tr_jw_bool(&w, true);
    tr_jw_null(&w);
    tr_jw_obj(&w);
    tr_jw_end(&w);
    tr_jw_end(&w);
    tr_jw_key(&w, "t");
    tr_jw_time(&w, INT64_C(1579508042) * 1000000000);
    tr_jw_end(&w);
    CHECK_EQ(w.err, TR_OK);
    CHECK_STR(b.p, "{\"a\":-5,\"s\":\"q\\\"\\\\\\n\\u0001\xef\xbf\xbd\",\"l\":[true,null,{}],"
                   "\"t\":\"2020-01-20T08:14:02Z\"}");
    tr_buf_release(&b);
}

TEST(core_vec)
{
    TR_VEC(int) v = { 0 };
    for (int i = 0; i < 100; i++)
        CHECK(TR_VEC_PUSH(&v, i));
    CHECK_EQ(v.n, 100);
    CHECK_EQ(v.v[99], 99);
    TR_VEC_FREE(&v);
}

TEST(core_event_add_find)
{
    tr_field fields[2];
    tr_event ev;
    tr_event_init(&ev, fields, 2, NULL);
    tr_field *f = tr_event_add(&ev, TR_STR("Event.EventData.Image"), TR_STR("x.exe"), TR_VSTR);
    CHECK(f);
    f->alias = TR_STR("Image");
    CHECK(tr_event_add(&ev, TR_STR("b"), TR_STR("1"), TR_VNUM));
    CHECK(tr_event_add(&ev, TR_STR("c"), TR_STR("2"), TR_VNUM) == NULL);
    CHECK_EQ(ev.truncated, 1);
    CHECK(tr_event_find(&ev, TR_STR("Image")) == &fields[0]);
    CHECK(tr_event_find(&ev, TR_STR("Event.EventData.Image")) == &fields[0]);
    CHECK(tr_event_find(&ev, TR_STR("image")) == NULL);
    tr_logsource_add_category(&ev.logsource, TR_STR("registry_event"));
    tr_logsource_add_category(&ev.logsource, TR_STR("registry_set"));
    tr_logsource_add_category(&ev.logsource, TR_STR("registry_event"));
    CHECK_EQ(ev.logsource.ncategory, 2);
}

TEST(core_field_value_decodes_escapes)
{
    tr_arena *a = tr_arena_new(0, 0);
    tr_field f = { .name = TR_STR("x"), .value = TR_STR("C:\\\\Windows\\\\cmd.exe"),
                   .flags = TR_FIELD_ESCAPED };
    tr_str v;
    CHECK_EQ(tr_field_value(&f, a, &v), TR_OK);
    CHECK_SLICE(v, "C:\\Windows\\cmd.exe");
    f.flags = 0;
    CHECK_EQ(tr_field_value(&f, a, &v), TR_OK);
    CHECK(v.p == f.value.p);
    tr_arena_free(a);
}
