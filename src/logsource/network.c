/*
 * network.c - network monitors (Suricata EVE, Zeek) under the generic
 * categories of the taxonomy appendix, with the field names those
 * categories use.
 *
 *   http  -> category proxy: W3C proxy names (c-uri, c-uri-stem,
 *            c-uri-query, c-uri-extension, cs-host, cs-method, c-useragent,
 *            sc-status, cs-referrer, cs-version, src_ip, dst_ip, …). The
 *            appendix defines proxy by its fields, not by a product; an
 *            HTTP transaction seen on the wire answers the same questions as
 *            a proxy log line, so proxy rules (suspicious user agents, URI
 *            patterns, download extensions) apply to both monitors alike.
 *   dns   -> category dns (query, answer, record_type) and the v2.1 generic
 *            network logsource with service dns (dns.question.name, …).
 *   conn / flow / netflow -> the generic network logsource with service
 *            connection (source.ip, destination.port, network.transport, …).
 * Product-specific rules keep working: the product and service the parser
 * set (zeek/http, suricata/http) are not changed. Names are only added;
 * a name the event already has (EVE's own src_ip) is not repeated.
 */
#include "core/common.h"

#include "logsource/route.h"

enum monitor { MON_NONE, MON_EVE, MON_ZEEK };

static enum monitor monitor_of(const tr_logsource *ls)
{
    if (ls_eq_nocase(ls->product, "suricata"))
        return MON_EVE;
    if (ls_eq_nocase(ls->product, "zeek"))
        return MON_ZEEK;
    return MON_NONE;
}

static void add_cat(tr_event *ev, const char *c)
{
    tr_logsource_add_category(&ev->logsource, tr_str_c(c));
}

void ls_network_logsource(tr_event *ev)
{
    enum monitor m = monitor_of(&ev->logsource);
    tr_str s = ev->logsource.service;
    if (m == MON_NONE || !s.n)
        return;
    if (ls_eq_nocase(s, "http")) {
        add_cat(ev, "proxy");
    } else if (ls_eq_nocase(s, "dns")) {
        add_cat(ev, "dns");
        add_cat(ev, "network");
        add_cat(ev, "network/dns");
    } else if ((m == MON_ZEEK && ls_eq_nocase(s, "conn")) ||
               (m == MON_EVE && (ls_eq_nocase(s, "flow") || ls_eq_nocase(s, "netflow")))) {
        add_cat(ev, "network");
        add_cat(ev, "network/connection");
    }
}

/* taxonomy name <- EVE name, Zeek name (NULL: the monitor has none) */
typedef struct name_map {
    const char *name, *eve, *zeek;
} name_map;

static const name_map proxy_names[] = {
    { "c-uri", "http.url", "uri" },
    { "cs-uri", "http.url", "uri" },
    { "cs-host", "http.hostname", "host" },
    { "cs-method", "http.http_method", "method" },
    { "c-useragent", "http.http_user_agent", "user_agent" },
    { "sc-status", "http.status", "status_code" },
    { "cs-referrer", "http.http_refer", "referrer" },
    { "cs-version", "http.protocol", "version" },
    { "sc-bytes", "http.length", "response_body_len" },
    { "cs-bytes", NULL, "request_body_len" },
    { "src_ip", "src_ip", "id.orig_h" },
    { "dst_ip", "dest_ip", "id.resp_h" },
    { "src_port", "src_port", "id.orig_p" },
    { "dst_port", "dest_port", "id.resp_p" },
};

