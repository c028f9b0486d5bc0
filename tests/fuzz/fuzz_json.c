/*
 * fuzz_json.c - the JSON tokenizer on arbitrary bytes: it never reads past
 * the input or crashes; an accepted document gives the same token stream
 * twice, skips as a whole, and all its strings decode with tr_json_unescape
 * to what tr_json_str gives.
 */
#include "core/common.h"

#include "core/json.h"
#include "core/jsonstr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    uint32_t depth = size ? 1u + data[0] % 80u : 0; /* vary the limit too */
    tr_json j;
    tr_json_tok t;
    tr_json_init(&j, p, size, depth);
    size_t count = 0;
    char *a = malloc(size + 1), *b = malloc(size + 1);
    if (!a || !b)
        goto out;
    tr_json_type type;
    while ((type = tr_json_next(&j, &t)) > TR_JSON_END) {
        count++;
        if (t.text.n > size || (t.text.n && (t.text.p < p || t.text.p + t.text.n > p + size)))
            abort();
        if (t.type == TR_JSON_STRING || t.type == TR_JSON_KEY) {
            size_t an;
            tr_str s;
            if (tr_json_unescape(t.text.p, t.text.n, a, &an) != TR_OK)
                abort(); /* the tokenizer accepted what the decoder refuses */
            if (tr_json_str(&t, b, size + 1, &s) != TR_OK || s.n != an || memcmp(a, s.p, an))
                abort();
            a[an] = '\0';
            if (t.escaped == false && an != t.text.n)
                abort();
            if (memchr(a, '\0', an) == NULL && !tr_json_str_is(&t, a))
                abort();
        }
    }
    if (type == TR_JSON_ERROR) {
        if (j.err_off > size || !j.errmsg[0] || tr_json_next(&j, &t) != TR_JSON_ERROR)
            abort();
        goto out;
    }
    /* accepted: same count again, and skipping the top value lands at the end */
    tr_json_init(&j, p, size, depth);
    size_t again = 0;
    while (tr_json_next(&j, &t) > TR_JSON_END)
        again++;
    if (again != count || t.type != TR_JSON_END)
        abort();
    tr_json_init(&j, p, size, depth);
    tr_json_next(&j, &t);
    if (tr_json_skip(&j, &t) != TR_OK || tr_json_next(&j, &t) != TR_JSON_END)
        abort();
    if (tr_json_validate(p, size, depth, NULL) != TR_OK)
        abort();
out:
    free(a);
    free(b);
    return 0;
}
