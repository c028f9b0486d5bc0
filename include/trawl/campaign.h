/*
 * trawl/campaign.h - campaigns from the detections of a whole fleet: stages
 * per tenant, attribution to actors, clustering of unattributed activity,
 * and the reports that explain them (docs/CAMPAIGNS.md is the manual).
 *
 * The engine consumes tr_detection views and a tr_fleet, nothing else:
 *
 *   tr_campaign_policy *pol = tr_campaign_policy_new();     defaults
 *   tr_campaign_policy_load(pol, "policy.yml", err, sizeof err);   optional
 *   tr_campaigns *c; tr_campaigns_new(pol, fleet, &c);
 *   for each detection: tr_campaigns_add(c, d);           copies what it needs
 *   tr_campaigns_run(c);                                   once
 *   for (i < tr_campaigns_count(c)) tr_campaigns_get(c, i)   read-only results
 *   tr_campaigns_write(c, TR_CMPFMT_JSON, &opts, out);
 *   tr_campaigns_free(c); tr_campaign_policy_free(pol);
 *
 * Ownership: the engine copies every string it keeps (interned, once per
 * distinct value) into its own arenas; results and every slice in them
 * belong to the engine and live until tr_campaigns_free(). The fleet must
 * outlive the engine. The policy is copied by tr_campaigns_new().
 *
 * Errors: TR_ENOMEM on allocation failure (the engine is then unusable
 * except for _free), TR_EINVAL on misuse (add after run, run twice).
 * Thread-safety: an engine is used by one thread at a time; results are
 * immutable after tr_campaigns_run() and may be read from any thread.
 */
#ifndef TR_CAMPAIGN_H
#define TR_CAMPAIGN_H

#include <stdio.h>

#include "trawl/detect.h"
#include "trawl/fleet.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How far an actor got at a tenant (DESIGN.md "Campaign model"). */
typedef enum tr_stage {
    TR_STAGE_NONE = 0,
    TR_STAGE_TARGETED,   /* an exploitation attempt or scan was seen */
    TR_STAGE_EXPLOITED,  /* a vulnerable answer or a successful exploit */
    TR_STAGE_COMPROMISED /* post-exploitation: execution, persistence, C2, payload egress */
} tr_stage;

/* "targeted", "exploited", "compromised" ("none" for TR_STAGE_NONE). */
TR_API const char *tr_stage_name(tr_stage s);
/* The stage named s, or TR_STAGE_NONE. */
TR_API tr_stage tr_stage_parse(tr_str s);

/* ---- policy ---------------------------------------------------------------------------- */

/* Windows and thresholds (nanoseconds for durations). */
typedef struct tr_campaign_params {
    int64_t link_window;     /* detections sharing a value chain when closer than this (14 d) */
    int64_t exec_window;     /* execution after an exploitation of the same CVE (10 min) */
    int64_t host_window;     /* host evidence near infrastructure evidence (1 h) */
    int64_t session_window;  /* an untagged attempt takes the CVE of its session (10 min) */
    int64_t cluster_gap;     /* silence that splits an unattributed cluster (14 d) */
    int64_t actor_gap;       /* silence that splits an actor's campaign (0: never) */
    int64_t phase_gap;       /* silent days that end a phase of the timeline (2 d) */
    double benign_share;     /* a value at >= this share of active tenants… (0.5) */
    uint32_t benign_min_tenants; /* …and at >= this many, never compromised, is benign (5) */
    uint32_t cluster_min_tenants; /* clusters reported from this many tenants (2), or with a
                                     compromise */
} tr_campaign_params;

typedef struct tr_campaign_policy tr_campaign_policy;

/* A policy holding the built-in defaults (ATT&CK group table, windows).
 * NULL on allocation failure. */
TR_API tr_campaign_policy *tr_campaign_policy_new(void);
TR_API void tr_campaign_policy_free(tr_campaign_policy *p);
/* The policy's windows and thresholds, to read or change in place. */
TR_API tr_campaign_params *tr_campaign_policy_params(tr_campaign_policy *p);

