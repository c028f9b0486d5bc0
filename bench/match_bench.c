/*
 * match_bench.c - what the matching primitives (src/match) and the route
 * stage (src/logsource) cost: build time and memory of the indicator-sized
 * sets, and per-operation time of the hot-path calls. No peer: these are
 * building blocks; bench/match.sh prints the figures and RESULT lines.
 *
 *   match_bench [N]      N = prefixes and strings in the sets (default 1000000)
 *
 * Memory is measured twice: the structure's own count (tr_*_memory) and
 * the growth of the process's resident set while building it (which also
 * sees allocator overhead and the builder's temporary arrays, released
 * afterwards).
 */
#include "core/common.h"

#include <malloc.h>
#include <time.h>

#include "match/cidr.h"
#include "match/idset.h"
#include "match/mpm.h"
#include "match/regex.h"
#include "match/strset.h"
#include "trawl/arena.h"
#include "trawl/logsource.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double rss_mb(void)
{
    malloc_trim(0); /* count what is in use, not what glibc keeps for later */
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (double)resident * 4096.0 / 1048576.0;
}

static uint64_t rng_state = 88172645463325252ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void result(const char *name, double v, const char *unit)
{
    printf("RESULT %s %.3f %s\n", name, v, unit);
}

/* 70% IPv4 addresses, 10% IPv4 /16../28 networks, 15% IPv6 addresses, 5% IPv6 /32../64. */
static void random_prefix(tr_ip *ip, unsigned *len)
{
    memset(ip, 0, sizeof(*ip));
    uint64_t r = rng(), s = rng();
    unsigned kind = (unsigned)(r % 100);
    if (kind < 80) {
        ip->family = 4;
        memcpy(ip->b, &s, 4);
        *len = kind < 70 ? 32 : 16 + (unsigned)(r >> 8) % 13;
    } else {
        ip->family = 6;
        ip->b[0] = 0x20;
        ip->b[1] = 0x01;
        memcpy(ip->b + 2, &s, 8);
        uint64_t t = rng();
        memcpy(ip->b + 10, &t, 6);
        *len = kind < 95 ? 128 : 32 + (unsigned)(r >> 8) % 33;
    }
}

static int bench_cidr(size_t n)
{
    double m0 = rss_mb(), t0 = now();
    tr_cidr_builder *b;
    if (tr_cidr_builder_new(&b))
        return 1;
    for (size_t i = 0; i < n; i++) {
        tr_ip ip;
        unsigned len;
        random_prefix(&ip, &len);
        if (tr_cidr_builder_add(b, &ip, len, (uint32_t)i))
            return 1;
    }
    double t1 = now();
    tr_cidr *set;
    if (tr_cidr_build(b, &set))
        return 1;
    double t2 = now();
    double peak = rss_mb();
    tr_cidr_builder_free(b);
    double m1 = rss_mb();
    size_t mem = tr_cidr_memory(set);
    printf("cidr: %zu prefixes (%zu distinct): add %.2f s, build %.2f s; %.1f MB counted "
           "(%.1f B/prefix), RSS +%.1f MB after build (+%.1f MB peak with the builder)\n",
           n, tr_cidr_count(set), t1 - t0, t2 - t1, (double)mem / 1048576.0,
           (double)mem / (double)tr_cidr_count(set), m1 - m0, peak - m0);
    result("cidr_build_s", t2 - t1, "s");
    result("cidr_memory_mb", (double)mem / 1048576.0, "MB");
    result("cidr_bytes_per_prefix", (double)mem / (double)tr_cidr_count(set), "B");

    enum { Q = 2000000 };
    uint32_t ids[16];
    size_t hits = 0;
    rng_state = 88172645463325252ULL; /* half of the queries are members */
    double t3 = now();
    for (size_t q = 0; q < Q; q++) {
        tr_ip ip;
        unsigned len;
        random_prefix(&ip, &len);
        if (q & 1)
            ip.b[3] ^= 0x5a; /* mostly a miss */
        hits += tr_cidr_lookup(set, &ip, ids, 16, NULL) > 0;
    }
    double t4 = now();
    printf("cidr: %d lookups in %.2f s = %.0f ns/lookup (%zu hit)\n", Q, t4 - t3,
           (t4 - t3) * 1e9 / Q, hits);
    result("cidr_lookup_ns", (t4 - t3) * 1e9 / Q, "ns");
    tr_cidr_free(set);
    return 0;
}

