/*
 * field_types.c - typing the fields of every format for indicator matching.
 *
 * A value is only compared with indicators of its type, so this table
 * decides what can match at all: c-ip is an address, cs-host a domain,
 * CommandLine free text to tokenise, Hashes a "MD5=…,SHA256=…" list. Fields
 * not named here stay TR_T_NONE and are never matched (a user name is not a
 * domain even when it looks like one).
 *
 * Side: an indicator seen as the source of an inbound connection means an
 * attempt against the tenant; seen as the destination of an outbound one it
 * means a monitored host reached out (C2, payload download). For flows
 * (Zeek conn and friends, Suricata EVE, Sysmon network events) the
 * direction comes from the record when it says so (Zeek local_orig /
 * local_resp, Sysmon Initiated); otherwise from the addresses: private
 * originator and public responder = outbound, the reverse = inbound;
 * otherwise the originator is SRC and the responder DST. The local end of a
 * known direction gets no side. Names requested from an outbound flow (DNS
 * query, TLS SNI, HTTP Host) are DST; on an inbound flow they name the
 * tenant's own server and get no side.
 */
#include "core/common.h"

#include <arpa/inet.h>
#include <pthread.h>

#include "core/hash.h"
#include "logsource/field_types.h"
#include "logsource/layout.h"
#include "trawl/parse.h"

/* Side rules resolved per event. */
enum {
    S_NONE = TR_SIDE_NONE,
    S_SRC = TR_SIDE_SRC,
    S_DST = TR_SIDE_DST,
    S_ORIG, /* the originator of a flow */
    S_RESP, /* the responder of a flow */
    S_REQ   /* a name the originator asked for (DNS query, Host, SNI) */
};

typedef struct ftype {
    const char *name;
    uint8_t vtype;
    uint8_t side;
    uint8_t len; /* strlen(name), filled by the F() macro */
} ftype;

#define F(name, vtype, side) { name, vtype, side, sizeof(name) - 1 }

static const ftype web_fields[] = {
    F("c-ip", TR_T_IP, S_SRC),
    F("cs-host", TR_T_DOMAIN, S_NONE),
    F("cs-uri", TR_T_URL, S_NONE),
    F("cs-uri-query", TR_T_TEXT, S_NONE),
    F("cs-user-agent", TR_T_TEXT, S_SRC),
    F("c-useragent", TR_T_TEXT, S_SRC),
    F("cs(User-Agent)", TR_T_TEXT, S_SRC),
    F("cs-referer", TR_T_URL, S_NONE),
    F("cs(Referer)", TR_T_URL, S_NONE),
    F("x-forwarded-for", TR_T_TEXT, S_SRC),
    F("cs(X-Forwarded-For)", TR_T_TEXT, S_SRC),
    { NULL, 0, 0, 0 },
};

/* Sigma proxy taxonomy: the client is the tenant, the host is where it went. */
static const ftype proxy_fields[] = {
    F("c-uri", TR_T_URL, S_DST),
    F("cs-uri", TR_T_URL, S_DST),
    F("c-uri-query", TR_T_TEXT, S_DST),
    F("cs-host", TR_T_DOMAIN, S_DST),
    F("r-dns", TR_T_DOMAIN, S_DST),
    F("dst_ip", TR_T_IP, S_DST),
    F("c-useragent", TR_T_TEXT, S_NONE),
    F("cs-referrer", TR_T_URL, S_DST),
    F("cs-referer", TR_T_URL, S_DST),
    { NULL, 0, 0, 0 },
};

static const ftype zeek_fields[] = {
    F("id.orig_h", TR_T_IP, S_ORIG),
    F("id.resp_h", TR_T_IP, S_RESP),
    F("query", TR_T_DOMAIN, S_REQ),          /* dns */
    F("answers", TR_T_TEXT, S_REQ),          /* dns */
    F("host", TR_T_DOMAIN, S_REQ),           /* http */
    F("uri", TR_T_URL, S_REQ),               /* http */
    F("referrer", TR_T_URL, S_NONE),         /* http */
    F("user_agent", TR_T_TEXT, S_ORIG),      /* http */
    F("arg", TR_T_TEXT, S_REQ),              /* ftp */
    F("md5", TR_T_HASH, S_NONE),             /* files */
    F("sha1", TR_T_HASH, S_NONE),
    F("sha256", TR_T_HASH, S_NONE),
    F("filename", TR_T_PATH, S_NONE),        /* files, http, smb */
    F("server_name", TR_T_DOMAIN, S_REQ),    /* ssl */
    F("mailfrom", TR_T_EMAIL, S_NONE),       /* smtp */
    F("rcptto", TR_T_EMAIL, S_NONE),
    F("from", TR_T_TEXT, S_NONE),
    F("to", TR_T_TEXT, S_NONE),
    F("reply_to", TR_T_TEXT, S_NONE),
    F("san.dns", TR_T_TEXT, S_NONE),         /* x509 */
    F("certificate.subject", TR_T_TEXT, S_NONE),
    { NULL, 0, 0, 0 },
};

