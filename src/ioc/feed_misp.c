/*
 * feed_misp.c - MISP event JSON: {"Event":{…}}, {"response":[…]}, a list
 * of events, or a bare event; attributes and object attributes (a file
 * object's md5/sha256/filename, an ip-port object's ip-dst).
 *
 * Only attributes flagged to_ids ("actionable for detection") become
 * indicators unless misp_all_attributes is set. The actor comes from the
 * threat-actor (or mitre-intrusion-set) galaxy: a Galaxy/GalaxyCluster block
 * or a tag misp-galaxy:threat-actor="APT41", on the attribute or else on its
 * event. An attribute is added as soon as its object ends (nothing of the
 * document is kept, and the pages read are handed back as the reader goes);
 * because the event's galaxy may follow its attributes in the document, the
 * event's actor is set on its records when the event ends. Types that are no
 * indicators (comment, text, regkey, port …) are skipped and counted, not
 * rejected.
 */
#include "core/common.h"

#include "core/time.h"
#include "ioc/jsonfeed.h"

typedef struct mattr {
    tr_json_tok type, value, uuid;
    bool to_ids, deleted;
    int64_t first_seen, last_seen;
    tr_str actor; /* attribute-level galaxy */
    size_t off;
} mattr;

typedef struct misp_ctx {
    ioc_feed_ctx *c;
    const char *data;
    size_t from_off;
    uint64_t from_line;
    char buf[IOC_MAX_VALUE + 64];
    char abuf[256];  /* event actor text */
} misp_ctx;

/* "misp-galaxy:threat-actor=\"APT41\"" → APT41. */
static tr_str actor_from_tag(tr_str tag)
{
    static const char *const prefixes[] = { "misp-galaxy:threat-actor=",
                                            "misp-galaxy:mitre-intrusion-set=" };
    for (size_t i = 0; i < TR_ARRAY_LEN(prefixes); i++) {
        size_t l = strlen(prefixes[i]);
        if (tag.n > l && memcmp(tag.p, prefixes[i], l) == 0) {
            tr_str v = { tag.p + l, tag.n - l };
            if (v.n >= 2 && v.p[0] == '"' && v.p[v.n - 1] == '"') {
                v.p++;
                v.n -= 2;
            }
            /* "APT41 - G0096" (ATT&CK cluster names) → APT41 */
            for (size_t k = 0; k + 4 < v.n; k++)
                if (memcmp(v.p + k, " - G", 4) == 0) {
                    v.n = k;
                    break;
                }
            return v;
        }
    }
    return (tr_str){ NULL, 0 };
}

static bool truthy(const tr_json_tok *t)
{
    if (t->type == TR_JSON_TRUE)
        return true;
    if (t->type == TR_JSON_STRING || t->type == TR_JSON_NUMBER)
        return t->text.n == 1 ? t->text.p[0] == '1' : tr_json_str_is(t, "true");
    return false;
}

/* Tag list: the first galaxy actor among the tags. */
static tr_str tags_actor(tr_json *j, char *buf, size_t cap)
{
    tr_str actor = { NULL, 0 };
    tr_json_tok e, k, v;
    while (tr_json_element(j, &e)) {
        if (e.type != TR_JSON_OBJ_BEGIN) {
            if (tr_json_skip(j, &e) != TR_OK)
                break;
            continue;
        }
        while (tr_json_member(j, &k)) {
            if (!ioc_jvalue(j, &v))
                return actor;
            if (!actor.n && tr_json_str_is(&k, "name")) {
                tr_str a = actor_from_tag(ioc_jstr(&v, buf, cap));
                if (a.n)
                    actor = a;
            }
        }
    }
    return actor;
}