static int bench_strset(size_t n)
{
    /* domain-like keys, 15..40 bytes, kept in one block (BORROW, as the indicator index does) */
    char *block = malloc(n * 48);
    tr_str *keys = malloc(n * sizeof(tr_str));
    if (!block || !keys)
        return 1;
    static const char *tlds[] = { "com", "net", "org", "info", "ru", "cn", "xyz", "top" };
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rng();
        int len = snprintf(block + i * 48, 48, "%s%llx.%s-%u.%s", (r & 1) ? "cdn-" : "",
                           (unsigned long long)(r >> 20), "host", (unsigned)(r & 0xfff),
                           tlds[(r >> 12) % 8]);
        keys[i] = (tr_str){ block + i * 48, (size_t)len };
    }
    for (int borrow = 1; borrow >= 0; borrow--) {
        double m0 = rss_mb(), t0 = now();
        tr_strset_builder *b;
        if (tr_strset_builder_new(TR_STRSET_NOCASE | (borrow ? TR_STRSET_BORROW : 0), &b))
            return 1;
        for (size_t i = 0; i < n; i++)
            if (tr_strset_builder_add(b, keys[i], (uint32_t)i))
                return 1;
        tr_strset *set;
        if (tr_strset_build(b, &set))
            return 1;
        double t1 = now();
        tr_strset_builder_free(b);
        double m1 = rss_mb();
        size_t mem = tr_strset_memory(set);
        printf("strset (%s): %zu strings: build %.2f s, %.1f MB counted (%.1f B/string), RSS "
               "+%.1f MB\n",
               borrow ? "borrowed keys" : "copied keys", tr_strset_count(set), t1 - t0,
               (double)mem / 1048576.0, (double)mem / (double)tr_strset_count(set), m1 - m0);
        if (borrow) {
            result("strset_build_s", t1 - t0, "s");
            result("strset_memory_mb", (double)mem / 1048576.0, "MB");
            result("strset_bytes_per_string", (double)mem / (double)tr_strset_count(set), "B");
            enum { Q = 4000000 };
            char q[64];
            size_t hits = 0;
            double t2 = now();
            for (size_t i = 0; i < Q; i++) {
                tr_str k = keys[(i * 7919) % n];
                size_t c;
                if (i & 1) { /* a miss of the same shape */
                    memcpy(q, k.p, k.n);
                    q[0] ^= 0x01;
                    k.p = q;
                }
                hits += tr_strset_get(set, k, &c) != NULL;
            }
            double t3 = now();
            printf("strset: %d lookups in %.2f s = %.0f ns/lookup (%zu hit)\n", Q, t3 - t2,
                   (t3 - t2) * 1e9 / Q, hits);
            result("strset_lookup_ns", (t3 - t2) * 1e9 / Q, "ns");
        }
        tr_strset_free(set);
    }
    free(keys);
    free(block);
    return 0;
}

