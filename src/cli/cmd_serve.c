/*
 * cmd_serve.c - `trawl serve --store DB`: the HTTP API and the campaign
 * dashboard over a store, until SIGINT or SIGTERM (docs/SERVE.md).
 */
#include "core/common.h"

#include <signal.h>
#include <sys/stat.h>

#include "cli/commands.h"
#include "cli/content.h"
#include "cli/opts.h"
#include "trawl/log.h"
#include "trawl/serve.h"

static const cmd_usage serve_usage = {
    "serve",
    "--store DB [--listen HOST:PORT] [--token-file FILE] [--ingest [-r RULES]… [-i FEED]…]",
    "Serve a store over HTTP: a JSON API, Prometheus metrics and the campaign dashboard.",
    "The server listens on 127.0.0.1:8080 unless --listen says otherwise; port 0 picks a\n"
    "free port. It prints its URL on stdout once it listens. Listening on any address but\n"
    "loopback requires a token (--token-file, or --token, which other local users can see\n"
    "in the process list); every /api/ and /metrics request then needs\n"
    "'Authorization: Bearer TOKEN'.\n"
    "\n"
    "The server is read-only unless --ingest is given: POST /api/ingest?tenant=ID then\n"
    "accepts log records (JSON lines or text lines), hunts them with -r/-i (or the bundled\n"
    "content), stores the detections and shows them within seconds. Posted records are\n"
    "kept under --spool (default DB.spool/) so that detections point at real lines.\n"
    "\n"
    "Limits (per client address unless said): --rate requests per second (0: none),\n"
    "--max-per-ip open connections, --max-connections in all, --max-header bytes of request\n"
    "line and headers, --max-body bytes of an ingest body, --max-page detections per page.\n"
    "SIGINT or SIGTERM stops the server after the requests in progress.\n"
    "Exit status: 0 after a signal, 1 when the server cannot start (store, address in use),\n"
    "2 on a usage error (including a non-loopback address without a token).",
};

typedef struct serve_cli {
    const char *store, *listen, *token, *token_file, *source_root, *fleet, *policy;
    const char *spool, *mapping;
    opt_list rules, feeds, allowlists;
    long long threads, max_connections, max_per_ip, timeout, rate, burst, max_header, max_body,
        max_page, refresh_ms, ingest_threads;
    bool ingest, access_log;
} serve_cli;

/* Reads the token from the first line of path; warns when others may read it. */
static char *read_token_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "trawl serve: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && (sb.st_mode & 077))
        tr_warn("%s: the token file can be read by other users (chmod 600 it)", path);
    char line[1024];
    char *tok = NULL;
    if (fgets(line, sizeof(line), f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                     line[n - 1] == '\t'))
            line[--n] = '\0';
        tok = strdup(line);
    }
    fclose(f);
    memset(line, 0, sizeof(line));
    if (!tok || !*tok) {
        fprintf(stderr, "trawl serve: %s: no token on its first line\n", path);
        free(tok);
        return NULL;
    }
    return tok;
}

static void sigma_diag(const tr_sigma_diag *d, void *ctx)
{
    TR_UNUSED(ctx);
    tr_log_at(d->level == TR_SIGMA_ERROR ? TR_LOG_ERROR : TR_LOG_WARN, d->path, d->line, "%s",
              d->message);
}

/* The ingest content: -r/-i, or the bundled content. */
static int load_content(serve_cli *o, tr_ruleset **rs, tr_ioc_index **x)
{
    content_paths content = { 0 };
    int rc = 0;
    const opt_list *rules = &o->rules, *feeds = &o->feeds;
    if (o->rules.n == 0 && o->feeds.n == 0) {
        if (content_find(&content) != 0) {
            fprintf(stderr, "trawl serve: --ingest without -r or -i, and no bundled content "
                            "found (set TRAWL_CONTENT)\n");
            return 2;
        }
        rules = &content.rules;
        feeds = &content.feeds;
        tr_info("ingest uses the bundled content in %s", content.dir);
    }
    if (rules->n) {
        tr_sigma_opts so = { .diag = sigma_diag };
        if (tr_ruleset_load(rules->v, rules->n, &so, rs) != TR_OK) {
            tr_error("cannot load rules");
            rc = 1;
            goto out;
        }
    }
    if (feeds->n || o->allowlists.n) {
        tr_ioc_builder *b;
        if (tr_ioc_builder_new(NULL, &b) != TR_OK) {
            rc = 1;
            goto out;
        }
        for (size_t i = 0; i < feeds->n; i++)
            if (tr_ioc_builder_add_feed(b, feeds->v[i], NULL) != TR_OK) {
                tr_log_at(TR_LOG_ERROR, feeds->v[i], 0, "feed not loaded");
                rc = 1;
            }
        for (size_t i = 0; i < o->allowlists.n; i++)
            if (tr_ioc_builder_add_allowlist(b, o->allowlists.v[i]) != TR_OK) {
                tr_log_at(TR_LOG_ERROR, o->allowlists.v[i], 0, "allowlist not loaded");
                rc = 1;
            }
        if (tr_ioc_builder_finish(b, x) != TR_OK) {
            tr_error("out of memory building the indicator index");
            rc = 1;
        }
    }
out:
    content_paths_release(&content);
    return rc;
}