/* Galaxy list: clusters of galaxies of type threat-actor / mitre-intrusion-set. */
static tr_str galaxy_actor(tr_json *j, char *buf, size_t cap)
{
    tr_str actor = { NULL, 0 };
    tr_json_tok e, k, v;
    while (tr_json_element(j, &e)) {
        if (e.type != TR_JSON_OBJ_BEGIN) {
            if (tr_json_skip(j, &e) != TR_OK)
                break;
            continue;
        }
        bool actor_galaxy = false;
        tr_str first = { NULL, 0 };
        while (tr_json_member(j, &k)) {
            if (tr_json_str_is(&k, "GalaxyCluster")) {
                if (tr_json_next(j, &v) != TR_JSON_ARR_BEGIN) {
                    if (tr_json_skip(j, &v) != TR_OK)
                        return actor;
                    continue;
                }
                tr_json_tok ce;
                while (tr_json_element(j, &ce)) {
                    if (ce.type != TR_JSON_OBJ_BEGIN) {
                        if (tr_json_skip(j, &ce) != TR_OK)
                            return actor;
                        continue;
                    }
                    tr_json_tok ck, cv;
                    while (tr_json_member(j, &ck)) {
                        if (!ioc_jvalue(j, &cv))
                            return actor;
                        if (!first.n && tr_json_str_is(&ck, "value"))
                            first = ioc_jstr(&cv, buf, cap);
                        else if (!first.n && tr_json_str_is(&ck, "tag_name"))
                            first = actor_from_tag(ioc_jstr(&cv, buf, cap));
                    }
                }
                continue;
            }
            if (!ioc_jvalue(j, &v))
                return actor;
            if (tr_json_str_is(&k, "type"))
                actor_galaxy = tr_json_str_is(&v, "threat-actor") ||
                               tr_json_str_is(&v, "mitre-intrusion-set");
        }
        if (actor_galaxy && first.n && !actor.n) {
            actor = first;
            tr_str a = actor_from_tag(first); /* cluster values never carry the prefix */
            if (a.n)
                actor = a;
            for (size_t i = 0; i + 4 < actor.n; i++)
                if (memcmp(actor.p + i, " - G", 4) == 0) {
                    actor.n = i;
                    break;
                }
        }
    }
    return actor;
}

/* Copies an actor name into stable storage for the event's lifetime. */
static tr_str keep(char *dst, size_t cap, tr_str s)
{
    size_t n = TR_MIN(s.n, cap - 1);
    if (s.p != dst)
        memmove(dst, s.p, n);
    return (tr_str){ dst, n };
}

static tr_err attribute_list(misp_ctx *m, tr_json *j);
static tr_err add_attribute(misp_ctx *m, const mattr *a);

/* One attribute object (its '{' was just read). */
static tr_err attribute(misp_ctx *m, tr_json *j, size_t off)
{
    mattr a;
    memset(&a, 0, sizeof(a));
    a.first_seen = a.last_seen = TR_TS_NONE;
    a.off = off;
    char tmp[256], own[1024];
    tr_json_tok k, v;
    while (tr_json_member(j, &k)) {
        if (tr_json_str_is(&k, "Tag") || tr_json_str_is(&k, "Galaxy")) {
            if (tr_json_next(j, &v) != TR_JSON_ARR_BEGIN) {
                if (tr_json_skip(j, &v) != TR_OK)
                    return TR_OK;
                continue;
            }
            tr_str act = tr_json_str_is(&k, "Tag") ? tags_actor(j, tmp, sizeof(tmp))
                                                    : galaxy_actor(j, tmp, sizeof(tmp));
            if (act.n && !a.actor.n)
                a.actor = keep(own, sizeof(own), act); /* tmp is reused */
            continue;
        }
        if (!ioc_jvalue(j, &v))
            break;
        if (tr_json_str_is(&k, "type"))
            a.type = v;
        else if (tr_json_str_is(&k, "value"))
            a.value = v;
        else if (tr_json_str_is(&k, "uuid"))
            a.uuid = v;
        else if (tr_json_str_is(&k, "to_ids"))
            a.to_ids = truthy(&v);
        else if (tr_json_str_is(&k, "deleted"))
            a.deleted = truthy(&v);
        else if (tr_json_str_is(&k, "first_seen") || tr_json_str_is(&k, "last_seen")) {
            tr_str s = ioc_jstr(&v, tmp, sizeof(tmp));
            int64_t ns;
            if (s.n && tr_time_parse_any(s.p, s.n, &ns) == TR_OK) {
                if (tr_json_str_is(&k, "first_seen"))
                    a.first_seen = ns;
                else
                    a.last_seen = ns;
            }
        }
    }
    tr_err err = add_attribute(m, &a);
    ioc_feed_consumed(m->c, m->data, off);
    return err;
}

