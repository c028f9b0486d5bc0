/*
 * time.c - timestamp parsing and formatting (see time.h).
 *
 * Calendar arithmetic is Howard Hinnant's days-from-civil algorithm, written
 * out here from its description; nothing here calls the libc time zone code,
 * which is slow and depends on the environment.
 */
#include "core/common.h"

#include <time.h>

#include "core/time.h"

int64_t tr_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned dd = doy - (153 * mp + 2) / 5 + 1;
    unsigned mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yy + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

void tr_time_split(int64_t ns, tr_tm *tm)
{
    int64_t secs = ns / TR_NS_PER_SEC;
    int64_t rem = ns % TR_NS_PER_SEC;
    if (rem < 0) {
        rem += TR_NS_PER_SEC;
        secs--;
    }
    int64_t days = secs / 86400;
    int64_t sod = secs % 86400;
    if (sod < 0) {
        sod += 86400;
        days--;
    }
    civil_from_days(days, &tm->year, &tm->month, &tm->day);
    tm->hour = (int)(sod / 3600);
    tm->minute = (int)(sod / 60 % 60);
    tm->second = (int)(sod % 60);
    tm->nsec = (int)rem;
    int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    tm->wday = (int)(w < 0 ? w + 7 : w);
    tm->yday = (int)(days - tr_days_from_civil(tm->year, 1, 1));
}

tr_err tr_time_join(const tr_tm *tm, int64_t *ns)
{
    if (tm->month < 1 || tm->month > 12 || tm->day < 1 ||
        tm->day > days_in_month(tm->year, tm->month) || tm->hour < 0 || tm->hour > 23 ||
        tm->minute < 0 || tm->minute > 59 || tm->second < 0 || tm->second > 60 || tm->nsec < 0 ||
        tm->nsec >= TR_NS_PER_SEC || tm->year < 1678 || tm->year > 2261)
        return TR_EPARSE;
    int64_t days = tr_days_from_civil(tm->year, (unsigned)tm->month, (unsigned)tm->day);
    int64_t secs = days * 86400 + tm->hour * 3600 + tm->minute * 60 + tm->second;
    *ns = secs * TR_NS_PER_SEC + tm->nsec;
    return TR_OK;
}

/* Reads exactly k digits at p[*i]. */
static bool digits(const char *p, size_t n, size_t *i, int k, int *out)
{
    if (*i + (size_t)k > n)
        return false;
    int v = 0;
    for (int j = 0; j < k; j++) {
        unsigned char c = (unsigned char)p[*i + (size_t)j];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)k;
    *out = v;
    return true;
}

/* Optional ".fraction" (or ",fraction"): up to 9 digits kept, more ignored. */
static bool fraction(const char *p, size_t n, size_t *i, int *nsec)
{
    *nsec = 0;
    if (*i >= n || (p[*i] != '.' && p[*i] != ','))
        return true;
    (*i)++;
    size_t start = *i;
    int scale = 100000000;
    while (*i < n && p[*i] >= '0' && p[*i] <= '9') {
        if (scale) {
            *nsec += (p[*i] - '0') * scale;
            scale /= 10;
        }
        (*i)++;
    }
    return *i > start;
}

/* Zone: Z, +hh, +hhmm, +hh:mm; *off in seconds east of UTC. Absent zone = UTC. */
static bool zone(const char *p, size_t n, size_t *i, int *off)
{
    *off = 0;
    if (*i >= n)
        return true;
    char c = p[*i];
    if (c == 'Z' || c == 'z') {
        (*i)++;
        return true;
    }
    if (c != '+' && c != '-')
        return false;
    (*i)++;
    int hh, mm = 0;
    if (!digits(p, n, i, 2, &hh))
        return false;
    if (*i < n && p[*i] == ':') {
        (*i)++;
        if (!digits(p, n, i, 2, &mm))
            return false;
    } else if (*i < n && p[*i] >= '0' && p[*i] <= '9') {
        if (!digits(p, n, i, 2, &mm))
            return false;
    }
    if (hh > 23 || mm > 59)
        return false;
    *off = (hh * 3600 + mm * 60) * (c == '-' ? -1 : 1);
    return true;
}

