/*
 * world.h - the simulated fleet: tenants, what they run and log, the
 * scenario's events, and the ground-truth ledger.
 *
 * A run has three steps. plan.c builds the tenants and lays out every
 * non-background event (the campaign, the scanners, the benign look-alikes)
 * as "special" events on per-tenant streams. The stream writers (web.c,
 * nslog.c, sysmon.c, zeek.c, eve.c) then write each file in time order,
 * merging background traffic generated on the fly with the special events.
 * Every special event that is actually written is entered into the truth
 * ledger (truth.c), so truth.json describes the files and not the plan.
 */
#ifndef TR_SIM_WORLD_H
#define TR_SIM_WORLD_H

#include "core/common.h"

#include "core/vec.h"
#include "sim/emit.h"
#include "sim/rng.h"
#include "trawl/arena.h"
#include "trawl/sim.h"

#define SIM_NS INT64_C(1000000000)
#define SIM_MIN (60 * SIM_NS)
#define SIM_HOUR (3600 * SIM_NS)
#define SIM_DAY (86400 * SIM_NS)

/* Vulnerabilities, in the order truth.json lists them. */
enum sim_cve { CVE_NONE, CVE_CITRIX, CVE_RV_1653, CVE_RV_1652, CVE_ZOHO, CVE_COUNT };
extern const char *const sim_cve_names[CVE_COUNT];

/* What an event proves about its tenant (DESIGN.md campaign stages). */
enum sim_stage { ST_NONE, ST_TARGETED, ST_EXPLOITED, ST_COMPROMISED };

/* Who produced an event. */
enum sim_actor {
    ACT_NONE,      /* background traffic */
    ACT_APT41,     /* the campaign */
    ACT_SCANNER,   /* mass scanners / other criminals exploiting the same CVEs */
    ACT_SERVICE,   /* the benign address seen at many tenants */
    ACT_LOOKALIKE, /* benign traffic shaped like an exploit or its aftermath */
};

/* Look-alike kinds (sim_mark.who when actor is ACT_LOOKALIKE). */
enum sim_lookalike {
    LK_CITRIX_BOOKMARK, /* logged-in users' /vpns/portal/ bookmark traffic */
    LK_CISCO_BACKUP,    /* admins downloading RV320 config backups */
    LK_DC_MDM_AGENT,    /* Desktop Central mobile agents posting logs to /mdm/ */
    LK_DC_CHART,        /* the console's /cewolf/ chart images */
    LK_DC_JAVA_CHILD,   /* Desktop Central's java.exe running its own scripts */
    LK_IT_CERTUTIL,     /* IT staff using certutil */
    LK_IT_BITSADMIN,    /* IT staff using bitsadmin */
    LK_ADMIN_SHELL,     /* appliance admins' shell commands */
    LK_COUNT
};
extern const char *const sim_lookalike_names[LK_COUNT];

typedef struct sim_mark {
    uint8_t actor; /* enum sim_actor */
    uint8_t cve;   /* enum sim_cve */
    uint8_t stage; /* enum sim_stage */
    uint8_t cve2;  /* a second CVE the record also counts for (a chain), or CVE_NONE */
    uint16_t who;  /* scanner index or look-alike kind */
} sim_mark;

/* Output streams of a tenant (one or more files each). */
enum sim_stream {
    SS_CITRIX_WEB, /* citrix/<host>/httpaccess.log (+ rotated .gz) */
    SS_CITRIX_SH,  /* citrix/<host>/bash.log and notice.log */
    SS_DC_WEB,     /* desktopcentral/<host>/access.log */
    SS_SYSMON,     /* windows/<host>/sysmon.jsonl */
    SS_ZEEK,       /* zeek/{conn,dns,http,ftp,ssl}.log */
    SS_EVE,        /* suricata/eve.json */
    SS_COUNT
};

