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

#include "core/hash.h"
#include "logsource/field_types.h"
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
} ftype;

static const ftype web_fields[] = {
    { "c-ip", TR_T_IP, S_SRC },
    { "cs-host", TR_T_DOMAIN, S_NONE },
    { "cs-uri", TR_T_URL, S_NONE },
    { "cs-uri-query", TR_T_TEXT, S_NONE },
    { "cs-user-agent", TR_T_TEXT, S_SRC },
    { "c-useragent", TR_T_TEXT, S_SRC },
    { "cs(User-Agent)", TR_T_TEXT, S_SRC },
    { "cs-referer", TR_T_URL, S_NONE },
    { "cs(Referer)", TR_T_URL, S_NONE },
    { "x-forwarded-for", TR_T_TEXT, S_SRC },
    { "cs(X-Forwarded-For)", TR_T_TEXT, S_SRC },
    { NULL, 0, 0 },
};

/* Sigma proxy taxonomy: the client is the tenant, the host is where it went. */
static const ftype proxy_fields[] = {
    { "c-uri", TR_T_URL, S_DST },
    { "cs-uri", TR_T_URL, S_DST },
    { "c-uri-query", TR_T_TEXT, S_DST },
    { "cs-host", TR_T_DOMAIN, S_DST },
    { "r-dns", TR_T_DOMAIN, S_DST },
    { "dst_ip", TR_T_IP, S_DST },
    { "c-useragent", TR_T_TEXT, S_NONE },
    { "cs-referrer", TR_T_URL, S_DST },
    { "cs-referer", TR_T_URL, S_DST },
    { NULL, 0, 0 },
};

static const ftype zeek_fields[] = {
    { "id.orig_h", TR_T_IP, S_ORIG },
    { "id.resp_h", TR_T_IP, S_RESP },
    { "query", TR_T_DOMAIN, S_REQ },          /* dns */
    { "answers", TR_T_TEXT, S_REQ },          /* dns */
    { "host", TR_T_DOMAIN, S_REQ },           /* http */
    { "uri", TR_T_URL, S_REQ },               /* http */
    { "referrer", TR_T_URL, S_NONE },         /* http */
    { "user_agent", TR_T_TEXT, S_ORIG },      /* http */
    { "arg", TR_T_TEXT, S_REQ },              /* ftp */
    { "md5", TR_T_HASH, S_NONE },             /* files */
    { "sha1", TR_T_HASH, S_NONE },
    { "sha256", TR_T_HASH, S_NONE },
    { "filename", TR_T_PATH, S_NONE },        /* files, http, smb */
    { "server_name", TR_T_DOMAIN, S_REQ },    /* ssl */
    { "mailfrom", TR_T_EMAIL, S_NONE },       /* smtp */
    { "rcptto", TR_T_EMAIL, S_NONE },
    { "from", TR_T_TEXT, S_NONE },
    { "to", TR_T_TEXT, S_NONE },
    { "reply_to", TR_T_TEXT, S_NONE },
    { "san.dns", TR_T_TEXT, S_NONE },         /* x509 */
    { "certificate.subject", TR_T_TEXT, S_NONE },
    { NULL, 0, 0 },
};

static const ftype eve_fields[] = {
    { "src_ip", TR_T_IP, S_ORIG },
    { "dest_ip", TR_T_IP, S_RESP },
    { "http.hostname", TR_T_DOMAIN, S_REQ },
    { "http.url", TR_T_URL, S_REQ },
    { "http.http_refer", TR_T_URL, S_NONE },
    { "http.http_user_agent", TR_T_TEXT, S_ORIG },
    { "http.xff", TR_T_TEXT, S_ORIG },
    { "dns.rrname", TR_T_DOMAIN, S_REQ },
    { "dns.query.rrname", TR_T_DOMAIN, S_REQ },
    { "dns.queries.rrname", TR_T_DOMAIN, S_REQ },
    { "dns.answers.rrname", TR_T_DOMAIN, S_REQ },
    { "dns.answers.rdata", TR_T_TEXT, S_REQ },
    { "dns.rdata", TR_T_TEXT, S_REQ },
    { "tls.sni", TR_T_DOMAIN, S_REQ },
    { "tls.subject", TR_T_TEXT, S_NONE },
    { "fileinfo.md5", TR_T_HASH, S_NONE },
    { "fileinfo.sha1", TR_T_HASH, S_NONE },
    { "fileinfo.sha256", TR_T_HASH, S_NONE },
    { "fileinfo.filename", TR_T_PATH, S_NONE },
    { "smtp.mail_from", TR_T_EMAIL, S_NONE },
    { "smtp.rcpt_to", TR_T_EMAIL, S_NONE },
    { "email.from", TR_T_TEXT, S_NONE },
    { "email.to", TR_T_TEXT, S_NONE },
    { NULL, 0, 0 },
};

/* Windows: EventData names (Sysmon, Security, PowerShell), matched on the
 * short name. */
