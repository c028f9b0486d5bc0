/*
 * test_correl_id.c - correlation detection ids do not depend on what was on
 * the stack before they were computed.
 *
 * A correlation's id hashes its contributing detection ids (8 bytes each),
 * so a window of more than ~25 events hashes more than 240 bytes, which is
 * where XXH3's streaming state uses the secret it derives from the seed.
 * libxxhash 0.8.1 skips deriving that secret when the state's seed field
 * already holds the seed (XXH3_64bits_reset_withSeed), so a hasher on the
 * stack over a stale one with the same seed and a clobbered secret hashed
 * with garbage: correlation ids then changed with thread timing and ASan's
 * fake stacks, and a resumed hunt stored windows an uninterrupted one had
 * under other ids (the kill -9 correlation bug, docs/STORE.md).
 */
#include "tt.h"

#include "core/hash.h"
#include "trawl/detect.h"

#define SEED 0x7472617741ULL /* any seed other than 0 */

/* 600 bytes: past XXH3's 240-byte short-input path */
static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(i * 31 + 7);
}

TEST(correl_id_hasher_ignores_a_stale_state)
{
    unsigned char data[600];
    fill(data, sizeof(data));
    uint64_t want = tr_hash64(data, sizeof(data), SEED);
    /* what a previous hasher with the same seed leaves on the stack, its
     * secret since overwritten by other calls */
    tr_hasher h;
    memset(&h, 0xa5, sizeof(h));
    h.st.seed = SEED;
    h.st.extSecret = NULL;
    tr_hasher_init(&h, SEED);
    tr_hasher_add(&h, data, 100);
    tr_hasher_add(&h, data + 100, sizeof(data) - 100);
    CHECK_EQ(tr_hasher_final(&h), want);
    /* the same over a state left by another seed, and by the same seed with
     * its secret intact */
    memset(&h, 0x5a, sizeof(h));
    tr_hasher_init(&h, SEED);
    tr_hasher_add(&h, data, sizeof(data));
    CHECK_EQ(tr_hasher_final(&h), want);
    tr_hasher_init(&h, SEED);
    tr_hasher_add(&h, data, sizeof(data));
    CHECK_EQ(tr_hasher_final(&h), want);
}

/* A correlation detection over a window of 86 events, as a value_avg of
 * tests/stress/kill9-correlation.sh closes them. */
static uint64_t long_window_id(uint64_t *ids, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        ids[i] = 0x9e3779b97f4a7c15ULL * (i + 1);
    static const tr_kv group = { TR_STR("c-ip"), TR_STR("66.42.98.220") };
    tr_detection d;
    memset(&d, 0, sizeof(d));
    d.kind = TR_DET_CORRELATION;
    d.rule_id = TR_STR("55555555-0000-4000-8000-000000000002");
    d.group = &group;
    d.ngroup = 1;
    d.contributing = ids;
    d.ncontributing = n;
    return tr_detection_id(&d);
}

/* Leaves a hasher with the detection-id seed and a garbage secret on the
 * stack, where the next call at this depth may put its own. */
static __attribute__((noinline)) uint64_t stale_hasher_on_the_stack(void)
{
    volatile tr_hasher h;
    memset((void *)&h, 0xa5, sizeof(h));
    h.st.seed = SEED;
    h.st.extSecret = NULL;
    return h.st.seed;
}

TEST(correl_id_of_a_long_window_is_the_same_every_time)
{
    uint64_t ids[86];
    /* The value these inputs have always had: ids are keys in stores
     * written by earlier runs, so they must never change. */
    const uint64_t want = 0x2b4bf4390bdebec9ULL;
    for (int i = 0; i < 50; i++) {
        CHECK(stale_hasher_on_the_stack() == SEED);
        uint64_t got = long_window_id(ids, 86);
        CHECK_MSG(got == want, "round %d: id %016" PRIx64 ", want %016" PRIx64, i, got, want);
    }
}