/* One web request (Citrix httpaccess, Desktop Central access log). */
typedef struct sim_web {
    uint32_t cip;        /* client address */
    const char *method;  /* "GET" */
    const char *uri;     /* raw request target, un-normalised */
    const char *ua;      /* User-Agent or NULL for "-" */
    const char *ref;     /* Referer or NULL for "-" */
    const char *user;    /* authenticated user or NULL for "-" */
    uint16_t status;     /* response status */
    uint32_t bytes;      /* response body bytes */
    uint32_t time_us;    /* service time (Citrix "Time: N microsecs") */
} sim_web;

/* One appliance shell command (bash.log / notice.log). */
typedef struct sim_sh {
    const char *user; /* "nobody", "root", "nsroot" */
    const char *cmd;  /* the command line */
    const char *tty;  /* "/dev/pts/0" or NULL for "(null)" */
    uint32_t pid;
    bool notice_only; /* a notice.log message that is not a shell command */
} sim_sh;

/* One Sysmon event; which fields are used depends on eid. */
typedef struct sim_sm {
    uint16_t eid;
    uint32_t pid, ppid, tid;
    const char *image, *cmd, *cwd, *user, *integrity, *hashes, *orig, *desc, *product, *company;
    const char *pimage, *pcmd;
    const char *target;  /* TargetFilename / TargetObject / ImageLoaded / QueryName */
    const char *details; /* Details (13) / QueryResults (22) / Signature (7) */
    uint32_t sip, dip;
    uint16_t sport, dport;
    bool initiated;
    bool udp;
    const char *dhost;   /* DestinationHostname */
} sim_sm;

enum sim_app { APP_TCP, APP_UDP, APP_HTTP, APP_FTP, APP_DNS, APP_SSL };

/* One network connection as a sensor sees it; Zeek and Suricata both write
 * it in their own formats. */
typedef struct sim_net {
    uint8_t app;          /* enum sim_app */
    uint32_t oh, rh;      /* originator / responder */
    uint16_t op, rp;
    uint32_t dur_us;
    uint32_t ob, rb;      /* payload bytes each way */
    const char *state;    /* Zeek conn_state ("SF") */
    const char *history;  /* Zeek history ("ShADadFf") */
    /* http */
    const char *method, *host, *uri, *ua, *ref, *mime;
    uint16_t status;
    uint32_t req_len, resp_len;
    /* ftp: one RETR with its passive data channel */
    const char *ftp_user, *ftp_arg;
    uint32_t ftp_size;
    uint16_t data_port;
    /* dns */
    const char *query;
    const char *answer;   /* an address or a name, NULL for none */
    uint16_t qtype;       /* 1 A, 28 AAAA, 5 CNAME, 33 SRV, 12 PTR */
    uint8_t rcode;        /* 0 NOERROR, 3 NXDOMAIN */
    uint32_t ttl;
    /* ssl */
    const char *sni, *subject, *issuer;
    /* Suricata alerts on this flow (0 for none); eve.c knows their text */
    uint32_t sid, sid2;
} sim_net;

typedef struct sim_ev {
    int64_t ts;              /* UTC ns */
    uint32_t seq;            /* creation order: stable tie-break */
    sim_mark mark;           /* truth annotation (actor NONE for none) */
    const char *infra[3];    /* campaign infrastructure this record shows */
    union {
        sim_web web;
        sim_sh sh;
        sim_sm sm;
        sim_net net;
    } u;
} sim_ev;

typedef TR_VEC(sim_ev) sim_evs;

/* The outcome APT41 gets at a tenant for one vulnerability. */
enum sim_role { ROLE_NONE, ROLE_FAILED, ROLE_EXPLOITED, ROLE_COMPROMISED };

