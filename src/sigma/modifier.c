/*
 * modifier.c - the modifier registry and the encodings (see modifier.h).
 *
 * The registry is the X-macro list in modifier.h; this file turns it into
 * a lookup table and the public documentation table, so that a modifier
 * added there is parsed, listed by `trawl rules modifiers` and described at
 * once.
 */
#include "core/common.h"

#include "sigma/modifier.h"
#include "trawl/sigma.h"

static const char *const mod_names[] = {
#define SG_MOD_NAME(id, name, group, summary) name,
    SG_MODIFIERS(SG_MOD_NAME)
#undef SG_MOD_NAME
};

static const tr_sigma_modifier_doc mod_docs[] = {
#define SG_MOD_DOC(id, name, group, summary) { name, group, summary },
    SG_MODIFIERS(SG_MOD_DOC)
#undef SG_MOD_DOC
    { NULL, NULL, NULL },
};

const tr_sigma_modifier_doc *tr_sigma_modifiers(size_t *n)
{
    if (n)
        *n = SG_M_COUNT;
    return mod_docs;
}

sg_mod sg_mod_lookup(tr_str name)
{
    for (int i = 0; i < SG_M_COUNT; i++)
        if (strlen(mod_names[i]) == name.n && memcmp(mod_names[i], name.p, name.n) == 0)
            return (sg_mod)i;
    return SG_M_COUNT;
}

const char *sg_mod_name(sg_mod m)
{
    return m < SG_M_COUNT ? mod_names[m] : "?";
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

tr_err sg_base64(tr_buf *out, const void *p, size_t n)
{
    const unsigned char *s = p;
    tr_err err = tr_buf_reserve(out, (n + 2) / 3 * 4);
    if (err)
        return err;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)s[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char q[4] = { b64chars[(v >> 18) & 63], b64chars[(v >> 12) & 63],
                      i + 1 < n ? b64chars[(v >> 6) & 63] : '=', i + 2 < n ? b64chars[v & 63] : '=' };
        if ((err = tr_buf_append(out, q, 4)))
            return err;
    }
    return TR_OK;
}

/* At offset k (0..2) the value is preceded by k unknown bytes: encode it
 * behind k placeholder bytes, drop the characters those bytes touch at the
 * start (0, 2 or 3) and, at the end, the characters that depend on the
 * bytes after the value (none when the encoded length is a multiple of 3,
 * else the partial group and its padding). */
tr_err sg_base64_offsets(tr_buf out[3], const void *p, size_t n)
{
    static const size_t cut_start[3] = { 0, 2, 3 };
    static const size_t cut_end[3] = { 0, 3, 2 };
    tr_err err = TR_OK;
    tr_buf tmp = TR_BUF_INIT;
    tr_buf raw = TR_BUF_INIT;
    for (size_t k = 0; k < 3; k++) {
        tr_buf_reset(&tmp);
        tr_buf_reset(&raw);
        if ((err = tr_buf_append(&raw, "\0\0", k)) || (err = tr_buf_append(&raw, p, n)))
            break;
        if ((err = sg_base64(&tmp, raw.p, raw.n)))
            break;
        size_t s = cut_start[k], e = cut_end[(n + k) % 3];
        size_t len = tmp.n > s + e ? tmp.n - s - e : 0;
        tr_buf_reset(&out[k]);
        if ((err = tr_buf_append(&out[k], tmp.p + s, len)))
            break;
    }
    tr_buf_release(&tmp);
    tr_buf_release(&raw);
    return err;
}

static tr_err put_unit(tr_buf *out, uint32_t u, sg_utf16_form how)
{
    unsigned char b[2];
    if (how == SG_UTF16BE) {
        b[0] = (unsigned char)(u >> 8);
        b[1] = (unsigned char)u;
    } else {
        b[0] = (unsigned char)u;
        b[1] = (unsigned char)(u >> 8);
    }
    return tr_buf_append(out, b, 2);
}

tr_err sg_utf16(tr_buf *out, const void *p, size_t n, sg_utf16_form how)
{
    const unsigned char *s = p;
    tr_err err = TR_OK;
    for (size_t i = 0; i < n && !err;) {
        uint32_t c = s[i], need;
        if (c < 0x80)
            need = 0;
        else if ((c >> 5) == 6)
            need = 1, c &= 0x1F;
        else if ((c >> 4) == 14)
            need = 2, c &= 0x0F;
        else if ((c >> 3) == 30)
            need = 3, c &= 0x07;
        else
            return TR_EPARSE;
        for (uint32_t k = 1; k <= need; k++) {
            if (i + k >= n || (s[i + k] & 0xC0) != 0x80)
                return TR_EPARSE;
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        i += need + 1;
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return TR_EPARSE;
        if (c >= 0x10000) {
            c -= 0x10000;
            err = put_unit(out, 0xD800 | (c >> 10), how);
            if (!err)
                err = put_unit(out, 0xDC00 | (c & 0x3FF), how);
        } else {
            err = put_unit(out, c, how);
        }
    }
    return err;
}
