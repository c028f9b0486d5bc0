/*
 * evtx_source.c - a Windows EVTX event log as a tr_source (see
 * evtx_source.h): libevtx reads the file, each event's XML is reduced to
 * the record layout of parse/evtx_wire.h, and the records are handed out
 * one by one or cut into the caller's blocks.
 *
 * libevtx reads from a libbfio memory range over the file's image: a
 * private mapping of a plain file, or the stream read to its end into
 * memory when it is compressed or comes from a pipe (EVTX needs random
 * access: records refer to templates and names elsewhere in their chunk).
 * The image is writable and padded with zeros to a whole chunk, so that a
 * file cut mid-chunk still gives the records before the cut, and a chunk
 * header libevtx would reject can be neutralised (evtx_chunks.c).
 *
 * libevtx is 2018 code and this is its only caller in trawl: every call is
 * checked, every error becomes a message naming the record, and nothing it
 * returns is trusted beyond what it documents.
 */
#include "core/common.h"

#include <libevtx.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/evtx_chunks.h"
#include "input/evtx_source.h"
#include "input/evtx_xml.h"
#include "parse/evtx_wire.h"
#include "trawl/log.h"

#define XML_INITIAL ((size_t)256 << 10)
#define MAX_STREAM_IMAGE ((size_t)8 << 30) /* compressed or piped EVTX read into memory */

enum phase {
    PH_ALLOCATED = 0,
    PH_RECOVERED,
    PH_DONE
};

typedef struct rkey {
    uint64_t id;   /* EventRecordID */
    uint64_t time; /* written time (FILETIME) */
} rkey;

struct tr_evtx_source {
    const char *path;         /* borrowed */
    unsigned char *img;       /* the file, padded to a whole chunk */
    size_t img_size;
    size_t file_size;
    size_t map_len;           /* img is a mapping of this length (else heap) */
    libbfio_handle_t *io;
    libevtx_file_t *file;
    int nalloc, nrecov;       /* records libevtx lists */
    int phase;
    int idx;                  /* next index in the current phase */
    uint64_t position;        /* index of the next record handed out */
    uint64_t cursor;          /* resume position after the last record handed out */
    uint64_t bytes;           /* progress: file offset reached */
    uint32_t xml_flags;
    char *xml;                /* libevtx's XML for one event */
    size_t xml_cap, xml_max;
    tr_buf ser;               /* the record being handed out */
    bool pending;             /* ser holds a record not handed out yet (block mode) */
    uint64_t pend_offset, pend_cursor;
    bool want_keys;           /* recovered records exist: remember allocated keys */
    bool keys_complete;       /* every allocated record's key was remembered */
    bool keys_sorted;
    rkey *keys;
    size_t nkeys, capkeys;
    uint64_t *offsets;        /* file offset of each allocated record (or NULL) */
    tr_evtx_source_stats st;
    char errmsg[256];
};

/* ------------------------------------------------------------ messages */

/* The innermost reason of a libevtx error ("invalid binary XML token …"),
 * and the file offset it names, if any. Frees err. */
static void reason(libevtx_error_t **err, char *buf, size_t len, uint64_t *offset)
{
    char bt[2048];
    snprintf(buf, len, "unknown libevtx error");
    if (offset)
        *offset = 0;
    if (!*err)
        return;
    if (libevtx_error_backtrace_sprint(*err, bt, sizeof(bt)) > 0) {
        bt[sizeof(bt) - 1] = '\0';
        const char *line = bt;
        size_t n = strcspn(line, "\n");
        /* "libfwevt_xml_document_read: unable to …." -> "unable to …" */
        const char *colon = memchr(line, ':', n);
        if (colon && colon + 2 <= line + n && colon[1] == ' ' &&
            !memchr(line, ' ', (size_t)(colon - line))) {
            n -= (size_t)(colon + 2 - line);
            line = colon + 2;
        }
        while (n && (line[n - 1] == '.' || line[n - 1] == ' ' || line[n - 1] == '\r'))
            n--;
        snprintf(buf, len, "%.*s", (int)n, line);
        const char *o = offset ? strstr(bt, "offset: 0x") : NULL;
        if (o)
            *offset = strtoull(o + 8, NULL, 16);
    }
    libevtx_error_free(err);
}

static void note_chunk(void *ctx, long chunk, const char *msg)
{
    tr_evtx_source *e = ctx;
    if (chunk < 0)
        tr_log_at(TR_LOG_WARN, e->path, 0, "%s", msg);
    else
        tr_log_at(TR_LOG_WARN, e->path, 0, "chunk %ld: %s", chunk, msg);
}

