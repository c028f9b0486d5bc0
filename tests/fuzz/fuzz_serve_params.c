/*
 * fuzz_serve_params.c - what trawl serve reads from a client before any
 * handler runs, on arbitrary bytes: the query string of /api/detections
 * (split at '&' and '='), the Host, Origin and Authorization headers, ids
 * and tenant names. No crash, no overread; an accepted query is sane.
 */
#include "core/common.h"

#include "serve/serve_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *p = malloc(size + 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    p[size] = '\0';
    /* the query string */
    char *q = strndup(p, size);
    serve_param params[32];
    size_t n = 0;
    for (char *save = NULL, *kv = q ? strtok_r(q, "&", &save) : NULL; kv && n < 32;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        if (eq)
            *eq = '\0';
        params[n++] = (serve_param){ kv, eq ? eq + 1 : NULL };
    }
    serve_det_query dq;
    char err[256];
    if (serve_det_query_parse(params, n, 1000, &dq, err, sizeof(err)) == TR_OK) {
        if (dq.limit < 1 || dq.limit > 1000)
            abort();
        if (dq.filter.since != TR_TS_NONE && dq.filter.until != TR_TS_NONE &&
            dq.filter.until < dq.filter.since)
            abort();
    } else if (!err[0]) {
        abort(); /* a refusal always says why */
    }
    free(q);
    /* headers and path pieces */
    const char *tok = "0123456789abcdef0123";
    (void)serve_bearer_ok(p, tok, strlen(tok));
    (void)serve_host_ok(p, "127.0.0.1");
    (void)serve_origin_ok(p, "127.0.0.1:8080");
    (void)serve_token_equal(tok, strlen(tok), p, size);
    uint64_t id;
    (void)serve_parse_id((tr_str){ p, size }, &id);
    if (serve_tenant_name_ok(p) && (strchr(p, '/') || strcmp(p, "..") == 0))
        abort();
    serve_addr a;
    (void)serve_listen_parse(p, &a, err, sizeof(err));
    free(p);
    return 0;
}
