/*
 * windows.c - the Windows part of the Sigma taxonomy appendix (v2.1.0):
 * service from Channel, category from Channel + EventID (+ Provider), and
 * the Security-log events that generic rules also cover.
 *
 * A category is only given when the channel AND, if the event names one,
 * the provider are the ones the appendix means, so that a Sysmon rule
 * never fires on another provider's event 1 (Security has an event 1 too,
 * and anyone can write to a channel). Decisions beyond the appendix, each
 * following pySigma's windows-audit pipeline:
 *   - Security 4688 is also process_creation, with Image, ParentImage,
 *     User, LogonId and IntegrityLevel exposed under Sysmon's names;
 *     ProcessId/ParentProcessId are not (4688 logs them in hex, Sysmon in
 *     decimal, and 4688's own "ProcessId" is the parent's).
 *   - Security 4657 is registry_event, and registry_set (value modified) or
 *     registry_add (value created), with Image, Details and TargetObject.
 *   - Sysmon 12 is registry_add when its EventType is CreateKey and
 *     registry_delete when it is DeleteKey/DeleteValue (both when absent).
 *   - Kernel-File ETW events (provider Microsoft-Windows-Kernel-File) are
 *     file_rename for Rename/RenamePath (19, 27) and file_access otherwise.
 *   - Channels the appendix writes without a "/…" part (Hyper-V-Worker,
 *     Kernel-EventTracing) also match their "/Admin"-style sub-channels; a
 *     Splunk "WinEventLog:" prefix on a channel is ignored.
 *   - Sysmon for Linux (channel Linux-Sysmon/Operational) is product linux,
 *     service sysmon, with the same EventID categories.
 *   - PowerShellCore/Operational (PowerShell 7) is service powershell, as in
 *     pySigma's windows pipeline; Microsoft-Windows-SmbServer/Connectivity
 *     is smbserver-connectivity, the service a SigmaHQ rule uses.
 */
#include "core/common.h"

#include "logsource/route.h"
#include "trawl/arena.h"
#include "trawl/parse.h"

typedef struct channel_service {
    const char *channel;
    const char *service;
} channel_service;

/* Taxonomy appendix, "Windows Folder / Service". */
static const channel_service channels[] = {
    { "Application", "application" },
    { "Microsoft-Windows-Application-Experience/Program-Telemetry", "application-experience" },
    { "Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant",
      "application-experience" },
    { "Microsoft-Windows-AppLocker/MSI and Script", "applocker" },
    { "Microsoft-Windows-AppLocker/EXE and DLL", "applocker" },
    { "Microsoft-Windows-AppLocker/Packaged app-Deployment", "applocker" },
    { "Microsoft-Windows-AppLocker/Packaged app-Execution", "applocker" },
    { "Microsoft-Windows-AppModel-Runtime/Admin", "appmodel-runtime" },
    { "Microsoft-Windows-AppXDeploymentServer/Operational", "appxdeployment-server" },
    { "Microsoft-Windows-AppxPackaging/Operational", "appxpackaging-om" },
    { "Microsoft-Windows-BitLocker/BitLocker Management", "bitlocker" },
    { "Microsoft-Windows-Bits-Client/Operational", "bits-client" },
    { "Microsoft-Windows-CAPI2/Operational", "capi2" },
    { "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational",
      "certificateservicesclient-lifecycle-system" },
    { "Microsoft-Windows-CodeIntegrity/Operational", "codeintegrity-operational" },
    { "Microsoft-Windows-DHCP-Server/Operational", "dhcp" },
    { "Microsoft-Windows-Diagnosis-Scripted/Operational", "diagnosis-scripted" },
    { "Microsoft-Windows-DNS Client Events/Operational", "dns-client" },
    { "DNS Server", "dns-server" },
    { "Microsoft-Windows-DNS-Server/Analytical", "dns-server-analytic" },
    { "Microsoft-Windows-DNS-Server/Audit", "dns-server-audit" },
    { "Microsoft-Windows-DriverFrameworks-UserMode/Operational", "driver-framework" },
    { "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall", "firewall-as" },
    { "Microsoft-Windows-Hyper-V-Worker", "hyper-v-worker" },
    { "Microsoft-IIS-Configuration/Operational", "iis-configuration" },
    { "Microsoft-Windows-Kernel-EventTracing", "kernel-event-tracing" },
    { "Microsoft-Windows-Kernel-ShimEngine/Operational", "kernel-shimengine" },
    { "Microsoft-Windows-Kernel-ShimEngine/Diagnostic", "kernel-shimengine" },
    { "Microsoft-Windows-LDAP-Client/Debug", "ldap" },
    { "Microsoft-Windows-LSA/Operational", "lsa-server" },
    { "MSExchange Management", "msexchange-management" },
    { "Microsoft-Windows-Ntfs/Operational", "ntfs" },
    { "Microsoft-Windows-NTLM/Operational", "ntlm" },
    { "OpenSSH/Operational", "openssh" },
    { "Microsoft-Windows-PowerShell/Operational", "powershell" },
    { "Windows PowerShell", "powershell-classic" },
    { "Microsoft-Windows-PrintService/Admin", "printservice-admin" },
    { "Microsoft-Windows-PrintService/Operational", "printservice-operational" },
    { "Security", "security" },
    { "Microsoft-Windows-Security-Mitigations/Kernel Mode", "security-mitigations" },
    { "Microsoft-Windows-Security-Mitigations/User Mode", "security-mitigations" },
    { "Microsoft-Windows-SENSE/Operational", "sense" },
    { "Microsoft-ServiceBus-Client/Operational", "servicebus-client" },
    { "Microsoft-ServiceBus-Client/Admin", "servicebus-client" },
    { "Microsoft-Windows-Shell-Core/Operational", "shell-core" },
    { "Microsoft-Windows-SmbClient/Security", "smbclient-security" },
    { "Microsoft-Windows-Sysmon/Operational", "sysmon" },
    { "System", "system" },
    { "Microsoft-Windows-TaskScheduler/Operational", "taskscheduler" },
    { "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
      "terminalservices-localsessionmanager" },
    { "Microsoft-Windows-VHDMP/Operational", "vhdmp" },
    { "Microsoft-Windows-Windows Defender/Operational", "windefend" },
    { "Microsoft-Windows-WMI-Activity/Operational", "wmi" },
    /* Beyond the appendix: pySigma's windows pipeline counts PowerShell 7's channel
     * as powershell, and a SigmaHQ rule uses smbserver-connectivity. */
    { "PowerShellCore/Operational", "powershell" },
    { "Microsoft-Windows-SmbServer/Connectivity", "smbserver-connectivity" },
};

