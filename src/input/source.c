/*
 * source.c - a stream cut into records (see trawl/input.h).
 *
 * The window win[0..len) holds decompressed bytes; records are handed out as
 * slices of it from pos onwards. When the bytes left do not hold a whole
 * record, they are moved to the front and the window is refilled; it grows
 * (up to max_record plus a chunk) only for records longer than a chunk.
 */
#include "core/common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input/decomp.h"
#include "input/evtx_source.h"
#include "input/frame.h"
#include "trawl/input.h"

#define SNIFF_LEN 4096

struct tr_source {
    char *path;
    int fd;
    bool own_fd;
    tr_decomp *dec;
    tr_compression comp;
    tr_format format;
    tr_framing framing;
    size_t max_record;
    size_t chunk;
    char *win;           /* window (owned) */
    size_t cap;          /* window capacity */
    size_t len;          /* valid bytes in win */
    size_t pos;          /* first unconsumed byte */
    uint64_t base;       /* stream offset of win[0] */
    uint64_t line;       /* line number of win[pos] */
    bool eof;            /* decoder exhausted */
    bool skipping;       /* discarding an oversized record up to its end */
    bool resync;         /* JSON framing: skip lines until one starts a value */
    bool bol;            /* JSON framing: win[pos] is at the beginning of a line */
    bool partial;        /* the last record cut ended the stream without its terminator */
    tr_block *block;     /* block mode: the block being filled (win is its buffer) */
    tr_evtx_source *evtx; /* EVTX: records come from here (evtx_source.c) */
    char *own_win;       /* the source's own window (NULL once block mode took over) */
    char *carry;         /* block mode: unfinished tail of the previous block */
    size_t ncarry, carry_cap;
    char errmsg[256];
};

const char *tr_compression_name(tr_compression c)
{
    switch (c) {
    case TR_COMP_GZIP: return "gzip";
    case TR_COMP_ZSTD: return "zstd";
    case TR_COMP_LZ4: return "lz4";
    default: return "none";
    }
}

static tr_err fail(tr_source *s, tr_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static tr_err fail(tr_source *s, tr_err err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->errmsg, sizeof(s->errmsg), fmt, ap);
    va_end(ap);
    return err;
}

/* Grows the window towards max_record plus a chunk; *grown false at the limit. */
static tr_err grow(tr_source *s, bool *grown)
{
    size_t ncap = TR_MIN(s->cap * 2, s->max_record + s->chunk);
    *grown = false;
    if (ncap <= s->cap)
        return TR_OK;
    char *w = tr_realloc(s->win, ncap);
    if (!w)
        return fail(s, TR_ENOMEM, "out of memory for a %zu-byte window", ncap);
    s->win = w;
    s->cap = ncap;
    if (s->block) {
        s->block->buf = w;
        s->block->cap = ncap;
    } else {
        s->own_win = w;
    }
    *grown = true;
    return TR_OK;
}

/* Reads into the free end of the window; sets eof at the end of the stream. */
static tr_err read_more(tr_source *s)
{
    size_t room = s->cap - s->len;
    if (room == 0)
        return TR_OK;
    size_t got;
    tr_err err = tr_decomp_read(s->dec, s->win + s->len, room, &got, s->errmsg,
                                sizeof(s->errmsg));
    if (err)
        return err;
    if (got == 0)
        s->eof = true;
    s->len += got;
    return TR_OK;
}

/* More bytes when the window holds no whole record past pos. In block mode a
 * full block with records in it is sealed instead (TR_EBUSY: its tail goes
 * to the next block), and one holding a single unfinished record grows. */
static tr_err fill(tr_source *s)
{
    bool grown;
    tr_err err;
    if (s->block) {
        if (s->cap - s->len < s->chunk / 2) {
            if (s->pos > 0)
                return TR_EBUSY;
            if ((err = grow(s, &grown)))
                return err;
            if (!grown)
                return TR_EBUSY;
        }
        return read_more(s);
    }
    if (s->pos > 0) {
        memmove(s->win, s->win + s->pos, s->len - s->pos);
        s->base += s->pos;
        s->len -= s->pos;
        s->pos = 0;
    }
    if (s->cap - s->len < s->chunk / 2 && (err = grow(s, &grown)))
        return err;
    return read_more(s);
}

static tr_err skip_bytes(tr_source *s, uint64_t n)
{
    while (n > 0) {
        if (s->pos == s->len) {
            if (s->eof)
                return fail(s, TR_EINVAL, "resume offset is past the end of the stream");
            s->base += s->len;
            s->pos = s->len = 0;
            tr_err err = fill(s);
            if (err)
                return err;
            continue;
        }
        size_t k = (size_t)TR_MIN(n, (uint64_t)(s->len - s->pos));
        s->pos += k;
        n -= k;
    }
    return TR_OK;
}

