/*
 * kafka_parts.c - the partition table of a Kafka consumer (kafka_parts.h).
 */
#include "core/common.h"

#include "pipeline/kafka_parts.h"

ktopic *kparts_topic(kparts *k, const char *name)
{
    for (size_t i = 0; i < k->topics.n; i++)
        if (strcmp(k->topics.v[i]->name, name) == 0)
            return k->topics.v[i];
    ktopic *t = tr_calloc(1, sizeof(*t));
    if (!t || !(t->name = tr_strndup(name, strlen(name))) || !TR_VEC_PUSH(&k->topics, t)) {
        if (t)
            tr_free(t->name);
        tr_free(t);
        return NULL;
    }
    t->format = k->format;
    return t;
}

ktopic *kparts_topic_of(kparts *k, const rd_kafka_topic_t *rkt)
{
    for (size_t i = 0; i < k->topics.n; i++)
        if (k->topics.v[i]->rkt == rkt)
            return k->topics.v[i];
    ktopic *t = kparts_topic(k, rd_kafka_topic_name(rkt));
    if (t)
        t->rkt = rkt;
    return t;
}

kpart *kparts_part(ktopic *t, int32_t partition)
{
    if (partition < 0)
        return NULL;
    size_t i = (size_t)partition;
    while (t->parts.n <= i)
        if (!TR_VEC_PUSH(&t->parts, NULL))
            return NULL;
    if (t->parts.v[i])
        return t->parts.v[i];
    kpart *p = tr_calloc(1, sizeof(*p));
    char path[512];
    int n = snprintf(path, sizeof(path), "kafka:%s/%" PRId32, t->name, partition);
    if (!p || n < 0 || !(p->path = tr_strndup(path, (size_t)n))) {
        tr_free(p);
        return NULL;
    }
    p->partition = partition;
    p->emitted = p->committed = -1;
    t->parts.v[i] = p;
    return p;
}

kpart *kparts_find(kparts *k, const char *topic, int32_t partition)
{
    for (size_t i = 0; i < k->topics.n; i++) {
        ktopic *t = k->topics.v[i];
        if (strcmp(t->name, topic) == 0)
            return partition >= 0 && (size_t)partition < t->parts.n ? t->parts.v[partition]
                                                                     : NULL;
    }
    return NULL;
}

void kparts_release(kparts *k)
{
    for (size_t i = 0; i < k->topics.n; i++) {
        ktopic *t = k->topics.v[i];
        for (size_t j = 0; j < t->parts.n; j++) {
            if (t->parts.v[j])
                tr_free(t->parts.v[j]->path);
            tr_free(t->parts.v[j]);
        }
        TR_VEC_FREE(&t->parts);
        tr_free(t->name);
        tr_free(t);
    }
    TR_VEC_FREE(&k->topics);
}

bool kparts_assign(kparts *k, const rd_kafka_topic_partition_list_t *l, bool assigned)
{
    bool ok = true;
    for (int i = 0; i < l->cnt; i++) {
        ktopic *t = kparts_topic(k, l->elems[i].topic);
        kpart *p = t ? kparts_part(t, l->elems[i].partition) : NULL;
        if (!p) {
            ok = false;
            continue;
        }
        p->assigned = assigned;
        if (assigned) {
            p->eof = false;
            p->emitted = p->committed = -1;
        }
    }
    return ok;
}

rd_kafka_topic_partition_list_t *kparts_to_commit(kparts *k)
{
    rd_kafka_topic_partition_list_t *l = NULL;
    for (size_t i = 0; i < k->topics.n; i++) {
        ktopic *t = k->topics.v[i];
        for (size_t j = 0; j < t->parts.n; j++) {
            kpart *p = t->parts.v[j];
            if (!p || !p->assigned || p->emitted <= p->committed)
                continue;
            if (!l && !(l = rd_kafka_topic_partition_list_new(8)))
                return NULL;
            rd_kafka_topic_partition_list_add(l, t->name, p->partition)->offset = p->emitted;
        }
    }
    return l;
}

void kparts_committed(kparts *k, const rd_kafka_topic_partition_list_t *l)
{
    for (int i = 0; l && i < l->cnt; i++) {
        kpart *p = kparts_find(k, l->elems[i].topic, l->elems[i].partition);
        if (p && !l->elems[i].err && l->elems[i].offset > p->committed)
            p->committed = l->elems[i].offset;
    }
}

bool kparts_all_eof(const kparts *k)
{
    size_t assigned = 0;
    for (size_t i = 0; i < k->topics.n; i++) {
        const ktopic *t = k->topics.v[i];
        for (size_t j = 0; j < t->parts.n; j++) {
            const kpart *p = t->parts.v[j];
            if (!p || !p->assigned)
                continue;
            if (!p->eof)
                return false;
            assigned++;
        }
    }
    return assigned > 0;
}

void kparts_names(const rd_kafka_topic_partition_list_t *l, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < l->cnt && used + 1 < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s/%" PRId32, i ? " " : "", l->elems[i].topic,
                         l->elems[i].partition);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}
