/*
 * auth.c - who may talk to the server: the bearer token (compared in
 * constant time), the Host header of token-less servers (a page that
 * rebinds its own DNS name to 127.0.0.1 must not read the API) and the
 * Origin of browser requests (another site's page must not post records).
 */
#include "core/common.h"

#include <strings.h>

#include "core/hash.h"
#include "serve/serve_int.h"

bool serve_token_equal(const char *want, size_t wantn, const char *got, size_t gotn)
{
    /* Every byte of the expected token is visited whatever got holds, and
     * the result is folded without branches: the time depends on the
     * length of the expected token only. */
    volatile unsigned char diff = (unsigned char)(wantn != gotn);
    for (size_t i = 0; i < wantn; i++) {
        unsigned char g = gotn ? (unsigned char)got[i % gotn] : 0;
        diff |= (unsigned char)(g ^ (unsigned char)want[i]);
    }
    return diff == 0;
}

bool serve_bearer_ok(const char *header, const char *token, size_t tokenn)
{
    if (!header)
        return false;
    while (*header == ' ')
        header++;
    if (strncasecmp(header, "Bearer", 6) != 0 || header[6] != ' ')
        return false;
    const char *p = header + 7;
    while (*p == ' ')
        p++;
    size_t n = strlen(p);
    while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return serve_token_equal(token, tokenn, p, n);
}

/* The host part of a Host header value ("127.0.0.1:8080" → "127.0.0.1",
 * "[::1]:80" → "[::1]"); false when it is malformed. */
static bool host_part(const char *h, tr_str *out)
{
    size_t n = strlen(h);
    if (n == 0 || n > 255)
        return false;
    if (h[0] == '[') {
        const char *close = strchr(h, ']');
        if (!close || (close[1] != '\0' && close[1] != ':'))
            return false;
        *out = (tr_str){ h, (size_t)(close - h) + 1 };
        return true;
    }
    const char *colon = strchr(h, ':');
    *out = (tr_str){ h, colon ? (size_t)(colon - h) : n };
    return out->n > 0;
}

bool serve_host_ok(const char *host, const char *listen_host)
{
    tr_str h;
    if (!host || !host_part(host, &h))
        return false;
    static const char *const local[] = { "127.0.0.1", "localhost", "[::1]" };
    for (size_t i = 0; i < TR_ARRAY_LEN(local); i++)
        if (h.n == strlen(local[i]) && tr_mem_eq_nocase(h.p, local[i], h.n))
            return true;
    return listen_host && h.n == strlen(listen_host) && tr_mem_eq_nocase(h.p, listen_host, h.n);
}

bool serve_origin_ok(const char *origin, const char *host)
{
    if (!origin)
        return true; /* not a browser's cross-origin request */
    if (!host || strncmp(origin, "http://", 7) != 0)
        return false; /* "null" (sandboxed frames, files), https pages, other schemes */
    const char *o = origin + 7;
    size_t on = strlen(o);
    if (on && o[on - 1] == '/')
        on--;
    return on == strlen(host) && tr_mem_eq_nocase(o, host, on);
}