/* Taxonomy appendix, "Windows Folder / Category": Sysmon EventIDs. */
static const char *sysmon_category(long id)
{
    switch (id) {
    case 1: return "process_creation";
    case 2: return "file_change";
    case 3: return "network_connection";
    case 4: return "sysmon_status";
    case 5: return "process_termination";
    case 6: return "driver_load";
    case 7: return "image_load";
    case 8: return "create_remote_thread";
    case 9: return "raw_access_thread";
    case 10: return "process_access";
    case 11: return "file_event";
    case 12: case 13: case 14: return "registry_event";
    case 15: return "create_stream_hash";
    case 16: return "sysmon_status";
    case 17: case 18: return "pipe_created";
    case 19: case 20: case 21: return "wmi_event";
    case 22: return "dns_query";
    case 23: return "file_delete";
    case 24: return "clipboard_capture";
    case 25: return "process_tampering";
    case 26: return "file_delete_detected";
    case 27: return "file_block_executable";
    case 28: return "file_block_shredding";
    case 29: return "file_executable_detected";
    case 255: return "sysmon_error";
    default: return NULL;
    }
}

static void add_cat(tr_event *ev, const char *c)
{
    tr_logsource_add_category(&ev->logsource, tr_str_c(c));
}

/* The event's Channel without a Splunk "WinEventLog:" prefix. */
static tr_str bare_channel(tr_str ch)
{
    static const char pfx[] = "WinEventLog:";
    size_t n = sizeof(pfx) - 1;
    if (ch.n > n && ls_eq_nocase((tr_str){ ch.p, n }, pfx))
        return (tr_str){ ch.p + n, ch.n - n };
    return ch;
}

static const char *service_of_channel(tr_str ch)
{
    for (size_t i = 0; i < TR_ARRAY_LEN(channels); i++) {
        const char *c = channels[i].channel;
        size_t n = strlen(c);
        if (ch.n < n || !ls_eq_nocase((tr_str){ ch.p, n }, c))
            continue;
        if (ch.n == n)
            return channels[i].service;
        /* "Microsoft-Windows-Hyper-V-Worker" also covers "…-Worker-Admin", "…/Admin" */
        if (!strchr(c, '/') && (ch.p[n] == '/' || ch.p[n] == '-'))
            return channels[i].service;
    }
    return NULL;
}

