/*
 * test_sigma_cond.c - the condition language (specification, "Condition")
 * and the wildcard/escape rules of values ("String Wildcard", "Escape
 * Character").
 */
#include "test_sigma_util.h"

/* Four identifiers over fields a, b, c, d (value "1" each). */
#define IDS "    sel_a: {a: 1}\n    sel_b: {b: 1}\n    filter_c: {c: 1}\n    _d: {d: 1}\n"
#define COND(c) IDS "    condition: " c "\n"

TEST(sigma_cond_and_or)
{
    MATCH(COND("sel_a and sel_b"), KV("a", "1", "b", "1"));
    NO_MATCH(COND("sel_a and sel_b"), KV("a", "1"));
    MATCH(COND("sel_a or sel_b"), KV("b", "1"));
    NO_MATCH(COND("sel_a or sel_b"), KV("c", "1"));
}

TEST(sigma_cond_not)
{
    MATCH(COND("sel_a and not filter_c"), KV("a", "1"));
    NO_MATCH(COND("sel_a and not filter_c"), KV("a", "1", "c", "1"));
    MATCH(COND("not sel_a"), KV("b", "1"));
    MATCH(COND("not not sel_a"), KV("a", "1"));
}

TEST(sigma_cond_precedence)
{
    /* and binds tighter than or: a or (b and c). */
    MATCH(COND("sel_a or sel_b and filter_c"), KV("a", "1"));
    NO_MATCH(COND("sel_a or sel_b and filter_c"), KV("b", "1"));
    /* not binds tighter than and: (not a) and b. */
    MATCH(COND("not sel_a and sel_b"), KV("b", "1"));
    NO_MATCH(COND("not sel_a and sel_b"), KV("a", "1", "b", "1"));
    /* not binds looser than x of: not (1 of sel_*). */
    NO_MATCH(COND("not 1 of sel_*"), KV("b", "1"));
    MATCH(COND("not 1 of sel_*"), KV("c", "1"));
    /* Parentheses. */
    NO_MATCH(COND("(sel_a or sel_b) and filter_c"), KV("a", "1"));
    MATCH(COND("(sel_a or sel_b) and filter_c"), KV("a", "1", "c", "1"));
    MATCH(COND("((sel_a))"), KV("a", "1"));
}

TEST(sigma_cond_one_of_pattern)
{
    MATCH(COND("1 of sel_*"), KV("b", "1"));
    NO_MATCH(COND("1 of sel_*"), KV("c", "1"));
    MATCH(COND("any of sel_*"), KV("a", "1"));
    MATCH(COND("1 of sel_* and not 1 of filter*"), KV("a", "1"));
    NO_MATCH(COND("1 of sel_* and not 1 of filter*"), KV("a", "1", "c", "1"));
    /* Wildcards anywhere in the pattern. */
    MATCH(COND("1 of *_b"), KV("b", "1"));
    REJECT(COND("1 of s*_?")); /* '?' is not a wildcard in patterns */
}

TEST(sigma_cond_all_of_pattern)
{
    MATCH(COND("all of sel_*"), KV("a", "1", "b", "1"));
    NO_MATCH(COND("all of sel_*"), KV("a", "1"));
}

TEST(sigma_cond_them_skips_underscore)
{
    MATCH(COND("1 of them"), KV("c", "1"));
    NO_MATCH(COND("1 of them"), KV("d", "1"));
    MATCH(COND("all of them"), KV("a", "1", "b", "1", "c", "1"));
    /* _d is not required by all of them. */
    MATCH(COND("all of them"), KV("a", "1", "b", "1", "c", "1", "d", "2"));
    /* An explicit _ pattern selects them. */
    MATCH(COND("1 of _*"), KV("d", "1"));
    MATCH(COND("_d"), KV("d", "1"));
}

TEST(sigma_cond_list_is_or)
{
    const char *det = IDS "    condition:\n        - sel_a and sel_b\n        - filter_c\n";
    MATCH(det, KV("c", "1"));
    MATCH(det, KV("a", "1", "b", "1"));
    NO_MATCH(det, KV("a", "1"));
}

TEST(sigma_cond_keywords_any_case)
{
    MATCH(COND("sel_a AND NOT filter_c"), KV("a", "1"));
    MATCH(COND("ALL OF sel_*"), KV("a", "1", "b", "1"));
}

TEST(sigma_cond_at_least_n)
{
    MATCH(COND("2 of them"), KV("a", "1", "c", "1"));
    NO_MATCH(COND("2 of them"), KV("a", "1"));
}