typedef struct sim_tenant {
    uint32_t idx;
    char id[16];              /* "org-017" */
    char name[80];
    char slug[40];            /* "harbor-legal" */
    char addomain[48];        /* "harbor-legal.local" */
    const char *country;      /* ISO alpha-2 */
    const char *sector;       /* STIX industry-sector value */
    uint8_t sector_idx;       /* index in sim_sectors */
    int tz_min;               /* standard-time offset from UTC, minutes */
    bool dst_na;              /* North American DST from 2020-03-08 */
    /* products run (the attack surface) and logs shipped (the visibility) */
    bool citrix, cisco, dc;
    bool log_citrix, log_sh, log_dc, log_sysmon, zeek, eve;
    /* addresses (host order) */
    uint32_t pub;             /* first address of the tenant's public /27 */
    uint32_t vip, nsip_pub, wan, dc_pub, hq_nat;
    uint32_t lan;             /* 10.x.0.0/16 of the head office */
    uint32_t branch;          /* 10.y.0.0/16 of the branch behind the RV320 */
    uint32_t nsip, dc_lan, dns_lan;
    char ns_host[32];         /* NetScaler hostname */
    char dc_host[32];         /* Desktop Central server hostname */
    const char *dc_root;      /* install directory */
    const char *java;         /* its java.exe */
    const char *java_cmd;     /* java.exe's command line */
    uint16_t dc_port;         /* 8383 (HTTPS) or 8020 (HTTP) */
    /* patch state */
    int64_t citrix_fixed;     /* from then on exploit requests are blocked */
    uint16_t citrix_block;    /* status a blocked request gets: 403, 404 or 401 */
    int64_t dc_fixed;
    uint16_t dc_block;
    bool cisco_vuln;
    uint16_t cisco_block;
    /* campaign roles */
    uint8_t role[CVE_COUNT];  /* enum sim_role, APT41 only */
    bool hidden;              /* APT41 attacked a product whose logs are not shipped */
    uint32_t pool_seed;       /* seeds this tenant's user/client address pools */
    uint32_t pid_java;        /* Desktop Central's java.exe */
    uint32_t pid_services;    /* services.exe */
    uint32_t pid_netsvcs;     /* svchost.exe -k netsvcs (hosts BITS) */
    uint32_t pid_explorer;    /* the administrator's explorer.exe */
    uint32_t next_pid;        /* next process id for planned processes */
    sim_evs ev[SS_COUNT];     /* special events per stream */
} sim_tenant;

/* One mass scanner or other actor seen across the fleet. */
typedef struct sim_scanner {
    uint32_t ip;
    const char *kind;   /* "notrobin", "miner", "research-scanner", "exploit-kit", "botnet" */
    uint8_t cves[4];    /* CVEs it exploits (CVE_NONE-terminated) */
    const char *ua;
    int style;          /* request shape (noise.c) */
    int64_t from, to;   /* active window */
    double p;           /* share of the product's tenants it reaches */
} sim_scanner;

typedef struct sim_ledger sim_ledger;

typedef struct sim_ctx {
    tr_sim_opts o;
    int64_t from, to;          /* output window [from, to) */
    sim_tenant *t;
    uint32_t nt;
    sim_scanner *scanners;
    uint32_t nscanners;
    uint32_t service_ip;       /* the benign address seen at many tenants */
    uint32_t monitor_ip;       /* uptime monitor, also at many tenants */
    uint32_t mssp_ip;          /* the provider's management address */
    uint32_t takeover_tenant;  /* untargeted Citrix tenant another actor takes over, or -1 */
    uint32_t takeover_by;      /* … by this scanner */
    uint32_t miner_tenant;     /* untargeted Desktop Central tenant a miner takes over, or -1 */
    uint32_t miner_by;
    struct tr_map *nets;       /* the tenants' public /24s (no generated address falls in one) */
    tr_arena *strings;         /* where sim_strf() allocates: plan_strings, then tenant_strings */
    tr_arena *plan_strings;    /* strings of the plan (campaign events), kept to the end */
    tr_arena *tenant_strings;  /* strings of one tenant's local events, reset per tenant */
    uint32_t seq;              /* next sim_ev.seq */
    double rate[SS_COUNT];     /* background records per tenant stream per day */
    sim_ledger *ledger;
    bool oom;                  /* an allocation failed while planning */
    sim_ev sink;               /* where events go after an allocation failure */
    char ftp_pw[12];           /* the (withheld, so synthetic) FTP password */
    uint64_t files, bytes, records;
    char errbuf[1400];
} sim_ctx;

