/*
 * web.c - web server access logs: the Citrix ADC/Gateway httpaccess.log
 * (Apache combined plus the appliance's trailing "Time: N microsecs",
 * appliance clock in UTC, older parts rotated into httpaccess.log.N.gz)
 * and the Desktop Central server's access log (combined format in the
 * server's local time, on ports 8020/8383).
 *
 * Background traffic: Gateway users logging in and launching apps, the
 * Receiver clients, an uptime monitor, Internet scanning noise; Desktop
 * Central agents checking in, administrators using the console.
 */
#include "core/common.h"

#include "sim/plan.h"

static void web_line(sim_out *o, const sim_web *w, int64_t ts, int tz, bool citrix)
{
    sim_out_room(o);
    o->mtime = ts;
    put_ip4(o, w->cip);
    PUTL(o, " - ");
    if (w->user)
        puts_(o, w->user);
    else
        putc_(o, '-');
    PUTL(o, " [");
    put_time_apache(o, ts, tz);
    PUTL(o, "] \"");
    puts_(o, w->method);
    putc_(o, ' ');
    puts_(o, w->uri);
    PUTL(o, " HTTP/1.1\" ");
    put_u64(o, w->status);
    putc_(o, ' ');
    if (w->bytes)
        put_u64(o, w->bytes);
    else
        putc_(o, '-');
    PUTL(o, " \"");
    puts_(o, w->ref ? w->ref : "-");
    PUTL(o, "\" \"");
    puts_(o, w->ua ? w->ua : "-");
    putc_(o, '"');
    if (citrix) {
        PUTL(o, " \"Time: ");
        put_u64(o, w->time_us ? w->time_us : 250 + (w->bytes * 7919u + w->cip) % 2500);
        PUTL(o, " microsecs\"");
    }
    putc_(o, '\n');
    o->records++;
}

static const char *const browser_uas[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/79.0.3945.130 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:72.0) Gecko/20100101 Firefox/72.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_3) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/13.0.5 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/70.0.3538.102 Safari/537.36 Edge/18.18363",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "Mozilla/5.0 (iPad; CPU OS 13_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/13.0.4 Mobile/15E148 Safari/604.1",
    "CitrixReceiver/19.12.0.23 Windows/10.0",
    "CitrixReceiver/20.2.0.25 Windows/10.0",
    "CitrixReceiver/20.1.0 (Macintosh; Intel Mac OS X 10.15.3)",
};

static const char *const noise_uas[] = {
    "Mozilla/5.0 zgrab/0.x",
    "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
    "Go-http-client/1.1",
    "python-requests/2.18.4",
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:47.0) Gecko/20100101 Firefox/47.0",
    "Mozilla/5.0 (compatible; Nimbostratus-Bot/v1.3.2; http://cloudsystemnetworks.com)",
};

static const char *const noise_uris[] = {
    "/", "/robots.txt", "/favicon.ico", "/.env", "/wp-login.php", "/phpmyadmin/",
    "/HNAP1/", "/solr/admin/info/system?wt=json", "/owa/auth/logon.aspx", "/api/jsonws/invoke",
    "/console/login/LoginForm.jsp", "/manager/html", "/cgi-bin/luci", "/TP/public/index.php",
    "/.git/config", "/boaform/admin/formLogin", "/remote/login", "/dana-na/",
};

typedef struct page {
    const char *method, *uri;
    uint16_t status;
    uint32_t bytes; /* typical body size */
} page;

