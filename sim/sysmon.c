/*
 * sysmon.c - Sysmon events of the Desktop Central server, as evtx_dump
 * writes them in JSON lines: {"Event":{"#attributes":…,"System":{…},
 * "EventData":{…}}} with EventIDs 1, 3, 7, 11, 13 and 22.
 *
 * The fields and their order follow Sysmon 10 (the version current in
 * early 2020); numbers and booleans are JSON numbers and booleans as
 * evtx_dump renders UInt32 and Boolean values. Background: the Windows
 * services and Desktop Central's own Java process doing their daily work.
 */
#include "core/common.h"

#include "sim/plan.h"

typedef struct pe_info {
    const char *base, *desc, *product, *company, *orig, *version;
} pe_info;

static const pe_info pe_table[] = {
    { "cmd.exe", "Windows Command Processor", "Microsoft\xc2\xae Windows\xc2\xae Operating System",
      "Microsoft Corporation", "Cmd.Exe", "10.0.14393.0 (rs1_release.160715-1616)" },
    { "powershell.exe", "Windows PowerShell", "Microsoft\xc2\xae Windows\xc2\xae Operating System",
      "Microsoft Corporation", "PowerShell.EXE", "10.0.14393.206 (rs1_release.160915-0644)" },
    { "bitsadmin.exe", "BITS administration utility",
      "Microsoft\xc2\xae Windows\xc2\xae Operating System", "Microsoft Corporation",
      "bitsadmin.exe", "7.8.14393.0 (rs1_release.160715-1616)" },
    { "certutil.exe", "CertUtil.exe", "Microsoft\xc2\xae Windows\xc2\xae Operating System",
      "Microsoft Corporation", "CertUtil.exe", "10.0.14393.0 (rs1_release.160715-1616)" },
    { "sc.exe", "Service Control Manager Configuration Tool",
      "Microsoft\xc2\xae Windows\xc2\xae Operating System", "Microsoft Corporation", "sc.exe",
      "10.0.14393.0 (rs1_release.160715-1616)" },
    { "reg.exe", "Registry Console Tool", "Microsoft\xc2\xae Windows\xc2\xae Operating System",
      "Microsoft Corporation", "reg.exe", "10.0.14393.0 (rs1_release.160715-1616)" },
    { "net.exe", "Net Command", "Microsoft\xc2\xae Windows\xc2\xae Operating System",
      "Microsoft Corporation", "net.exe", "10.0.14393.0 (rs1_release.160715-1616)" },
    { "net1.exe", "Net Command", "Microsoft\xc2\xae Windows\xc2\xae Operating System",
      "Microsoft Corporation", "net1.exe", "10.0.14393.0 (rs1_release.160715-1616)" },
    { "svchost.exe", "Host Process for Windows Services",
      "Microsoft\xc2\xae Windows\xc2\xae Operating System", "Microsoft Corporation", "svchost.exe",
      "10.0.14393.0 (rs1_release.160715-1616)" },
    { "conhost.exe", "Console Window Host", "Microsoft\xc2\xae Windows\xc2\xae Operating System",
      "Microsoft Corporation", "CONHOST.EXE", "10.0.14393.0 (rs1_release.160715-1616)" },
    { "taskhostw.exe", "Host Process for Windows Tasks",
      "Microsoft\xc2\xae Windows\xc2\xae Operating System", "Microsoft Corporation",
      "taskhostw.exe", "10.0.14393.0 (rs1_release.160715-1616)" },
    { "wmiprvse.exe", "WMI Provider Host", "Microsoft\xc2\xae Windows\xc2\xae Operating System",
      "Microsoft Corporation", "Wmiprvse.exe", "10.0.14393.0 (rs1_release.160715-1616)" },
    { "mpcmdrun.exe", "Microsoft Malware Protection Command Line Utility",
      "Microsoft\xc2\xae Windows\xc2\xae Operating System", "Microsoft Corporation",
      "MpCmdRun.exe", "4.18.2001.10 (WinBuild.160101.0800)" },
    { "java.exe", "Java(TM) Platform SE binary", "Java(TM) Platform SE 8", "Oracle Corporation",
      "java.exe", "8.0.2020.8" },
    { "7z.exe", "7-Zip Console", "7-Zip", "Igor Pavlov", "7z.exe", "16.04" },
    { "searchprotocolhost.exe", "Microsoft Windows Search Protocol Host",
      "Windows\xc2\xae Search", "Microsoft Corporation", "SearchProtocolHost.exe",
      "7.0.14393.2457 (rs1_release_inmarket.180822-1743)" },
};