/* The published campaign infrastructure. */
#define SIM_IP_APT41_A 0x422A62DCu /* 66.42.98.220 */
#define SIM_IP_APT41_Z 0x5BD0B84Eu /* 91.208.184.78 */
#define SIM_IP_BEACON 0x4A52C908u  /* 74.82.201.8 */
#define SIM_IP_SPEC_A 0x771C8B78u  /* 119.28.139.120 */
#define SIM_IP_SPEC_B 0x771C8B14u  /* 119.28.139.20 */

/* plan.c */
tr_err sim_plan(sim_ctx *c);
/* noise.c: the events local to one tenant (scanner visits, the many-tenant
 * service, look-alikes), laid out just before the tenant is written so that
 * memory does not grow with the fleet. Deterministic per tenant. */
tr_err sim_tenant_noise(sim_ctx *c, sim_tenant *t);
/* An event appended to a tenant stream (zeroed, ts and mark set); never
 * NULL (on allocation failure it sets c->oom). */
sim_ev *sim_add(sim_ctx *c, sim_tenant *t, int stream, int64_t ts, sim_mark m);
/* A copy of a formatted string in the run's arena. */
const char *sim_strf(sim_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The local UTC offset (minutes) of a tenant at ns (DST aware). */
int sim_tz_at(const sim_tenant *t, int64_t ns);

/* Stream writers: each writes a tenant's files for one stream. */
tr_err sim_write_citrix_web(sim_ctx *c, sim_tenant *t);
tr_err sim_write_citrix_sh(sim_ctx *c, sim_tenant *t);
tr_err sim_write_dc_web(sim_ctx *c, sim_tenant *t);
tr_err sim_write_sysmon(sim_ctx *c, sim_tenant *t);
tr_err sim_write_zeek(sim_ctx *c, sim_tenant *t);
tr_err sim_write_eve(sim_ctx *c, sim_tenant *t);

/* Shared by the writers. */
/* The output path DIR/logs/<tenant>/<rel>. */
void sim_path(const sim_ctx *c, const sim_tenant *t, const char *rel, char *buf, size_t n);
/* The rng of one stream of one tenant. */
void sim_stream_rng(const sim_ctx *c, const sim_tenant *t, int stream, sim_rng *r);
/* Mean gap (ns) between background records of a stream, scaled by the
 * tenant's local hour (busier in office hours). */
double sim_gap(const sim_ctx *c, const sim_tenant *t, int stream, int64_t ts, sim_rng *r);
/* Sorts a stream's special events by time. */
void sim_sort(sim_evs *v);
/* Records a written special event in the ledger; ts_written is the time
 * as the file shows it (truncated to the format's precision). */
void sim_note(sim_ctx *c, const sim_tenant *t, const sim_ev *e, int64_t ts_written);
/* Counts a closed file into the run's totals. */
tr_err sim_done(sim_ctx *c, sim_out *o);

/* truth.c */
sim_ledger *sim_ledger_new(void);
/* Sizes the ledger for the planned fleet (after sim_plan). */
tr_err sim_ledger_start(sim_ctx *c);
void sim_ledger_free(sim_ledger *l);
tr_err sim_write_truth(sim_ctx *c, const char *path);
/* Distinct tenants the ledger saw targeted / compromised by the campaign. */
void sim_truth_counts(const sim_ctx *c, uint32_t *targeted, uint32_t *compromised);
tr_err sim_write_fleet(sim_ctx *c, const char *path);

#endif
