/*
 * test_json_event.c - the JSON input formats: flattening, rejection reasons,
 * aliases, timestamps and logsources of json, evtx-json, winlogbeat, nxlog,
 * eve and zeek-json, content detection, and no allocation per event.
 */
#include "tt.h"

#include <dirent.h>

#include "core/time.h"
#include "trawl/arena.h"
#include "trawl/parse.h"

#define NF 256

typedef struct jt {
    tr_parser *p;
    tr_arena *arena;
    tr_field fields[NF];
    tr_event ev;
    tr_err err;
} jt;

static bool jt_open(jt *t, tr_format fmt, const tr_parse_opts *o)
{
    memset(t, 0, sizeof(*t));
    if (tr_parser_new(fmt, o, &t->p) != TR_OK)
        return false;
    t->arena = tr_arena_new(0, 0);
    tr_event_init(&t->ev, t->fields, NF, t->arena);
    return t->arena != NULL;
}

static tr_err jt_parse(jt *t, const char *rec)
{
    tr_arena_reset(t->arena);
    tr_event_reset(&t->ev);
    t->err = tr_parser_parse(t->p, (tr_str){ rec, strlen(rec) }, &t->ev);
    return t->err;
}

static void jt_close(jt *t)
{
    tr_parser_free(t->p);
    tr_arena_free(t->arena);
}

/* The field whose full name is name. */
static const tr_field *by_name(const jt *t, const char *name)
{
    for (uint32_t i = 0; i < t->ev.nfields; i++)
        if (tr_str_eq(t->ev.fields[i].name, tr_str_c(name)))
            return &t->ev.fields[i];
    return NULL;
}

/* The field with this alias (or name, as tr_event_find) and its value as a C string. */
static const char *val(jt *t, const char *name_or_alias)
{
    static char buf[512];
    const tr_field *f = tr_event_find(&t->ev, tr_str_c(name_or_alias));
    if (!f)
        return "(none)";
    tr_str v;
    if (tr_field_value(f, t->arena, &v) != TR_OK)
        return "(bad)";
    snprintf(buf, sizeof(buf), "%.*s", TR_STR_FMT(v));
    return buf;
}

static const char *alias_of(jt *t, const char *name)
{
    static char buf[128];
    const tr_field *f = by_name(t, name);
    if (!f)
        return "(none)";
    snprintf(buf, sizeof(buf), "%.*s", TR_STR_FMT(f->alias));
    return buf;
}

static int64_t iso(const char *s)
{
    int64_t ns = 0;
    tr_time_parse_iso8601(s, strlen(s), &ns);
    return ns;
}

static const char *errmsg(jt *t)
{
    return tr_parser_errmsg(t->p);
}

TEST(json_event_flatten_names_and_kinds)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_JSON, NULL));
    const char *rec = "{\"a\":{\"b\":{\"c\":\"x\"},\"n\":-1.5e3},\"t\":true,\"f\":false,\"z\":null,"
                      "\"arr\":[1,\"two\",null],\"objs\":[{\"k\":1},{\"k\":2,\"m\":[3,4]}],"
                      "\"nest\":[[5,6],[7]],\"esc\":\"C:\\\\Temp\\\\a \\\"b\\\"\",\"empty\":{},"
                      "\"ea\":[],\"s\":\"\"}";
    CHECK_EQ(jt_parse(&t, rec), TR_OK);
    const char *want[][2] = {
        { "a.b.c", "x" },   { "a.n", "-1.5e3" }, { "t", "true" },    { "f", "false" },
        { "z", "" },        { "arr", "1" },      { "arr", "two" },   { "arr", "" },
        { "objs.0.k", "1" }, { "objs.1.k", "2" }, { "objs.1.m", "3" }, { "objs.1.m", "4" },
        { "nest.0", "5" },  { "nest.0", "6" },   { "nest.1", "7" },  { "esc", "C:\\\\Temp\\\\a \\\"b\\\"" },
        { "s", "" },
    };
    CHECK_EQ(t.ev.nfields, TR_ARRAY_LEN(want));
    for (size_t i = 0; i < TR_ARRAY_LEN(want); i++) {
        CHECK_SLICE(t.ev.fields[i].name, want[i][0]);
        CHECK_SLICE(t.ev.fields[i].value, want[i][1]);
    }
    const tr_field *f = t.ev.fields;
    CHECK_EQ(f[0].kind, TR_VSTR);
    CHECK_EQ(f[1].kind, TR_VNUM);
    CHECK_EQ(f[2].kind, TR_VBOOL);
    CHECK_EQ(f[4].kind, TR_VNULL);
    CHECK(f[5].flags & TR_FIELD_MULTI);
    CHECK(f[7].flags & TR_FIELD_MULTI && f[7].kind == TR_VNULL);
    CHECK(!(f[8].flags & TR_FIELD_MULTI));
    CHECK(f[10].flags & TR_FIELD_MULTI);
    CHECK(f[15].flags & TR_FIELD_ESCAPED);
    CHECK(!(f[0].flags & TR_FIELD_ESCAPED));
    CHECK_STR(val(&t, "esc"), "C:\\Temp\\a \"b\"");
    /* zero-copy: values and top-level names point into the record */
    CHECK(f[2].name.p >= rec && f[2].name.p < rec + strlen(rec));
    CHECK(f[0].value.p >= rec && f[0].value.p < rec + strlen(rec));
    CHECK(f[5].name.p >= rec && f[5].name.p < rec + strlen(rec)); /* top-level array */
    CHECK(f[0].name.p < rec || f[0].name.p >= rec + strlen(rec)); /* dotted: arena */
    CHECK_EQ(t.ev.ts, TR_TS_NONE);
    CHECK_EQ(t.ev.logsource.product.n, 0);
    jt_close(&t);
}

