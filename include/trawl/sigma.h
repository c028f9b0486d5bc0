/*
 * trawl/sigma.h - the Sigma engine: load rules once into an immutable
 * ruleset, then scan events against every rule at once.
 *
 *   tr_sigma_opts o = { .diag = my_diag };
 *   tr_ruleset *rs;
 *   tr_ruleset_load(paths, npaths, &o, &rs);      // rejected rules go to o.diag
 *   tr_sigma_scratch *s;                         // one per thread
 *   tr_sigma_scratch_new(rs, &s);
 *   for each event: tr_sigma_scan(rs, s, ev, on_match, ctx);
 *   tr_sigma_scratch_free(s); tr_ruleset_free(rs);
 *
 * Rules are Sigma v2.1 documents (docs/SIGMA.md says exactly what is
 * supported and how ambiguous points of the specification are read):
 * detection rules, filters (`filter:` documents) and correlation rules
 * (`correlation:` documents, parsed and validated here; their runtime is
 * elsewhere). A ruleset is immutable after loading and may be shared by any
 * number of threads; a scratch belongs to one thread at a time.
 */
#ifndef TR_SIGMA_H
#define TR_SIGMA_H

#include "trawl/core.h"
#include "trawl/event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tr_ruleset tr_ruleset;
typedef struct tr_sigma_scratch tr_sigma_scratch;

/* ---- Loading ------------------------------------------------------------------------------- */

typedef enum tr_sigma_diag_level {
    TR_SIGMA_ERROR = 0, /* the document was rejected (not loaded) */
    TR_SIGMA_WARNING    /* loaded, but something deserves attention */
} tr_sigma_diag_level;

/* One diagnostic about one document. Every string is valid only during the
 * callback. */
typedef struct tr_sigma_diag {
    tr_sigma_diag_level level;
    const char *path;    /* file the document came from ("<string>" for memory) */
    uint64_t line;       /* 1-based line of the offending node (0 when unknown) */
    const char *message; /* one line, no trailing newline */
    const char *kind;    /* "rule", "filter", "correlation", "file" */
    const char *title;   /* title of the document when known, else "" */
} tr_sigma_diag;

typedef void (*tr_sigma_diag_fn)(const tr_sigma_diag *d, void *ctx);

typedef struct tr_sigma_opts {
    /* Placeholder values for the |expand modifier, each "NAME=V1,V2,…"
     * (NAME without the % signs; a value may escape ',' as '\,'). */
    const char *const *placeholders;
    size_t nplaceholders;
    /* A directory holding one file per placeholder: NAME, NAME.txt or
     * NAME.yml, one value per line (blank lines and lines starting with '#'
     * ignored). NULL for none. */
    const char *placeholder_dir;
    /* Filter directories: DIR/NAME.yml apply to every tenant, DIR/TENANT/…
     * only to events of that tenant (see docs/SIGMA.md). */
    const char *const *filter_dirs;
    size_t nfilter_dirs;
    /* Apply every rule to every event, whatever its logsource (rule testing). */
    bool no_logsource_filter;
    /* Evaluate every applicable rule in full instead of only the rules
     * whose literals occur in the event (for testing the prefilter). */
    bool no_prefilter;
    /* PCRE2 limits for |re (0 = defaults: 100000 match steps, depth 1000). */
    uint32_t regex_match_limit;
    uint32_t regex_depth_limit;
    /* Receives every diagnostic; NULL writes them with tr_log_at(). */
    tr_sigma_diag_fn diag;
    void *diag_ctx;
} tr_sigma_opts;

typedef struct tr_ruleset_stats {
    uint32_t files;             /* YAML files read */
    uint32_t rules;             /* detection rules loaded */
    uint32_t rules_rejected;    /* detection rules rejected */
    uint32_t filters;           /* filters loaded */
    uint32_t filters_rejected;
    uint32_t correlations;      /* correlation rules loaded */
    uint32_t correlations_rejected;
    uint32_t files_rejected;    /* unreadable files or YAML syntax errors */
    uint32_t warnings;
    /* Compiled plan (for benchmarks and `rules check -v`). */
    uint32_t fields;            /* distinct field names the rules use */
    uint32_t literals;          /* literal patterns in the prefilter databases */
    uint32_t exact_values;      /* values in exact-match sets */
    uint32_t regexes;
    uint32_t unfiltered_rules;  /* rules with no usable atom: evaluated whenever applicable */
} tr_ruleset_stats;

