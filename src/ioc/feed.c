/*
 * feed.c - reading feed files, telling their format from the content, and
 * the plain-list format (one indicator a line).
 *
 * A feed file is mapped (or read once) and handed whole to its loader; no
 * loader builds a tree of the document. Format detection looks only at the
 * first 64 KiB: JSON documents are told apart by their keys (a STIX bundle's
 * "spec_version"/"objects", MISP's "Event"/"Attribute", a warninglist's
 * "list"), a Zeek intel file by its "#fields" header naming indicator and
 * indicator_type, a CSV by a header that names a value column; everything
 * else is a plain list.
 */
#include "core/common.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ioc/index.h"

#define DETECT_WINDOW (64u * 1024u)
/* Pages of a mapped feed are handed back in steps of this many bytes: a
 * multiple of every page size, and rare enough to cost nothing. */
#define RELEASE_STEP ((size_t)4 << 20)

tr_err ioc_file_read(const char *path, const char **data, size_t *n, bool *mapped)
{
    *data = NULL;
    *n = 0;
    *mapped = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? TR_ENOENT : TR_EIO;
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        close(fd);
        return TR_EIO;
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            madvise(p, (size_t)st.st_size, MADV_SEQUENTIAL);
            close(fd);
            *data = p;
            *n = (size_t)st.st_size;
            *mapped = true;
            return TR_OK;
        }
    }
    /* pipes, empty files, or mmap refused: one growing read */
    size_t cap = 65536, len = 0;
    char *buf = tr_malloc(cap);
    if (!buf) {
        close(fd);
        return TR_ENOMEM;
    }
    for (;;) {
        if (len == cap) {
            char *nb = cap < ((size_t)1 << 34) ? tr_realloc(buf, cap * 2) : NULL;
            if (!nb) {
                tr_free(buf);
                close(fd);
                return TR_ENOMEM;
            }
            buf = nb;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            tr_free(buf);
            close(fd);
            return TR_EIO;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    *data = buf;
    *n = len;
    return TR_OK;
}

void ioc_file_release(const char *data, size_t n, bool mapped)
{
    if (mapped)
        munmap((void *)data, n);
    else
        tr_free((void *)data);
}

void ioc_feed_consumed(ioc_feed_ctx *c, const char *data, size_t off)
{
    if (!c->mapped || off < c->released + RELEASE_STEP)
        return;
    size_t upto = off - off % RELEASE_STEP;
    /* a read-only private file mapping refaults from the file: never a loss */
    madvise((char *)data + c->released, upto - c->released, MADV_DONTNEED);
    c->released = upto;
}

uint64_t ioc_line_at(const char *data, size_t off, size_t *from_off, uint64_t *from_line)
{
    size_t i = *from_off;
    uint64_t line = *from_line;
    if (off < i) {
        i = 0;
        line = 1;
    }
    while (i < off) {
        const char *nl = memchr(data + i, '\n', off - i);
        if (!nl)
            break;
        line++;
        i = (size_t)(nl - data) + 1;
    }
    *from_off = i;
    *from_line = line;
    return line;
}

/* Whether "key" appears as a JSON object key in p[0..n). */
static bool json_key(const char *p, size_t n, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i + kl + 2 < n; i++) {
        if (p[i] != '"' || memcmp(p + i + 1, key, kl) != 0 || p[i + 1 + kl] != '"')
            continue;
        size_t k = i + kl + 2;
        while (k < n && (p[k] == ' ' || p[k] == '\t' || p[k] == '\r' || p[k] == '\n'))
            k++;
        if (k < n && p[k] == ':')
            return true;
    }
    return false;
}

/* Normalised column name: lower case, trimmed, '#', quotes and spaces dropped,
 * '-' and ' ' as '_'. */
static size_t column_name(tr_str s, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < s.n && o + 1 < cap; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '"' || c == '#' || c == '\r' || ((c == ' ' || c == '\t') && o == 0))
            continue;
        out[o++] = (c == '-' || c == ' ') ? '_' : (char)tr_ascii_lower(c);
    }
    while (o && out[o - 1] == '_')
        o--;
    out[o] = '\0';
    return o;
}

