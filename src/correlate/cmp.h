/*
 * cmp.h - the campaign engine's internal types: the interner, the compact
 * per-detection record, the policy, and the engine struct that the files
 * of src/correlate/ share (trawl/campaign.h is the public side).
 */
#ifndef TR_SRC_CORRELATE_CMP_H
#define TR_SRC_CORRELATE_CMP_H

#include "core/common.h"

#include "core/buf.h"
#include "core/hash.h"
#include "core/vec.h"
#include "trawl/arena.h"
#include "trawl/campaign.h"

/* ---- interner: one copy of each distinct string, ids from 1 (0 = empty/none) ---- */

typedef struct cm_intern {
    tr_arena *arena;  /* string bytes (NUL-terminated copies) */
    tr_str *strs;     /* id -> string; strs[0] is the empty string */
    uint64_t *hashes; /* id -> hash */
    uint32_t n, cap;  /* ids used (including 0), capacity */
    uint32_t *slots;  /* open addressing: id or 0 */
    uint32_t mask;
} cm_intern;

tr_err cm_intern_init(cm_intern *in);
void cm_intern_release(cm_intern *in);
/* The id of s, adding it when new (*id 0 for the empty string). */
tr_err cm_intern_put(cm_intern *in, tr_str s, uint32_t *id);
/* The id of s, or 0 when absent. */
uint32_t cm_intern_get(const cm_intern *in, tr_str s);
static inline tr_str cm_str(const cm_intern *in, uint32_t id)
{
    return in->strs[id];
}
/* rank[id] = position of string id in byte order (rank[0] = 0); caller frees. */
tr_err cm_intern_ranks(const cm_intern *in, uint32_t **rank);

/* ---- policy ---- */

typedef struct cm_rule_stage {
    char *key; /* rule id, tag (lower case), or "type\x1fside" */
    uint8_t stage; /* tr_stage, or CM_STAGE_IGNORE */
} cm_rule_stage;

#define CM_STAGE_IGNORE 0xFF
#define CM_STAGE_UNSET 0xFE

typedef struct cm_actor_name {
    char *group; /* "g0096", "barium" (lower case) */
    char *actor; /* "APT41" */
} cm_actor_name;

struct tr_campaign_policy {
    tr_campaign_params params;
    TR_VEC(cm_rule_stage) rules, tags, indicators;
    TR_VEC(cm_actor_name) actors;
    TR_VEC(char *) ignore;
};

/* The built-in ATT&CK group table: id and aliases -> actor name. */
typedef struct cm_group {
    const char *id;      /* "G0096" */
    const char *actor;   /* "APT41" */
    const char *aliases; /* "|"-separated */
} cm_group;
extern const cm_group cm_groups[];
extern const size_t cm_ngroups;

/* ---- compact detections ---- */

enum cm_det_flags {
    CM_FLOW = 1 << 0,     /* a connection summary logged at its end (Suricata flow) */
    CM_INFRA = 1 << 1,    /* its record names infrastructure (set by the linker) */
    CM_HOSTLOG = 1 << 2   /* a host's own log (process, file, registry, shell) */
};

typedef struct cm_det {
    int64_t ts;
    uint64_t record, line;
    uint32_t tenant, path, host; /* strings */
    uint32_t rule;               /* rule table index */
    uint32_t ind;                /* indicator table index, 0 = none */
    uint32_t seed;               /* actor (string id), 0 = none */
    uint32_t cves;               /* CVE set index, 0 = none */
    uint32_t ent_off;            /* entities: ents[ent_off .. ent_off + nent) (value ids) */
    uint16_t nent;
    uint8_t stage, flags;
    uint32_t field;              /* ioc: the matched field (string), for ordering */
} cm_det;

typedef struct cm_rule {
    uint32_t rule_id, title, level; /* strings */
    uint8_t kind;                 /* tr_det_kind */
    uint8_t stage;                /* from policy or tags, CM_STAGE_UNSET, or CM_STAGE_IGNORE */
    bool policy_stage;            /* stage came from the policy (wins over indicator rules) */
    uint32_t cves;                /* CVE set */
    uint32_t seed;                /* actor from a group tag */
} cm_rule;

typedef struct cm_indicator {
    uint32_t value, type, feed, actor; /* strings (actor as the feed says it) */
} cm_indicator;

/* Value ids (in engine.values) start with a type letter. */
enum cm_value_type {
    CM_V_IP = 'i',
    CM_V_DOMAIN = 'd',
    CM_V_URL = 'u',
    CM_V_HASH = 'h',
    CM_V_FILE = 'f',
    CM_V_EMAIL = 'e'
};

typedef struct cm_value {
    uint32_t tenants, dets;
    int64_t first, last;
    uint8_t max_stage;
    bool benign, ignored;
} cm_value;

/* A link between two detections (an edge of the evidence graph). */
typedef struct cm_edge {
    uint32_t a, b;
    uint32_t value; /* SHARED_VALUE: value id; EXEC_AFTER: CVE string; SAME_HOST: host */
    uint8_t why;    /* tr_cmp_why */
} cm_edge;