static int bench_mpm(void)
{
    enum { NLIT = 20000, NVAL = 200000 };
    static const char *words[] = { "powershell", "-enc", "certutil", "urlcache", "rundll32",
                                   "mshta", "regsvr32", "bitsadmin", "wmic", "vssadmin",
                                   "\\temp\\", "\\appdata\\", "invoke-", "downloadstring",
                                   "mimikatz", "sekurlsa", "procdump", "lsass", "whoami",
                                   "net user", "schtasks", "/create", "bypass", "hidden" };
    tr_mpm_builder *b;
    if (tr_mpm_builder_new(&b))
        return 1;
    char lit[64];
    for (uint32_t i = 0; i < NLIT; i++) {
        uint64_t r = rng();
        int n = (i < TR_ARRAY_LEN(words)) ? snprintf(lit, sizeof(lit), "%s", words[i])
                                          : snprintf(lit, sizeof(lit), "%s%04llx",
                                                     words[r % TR_ARRAY_LEN(words)],
                                                     (unsigned long long)(r >> 32) & 0xffff);
        unsigned flags = TR_MPM_CASELESS | ((r >> 8) % 5 == 0 ? TR_MPM_SUFFIX : 0);
        if (tr_mpm_builder_add(b, (tr_str){ lit, (size_t)n }, flags, i))
            return 1;
    }
    char err[256];
    tr_mpm *db;
    double t0 = now();
    if (tr_mpm_compile(b, &db, err, sizeof(err), NULL)) {
        fprintf(stderr, "mpm: %s\n", err);
        return 1;
    }
    double t1 = now();
    tr_mpm_builder_free(b);
    tr_mpm_scratch *s;
    tr_idset hits;
    if (tr_mpm_scratch_new(&s) || tr_mpm_scratch_reserve(s, db) ||
        tr_idset_init(&hits, tr_mpm_id_bound(db)))
        return 1;
    /* command-line-like values, 60..300 bytes */
    char *vals = malloc((size_t)NVAL * 320);
    size_t *lens = malloc(NVAL * sizeof(size_t));
    size_t total = 0;
    for (size_t i = 0; i < NVAL; i++) {
        char *v = vals + i * 320;
        size_t o = (size_t)snprintf(v, 320, "\"C:\\Program Files\\Vendor%u\\app.exe\" ",
                                    (unsigned)(rng() % 1000));
        size_t want = 60 + rng() % 240;
        while (o + 24 < want) {
            uint64_t r = rng();
            if (r % 50 == 0)
                o += (size_t)snprintf(v + o, 320 - o, "%s ", words[(r >> 8) % TR_ARRAY_LEN(words)]);
            else
                o += (size_t)snprintf(v + o, 320 - o, "--opt%llx ", (unsigned long long)(r >> 40));
        }
        lens[i] = o;
        total += o;
    }
    size_t nhits = 0;
    double t2 = now();
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < NVAL; i++) {
            tr_idset_reset(&hits);
            tr_mpm_scan(db, s, (tr_str){ vals + i * 320, lens[i] }, &hits);
            nhits += hits.n;
        }
    double t3 = now();
    double mbs = 3.0 * (double)total / 1048576.0 / (t3 - t2);
    printf("mpm: %d literals compiled in %.2f s (%.1f MB database); %d values of %.0f B avg: "
           "%.0f MB/s, %.0f ns/value (%zu hits)\n",
           NLIT, t1 - t0, (double)tr_mpm_memory(db) / 1048576.0, NVAL,
           (double)total / NVAL, mbs, (t3 - t2) * 1e9 / (3.0 * NVAL), nhits);
    result("mpm_compile_20k_s", t1 - t0, "s");
    result("mpm_scan_mb_s", mbs, "MB/s");
    result("mpm_scan_ns_per_value", (t3 - t2) * 1e9 / (3.0 * NVAL), "ns");
    free(vals);
    free(lens);
    tr_idset_release(&hits);
    tr_mpm_scratch_free(s);
    tr_mpm_free(db);
    return 0;
}

