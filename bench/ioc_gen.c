/*
 * ioc_gen.c - deterministic inputs for the indicator benchmark (bench/ioc.sh):
 * web access logs (combined) and Zeek conn/dns/http logs of a given total
 * size, and mixed indicator feeds of 10 k / 100 k / 1 M values (plain lists,
 * which are also the pattern files of grep -F -f and rg -F -f).
 *
 * A fixed set of "planted" indicator values appears in about one log line in
 * a thousand, and so do near misses that contain an indicator as a substring
 * of a longer token (11.2.3.45 for 1.2.3.4, notevil.com for evil.com): a
 * fixed-string search counts those, a type-exact matcher must not.
 *
 *   ioc_gen logs OUTDIR BYTES     ioc_gen feed OUT N     ioc_gen stix OUT N
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static unsigned pick(unsigned n)
{
    return (unsigned)(next() % n);
}

#define NPLANT_IP 800
#define NPLANT_DOM 600
#define NPLANT_URL 400
#define NPLANT_HASH 200
#define NCLIENT 50000
#define NSERVER 20000
#define NDOMAIN 20000

static char plant_ip[NPLANT_IP][16], near_ip[NPLANT_IP][16];
static char plant_dom[NPLANT_DOM][48], near_dom[NPLANT_DOM][64];
static char plant_url[NPLANT_URL][96];
static char plant_hash[NPLANT_HASH][33];
static char client_ip[NCLIENT][16], server_ip[NSERVER][16];
static char domain[NDOMAIN][48];

static const char *const tlds[] = { "com", "net", "org", "info", "io", "ru", "cn", "de", "biz",
                                    "xyz" };
static const char *const words[] = {
    "cloud", "update", "cdn", "static", "mail", "secure", "login", "portal", "data", "api",
    "sync", "news", "shop", "media", "img", "files", "vpn", "remote", "office", "service",
    "host", "web", "app", "edge", "net", "store", "dev", "support", "track", "stats",
};
static const char *const paths[] = {
    "/", "/index.html", "/login.php", "/wp-login.php", "/api/v1/status", "/images/logo.png",
    "/vpn/index.html", "/owa/auth/logon.aspx", "/static/js/app.js", "/css/site.css",
    "/favicon.ico", "/robots.txt", "/search", "/cgi-bin/luci", "/admin/", "/upload.php",
    "/vpn/../vpns/portal/scripts/newbm.pl", "/ServiceDesk/servlet/Download", "/api/login",
    "/download/setup.exe",
};
static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/79.0.3945.130 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/13.0.4 Safari/605.1.15",
    "curl/7.67.0", "python-requests/2.22.0", "Wget/1.20.3 (linux-gnu)",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.12325; Pro)",
};
static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static void rand_ip(char *out)
{
    unsigned a;
    do
        a = 1 + pick(223);
    while (a == 10 || a == 127 || a == 172 || a == 192);
    snprintf(out, 16, "%u.%u.%u.%u", a, pick(256), pick(256), 1 + pick(254));
}

static void rand_domain(char *out, size_t cap)
{
    snprintf(out, cap, "%s%s%u.%s", words[pick(30)], words[pick(30)], pick(1000),
             tlds[pick(10)]);
}

static void rand_hex(char *out, int n)
{
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < n; i++)
        out[i] = hx[pick(16)];
    out[n] = '\0';
}

static void setup(void)
{
    for (int i = 0; i < NPLANT_IP; i++) {
        unsigned a = 1 + pick(55), b = pick(256), c = pick(256), d = 1 + pick(25);
        if (a == 10)
            a = 11;
        snprintf(plant_ip[i], 16, "%u.%u.%u.%u", a, b, c, d);
        /* a longer address that contains the indicator as a substring */
        snprintf(near_ip[i], 16, "1%u.%u.%u.%u5", a, b, c, d);
    }
    for (int i = 0; i < NPLANT_DOM; i++) {
        rand_domain(plant_dom[i], sizeof(plant_dom[i]));
        if (i % 2)
            snprintf(near_dom[i], sizeof(near_dom[i]), "not%.47s", plant_dom[i]);
        else
            snprintf(near_dom[i], sizeof(near_dom[i]), "%.47s.cdn-edge.net", plant_dom[i]);
    }
    for (int i = 0; i < NPLANT_URL; i++) {
        char d[48];
        rand_domain(d, sizeof(d));
        snprintf(plant_url[i], sizeof(plant_url[i]), "http://%s/%s/%u.php", d, words[pick(30)],
                 pick(100000));
    }
    for (int i = 0; i < NPLANT_HASH; i++)
        rand_hex(plant_hash[i], 32);
    for (int i = 0; i < NCLIENT; i++)
        rand_ip(client_ip[i]);
    for (int i = 0; i < NSERVER; i++)
        rand_ip(server_ip[i]);
    for (int i = 0; i < NDOMAIN; i++)
        rand_domain(domain[i], sizeof(domain[i]));
}