TEST(json_event_escaped_keys_and_duplicates)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_JSON, NULL));
    CHECK_EQ(jt_parse(&t, "{\"a\\u0062\":{\"c\\\"d\":1},\"x\":1,\"x\":2}"), TR_OK);
    CHECK_EQ(t.ev.nfields, 3);
    CHECK_SLICE(t.ev.fields[0].name, "ab.c\"d");
    CHECK_SLICE(t.ev.fields[1].name, "x");
    CHECK_SLICE(t.ev.fields[2].name, "x");
    CHECK_SLICE(t.ev.fields[2].value, "2");
    jt_close(&t);
}

TEST(json_event_rejects_with_reasons)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_JSON, NULL));
    CHECK_EQ(jt_parse(&t, "[{\"a\":1}]"), TR_EPARSE);
    CHECK(strstr(errmsg(&t), "array is not an event"));
    CHECK_EQ(jt_parse(&t, "\"str\""), TR_EPARSE);
    CHECK_STR(errmsg(&t), "expected a JSON object, found a string");
    CHECK_EQ(jt_parse(&t, "42"), TR_EPARSE);
    CHECK_EQ(jt_parse(&t, "{\"a\":\"b\\x\"}"), TR_EPARSE);
    CHECK_STR(errmsg(&t), "invalid JSON at byte 7: invalid escape");
    CHECK_EQ(jt_parse(&t, "{\"a\":1} {\"b\":2}"), TR_EPARSE);
    CHECK_STR(errmsg(&t), "invalid JSON at byte 8: trailing characters after value");
    CHECK_EQ(jt_parse(&t, "{\"a\":1"), TR_EPARSE);
    CHECK_STR(errmsg(&t), "invalid JSON at byte 6: unterminated object");
    CHECK_EQ(jt_parse(&t, "{\"a\":\"\xC0\xAF\"}"), TR_EPARSE);
    CHECK(strstr(errmsg(&t), "invalid UTF-8"));
    CHECK_EQ(jt_parse(&t, ""), TR_EPARSE);
    CHECK_EQ(jt_parse(&t, "{\"a\":1}\n"), TR_OK); /* trailing whitespace is fine */
    char deep[200] = "{\"a\":";
    memset(deep + 5, '[', 64); /* the object and 64 arrays: 65 levels */
    deep[5 + 64] = '\0';
    CHECK_EQ(jt_parse(&t, deep), TR_ELIMIT);
    CHECK(strstr(errmsg(&t), "nesting deeper than 64"));
    jt_close(&t);

    tr_parse_opts o8 = { .max_depth = 3 };
    CHECK(jt_open(&t, TR_FMT_JSON, &o8));
    CHECK_EQ(jt_parse(&t, "{\"a\":{\"b\":{\"c\":1}}}"), TR_OK);
    CHECK_EQ(jt_parse(&t, "{\"a\":{\"b\":{\"c\":[1]}}}"), TR_ELIMIT);
    CHECK(strstr(errmsg(&t), "nesting deeper than 3"));
    jt_close(&t);
}

TEST(json_event_field_cap)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_JSON, NULL));
    t.ev.cap = 3;
    CHECK_EQ(jt_parse(&t, "{\"a\":1,\"b\":2,\"c\":3}"), TR_OK);
    CHECK_EQ(jt_parse(&t, "{\"a\":1,\"b\":2,\"c\":3,\"d\":[4]}"), TR_ELIMIT);
    CHECK_STR(errmsg(&t), "record has more than 3 fields");
    jt_close(&t);
}

