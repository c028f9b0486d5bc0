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

#include <pthread.h>

#include "logsource/layout.h"
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

/* Each table's names as slices, made once: apply() runs on every event. */
typedef struct name_ent {
    tr_str name, src;
} name_ent;

typedef struct name_tab {
    name_ent eve[32], zeek[32];
    uint8_t neve, nzeek;
} name_tab;

enum { T_PROXY, T_DNS, T_CONN, T_COUNT };
static name_tab tabs[T_COUNT];
static pthread_once_t tabs_once = PTHREAD_ONCE_INIT;

static void tab_init(name_tab *nt, const name_map *t, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (t[i].eve && strcmp(t[i].eve, t[i].name) != 0)
            nt->eve[nt->neve++] = (name_ent){ tr_str_c(t[i].name), tr_str_c(t[i].eve) };
        if (t[i].zeek && strcmp(t[i].zeek, t[i].name) != 0)
            nt->zeek[nt->nzeek++] = (name_ent){ tr_str_c(t[i].name), tr_str_c(t[i].zeek) };
    }
}

static void tabs_init(void)
{
    tab_init(&tabs[T_PROXY], proxy_names, TR_ARRAY_LEN(proxy_names));
    tab_init(&tabs[T_DNS], dns_names, TR_ARRAY_LEN(dns_names));
    tab_init(&tabs[T_CONN], connection_names, TR_ARRAY_LEN(connection_names));
}

static void apply(tr_event *ev, enum monitor m, int tab, ls_derive_log *log)
{
    const name_tab *nt = &tabs[tab];
    const name_ent *e = m == MON_EVE ? nt->eve : nt->zeek;
    size_t n = m == MON_EVE ? nt->neve : nt->nzeek;
    for (size_t i = 0; i < n; i++)
        ls_derive_all_logged(ev, e[i].name, e[i].src, log);
}

/* inline, so that the length of the literal c is a constant */
static inline bool has_category(const tr_logsource *ls, const char *c)
{
    for (unsigned i = 0; i < ls->ncategory; i++)
        if (ls_eq_nocase(ls->category[i], c))
            return true;
    return false;
}

/* What uri_parts() needs to know beyond the URI's value. */
enum { HAVE_STEM = 1, HAVE_QUERY = 2, HAVE_EXT = 4 };

static void derive_part(tr_event *ev, tr_str name, const tr_field *u, tr_str value)
{
    tr_field *d = tr_event_add(ev, name, value, (tr_vkind)u->kind);
    if (d) {
        d->flags = TR_FIELD_DERIVED | (u->flags & (TR_FIELD_ESCAPED | TR_FIELD_MULTI));
        d->vtype = u->vtype;
        d->side = u->side;
    }
}

/* c-uri-stem, c-uri-query and c-uri-extension are parts of the request target,
 * as slices of it (escape sequences never contain '?', '/' or '.'). have
 * says which of the names the event already has. */
static void uri_parts(tr_event *ev, const tr_field *uri, unsigned have)
{
    if (!uri || uri->kind != TR_VSTR)
        return;
    tr_field u = *uri;
    const char *q = memchr(u.value.p, '?', u.value.n);
    size_t stem_n = q ? (size_t)(q - u.value.p) : u.value.n;
    if (!(have & HAVE_STEM))
        derive_part(ev, TR_STR("c-uri-stem"), &u, (tr_str){ u.value.p, stem_n });
    if (q && !(have & HAVE_QUERY))
        derive_part(ev, TR_STR("c-uri-query"), &u,
                    (tr_str){ q + 1, u.value.n - stem_n - 1 });
    if (have & HAVE_EXT)
        return;
    size_t seg = stem_n;
    while (seg > 0 && u.value.p[seg - 1] != '/')
        seg--;
    for (size_t i = stem_n; i > seg; i--) {
        if (u.value.p[i - 1] == '.') {
            if (i < stem_n)
                derive_part(ev, TR_STR("c-uri-extension"), &u,
                             (tr_str){ u.value.p + i, stem_n - i });
            break;
        }
    }
}

/*
 * The names an event gets depend only on its monitor, its categories and
 * the names of its fields, so they are worked out once per layout (the
 * ls_derive_all walk: a table of up to 22 names against every field) and
 * replayed as a list of (name, source field) steps on every later event of
 * that layout. The URI parts are slices of the URI's value and are cut per
 * event; which field is the URI and which part names already exist are
 * part of the plan.
 */