/* Stage overrides; the most specific wins: rule id, then tag, then (for
 * indicator detections) indicator type and side. TR_STAGE_NONE as st makes
 * matching detections ignored by the campaign engine. type and side may be
 * "*"; side is "source", "destination" or "none". */
TR_API tr_err tr_campaign_policy_stage_rule(tr_campaign_policy *p, const char *rule_id,
                                            tr_stage st);
TR_API tr_err tr_campaign_policy_stage_tag(tr_campaign_policy *p, const char *tag, tr_stage st);
TR_API tr_err tr_campaign_policy_stage_indicator(tr_campaign_policy *p, const char *type,
                                                 const char *side, tr_stage st);
/* Names an actor: group is an ATT&CK group id ("G0096") or an alias found in
 * feeds ("BARIUM"); both map to actor. Extends or overrides the built-in
 * table. */
TR_API tr_err tr_campaign_policy_actor(tr_campaign_policy *p, const char *group,
                                       const char *actor);
/* A value (address, domain, URL, hash) that never links detections (a known
 * benign service). Case-insensitive. */
TR_API tr_err tr_campaign_policy_ignore(tr_campaign_policy *p, const char *value);

/* Reads a policy file (YAML; docs/CAMPAIGNS.md "Policy file") into p, on
 * top of what p holds. On failure errbuf holds "PATH:LINE: reason" and the
 * result is TR_ENOENT/TR_EIO (unreadable) or TR_EPARSE (bad content); p
 * may then hold part of the file. */
TR_API tr_err tr_campaign_policy_load(tr_campaign_policy *p, const char *path, char *errbuf,
                                      size_t errlen);

/* ---- results --------------------------------------------------------------------------- */

/* Why a detection belongs to a campaign. */
typedef enum tr_cmp_why {
    TR_WHY_SEED_RULE = 0,   /* its rule carries the actor's group tag */
    TR_WHY_SEED_INDICATOR,  /* its indicator is attributed to the actor by a feed */
    TR_WHY_SAME_RECORD,     /* the same source record as a campaign detection */
    TR_WHY_SHARED_VALUE,    /* shares an address, domain, URL or hash (via_value) */
    TR_WHY_EXEC_AFTER,      /* execution following an exploitation of the same CVE */
    TR_WHY_SAME_HOST,       /* on the same host shortly before or after */
    TR_WHY_ORIGIN           /* the first detection of an unattributed cluster */
} tr_cmp_why;
TR_API const char *tr_cmp_why_name(tr_cmp_why w);

/* One detection as the engine kept it (a view into the engine). */
typedef struct tr_cmp_det {
    int64_t ts;
    tr_str tenant;
    tr_det_kind kind;
    tr_str rule_id, rule_title, level;
    tr_str path;
    uint64_t record, line;
    tr_stage stage;
    tr_str indicator;       /* indicator value (ioc), else empty */
    tr_str indicator_type;
    tr_str feed;
    tr_str actor_seed;      /* the actor this detection names itself, or empty */
    tr_str host;            /* host it happened on, or empty */
} tr_cmp_det;

/* Detections of one tenant, rule (or indicator) and stage: what put the
 * tenant in the campaign. */
typedef struct tr_cmp_evidence {
    uint32_t det;        /* the first of them (tr_campaigns_detection) */
    uint32_t count;      /* how many */
    tr_stage stage;
    tr_cmp_why why;      /* how the first one joined */
    uint32_t via;        /* the detection it was tied to (UINT32_MAX: a seed) */
    tr_str via_value;    /* SHARED_VALUE: the value; SAME_HOST: the host; EXEC_AFTER: CVE */
    int64_t first, last;
} tr_cmp_evidence;

