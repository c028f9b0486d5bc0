/*
 * index.h - the internals shared by the feed loaders, the index builder and
 * the scanner: the string pool, compact indicator records, metadata, the
 * allowlist, and the entry point every feed loader uses to add a value.
 *
 * Memory layout (1 M indicators ≈ 16 MB of records + the values in the pool
 * + 8 bytes per string-table slot): a record is 16 bytes and points at its
 * value in the pool and at a shared metadata entry (feed, actor, times,
 * confidence), which is de-duplicated, so a feed of a million lines with one
 * actor holds one metadata entry.
 */
#ifndef TR_SRC_IOC_INDEX_H
#define TR_SRC_IOC_INDEX_H

#include "core/common.h"

#include "core/hash.h"
#include "core/vec.h"
#include "ioc/iptab.h"
#include "ioc/value.h"
#include "trawl/ioc.h"

/* Strings in 1 MiB chunks, referenced by (chunk << 20 | offset); ref 0 is "". */
#define IOC_POOL_SHIFT 20
#define IOC_POOL_CHUNK ((size_t)1 << IOC_POOL_SHIFT)

typedef struct ioc_pool {
    char **chunks;
    size_t nchunks, capchunks;
    size_t used;  /* bytes used in the last chunk */
} ioc_pool;

tr_err ioc_pool_init(ioc_pool *p);
void ioc_pool_release(ioc_pool *p);
/* Copies s[0..n) with a NUL; *ref receives its reference. n < 64 KiB. */
tr_err ioc_pool_add(ioc_pool *p, const char *s, size_t n, uint32_t *ref);
static inline const char *ioc_pool_at(const ioc_pool *p, uint32_t ref)
{
    return p->chunks[ref >> IOC_POOL_SHIFT] + (ref & (IOC_POOL_CHUNK - 1));
}

typedef struct ioc_rec {
    uint32_t val;  /* pool ref of the normalised value */
    uint16_t vlen; /* its length */
    uint8_t type;  /* tr_ioc_type; NONE once dropped (duplicate, allowlisted) */
    uint8_t plen;  /* CIDR prefix length */
    uint32_t meta; /* index into metas */
    uint32_t next; /* next record with the same key + 1, 0 = end */
} ioc_rec;

typedef struct ioc_meta {
    uint32_t feed;       /* pool refs */
    uint32_t actor;
    int32_t confidence;  /* -1 = none */
    int32_t pad;
    int64_t first_seen, last_seen, valid_from, valid_until;
} ioc_meta;

/* What a loader knows about one indicator besides its value. */
typedef struct ioc_attrs {
    tr_str actor;
    int confidence;
    int64_t first_seen, last_seen, valid_from, valid_until;
} ioc_attrs;

static inline void ioc_attrs_init(ioc_attrs *a)
{
    memset(a, 0, sizeof(*a));
    a->confidence = -1;
    a->first_seen = a->last_seen = a->valid_from = a->valid_until = TR_TS_NONE;
}

/* Allowlist: benign values that suppress matches. */
typedef struct ioc_allow {
    tr_map *exact;          /* values (nocase) */
    tr_map *hosts;          /* host names: the name and its subdomains */
    TR_VEC(ioc_ip) nets;    /* networks and addresses (built into iptab at finish) */
    ioc_iptab iptab;
    TR_VEC(tr_str) substrings; /* heap copies */
    TR_VEC(void *) regexes; /* pcre2_code * */
    uint64_t entries;
} ioc_allow;

struct tr_ioc_builder {
    tr_ioc_opts opts;
    ioc_pool pool;
    TR_VEC(ioc_rec) recs;
    TR_VEC(ioc_meta) metas;
    tr_map *meta_ids;  /* bytes of an ioc_meta → its index */
    tr_map *names;     /* feed and actor names → pool ref */
    ioc_allow allow;
    uint64_t rejected, skipped, feeds;
    /* the metadata of the previous indicator: most feeds repeat it */
    bool have_last;
    uint32_t last_meta;
    ioc_attrs last_attrs;
    char last_feed[1024], last_actor[1024];
    size_t last_feed_n, last_actor_n;
    char norm[IOC_MAX_VALUE + 64]; /* normalisation buffer */
    char fang[IOC_MAX_VALUE + 64]; /* refang buffer */
};

struct tr_ioc_index {
    ioc_pool pool;
    ioc_rec *recs;
    size_t nrecs;
    ioc_meta *metas;
    size_t nmetas;
    uint32_t *live;    /* records in the index, load order */
    size_t nlive;
    uint64_t *stab;    /* string table: hash tag << 32 | (record + 1) */
    size_t smask;
    ioc_filter sfilter; /* hashes of the keys in stab */
    ioc_iptab ips;
    uint32_t types;    /* bit per tr_ioc_type present */
    ioc_allow allow;
    bool has_allow;
    uint64_t by_type[TR_IOC_TYPE_COUNT];
    uint64_t rejected, skipped, duplicates, allowlisted, feeds;
};