static const pe_info *pe_of(const char *image)
{
    const char *b = strrchr(image, '\\');
    b = b ? b + 1 : image;
    for (size_t i = 0; i < TR_ARRAY_LEN(pe_table); i++)
        if (strcasecmp(pe_table[i].base, b) == 0)
            return &pe_table[i];
    return NULL;
}

static uint64_t fnv(const char *s, uint64_t h)
{
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001B3ULL;
    return h;
}

static void put_HEX(sim_out *o, uint64_t v, int width)
{
    static const char hx[] = "0123456789ABCDEF";
    char *p = o->buf + o->n + width;
    for (int i = 0; i < width; i++) {
        *--p = hx[v & 15];
        v >>= 4;
    }
    o->n += (size_t)width;
}

/* {XXXXXXXX-XXXX-5E65-0000-0010XXXXXXXX}: stable per (host, pid). */
static void put_guid(sim_out *o, const sim_tenant *t, uint32_t pid)
{
    uint64_t x = (uint64_t)t->pool_seed * 0x9E3779B97F4A7C15ULL ^ pid;
    uint64_t h = sim_splitmix64(&x);
    PUTL(o, "\"{");
    put_HEX(o, t->pool_seed, 8);
    putc_(o, '-');
    put_HEX(o, pid & 0xffff, 4);
    PUTL(o, "-5E65-0000-0010");
    put_HEX(o, h, 12);
    PUTL(o, "}\"");
}

static void kv_str(sim_out *o, const char *k, const char *v)
{
    putc_(o, ',');
    putc_(o, '"');
    puts_(o, k);
    PUTL(o, "\":");
    put_jstr(o, v ? v : "-");
}

static void kv_num(sim_out *o, const char *k, uint64_t v)
{
    putc_(o, ',');
    putc_(o, '"');
    puts_(o, k);
    PUTL(o, "\":");
    put_u64(o, v);
}

static void put_md5_of(sim_out *o, const char *image)
{
    uint64_t a = fnv(image, 0xCBF29CE484222325ULL), b = fnv(image, 0x84222325CBF29CE4ULL);
    PUTL(o, "MD5=");
    put_HEX(o, sim_splitmix64(&a), 16);
    put_HEX(o, sim_splitmix64(&b), 16);
}

static void put_ipstr(sim_out *o, const char *k, uint32_t ip)
{
    putc_(o, ',');
    putc_(o, '"');
    puts_(o, k);
    PUTL(o, "\":\"");
    put_ip4(o, ip);
    putc_(o, '"');
}

static const uint8_t versions[23] = { [1] = 5, [3] = 5, [7] = 3, [11] = 2, [13] = 2, [22] = 5 };