/* 1 in 1000: a planted value; 1 in 1000: a near miss; else background. */
static int roll(void)
{
    unsigned r = pick(1000);
    return r == 0 ? 1 : r == 1 ? 2 : 0;
}

static const char *an_ip(const char (*pool)[16], unsigned n)
{
    int r = roll();
    unsigned k = pick(NPLANT_IP);
    return r == 1 ? plant_ip[k] : r == 2 ? near_ip[k] : pool[pick(n)];
}

static const char *a_domain(void)
{
    int r = roll();
    unsigned k = pick(NPLANT_DOM);
    return r == 1 ? plant_dom[k] : r == 2 ? near_dom[k] : domain[pick(NDOMAIN)];
}

static FILE *open_out(const char *dir, const char *name, int k)
{
    char p[1024];
    snprintf(p, sizeof(p), "%s/%s-%02d.log", dir, name, k);
    FILE *f = fopen(p, "w");
    if (!f) {
        perror(p);
        exit(1);
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    return f;
}

static long long web_line(FILE *f, long long t)
{
    long long day = (t - 1579478400) / 86400 + 19, s = t % 86400; /* from 20 Jan 2020 */
    int dd = 1 + (int)(day % 28), mm = (int)((day / 28) % 12);
    char query[160] = "";
    unsigned q = pick(10);
    if (q == 0) {
        int r = roll();
        snprintf(query, sizeof(query), "?url=%s",
                 r == 1 ? plant_url[pick(NPLANT_URL)]
                        : r == 2 ? near_dom[pick(NPLANT_DOM)] : "http://www.example.com/a");
    } else if (q == 1) {
        snprintf(query, sizeof(query), "?id=%u&h=%s", pick(100000),
                 roll() == 1 ? plant_hash[pick(NPLANT_HASH)] : "0");
    } else if (q == 2) {
        snprintf(query, sizeof(query), "?q=%s", words[pick(30)]);
    }
    char ref[96] = "-";
    if (pick(3))
        snprintf(ref, sizeof(ref), "https://%s/", a_domain());
    int n = fprintf(f, "%s - - [%02d/%s/2020:%02lld:%02lld:%02lld +0000] \"%s %s%s HTTP/1.1\" %d %u "
                       "\"%s\" \"%s\"\n",
                    an_ip(client_ip, NCLIENT), dd, months[mm], s / 3600, (s / 60) % 60, s % 60,
                    pick(5) ? "GET" : "POST", paths[pick(20)], query,
                    pick(10) ? 200 : 404, 200 + pick(50000), ref, agents[pick(7)]);
    return n;
}

static const char zeek_head[] = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n"
                                "#unset_field\t-\n";

static long long zeek_header(FILE *f, const char *path, const char *fields, const char *types)
{
    return fprintf(f, "%s#path\t%s\n#open\t2020-01-20-08-00-00\n#fields\t%s\n#types\t%s\n",
                   zeek_head, path, fields, types);
}

static void uid(char *out)
{
    static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    out[0] = 'C';
    for (int i = 1; i < 18; i++)
        out[i] = al[pick(62)];
    out[18] = '\0';
}

static void logs(const char *out, long long bytes)
{
    char web[1024], zeek[1024];
    snprintf(web, sizeof(web), "%s/web", out);
    snprintf(zeek, sizeof(zeek), "%s/zeek", out);
    mkdir(out, 0755);
    mkdir(web, 0755);
    mkdir(zeek, 0755);
    const long long per_file = 128LL << 20;
    long long web_bytes = bytes * 6 / 10, zeek_bytes = bytes - web_bytes;
    long long t = 1579478400; /* 2020-01-20 */
    for (int k = 0; web_bytes > 0; k++) {
        FILE *f = open_out(web, "access", k);
        long long w = 0;
        while (w < per_file && w < web_bytes) {
            w += web_line(f, t);
            t += pick(3);
        }
        web_bytes -= w;
        fclose(f);
    }
    double ts = 1579478400.0;
    char u[20];
    for (int k = 0; zeek_bytes > 0; k++) {
        FILE *fc = open_out(zeek, "conn", k), *fd = open_out(zeek, "dns", k),
             *fh = open_out(zeek, "http", k);
        long long w = zeek_header(fc, "conn",
                                  "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\t"
                                  "service\tduration\torig_bytes\tresp_bytes\tconn_state\t"
                                  "local_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\t"
                                  "orig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents",
                                  "time\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\t"
                                  "count\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\t"
                                  "count\tcount\tset[string]");
        w += zeek_header(fd, "dns",
                         "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\t"
                         "query\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\t"
                         "answers\tTTLs",
                         "time\tstring\taddr\tport\taddr\tport\tenum\tcount\tstring\tcount\t"
                         "string\tcount\tstring\tcount\tstring\tvector[string]\tvector[interval]");
        w += zeek_header(fh, "http",
                         "ts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\ttrans_depth\t"
                         "method\thost\turi\treferrer\tversion\tuser_agent\trequest_body_len\t"
                         "response_body_len\tstatus_code\tstatus_msg",
                         "time\tstring\taddr\tport\taddr\tport\tcount\tstring\tstring\tstring\t"
                         "string\tstring\tstring\tcount\tcount\tcount\tstring");
        while (w < 3 * per_file && w < zeek_bytes) {
            unsigned kind = pick(10);
            char local[16];
            snprintf(local, 16, "10.%u.%u.%u", pick(16), pick(256), 1 + pick(254));
            uid(u);
            ts += 0.001 * pick(50);
            if (kind < 6) {
                w += fprintf(fc, "%.6f\t%s\t%s\t%u\t%s\t%u\ttcp\t%s\t%.6f\t%u\t%u\tSF\tT\tF\t0\t"
                                 "ShADadfF\t%u\t%u\t%u\t%u\t(empty)\n",
                             ts, u, local, 1024 + pick(60000), an_ip(server_ip, NSERVER),
                             pick(2) ? 443 : 80, pick(2) ? "ssl" : "http",
                             pick(100000) / 1000.0, pick(5000), pick(500000), 5 + pick(50),
                             500 + pick(5000), 5 + pick(50), 500 + pick(500000));
            } else if (kind < 8) {
                w += fprintf(fd, "%.6f\t%s\t%s\t%u\t10.0.0.53\t53\tudp\t%u\t%s\t1\tC_INTERNET\t1\t"
                                 "A\t0\tNOERROR\t%s\t300.000000\n",
                             ts, u, local, 1024 + pick(60000), pick(65536), a_domain(),
                             an_ip(server_ip, NSERVER));
            } else {
                const char *host = pick(4) ? a_domain() : an_ip(server_ip, NSERVER);
                w += fprintf(fh, "%.6f\t%s\t%s\t%u\t%s\t80\t1\tGET\t%s\t%s\t-\t1.1\t%s\t0\t%u\t200"
                                 "\tOK\n",
                             ts, u, local, 1024 + pick(60000), an_ip(server_ip, NSERVER), host,
                             paths[pick(20)], agents[pick(7)], pick(100000));
            }
        }
        zeek_bytes -= w;
        fclose(fc);
        fclose(fd);
        fclose(fh);
    }
}

/* A mixed feed: every planted value, then random values of every type
 * (IPv4 36 %, IPv6 2 %, IPv4 /24 networks 2 %, domains 25 %, URLs 15 %,
 * MD5 10 %, SHA-256 10 %). */
static void feed(const char *out, long n, int stix)
{
    FILE *f = fopen(out, "w");
    if (!f) {
        perror(out);
        exit(1);
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    rng = 0x1234567887654321ULL ^ (uint64_t)n;
    long k = 0;
    char v[128], d[48];
    if (stix)
        fprintf(f, "{\"type\": \"bundle\", \"id\": \"bundle--00000000-0000-4000-8000-000000000000\","
                   " \"objects\": [\n");
    for (; k < n; k++) {
        const char *type = "ipv4-addr:value";
        if (k < NPLANT_IP) {
            snprintf(v, sizeof(v), "%s", plant_ip[k]);
        } else if (k < NPLANT_IP + NPLANT_DOM) {
            snprintf(v, sizeof(v), "%s", plant_dom[k - NPLANT_IP]);
            type = "domain-name:value";
        } else if (k < NPLANT_IP + NPLANT_DOM + NPLANT_URL) {
            snprintf(v, sizeof(v), "%s", plant_url[k - NPLANT_IP - NPLANT_DOM]);
            type = "url:value";
        } else if (k < NPLANT_IP + NPLANT_DOM + NPLANT_URL + NPLANT_HASH) {
            snprintf(v, sizeof(v), "%s", plant_hash[k - NPLANT_IP - NPLANT_DOM - NPLANT_URL]);
            type = "file:hashes.MD5";
        } else {
            unsigned r = pick(100);
            if (r < 36) {
                rand_ip(v);
            } else if (r < 38) { /* IPv6: short group literals in the prefilter */
                snprintf(v, sizeof(v), "2%03x:%x:%x:%x::%x", pick(0x1000), pick(0x10000),
                         pick(0x10000), pick(0x10000), 1 + pick(0xfffe));
                type = "ipv6-addr:value";
            } else if (r < 40) { /* IPv4 networks: "5.6.7." is a short literal */
                rand_ip(d);
                *strrchr(d, '.') = '\0';
                snprintf(v, sizeof(v), "%s.0/24", d);
            } else if (r < 65) {
                snprintf(v, sizeof(v), "%c%c%c%u.", 'a' + pick(26), 'a' + pick(26),
                         'a' + pick(26), pick(1000000));
                rand_domain(d, sizeof(d));
                strncat(v, d, sizeof(v) - strlen(v) - 1);
                type = "domain-name:value";
            } else if (r < 80) {
                rand_domain(d, sizeof(d));
                snprintf(v, sizeof(v), "http://%s/%s/%u.bin", d, words[pick(30)], pick(10000000));
                type = "url:value";
            } else if (r < 90) {
                rand_hex(v, 32);
                type = "file:hashes.MD5";
            } else {
                rand_hex(v, 64);
                type = "file:hashes.'SHA-256'";
            }
        }
        if (stix)
            fprintf(f, "%s{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "
                       "\"indicator--%08lx-0000-4000-8000-%012lx\", \"created\": "
                       "\"2020-01-20T00:00:00.000Z\", \"modified\": \"2020-01-20T00:00:00.000Z\", "
                       "\"pattern\": \"[%s = '%s']\", \"pattern_type\": \"stix\", "
                       "\"valid_from\": \"2020-01-01T00:00:00Z\"}\n",
                    k ? "," : "", k, k, type, v);
        else
            fprintf(f, "%s\n", v);
    }
    if (stix)
        fprintf(f, "]}\n");
    fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: ioc_gen logs OUTDIR BYTES | feed OUT N | stix OUT N\n");
        return 2;
    }
    setup();
    if (strcmp(argv[1], "logs") == 0)
        logs(argv[2], atoll(argv[3]));
    else if (strcmp(argv[1], "feed") == 0)
        feed(argv[2], atol(argv[3]), 0);
    else if (strcmp(argv[1], "stix") == 0)
        feed(argv[2], atol(argv[3]), 1);
    else
        return 2;
    return 0;
}