bool ioc_csv_value_column(tr_str name, tr_ioc_type *implied)
{
    static const struct {
        const char *name;
        tr_ioc_type type;
    } cols[] = {
        { "value", TR_IOC_NONE },       { "indicator", TR_IOC_NONE },
        { "ioc", TR_IOC_NONE },         { "ioc_value", TR_IOC_NONE },
        { "observable", TR_IOC_NONE },  { "url", TR_IOC_URL },
        { "dst_ip", TR_IOC_NONE },      { "ip", TR_IOC_NONE },
        { "ip_address", TR_IOC_NONE },  { "domain", TR_IOC_DOMAIN },
        { "hostname", TR_IOC_DOMAIN },  { "sha256_hash", TR_IOC_SHA256 },
        { "sha256", TR_IOC_SHA256 },    { "md5_hash", TR_IOC_MD5 },
        { "md5", TR_IOC_MD5 },          { "sha1_hash", TR_IOC_SHA1 },
        { "sha1", TR_IOC_SHA1 },        { "hash", TR_IOC_NONE },
        { "email", TR_IOC_EMAIL },      { "filename", TR_IOC_FILENAME },
    };
    char buf[64];
    size_t n = column_name(name, buf, sizeof(buf));
    for (size_t i = 0; i < TR_ARRAY_LEN(cols); i++)
        if (strlen(cols[i].name) == n && memcmp(cols[i].name, buf, n) == 0) {
            if (implied)
                *implied = cols[i].type;
            return true;
        }
    return false;
}

/* Does a header line (comma, tab or semicolon separated) name a value column? */
static bool header_line(const char *p, size_t n)
{
    size_t s = 0;
    int fields = 0;
    bool value = false;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == ',' || p[i] == '\t' || p[i] == ';') {
            fields++;
            value |= ioc_csv_value_column((tr_str){ p + s, i - s }, NULL);
            s = i + 1;
        }
    }
    return fields >= 2 && value;
}

tr_ioc_format tr_ioc_format_detect(const char *data, size_t n)
{
    size_t lim = TR_MIN(n, (size_t)DETECT_WINDOW);
    size_t i = 0;
    if (lim >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < lim && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i < lim && (data[i] == '{' || data[i] == '[')) {
        const char *p = data + i;
        size_t m = lim - i;
        if (json_key(p, m, "Event") || json_key(p, m, "Attribute") || json_key(p, m, "response"))
            return TR_IOCF_MISP;
        if (json_key(p, m, "objects") || json_key(p, m, "spec_version") ||
            json_key(p, m, "pattern"))
            return TR_IOCF_STIX;
        if (json_key(p, m, "list") && (json_key(p, m, "matching_attributes") ||
                                       json_key(p, m, "type")))
            return TR_IOCF_WARNINGLIST;
        return TR_IOCF_STIX; /* a JSON document of no known kind: the STIX loader says why */
    }
    /* line formats: look at the first lines */
    bool comment_header = false;
    for (size_t ln = 0; i < lim && ln < 64; ln++) {
        const char *nl = memchr(data + i, '\n', lim - i);
        size_t e = nl ? (size_t)(nl - data) : lim;
        const char *p = data + i;
        size_t m = e - i;
        if (m >= 7 && memcmp(p, "#fields", 7) == 0) {
            tr_str rest = { p + 7, m - 7 };
            bool ind = false, type = false;
            size_t s = 0;
            for (size_t k = 0; k <= rest.n; k++)
                if (k == rest.n || rest.p[k] == '\t' || rest.p[k] == ' ') {
                    tr_str f = { rest.p + s, k - s };
                    while (f.n && f.p[f.n - 1] == '\r')
                        f.n--;
                    ind |= tr_str_eq(f, TR_STR("indicator"));
                    type |= tr_str_eq(f, TR_STR("indicator_type"));
                    s = k + 1;
                }
            if (ind) /* without indicator_type the Zeek loader says what is missing */
                return TR_IOCF_ZEEK;
            (void)type;
        } else if (m && p[0] == '#') {
            comment_header |= header_line(p, m);
        } else if (m && !(m == 1 && p[0] == '\r')) {
            if (header_line(p, m) || comment_header)
                return TR_IOCF_CSV;
            return TR_IOCF_PLAIN;
        }
        i = e + 1;
    }
    return comment_header ? TR_IOCF_CSV : TR_IOCF_PLAIN;
}