tr_err tr_time_parse_iso8601(const char *p, size_t n, int64_t *ns)
{
    size_t i = 0;
    tr_tm tm = { 0 };
    bool basic = false;
    if (!digits(p, n, &i, 4, &tm.year))
        return TR_EPARSE;
    if (i < n && p[i] == '-') {
        i++;
        if (!digits(p, n, &i, 2, &tm.month) || i >= n || p[i++] != '-' ||
            !digits(p, n, &i, 2, &tm.day))
            return TR_EPARSE;
    } else {
        basic = true;
        if (!digits(p, n, &i, 2, &tm.month) || !digits(p, n, &i, 2, &tm.day))
            return TR_EPARSE;
    }
    int off = 0;
    if (i < n) {
        if (p[i] != 'T' && p[i] != 't' && p[i] != ' ')
            return TR_EPARSE;
        i++;
        if (!digits(p, n, &i, 2, &tm.hour))
            return TR_EPARSE;
        if (!basic && i < n && p[i] == ':')
            i++;
        else if (!basic)
            return TR_EPARSE;
        if (!digits(p, n, &i, 2, &tm.minute))
            return TR_EPARSE;
        if (i < n && (p[i] == ':' || (basic && p[i] >= '0' && p[i] <= '9'))) {
            if (p[i] == ':')
                i++;
            if (!digits(p, n, &i, 2, &tm.second))
                return TR_EPARSE;
            if (!fraction(p, n, &i, &tm.nsec))
                return TR_EPARSE;
        }
        if (i < n && p[i] == ' ')
            i++; /* "2020-01-20 08:14:02 +0100" */
        if (!zone(p, n, &i, &off))
            return TR_EPARSE;
    }
    if (i != n)
        return TR_EPARSE;
    if (tm.second == 60)
        tm.second = 59; /* leap second: clamp, UTC nanoseconds cannot hold it */
    int64_t t;
    if (tr_time_join(&tm, &t))
        return TR_EPARSE;
    *ns = t - (int64_t)off * TR_NS_PER_SEC;
    return TR_OK;
}

tr_err tr_time_parse_epoch(const char *p, size_t n, int64_t *ns)
{
    size_t i = 0, intdigits = 0;
    int64_t whole = 0;
    bool neg = false;
    if (i < n && p[i] == '-') {
        neg = true;
        i++;
    }
    while (i < n && p[i] >= '0' && p[i] <= '9') {
        if (intdigits >= 18)
            return TR_EPARSE;
        whole = whole * 10 + (p[i] - '0');
        intdigits++;
        i++;
    }
    if (intdigits == 0)
        return TR_EPARSE;
    int frac = 0;
    int64_t frac_ns = 0;
    if (i < n && p[i] == '.') {
        i++;
        size_t start = i;
        int64_t scale = 100000000;
        while (i < n && p[i] >= '0' && p[i] <= '9') {
            frac_ns += (p[i] - '0') * scale;
            scale /= 10;
            i++;
            frac++;
        }
        if (i == start)
            return TR_EPARSE;
    }
    if (i != n)
        return TR_EPARSE;
    int64_t t;
    if (intdigits >= 13) { /* milliseconds */
        if (whole > INT64_MAX / 1000000)
            return TR_EPARSE;
        t = whole * 1000000 + frac_ns / 1000;
    } else {
        if (whole > INT64_MAX / TR_NS_PER_SEC - 1)
            return TR_EPARSE;
        t = whole * TR_NS_PER_SEC + frac_ns;
    }
    (void)frac;
    *ns = neg ? -t : t;
    return TR_OK;
}

static const char month_names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

static int month_from(const char *p)
{
    for (int m = 0; m < 12; m++) {
        const char *q = month_names + m * 3;
        if ((p[0] | 0x20) == (q[0] | 0x20) && p[1] == q[1] && p[2] == q[2])
            return m + 1;
    }
    return 0;
}

tr_err tr_time_parse_apache(const char *p, size_t n, int64_t *ns)
{
    if (n && p[0] == '[') {
        p++;
        n--;
        if (!n || p[n - 1] != ']')
            return TR_EPARSE;
        n--;
    }
    /* dd/Mon/yyyy:HH:MM:SS[.frac] +zzzz */
    size_t i = 0;
    tr_tm tm = { 0 };
    if (!digits(p, n, &i, 2, &tm.day) || i >= n || p[i++] != '/' || i + 3 > n)
        return TR_EPARSE;
    tm.month = month_from(p + i);
    if (!tm.month)
        return TR_EPARSE;
    i += 3;
    if (i >= n || p[i++] != '/' || !digits(p, n, &i, 4, &tm.year) || i >= n || p[i++] != ':' ||
        !digits(p, n, &i, 2, &tm.hour) || i >= n || p[i++] != ':' ||
        !digits(p, n, &i, 2, &tm.minute) || i >= n || p[i++] != ':' ||
        !digits(p, n, &i, 2, &tm.second) || !fraction(p, n, &i, &tm.nsec))
        return TR_EPARSE;
    int off = 0;
    if (i < n) {
        if (p[i] != ' ')
            return TR_EPARSE;
        i++;
        if (i >= n || (p[i] != '+' && p[i] != '-') || !zone(p, n, &i, &off))
            return TR_EPARSE;
    }
    if (i != n)
        return TR_EPARSE;
    int64_t t;
    if (tr_time_join(&tm, &t))
        return TR_EPARSE;
    *ns = t - (int64_t)off * TR_NS_PER_SEC;
    return TR_OK;
}

