/*
 * progress.h - a one-line progress display on a terminal's stderr.
 */
#ifndef TR_SRC_PIPELINE_PROGRESS_H
#define TR_SRC_PIPELINE_PROGRESS_H

#include "core/common.h"

typedef struct tr_progress {
    bool enabled;   /* requested and stderr is a terminal */
    bool drawn;     /* a line is on screen */
    double start;   /* monotonic seconds at init */
    double last;    /* last draw */
} tr_progress;

typedef struct tr_progress_sample {
    uint64_t bytes, total_bytes; /* raw (compressed) bytes read / to read */
    uint64_t events, detections;
    size_t source, nsources;     /* source being emitted */
} tr_progress_sample;

void tr_progress_init(tr_progress *p, bool requested);
/* Redraws at most four times a second. */
void tr_progress_draw(tr_progress *p, const tr_progress_sample *s);
/* Erases the line (before other output to stderr). */
void tr_progress_clear(tr_progress *p);

#endif
