/*
 * evtx_xml.c - one event's XML, as libevtx renders it, reduced to the record
 * layout of parse/evtx_wire.h (see evtx_xml.h).
 *
 * libevtx does not give the names of EventData values except inside the XML
 * it renders, so the XML is read here: a strict, single-pass scanner over
 * the string libevtx wrote (tags must nest and match, attributes must be
 * quoted), with no allocation beyond the output buffer. Leaf values are
 * written to the output as they are unescaped; an element that turns out to
 * have children is dropped from the output again (it was a container).
 *
 * Sections (children of <Event>) decide what becomes a field:
 *   System              depth 3 elements and their attributes
 *   EventData           depth 3 <Data Name=…>, <Data>, <Binary>
 *   UserData            leaves at depth 4 and below (depth 3 is the wrapper)
 *   ProcessingErrorData leaves at depth 3 and below
 *   anything else       skipped (RenderingInfo of forwarded events)
 */
#include "core/common.h"

#include "core/time.h"
#include "input/evtx_xml.h"
#include "parse/evtx_wire.h"
#include "trawl/event.h"

#define XML_MAX_DEPTH 64

enum section {
    SEC_NONE = 0,
    SEC_SYSTEM,
    SEC_EVENTDATA,
    SEC_USERDATA,
    SEC_ERRDATA,
    SEC_SKIP
};

typedef struct scan {
    const char *begin, *p, *end;
    tr_buf *out;
    bool fix_nonbmp;
    size_t start;          /* offset of the record header in out */
    uint32_t nfields;
    int64_t ts;
    int depth;             /* elements open */
    int section;           /* what the open depth-2 element is */
    tr_str names[XML_MAX_DEPTH + 1]; /* open element names, by depth */
    int pend_depth;        /* depth of the leaf whose value is being written; 0 = none */
    size_t pend_entry;     /* its entry header's offset in out */
    uint8_t pend_kind;     /* its tr_vkind if the value turns out numeric */
    bool pend_ts;          /* its value is the event time */
    char *errbuf;
    size_t errlen;
} scan;

static tr_err bad(scan *s, const char *what)
{
    if (s->errbuf && s->errlen)
        snprintf(s->errbuf, s->errlen, "malformed event XML: %s at byte %zu", what,
                 (size_t)(s->p - s->begin));
    return TR_EPARSE;
}

/* ------------------------------------------------------------ output */

static tr_err put(scan *s, const void *p, size_t n)
{
    return tr_buf_append(s->out, p, n);
}

/* Starts an entry: header (value length patched by entry_end) and the name
 * a, or a + "_" + b when b is not empty. */
static tr_err entry_begin(scan *s, tr_str a, tr_str b, uint8_t fflags)
{
    size_t nlen = a.n + (b.n ? b.n + 1 : 0);
    if (nlen > 0xffff)
        return TR_ELIMIT;
    tr_err err = tr_buf_reserve(s->out, TR_EVTX_WIRE_ENTRY + nlen);
    if (err)
        return err;
    char *h = s->out->p + s->out->n;
    tr_evtx_put16(h, (uint16_t)nlen);
    h[2] = TR_VSTR;
    h[3] = (char)fflags;
    tr_evtx_put32(h + 4, 0);
    s->pend_entry = s->out->n;
    s->out->n += TR_EVTX_WIRE_ENTRY;
    memcpy(s->out->p + s->out->n, a.p, a.n);
    s->out->n += a.n;
    if (b.n) {
        s->out->p[s->out->n++] = '_';
        memcpy(s->out->p + s->out->n, b.p, b.n);
        s->out->n += b.n;
    }
    s->out->p[s->out->n] = '\0';
    return TR_OK;
}

static bool is_lower_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool all_digits(const char *p, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return false;
    return true;
}

/* Ends the entry started at s->pend_entry: normalises the value, patches the
 * header. numeric: the kind to give an all-digit value (TR_VSTR for none). */