static const ftype windows_fields[] = {
    { "DestinationIp", TR_T_IP, S_RESP },
    { "SourceIp", TR_T_IP, S_ORIG },
    { "IpAddress", TR_T_IP, S_SRC },          /* Security 4624/4625/4768 … remote client */
    { "ClientAddress", TR_T_IP, S_SRC },
    { "DestinationHostname", TR_T_DOMAIN, S_DST },
    { "QueryName", TR_T_DOMAIN, S_DST },
    { "QueryResults", TR_T_TEXT, S_DST },
    { "Hashes", TR_T_HASHES, S_NONE },
    { "Hash", TR_T_HASHES, S_NONE },
    { "Image", TR_T_PATH, S_NONE },
    { "ParentImage", TR_T_PATH, S_NONE },
    { "TargetFilename", TR_T_PATH, S_NONE },
    { "ImageLoaded", TR_T_PATH, S_NONE },
    { "NewProcessName", TR_T_PATH, S_NONE },
    { "ParentProcessName", TR_T_PATH, S_NONE },
    { "ProcessName", TR_T_PATH, S_NONE },
    { "OriginalFileName", TR_T_FILENAME, S_NONE },
    { "CommandLine", TR_T_TEXT, S_NONE },
    { "ParentCommandLine", TR_T_TEXT, S_NONE },
    { "ProcessCommandLine", TR_T_TEXT, S_NONE },
    { "TargetObject", TR_T_TEXT, S_NONE },
    { "Details", TR_T_TEXT, S_NONE },
    { "ScriptBlockText", TR_T_TEXT, S_NONE },
    { "Payload", TR_T_TEXT, S_NONE },
    { "ServiceFileName", TR_T_TEXT, S_NONE },
    { "ImagePath", TR_T_TEXT, S_NONE },
    { NULL, 0, 0 },
};

static const ftype syslog_fields[] = {
    { "message", TR_T_TEXT, S_NONE },
    { "msg", TR_T_TEXT, S_NONE },
    { "MESSAGE", TR_T_TEXT, S_NONE },
    { NULL, 0, 0 },
};

static const ftype auditd_fields[] = {
    { "exe", TR_T_PATH, S_NONE },
    { "comm", TR_T_FILENAME, S_NONE },
    { "name", TR_T_PATH, S_NONE },
    { "proctitle", TR_T_TEXT, S_NONE },
    { "cmd", TR_T_TEXT, S_NONE },
    { "a0", TR_T_TEXT, S_NONE },
    { "a1", TR_T_TEXT, S_NONE },
    { "a2", TR_T_TEXT, S_NONE },
    { "a3", TR_T_TEXT, S_NONE },
    { "addr", TR_T_IP, S_SRC },
    { "laddr", TR_T_IP, S_NONE },
    { "raddr", TR_T_IP, S_DST },
    { NULL, 0, 0 },
};

/* Generic JSON: the last name component, case-insensitive; a parent
 * component "source"/"client" or "destination"/"server" gives the side. */
static const ftype generic_fields[] = {
    { "ip", TR_T_IP, S_NONE },
    { "src_ip", TR_T_IP, S_SRC },
    { "source_ip", TR_T_IP, S_SRC },
    { "srcip", TR_T_IP, S_SRC },
    { "client_ip", TR_T_IP, S_SRC },
    { "clientip", TR_T_IP, S_SRC },
    { "remote_addr", TR_T_IP, S_SRC },
    { "remote_ip", TR_T_IP, S_SRC },
    { "dst_ip", TR_T_IP, S_DST },
    { "dest_ip", TR_T_IP, S_DST },
    { "destination_ip", TR_T_IP, S_DST },
    { "dstip", TR_T_IP, S_DST },
    { "server_ip", TR_T_IP, S_DST },
    { "domain", TR_T_DOMAIN, S_NONE },
    { "fqdn", TR_T_DOMAIN, S_NONE },
    { "server_name", TR_T_DOMAIN, S_DST },
    { "sni", TR_T_DOMAIN, S_DST },
    { "query", TR_T_DOMAIN, S_DST },
    { "url", TR_T_URL, S_NONE },
    { "uri", TR_T_URL, S_NONE },
    { "full", TR_T_URL, S_NONE },     /* ECS url.full */
    { "original", TR_T_TEXT, S_NONE },/* ECS url.original, user_agent.original */
    { "request_url", TR_T_URL, S_NONE },
    { "md5", TR_T_HASH, S_NONE },
    { "sha1", TR_T_HASH, S_NONE },
    { "sha256", TR_T_HASH, S_NONE },
    { "hashes", TR_T_HASHES, S_NONE },
    { "email", TR_T_EMAIL, S_NONE },
    { "address", TR_T_TEXT, S_NONE }, /* ECS email.from.address */
    { "file_name", TR_T_FILENAME, S_NONE },
    { "filename", TR_T_FILENAME, S_NONE },
    { "path", TR_T_PATH, S_NONE },
    { "file_path", TR_T_PATH, S_NONE },
    { "executable", TR_T_PATH, S_NONE },
    { "exe", TR_T_PATH, S_NONE },
    { "image", TR_T_PATH, S_NONE },
    { "command_line", TR_T_TEXT, S_NONE },
    { "commandline", TR_T_TEXT, S_NONE },
    { "cmdline", TR_T_TEXT, S_NONE },
    { "message", TR_T_TEXT, S_NONE },
    { "msg", TR_T_TEXT, S_NONE },
    { "user_agent", TR_T_TEXT, S_NONE },
    { NULL, 0, 0 },
};