static long chunk_of(uint64_t offset)
{
    if (offset < TR_EVTX_HEADER_BLOCK)
        return -1;
    return (long)((offset - TR_EVTX_HEADER_BLOCK) / TR_EVTX_CHUNK_SIZE);
}

/* ------------------------------------------------------------- the image */

static size_t padded_size(size_t n)
{
    if (n <= TR_EVTX_HEADER_BLOCK)
        return TR_EVTX_HEADER_BLOCK;
    size_t chunks = (n - TR_EVTX_HEADER_BLOCK + TR_EVTX_CHUNK_SIZE - 1) / TR_EVTX_CHUNK_SIZE;
    return TR_EVTX_HEADER_BLOCK + chunks * TR_EVTX_CHUNK_SIZE;
}

static tr_err load_plain(tr_evtx_source *e, int fd, size_t size, char *errbuf, size_t errlen)
{
    e->file_size = size;
    e->img_size = padded_size(size);
    if (e->img_size == size) {
        void *m = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            e->img = m;
            e->map_len = size;
            return TR_OK;
        }
    }
    e->img = tr_calloc(1, e->img_size);
    if (!e->img)
        return TR_ENOMEM;
    size_t got = 0;
    while (got < size) {
        ssize_t r = pread(fd, e->img + got, size - got, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(errbuf, errlen, "%s: %s", e->path, r < 0 ? strerror(errno) : "file shrank");
            return TR_EIO;
        }
        got += (size_t)r;
    }
    return TR_OK;
}

