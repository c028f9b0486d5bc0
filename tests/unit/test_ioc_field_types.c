/*
 * test_ioc_field_types.c - the typing table of src/logsource/field_types.c:
 * types and sides per format, flow direction, unknown fields untyped.
 */
#include "tt.h"

#include <arpa/inet.h>

#include "logsource/field_types.h"
#include "trawl/parse.h"

typedef struct kv {
    const char *name, *value;
} kv;

static void make(tr_event *ev, tr_field *f, const kv *kvs, size_t n, tr_format fmt)
{
    tr_event_init(ev, f, 32, NULL);
    ev->format = (uint16_t)fmt;
    for (size_t i = 0; i < n; i++)
        tr_event_add(ev, tr_str_c(kvs[i].name), tr_str_c(kvs[i].value), TR_VSTR);
}

static const tr_field *get(const tr_event *ev, const char *name)
{
    return tr_event_find(ev, tr_str_c(name));
}

#define TYPED(ev, name, vt, sd)                                                                    \
    do {                                                                                           \
        const tr_field *f_ = get((ev), (name));                                                    \
        CHECK_MSG(f_ && f_->vtype == (vt) && f_->side == (sd), "%s: vtype %d side %d", (name),     \
                  f_ ? f_->vtype : -1, f_ ? f_->side : -1);                                        \
    } while (0)

TEST(ioc_ft_web)
{
    tr_field f[32];
    tr_event ev;
    const kv kvs[] = { { "c-ip", "66.42.98.220" }, { "cs-host", "vpn.org17.example" },
                       { "cs-uri", "/vpns/portal/scripts/newbm.pl" },
                       { "cs-uri-stem", "/vpns/portal/scripts/newbm.pl" },
                       { "cs-uri-query", "" }, { "cs-user-agent", "curl/7.67.0" },
                       { "cs-username", "admin.example.com" }, { "sc-status", "200" } };
    make(&ev, f, kvs, TR_ARRAY_LEN(kvs), TR_FMT_COMBINED);
    tr_field_types_apply(&ev);
    TYPED(&ev, "c-ip", TR_T_IP, TR_SIDE_SRC);
    TYPED(&ev, "cs-host", TR_T_DOMAIN, TR_SIDE_NONE);
    TYPED(&ev, "cs-uri", TR_T_URL, TR_SIDE_NONE);
    TYPED(&ev, "cs-uri-stem", TR_T_NONE, TR_SIDE_NONE); /* cs-uri covers it */
    TYPED(&ev, "cs-uri-query", TR_T_TEXT, TR_SIDE_NONE);
    TYPED(&ev, "cs-user-agent", TR_T_TEXT, TR_SIDE_SRC);
    TYPED(&ev, "cs-username", TR_T_NONE, TR_SIDE_NONE);
    TYPED(&ev, "sc-status", TR_T_NONE, TR_SIDE_NONE);
    /* IIS without cs-uri: the stem is the URI */
    const kv iis[] = { { "c-ip", "1.2.3.4" }, { "cs-uri-stem", "/owa/auth.aspx" } };
    make(&ev, f, iis, TR_ARRAY_LEN(iis), TR_FMT_W3C);
    tr_field_types_apply(&ev);
    TYPED(&ev, "cs-uri-stem", TR_T_URL, TR_SIDE_NONE);
}

