/*
 * sinks_out.c - detections to the sinks, through the post processor (see
 * sinks_out.h); one copy for the file and the Kafka pipelines.
 */
#include "core/common.h"

#include "pipeline/sinks_out.h"
#include "trawl/detect.h"

static tr_err write_all(sinks_out *o, const tr_detection *d)
{
    for (size_t i = 0; i < o->cfg->nsinks; i++) {
        tr_err e = tr_sink_write(o->cfg->sinks[i], d);
        if (e)
            return e;
    }
    o->st->detections++;
    if ((unsigned)d->kind < 3)
        o->st->by_kind[d->kind]++;
    return TR_OK;
}

static tr_err post_add(void *ctx, const tr_detection *nd)
{
    sinks_out *o = ctx;
    tr_detection c = *nd;
    if (!c.id)
        c.id = tr_detection_id(&c);
    tr_err e = (c.flags & TR_DET_INTERNAL) ? TR_OK : write_all(o, &c);
    if (e && !o->err)
        o->err = e;
    return e;
}

tr_err sinks_out_batch(sinks_out *o, const tr_detection *dets, size_t n)
{
    const tr_hunt_post *post = o->cfg->post;
    for (size_t i = 0; i < n; i++) {
        const tr_detection *d = &dets[i];
        tr_err e = (d->flags & TR_DET_INTERNAL) ? TR_OK : write_all(o, d);
        if (e)
            return e;
        if (post && post->detection) {
            e = post->detection(post->ctx, d, post_add, o);
            if (e || o->err)
                return e ? e : o->err;
        }
    }
    return TR_OK;
}

tr_err sinks_out_finish(sinks_out *o)
{
    const tr_hunt_post *post = o->cfg->post;
    if (!post || !post->finish)
        return TR_OK;
    tr_err e = post->finish(post->ctx, post_add, o);
    return e ? e : o->err;
}