static const ftype eve_fields[] = {
    F("src_ip", TR_T_IP, S_ORIG),
    F("dest_ip", TR_T_IP, S_RESP),
    F("http.hostname", TR_T_DOMAIN, S_REQ),
    F("http.url", TR_T_URL, S_REQ),
    F("http.http_refer", TR_T_URL, S_NONE),
    F("http.http_user_agent", TR_T_TEXT, S_ORIG),
    F("http.xff", TR_T_TEXT, S_ORIG),
    F("dns.rrname", TR_T_DOMAIN, S_REQ),
    F("dns.query.rrname", TR_T_DOMAIN, S_REQ),
    F("dns.queries.rrname", TR_T_DOMAIN, S_REQ),
    F("dns.answers.rrname", TR_T_DOMAIN, S_REQ),
    F("dns.answers.rdata", TR_T_TEXT, S_REQ),
    F("dns.rdata", TR_T_TEXT, S_REQ),
    F("tls.sni", TR_T_DOMAIN, S_REQ),
    F("tls.subject", TR_T_TEXT, S_NONE),
    F("fileinfo.md5", TR_T_HASH, S_NONE),
    F("fileinfo.sha1", TR_T_HASH, S_NONE),
    F("fileinfo.sha256", TR_T_HASH, S_NONE),
    F("fileinfo.filename", TR_T_PATH, S_NONE),
    F("smtp.mail_from", TR_T_EMAIL, S_NONE),
    F("smtp.rcpt_to", TR_T_EMAIL, S_NONE),
    F("email.from", TR_T_TEXT, S_NONE),
    F("email.to", TR_T_TEXT, S_NONE),
    { NULL, 0, 0, 0 },
};

/* Windows: EventData names (Sysmon, Security, PowerShell), matched on the
 * short name. */
static const ftype windows_fields[] = {
    F("DestinationIp", TR_T_IP, S_RESP),
    F("SourceIp", TR_T_IP, S_ORIG),
    F("IpAddress", TR_T_IP, S_SRC),          /* Security 4624/4625/4768 … remote client */
    F("ClientAddress", TR_T_IP, S_SRC),
    F("DestinationHostname", TR_T_DOMAIN, S_DST),
    F("QueryName", TR_T_DOMAIN, S_DST),
    F("QueryResults", TR_T_TEXT, S_DST),
    F("Hashes", TR_T_HASHES, S_NONE),
    F("Hash", TR_T_HASHES, S_NONE),
    F("Image", TR_T_PATH, S_NONE),
    F("ParentImage", TR_T_PATH, S_NONE),
    F("TargetFilename", TR_T_PATH, S_NONE),
    F("ImageLoaded", TR_T_PATH, S_NONE),
    F("NewProcessName", TR_T_PATH, S_NONE),
    F("ParentProcessName", TR_T_PATH, S_NONE),
    F("ProcessName", TR_T_PATH, S_NONE),
    F("OriginalFileName", TR_T_FILENAME, S_NONE),
    F("CommandLine", TR_T_TEXT, S_NONE),
    F("ParentCommandLine", TR_T_TEXT, S_NONE),
    F("ProcessCommandLine", TR_T_TEXT, S_NONE),
    F("TargetObject", TR_T_TEXT, S_NONE),
    F("Details", TR_T_TEXT, S_NONE),
    F("ScriptBlockText", TR_T_TEXT, S_NONE),
    F("Payload", TR_T_TEXT, S_NONE),
    F("ServiceFileName", TR_T_TEXT, S_NONE),
    F("ImagePath", TR_T_TEXT, S_NONE),
    { NULL, 0, 0, 0 },
};