static tr_err load_stream(tr_evtx_source *e, tr_decomp *dec, const char *head, size_t nhead,
                          char *errbuf, size_t errlen)
{
    size_t cap = TR_MAX(nhead, (size_t)1 << 20), n = nhead;
    unsigned char *buf = tr_malloc(cap);
    if (!buf)
        return TR_ENOMEM;
    memcpy(buf, head, nhead);
    for (;;) {
        if (cap - n < ((size_t)1 << 16)) {
            if (cap >= MAX_STREAM_IMAGE) {
                tr_free(buf);
                snprintf(errbuf, errlen, "%s: EVTX stream larger than %zu bytes", e->path,
                         MAX_STREAM_IMAGE);
                return TR_ELIMIT;
            }
            unsigned char *nb = tr_realloc(buf, cap * 2);
            if (!nb) {
                tr_free(buf);
                return TR_ENOMEM;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got;
        char msg[200];
        tr_err err = tr_decomp_read(dec, buf + n, cap - n, &got, msg, sizeof(msg));
        if (err) {
            tr_free(buf);
            snprintf(errbuf, errlen, "%s: %s", e->path, msg);
            return err;
        }
        if (got == 0)
            break;
        n += got;
    }
    e->file_size = n;
    e->img_size = padded_size(n);
    if (cap < e->img_size) {
        unsigned char *nb = tr_realloc(buf, e->img_size);
        if (!nb) {
            tr_free(buf);
            return TR_ENOMEM;
        }
        buf = nb;
    }
    memset(buf + n, 0, e->img_size - n);
    e->img = buf;
    return TR_OK;
}

/* ------------------------------------------------------------- libevtx */

static tr_err open_libevtx(tr_evtx_source *e, char *errbuf, size_t errlen)
{
    libevtx_error_t *err = NULL;
    char why[256];
    if (libbfio_memory_range_initialize(&e->io, &err) != 1 ||
        libbfio_memory_range_set(e->io, e->img, e->img_size, &err) != 1 ||
        libevtx_file_initialize(&e->file, &err) != 1) {
        reason(&err, why, sizeof(why), NULL);
        snprintf(errbuf, errlen, "%s: libevtx: %s", e->path, why);
        return TR_ENOMEM;
    }
    if (libevtx_file_open_file_io_handle(e->file, e->io, LIBEVTX_OPEN_READ, &err) != 1) {
        reason(&err, why, sizeof(why), NULL);
        snprintf(errbuf, errlen, "%s: libevtx cannot open it: %s", e->path, why);
        return TR_EFORMAT;
    }
    if (libevtx_file_get_number_of_records(e->file, &e->nalloc, &err) != 1 ||
        libevtx_file_get_number_of_recovered_records(e->file, &e->nrecov, &err) != 1) {
        reason(&err, why, sizeof(why), NULL);
        snprintf(errbuf, errlen, "%s: libevtx: %s", e->path, why);
        return TR_EFORMAT;
    }
    if (e->nalloc < 0)
        e->nalloc = 0;
    if (e->nrecov < 0)
        e->nrecov = 0;
    return TR_OK;
}

static void close_libevtx(tr_evtx_source *e)
{
    if (e->file) {
        libevtx_file_close(e->file, NULL);
        libevtx_file_free(&e->file, NULL);
    }
    if (e->io)
        libbfio_handle_free(&e->io, NULL);
}

/* Clears the signature of every chunk that is not sound, for a second try
 * when libevtx refuses the file. Returns how many were cleared. */
static uint32_t neutralise_damaged(tr_evtx_source *e)
{
    uint32_t k = 0;
    for (size_t off = TR_EVTX_HEADER_BLOCK; off + TR_EVTX_CHUNK_SIZE <= e->img_size;
         off += TR_EVTX_CHUNK_SIZE) {
        unsigned char *c = e->img + off;
        if (memcmp(c, "ElfChnk", 8) != 0)
            continue;
        uint32_t fs = (uint32_t)c[48] | (uint32_t)c[49] << 8 | (uint32_t)c[50] << 16 |
                      (uint32_t)c[51] << 24;
        if (off + TR_EVTX_CHUNK_SIZE > e->file_size || fs < 512 || fs > TR_EVTX_CHUNK_SIZE ||
            c[40] != 128 || c[41] || c[42] || c[43]) {
            memset(c, 0, 8);
            k++;
        }
    }
    return k;
}

/* ------------------------------------------------------------- opening */

static tr_err finish_open(tr_evtx_source *e, const tr_source_opts *o, char *errbuf, size_t errlen)
{
    if (e->file_size == 0) {
        tr_log_at(TR_LOG_WARN, e->path, 0, "empty file: no EVTX header, no records");
        e->phase = PH_DONE;
        return TR_OK;
    }
    tr_evtx_chunk_stats cs;
    if (!tr_evtx_chunks_check(e->img, e->img_size, e->file_size, note_chunk, e, &cs)) {
        snprintf(errbuf, errlen, "%s: not a readable EVTX file", e->path);
        return TR_EFORMAT;
    }
    e->st.chunks = cs.used;
    e->st.damaged = cs.damaged;
    tr_err err = open_libevtx(e, errbuf, errlen);
    if (err == TR_EFORMAT && neutralise_damaged(e) > 0) {
        close_libevtx(e);
        tr_log_at(TR_LOG_WARN, e->path, 0, "%s; retrying with its damaged chunks scanned for "
                  "records only", errbuf);
        err = open_libevtx(e, errbuf, errlen);
    }
    if (!err && cs.offsets && cs.noffsets == (size_t)e->nalloc) {
        e->offsets = cs.offsets; /* the walk agrees with libevtx: offsets are known */
        cs.offsets = NULL;
    }
    tr_free(cs.offsets);
    if (err)
        return err;
    e->xml_flags = tr_evtx_libevtx_shifts_nonbmp() ? TR_EVTX_XML_FIX_NONBMP : 0;
    e->xml_max = o && o->max_record ? o->max_record : (size_t)16 << 20;
    e->xml_cap = TR_MIN(XML_INITIAL, e->xml_max);
    e->xml = tr_malloc(e->xml_cap);
    if (!e->xml)
        return TR_ENOMEM;
    tr_buf_init(&e->ser, e->xml_max);
    e->st.allocated = (uint64_t)e->nalloc;
    e->want_keys = e->nrecov > 0;
    /* resume: start_offset counts records (allocated, then recovered) */
    uint64_t start = o ? o->start_offset : 0;
    e->position = o ? o->start_record : 0;
    e->cursor = start;
    e->keys_complete = start == 0;
    if (start >= (uint64_t)e->nalloc + (uint64_t)e->nrecov) {
        e->phase = PH_DONE;
    } else if (start >= (uint64_t)e->nalloc) {
        e->phase = PH_RECOVERED;
        e->idx = (int)(start - (uint64_t)e->nalloc);
    } else {
        e->idx = (int)start;
    }
    return TR_OK;
}

static tr_evtx_source *new_source(const char *path)
{
    tr_evtx_source *e = tr_calloc(1, sizeof(*e));
    if (e)
        e->path = path;
    return e;
}

tr_err tr_evtx_source_open(const char *path, int fd, tr_compression comp, tr_decomp *dec,
                           const char *head, size_t nhead, const tr_source_opts *opts,
                           tr_evtx_source **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    tr_evtx_source *e = new_source(path);
    if (!e)
        return TR_ENOMEM;
    struct stat st;
    tr_err err;
    if (comp == TR_COMP_NONE && fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        err = load_plain(e, fd, (size_t)st.st_size, errbuf, errlen);
    else
        err = load_stream(e, dec, head, nhead, errbuf, errlen);
    if (!err)
        err = finish_open(e, opts, errbuf, errlen);
    if (err) {
        if (err == TR_ENOMEM)
            snprintf(errbuf, errlen, "%s: out of memory", path);
        tr_evtx_source_free(e);
        return err;
    }
    *out = e;
    return TR_OK;
}

tr_err tr_evtx_source_open_mem(const char *path, const void *data, size_t n,
                               const tr_source_opts *opts, tr_evtx_source **out, char *errbuf,
                               size_t errlen)
{
    *out = NULL;
    tr_evtx_source *e = new_source(path);
    if (!e)
        return TR_ENOMEM;
    e->file_size = n;
    e->img_size = padded_size(n);
    e->img = tr_calloc(1, e->img_size);
    tr_err err = e->img ? TR_OK : TR_ENOMEM;
    if (!err) {
        if (n)
            memcpy(e->img, data, n);
        err = finish_open(e, opts, errbuf, errlen);
    }
    if (err) {
        if (err == TR_ENOMEM)
            snprintf(errbuf, errlen, "%s: out of memory", path);
        tr_evtx_source_free(e);
        return err;
    }
    *out = e;
    return TR_OK;
}

void tr_evtx_source_free(tr_evtx_source *e)
{
    if (!e)
        return;
    close_libevtx(e);
    if (e->map_len)
        munmap(e->img, e->map_len);
    else
        tr_free(e->img);
    tr_free(e->xml);
    tr_free(e->keys);
    tr_free(e->offsets);
    tr_buf_release(&e->ser);
    tr_free(e);
}

/* ------------------------------------------------------------- records */

static int key_cmp(const void *a, const void *b)
{
    const rkey *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return x->time < y->time ? -1 : x->time > y->time;
}

static void remember_key(tr_evtx_source *e, libevtx_record_t *r)
{
    uint64_t id = 0, ft = 0;
    if (libevtx_record_get_identifier(r, &id, NULL) != 1 ||
        libevtx_record_get_written_time(r, &ft, NULL) != 1)
        return;
    if (e->nkeys == e->capkeys) {
        size_t ncap = e->capkeys ? e->capkeys * 2 : 1024;
        rkey *k = tr_realloc(e->keys, ncap * sizeof(*k));
        if (!k)
            return; /* dedup is best effort: a copy may then be handed out */
        e->keys = k;
        e->capkeys = ncap;
    }
    e->keys[e->nkeys++] = (rkey){ id, ft };
}

/* After a resume into the recovered records: the allocated keys again. */
static void rebuild_keys(tr_evtx_source *e)
{
    for (int i = 0; i < e->nalloc; i++) {
        libevtx_record_t *r = NULL;
        if (libevtx_file_get_record_by_index(e->file, i, &r, NULL) == 1) {
            remember_key(e, r);
            libevtx_record_free(&r, NULL);
        }
    }
}

static bool is_copy(const tr_evtx_source *e, libevtx_record_t *r)
{
    uint64_t id = 0, ft = 0;
    if (!e->nkeys || libevtx_record_get_identifier(r, &id, NULL) != 1 ||
        libevtx_record_get_written_time(r, &ft, NULL) != 1)
        return false;
    rkey k = { id, ft };
    return bsearch(&k, e->keys, e->nkeys, sizeof(k), key_cmp) != NULL;
}

/* The record's XML into e->xml (NUL-terminated): TR_OK; TR_EPARSE with
 * libevtx's error in *err; TR_ELIMIT when larger than the record limit. */
static tr_err get_xml(tr_evtx_source *e, libevtx_record_t *r, libevtx_error_t **err)
{
    if (libevtx_record_get_utf8_xml_string(r, (uint8_t *)e->xml, e->xml_cap, err) == 1)
        return TR_OK;
    size_t need = 0;
    libevtx_error_free(err);
    if (libevtx_record_get_utf8_xml_string_size(r, &need, err) != 1)
        return TR_EPARSE;
    if (need <= e->xml_cap) /* not a matter of room: the real error again */
        return libevtx_record_get_utf8_xml_string(r, (uint8_t *)e->xml, e->xml_cap, err) == 1
                   ? TR_OK
                   : TR_EPARSE;
    if (need > e->xml_max)
        return TR_ELIMIT;
    char *x = tr_realloc(e->xml, need);
    if (!x)
        return TR_ENOMEM;
    e->xml = x;
    e->xml_cap = need;
    return libevtx_record_get_utf8_xml_string(r, (uint8_t *)e->xml, e->xml_cap, err) == 1
               ? TR_OK
               : TR_EPARSE;
}

static void where(char *buf, size_t len, uint64_t position, uint64_t offset)
{
    long c = chunk_of(offset);
    if (offset && c >= 0)
        snprintf(buf, len, "record %" PRIu64 " (chunk %ld, offset 0x%" PRIx64 ")", position, c,
                 offset);
    else
        snprintf(buf, len, "record %" PRIu64, position);
}

/* An allocated record into e->ser: an event, or an ERROR record. */
static tr_err produce_allocated(tr_evtx_source *e, int i)
{
    libevtx_error_t *err = NULL;
    libevtx_record_t *r = NULL;
    char why[320], at[96];
    uint64_t offset = e->offsets ? e->offsets[i] : 0, said = 0;
    tr_err terr = TR_OK;
    tr_buf_reset(&e->ser);
    if (libevtx_file_get_record_by_index(e->file, i, &r, &err) != 1) {
        reason(&err, why, sizeof(why), &said);
        if (!offset)
            offset = said;
        where(at, sizeof(at), e->position, offset);
        e->st.rejected++;
        terr = tr_evtx_wire_error(&e->ser, "%s: cannot be read: %s", at, why);
        goto out;
    }
    if (e->want_keys)
        remember_key(e, r);
    terr = get_xml(e, r, &err);
    if (terr == TR_ENOMEM)
        goto out;
    if (terr) {
        if (terr == TR_ELIMIT)
            snprintf(why, sizeof(why), "its XML is larger than %zu bytes", e->xml_max);
        else
            reason(&err, why, sizeof(why), NULL);
        where(at, sizeof(at), e->position, offset);
        e->st.rejected++;
        terr = tr_evtx_wire_error(&e->ser, "%s: cannot be decoded: %s", at, why);
        goto out;
    }
    terr = tr_evtx_xml_to_wire(e->xml, strlen(e->xml), e->xml_flags, 0, &e->ser, why,
                               sizeof(why));
    if (terr == TR_EPARSE || terr == TR_ELIMIT) {
        where(at, sizeof(at), e->position, offset);
        e->st.rejected++;
        tr_buf_reset(&e->ser);
        terr = tr_evtx_wire_error(&e->ser, "%s: %s", at,
                                  terr == TR_EPARSE ? why : "event larger than the record limit");
    }
out:
    if (r)
        libevtx_record_free(&r, NULL);
    e->pend_offset = offset;
    if (offset > e->bytes)
        e->bytes = offset;
    return terr;
}

/* A recovered record into e->ser. Returns TR_ESKIP when it is a copy of an
 * allocated record or cannot be decoded (a fragment). */
static tr_err produce_recovered(tr_evtx_source *e, int j)
{
    libevtx_error_t *err = NULL;
    libevtx_record_t *r = NULL;
    tr_err terr = TR_ESKIP;
    tr_buf_reset(&e->ser);
    if (libevtx_file_get_recovered_record_by_index(e->file, j, &r, &err) != 1) {
        libevtx_error_free(&err);
        e->st.fragments++;
        return TR_ESKIP;
    }
    e->pend_offset = 0; /* libevtx does not say where (its record offset is always 0) */
    if (is_copy(e, r)) {
        e->st.duplicates++;
    } else if ((terr = get_xml(e, r, &err)) != TR_OK) {
        libevtx_error_free(&err);
        if (terr != TR_ENOMEM) {
            e->st.fragments++;
            terr = TR_ESKIP;
        }
    } else {
        char why[200];
        terr = tr_evtx_xml_to_wire(e->xml, strlen(e->xml), e->xml_flags,
                                   TR_EVTX_WIRE_RECOVERED, &e->ser, why, sizeof(why));
        if (terr == TR_EPARSE || terr == TR_ELIMIT) {
            e->st.fragments++;
            terr = TR_ESKIP;
        } else if (!terr) {
            e->st.recovered++;
        }
    }
    libevtx_record_free(&r, NULL);
    return terr;
}

static void summarise(tr_evtx_source *e)
{
    const tr_evtx_source_stats *s = &e->st;
    if (s->recovered || s->duplicates || s->fragments)
        tr_log_at(TR_LOG_INFO, e->path, 0,
                  "%" PRIu64 " record%s recovered from chunk free space; %" PRIu64
                  " recovered cop%s of allocated records skipped; %" PRIu64
                  " fragment%s in free space could not be decoded",
                  s->recovered, s->recovered == 1 ? "" : "s", s->duplicates,
                  s->duplicates == 1 ? "y" : "ies", s->fragments, s->fragments == 1 ? "" : "s");
}

/* The next record into e->ser (pend_offset, pend_cursor set), or TR_EEOF. */
static tr_err produce(tr_evtx_source *e)
{
    for (;;) {
        switch (e->phase) {
        case PH_ALLOCATED:
            if (e->idx >= e->nalloc) {
                e->phase = PH_RECOVERED;
                e->idx = 0;
                continue;
            }
            e->pend_cursor = (uint64_t)e->idx + 1;
            return produce_allocated(e, e->idx++);
        case PH_RECOVERED: {
            if (e->idx >= e->nrecov) {
                e->phase = PH_DONE;
                e->bytes = e->file_size;
                summarise(e);
                return TR_EEOF;
            }
            if (e->want_keys && !e->keys_sorted) {
                if (!e->keys_complete) { /* resumed past some allocated records */
                    e->nkeys = 0;
                    rebuild_keys(e);
                }
                if (e->nkeys)
                    qsort(e->keys, e->nkeys, sizeof(rkey), key_cmp);
                e->keys_sorted = true;
            }
            int j = e->idx++;
            e->pend_cursor = (uint64_t)e->nalloc + (uint64_t)j + 1;
            tr_err err = produce_recovered(e, j);
            if (err == TR_ESKIP) {
                e->cursor = e->pend_cursor; /* nothing handed out, but consumed */
                continue;
            }
            return err;
        }
        default:
            return TR_EEOF;
        }
    }
}

tr_err tr_evtx_source_next(tr_evtx_source *e, tr_record *rec)
{
    e->errmsg[0] = '\0';
    if (!e->pending) {
        tr_err err = produce(e);
        if (err) {
            if (err != TR_EEOF)
                snprintf(e->errmsg, sizeof(e->errmsg), "%s", tr_strerror(err));
            return err;
        }
    }
    e->pending = false;
    rec->data = (tr_str){ e->ser.p, e->ser.n };
    rec->line = 0;
    rec->offset = e->pend_offset;
    rec->status = TR_OK;
    e->position++;
    e->cursor = e->pend_cursor;
    return TR_OK;
}

tr_err tr_evtx_source_next_block(tr_evtx_source *e, tr_block *b)
{
    e->errmsg[0] = '\0';
    b->nrecs = 0;
    b->len = 0;
    b->eof = false;
    while (b->nrecs < b->maxrecs) {
        if (!e->pending) {
            tr_err err = produce(e);
            if (err == TR_EEOF) {
                b->eof = true;
                break;
            }
            if (err) {
                snprintf(e->errmsg, sizeof(e->errmsg), "%s", tr_strerror(err));
                return err;
            }
            e->pending = true;
        }
        if (b->cap - b->len < e->ser.n) {
            if (b->nrecs > 0)
                break; /* the next block starts with it */
            char *nb = tr_realloc(b->buf, e->ser.n);
            if (!nb) {
                snprintf(e->errmsg, sizeof(e->errmsg), "out of memory for a %zu-byte block",
                         e->ser.n);
                return TR_ENOMEM;
            }
            b->buf = nb;
            b->cap = e->ser.n;
        }
        memcpy(b->buf + b->len, e->ser.p, e->ser.n);
        tr_record *rec = &b->recs[b->nrecs++];
        rec->data = (tr_str){ b->buf + b->len, e->ser.n };
        rec->line = 0;
        rec->offset = e->pend_offset;
        rec->status = TR_OK;
        b->len += e->ser.n;
        e->pending = false;
        e->position++;
        e->cursor = e->pend_cursor;
    }
    return TR_OK;
}

uint64_t tr_evtx_source_offset(const tr_evtx_source *e)
{
    return e->cursor;
}

uint64_t tr_evtx_source_bytes_read(const tr_evtx_source *e)
{
    return e->bytes;
}

const char *tr_evtx_source_errmsg(const tr_evtx_source *e)
{
    return e->errmsg;
}

const tr_evtx_source_stats *tr_evtx_source_stats_get(const tr_evtx_source *e)
{
    return &e->st;
}
