/*
 * json_windows.c - Windows events written as JSON: evtx_dump (evtx-json),
 * winlogbeat / ECS, and NXLog's flat JSON.
 *
 * Sigma rules for Windows name fields the way the event's XML does:
 * EventData members by their Name (Image, CommandLine, …) and System values
 * as EventID, Channel, Provider_Name, … Each of the three shapes spells
 * these differently, so each field keeps its full flattened name and gets
 * the canonical short name as its alias. Aliases are string constants or
 * slices of the record: no copies.
 *
 * evtx-json accepts what evtx_dump (omerbenamram/evtx) writes, with or
 * without the "Event" wrapper, attributes under "#attributes" or (with
 * --separate-json-attributes) under "X_attributes", values as scalars or as
 * {"#text": …}; and EventData written as a list of
 * {"#attributes":{"Name":"X"},"#text":"v"} items by other converters, which
 * becomes one field per item named after X.
 *
 * NXLog's EventTime is local time without a zone ("2020-02-21 10:11:12").
 * We read it as UTC, unless EventTime itself carries a zone, or
 * EventReceivedTime does (the agent writes both in the same zone), in which
 * case that offset applies. Configure nxlog with ISO 8601 UTC times to
 * avoid guessing.
 */
#include "core/common.h"

#include "core/jsonstr.h"
#include "core/time.h"
#include "parse/json_flat.h"
#include "trawl/arena.h"

/* ---------------------------------------------------------------- evtx-json */

enum {
    EZ_EVENT = 2,   /* the "Event" wrapper */
    EZ_SYSTEM,      /* Event.System */
    EZ_SYS_ITEM,    /* a System child element (Provider, EventID, …); alias = its name */
    EZ_SYS_ATTRS,   /* its attributes; alias = the element's name */
    EZ_EVENTDATA,   /* Event.EventData */
    EZ_ED_TEXT,     /* {"#text": …} under EventData/UserData; alias = the member name */
    EZ_USERDATA,    /* Event.UserData */
    EZ_USERDATA_EL, /* the one element under UserData */
    EZ_DATA_ITEM,   /* an EventData "Data" item {"#attributes":{"Name":…},"#text":…} */
    EZ_DATA_ATTRS   /* its "#attributes" (the two capturing zones come last) */
};

/* System values whose element name is their canonical name. */
static tr_str system_value(tr_str k)
{
    static const tr_str names[] = { TR_STR("EventID"), TR_STR("Version"), TR_STR("Level"),
                                    TR_STR("Task"), TR_STR("Opcode"), TR_STR("Keywords"),
                                    TR_STR("EventRecordID"), TR_STR("Channel"),
                                    TR_STR("Computer") };
    for (size_t i = 0; i < TR_ARRAY_LEN(names); i++)
        if (tr_str_eq(k, names[i]))
            return names[i];
    return (tr_str){ NULL, 0 };
}

/* Canonical name of attribute attr of System element el ("Provider", "Name"). */
static tr_str system_attr(tr_str el, tr_str attr)
{
    static const struct {
        tr_str el, attr, alias;
    } map[] = {
        { TR_STR("Provider"), TR_STR("Name"), TR_STR("Provider_Name") },
        { TR_STR("Provider"), TR_STR("Guid"), TR_STR("Provider_Guid") },
        { TR_STR("Provider"), TR_STR("EventSourceName"), TR_STR("Provider_EventSourceName") },
        { TR_STR("TimeCreated"), TR_STR("SystemTime"), TR_STR("TimeCreated_SystemTime") },
        { TR_STR("Execution"), TR_STR("ProcessID"), TR_STR("Execution_ProcessID") },
        { TR_STR("Execution"), TR_STR("ThreadID"), TR_STR("Execution_ThreadID") },
        { TR_STR("Security"), TR_STR("UserID"), TR_STR("Security_UserID") },
        { TR_STR("Correlation"), TR_STR("ActivityID"), TR_STR("Correlation_ActivityID") },
        { TR_STR("Correlation"), TR_STR("RelatedActivityID"),
          TR_STR("Correlation_RelatedActivityID") },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(map); i++)
        if (tr_str_eq(attr, map[i].attr) && tr_str_eq(el, map[i].el))
            return map[i].alias;
    return (tr_str){ NULL, 0 };
}