typedef struct tr_cmp_tenant {
    tr_str id, name, country, sector; /* from the fleet (empty when unknown) */
    tr_stage stage;
    int64_t first_seen, last_seen;   /* its attempts (targeted/exploited detections) */
    int64_t activity_first, activity_last; /* all its campaign detections */
    uint32_t detections;
    const tr_str *cves;              /* CVEs tried here, sorted */
    uint32_t ncves;
    const tr_cmp_evidence *evidence; /* by stage (highest first), then time */
    uint32_t nevidence;
} tr_cmp_tenant;

typedef struct tr_cmp_cve {
    tr_str cve;                      /* "CVE-2019-19781" */
    uint32_t targeted, exploited, compromised; /* tenants (a higher stage counts lower too) */
    int64_t first_seen, last_seen;   /* attempts with this CVE */
} tr_cmp_cve;

typedef struct tr_cmp_infra {
    tr_str value;
    tr_str type;                     /* "ip", "domain", "url", "hash", "filename" */
    uint32_t tenants, detections;
    int64_t first_seen, last_seen;
} tr_cmp_infra;

typedef struct tr_cmp_phase {
    int64_t first, last;             /* attempts of the phase */
    uint32_t tenants;                /* tenants with an attempt in it */
    const tr_str *cves;
    uint32_t ncves;
} tr_cmp_phase;

typedef struct tr_cmp_day {
    int64_t day;                     /* midnight UTC, ns */
    uint32_t targeted, exploited, compromised; /* tenants with a detection of that stage */
} tr_cmp_day;

typedef struct tr_campaign {
    const char *id;                  /* "campaign--<uuid>" (UUIDv5 of the actor or seed) */
    const char *name;
    tr_str actor;                    /* empty for an unattributed cluster */
    tr_str seed;                     /* cluster: the value it grew from */
    bool cluster;
    const tr_cmp_tenant *tenants;    /* every tenant reached, sorted by id */
    uint32_t ntenants;
    uint32_t nexploited, ncompromised;
    const tr_str *countries, *sectors; /* over the tenants, sorted, unique */
    uint32_t ncountries, nsectors;
    int64_t first_seen, last_seen;   /* attempts */
    int64_t activity_first, activity_last;
    const tr_cmp_cve *cves;
    uint32_t ncves;
    const tr_cmp_infra *infra;       /* sorted by value */
    uint32_t ninfra;
    const tr_cmp_phase *phases;
    uint32_t nphases;
    const tr_cmp_day *days;          /* every day from the first to the last detection */
    uint32_t ndays;
    const char *const *explanation;  /* sentences: seeds, links, merges, splits */
    uint32_t nexplanation;
    uint32_t detections;
} tr_campaign;

/* A value kept out of clustering: many tenants, never a compromise. */
typedef struct tr_cmp_benign {
    tr_str value, type;
    uint32_t tenants, detections;
    tr_stage max_stage;
    int64_t first_seen, last_seen;
} tr_cmp_benign;

/* Two actors' seeds in one linked group. */
typedef struct tr_cmp_conflict {
    const char *text;                /* what was linked and how */
    uint32_t det;                    /* a detection of the group */
    uint32_t detections;
} tr_cmp_conflict;

typedef struct tr_cmp_summary {
    uint64_t added;                  /* detections given to tr_campaigns_add */
    uint64_t duplicates;             /* ignored: same id as an earlier one */
    uint64_t ignored;                /* no tenant, or a policy stage of none */
    uint32_t detections;             /* kept */
    uint32_t tenants;                /* with at least one detection */
    uint32_t fleet_tenants;          /* in the fleet */
    uint32_t background;             /* detections in no reported campaign or cluster */
    uint32_t background_tenants;
    const tr_cmp_benign *benign;
    uint32_t nbenign;
    const tr_cmp_conflict *conflicts;
    uint32_t nconflicts;
} tr_cmp_summary;

/* ---- the engine ------------------------------------------------------------------------ */