tr_err tr_source_open(const char *path, const tr_source_opts *opts, tr_source **out,
                      char *errbuf, size_t errlen)
{
    *out = NULL;
    tr_source_opts o = { 0 };
    if (opts)
        o = *opts;
    tr_source *s = tr_calloc(1, sizeof(*s));
    if (!s)
        return TR_ENOMEM;
    s->fd = -1;
    s->max_record = o.max_record ? o.max_record : (size_t)16 << 20;
    s->chunk = o.chunk_size ? o.chunk_size : (size_t)1 << 20;
    s->line = o.start_line ? o.start_line : 1;
    s->path = tr_strndup(path, strlen(path));
    tr_err err = TR_OK;
    unsigned char head[SNIFF_LEN];
    size_t nhead = 0;
    if (!s->path) {
        err = TR_ENOMEM;
        goto out;
    }
    if (strcmp(path, "-") == 0) {
        s->fd = STDIN_FILENO;
    } else {
        s->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (s->fd < 0) {
            err = errno == ENOENT ? TR_ENOENT : TR_EIO;
            snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
            goto out;
        }
        s->own_fd = true;
        struct stat st;
        if (fstat(s->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            snprintf(errbuf, errlen, "%s: is a directory", path);
            err = TR_EINVAL;
            goto out;
        }
    }
    /* Sniff the head for the compression magic (a short read is fine). */
    while (nhead < 8) {
        ssize_t r = read(s->fd, head + nhead, sizeof(head) - nhead);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
            err = TR_EIO;
            goto out;
        }
        if (r == 0)
            break;
        nhead += (size_t)r;
    }
    s->comp = tr_decomp_detect(head, nhead);
    err = tr_decomp_new(s->comp, s->fd, head, nhead, s->chunk, &s->dec);
    if (err)
        goto out;
    s->cap = s->chunk * 2;
    s->win = s->own_win = tr_malloc(s->cap);
    if (!s->win) {
        err = TR_ENOMEM;
        goto out;
    }
    err = fill(s);
    if (err) {
        snprintf(errbuf, errlen, "%s: %s", path, s->errmsg);
        goto out;
    }
    /* a UTF-8 byte order mark is not part of the first record */
    if (!o.start_offset && s->len >= 3 && memcmp(s->win, "\xEF\xBB\xBF", 3) == 0)
        s->pos = 3;
    s->format = o.format;
    if (s->format == TR_FMT_AUTO)
        s->format = tr_format_detect(s->win + s->pos, TR_MIN(s->len - s->pos, (size_t)SNIFF_LEN),
                                     path);
    if (s->format == TR_FMT_COUNT && s->eof && s->len == s->pos)
        s->format = TR_FMT_JSON; /* empty: no records in any format; any decoder will do */
    if (s->format == TR_FMT_COUNT) {
        snprintf(errbuf, errlen, "%s: cannot tell the format (use --input-format)", path);
        err = TR_EFORMAT;
        goto out;
    }
    s->framing = s->format == TR_FMT_EVTX ? TR_FRAME_WHOLE
                 : tr_format_is_json(s->format) ? TR_FRAME_JSON
                                                : TR_FRAME_LINES;
    if (s->format == TR_FMT_EVTX) {
        err = tr_evtx_source_open(s->path, s->fd, s->comp, s->dec, s->win, s->len, &o, &s->evtx,
                                  errbuf, errlen);
        goto out;
    }
    if (o.start_offset) {
        s->line = o.start_line ? o.start_line : 1;
        err = skip_bytes(s, o.start_offset);
        if (err) {
            snprintf(errbuf, errlen, "%s: %s", path, s->errmsg);
            goto out;
        }
    }
out:
    if (err) {
        tr_source_free(s);
        return err;
    }
    *out = s;
    return TR_OK;
}

void tr_source_free(tr_source *s)
{
    if (!s)
        return;
    tr_evtx_source_free(s->evtx);
    tr_decomp_free(s->dec);
    if (s->own_fd && s->fd >= 0)
        close(s->fd);
    tr_free(s->own_win);
    tr_free(s->carry);
    tr_free(s->path);
    tr_free(s);
}

const char *tr_source_path(const tr_source *s)
{
    return s->path;
}

tr_format tr_source_format(const tr_source *s)
{
    return s->format;
}

tr_compression tr_source_compression(const tr_source *s)
{
    return s->comp;
}