typedef struct winev {
    tr_str channel;      /* decoded, prefix stripped; empty when absent */
    tr_str provider;     /* decoded; empty when absent */
    long id;             /* EventID, -1 when absent */
    const tr_field *event_type;     /* Sysmon 12 EventType */
    const tr_field *operation_type; /* Security 4657 OperationType */
} winev;

static void scan_fields(const tr_event *ev, winev *w)
{
    memset(w, 0, sizeof(*w));
    w->id = -1;
    const tr_field *ch = NULL, *pv = NULL, *id = NULL;
    for (uint32_t i = 0; i < ev->nfields; i++) {
        const tr_field *f = &ev->fields[i];
        if (f->flags & TR_FIELD_DERIVED)
            continue;
        tr_str k = f->alias.n ? f->alias : f->name;
        switch (k.n) {
        case 7:
            if (!ch && !memcmp(k.p, "Channel", 7))
                ch = f;
            else if (!id && !memcmp(k.p, "EventID", 7))
                id = f;
            break;
        case 9:
            if (!w->event_type && !memcmp(k.p, "EventType", 9))
                w->event_type = f;
            break;
        case 13:
            if (!pv && !memcmp(k.p, "Provider_Name", 13))
                pv = f;
            else if (!w->operation_type && !memcmp(k.p, "OperationType", 13))
                w->operation_type = f;
            break;
        default:
            break;
        }
    }
    if (ch && ch->kind == TR_VSTR && ls_value(ev, ch, &w->channel))
        w->channel = bare_channel(w->channel);
    if (pv && pv->kind == TR_VSTR)
        ls_value(ev, pv, &w->provider);
    w->id = ls_number(ev, id);
}

/* True when the event names no provider or names one of the given ones. */
static bool provider_is(const winev *w, const char *a, const char *b)
{
    return !w->provider.n || ls_eq_nocase(w->provider, a) || (b && ls_eq_nocase(w->provider, b));
}

static bool value_is(const tr_event *ev, const tr_field *f, const char *a, const char *b)
{
    tr_str v;
    if (!f || !ls_value(ev, f, &v))
        return false;
    while (v.n && (v.p[v.n - 1] == ' ' || v.p[v.n - 1] == '\t'))
        v.n--;
    while (v.n && (v.p[0] == ' ' || v.p[0] == '\t')) {
        v.p++;
        v.n--;
    }
    return ls_eq_nocase(v, a) || (b && ls_eq_nocase(v, b));
}

static void sysmon_categories(tr_event *ev, const winev *w)
{
    const char *c = sysmon_category(w->id);
    if (!c)
        return;
    add_cat(ev, c);
    const tr_field *et = w->event_type;
    switch (w->id) {
    case 12:
        if (!et || value_is(ev, et, "CreateKey", NULL))
            add_cat(ev, "registry_add");
        if (!et || value_is(ev, et, "DeleteKey", "DeleteValue"))
            add_cat(ev, "registry_delete");
        break;
    case 13:
        add_cat(ev, "registry_set");
        break;
    case 14:
        add_cat(ev, "registry_rename");
        break;
    default:
        break;
    }
}

/* Security 4657: %%1904 / %%1905 are the message ids the rendered text replaces. */
static void security_categories(tr_event *ev, const winev *w)
{
    if (!provider_is(w, "Microsoft-Windows-Security-Auditing", NULL))
        return;
    if (w->id == 4688) {
        add_cat(ev, "process_creation");
    } else if (w->id == 4657) {
        bool created = value_is(ev, w->operation_type, "%%1904", "New registry value created");
        bool modified =
            value_is(ev, w->operation_type, "%%1905", "Existing registry value modified");
        if (created || modified)
            add_cat(ev, "registry_event");
        if (created)
            add_cat(ev, "registry_add");
        if (modified)
            add_cat(ev, "registry_set");
    }
}

