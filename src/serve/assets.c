/*
 * assets.c - the dashboard's files, compiled into the binary (the table is
 * generated from src/serve/www/ by src/serve/embed.sh). A path is looked up
 * in that table and nothing else: no file system access, so no traversal.
 */
#include "core/common.h"

#include "serve/serve_int.h"

const serve_asset *serve_asset_find(const char *path)
{
    if (strcmp(path, "/") == 0)
        path = "/index.html";
    for (size_t i = 0; i < serve_nassets; i++)
        if (strcmp(serve_assets[i].path, path) == 0)
            return &serve_assets[i];
    return NULL;
}
