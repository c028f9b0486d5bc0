/*
 * fuzz_evtx.c - the EVTX reader on arbitrary bytes, in three shapes:
 *   "ElfFile…"  a whole file image: chunk checks, libevtx, the record list,
 *               the XML reduction, block cutting, and the decoder on every
 *               record;
 *   "ElfChnk…"  one chunk, behind a sound file header written here, so that
 *               small inputs reach libevtx's chunk and binary XML parsing;
 *   anything else  event XML for the scanner, then the decoder.
 * Diagnostics are discarded; a crash, a leak or undefined behaviour is a bug.
 */
#include "core/common.h"

#include <zlib.h>

#include "core/buf.h"
#include "input/evtx_source.h"
#include "input/evtx_xml.h"
#include "trawl/arena.h"
#include "trawl/log.h"
#include "trawl/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libevtx 20181227 loses the partly built XML tree of a record whose binary
 * XML breaks off inside an element (an error path of
 * libfwevt_xml_document_read_element): its memory, not trawl's. Stacks do
 * not unwind through libevtx (no frame pointers), so the suppression names
 * the library. The unit tests, which read every damaged test file under
 * ASan without this, still catch a libevtx object trawl forgets to free. */
__attribute__((visibility("default"), used)) const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libevtx.so\n";
}

static void discard(tr_log_level level, const char *line, void *ctx)
{
    (void)level;
    (void)line;
    (void)ctx;
}

static void decode_all(tr_parser *p, const tr_block *b)
{
    tr_field fields[256];
    tr_event ev;
    tr_event_init(&ev, fields, 256, NULL);
    for (size_t i = 0; i < b->nrecs; i++) {
        tr_event_reset(&ev);
        (void)tr_parser_parse(p, b->recs[i].data, &ev);
    }
}

static void run_image(tr_parser *p, const uint8_t *img, size_t n)
{
    tr_source_opts o = { .max_record = (size_t)1 << 20 };
    tr_evtx_source *e = NULL;
    char err[256];
    if (tr_evtx_source_open_mem("fuzz", img, n, &o, &e, err, sizeof(err)) != TR_OK)
        return;
    tr_block b = { .buf = tr_malloc(4096), .cap = 4096, .recs = tr_malloc(8 * sizeof(tr_record)),
                   .maxrecs = 8 };
    if (b.buf && b.recs) {
        for (int guard = 0; guard < 100000; guard++) {
            if (tr_evtx_source_next_block(e, &b) != TR_OK)
                break;
            decode_all(p, &b);
            if (b.eof)
                break;
        }
    }
    tr_free(b.buf);
    tr_free(b.recs);
    tr_evtx_source_free(e);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void run_chunk(tr_parser *p, const uint8_t *chunk, size_t n)
{
    size_t len = 4096 + TR_MIN(n, (size_t)65536);
    uint8_t *img = tr_calloc(1, len);
    if (!img)
        return;
    memcpy(img, "ElfFile", 8);
    img[16] = 0;     /* last chunk number */
    img[24] = 2;     /* next record identifier */
    img[32] = 128;   /* header size */
    img[36] = 1;     /* minor version */
    img[38] = 3;     /* major version */
    img[41] = 0x10;  /* header block size 4096 */
    img[42] = 1;     /* one chunk */
    put32(img + 124, (uint32_t)crc32(0, img, 120));
    memcpy(img + 4096, chunk, len - 4096);
    run_image(p, img, len);
    tr_free(img);
}

static void run_xml(tr_parser *p, const uint8_t *data, size_t n)
{
    tr_buf out;
    tr_buf_init(&out, (size_t)1 << 20);
    char why[256];
    if (tr_evtx_xml_to_wire((const char *)data, n, TR_EVTX_XML_FIX_NONBMP, 0, &out, why,
                            sizeof(why)) == TR_OK) {
        tr_record r = { .data = { out.p, out.n } };
        tr_block b = { .buf = out.p, .cap = out.n, .len = out.n, .recs = &r, .maxrecs = 1,
                       .nrecs = 1 };
        decode_all(p, &b);
    }
    tr_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tr_log_set_sink(discard, NULL);
    tr_parser *p = NULL;
    if (tr_parser_new(TR_FMT_EVTX, NULL, &p) != TR_OK)
        return 0;
    if (size >= 7 && memcmp(data, "ElfFile", 7) == 0)
        run_image(p, data, size);
    else if (size >= 7 && memcmp(data, "ElfChnk", 7) == 0)
        run_chunk(p, data, size);
    else
        run_xml(p, data, size);
    tr_parser_free(p);
    return 0;
}
