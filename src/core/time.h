/*
 * time.h - timestamps of every supported log format, to UTC nanoseconds.
 *
 * All parsers take a slice (no NUL needed), accept exactly the format named
 * and return TR_EPARSE otherwise; none allocates. Results are nanoseconds
 * since the Unix epoch, UTC (TR_TS_NONE is INT64_MIN).
 */
#ifndef TR_SRC_CORE_TIME_H
#define TR_SRC_CORE_TIME_H

#include "core/common.h"

#include "trawl/event.h"

#define TR_NS_PER_SEC INT64_C(1000000000)

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t tr_days_from_civil(int64_t y, unsigned m, unsigned d);

typedef struct tr_tm {
    int year;  /* e.g. 2020 */
    int month; /* 1..12 */
    int day;   /* 1..31 */
    int hour, minute, second;
    int nsec;
    int wday;  /* 0 = Sunday */
    int yday;  /* 0..365 */
} tr_tm;

/* Broken-down UTC time of ns. */
void tr_time_split(int64_t ns, tr_tm *tm);
/* ns from broken-down UTC fields (validated; TR_EPARSE when out of range). */
tr_err tr_time_join(const tr_tm *tm, int64_t *ns);

/* ISO 8601 / RFC 3339: "2020-01-20T08:14:02Z", "2020-01-20 08:14:02.5+01:00",
 * "20200120T081402Z", zone "+0100"/"+01"/"Z"; no zone means UTC. */
tr_err tr_time_parse_iso8601(const char *p, size_t n, int64_t *ns);
/* Epoch seconds or milliseconds, with optional fraction ("1579508042.123456",
 * "1579508042123"). 13+ integer digits are milliseconds. */
tr_err tr_time_parse_epoch(const char *p, size_t n, int64_t *ns);
/* Apache: "10/Oct/2000:13:55:36 -0700", brackets optional. */
tr_err tr_time_parse_apache(const char *p, size_t n, int64_t *ns);
/* W3C extended: date "2020-01-20" and time "08:14:02[.fff]", UTC. */
tr_err tr_time_parse_w3c(const char *date, size_t dn, const char *time, size_t tn, int64_t *ns);
/* RFC 3164: "Jan  2 15:04:05" (year is year). *used receives the bytes consumed. */
tr_err tr_time_parse_rfc3164(const char *p, size_t n, int year, int64_t *ns, size_t *used);
/* RFC 5424 TIMESTAMP: RFC 3339 with mandatory date and time, "-" is NILVALUE
 * (TR_ESKIP). */
tr_err tr_time_parse_rfc5424(const char *p, size_t n, int64_t *ns);
/* Tries ISO 8601, epoch, then Apache. */
tr_err tr_time_parse_any(const char *p, size_t n, int64_t *ns);

/* Writes "2020-01-20T08:14:02Z" (with a fraction only when non-zero: .mmm,
 * .uuuuuu or .nnnnnnnnn). Returns the length (< 40); buf needs 40 bytes. */
size_t tr_time_format(int64_t ns, char *buf, size_t len);

/* The current year (UTC), for RFC 3164 defaults. */
int tr_time_current_year(void);

#endif