TEST(sigma_cond_errors)
{
    REJECT(COND("sel_a and"));
    REJECT(COND("sel_a or or sel_b"));
    REJECT(COND("(sel_a"));
    REJECT(COND("sel_a)"));
    REJECT(COND("sel_a sel_b"));
    REJECT(COND("unknown_sel"));
    CHECK(strstr(sgt_err, "unknown search identifier 'unknown_sel'"));
    REJECT(COND("1 of nothing*"));
    CHECK(strstr(sgt_err, "matches no search identifier"));
    REJECT(COND("sel_*"));
    REJECT(COND("0 of them"));
    REJECT(COND("5 of sel_*"));
    REJECT(COND("sel_a | count() > 5"));
    CHECK(strstr(sgt_err, "obsolete"));
    REJECT(COND("''"));
    REJECT(COND("1 sel_a"));
}

TEST(sigma_cond_deep_nesting_bounded)
{
    char det[8192];
    size_t o = (size_t)snprintf(det, sizeof(det), "%s    condition: ", IDS);
    for (int i = 0; i < 1000 && o < sizeof(det) - 100; i++)
        det[o++] = '(';
    snprintf(det + o, sizeof(det) - o, "sel_a\n");
    REJECT(det);
    CHECK_MSG(strstr(sgt_err, "nested too deeply"), "%s", sgt_err);
}

TEST(sigma_identifier_shapes)
{
    /* A search identifier that is a list of maps, and one that is a map
     * with a list value, used together. */
    const char *det = "    sel1:\n        - a: 1\n        - b: [2, 3]\n    sel2:\n"
                      "        c|contains:\n            - x\n            - y\n"
                      "    condition: sel1 and sel2\n";
    MATCH(det, KV("b", "3", "c", "..y.."));
    NO_MATCH(det, KV("b", "4", "c", "..y.."));
}

/* ---- Wildcards and escapes ------------------------------------------------------------------ */

#define V(v) "    sel:\n        f: " v "\n    condition: sel\n"

TEST(sigma_wildcard_star_and_question)
{
    MATCH(V("'prog?.exe'"), KV("f", "progA.exe"));
    NO_MATCH(V("'prog?.exe'"), KV("f", "prog.exe"));
    NO_MATCH(V("'prog?.exe'"), KV("f", "progAB.exe"));
    MATCH(V("'antivirus_V*.exe'"), KV("f", "antivirus_V21.2.1.exe"));
    MATCH(V("'antivirus_V*.exe'"), KV("f", "antivirus_V.exe"));
    NO_MATCH(V("'antivirus_V*.exe'"), KV("f", "antivirus_V1.dll"));
    MATCH(V("'*'"), KV("f", ""));
    NO_MATCH(V("'*'"), KV("g", "x"));
    MATCH(V("'a*b*c'"), KV("f", "aXXbYYbc"));
    NO_MATCH(V("'a*b*c'"), KV("f", "aXXcYYb"));
    /* '?' is one character, not one byte. */
    MATCH(V("'caf?'"), KV("f", "caf\xC3\xA9"));
}

TEST(sigma_escape_rules)
{
    /* \* and \? are plain characters. */
    MATCH(V("'a\\*b'"), KV("f", "a*b"));
    NO_MATCH(V("'a\\*b'"), KV("f", "aXb"));
    MATCH(V("'what\\?'"), KV("f", "what?"));
    NO_MATCH(V("'what\\?'"), KV("f", "whatX"));
    /* A lone backslash (Windows paths) is plain. */
    MATCH(V("'C:\\Windows\\System32\\cmd.exe'"), KV("f", "C:\\Windows\\System32\\cmd.exe"));
    /* \\ is one backslash. */
    MATCH(V("'C:\\\\Windows'"), KV("f", "C:\\Windows"));
    /* \\* is a backslash followed by a wildcard. */
    MATCH(V("'C:\\\\*'"), KV("f", "C:\\anything"));
    NO_MATCH(V("'C:\\\\*'"), KV("f", "C:anything"));
    /* \\\* is a backslash followed by a plain star. */
    MATCH(V("'C:\\\\\\*'"), KV("f", "C:\\*"));
    NO_MATCH(V("'C:\\\\\\*'"), KV("f", "C:\\x"));
    /* Three or four backslashes are two. */
    MATCH(V("'a\\\\\\b'"), KV("f", "a\\\\b"));
    MATCH(V("'a\\\\\\\\b'"), KV("f", "a\\\\b"));
    NO_MATCH(V("'a\\\\\\\\b'"), KV("f", "a\\b"));
    /* A trailing backslash. */
    MATCH(V("'dir\\'"), KV("f", "dir\\"));
    /* Escapes with modifiers. */
    MATCH("    sel:\n        f|contains: '\\*\\?'\n    condition: sel\n", KV("f", "x*?y"));
    NO_MATCH("    sel:\n        f|contains: '\\*\\?'\n    condition: sel\n", KV("f", "xaby"));
}
