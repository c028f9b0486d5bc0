/*
 * test_json.c - the JSON pull tokenizer: token streams, the grammar's edges,
 * error offsets and reasons, and the cold-path helpers.
 */
#include "tt.h"

#include "core/json.h"
#include "trawl/arena.h"

/* The token stream of a document in a compact notation:
 *   { } [ ]  k:key  s:str  (e for escaped: ke:/se:)  n:num  T F N  END  or ERR@off:reason */
static const char *tokens(const char *doc, size_t n, uint32_t depth, char *out, size_t cap)
{
    tr_json j;
    tr_json_init(&j, doc, n, depth);
    tr_json_tok t;
    size_t o = 0;
    out[0] = '\0';
    for (int guard = 0; guard < 10000; guard++) {
        tr_json_type type = tr_json_next(&j, &t);
        const char *sep = o ? " " : "";
        int w = 0;
        switch (type) {
        case TR_JSON_OBJ_BEGIN: w = snprintf(out + o, cap - o, "%s{", sep); break;
        case TR_JSON_OBJ_END: w = snprintf(out + o, cap - o, "%s}", sep); break;
        case TR_JSON_ARR_BEGIN: w = snprintf(out + o, cap - o, "%s[", sep); break;
        case TR_JSON_ARR_END: w = snprintf(out + o, cap - o, "%s]", sep); break;
        case TR_JSON_KEY:
            w = snprintf(out + o, cap - o, "%sk%s:%.*s", sep, t.escaped ? "e" : "",
                         TR_STR_FMT(t.text));
            break;
        case TR_JSON_STRING:
            w = snprintf(out + o, cap - o, "%ss%s:%.*s", sep, t.escaped ? "e" : "",
                         TR_STR_FMT(t.text));
            break;
        case TR_JSON_NUMBER:
            w = snprintf(out + o, cap - o, "%sn:%.*s", sep, TR_STR_FMT(t.text));
            break;
        case TR_JSON_TRUE: w = snprintf(out + o, cap - o, "%sT", sep); break;
        case TR_JSON_FALSE: w = snprintf(out + o, cap - o, "%sF", sep); break;
        case TR_JSON_NULL: w = snprintf(out + o, cap - o, "%sN", sep); break;
        case TR_JSON_END:
            snprintf(out + o, cap - o, "%sEND", sep);
            return out;
        case TR_JSON_ERROR:
            snprintf(out + o, cap - o, "%sERR@%zu:%s", sep, j.err_off, j.errmsg);
            return out;
        }
        if (w < 0 || (size_t)w >= cap - o)
            return out;
        o += (size_t)w;
    }
    return out;
}

static char tbuf[4096];
#define TOKS(doc) tokens(doc, strlen(doc), 0, tbuf, sizeof(tbuf))

TEST(json_token_stream)
{
    CHECK_STR(TOKS("{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"x\"}}"),
              "{ k:a n:1 k:b [ T F N ] k:c { k:d s:x } } END");
    CHECK_STR(TOKS(" \t\r\n[ ] "), "[ ] END");
    CHECK_STR(TOKS("{}"), "{ } END");
    CHECK_STR(TOKS("\"top\""), "s:top END");
    CHECK_STR(TOKS("-0.5e+10"), "n:-0.5e+10 END");
    CHECK_STR(TOKS("{\"a\\\"b\":\"c\\u00e9\"}"), "{ ke:a\\\"b se:c\\u00e9 } END");
    CHECK_STR(TOKS("[[[]],{}]"), "[ [ [ ] ] { } ] END");
    CHECK_STR(TOKS("{\"a\":1,\"a\":2}"), "{ k:a n:1 k:a n:2 } END"); /* duplicates kept */
}

