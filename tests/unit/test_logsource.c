/*
 * test_logsource.c - the router's built-in tables: Windows channels,
 * Sysmon / PowerShell / Security categories, 4688 and 4657 taxonomy names,
 * provider and channel guards, EVE and Zeek as proxy / dns / network,
 * declared logsources and tr_logsource_match. Events are built by hand the
 * way the parsers build them (full dotted name + short alias).
 */
#include "tt.h"

#include "trawl/arena.h"
#include "trawl/logsource.h"

typedef struct tev {
    tr_event ev;
    tr_field fields[64];
    tr_arena *arena;
} tev;

static void tev_init(tev *t)
{
    t->arena = tr_arena_new(0, 0);
    tr_event_init(&t->ev, t->fields, 64, t->arena);
}

static void tev_reset(tev *t)
{
    tr_event_reset(&t->ev);
    tr_arena_reset(t->arena);
}

/* A field as the Windows JSON parsers make it: "Event.<zone>.<alias>". */
static tr_field *addw(tev *t, const char *zone, const char *alias, const char *value)
{
    char *name = tr_arena_alloc(t->arena, 64);
    snprintf(name, 64, "Event.%s.%s", zone, alias);
    tr_field *f = tr_event_add(&t->ev, tr_str_c(name), tr_str_c(value), TR_VSTR);
    f->alias = tr_str_c(alias);
    return f;
}

static void add(tev *t, const char *name, const char *value)
{
    tr_event_add(&t->ev, tr_str_c(name), tr_str_c(value), TR_VSTR);
}

static void windows_event(tev *t, const char *channel, const char *provider, const char *id)
{
    tev_reset(t);
    t->ev.logsource.product = TR_STR("windows");
    if (provider)
        addw(t, "System", "Provider_Name", provider);
    addw(t, "System", "EventID", id)->kind = TR_VNUM;
    if (channel)
        addw(t, "System", "Channel", channel);
}

/* "cat1,cat2" of the event. */
static const char *cats(const tev *t)
{
    static char out[256];
    size_t o = 0;
    out[0] = '\0';
    for (unsigned i = 0; i < t->ev.logsource.ncategory; i++)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%.*s", i ? "," : "",
                              TR_STR_FMT(t->ev.logsource.category[i]));
    return out;
}

static const char *svc(const tev *t)
{
    static char out[128];
    snprintf(out, sizeof(out), "%.*s", TR_STR_FMT(t->ev.logsource.service));
    return out;
}

/* Value of a derived field, or "(none)". */
static const char *derived(const tev *t, const char *name)
{
    static char out[256];
    const tr_field *f = tr_event_find(&t->ev, tr_str_c(name));
    if (!f)
        return "(none)";
    if (!(f->flags & TR_FIELD_DERIVED))
        return "(not derived)";
    tr_str v;
    if (tr_field_value(f, t->arena, &v) != TR_OK)
        return "(bad value)";
    snprintf(out, sizeof(out), "%.*s", TR_STR_FMT(v));
    return out;
}

static tr_router *router(void)
{
    char err[256];
    tr_router *r = NULL;
    if (tr_router_new(NULL, &r, err, sizeof(err)) != TR_OK)
        fprintf(stderr, "router: %s\n", err);
    return r;
}

#define SYSMON "Microsoft-Windows-Sysmon/Operational"