/* Loads every rule document from paths: files, or directories walked
 * recursively for *.yml and *.yaml (in sorted order, hidden entries
 * skipped). Multi-document files are fine. opts may be NULL.
 *
 * Rejected documents are reported through opts->diag (path, line, reason)
 * and counted; they never stop the load. Returns TR_OK with *out set even
 * when some or all documents were rejected (check the stats); TR_ENOMEM,
 * or TR_EINVAL for bad options (a malformed --placeholder, an unreadable
 * placeholder or filter directory), in which case *out is NULL. */
TR_API tr_err tr_ruleset_load(const char *const *paths, size_t npaths, const tr_sigma_opts *opts,
                              tr_ruleset **out);

/* The same from YAML text in memory; name is used as the path in
 * diagnostics and rule info. */
TR_API tr_err tr_ruleset_load_string(const char *yaml, size_t n, const char *name,
                                     const tr_sigma_opts *opts, tr_ruleset **out);

TR_API void tr_ruleset_free(tr_ruleset *rs);

TR_API const tr_ruleset_stats *tr_ruleset_get_stats(const tr_ruleset *rs);

/* ---- Rule metadata -------------------------------------------------------------------------- */

typedef struct tr_sigma_logsource {
    tr_str product, category, service, definition; /* empty when absent */
} tr_sigma_logsource;

/* A key/value pair of a document: value is JSON text (a string value is
 * quoted: "\"x\"", a list is "[…]"). */
typedef struct tr_sigma_kv {
    tr_str key;
    tr_str json;
} tr_sigma_kv;

typedef struct tr_sigma_related {
    tr_str id;
    tr_str type; /* derived, obsolete, merged, renamed, similar */
} tr_sigma_related;

/* Everything a rule says about itself. Owned by the ruleset, valid until
 * tr_ruleset_free(). Absent scalars are empty slices (p may be NULL);
 * all slices are also NUL-terminated for convenience. */
typedef struct tr_rule_info {
    uint32_t index;             /* 0-based, in load order */
    tr_str id, name, title, status, level, description, author, license, date, modified;
    tr_str taxonomy;            /* "sigma" when absent */
    tr_sigma_logsource logsource;
    const tr_str *tags;         uint32_t ntags;
    const tr_str *references;   uint32_t nreferences;
    const tr_str *falsepositives; uint32_t nfalsepositives;
    const tr_str *fields;       uint32_t nfields;       /* the rule's `fields:` list */
    const tr_str *scope;        uint32_t nscope;
    const tr_sigma_related *related; uint32_t nrelated;
    const tr_sigma_kv *custom;  uint32_t ncustom;       /* keys the specification does not define */
    const char *path;           /* file (NUL-terminated) */
    uint64_t line;              /* line of the document's first key */
    /* false when the rule is referenced by a correlation whose `generate`
     * is false (the default) and by none with `generate: true`: its matches
     * feed the correlation but are not detections of their own. */
    bool standalone;
    uint32_t nfilters;          /* filters (all tenants and per tenant) attached */
} tr_rule_info;

TR_API uint32_t tr_ruleset_count(const tr_ruleset *rs);
/* Rule i (0 ≤ i < count), or NULL. */
TR_API const tr_rule_info *tr_ruleset_rule(const tr_ruleset *rs, uint32_t i);
/* The detection rule whose id or name equals key, or NULL. */
TR_API const tr_rule_info *tr_ruleset_find(const tr_ruleset *rs, tr_str key);

/* ---- Correlation rules (parsed and validated; no runtime here) ----------------------------- */

typedef enum tr_correl_type {
    TR_CORREL_EVENT_COUNT = 0,
    TR_CORREL_VALUE_COUNT,
    TR_CORREL_TEMPORAL,
    TR_CORREL_TEMPORAL_ORDERED,
    TR_CORREL_VALUE_SUM,
    TR_CORREL_VALUE_AVG,
    TR_CORREL_VALUE_PERCENTILE
} tr_correl_type;

TR_API const char *tr_correl_type_name(tr_correl_type t);

/* A rule a correlation refers to: a detection rule or another correlation. */
typedef struct tr_correl_ref {
    tr_str ref;         /* as written (id or name) */
    bool is_correlation;
    uint32_t index;     /* tr_ruleset_rule() or tr_ruleset_correlation() index */
} tr_correl_ref;

/* One alias: in events of rule `rule`, group-by name `alias` means `field`. */
typedef struct tr_correl_alias {
    tr_str alias;
    tr_str rule;        /* referenced rule name as written */
    uint32_t ref;       /* index into refs[] */
    tr_str field;
} tr_correl_alias;

enum tr_correl_cond_flags {
    TR_CORREL_GT = 1 << 0, TR_CORREL_GTE = 1 << 1, TR_CORREL_LT = 1 << 2,
    TR_CORREL_LTE = 1 << 3, TR_CORREL_EQ = 1 << 4, TR_CORREL_NEQ = 1 << 5
};