static const ftype syslog_fields[] = {
    F("message", TR_T_TEXT, S_NONE),
    F("msg", TR_T_TEXT, S_NONE),
    F("MESSAGE", TR_T_TEXT, S_NONE),
    { NULL, 0, 0, 0 },
};

static const ftype auditd_fields[] = {
    F("exe", TR_T_PATH, S_NONE),
    F("comm", TR_T_FILENAME, S_NONE),
    F("name", TR_T_PATH, S_NONE),
    F("proctitle", TR_T_TEXT, S_NONE),
    F("cmd", TR_T_TEXT, S_NONE),
    F("a0", TR_T_TEXT, S_NONE),
    F("a1", TR_T_TEXT, S_NONE),
    F("a2", TR_T_TEXT, S_NONE),
    F("a3", TR_T_TEXT, S_NONE),
    F("addr", TR_T_IP, S_SRC),
    F("laddr", TR_T_IP, S_NONE),
    F("raddr", TR_T_IP, S_DST),
    { NULL, 0, 0, 0 },
};

/* Generic JSON: the last name component, case-insensitive; a parent
 * component "source"/"client" or "destination"/"server" gives the side. */
static const ftype generic_fields[] = {
    F("ip", TR_T_IP, S_NONE),
    F("src_ip", TR_T_IP, S_SRC),
    F("source_ip", TR_T_IP, S_SRC),
    F("srcip", TR_T_IP, S_SRC),
    F("client_ip", TR_T_IP, S_SRC),
    F("clientip", TR_T_IP, S_SRC),
    F("remote_addr", TR_T_IP, S_SRC),
    F("remote_ip", TR_T_IP, S_SRC),
    F("dst_ip", TR_T_IP, S_DST),
    F("dest_ip", TR_T_IP, S_DST),
    F("destination_ip", TR_T_IP, S_DST),
    F("dstip", TR_T_IP, S_DST),
    F("server_ip", TR_T_IP, S_DST),
    F("domain", TR_T_DOMAIN, S_NONE),
    F("fqdn", TR_T_DOMAIN, S_NONE),
    F("server_name", TR_T_DOMAIN, S_DST),
    F("sni", TR_T_DOMAIN, S_DST),
    F("query", TR_T_DOMAIN, S_DST),
    F("url", TR_T_URL, S_NONE),
    F("uri", TR_T_URL, S_NONE),
    F("full", TR_T_URL, S_NONE),     /* ECS url.full */
    F("original", TR_T_TEXT, S_NONE),/* ECS url.original, user_agent.original */
    F("request_url", TR_T_URL, S_NONE),
    F("md5", TR_T_HASH, S_NONE),
    F("sha1", TR_T_HASH, S_NONE),
    F("sha256", TR_T_HASH, S_NONE),
    F("hashes", TR_T_HASHES, S_NONE),
    F("email", TR_T_EMAIL, S_NONE),
    F("address", TR_T_TEXT, S_NONE), /* ECS email.from.address */
    F("file_name", TR_T_FILENAME, S_NONE),
    F("filename", TR_T_FILENAME, S_NONE),
    F("path", TR_T_PATH, S_NONE),
    F("file_path", TR_T_PATH, S_NONE),
    F("executable", TR_T_PATH, S_NONE),
    F("exe", TR_T_PATH, S_NONE),
    F("image", TR_T_PATH, S_NONE),
    F("command_line", TR_T_TEXT, S_NONE),
    F("commandline", TR_T_TEXT, S_NONE),
    F("cmdline", TR_T_TEXT, S_NONE),
    F("message", TR_T_TEXT, S_NONE),
    F("msg", TR_T_TEXT, S_NONE),
    F("user_agent", TR_T_TEXT, S_NONE),
    { NULL, 0, 0, 0 },
};

/* Each table is indexed once by (length, first letter) so that a lookup
 * compares one or two names instead of walking the table: typing runs on
 * every field of every event. */
#define BUCKETS 128
#define MAX_TABLES 8

typedef struct ftindex {
    const ftype *table;
    uint8_t head[BUCKETS]; /* first entry + 1 of each bucket, 0 = none */
    uint8_t next[64];      /* next entry + 1 in the same bucket */
} ftindex;

