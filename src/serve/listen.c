/*
 * listen.c - the --listen address: "HOST:PORT", "[V6]:PORT" or "PORT", and
 * whether it is a loopback address (the only kind served without a token).
 * Names other than "localhost" are refused rather than resolved: what the
 * server binds to must be exactly what the operator wrote.
 */
#include "core/common.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "serve/serve_int.h"

static bool parse_port(const char *s, unsigned *port)
{
    if (!*s || strlen(s) > 5)
        return false;
    unsigned v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return false;
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (v > 65535)
        return false;
    *port = v;
    return true;
}

tr_err serve_listen_parse(const char *spec, serve_addr *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    char host[64];
    const char *port_s;
    size_t n = strlen(spec);
    if (n == 0 || n >= 80)
        goto bad;
    if (spec[0] == '[') {
        const char *close = strchr(spec, ']');
        if (!close || close[1] != ':' || (size_t)(close - spec - 1) >= sizeof(host))
            goto bad;
        memcpy(host, spec + 1, (size_t)(close - spec - 1));
        host[close - spec - 1] = '\0';
        port_s = close + 2;
    } else {
        const char *colon = strrchr(spec, ':');
        if (!colon) {
            snprintf(host, sizeof(host), "127.0.0.1");
            port_s = spec;
        } else {
            if (strchr(spec, ':') != colon || (size_t)(colon - spec) >= sizeof(host))
                goto bad; /* bare IPv6 needs brackets */
            memcpy(host, spec, (size_t)(colon - spec));
            host[colon - spec] = '\0';
            port_s = colon + 1;
        }
    }
    unsigned port;
    if (!parse_port(port_s, &port))
        goto bad;
    if (strcmp(host, "localhost") == 0 || host[0] == '\0')
        snprintf(host, sizeof(host), "127.0.0.1");
    struct sockaddr_in *v4 = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        out->len = sizeof(*v4);
        out->loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
        snprintf(out->host, sizeof(out->host), "%s", host);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        out->len = sizeof(*v6);
        out->loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
        out->ipv6 = true;
        snprintf(out->host, sizeof(out->host), "[%s]", host);
    } else {
        snprintf(err, errlen, "--listen %s: '%s' is not an IP address (use 127.0.0.1, "
                              "[::1], 0.0.0.0, a local address, or localhost)", spec, host);
        return TR_EINVAL;
    }
    out->port = port;
    return TR_OK;
bad:
    snprintf(err, errlen, "--listen '%s': expected HOST:PORT, [IPV6]:PORT or PORT", spec);
    return TR_EINVAL;
}