/* A Gateway login and StoreFront session, in order. */
static const page citrix_flow[] = {
    { "GET", "/", 302, 0 },
    { "GET", "/vpn/index.html", 200, 3042 },
    { "GET", "/logon/LogonPoint/index.html", 200, 2218 },
    { "GET", "/logon/LogonPoint/init.js", 200, 1450 },
    { "GET", "/logon/themes/Default/css/base.css", 200, 38211 },
    { "GET", "/logon/LogonPoint/plugins/ns-gateway/ns-nfactor.js", 200, 22830 },
    { "POST", "/p/u/getAuthenticationRequirements.do", 200, 1380 },
    { "POST", "/p/u/doAuthentication.do", 200, 312 },
    { "GET", "/cgi/setclient?wica", 200, 40 },
    { "GET", "/Citrix/StoreWeb/", 200, 3915 },
    { "POST", "/Citrix/StoreWeb/Home/Configuration", 200, 2670 },
    { "POST", "/Citrix/StoreWeb/Resources/List", 200, 9840 },
    { "GET", "/Citrix/StoreWeb/Resources/Image/Q29udHJvbGxlci5PdXRsb29r.png", 200, 4410 },
    { "GET", "/vpn/pluginlist.xml", 200, 1267 },
    { "POST", "/Citrix/StoreWeb/Resources/LaunchStatus/Q29udHJvbGxlci5PdXRsb29r", 200, 64 },
    { "GET", "/Citrix/StoreWeb/Resources/LaunchIca/Q29udHJvbGxlci5PdXRsb29r.ica", 200, 2960 },
    { "GET", "/vpns/services.html", 200, 1108 },
    { "POST", "/cgi/logout", 302, 0 },
};

typedef struct web_bg {
    sim_rng r;
    int64_t ts;          /* time of the next background record */
    int left;            /* records left in the current session */
    int step;            /* position in the flow */
    int len;             /* records in the current session */
    uint32_t ip;         /* the session's client */
    const char *ua;
    const char *user;
    char buf[192];       /* a URI built for this record */
} web_bg;

static uint32_t pool_ip(const sim_tenant *t, uint32_t k, bool lan)
{
    if (lan)
        return t->lan | ((2u + k / 200) << 8) | (20 + k % 200);
    sim_rng r;
    sim_rng_init(&r, (uint64_t)t->pool_seed * 0x9E3779B97F4A7C15ULL + k);
    return sim_public_ip(&r);
}

static const char *const users[] = {
    "jsmith", "a.tanaka", "mrossi", "kdubois", "p.nair", "lsantos", "hweber", "e.virtanen",
    "tquinn", "s.haddad", "b.okafor", "c.lindqvist", "d.moreau", "f.kowalski", "g.reyes",
};

/* The next background Citrix request into w. */
static void citrix_bg(const sim_ctx *c, const sim_tenant *t, web_bg *b, sim_web *w)
{
    sim_rng *r = &b->r;
    memset(w, 0, sizeof(*w));
    if (b->left == 0) {
        uint32_t x = sim_below(r, 100);
        if (x < 6) { /* Internet noise */
            w->cip = sim_public_ip(r);
            w->method = sim_chance(r, 0.8) ? "GET" : "POST";
            w->uri = SIM_PICK(r, noise_uris);
            w->status = strcmp(w->uri, "/") == 0             ? 302
                        : strcmp(w->uri, "/favicon.ico") == 0 ? 200
                                                              : 404;
            w->bytes = w->status == 404 ? 260 : w->status == 200 ? 1150 : 0;
            w->ua = SIM_PICK(r, noise_uas);
            w->time_us = 200 + sim_below(r, 900);
            b->ts += (int64_t)sim_gap(c, t, SS_CITRIX_WEB, b->ts, r);
            return;
        }
        if (x < 11) { /* uptime monitor */
            w->cip = c->monitor_ip;
            w->method = "GET";
            w->uri = "/vpn/index.html";
            w->status = 200;
            w->bytes = 3042;
            w->ua = "Mozilla/5.0 (compatible; UptimeProbe/2.3; +https://status.mssp.example/)";
            w->time_us = 300 + sim_below(r, 500);
            b->ts += (int64_t)sim_gap(c, t, SS_CITRIX_WEB, b->ts, r);
            return;
        }
        b->left = b->len = 4 + (int)sim_below(r, (uint32_t)TR_ARRAY_LEN(citrix_flow) - 3);
        b->step = sim_chance(r, 0.3) ? 8 : 0; /* Receiver clients skip the login pages */
        b->ip = pool_ip(t, sim_below(r, 600), false);
        b->ua = b->step ? SIM_PICK(r, browser_uas) : browser_uas[sim_below(r, 6)];
        b->user = SIM_PICK(r, users);
    }
    const page *p = &citrix_flow[b->step % TR_ARRAY_LEN(citrix_flow)];
    w->cip = b->ip;
    w->method = p->method;
    w->uri = p->uri;
    w->status = p->status;
    w->bytes = p->bytes ? p->bytes - p->bytes / 10 + sim_below(r, p->bytes / 5 + 1) : 0;
    if (w->status == 200 && p->method[0] == 'G' && sim_chance(r, 0.25) && b->step > 2) {
        w->status = 304;
        w->bytes = 0;
    }
    w->ua = b->ua;
    w->user = b->step >= 8 ? b->user : NULL;
    w->time_us = 250 + sim_below(r, 4000) + (w->method[0] == 'P' ? 20000 : 0);
    b->step++;
    b->left--;
    /* requests inside a session are seconds apart; sessions are paced so that
     * the stream keeps its rate of records */
    b->ts += b->left ? (int64_t)((0.05 + sim_f64(r) * 3.0) * 1e9)
                     : (int64_t)(sim_gap(c, t, SS_CITRIX_WEB, b->ts, r) * b->len);
}

