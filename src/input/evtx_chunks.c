/*
 * evtx_chunks.c - the file header and chunk headers of an EVTX image,
 * checked before libevtx opens it (see evtx_chunks.h).
 *
 * libevtx notices damage but keeps it to itself (one "is corrupted" flag
 * for the file), and a few bad header values make it refuse the whole file.
 * Reading the 4096-byte file header and the 512-byte header of every 64 KiB
 * chunk here costs two CRC32s per chunk and lets trawl say which chunk was
 * damaged and how, which is what an analyst handed a broken log needs.
 */
#include "core/common.h"

#include <zlib.h>

#include "input/evtx_chunks.h"

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static uint32_t crc(const unsigned char *p, size_t n, uint32_t seed)
{
    return (uint32_t)crc32(seed, p, (uInt)n);
}

static void notef(tr_evtx_note_fn note, void *ctx, long chunk, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void notef(tr_evtx_note_fn note, void *ctx, long chunk, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    note(ctx, chunk, msg);
}

static bool check_file_header(const unsigned char *img, size_t file_size, tr_evtx_note_fn note,
                              void *ctx, tr_evtx_chunk_stats *st)
{
    if (file_size < 128) {
        notef(note, ctx, -1, "file header truncated (%zu bytes)", file_size);
        return false;
    }
    if (memcmp(img, "ElfFile", 8) != 0) {
        note(ctx, -1, "no EVTX file signature");
        return false;
    }
    st->declared = le16(img + 42);
    if (crc(img, 120, 0) != le32(img + 124))
        notef(note, ctx, -1, "file header checksum mismatch (its chunk count and flags are not "
                             "trusted)");
    if (le16(img + 38) != 3)
        notef(note, ctx, -1, "format version %u.%u (3.x expected)", le16(img + 38),
              le16(img + 36));
    return true;
}

/* A chunk with its signature: what libevtx would refuse, what is damaged. */
static void check_chunk(unsigned char *c, size_t avail, long idx, tr_evtx_note_fn note,
                        void *ctx, tr_evtx_chunk_stats *st)
{
    uint32_t header_size = le32(c + 40);
    uint32_t free_off = le32(c + 48);
    bool damaged = false;
    if (header_size != 128 || free_off < 512 || free_off > TR_EVTX_CHUNK_SIZE) {
        notef(note, ctx, idx, "bad chunk header (header size %" PRIu32 ", free space at %" PRIu32
              "); scanned for records instead", header_size, free_off);
        memset(c, 0, 8); /* libevtx refuses the file for these; without a signature it scans */
        st->rewritten++;
        st->damaged++;
        return;
    }
    if (avail < TR_EVTX_CHUNK_SIZE) {
        notef(note, ctx, idx, "truncated: the file ends %zu bytes into this chunk; the records "
              "before the cut are read", avail);
        st->damaged++;
        return;
    }
    if (crc(c + 128, 384, crc(c, 120, 0)) != le32(c + 124)) {
        notef(note, ctx, idx, "chunk header checksum mismatch; records read anyway");
        damaged = true;
    }
    if (crc(c + 512, free_off - 512, 0) != le32(c + 52)) {
        notef(note, ctx, idx, "event records checksum mismatch (records damaged or altered); "
              "records read anyway");
        damaged = true;
    }
    st->damaged += damaged;
}

/* The allocated records of a sound chunk at file offset base. */
static void walk_records(const unsigned char *c, uint64_t base, tr_evtx_chunk_stats *st,
                         size_t *cap)
{
    uint32_t last = le32(c + 44);
    for (uint32_t off = 512; off <= last && off + 28 <= TR_EVTX_CHUNK_SIZE;) {
        uint32_t size = le32(c + off + 4);
        if (memcmp(c + off, "**\0\0", 4) != 0 || size < 28 || size > TR_EVTX_CHUNK_SIZE - off)
            break;
        if (st->noffsets == *cap) {
            size_t ncap = *cap ? *cap * 2 : 256;
            uint64_t *o = tr_realloc(st->offsets, ncap * sizeof(*o));
            if (!o) {
                tr_free(st->offsets);
                st->offsets = NULL;
                st->noffsets = *cap = 0;
                return;
            }
            st->offsets = o;
            *cap = ncap;
        }
        st->offsets[st->noffsets++] = base + off;
        off += size;
    }
}

bool tr_evtx_chunks_check(unsigned char *img, size_t size, size_t file_size,
                          tr_evtx_note_fn note, void *ctx, tr_evtx_chunk_stats *st)
{
    memset(st, 0, sizeof(*st));
    if (!check_file_header(img, file_size, note, ctx, st))
        return false;
    if (size <= TR_EVTX_HEADER_BLOCK)
        st->slots = 0;
    else
        st->slots = (uint32_t)((size - TR_EVTX_HEADER_BLOCK) / TR_EVTX_CHUNK_SIZE);
    bool dirty = (le32(img + 120) & 1) != 0;
    size_t cap = 0;
    for (uint32_t i = 0; i < st->slots; i++) {
        size_t off = TR_EVTX_HEADER_BLOCK + (size_t)i * TR_EVTX_CHUNK_SIZE;
        unsigned char *c = img + off;
        size_t avail = file_size > off ? TR_MIN(file_size - off, (size_t)TR_EVTX_CHUNK_SIZE) : 0;
        if (memcmp(c, "ElfChnk", 8) == 0) {
            st->used++;
            check_chunk(c, avail, (long)i, note, ctx, st);
            if (memcmp(c, "ElfChnk", 8) == 0 && (i < st->declared || dirty))
                walk_records(c, off, st, &cap);
        } else if (!all_zero(c, avail)) {
            notef(note, ctx, (long)i, "no chunk signature (damaged or overwritten data); scanned "
                  "for records");
            st->damaged++;
        }
    }
    if (st->declared > st->used)
        notef(note, ctx, -1, "the file header declares %" PRIu32 " chunk%s, the file holds %"
              PRIu32, st->declared, st->declared == 1 ? "" : "s", st->used);
    return true;
}