static tr_err attribute_list(misp_ctx *m, tr_json *j)
{
    tr_json_tok e;
    while (tr_json_element(j, &e)) {
        if (e.type != TR_JSON_OBJ_BEGIN) {
            if (tr_json_skip(j, &e) != TR_OK)
                break;
            continue;
        }
        tr_err err = attribute(m, j, e.off);
        if (err)
            return err;
    }
    return TR_OK;
}

/* "Object": [{ "name": "file", "Attribute": [...] }, …] */
static tr_err object_list(misp_ctx *m, tr_json *j)
{
    tr_json_tok e, k, v;
    while (tr_json_element(j, &e)) {
        if (e.type != TR_JSON_OBJ_BEGIN) {
            if (tr_json_skip(j, &e) != TR_OK)
                break;
            continue;
        }
        while (tr_json_member(j, &k)) {
            if (tr_json_str_is(&k, "Attribute")) {
                if (tr_json_next(j, &v) == TR_JSON_ARR_BEGIN) {
                    tr_err err = attribute_list(m, j);
                    if (err)
                        return err;
                } else if (tr_json_skip(j, &v) != TR_OK) {
                    return TR_OK;
                }
            } else if (!ioc_jvalue(j, &v)) {
                return TR_OK;
            }
        }
    }
    return TR_OK;
}

/* Adds one attribute's values with its own actor; the event's actor, if
 * any, is set when the event ends. */
static tr_err add_attribute(misp_ctx *m, const mattr *a)
{
    tr_ioc_builder *b = m->c->b;
    /* lines are counted for every attribute: the pages before it are handed
     * back after it and never read again */
    uint64_t line = ioc_line_at(m->data, a->off, &m->from_off, &m->from_line);
    if (a->deleted || (!a->to_ids && !b->opts.misp_all_attributes)) {
        b->skipped++;
        return TR_OK;
    }
    char id[64], tbuf[64];
    tr_str uuid = ioc_jstr(&a->uuid, id, sizeof(id) - 1);
    snprintf(id, sizeof(id), "%.*s", (int)TR_MIN(uuid.n, 60), uuid.p);
    tr_str label = ioc_jstr(&a->type, tbuf, sizeof(tbuf));
    tr_ioc_type t1, t2;
    if (!label.n || !ioc_label_type(label, &t1, &t2)) {
        b->skipped++; /* not an indicator type */
        return TR_OK;
    }
    tr_str value = ioc_jstr(&a->value, m->buf, sizeof(m->buf));
    if (!value.n) {
        ioc_reject(b, m->c->path, line, id[0] ? id : NULL, "attribute without a value");
        return TR_OK;
    }
    tr_str halves[2] = { value, { NULL, 0 } };
    const char *bar = memchr(label.p, '|', label.n) ? memchr(value.p, '|', value.n) : NULL;
    if (bar) {
        halves[0] = (tr_str){ value.p, (size_t)(bar - value.p) };
        halves[1] = (tr_str){ bar + 1, value.n - (size_t)(bar - value.p) - 1 };
        bool second = t2 != TR_IOC_NONE || (label.n == 9 && memcmp(label.p, "domain|ip", 9) == 0);
        if (!second)
            halves[1].n = 0; /* "|port" */
    }
    ioc_attrs at;
    ioc_attrs_init(&at);
    at.actor = a->actor;
    at.first_seen = a->first_seen;
    at.last_seen = a->last_seen;
    tr_err err = TR_OK;
    for (int h = 0; h < 2; h++) {
        if (h == 1 && !halves[1].n)
            break;
        const char *why;
        err = ioc_builder_add_value(b, m->c->feed, h ? t2 : t1, halves[h], &at, &why);
        if (err == TR_EPARSE) {
            ioc_reject(b, m->c->path, line, id[0] ? id : NULL, "%s (%.*s): '%.*s'", why,
                       (int)label.n, label.p, (int)TR_MIN(halves[h].n, 80), halves[h].p);
            err = TR_OK;
        }
        if (err)
            break;
    }
    return err;
}