static const char sysmon1[] =
    "{\"Event\":{\"#attributes\":{\"xmlns\":\"http://schemas.microsoft.com/win/2004/08/events/"
    "event\"},\"System\":{\"Provider\":{\"#attributes\":{\"Name\":\"Microsoft-Windows-Sysmon\","
    "\"Guid\":\"5770385F-C22A-43E0-BF4C-06F5698FFBD9\"}},\"EventID\":1,\"Version\":5,\"Level\":4,"
    "\"Task\":1,\"Opcode\":0,\"Keywords\":\"0x8000000000000000\",\"TimeCreated\":{\"#attributes\":"
    "{\"SystemTime\":\"2020-03-04T09:21:43.417813Z\"}},\"EventRecordID\":4215,\"Correlation\":null,"
    "\"Execution\":{\"#attributes\":{\"ProcessID\":3216,\"ThreadID\":4080}},\"Channel\":"
    "\"Microsoft-Windows-Sysmon/Operational\",\"Computer\":\"WS-FIN-07\",\"Security\":{"
    "\"#attributes\":{\"UserID\":\"S-1-5-18\"}}},\"EventData\":{\"RuleName\":\"-\",\"ProcessId\":"
    "6412,\"Image\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\",\"CommandLine\":\"cmd.exe /c \\\"whoami"
    "\\\"\",\"ParentImage\":\"C:\\\\Program Files\\\\x\\\\java.exe\"}}}";

TEST(json_event_evtx_system_and_eventdata)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_EVTX_JSON, NULL));
    CHECK_EQ(jt_parse(&t, sysmon1), TR_OK);
    CHECK_SLICE(t.ev.logsource.product, "windows");
    CHECK_EQ(t.ev.logsource.service.n, 0); /* routing is src/logsource's job */
    CHECK_EQ(t.ev.ts, iso("2020-03-04T09:21:43.417813Z"));
    CHECK_STR(alias_of(&t, "Event.System.Provider.#attributes.Name"), "Provider_Name");
    CHECK_STR(alias_of(&t, "Event.System.Provider.#attributes.Guid"), "Provider_Guid");
    CHECK_STR(alias_of(&t, "Event.System.EventID"), "EventID");
    CHECK_STR(alias_of(&t, "Event.System.Version"), "Version");
    CHECK_STR(alias_of(&t, "Event.System.Level"), "Level");
    CHECK_STR(alias_of(&t, "Event.System.Task"), "Task");
    CHECK_STR(alias_of(&t, "Event.System.Opcode"), "Opcode");
    CHECK_STR(alias_of(&t, "Event.System.Keywords"), "Keywords");
    CHECK_STR(alias_of(&t, "Event.System.TimeCreated.#attributes.SystemTime"),
              "TimeCreated_SystemTime");
    CHECK_STR(alias_of(&t, "Event.System.EventRecordID"), "EventRecordID");
    CHECK_STR(alias_of(&t, "Event.System.Correlation"), "");
    CHECK_STR(alias_of(&t, "Event.System.Execution.#attributes.ProcessID"), "Execution_ProcessID");
    CHECK_STR(alias_of(&t, "Event.System.Execution.#attributes.ThreadID"), "Execution_ThreadID");
    CHECK_STR(alias_of(&t, "Event.System.Channel"), "Channel");
    CHECK_STR(alias_of(&t, "Event.System.Computer"), "Computer");
    CHECK_STR(alias_of(&t, "Event.System.Security.#attributes.UserID"), "Security_UserID");
    CHECK_STR(alias_of(&t, "Event.#attributes.xmlns"), "");
    CHECK_STR(alias_of(&t, "Event.EventData.Image"), "Image");
    CHECK_STR(val(&t, "EventID"), "1");
    CHECK_STR(val(&t, "Image"), "C:\\Windows\\System32\\cmd.exe");
    CHECK_STR(val(&t, "CommandLine"), "cmd.exe /c \"whoami\"");
    CHECK_STR(val(&t, "ProcessId"), "6412");
    CHECK_STR(val(&t, "Provider_Name"), "Microsoft-Windows-Sysmon");
    CHECK_STR(val(&t, "Channel"), "Microsoft-Windows-Sysmon/Operational");
    CHECK_STR(val(&t, "Execution_ProcessID"), "3216");
    jt_close(&t);
}