static bool positive(const char *name, long long v, long long max)
{
    if (v >= 0 && v <= max)
        return true;
    fprintf(stderr, "trawl serve: --%s must be between 0 and %lld\n", name, max);
    return false;
}

int cmd_serve(int argc, char **argv)
{
    serve_cli o = { .rate = -1 };
    const opt table[] = {
        OPT_STRING(0, "store", "DB", &o.store, "the store to serve (written by trawl hunt --store)"),
        OPT_STRING(0, "listen", "HOST:PORT", &o.listen, "address to listen on (127.0.0.1:8080)"),
        OPT_STRING(0, "token-file", "FILE", &o.token_file,
                   "bearer token from the first line of FILE (required off loopback)"),
        OPT_STRING(0, "token", "TOKEN", &o.token,
                   "bearer token (visible in the process list: prefer --token-file)"),
        OPT_STRING(0, "fleet", "FILE", &o.fleet, "fleet inventory adding to the store's tenants"),
        OPT_STRING(0, "policy", "FILE", &o.policy, "campaign policy file"),
        OPT_STRING(0, "source-root", "DIR", &o.source_root,
                   "read relative detection paths from DIR (default: the current directory)"),
        OPT_INT('j', "threads", "N", &o.threads, "request threads (4)"),
        OPT_INT(0, "max-connections", "N", &o.max_connections, "open connections at most (256)"),
        OPT_INT(0, "max-per-ip", "N", &o.max_per_ip, "open connections per client address (64)"),
        OPT_INT(0, "timeout", "SECONDS", &o.timeout, "idle connection timeout (30)"),
        OPT_INT(0, "rate", "N", &o.rate, "requests per second per client address (100; 0: no "
                                         "limit)"),
        OPT_INT(0, "burst", "N", &o.burst, "requests at once above the rate (2 x rate)"),
        OPT_INT(0, "max-header", "BYTES", &o.max_header,
                "request line and headers, at most (32768)"),
        OPT_INT(0, "max-body", "BYTES", &o.max_body, "ingest body, at most (8 MiB)"),
        OPT_INT(0, "max-page", "N", &o.max_page, "detections per page, at most (1000)"),
        OPT_INT(0, "refresh", "MS", &o.refresh_ms, "how often to look for new detections (2000)"),
        OPT_FLAG(0, "access-log", &o.access_log, "log every request (path and status only)"),
        OPT_FLAG(0, "ingest", &o.ingest, "accept log records on POST /api/ingest"),
        OPT_LIST('r', "rules", "PATH", &o.rules, "ingest: Sigma rule file or directory"),
        OPT_LIST('i', "ioc", "FEED", &o.feeds, "ingest: indicator feed"),
        OPT_LIST(0, "allowlist", "FILE", &o.allowlists, "ingest: benign values that never match"),
        OPT_STRING(0, "spool", "DIR", &o.spool, "ingest: where posted records are kept (DB.spool)"),
        OPT_STRING(0, "mapping", "FILE", &o.mapping, "ingest: logsource mapping file"),
        OPT_INT(0, "ingest-threads", "N", &o.ingest_threads, "ingest: hunt threads (1)"),
        OPT_END(),
    };
    opt_list pos = { 0 };
    bool help;
    int rc = opts_parse(&serve_usage, table, argc, argv, &pos, &help);
    tr_ruleset *rs = NULL;
    tr_ioc_index *iocs = NULL;
    char *token = NULL;
    tr_serve *srv = NULL;
    if (rc || help)
        goto out;
    rc = 2;
    if (!o.store) {
        fprintf(stderr, "trawl serve: --store DB is required\n");
        goto out;
    }
    if (pos.n) {
        fprintf(stderr, "trawl serve: unexpected argument '%s'\n", pos.v[0]);
        goto out;
    }
    if (o.token && o.token_file) {
        fprintf(stderr, "trawl serve: give --token or --token-file, not both\n");
        goto out;
    }
    if (!o.ingest && (o.rules.n || o.feeds.n || o.spool || o.allowlists.n)) {
        fprintf(stderr, "trawl serve: -r, -i, --allowlist and --spool need --ingest\n");
        goto out;
    }
    if (!positive("threads", o.threads, 256) || !positive("max-connections", o.max_connections,
                                                          100000) ||
        !positive("max-per-ip", o.max_per_ip, 100000) || !positive("timeout", o.timeout, 86400) ||
        !positive("burst", o.burst, 1000000) || !positive("max-header", o.max_header, 1 << 24) ||
        !positive("max-body", o.max_body, (long long)1 << 32) ||
        !positive("max-page", o.max_page, 100000) ||
        !positive("refresh", o.refresh_ms, 3600000) ||
        !positive("ingest-threads", o.ingest_threads, 64))
        goto out;
    if (o.rate != -1 && !positive("rate", o.rate, 1000000))
        goto out;
    if (o.max_header && o.max_header < 4096) {
        fprintf(stderr, "trawl serve: --max-header must be at least 4096\n");
        goto out;
    }
    if (o.token_file && !(token = read_token_file(o.token_file))) {
        rc = 1;
        goto out;
    }
    rc = 1;
    if (o.access_log && tr_log_get_level() < TR_LOG_INFO)
        tr_log_set_level(TR_LOG_INFO);
    tr_serve_ingest ing = { 0 };
    if (o.ingest) {
        int lrc = load_content(&o, &rs, &iocs);
        if (lrc) {
            rc = lrc;
            goto out;
        }
        ing = (tr_serve_ingest){ rs, iocs, o.spool, o.mapping, (unsigned)o.ingest_threads };
    }
    tr_serve_opts so = {
        .store = o.store,
        .listen = o.listen,
        .token = token ? token : o.token,
        .threads = (unsigned)o.threads,
        .max_connections = (unsigned)o.max_connections,
        .max_per_ip = (unsigned)o.max_per_ip,
        .timeout_s = (unsigned)o.timeout,
        .rate = o.rate == -1 ? 0 : o.rate == 0 ? -1 : (double)o.rate,
        .burst = (double)o.burst,
        .max_header = (size_t)o.max_header,
        .max_body = (size_t)o.max_body,
        .max_page = (unsigned)o.max_page,
        .refresh_ms = (unsigned)o.refresh_ms,
        .source_root = o.source_root,
        .fleet = o.fleet,
        .policy = o.policy,
        .access_log = o.access_log,
        .ingest = o.ingest ? &ing : NULL,
    };
    /* Signals go to this thread only (sigwait below), not to the server's. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    char err[1024];
    tr_err e = tr_serve_start(&so, &srv, err, sizeof(err));
    if (token) {
        memset(token, 0, strlen(token));
    }
    if (e) {
        fprintf(stderr, "trawl serve: %s\n", err);
        rc = e == TR_EINVAL || e == TR_EAUTH ? 2 : 1; /* bad options vs. cannot start */
        goto out;
    }
    tr_info("serving %s on %s%s", o.store, tr_serve_url(srv),
            o.ingest ? " (ingest enabled)" : " (read-only)");
    printf("%s\n", tr_serve_url(srv));
    fflush(stdout);
    int sig = 0;
    do {
        if (sigwait(&sigs, &sig) != 0)
            break;
    } while (sig == SIGPIPE);
    tr_info("signal %d: stopping", sig);
    rc = 0;
out:
    tr_serve_stop(srv);
    free(token);
    tr_ruleset_free(rs);
    tr_ioc_index_free(iocs);
    opt_list_free(&pos);
    opt_list_free(&o.rules);
    opt_list_free(&o.feeds);
    opt_list_free(&o.allowlists);
    return rc;
}