typedef struct tr_correl_info {
    uint32_t index;
    tr_str id, name, title, status, level, description, author, date, modified;
    const tr_str *tags;         uint32_t ntags;
    const tr_str *references;   uint32_t nreferences;
    const tr_str *falsepositives; uint32_t nfalsepositives;
    const tr_sigma_kv *custom;  uint32_t ncustom;
    tr_correl_type type;
    const tr_correl_ref *refs;  uint32_t nrefs;         /* in the order written */
    const tr_str *group_by;     uint32_t ngroup_by;
    const tr_correl_alias *aliases; uint32_t naliases;
    int64_t timespan_ns;
    tr_str timespan;            /* as written ("90m") */
    unsigned cond_ops;          /* enum tr_correl_cond_flags present in the condition */
    double gt, gte, lt, lte, eq, neq; /* thresholds of the ops present */
    const tr_str *cond_fields;  /* `field` of the condition (value_count, value_sum, value_avg,
                                   value_percentile); several are AND-ed */
    uint32_t ncond_fields;
    bool generate;              /* `generate: true`: referenced rules also detect alone */
    const char *path;
    uint64_t line;
} tr_correl_info;

TR_API uint32_t tr_ruleset_correlation_count(const tr_ruleset *rs);
TR_API const tr_correl_info *tr_ruleset_correlation(const tr_ruleset *rs, uint32_t i);

/* ---- Scanning ------------------------------------------------------------------------------ */

/* Per-thread scan state. Created for one ruleset; never shared between
 * threads at the same time. */
TR_API tr_err tr_sigma_scratch_new(const tr_ruleset *rs, tr_sigma_scratch **out);
TR_API void tr_sigma_scratch_free(tr_sigma_scratch *s);

/* A field whose value made a rule match. name is the field name as the
 * rule wrote it (for keyword matches: the event field's taxonomy alias, or
 * its full name); value is decoded (JSON escapes resolved). Valid during
 * the callback only. */
typedef struct tr_sigma_field {
    tr_str name;
    tr_str value;
    const tr_field *field; /* the event field */
} tr_sigma_field;

typedef struct tr_sigma_match {
    const tr_rule_info *rule;
    const tr_sigma_field *fields;
    uint32_t nfields;
} tr_sigma_match;

/* Called for every rule that matches; return non-zero to stop the scan of
 * this event. */
typedef int (*tr_sigma_match_fn)(const tr_sigma_match *m, void *ctx);

/* Runs every applicable rule on ev and calls cb (in rule index order) for
 * each one that matches. A rule applies when every logsource key it gives
 * (product, category, service) equals the event's (category: one of the
 * event's categories), unless the ruleset was loaded with
 * no_logsource_filter. Filters attached to a rule (for all tenants, or for
 * ev->tenant) suppress its matches.
 * Allocates nothing once the scratch has seen its largest event. Returns
 * TR_OK, or TR_EINVAL if s belongs to another ruleset. Regexes that exceed
 * the PCRE2 limits count as non-matching; they are counted in the scratch
 * stats and reported once per rule and scratch with tr_log_at(). */
TR_API tr_err tr_sigma_scan(const tr_ruleset *rs, tr_sigma_scratch *s, const tr_event *ev,
                            tr_sigma_match_fn cb, void *ctx);

typedef struct tr_sigma_scan_stats {
    uint64_t events;            /* events scanned */
    uint64_t candidates;        /* rules evaluated in full */
    uint64_t matches;           /* rule matches reported */
    uint64_t filtered;          /* matches suppressed by filters */
    uint64_t regex_limit;       /* regex evaluations stopped by a PCRE2 limit */
    uint64_t literal_hits;      /* prefilter literal tests that hit (a cost figure) */
} tr_sigma_scan_stats;

TR_API const tr_sigma_scan_stats *tr_sigma_scratch_stats(const tr_sigma_scratch *s);

/* ---- Modifier registry (documentation) ----------------------------------------------------- */

typedef struct tr_sigma_modifier_doc {
    const char *name;
    const char *group;   /* "generic", "string", "regex", "encoding", "numeric", "time", "ip",
                            "specific" */
    const char *summary; /* one line */
} tr_sigma_modifier_doc;

/* The supported modifiers, NULL-terminated by a zero entry; *n receives the count. */
TR_API const tr_sigma_modifier_doc *tr_sigma_modifiers(size_t *n);

#ifdef __cplusplus
}
#endif
#endif /* TR_SIGMA_H */