/* A reject report: counted, then handed to opts.diag (or logged). */
void ioc_reject(tr_ioc_builder *b, const char *path, uint64_t line, const char *id,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Adds raw value v (refanged here) of type (NONE = detect) for feed.
 * Returns TR_OK, TR_EPARSE with *why for a bad value, or TR_ENOMEM/TR_ELIMIT. */
tr_err ioc_builder_add_value(tr_ioc_builder *b, tr_str feed, tr_ioc_type type, tr_str v,
                             const ioc_attrs *a, const char **why);

/* Gives actor to the records [from, to) (indices into b->recs) whose
 * metadata names no actor yet: a loader that learns the actor after the
 * values (STIX relationships, a MISP event's galaxy) adds the values at once
 * instead of keeping the document's slices until then. */
tr_err ioc_builder_set_actor(tr_ioc_builder *b, size_t from, size_t to, tr_str actor);

/* Feed loaders (one file each). data is the whole document. Each returns
 * TR_OK or a document-level error; entry-level problems go to ioc_reject. */
typedef struct ioc_feed_ctx {
    tr_ioc_builder *b;
    const char *path;
    tr_str feed;       /* default feed name */
    bool mapped;       /* the document is our own read-only file mapping */
    size_t released;   /* bytes at its start whose pages were handed back */
} ioc_feed_ctx;

/* A loader is done with data[0..off): when the document is our own file
 * mapping, its pages are handed back (they count in the resident set; the
 * mapping stays valid and refaults from the file if read again). */
void ioc_feed_consumed(ioc_feed_ctx *c, const char *data, size_t off);

tr_err ioc_load_plain(ioc_feed_ctx *c, const char *data, size_t n);
tr_err ioc_load_csv(ioc_feed_ctx *c, const char *data, size_t n);
tr_err ioc_load_zeek(ioc_feed_ctx *c, const char *data, size_t n);
tr_err ioc_load_stix(ioc_feed_ctx *c, const char *data, size_t n);
tr_err ioc_load_misp(ioc_feed_ctx *c, const char *data, size_t n);

/* Allowlists (allow.c). */
tr_err ioc_allow_add_value(ioc_allow *a, tr_str v);
tr_err ioc_allow_add_host(ioc_allow *a, tr_str v);
tr_err ioc_allow_add_net(ioc_allow *a, tr_str v);
tr_err ioc_allow_add_substring(ioc_allow *a, tr_str v);
tr_err ioc_allow_add_regex(ioc_allow *a, tr_str v, char *err, size_t errlen);
tr_err ioc_load_warninglist(tr_ioc_builder *b, const char *path, const char *data, size_t n);
tr_err ioc_allow_load(tr_ioc_builder *b, const char *path, const char *data, size_t n);
tr_err ioc_allow_finish(ioc_allow *a);
void ioc_allow_release(ioc_allow *a);
/* True when value (of indicator type t, normalised) is allowlisted. */
bool ioc_allow_check(const ioc_allow *a, void *match_data, tr_ioc_type t, tr_str value);

/* Line number (1-based) of byte offset off in data, counting from a known
 * (offset, line) pair to keep repeated calls linear. */
uint64_t ioc_line_at(const char *data, size_t off, size_t *from_off, uint64_t *from_line);

/* Maps a type label of a feed (our names, MISP types, ThreatFox, Zeek
 * Intel::, STIX object types) to the indicator types of its value halves
 * ("filename|md5" → FILENAME, MD5). Returns false for a label that names no
 * indicator type at all (a MISP "comment"); *t1 NONE with true means
 * "detect from the value". */
bool ioc_label_type(tr_str label, tr_ioc_type *t1, tr_ioc_type *t2);
/* True when a CSV header cell names the value column; *implied (may be
 * NULL) receives the type the name implies ("sha256_hash"), or NONE. */
bool ioc_csv_value_column(tr_str name, tr_ioc_type *implied);

/* Reads a whole file (mmap when possible). *unmap tells how to release. */
tr_err ioc_file_read(const char *path, const char **data, size_t *n, bool *mapped);
void ioc_file_release(const char *data, size_t n, bool mapped);

/* Index side (index.c), used by the scanner. */
static inline uint64_t ioc_key_hash(tr_ioc_type t, tr_str key)
{
    return t == TR_IOC_URL ? tr_hash64(key.p, key.n, t) : tr_hash64_nocase(key.p, key.n, t);
}
/* First record (+1) whose type is t and whose key is key (hash h), 0 if none. */
uint32_t ioc_index_find(const tr_ioc_index *x, tr_ioc_type t, tr_str key, uint64_t h);
void ioc_index_view(const tr_ioc_index *x, uint32_t rec, tr_indicator *out);

#endif
