/*
 * batch.c - batches of records and their output (see batch.h).
 */
#include "core/common.h"

#include "pipeline/batch.h"

/* Output per batch is bounded: a block of a few MiB cannot justify more. */
#define BATCH_OUT_CAP ((size_t)512 << 20)
#define BATCH_DIAG_CAP ((size_t)1 << 20)

batch *batch_new(size_t block_size, size_t maxrecs)
{
    batch *b = tr_calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->block.buf = tr_malloc(block_size);
    b->block.cap = block_size;
    b->block.recs = tr_malloc(maxrecs * sizeof(tr_record));
    b->block.maxrecs = maxrecs;
    b->out = tr_arena_new(64 * 1024, BATCH_OUT_CAP);
    tr_buf_init(&b->diag, BATCH_DIAG_CAP);
    if (!b->block.buf || !b->block.recs || !b->out) {
        batch_free(b);
        return NULL;
    }
    return b;
}

void batch_free(batch *b)
{
    if (!b)
        return;
    tr_free(b->block.buf);
    tr_free(b->block.recs);
    tr_arena_free(b->out);
    tr_buf_release(&b->diag);
    TR_VEC_FREE(&b->dets);
    tr_free(b);
}

void batch_reset(batch *b)
{
    b->next = NULL;
    b->eof = b->read_failed = false;
    b->read_error[0] = '\0';
    b->headers = NULL;
    b->dets.n = 0;
    tr_arena_reset(b->out);
    tr_buf_reset(&b->diag);
    b->ndiag = 0;
    b->events = b->rejected = b->truncated = b->scan_errors = b->dropped = 0;
    b->unparsed = 0;
    b->seconds = 0;
    b->raw_bytes = 0;
}

static bool copy_str(tr_arena *a, tr_str *s)
{
    if (!s->n) {
        *s = (tr_str){ "", 0 };
        return true;
    }
    tr_str c = tr_arena_strdup(a, s->p, s->n);
    if (!c.p)
        return false;
    *s = c;
    return true;
}

tr_err batch_add_detection(batch *b, const tr_detection *d)
{
    tr_arena *a = b->out;
    tr_detection c = *d;
    bool ok = copy_str(a, &c.tenant) && copy_str(a, &c.rule_id) && copy_str(a, &c.rule_title) &&
              copy_str(a, &c.level) && copy_str(a, &c.path) && copy_str(a, &c.first_path) &&
              copy_str(a, &c.logsource.product) && copy_str(a, &c.logsource.service) &&
              copy_str(a, &c.indicator.value) && copy_str(a, &c.indicator.type) &&
              copy_str(a, &c.indicator.feed) && copy_str(a, &c.indicator.actor) &&
              copy_str(a, &c.indicator.field);
    for (unsigned i = 0; ok && i < c.logsource.ncategory; i++)
        ok = copy_str(a, &c.logsource.category[i]);
    if (ok && c.ntags) {
        tr_str *t = tr_arena_alloc(a, c.ntags * sizeof(tr_str));
        ok = t != NULL;
        for (uint32_t i = 0; ok && i < c.ntags; i++) {
            t[i] = d->tags[i];
            ok = copy_str(a, &t[i]);
        }
        c.tags = t;
    }
    const tr_kv *src[2] = { d->fields, d->group };
    uint32_t nsrc[2] = { d->nfields, d->ngroup };
    const tr_kv **dst[2] = { &c.fields, &c.group };
    for (int k = 0; ok && k < 2; k++) {
        if (!nsrc[k])
            continue;
        tr_kv *kv = tr_arena_alloc(a, nsrc[k] * sizeof(tr_kv));
        ok = kv != NULL;
        for (uint32_t i = 0; ok && i < nsrc[k]; i++) {
            kv[i] = src[k][i];
            ok = copy_str(a, &kv[i].key) && copy_str(a, &kv[i].value);
        }
        *dst[k] = kv;
    }
    if (ok && c.ncontributing) {
        uint64_t *ids = tr_arena_alloc(a, c.ncontributing * sizeof(uint64_t));
        ok = ids != NULL;
        if (ok)
            memcpy(ids, d->contributing, c.ncontributing * sizeof(uint64_t));
        c.contributing = ids;
    }
    if (!ok) {
        b->dropped++;
        return TR_ELIMIT;
    }
    if (!c.id)
        c.id = tr_detection_id(&c);
    if (!TR_VEC_PUSH(&b->dets, c)) {
        b->dropped++;
        return TR_ENOMEM;
    }
    return TR_OK;
}

void batch_diag(batch *b, const char *path, uint64_t line, const char *fmt, ...)
{
    b->ndiag++;
    if (line)
        tr_buf_printf(&b->diag, "trawl: %s:%" PRIu64 ": ", path, line);
    else
        tr_buf_printf(&b->diag, "trawl: %s: ", path);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    tr_buf_append(&b->diag, msg, strlen(msg));
    tr_buf_putc(&b->diag, '\n');
}