TEST(json_numbers)
{
    static const char *const good[] = { "0", "-0", "1", "-1", "10", "0.0", "1.25", "1e5",
                                        "1E5", "1e+5", "1e-5", "-0.0e-0", "123456789012345678901234567890",
                                        "1.7976931348623157e309" };
    for (size_t i = 0; i < TR_ARRAY_LEN(good); i++)
        CHECK_MSG(tr_json_validate(good[i], strlen(good[i]), 0, NULL) == TR_OK, "%s", good[i]);
    static const char *const bad[] = { "01", "-01", "+1", ".5", "1.", "1.e5", "1e", "1e+",
                                       "-", "--1", "0x10", "1,", "Infinity", "NaN", "-.5",
                                       "1e5.5", "00", "1 2" };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++)
        CHECK_MSG(tr_json_validate(bad[i], strlen(bad[i]), 0, NULL) == TR_EPARSE, "%s", bad[i]);
    CHECK_STR(TOKS("[01]"), "[ ERR@1:leading zero in number");
    CHECK_STR(TOKS("1."), "ERR@2:digit expected after decimal point");
    CHECK_STR(TOKS("[1e]"), "[ ERR@3:digit expected in exponent");
}

TEST(json_errors_carry_offset_and_reason)
{
    CHECK_STR(TOKS(""), "ERR@0:empty input");
    CHECK_STR(TOKS("   "), "ERR@3:empty input");
    CHECK_STR(TOKS("{} x"), "{ } ERR@3:trailing characters after value");
    CHECK_STR(TOKS("{}{}"), "{ } ERR@2:trailing characters after value");
    CHECK_STR(TOKS("{\"a\":\"x\\q\"}"), "{ k:a ERR@7:invalid escape");
    CHECK_STR(TOKS("{\"a\":\"xyz"), "{ k:a ERR@5:unterminated string");
    CHECK_STR(TOKS("{\"a\":1"), "{ k:a n:1 ERR@6:unterminated object");
    CHECK_STR(TOKS("[1,2"), "[ n:1 n:2 ERR@4:unterminated array");
    CHECK_STR(TOKS("[1,]"), "[ n:1 ERR@3:trailing comma in array");
    CHECK_STR(TOKS("{\"a\":1,}"), "{ k:a n:1 ERR@7:trailing comma in object");
    CHECK_STR(TOKS("{\"a\" 1}"), "{ ERR@5:expected ':' after key");
    CHECK_STR(TOKS("{1:2}"), "{ ERR@1:expected a string key");
    CHECK_STR(TOKS("[1 2]"), "[ n:1 ERR@3:expected ',' or ']' after element");
    CHECK_STR(TOKS("{\"a\":1 \"b\":2}"), "{ k:a n:1 ERR@7:expected ',' or '}' after member");
    CHECK_STR(TOKS("[tru]"), "[ ERR@1:invalid literal");
    CHECK_STR(TOKS("[nul"), "[ ERR@1:invalid literal");
    CHECK_STR(TOKS("\"a\tb\""), "ERR@2:control character in string");
    CHECK_STR(TOKS("\"\\ud800\""), "ERR@1:lone high surrogate");
    CHECK_STR(TOKS("\"\\udc00\""), "ERR@1:lone low surrogate");
    CHECK_STR(TOKS("\"\\ud800\\u0041\""), "ERR@1:lone high surrogate");
    CHECK_STR(TOKS("\"\\u12G4\""), "ERR@1:invalid \\u escape");
    CHECK_STR(TOKS("\"\xC0\xAF\""), "ERR@1:invalid UTF-8");
    CHECK_STR(TOKS("]"), "ERR@0:expected a value");
    CHECK_STR(TOKS("\xEF\xBB\xBF{}"), "ERR@0:expected a value"); /* BOM is not JSON text */
    /* sticky */
    tr_json j;
    tr_json_tok t;
    tr_json_init(&j, "[x]", 3, 0);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_ARR_BEGIN);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_ERROR);
    CHECK(tr_json_failed(&j));
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_ERROR);
    CHECK_EQ(t.off, 1);
}

