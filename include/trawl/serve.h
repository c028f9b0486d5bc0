/*
 * trawl/serve.h - the HTTP API and the campaign dashboard over a store
 * (`trawl serve`; docs/SERVE.md is the manual).
 *
 *   tr_serve_opts o = { .store = "hunt.db" };           listen defaults to 127.0.0.1:8080
 *   tr_serve *s;
 *   if (tr_serve_start(&o, &s, err, sizeof err)) … err says why …
 *   printf("%s\n", tr_serve_url(s));                    the port when 0 was asked
 *   … wait for a signal …
 *   tr_serve_stop(s);
 *
 * The server answers on its own threads (a libmicrohttpd thread pool). It
 * keeps an in-memory view of the store (tenants, their timelines, campaigns)
 * that a background thread rebuilds whenever the store changes, so the list
 * endpoints cost a lookup; detection queries go to the store, each worker
 * with its own read-only connection.
 *
 * Security: binding to anything but a loopback address requires a token;
 * with a token every /api/ and /metrics request needs "Authorization: Bearer
 * TOKEN" (compared in constant time). Without one, requests must name a
 * loopback host (DNS rebinding) and cross-origin requests are refused. The
 * server is read-only unless ingest is enabled. Every limit is in the
 * options below.
 *
 * Ownership: the options and everything they point to are borrowed for the
 * duration of tr_serve_start() only, except the ingest rules, indicators
 * and policy, which must outlive the server.
 */
#ifndef TR_SERVE_H
#define TR_SERVE_H

#include "trawl/core.h"
#include "trawl/ioc.h"
#include "trawl/sigma.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tr_serve tr_serve;

/* Live ingest: POSTed log records are kept in a spool directory, hunted
 * with these rules and indicators, and stored. */
typedef struct tr_serve_ingest {
    const tr_ruleset *rules;     /* Sigma rules (may be NULL when iocs is set) */
    const tr_ioc_index *iocs;    /* indicators (may be NULL when rules is set) */
    const char *spool;           /* directory for posted records (NULL: "<store>.spool") */
    const char *mapping;         /* logsource mapping file (docs/LOGSOURCE.md), or NULL */
    unsigned threads;            /* hunt worker threads per request (0 = 1) */
} tr_serve_ingest;

typedef struct tr_serve_opts {
    const char *store;           /* the store to serve (required); created when ingesting */
    const char *listen;          /* "HOST:PORT", "[V6]:PORT" or "PORT" (NULL: 127.0.0.1:8080);
                                    port 0 picks a free port (tr_serve_port) */
    const char *token;           /* bearer token (at least 16 characters), or NULL; required
                                    unless the address is loopback */
    unsigned threads;            /* request threads (0 = 4) */
    unsigned max_connections;    /* open connections at most (0 = 256) */
    unsigned max_per_ip;         /* open connections per client address (0 = 64) */
    unsigned timeout_s;          /* idle connection timeout in seconds (0 = 30) */
    double rate;                 /* requests per second per client address (0 = 100;
                                    negative: no limit) */
    double burst;                /* requests allowed at once above the rate (0 = 2 x rate) */
    size_t max_header;           /* bytes of request line + headers (0 = 16 KiB) */
    size_t max_body;             /* bytes of an ingest body (0 = 8 MiB) */
    unsigned max_page;           /* detections per page at most (0 = 1000) */
    unsigned refresh_ms;         /* how often the store is checked for changes (0 = 2000) */
    const char *source_root;     /* relative detection paths are read from here (NULL: the
                                    current directory) */
    const char *fleet;           /* fleet file adding countries and sectors to the store's
                                    tenants, or NULL */
    const char *policy;          /* campaign policy file (docs/CAMPAIGNS.md), or NULL */
    bool access_log;             /* one info line per request (never the token) */
    const tr_serve_ingest *ingest; /* NULL: read-only */
} tr_serve_opts;

/* Opens the store, builds the first view of it and starts listening. On
 * failure *out is NULL, errbuf says why and the result is
 *   TR_EINVAL   bad options (an unparsable address, a short token, …);
 *   TR_EAUTH    a non-loopback address without a token;
 *   TR_ENOENT / TR_ESTORE / TR_EVERSION   the store cannot be opened;
 *   TR_ENET     the address cannot be bound (in use, not local, …). */
TR_API tr_err tr_serve_start(const tr_serve_opts *opts, tr_serve **out, char *errbuf,
                             size_t errlen);

/* The port listened on (the one picked when 0 was asked). */
TR_API unsigned tr_serve_port(const tr_serve *s);
/* "http://127.0.0.1:8080/" (borrowed, valid until tr_serve_stop). */
TR_API const char *tr_serve_url(const tr_serve *s);

/* Rebuilds the view of the store now instead of at the next check.
 * Thread-safe. */
TR_API tr_err tr_serve_refresh(tr_serve *s);

/* Stops listening, waits for the requests in progress and frees s. NULL is
 * fine. */
TR_API void tr_serve_stop(tr_serve *s);

#ifdef __cplusplus
}
#endif
#endif /* TR_SERVE_H */