TEST(json_event_evtx_other_shapes)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_EVTX_JSON, NULL));
    /* --separate-json-attributes, EventID with #text, no Event wrapper */
    CHECK_EQ(jt_parse(&t, "{\"System\":{\"Provider_attributes\":{\"Name\":\"P\"},\"EventID\":{"
                          "\"#attributes\":{\"Qualifiers\":16384},\"#text\":7045},"
                          "\"TimeCreated_attributes\":{\"SystemTime\":\"2020-01-01T00:00:01Z\"},"
                          "\"Channel\":\"System\"},\"EventData\":{\"ServiceName\":\"x\"}}"),
             TR_OK);
    CHECK_STR(alias_of(&t, "System.Provider_attributes.Name"), "Provider_Name");
    CHECK_STR(alias_of(&t, "System.EventID.#text"), "EventID");
    CHECK_STR(alias_of(&t, "System.EventID.#attributes.Qualifiers"), "");
    CHECK_STR(val(&t, "EventID"), "7045");
    CHECK_STR(val(&t, "ServiceName"), "x");
    CHECK_EQ(t.ev.ts, iso("2020-01-01T00:00:01Z"));
    /* attributes as plain members (golang-evtx), values as strings */
    CHECK_EQ(jt_parse(&t, "{\"Event\":{\"System\":{\"Provider\":{\"Name\":\"Q\",\"Guid\":\"G\"},"
                          "\"EventID\":\"4624\",\"Execution\":{\"ProcessID\":\"4\"},"
                          "\"TimeCreated\":{\"SystemTime\":\"2017-01-19T16:07:45Z\"}},"
                          "\"EventData\":{\"LogonType\":\"3\"}}}"),
             TR_OK);
    CHECK_STR(val(&t, "Provider_Name"), "Q");
    CHECK_STR(val(&t, "Provider_Guid"), "G");
    CHECK_STR(val(&t, "Execution_ProcessID"), "4");
    CHECK_STR(val(&t, "EventID"), "4624");
    CHECK_EQ(t.ev.ts, iso("2017-01-19T16:07:45Z"));
    /* EventData as a list of Data items, in any member order */
    CHECK_EQ(jt_parse(&t, "{\"Event\":{\"EventData\":{\"Data\":[{\"#attributes\":{\"Name\":"
                          "\"SubjectUserName\"},\"#text\":\"admin\"},{\"#text\":\"C:\\\\w.exe\","
                          "\"#attributes\":{\"Name\":\"NewProcessName\"}},{\"#attributes\":"
                          "{\"Name\":\"Empty\"}},{\"#text\":\"u1\"},{\"#text\":\"u2\"}]}}}"),
             TR_OK);
    CHECK_EQ(t.ev.nfields, 5);
    CHECK_STR(alias_of(&t, "Event.EventData.SubjectUserName"), "SubjectUserName");
    CHECK_STR(val(&t, "SubjectUserName"), "admin");
    CHECK_STR(val(&t, "NewProcessName"), "C:\\w.exe");
    CHECK(by_name(&t, "Event.EventData.NewProcessName")->flags & TR_FIELD_ESCAPED);
    CHECK_EQ(by_name(&t, "Event.EventData.Empty")->kind, TR_VNULL);
    CHECK(t.ev.fields[3].flags & TR_FIELD_MULTI);
    CHECK_SLICE(t.ev.fields[3].name, "Event.EventData.Data");
    CHECK_SLICE(t.ev.fields[4].value, "u2");
    /* a single Data item written as an object */
    CHECK_EQ(jt_parse(&t, "{\"Event\":{\"EventData\":{\"Data\":{\"#attributes\":{\"Name\":\"A\"},"
                          "\"#text\":\"1\"}}}}"),
             TR_OK);
    CHECK_EQ(t.ev.nfields, 1);
    CHECK_SLICE(t.ev.fields[0].name, "Event.EventData.A");
    CHECK_STR(val(&t, "A"), "1");
    /* UserData: leaf names under its one element; {"#text"} members too */
    CHECK_EQ(jt_parse(&t, "{\"Event\":{\"System\":{\"EventID\":1102},\"UserData\":{"
                          "\"LogFileCleared\":{\"#attributes\":{\"xmlns\":\"x\"},\"SubjectUserName\":"
                          "\"Administrator\",\"Sid\":{\"#text\":\"S-1\"}}}}}"),
             TR_OK);
    CHECK_STR(alias_of(&t, "Event.UserData.LogFileCleared.SubjectUserName"), "SubjectUserName");
    CHECK_STR(alias_of(&t, "Event.UserData.LogFileCleared.#attributes.xmlns"), "");
    CHECK_STR(val(&t, "Sid"), "S-1");
    /* evtx_dump's "Record N" lines are headers */
    CHECK_EQ(jt_parse(&t, "Record 4215"), TR_ESKIP);
    CHECK_EQ(jt_parse(&t, "Recordx"), TR_EPARSE);
    jt_close(&t);
}

