/*
 * eve.c - the Suricata sensor in front of the branch's Cisco RV320: EVE
 * JSON lines of event types alert, http, dns and flow (Suricata 5 field
 * names, sensor-local timestamps with their UTC offset).
 *
 * Each connection gives its protocol event (http or dns query/answer), an
 * alert for every signature that fired, and a flow record when it ends.
 */
#include "core/common.h"

#include "sim/netbg.h"
#include "sim/plan.h"

typedef struct sig {
    uint32_t sid;
    uint16_t rev;
    uint8_t severity;
    const char *msg, *category;
} sig;

/* ET Open signatures (the reference lists the campaign's) and everyday ones. */
static const sig sigs[] = {
    { 2033089, 2, 1,
      "ET EXPLOIT Cisco RV320/RV325 Config Disclosure Attempt Inbound (CVE-2019-1653)",
      "Attempted Information Leak" },
    { 2033090, 2, 1, "ET EXPLOIT Cisco RV320/RV325 Config Disclosure Successful (CVE-2019-1653)",
      "Successful Administrator Privilege Gain" },
    { 2033091, 2, 1,
      "ET EXPLOIT Cisco RV320/RV325 Debug Dump Disclosure Attempt Inbound (CVE-2019-1653)",
      "Attempted Information Leak" },
    { 2026860, 3, 1, "ET EXPLOIT Possible Cisco RV320 RCE Attempt (CVE-2019-1652)",
      "Attempted Administrator Privilege Gain" },
    { 2033088, 2, 1,
      "ET EXPLOIT Cisco RV320/RV325 Command Injection Attempt Inbound (CVE-2019-1652)",
      "Attempted Administrator Privilege Gain" },
    { 2000418, 18, 3, "ET POLICY Executable and linking format (ELF) file download",
      "Potential Corporate Privacy Violation" },
    { 2402000, 5536, 2, "ET DROP Dshield Block Listed Source", "Misc Attack" },
    { 2010935, 3, 2, "ET SCAN Suspicious inbound to MSSQL port 1433", "Potentially Bad Traffic" },
    { 2001219, 20, 2, "ET SCAN Potential SSH Scan", "Attempted Information Leak" },
    { 2013028, 7, 3, "ET POLICY curl User-Agent Outbound", "Attempted Information Leak" },
};

static const sig *sig_of(uint32_t sid)
{
    for (size_t i = 0; i < TR_ARRAY_LEN(sigs); i++)
        if (sigs[i].sid == sid)
            return &sigs[i];
    return &sigs[6];
}

typedef struct eve {
    sim_out o;
    sim_rng ids;
    const sim_tenant *t;
} eve;

static void head(eve *v, int64_t ts, uint64_t flow_id, const char *type, uint32_t sip,
                 uint16_t sp, uint32_t dip, uint16_t dp, bool udp)
{
    sim_out *o = &v->o;
    sim_out_room(o);
    if (ts > o->mtime)
        o->mtime = ts;
    PUTL(o, "{\"timestamp\":\"");
    put_time_eve(o, ts, sim_tz_at(v->t, ts));
    PUTL(o, "\",\"flow_id\":");
    put_u64(o, flow_id);
    PUTL(o, ",\"in_iface\":\"eth1\",\"event_type\":\"");
    puts_(o, type);
    PUTL(o, "\",\"src_ip\":\"");
    put_ip4(o, sip);
    PUTL(o, "\",\"src_port\":");
    put_u64(o, sp);
    PUTL(o, ",\"dest_ip\":\"");
    put_ip4(o, dip);
    PUTL(o, "\",\"dest_port\":");
    put_u64(o, dp);
    puts_(o, udp ? ",\"proto\":\"UDP\"" : ",\"proto\":\"TCP\"");
}

static void http_obj(sim_out *o, const sim_net *n)
{
    PUTL(o, "\"http\":{\"hostname\":");
    const char *h = n->host ? n->host : "-";
    const char *colon = strchr(h, ':');
    putc_(o, '"');
    if (colon)
        put(o, h, (size_t)(colon - h));
    else
        put_json_body(o, h);
    putc_(o, '"');
    if (n->rp != 80) {
        PUTL(o, ",\"http_port\":");
        put_u64(o, n->rp);
    }
    PUTL(o, ",\"url\":");
    put_jstr(o, n->uri);
    if (n->ua) {
        PUTL(o, ",\"http_user_agent\":");
        put_jstr(o, n->ua);
    }
    if (n->mime && n->status) {
        PUTL(o, ",\"http_content_type\":");
        put_jstr(o, n->mime);
    }
    if (n->ref) {
        PUTL(o, ",\"http_refer\":");
        put_jstr(o, n->ref);
    }
    PUTL(o, ",\"http_method\":");
    put_jstr(o, n->method);
    PUTL(o, ",\"protocol\":\"HTTP/1.1\",\"status\":");
    put_u64(o, n->status);
    PUTL(o, ",\"length\":");
    put_u64(o, n->resp_len);
    putc_(o, '}');
}

