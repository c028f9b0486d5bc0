/*
 * detect.c - format detection from the first bytes of a source.
 *
 * Content decides first: the EVTX magic, the header lines of Zeek and W3C
 * logs, the shape of the first JSON object's keys, an auditd or syslog
 * prefix, an access-log line. The file name is only a tie-breaker.
 */
#include "core/common.h"

#include <ctype.h>

#include "core/json.h"
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

/* Top-level keys of the first JSON object that tell the JSON formats apart. */
enum json_key {
    K_EVENT_SYSTEM,   /* "Event" holding "System" (evtx_dump) */
    K_SYSTEM,         /* "System" at the top (evtx-json without the Event wrapper) */
    K_EVENTDATA,      /* "EventData" or "UserData" */
    K_WINLOG,         /* "winlog" object (winlogbeat 7+) */
    K_EVENT_DATA,     /* "event_data" (winlogbeat 6) */
    K_LOG_NAME,       /* "log_name" or "computer_name" (winlogbeat 6) */
    K_EVENT_TYPE,     /* "event_type" (EVE) */
    K_EVE_FLOW,       /* "flow_id", "src_ip", "dest_ip" or "in_iface" (EVE) */
    K_ZEEK_PATH,      /* "_path" (Zeek) */
    K_ZEEK_ID,        /* "id.orig_h" or "id.resp_h" (Zeek) */
    K_TS,             /* "ts" */
    K_UID,            /* "uid" (Zeek connection id) */
    K_EVENTID,        /* "EventID" (NXLog) */
    K_NX_SOURCE,      /* "SourceName" or "Channel" */
    K_NX_HOST,        /* "Hostname", "EventTime", "EventReceivedTime" or "SourceModuleType" */
    K_COUNT
};

static int key_class(tr_str k)
{
    static const struct {
        const char *name;
        int cls;
    } keys[] = {
        { "System", K_SYSTEM },         { "EventData", K_EVENTDATA },
        { "UserData", K_EVENTDATA },    { "event_data", K_EVENT_DATA },
        { "log_name", K_LOG_NAME },     { "computer_name", K_LOG_NAME },
        { "event_type", K_EVENT_TYPE }, { "flow_id", K_EVE_FLOW },
        { "src_ip", K_EVE_FLOW },       { "dest_ip", K_EVE_FLOW },
        { "in_iface", K_EVE_FLOW },     { "_path", K_ZEEK_PATH },
        { "id.orig_h", K_ZEEK_ID },     { "id.resp_h", K_ZEEK_ID },
        { "ts", K_TS },                 { "uid", K_UID },
        { "EventID", K_EVENTID },       { "SourceName", K_NX_SOURCE },
        { "Channel", K_NX_SOURCE },     { "Hostname", K_NX_HOST },
        { "EventTime", K_NX_HOST },     { "EventReceivedTime", K_NX_HOST },
        { "SourceModuleType", K_NX_HOST },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(keys); i++)
        if (k.n == strlen(keys[i].name) && memcmp(k.p, keys[i].name, k.n) == 0)
            return keys[i].cls;
    return -1;
}

/* Reads the keys of the first object (the head may end inside it: what was
 * read counts). For "Event" and "winlog" it looks one level down. */
static void first_object_keys(const char *p, size_t n, bool seen[K_COUNT])
{
    tr_json j;
    tr_json_tok t, k;
    tr_json_init(&j, p, n, 0);
    tr_json_type type = tr_json_next(&j, &t);
    if (type == TR_JSON_ARR_BEGIN) /* an array of events: look at the first one */
        type = tr_json_next(&j, &t);
    if (type != TR_JSON_OBJ_BEGIN)
        return;
    while (tr_json_member(&j, &k)) {
        bool event = k.text.n == 5 && memcmp(k.text.p, "Event", 5) == 0;
        bool winlog = k.text.n == 6 && memcmp(k.text.p, "winlog", 6) == 0;
        int cls = key_class(k.text);
        if (cls >= 0)
            seen[cls] = true;
        if (!event && !winlog) {
            if (tr_json_skip(&j, &k) != TR_OK)
                return;
            continue;
        }
        if (tr_json_next(&j, &t) != TR_JSON_OBJ_BEGIN) {
            if (tr_json_skip(&j, &t) != TR_OK)
                return;
            continue;
        }
        if (winlog)
            seen[K_WINLOG] = true;
        tr_json_tok inner;
        while (tr_json_member(&j, &inner)) {
            if (event && inner.text.n == 6 && memcmp(inner.text.p, "System", 6) == 0)
                seen[K_EVENT_SYSTEM] = true;
            if (tr_json_skip(&j, &inner) != TR_OK)
                return;
        }
        if (tr_json_failed(&j))
            return;
    }
}