TEST(logsource_every_sysmon_event_id)
{
    /* the appendix's table, written out independently of the implementation */
    static const struct {
        const char *id, *cats;
    } table[] = {
        { "1", "process_creation" },          { "2", "file_change" },
        { "3", "network_connection" },        { "4", "sysmon_status" },
        { "5", "process_termination" },       { "6", "driver_load" },
        { "7", "image_load" },                { "8", "create_remote_thread" },
        { "9", "raw_access_thread" },         { "10", "process_access" },
        { "11", "file_event" },               { "12", "registry_event,registry_add,registry_delete" },
        { "13", "registry_event,registry_set" }, { "14", "registry_event,registry_rename" },
        { "15", "create_stream_hash" },       { "16", "sysmon_status" },
        { "17", "pipe_created" },             { "18", "pipe_created" },
        { "19", "wmi_event" },                { "20", "wmi_event" },
        { "21", "wmi_event" },                { "22", "dns_query" },
        { "23", "file_delete" },              { "24", "clipboard_capture" },
        { "25", "process_tampering" },        { "26", "file_delete_detected" },
        { "27", "file_block_executable" },    { "28", "file_block_shredding" },
        { "29", "file_executable_detected" }, { "255", "sysmon_error" },
        { "30", "" },                         { "0", "" },
    };
    tr_router *r = router();
    CHECK(r);
    tev t;
    tev_init(&t);
    for (size_t i = 0; i < TR_ARRAY_LEN(table); i++) {
        windows_event(&t, SYSMON, "Microsoft-Windows-Sysmon", table[i].id);
        tr_router_route(r, &t.ev);
        CHECK_MSG(strcmp(cats(&t), table[i].cats) == 0, "EventID %s: got '%s', want '%s'",
                  table[i].id, cats(&t), table[i].cats);
        CHECK_STR(svc(&t), "sysmon");
        CHECK_SLICE(t.ev.logsource.product, "windows");
    }
    /* Sysmon 12 refined by EventType */
    windows_event(&t, SYSMON, "Microsoft-Windows-Sysmon", "12");
    addw(&t, "EventData", "EventType", "CreateKey");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "registry_event,registry_add");
    windows_event(&t, SYSMON, "Microsoft-Windows-Sysmon", "12");
    addw(&t, "EventData", "EventType", "DeleteValue");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "registry_event,registry_delete");
    /* EventID as a number with blanks, and without a provider */
    windows_event(&t, SYSMON, NULL, " 22 ");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "dns_query");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_sysmon_needs_its_channel_and_provider)
{
    tr_router *r = router();
    tev t;
    tev_init(&t);
    /* event 1 in another channel is not a process creation */
    windows_event(&t, "Security", "Microsoft-Windows-Security-Auditing", "1");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "");
    CHECK_STR(svc(&t), "security");
    windows_event(&t, "Application", "Microsoft-Windows-Sysmon", "1");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "");
    CHECK_STR(svc(&t), "application");
    /* the Sysmon channel written by another provider */
    windows_event(&t, SYSMON, "EvilProvider", "1");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "");
    CHECK_STR(svc(&t), "sysmon"); /* the service follows the channel (appendix) */
    /* a channel that is not Sysmon's but looks like it */
    windows_event(&t, "Microsoft-Windows-Sysmon/OperationalX", "Microsoft-Windows-Sysmon", "1");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "");
    CHECK_STR(svc(&t), "");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_powershell_ids)
{
    static const struct {
        const char *channel, *provider, *id, *svc, *cats;
    } table[] = {
        { "Windows PowerShell", "PowerShell", "400", "powershell-classic", "ps_classic_start" },
        { "Windows PowerShell", "PowerShell", "600", "powershell-classic",
          "ps_classic_provider_start" },
        { "Windows PowerShell", "PowerShell", "800", "powershell-classic", "ps_classic_script" },
        { "Windows PowerShell", "PowerShell", "403", "powershell-classic", "" },
        { "Microsoft-Windows-PowerShell/Operational", "Microsoft-Windows-PowerShell", "4103",
          "powershell", "ps_module" },
        { "Microsoft-Windows-PowerShell/Operational", "Microsoft-Windows-PowerShell", "4104",
          "powershell", "ps_script" },
        { "PowerShellCore/Operational", "PowerShellCore", "4104", "powershell", "ps_script" },
        { "Microsoft-Windows-PowerShell/Operational", "Microsoft-Windows-PowerShell", "4100",
          "powershell", "" },
        /* wrong channel or provider for the id */
        { "Windows PowerShell", "PowerShell", "4104", "powershell-classic", "" },
        { "Microsoft-Windows-PowerShell/Operational", "PowerShell", "4104", "powershell", "" },
        { "Microsoft-Windows-PowerShell/Operational", "Microsoft-Windows-PowerShell", "800",
          "powershell", "" },
    };
    tr_router *r = router();
    tev t;
    tev_init(&t);
    for (size_t i = 0; i < TR_ARRAY_LEN(table); i++) {
        windows_event(&t, table[i].channel, table[i].provider, table[i].id);
        tr_router_route(r, &t.ev);
        CHECK_MSG(strcmp(cats(&t), table[i].cats) == 0 && strcmp(svc(&t), table[i].svc) == 0,
                  "row %zu: got '%s' / '%s'", i, svc(&t), cats(&t));
    }
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_windows_services_from_channel)
{
    static const struct {
        const char *channel, *svc;
    } table[] = {
        { "Security", "security" },
        { "security", "security" }, /* case-insensitive */
        { "System", "system" },
        { "Application", "application" },
        { SYSMON, "sysmon" },
        { "Microsoft-Windows-TaskScheduler/Operational", "taskscheduler" },
        { "Microsoft-Windows-WMI-Activity/Operational", "wmi" },
        { "Microsoft-Windows-AppLocker/MSI and Script", "applocker" },
        { "Microsoft-Windows-AppLocker/EXE and DLL", "applocker" },
        { "Microsoft-Windows-AppLocker/Packaged app-Deployment", "applocker" },
        { "Microsoft-Windows-AppLocker/Packaged app-Execution", "applocker" },
        { "Microsoft-Windows-Bits-Client/Operational", "bits-client" },
        { "DNS Server", "dns-server" },
        { "Microsoft-Windows-DNS-Server/Audit", "dns-server-audit" },
        { "Microsoft-Windows-Windows Defender/Operational", "windefend" },
        { "Microsoft-Windows-CodeIntegrity/Operational", "codeintegrity-operational" },
        { "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall", "firewall-as" },
        { "MSExchange Management", "msexchange-management" },
        { "OpenSSH/Operational", "openssh" },
        { "Microsoft-Windows-Security-Mitigations/User Mode", "security-mitigations" },
        { "Microsoft-ServiceBus-Client/Admin", "servicebus-client" },
        { "WinEventLog:Microsoft-Windows-Kernel-ShimEngine/Diagnostic", "kernel-shimengine" },
        { "WinEventLog:Security", "security" },
        { "Microsoft-Windows-Hyper-V-Worker-Admin", "hyper-v-worker" },
        { "Microsoft-Windows-Kernel-EventTracing/Admin", "kernel-event-tracing" },
        { "Microsoft-Windows-LDAP-Client/Debug", "ldap" },
        { "Microsoft-IIS-Configuration/Operational", "iis-configuration" },
        { "Microsoft-Windows-SmbServer/Connectivity", "smbserver-connectivity" },
        { "Some-Vendor/Operational", "" },
        { "Securityx", "" },
    };
    tr_router *r = router();
    tev t;
    tev_init(&t);
    for (size_t i = 0; i < TR_ARRAY_LEN(table); i++) {
        windows_event(&t, table[i].channel, NULL, "1000");
        tr_router_route(r, &t.ev);
        CHECK_MSG(strcmp(svc(&t), table[i].svc) == 0, "%s: got '%s'", table[i].channel, svc(&t));
    }
    /* a service the parser already set is kept */
    windows_event(&t, "Security", NULL, "1000");
    t.ev.logsource.service = TR_STR("custom");
    tr_router_route(r, &t.ev);
    CHECK_STR(svc(&t), "custom");
    /* generic JSON with Channel and EventID and no product is a Windows event */
    tev_reset(&t);
    add(&t, "Channel", "System");
    add(&t, "EventID", "7045");
    tr_router_route(r, &t.ev);
    CHECK_SLICE(t.ev.logsource.product, "windows");
    CHECK_STR(svc(&t), "system");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

static void event_4688(tev *t, bool with_target)
{
    windows_event(t, "Security", "Microsoft-Windows-Security-Auditing", "4688");
    addw(t, "EventData", "SubjectUserSid", "S-1-5-21-1-2-3-1001");
    addw(t, "EventData", "SubjectUserName", "alice");
    addw(t, "EventData", "SubjectDomainName", "CONTOSO");
    addw(t, "EventData", "SubjectLogonId", "0x3e7a1");
    addw(t, "EventData", "NewProcessId", "0x1a2c");
    addw(t, "EventData", "NewProcessName", "C:\\Windows\\System32\\cmd.exe");
    addw(t, "EventData", "TokenElevationType", "%%1936");
    addw(t, "EventData", "ProcessId", "0x11f0");
    addw(t, "EventData", "CommandLine", "cmd.exe /c whoami");
    addw(t, "EventData", "TargetUserSid", with_target ? "S-1-5-18" : "S-1-0-0");
    addw(t, "EventData", "TargetUserName", with_target ? "HOST$" : "-");
    addw(t, "EventData", "TargetDomainName", with_target ? "CONTOSO" : "-");
    addw(t, "EventData", "TargetLogonId", with_target ? "0x3e7" : "0x0");
    addw(t, "EventData", "ParentProcessName", "C:\\Windows\\explorer.exe");
    addw(t, "EventData", "MandatoryLabel", "S-1-16-12288");
}

TEST(logsource_security_4688_is_process_creation_with_sysmon_names)
{
    tr_router *r = router();
    tev t;
    tev_init(&t);
    event_4688(&t, false);
    uint32_t before = t.ev.nfields;
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "process_creation");
    CHECK_STR(svc(&t), "security");
    CHECK_STR(derived(&t, "Image"), "C:\\Windows\\System32\\cmd.exe");
    CHECK_STR(derived(&t, "ParentImage"), "C:\\Windows\\explorer.exe");
    CHECK_STR(derived(&t, "User"), "CONTOSO\\alice");
    CHECK_STR(derived(&t, "LogonId"), "0x3e7a1");
    CHECK_STR(derived(&t, "IntegrityLevel"), "High");
    CHECK_STR(derived(&t, "ProcessId"), "(not derived)"); /* 4688's own (creator) field */
    CHECK_STR(derived(&t, "ParentProcessId"), "(none)");
    /* CommandLine stays as it is, once */
    const tr_field *cl = tr_event_find(&t.ev, TR_STR("CommandLine"));
    CHECK(cl && !(cl->flags & TR_FIELD_DERIVED));
    /* derived names point at the same bytes (no copy) */
    const tr_field *img = tr_event_find(&t.ev, TR_STR("Image"));
    const tr_field *npn = tr_event_find(&t.ev, TR_STR("NewProcessName"));
    CHECK(img && npn && img->value.p == npn->value.p);
    CHECK_EQ(t.ev.nfields, before + 5);
    /* routing twice adds nothing */
    tr_router_route(r, &t.ev);
    CHECK_EQ(t.ev.nfields, before + 5);
    CHECK_STR(cats(&t), "process_creation");

    /* the new process runs under another account: Target wins; SYSTEM reads as Sysmon does */
    event_4688(&t, true);
    tr_router_route(r, &t.ev);
    CHECK_STR(derived(&t, "User"), "NT AUTHORITY\\SYSTEM");
    CHECK_STR(derived(&t, "LogonId"), "0x3e7");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_other_security_events_are_not_process_creation)
{
    tr_router *r = router();
    tev t;
    tev_init(&t);
    windows_event(&t, "Security", "Microsoft-Windows-Security-Auditing", "4624");
    addw(&t, "EventData", "NewProcessName", "C:\\x.exe"); /* not a 4688 even so */
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "");
    CHECK_STR(svc(&t), "security");
    CHECK_STR(derived(&t, "Image"), "(none)");
    /* 4688 from another provider in the Security channel */
    windows_event(&t, "Security", "Fake-Auditing", "4688");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "");
    /* 4688 in the System channel */
    windows_event(&t, "System", "Microsoft-Windows-Security-Auditing", "4688");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_security_4657_registry)
{
    tr_router *r = router();
    tev t;
    tev_init(&t);
    windows_event(&t, "Security", "Microsoft-Windows-Security-Auditing", "4657");
    /* as JSON has it: backslashes escaped, flagged for decoding */
    tr_field *k = addw(&t, "EventData", "ObjectName",
                       "\\\\REGISTRY\\\\MACHINE\\\\SOFTWARE\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run");
    k->flags |= TR_FIELD_ESCAPED;
    addw(&t, "EventData", "ObjectValueName", "evil");
    addw(&t, "EventData", "OperationType", "%%1905");
    addw(&t, "EventData", "NewValue", "C:\\evil.exe");
    addw(&t, "EventData", "ProcessName", "C:\\Windows\\regedit.exe");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "registry_event,registry_set");
    CHECK_STR(derived(&t, "TargetObject"),
              "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\evil");
    CHECK_STR(derived(&t, "Details"), "C:\\evil.exe");
    CHECK_STR(derived(&t, "Image"), "C:\\Windows\\regedit.exe");
    CHECK_STR(derived(&t, "EventType"), "SetValue");

    windows_event(&t, "Security", "Microsoft-Windows-Security-Auditing", "4657");
    addw(&t, "EventData", "ObjectName", "\\REGISTRY\\USER\\S-1-5-21-1\\Software");
    addw(&t, "EventData", "OperationType", "New registry value created");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "registry_event,registry_add");
    CHECK_STR(derived(&t, "TargetObject"), "HKU\\S-1-5-21-1\\Software");

    windows_event(&t, "Security", "Microsoft-Windows-Security-Auditing", "4657");
    addw(&t, "EventData", "OperationType", "%%1906"); /* deleted: no generic category */
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_kernel_file_and_linux_sysmon)
{
    tr_router *r = router();
    tev t;
    tev_init(&t);
    windows_event(&t, NULL, "Microsoft-Windows-Kernel-File", "12");
    addw(&t, "System", "Channel", "Microsoft-Windows-Kernel-File/Analytic");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "file_access");
    windows_event(&t, "Microsoft-Windows-Kernel-File/Analytic", "Microsoft-Windows-Kernel-File",
                  "27");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "file_rename");

    tev_reset(&t);
    addw(&t, "System", "Channel", "Linux-Sysmon/Operational");
    addw(&t, "System", "EventID", "3");
    addw(&t, "System", "Provider_Name", "Linux-Sysmon");
    tr_router_route(r, &t.ev);
    CHECK_SLICE(t.ev.logsource.product, "linux");
    CHECK_STR(svc(&t), "sysmon");
    CHECK_STR(cats(&t), "network_connection");
    /* a Linux syslog event is left alone */
    tev_reset(&t);
    t.ev.logsource.product = TR_STR("linux");
    t.ev.logsource.service = TR_STR("sshd");
    add(&t, "program", "sshd");
    tr_router_route(r, &t.ev);
    CHECK_STR(svc(&t), "sshd");
    CHECK_STR(cats(&t), "");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_eve_http_is_proxy)
{
    tr_router *r = router();
    tev t;
    tev_init(&t);
    tev_reset(&t);
    t.ev.logsource.product = TR_STR("suricata");
    t.ev.logsource.service = TR_STR("http");
    add(&t, "event_type", "http");
    add(&t, "src_ip", "203.0.113.7");
    add(&t, "dest_ip", "10.0.0.5");
    add(&t, "dest_port", "443");
    add(&t, "http.hostname", "vpn.example.org");
    add(&t, "http.url", "/vpn/../vpns/portal/scripts/newbm.pl?x=1&y=2");
    add(&t, "http.http_user_agent", "curl/7.68.0");
    add(&t, "http.http_method", "POST");
    add(&t, "http.status", "200");
    add(&t, "http.http_refer", "https://example.org/");
    add(&t, "http.protocol", "HTTP/1.1");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "proxy");
    CHECK_STR(svc(&t), "http");
    CHECK_SLICE(t.ev.logsource.product, "suricata");
    CHECK_STR(derived(&t, "c-uri"), "/vpn/../vpns/portal/scripts/newbm.pl?x=1&y=2");
    CHECK_STR(derived(&t, "c-uri-stem"), "/vpn/../vpns/portal/scripts/newbm.pl");
    CHECK_STR(derived(&t, "c-uri-query"), "x=1&y=2");
    CHECK_STR(derived(&t, "c-uri-extension"), "pl");
    CHECK_STR(derived(&t, "cs-host"), "vpn.example.org");
    CHECK_STR(derived(&t, "c-useragent"), "curl/7.68.0");
    CHECK_STR(derived(&t, "cs-method"), "POST");
    CHECK_STR(derived(&t, "sc-status"), "200");
    CHECK_STR(derived(&t, "cs-referrer"), "https://example.org/");
    CHECK_STR(derived(&t, "cs-version"), "HTTP/1.1");
    CHECK_STR(derived(&t, "dst_ip"), "10.0.0.5");
    CHECK_STR(derived(&t, "dst_port"), "443");
    CHECK_STR(derived(&t, "src_ip"), "(not derived)"); /* EVE has it already */
    /* no extension when the last segment has no dot; no query without '?' */
    tev_reset(&t);
    t.ev.logsource.product = TR_STR("suricata");
    t.ev.logsource.service = TR_STR("http");
    add(&t, "http.url", "/a.b/download");
    tr_router_route(r, &t.ev);
    CHECK_STR(derived(&t, "c-uri-extension"), "(none)");
    CHECK_STR(derived(&t, "c-uri-query"), "(none)");
    CHECK_STR(derived(&t, "c-uri-stem"), "/a.b/download");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_eve_and_zeek_dns_and_connections)
{
    tr_router *r = router();
    tev t;
    tev_init(&t);
    tev_reset(&t);
    t.ev.logsource.product = TR_STR("suricata");
    t.ev.logsource.service = TR_STR("dns");
    add(&t, "src_ip", "10.0.0.5");
    add(&t, "dns.type", "answer");
    add(&t, "dns.rrname", "evil.example");
    add(&t, "dns.rrtype", "A");
    add(&t, "dns.rcode", "NOERROR");
    add(&t, "dns.answers.0.rdata", "198.51.100.1");
    add(&t, "dns.answers.1.rdata", "198.51.100.2");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "dns,network,network/dns");
    CHECK_STR(derived(&t, "query"), "evil.example");
    CHECK_STR(derived(&t, "record_type"), "A");
    CHECK_STR(derived(&t, "dns.question.name"), "evil.example");
    CHECK_STR(derived(&t, "dns.response.code"), "NOERROR");
    CHECK_STR(derived(&t, "source.ip"), "10.0.0.5");
    int answers = 0;
    for (uint32_t i = 0; i < t.ev.nfields; i++)
        if (tr_str_eq(t.ev.fields[i].name, TR_STR("answer"))) {
            CHECK(t.ev.fields[i].flags & TR_FIELD_MULTI);
            answers++;
        }
    CHECK_EQ(answers, 2);
    CHECK(tr_logsource_match(&t.ev.logsource, TR_STR(""), TR_STR("network"), TR_STR("dns")));
    CHECK(!tr_logsource_match(&t.ev.logsource, TR_STR(""), TR_STR("network"),
                              TR_STR("connection")));
    CHECK(tr_logsource_match(&t.ev.logsource, TR_STR("suricata"), TR_STR(""), TR_STR("dns")));

    tev_reset(&t);
    t.ev.logsource.product = TR_STR("zeek");
    t.ev.logsource.service = TR_STR("conn");
    add(&t, "id.orig_h", "10.0.0.5");
    add(&t, "id.orig_p", "49152");
    add(&t, "id.resp_h", "66.42.98.220");
    add(&t, "id.resp_p", "443");
    add(&t, "proto", "tcp");
    add(&t, "service", "ssl");
    add(&t, "conn_state", "SF");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "network,network/connection");
    CHECK_STR(svc(&t), "conn");
    CHECK_STR(derived(&t, "destination.ip"), "66.42.98.220");
    CHECK_STR(derived(&t, "destination.port"), "443");
    CHECK_STR(derived(&t, "network.transport"), "tcp");
    CHECK_STR(derived(&t, "network.protocol"), "ssl");
    CHECK_STR(derived(&t, "network.state"), "SF");
    CHECK(tr_logsource_match(&t.ev.logsource, TR_STR(""), TR_STR("network"),
                             TR_STR("connection")));
    CHECK(tr_logsource_match(&t.ev.logsource, TR_STR("zeek"), TR_STR(""), TR_STR("conn")));
    CHECK(!tr_logsource_match(&t.ev.logsource, TR_STR("zeek"), TR_STR(""), TR_STR("connection")));

    tev_reset(&t);
    t.ev.logsource.product = TR_STR("zeek");
    t.ev.logsource.service = TR_STR("http");
    add(&t, "uri", "/x/y.exe");
    add(&t, "user_agent", "Mozilla/4.0");
    add(&t, "id.orig_h", "10.0.0.5");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "proxy");
    CHECK_STR(derived(&t, "c-uri-extension"), "exe");
    CHECK_STR(derived(&t, "c-useragent"), "Mozilla/4.0");
    CHECK_STR(derived(&t, "src_ip"), "10.0.0.5");

    /* other products get nothing */
    tev_reset(&t);
    t.ev.logsource.product = TR_STR("other");
    t.ev.logsource.service = TR_STR("http");
    tr_router_route(r, &t.ev);
    CHECK_STR(cats(&t), "");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_declared)
{
    char err[256];
    tr_router *r = router();
    CHECK(tr_router_declare_spec(r, "", err, sizeof(err)) == TR_EINVAL);
    CHECK(tr_router_declare_spec(r, "//", err, sizeof(err)) == TR_EINVAL);
    CHECK(tr_router_declare_spec(r, "a/b/c/d", err, sizeof(err)) == TR_EINVAL);
    CHECK(strstr(err, "a/b/c/d"));
    CHECK(tr_router_declare_spec(r, "win dows", err, sizeof(err)) == TR_EINVAL);
    CHECK(tr_router_declare_spec(r, "windows//sysmon", err, sizeof(err)) == TR_OK);
    tev t;
    tev_init(&t);
    /* generic JSON export of Sysmon events: no Channel, but the declared service */
    tev_reset(&t);
    add(&t, "EventID", "1");
    add(&t, "Image", "C:\\x.exe");
    tr_router_route(r, &t.ev);
    CHECK_SLICE(t.ev.logsource.product, "windows");
    CHECK_STR(svc(&t), "sysmon");
    CHECK_STR(cats(&t), "process_creation");
    /* an event with its own logsource keeps it */
    tev_reset(&t);
    t.ev.logsource.product = TR_STR("zeek");
    t.ev.logsource.service = TR_STR("ssl");
    tr_router_route(r, &t.ev);
    CHECK_SLICE(t.ev.logsource.product, "zeek");
    CHECK_STR(svc(&t), "ssl");
    CHECK(tr_router_declare_spec(r, "/webserver", err, sizeof(err)) == TR_OK);
    tev_reset(&t);
    add(&t, "uri", "/");
    tr_router_route(r, &t.ev);
    CHECK_SLICE(t.ev.logsource.product, "");
    CHECK_STR(cats(&t), "webserver");
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_match_semantics)
{
    tr_logsource ls = { 0 };
    ls.product = TR_STR("windows");
    ls.service = TR_STR("sysmon");
    tr_logsource_add_category(&ls, TR_STR("registry_event"));
    tr_logsource_add_category(&ls, TR_STR("registry_set"));
    tr_str none = { NULL, 0 };
    CHECK(tr_logsource_match(&ls, none, none, none));
    CHECK(tr_logsource_match(&ls, TR_STR("windows"), TR_STR("registry_set"), none));
    CHECK(tr_logsource_match(&ls, TR_STR("Windows"), TR_STR("REGISTRY_EVENT"), TR_STR("sysmon")));
    CHECK(tr_logsource_match(&ls, none, none, TR_STR("sysmon")));
    CHECK(!tr_logsource_match(&ls, TR_STR("linux"), none, none));
    CHECK(!tr_logsource_match(&ls, TR_STR("windows"), TR_STR("process_creation"), none));
    CHECK(!tr_logsource_match(&ls, TR_STR("windows"), none, TR_STR("security")));
    CHECK(!tr_logsource_match(&ls, none, TR_STR("registry"), none)); /* no prefix matching */
}

