/*
 * content.h - finding trawl's bundled detection content (content/rules,
 * content/feeds) when a command is given no rules or feeds of its own.
 */
#ifndef TR_SRC_CLI_CONTENT_H
#define TR_SRC_CLI_CONTENT_H

#include <limits.h>

#include "cli/opts.h"

typedef struct content_paths {
    char dir[PATH_MAX]; /* the content directory found */
    opt_list rules;     /* its rules directory (if any) */
    opt_list feeds;     /* every feed file (if any) */
    char **owned;       /* strings behind rules/feeds */
    size_t nowned;
} content_paths;

/* Looks in $TRAWL_CONTENT, then next to the binary (../share/trawl/content
 * when installed, ../content in the build tree), then ./content. Returns 0
 * when found. */
int content_find(content_paths *c);
void content_paths_release(content_paths *c);

#endif
