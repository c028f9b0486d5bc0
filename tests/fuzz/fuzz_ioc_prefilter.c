/*
 * fuzz_ioc_prefilter.c - the prefilter's promise, checked against the real
 * decoders and scanner: whenever tr_ioc_scan finds an indicator in the
 * event parsed from a line, tr_ioc_prefilter_text marks that line.
 *
 * Input: the first byte picks the format (EVE/JSON, Zeek TSV after a header,
 * combined, W3C after a header, syslog), the rest is one record. The index
 * holds every indicator type (addresses, networks v4 and v6, IPv6, domains,
 * URLs, digests, e-mail, file names) so that each literal rule is exercised.
 * A second index holds only literals of 8 bytes or more (the scan's fast
 * loop; literals sharing their first 8 or 12 bytes, of each length class),
 * and each prefilter's verdict must not depend on the instruction set
 * (baseline and AVX-512BW, when the CPU has it).
 */
#include "core/common.h"

#include "ioc/prefilter.h"
#include "trawl/arena.h"
#include "trawl/ioc.h"
#include "trawl/logsource.h"
#include "trawl/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char feed[] = "1.2.3.4\n10.9.8.0/24\n172.16.0.0/12\n203.0.113.7\n2001:db8::1\n"
                           "2001:db8:aaaa::/48\nfe80::abcd:1\nevil.com\nbad.example.org\n"
                           "http://91.208.184.78/2.exe\nhttps://c2.example.net:8443/gate.php\n"
                           "d41d8cd98f00b204e9800998ecf8427e\n"
                           "da39a3ee5e6b4b0d3255bfef95601890afd80709\n"
                           "bad@mail.example.net\ndropper.exe\n"
                           /* short literals (under 8 bytes), a group with leading
                            * zeros, a name starting with a non-word byte */
                           "t.co\nab.cd\nfe8::1\nabc:1::/32\n_x.js\n5.6.7.8\n";

/* no literal under 8 bytes, no IPv6: every start is probed by the bitmap */
static const char feed_long[] = "10.20.30.40\n10.20.30.44\n10.20.3.4\n192.168.100.200\n"
                                "medianet607.cn\nmedianet60.cn\nmedianet607.com\n"
                                "medianet607.cn.example\nstatsupport.info\n"
                                "http://login-update.example.com/x\nlogin-update.example.co\n"
                                "d41d8cd98f00b204e9800998ecf8427e\nsomeone@medianet607.cn\n"
                                "invoice_0412.docm\n";

static const char *const zeek_headers[] = {
    "#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-",
    "#path\thttp",
    "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\thost\turi\treferrer\t"
    "user_agent\tmd5\tfilename",
    "#types\ttime\tstring\taddr\tport\taddr\tport\tstring\tstring\tstring\tstring\tstring\t"
    "string",
    NULL,
};
static const char *const w3c_headers[] = {
    "#Software: Microsoft Internet Information Services 10.0",
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) cs-host sc-status",
    NULL,
};

static const tr_format formats[] = { TR_FMT_EVE, TR_FMT_JSON, TR_FMT_ZEEK, TR_FMT_COMBINED,
                                     TR_FMT_W3C, TR_FMT_SYSLOG, TR_FMT_ZEEK_JSON };

/* an index, its prefilter and their scratch */
typedef struct checked {
    tr_ioc_index *x;
    tr_ioc_prefilter *pf;
    tr_ioc_scratch *scan_s;
    tr_ioc_pf_scratch *pf_s;
} checked;

static checked all_types, long_only;
static tr_router *router;
static tr_arena *arena;
static tr_field fields[512];

static int count(void *ctx, const tr_ioc_match *m)
{
    (void)m;
    (*(unsigned *)ctx)++;
    return 0;
}

static void load(checked *c, const char *text, size_t n)
{
    tr_ioc_builder *b;
    char err[256];
    if (tr_ioc_builder_new(NULL, &b) ||
        tr_ioc_builder_add_feed_mem(b, text, n, TR_IOCF_PLAIN, "f.txt", NULL) ||
        tr_ioc_builder_finish(b, &c->x) || tr_ioc_prefilter_new(c->x, &c->pf, err, sizeof(err)) ||
        !c->pf || tr_ioc_scratch_new(c->x, &c->scan_s) || tr_ioc_pf_scratch_new(c->pf, &c->pf_s))
        abort();
}