bool ls_windows_logsource(tr_event *ev)
{
    tr_logsource *ls = &ev->logsource;
    bool windows = ls_eq_nocase(ls->product, "windows");
    bool linux_sysmon = false;
    if (!windows && ls->product.n && !ls_eq_nocase(ls->product, "linux"))
        return false;
    /* Access-log lines name their fields from a fixed set (weblog.c) with no
     * Channel or EventID: no need to look (they are a third of most hunts). */
    if (!windows && !ls->product.n && ev->format == TR_FMT_COMBINED)
        return false;
    winev w;
    scan_fields(ev, &w);
    if (ls_eq_nocase(w.channel, "Linux-Sysmon/Operational")) {
        linux_sysmon = true;
        if (!ls->product.n)
            ls->product = TR_STR("linux");
    } else if (!windows) {
        if (ls->product.n || !w.channel.n || w.id < 0)
            return false; /* a Linux event, or not a Windows one */
        ls->product = TR_STR("windows");
    }
    const char *svc = linux_sysmon ? "sysmon" : service_of_channel(w.channel);
    if (svc && !ls->service.n)
        ls->service = tr_str_c(svc);

    /* Categories: the channel decides; with no channel, a declared service does
     * (generic JSON exports of one log, --logsource windows//sysmon). */
    tr_str service = ls->service;
    bool sysmon_ch = w.channel.n ? (linux_sysmon || ls_eq_nocase(w.channel, "Microsoft-Windows-Sysmon/Operational"))
                                 : ls_eq_nocase(service, "sysmon");
    if (sysmon_ch && provider_is(&w, "Microsoft-Windows-Sysmon", "Linux-Sysmon")) {
        sysmon_categories(ev, &w);
        return true;
    }
    if (linux_sysmon)
        return true;
    bool classic = w.channel.n ? ls_eq_nocase(w.channel, "Windows PowerShell")
                               : ls_eq_nocase(service, "powershell-classic");
    if (classic && provider_is(&w, "PowerShell", NULL)) {
        if (w.id == 400)
            add_cat(ev, "ps_classic_start");
        else if (w.id == 600)
            add_cat(ev, "ps_classic_provider_start");
        else if (w.id == 800)
            add_cat(ev, "ps_classic_script");
        return true;
    }
    bool modern = w.channel.n ? (ls_eq_nocase(w.channel, "Microsoft-Windows-PowerShell/Operational") ||
                                 ls_eq_nocase(w.channel, "PowerShellCore/Operational"))
                              : ls_eq_nocase(service, "powershell");
    if (modern && provider_is(&w, "Microsoft-Windows-PowerShell", "PowerShellCore")) {
        if (w.id == 4103)
            add_cat(ev, "ps_module");
        else if (w.id == 4104)
            add_cat(ev, "ps_script");
        return true;
    }
    bool security = w.channel.n ? ls_eq_nocase(w.channel, "Security")
                                : ls_eq_nocase(service, "security");
    if (security) {
        security_categories(ev, &w);
        return true;
    }
    if (ls_eq_nocase(w.provider, "Microsoft-Windows-Kernel-File"))
        add_cat(ev, (w.id == 19 || w.id == 27) ? "file_rename" : "file_access");
    return true;
}

/* ---- taxonomy names ---- */

/* inline, so that the length of the literal c is a constant */
static inline bool has_category(const tr_logsource *ls, const char *c)
{
    for (unsigned i = 0; i < ls->ncategory; i++)
        if (ls_eq_nocase(ls->category[i], c))
            return true;
    return false;
}

/* A user/logon field counts when it holds an account (not "-", not empty). */
static bool is_set(const tr_event *ev, const tr_field *f)
{
    tr_str v;
    return f && f->kind == TR_VSTR && ls_value(ev, f, &v) && v.n && !(v.n == 1 && v.p[0] == '-');
}

/* Sysmon's User is "DOMAIN\user"; well-known service SIDs read as NT AUTHORITY. */
static void derive_user(tr_event *ev, const char *sid_name, const char *user_name,
                        const char *domain_name)
{
    static const struct {
        const char *sid, *user;
    } wellknown[] = {
        { "S-1-5-18", "NT AUTHORITY\\SYSTEM" },
        { "S-1-5-19", "NT AUTHORITY\\LOCAL SERVICE" },
        { "S-1-5-20", "NT AUTHORITY\\NETWORK SERVICE" },
    };
    const tr_field *sid = ls_find(ev, tr_str_c(sid_name));
    for (size_t i = 0; sid && i < TR_ARRAY_LEN(wellknown); i++) {
        if (value_is(ev, sid, wellknown[i].sid, NULL)) {
            ls_derive_value(ev, TR_STR("User"), tr_str_c(wellknown[i].user), TR_VSTR);
            return;
        }
    }
    const tr_field *user = ls_find(ev, tr_str_c(user_name));
    const tr_field *dom = ls_find(ev, tr_str_c(domain_name));
    tr_str u, d;
    if (!user || !ls_value(ev, user, &u))
        return;
    if (!is_set(ev, dom) || !ls_value(ev, dom, &d) || !ev->arena) {
        ls_derive(ev, TR_STR("User"), user);
        return;
    }
    char *p = tr_arena_alloc(ev->arena, d.n + 1 + u.n);
    if (!p)
        return;
    memcpy(p, d.p, d.n);
    p[d.n] = '\\';
    memcpy(p + d.n + 1, u.p, u.n);
    ls_derive_value(ev, TR_STR("User"), (tr_str){ p, d.n + 1 + u.n }, TR_VSTR);
}