TEST(logsource_route_allocates_nothing_after_warmup)
{
    tr_router *r = router();
    tev t;
    tev_init(&t);
    uint64_t before = 0;
    for (int round = 0; round < 200; round++) {
        if (round == 1)
            before = tr_alloc_count();
        event_4688(&t, round & 1);
        tr_router_route(r, &t.ev);
        windows_event(&t, SYSMON, "Microsoft-Windows-Sysmon", "13");
        tr_router_route(r, &t.ev);
    }
#ifndef TR_DEBUG_ARENA
    CHECK_EQ(tr_alloc_count() - before, 0);
#else
    (void)before;
#endif
    tr_arena_free(t.arena);
    tr_router_free(r);
}

TEST(logsource_full_event_drops_and_counts)
{
    tr_router *r = router();
    tr_field fields[4];
    tr_arena *a = tr_arena_new(0, 0);
    tr_event ev;
    tr_event_init(&ev, fields, 4, a);
    ev.logsource.product = TR_STR("windows");
    tr_event_add(&ev, TR_STR("Channel"), TR_STR("Security"), TR_VSTR);
    tr_event_add(&ev, TR_STR("EventID"), TR_STR("4688"), TR_VNUM);
    tr_event_add(&ev, TR_STR("NewProcessName"), TR_STR("C:\\a.exe"), TR_VSTR);
    tr_event_add(&ev, TR_STR("ParentProcessName"), TR_STR("C:\\b.exe"), TR_VSTR);
    tr_router_route(r, &ev);
    CHECK_EQ(ev.nfields, 4);
    CHECK(ev.truncated >= 2);
    CHECK_EQ(ev.logsource.ncategory, 1);
    tr_arena_free(a);
    tr_router_free(r);
}
