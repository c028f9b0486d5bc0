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
    uint64_t bytes, total_bytes; /* raw (compressed) bytes read / to read (0: unknown) */
    uint64_t events, detections;
    size_t source, nsources;     /* source being emitted */
} tr_progress_sample;

void tr_progress_init(tr_progress *p, bool requested);
/* The line for s after elapsed seconds (no terminal codes): "trawl: 1.2 MB /
 * 3.4 MB  …  ETA 0m05s  [1/2 files]", or "trawl: 1.2 MB read  …" without a
 * total or an ETA when total_bytes is 0 (stdin, a pipe). */
void tr_progress_format(const tr_progress_sample *s, double elapsed, char *out, size_t n);
/* Redraws at most four times a second. */
void tr_progress_draw(tr_progress *p, const tr_progress_sample *s);
/* Erases the line (before other output to stderr). */
void tr_progress_clear(tr_progress *p);

#endif
