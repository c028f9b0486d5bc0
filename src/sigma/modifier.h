/*
 * modifier.h - the registry of Sigma value modifiers (one X-macro list that
 * the parser, the documentation command and docs/SIGMA.md all follow) and
 * the byte transformations some of them perform.
 */
#ifndef TR_SRC_SIGMA_MODIFIER_H
#define TR_SRC_SIGMA_MODIFIER_H

#include "core/buf.h"
#include "core/common.h"

/* X(ID, name, group, summary) */
#define SG_MODIFIERS(X)                                                                            \
    X(CONTAINS, "contains", "generic", "the value may occur anywhere in the field")                \
    X(STARTSWITH, "startswith", "generic", "the field starts with the value")                      \
    X(ENDSWITH, "endswith", "generic", "the field ends with the value")                            \
    X(ALL, "all", "generic", "every value of the list must match (AND instead of OR)")             \
    X(EXISTS, "exists", "generic", "true: the field is present; false: it is absent")              \
    X(CASED, "cased", "generic", "compare case-sensitively (the default ignores ASCII case)")      \
    X(NEQ, "neq", "generic", "the field is present and differs from every value")                 \
    X(WINDASH, "windash", "string",                                                                \
      "- / and the en dash, em dash and horizontal bar match each other")                          \
    X(RE, "re", "regex", "the value is a PCRE2 regular expression, searched in the field")         \
    X(I, "i", "regex", "after re: ignore case (alias: ignorecase)")                                \
    X(IGNORECASE, "ignorecase", "regex", "alias of i")                                             \
    X(M, "m", "regex", "after re: ^ and $ match at line breaks (alias: multiline)")                \
    X(MULTILINE, "multiline", "regex", "alias of m")                                               \
    X(S, "s", "regex", "after re: . also matches line breaks (alias: dotall)")                     \
    X(DOTALL, "dotall", "regex", "alias of s")                                                     \
    X(BASE64, "base64", "encoding", "match the Base64 encoding of the value")                      \
    X(BASE64OFFSET, "base64offset", "encoding",                                                    \
      "match the value inside Base64 text at any of the three byte offsets")                       \
    X(UTF16LE, "utf16le", "encoding", "encode the value as UTF-16LE (before base64)")              \
    X(WIDE, "wide", "encoding", "alias of utf16le")                                                \
    X(UTF16BE, "utf16be", "encoding", "encode the value as UTF-16BE")                              \
    X(UTF16, "utf16", "encoding", "encode the value as UTF-16LE with a byte order mark")           \
    X(LT, "lt", "numeric", "the field is a number less than the value")                           \
    X(LTE, "lte", "numeric", "the field is a number less than or equal to the value")             \
    X(GT, "gt", "numeric", "the field is a number greater than the value")                        \
    X(GTE, "gte", "numeric", "the field is a number greater than or equal to the value")          \
    X(MINUTE, "minute", "time", "the minute (0-59) of the field's timestamp equals the value")     \
    X(HOUR, "hour", "time", "the hour (0-23) of the field's timestamp equals the value")           \
    X(DAY, "day", "time", "the day of the month (1-31) of the field's timestamp")                  \
    X(WEEK, "week", "time", "the ISO 8601 week (1-53) of the field's timestamp")                   \
    X(MONTH, "month", "time", "the month (1-12) of the field's timestamp")                         \
    X(YEAR, "year", "time", "the year of the field's timestamp")                                   \
    X(CIDR, "cidr", "ip", "the field is an IPv4 or IPv6 address inside the network")              \
    X(EXPAND, "expand", "specific", "replace %placeholders% with their configured values")         \
    X(FIELDREF, "fieldref", "specific", "compare with the value of the field the value names")

typedef enum sg_mod {
#define SG_MOD_ENUM(id, name, group, summary) SG_M_##id,
    SG_MODIFIERS(SG_MOD_ENUM)
#undef SG_MOD_ENUM
        SG_M_COUNT
} sg_mod;

/* Modifier by name (exact, lowercase), or SG_M_COUNT. */
sg_mod sg_mod_lookup(tr_str name);
const char *sg_mod_name(sg_mod m);

/* Standard Base64 (with padding) of p[0..n) appended to out. */
tr_err sg_base64(tr_buf *out, const void *p, size_t n);

/* The three Base64 forms of p[0..n) at byte offsets 0, 1 and 2 of a longer
 * text, with the characters that depend on the neighbouring bytes cut
 * off. out[i] receives form i. */
tr_err sg_base64_offsets(tr_buf out[3], const void *p, size_t n);

typedef enum sg_utf16_form {
    SG_UTF16LE = 0,
    SG_UTF16BE,
    SG_UTF16_BOM /* little-endian with FF FE in front */
} sg_utf16_form;

/* UTF-8 text p[0..n) as UTF-16 bytes; TR_EPARSE on invalid UTF-8. The BOM
 * is not written here (the caller adds it once per value). */
tr_err sg_utf16(tr_buf *out, const void *p, size_t n, sg_utf16_form how);

#endif