TEST(json_no_read_past_end)
{
    /* the document is a prefix of a larger buffer: bytes past n must not count */
    const char *buf = "{\"a\":\"bc\"}";
    CHECK_STR(tokens(buf, 7, 0, tbuf, sizeof(tbuf)), "{ k:a ERR@5:unterminated string");
    CHECK_STR(tokens("12345", 2, 0, tbuf, sizeof(tbuf)), "n:12 END");
    CHECK_STR(tokens("truex", 3, 0, tbuf, sizeof(tbuf)), "ERR@0:invalid literal");
    CHECK_STR(tokens("\"\\u00411\"", 5, 0, tbuf, sizeof(tbuf)), "ERR@1:invalid \\u escape");
    CHECK_STR(tokens("\"\xE2\x82\xAC\"", 3, 0, tbuf, sizeof(tbuf)), "ERR@1:invalid UTF-8");
}

TEST(json_utf8)
{
    static const char *const good[] = {
        "\"\xC3\xA9\"", "\"\xE2\x82\xAC\"", "\"\xF0\x9F\x98\x80\"", "\"\xEF\xBF\xBF\"",
        "\"\xF4\x8F\xBF\xBF\"", "\"\xED\x9F\xBF\"", "\"\xEE\x80\x80\"",
        "\"abcdefghijklmnopqrstuvwxyz\xC3\xA9\xC3\xA9\xC3\xA9 0123456789abcdef\xE2\x82\xAC\"",
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(good); i++)
        CHECK_MSG(tr_json_validate(good[i], strlen(good[i]), 0, NULL) == TR_OK, "good %zu", i);
    static const char *const bad[] = {
        "\"\xC0\x80\"",         /* overlong NUL */
        "\"\xC1\xBF\"",         /* overlong */
        "\"\xE0\x9F\xBF\"",     /* overlong 3-byte */
        "\"\xF0\x8F\xBF\xBF\"", /* overlong 4-byte */
        "\"\xED\xA0\x80\"",     /* UTF-16 surrogate D800 */
        "\"\xED\xBF\xBF\"",     /* surrogate DFFF */
        "\"\xF4\x90\x80\x80\"", /* > U+10FFFF */
        "\"\xF5\x80\x80\x80\"", "\"\xFF\"", "\"\x80\"", "\"\xC3\"", "\"\xE2\x82\"",
        "\"\xF0\x9F\x98\"", "\"\xC3\x28\"",
        "\"0123456789abcdef0123456789\xE2\x28\xA1 padding padding padding\"",
        "[\xC3\xA9]", /* non-ASCII outside a string */
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++)
        CHECK_MSG(tr_json_validate(bad[i], strlen(bad[i]), 0, NULL) == TR_EPARSE, "bad %zu", i);
}

TEST(json_control_chars_at_every_position)
{
    /* put a control byte at each offset of a long string so that both the
     * vector and the scalar paths of the scanner meet it */
    char doc[80];
    for (size_t pos = 1; pos < 70; pos++) {
        memset(doc, 'a', sizeof(doc));
        doc[0] = '"';
        doc[71] = '"';
        doc[pos] = (char)(pos % 32);
        CHECK_MSG(tr_json_validate(doc, 72, 0, NULL) == TR_EPARSE, "control at %zu", pos);
        doc[pos] = '\\';
        CHECK_MSG(tr_json_validate(doc, 72, 0, NULL) == TR_EPARSE, "lone backslash %zu", pos);
        doc[pos] = '"';
        CHECK_MSG(tr_json_validate(doc, 72, 0, NULL) == TR_EPARSE, "quote at %zu", pos);
        doc[pos] = (char)0x80;
        CHECK_MSG(tr_json_validate(doc, 72, 0, NULL) == TR_EPARSE, "0x80 at %zu", pos);
        doc[pos] = 0x7F; /* DEL is allowed */
        CHECK_MSG(tr_json_validate(doc, 72, 0, NULL) == TR_OK, "DEL at %zu", pos);
    }
}

