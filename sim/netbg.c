/*
 * netbg.c - ordinary network traffic for the sensors: DNS lookups, TLS to
 * the usual SaaS and update sites, cleartext HTTP (OCSP, CRLs, Windows
 * Update, old intranet pages pulling jQuery from code.jquery.com), NTP,
 * the odd anonymous FTP download, and Internet hosts reaching the
 * tenant's published services.
 */
#include "core/common.h"

#include "sim/netbg.h"
#include "sim/plan.h"

#define IP4(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((uint32_t)(c) << 8) | (d))

static const net_site tls_sites[] = {
    { "www.google.com", IP4(172, 217, 16, 196), NULL },
    { "login.microsoftonline.com", IP4(40, 126, 1, 145), "login.mso.msidentity.com" },
    { "outlook.office365.com", IP4(52, 97, 146, 162), "outlook.ha.office365.com" },
    { "login.live.com", IP4(40, 126, 9, 7), "login.msa.msidentity.com" },
    { "www.linkedin.com", IP4(13, 107, 42, 14), NULL },
    { "teams.microsoft.com", IP4(52, 113, 194, 132), "teams-msedge.net" },
    { "zoom.us", IP4(3, 235, 69, 9), NULL },
    { "www.bing.com", IP4(13, 107, 21, 200), "www-bing-com.dual-a-0001.a-msedge.net" },
    { "api.dropboxapi.com", IP4(162, 125, 8, 19), NULL },
    { "slack.com", IP4(54, 192, 151, 72), NULL },
    { "s3.amazonaws.com", IP4(52, 216, 134, 197), NULL },
    { "github.com", IP4(140, 82, 112, 3), NULL },
    { "update.googleapis.com", IP4(172, 217, 22, 3), NULL },
    { "www.youtube.com", IP4(172, 217, 18, 14), "youtube-ui.l.google.com" },
    { "settings-win.data.microsoft.com", IP4(51, 104, 167, 186), NULL },
    { "d.docs.live.net", IP4(13, 107, 42, 12), NULL },
    { "www.salesforce.com", IP4(104, 109, 10, 129), NULL },
    { "cdn.jsdelivr.net", IP4(151, 101, 1, 229), NULL },
};

typedef struct http_site {
    const char *host, *uri, *method, *ua, *mime;
    uint32_t ip, len;
} http_site;

static const char *const win_ua = "Microsoft-CryptoAPI/10.0";
static const http_site http_sites[] = {
    { "ocsp.digicert.com", "/", "POST", "Microsoft-CryptoAPI/10.0", "application/ocsp-response",
      IP4(93, 184, 220, 29), 471 },
    { "ctldl.windowsupdate.com", "/msdownload/update/v3/static/trustedr/en/authrootstl.cab",
      "GET", "Microsoft-CryptoAPI/10.0", "application/vnd.ms-cab-compressed",
      IP4(13, 107, 4, 50), 58344 },
    { "www.msftconnecttest.com", "/connecttest.txt", "GET", "Microsoft NCSI", "text/plain",
      IP4(13, 107, 4, 52), 22 },
    { "crl3.digicert.com", "/DigiCertGlobalRootCA.crl", "GET", "Microsoft-CryptoAPI/10.0",
      "application/pkix-crl", IP4(93, 184, 220, 29), 1052 },
    { "download.windowsupdate.com",
      "/c/msdownload/update/others/2020/02/31512417_0b1c7d3e3b0aa9a1f2.cab", "GET",
      "Microsoft-Delivery-Optimization/10.0", "application/vnd.ms-cab-compressed",
      IP4(13, 107, 4, 50), 184220 },
    { "security.debian.org", "/debian-security/dists/buster/updates/InRelease", "GET",
      "Debian APT-HTTP/1.3 (1.8.2)", "text/plain", IP4(151, 101, 2, 132), 65300 },
    { "code.jquery.com", "/jquery-1.12.4.min.js", "GET",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; Trident/7.0; rv:11.0) like Gecko",
      "application/javascript", IP4(69, 16, 175, 10), 97163 },
    { "code.jquery.com", "/jquery-3.3.1.min.js", "GET",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/79.0.3945.130 Safari/537.36",
      "application/javascript", IP4(69, 16, 175, 42), 86927 },
    { "www.example-intranet-vendor.com", "/support/downloads/drivers.html", "GET",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:72.0) Gecko/20100101 Firefox/72.0",
      "text/html", IP4(192, 0, 43, 10), 18400 },
};

