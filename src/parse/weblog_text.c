/*
 * weblog_text.c - text helpers shared by the line-based decoders (see
 * weblog_text.h).
 *
 * Kept apart so that the five decoders agree on what a number is, how a log
 * escape decodes and how an event's date and time are spelled.
 */
#include "core/common.h"

#include "core/time.h"
#include "parse/weblog_text.h"
#include "trawl/arena.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool tr_text_number_tail(const char *p, const char *e)
{
    if (p < e && *p == '.') {
        p++;
        if (p == e || !is_digit(*p))
            return false;
        while (p < e && is_digit(*p))
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p == e || !is_digit(*p))
            return false;
        while (p < e && is_digit(*p))
            p++;
    }
    return p == e;
}

tr_str tr_text_trim_record(tr_str s)
{
    if (s.n >= 3 && (unsigned char)s.p[0] == 0xEF && (unsigned char)s.p[1] == 0xBB &&
        (unsigned char)s.p[2] == 0xBF) {
        s.p += 3;
        s.n -= 3;
    }
    while (s.n && (s.p[s.n - 1] == '\r' || s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
        s.n--;
    return s;
}

tr_str tr_text_unescape_log(tr_str s, tr_arena *arena)
{
    const char *bs = s.n ? memchr(s.p, '\\', s.n) : NULL;
    if (!bs || !arena)
        return s;
    char *out = tr_arena_alloc(arena, s.n + 1);
    if (!out)
        return s;
    size_t head = (size_t)(bs - s.p);
    memcpy(out, s.p, head);
    size_t o = head;
    for (size_t i = head; i < s.n; i++) {
        char c = s.p[i];
        if (c != '\\' || i + 1 >= s.n) {
            out[o++] = c;
            continue;
        }
        char d = s.p[i + 1];
        char r = 0;
        if (d == '"' || d == '\\') {
            r = d;
        } else if (d == 'x' && i + 3 < s.n) {
            int hi = tr_text_hexval((unsigned char)s.p[i + 2]);
            int lo = tr_text_hexval((unsigned char)s.p[i + 3]);
            if (hi >= 0 && lo >= 0) {
                out[o++] = (char)(hi << 4 | lo);
                i += 3;
                continue;
            }
        }
        if (r) {
            out[o++] = r;
            i++;
        } else {
            out[o++] = c; /* not an escape: keep the backslash */
        }
    }
    out[o] = '\0';
    return (tr_str){ out, o };
}

static void two(char *p, int v)
{
    p[0] = (char)('0' + v / 10 % 10);
    p[1] = (char)('0' + v % 10);
}

bool tr_text_date_time(int64_t ns, tr_arena *arena, tr_str *date, tr_str *time)
{
    /* consecutive records are mostly of one day: its date is kept per thread
     * and only the time of day is worked out per record */
    static _Thread_local int64_t cached_day = INT64_MIN;
    static _Thread_local char cached_date[10];
    if (!arena || ns == TR_TS_NONE)
        return false;
    char *b = tr_arena_alloc(arena, 20);
    if (!b)
        return false;
    int64_t secs = ns / TR_NS_PER_SEC - (ns % TR_NS_PER_SEC < 0);
    int64_t day = secs / 86400 - (secs % 86400 < 0);
    int64_t sod = secs - day * 86400;
    if (day != cached_day) {
        tr_tm tm;
        tr_time_split(ns, &tm);
        if (tm.year < 0 || tm.year > 9999)
            return false;
        two(cached_date, tm.year / 100);
        two(cached_date + 2, tm.year % 100);
        cached_date[4] = '-';
        two(cached_date + 5, tm.month);
        cached_date[7] = '-';
        two(cached_date + 8, tm.day);
        cached_day = day;
    }
    memcpy(b, cached_date, 10);
    two(b + 10, (int)(sod / 3600));
    b[12] = ':';
    two(b + 13, (int)(sod / 60 % 60));
    b[15] = ':';
    two(b + 16, (int)(sod % 60));
    *date = (tr_str){ b, 10 };
    *time = (tr_str){ b + 10, 8 };
    return true;
}