static void flow_counts(sim_out *o, const sim_net *n, int64_t start, int tz)
{
    uint32_t opk = 3 + n->ob / 1400, rpk = n->state[0] == 'S' && n->state[1] == 'F'
                                             ? 2 + n->rb / 1400
                                             : 0;
    PUTL(o, "\"pkts_toserver\":");
    put_u64(o, opk);
    PUTL(o, ",\"pkts_toclient\":");
    put_u64(o, rpk);
    PUTL(o, ",\"bytes_toserver\":");
    put_u64(o, n->ob + opk * 66);
    PUTL(o, ",\"bytes_toclient\":");
    put_u64(o, rpk ? n->rb + rpk * 66 : 0);
    PUTL(o, ",\"start\":\"");
    put_time_eve(o, start, tz);
    putc_(o, '"');
}

static void emit(eve *v, int64_t ts, const sim_net *n)
{
    sim_out *o = &v->o;
    uint64_t fid = sim_u64(&v->ids) >> 13;
    bool udp = n->app == APP_DNS || n->app == APP_UDP;
    int tz = sim_tz_at(v->t, ts);
    const char *app = n->app == APP_HTTP  ? "http"
                      : n->app == APP_DNS ? "dns"
                      : n->app == APP_SSL ? "tls"
                      : n->app == APP_FTP ? "ftp"
                                          : NULL;
    int64_t t1 = ts + (int64_t)n->dur_us * 1000 / 2;
    if (n->app == APP_HTTP) {
        head(v, t1, fid, "http", n->oh, n->op, n->rh, n->rp, false);
        PUTL(o, ",\"tx_id\":0,");
        http_obj(o, n);
        PUTL(o, "}\n");
        o->records++;
    } else if (n->app == APP_DNS) {
        uint32_t id = sim_below(&v->ids, 65536);
        head(v, ts, fid, "dns", n->oh, n->op, n->rh, n->rp, true);
        PUTL(o, ",\"dns\":{\"type\":\"query\",\"id\":");
        put_u64(o, id);
        PUTL(o, ",\"rrname\":");
        put_jstr(o, n->query);
        puts_(o, n->qtype == 28 ? ",\"rrtype\":\"AAAA\"" : ",\"rrtype\":\"A\"");
        PUTL(o, ",\"tx_id\":0}}\n");
        head(v, ts + (int64_t)n->dur_us * 1000, fid, "dns", n->rh, n->rp, n->oh, n->op, true);
        PUTL(o, ",\"dns\":{\"version\":2,\"type\":\"answer\",\"id\":");
        put_u64(o, id);
        puts_(o, n->rcode == 3 ? ",\"flags\":\"8183\"" : ",\"flags\":\"8180\"");
        PUTL(o, ",\"qr\":true,\"rd\":true,\"ra\":true,\"rrname\":");
        put_jstr(o, n->query);
        puts_(o, n->qtype == 28 ? ",\"rrtype\":\"AAAA\"" : ",\"rrtype\":\"A\"");
        puts_(o, n->rcode == 3 ? ",\"rcode\":\"NXDOMAIN\"" : ",\"rcode\":\"NOERROR\"");
        if (n->answer && n->qtype == 1) {
            PUTL(o, ",\"answers\":[{\"rrname\":");
            put_jstr(o, n->query);
            PUTL(o, ",\"rrtype\":\"A\",\"ttl\":");
            put_u64(o, n->ttl);
            PUTL(o, ",\"rdata\":");
            put_jstr(o, n->answer);
            PUTL(o, "}],\"grouped\":{\"A\":[");
            put_jstr(o, n->answer);
            PUTL(o, "]}");
        }
        PUTL(o, "}}\n");
        o->records += 2;
    }
    for (int k = 0; k < 2; k++) {
        uint32_t sid = k == 0 ? n->sid : n->sid2;
        if (!sid)
            continue;
        const sig *s = sig_of(sid);
        head(v, t1, fid, "alert", n->oh, n->op, n->rh, n->rp, udp);
        if (app)
            PUTL(o, ",\"tx_id\":0");
        PUTL(o, ",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":");
        put_u64(o, s->sid);
        PUTL(o, ",\"rev\":");
        put_u64(o, s->rev);
        PUTL(o, ",\"signature\":");
        put_jstr(o, s->msg);
        PUTL(o, ",\"category\":");
        put_jstr(o, s->category);
        PUTL(o, ",\"severity\":");
        put_u64(o, s->severity);
        putc_(o, '}');
        if (n->app == APP_HTTP) {
            putc_(o, ',');
            http_obj(o, n);
        }
        if (app) {
            PUTL(o, ",\"app_proto\":\"");
            puts_(o, app);
            putc_(o, '"');
        }
        PUTL(o, ",\"flow\":{");
        flow_counts(o, n, ts, tz);
        PUTL(o, "}}\n");
        o->records++;
    }
    int64_t end = ts + (int64_t)n->dur_us * 1000;
    head(v, end + (udp ? 30 : 120) * SIM_NS, fid, "flow", n->oh, n->op, n->rh, n->rp, udp);
    if (app) {
        PUTL(o, ",\"app_proto\":\"");
        puts_(o, app);
        putc_(o, '"');
    }
    PUTL(o, ",\"flow\":{");
    flow_counts(o, n, ts, tz);
    PUTL(o, ",\"end\":\"");
    put_time_eve(o, end, tz);
    PUTL(o, "\",\"age\":");
    put_u64(o, n->dur_us / 1000000);
    bool sf = n->state[0] == 'S' && n->state[1] == 'F';
    puts_(o, sf || udp ? ",\"state\":\"closed\"" : ",\"state\":\"new\"");
    PUTL(o, ",\"reason\":\"timeout\"");
    PUTL(o, ",\"alerted\":");
    puts_(o, n->sid ? "true" : "false");
    putc_(o, '}');
    if (!udp) {
        if (sf)
            PUTL(o, ",\"tcp\":{\"tcp_flags\":\"1b\",\"tcp_flags_ts\":\"1b\","
                    "\"tcp_flags_tc\":\"1b\",\"syn\":true,\"fin\":true,\"psh\":true,"
                    "\"ack\":true,\"state\":\"closed\"}");
        else
            PUTL(o, ",\"tcp\":{\"tcp_flags\":\"02\",\"tcp_flags_ts\":\"02\","
                    "\"tcp_flags_tc\":\"00\",\"syn\":true,\"state\":\"syn_sent\"}");
    }
    PUTL(o, "}\n");
    o->records++;
}

tr_err sim_write_eve(sim_ctx *c, sim_tenant *t)
{
    char path[1024];
    sim_path(c, t, "suricata/eve.json", path, sizeof(path));
    eve v;
    memset(&v, 0, sizeof(v));
    v.t = t;
    tr_err err = sim_out_open(&v.o, path, false);
    if (err) {
        snprintf(c->errbuf, sizeof(c->errbuf), "%s: %s", path, tr_strerror(err));
        sim_out_close(&v.o);
        return err;
    }
    sim_rng_init(&v.ids, sim_seed_mix(c->o.seed, (uint64_t)t->idx + 1, 0xE7E));
    net_bg b;
    memset(&b, 0, sizeof(b));
    sim_stream_rng(c, t, SS_EVE, &b.r);
    b.ts = c->from + (int64_t)sim_gap(c, t, SS_EVE, c->from, &b.r);
    sim_evs *sp = &t->ev[SS_EVE];
    sim_sort(sp);
    size_t k = 0;
    while (k < sp->n && sp->v[k].ts < c->from)
        k++;
    sim_net n;
    uint32_t resolver = t->branch | (1u << 8) | 1;
    for (;;) {
        bool special = k < sp->n && sp->v[k].ts <= b.ts;
        int64_t ts = special ? sp->v[k].ts : b.ts;
        if (ts >= c->to)
            break;
        ts -= ts % 1000;
        if (special) {
            const sim_ev *e = &sp->v[k++];
            emit(&v, ts, &e->u.net);
            /* the request time the http/alert events show */
            int64_t shown = ts + (int64_t)e->u.net.dur_us * 1000 / 2;
            sim_note(c, t, e, shown - shown % 1000);
        } else {
            sim_net_bg(c, t, SS_EVE, &b, &n, t->branch, resolver, false);
            if (n.app == APP_TCP && n.rh == t->wan && sim_chance(&b.r, 0.3))
                n.sid = n.rp == 1433 ? 2010935 : n.rp == 22 ? 2001219 : 2402000;
            if (n.app == APP_FTP)
                n.app = APP_TCP; /* no ftp events configured on this sensor */
            emit(&v, ts, &n);
        }
        if (v.o.err)
            break;
    }
    return sim_done(c, &v.o);
}