TEST(json_event_winlogbeat)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_WINLOGBEAT, NULL));
    CHECK_EQ(jt_parse(&t, "{\"@timestamp\":\"2020-01-22T14:03:51.638Z\",\"event\":{\"code\":\"4688\"},"
                          "\"winlog\":{\"channel\":\"Security\",\"computer_name\":\"H\",\"event_id\":"
                          "\"4688\",\"provider_name\":\"Microsoft-Windows-Security-Auditing\","
                          "\"provider_guid\":\"{5484}\",\"record_id\":\"11\",\"process\":{\"pid\":4,"
                          "\"thread\":{\"id\":72}},\"user\":{\"identifier\":\"S-1-5-18\"},"
                          "\"keywords\":[\"Audit Success\"],\"event_data\":{\"NewProcessName\":"
                          "\"C:\\\\x.exe\",\"Multi\":[\"a\",\"b\"]},\"version\":2}}"),
             TR_OK);
    CHECK_SLICE(t.ev.logsource.product, "windows");
    CHECK_EQ(t.ev.ts, iso("2020-01-22T14:03:51.638Z"));
    CHECK_STR(alias_of(&t, "winlog.event_id"), "EventID");
    CHECK_STR(alias_of(&t, "event.code"), ""); /* winlog.event_id is there */
    CHECK_STR(alias_of(&t, "winlog.channel"), "Channel");
    CHECK_STR(alias_of(&t, "winlog.computer_name"), "Computer");
    CHECK_STR(alias_of(&t, "winlog.provider_name"), "Provider_Name");
    CHECK_STR(alias_of(&t, "winlog.provider_guid"), "Provider_Guid");
    CHECK_STR(alias_of(&t, "winlog.record_id"), "EventRecordID");
    CHECK_STR(alias_of(&t, "winlog.process.pid"), "Execution_ProcessID");
    CHECK_STR(alias_of(&t, "winlog.process.thread.id"), "Execution_ThreadID");
    CHECK_STR(alias_of(&t, "winlog.user.identifier"), "Security_UserID");
    CHECK_STR(alias_of(&t, "winlog.event_data.NewProcessName"), "NewProcessName");
    CHECK_STR(alias_of(&t, "winlog.keywords"), "");
    CHECK_STR(val(&t, "EventID"), "4688");
    CHECK_STR(val(&t, "NewProcessName"), "C:\\x.exe");
    CHECK(by_name(&t, "winlog.event_data.Multi")->flags & TR_FIELD_MULTI);
    CHECK_STR(alias_of(&t, "winlog.event_data.Multi"), "Multi");
    /* 7.x: numeric event_id, the same digits */
    CHECK_EQ(jt_parse(&t, "{\"winlog\":{\"event_id\":4688}}"), TR_OK);
    CHECK_STR(val(&t, "EventID"), "4688");
    CHECK_EQ(t.ev.fields[0].kind, TR_VNUM);
    /* ECS without winlog.event_id: event.code stands in */
    CHECK_EQ(jt_parse(&t, "{\"event\":{\"code\":\"4624\"},\"winlog\":{\"channel\":\"Security\"}}"),
             TR_OK);
    CHECK_STR(alias_of(&t, "event.code"), "EventID");
    /* winlogbeat 6.x */
    CHECK_EQ(jt_parse(&t, "{\"@timestamp\":\"2019-01-01T00:00:00Z\",\"event_id\":4688,\"log_name\":"
                          "\"Security\",\"source_name\":\"S\",\"computer_name\":\"C\","
                          "\"record_number\":\"5\",\"event_data\":{\"NewProcessName\":\"n\"}}"),
             TR_OK);
    CHECK_STR(val(&t, "EventID"), "4688");
    CHECK_STR(val(&t, "Channel"), "Security");
    CHECK_STR(val(&t, "Provider_Name"), "S");
    CHECK_STR(val(&t, "Computer"), "C");
    CHECK_STR(val(&t, "EventRecordID"), "5");
    CHECK_STR(val(&t, "NewProcessName"), "n");
    jt_close(&t);
}

