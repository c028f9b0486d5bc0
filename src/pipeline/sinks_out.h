/*
 * sinks_out.h - the last step of both hunt pipelines (files and Kafka):
 * detections of a batch to the sinks, each through the post processor
 * (correlations), whose own detections go to the sinks too.
 */
#ifndef TR_PIPELINE_SINKS_OUT_H
#define TR_PIPELINE_SINKS_OUT_H

#include "trawl/hunt.h"

typedef struct sinks_out {
    const tr_hunt_config *cfg;
    tr_hunt_stats *st;      /* detections counted here */
    tr_err err;             /* first error of a post-processor detection */
} sinks_out;

/* Writes the detections in order (internal ones only to the post processor). */
tr_err sinks_out_batch(sinks_out *o, const tr_detection *dets, size_t n);

/* End of a finite run: the post processor's closing detections. */
tr_err sinks_out_finish(sinks_out *o);

#endif