static void setup(void)
{
    char err[256];
    load(&all_types, feed, sizeof(feed) - 1);
    load(&long_only, feed_long, sizeof(feed_long) - 1);
    if (tr_router_new(NULL, &router, err, sizeof(err)) ||
        !(arena = tr_arena_new(64 * 1024, 64u << 20)))
        abort();
}

/* The verdicts of c's prefilter on line with the instruction set isa:
 * alone (bit 0), and as the first record of a block whose second is 80
 * spaces (bit 1: the block pass then scans the line with its bitmap loop,
 * which needs 8 bytes after each start; a record alone that short takes the
 * careful path). The two may differ only where the careful path passes a
 * line the bitmap loop's byte-class tests rule out (a control byte that
 * the case fold turns into a dot): both must pass every line that matches. */
static unsigned verdicts_with(checked *c, ioc_pf_isa isa, tr_str line)
{
    ioc_pf_isa best = c->pf->isa;
    c->pf->isa = isa;
    bool alone = tr_ioc_prefilter_text(c->pf, c->pf_s, line);
    char *buf = malloc(line.n + 81);
    if (!buf)
        abort();
    memcpy(buf, line.p, line.n);
    memset(buf + line.n, ' ', 81);
    buf[line.n] = '\n';
    tr_record recs[2] = { { .data = { buf, line.n }, .line = 1 },
                          { .data = { buf + line.n + 1, 80 }, .line = 2 } };
    uint8_t mark[2];
    if (tr_ioc_prefilter_mark(c->pf, c->pf_s, recs, 2, mark) || mark[1] || (mark[0] && !alone)) {
        fprintf(stderr, "block pass (%u %u) passes more than the record alone (%u): %.*s\n",
                mark[0], mark[1], alone, (int)line.n, line.p);
        abort();
    }
    free(buf);
    c->pf->isa = best;
    return (unsigned)alone | (unsigned)mark[0] << 1;
}

static void check(checked *c, tr_format fmt, const tr_event *ev, tr_str line)
{
    unsigned v = verdicts_with(c, IOC_PF_ISA_BASE, line);
    if (ioc_pf_isa_supported(IOC_PF_ISA_AVX512) && verdicts_with(c, IOC_PF_ISA_AVX512, line) != v) {
        fprintf(stderr, "the AVX-512BW scan disagrees with the baseline: %.*s\n", (int)line.n,
                line.p);
        abort();
    }
    if (!ev || !tr_ioc_prefilter_covers(fmt))
        return;
    unsigned n = 0;
    tr_ioc_scan(c->x, c->scan_s, ev, count, &n);
    if (n && v != 3 && line.n) {
        fprintf(stderr, "prefilter missed a line with %u indicator matches (%s, %s): %.*s\n", n,
                tr_format_name(fmt), v & 1 ? "in a block" : "alone", (int)line.n, line.p);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!router)
        setup();
    if (size < 1)
        return 0;
    tr_format fmt = formats[data[0] % TR_ARRAY_LEN(formats)];
    tr_str line = { (const char *)data + 1, size - 1 };
    tr_parser *p;
    if (tr_parser_new(fmt, NULL, &p))
        abort();
    tr_event ev;
    tr_event_init(&ev, fields, TR_ARRAY_LEN(fields), arena);
    const char *const *hdr = fmt == TR_FMT_ZEEK ? zeek_headers : fmt == TR_FMT_W3C ? w3c_headers
                                                                                  : NULL;
    for (size_t i = 0; hdr && hdr[i]; i++) {
        tr_arena_reset(arena);
        tr_event_reset(&ev);
        (void)tr_parser_parse(p, tr_str_c(hdr[i]), &ev);
    }
    tr_arena_reset(arena);
    tr_event_reset(&ev);
    bool parsed = tr_parser_parse(p, line, &ev) == TR_OK;
    if (parsed)
        tr_router_route_typed(router, &ev);
    check(&all_types, fmt, parsed ? &ev : NULL, line);
    check(&long_only, fmt, parsed ? &ev : NULL, line);
    tr_parser_free(p);
    return 0;
}
