/*
 * test_evtx_xml.c - the reduction of libevtx's event XML to EVTX records:
 * which elements become fields under which names, unescaping, the hex and
 * non-BMP corrections, and strictness on malformed XML.
 */
#include "tt.h"

#include "core/buf.h"
#include "input/evtx_xml.h"
#include "parse/evtx_wire.h"
#include "trawl/arena.h"
#include "trawl/parse.h"

typedef struct decoded {
    tr_parser *p;
    tr_field fields[64];
    tr_event ev;
    tr_buf out;
    tr_err err;
    char why[256];
} decoded;

/* xml -> record -> event (the decoder of parse/evtx.c). */
static void decode(decoded *d, const char *xml, uint32_t flags)
{
    memset(d, 0, sizeof(*d));
    tr_buf_init(&d->out, 1 << 20);
    tr_event_init(&d->ev, d->fields, 64, NULL);
    d->err = tr_evtx_xml_to_wire(xml, strlen(xml), flags, 0, &d->out, d->why, sizeof(d->why));
    if (d->err)
        return;
    if (tr_parser_new(TR_FMT_EVTX, NULL, &d->p) != TR_OK) {
        d->err = TR_EINTERNAL;
        return;
    }
    d->err = tr_parser_parse(d->p, (tr_str){ d->out.p, d->out.n }, &d->ev);
}

static void release(decoded *d)
{
    tr_parser_free(d->p);
    tr_buf_release(&d->out);
}

static const char *value(decoded *d, const char *name)
{
    static char buf[512];
    const tr_field *f = tr_event_find(&d->ev, tr_str_c(name));
    if (!f)
        return "(missing)";
    snprintf(buf, sizeof(buf), "%.*s", (int)f->value.n, f->value.p);
    return buf;
}

static const char sysmon1[] =
    "<Event xmlns=\"http://schemas.microsoft.com/win/2004/08/events/event\">\n"
    "  <System>\n"
    "    <Provider Name=\"Microsoft-Windows-Sysmon\" Guid=\"{5770385F-C22A-43E0-BF4C-06F5698FFBD9}\"/>\n"
    "    <EventID>1</EventID>\n"
    "    <Version>5</Version>\n"
    "    <Level>4</Level>\n"
    "    <Task>1</Task>\n"
    "    <Opcode>0</Opcode>\n"
    "    <Keywords>0x8000000000000000</Keywords>\n"
    "    <TimeCreated SystemTime=\"2021-03-04T10:00:00.250000000Z\"/>\n"
    "    <EventRecordID>17</EventRecordID>\n"
    "    <Correlation/>\n"
    "    <Execution ProcessID=\"1980\" ThreadID=\"2012\"/>\n"
    "    <Channel>Microsoft-Windows-Sysmon/Operational</Channel>\n"
    "    <Computer>WKS01</Computer>\n"
    "    <Security UserID=\"S-1-5-18\"/>\n"
    "  </System>\n"
    "  <EventData>\n"
    "    <Data Name=\"Image\">C:\\Windows\\System32\\cmd.exe</Data>\n"
    "    <Data Name=\"CommandLine\">cmd /c \"a&amp;b &lt;x&gt;\" &#233;&#x1F600;</Data>\n"
    "    <Data Name=\"LogonId\">0x00000000000003e7</Data>\n"
    "    <Data Name=\"GrantedAccess\">0x001fffff</Data>\n"
    "    <Data Name=\"Empty\"/>\n"
    "    <Data Name=\"Empty2\"></Data>\n"
    "    <Data Name=\"Multi\">line 1\nline 2\n</Data>\n"
    "  </EventData>\n"
    "</Event>\n";

