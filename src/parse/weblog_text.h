/*
 * weblog_text.h - small text helpers shared by the line-based decoders
 * (weblog, w3c, zeek, syslog, auditd).
 *
 * They exist so that every decoder classifies numbers, decodes escapes and
 * formats dates the same way. None allocates from the heap: decoded text
 * goes into the event arena, and only when the input needs decoding.
 */
#ifndef TR_SRC_PARSE_WEBLOG_TEXT_H
#define TR_SRC_PARSE_WEBLOG_TEXT_H

#include "core/common.h"

#include "trawl/event.h"

/* Whether p[0..e) is a JSON number's fraction and exponent
 * ((.[0-9]+)?([eE][+-]?[0-9]+)?, all of it); tr_text_is_number's tail. */
bool tr_text_number_tail(const char *p, const char *e);

/* True when s is a JSON number (-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?).
 * Decoders only tag a value TR_VNUM when this holds: `trawl cat` writes
 * numbers verbatim, so "007" or "1e" must stay strings. Inline: Zeek and web
 * logs ask it of several values a record, and most are plain integers. */
static inline bool tr_text_is_number(tr_str s)
{
    const char *p = s.p, *e = s.p + s.n;
    if (p < e && *p == '-')
        p++;
    if (p == e)
        return false;
    if (*p == '0') {
        p++;
    } else {
        if ((unsigned)(*p - '0') > 9)
            return false;
        do
            p++;
        while (p < e && (unsigned)(*p - '0') <= 9);
    }
    return p == e || tr_text_number_tail(p, e);
}

/* tr_event_add, inline for the decoders' per-value loops (same contract:
 * NULL and ev->truncated counted when the event is full). */
static inline tr_field *tr_text_put(tr_event *ev, tr_str name, tr_str value, tr_vkind kind)
{
    if (TR_UNLIKELY(ev->nfields >= ev->cap)) {
        ev->truncated++;
        return NULL;
    }
    tr_field *f = &ev->fields[ev->nfields++];
    *f = (tr_field){ .name = name, .value = value, .kind = (uint8_t)kind };
    return f;
}

/* Value of a hex digit, or -1. */
static inline int tr_text_hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* First byte equal to a or b in p[0..n), or NULL; eight bytes at a time.
 * Log fields are short, so this beats a libc call per field. Within a word
 * only the lowest flagged byte is exact, which is the one returned. */
static inline const char *tr_text_find2(const char *p, size_t n, char a, char b)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t pa = ones * (unsigned char)a, pb = ones * (unsigned char)b;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t xa = w ^ pa, xb = w ^ pb;
        uint64_t hit = (((xa - ones) & ~xa) | ((xb - ones) & ~xb)) & highs;
        if (hit)
            return p + i + (size_t)(__builtin_ctzll(hit) >> 3);
    }
    for (; i < n; i++)
        if (p[i] == a || p[i] == b)
            return p + i;
    return NULL;
}

/* First byte equal to c in p[0..n), or NULL; tr_text_find2 for one byte
 * (half the work per word: Zeek splits every record on one separator). */
static inline const char *tr_text_find1(const char *p, size_t n, char c)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    const uint64_t pc = ones * (unsigned char)c;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        uint64_t x = w ^ pc;
        uint64_t hit = (x - ones) & ~x & highs;
        if (hit)
            return p + i + (size_t)(__builtin_ctzll(hit) >> 3);
    }
    for (; i < n; i++)
        if (p[i] == c)
            return p + i;
    return NULL;
}

/* s without a leading UTF-8 byte order mark and trailing CR / blanks. */
tr_str tr_text_trim_record(tr_str s);

/* Decodes the escapes Apache (ap_escape_logitem) and nginx write inside quoted
 * log fields: \" \\ and \xHH. Apache's \n \t \r \b \v are left as written:
 * servers that do not escape log Windows paths ("..\windows\temp") where
 * those would decode to control bytes. Any other backslash is kept. The
 * result lives in arena; returns s itself when it holds no backslash or the
 * arena is full/absent. */
tr_str tr_text_unescape_log(tr_str s, tr_arena *arena);

/* "YYYY-MM-DD" and "HH:MM:SS" (UTC) of ns, written in arena. false when the
 * arena is absent or full. */
bool tr_text_date_time(int64_t ns, tr_arena *arena, tr_str *date, tr_str *time);

/* Appends a field and sets its alias; NULL when the event is full. */
static inline tr_field *tr_text_add(tr_event *ev, tr_str name, tr_str alias, tr_str value,
                                    tr_vkind kind)
{
    tr_field *f = tr_text_put(ev, name, value, kind);
    if (f)
        f->alias = alias;
    return f;
}

/* Appends value as a number when it is one, as a string otherwise. */
static inline tr_field *tr_text_add_num(tr_event *ev, tr_str name, tr_str value)
{
    return tr_text_put(ev, name, value, tr_text_is_number(value) ? TR_VNUM : TR_VSTR);
}

#endif
