/*
 * syslog_kv.c - key=value pairs inside free-text messages (see syslog_kv.h).
 *
 * One left-to-right pass over the message: every '=' is a candidate, its key
 * is the identifier just before it, its value what follows. No backtracking
 * and a cap on pairs, because this runs on every syslog line.
 */
#include "core/common.h"

#include "parse/syslog_kv.h"
#include "trawl/arena.h"

static bool key_start(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool key_char(unsigned char c)
{
    return key_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static bool before_key(char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '[' || c == '(' || c == '{';
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* The key ending just before msg.p[eq], or an empty slice. */
static tr_str key_before(tr_str msg, size_t eq, size_t floor)
{
    size_t k = eq;
    while (k > floor && key_char((unsigned char)msg.p[k - 1]))
        k--;
    while (k < eq && !key_start((unsigned char)msg.p[k]))
        k++; /* "1a=…": the key starts at the first letter … */
    if (k == eq || (k > 0 && !before_key(msg.p[k - 1])))
        return (tr_str){ NULL, 0 }; /* … and must follow a separator */
    return (tr_str){ msg.p + k, eq - k };
}

/* Body of a double-quoted value starting at msg.p[i] ('"'); *end is one
 * past the closing quote (or the end). Escapes are decoded into the arena
 * only when present. */
static tr_str dquoted(tr_str msg, size_t i, size_t *end, tr_arena *arena)
{
    size_t j = i + 1;
    bool esc = false;
    while (j < msg.n && msg.p[j] != '"') {
        if (msg.p[j] == '\\' && j + 1 < msg.n) {
            esc = true;
            j++;
        }
        j++;
    }
    tr_str body = { msg.p + i + 1, j - i - 1 };
    *end = j < msg.n ? j + 1 : j;
    if (!esc || !arena)
        return body;
    char *out = tr_arena_alloc(arena, body.n + 1);
    if (!out)
        return body;
    size_t o = 0;
    for (size_t k = 0; k < body.n; k++) {
        if (body.p[k] == '\\' && k + 1 < body.n && (body.p[k + 1] == '"' || body.p[k + 1] == '\\'))
            k++;
        out[o++] = body.p[k];
    }
    out[o] = '\0';
    return (tr_str){ out, o };
}

unsigned tr_kv_extract(tr_event *ev, tr_str msg, unsigned flags, bool (*reserved)(tr_str key))
{
    unsigned added = 0;
    size_t i = 0, floor = 0;
    while (added < TR_KV_MAX_PAIRS && i < msg.n) {
        const char *eqp = memchr(msg.p + i, '=', msg.n - i);
        if (!eqp)
            break;
        size_t eq = (size_t)(eqp - msg.p);
        tr_str key = key_before(msg, eq, floor);
        i = eq + 1;
        if (!key.n)
            continue;
        tr_str val;
        size_t end;
        char open = key.p > msg.p ? key.p[-1] : 0;
        if (flags & TR_KV_SEGMENTS) {
            const char *sep = memmem(msg.p + i, msg.n - i, " ; ", 3);
            end = sep ? (size_t)(sep - msg.p) : msg.n;
            val = (tr_str){ msg.p + i, end - i };
        } else if (i < msg.n && msg.p[i] == '"') {
            val = dquoted(msg, i, &end, ev->arena);
        } else if (i < msg.n && msg.p[i] == '\'') {
            const char *q = memchr(msg.p + i + 1, '\'', msg.n - i - 1);
            end = q ? (size_t)(q - msg.p) + 1 : msg.n;
            val = (tr_str){ msg.p + i + 1, (q ? (size_t)(q - msg.p) : msg.n) - i - 1 };
        } else if (open == '[') {
            const char *q = memchr(msg.p + i, ']', msg.n - i);
            end = q ? (size_t)(q - msg.p) : msg.n;
            val = (tr_str){ msg.p + i, end - i };
        } else {
            end = i;
            while (end < msg.n && !blank(msg.p[end]))
                end++;
            val = (tr_str){ msg.p + i, end - i };
            while (val.n && (val.p[val.n - 1] == ',' || val.p[val.n - 1] == ';'))
                val.n--;
        }
        i = floor = end;
        if (reserved && reserved(key))
            continue;
        if (tr_event_add(ev, key, val, TR_VSTR))
            added++;
    }
    return added;
}
