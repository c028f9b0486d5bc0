/*
 * kafka_props.c - librdkafka properties given on the command line (-X) or in
 * a file (--kafka-config), kept in order and checked against librdkafka as
 * they are added, so that a typo is reported with the line it is on rather
 * than when a client is created much later.
 */
#include "core/common.h"

#include <librdkafka/rdkafka.h>

#include "core/vec.h"
#include "trawl/kafka.h"

#define PROPS_MAX_LINE 8192

typedef struct prop {
    char *key, *value;
} prop;

struct tr_kafka_props {
    TR_VEC(prop) v;
    rd_kafka_conf_t *check; /* scratch configuration that validates each property */
};

tr_err tr_kafka_props_new(tr_kafka_props **out)
{
    *out = NULL;
    tr_kafka_props *p = tr_calloc(1, sizeof(*p));
    if (!p)
        return TR_ENOMEM;
    p->check = rd_kafka_conf_new();
    if (!p->check) {
        tr_free(p);
        return TR_ENOMEM;
    }
    *out = p;
    return TR_OK;
}

void tr_kafka_props_free(tr_kafka_props *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->v.n; i++) {
        tr_free(p->v.v[i].key);
        tr_free(p->v.v[i].value);
    }
    TR_VEC_FREE(&p->v);
    rd_kafka_conf_destroy(p->check);
    tr_free(p);
}

tr_err tr_kafka_props_set(tr_kafka_props *p, const char *key, const char *value, char *err,
                          size_t errlen)
{
    char why[512];
    if (!*key) {
        snprintf(err, errlen, "empty property name");
        return TR_EINVAL;
    }
    if (rd_kafka_conf_set(p->check, key, value, why, sizeof(why)) != RD_KAFKA_CONF_OK) {
        snprintf(err, errlen, "%s", why);
        return TR_EINVAL;
    }
    prop pr = { tr_strndup(key, strlen(key)), tr_strndup(value, strlen(value)) };
    if (!pr.key || !pr.value || !TR_VEC_PUSH(&p->v, pr)) {
        tr_free(pr.key);
        tr_free(pr.value);
        snprintf(err, errlen, "out of memory");
        return TR_ENOMEM;
    }
    return TR_OK;
}

static char *trim(char *s, char *end)
{
    while (s < end && (*s == ' ' || *s == '\t'))
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    *end = '\0';
    return s;
}

/* Splits "key = value" in place. */
static tr_err split_kv(char *line, char **key, char **value)
{
    char *eq = strchr(line, '=');
    if (!eq)
        return TR_EINVAL;
    *key = trim(line, eq);
    *value = trim(eq + 1, eq + 1 + strlen(eq + 1));
    return TR_OK;
}

tr_err tr_kafka_props_parse(tr_kafka_props *p, const char *kv, char *err, size_t errlen)
{
    size_t n = strlen(kv);
    char *copy = tr_strndup(kv, n);
    if (!copy)
        return TR_ENOMEM;
    char *key, *value;
    tr_err e = split_kv(copy, &key, &value);
    if (e)
        snprintf(err, errlen, "'%s': expected key=value", kv);
    else
        e = tr_kafka_props_set(p, key, value, err, errlen);
    tr_free(copy);
    return e;
}

tr_err tr_kafka_props_load(tr_kafka_props *p, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? TR_ENOENT : TR_EIO;
    }
    char line[PROPS_MAX_LINE];
    uint64_t lineno = 0;
    tr_err e = TR_OK;
    while (!e && fgets(line, sizeof(line), f)) {
        lineno++;
        size_t n = strlen(line);
        if (n == sizeof(line) - 1 && line[n - 1] != '\n') {
            snprintf(err, errlen, "%s:%" PRIu64 ": line longer than %d bytes", path, lineno,
                     PROPS_MAX_LINE - 2);
            e = TR_EINVAL;
            break;
        }
        char *s = trim(line, line + n);
        if (*s == '\0' || *s == '#')
            continue;
        char *key, *value;
        if (split_kv(s, &key, &value)) {
            snprintf(err, errlen, "%s:%" PRIu64 ": expected key=value", path, lineno);
            e = TR_EINVAL;
            break;
        }
        char why[512];
        e = tr_kafka_props_set(p, key, value, why, sizeof(why));
        if (e)
            snprintf(err, errlen, "%s:%" PRIu64 ": %s", path, lineno, why);
    }
    if (!e && ferror(f)) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        e = TR_EIO;
    }
    fclose(f);
    return e;
}

size_t tr_kafka_props_count(const tr_kafka_props *p)
{
    return p ? p->v.n : 0;
}

void tr_kafka_props_get(const tr_kafka_props *p, size_t i, const char **key, const char **value)
{
    *key = p->v.v[i].key;
    *value = p->v.v[i].value;
}