typedef struct tr_campaigns tr_campaigns;

/* policy and fleet may be NULL (defaults; no countries or sectors). */
TR_API tr_err tr_campaigns_new(const tr_campaign_policy *policy, const tr_fleet *fleet,
                               tr_campaigns **out);
TR_API void tr_campaigns_free(tr_campaigns *c);
/* Keeps one detection (compactly; strings are interned). Detections whose
 * id (tr_detection_id when d->id is 0) was seen before are counted and
 * ignored. No per-detection allocation beyond amortised array growth. */
TR_API tr_err tr_campaigns_add(tr_campaigns *c, const tr_detection *d);
/* Links, attributes, clusters and rolls up. Call once, after every add. */
TR_API tr_err tr_campaigns_run(tr_campaigns *c);

TR_API size_t tr_campaigns_count(const tr_campaigns *c);
/* Campaigns: actors' first (by actor, then time), then clusters (most
 * tenants first, then id). NULL past the end. */
TR_API const tr_campaign *tr_campaigns_get(const tr_campaigns *c, size_t i);
TR_API const tr_cmp_summary *tr_campaigns_summary(const tr_campaigns *c);
/* The kept detection idx (from evidence or conflicts). */
TR_API tr_err tr_campaigns_detection(const tr_campaigns *c, uint32_t idx, tr_cmp_det *out);

/* ---- reading detections ---------------------------------------------------------------- */

/* Calls fn for each detection of a JSON-lines file in the record format of
 * DESIGN.md (as `trawl hunt --format jsonl` writes it; path "-" is stdin;
 * gzip is not decoded here). A malformed line is reported as
 * "PATH:LINE: reason", counted in *bad (optional) and skipped. The view
 * passed to fn is valid during the call only. Returns TR_ENOENT/TR_EIO
 * when the file cannot be read, or what fn returned when it was not TR_OK. */
typedef tr_err (*tr_detection_fn)(void *ctx, const tr_detection *d);
TR_API tr_err tr_detections_read_jsonl(const char *path, tr_detection_fn fn, void *ctx,
                                       uint64_t *bad);
/* The same over lines held in memory (p[0..n), newline-separated, e.g. the
 * messages of a topic); name is used in the messages. Never fails on bad
 * lines; returns TR_ENOMEM or what fn returned when it was not TR_OK. */
TR_API tr_err tr_detections_read_jsonl_buf(const char *name, const char *p, size_t n,
                                           tr_detection_fn fn, void *ctx, uint64_t *bad);

/* ---- reports --------------------------------------------------------------------------- */

typedef enum tr_cmp_format {
    TR_CMPFMT_TEXT = 0,
    TR_CMPFMT_JSON,
    TR_CMPFMT_HTML,
    TR_CMPFMT_STIX
} tr_cmp_format;

typedef struct tr_cmp_report_opts {
    bool anonymise;          /* tenants replaced by sector and country groups */
    uint32_t min_group;      /* anonymised groups smaller than this become "other" (5) */
    uint32_t max_evidence;   /* evidence items per tenant shown (0: all) */
    int64_t now;             /* STIX created/modified (0: the last detection's time) */
    bool brief;              /* text: tenants without their evidence, clusters as one line each */
} tr_cmp_report_opts;

/* Writes the report of a run engine in fmt to out. opts may be NULL. The
 * output is deterministic: the same detections give the same bytes.
 * TR_EIO on a write error. */
TR_API tr_err tr_campaigns_write(const tr_campaigns *c, tr_cmp_format fmt,
                                 const tr_cmp_report_opts *opts, FILE *out);

/* UUIDv5 (RFC 9562) of name in namespace ns (16 bytes), as 36 characters
 * plus a NUL in out[37]. */
TR_API void tr_uuid5(const uint8_t ns[16], const void *name, size_t n, char out[37]);

#ifdef __cplusplus
}
#endif
#endif /* TR_CAMPAIGN_H */