bool ioc_label_type(tr_str label, tr_ioc_type *t1, tr_ioc_type *t2)
{
    static const struct {
        const char *label;
        tr_ioc_type a, b;
    } map[] = {
        /* our names */
        { "ipv4", TR_IOC_IPV4, 0 }, { "ipv6", TR_IOC_IPV6, 0 }, { "cidr", TR_IOC_CIDR, 0 },
        { "domain", TR_IOC_DOMAIN, 0 }, { "url", TR_IOC_URL, 0 }, { "md5", TR_IOC_MD5, 0 },
        { "sha1", TR_IOC_SHA1, 0 }, { "sha256", TR_IOC_SHA256, 0 },
        { "email", TR_IOC_EMAIL, 0 }, { "filename", TR_IOC_FILENAME, 0 },
        /* generic */
        { "ip", TR_IOC_NONE, 0 }, { "ip_address", TR_IOC_NONE, 0 }, { "subnet", TR_IOC_CIDR, 0 },
        { "hostname", TR_IOC_DOMAIN, 0 }, { "fqdn", TR_IOC_DOMAIN, 0 },
        { "hash", TR_IOC_NONE, 0 }, { "file_hash", TR_IOC_NONE, 0 },
        /* MISP */
        { "ip-src", TR_IOC_NONE, 0 }, { "ip-dst", TR_IOC_NONE, 0 },
        { "ip-src|port", TR_IOC_NONE, 0 }, { "ip-dst|port", TR_IOC_NONE, 0 },
        { "hostname|port", TR_IOC_DOMAIN, 0 }, { "domain|ip", TR_IOC_DOMAIN, TR_IOC_NONE },
        { "uri", TR_IOC_URL, 0 }, { "link", TR_IOC_URL, 0 },
        { "filename|md5", TR_IOC_FILENAME, TR_IOC_MD5 },
        { "filename|sha1", TR_IOC_FILENAME, TR_IOC_SHA1 },
        { "filename|sha256", TR_IOC_FILENAME, TR_IOC_SHA256 },
        { "email-src", TR_IOC_EMAIL, 0 }, { "email-dst", TR_IOC_EMAIL, 0 },
        { "email-reply-to", TR_IOC_EMAIL, 0 }, { "whois-registrant-email", TR_IOC_EMAIL, 0 },
        /* ThreatFox */
        { "ip:port", TR_IOC_NONE, 0 }, { "md5_hash", TR_IOC_MD5, 0 },
        { "sha1_hash", TR_IOC_SHA1, 0 }, { "sha256_hash", TR_IOC_SHA256, 0 },
        /* Zeek */
        { "intel::addr", TR_IOC_NONE, 0 }, { "intel::subnet", TR_IOC_CIDR, 0 },
        { "intel::domain", TR_IOC_DOMAIN, 0 }, { "intel::url", TR_IOC_URL, 0 },
        { "intel::file_hash", TR_IOC_NONE, 0 }, { "intel::file_name", TR_IOC_FILENAME, 0 },
        { "intel::email", TR_IOC_EMAIL, 0 },
        /* STIX object types */
        { "ipv4-addr", TR_IOC_NONE, 0 }, { "ipv6-addr", TR_IOC_NONE, 0 },
        { "domain-name", TR_IOC_DOMAIN, 0 }, { "email-addr", TR_IOC_EMAIL, 0 },
    };
    *t1 = *t2 = TR_IOC_NONE;
    for (size_t i = 0; i < TR_ARRAY_LEN(map); i++) {
        if (strlen(map[i].label) == label.n && tr_mem_eq_nocase(map[i].label, label.p, label.n)) {
            *t1 = map[i].a;
            *t2 = map[i].b;
            return true;
        }
    }
    return false;
}

/* ---- plain lists ---- */

/* One line of a plain list: the value is the first token; a token holding
 * "://" ends at white space only (URLs may hold ',' and ';'), any other ends
 * at white space, ',' or ';'. The rest of the line is a comment. */
static tr_str plain_token(const char *p, size_t n)
{
    size_t e = 0;
    while (e < n && (unsigned char)p[e] > ' ')
        e++;
    tr_str t = { p, e };
    bool url = false;
    for (size_t i = 0; i + 2 < e; i++)
        if (p[i] == ':' && p[i + 1] == '/' && p[i + 2] == '/')
            url = true;
    if (!url)
        for (size_t i = 0; i < e; i++)
            if (p[i] == ',' || p[i] == ';') {
                t.n = i;
                break;
            }
    return t;
}