static tr_err entry_end(scan *s, uint8_t numeric, bool is_ts)
{
    char *h = s->out->p + s->pend_entry;
    size_t nlen = tr_evtx_get16(h);
    char *v = h + TR_EVTX_WIRE_ENTRY + nlen;
    size_t vlen = (size_t)(s->out->p + s->out->n - v);
    /* "0x00000000000003e7" -> "0x3e7" (libevtx pads HexInt32/64; Windows does not) */
    if ((vlen == 10 || vlen == 18) && v[0] == '0' && v[1] == 'x' && v[2] == '0') {
        bool hex = true;
        for (size_t i = 2; i < vlen && hex; i++)
            hex = is_lower_hex(v[i]);
        if (hex) {
            size_t z = 2;
            while (z + 1 < vlen && v[z] == '0')
                z++;
            memmove(v + 2, v + z, vlen - z);
            vlen -= z - 2;
            s->out->n = (size_t)(v - s->out->p) + vlen;
            s->out->p[s->out->n] = '\0';
        }
    }
    if (vlen > UINT32_MAX)
        return TR_ELIMIT;
    tr_evtx_put32(h + 4, (uint32_t)vlen);
    if (numeric != TR_VSTR && all_digits(v, vlen))
        h[2] = (char)numeric;
    if (is_ts) {
        int64_t ns;
        if (tr_time_parse_iso8601(v, vlen, &ns) == TR_OK)
            s->ts = ns;
    }
    if (++s->nfields > 0xffff)
        return TR_ELIMIT;
    return TR_OK;
}

