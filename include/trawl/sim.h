/*
 * trawl/sim.h - the fleet telemetry simulator: many organisations' logs, in
 * the formats their products really write, with a known ground truth.
 *
 * The only scenario is "apt41-2020": APT41's January-March 2020
 * exploitation of Citrix ADC (CVE-2019-19781), Cisco RV320
 * (CVE-2019-1653/1652) and Zoho Desktop Central (CVE-2020-10189), among mass
 * scanners, benign look-alikes and ordinary traffic. See docs/SIMULATOR.md.
 *
 * Output is a directory: fleet.csv, logs/<tenant>/…, truth.json. The same
 * options and seed give byte-identical output.
 */
#ifndef TR_SIM_H
#define TR_SIM_H

#include "trawl/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tr_sim_opts {
    const char *scenario;  /* "apt41-2020" (NULL means it) */
    const char *out_dir;   /* created if missing; existing files are overwritten */
    uint64_t seed;         /* default 1 */
    uint32_t orgs;         /* tenants in the fleet; default 120 */
    int32_t targeted;      /* tenants with a visible APT41 attempt; -1 = default 78 */
    int32_t compromised;   /* tenants with visible post-exploitation; -1 = default 8 */
    int64_t from_ns;       /* first day written (UTC ns, midnight); 0 = 2020-01-13 */
    int64_t to_ns;         /* end of the window, exclusive; 0 = 2020-03-18 */
    double benign_rate;    /* background records per log stream per day; 0 = from size */
    uint64_t size;         /* approximate output bytes; 0 = 32 MiB (when benign_rate is 0) */
} tr_sim_opts;

typedef struct tr_sim_stats {
    uint64_t files;       /* files written (logs, fleet.csv, truth.json) */
    uint64_t bytes;       /* bytes written to disk */
    uint64_t records;     /* log records written */
    uint32_t tenants;     /* tenants in fleet.csv */
    uint32_t targeted;    /* as in truth.json */
    uint32_t compromised; /* as in truth.json */
} tr_sim_stats;

/* The defaults above. */
TR_API void tr_sim_opts_init(tr_sim_opts *o);

/* Generates the fleet. Returns TR_EINVAL for inconsistent options (message
 * in errbuf), TR_EIO when a file cannot be written, TR_ENOMEM. stats may be
 * NULL. Not thread-safe with itself on the same out_dir; otherwise
 * reentrant (no global state). */
TR_API tr_err tr_sim_run(const tr_sim_opts *o, tr_sim_stats *stats, char *errbuf, size_t errlen);

#ifdef __cplusplus
}
#endif
#endif /* TR_SIM_H */