static ftindex indexes[MAX_TABLES];
static pthread_once_t indexes_once = PTHREAD_ONCE_INIT;

static unsigned bucket(size_t len, unsigned char c0)
{
    return (unsigned)(len * 31u + (c0 | 0x20u)) & (BUCKETS - 1);
}

static const ftype *const all_tables[MAX_TABLES] = {
    web_fields, proxy_fields, zeek_fields, eve_fields, windows_fields, syslog_fields, auditd_fields,
    generic_fields,
};

static void build_indexes(void)
{
    for (int t = 0; t < MAX_TABLES && all_tables[t]; t++) {
        ftindex *ix = &indexes[t];
        ix->table = all_tables[t];
        int n = 0;
        while (ix->table[n].name)
            n++;
        for (int i = n - 1; i >= 0; i--) { /* keep table order within a bucket */
            unsigned b = bucket(ix->table[i].len, (unsigned char)ix->table[i].name[0]);
            ix->next[i] = ix->head[b];
            ix->head[b] = (uint8_t)(i + 1);
        }
    }
}

static const ftype *find_in(const ftype *t, tr_str name, bool nocase)
{
    if (!name.n)
        return NULL;
    pthread_once(&indexes_once, build_indexes);
    const ftindex *ix = NULL;
    for (int i = 0; i < MAX_TABLES && indexes[i].table; i++)
        if (indexes[i].table == t) {
            ix = &indexes[i];
            break;
        }
    if (!ix)
        return NULL;
    for (unsigned e = ix->head[bucket(name.n, (unsigned char)name.p[0])]; e; e = ix->next[e - 1]) {
        const ftype *f = &t[e - 1];
        if (f->len != name.n)
            continue;
        if (nocase ? tr_mem_eq_nocase(f->name, name.p, name.n)
                   : memcmp(f->name, name.p, name.n) == 0)
            return f;
    }
    return NULL;
}

static tr_str last_component(tr_str s)
{
    for (size_t i = s.n; i > 0; i--)
        if (s.p[i - 1] == '.')
            return (tr_str){ s.p + i, s.n - i };
    return s;
}

static tr_str short_name(const tr_field *f)
{
    return f->alias.n ? f->alias : last_component(f->name);
}

/* Dotted-quad IPv4 as inet_pton reads it (1 to 3 digits a part, no
 * leading zero, each below 256), without the copy inet_pton needs; false
 * for anything else, which then goes to inet_pton. */
static bool parse_v4(tr_str s, unsigned char a[4])
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part && (i >= s.n || s.p[i++] != '.'))
            return false;
        unsigned v = 0, d = 0;
        size_t start = i;
        while (i < s.n && s.p[i] >= '0' && s.p[i] <= '9' && d < 4) {
            v = v * 10 + (unsigned)(s.p[i++] - '0');
            d++;
        }
        if (d == 0 || d > 3 || v > 255 || (d > 1 && s.p[start] == '0'))
            return false;
        a[part] = (unsigned char)v;
    }
    return i == s.n;
}

static bool private_v4(const unsigned char *a)
{
    return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
           (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
           (a[0] == 100 && (a[1] & 0xc0) == 64);
}

bool tr_field_types_private_ip(tr_str addr)
{
    char buf[48];
    if (addr.n == 0 || addr.n >= sizeof(buf))
        return false;
    unsigned char a[16];
    if (addr.n <= 15 && parse_v4(addr, a))
        return private_v4(a);
    memcpy(buf, addr.p, addr.n);
    buf[addr.n] = '\0';
    if (inet_pton(AF_INET, buf, a) == 1)
        return private_v4(a);
    if (inet_pton(AF_INET6, buf, a) == 1) {
        static const uint8_t loop[16] = { [15] = 1 };
        return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) ||
               memcmp(a, loop, 16) == 0;
    }
    return false;
}

enum family { F_NONE, F_WEB, F_PROXY, F_ZEEK, F_EVE, F_WINDOWS, F_SYSLOG, F_AUDITD, F_GENERIC };