/* Desktop Central: agents, console users, Internet noise. */
static void dc_bg(const sim_ctx *c, const sim_tenant *t, web_bg *b, sim_web *w)
{
    sim_rng *r = &b->r;
    memset(w, 0, sizeof(*w));
    uint32_t x = sim_below(r, 100);
    b->ts += (int64_t)sim_gap(c, t, SS_DC_WEB, b->ts, r);
    if (x < 5) {
        w->cip = sim_public_ip(r);
        w->method = "GET";
        w->uri = SIM_PICK(r, noise_uris);
        w->status = 404;
        w->bytes = 1022;
        w->ua = SIM_PICK(r, noise_uas);
        return;
    }
    if (x < 25) {
        static const page console[] = {
            { "GET", "/configurations.do", 200, 21450 },
            { "GET", "/homePage.do?actionToCall=homePageDetails", 200, 35210 },
            { "GET", "/js/desktopcentral/common/commonUtils.js", 304, 0 },
            { "GET", "/images/dc-logo.png", 304, 0 },
            { "POST", "/STATE_ID/1583312245123/patchMgmt.do?actionToCall=missingPatches", 200,
              48211 },
            { "GET", "/inventory.do?actionToCall=viewComputers", 200, 30120 },
            { "POST", "/j_security_check", 302, 0 },
            { "GET", "/client.do?actionToCall=showDashboard", 200, 18842 },
        };
        const page *p = &SIM_PICK(r, console);
        w->cip = pool_ip(t, sim_below(r, 8), true);
        w->method = p->method;
        w->uri = p->uri;
        w->status = p->status;
        w->bytes = p->bytes;
        w->ua = browser_uas[sim_below(r, 5)];
        w->user = p->status == 200 ? "admin" : NULL;
        return;
    }
    /* agents: on the LAN or roaming on the Internet */
    uint32_t agent = sim_below(r, 400);
    w->cip = agent < 340 ? pool_ip(t, agent, true) : pool_ip(t, agent, false);
    w->ua = "DesktopCentralAgent/10.0.465";
    uint32_t k = sim_below(r, 6);
    switch (k) {
    case 0:
        snprintf(b->buf, sizeof(b->buf), "/agentHandler?actionToPerform=statusUpdate&resourceid=%u",
                 3000 + agent);
        w->method = "POST";
        w->status = 200;
        w->bytes = 84;
        break;
    case 1:
        snprintf(b->buf, sizeof(b->buf), "/client-data/1/%u/inventory/inv-scan-settings.xml",
                 3000 + agent);
        w->method = "GET";
        w->status = sim_chance(r, 0.7) ? 304 : 200;
        w->bytes = w->status == 200 ? 2211 : 0;
        break;
    case 2:
        snprintf(b->buf, sizeof(b->buf), "/agent/meta-data/agentmeta.xml");
        w->method = "GET";
        w->status = 304;
        w->bytes = 0;
        break;
    case 3:
        snprintf(b->buf, sizeof(b->buf), "/patch/patchStatus?resId=%u", 3000 + agent);
        w->method = "POST";
        w->status = 200;
        w->bytes = 51;
        break;
    case 4:
        snprintf(b->buf, sizeof(b->buf), "/store/patches/%u/windows10.0-kb45%05u-x64.msu",
                 100000 + sim_below(r, 900), sim_below(r, 99999));
        w->method = "GET";
        w->status = 200;
        w->bytes = 1000000 + sim_below(r, 90000000);
        break;
    default:
        snprintf(b->buf, sizeof(b->buf), "/client-data/1/%u/configurations/cfg-%u.xml",
                 3000 + agent, 100 + sim_below(r, 60));
        w->method = "GET";
        w->status = sim_chance(r, 0.8) ? 304 : 200;
        w->bytes = w->status == 200 ? 4120 : 0;
        break;
    }
    w->uri = b->buf;
}