static void names_4688(tr_event *ev)
{
    ls_derive(ev, TR_STR("Image"), ls_find(ev, TR_STR("NewProcessName")));
    ls_derive(ev, TR_STR("ParentImage"), ls_find(ev, TR_STR("ParentProcessName")));
    /* The new process runs as the Target account when one is logged (Windows 10+),
     * else as the Subject (its creator). */
    bool target = is_set(ev, ls_find(ev, TR_STR("TargetUserName")));
    if (target)
        derive_user(ev, "TargetUserSid", "TargetUserName", "TargetDomainName");
    else
        derive_user(ev, "SubjectUserSid", "SubjectUserName", "SubjectDomainName");
    ls_derive(ev, TR_STR("LogonId"),
              ls_find(ev, target ? TR_STR("TargetLogonId") : TR_STR("SubjectLogonId")));
    static const struct {
        const char *sid, *level;
    } levels[] = {
        { "S-1-16-0", "Untrusted" }, { "S-1-16-4096", "Low" },     { "S-1-16-8192", "Medium" },
        { "S-1-16-8448", "Medium" }, { "S-1-16-12288", "High" },   { "S-1-16-16384", "System" },
        { "S-1-16-20480", "Protected" },
    };
    const tr_field *label = ls_find(ev, TR_STR("MandatoryLabel"));
    for (size_t i = 0; label && i < TR_ARRAY_LEN(levels); i++)
        if (value_is(ev, label, levels[i].sid, NULL)) {
            ls_derive_value(ev, TR_STR("IntegrityLevel"), tr_str_c(levels[i].level), TR_VSTR);
            break;
        }
}

/* 4657's key "\REGISTRY\MACHINE\SOFTWARE\…" + value name as Sysmon writes it:
 * "HKLM\SOFTWARE\…\Value". */
static void names_4657(tr_event *ev)
{
    ls_derive(ev, TR_STR("Image"), ls_find(ev, TR_STR("ProcessName")));
    ls_derive(ev, TR_STR("Details"), ls_find(ev, TR_STR("NewValue")));
    if (has_category(&ev->logsource, "registry_set") || has_category(&ev->logsource, "registry_add"))
        ls_derive_value(ev, TR_STR("EventType"), TR_STR("SetValue"), TR_VSTR);
    const tr_field *key = ls_find(ev, TR_STR("ObjectName"));
    const tr_field *val = ls_find(ev, TR_STR("ObjectValueName"));
    tr_str k, v = { "", 0 };
    if (!key || !ev->arena || !ls_value(ev, key, &k))
        return;
    if (val && !ls_value(ev, val, &v))
        return;
    static const struct {
        const char *from, *to;
    } hives[] = {
        { "\\REGISTRY\\MACHINE", "HKLM" },
        { "\\REGISTRY\\USER", "HKU" },
    };
    const char *hive = "";
    for (size_t i = 0; i < TR_ARRAY_LEN(hives); i++) {
        size_t n = strlen(hives[i].from);
        if (k.n >= n && ls_eq_nocase((tr_str){ k.p, n }, hives[i].from) &&
            (k.n == n || k.p[n] == '\\')) {
            hive = hives[i].to;
            k.p += n;
            k.n -= n;
            break;
        }
    }
    size_t hn = strlen(hive), total = hn + k.n + (v.n ? 1 + v.n : 0);
    char *p = tr_arena_alloc(ev->arena, total ? total : 1);
    if (!p)
        return;
    memcpy(p, hive, hn);
    memcpy(p + hn, k.p, k.n);
    if (v.n) {
        p[hn + k.n] = '\\';
        memcpy(p + hn + k.n + 1, v.p, v.n);
    }
    ls_derive_value(ev, TR_STR("TargetObject"), (tr_str){ p, total }, TR_VSTR);
}

void ls_windows_names(tr_event *ev)
{
    const tr_logsource *ls = &ev->logsource;
    if (!ls_eq_nocase(ls->product, "windows") || !ls_eq_nocase(ls->service, "security"))
        return;
    if (has_category(ls, "process_creation"))
        names_4688(ev);
    else if (has_category(ls, "registry_event"))
        names_4657(ev);
}
