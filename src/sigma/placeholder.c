/*
 * placeholder.c - the values of |expand placeholders: from
 * `--placeholder NAME=V1,V2` and from a directory with one file per
 * placeholder (see docs/SIGMA.md). Names compare without regard to ASCII
 * case: SigmaHQ spells the same placeholder %Known_Location% and
 * %KNOWN_LOCATION%.
 */
#include "core/common.h"

#include <dirent.h>
#include <sys/stat.h>

#include "core/buf.h"
#include "sigma/load.h"

void sg_placeholders_release(sg_placeholders *ph)
{
    for (size_t i = 0; i < ph->lists.n; i++) {
        tr_free((char *)ph->lists.v[i].name.p);
        for (size_t j = 0; j < ph->lists.v[i].values.n; j++)
            tr_free((char *)ph->lists.v[i].values.v[j].p);
        TR_VEC_FREE(&ph->lists.v[i].values);
    }
    TR_VEC_FREE(&ph->lists);
    tr_map_free(ph->names);
    ph->names = NULL;
}

tr_err sg_placeholders_add(sg_placeholders *ph, tr_str name, tr_str value)
{
    if (!ph->names && !(ph->names = tr_map_new(16, TR_MAP_NOCASE)))
        return TR_ENOMEM;
    uint64_t idx;
    if (!tr_map_get(ph->names, name, &idx)) {
        struct sg_phlist l;
        memset(&l, 0, sizeof(l));
        l.name.p = tr_strndup(name.p, name.n);
        l.name.n = name.n;
        if (!l.name.p || !TR_VEC_PUSH(&ph->lists, l)) {
            tr_free((char *)l.name.p);
            return TR_ENOMEM;
        }
        idx = ph->lists.n - 1;
        tr_err err = tr_map_put(ph->names, name, idx);
        if (err)
            return err;
    }
    tr_str v = { tr_strndup(value.p ? value.p : "", value.n), value.n };
    if (!v.p || !TR_VEC_PUSH(&ph->lists.v[idx].values, v)) {
        tr_free((char *)v.p);
        return TR_ENOMEM;
    }
    return TR_OK;
}

tr_err sg_placeholders_add_spec(sg_placeholders *ph, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec)
        return TR_EINVAL;
    tr_str name = { spec, (size_t)(eq - spec) };
    if (name.n >= 2 && name.p[0] == '%' && name.p[name.n - 1] == '%') {
        name.p++;
        name.n -= 2;
    }
    if (name.n == 0)
        return TR_EINVAL;
    tr_buf v = TR_BUF_INIT;
    tr_err err = TR_OK;
    for (const char *p = eq + 1;; p++) {
        if (*p == '\\' && p[1] == ',') {
            err = tr_buf_putc(&v, ',');
            p++;
        } else if (*p == ',' || *p == '\0') {
            if (v.n)
                err = sg_placeholders_add(ph, name, (tr_str){ v.p, v.n });
            tr_buf_reset(&v);
            if (*p == '\0')
                break;
        } else {
            err = tr_buf_putc(&v, *p);
        }
        if (err)
            break;
    }
    tr_buf_release(&v);
    return err;
}

static tr_err load_file(sg_placeholders *ph, const char *path, tr_str name)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return TR_EIO;
    tr_err err = TR_OK;
    char line[8192];
    while (!err && fgets(line, sizeof(line), f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        size_t s = 0;
        while (s < n && (line[s] == ' ' || line[s] == '\t'))
            s++;
        while (n > s && (line[n - 1] == ' ' || line[n - 1] == '\t'))
            n--;
        if (n == s || line[s] == '#')
            continue;
        /* A YAML-style list item "- value" is accepted too. */
        if (line[s] == '-' && s + 1 < n && line[s + 1] == ' ') {
            s += 2;
            while (s < n && line[s] == ' ')
                s++;
            if (n - s >= 2 && ((line[s] == '\'' && line[n - 1] == '\'') ||
                               (line[s] == '"' && line[n - 1] == '"')))
                s++, n--;
        }
        err = sg_placeholders_add(ph, name, (tr_str){ line + s, n - s });
    }
    if (ferror(f))
        err = TR_EIO;
    fclose(f);
    return err;
}

tr_err sg_placeholders_load_dir(sg_placeholders *ph, const char *dir, char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, errlen, "%s: cannot open placeholder directory: %s", dir, strerror(errno));
        return TR_EINVAL;
    }
    tr_err e = TR_OK;
    struct dirent *de;
    while (!e && (de = readdir(d))) {
        const char *nm = de->d_name;
        if (nm[0] == '.')
            continue;
        size_t n = strlen(nm);
        static const char *const exts[] = { ".txt", ".yml", ".yaml", ".list" };
        for (size_t i = 0; i < TR_ARRAY_LEN(exts); i++) {
            size_t el = strlen(exts[i]);
            if (n > el && strcmp(nm + n - el, exts[i]) == 0) {
                n -= el;
                break;
            }
        }
        char path[4096];
        struct stat st;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, nm) >= sizeof(path) ||
            stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        e = load_file(ph, path, (tr_str){ nm, n });
        if (e == TR_EIO) {
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
            e = TR_EINVAL;
        }
    }
    closedir(d);
    return e;
}