TEST(json_depth_limit)
{
    char doc[2 * 1100];
    for (uint32_t d = 1; d <= 1030; d += (d < 70 ? 1 : 37)) {
        memset(doc, '[', d);
        memset(doc + d, ']', d);
        tr_err want64 = d <= 64 ? TR_OK : TR_EPARSE;
        CHECK_MSG(tr_json_validate(doc, 2 * d, 0, NULL) == want64, "depth %u", d);
        tr_err want_cap = d <= TR_JSON_DEPTH_CAP ? TR_OK : TR_EPARSE;
        CHECK_MSG(tr_json_validate(doc, 2 * d, 5000, NULL) == want_cap, "depth %u cap", d);
    }
    tr_json j;
    memset(doc, '[', 65);
    CHECK(tr_json_validate(doc, 65, 0, &j) == TR_EPARSE);
    CHECK_EQ(j.err_off, 64);
    CHECK_STR(j.errmsg, "nesting deeper than 64");
    CHECK(tr_json_validate(doc, 11, 10, &j) == TR_EPARSE);
    CHECK_STR(j.errmsg, "nesting deeper than 10");
    /* mixed objects and arrays: the kind bits must survive 64-bit word edges */
    size_t o = 0;
    for (int d = 0; d < 200; d++)
        o += (size_t)snprintf(doc + o, sizeof(doc) - o, d % 3 ? "[" : "{\"k\":");
    for (int d = 199; d >= 0; d--)
        doc[o++] = d % 3 ? ']' : '}';
    CHECK(tr_json_validate(doc, o, 200, NULL) == TR_OK);
    CHECK(tr_json_validate(doc, o, 199, NULL) == TR_EPARSE);
}

TEST(json_skip_member_element)
{
    const char *doc = "{\"skip\":{\"x\":[1,{\"y\":2}],\"z\":\"w\"},\"arr\":[1,\"two\",[3],{}],"
                      "\"last\":true}";
    tr_json j;
    tr_json_init(&j, doc, strlen(doc), 0);
    tr_json_tok t, k;
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_OBJ_BEGIN);
    CHECK(tr_json_member(&j, &k));
    CHECK(tr_json_str_is(&k, "skip"));
    CHECK_EQ(tr_json_skip(&j, &k), TR_OK);
    CHECK(tr_json_member(&j, &k));
    CHECK_SLICE(k.text, "arr");
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_ARR_BEGIN);
    int n = 0;
    while (tr_json_element(&j, &t)) {
        n++;
        CHECK_EQ(tr_json_skip(&j, &t), TR_OK);
    }
    CHECK(!tr_json_failed(&j));
    CHECK_EQ(n, 4);
    CHECK(tr_json_member(&j, &k));
    CHECK_SLICE(k.text, "last");
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_TRUE);
    CHECK(!tr_json_member(&j, &k));
    CHECK_EQ(k.type, TR_JSON_OBJ_END);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_END);
    /* skipping still validates */
    const char *bad = "{\"a\":[1,{\"b\":01}],\"c\":1}";
    tr_json_init(&j, bad, strlen(bad), 0);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_OBJ_BEGIN);
    CHECK(tr_json_member(&j, &k));
    CHECK_EQ(tr_json_skip(&j, &k), TR_EPARSE);
    CHECK_STR(j.errmsg, "leading zero in number");
    /* skipping a scalar member value */
    tr_json_init(&j, "{\"a\":\"s\",\"b\":2}", 15, 0);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_OBJ_BEGIN);
    CHECK(tr_json_member(&j, &k));
    CHECK_EQ(tr_json_skip(&j, &k), TR_OK);
    CHECK(tr_json_member(&j, &k));
    CHECK_SLICE(k.text, "b");
}