#define NET_STEPS 48

typedef struct net_plan {
    uint32_t nsteps;
    int32_t uri;       /* index of the URI field (proxy), or -1 */
    unsigned have;     /* HAVE_* */
    ls_derive_step steps[NET_STEPS];
    ls_type_slot types; /* typing of the layout and its derived names */
} net_plan;

struct ls_net_cache {
    ls_layout layout[LS_LAYOUT_SLOTS];
    net_plan plan[LS_LAYOUT_SLOTS];
    unsigned mru, victim;
};

enum { WANT_PROXY = 1, WANT_DNS = 2, WANT_CONN = 4 };

static unsigned wanted(const tr_logsource *ls)
{
    unsigned w = 0;
    if (has_category(ls, "proxy"))
        w |= WANT_PROXY;
    if (has_category(ls, "network/dns") || has_category(ls, "dns"))
        w |= WANT_DNS;
    if (has_category(ls, "network/connection"))
        w |= WANT_CONN;
    return w;
}

/* The slow path: derive by walking the tables, logging the steps into p. */
static bool derive_logged(tr_event *ev, enum monitor m, unsigned want, net_plan *p)
{
    ls_derive_log log = { p->steps, NET_STEPS, 0 };
    uint32_t truncated = ev->truncated;
    p->uri = -1;
    p->have = 0;
    if (want & WANT_PROXY)
        apply(ev, m, T_PROXY, &log);
    if (want & WANT_DNS)
        apply(ev, m, T_DNS, &log);
    if (want & WANT_CONN)
        apply(ev, m, T_CONN, &log);
    p->nsteps = log.n;
    if (want & WANT_PROXY) {
        const tr_field *uri = ls_find(ev, m == MON_EVE ? TR_STR("http.url") : TR_STR("uri"));
        p->uri = uri ? (int32_t)(uri - ev->fields) : -1;
        p->have = (ls_find(ev, TR_STR("c-uri-stem")) ? HAVE_STEM : 0) |
                  (ls_find(ev, TR_STR("c-uri-query")) ? HAVE_QUERY : 0) |
                  (ls_find(ev, TR_STR("c-uri-extension")) ? HAVE_EXT : 0);
    }
    return log.n <= NET_STEPS && ev->truncated == truncated;
}

ls_type_slot *ls_network_names(tr_event *ev)
{
    enum monitor m = monitor_of(&ev->logsource);
    if (m == MON_NONE)
        return NULL;
    unsigned want = wanted(&ev->logsource);
    if (!want)
        return NULL;
    pthread_once(&tabs_once, tabs_init);
    uint64_t tag = (uint64_t)m << 8 | want;
    uint32_t n0 = ev->nfields;
    ls_thread *ts = ls_thread_state();
    ls_net_cache *c = ts ? ts->net : NULL;
    if (ts && !c)
        c = ts->net = tr_calloc(1, sizeof(*c));
    int slot = c ? ls_layout_find(c->layout, &c->mru, tag, ev->fields, n0) : -1;
    if (slot >= 0 && n0 + c->plan[slot].nsteps + 3 <= ev->cap) {
        net_plan *p = &c->plan[slot];
        ls_derive_replay(ev, p->steps, p->nsteps);
        if (p->uri >= 0)
            uri_parts(ev, &ev->fields[p->uri], p->have);
        return &p->types;
    }
    net_plan tmp, *p = &tmp;
    unsigned victim = 0;
    if (c) {
        victim = c->victim;
        p = &c->plan[victim];
        c->layout[victim].n = 0;
    }
    /* the layout is stored before deriving: deriving appends to ev->fields */
    bool keep = c && ls_layout_store(&c->layout[victim], tag, ev->fields, n0);
    keep = derive_logged(ev, m, want, p) && keep && n0 + p->nsteps + 3 <= ev->cap;
    p->types.valid = false;
    p->types.prefix = n0 + p->nsteps;
    if (p->uri >= 0)
        uri_parts(ev, &ev->fields[p->uri], p->have);
    if (!c)
        return NULL;
    if (!keep) {
        c->layout[victim].n = 0;
        return NULL;
    }
    c->mru = victim;
    c->victim = (victim + 1) % LS_LAYOUT_SLOTS;
    return &c->plan[victim].types;
}