TEST(ioc_ft_zeek_direction)
{
    tr_field f[32];
    tr_event ev;
    /* outbound: local originator, public responder */
    const kv out[] = { { "id.orig_h", "10.1.2.3" }, { "id.resp_h", "66.42.98.220" },
                       { "query", "evil.com" } };
    make(&ev, f, out, TR_ARRAY_LEN(out), TR_FMT_ZEEK);
    tr_field_types_apply(&ev);
    TYPED(&ev, "id.orig_h", TR_T_IP, TR_SIDE_NONE);
    TYPED(&ev, "id.resp_h", TR_T_IP, TR_SIDE_DST);
    TYPED(&ev, "query", TR_T_DOMAIN, TR_SIDE_DST);
    /* inbound: public originator to a local server */
    const kv in[] = { { "id.orig_h", "66.42.98.220" }, { "id.resp_h", "192.168.1.10" },
                      { "host", "vpn.example" }, { "uri", "/vpn/../vpns/cfg/smb.conf" } };
    make(&ev, f, in, TR_ARRAY_LEN(in), TR_FMT_ZEEK);
    tr_field_types_apply(&ev);
    TYPED(&ev, "id.orig_h", TR_T_IP, TR_SIDE_SRC);
    TYPED(&ev, "id.resp_h", TR_T_IP, TR_SIDE_NONE);
    TYPED(&ev, "host", TR_T_DOMAIN, TR_SIDE_NONE);
    TYPED(&ev, "uri", TR_T_URL, TR_SIDE_NONE);
    /* local_orig/local_resp win over the addresses */
    const kv flags[] = { { "id.orig_h", "66.42.98.220" }, { "id.resp_h", "8.8.8.8" },
                         { "local_orig", "T" }, { "local_resp", "F" } };
    make(&ev, f, flags, TR_ARRAY_LEN(flags), TR_FMT_ZEEK);
    tr_field_types_apply(&ev);
    TYPED(&ev, "id.orig_h", TR_T_IP, TR_SIDE_NONE);
    TYPED(&ev, "id.resp_h", TR_T_IP, TR_SIDE_DST);
    /* unknown: both public */
    const kv unk[] = { { "id.orig_h", "1.1.1.1" }, { "id.resp_h", "8.8.8.8" },
                       { "md5", "d41d8cd98f00b204e9800998ecf8427e" }, { "uid", "Cx" } };
    make(&ev, f, unk, TR_ARRAY_LEN(unk), TR_FMT_ZEEK_JSON);
    tr_field_types_apply(&ev);
    TYPED(&ev, "id.orig_h", TR_T_IP, TR_SIDE_SRC);
    TYPED(&ev, "id.resp_h", TR_T_IP, TR_SIDE_DST);
    TYPED(&ev, "md5", TR_T_HASH, TR_SIDE_NONE);
    TYPED(&ev, "uid", TR_T_NONE, TR_SIDE_NONE);
}

TEST(ioc_ft_eve_and_windows)
{
    tr_field f[32];
    tr_event ev;
    const kv eve[] = { { "src_ip", "10.0.0.5" }, { "dest_ip", "91.208.184.78" },
                       { "http.hostname", "evil.com" }, { "http.url", "/2.exe" },
                       { "tls.sni", "evil.com" }, { "fileinfo.sha256", "ab" },
                       { "flow_id", "1" } };
    make(&ev, f, eve, TR_ARRAY_LEN(eve), TR_FMT_EVE);
    tr_field_types_apply(&ev);
    TYPED(&ev, "src_ip", TR_T_IP, TR_SIDE_NONE);
    TYPED(&ev, "dest_ip", TR_T_IP, TR_SIDE_DST);
    TYPED(&ev, "http.hostname", TR_T_DOMAIN, TR_SIDE_DST);
    TYPED(&ev, "http.url", TR_T_URL, TR_SIDE_DST);
    TYPED(&ev, "tls.sni", TR_T_DOMAIN, TR_SIDE_DST);
    TYPED(&ev, "fileinfo.sha256", TR_T_HASH, TR_SIDE_NONE);
    TYPED(&ev, "flow_id", TR_T_NONE, TR_SIDE_NONE);

    const kv win[] = { { "Event.EventData.DestinationIp", "91.208.184.78" },
                       { "Event.EventData.SourceIp", "10.0.0.5" },
                       { "Event.EventData.Initiated", "true" },
                       { "Event.EventData.CommandLine", "certutil -f http://x/2.exe" },
                       { "Event.EventData.Hashes", "MD5=AA" },
                       { "Event.EventData.Image", "C:\\Windows\\System32\\certutil.exe" },
                       { "Event.EventData.QueryName", "evil.com" },
                       { "Event.EventData.User", "CORP\\bob" } };
    make(&ev, f, win, TR_ARRAY_LEN(win), TR_FMT_EVTX_JSON);
    tr_field_types_apply(&ev);
    TYPED(&ev, "Event.EventData.DestinationIp", TR_T_IP, TR_SIDE_DST);
    TYPED(&ev, "Event.EventData.SourceIp", TR_T_IP, TR_SIDE_NONE);
    TYPED(&ev, "Event.EventData.CommandLine", TR_T_TEXT, TR_SIDE_NONE);
    TYPED(&ev, "Event.EventData.Hashes", TR_T_HASHES, TR_SIDE_NONE);
    TYPED(&ev, "Event.EventData.Image", TR_T_PATH, TR_SIDE_NONE);
    TYPED(&ev, "Event.EventData.QueryName", TR_T_DOMAIN, TR_SIDE_DST);
    TYPED(&ev, "Event.EventData.User", TR_T_NONE, TR_SIDE_NONE);
}