/* Results, built by rollup.c. */
typedef struct cm_result {
    TR_VEC(tr_campaign) campaigns;
    TR_VEC(tr_cmp_benign) benign;
    TR_VEC(tr_cmp_conflict) conflicts;
} cm_result;

struct tr_campaigns {
    tr_campaign_params params;
    const tr_fleet *fleet;
    tr_map *rule_stage;   /* rule id -> stage */
    tr_map *tag_stage;    /* tag (nocase) -> stage */
    tr_map *ind_stage;    /* "type\x1fside" (nocase) -> stage */
    tr_map *actor_of;     /* group id / alias (nocase) -> actor string id */
    tr_map *ignore;       /* value (nocase) -> 1 */
    tr_map *field_class;  /* field name (nocase) -> enum cm_field_class */

    cm_intern strs;       /* tenants, paths, titles, hosts, CVEs, actors, … */
    cm_intern values;     /* typed values ("i66.42.98.220") */
    cm_intern rule_keys;  /* kind|rule id|title -> rule index */
    cm_intern ind_keys;   /* value|type|feed|actor -> indicator index */
    cm_intern cve_keys;   /* "CVE-a,CVE-b" -> CVE set index */
    TR_VEC(cm_rule) rules;
    TR_VEC(cm_indicator) indicators;
    TR_VEC(uint32_t) cveset_off; /* CVE set i: cveset_ids[off[i] .. off[i+1]) */
    TR_VEC(uint32_t) cveset_ids;
    TR_VEC(cm_det) dets;
    TR_VEC(uint32_t) ents;
    tr_buf scratch;       /* keys under construction */
    tr_buf urlbuf;        /* a URL being normalised */
    uint64_t *idset;      /* detection ids seen (open addressing, 0 = empty) */
    size_t idset_n, idset_mask;

    bool ran;
    tr_cmp_summary summary;

    /* run state (link.c) */
    cm_value *vals;           /* per value id */
    uint32_t *actor;          /* per detection: attributed actor or 0 */
    uint32_t *comp;           /* per detection: component (its smallest detection) */
    uint32_t *via;            /* per detection: the detection it joined through (or self) */
    uint8_t *why;             /* per detection: tr_cmp_why */
    uint32_t *via_value;      /* per detection: value/host/CVE of the link */
    uint32_t *eff_cves;       /* per detection: CVE set incl. one taken from its session */
    TR_VEC(cm_edge) edges;

    tr_arena *out;            /* result strings and arrays */
    cm_result res;
};

/* policy.c */
tr_err cm_policy_apply(tr_campaigns *c, const tr_campaign_policy *p);
uint32_t cm_actor_for(const tr_campaigns *c, tr_str group_or_alias);

/* entity.c: field classes and extraction */
enum cm_field_class {
    CM_F_OTHER = 0, /* scanned for URLs and addresses */
    CM_F_SRC,       /* source address */
    CM_F_DST,       /* destination address */
    CM_F_DOMAIN,    /* a name looked up (DNS) */
    CM_F_HOST,      /* the host the event happened on */
    CM_F_SKIP       /* never infrastructure (user agents, hashes of images, ports, …) */
};
tr_err cm_fields_init(tr_campaigns *c);
/* Appends the value ids of d's infrastructure to c->ents; *host gets the
 * host string id. stage says which side of a connection is remote. */
tr_err cm_extract(tr_campaigns *c, const tr_detection *d, uint8_t stage, bool dns,
                  uint32_t *host, uint16_t *nent);
/* Normalises a URL: lower-case scheme and host, no user info, dot
 * segments removed. Writes into out (cleared first); *host gets the host slice
 * of out. false when s is not scheme://host… */
bool cm_url_norm(tr_str s, tr_buf *out, tr_str *host);
/* True for a public unicast IPv4/IPv6 literal. */
bool cm_ip_public(tr_str s);

/* link.c */
tr_err cm_link(tr_campaigns *c);
/* rollup.c */
tr_err cm_rollup(tr_campaigns *c);

/* later - earlier in ns, saturated: INT64_MAX when either time is missing or
 * the difference does not fit (times far apart are never "within" a window). */
static inline int64_t cm_span(int64_t later, int64_t earlier)
{
    int64_t d;
    if (later == INT64_MIN || earlier == INT64_MIN || __builtin_sub_overflow(later, earlier, &d))
        return INT64_MAX;
    return d;
}

/* CVE set members. */
static inline const uint32_t *cm_cveset(const tr_campaigns *c, uint32_t set, uint32_t *n)
{
    if (!set) {
        *n = 0;
        return NULL;
    }
    *n = c->cveset_off.v[set + 1] - c->cveset_off.v[set];
    return c->cveset_ids.v + c->cveset_off.v[set];
}

/* uuid.c: our namespace for campaign and STIX object ids */
extern const uint8_t cm_uuid_ns[16];
void cm_sha1(const void *p, size_t n, uint8_t out[20]);

#endif