TEST(evtx_xml_system_and_eventdata_names)
{
    decoded d;
    decode(&d, sysmon1, 0);
    CHECK_MSG(d.err == TR_OK, "%s", d.why);
    CHECK_STR(value(&d, "Provider_Name"), "Microsoft-Windows-Sysmon");
    CHECK_STR(value(&d, "Provider_Guid"), "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
    CHECK_STR(value(&d, "EventID"), "1");
    CHECK_STR(value(&d, "Version"), "5");
    CHECK_STR(value(&d, "Keywords"), "0x8000000000000000");
    CHECK_STR(value(&d, "TimeCreated_SystemTime"), "2021-03-04T10:00:00.250000000Z");
    CHECK_STR(value(&d, "EventRecordID"), "17");
    CHECK_STR(value(&d, "Execution_ProcessID"), "1980");
    CHECK_STR(value(&d, "Execution_ThreadID"), "2012");
    CHECK_STR(value(&d, "Channel"), "Microsoft-Windows-Sysmon/Operational");
    CHECK_STR(value(&d, "Computer"), "WKS01");
    CHECK_STR(value(&d, "Security_UserID"), "S-1-5-18");
    CHECK_STR(value(&d, "Image"), "C:\\Windows\\System32\\cmd.exe");
    CHECK_STR(value(&d, "Empty"), "");
    CHECK_STR(value(&d, "Empty2"), "");
    CHECK_STR(value(&d, "Multi"), "line 1\nline 2\n");
    /* empty System elements give no field of their own */
    CHECK(!tr_event_find(&d.ev, TR_STR("Correlation")));
    CHECK(!tr_event_find(&d.ev, TR_STR("Security")));
    CHECK(!tr_event_find(&d.ev, TR_STR("Provider")));
    /* numbers where evtx_dump writes numbers, names as their own aliases */
    const tr_field *f = tr_event_find(&d.ev, TR_STR("EventID"));
    CHECK_EQ(f->kind, TR_VNUM);
    CHECK_SLICE(f->alias, "EventID");
    CHECK_EQ(tr_event_find(&d.ev, TR_STR("Execution_ProcessID"))->kind, TR_VNUM);
    CHECK_EQ(tr_event_find(&d.ev, TR_STR("Keywords"))->kind, TR_VSTR);
    CHECK_EQ(tr_event_find(&d.ev, TR_STR("Image"))->kind, TR_VSTR);
    CHECK_SLICE(d.ev.logsource.product, "windows");
    CHECK_EQ(d.ev.ts, INT64_C(1614852000250000000));
    CHECK_EQ(d.ev.nfields, 22);
    release(&d);
}

TEST(evtx_xml_unescapes_values)
{
    decoded d;
    decode(&d, sysmon1, 0);
    CHECK(d.err == TR_OK);
    CHECK_STR(value(&d, "CommandLine"), "cmd /c \"a&b <x>\" \xc3\xa9\xf0\x9f\x98\x80");
    release(&d);
    decode(&d,
           "<Event><EventData><Data Name=\"a&amp;b\">x<![CDATA[<raw & kept>]]>y &bogus; &#;"
           "</Data></EventData></Event>",
           0);
    CHECK_MSG(d.err == TR_OK, "%s", d.why);
    CHECK_STR(value(&d, "a&b"), "x<raw & kept>y &bogus; &#;");
    release(&d);
}

TEST(evtx_xml_hex_values_lose_libevtx_padding)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "0x00000000000003e7", "0x3e7" },       /* HexInt64 */
        { "0x001fffff", "0x1fffff" },            /* HexInt32 */
        { "0x00000000", "0x0" },
        { "0x0000000000000000", "0x0" },
        { "0x0080000000000000", "0x80000000000000" }, /* Keywords of classic events */
        { "0x8020000000000000", "0x8020000000000000" },
        { "0xc000006d", "0xc000006d" },
        { "0x0000001", "0x0000001" },            /* 7 digits: not libevtx's rendering */
        { "0x000000000000003E7", "0x000000000000003E7" },
        { "0x00000000000003E7", "0x00000000000003E7" }, /* upper case: a string */
        { "0X00000000000003e7", "0X00000000000003e7" },
        { "0x0000000g", "0x0000000g" },
        { "00000000000000003e", "00000000000000003e" },
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(cases); i++) {
        char xml[256];
        snprintf(xml, sizeof(xml), "<Event><EventData><Data Name=\"v\">%s</Data></EventData>"
                 "<System><Keywords>%s</Keywords></System></Event>", cases[i].in, cases[i].in);
        decoded d;
        decode(&d, xml, 0);
        CHECK_MSG(d.err == TR_OK, "%s", d.why);
        CHECK_STR(value(&d, "v"), cases[i].out);
        CHECK_STR(value(&d, "Keywords"), cases[i].out);
        release(&d);
    }
}