TEST(json_event_nxlog)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_NXLOG, NULL));
    CHECK_EQ(jt_parse(&t, "{\"EventTime\":\"2020-01-22 15:03:51\",\"Hostname\":\"H\",\"EventID\":"
                          "4688,\"SourceName\":\"Microsoft-Windows-Security-Auditing\",\"RecordNumber\":"
                          "9,\"ExecutionProcessID\":4,\"ExecutionThreadID\":5,\"ProviderGuid\":\"{G}\","
                          "\"UserID\":\"S-1-5-18\",\"Channel\":\"Security\",\"CommandLine\":\"c\","
                          "\"EventReceivedTime\":\"2020-01-22 15:03:52+01:00\"}"),
             TR_OK);
    CHECK_SLICE(t.ev.logsource.product, "windows");
    /* local 15:03:51 in the +01:00 zone the agent used for EventReceivedTime */
    CHECK_EQ(t.ev.ts, iso("2020-01-22T14:03:51Z"));
    CHECK_STR(alias_of(&t, "SourceName"), "Provider_Name");
    CHECK_STR(alias_of(&t, "Hostname"), "Computer");
    CHECK_STR(alias_of(&t, "RecordNumber"), "EventRecordID");
    CHECK_STR(alias_of(&t, "ExecutionProcessID"), "Execution_ProcessID");
    CHECK_STR(alias_of(&t, "ExecutionThreadID"), "Execution_ThreadID");
    CHECK_STR(alias_of(&t, "ProviderGuid"), "Provider_Guid");
    CHECK_STR(alias_of(&t, "UserID"), "Security_UserID");
    CHECK_STR(val(&t, "EventID"), "4688");
    CHECK_STR(val(&t, "CommandLine"), "c");
    /* no zone anywhere: UTC */
    CHECK_EQ(jt_parse(&t, "{\"EventTime\":\"2020-01-22 15:03:51\",\"EventID\":1}"), TR_OK);
    CHECK_EQ(t.ev.ts, iso("2020-01-22T15:03:51Z"));
    /* EventTime's own zone wins */
    CHECK_EQ(jt_parse(&t, "{\"EventReceivedTime\":\"2020-01-22 15:03:52-05:00\",\"EventTime\":"
                          "\"2020-01-22T15:03:51.5+0100\",\"EventID\":1}"),
             TR_OK);
    CHECK_EQ(t.ev.ts, iso("2020-01-22T14:03:51.5Z"));
    /* no EventTime: the received time */
    CHECK_EQ(jt_parse(&t, "{\"EventReceivedTime\":\"2020-01-22T15:03:52Z\",\"EventID\":1}"), TR_OK);
    CHECK_EQ(t.ev.ts, iso("2020-01-22T15:03:52Z"));
    jt_close(&t);
}

TEST(json_event_eve)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_EVE, NULL));
    CHECK_EQ(jt_parse(&t, "{\"timestamp\":\"2020-02-21T10:11:12.123456+0000\",\"flow_id\":1,"
                          "\"event_type\":\"http\",\"src_ip\":\"66.42.98.220\",\"http\":{\"hostname\":"
                          "\"a.example\",\"url\":\"/vpn/../vpns/\",\"status\":200}}"),
             TR_OK);
    CHECK_SLICE(t.ev.logsource.product, "suricata");
    CHECK_SLICE(t.ev.logsource.service, "http");
    CHECK_EQ(t.ev.ts, iso("2020-02-21T10:11:12.123456Z"));
    CHECK_STR(val(&t, "http.url"), "/vpn/../vpns/");
    CHECK_STR(val(&t, "http.status"), "200");
    CHECK_EQ(jt_parse(&t, "{\"event_type\":\"dns\",\"timestamp\":\"2020-02-21T10:11:12.5+0100\","
                          "\"dns\":{\"answers\":[{\"rdata\":\"1.2.3.4\"}]}}"),
             TR_OK);
    CHECK_SLICE(t.ev.logsource.service, "dns");
    CHECK_EQ(t.ev.ts, iso("2020-02-21T09:11:12.5Z"));
    CHECK_STR(val(&t, "dns.answers.0.rdata"), "1.2.3.4");
    /* escaped event_type is decoded; a nested "event_type" is not the service */
    CHECK_EQ(jt_parse(&t, "{\"x\":{\"event_type\":\"no\"},\"event_type\":\"fl\\u006fw\"}"), TR_OK);
    CHECK_SLICE(t.ev.logsource.service, "flow");
    jt_close(&t);
}

TEST(json_event_zeek)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_ZEEK_JSON, NULL));
    CHECK_EQ(jt_parse(&t, "{\"_path\":\"dns\",\"ts\":1579508042.123456,\"id.orig_h\":\"10.0.0.1\","
                          "\"answers\":[\"a\",\"b\"]}"),
             TR_OK);
    CHECK_SLICE(t.ev.logsource.product, "zeek");
    CHECK_SLICE(t.ev.logsource.service, "dns");
    CHECK_EQ(t.ev.ts, 1579508042123456000);
    CHECK(by_name(&t, "id.orig_h") != NULL); /* the key is literally dotted */
    /* no _path: the file name says */
    t.ev.path = TR_STR("/logs/org-1/zeek/2020-01-20/conn.09:00:00-10:00:00.log.gz");
    CHECK_EQ(jt_parse(&t, "{\"ts\":\"2020-01-20T08:14:02.5Z\",\"uid\":\"C1\"}"), TR_OK);
    CHECK_SLICE(t.ev.logsource.service, "conn");
    CHECK_EQ(t.ev.ts, iso("2020-01-20T08:14:02.5Z"));
    t.ev.path = TR_STR("ssl.log");
    CHECK_EQ(jt_parse(&t, "{\"ts\":1}"), TR_OK);
    CHECK_SLICE(t.ev.logsource.service, "ssl");
    t.ev.path = TR_STR("-");
    CHECK_EQ(jt_parse(&t, "{\"ts\":1}"), TR_OK);
    CHECK_EQ(t.ev.logsource.service.n, 0);
    t.ev.path = TR_STR("dir.log/events");
    CHECK_EQ(jt_parse(&t, "{\"ts\":1}"), TR_OK);
    CHECK_EQ(t.ev.logsource.service.n, 0);
    jt_close(&t);
}

