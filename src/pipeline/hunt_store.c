/*
 * hunt_store.c - resume points and checkpoints of a hunt through the store
 * (see trawl/hunt_store.h).
 */
#include "core/common.h"

#include <pthread.h>

#include "core/hash.h"
#include "core/vec.h"
#include "trawl/hunt_store.h"
#include "trawl/log.h"

#define WHY_COUNT 8

struct tr_hunt_store {
    tr_store *st;
    tr_sink *sink;
    pthread_mutex_t lock;
    tr_map *by_path;              /* path -> index in srcs */
    TR_VEC(tr_store_src) srcs;
    uint64_t why[WHY_COUNT];
    tr_correl *correl;            /* saved at checkpoints, or NULL */
};

tr_err tr_hunt_store_new(tr_store *st, tr_sink *sink, tr_hunt_store **out)
{
    tr_hunt_store *hs = tr_calloc(1, sizeof(*hs));
    if (!hs)
        return TR_ENOMEM;
    hs->st = st;
    hs->sink = sink;
    hs->by_path = tr_map_new(64, 0);
    if (!hs->by_path) {
        tr_free(hs);
        return TR_ENOMEM;
    }
    pthread_mutex_init(&hs->lock, NULL);
    *out = hs;
    return TR_OK;
}

void tr_hunt_store_free(tr_hunt_store *hs)
{
    if (!hs)
        return;
    tr_map_free(hs->by_path);
    TR_VEC_FREE(&hs->srcs);
    pthread_mutex_destroy(&hs->lock);
    tr_free(hs);
}

static tr_err on_resume(void *ctx, const char *path, tr_str tenant, tr_resume_point *rp)
{
    tr_hunt_store *hs = ctx;
    tr_store_src src;
    tr_err e = tr_store_resume(hs->st, path, tenant, &src);
    if (e) {
        tr_log_at(TR_LOG_ERROR, path, 0, "store: %s", tr_store_errmsg(hs->st));
        return e;
    }
    pthread_mutex_lock(&hs->lock);
    if ((unsigned)src.why < WHY_COUNT)
        hs->why[src.why]++;
    uint64_t idx = hs->srcs.n;
    if (!TR_VEC_PUSH(&hs->srcs, src) || tr_map_put(hs->by_path, tr_str_c(path), idx)) {
        pthread_mutex_unlock(&hs->lock);
        return TR_ENOMEM;
    }
    pthread_mutex_unlock(&hs->lock);
    if (src.why != TR_RESUME_NEW && src.why != TR_RESUME_UNTRACKED)
        tr_log_at(TR_LOG_INFO, path, 0, "%s: %s", tr_resume_why_name(src.why),
                  src.skip ? "skipped" : "reading");
    rp->skip = src.skip;
    rp->offset = src.offset;
    rp->line = src.line;
    rp->record = src.record;
    rp->source_gen = src.gen;
    return TR_OK;
}

static tr_err on_checkpoint(void *ctx, const tr_checkpoint *cp)
{
    tr_hunt_store *hs = ctx;
    uint64_t idx;
    pthread_mutex_lock(&hs->lock);
    bool found = tr_map_get(hs->by_path, tr_str_c(cp->path), &idx);
    tr_store_src src = found ? hs->srcs.v[idx] : (tr_store_src){ 0 };
    pthread_mutex_unlock(&hs->lock);
    if (!found || src.id == 0)
        return TR_OK; /* untracked (stdin, pipes) */
    /* The windows first: a checkpoint must never be ahead of the state that
     * matches it (both are committed in the sink's order). */
    if (hs->correl && tr_correl_dirty(hs->correl)) {
        void *blob;
        size_t len;
        tr_err e = tr_correl_save(hs->correl, &blob, &len);
        if (!e)
            e = tr_store_sink_put_state(hs->sink, TR_CORREL_STATE_NAME, blob, len);
        tr_free(blob);
        if (e)
            return e;
    }
    return tr_store_sink_checkpoint(hs->sink, &src, cp->offset, cp->line, cp->record, cp->eof,
                                    cp->raw_bytes);
}

tr_err tr_hunt_store_track_correl(tr_hunt_store *hs, tr_correl *c)
{
    hs->correl = c;
    void *blob;
    size_t len;
    tr_err e = tr_store_get_state(hs->st, TR_CORREL_STATE_NAME, &blob, &len);
    if (e || !blob)
        return e;
    e = tr_correl_restore(c, blob, len);
    tr_free(blob);
    if (e == TR_EVERSION || e == TR_EPARSE) {
        tr_log(TR_LOG_INFO, "store: saved correlation windows are from other rules; "
                            "starting them afresh");
        return TR_OK;
    }
    return e;
}

void tr_hunt_store_attach(tr_hunt_store *hs, tr_hunt_config *cfg)
{
    cfg->resume = on_resume;
    cfg->checkpoint = on_checkpoint;
    cfg->store_ctx = hs;
}

uint64_t tr_hunt_store_count(const tr_hunt_store *hs, tr_resume_why why)
{
    return (unsigned)why < WHY_COUNT ? hs->why[why] : 0;
}