tr_err tr_time_parse_w3c(const char *date, size_t dn, const char *time, size_t tn, int64_t *ns)
{
    size_t i = 0;
    tr_tm tm = { 0 };
    if (!digits(date, dn, &i, 4, &tm.year) || i >= dn || date[i++] != '-' ||
        !digits(date, dn, &i, 2, &tm.month) || i >= dn || date[i++] != '-' ||
        !digits(date, dn, &i, 2, &tm.day) || i != dn)
        return TR_EPARSE;
    i = 0;
    if (!digits(time, tn, &i, 2, &tm.hour) || i >= tn || time[i++] != ':' ||
        !digits(time, tn, &i, 2, &tm.minute))
        return TR_EPARSE;
    if (i < tn && time[i] == ':') {
        i++;
        if (!digits(time, tn, &i, 2, &tm.second) || !fraction(time, tn, &i, &tm.nsec))
            return TR_EPARSE;
    }
    if (i != tn)
        return TR_EPARSE;
    return tr_time_join(&tm, ns) ? TR_EPARSE : TR_OK;
}

tr_err tr_time_parse_rfc3164(const char *p, size_t n, int year, int64_t *ns, size_t *used)
{
    /* "Mmm dd hh:mm:ss" where dd is space-padded: exactly 15 bytes. */
    if (n < 15 || p[3] != ' ')
        return TR_EPARSE;
    tr_tm tm = { 0 };
    tm.year = year;
    tm.month = month_from(p);
    if (!tm.month)
        return TR_EPARSE;
    size_t i = 4;
    if (p[4] == ' ') {
        i = 5;
        if (!digits(p, n, &i, 1, &tm.day))
            return TR_EPARSE;
    } else if (!digits(p, n, &i, 2, &tm.day)) {
        return TR_EPARSE;
    }
    if (i >= n || p[i++] != ' ' || !digits(p, n, &i, 2, &tm.hour) || i >= n || p[i++] != ':' ||
        !digits(p, n, &i, 2, &tm.minute) || i >= n || p[i++] != ':' ||
        !digits(p, n, &i, 2, &tm.second))
        return TR_EPARSE;
    if (tr_time_join(&tm, ns))
        return TR_EPARSE;
    if (used)
        *used = i;
    return TR_OK;
}

tr_err tr_time_parse_rfc5424(const char *p, size_t n, int64_t *ns)
{
    if (n == 1 && p[0] == '-')
        return TR_ESKIP;
    /* RFC 5424 requires the full date, a 'T' and the time. */
    if (n < 19 || p[10] != 'T')
        return TR_EPARSE;
    return tr_time_parse_iso8601(p, n, ns);
}

tr_err tr_time_parse_any(const char *p, size_t n, int64_t *ns)
{
    if (tr_time_parse_iso8601(p, n, ns) == TR_OK)
        return TR_OK;
    if (tr_time_parse_epoch(p, n, ns) == TR_OK)
        return TR_OK;
    return tr_time_parse_apache(p, n, ns);
}

size_t tr_time_format(int64_t ns, char *buf, size_t len)
{
    tr_tm tm;
    tr_time_split(ns, &tm);
    int k;
    if (tm.nsec == 0)
        k = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.year, tm.month, tm.day,
                     tm.hour, tm.minute, tm.second);
    else if (tm.nsec % 1000000 == 0)
        k = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.year, tm.month, tm.day,
                     tm.hour, tm.minute, tm.second, tm.nsec / 1000000);
    else if (tm.nsec % 1000 == 0)
        k = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.year, tm.month, tm.day,
                     tm.hour, tm.minute, tm.second, tm.nsec / 1000);
    else
        k = snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", tm.year, tm.month, tm.day,
                     tm.hour, tm.minute, tm.second, tm.nsec);
    return k < 0 ? 0 : (size_t)k;
}

int tr_time_current_year(void)
{
    time_t now = time(NULL);
    tr_tm tm;
    tr_time_split((int64_t)now * TR_NS_PER_SEC, &tm);
    return tm.year;
}
