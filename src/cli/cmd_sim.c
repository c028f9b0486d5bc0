/*
 * cmd_sim.c - `trawl sim`: generate a simulated fleet (logs of many
 * organisations in their products' real formats) with its ground truth.
 */
#include "core/common.h"

#include <time.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "core/time.h"
#include "trawl/log.h"
#include "trawl/sim.h"

static const cmd_usage sim_usage = {
    "sim",
    "--scenario apt41-2020 --out DIR [options]",
    "Write a simulated fleet to DIR: fleet.csv, logs/<tenant>/… (Citrix httpaccess and shell\n"
    "logs, Desktop Central access logs, Sysmon JSON, Zeek TSV, Suricata EVE) and truth.json,\n"
    "the ground truth computed from what was written.",
    "The scenario is APT41's January-March 2020 campaign (Citrix CVE-2019-19781, Cisco RV320\n"
    "CVE-2019-1653/1652, Zoho Desktop Central CVE-2020-10189) among mass scanners, benign\n"
    "look-alikes and ordinary traffic; docs/SIMULATOR.md describes it. The same options and\n"
    "seed always give byte-identical output.\n"
    "Exit status: 0 on success, 1 when the output cannot be written, 2 on a usage error.",
};

/* "32M", "4G", "1500000" -> bytes. */
static bool parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return false;
    double mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1024.0; end++; break;
    case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return false;
    *out = (uint64_t)(v * mul);
    return true;
}

static bool parse_day(const char *p, size_t n, int64_t *ns)
{
    if (n != 10)
        return false;
    tr_tm tm = { 0 };
    if (sscanf(p, "%4d-%2d-%2d", &tm.year, &tm.month, &tm.day) != 3)
        return false;
    return tr_time_join(&tm, ns) == TR_OK;
}

/* "2020-01-20..2020-03-11": whole days, both included. */
static bool parse_days(const char *s, int64_t *from, int64_t *to)
{
    const char *dots = strstr(s, "..");
    if (!dots)
        return false;
    if (!parse_day(s, (size_t)(dots - s), from) || !parse_day(dots + 2, strlen(dots + 2), to))
        return false;
    *to += INT64_C(86400) * TR_NS_PER_SEC;
    return *to > *from;
}

int cmd_sim(int argc, char **argv)
{
    const char *scenario = NULL, *out = NULL, *days = NULL, *size = NULL, *rate = NULL;
    long long seed = 1, orgs = 120, targeted = -1, compromised = -1;
    const opt table[] = {
        OPT_STRING(0, "scenario", "NAME", &scenario, "scenario to simulate (apt41-2020)"),
        OPT_STRING('o', "out", "DIR", &out, "output directory (created; files overwritten)"),
        OPT_INT(0, "seed", "N", &seed, "random seed (default 1)"),
        OPT_INT(0, "orgs", "N", &orgs, "tenants in the fleet (default 120)"),
        OPT_INT(0, "targeted", "N", &targeted,
                "tenants with a visible APT41 attempt (default 78 for 120 tenants)"),
        OPT_INT(0, "compromised", "N", &compromised,
                "tenants with visible post-exploitation (default 8)"),
        OPT_STRING(0, "days", "FROM..TO", &days,
                   "days written, e.g. 2020-01-20..2020-03-11 (default 2020-01-13..2020-03-17)"),
        OPT_STRING(0, "benign-rate", "N", &rate,
                   "background records per log stream per day (overrides --size)"),
        OPT_STRING(0, "size", "BYTES", &size,
                   "approximate uncompressed volume of background traffic, e.g. 32M, 4G "
                   "(default 32M)"),
        OPT_END(),
    };
    opt_list pos = { 0 };
    bool help;
    int rc = opts_parse(&sim_usage, table, argc, argv, &pos, &help);
    if (rc || help)
        goto done;
    rc = 2;
    if (pos.n) {
        fprintf(stderr, "trawl sim: unexpected argument '%s'\n", pos.v[0]);
        goto done;
    }
    if (!out) {
        fprintf(stderr, "trawl sim: --out DIR is required\n");
        goto done;
    }
    tr_sim_opts o;
    tr_sim_opts_init(&o);
    o.scenario = scenario ? scenario : "apt41-2020";
    o.out_dir = out;
    if (seed < 0 || orgs < 1 || orgs > 100000 || targeted < -1 || compromised < -1 ||
        targeted > orgs || compromised > 100000) {
        fprintf(stderr, "trawl sim: --seed, --orgs (1..100000), --targeted and --compromised "
                        "must be non-negative and consistent\n");
        goto done;
    }
    o.seed = (uint64_t)seed;
    o.orgs = (uint32_t)orgs;
    o.targeted = (int32_t)targeted;
    o.compromised = (int32_t)compromised;
    if (days && !parse_days(days, &o.from_ns, &o.to_ns)) {
        fprintf(stderr, "trawl sim: --days wants FROM..TO as YYYY-MM-DD..YYYY-MM-DD\n");
        goto done;
    }
    if (size && (!parse_size(size, &o.size) || o.size == 0)) {
        fprintf(stderr, "trawl sim: --size wants a byte count such as 500K, 32M or 4G\n");
        goto done;
    }
    if (rate) {
        char *end;
        o.benign_rate = strtod(rate, &end);
        if (end == rate || *end || o.benign_rate < 0) {
            fprintf(stderr, "trawl sim: --benign-rate wants a non-negative number\n");
            goto done;
        }
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tr_sim_stats st;
    char err[512];
    tr_err e = tr_sim_run(&o, &st, err, sizeof(err));
    if (e) {
        fprintf(stderr, "trawl sim: %s\n", err);
        rc = e == TR_EINVAL ? 2 : 1;
        goto done;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    tr_info("sim: %u tenants, %" PRIu64 " files, %" PRIu64 " records, %.1f MB in %.2f s "
            "(%.0f MB/s); truth: %u targeted, %u compromised",
            st.tenants, st.files, st.records, (double)st.bytes / 1e6, secs,
            secs > 0 ? (double)st.bytes / 1e6 / secs : 0.0, st.targeted, st.compromised);
    rc = 0;
done:
    opt_list_free(&pos);
    return rc;
}
