/*
 * walk.c - expanding paths: files as given, directories walked recursively
 * in byte-wise sorted order so that every run sees files in the same order.
 */
#include "core/common.h"

#include <dirent.h>
#include <sys/stat.h>

#include "core/vec.h"
#include "trawl/input.h"
#include "trawl/log.h"

static tr_err push(tr_pathlist *list, const char *path)
{
    char *copy = tr_strndup(path, strlen(path));
    if (!copy)
        return TR_ENOMEM;
    char **np = tr_realloc(list->paths, (list->n + 1) * sizeof(*np));
    if (!np) {
        tr_free(copy);
        return TR_ENOMEM;
    }
    list->paths = np;
    list->paths[list->n++] = copy;
    return TR_OK;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static tr_err walk_dir(tr_pathlist *list, const char *dir, int depth)
{
    if (depth > 64) {
        tr_log_at(TR_LOG_WARN, dir, 0, "directory nesting deeper than 64 levels, not followed");
        return TR_OK;
    }
    DIR *d = opendir(dir);
    if (!d) {
        tr_log_at(TR_LOG_ERROR, dir, 0, "cannot open directory: %s", strerror(errno));
        return TR_OK;
    }
    TR_VEC(char *) names = { 0 };
    tr_err err = TR_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue; /* ".", "..", and hidden entries */
        char *name = tr_strndup(e->d_name, strlen(e->d_name));
        if (!name || !TR_VEC_PUSH(&names, name)) {
            tr_free(name);
            err = TR_ENOMEM;
            break;
        }
    }
    closedir(d);
    if (names.n)
        qsort(names.v, names.n, sizeof(char *), cmp_names);
    size_t dl = strlen(dir);
    bool slash = dl && dir[dl - 1] == '/';
    for (size_t i = 0; i < names.n && !err; i++) {
        size_t len = dl + 1 + strlen(names.v[i]) + 1;
        char *full = tr_malloc(len);
        if (!full) {
            err = TR_ENOMEM;
            break;
        }
        snprintf(full, len, slash ? "%s%s" : "%s/%s", dir, names.v[i]);
        struct stat st;
        if (stat(full, &st) != 0) {
            tr_log_at(TR_LOG_WARN, full, 0, "cannot stat: %s", strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            err = walk_dir(list, full, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            err = push(list, full);
        }
        tr_free(full);
    }
    for (size_t i = 0; i < names.n; i++)
        tr_free(names.v[i]);
    TR_VEC_FREE(&names);
    return err;
}

tr_err tr_pathlist_add(tr_pathlist *list, const char *path)
{
    if (strcmp(path, "-") == 0)
        return push(list, path);
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? TR_ENOENT : TR_EIO;
    if (S_ISDIR(st.st_mode))
        return walk_dir(list, path, 0);
    return push(list, path);
}

void tr_pathlist_release(tr_pathlist *list)
{
    for (size_t i = 0; i < list->n; i++)
        tr_free(list->paths[i]);
    tr_free(list->paths);
    list->paths = NULL;
    list->n = 0;
}