static int bench_regex(void)
{
    char err[256];
    tr_re *re, *bad;
    if (tr_re_compile(TR_STR("(?:-|/)e(?:nc(?:odedcommand)?)?\\s+[A-Za-z0-9+/=]{40,}"),
                      TR_RE_CASELESS, &re, err, sizeof(err)) ||
        tr_re_compile(TR_STR("(a+)+$"), 0, &bad, err, sizeof(err)))
        return 1;
    tr_re_scratch *s;
    if (tr_re_scratch_new(NULL, &s))
        return 1;
    tr_str v = TR_STR("\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoP "
                      "-NonI -W Hidden -Exec Bypass -Command \"Get-Process | Where-Object "
                      "{$_.CPU -gt 100}\"");
    enum { Q = 1000000 };
    bool hit;
    double t0 = now();
    for (int i = 0; i < Q; i++)
        tr_re_match(re, s, v, &hit);
    double t1 = now();
    char evil[8192];
    memset(evil, 'a', sizeof(evil) - 1);
    evil[sizeof(evil) - 1] = '!';
    double t2 = now();
    tr_err e = tr_re_match(bad, s, (tr_str){ evil, sizeof(evil) }, &hit);
    double t3 = now();
    printf("regex: %.0f ns/match on a %zu-byte command line (JIT %s); (a+)+$ on 8 KiB of 'a': "
           "%s after %.1f ms\n",
           (t1 - t0) * 1e9 / Q, v.n, tr_re_is_jit(re) ? "on" : "off", tr_strerror(e),
           (t3 - t2) * 1e3);
    result("regex_match_ns", (t1 - t0) * 1e9 / Q, "ns");
    result("regex_catastrophic_ms", (t3 - t2) * 1e3, "ms");
    tr_re_scratch_free(s);
    tr_re_free(re);
    tr_re_free(bad);
    return 0;
}

static int bench_route(void)
{
    tr_router *r;
    char err[256];
    if (tr_router_new(NULL, &r, err, sizeof(err)))
        return 1;
    tr_field fields[64];
    tr_arena *a = tr_arena_new(0, 0);
    tr_event ev;
    tr_event_init(&ev, fields, 64, a);
    static const char *const names[][2] = {
        { "Provider_Name", "Microsoft-Windows-Security-Auditing" }, { "EventID", "4688" },
        { "Channel", "Security" },           { "Computer", "WS-FIN-07" },
        { "SubjectUserSid", "S-1-5-18" },    { "SubjectUserName", "WS-FIN-07$" },
        { "SubjectDomainName", "CORP" },     { "SubjectLogonId", "0x3e7" },
        { "NewProcessId", "0x1a2c" },        { "NewProcessName", "C:\\Windows\\System32\\cmd.exe" },
        { "TokenElevationType", "%%1936" },  { "ProcessId", "0x11f0" },
        { "CommandLine", "cmd.exe /c whoami" }, { "TargetUserSid", "S-1-0-0" },
        { "TargetUserName", "-" },           { "TargetDomainName", "-" },
        { "TargetLogonId", "0x0" },          { "ParentProcessName", "C:\\Windows\\explorer.exe" },
        { "MandatoryLabel", "S-1-16-16384" },
    };
    enum { Q = 1000000 };
    double t0 = now();
    for (int i = 0; i < Q; i++) {
        tr_event_reset(&ev);
        tr_arena_reset(a);
        ev.logsource.product = TR_STR("windows");
        for (size_t k = 0; k < TR_ARRAY_LEN(names); k++) {
            tr_field *f = tr_event_add(&ev, tr_str_c(names[k][1]), tr_str_c(names[k][1]), TR_VSTR);
            f->name = tr_str_c(names[k][0]);
        }
        tr_router_route(r, &ev);
    }
    double t1 = now();
    printf("route: Security 4688 (%zu fields, +%u names): %.0f ns/event including building it\n",
           TR_ARRAY_LEN(names), ev.nfields - (unsigned)TR_ARRAY_LEN(names), (t1 - t0) * 1e9 / Q);
    result("route_4688_ns", (t1 - t0) * 1e9 / Q, "ns");
    tr_arena_free(a);
    tr_router_free(r);
    return 0;
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    if (n == 0)
        n = 1000000;
    int rc = bench_cidr(n) || bench_strset(n) || bench_mpm() || bench_regex() || bench_route();
    return rc;
}