typedef struct web_file {
    sim_out o;
    int seg, nseg;
    int64_t seg_end;
    char base[1024];
} web_file;

static tr_err open_segment(sim_ctx *c, web_file *f)
{
    char path[1100];
    bool last = f->seg == f->nseg - 1;
    if (last)
        snprintf(path, sizeof(path), "%s", f->base);
    else
        snprintf(path, sizeof(path), "%s.%d.gz", f->base, f->nseg - 2 - f->seg);
    f->seg_end = last ? INT64_MAX
                      : c->from + (c->to - c->from) / f->nseg * (f->seg + 1);
    tr_err err = sim_out_open(&f->o, path, !last);
    if (err)
        snprintf(c->errbuf, sizeof(c->errbuf), "%s: %s", path, tr_strerror(err));
    return err;
}

static tr_err write_web(sim_ctx *c, sim_tenant *t, int stream, const char *rel, bool citrix)
{
    char base[1024];
    sim_path(c, t, rel, base, sizeof(base));
    web_file f;
    memset(&f, 0, sizeof(f));
    snprintf(f.base, sizeof(f.base), "%s", base);
    double days = (double)(c->to - c->from) / 86400e9;
    double expect = c->rate[stream] * days * 240.0;
    f.nseg = citrix ? (int)TR_MIN(10.0, TR_MAX(1.0, expect / (64 * 1024.0))) : 1;
    tr_err err = open_segment(c, &f);
    if (err) {
        sim_out_close(&f.o);
        return err;
    }
    web_bg b;
    memset(&b, 0, sizeof(b));
    sim_stream_rng(c, t, stream, &b.r);
    b.ts = c->from + (int64_t)sim_gap(c, t, stream, c->from, &b.r);
    sim_evs *sp = &t->ev[stream];
    sim_sort(sp);
    size_t k = 0;
    while (k < sp->n && sp->v[k].ts < c->from)
        k++;
    sim_web w;
    for (;;) {
        bool special = k < sp->n && sp->v[k].ts <= b.ts;
        int64_t ts = special ? sp->v[k].ts : b.ts;
        if (ts >= c->to)
            break;
        while (ts >= f.seg_end) {
            err = sim_done(c, &f.o);
            if (err)
                return err;
            f.seg++;
            if ((err = open_segment(c, &f))) {
                sim_out_close(&f.o);
                return err;
            }
        }
        int tz = citrix ? 0 : sim_tz_at(t, ts);
        if (special) {
            const sim_ev *e = &sp->v[k++];
            web_line(&f.o, &e->u.web, ts, tz, citrix);
            sim_note(c, t, e, ts - ts % SIM_NS);
        } else {
            if (citrix)
                citrix_bg(c, t, &b, &w);
            else
                dc_bg(c, t, &b, &w);
            web_line(&f.o, &w, ts, tz, citrix);
        }
        if (f.o.err)
            break;
    }
    /* segments the window never reached are still created, empty */
    for (;;) {
        err = sim_done(c, &f.o);
        if (err || f.seg >= f.nseg - 1)
            return err;
        f.seg++;
        if ((err = open_segment(c, &f))) {
            sim_out_close(&f.o);
            return err;
        }
    }
}

tr_err sim_write_citrix_web(sim_ctx *c, sim_tenant *t)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "citrix/%s/httpaccess.log", t->ns_host);
    return write_web(c, t, SS_CITRIX_WEB, rel, true);
}

tr_err sim_write_dc_web(sim_ctx *c, sim_tenant *t)
{
    char rel[128];
    snprintf(rel, sizeof(rel), "desktopcentral/%s/access.log", t->dc_host);
    return write_web(c, t, SS_DC_WEB, rel, false);
}
