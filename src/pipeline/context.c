/*
 * context.c - key context fields of an event (see context.h).
 *
 * One short list of well-known names per role, across formats: the first
 * name present wins for each role, so a detection shows who (address,
 * user), where (host) and what (process) without the analyst opening the
 * record.
 */
#include "core/common.h"

#include "pipeline/context.h"

static const char *const roles[][8] = {
    /* source address */
    { "c-ip", "src_ip", "id.orig_h", "SourceIp", "IpAddress", "source.ip", "addr", NULL },
    /* destination address */
    { "dest_ip", "id.resp_h", "DestinationIp", "s-ip", "destination.ip", NULL },
    /* destination port */
    { "dest_port", "id.resp_p", "DestinationPort", "s-port", "destination.port", NULL },
    /* host */
    { "Computer", "cs-host", "host", "hostname", "Hostname", "host.name", NULL },
    /* user */
    { "User", "cs-username", "SubjectUserName", "TargetUserName", "user", "user.name", NULL },
    /* process */
    { "Image", "exe", "process.executable", "program", NULL },
    { "CommandLine", "process.command_line", NULL },
};

static bool have(const tr_kv *kv, uint32_t n, tr_str name)
{
    for (uint32_t i = 0; i < n; i++)
        if (tr_str_eq(kv[i].key, name))
            return true;
    return false;
}

void tr_context_fields(const tr_event *ev, tr_kv *kv, uint32_t *n, uint32_t max)
{
    for (size_t r = 0; r < TR_ARRAY_LEN(roles) && *n < max; r++) {
        for (size_t k = 0; roles[r][k] && *n < max; k++) {
            tr_str name = tr_str_c(roles[r][k]);
            const tr_field *f = tr_event_find(ev, name);
            if (!f || f->kind == TR_VNULL)
                continue;
            if (!have(kv, *n, name)) {
                tr_str v;
                if (tr_field_value(f, ev->arena, &v) != TR_OK)
                    break;
                kv[(*n)++] = (tr_kv){ name, v };
            }
            break;
        }
    }
}
