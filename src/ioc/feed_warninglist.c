/*
 * feed_warninglist.c - MISP warninglists as allowlists:
 * {"name":…,"type":"string|cidr|hostname|substring|regex","list":[…]}.
 *
 * "list" may come before "type" in the document, so the list entries are
 * remembered as token slices and applied once the object has been read.
 */
#include "core/common.h"

#include "ioc/jsonfeed.h"

tr_err ioc_load_warninglist(tr_ioc_builder *b, const char *path, const char *data, size_t n)
{
    tr_json j;
    tr_json_init(&j, data, n, 16);
    tr_json_tok t, k, v;
    TR_VEC(tr_json_tok) items = { 0 };
    char type[32] = "string";
    tr_err err = TR_OK;
    if (tr_json_next(&j, &t) != TR_JSON_OBJ_BEGIN) {
        if (!tr_json_failed(&j))
            ioc_reject(b, path, 1, NULL, "a warninglist is a JSON object");
        else
            ioc_jerror(b, path, data, &j);
        return TR_EPARSE;
    }
    while (!err && tr_json_member(&j, &k)) {
        if (tr_json_str_is(&k, "list")) {
            if (tr_json_next(&j, &v) != TR_JSON_ARR_BEGIN) {
                (void)tr_json_skip(&j, &v);
                continue;
            }
            tr_json_tok e;
            while (tr_json_element(&j, &e)) {
                if (e.type == TR_JSON_STRING) {
                    if (!TR_VEC_PUSH(&items, e))
                        err = TR_ENOMEM;
                } else if (tr_json_skip(&j, &e) != TR_OK) {
                    break;
                }
            }
            continue;
        }
        if (!ioc_jvalue(&j, &v))
            break;
        if (tr_json_str_is(&k, "type") && v.type == TR_JSON_STRING && !v.escaped)
            snprintf(type, sizeof(type), "%.*s", (int)TR_MIN(v.text.n, 31), v.text.p);
    }
    if (!err && !tr_json_failed(&j))
        tr_json_next(&j, &t);
    bool broken = tr_json_failed(&j);
    if (broken)
        ioc_jerror(b, path, data, &j);
    bool known = !strcmp(type, "string") || !strcmp(type, "cidr") || !strcmp(type, "hostname") ||
                 !strcmp(type, "substring") || !strcmp(type, "regex");
    if (!known) {
        ioc_reject(b, path, 0, NULL, "warninglist type '%s' is not supported", type);
        TR_VEC_FREE(&items);
        return TR_EPARSE;
    }
    char buf[IOC_MAX_VALUE + 64];
    size_t from_off = 0;
    uint64_t from_line = 1;
    for (size_t i = 0; i < items.n && !err; i++) {
        tr_str s = ioc_jstr(&items.v[i], buf, sizeof(buf));
        if (!s.n)
            continue;
        tr_err e;
        char why[200] = "not a value of the list's type";
        if (!strcmp(type, "cidr"))
            e = ioc_allow_add_net(&b->allow, s);
        else if (!strcmp(type, "hostname"))
            e = ioc_allow_add_host(&b->allow, s);
        else if (!strcmp(type, "substring"))
            e = ioc_allow_add_substring(&b->allow, s);
        else if (!strcmp(type, "regex"))
            e = ioc_allow_add_regex(&b->allow, s, why, sizeof(why));
        else
            e = ioc_allow_add_value(&b->allow, s);
        if (e == TR_EPARSE) {
            uint64_t line = ioc_line_at(data, items.v[i].off, &from_off, &from_line);
            ioc_reject(b, path, line, NULL, "%s: '%.*s'", why, (int)TR_MIN(s.n, 80), s.p);
        } else {
            err = e;
        }
    }
    TR_VEC_FREE(&items);
    return err ? err : broken ? TR_EPARSE : TR_OK;
}