static void sm_write(sim_out *o, const sim_tenant *t, int64_t ts, uint64_t rec, uint32_t tid,
                     const sim_sm *s)
{
    sim_out_room(o);
    o->mtime = ts;
    PUTL(o, "{\"Event\":{\"#attributes\":{\"xmlns\":\"http://schemas.microsoft.com/win/2004/08/"
            "events/event\"},\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-"
            "Windows-Sysmon\",\"Guid\":\"5770385F-C22A-43E0-BF4C-06F5698FFBD9\"}},\"EventID\":");
    put_u64(o, s->eid);
    PUTL(o, ",\"Version\":");
    put_u64(o, versions[s->eid < 23 ? s->eid : 0]);
    PUTL(o, ",\"Level\":4,\"Task\":");
    put_u64(o, s->eid);
    PUTL(o, ",\"Opcode\":0,\"Keywords\":\"0x8000000000000000\",\"TimeCreated\":{\"#attributes\":"
            "{\"SystemTime\":\"");
    put_time_iso(o, ts, 6);
    PUTL(o, "\"}},\"EventRecordID\":");
    put_u64(o, rec);
    PUTL(o, ",\"Correlation\":null,\"Execution\":{\"#attributes\":{\"ProcessID\":");
    put_u64(o, 2044 + (t->pool_seed & 0x3f) * 4);
    PUTL(o, ",\"ThreadID\":");
    put_u64(o, tid);
    PUTL(o, "}},\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"");
    puts_(o, t->dc_host);
    putc_(o, '.');
    puts_(o, t->addomain);
    PUTL(o, "\",\"Security\":{\"#attributes\":{\"UserID\":\"S-1-5-18\"}}},\"EventData\":{"
            "\"RuleName\":\"-\"");
    if (s->eid == 13)
        kv_str(o, "EventType", "SetValue");
    PUTL(o, ",\"UtcTime\":\"");
    put_time_sysmon(o, ts);
    PUTL(o, "\",\"ProcessGuid\":");
    put_guid(o, t, s->pid);
    kv_num(o, "ProcessId", s->pid);
    const pe_info *pe = pe_of(s->image);
    switch (s->eid) {
    case 1: {
        kv_str(o, "Image", s->image);
        kv_str(o, "FileVersion", pe ? pe->version : "?");
        kv_str(o, "Description", pe ? pe->desc : "?");
        kv_str(o, "Product", pe ? pe->product : "?");
        kv_str(o, "Company", pe ? pe->company : "?");
        kv_str(o, "OriginalFileName", pe ? pe->orig : "?");
        kv_str(o, "CommandLine", s->cmd);
        kv_str(o, "CurrentDirectory", s->cwd ? s->cwd : "C:\\Windows\\system32\\");
        bool system = !s->user || strcmp(s->user, "NT AUTHORITY\\SYSTEM") == 0;
        kv_str(o, "User", s->user ? s->user : "NT AUTHORITY\\SYSTEM");
        PUTL(o, ",\"LogonGuid\":\"{");
        put_HEX(o, t->pool_seed, 8);
        puts_(o, system ? "-0000-0000-0000-0000E7030000}\"" : "-7A61-5E65-0000-002041C31A00}\"");
        kv_str(o, "LogonId", system ? "0x3e7" : "0x1ac341");
        kv_num(o, "TerminalSessionId", system ? 0 : 1);
        kv_str(o, "IntegrityLevel", system ? "System" : "High");
        PUTL(o, ",\"Hashes\":\"");
        if (s->hashes)
            puts_(o, s->hashes);
        else
            put_md5_of(o, s->image);
        putc_(o, '"');
        PUTL(o, ",\"ParentProcessGuid\":");
        put_guid(o, t, s->ppid);
        kv_num(o, "ParentProcessId", s->ppid);
        kv_str(o, "ParentImage", s->pimage);
        kv_str(o, "ParentCommandLine", s->pcmd ? s->pcmd : s->pimage);
        break;
    }
    case 3:
        kv_str(o, "Image", s->image);
        kv_str(o, "User", s->user ? s->user : "NT AUTHORITY\\SYSTEM");
        kv_str(o, "Protocol", s->udp ? "udp" : "tcp");
        PUTL(o, ",\"Initiated\":");
        puts_(o, s->initiated ? "true" : "false");
        PUTL(o, ",\"SourceIsIpv6\":false");
        put_ipstr(o, "SourceIp", s->sip);
        if (s->initiated) {
            PUTL(o, ",\"SourceHostname\":\"");
            puts_(o, t->dc_host);
            putc_(o, '.');
            puts_(o, t->addomain);
            putc_(o, '"');
        } else {
            kv_str(o, "SourceHostname", "-");
        }
        kv_num(o, "SourcePort", s->sport);
        kv_str(o, "SourcePortName", "-");
        PUTL(o, ",\"DestinationIsIpv6\":false");
        put_ipstr(o, "DestinationIp", s->dip);
        kv_str(o, "DestinationHostname", s->dhost);
        kv_num(o, "DestinationPort", s->dport);
        kv_str(o, "DestinationPortName", s->dport == 80    ? "http"
                                         : s->dport == 443 ? "https"
                                         : s->dport == 53  ? "domain"
                                                           : "-");
        break;
    case 7:
        kv_str(o, "Image", s->image);
        kv_str(o, "ImageLoaded", s->target);
        if (s->hashes) {
            /* an unsigned DLL without version resources */
            kv_str(o, "FileVersion", "?");
            kv_str(o, "Description", "?");
            kv_str(o, "Product", "?");
            kv_str(o, "Company", "?");
            kv_str(o, "OriginalFileName", "?");
            kv_str(o, "Hashes", s->hashes);
            kv_str(o, "Signed", "false");
            kv_str(o, "Signature", "-");
            kv_str(o, "SignatureStatus", "Unavailable");
        } else {
            kv_str(o, "FileVersion", "10.0.14393.0 (rs1_release.160715-1616)");
            kv_str(o, "Description", s->desc ? s->desc : "?");
            kv_str(o, "Product", "Microsoft\xc2\xae Windows\xc2\xae Operating System");
            kv_str(o, "Company", "Microsoft Corporation");
            kv_str(o, "OriginalFileName", s->orig ? s->orig : "?");
            PUTL(o, ",\"Hashes\":\"");
            put_md5_of(o, s->target);
            putc_(o, '"');
            kv_str(o, "Signed", "true");
            kv_str(o, "Signature", "Microsoft Windows");
            kv_str(o, "SignatureStatus", "Valid");
        }
        break;
    case 11:
        kv_str(o, "Image", s->image);
        kv_str(o, "TargetFilename", s->target);
        PUTL(o, ",\"CreationUtcTime\":\"");
        put_time_sysmon(o, ts);
        putc_(o, '"');
        break;
    case 13:
        kv_str(o, "Image", s->image);
        kv_str(o, "TargetObject", s->target);
        kv_str(o, "Details", s->details);
        break;
    case 22:
        kv_str(o, "QueryName", s->target);
        kv_str(o, "QueryStatus", "0");
        kv_str(o, "QueryResults", s->details);
        kv_str(o, "Image", s->image);
        break;
    default:
        break;
    }
    PUTL(o, "}}}\n");
    o->records++;
}

/* ---- background ------------------------------------------------------------------------ */

typedef struct sm_bg {
    sim_rng r;
    int64_t ts;
    char a[320], b[320], d[160]; /* built strings for this record */
} sm_bg;

static const char *const sys_dlls[][2] = {
    { "C:\\Windows\\System32\\ws2_32.dll", "Windows Socket 2.0 32-Bit DLL" },
    { "C:\\Windows\\System32\\rsaenh.dll", "Microsoft Enhanced Cryptographic Provider" },
    { "C:\\Windows\\System32\\bcrypt.dll", "Windows Cryptographic Primitives Library" },
    { "C:\\Windows\\System32\\crypt32.dll", "Crypto API32" },
    { "C:\\Windows\\System32\\wininet.dll", "Internet Extensions for Win32" },
    { "C:\\Windows\\System32\\dnsapi.dll", "DNS Client API DLL" },
    { "C:\\Windows\\System32\\winhttp.dll", "Windows HTTP Services" },
    { "C:\\Windows\\System32\\samcli.dll", "Security Accounts Manager Client DLL" },
    { "C:\\Windows\\System32\\wbem\\wbemprox.dll", "WMI" },
    { "C:\\Windows\\System32\\amsi.dll", "Anti-Malware Scan Interface" },
};

static const char *const dns_names[][2] = {
    { "patchdb.manageengine.com", "type:  5 patchdb.manageengine.com.cdn.cloudflare.net;"
                                  "::ffff:104.18.22.156;::ffff:104.18.23.156;" },
    { "desktopcentral.manageengine.com", "::ffff:136.143.190.32;" },
    { "creator.zoho.com", "::ffff:136.143.190.118;" },
    { "time.windows.com", "type:  5 twc.trafficmanager.net;::ffff:40.119.6.228;" },
    { "settings-win.data.microsoft.com", "type:  5 atm-settingsfe-prod-geo2.trafficmanager.net;"
                                         "::ffff:51.104.167.186;" },
    { "ctldl.windowsupdate.com", "type:  5 wu-bg-shim.trafficmanager.net;::ffff:13.107.4.50;" },
    { "wdcp.microsoft.com", "type:  5 wdcp.microsoft.akadns.net;::ffff:40.90.23.154;" },
    { "login.live.com", "type:  5 login.msa.msidentity.com;::ffff:40.126.9.7;" },
};

static const char *const dns_images[] = { NULL, NULL, NULL, "C:\\Windows\\System32\\svchost.exe",
                                          "C:\\Windows\\System32\\svchost.exe",
                                          "C:\\Windows\\System32\\svchost.exe",
                                          "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\"
                                          "4.18.2001.10-0\\MsMpEng.exe",
                                          "C:\\Windows\\System32\\svchost.exe" };

static void bg_next(const sim_ctx *c, const sim_tenant *t, sm_bg *b, sim_sm *s)
{
    sim_rng *r = &b->r;
    memset(s, 0, sizeof(*s));
    uint32_t x = sim_below(r, 100);
    b->ts += (int64_t)sim_gap(c, t, SS_SYSMON, b->ts, r);
    if (x < 28) { /* agents connecting to the server */
        s->eid = 3;
        s->pid = t->pid_java;
        s->image = t->java;
        s->user = "NT AUTHORITY\\SYSTEM";
        s->initiated = false;
        s->sip = t->lan | ((2u + sim_below(r, 2)) << 8) | (20 + sim_below(r, 200));
        s->sport = sim_eport(r);
        s->dip = t->dc_lan;
        s->dport = t->dc_port;
        s->dhost = NULL;
        return;
    }
    if (x < 34) { /* outbound TLS of Java and Windows */
        s->eid = 3;
        bool j = sim_chance(r, 0.5);
        s->pid = j ? t->pid_java : t->pid_netsvcs;
        s->image = j ? t->java : "C:\\Windows\\System32\\svchost.exe";
        s->initiated = true;
        s->sip = t->dc_lan;
        s->sport = sim_eport(r);
        s->dip = j ? 0x888FBE20u : 0x0D6B0432u; /* 136.143.190.32 / 13.107.4.50 */
        s->dport = 443;
        return;
    }
    if (x < 50) {
        s->eid = 1;
        uint32_t k = sim_below(r, 6);
        s->pid = 8000 + 4 * sim_below(r, 12000);
        s->user = "NT AUTHORITY\\SYSTEM";
        switch (k) {
        case 0:
            s->image = "C:\\Windows\\System32\\taskhostw.exe";
            s->cmd = "taskhostw.exe SYSTEM";
            s->ppid = t->pid_netsvcs;
            s->pimage = "C:\\Windows\\System32\\svchost.exe";
            s->pcmd = "C:\\Windows\\system32\\svchost.exe -k netsvcs";
            break;
        case 1:
            s->image = "C:\\Windows\\System32\\wbem\\WmiPrvSE.exe";
            s->cmd = "C:\\Windows\\system32\\wbem\\wmiprvse.exe -secured -Embedding";
            s->ppid = t->pid_netsvcs - 400;
            s->pimage = "C:\\Windows\\System32\\svchost.exe";
            s->pcmd = "C:\\Windows\\system32\\svchost.exe -k DcomLaunch";
            break;
        case 2:
            s->image = "C:\\Windows\\System32\\conhost.exe";
            s->cmd = "\\??\\C:\\Windows\\system32\\conhost.exe 0xffffffff -ForceV1";
            s->ppid = 7000 + 4 * sim_below(r, 10000);
            s->pimage = "C:\\Windows\\System32\\cmd.exe";
            break;
        case 3:
            s->image = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2001.10-0\\"
                       "MpCmdRun.exe";
            s->cmd = "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2001.10-0\\"
                     "MpCmdRun.exe\" SignatureUpdate -ScheduleJob -RestrictPrivileges";
            s->ppid = t->pid_netsvcs;
            s->pimage = "C:\\Windows\\System32\\svchost.exe";
            s->pcmd = "C:\\Windows\\system32\\svchost.exe -k netsvcs";
            break;
        case 4:
            snprintf(b->a, sizeof(b->a), "%s\\bin\\7z.exe", t->dc_root);
            snprintf(b->b, sizeof(b->b),
                     "\"%s\\bin\\7z.exe\" x -y \"%s\\Patch_Store\\windows10.0-kb45%05u-x64.cab\" "
                     "-o\"%s\\Patch_Store\\tmp\"",
                     t->dc_root, t->dc_root, sim_below(r, 99999), t->dc_root);
            s->image = b->a;
            s->cmd = b->b;
            s->cwd = NULL;
            s->ppid = t->pid_java;
            s->pimage = t->java;
            s->pcmd = t->java_cmd;
            break;
        default:
            s->image = "C:\\Windows\\System32\\SearchProtocolHost.exe";
            s->cmd = "\"C:\\Windows\\system32\\SearchProtocolHost.exe\" "
                     "Global\\UsGthrFltPipeMssGthrPipe1_ Global\\UsGthrCtrlFltPipeMssGthrPipe1 1 "
                     "-2147483646 \"Software\\Microsoft\\Windows Search\" "
                     "\"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 6.0 Robot)\" "
                     "\"C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc\" "
                     "\"DownLevelDaemon\"";
            s->ppid = t->pid_netsvcs + 800;
            s->pimage = "C:\\Windows\\System32\\SearchIndexer.exe";
            s->pcmd = "C:\\Windows\\system32\\SearchIndexer.exe /Embedding";
            break;
        }
        return;
    }
    if (x < 64) {
        s->eid = 7;
        uint32_t k = sim_below(r, (uint32_t)TR_ARRAY_LEN(sys_dlls));
        bool j = sim_chance(r, 0.6);
        s->pid = j ? t->pid_java : 8000 + 4 * sim_below(r, 12000);
        s->image = j ? t->java : "C:\\Windows\\System32\\svchost.exe";
        s->target = sys_dlls[k][0];
        s->desc = sys_dlls[k][1];
        const char *bn = strrchr(sys_dlls[k][0], '\\') + 1;
        s->orig = bn;
        return;
    }
    if (x < 80) {
        s->eid = 11;
        uint32_t k = sim_below(r, 4);
        if (k < 2) {
            s->pid = t->pid_java;
            s->image = t->java;
            if (k == 0)
                snprintf(b->a, sizeof(b->a), "%s\\logs\\serverout%u.txt", t->dc_root,
                         sim_below(r, 10));
            else
                snprintf(b->a, sizeof(b->a), "%s\\Patch_Store\\windows10.0-kb45%05u-x64.cab",
                         t->dc_root, sim_below(r, 99999));
            s->target = b->a;
        } else if (k == 2) {
            s->pid = t->pid_netsvcs;
            s->image = "C:\\Windows\\System32\\svchost.exe";
            snprintf(b->a, sizeof(b->a), "C:\\Windows\\Temp\\%08X-%04X.tmp",
                     (uint32_t)sim_u64(r), sim_below(r, 65536));
            s->target = b->a;
        } else {
            s->pid = 2900;
            s->image = "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2001.10-0\\"
                       "MsMpEng.exe";
            snprintf(b->a, sizeof(b->a), "C:\\ProgramData\\Microsoft\\Windows Defender\\Scans\\"
                                         "History\\CacheManager\\%08X-0.bin",
                     (uint32_t)sim_u64(r));
            s->target = b->a;
        }
        return;
    }
    if (x < 88) {
        s->eid = 13;
        uint32_t k = sim_below(r, 3);
        if (k == 0) {
            s->pid = t->pid_java;
            s->image = t->java;
            snprintf(b->a, sizeof(b->a), "HKLM\\SOFTWARE\\AdventNet\\DesktopCentral\\DCServer\\"
                                         "LastPatchDBSync");
            snprintf(b->d, sizeof(b->d), "%u", 1579000000u + sim_below(r, 6000000));
            s->target = b->a;
            s->details = b->d;
        } else if (k == 1) {
            s->pid = t->pid_netsvcs;
            s->image = "C:\\Windows\\System32\\svchost.exe";
            s->target = "HKLM\\System\\CurrentControlSet\\Services\\W32Time\\Config\\"
                        "LastKnownGoodTime";
            snprintf(b->d, sizeof(b->d), "QWORD (0x01d5%04x-0x%08x)", sim_below(r, 65536),
                     (uint32_t)sim_u64(r));
            s->details = b->d;
        } else {
            s->pid = t->pid_services;
            s->image = "C:\\Windows\\system32\\services.exe";
            static const char *const svcs[] = { "wuauserv", "BITS", "UsoSvc", "TrustedInstaller",
                                                "sppsvc" };
            snprintf(b->a, sizeof(b->a), "HKLM\\System\\CurrentControlSet\\Services\\%s\\Start",
                     SIM_PICK(r, svcs));
            s->target = b->a;
            s->details = sim_chance(r, 0.5) ? "DWORD (0x00000003)" : "DWORD (0x00000002)";
        }
        return;
    }
    s->eid = 22;
    uint32_t k = sim_below(r, (uint32_t)TR_ARRAY_LEN(dns_names));
    s->target = dns_names[k][0];
    s->details = dns_names[k][1];
    s->image = dns_images[k] ? dns_images[k] : t->java;
    s->pid = dns_images[k] ? t->pid_netsvcs : t->pid_java;
}

tr_err sim_write_sysmon(sim_ctx *c, sim_tenant *t)
{
    char path[1024], rel[128];
    snprintf(rel, sizeof(rel), "windows/%s/sysmon.jsonl", t->dc_host);
    sim_path(c, t, rel, path, sizeof(path));
    sim_out o;
    tr_err err = sim_out_open(&o, path, false);
    if (err) {
        snprintf(c->errbuf, sizeof(c->errbuf), "%s: %s", path, tr_strerror(err));
        sim_out_close(&o);
        return err;
    }
    sm_bg b;
    memset(&b, 0, sizeof(b));
    sim_stream_rng(c, t, SS_SYSMON, &b.r);
    b.ts = c->from + (int64_t)sim_gap(c, t, SS_SYSMON, c->from, &b.r);
    sim_evs *sp = &t->ev[SS_SYSMON];
    sim_sort(sp);
    size_t k = 0;
    while (k < sp->n && sp->v[k].ts < c->from)
        k++;
    uint64_t rec = 100000 + (t->pool_seed & 0xfffff);
    sim_sm s;
    for (;;) {
        bool special = k < sp->n && sp->v[k].ts <= b.ts;
        int64_t ts = special ? sp->v[k].ts : b.ts;
        if (ts >= c->to)
            break;
        ts -= ts % 1000; /* SystemTime has microseconds */
        uint32_t tid = 1000 + (uint32_t)(rec * 2654435761u % 7000) / 4 * 4;
        if (special) {
            const sim_ev *e = &sp->v[k++];
            sm_write(&o, t, ts, rec++, tid, &e->u.sm);
            sim_note(c, t, e, ts);
        } else {
            bg_next(c, t, &b, &s);
            sm_write(&o, t, ts, rec++, tid, &s);
        }
        if (o.err)
            break;
    }
    return sim_done(c, &o);
}
