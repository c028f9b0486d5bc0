/*
 * test_match_regex.c - PCRE2 wrapper: flags, compile errors with offsets,
 * catastrophic backtracking reported as a limit, byte mode on invalid UTF-8,
 * and no allocation per match.
 */
#include "tt.h"

#include "match/regex.h"

static int match(const char *pat, unsigned flags, const char *subject)
{
    char err[256];
    tr_re *re;
    if (tr_re_compile(tr_str_c(pat), flags, &re, err, sizeof(err)) != TR_OK)
        return -2;
    tr_re_scratch *s;
    if (tr_re_scratch_new(NULL, &s) != TR_OK) {
        tr_re_free(re);
        return -3;
    }
    bool hit;
    tr_err e = tr_re_match(re, s, tr_str_c(subject), &hit);
    tr_re_scratch_free(s);
    tr_re_free(re);
    return e == TR_OK ? hit : -1;
}

TEST(match_regex_flags)
{
    CHECK_EQ(match("\\\\cmd\\.exe$", 0, "C:\\Windows\\cmd.exe"), 1);
    CHECK_EQ(match("\\\\cmd\\.exe$", 0, "C:\\Windows\\CMD.EXE"), 0);
    CHECK_EQ(match("\\\\cmd\\.exe$", TR_RE_CASELESS, "C:\\Windows\\CMD.EXE"), 1);
    CHECK_EQ(match("^b", 0, "a\nb"), 0);
    CHECK_EQ(match("^b", TR_RE_MULTILINE, "a\nb"), 1);
    CHECK_EQ(match("a.b", 0, "a\nb"), 0);
    CHECK_EQ(match("a.b", TR_RE_DOTALL, "a\nb"), 1);
    CHECK_EQ(match("", 0, ""), 1); /* empty pattern matches the empty value */
    CHECK_EQ(match("x", 0, ""), 0);
}

TEST(match_regex_compile_errors_name_offset)
{
    char err[256];
    tr_re *re = (tr_re *)1;
    CHECK(tr_re_compile(TR_STR("ab(c"), 0, &re, err, sizeof(err)) == TR_EPARSE);
    CHECK(re == NULL);
    CHECK_MSG(strstr(err, "offset 4") && strstr(err, "missing closing parenthesis"), "%s", err);
    CHECK(tr_re_compile(TR_STR("a{2,1}"), 0, &re, err, sizeof(err)) == TR_EPARSE);
    CHECK(tr_re_compile(TR_STR("x"), 1u << 10, &re, err, sizeof(err)) == TR_EINVAL);
    /* byte mode: a pattern cannot switch UTF on */
    CHECK(tr_re_compile(TR_STR("(*UTF)x"), 0, &re, err, sizeof(err)) == TR_EPARSE);
    CHECK(tr_re_compile(TR_STR("(*UTF)x"), TR_RE_UTF, &re, err, sizeof(err)) == TR_OK);
    CHECK_STR(tr_re_pattern(re), "(*UTF)x");
    CHECK_EQ(tr_re_flags_of(re), TR_RE_UTF);
    tr_re_free(re);
}

TEST(match_regex_catastrophic_pattern_hits_limit)
{
    char err[256];
    tr_re *re;
    CHECK(tr_re_compile(TR_STR("(a+)+$"), 0, &re, err, sizeof(err)) == TR_OK);
    char subject[4096];
    memset(subject, 'a', sizeof(subject) - 1);
    subject[sizeof(subject) - 1] = '!';
    tr_re_scratch *s;
    CHECK(tr_re_scratch_new(NULL, &s) == TR_OK);
    bool hit = true;
    CHECK(tr_re_match(re, s, (tr_str){ subject, sizeof(subject) }, &hit) == TR_ELIMIT);
    CHECK(!hit);
    CHECK_EQ(tr_re_scratch_limit_hits(s), 1);
    /* the same scratch still works afterwards */
    CHECK(tr_re_match(re, s, TR_STR("aaa"), &hit) == TR_OK && hit);
    size_t a, b;
    tr_re_last_match(s, &a, &b);
    CHECK_EQ(a, 0);
    CHECK_EQ(b, 3);
    tr_re_scratch_free(s);

    /* a tiny JIT stack or depth limit is also reported, not crashed on */
    tr_re_limits lim = { .match_limit = 50 };
    CHECK(tr_re_scratch_new(&lim, &s) == TR_OK);
    CHECK(tr_re_match(re, s, TR_STR("aaaaaaaaaaaaaaaaaaaa!"), &hit) == TR_ELIMIT);
    tr_re_scratch_free(s);
    tr_re_free(re);
}

