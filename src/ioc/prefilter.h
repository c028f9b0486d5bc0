/*
 * prefilter.h - the raw-text indicator prefilter's parts (see trawl/ioc.h,
 * tr_ioc_prefilter, and docs/IOC.md "Prefilter"): the necessary literal of
 * an indicator (prefilter.c) and the compiled table that pf_scan.c probes.
 * Exposed for the unit tests.
 */
#ifndef TR_SRC_IOC_PREFILTER_H
#define TR_SRC_IOC_PREFILTER_H

#include "core/common.h"

#include "trawl/ioc.h"

#define IOC_PF_MIN_LITERAL 3 /* shorter literals turn the prefilter off */

/* The scan's instruction sets: the baseline (SSE2 on x86-64, else a
 * portable loop) and, on x86-64 CPUs that have it, AVX-512BW. */
typedef enum ioc_pf_isa { IOC_PF_ISA_BASE, IOC_PF_ISA_AVX512 } ioc_pf_isa;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define IOC_PF_HAVE_AVX512 1
#define IOC_PF_AVX512_TARGET __attribute__((target("avx512bw,bmi,bmi2")))
#else
#define IOC_PF_HAVE_AVX512 0
#endif

/* The best instruction set of this CPU; whether isa runs here; its name. */
ioc_pf_isa ioc_pf_best_isa(void);
bool ioc_pf_isa_supported(ioc_pf_isa isa);
const char *ioc_pf_isa_name(ioc_pf_isa isa);

/* The necessary literal of an indicator of type t with canonical value v,
 * lower-cased into out (cap bytes): bytes that every raw line whose event
 * can match the indicator holds (ignoring ASCII case), unless the line
 * holds an always pattern. It starts with a letter or a digit, at a word
 * start of the line (see pf_scan.c). Returns its length; 0 when there is
 * none (a network whose prefix fixes no whole octet or group, an IPv6
 * address whose first six groups are zero). */
size_t ioc_pf_literal(tr_ioc_type t, tr_str v, char *out, size_t cap);

/* The bitmap of the literals under 8 bytes, by their first 4 bytes (3 for
 * a literal of 3): a word start whose bytes miss it needs no look-up of
 * each length (IPv6 groups such as "2009:" would otherwise send every
 * "200 " status code there). */
#define IOC_PF_SHORT_BITS_MIN_LOG2 14

/* What a short literal's last byte is (ioc_pf_end_class). */
enum { IOC_PF_END_WORD = 1, IOC_PF_END_COLON = 2, IOC_PF_END_DOT = 4, IOC_PF_END_OTHER = 8 };

/* Which bytes other than letters and digits the first 8 bytes of the
 * literals of 8 bytes or more hold (HEAD_ANY: one outside these classes,
 * so the scan cannot rule starts out by them). */
enum { IOC_PF_HEAD_DOT = 1, IOC_PF_HEAD_COLON = 2, IOC_PF_HEAD_JOIN = 4, IOC_PF_HEAD_ANY = 8 };

/* A literal in the table: its key and its folded bytes. The key of a
 * literal under 12 bytes is its first 8 (ioc_pf_key); of a longer one, a
 * hash of its first 12 or 16 (ioc_pf_table_key), so that the many literals
 * sharing 8 bytes ("login-…", "update-…") do not share a chain. */
typedef struct ioc_pf_entry {
    uint64_t key; /* 0: empty slot */
    uint32_t off; /* in pool */
    uint32_t len;
} ioc_pf_entry;

struct tr_ioc_prefilter {
    uint64_t *bits;      /* one bit per hashed key: most probes stop here */
    unsigned bits_shift; /* 64 - log2(bits in the bitmap) */
    uint64_t *key_bits;  /* one bit per table key of a literal of 8 bytes or */
    unsigned key_bits_shift; /* more: most first-8-byte hits stop here */
    ioc_pf_entry *tab;   /* open addressing, linear probing */
    unsigned tab_shift;  /* 64 - log2(slots) */
    size_t tab_mask;
    char *pool;          /* literal bytes, folded (ioc_pf_fold) */
    uint8_t short_lens;  /* bit k set: a literal of k bytes (3 <= k < 8) */
    bool short3;         /* a literal of 3 bytes (short_lens bit 3) */
    uint8_t short_end[8]; /* per length under 8: the IOC_PF_END_* of its last bytes */
    uint8_t head;        /* IOC_PF_HEAD_*: the bytes in the first 8 of the longer literals */
    uint64_t *short_bits; /* their first 3 or 4 bytes: 64 bits a literal, 16k at least */
    unsigned short_bits_shift;
    bool len8;           /* a literal of 8 to 11 bytes */
    bool len12;          /* a literal of 12 to 15 bytes */
    bool v4;             /* IPv4 indicators: "ffff:" and zero-padded octets pass */
    ioc_pf_isa isa;      /* the scan's instruction set (ioc_pf_best_isa; tests set it) */
    tr_ioc_pf_stats st;
};

/* An ASCII letter or digit: a literal starts at one whose previous byte is
 * not one (pf_scan.c). */
