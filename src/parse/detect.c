/*
 * detect.c - format detection from the first bytes of a source.
 *
 * Content decides first: the EVTX magic, the header lines of Zeek and W3C
 * logs, the shape of the first JSON object's keys, an auditd or syslog
 * prefix, an access-log line. The file name is only a tie-breaker.
 */
#include "core/common.h"

#include <ctype.h>

#include "core/time.h"
#include "trawl/parse.h"

static bool has(const char *p, size_t n, const char *needle)
{
    return memmem(p, n, needle, strlen(needle)) != NULL;
}

static bool starts(const char *p, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && memcmp(p, prefix, k) == 0;
}

static tr_format detect_json(const char *p, size_t n)
{
    if (has(p, n, "\"Event\"") && has(p, n, "\"System\""))
        return TR_FMT_EVTX_JSON;
    if (has(p, n, "\"winlog\""))
        return TR_FMT_WINLOGBEAT;
    if (has(p, n, "\"event_type\"") && (has(p, n, "\"src_ip\"") || has(p, n, "\"flow_id\"")))
        return TR_FMT_EVE;
    if (has(p, n, "\"id.orig_h\"") || has(p, n, "\"_path\""))
        return TR_FMT_ZEEK_JSON;
    if (has(p, n, "\"EventID\"") && (has(p, n, "\"SourceName\"") || has(p, n, "\"Channel\"")) &&
        (has(p, n, "\"Hostname\"") || has(p, n, "\"EventTime\"")))
        return TR_FMT_NXLOG;
    return TR_FMT_JSON;
}

/* "host ident user [" (or "vhost:port host ident user [", vhost_combined):
 * the start of a common/combined access-log line. */
static bool looks_combined(const char *p, size_t n)
{
    size_t i = 0;
    for (int field = 0; field < 4; field++) {
        size_t start = i;
        while (i < n && p[i] != ' ' && p[i] != '\n')
            i++;
        if (i == start || i >= n || p[i] != ' ')
            return false;
        i++;
        if (field >= 2 && i < n && p[i] == '[')
            return true;
    }
    return false;
}

/* rsyslog's RSYSLOG_FileFormat: "2020-01-20T08:14:02.123+00:00 host tag: msg". */
static bool looks_iso_syslog(const char *p, size_t n)
{
    const char *sp = memchr(p, ' ', n);
    int64_t ns;
    if (!sp || sp - p < 19 || p[10] != 'T' || tr_time_parse_iso8601(p, (size_t)(sp - p), &ns))
        return false;
    const char *host = sp + 1, *end = p + n;
    const char *sp2 = memchr(host, ' ', (size_t)(end - host));
    if (!sp2 || sp2 == host)
        return false;
    const char *tag = sp2 + 1;
    const char *sp3 = memchr(tag, ' ', (size_t)(end - tag));
    return sp3 && sp3 > tag && sp3[-1] == ':';
}

static bool looks_rfc3164(const char *p, size_t n)
{
    static const char *const mon[] = { "Jan ", "Feb ", "Mar ", "Apr ", "May ", "Jun ",
                                       "Jul ", "Aug ", "Sep ", "Oct ", "Nov ", "Dec " };
    if (n < 16)
        return false;
    for (size_t i = 0; i < TR_ARRAY_LEN(mon); i++)
        if (memcmp(p, mon[i], 4) == 0)
            return p[6] == ' ' && p[9] == ':' && p[12] == ':';
    return false;
}

static tr_format detect_by_name(const char *path)
{
    if (!path)
        return TR_FMT_COUNT;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot && strcasecmp(dot, ".evtx") == 0)
        return TR_FMT_EVTX;
    if (strstr(base, "eve") && strstr(base, ".json"))
        return TR_FMT_EVE;
    if (strstr(base, ".json") || strstr(base, ".jsonl") || strstr(base, ".ndjson"))
        return TR_FMT_JSON;
    if (strstr(base, "access") || strstr(base, "httpaccess"))
        return TR_FMT_COMBINED;
    if (strstr(base, "syslog") || strstr(base, "messages"))
        return TR_FMT_SYSLOG;
    if (strstr(base, "audit"))
        return TR_FMT_AUDITD;
    return TR_FMT_COUNT;
}

tr_format tr_format_detect(const char *head, size_t n, const char *path)
{
    if (n >= 8 && memcmp(head, "ElfFile", 8) == 0)
        return TR_FMT_EVTX;
    size_t i = 0;
    if (n >= 3 && (unsigned char)head[0] == 0xEF && (unsigned char)head[1] == 0xBB &&
        (unsigned char)head[2] == 0xBF)
        i = 3; /* UTF-8 byte order mark */
    while (i < n && isspace((unsigned char)head[i]))
        i++;
    const char *p = head + i;
    n -= i;
    if (n == 0)
        return detect_by_name(path);
    if (p[0] == '{' || p[0] == '[')
        return detect_json(p, n);
    if (starts(p, n, "#separator") || (starts(p, n, "#fields") && has(p, n, "#types")))
        return TR_FMT_ZEEK;
    if (starts(p, n, "#Software:") || starts(p, n, "#Version:") || starts(p, n, "#Fields:") ||
        starts(p, n, "#Date:"))
        return TR_FMT_W3C;
    /* first line only from here on */
    const char *nl = memchr(p, '\n', n);
    size_t ln = nl ? (size_t)(nl - p) : n;
    if ((starts(p, ln, "type=") || (starts(p, ln, "node=") && has(p, ln, " type="))) &&
        has(p, ln, "msg=audit("))
        return TR_FMT_AUDITD;
    if (p[0] == '<' && ln > 2 && isdigit((unsigned char)p[1]))
        return TR_FMT_SYSLOG;
    if (looks_rfc3164(p, ln) || looks_iso_syslog(p, ln))
        return TR_FMT_SYSLOG;
    if (looks_combined(p, ln))
        return TR_FMT_COMBINED;
    return detect_by_name(path);
}
