/*
 * test_match_strset.c - exact string sets: case-sensitive and caseless,
 * several ids per string, borrowed keys, many keys, no allocation on lookup.
 */
#include "tt.h"

#include "match/strset.h"

static const char *ids_of(const tr_strset *set, const char *key)
{
    static char out[128];
    size_t n;
    const uint32_t *ids = tr_strset_get(set, tr_str_c(key), &n);
    if (!ids)
        return n == 0 ? "-" : "inconsistent";
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%u", i ? "," : "", ids[i]);
    return out;
}

TEST(match_strset_case_sensitive)
{
    tr_strset_builder *b;
    CHECK(tr_strset_builder_new(0, &b) == TR_OK);
    CHECK(!tr_strset_builder_add(b, TR_STR("4688"), 1));
    CHECK(!tr_strset_builder_add(b, TR_STR("4624"), 2));
    CHECK(!tr_strset_builder_add(b, TR_STR("4688"), 3));
    CHECK(!tr_strset_builder_add(b, TR_STR("4688"), 1)); /* repeated pair */
    CHECK(!tr_strset_builder_add(b, TR_STR("Admin"), 4));
    CHECK(!tr_strset_builder_add(b, TR_STR(""), 5));
    tr_strset *set;
    CHECK(tr_strset_build(b, &set) == TR_OK);
    tr_strset_builder_free(b); /* the set keeps its own copies */
    CHECK_EQ(tr_strset_count(set), 4);
    CHECK_STR(ids_of(set, "4688"), "1,3");
    CHECK_STR(ids_of(set, "4624"), "2");
    CHECK_STR(ids_of(set, "Admin"), "4");
    CHECK_STR(ids_of(set, "admin"), "-");
    CHECK_STR(ids_of(set, ""), "5");
    CHECK_STR(ids_of(set, "46"), "-");
    CHECK_STR(ids_of(set, "46888"), "-");
    CHECK(tr_strset_memory(set) > 0);
    tr_strset_free(set);
}

TEST(match_strset_caseless)
{
    tr_strset_builder *b;
    CHECK(!tr_strset_builder_new(TR_STRSET_NOCASE, &b));
    CHECK(!tr_strset_builder_add(b, TR_STR("Evil.Example.COM"), 7));
    CHECK(!tr_strset_builder_add(b, TR_STR("evil.example.com"), 8));
    CHECK(!tr_strset_builder_add(b, TR_STR("caf\xc3\xa9"), 9));
    tr_strset *set;
    CHECK(!tr_strset_build(b, &set));
    tr_strset_builder_free(b);
    CHECK_EQ(tr_strset_count(set), 2);
    CHECK_STR(ids_of(set, "EVIL.EXAMPLE.COM"), "7,8");
    CHECK_STR(ids_of(set, "evil.example.com"), "7,8");
    CHECK_STR(ids_of(set, "evil.example.co"), "-");
    CHECK_STR(ids_of(set, "CAF\xc3\xa9"), "9");
    CHECK_STR(ids_of(set, "CAF\xc3\x89"), "-"); /* non-ASCII bytes compare exactly */
    uint64_t h = tr_strset_hash(set, TR_STR("EviL.example.com"));
    size_t n;
    CHECK(tr_strset_get_hashed(set, TR_STR("EviL.example.com"), h, &n) && n == 2);
    tr_strset_free(set);
}

TEST(match_strset_borrow_many_and_no_allocation)
{
    enum { N = 20000 };
    static char keys[N][24];
    tr_strset_builder *b;
    CHECK(!tr_strset_builder_new(TR_STRSET_BORROW | TR_STRSET_NOCASE, &b));
    CHECK(tr_strset_builder_new(1u << 7, &(tr_strset_builder *){ NULL }) == TR_EINVAL);
    for (int i = 0; i < N; i++) {
        int n = snprintf(keys[i], sizeof(keys[i]), "host-%d.Example.org", i);
        CHECK(!tr_strset_builder_add(b, (tr_str){ keys[i], (size_t)n }, (uint32_t)i));
    }
    CHECK(tr_strset_builder_add(b, TR_STR("x"), TR_STRSET_MAX_ID + 1) == TR_EINVAL);
    tr_strset *set;
    CHECK(!tr_strset_build(b, &set));
    tr_strset_builder_free(b);
    CHECK_EQ(tr_strset_count(set), N);
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < N; i++) {
        char q[32];
        int n = snprintf(q, sizeof(q), "HOST-%d.example.ORG", i);
        size_t cnt;
        const uint32_t *ids = tr_strset_get(set, (tr_str){ q, (size_t)n }, &cnt);
        CHECK(ids && cnt == 1 && ids[0] == (uint32_t)i);
        n = snprintf(q, sizeof(q), "host-%d.example.net", i);
        CHECK(!tr_strset_get(set, (tr_str){ q, (size_t)n }, &cnt) && cnt == 0);
    }
    CHECK_EQ(tr_alloc_count() - before, 0);
    tr_strset_free(set);
}

TEST(match_strset_empty)
{
    tr_strset_builder *b;
    CHECK(!tr_strset_builder_new(0, &b));
    tr_strset *set;
    CHECK(!tr_strset_build(b, &set));
    tr_strset_builder_free(b);
    CHECK_EQ(tr_strset_count(set), 0);
    CHECK_STR(ids_of(set, "x"), "-");
    CHECK_STR(ids_of(set, ""), "-");
    tr_strset_free(set);
}