static inline bool ioc_pf_is_word(unsigned char c)
{
    return (unsigned char)((c | 0x20) - 'a') < 26 || (unsigned char)(c - '0') < 10;
}

/* Bit h of a bitmap: tested by the scan, set by the build. */
static inline bool ioc_pf_test(const uint64_t *map, uint64_t h)
{
    return (map[h >> 6] >> (h & 63)) & 1;
}

static inline void ioc_pf_set(uint64_t *map, uint64_t h)
{
    map[h >> 6] |= 1ULL << (h & 63);
}

/* The bitmap bit and the first table slot of a key (build and scan alike). */
static inline uint64_t ioc_pf_bit(const tr_ioc_prefilter *pf, uint64_t key)
{
    return (key * 0x9E3779B97F4A7C15ULL) >> pf->bits_shift;
}

static inline uint64_t ioc_pf_key_bit(const tr_ioc_prefilter *pf, uint64_t key)
{
    return (key * 0xD6E8FEB86659FD93ULL) >> pf->key_bits_shift;
}

/* The short bitmap's bit for the first 3 or 4 bytes of key. */
static inline uint64_t ioc_pf_short_bit(const tr_ioc_prefilter *pf, uint64_t key,
                                        unsigned nbytes)
{
    uint64_t mul = nbytes == 3 ? 0x9E3779B97F4A7C15ULL : 0xC2B2AE3D27D4EB4FULL;
    uint64_t mask = nbytes == 3 ? 0xFFFFFF : 0xFFFFFFFF;
    return ((key & mask) * mul) >> pf->short_bits_shift;
}

static inline size_t ioc_pf_slot(const tr_ioc_prefilter *pf, uint64_t key)
{
    return (size_t)((key * 0xC2B2AE3D27D4EB4FULL) >> pf->tab_shift);
}

/* Case folding of the prefilter: every byte or-ed with 0x20. It maps 'A' to
 * 'a' and also a few non-letters onto others ('@' onto '`'); applied to the
 * literals and to the text alike, it can only add candidates. */
#define IOC_PF_FOLD8 0x2020202020202020ULL

/* The first min(n, 8) bytes of p, folded, as a little-endian word (bytes
 * past n are 0, so keys of different lengths below 8 never collide, and
 * a literal of 8 bytes or more, which holds no NUL, never equals a short
 * one). */
static inline uint64_t ioc_pf_key(const char *p, size_t n)
{
    uint64_t w = 0;
    size_t k = n < 8 ? n : 8;
    for (size_t i = 0; i < k; i++)
        w |= (uint64_t)((unsigned char)p[i] | 0x20) << (8 * i);
    return w;
}

/* The table key of a literal of 12 bytes or more from k8, its first 8
 * bytes as ioc_pf_key gives them, and k2, the next 4 (length 12 to 15) or 8
 * (16 or more) the same way. Never 0 (an empty slot). */
static inline uint64_t ioc_pf_key_long(uint64_t k8, uint64_t k2)
{
    uint64_t h = (k8 ^ (k2 * 0x9E3779B97F4A7C15ULL)) * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 29;
    return h ? h : 1;
}

/* The table key of the folded literal lit[0..n), n >= 3. */
static inline uint64_t ioc_pf_table_key(const char *lit, size_t n)
{
    uint64_t k8 = ioc_pf_key(lit, n);
    return n < 12 ? k8 : ioc_pf_key_long(k8, ioc_pf_key(lit + 8, n < 16 ? 4 : 8));
}

/* Per 64 bytes of text: bit i describes byte i. */
typedef struct ioc_pf_masks {
    uint64_t word;   /* an ASCII letter or digit */
    uint64_t digit;  /* 0-9 */
    uint64_t bslash; /* '\' */
    uint64_t colon;  /* ':' */
    uint64_t zero;   /* '0' */
    uint64_t dot;    /* '.' */
    uint64_t f;      /* 'f' or 'F' */
    uint64_t join;   /* '-', '_' or '@' (inside names and addresses) */
} ioc_pf_masks;

/* The masks of q[0..64) as the scan of isa computes them, and the portable
 * version (the unit tests check that they agree). */
void ioc_pf_masks64(ioc_pf_isa isa, const unsigned char *q, ioc_pf_masks *m);
void ioc_pf_masks64_portable(const unsigned char *q, ioc_pf_masks *m);

/* True when p[0..n) (one record) holds a literal or an always pattern.
 * Bytes up to safe_end (>= p + n) may be read. */
bool ioc_pf_scan(const tr_ioc_prefilter *pf, const char *p, size_t n, const char *safe_end);

/* Marks mark[i] = 1 for each of the records recs[0..nrecs) (ascending
 * slices of p[0..n), separated by bytes that are neither letters nor digits)
 * that holds a literal or an always pattern, in one pass over p[0..n);
 * leaves the others as they are. */
void ioc_pf_scan_span(const tr_ioc_prefilter *pf, const char *p, size_t n, const tr_record *recs,
                      size_t nrecs, uint8_t *mark);

#endif