tr_framing tr_source_framing(const tr_source *s)
{
    return s->framing;
}

const char *tr_source_errmsg(const tr_source *s)
{
    return s->evtx ? tr_evtx_source_errmsg(s->evtx) : s->errmsg;
}

uint64_t tr_source_offset(const tr_source *s)
{
    return s->evtx ? tr_evtx_source_offset(s->evtx) : s->base + s->pos;
}

uint64_t tr_source_line(const tr_source *s)
{
    return s->line;
}

uint64_t tr_source_bytes_read(const tr_source *s)
{
    return s->evtx ? tr_evtx_source_bytes_read(s->evtx) : tr_decomp_bytes_in(s->dec);
}

static uint64_t count_newlines(const char *p, size_t n)
{
    uint64_t k = 0;
    const char *end = p + n;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        k++;
        p++;
    }
    return k;
}

/* Consumes win[pos..end) plus a following newline, keeping the line count. */
static void consume(tr_source *s, size_t end)
{
    s->line += count_newlines(s->win + s->pos, end - s->pos);
    s->pos = end;
}

static tr_err next_line(tr_source *s, tr_record *rec)
{
    for (;;) {
        const char *start = s->win + s->pos;
        size_t avail = s->len - s->pos;
        const char *nl = memchr(start, '\n', avail);
        if (s->skipping) {
            if (nl) {
                s->pos += (size_t)(nl - start) + 1;
                s->line++;
                s->skipping = false;
                continue;
            }
            s->pos = s->len;
            if (s->eof)
                return TR_EEOF;
            tr_err err = fill(s);
            if (err)
                return err;
            continue;
        }
        if (!nl && !s->eof) {
            if (avail > s->max_record) {
                rec->data = (tr_str){ start, 0 };
                rec->line = s->line;
                rec->offset = s->base + s->pos;
                s->skipping = true;
                fail(s, TR_ELIMIT, "record longer than %zu bytes skipped", s->max_record);
                return TR_ELIMIT;
            }
            tr_err err = fill(s);
            if (err)
                return err;
            continue;
        }
        if (!nl && avail == 0)
            return TR_EEOF;
        size_t n = nl ? (size_t)(nl - start) : avail;
        rec->line = s->line;
        rec->offset = s->base + s->pos;
        s->pos += n + (nl ? 1 : 0);
        if (nl)
            s->line++;
        s->partial = !nl;
        if (n > s->max_record) {
            rec->data = (tr_str){ start, 0 };
            return fail(s, TR_ELIMIT, "record longer than %zu bytes skipped", s->max_record);
        }
        size_t m = n;
        if (m && start[m - 1] == '\r')
            m--;
        if (m == 0) {
            s->partial = false;
            continue; /* blank lines are not records */
        }
        rec->data = (tr_str){ start, m };
        return TR_OK;
    }
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static tr_err next_json(tr_source *s, tr_record *rec)
{
    for (;;) {
        /* skip whitespace between values */
        while (s->pos < s->len && is_ws(s->win[s->pos])) {
            s->bol = s->win[s->pos] == '\n';
            s->line += s->bol;
            s->pos++;
        }
        if (s->pos == s->len) {
            if (s->eof)
                return TR_EEOF;
            tr_err err = fill(s);
            if (err)
                return err;
            continue;
        }
        const char *start = s->win + s->pos;
        size_t avail = s->len - s->pos;
        char c = start[0];
        if (s->resync && s->bol && (c == '{' || c == '['))
            s->resync = false; /* a value starting a line: framing is back in step */
        s->bol = false;
        if (s->resync || (c != '{' && c != '[')) {
            /* not the start of a value: report the line once, then skip it */
            const char *nl = memchr(start, '\n', avail);
            if (!nl && !s->eof && avail <= s->max_record) {
                tr_err err = fill(s);
                if (err)
                    return err;
                continue;
            }
            size_t n = nl ? (size_t)(nl - start) : avail;
            bool report = !s->resync;
            rec->line = s->line;
            rec->offset = s->base + s->pos;
            rec->data = (tr_str){ start, n };
            s->pos += n;
            if (report) {
                s->partial = !nl;
                if (tr_format_header_line(s->format, rec->data))
                    return TR_OK; /* e.g. evtx_dump's "Record N": the reader skips it */
                return fail(s, TR_EPARSE, "expected a JSON object or array");
            }
            continue;
        }
        size_t end;
        tr_frame_status st = tr_frame_json_end(start, avail, &end);
        if (st == TR_FRAME_INCOMPLETE && !s->eof) {
            if (avail > s->max_record) {
                rec->line = s->line;
                rec->offset = s->base + s->pos;
                rec->data = (tr_str){ start, 0 };
                s->bol = s->win[s->len - 1] == '\n';
                consume(s, s->len);
                s->resync = true;
                return fail(s, TR_ELIMIT, "record longer than %zu bytes skipped", s->max_record);
            }
            tr_err err = fill(s);
            if (err)
                return err;
            continue;
        }
        s->partial = st == TR_FRAME_INCOMPLETE;
        if (s->partial)
            end = avail; /* truncated last value: the parser reports it */
        rec->line = s->line;
        rec->offset = s->base + s->pos;
        rec->data = (tr_str){ start, end };
        consume(s, s->pos + end);
        if (end > s->max_record) {
            rec->data.n = 0;
            return fail(s, TR_ELIMIT, "record longer than %zu bytes skipped", s->max_record);
        }
        return TR_OK;
    }
}

static tr_err next_record(tr_source *s, tr_record *rec)
{
    switch (s->framing) {
    case TR_FRAME_JSON:
        return next_json(s, rec);
    case TR_FRAME_LINES:
        return next_line(s, rec);
    default:
        return fail(s, TR_EUNSUPPORTED, "binary format %s is not read as records",
                    tr_format_name(s->format));
    }
}

const char *tr_source_status_msg(const tr_source *s, tr_err status)
{
    static _Thread_local char msg[96];
    switch (status) {
    case TR_ELIMIT:
        snprintf(msg, sizeof(msg), "record longer than %zu bytes skipped", s->max_record);
        return msg;
    case TR_EPARSE:
        return "expected a JSON object or array";
    default:
        return tr_strerror(status);
    }
}

tr_err tr_source_next_block(tr_source *s, tr_block *b)
{
    b->partial = false;
    if (s->evtx)
        return tr_evtx_source_next_block(s->evtx, b);
    if (s->framing == TR_FRAME_WHOLE)
        return fail(s, TR_EUNSUPPORTED, "binary format %s is not read as records",
                    tr_format_name(s->format));
    /* The unfinished tail: from the source's own window the first time, then
     * from the previous block. */
    const char *tail = s->block ? s->carry : s->win + s->pos;
    size_t ntail = s->block ? s->ncarry : s->len - s->pos;
    uint64_t tail_base = s->block ? s->base : s->base + s->pos;
    if (b->cap < ntail + s->chunk) {
        size_t ncap = ntail + s->chunk;
        char *w = tr_realloc(b->buf, ncap);
        if (!w)
            return fail(s, TR_ENOMEM, "out of memory for a %zu-byte block", ncap);
        b->buf = w;
        b->cap = ncap;
    }
    if (ntail) /* tail is NULL before the first read */
        memcpy(b->buf, tail, ntail);
    if (s->own_win) {
        tr_free(s->own_win);
        s->own_win = NULL;
    }
    s->block = b;
    s->win = b->buf;
    s->cap = b->cap;
    s->len = ntail;
    s->pos = 0;
    s->base = tail_base;
    b->nrecs = 0;
    b->eof = false;
    tr_err err = TR_OK;
    while (b->nrecs < b->maxrecs) {
        tr_record *rec = &b->recs[b->nrecs];
        tr_err e = next_record(s, rec);
        if (e == TR_OK || e == TR_ELIMIT || e == TR_EPARSE) {
            rec->status = e;
            b->nrecs++;
            continue;
        }
        if (e == TR_EEOF) {
            b->eof = true;
            b->partial = b->nrecs > 0 && s->partial;
        } else if (e != TR_EBUSY)
            err = e;
        break;
    }
    b->len = s->len;
    /* Keep the tail: the caller may release this block before the next call. */
    size_t ntail2 = s->len - s->pos;
    if (ntail2 > s->carry_cap) {
        char *c = tr_realloc(s->carry, ntail2);
        if (!c)
            return fail(s, TR_ENOMEM, "out of memory for a %zu-byte record tail", ntail2);
        s->carry = c;
        s->carry_cap = ntail2;
    }
    if (ntail2)
        memcpy(s->carry, s->win + s->pos, ntail2);
    s->ncarry = ntail2;
    s->base += s->pos;
    s->win = NULL;
    s->len = s->pos = s->cap = 0;
    return err;
}

tr_err tr_source_next(tr_source *s, tr_record *rec)
{
    s->errmsg[0] = '\0';
    if (s->evtx)
        return rec->status = tr_evtx_source_next(s->evtx, rec);
    if (s->block)
        return fail(s, TR_EINVAL, "source is in block mode");
    tr_err err = next_record(s, rec);
    rec->status = err;
    return err;
}