static enum family family_of(const tr_event *ev)
{
    const tr_logsource *ls = &ev->logsource;
    for (unsigned i = 0; i < ls->ncategory; i++)
        if (tr_str_eq(ls->category[i], TR_STR("proxy")) && ev->format != TR_FMT_EVE)
            return F_PROXY;
    switch ((tr_format)ev->format) {
    case TR_FMT_COMBINED:
    case TR_FMT_W3C: return F_WEB;
    case TR_FMT_ZEEK:
    case TR_FMT_ZEEK_JSON: return F_ZEEK;
    case TR_FMT_EVE: return F_EVE;
    case TR_FMT_EVTX:
    case TR_FMT_EVTX_JSON:
    case TR_FMT_WINLOGBEAT:
    case TR_FMT_NXLOG: return F_WINDOWS;
    case TR_FMT_SYSLOG: return F_SYSLOG;
    case TR_FMT_AUDITD: return F_AUDITD;
    default: break;
    }
    if (tr_str_eq(ls->product, TR_STR("windows")))
        return F_WINDOWS;
    if (tr_str_eq(ls->product, TR_STR("zeek")))
        return F_ZEEK;
    if (tr_str_eq(ls->product, TR_STR("suricata")))
        return F_EVE;
    for (unsigned i = 0; i < ls->ncategory; i++)
        if (tr_str_eq(ls->category[i], TR_STR("webserver")))
            return F_WEB;
    return F_GENERIC;
}

static bool truthy(tr_str v)
{
    return (v.n == 1 && (v.p[0] == 'T' || v.p[0] == 't' || v.p[0] == '1')) ||
           (v.n == 4 && tr_mem_eq_nocase(v.p, "true", 4));
}

static bool falsy(tr_str v)
{
    return (v.n == 1 && (v.p[0] == 'F' || v.p[0] == 'f' || v.p[0] == '0')) ||
           (v.n == 5 && tr_mem_eq_nocase(v.p, "false", 5));
}

enum dir { D_UNKNOWN, D_OUT, D_IN };

static uint8_t resolve_side(uint8_t rule, enum dir d)
{
    switch (rule) {
    case S_ORIG: return d == D_OUT ? TR_SIDE_NONE : TR_SIDE_SRC;
    case S_RESP: return d == D_IN ? TR_SIDE_NONE : TR_SIDE_DST;
    case S_REQ: return d == D_IN ? TR_SIDE_NONE : TR_SIDE_DST;
    default: return rule;
    }
}

static const ftype *generic_lookup(const tr_field *f, uint8_t *side)
{
    tr_str last = last_component(f->name);
    const ftype *t = find_in(generic_fields, last, true);
    if (!t)
        return NULL;
    *side = t->side;
    /* ECS-style parents: source.ip, destination.domain, client.ip, server.ip */
    if (last.n < f->name.n) {
        tr_str parent = { f->name.p, f->name.n - last.n - 1 };
        tr_str pl = last_component(parent);
        if ((pl.n == 6 && tr_mem_eq_nocase(pl.p, "source", 6)) ||
            (pl.n == 6 && tr_mem_eq_nocase(pl.p, "client", 6)))
            *side = TR_SIDE_SRC;
        else if ((pl.n == 11 && tr_mem_eq_nocase(pl.p, "destination", 11)) ||
                 (pl.n == 6 && tr_mem_eq_nocase(pl.p, "server", 6)) ||
                 (pl.n == 3 && tr_mem_eq_nocase(pl.p, "url", 3)) ||
                 (pl.n == 3 && tr_mem_eq_nocase(pl.p, "dns", 3)))
            *side = TR_SIDE_DST;
        else if ((pl.n == 4 && tr_mem_eq_nocase(pl.p, "host", 4)) ||
                 (pl.n == 8 && tr_mem_eq_nocase(pl.p, "observer", 8)))
            return NULL; /* the monitored machine itself */
    }
    return t;
}

/*
 * What typing decides from names alone: the type and side rule of each
 * field, and which fields give a flow its direction. Worked out once per
 * layout (family + names, layout.h) with the table lookups below, then
 * replayed on every event of that layout; only the direction, which
 * depends on values, is decided per event.
 */
typedef ls_type_plan type_plan;

struct ls_type_cache {
    ls_layout layout[LS_LAYOUT_SLOTS];
    type_plan plan[LS_LAYOUT_SLOTS];
    unsigned mru, victim;
};