TEST(match_regex_byte_mode_and_utf_mode_on_invalid_utf8)
{
    const char bad[] = "user\xff\xfe=admin";
    CHECK_EQ(match("user.+=admin", 0, bad), 1);
    CHECK_EQ(match("user.+=admin", TR_RE_UTF, bad), 0); /* invalid bytes are no characters */
    CHECK_EQ(match("=admin", TR_RE_UTF, bad), 1);     /* ... but the rest still matches */
    CHECK_EQ(match("^.{4}\\xff", 0, bad), 1);
    /* byte mode: a 2-byte character is two '.' */
    CHECK_EQ(match("^caf..$", 0, "caf\xc3\xa9"), 1);
    CHECK_EQ(match("^caf.$", TR_RE_UTF, "caf\xc3\xa9"), 1);
    /* ASCII caseless in byte mode */
    CHECK_EQ(match("ADMIN", TR_RE_CASELESS, bad), 1);
}

TEST(match_regex_no_allocation_per_match)
{
    char err[256];
    tr_re *re1, *re2;
    CHECK(!tr_re_compile(TR_STR("(?:-|/)e(?:nc(?:odedcommand)?)?\\s+[A-Za-z0-9+/=]{20,}"),
                         TR_RE_CASELESS, &re1, err, sizeof(err)));
    CHECK(!tr_re_compile(TR_STR("^(\\w+)-(\\d+)$"), 0, &re2, err, sizeof(err)));
    tr_re_scratch *s;
    CHECK(!tr_re_scratch_new(NULL, &s));
    tr_str v1 = TR_STR("powershell.exe -NoP -EncodedCommand SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoA");
    tr_str v2 = TR_STR("host-42");
    bool hit;
    CHECK(!tr_re_match(re1, s, v1, &hit) && hit); /* warm-up */
    CHECK(!tr_re_match(re2, s, v2, &hit) && hit);
    uint64_t before = tr_alloc_count();
    for (int i = 0; i < 1000; i++) {
        CHECK(!tr_re_match(re1, s, v1, &hit) && hit);
        CHECK(!tr_re_match(re2, s, v2, &hit) && hit);
        CHECK(!tr_re_match(re2, s, v1, &hit) && !hit);
    }
    CHECK_EQ(tr_alloc_count() - before, 0);
    tr_re_scratch_free(s);
    tr_re_free(re1);
    tr_re_free(re2);
}

/* The Sigma engine skips pcre2_match() on subjects shorter than this: it
 * must never exceed the byte length of a subject the pattern matches. */
static size_t min_len(const char *pat, unsigned flags)
{
    char err[256];
    tr_re *re;
    if (tr_re_compile(tr_str_c(pat), flags, &re, err, sizeof(err)) != TR_OK)
        return SIZE_MAX;
    size_t n = tr_re_min_length(re);
    tr_re_free(re);
    return n;
}

TEST(match_regex_min_length_is_a_lower_bound)
{
    CHECK_EQ(min_len("\\s[a-fA-F0-9]{64}\\s[a-fA-F0-9]{16}", TR_RE_UTF), 82);
    CHECK_EQ(min_len("a|bcd", 0), 1);
    CHECK_EQ(min_len("(?<=abc)d", 0), 1); /* the lookbehind is not part of the match */
    CHECK_EQ(min_len("x*", 0), 0);
    /* characters, not bytes: "ää" is 4 bytes and matches */
    CHECK_EQ(min_len("\xc3\xa4{2}", TR_RE_UTF), 2);
    CHECK_EQ(match("\xc3\xa4{2}", TR_RE_UTF, "\xc3\xa4\xc3\xa4"), 1);
    CHECK_EQ(match("\\s[a-f]{3}", 0, "x abc"), 1);
    CHECK_EQ(min_len("\\s[a-f]{3}", 0), 4);
}