/* "Provider_attributes" → "Provider" (evtx_dump --separate-json-attributes). */
static bool split_attributes_key(tr_str k, tr_str *el)
{
    static const char suffix[] = "_attributes";
    size_t sn = sizeof(suffix) - 1;
    if (k.n <= sn || memcmp(k.p + k.n - sn, suffix, sn) != 0)
        return false;
    *el = (tr_str){ k.p, k.n - sn };
    return true;
}

static uint8_t evtx_top(jf_state *st, jf_frame *nf)
{
    if (nf->is_array)
        return JF_ZONE_NONE;
    if (JF_IS(nf->key, "System"))
        return EZ_SYSTEM;
    if (JF_IS(nf->key, "EventData")) {
        st->ed_plen = nf->plen;
        return EZ_EVENTDATA;
    }
    if (JF_IS(nf->key, "UserData")) {
        st->ed_plen = nf->plen;
        return EZ_USERDATA;
    }
    return JF_ZONE_NONE;
}

static uint8_t evtx_enter(jf_state *st, const jf_frame *parent, jf_frame *nf)
{
    tr_str k = nf->key;
    switch (parent->zone) {
    case JF_ZONE_ROOT:
        if (JF_IS(k, "Event") && !nf->is_array)
            return EZ_EVENT;
        return evtx_top(st, nf);
    case EZ_EVENT:
        return evtx_top(st, nf);
    case EZ_SYSTEM: {
        tr_str el;
        if (nf->is_array)
            return JF_ZONE_NONE;
        if (split_attributes_key(k, &el)) {
            nf->alias = el;
            return EZ_SYS_ATTRS;
        }
        nf->alias = k;
        return EZ_SYS_ITEM;
    }
    case EZ_SYS_ITEM:
        if (JF_IS(k, "#attributes") && !nf->is_array) {
            nf->alias = parent->key;
            return EZ_SYS_ATTRS;
        }
        return JF_ZONE_NONE;
    case EZ_EVENTDATA:
        if (nf->is_array)
            return EZ_EVENTDATA; /* arrays are transparent: elements keep the member's name */
        if (JF_IS(k, "Data")) {
            st->item_has_text = st->item_has_name = false;
            return EZ_DATA_ITEM;
        }
        nf->alias = k;
        return EZ_ED_TEXT;
    case EZ_DATA_ITEM:
        return JF_IS(k, "#attributes") && !nf->is_array ? EZ_DATA_ATTRS : JF_ZONE_NONE;
    case EZ_USERDATA:
        if (nf->is_array)
            return EZ_USERDATA;
        return EZ_USERDATA_EL;
    case EZ_USERDATA_EL:
        if (nf->is_array)
            return EZ_USERDATA_EL;
        nf->alias = k;
        return EZ_ED_TEXT;
    default:
        return JF_ZONE_NONE;
    }
}

static bool evtx_capture(jf_state *st, const jf_frame *fr, tr_str key, const tr_json_tok *v)
{
    if (fr->zone == EZ_DATA_ITEM && !fr->is_array && JF_IS(key, "#text")) {
        st->item_text = *v;
        st->item_has_text = true;
        return true;
    }
    if (fr->zone == EZ_DATA_ATTRS && JF_IS(key, "Name") && v->type == TR_JSON_STRING) {
        st->item_name = *v;
        st->item_has_name = true;
        return true;
    }
    return false;
}

static bool is_plain_member(tr_str k)
{
    return k.n && k.p[0] != '#';
}