static uint32_t client(sim_rng *r, uint32_t net)
{
    return net | ((2u + sim_below(r, 6)) << 8) | (10 + sim_below(r, 240));
}

void sim_net_bg(const sim_ctx *c, const sim_tenant *t, int stream, net_bg *b, sim_net *n,
                uint32_t client_net, uint32_t resolver, bool head)
{
    sim_rng *r = &b->r;
    memset(n, 0, sizeof(*n));
    b->ts += (int64_t)sim_gap(c, t, stream, b->ts, r);
    uint32_t x = sim_below(r, 1000);
    n->state = "SF";
    n->history = "ShADadFf";
    if (x < 330) { /* DNS */
        bool tls = sim_chance(r, 0.7);
        const char *name;
        uint32_t ip;
        const char *cname = NULL;
        if (tls) {
            const net_site *s = &SIM_PICK(r, tls_sites);
            name = s->name;
            ip = s->ip;
            cname = s->cname;
        } else {
            const http_site *s = &SIM_PICK(r, http_sites);
            name = s->host;
            ip = s->ip;
        }
        n->app = APP_DNS;
        n->oh = head ? resolver : client(r, client_net);
        n->op = sim_eport(r);
        n->rh = head ? (sim_chance(r, 0.5) ? IP4(8, 8, 8, 8) : IP4(1, 1, 1, 1)) : resolver;
        n->rp = 53;
        n->query = name;
        n->qtype = sim_chance(r, 0.85) ? 1 : 28;
        if (n->qtype == 1) {
            snprintf(b->a, sizeof(b->a), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
                     ip & 255);
            n->answer = b->a;
        } else {
            n->answer = cname; /* AAAA: only the CNAME, or nothing */
        }
        (void)cname;
        n->ttl = 60 + sim_below(r, 3540);
        if (sim_chance(r, 0.03)) {
            n->rcode = 3;
            n->answer = NULL;
            snprintf(b->b, sizeof(b->b), "wpad.%s", t->addomain);
            n->query = b->b;
        }
        n->dur_us = 2000 + sim_below(r, 60000);
        n->ob = 30 + (uint32_t)strlen(n->query);
        n->rb = n->ob + 16 + (n->answer ? 16 : 0);
        n->history = "Dd";
        return;
    }
    if (x < 700) { /* TLS */
        const net_site *s = &SIM_PICK(r, tls_sites);
        n->app = APP_SSL;
        n->oh = client(r, client_net);
        n->op = sim_eport(r);
        n->rh = s->ip;
        n->rp = 443;
        n->sni = s->name;
        snprintf(b->a, sizeof(b->a), "CN=%s,O=%s,L=Redmond,ST=WA,C=US", s->name,
                 strstr(s->name, "google") || strstr(s->name, "youtube") ? "Google LLC"
                                                                         : "Microsoft Corporation");
        n->subject = b->a;
        n->issuer = "CN=DigiCert SHA2 Secure Server CA,O=DigiCert Inc,C=US";
        n->dur_us = 100000 + sim_below(r, 120000000);
        n->ob = 600 + sim_below(r, 20000);
        n->rb = 3000 + sim_below(r, 400000);
        return;
    }
    if (x < 860) { /* cleartext HTTP */
        const http_site *s = &SIM_PICK(r, http_sites);
        n->app = APP_HTTP;
        n->oh = client(r, client_net);
        n->op = sim_eport(r);
        n->rh = s->ip;
        n->rp = 80;
        n->method = s->method;
        n->host = s->host;
        n->uri = s->uri;
        n->ua = s->ua ? s->ua : win_ua;
        n->status = sim_chance(r, 0.1) && s->method[0] == 'G' ? 304 : 200;
        n->resp_len = n->status == 200 ? s->len : 0;
        n->req_len = s->method[0] == 'P' ? 83 : 0;
        n->mime = n->status == 200 ? s->mime : NULL;
        n->dur_us = 30000 + sim_below(r, 2000000);
        n->ob = 300 + n->req_len;
        n->rb = n->resp_len + 320;
        return;
    }
    if (x < 930 && head && (t->citrix || t->dc)) { /* Internet users reaching the services */
        n->app = APP_SSL;
        n->oh = sim_public_ip(r);
        n->op = sim_eport(r);
        if (t->citrix && (!t->dc || sim_chance(r, 0.8))) {
            n->rh = t->vip;
            n->rp = 443;
            snprintf(b->a, sizeof(b->a), "gateway.%s.example.com", t->slug);
        } else {
            n->rh = t->dc_lan;
            n->rp = t->dc_port == 8020 ? 8383 : t->dc_port;
            snprintf(b->a, sizeof(b->a), "dc.%s.example.com", t->slug);
        }
        n->sni = b->a;
        snprintf(b->b, sizeof(b->b), "CN=%.200s", b->a);
        n->subject = b->b;
        n->issuer = "CN=DigiCert SHA2 Secure Server CA,O=DigiCert Inc,C=US";
        n->dur_us = 200000 + sim_below(r, 600000000);
        n->ob = 1500 + sim_below(r, 80000);
        n->rb = 4000 + sim_below(r, 900000);
        return;
    }
    if (x < 990) { /* NTP, or a refused probe from the Internet */
        if (sim_chance(r, 0.5)) {
            n->app = APP_UDP;
            n->oh = head && t->citrix && sim_chance(r, 0.3) ? t->nsip : client(r, client_net);
            n->op = 123;
            n->rh = IP4(162, 159, 200, 1 + sim_below(r, 120));
            n->rp = 123;
            n->ob = n->rb = 48;
            n->dur_us = 20000 + sim_below(r, 60000);
            n->history = "Dd";
        } else {
            static const uint16_t ports[] = { 23, 445, 3389, 22, 1433, 5900, 8080, 2323 };
            n->app = APP_TCP;
            n->oh = sim_public_ip(r);
            n->op = sim_eport(r);
            n->rh = head ? t->hq_nat : t->wan;
            n->rp = SIM_PICK(r, ports);
            n->state = sim_chance(r, 0.5) ? "S0" : "REJ";
            n->history = n->state[0] == 'S' ? "S" : "Sr";
            n->dur_us = 0;
        }
        return;
    }
    /* anonymous FTP from a vendor */
    n->app = APP_FTP;
    n->oh = client(r, client_net);
    n->op = sim_eport(r);
    n->rh = IP4(192, 0, 43, 21);
    n->rp = 21;
    n->ftp_user = "anonymous";
    static const char *const files[] = { "pub/firmware/ups-nmc2-v7.0.4.bin",
                                         "pub/drivers/printer-pcl6-x64-5.1.zip",
                                         "pub/docs/release-notes-2020.pdf" };
    n->ftp_arg = SIM_PICK(r, files);
    n->ftp_size = 200000 + sim_below(r, 9000000);
    n->data_port = (uint16_t)(30000 + sim_below(r, 20000));
    n->dur_us = 3000000 + sim_below(r, 30000000);
    n->ob = 160;
    n->rb = 900;
}

void sim_put_uid(sim_out *o, sim_rng *r, char prefix)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    putc_(o, prefix);
    uint64_t x = sim_u64(r), y = sim_u64(r);
    for (int i = 0; i < 17; i++) {
        uint64_t *v = i < 9 ? &x : &y;
        putc_(o, b62[*v % 62]);
        *v /= 62;
    }
}