TEST(evtx_xml_nonbmp_fix)
{
    /* U+1F201 as libevtx 20181227 writes U+1F600; U+FC01 is left alone */
    const char *xml = "<Event><EventData><Data Name=\"v\">\xf0\x9f\x88\x81-\xef\xb0\x81"
                      "</Data></EventData></Event>";
    decoded d;
    decode(&d, xml, TR_EVTX_XML_FIX_NONBMP);
    CHECK(d.err == TR_OK);
    CHECK_STR(value(&d, "v"), "\xf0\x9f\x98\x80-\xef\xb0\x81");
    release(&d);
    decode(&d, xml, 0);
    CHECK(d.err == TR_OK);
    CHECK_STR(value(&d, "v"), "\xf0\x9f\x88\x81-\xef\xb0\x81");
    release(&d);
    /* the fix stays within Unicode and leaves broken sequences as bytes */
    decode(&d, "<Event><EventData><Data Name=\"v\">\xf4\x8f\xbf\xbf \xf0\x9f</Data>"
               "</EventData></Event>", TR_EVTX_XML_FIX_NONBMP);
    CHECK(d.err == TR_OK);
    CHECK_STR(value(&d, "v"), "\xef\xbf\xbd \xf0\x9f");
    release(&d);
}

TEST(evtx_xml_classic_userdata_and_error_data)
{
    decoded d;
    decode(&d,
           "<Event><System><EventID Qualifiers=\"16384\">7036</EventID></System>"
           "<EventData><Data>first</Data><Data></Data><Data>third</Data>"
           "<Binary>284E554C4C2900</Binary></EventData></Event>", 0);
    CHECK_MSG(d.err == TR_OK, "%s", d.why);
    CHECK_STR(value(&d, "EventID"), "7036");
    CHECK_STR(value(&d, "EventID_Qualifiers"), "16384");
    CHECK_EQ(tr_event_find(&d.ev, TR_STR("EventID_Qualifiers"))->kind, TR_VNUM);
    CHECK_STR(value(&d, "Binary"), "284E554C4C2900");
    int data = 0;
    for (uint32_t i = 0; i < d.ev.nfields; i++) {
        const tr_field *f = &d.ev.fields[i];
        if (tr_str_eq(f->name, TR_STR("Data"))) {
            CHECK(f->flags & TR_FIELD_MULTI);
            CHECK_SLICE(f->value, data == 0 ? "first" : data == 1 ? "" : "third");
            data++;
        }
    }
    CHECK_EQ(data, 3);
    release(&d);
    decode(&d,
           "<Event><UserData><LogFileCleared xmlns=\"urn:x\"><SubjectUserName>bob</SubjectUserName>"
           "<BackupPath/><Nested><Leaf>v</Leaf></Nested></LogFileCleared></UserData>"
           "<RenderingInfo Culture=\"en-US\"><Message>skipped</Message></RenderingInfo></Event>", 0);
    CHECK_MSG(d.err == TR_OK, "%s", d.why);
    CHECK_STR(value(&d, "SubjectUserName"), "bob");
    CHECK_STR(value(&d, "BackupPath"), "");
    CHECK_STR(value(&d, "Leaf"), "v");
    CHECK(!tr_event_find(&d.ev, TR_STR("Nested")));     /* a container, not a leaf */
    CHECK(!tr_event_find(&d.ev, TR_STR("LogFileCleared")));
    CHECK(!tr_event_find(&d.ev, TR_STR("Message")));    /* RenderingInfo is skipped */
    CHECK_EQ(d.ev.nfields, 3);
    release(&d);
    decode(&d, "<Event><ProcessingErrorData><ErrorCode>15005</ErrorCode>"
               "<EventPayload>0102</EventPayload></ProcessingErrorData></Event>", 0);
    CHECK(d.err == TR_OK);
    CHECK_STR(value(&d, "ErrorCode"), "15005");
    CHECK_STR(value(&d, "EventPayload"), "0102");
    release(&d);
}