TEST(json_event_generic_timestamps)
{
    jt t;
    CHECK(jt_open(&t, TR_FMT_JSON, NULL));
    CHECK_EQ(jt_parse(&t, "{\"ts\":1579508042,\"@timestamp\":\"2020-01-20T08:14:02.5Z\"}"), TR_OK);
    CHECK_EQ(t.ev.ts, iso("2020-01-20T08:14:02.5Z")); /* @timestamp first */
    CHECK_EQ(jt_parse(&t, "{\"date\":\"2020-01-01\",\"time\":1579508042123}"), TR_OK);
    CHECK_EQ(t.ev.ts, 1579508042123000000); /* epoch ms */
    CHECK_EQ(jt_parse(&t, "{\"@timestamp\":\"garbage\",\"eventTime\":\"2020-01-20T08:14:02Z\"}"),
             TR_OK);
    CHECK_EQ(t.ev.ts, iso("2020-01-20T08:14:02Z")); /* the next one that parses */
    CHECK_EQ(jt_parse(&t, "{\"x\":{\"timestamp\":\"2020-01-20T08:14:02Z\"}}"), TR_OK);
    CHECK_EQ(t.ev.ts, TR_TS_NONE); /* only top-level names */
    CHECK_EQ(jt_parse(&t, "{\"TimeCreated\":\"2020-01-20T08:14:02Z\",\"EventTime\":\"x\"}"), TR_OK);
    CHECK_EQ(t.ev.ts, iso("2020-01-20T08:14:02Z"));
    jt_close(&t);
    tr_parse_opts o = { .timestamp_field = "event.created" };
    CHECK(jt_open(&t, TR_FMT_JSON, &o));
    CHECK_EQ(jt_parse(&t, "{\"@timestamp\":\"2020-01-20T08:14:02Z\",\"event\":{\"created\":"
                          "\"2021-05-05T05:05:05Z\"}}"),
             TR_OK);
    CHECK_EQ(t.ev.ts, iso("2021-05-05T05:05:05Z"));
    CHECK_EQ(jt_parse(&t, "{\"@timestamp\":\"2020-01-20T08:14:02Z\"}"), TR_OK);
    CHECK_EQ(t.ev.ts, TR_TS_NONE); /* the named field only */
    jt_close(&t);
}

TEST(json_event_no_allocation_per_event)
{
    static const tr_format fmts[] = { TR_FMT_JSON, TR_FMT_EVTX_JSON, TR_FMT_WINLOGBEAT,
                                      TR_FMT_NXLOG, TR_FMT_EVE, TR_FMT_ZEEK_JSON };
    for (size_t k = 0; k < TR_ARRAY_LEN(fmts); k++) {
        jt t;
        CHECK(jt_open(&t, fmts[k], NULL));
        CHECK_EQ(jt_parse(&t, sysmon1), TR_OK); /* warm-up: arena chunks */
        uint64_t before = tr_alloc_count();
        for (int i = 0; i < 200; i++)
            CHECK_EQ(jt_parse(&t, sysmon1), TR_OK);
#ifndef TR_DEBUG_ARENA
        CHECK_EQ(tr_alloc_count() - before, 0);
#else
        (void)before;
#endif
        CHECK(t.ev.nfields > 20);
        jt_close(&t);
    }
}

