/*
 * tt.h - the unit-test harness.
 *
 *   TEST(core_arena_reset) { CHECK(x == 1); CHECK_STR(s, "abc"); }
 *
 * scripts/gen-tests.sh gathers every TEST() of the tests/unit sources into a
 * registry; the runner takes optional name prefixes as arguments and ends
 * with "N passed, M failed". A failed CHECK returns from the test.
 */
#ifndef TR_TESTS_TT_H
#define TR_TESTS_TT_H

#include "core/common.h"

#define TEST(name) void test_##name(void)

void tt_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tt_failed(void);
/* Directory of test data (tests/data), for tests that read files. */
const char *tt_datadir(void);
/* A fresh temporary directory for this test (removed at exit). */
const char *tt_tmpdir(void);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            tt_fail(__FILE__, __LINE__, "%s", #cond);                                             \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                       \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            tt_fail(__FILE__, __LINE__, __VA_ARGS__);                                              \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_EQ(a, b)                                                                             \
    do {                                                                                           \
        long long tt_a = (long long)(a), tt_b = (long long)(b);                                    \
        if (tt_a != tt_b) {                                                                        \
            tt_fail(__FILE__, __LINE__, "%s == %s (%lld != %lld)", #a, #b, tt_a, tt_b);            \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *tt_a = (a), *tt_b = (b);                                                       \
        if (!tt_a || !tt_b || strcmp(tt_a, tt_b) != 0) {                                           \
            tt_fail(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", #a, #b,                     \
                    tt_a ? tt_a : "(null)", tt_b ? tt_b : "(null)");                               \
            return;                                                                                \
        }                                                                                          \
    } while (0)

/* A tr_str against a C string. */
#define CHECK_SLICE(s, lit)                                                                        \
    do {                                                                                           \
        tr_str tt_s = (s);                                                                         \
        const char *tt_l = (lit);                                                                  \
        if (tt_s.n != strlen(tt_l) || (tt_s.n && memcmp(tt_s.p, tt_l, tt_s.n) != 0)) {             \
            tt_fail(__FILE__, __LINE__, "%s == \"%s\" (got \"%.*s\")", #s, tt_l, (int)tt_s.n,      \
                    tt_s.p ? tt_s.p : "");                                                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#endif
