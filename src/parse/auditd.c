/*
 * auditd.c - Linux audit records as auditd writes them to audit.log.
 *
 *   type=SYSCALL msg=audit(1579508042.123:42): arch=c000003e syscall=59 success=yes …
 *       comm="ftp" exe="/usr/bin/ftp" key="exec"
 *   type=EXECVE msg=audit(1579508042.123:42): argc=4 a0="ftp" a1="-o" a2=2F746D702F627364 …
 *   type=PROCTITLE msg=audit(1579508042.123:42): proctitle=6674700…
 *   type=USER_CMD msg=audit(…): pid=1 uid=0 msg='cwd="/root" cmd=6C73 terminal=pts/0 res=success'
 *
 * One line is one event, named by its keys (type, exe, comm, a0, …, key);
 * the records of one audit event (same audit_id) stay separate events, as
 * Sigma's auditd rules match single records (type: EXECVE with a0/a1, type:
 * SYSCALL with exe). ts and audit_id come from msg=audit(TIME:SERIAL).
 *
 * auditd writes untrusted strings quoted when they are plain and as bare
 * hex when they hold a space, a quote or a control byte. Bare hex values of
 * the fields that carry such strings (exe, comm, cwd, name, proctitle, cmd,
 * acct, data, key, …, and a0…aN of EXECVE, whose a0…a3 in SYSCALL records
 * are syscall arguments and stay as written) are decoded into the event
 * arena; PROCTITLE's NUL-separated argv reads as one space-separated line,
 * as ausearch -i shows it. Long EXECVE arguments split as a1[0], a1[1], …
 * are joined into a1. The msg='…' of user-space records is opened and its
 * pairs become fields; the enriched format's \x1d separator counts as a
 * blank, so its ARCH=, SYSCALL=, AUID= … fields are read too.
 * logsource: product linux, service auditd.
 */
#include "core/common.h"

#include "core/time.h"
#include "parse/format.h"
#include "parse/weblog_text.h"
#include "trawl/arena.h"

static const char *const encoded_keys[] = {
    "exe",  "comm", "cwd", "name", "path", "proctitle", "cmd", "acct", "data",
    "key",  "old-chardev", "new-chardev", "root_dir", "grp", "new_group", "hostname",
    "vm",   "old-disk", "new-disk", "old-fs", "new-fs", "old-net", "new-net",
};

typedef struct ad_ctx {
    tr_event *ev;
    bool execve; /* the record is type=EXECVE: aN are encoded strings */
    unsigned depth;
} ad_ctx;

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\x1d';
}

static bool is_hex_string(tr_str v)
{
    if (v.n < 2 || v.n % 2)
        return false;
    for (size_t i = 0; i < v.n; i++)
        if (tr_text_hexval((unsigned char)v.p[i]) < 0)
            return false;
    return true;
}

/* a<digits> */
static bool is_arg_key(tr_str k)
{
    if (k.n < 2 || k.p[0] != 'a')
        return false;
    for (size_t i = 1; i < k.n; i++)
        if (k.p[i] < '0' || k.p[i] > '9')
            return false;
    return true;
}

static bool is_encoded_key(const ad_ctx *c, tr_str k)
{
    if (c->execve && is_arg_key(k))
        return true;
    for (size_t i = 0; i < TR_ARRAY_LEN(encoded_keys); i++)
        if (tr_str_eq(k, tr_str_c(encoded_keys[i])))
            return true;
    return false;
}

/* Hex v decoded into out (v.n / 2 bytes); NULs become spaces and trailing
 * NULs go when nul_to_space. Returns the length. */
static size_t hex_decode(tr_str v, char *out, bool nul_to_space)
{
    size_t o = 0;
    for (size_t i = 0; i + 1 < v.n; i += 2) {
        char b = (char)(tr_text_hexval((unsigned char)v.p[i]) << 4 |
                        tr_text_hexval((unsigned char)v.p[i + 1]));
        out[o++] = b;
    }
    if (nul_to_space) {
        while (o && out[o - 1] == '\0')
            o--;
        for (size_t i = 0; i < o; i++)
            if (out[i] == '\0')
                out[i] = ' ';
    }
    return o;
}

/* The value of key k as rules should see it: bare hex of an encoded key
 * decoded into the arena, everything else as written. */
static tr_str value_of(const ad_ctx *c, tr_str k, tr_str v, bool quoted)
{
    if (quoted || !is_hex_string(v) || !is_encoded_key(c, k) || !c->ev->arena)
        return v;
    char *out = tr_arena_alloc(c->ev->arena, v.n / 2 + 1);
    if (!out)
        return v;
    size_t n = hex_decode(v, out, tr_str_eq(k, TR_STR("proctitle")));
    out[n] = '\0';
    return (tr_str){ out, n };
}

typedef struct ad_pair {
    tr_str key;
    tr_str val;
    char quote; /* '"', '\'' or 0 */
} ad_pair;

/* The next key=value at *s; false at the end. Words without '=' are
 * skipped (a stray "audit:" or a bare flag). */
static bool next_pair(tr_str *s, ad_pair *p)
{
    for (;;) {
        while (s->n && blank(s->p[0])) {
            s->p++;
            s->n--;
        }
        if (!s->n)
            return false;
        size_t i = 0;
        while (i < s->n && !blank(s->p[i]) && s->p[i] != '=')
            i++;
        if (i == s->n || s->p[i] != '=' || i == 0) {
            while (i < s->n && !blank(s->p[i]))
                i++;
            s->p += i;
            s->n -= i;
            continue;
        }
        p->key = (tr_str){ s->p, i };
        size_t v = i + 1, end;
        p->quote = v < s->n && (s->p[v] == '"' || s->p[v] == '\'') ? s->p[v] : 0;
        if (p->quote) {
            const char *q = memchr(s->p + v + 1, p->quote, s->n - v - 1);
            size_t close = q ? (size_t)(q - s->p) : s->n;
            p->val = (tr_str){ s->p + v + 1, close - v - 1 };
            end = q ? close + 1 : s->n;
        } else {
            end = v;
            while (end < s->n && !blank(s->p[end]))
                end++;
            p->val = (tr_str){ s->p + v, end - v };
        }
        s->p += end;
        s->n -= end;
        return true;
    }
}