static const name_map dns_names[] = {
    /* category: dns */
    { "query", "dns.rrname", "query" },
    { "answer", "dns.answers.*.rdata", "answers" },
    { "answer", "dns.grouped.*", NULL },
    { "record_type", "dns.rrtype", "qtype_name" },
    { "src_ip", "src_ip", "id.orig_h" },
    { "dst_ip", "dest_ip", "id.resp_h" },
    { "dst_port", "dest_port", "id.resp_p" },
    /* category: network, service: dns (taxonomy v2.1) */
    { "source.ip", "src_ip", "id.orig_h" },
    { "source.port", "src_port", "id.orig_p" },
    { "destination.ip", "dest_ip", "id.resp_h" },
    { "destination.port", "dest_port", "id.resp_p" },
    { "network.community_id", "community_id", "community_id" },
    { "dns.id", NULL, "trans_id" },
    { "dns.question.name", "dns.rrname", "query" },
    { "dns.question.type", "dns.rrtype", "qtype_name" },
    { "dns.question.class", NULL, "qclass_name" },
    { "dns.answers.data", "dns.answers.*.rdata", "answers" },
    { "dns.answers.data", "dns.grouped.*", NULL },
    { "dns.answers.name", "dns.answers.*.rrname", NULL },
    { "dns.answers.type", "dns.answers.*.rrtype", NULL },
    { "dns.answers.ttl", "dns.answers.*.ttl", "TTLs" },
    { "dns.response.code", "dns.rcode", "rcode_name" },
};

static const name_map connection_names[] = {
    { "source.ip", "src_ip", "id.orig_h" },
    { "source.port", "src_port", "id.orig_p" },
    { "destination.ip", "dest_ip", "id.resp_h" },
    { "destination.port", "dest_port", "id.resp_p" },
    { "network.transport", "proto", "proto" },
    { "network.protocol", "app_proto", "service" },
    { "network.community_id", "community_id", "community_id" },
    { "network.state", "flow.state", "conn_state" },
    { "network.history", NULL, "history" },
    { "event.duration", NULL, "duration" },
    { "source.packets", "flow.pkts_toserver", "orig_pkts" },
    { "destination.packets", "flow.pkts_toclient", "resp_pkts" },
    { "source.bytes", "flow.bytes_toserver", "orig_bytes" },
    { "destination.bytes", "flow.bytes_toclient", "resp_bytes" },
};

static void apply(tr_event *ev, enum monitor m, const name_map *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *src = m == MON_EVE ? t[i].eve : t[i].zeek;
        if (src && strcmp(src, t[i].name) != 0)
            ls_derive_all(ev, tr_str_c(t[i].name), tr_str_c(src));
    }
}

static bool has_category(const tr_logsource *ls, const char *c)
{
    for (unsigned i = 0; i < ls->ncategory; i++)
        if (ls_eq_nocase(ls->category[i], c))
            return true;
    return false;
}

/* c-uri-stem, c-uri-query and c-uri-extension are parts of the request target,
 * as slices of it (escape sequences never contain '?', '/' or '.'). */
static void uri_parts(tr_event *ev, const tr_field *uri)
{
    if (!uri || uri->kind != TR_VSTR)
        return;
    tr_field u = *uri;
    const char *q = memchr(u.value.p, '?', u.value.n);
    size_t stem_n = q ? (size_t)(q - u.value.p) : u.value.n;
    tr_field part = u;
    part.value = (tr_str){ u.value.p, stem_n };
    ls_derive(ev, TR_STR("c-uri-stem"), &part);
    if (q) {
        part.value = (tr_str){ q + 1, u.value.n - stem_n - 1 };
        ls_derive(ev, TR_STR("c-uri-query"), &part);
    }
    size_t seg = stem_n;
    while (seg > 0 && u.value.p[seg - 1] != '/')
        seg--;
    for (size_t i = stem_n; i > seg; i--) {
        if (u.value.p[i - 1] == '.') {
            if (i < stem_n) {
                part.value = (tr_str){ u.value.p + i, stem_n - i };
                ls_derive(ev, TR_STR("c-uri-extension"), &part);
            }
            break;
        }
    }
}

void ls_network_names(tr_event *ev)
{
    enum monitor m = monitor_of(&ev->logsource);
    if (m == MON_NONE)
        return;
    const tr_logsource *ls = &ev->logsource;
    if (has_category(ls, "proxy")) {
        apply(ev, m, proxy_names, TR_ARRAY_LEN(proxy_names));
        uri_parts(ev, ls_find(ev, m == MON_EVE ? TR_STR("http.url") : TR_STR("uri")));
    }
    if (has_category(ls, "network/dns") || has_category(ls, "dns"))
        apply(ev, m, dns_names, TR_ARRAY_LEN(dns_names));
    if (has_category(ls, "network/connection"))
        apply(ev, m, connection_names, TR_ARRAY_LEN(connection_names));
}