static void evtx_leaf(jf_state *st, const jf_frame *fr, tr_str key, tr_field *f)
{
    switch (fr->zone) {
    case EZ_SYSTEM:
        f->alias = system_value(key);
        return;
    case EZ_SYS_ITEM:
        /* {"#text": v} carries the element's value; other members are
         * attributes written without "#attributes" (some converters do) */
        f->alias = JF_IS(key, "#text") ? system_value(fr->alias) : system_attr(fr->key, key);
        break;
    case EZ_SYS_ATTRS:
        f->alias = system_attr(fr->alias, key);
        break;
    case EZ_EVENTDATA:
    case EZ_USERDATA:
    case EZ_USERDATA_EL:
        if (is_plain_member(key))
            f->alias = key;
        return;
    case EZ_ED_TEXT:
        if (JF_IS(key, "#text"))
            f->alias = fr->alias;
        return;
    default:
        return;
    }
    if (f->alias.n == sizeof("TimeCreated_SystemTime") - 1 &&
        JF_IS(f->alias, "TimeCreated_SystemTime"))
        jf_ts_note(st, 0, f);
}

/* An EventData "Data" item closed: emit it under its Name. */
static tr_err evtx_leave(jf_state *st, tr_event *ev, const jf_frame *fr)
{
    if (fr->zone != EZ_DATA_ITEM || fr->is_array)
        return TR_OK;
    if (!st->item_has_name && !st->item_has_text)
        return TR_OK;
    tr_json_tok value = st->item_text;
    if (!st->item_has_text)
        value = (tr_json_tok){ .type = TR_JSON_NULL, .text = { NULL, 0 } };
    tr_str name, alias;
    bool multi = false;
    if (st->item_has_name) {
        if (!ev->arena || tr_json_str_arena(&st->item_name, ev->arena, &alias) != TR_OK)
            return tr_parser_fail(st->parser, TR_ELIMIT, "event arena full");
    } else {
        alias = TR_STR("Data"); /* unnamed data: all of them share one name */
        multi = true;
    }
    name = jf_name(st, ev, st->ed_plen, alias);
    if (!name.p)
        return TR_ELIMIT;
    tr_field *f = jf_add(st, ev, name, &value);
    if (!f)
        return TR_ELIMIT;
    f->alias = alias;
    if (multi)
        f->flags |= TR_FIELD_MULTI;
    st->item_has_text = st->item_has_name = false;
    return TR_OK;
}

static tr_err windows_finish(jf_state *st, tr_event *ev)
{
    jf_ts_resolve(st, ev);
    return TR_OK;
}

const jf_flavour jf_evtx = {
    .product = "windows",
    .capture_from = EZ_DATA_ITEM,
    .enter = evtx_enter,
    .capture = evtx_capture,
    .leaf = evtx_leaf,
    .leave = evtx_leave,
    .finish = windows_finish,
};

/* --------------------------------------------------------------- winlogbeat */

enum {
    WZ_WINLOG = 2, /* winlog */
    WZ_DATA,       /* winlog.event_data, winlog.user_data (and 6.x top-level event_data) */
    WZ_PROCESS,    /* winlog.process */
    WZ_THREAD,     /* winlog.process.thread */
    WZ_USER        /* winlog.user */
};

static uint8_t wlb_enter(jf_state *st, const jf_frame *parent, jf_frame *nf)
{
    TR_UNUSED(st);
    tr_str k = nf->key;
    switch (parent->zone) {
    case JF_ZONE_ROOT:
        if (nf->is_array)
            return JF_ZONE_NONE;
        if (JF_IS(k, "winlog"))
            return WZ_WINLOG;
        if (JF_IS(k, "event_data") || JF_IS(k, "user_data")) /* winlogbeat 6 */
            return WZ_DATA;
        return JF_ZONE_NONE;
    case WZ_WINLOG:
        if (nf->is_array)
            return JF_ZONE_NONE;
        if (JF_IS(k, "event_data") || JF_IS(k, "user_data"))
            return WZ_DATA;
        if (JF_IS(k, "process"))
            return WZ_PROCESS;
        if (JF_IS(k, "user"))
            return WZ_USER;
        return JF_ZONE_NONE;
    case WZ_DATA:
        return nf->is_array ? WZ_DATA : JF_ZONE_NONE;
    case WZ_PROCESS:
        return JF_IS(k, "thread") && !nf->is_array ? WZ_THREAD : JF_ZONE_NONE;
    default:
        return JF_ZONE_NONE;
    }
}