TEST(evtx_xml_rejects_malformed)
{
    static const char *const bad[] = {
        "",
        "   ",
        "<Event>",
        "<Event></Other>",
        "<Event><System></Event></System>",
        "<Event><EventData><Data Name=x>v</Data></EventData></Event>",
        "<Event><EventData><Data Name=\"x>v</Data></EventData></Event>",
        "<Event><EventData><Data Name>v</Data></EventData></Event>",
        "<Event><></></Event>",
        "<Event/><Event/>",
        "<Event><!-- open",
        "<Event><![CDATA[x</Event>",
        "<Event><!DOCTYPE x></Event>",
        "<Event a=\"1\"",
        "<Event/",
        "<",
        "<Event><Data Name=\"<\">v</Data></Event>",
    };
    for (size_t i = 0; i < TR_ARRAY_LEN(bad); i++) {
        tr_buf out;
        tr_buf_init(&out, 1 << 20);
        tr_buf_append(&out, "keep", 4);
        char why[256] = "";
        tr_err err = tr_evtx_xml_to_wire(bad[i], strlen(bad[i]), 0, 0, &out, why, sizeof(why));
        CHECK_MSG(err == TR_EPARSE, "case %zu: %s", i, tr_strerror(err));
        CHECK_MSG(strstr(why, "malformed event XML"), "case %zu: %s", i, why);
        CHECK_EQ(out.n, 4); /* the output is left as it was */
        tr_buf_release(&out);
    }
    /* 65 levels of nesting */
    char deep[65 * 8 + 16];
    size_t n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)snprintf(deep + n, sizeof(deep) - n, "<a>");
    tr_buf out;
    tr_buf_init(&out, 1 << 20);
    CHECK_EQ(tr_evtx_xml_to_wire(deep, n, 0, 0, &out, NULL, 0), TR_EPARSE);
    tr_buf_release(&out);
}

TEST(evtx_xml_output_cap)
{
    tr_buf out;
    tr_buf_init(&out, 64);
    CHECK_EQ(tr_evtx_xml_to_wire(sysmon1, strlen(sysmon1), 0, 0, &out, NULL, 0), TR_ELIMIT);
    tr_buf_release(&out);
}

TEST(evtx_wire_error_record)
{
    tr_buf out;
    tr_buf_init(&out, 1 << 20);
    CHECK_EQ(tr_evtx_wire_error(&out, "record %d: %s", 7, "cannot be read"), TR_OK);
    tr_parser *p;
    CHECK_EQ(tr_parser_new(TR_FMT_EVTX, NULL, &p), TR_OK);
    tr_field fields[4];
    tr_event ev;
    tr_event_init(&ev, fields, 4, NULL);
    CHECK_EQ(tr_parser_parse(p, (tr_str){ out.p, out.n }, &ev), TR_EPARSE);
    CHECK_STR(tr_parser_errmsg(p), "record 7: cannot be read");
    tr_parser_free(p);
    tr_buf_release(&out);
}

TEST(evtx_decoder_rejects_bad_records)
{
    tr_parser *p;
    CHECK_EQ(tr_parser_new(TR_FMT_EVTX, NULL, &p), TR_OK);
    tr_field fields[4];
    tr_event ev;
    tr_event_init(&ev, fields, 4, NULL);
    /* text is not an EVTX record */
    CHECK_EQ(tr_parser_parse(p, TR_STR("{\"EventID\":1}"), &ev), TR_EPARSE);
    /* a field claiming more bytes than there are */
    char rec[TR_EVTX_WIRE_HEADER + TR_EVTX_WIRE_ENTRY + 4] = { TR_EVTX_WIRE_MAGIC,
                                                               TR_EVTX_WIRE_EVENT, 1 };
    char *e = rec + TR_EVTX_WIRE_HEADER;
    tr_evtx_put16(e, 2);
    tr_evtx_put32(e + 4, 3);
    memcpy(e + 8, "ab", 2);
    tr_event_reset(&ev);
    CHECK_EQ(tr_parser_parse(p, (tr_str){ rec, sizeof(rec) - 2 }, &ev), TR_EPARSE);
    /* exact: two name bytes and two of the three value bytes is still short */
    tr_event_reset(&ev);
    CHECK_EQ(tr_parser_parse(p, (tr_str){ rec, sizeof(rec) }, &ev), TR_EPARSE);
    tr_evtx_put32(e + 4, 2);
    tr_event_reset(&ev);
    CHECK_EQ(tr_parser_parse(p, (tr_str){ rec, sizeof(rec) }, &ev), TR_OK);
    CHECK_EQ(ev.nfields, 1);
    CHECK_SLICE(ev.fields[0].name, "ab");
    /* more fields than the event holds: counted, not an error */
    tr_field one[1];
    tr_event small;
    tr_event_init(&small, one, 0, NULL);
    CHECK_EQ(tr_parser_parse(p, (tr_str){ rec, sizeof(rec) }, &small), TR_OK);
    CHECK_EQ(small.truncated, 1);
    /* unknown kind */
    rec[1] = 9;
    tr_event_reset(&ev);
    CHECK_EQ(tr_parser_parse(p, (tr_str){ rec, sizeof(rec) }, &ev), TR_EPARSE);
    tr_parser_free(p);
}