static const ftype *find_in(const ftype *t, tr_str name, bool nocase)
{
    for (; t->name; t++) {
        size_t n = strlen(t->name);
        if (n != name.n || (t->name[0] | 0x20) != (name.p[0] | 0x20))
            continue;
        if (nocase ? tr_mem_eq_nocase(t->name, name.p, n) : memcmp(t->name, name.p, n) == 0)
            return t;
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

bool tr_field_types_private_ip(tr_str addr)
{
    char buf[48];
    if (addr.n == 0 || addr.n >= sizeof(buf))
        return false;
    memcpy(buf, addr.p, addr.n);
    buf[addr.n] = '\0';
    unsigned char a[16];
    if (inet_pton(AF_INET, buf, a) == 1) {
        return a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
               (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
               (a[0] == 100 && (a[1] & 0xc0) == 64);
    }
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

/* Direction of a flow event: the record's own flags, else the addresses. */
static enum dir flow_direction(const tr_event *ev, enum family fam)
{
    tr_str orig = { NULL, 0 }, resp = { NULL, 0 };
    int lo = -1, lr = -1;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const tr_field *f = &ev->fields[i];
        tr_str n = fam == F_WINDOWS ? short_name(f) : f->name;
        if (fam == F_ZEEK) {
            if (tr_str_eq(n, TR_STR("id.orig_h")))
                orig = f->value;
            else if (tr_str_eq(n, TR_STR("id.resp_h")))
                resp = f->value;
            else if (tr_str_eq(n, TR_STR("local_orig")))
                lo = truthy(f->value) ? 1 : falsy(f->value) ? 0 : -1;
            else if (tr_str_eq(n, TR_STR("local_resp")))
                lr = truthy(f->value) ? 1 : falsy(f->value) ? 0 : -1;
        } else if (fam == F_EVE) {
            if (tr_str_eq(n, TR_STR("src_ip")))
                orig = f->value;
            else if (tr_str_eq(n, TR_STR("dest_ip")))
                resp = f->value;
        } else if (fam == F_WINDOWS) {
            if (tr_str_eq(n, TR_STR("SourceIp")))
                orig = f->value;
            else if (tr_str_eq(n, TR_STR("DestinationIp")))
                resp = f->value;
            else if (tr_str_eq(n, TR_STR("Initiated")))
                lo = truthy(f->value) ? 1 : falsy(f->value) ? 0 : -1;
        }
    }
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
    if (!orig.n || !resp.n)
        return D_UNKNOWN;
    bool po = tr_field_types_private_ip(orig), pr = tr_field_types_private_ip(resp);
    if (po && !pr)
        return D_OUT;
    if (!po && pr)
        return D_IN;
    return D_UNKNOWN;
}

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

void tr_field_types_apply(tr_event *ev)
{
    enum family fam = family_of(ev);
    const ftype *table = NULL;
    switch (fam) {
    case F_WEB: table = web_fields; break;
    case F_PROXY: table = proxy_fields; break;
    case F_ZEEK: table = zeek_fields; break;
    case F_EVE: table = eve_fields; break;
    case F_WINDOWS: table = windows_fields; break;
    case F_SYSLOG: table = syslog_fields; break;
    case F_AUDITD: table = auditd_fields; break;
    default: break;
    }
    bool flows = fam == F_ZEEK || fam == F_EVE || fam == F_WINDOWS;
    enum dir d = flows ? flow_direction(ev, fam) : D_UNKNOWN;
    bool has_uri = false;
    if (fam == F_WEB)
        for (uint32_t i = 0; i < ev->nfields && !has_uri; i++)
            has_uri = tr_str_eq(ev->fields[i].name, TR_STR("cs-uri"));
    for (uint32_t i = 0; i < ev->nfields; i++) {
        tr_field *f = &ev->fields[i];
        f->vtype = TR_T_NONE;
        f->side = TR_SIDE_NONE;
        const ftype *t = NULL;
        uint8_t side = 0;
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
                f->vtype = TR_T_URL;
                continue;
            }
        }
        if (!t && (fam == F_GENERIC || fam == F_SYSLOG))
            t = generic_lookup(f, &side);
        if (!t)
            continue;
        f->vtype = t->vtype;
        f->side = resolve_side(side, d);
    }
}
