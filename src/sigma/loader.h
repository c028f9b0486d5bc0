/*
 * loader.h - the state of one tr_ruleset_load(): diagnostics, placeholder
 * values, the filter tenant in effect, and the documents still to be
 * resolved (filter and correlation references) once every file is read.
 */
#ifndef TR_SRC_SIGMA_LOADER_H
#define TR_SRC_SIGMA_LOADER_H

#include "core/common.h"

#include "sigma/load.h"

typedef struct sg_correl_raw {
    const sg_ynode *rules;   /* the `rules:` node (scalar or list) */
    const sg_ynode *aliases; /* the `aliases:` node or NULL */
} sg_correl_raw;

typedef struct sg_loader {
    tr_ruleset *rs;
    const tr_sigma_opts *opts;
    sg_placeholders ph;
    tr_arena *yaml_arena;      /* YAML trees of every file (kept until the end: correlation
                                  references are resolved after all files) */
    tr_str tenant;             /* filters loaded now apply to this tenant only */
    bool filters_only;         /* loading a filter directory: other documents are errors */
    TR_VEC(sg_correl_raw) correl_raw; /* parallel to rs->correls */
} sg_loader;

/* Reports one diagnostic (callback or log) and counts warnings. */
void sg_diag(sg_loader *L, tr_sigma_diag_level level, const char *path, uint64_t line,
             const char *kind, tr_str title, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Loads every document of one YAML text. path must live in rs->arena. */
tr_err sg_load_text(sg_loader *L, const char *path, const char *text, size_t n);

/* After every file: attach filters, resolve and validate correlations. */
tr_err sg_load_finish(sg_loader *L);

#endif