static const ftype *table_of(enum family fam)
{
    switch (fam) {
    case F_WEB: return web_fields;
    case F_PROXY: return proxy_fields;
    case F_ZEEK: return zeek_fields;
    case F_EVE: return eve_fields;
    case F_WINDOWS: return windows_fields;
    case F_SYSLOG: return syslog_fields;
    case F_AUDITD: return auditd_fields;
    default: return NULL;
    }
}

static bool is_flow(enum family fam)
{
    return fam == F_ZEEK || fam == F_EVE || fam == F_WINDOWS;
}

/* The fields flow_direction() reads among the first n: the last one of
 * each name counts. */
static void plan_direction(const tr_event *ev, uint32_t n, enum family fam, type_plan *p)
{
    p->orig = p->resp = p->lo = p->lr = -1;
    if (!is_flow(fam))
        return;
    for (uint32_t i = 0; i < n; i++) {
        const tr_field *f = &ev->fields[i];
        tr_str n = fam == F_WINDOWS ? short_name(f) : f->name;
        int32_t k = (int32_t)i;
        if (fam == F_ZEEK) {
            if (tr_str_eq(n, TR_STR("id.orig_h")))
                p->orig = k;
            else if (tr_str_eq(n, TR_STR("id.resp_h")))
                p->resp = k;
            else if (tr_str_eq(n, TR_STR("local_orig")))
                p->lo = k;
            else if (tr_str_eq(n, TR_STR("local_resp")))
                p->lr = k;
        } else if (fam == F_EVE) {
            if (tr_str_eq(n, TR_STR("src_ip")))
                p->orig = k;
            else if (tr_str_eq(n, TR_STR("dest_ip")))
                p->resp = k;
        } else {
            if (tr_str_eq(n, TR_STR("SourceIp")))
                p->orig = k;
            else if (tr_str_eq(n, TR_STR("DestinationIp")))
                p->resp = k;
            else if (tr_str_eq(n, TR_STR("Initiated")))
                p->lo = k;
        }
    }
}

static int flag_of(const tr_event *ev, int32_t k)
{
    if (k < 0)
        return -1;
    tr_str v = ev->fields[k].value;
    return truthy(v) ? 1 : falsy(v) ? 0 : -1;
}

/* Direction of a flow event: the record's own flags, else the addresses. */
static enum dir flow_direction(const tr_event *ev, enum family fam, const type_plan *p)
{
    int lo = flag_of(ev, p->lo), lr = flag_of(ev, p->lr);
    if (fam == F_WINDOWS) { /* Sysmon 3: Initiated=true is an outbound connection */
        if (lo == 1)
            return D_OUT;
        if (lo == 0)
            return D_IN;
    }
    if (lo == 1 && lr != 1)
        return D_OUT;
    if (lo == 0 && lr == 1)
        return D_IN;
    tr_str orig = p->orig >= 0 ? ev->fields[p->orig].value : (tr_str){ NULL, 0 };
    tr_str resp = p->resp >= 0 ? ev->fields[p->resp].value : (tr_str){ NULL, 0 };
    if (!orig.n || !resp.n)
        return D_UNKNOWN;
    bool po = tr_field_types_private_ip(orig), pr = tr_field_types_private_ip(resp);
    if (po && !pr)
        return D_OUT;
    if (!po && pr)
        return D_IN;
    return D_UNKNOWN;
}

/* The type and side rule of field f (the table lookups). */
static void plan_field(const tr_field *f, enum family fam, const ftype *table, bool has_uri,
                       uint8_t *vt, uint8_t *rule)
{
    const ftype *t = NULL;
    uint8_t side = 0;
    *vt = TR_T_NONE;
    *rule = S_NONE;
    if (table) {
        tr_str n = fam == F_WINDOWS ? short_name(f) : f->name;
        t = find_in(table, n, false);
        if (!t && f->alias.n)
            t = find_in(table, f->alias, false);
        if (t)
            side = t->side;
    }
    if (!t && fam == F_WEB && !has_uri) {
        /* IIS/W3C without cs-uri: the stem is the URI to join with the host */
        if (tr_str_eq(f->name, TR_STR("cs-uri-stem"))) {
            *vt = TR_T_URL;
            return;
        }
    }
    if (!t && (fam == F_GENERIC || fam == F_SYSLOG))
        t = generic_lookup(f, &side);
    if (!t)
        return;
    *vt = t->vtype;
    *rule = side;
}