TEST(json_string_helpers)
{
    const char *doc = "[\"plain\",\"tab\\there \\u00e9\\ud83d\\ude00\",\"C:\\\\Windows\"]";
    tr_json j;
    tr_json_init(&j, doc, strlen(doc), 0);
    tr_json_tok t;
    char buf[64];
    tr_str s;
    tr_arena *a = tr_arena_new(0, 0);
    CHECK(a);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_ARR_BEGIN);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_STRING);
    CHECK_EQ(tr_json_str_arena(&t, a, &s), TR_OK);
    CHECK(s.p == t.text.p); /* no copy without escapes */
    CHECK_EQ(tr_json_str(&t, buf, sizeof(buf), &s), TR_OK);
    CHECK_SLICE(s, "plain");
    CHECK_EQ(tr_json_str(&t, buf, 3, &s), TR_ELIMIT);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_STRING);
    CHECK(t.escaped);
    CHECK_EQ(tr_json_str(&t, buf, sizeof(buf), &s), TR_OK);
    CHECK_SLICE(s, "tab\there \xC3\xA9\xF0\x9F\x98\x80");
    CHECK(tr_json_str_is(&t, "tab\there \xC3\xA9\xF0\x9F\x98\x80"));
    CHECK(!tr_json_str_is(&t, "tab\there"));
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_STRING);
    CHECK_EQ(tr_json_str_arena(&t, a, &s), TR_OK);
    CHECK_SLICE(s, "C:\\Windows");
    CHECK(tr_json_str_is(&t, "C:\\Windows"));
    tr_arena_free(a);

    /* a long escaped key compared piecewise */
    char big[3000], want[1500];
    size_t o = 0, w = 0;
    big[o++] = '"';
    for (int i = 0; i < 600; i++) {
        if (i % 7 == 0) {
            memcpy(big + o, "\\u0041", 6);
            o += 6;
            want[w++] = 'A';
        } else if (i % 11 == 0) {
            memcpy(big + o, "\\ud83d\\ude00", 12);
            o += 12;
            memcpy(want + w, "\xF0\x9F\x98\x80", 4);
            w += 4;
        } else {
            big[o++] = (char)('a' + i % 26);
            want[w++] = (char)('a' + i % 26);
        }
    }
    big[o++] = '"';
    want[w] = '\0';
    tr_json_init(&j, big, o, 0);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_STRING);
    CHECK(tr_json_str_is(&t, want));
    want[w - 1] = 'Z';
    CHECK(!tr_json_str_is(&t, want));
}

TEST(json_number_helpers)
{
    tr_json j;
    tr_json_tok t;
    int64_t v;
    double d;
    tr_json_init(&j, "[4688,-9223372036854775808,9223372036854775808,1.5e3,2e0]", 56, 0);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_ARR_BEGIN);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_NUMBER);
    CHECK_EQ(tr_json_int(&t, &v), TR_OK);
    CHECK_EQ(v, 4688);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_NUMBER);
    CHECK_EQ(tr_json_int(&t, &v), TR_OK);
    CHECK(v == INT64_MIN);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_NUMBER);
    CHECK_EQ(tr_json_int(&t, &v), TR_ELIMIT);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_NUMBER);
    CHECK_EQ(tr_json_int(&t, &v), TR_EINVAL);
    CHECK_EQ(tr_json_double(&t, &d), TR_OK);
    CHECK(d == 1500.0);
    CHECK_EQ(tr_json_next(&j, &t), TR_JSON_NUMBER);
    CHECK_EQ(tr_json_double(&t, &d), TR_OK);
    CHECK(d == 2.0);
}

TEST(json_long_strings_all_paths)
{
    /* strings of every length 0..100 with an escape or a UTF-8 char at the end
     * exercise the 16-byte, 8-byte and byte-wise scanners and their seams */
    char doc[256];
    for (size_t len = 0; len < 100; len++) {
        for (int kind = 0; kind < 3; kind++) {
            size_t o = 0;
            doc[o++] = '"';
            memset(doc + o, 'x', len);
            o += len;
            if (kind == 1) {
                memcpy(doc + o, "\\n", 2);
                o += 2;
            } else if (kind == 2) {
                memcpy(doc + o, "\xE2\x82\xAC", 3);
                o += 3;
            }
            doc[o++] = '"';
            tr_json j;
            tr_json_tok t;
            tr_json_init(&j, doc, o, 0);
            CHECK_MSG(tr_json_next(&j, &t) == TR_JSON_STRING, "len %zu kind %d: %s", len, kind,
                      j.errmsg);
            CHECK_EQ(t.text.n, o - 2);
            CHECK_EQ(t.escaped, kind == 1);
            CHECK_EQ(tr_json_next(&j, &t), TR_JSON_END);
            /* and the same string without its closing quote */
            tr_json_init(&j, doc, o - 1, 0);
            CHECK_EQ(tr_json_next(&j, &t), TR_JSON_ERROR);
        }
    }
}