TEST(json_event_detects_flavours)
{
    static const struct {
        const char *head;
        tr_format want;
    } cases[] = {
        { "{\"Event\":{\"#attributes\":{\"xmlns\":\"x\"},\"System\":{\"EventID\":1}}}",
          TR_FMT_EVTX_JSON },
        { "Record 1\n{\n  \"Event\": {\n    \"System\": {", TR_FMT_EVTX_JSON },
        { "Record 1\r\n{\"Event\":{\"System\":{}}}", TR_FMT_EVTX_JSON },
        { "{\"System\":{\"EventID\":1},\"EventData\":{}}", TR_FMT_EVTX_JSON },
        { "[{\"Event\":{\"System\":{}}}]", TR_FMT_EVTX_JSON },
        /* "Event" without System and the word System in a value are not evtx */
        { "{\"Event\":\"System\",\"msg\":\"x\"}", TR_FMT_JSON },
        { "{\"@timestamp\":\"x\",\"agent\":{\"type\":\"winlogbeat\"},\"winlog\":{\"channel\":\"S\"}}",
          TR_FMT_WINLOGBEAT },
        { "{\"event_id\":4688,\"log_name\":\"Security\",\"event_data\":{}}", TR_FMT_WINLOGBEAT },
        { "{\"timestamp\":\"x\",\"flow_id\":1,\"event_type\":\"alert\"}", TR_FMT_EVE },
        { "{\"timestamp\":\"x\",\"event_type\":\"stats\",\"in_iface\":\"eth0\"}", TR_FMT_EVE },
        { "{\"event_type\":\"login\",\"user\":\"x\"}", TR_FMT_JSON },
        { "{\"_path\":\"conn\",\"ts\":1}", TR_FMT_ZEEK_JSON },
        { "{\"ts\":1579508042.1,\"uid\":\"C1\",\"id.orig_h\":\"1.2.3.4\"}", TR_FMT_ZEEK_JSON },
        { "{\"ts\":1579508042.1,\"uid\":\"C1\",\"query\":\"x\"}", TR_FMT_ZEEK_JSON },
        { "{\"EventTime\":\"2020-01-01 00:00:00\",\"Hostname\":\"h\",\"EventID\":1,\"SourceName\":\"s\"}",
          TR_FMT_NXLOG },
        { "{\"EventID\":1,\"Channel\":\"Security\",\"Computer\":\"h\"}", TR_FMT_JSON },
        { "{\"ts\":1,\"msg\":\"hello\"}", TR_FMT_JSON },
        /* a truncated head still counts what it saw */
        { "{\"winlog\":{\"channel\":\"Sec", TR_FMT_WINLOGBEAT },
        { "Record 12\nnot json", TR_FMT_COUNT },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(cases); i++)
        CHECK_MSG(tr_format_detect(cases[i].head, strlen(cases[i].head), "x") == cases[i].want,
                  "case %zu: got %s", i,
                  tr_format_name(tr_format_detect(cases[i].head, strlen(cases[i].head), "x")));
}

/* Every sample of tests/data/json is detected as the format its name says. */
TEST(json_event_detects_samples)
{
    static const struct {
        const char *file;
        tr_format want;
    } files[] = {
        { "sysmon.evtx.jsonl", TR_FMT_EVTX_JSON },
        { "sysmon-pretty.evtx.json", TR_FMT_EVTX_JSON },
        { "security-4688.evtx.jsonl", TR_FMT_EVTX_JSON },
        { "shapes.evtx.jsonl", TR_FMT_EVTX_JSON },
        { "security-4688.winlogbeat.jsonl", TR_FMT_WINLOGBEAT },
        { "security-4688.nxlog.jsonl", TR_FMT_NXLOG },
        { "eve.json", TR_FMT_EVE },
        { "conn.log", TR_FMT_ZEEK_JSON },
        { "http.09:00:00-10:00:00.log", TR_FMT_ZEEK_JSON },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(files); i++) {
        char path[512], head[4096];
        snprintf(path, sizeof(path), "%s/json/%s", tt_datadir(), files[i].file);
        FILE *f = fopen(path, "rb");
        CHECK_MSG(f, "cannot open %s", path);
        size_t n = fread(head, 1, sizeof(head), f);
        fclose(f);
        tr_format got = tr_format_detect(head, n, path);
        CHECK_MSG(got == files[i].want, "%s: %s", files[i].file, tr_format_name(got));
    }
}

/* The flattener's own walk agrees with the tokenizer on the conformance set:
 * every valid object is an event (or hits a limit), nothing invalid is. */
TEST(json_event_conformance_set)
{
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/json-conformance", tt_datadir());
    DIR *d = opendir(dir);
    CHECK_MSG(d, "cannot open %s", dir);
    jt t;
    CHECK(jt_open(&t, TR_FMT_JSON, NULL));
    struct dirent *e;
    int objects = 0, rejected = 0;
    static char buf[1 << 20];
    while ((e = readdir(d)) != NULL) {
        if ((e->d_name[0] != 'y' && e->d_name[0] != 'n') || e->d_name[1] != '_')
            continue;
        char path[1100];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        size_t lead = 0;
        while (lead < n && strchr(" \t\r\n", buf[lead]) && buf[lead])
            lead++;
        tr_arena_reset(t.arena);
        tr_event_reset(&t.ev);
        tr_err err = tr_parser_parse(t.p, (tr_str){ buf, n }, &t.ev);
        if (e->d_name[0] == 'y' && lead < n && buf[lead] == '{') {
            CHECK_MSG(err == TR_OK || err == TR_ELIMIT, "%s: %s", e->d_name, errmsg(&t));
            objects++;
        } else if (e->d_name[0] == 'n') {
            CHECK_MSG(err == TR_EPARSE || err == TR_ELIMIT, "%s accepted", e->d_name);
            CHECK_MSG(errmsg(&t)[0], "%s: no reason", e->d_name);
            rejected++;
        }
    }
    closedir(d);
    jt_close(&t);
    CHECK(objects >= 15 && rejected >= 150);
}
