/*
 * plan.h - tables and helpers shared by the planning files (fleet_gen.c,
 * plan.c, noise.c).
 */
#ifndef TR_SIM_PLAN_H
#define TR_SIM_PLAN_H

#include "core/common.h"

#include "sim/world.h"

typedef struct sim_country {
    const char *code;  /* ISO 3166-1 alpha-2 */
    uint32_t weight;   /* relative frequency */
    int tz_min;        /* standard offset in January (minutes) */
    bool dst_na;       /* North American DST (starts 2020-03-08) */
} sim_country;

typedef struct sim_sector {
    const char *published; /* the sector as FireEye named it, NULL for others */
    const char *stix;      /* STIX 2.1 industry-sector value */
    uint32_t weight;
    const char *names[3];  /* name templates: {P} a place, {S} a surname */
} sim_sector;

/* The published countries and sectors come first in the tables. */
#define SIM_NPUB_COUNTRIES 20
#define SIM_NPUB_SECTORS 19
extern const sim_country sim_countries[];
extern const size_t sim_ncountries;
extern const sim_sector sim_sectors[];
extern const size_t sim_nsectors;

uint32_t sim_public_ip(sim_rng *r);
/* A public address outside the campaign's and the tenants' networks. */
uint32_t sim_fresh_ip(sim_ctx *c, sim_rng *r);
void sim_set_place(sim_tenant *t, size_t country, sim_rng *r);
void sim_assign_geo(sim_ctx *c, sim_rng *r, sim_tenant **tg, size_t ntg, sim_tenant **rest,
                    size_t nrest);
tr_err sim_assign_addresses(sim_ctx *c, sim_rng *r);
/* Index of a country / STIX sector in the tables. */
size_t sim_country_index(const char *code);
size_t sim_sector_index(const char *stix);

/* Midnight UTC of a date, in ns. */
int64_t sim_date(int y, int m, int d);

/* Builders of special events (plan.c). */
static inline sim_mark sim_mk(int actor, int cve, int stage, int who)
{
    return (sim_mark){ (uint8_t)actor, (uint8_t)cve, (uint8_t)stage, CVE_NONE, (uint16_t)who };
}
sim_ev *sim_web_ev(sim_ctx *c, sim_tenant *t, int stream, int64_t ts, sim_mark m, uint32_t cip,
                   const char *method, const char *uri, uint16_t status, uint32_t bytes,
                   const char *ua);
sim_ev *sim_net_ev(sim_ctx *c, sim_tenant *t, int stream, int64_t ts, sim_mark m, int app,
                   uint32_t oh, uint16_t op, uint32_t rh, uint16_t rp);
sim_ev *sim_sm_ev(sim_ctx *c, sim_tenant *t, int64_t ts, sim_mark m, int eid);
/* A process creation on the Desktop Central server; returns the new pid. */
uint32_t sim_proc(sim_ctx *c, sim_tenant *t, int64_t ts, sim_mark m, const char *image,
                  const char *cmd, uint32_t ppid, const char *pimage, const char *pcmd,
                  const char *user, const char *hashes);
/* Status a Citrix exploit request gets at ts. */
uint16_t sim_citrix_status(const sim_tenant *t, int64_t ts, uint16_t ok);
uint16_t sim_dc_status(const sim_tenant *t, int64_t ts, uint16_t ok);
/* Random lower-case letters (n < 64) in the run arena. */
const char *sim_rand_name(sim_ctx *c, sim_rng *r, int n);
/* An ephemeral source port. */
static inline uint16_t sim_eport(sim_rng *r)
{
    return (uint16_t)(49152 + sim_below(r, 16000));
}

/* noise.c: scanners, the benign many-tenant service, look-alikes. */
tr_err sim_plan_noise(sim_ctx *c, sim_rng *r);
/* apt41.c: the campaign itself. */
tr_err sim_plan_apt41(sim_ctx *c, sim_rng *r);

#endif