static void add_pairs(ad_ctx *c, tr_str s);

/* a1[0]=… a1[1]=… → one a1. *s is just past the first piece. */
static void add_split_arg(ad_ctx *c, tr_str name, ad_pair first, tr_str *s)
{
    tr_arena *a = c->ev->arena;
    size_t cap = first.val.n, nparts = 1;
    tr_str look = *s;
    ad_pair p;
    tr_str after = *s;
    while (next_pair(&look, &p) && p.key.n > name.n + 1 && memcmp(p.key.p, name.p, name.n) == 0 &&
           p.key.p[name.n] == '[') {
        cap += p.val.n;
        nparts++;
        after = look;
    }
    char *out = a ? tr_arena_alloc(a, cap + 1) : NULL;
    if (!out) {
        tr_event_add(c->ev, first.key, first.val, TR_VSTR);
        return;
    }
    size_t o = 0;
    tr_str walk = *s;
    p = first;
    for (size_t i = 0; i < nparts; i++) {
        if (i && !next_pair(&walk, &p))
            break;
        if (!p.quote && is_hex_string(p.val)) {
            o += hex_decode(p.val, out + o, false);
        } else {
            memcpy(out + o, p.val.p, p.val.n);
            o += p.val.n;
        }
    }
    out[o] = '\0';
    tr_event_add(c->ev, name, (tr_str){ out, o }, TR_VSTR);
    *s = after;
}

static void add_pairs(ad_ctx *c, tr_str s)
{
    ad_pair p;
    while (next_pair(&s, &p)) {
        if (p.quote == '\'' && tr_str_eq(p.key, TR_STR("msg")) && c->depth == 0) {
            c->depth++; /* user-space record: its message is more pairs */
            add_pairs(c, p.val);
            c->depth--;
            continue;
        }
        const char *lb = c->execve ? memchr(p.key.p, '[', p.key.n) : NULL;
        if (lb && p.key.p[p.key.n - 1] == ']' &&
            is_arg_key((tr_str){ p.key.p, (size_t)(lb - p.key.p) })) {
            add_split_arg(c, (tr_str){ p.key.p, (size_t)(lb - p.key.p) }, p, &s);
            continue;
        }
        tr_event_add(c->ev, p.key, value_of(c, p.key, p.val, p.quote != 0), TR_VSTR);
    }
}

static tr_err parse_auditd(tr_parser *p, tr_str rec, tr_event *ev)
{
    tr_str s = tr_text_trim_record(rec);
    ad_ctx c = { .ev = ev };
    ad_pair first;
    tr_str node = { NULL, 0 };
    tr_str look = s;
    if (!next_pair(&look, &first))
        return tr_parser_fail(p, TR_EPARSE, "not an auditd record: no type=");
    if (tr_str_eq(first.key, TR_STR("node"))) {
        node = first.val;
        if (!next_pair(&look, &first))
            return tr_parser_fail(p, TR_EPARSE, "not an auditd record: no type=");
    }
    if (!tr_str_eq(first.key, TR_STR("type")) || !first.val.n)
        return tr_parser_fail(p, TR_EPARSE, "not an auditd record: expected type=, got '%.*s'",
                              (int)TR_MIN(first.key.n, 32), first.key.p);
    /* msg=audit(SECONDS.MILLIS:SERIAL): */
    while (look.n && blank(look.p[0])) {
        look.p++;
        look.n--;
    }
    static const char pre[] = "msg=audit(";
    if (look.n < sizeof(pre) || memcmp(look.p, pre, sizeof(pre) - 1) != 0)
        return tr_parser_fail(p, TR_EPARSE, "no msg=audit(…) after type=%.*s",
                              (int)TR_MIN(first.val.n, 32), first.val.p);
    const char *open = look.p + sizeof(pre) - 1;
    const char *close = memchr(open, ')', (size_t)(look.p + look.n - open));
    const char *colon = close ? memchr(open, ':', (size_t)(close - open)) : NULL;
    if (!colon)
        return tr_parser_fail(p, TR_EPARSE, "malformed msg=audit(TIME:SERIAL)");
    tr_str when = { open, (size_t)(colon - open) };
    tr_str serial = { colon + 1, (size_t)(close - colon - 1) };
    if (tr_time_parse_epoch(when.p, when.n, &ev->ts) != TR_OK)
        return tr_parser_fail(p, TR_EPARSE, "bad audit time '%.*s'", (int)TR_MIN(when.n, 40),
                              when.p);
    const char *body = close + 1;
    if (body < look.p + look.n && *body == ':')
        body++;
    if (node.n)
        tr_event_add(ev, TR_STR("node"), node, TR_VSTR);
    tr_event_add(ev, first.key, first.val, TR_VSTR);
    tr_text_add_num(ev, TR_STR("audit_id"), serial);
    c.execve = tr_str_eq(first.val, TR_STR("EXECVE"));
    add_pairs(&c, (tr_str){ body, (size_t)(look.p + look.n - body) });
    ev->logsource.product = TR_STR("linux");
    ev->logsource.service = TR_STR("auditd");
    return TR_OK;
}

const tr_format_ops tr_auditd_format_ops = {
    .state_size = 0,
    .init = NULL,
    .parse = parse_auditd,
    .release = NULL,
};