static tr_err misp_value(misp_ctx *m, tr_json *j, const tr_json_tok *first, int depth);

/* An event object, a wrapper ({"Event":…}, {"response":…}), or both. */
static tr_err misp_object(misp_ctx *m, tr_json *j, int depth)
{
    tr_str actor = { NULL, 0 };
    char gbuf[256];
    bool has_attrs = false;
    size_t first = m->c->b->recs.n; /* the event's records */
    tr_json_tok k, v;
    tr_err err = TR_OK;
    while (!err && tr_json_member(j, &k)) {
        bool ev = tr_json_str_is(&k, "Event") || tr_json_str_is(&k, "response");
        if (ev && depth < 6) {
            tr_json_next(j, &v);
            err = misp_value(m, j, &v, depth + 1);
            continue;
        }
        if (tr_json_str_is(&k, "Attribute") || tr_json_str_is(&k, "Object") ||
            tr_json_str_is(&k, "Tag") || tr_json_str_is(&k, "Galaxy")) {
            if (tr_json_next(j, &v) != TR_JSON_ARR_BEGIN) {
                if (tr_json_skip(j, &v) != TR_OK)
                    break;
                continue;
            }
            if (tr_json_str_is(&k, "Attribute")) {
                has_attrs = true;
                err = attribute_list(m, j);
            } else if (tr_json_str_is(&k, "Object")) {
                has_attrs = true;
                err = object_list(m, j);
            } else {
                tr_str a = tr_json_str_is(&k, "Tag") ? tags_actor(j, gbuf, sizeof(gbuf))
                                                     : galaxy_actor(j, gbuf, sizeof(gbuf));
                if (a.n && !actor.n)
                    actor = keep(m->abuf, sizeof(m->abuf), a);
            }
            continue;
        }
        if (!ioc_jvalue(j, &v))
            break;
    }
    if (!err && has_attrs)
        err = ioc_builder_set_actor(m->c->b, first, m->c->b->recs.n, actor);
    return err;
}

static tr_err misp_value(misp_ctx *m, tr_json *j, const tr_json_tok *first, int depth)
{
    if (first->type == TR_JSON_OBJ_BEGIN)
        return misp_object(m, j, depth);
    if (first->type == TR_JSON_ARR_BEGIN) {
        tr_json_tok e;
        while (tr_json_element(j, &e)) {
            tr_err err = misp_value(m, j, &e, depth + 1);
            if (err)
                return err;
        }
        return TR_OK;
    }
    if (first->type != TR_JSON_ERROR)
        (void)tr_json_skip(j, first);
    return TR_OK;
}

tr_err ioc_load_misp(ioc_feed_ctx *c, const char *data, size_t n)
{
    misp_ctx *m = tr_calloc(1, sizeof(*m));
    if (!m)
        return TR_ENOMEM;
    m->c = c;
    m->data = data;
    m->from_line = 1;
    tr_json j;
    tr_json_init(&j, data, n, 64);
    tr_json_tok t;
    tr_json_next(&j, &t);
    tr_err err = TR_OK;
    if (t.type == TR_JSON_OBJ_BEGIN || t.type == TR_JSON_ARR_BEGIN)
        err = misp_value(m, &j, &t, 0);
    else if (t.type != TR_JSON_ERROR)
        ioc_reject(c->b, c->path, 1, NULL, "not a MISP event (a JSON object or list)");
    if (!err && !tr_json_failed(&j))
        tr_json_next(&j, &t);
    bool broken = tr_json_failed(&j); /* what was added before is kept */
    if (broken)
        ioc_jerror_from(c->b, c->path, data, &j, &m->from_off, &m->from_line);
    tr_free(m);
    return err ? err : broken ? TR_EPARSE : TR_OK;
}