/* Encodes code point cp as UTF-8 into b; returns the length. */
static size_t utf8_put(uint32_t cp, char *b)
{
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        cp = 0xfffd;
    if (cp < 0x80) {
        b[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    b[0] = (char)(0xf0 | (cp >> 18));
    b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    b[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* An entity at p[0] == '&' (end is the end of the text): appends its
 * character and returns the bytes consumed, or 0 when it is not one. */
static size_t entity(scan *s, const char *p, const char *end, tr_err *err)
{
    static const struct {
        const char *name;
        char c;
    } named[] = { { "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' }, { "quot;", '"' },
                  { "apos;", '\'' } };
    size_t avail = (size_t)(end - p) - 1;
    for (size_t i = 0; i < TR_ARRAY_LEN(named); i++) {
        size_t k = strlen(named[i].name);
        if (avail >= k && memcmp(p + 1, named[i].name, k) == 0) {
            *err = tr_buf_putc(s->out, named[i].c);
            return k + 1;
        }
    }
    if (avail >= 3 && p[1] == '#') {
        size_t i = 2;
        bool hex = p[2] == 'x' || p[2] == 'X';
        i += hex;
        uint32_t cp = 0;
        size_t digits = 0;
        while (p + i < end && digits < 8) {
            char c = p[i];
            int d = c >= '0' && c <= '9' ? c - '0'
                    : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                  : -1;
            if (d < 0)
                break;
            cp = cp * (hex ? 16 : 10) + (uint32_t)d;
            digits++;
            i++;
        }
        if (digits && p + i < end && p[i] == ';') {
            char b[4];
            *err = put(s, b, utf8_put(cp, b));
            return i + 1;
        }
    }
    return 0;
}

/* Appends the text p[0..n) unescaped; moves code points above U+FFFF back
 * up by 0x3FF when the libuna fix is on. */
static tr_err put_text(scan *s, const char *p, size_t n)
{
    const char *end = p + n;
    tr_err err = tr_buf_reserve(s->out, n);
    if (err)
        return err;
    while (p < end) {
        const char *q = p;
        while (q < end && *q != '&' && (unsigned char)*q < 0xf0)
            q++;
        if (q > p && (err = put(s, p, (size_t)(q - p))))
            return err;
        if (q == end)
            break;
        if (*q == '&') {
            size_t used = entity(s, q, end, &err);
            if (err)
                return err;
            if (used == 0) {
                if ((err = tr_buf_putc(s->out, '&')))
                    return err;
                used = 1;
            }
            p = q + used;
            continue;
        }
        /* a 4-byte UTF-8 sequence */
        const unsigned char *u = (const unsigned char *)q;
        if (end - q >= 4 && u[0] < 0xf8 && (u[1] & 0xc0) == 0x80 && (u[2] & 0xc0) == 0x80 &&
            (u[3] & 0xc0) == 0x80) {
            uint32_t cp = (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3f) << 12 |
                          (uint32_t)(u[2] & 0x3f) << 6 | (uint32_t)(u[3] & 0x3f);
            if (s->fix_nonbmp && cp >= 0x10000)
                cp += 0x3ff;
            char b[4];
            if ((err = put(s, b, utf8_put(cp, b))))
                return err;
            p = q + 4;
        } else {
            if ((err = put(s, q, 1)))
                return err;
            p = q + 1;
        }
    }
    return TR_OK;
}

/* ------------------------------------------------------------- scanning */

static bool is_space(char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static bool is_name_end(char c)
{
    return is_space(c) || c == '/' || c == '>' || c == '=';
}

static tr_str read_name(scan *s)
{
    const char *q = s->p;
    while (s->p < s->end && !is_name_end(*s->p) && *s->p != '<' && *s->p != '"')
        s->p++;
    return (tr_str){ q, (size_t)(s->p - q) };
}

static void skip_space(scan *s)
{
    while (s->p < s->end && is_space(*s->p))
        s->p++;
}

/* The System values whose all-digit text is a number (as evtx_dump writes them). */
static uint8_t system_numeric(tr_str el, tr_str attr)
{
    static const char *const text[] = { "EventID", "Version", "Level", "Task", "Opcode",
                                        "EventRecordID" };
    if (!attr.n) {
        for (size_t i = 0; i < TR_ARRAY_LEN(text); i++)
            if (tr_str_eq(el, tr_str_c(text[i])))
                return TR_VNUM;
        return TR_VSTR;
    }
    if ((tr_str_eq(el, TR_STR("Execution")) &&
         (tr_str_eq(attr, TR_STR("ProcessID")) || tr_str_eq(attr, TR_STR("ThreadID")))) ||
        (tr_str_eq(el, TR_STR("EventID")) && tr_str_eq(attr, TR_STR("Qualifiers"))))
        return TR_VNUM;
    return TR_VSTR;
}

/* Drops the leaf being written when an element opens inside it. */
static void cancel_pending(scan *s)
{
    if (s->pend_depth) {
        s->out->n = s->pend_entry;
        s->out->p[s->out->n] = '\0';
        s->pend_depth = 0;
    }
}

/* What the element at depth d (name el) produces: 0 nothing, 1 a leaf
 * named el, 2 an EventData <Data> item (named by its Name attribute). */
static int leaf_role(const scan *s, int d, tr_str el)
{
    switch (s->section) {
    case SEC_SYSTEM:
        return d == 3;
    case SEC_EVENTDATA:
        if (d != 3)
            return 0;
        return tr_str_eq(el, TR_STR("Data")) ? 2 : 1;
    case SEC_USERDATA:
        return d >= 4;
    case SEC_ERRDATA:
        return d >= 3;
    default:
        return 0;
    }
}

static int section_of(tr_str el)
{
    if (tr_str_eq(el, TR_STR("System")))
        return SEC_SYSTEM;
    if (tr_str_eq(el, TR_STR("EventData")))
        return SEC_EVENTDATA;
    if (tr_str_eq(el, TR_STR("UserData")))
        return SEC_USERDATA;
    if (tr_str_eq(el, TR_STR("ProcessingErrorData")))
        return SEC_ERRDATA;
    return SEC_SKIP;
}

/* A start tag; s->p is just after '<'. */
static tr_err start_tag(scan *s)
{
    tr_str el = read_name(s);
    if (!el.n)
        return bad(s, "empty element name");
    if (s->depth >= XML_MAX_DEPTH)
        return bad(s, "elements nested too deep");
    int d = ++s->depth;
    s->names[d] = el;
    if (d == 2)
        s->section = section_of(el);
    if (s->pend_depth && s->pend_depth < d)
        cancel_pending(s); /* the open leaf was a container */
    int role = leaf_role(s, d, el);
    bool system = s->section == SEC_SYSTEM && d == 3;
    tr_str data_name = { NULL, 0 };
    bool has_name = false;
    tr_err err;
    /* attributes */
    for (;;) {
        skip_space(s);
        if (s->p >= s->end)
            return bad(s, "unterminated start tag");
        if (*s->p == '/' || *s->p == '>')
            break;
        tr_str an = read_name(s);
        if (!an.n)
            return bad(s, "bad attribute name");
        skip_space(s);
        if (s->p >= s->end || *s->p != '=')
            return bad(s, "attribute without a value");
        s->p++;
        skip_space(s);
        if (s->p >= s->end || (*s->p != '"' && *s->p != '\''))
            return bad(s, "unquoted attribute value");
        char quote = *s->p++;
        const char *vq = memchr(s->p, quote, (size_t)(s->end - s->p));
        if (!vq)
            return bad(s, "unterminated attribute value");
        tr_str av = { s->p, (size_t)(vq - s->p) };
        if (memchr(av.p, '<', av.n))
            return bad(s, "'<' in an attribute value");
        s->p = vq + 1;
        if (system) {
            if ((err = entry_begin(s, el, an, 0)) || (err = put_text(s, av.p, av.n)))
                return err;
            bool ts = tr_str_eq(el, TR_STR("TimeCreated")) && tr_str_eq(an, TR_STR("SystemTime"));
            if ((err = entry_end(s, system_numeric(el, an), ts)))
                return err;
        } else if (role == 2 && tr_str_eq(an, TR_STR("Name"))) {
            data_name = av;
            has_name = true;
        }
    }
    bool empty = *s->p == '/';
    if (empty) {
        s->p++;
        if (s->p >= s->end || *s->p != '>')
            return bad(s, "'/' not followed by '>'");
    }
    s->p++;
    if (role && !(empty && system)) {
        /* the leaf's entry; its value follows as text (or is empty). An empty
         * System element (<Correlation/>) carries only its attributes. */
        if (role == 2 && has_name) {
            /* the name is an attribute value: unescape it in place in out */
            size_t at = s->out->n;
            if ((err = entry_begin(s, TR_STR(""), (tr_str){ NULL, 0 }, 0)))
                return err;
            size_t name_at = s->out->n;
            if ((err = put_text(s, data_name.p, data_name.n)))
                return err;
            size_t nlen = s->out->n - name_at;
            if (nlen > 0xffff) {
                s->out->n = at;
                return TR_ELIMIT;
            }
            tr_evtx_put16(s->out->p + at, (uint16_t)nlen);
            s->pend_entry = at;
        } else if ((err = entry_begin(s, el, (tr_str){ NULL, 0 },
                                      role == 2 ? TR_FIELD_MULTI : 0))) {
            return err;
        }
        s->pend_depth = d;
        s->pend_kind = system ? system_numeric(el, (tr_str){ NULL, 0 }) : TR_VSTR;
        s->pend_ts = false;
    }
    if (empty) {
        if (s->pend_depth == d) {
            s->pend_depth = 0;
            if ((err = entry_end(s, s->pend_kind, false)))
                return err;
        }
        if (d == 2)
            s->section = SEC_NONE;
        s->depth--;
    }
    return TR_OK;
}

/* An end tag; s->p is just after "</". */
static tr_err end_tag(scan *s)
{
    tr_str el = read_name(s);
    skip_space(s);
    if (s->p >= s->end || *s->p != '>')
        return bad(s, "unterminated end tag");
    s->p++;
    if (s->depth == 0 || !tr_str_eq(el, s->names[s->depth]))
        return bad(s, "end tag does not match its start tag");
    if (s->pend_depth == s->depth) {
        s->pend_depth = 0;
        tr_err err = entry_end(s, s->pend_kind, s->pend_ts);
        if (err)
            return err;
    }
    if (s->depth == 2)
        s->section = SEC_NONE;
    s->depth--;
    return TR_OK;
}

/* Text up to the next '<': the value of the open leaf, or ignorable. */
static tr_err text(scan *s)
{
    const char *q = memchr(s->p, '<', (size_t)(s->end - s->p));
    if (!q)
        q = s->end;
    tr_err err = TR_OK;
    if (s->pend_depth && s->pend_depth == s->depth)
        err = put_text(s, s->p, (size_t)(q - s->p));
    s->p = q;
    return err;
}

/* "<!" constructs: CDATA (text of the leaf) and comments. */
static tr_err markup(scan *s)
{
    size_t avail = (size_t)(s->end - s->p);
    if (avail >= 8 && memcmp(s->p, "![CDATA[", 8) == 0) {
        const char *b = s->p + 8;
        const char *e = memmem(b, (size_t)(s->end - b), "]]>", 3);
        if (!e)
            return bad(s, "unterminated CDATA section");
        s->p = e + 3;
        if (s->pend_depth && s->pend_depth == s->depth)
            return put(s, b, (size_t)(e - b));
        return TR_OK;
    }
    if (avail >= 3 && memcmp(s->p, "!--", 3) == 0) {
        const char *e = memmem(s->p + 3, avail - 3, "-->", 3);
        if (!e)
            return bad(s, "unterminated comment");
        s->p = e + 3;
        return TR_OK;
    }
    return bad(s, "unsupported markup");
}

tr_err tr_evtx_xml_to_wire(const char *xml, size_t n, uint32_t xml_flags, uint32_t wire_flags,
                           tr_buf *out, char *errbuf, size_t errlen)
{
    scan s = { .begin = xml, .p = xml, .end = xml + n, .out = out,
               .fix_nonbmp = (xml_flags & TR_EVTX_XML_FIX_NONBMP) != 0,
               .start = out->n, .ts = TR_TS_NONE, .errbuf = errbuf, .errlen = errlen };
    tr_err err = tr_buf_reserve(out, TR_EVTX_WIRE_HEADER + n);
    if (err)
        return err;
    memset(out->p + out->n, 0, TR_EVTX_WIRE_HEADER);
    out->n += TR_EVTX_WIRE_HEADER;
    bool seen = false;
    while (!err && s.p < s.end) {
        if (*s.p != '<') {
            err = text(&s);
            continue;
        }
        s.p++;
        if (s.p >= s.end) {
            err = bad(&s, "'<' at the end");
        } else if (*s.p == '/') {
            s.p++;
            err = end_tag(&s);
        } else if (*s.p == '?') {
            const char *e = memmem(s.p, (size_t)(s.end - s.p), "?>", 2);
            if (!e)
                err = bad(&s, "unterminated processing instruction");
            else
                s.p = e + 2;
        } else if (*s.p == '!') {
            err = markup(&s);
        } else {
            if (s.depth == 0 && seen)
                err = bad(&s, "more than one root element");
            seen = true;
            err = err ? err : start_tag(&s);
        }
    }
    if (!err && (s.depth != 0 || !seen))
        err = bad(&s, seen ? "unclosed elements at the end" : "no element");
    if (err) {
        out->n = s.start;
        if (out->p)
            out->p[out->n] = '\0';
        return err;
    }
    char *h = out->p + s.start;
    h[0] = TR_EVTX_WIRE_MAGIC;
    h[1] = TR_EVTX_WIRE_EVENT;
    tr_evtx_put16(h + 2, (uint16_t)s.nfields);
    tr_evtx_put32(h + 4, wire_flags);
    tr_evtx_put64(h + 8, (uint64_t)s.ts);
    return TR_OK;
}

tr_err tr_evtx_wire_error(tr_buf *out, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    size_t n = k < 0 ? 0 : TR_MIN((size_t)k, sizeof(msg) - 1);
    char h[TR_EVTX_WIRE_HEADER] = { TR_EVTX_WIRE_MAGIC, TR_EVTX_WIRE_ERROR };
    tr_evtx_put64(h + 8, (uint64_t)TR_TS_NONE);
    tr_err err = tr_buf_append(out, h, sizeof(h));
    return err ? err : tr_buf_append(out, msg, n);
}