tr_err ioc_load_plain(ioc_feed_ctx *c, const char *data, size_t n)
{
    ioc_attrs a;
    ioc_attrs_init(&a);
    uint64_t line = 0;
    size_t i = 0;
    if (n >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < n) {
        const char *nl = memchr(data + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - data) : n;
        const char *p = data + i;
        size_t m = e - i;
        line++;
        i = e + 1;
        while (m && ((unsigned char)p[0] == ' ' || p[0] == '\t'))
            p++, m--;
        while (m && (unsigned char)p[m - 1] <= ' ')
            m--;
        if (m == 0 || p[0] == '#' || p[0] == ';' || (m >= 2 && p[0] == '/' && p[1] == '/'))
            continue;
        tr_str v = plain_token(p, m);
        const char *why;
        ioc_feed_consumed(c, data, (size_t)(p - data));
        tr_err err = ioc_builder_add_value(c->b, c->feed, TR_IOC_NONE, v, &a, &why);
        if (err == TR_EPARSE)
            ioc_reject(c->b, c->path, line, NULL, "%s: '%.*s'", why, (int)TR_MIN(v.n, 80),
                       v.p);
        else if (err)
            return err;
    }
    return TR_OK;
}

/* ---- entry points ---- */

static tr_str feed_name_of(const char *path, const char *given)
{
    if (given)
        return tr_str_c(given);
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    const char *dot = strchr(b, '.');
    if (dot && dot != b)
        n = (size_t)(dot - b);
    return (tr_str){ b, n };
}

/* mapped: data is our own file mapping, whose pages the loader may hand
 * back as it goes (never the caller's memory). */
static tr_err add_feed(tr_ioc_builder *b, const char *data, size_t n, tr_ioc_format fmt,
                       const char *path, const char *feed_name, bool mapped)
{
    if (!path)
        path = "-";
    if (fmt == TR_IOCF_AUTO)
        fmt = tr_ioc_format_detect(data, n);
    ioc_feed_ctx c = { b, path, feed_name_of(path, feed_name), mapped, 0 };
    b->feeds++;
    switch (fmt) {
    case TR_IOCF_PLAIN: return ioc_load_plain(&c, data, n);
    case TR_IOCF_CSV: return ioc_load_csv(&c, data, n);
    case TR_IOCF_ZEEK: return ioc_load_zeek(&c, data, n);
    case TR_IOCF_STIX: return ioc_load_stix(&c, data, n);
    case TR_IOCF_MISP: return ioc_load_misp(&c, data, n);
    case TR_IOCF_WARNINGLIST:
        ioc_reject(b, path, 0, NULL, "a MISP warninglist is an allowlist: give it with --allowlist");
        return TR_EFORMAT;
    default: return TR_EINVAL;
    }
}

tr_err tr_ioc_builder_add_feed_mem(tr_ioc_builder *b, const char *data, size_t n,
                                   tr_ioc_format fmt, const char *path, const char *feed_name)
{
    return add_feed(b, data, n, fmt, path, feed_name, false);
}

tr_err tr_ioc_builder_add_feed(tr_ioc_builder *b, const char *path, const char *feed_name)
{
    const char *data;
    size_t n;
    bool mapped;
    tr_err err = ioc_file_read(path, &data, &n, &mapped);
    if (err)
        return err;
    err = add_feed(b, data, n, TR_IOCF_AUTO, path, feed_name, mapped);
    ioc_file_release(data, n, mapped);
    return err;
}

tr_err tr_ioc_builder_add_allowlist_mem(tr_ioc_builder *b, const char *data, size_t n,
                                        const char *path)
{
    if (!path)
        path = "-";
    if (tr_ioc_format_detect(data, n) == TR_IOCF_WARNINGLIST)
        return ioc_load_warninglist(b, path, data, n);
    uint64_t line = 0;
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(data + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - data) : n;
        tr_str s = { data + i, e - i };
        line++;
        i = e + 1;
        while (s.n && (unsigned char)s.p[0] <= ' ')
            s.p++, s.n--;
        if (s.n == 0 || s.p[0] == '#' || (s.n >= 2 && s.p[0] == '/' && s.p[1] == '/'))
            continue;
        tr_str v = plain_token(s.p, s.n);
        tr_err err = ioc_allow_add_value(&b->allow, v);
        if (err == TR_EPARSE)
            ioc_reject(b, path, line, NULL, "not an allowlist value: '%.*s'",
                       (int)TR_MIN(v.n, 80), v.p);
        else if (err)
            return err;
    }
    return TR_OK;
}

tr_err tr_ioc_builder_add_allowlist(tr_ioc_builder *b, const char *path)
{
    const char *data;
    size_t n;
    bool mapped;
    tr_err err = ioc_file_read(path, &data, &n, &mapped);
    if (err)
        return err;
    err = tr_ioc_builder_add_allowlist_mem(b, data, n, path);
    ioc_file_release(data, n, mapped);
    return err;
}
