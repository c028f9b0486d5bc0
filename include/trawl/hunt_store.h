/*
 * trawl/hunt_store.h - a hunt backed by a store: where to resume each
 * source comes from the store, and checkpoints go to the store's sink,
 * ordered with the detections (trawl/store.h explains the guarantees).
 */
#ifndef TR_HUNT_STORE_H
#define TR_HUNT_STORE_H

#include "trawl/correl.h"
#include "trawl/hunt.h"
#include "trawl/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tr_hunt_store tr_hunt_store;

/* sink must be a sink of st (tr_store_sink_new) that is also one of the
 * hunt's sinks. Both are borrowed and must outlive the hunt store. */
TR_API tr_err tr_hunt_store_new(tr_store *st, tr_sink *sink, tr_hunt_store **out);
/* Saves the correlation engine's windows with every checkpoint (when they
 * changed), so that a resumed hunt continues them; and restores them now
 * from the store. Call before the hunt starts. c is borrowed. */
TR_API tr_err tr_hunt_store_track_correl(tr_hunt_store *hs, tr_correl *c);

/* Sets cfg->resume, cfg->checkpoint and cfg->store_ctx. */
TR_API void tr_hunt_store_attach(tr_hunt_store *hs, tr_hunt_config *cfg);
TR_API void tr_hunt_store_free(tr_hunt_store *hs);

/* Sources the store said were unchanged, replaced, … (for the summary). */
TR_API uint64_t tr_hunt_store_count(const tr_hunt_store *hs, tr_resume_why why);

#ifdef __cplusplus
}
#endif
#endif /* TR_HUNT_STORE_H */