static bool has_uri_field(const tr_event *ev, enum family fam)
{
    if (fam != F_WEB)
        return false;
    for (uint32_t i = 0; i < ev->nfields; i++)
        if (tr_str_eq(ev->fields[i].name, TR_STR("cs-uri")))
            return true;
    return false;
}

static void apply_plan(tr_event *ev, enum family fam, const type_plan *p)
{
    enum dir d = is_flow(fam) ? flow_direction(ev, fam, p) : D_UNKNOWN;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        tr_field *f = &ev->fields[i];
        f->vtype = p->vt[i];
        f->side = resolve_side(p->rule[i], d);
    }
}

/* Events too wide for a plan: the same decisions, field by field. */
static void apply_uncached(tr_event *ev, enum family fam)
{
    type_plan p;
    plan_direction(ev, ev->nfields, fam, &p);
    enum dir d = is_flow(fam) ? flow_direction(ev, fam, &p) : D_UNKNOWN;
    const ftype *table = table_of(fam);
    bool has_uri = has_uri_field(ev, fam);
    for (uint32_t i = 0; i < ev->nfields; i++) {
        tr_field *f = &ev->fields[i];
        uint8_t vt, rule;
        plan_field(f, fam, table, has_uri, &vt, &rule);
        f->vtype = vt;
        f->side = resolve_side(rule, d);
    }
}

void tr_field_types_apply(tr_event *ev)
{
    enum family fam = family_of(ev);
    uint32_t n = ev->nfields;
    ls_thread *ts = n <= LS_LAYOUT_FIELDS ? ls_thread_state() : NULL;
    ls_type_cache *c = ts ? ts->types : NULL;
    if (ts && !c)
        c = ts->types = tr_calloc(1, sizeof(*c));
    if (!c) {
        apply_uncached(ev, fam);
        return;
    }
    int slot = ls_layout_find(c->layout, &c->mru, fam, ev->fields, n);
    if (slot < 0) {
        unsigned v = c->victim;
        type_plan *p = &c->plan[v];
        if (!ls_layout_store(&c->layout[v], fam, ev->fields, n)) {
            apply_uncached(ev, fam);
            return;
        }
        plan_direction(ev, n, fam, p);
        const ftype *table = table_of(fam);
        bool has_uri = has_uri_field(ev, fam);
        for (uint32_t i = 0; i < n; i++)
            plan_field(&ev->fields[i], fam, table, has_uri, &p->vt[i], &p->rule[i]);
        c->victim = (v + 1) % LS_LAYOUT_SLOTS;
        c->mru = v;
        slot = (int)v;
    }
    apply_plan(ev, fam, &c->plan[slot]);
}

/* The event was routed from a cached names plan: its first ts->prefix
 * fields are that plan's layout and derived names, typed by the plan kept
 * with it; the fields after them (URI parts, named c-uri-*, never a
 * direction field) are typed one by one. */
void ls_types_apply_slot(tr_event *ev, ls_type_slot *ts)
{
    enum family fam = family_of(ev);
    uint32_t prefix = ts ? ts->prefix : 0;
    if (!ts || fam == F_WEB || prefix > LS_LAYOUT_FIELDS || prefix > ev->nfields) {
        tr_field_types_apply(ev);
        return;
    }
    type_plan *p = &ts->plan;
    const ftype *table = table_of(fam);
    if (!ts->valid || ts->fam != fam) {
        plan_direction(ev, prefix, fam, p);
        for (uint32_t i = 0; i < prefix; i++)
            plan_field(&ev->fields[i], fam, table, false, &p->vt[i], &p->rule[i]);
        ts->fam = (uint8_t)fam;
        ts->valid = true;
    }
    enum dir d = is_flow(fam) ? flow_direction(ev, fam, p) : D_UNKNOWN;
    for (uint32_t i = 0; i < prefix; i++) {
        tr_field *f = &ev->fields[i];
        f->vtype = p->vt[i];
        f->side = resolve_side(p->rule[i], d);
    }
    for (uint32_t i = prefix; i < ev->nfields; i++) {
        tr_field *f = &ev->fields[i];
        uint8_t vt, rule;
        plan_field(f, fam, table, false, &vt, &rule);
        f->vtype = vt;
        f->side = resolve_side(rule, d);
    }
}