static tr_str winlog_alias(tr_str k)
{
    static const struct {
        tr_str key, alias;
    } map[] = {
        { TR_STR("event_id"), TR_STR("EventID") },
        { TR_STR("channel"), TR_STR("Channel") },
        { TR_STR("provider_name"), TR_STR("Provider_Name") },
        { TR_STR("provider_guid"), TR_STR("Provider_Guid") },
        { TR_STR("computer_name"), TR_STR("Computer") },
        { TR_STR("record_id"), TR_STR("EventRecordID") },
        { TR_STR("version"), TR_STR("Version") },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(map); i++)
        if (tr_str_eq(k, map[i].key))
            return map[i].alias;
    return (tr_str){ NULL, 0 };
}

/* winlogbeat 6.x kept these at the top level. */
static tr_str winlogbeat6_alias(tr_str k)
{
    static const struct {
        tr_str key, alias;
    } map[] = {
        { TR_STR("event_id"), TR_STR("EventID") },
        { TR_STR("log_name"), TR_STR("Channel") },
        { TR_STR("source_name"), TR_STR("Provider_Name") },
        { TR_STR("computer_name"), TR_STR("Computer") },
        { TR_STR("record_number"), TR_STR("EventRecordID") },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(map); i++)
        if (tr_str_eq(k, map[i].key))
            return map[i].alias;
    return (tr_str){ NULL, 0 };
}

static void wlb_leaf(jf_state *st, const jf_frame *fr, tr_str key, tr_field *f)
{
    switch (fr->zone) {
    case JF_ZONE_ROOT:
        if (JF_IS(key, "@timestamp"))
            jf_ts_note(st, 0, f);
        else
            f->alias = winlogbeat6_alias(key);
        break;
    case WZ_WINLOG:
        f->alias = winlog_alias(key);
        break;
    case WZ_DATA:
        f->alias = key;
        return;
    case WZ_PROCESS:
        if (JF_IS(key, "pid"))
            f->alias = TR_STR("Execution_ProcessID");
        return;
    case WZ_THREAD:
        if (JF_IS(key, "id"))
            f->alias = TR_STR("Execution_ThreadID");
        return;
    case WZ_USER:
        if (JF_IS(key, "identifier"))
            f->alias = TR_STR("Security_UserID");
        return;
    default:
        return;
    }
    if (f->alias.n == 7 && JF_IS(f->alias, "EventID"))
        st->have_eventid = true;
}

static tr_err wlb_finish(jf_state *st, tr_event *ev)
{
    /* ECS event.code stands in for a missing winlog.event_id */
    if (!st->have_eventid) {
        for (uint32_t i = 0; i < ev->nfields; i++) {
            tr_field *f = &ev->fields[i];
            if (JF_IS(f->name, "event.code")) {
                f->alias = TR_STR("EventID");
                break;
            }
        }
    }
    jf_ts_resolve(st, ev);
    return TR_OK;
}

const jf_flavour jf_winlogbeat = {
    .product = "windows",
    .enter = wlb_enter,
    .leaf = wlb_leaf,
    .finish = wlb_finish,
};

/* -------------------------------------------------------------------- nxlog */