TEST(ioc_ft_generic_json_and_linux)
{
    tr_field f[32];
    tr_event ev;
    const kv js[] = { { "source.ip", "66.42.98.220" }, { "destination.ip", "10.0.0.1" },
                      { "host.ip", "10.0.0.1" }, { "url.full", "http://evil.com/a" },
                      { "dst_ip", "1.2.3.4" }, { "process.command_line", "x" },
                      { "file.hash.sha256", "ab" }, { "user.name", "evil.com" } };
    make(&ev, f, js, TR_ARRAY_LEN(js), TR_FMT_JSON);
    tr_field_types_apply(&ev);
    TYPED(&ev, "source.ip", TR_T_IP, TR_SIDE_SRC);
    TYPED(&ev, "destination.ip", TR_T_IP, TR_SIDE_DST);
    TYPED(&ev, "host.ip", TR_T_NONE, TR_SIDE_NONE);
    TYPED(&ev, "url.full", TR_T_URL, TR_SIDE_DST);
    TYPED(&ev, "dst_ip", TR_T_IP, TR_SIDE_DST);
    TYPED(&ev, "process.command_line", TR_T_TEXT, TR_SIDE_NONE);
    TYPED(&ev, "file.hash.sha256", TR_T_HASH, TR_SIDE_NONE);
    TYPED(&ev, "user.name", TR_T_NONE, TR_SIDE_NONE);

    const kv sl[] = { { "message", "Accepted password from 66.42.98.220" }, { "host", "web1" } };
    make(&ev, f, sl, TR_ARRAY_LEN(sl), TR_FMT_SYSLOG);
    tr_field_types_apply(&ev);
    TYPED(&ev, "message", TR_T_TEXT, TR_SIDE_NONE);
    TYPED(&ev, "host", TR_T_NONE, TR_SIDE_NONE);
    const kv au[] = { { "exe", "/usr/bin/wget" }, { "type", "EXECVE" } };
    make(&ev, f, au, TR_ARRAY_LEN(au), TR_FMT_AUDITD);
    tr_field_types_apply(&ev);
    TYPED(&ev, "exe", TR_T_PATH, TR_SIDE_NONE);
    TYPED(&ev, "type", TR_T_NONE, TR_SIDE_NONE);
}

TEST(ioc_ft_private_ip)
{
    CHECK(tr_field_types_private_ip(TR_STR("10.1.2.3")));
    CHECK(tr_field_types_private_ip(TR_STR("172.31.0.1")));
    CHECK(!tr_field_types_private_ip(TR_STR("172.32.0.1")));
    CHECK(tr_field_types_private_ip(TR_STR("192.168.0.1")));
    CHECK(tr_field_types_private_ip(TR_STR("fd00::1")));
    CHECK(!tr_field_types_private_ip(TR_STR("66.42.98.220")));
    CHECK(!tr_field_types_private_ip(TR_STR("not an ip")));
}

/* The dotted-quad fast path reads addresses exactly as inet_pton does. */
TEST(ioc_ft_private_ip_as_inet_pton)
{
    static const char *const odd[] = {
        "010.0.0.1", "10.0.0.256", "10.0.0", "10.0.0.1.2", " 10.0.0.1", "10.0.0.1 ", "10..0.1",
        "10.0.0.01", "0.0.0.0", "100.64.0.1", "100.128.0.1", "1000.0.0.1", "10.0.0.1:80",
        "169.254.1.1", "172.16.0.0", "172.15.255.255", "192.168.1", "127.0.0.1", "10.0.0.",
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(odd) + 2000; i++) {
        char buf[48];
        if (i < TR_ARRAY_LEN(odd)) {
            snprintf(buf, sizeof(buf), "%s", odd[i]);
        } else {
            unsigned x = (unsigned)i * 2654435761u;
            snprintf(buf, sizeof(buf), "%u.%u.%u.%u", (x >> 24) % 260, (x >> 16) & 255,
                     (x >> 8) % 300, x & 255);
        }
        unsigned char a[16];
        bool want = false;
        if (inet_pton(AF_INET, buf, a) == 1)
            want = a[0] == 10 || a[0] == 127 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
                   (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254) ||
                   (a[0] == 100 && (a[1] & 0xc0) == 64);
        CHECK_MSG(tr_field_types_private_ip(tr_str_c(buf)) == want, "%s", buf);
    }
}