static tr_format detect_json(const char *p, size_t n)
{
    bool k[K_COUNT] = { false };
    first_object_keys(p, n, k);
    if (k[K_EVENT_SYSTEM] || (k[K_SYSTEM] && k[K_EVENTDATA]))
        return TR_FMT_EVTX_JSON;
    if (k[K_WINLOG] || (k[K_EVENT_DATA] && k[K_LOG_NAME]))
        return TR_FMT_WINLOGBEAT;
    if (k[K_EVENT_TYPE] && k[K_EVE_FLOW])
        return TR_FMT_EVE;
    if (k[K_ZEEK_PATH] || k[K_ZEEK_ID] || (k[K_TS] && k[K_UID]))
        return TR_FMT_ZEEK_JSON;
    if (k[K_EVENTID] && k[K_NX_SOURCE] && k[K_NX_HOST])
        return TR_FMT_NXLOG;
    return TR_FMT_JSON;
}

/* evtx_dump -o json starts with "Record N" before the first object. */
static size_t skip_evtx_dump_record_line(const char *p, size_t n)
{
    if (n < 9 || memcmp(p, "Record ", 7) != 0)
        return 0;
    size_t i = 7;
    while (i < n && isdigit((unsigned char)p[i]))
        i++;
    if (i == 7)
        return 0;
    if (i < n && p[i] == '\r')
        i++;
    if (i >= n || p[i] != '\n')
        return 0;
    i++;
    while (i < n && isspace((unsigned char)p[i]))
        i++;
    return i < n && p[i] == '{' ? i : 0;
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

/* How many lines a line format is looked for in (see tr_format_detect). */
#define DETECT_LINES 4

static tr_format detect_line(const char *p, size_t ln)
{
    if ((starts(p, ln, "type=") || (starts(p, ln, "node=") && has(p, ln, " type="))) &&
        has(p, ln, "msg=audit("))
        return TR_FMT_AUDITD;
    if (ln > 2 && p[0] == '<' && isdigit((unsigned char)p[1]))
        return TR_FMT_SYSLOG;
    if (looks_rfc3164(p, ln) || looks_iso_syslog(p, ln))
        return TR_FMT_SYSLOG;
    if (looks_combined(p, ln))
        return TR_FMT_COMBINED;
    return TR_FMT_COUNT;
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
    size_t rec = skip_evtx_dump_record_line(p, n);
    if (rec && detect_json(p + rec, n - rec) == TR_FMT_EVTX_JSON)
        return TR_FMT_EVTX_JSON;
    if (starts(p, n, "#separator") || (starts(p, n, "#fields") && has(p, n, "#types")))
        return TR_FMT_ZEEK;
    if (starts(p, n, "#Software:") || starts(p, n, "#Version:") || starts(p, n, "#Fields:") ||
        starts(p, n, "#Date:"))
        return TR_FMT_W3C;
    /* Line formats: the first line decides, unless it fits none (a line cut by
     * a rotation or a crash); then the next few complete lines are asked. */
    const char *end = p + n;
    for (int tries = 0; tries < DETECT_LINES && p < end; tries++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl && tries > 0)
            break; /* a cut-off last line of the window decides nothing */
        size_t ln = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (tries > 0 && ln && p[0] == '{')
            return detect_json(p, (size_t)(end - p));
        tr_format f = detect_line(p, ln);
        if (f != TR_FMT_COUNT)
            return f;
        p += ln + 1;
    }
    return detect_by_name(path);
}