static tr_str nxlog_alias(tr_str k)
{
    static const struct {
        tr_str key, alias;
    } map[] = {
        { TR_STR("SourceName"), TR_STR("Provider_Name") },
        { TR_STR("Hostname"), TR_STR("Computer") },
        { TR_STR("RecordNumber"), TR_STR("EventRecordID") },
        { TR_STR("ExecutionProcessID"), TR_STR("Execution_ProcessID") },
        { TR_STR("ExecutionThreadID"), TR_STR("Execution_ThreadID") },
        { TR_STR("ProviderGuid"), TR_STR("Provider_Guid") },
        { TR_STR("UserID"), TR_STR("Security_UserID") },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(map); i++)
        if (tr_str_eq(k, map[i].key))
            return map[i].alias;
    return (tr_str){ NULL, 0 };
}

enum { NX_TS_EVENT = 0, NX_TS_RECEIVED = 1, NX_TS_WRITTEN = 2 };

static void nxlog_leaf(jf_state *st, const jf_frame *fr, tr_str key, tr_field *f)
{
    if (fr->zone != JF_ZONE_ROOT)
        return;
    if (JF_IS(key, "EventTime"))
        jf_ts_note(st, NX_TS_EVENT, f);
    else if (JF_IS(key, "EventReceivedTime"))
        jf_ts_note(st, NX_TS_RECEIVED, f);
    else if (JF_IS(key, "EventTimeWritten"))
        jf_ts_note(st, NX_TS_WRITTEN, f);
    else
        f->alias = nxlog_alias(key);
}

/* The UTC offset a timestamp's zone suffix states ("Z", "+01:00", "-0500",
 * "+01"), in ns; false when it has none. */
static bool zone_offset(tr_str s, int64_t *off)
{
    if (s.n < 11)
        return false;
    if (s.p[s.n - 1] == 'Z' || s.p[s.n - 1] == 'z') {
        *off = 0;
        return true;
    }
    size_t i = s.n;
    while (i > 10 && s.p[i - 1] != '+' && s.p[i - 1] != '-')
        i--;
    if (i <= 10)
        return false;
    int sign = s.p[i - 1] == '-' ? -1 : 1;
    unsigned digits[4], nd = 0;
    for (size_t k = i; k < s.n; k++) {
        if (s.p[k] == ':' && nd == 2)
            continue;
        if ((unsigned)(s.p[k] - '0') > 9 || nd == 4)
            return false;
        digits[nd++] = (unsigned)(s.p[k] - '0');
    }
    if (nd != 2 && nd != 4)
        return false;
    int64_t h = digits[0] * 10 + digits[1], m = nd == 4 ? digits[2] * 10 + digits[3] : 0;
    if (h > 23 || m > 59)
        return false;
    *off = sign * (h * 3600 + m * 60) * TR_NS_PER_SEC;
    return true;
}

static tr_err nxlog_finish(jf_state *st, tr_event *ev)
{
    if (!(st->ts_have & (1u << NX_TS_EVENT)) || st->ts_escaped[NX_TS_EVENT]) {
        /* no usable EventTime: fall back to when nxlog received the event */
        st->ts_have &= ~(1u << NX_TS_EVENT);
        jf_ts_resolve(st, ev);
        return TR_OK;
    }
    tr_str t = st->ts[NX_TS_EVENT];
    int64_t ns, off;
    if (tr_time_parse_any(t.p, t.n, &ns) != TR_OK)
        return TR_OK;
    if (!zone_offset(t, &off)) {
        for (unsigned slot = NX_TS_RECEIVED; slot <= NX_TS_WRITTEN; slot++) {
            if ((st->ts_have & (1u << slot)) && !st->ts_escaped[slot] &&
                zone_offset(st->ts[slot], &off)) {
                ns -= off; /* local wall time in that zone → UTC */
                break;
            }
        }
    }
    ev->ts = ns;
    return TR_OK;
}

const jf_flavour jf_nxlog = {
    .product = "windows",
    .leaf = nxlog_leaf,
    .finish = nxlog_finish,
};
