/*
 * plan.c - the compiled plan of a ruleset (see plan.h): logsource routes,
 * literal "slots", per-field Vectorscan databases and exact-value sets, and
 * the atoms that make a rule a candidate.
 *
 * Slots. A literal test the rules perform on a field can be a slot: a
 * (field, literal, anchoring, case) tuple, or an exact value, or a number.
 * One scan of a field value with the field's database and sets marks every
 * slot it satisfies, so a value test that is exactly "this literal occurs
 * (anchored so)" is decided by one bit instead of a memmem per rule. Atoms
 * are slots; so are exact values, and the other literals unless they are
 * so common that scanning for them in every event costs more than
 * searching for them in the few values of candidate rules (see
 * form_decided). Tests that are more than a literal (wildcards in the
 * middle, regexes, CIDR, comparisons) are evaluated directly, but still
 * contribute a literal they cannot match without, as an atom.
 *
 * Atoms. For each rule we pick a set of literal tests such that the rule
 * cannot match unless one of them is hit (YARA atoms.c in spirit): a predicate's
 * atoms are the union of its alternatives' (every alternative needs one;
 * |all needs only the best group), AND keeps its best child, OR/x-of take
 * the union, NOT gives nothing. "Best" is a quality score: long, varied,
 * anchored literals are rare in logs, '.exe' and 'C:\Windows\' are not.
 * A rule without atoms is evaluated whenever its logsource applies.
 *
 * Gates. The other AND-ed children with atoms of their own are necessary
 * too: a rule whose atoms hit is a candidate only if a few of those groups
 * (add_gates: cheap ones, best first) have a hit as well. Every gate is a
 * necessary condition, so it only skips rules that cannot match.
 */
#include "core/common.h"

#include <math.h>

#include "core/buf.h"
#include "match/mpm.h"
#include "match/strset.h"
#include "sigma/plan.h"
#include "sigma/regex.h"

/* Slot kinds (first byte of a slot key). */
enum { K_MPM = 'M', K_EQ = 'E', K_EQC = 'C', K_NUM = 'N', K_KW = 'K' };

/* A rule is gated by up to this many groups of atoms: it is a candidate
 * only when each of them has a hit. */
#define SG_MAX_GATES 4

/* At most this many keyword atoms are added to every field database. */
#define SG_KW_IN_FIELDS 4

/* A byte every ASCII literal of a field has, followed by at least
 * SG_BGATE_LEN more bytes: a value can hold one of the literals only if,
 * after some occurrence of that byte, it has the SG_BGATE_LEN bytes that
 * follow it in a literal. Their hashes (ASCII case folded) are kept in a
 * bit set: most values are ruled out with a few memchr() steps instead of
 * a database scan. Hashes literals ('SHA256=<64 hex digits>') have '=';
 * a Hashes value is hex digits only, which Vectorscan pays dearly for
 * (1.5k instructions per value). Keyword atoms in the database (at most
 * SG_KW_IN_FIELDS) do not count: a value the gate rules out is searched
 * for them directly. */
#define SG_BGATE_LEN 8
#define SG_BGATE_BITS 16

typedef struct sg_fplan {
    tr_mpm *mpm;         /* ASCII literals of the field -> slots */
    int bgate;           /* the byte gating mpm, or -1 */
    uint64_t *bgate_set; /* hashes of the SG_BGATE_LEN bytes after it */
    tr_mpm *mpm_hi;      /* literals with a byte >= 0x80 (scanned in values that have one) */
    tr_strset *eq;       /* exact values, ASCII case folded -> slots */
    tr_strset *eqc;      /* exact values, |cased -> slots */
    tr_strset *num;      /* canonical numbers -> slots */
} sg_fplan;

struct sg_plan {
    TR_VEC(sg_route) routes;
    uint32_t *rule_route;
    uint8_t *rule_always;
    uint8_t *rule_keyword;
    uint32_t *guard_off; /* rule without atoms -> its guard: guards[guard_off[r] .. */
    uint32_t *guards;    /* guard_off[r + 1]), predicates (rule_guard) */
    uint32_t *gate_off;  /* rule -> its gates besides its atoms: gates[gate_off[r] ..  */
    uint32_t *gates;     /* gate_off[r + 1]), each a count n then n slots (one must hit) */
    bool prefilter;
    sg_fplan *fplans;    /* per field id (entries may be empty) */
    uint32_t nfields;
    tr_mpm *kw;          /* keyword atoms */
    bool kw_in_fields;   /* the field databases hold them too */
    struct kwatom {
        tr_str lit;      /* lowercased when caseless */
        bool caseless;
        uint32_t slot;
    } *kwa;              /* with kw_in_fields: the keyword atoms, searched for directly */
    uint32_t nkwa;
    uint8_t kw_anchor[2 * SG_KW_IN_FIELDS]; /* bytes one of which each occurrence of a
                                               keyword atom has (kw_anchors) */
    uint32_t nkw_anchor;
    uint32_t nslots;
    uint32_t *fan_off;   /* slot -> rules for which it is an atom (CSR) */
    uint32_t *fan;
    uint32_t *dec_off;   /* slot -> clauses it decides (CSR) */
    uint32_t *dec;
    struct slothdr {
        uint32_t dec, dec_end; /* clauses it decides: dec[dec .. dec_end) */
        uint32_t fan, fan_end; /* rules it is an atom of: fan[fan .. fan_end) */
    } * hdr;                   /* per slot, both tables side by side (one cache line) */
    uint32_t nclauses;
    sg_pdec *pdec;       /* per predicate */
    uint32_t *und;       /* undecided value indices, per predicate */
    tr_mpm_scratch *proto; /* scratch reserved for every database, cloned per thread */
};

/* The slots a field value hits depend on nothing but (field, value), and
 * most values of a log repeat (Image, ParentImage, User, OriginalFileName,
 * service command lines): a small cache of recent values and their slots
 * saves the database scan of repeated ones. Two ways per set: a value seen
 * again is kept ("hot") over one seen once, so that the values seen once
 * (most command lines, hashes) do not evict the ones that repeat (all
 * SigmaHQ process_creation rules: 23.6k -> 23.1k instructions per event
 * against direct mapping). */
#define SG_VC_ENTRIES 1024 /* (512 sets) */
#define SG_VC_MAXVAL 240
#define SG_VC_MAXSLOTS 12

typedef struct vcent {
    uint64_t hash; /* 0: empty */
    uint32_t fid;
    uint16_t vlen;
    uint8_t nslots;
    uint8_t hot;   /* hit since it was stored */
    uint32_t slots[SG_VC_MAXSLOTS];
    char val[SG_VC_MAXVAL];
} vcent;

struct sg_plan_scratch {
    tr_mpm_scratch *ms;
    vcent *cache;
    tr_idset one; /* the slots of the value being scanned */
    tr_buf joined; /* every value of the event, for the keyword scan */
    TR_VEC(uint8_t) covered; /* per event field: scanned with a field database */
};

/* ---- Quality ------------------------------------------------------------------------------- */

/* Substrings so common in the values Sigma rules look at that an atom made
 * only of one of them would make its rule a candidate for most events. */
static const char *const common[] = {
    "c:\\windows\\system32\\", "c:\\program files (x86)\\", "c:\\programdata\\",
    "\\appdata\\local\\temp\\", "\\appdata\\roaming\\", "c:\\users\\", "\\syswow64\\",
    "\\microsoft\\windows\\", "nt authority\\system", "powershell.exe", "svchost.exe",
    "rundll32.exe", "https://", "http://", ".exe", ".dll", "\\downloads\\", "hklm\\software\\",
    "hkcu\\software\\", "\\currentversion\\", "cmd.exe /c ", "/usr/bin/", "/bin/", "/tmp/",
    /* processes that start or parent much of what a Windows host runs */
    "\\explorer.exe", "\\services.exe", "\\svchost.exe", "\\cmd.exe", "\\conhost.exe",
    "\\chrome.exe", "\\msedge.exe", "\\firefox.exe", "\\wmiprvse.exe", "\\dllhost.exe",
    "\\taskhostw.exe", "\\runtimebroker.exe", "\\searchindexer.exe", "\\msiexec.exe",
    "\\powershell.exe", "\\rundll32.exe", "\\userinit.exe", "\\winlogon.exe",
    "nt authority\\network service", "nt authority\\local service",
    /* the company of every Windows binary, the SYSTEM logon session, and
     * the handful of integrity levels (names and SIDs) every process has */
    "microsoft corporation", "0x3e7", "system", "medium", "high", "low", "s-1-16-4096",
    "s-1-16-8192", "s-1-16-12288", "s-1-16-16384",
};

/* YARA-style: bytes that are rare in logs score more; variety scores; the
 * score saturates so that one huge literal does not beat two good ones.
 * Worked examples (caseless, unanchored):
 *   "x"                 -> 2 + 2 = 4
 *   ".exe"              -> common substring: capped at 4
 *   "mimikatz"          -> 8 * 2 + 6 * 2 = 28
 *   "\\whoami.exe" (suffix) -> 11 bytes, 9 distinct: 20 + 18 + 6 = 44
 *   "" (any value)      -> 0 */
static int lit_quality(tr_str lit, unsigned mflags, bool exact)
{
    if (lit.n == 0)
        return 0;
    bool seen[256] = { false };
    int q = 0, distinct = 0;
    size_t n = TR_MIN(lit.n, 24);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = tr_ascii_lower((unsigned char)lit.p[i]);
        if (c == 0 || c == ' ' || c == '\\' || c == '/' || c == '.' || c == '-' || c == '"' ||
            c == '\'' || c == ':' || c == ',')
            q += 1;
        else
            q += 2;
        if (!seen[c]) {
            seen[c] = true;
            distinct++;
        }
    }
    q += 2 * distinct;
    if (exact)
        q += 12;
    else if (mflags & (TR_MPM_PREFIX | TR_MPM_SUFFIX))
        q += 6;
    for (size_t i = 0; i < TR_ARRAY_LEN(common); i++) {
        size_t cn = strlen(common[i]);
        /* The literal is part of a common string, or little more than one. */
        for (size_t j = 0; !exact && j + lit.n <= cn; j++)
            if (tr_mem_eq_nocase(common[i] + j, lit.p, lit.n)) {
                q = TR_MIN(q, 4);
                goto done;
            }
        for (size_t j = 0; lit.n <= cn + 2 && j + cn <= lit.n; j++)
            if (tr_mem_eq_nocase(lit.p + j, common[i], cn)) {
                q = TR_MIN(q, exact ? 12 : 6);
                goto done;
            }
    }
done:
    return q;
}

/* ---- Build state ---------------------------------------------------------------------------- */

typedef struct fbuild {
    tr_mpm_builder *mpm, *mpm_hi;
    TR_VEC(tr_str) lits; /* what mpm holds but keyword atoms (for its byte gate) */
    tr_strset_builder *eq, *eqc, *num;
} fbuild;

/* One concrete literal test a value is equivalent to (or implies). */
typedef struct form {
    char kind;      /* K_MPM, K_KW, K_EQ, K_EQC, K_NUM */
    unsigned fl;    /* enum tr_mpm_flags (MPM, KW) */
    tr_str lit;
    bool exact;
} form;

typedef TR_VEC(form) formvec;

/* A candidate atom: a literal test of one field, not yet a slot (only the
 * atoms finally chosen become slots and enter a database). */
typedef struct atom {
    form f;
    uint32_t fid;   /* field id (0 for keywords) */
    double num;     /* K_NUM: the number */
    int quality;
} atom;

typedef TR_VEC(atom) atomvec;

typedef struct builder {
    tr_ruleset *rs;
    sg_plan *p;
    fbuild *fb;            /* per field */
    tr_mpm_builder *kw;
    TR_VEC(struct kwlit { tr_str lit; unsigned fl; uint32_t slot; }) kwl; /* what kw holds */
    tr_map *slots;         /* key -> slot id */
    tr_buf key;
    TR_VEC(uint64_t) fan;  /* (slot << 32) | rule */
    TR_VEC(uint32_t) gates; /* plan.gates being built, rule by rule */
    uint32_t *field_values; /* per field: values of all rules tested on it */
    uint32_t free_text;     /* fields with this many are free text (gate_cheap) */
} builder;

static tr_err slot_key(builder *b, char kind, unsigned flags, uint32_t fid, tr_str lit)
{
    tr_buf_reset(&b->key);
    char hdr[6] = { kind, (char)flags, (char)(fid >> 24), (char)(fid >> 16), (char)(fid >> 8),
                    (char)fid };
    tr_err err = tr_buf_append(&b->key, hdr, sizeof(hdr));
    return err ? err : tr_buf_append(&b->key, lit.p ? lit.p : "", lit.n);
}

/* The canonical text of a number, shared by compile and scan. */
static size_t num_key(double d, char *buf, size_t cap)
{
    if (d == 0)
        d = 0; /* -0 */
    int n = snprintf(buf, cap, "%.17g", d);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* The literal has a byte >= 0x80: UTF-8 beyond ASCII (homoglyphs, emoji,
 * dashes), or other encodings. */
static bool lit_high(tr_str lit)
{
    for (size_t i = 0; i < lit.n; i++)
        if ((unsigned char)lit.p[i] >= 0x80)
            return true;
    return false;
}

/* Adds a literal to the field's database for its kind. Literals with a
 * byte >= 0x80 are kept apart: they cannot occur in a value without one,
 * and most values are ASCII, so their database is rarely scanned. (All
 * SigmaHQ process_creation rules: 4,000 of CommandLine's 10,400 literals
 * are emoji and other non-ASCII characters; in a database of their own,
 * an ASCII command line costs 0.4k instructions less to scan.) */
static tr_err fbuild_add(fbuild *f, tr_str lit, unsigned mflags, uint32_t slot, bool keyword)
{
    bool hi = lit_high(lit);
    tr_mpm_builder **mb = hi ? &f->mpm_hi : &f->mpm;
    tr_err err = *mb ? TR_OK : tr_mpm_builder_new(mb);
    if (!err && !hi && !keyword && !TR_VEC_PUSH(&f->lits, lit))
        err = TR_ENOMEM;
    return err ? err : tr_mpm_builder_add(*mb, lit, mflags, slot);
}

static inline uint32_t bgate_hash(const char *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    w |= 0x2020202020202020ULL; /* ASCII case folded (and a few more bytes merged) */
    return (uint32_t)((w * 0x9e3779b97f4a7c15ULL) >> (64 - SG_BGATE_BITS));
}

/* The byte gate of a field's ASCII literals (fp->bgate -1 when none): the
 * byte that is no letter, occurs in every literal with SG_BGATE_LEN bytes
 * after it, and occurs the fewest times. */
static tr_err build_bgate(const fbuild *fb, sg_fplan *fp)
{
    fp->bgate = -1;
    uint8_t cand[256];
    memset(cand, 1, sizeof(cand));
    for (int c = 0; c < 256; c++)
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            cand[c] = 0;
    for (size_t k = 0; k < fb->lits.n; k++) {
        uint8_t has[256] = { 0 };
        tr_str l = fb->lits.v[k];
        for (size_t i = 0; i + 1 + SG_BGATE_LEN <= l.n; i++)
            has[(unsigned char)l.p[i]] = 1;
        bool any = false;
        for (int c = 0; c < 256; c++)
            any |= (cand[c] &= has[c]);
        if (!any)
            return TR_OK;
    }
    size_t best = SIZE_MAX;
    for (int c = 0; c < 256 && fb->lits.n; c++) {
        if (!cand[c])
            continue;
        size_t occ = 0;
        for (size_t k = 0; k < fb->lits.n; k++)
            for (size_t i = 0; i + 1 + SG_BGATE_LEN <= fb->lits.v[k].n; i++)
                occ += (unsigned char)fb->lits.v[k].p[i] == c;
        if (occ < best) {
            best = occ;
            fp->bgate = c;
        }
    }
    /* Only when the set stays sparse (a value passes rarely by chance). */
    if (fp->bgate < 0 || best > (1u << SG_BGATE_BITS) / 16) {
        fp->bgate = -1;
        return TR_OK;
    }
    fp->bgate_set = tr_calloc((1u << SG_BGATE_BITS) / 64, sizeof(uint64_t));
    if (!fp->bgate_set)
        return TR_ENOMEM;
    for (size_t k = 0; k < fb->lits.n; k++) {
        tr_str l = fb->lits.v[k];
        for (size_t i = 0; i + 1 + SG_BGATE_LEN <= l.n; i++)
            if ((unsigned char)l.p[i] == fp->bgate) {
                uint32_t h = bgate_hash(l.p + i + 1);
                fp->bgate_set[h >> 6] |= 1ULL << (h & 63);
            }
    }
    return TR_OK;
}

/* Finds or makes the slot for (kind, flags, field, lit) and registers it in
 * the field's database or sets. */
static tr_err get_slot(builder *b, char kind, unsigned mflags, uint32_t fid, tr_str lit,
                       double num, uint32_t *slot)
{
    tr_err err = slot_key(b, kind, mflags, fid, lit);
    if (err)
        return err;
    uint64_t v;
    bool inserted;
    err = tr_map_put_new(b->slots, (tr_str){ b->key.p, b->key.n }, b->p->nslots, &v, &inserted);
    if (err)
        return err;
    *slot = (uint32_t)v;
    if (!inserted)
        return TR_OK;
    b->p->nslots++;
    if (kind == K_KW) {
        /* Unanchored: every field value of an event is scanned at once,
         * joined (sg_plan_prefilter), where anchors would not hold. A
         * keyword slot is only ever an atom (keyword values are evaluated
         * directly), so a superset of its hits is harmless. */
        if (!b->kw && (err = tr_mpm_builder_new(&b->kw)))
            return err;
        struct kwlit k = { lit, mflags & TR_MPM_CASELESS, *slot };
        if (!TR_VEC_PUSH(&b->kwl, k))
            return TR_ENOMEM;
        return tr_mpm_builder_add(b->kw, lit, k.fl, *slot);
    }
    fbuild *f = &b->fb[fid];
    switch (kind) {
    case K_MPM:
        return fbuild_add(f, lit, mflags, *slot, false);
    case K_EQ:
        if (!f->eq && (err = tr_strset_builder_new(TR_STRSET_NOCASE, &f->eq)))
            return err;
        return tr_strset_builder_add(f->eq, lit, *slot);
    case K_EQC:
        if (!f->eqc && (err = tr_strset_builder_new(0, &f->eqc)))
            return err;
        return tr_strset_builder_add(f->eqc, lit, *slot);
    case K_NUM: {
        /* A YAML number: its text, or any notation of the same number. */
        if (!f->eq && (err = tr_strset_builder_new(TR_STRSET_NOCASE, &f->eq)))
            return err;
        if ((err = tr_strset_builder_add(f->eq, lit, *slot)))
            return err;
        char nk[40];
        size_t nn = num_key(num, nk, sizeof(nk));
        if (!nn)
            return TR_OK;
        if (!f->num && (err = tr_strset_builder_new(0, &f->num)))
            return err;
        return tr_strset_builder_add(f->num, (tr_str){ nk, nn }, *slot);
    }
    default:
        return TR_EINVAL;
    }
}

/* ---- Literals of glob programs and regexes -------------------------------------------------- */

/* The best literal token of a wildcard program, anchored when it is the
 * first or last token. */
static bool glob_atom(const sg_value *v, tr_str *lit, unsigned *mflags)
{
    int best = -1;
    for (uint32_t i = 0; i < v->ntoks; i++) {
        if (v->toks[i].kind != SG_G_LIT)
            continue;
        unsigned fl = (i == 0 ? TR_MPM_PREFIX : 0) | (i + 1 == v->ntoks ? TR_MPM_SUFFIX : 0);
        int q = lit_quality(v->toks[i].lit, fl, false);
        if (q > best) {
            best = q;
            *lit = v->toks[i].lit;
            *mflags = fl;
        }
    }
    if (best < 0) {
        *lit = (tr_str){ "", 0 }; /* only wildcards: any value */
        *mflags = 0;
    }
    return true;
}

/* Index of the ']' closing the character class that opens at pat[i] (a
 * leading '^' and a first ']' belong to the class), or n or more when it is
 * not closed. */
static size_t re_class_end(const char *pat, size_t n, size_t i)
{
    size_t j = i + 1;
    if (j < n && pat[j] == '^')
        j++;
    if (j < n && pat[j] == ']')
        j++;
    for (; j < n && pat[j] != ']'; j++)
        if (pat[j] == '\\')
            j++;
    return j;
}

/* Index of the ')' closing the group that opens at pat[i] (escapes and
 * character classes skipped), or n when it is not closed. */
static size_t re_group_end(const char *pat, size_t n, size_t i)
{
    int depth = 0;
    bool in_class = false;
    for (size_t j = i; j < n; j++) {
        if (pat[j] == '\\') {
            j++;
            continue;
        }
        if (in_class) {
            if (pat[j] == ']')
                in_class = false;
            continue;
        }
        if (pat[j] == '[') {
            in_class = true;
            if (j + 1 < n && pat[j + 1] == '^')
                j++;
            if (j + 1 < n && pat[j + 1] == ']')
                j++;
        } else if (pat[j] == '(') {
            depth++;
        } else if (pat[j] == ')' && --depth == 0) {
            return j;
        }
    }
    return n;
}

/* Where the content of the group opening at pat[i] starts, when it is a
 * plain group ('(' or '(?:'): 0 for lookarounds, named and atomic groups and
 * groups setting options. */
static size_t re_group_body(const char *pat, size_t n, size_t i)
{
    if (i + 1 < n && pat[i + 1] != '?')
        return i + 1;
    return i + 2 < n && pat[i + 2] == ':' ? i + 3 : 0;
}

/* An alternative '|' at the top level of pat[a, e) (a group's content). */
static bool re_has_alt(const char *pat, size_t a, size_t e)
{
    int depth = 0;
    for (size_t j = a; j < e; j++) {
        if (pat[j] == '\\') {
            j++;
        } else if (pat[j] == '[') {
            j = re_class_end(pat, e, j);
        } else if (pat[j] == '(') {
            depth++;
        } else if (pat[j] == ')') {
            depth--;
        } else if (pat[j] == '|' && depth == 0) {
            return true;
        }
    }
    return false;
}

/* The minimum count of the quantifier at pat[k]: -1 when there is none. */
static long re_quant_min(const char *pat, size_t n, size_t k)
{
    if (k >= n)
        return -1;
    if (pat[k] == '*' || pat[k] == '?')
        return 0;
    if (pat[k] == '+')
        return 1;
    if (pat[k] != '{')
        return -1;
    long m = 0;
    size_t j = k + 1;
    while (j < n && pat[j] >= '0' && pat[j] <= '9' && m < 100000)
        m = m * 10 + (pat[j++] - '0');
    if (j == k + 1)
        return -1; /* "{" as a plain character */
    while (j < n && pat[j] != '}')
        j++;
    return j < n ? m : -1;
}

/* A literal every match of the regex contains, or false. Conservative: top-
 * level alternation, extended mode or anything unusual gives up; classes end
 * the current literal run; a plain group that must occur (no alternative at
 * its top level, not optional) is read as part of the sequence (the run
 * ends at its end when it may repeat: '"(?:\{\d\})+"' needs '"{'), other
 * groups end the run; a quantifier that allows zero repetitions removes the
 * character it applies to. Any (?i) makes the atom caseless. */
#define SG_RE_GROUPS 32
static bool re_atom(const char *pat, bool caseless_flag, tr_buf *out, bool *caseless)
{
    size_t gend[SG_RE_GROUPS]; /* ')' of each group being read as a sequence */
    bool grep[SG_RE_GROUPS];   /* and whether it is quantified */
    int ng = 0;
    size_t n = strlen(pat);
    *caseless = caseless_flag || strstr(pat, "(?i") != NULL;
    if (strstr(pat, "(?x") || strstr(pat, "(?") != NULL) {
        /* Inline options other than a leading (?i) change too much. */
        for (const char *q = strstr(pat, "(?"); q; q = strstr(q + 2, "(?")) {
            if (q[2] == ':' || q[2] == 'i' || q[2] == '=' || q[2] == '!' || q[2] == '<' ||
                q[2] == '>')
                continue;
            return false;
        }
        if (strstr(pat, "(?i") && !strstr(pat, "(?i)") && !strstr(pat, "(?i:"))
            return false;
    }
    tr_buf run = TR_BUF_INIT;
    tr_buf_reset(out);
    bool ok = true;
    for (size_t i = 0; i < n && ok;) {
        char c = pat[i];
        bool lit = false;
        char lc[4];     /* the literal character (a UTF-8 sequence is one character) */
        size_t lcn = 1;
        size_t adv = 1;
        if (c == '\\') {
            if (i + 1 >= n) {
                ok = false;
                break;
            }
            char e = pat[i + 1];
            adv = 2;
            if ((unsigned char)e >= 0x80) {
                ok = false; /* an escaped multibyte character: keep it simple */
                break;
            } else if (!((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') || (e >= '0' && e <= '9'))) {
                lit = true;
                lc[0] = e;
            } else if (e == 'n' || e == 't' || e == 'r' || e == 'f' || e == 'a' || e == 'e') {
                /* PCRE2's escapes of single control characters (\v is a class) */
                lit = true;
                lc[0] = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'f' ? '\f'
                        : e == 'a' ? '\a' : '\x1b';
            } else if (e == 'Q' || e == 'x' || e == 'c' || e == 'o' || e == 'N' || e == 'p' ||
                       e == 'P' || e == 'g' || e == 'k' || (e >= '0' && e <= '9')) {
                /* escapes with arguments, and octal escapes and back references
                 * (\012 is one character, not \0 then "12"): give up */
                ok = false;
                break;
            }
        } else if (c == '|') {
            ok = false; /* top-level alternation */
            break;
        } else if (c == '(') {
            size_t j = re_group_end(pat, n, i);
            if (j >= n) {
                ok = false;
                break;
            }
            size_t body = re_group_body(pat, n, i);
            long qmin = re_quant_min(pat, n, j + 1);
            if (body && ng < SG_RE_GROUPS && qmin != 0 && !re_has_alt(pat, body, j)) {
                gend[ng] = j;
                grep[ng++] = qmin > 0;
                i = body;
                continue;
            }
            adv = j - i + 1;
        } else if (c == ')') {
            if (!ng || gend[ng - 1] != i) {
                ok = false;
                break;
            }
            if (!grep[--ng]) {
                i++;
                continue; /* exactly once: the run goes on */
            }
            /* (lit stays false: the quantifier below ends the run) */
        } else if (c == '[') {
            size_t j = re_class_end(pat, n, i);
            if (j >= n) {
                ok = false;
                break;
            }
            adv = j - i + 1;
        } else if (c == '.' || c == '^' || c == '$') {
            /* ends a run */
        } else if (c == '*' || c == '+' || c == '?' || c == '{') {
            ok = false; /* a quantifier with nothing to apply to here */
            break;
        } else {
            lit = true;
            lc[0] = c;
            unsigned char u = (unsigned char)c;
            size_t want = u >= 0xF0 ? 4 : u >= 0xE0 ? 3 : u >= 0xC0 ? 2 : 1;
            while (lcn < want && i + lcn < n && ((unsigned char)pat[i + lcn] & 0xC0) == 0x80) {
                lc[lcn] = pat[i + lcn];
                lcn++;
            }
            adv = lcn;
        }
        i += adv;
        /* A quantifier after this token? */
        bool optional = false, repeated = false;
        if (i < n && (pat[i] == '*' || pat[i] == '?' || pat[i] == '+' || pat[i] == '{')) {
            char q = pat[i];
            if (q == '{') {
                size_t j = i + 1;
                unsigned lo = 0;
                bool digits = false;
                while (j < n && pat[j] >= '0' && pat[j] <= '9') {
                    lo = lo * 10 + (unsigned)(pat[j] - '0');
                    if (lo > 100000)
                        lo = 100000;
                    j++;
                    digits = true;
                }
                while (j < n && pat[j] != '}')
                    j++;
                if (!digits || j >= n) {
                    /* "{" as a plain character (PCRE) */
                } else {
                    optional = lo == 0;
                    repeated = true;
                    i = j + 1;
                }
            } else {
                optional = q != '+';
                repeated = true;
                i++;
            }
            if (repeated && i < n && (pat[i] == '?' || pat[i] == '+'))
                i++; /* lazy or possessive */
        }
        if (lit && !optional && tr_buf_append(&run, lc, lcn)) {
            ok = false;
            break;
        }
        if (!lit || repeated) {
            if (run.n > out->n || (run.n == out->n && run.n && lit_quality((tr_str){ run.p, run.n },
                                                                            0, false) >
                                                                   lit_quality((tr_str){ out->p,
                                                                                         out->n },
                                                                               0, false))) {
                tr_buf_reset(out);
                if (tr_buf_append(out, run.p, run.n))
                    ok = false;
            }
            tr_buf_reset(&run);
        }
    }
    if (ok && run.n > out->n) {
        tr_buf_reset(out);
        ok = tr_buf_append(out, run.p, run.n) == TR_OK;
    }
    tr_buf_release(&run);
    return ok && out->n > 0;
}

/* A regex without a literal may still need a run of characters from one
 * class: SNAKE's '\s[a-fA-F0-9]{64}\s…' cannot match a value without 64
 * hex digits in a row, which a skip loop rules out in a few steps
 * (sg_has_run) for a fraction of a PCRE2 call. Shorter runs are not worth
 * testing. */
#define SG_MIN_RUN 8

/* Adds the bytes of an escape that is a class (\d \w \s) or one character
 * to set; false for anything else. Non-ASCII bytes are added to the
 * classes: whatever PCRE2's tables say of characters above 127, the run
 * of bytes is then never shorter than the run of characters. */
static bool re_escape_set(char e, uint8_t *set)
{
#define ADD(c) (set[(unsigned char)(c) >> 3] |= (uint8_t)(1u << ((unsigned char)(c) & 7)))
    if (e == 'd' || e == 'w' || e == 's') {
        for (int c = 0x80; c < 0x100; c++)
            ADD(c);
        for (int c = 0; c < 0x80; c++)
            if ((e == 'd' && c >= '0' && c <= '9') ||
                (e == 'w' && (tr_ascii_lower((unsigned char)c) >= 'a' &&
                              tr_ascii_lower((unsigned char)c) <= 'z')) ||
                (e == 'w' && ((c >= '0' && c <= '9') || c == '_')) ||
                (e == 's' && ((c >= 0x09 && c <= 0x0d) || c == ' ')))
                ADD(c);
        return true;
    }
    char lit = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'f' ? '\f'
             : e == 'a' ? '\a' : e == 'e' ? '\x1b' : 0;
    if (lit || ((unsigned char)e < 0x80 && !((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z') ||
                                              (e >= '0' && e <= '9')))) {
        ADD(lit ? lit : e);
        return true;
    }
    return false;
}

/* Parses the class at pat[i] == '[' into set (positive classes of ASCII
 * characters, ranges and \d \w \s only); returns the index after it, or 0
 * when the class is anything else. */
static size_t re_class_set(const char *pat, size_t n, size_t i, uint8_t *set)
{
    memset(set, 0, 32);
    size_t j = i + 1;
    if (j < n && pat[j] == '^')
        return 0;
    bool first = true;
    int prev = -1; /* last single character, for ranges */
    for (; j < n; j++) {
        unsigned char c = (unsigned char)pat[j];
        if (c == ']' && !first)
            return j + 1;
        first = false;
        if (c >= 0x80 || (c == '[' && j + 1 < n && (pat[j + 1] == ':' || pat[j + 1] == '.' ||
                                                     pat[j + 1] == '=')))
            return 0; /* non-ASCII, POSIX classes */
        if (c == '\\') {
            if (j + 1 >= n)
                return 0;
            char e = pat[++j];
            uint8_t one[32] = { 0 };
            if (!re_escape_set(e, one))
                return 0;
            for (int k = 0; k < 32; k++)
                set[k] |= one[k];
            prev = (e == 'd' || e == 'w' || e == 's') ? -1 : -2; /* no ranges from escapes */
            continue;
        }
        if (c == '-' && prev >= 0 && j + 1 < n && pat[j + 1] != ']') {
            unsigned char hi = (unsigned char)pat[j + 1];
            if (hi == '\\' || hi >= 0x80 || hi < (unsigned char)prev)
                return 0;
            for (int k = prev; k <= hi; k++)
                ADD(k);
            j++;
            prev = -1;
            continue;
        }
        ADD(c);
        prev = c;
    }
    return 0;
#undef ADD
}

/* The longest run of one class that every match of the regex contains (the
 * minimum count of a class token outside groups, without top-level
 * alternation), its bytes into set; 0 when none is known. Caseless
 * patterns, inline options, verbs and unusual escapes give up: PCRE2
 * matches some ASCII letters caselessly with characters of other
 * lengths. */
static int set_count(const uint8_t *set)
{
    int n = 0;
    for (int k = 0; k < 32; k++)
        n += __builtin_popcount(set[k]);
    return n;
}

static int set_only(const uint8_t *set)
{
    for (int c = 0; c < 256; c++)
        if (set[c >> 3] >> (c & 7) & 1)
            return c;
    return -1;
}

/* Also the best pair of adjacent class tokens that each match at least
 * once (the last character of the first is followed by the first of the
 * second): the one with the fewest combinations, at most SG_MAX_PAIR, into
 * pair (two maps) and *first (the first map's only byte or -1); *first is
 * -2 when there is none. */
#define SG_MAX_PAIR 8
static uint32_t re_class_run(const char *pat, unsigned flags, uint8_t *best_set, uint8_t *pair,
                             int *first)
{
    *first = -2;
    uint8_t prev[32];
    bool prev_ok = false; /* the token before was a class matching at least once */
    int best_pair = SG_MAX_PAIR + 1;
    size_t n = strlen(pat);
    if ((flags & SG_RE_I) || strstr(pat, "(*"))
        goto give_up;
    for (const char *q = strstr(pat, "(?"); q; q = strstr(q + 2, "(?"))
        if (q[2] != ':' && q[2] != '=' && q[2] != '!' && q[2] != '<' && q[2] != '>')
            goto give_up;
    uint32_t best = 0;
    uint8_t set[32];
    for (size_t i = 0; i < n;) {
        char c = pat[i];
        bool cls = false;
        memset(set, 0, sizeof(set));
        if (c == '\\') {
            if (i + 1 >= n)
                goto give_up;
            char e = pat[i + 1];
            if (e == 'Q' || e == 'x' || e == 'c' || e == 'o' || e == 'N' || e == 'p' ||
                e == 'P' || e == 'g' || e == 'k' || (e >= '0' && e <= '9') ||
                (unsigned char)e >= 0x80)
                goto give_up; /* escapes with arguments, octal and back references */
            cls = re_escape_set(e, set);
            i += 2;
        } else if (c == '|') {
            goto give_up;
        } else if (c == '[') {
            size_t j = re_class_set(pat, n, i, set);
            cls = j > 0;
            if (!cls) {
                /* skip an unparsed class */
                j = re_class_end(pat, n, i);
                if (j >= n)
                    goto give_up;
                j++;
            }
            i = j;
        } else if (c == '(') {
            size_t j = re_group_end(pat, n, i);
            if (j >= n)
                goto give_up;
            i = j + 1;
        } else if ((unsigned char)c >= 0x80) {
            i++;
            while (i < n && ((unsigned char)pat[i] & 0xC0) == 0x80)
                i++;
        } else if (c == '.' || c == '^' || c == '$') {
            i++;
        } else if (c == '*' || c == '+' || c == '?' || c == ')') {
            goto give_up; /* nothing to apply to: not a pattern this parser knows */
        } else {
            set[(unsigned char)c >> 3] |= (uint8_t)(1u << ((unsigned char)c & 7));
            cls = true;
            i++;
        }
        /* The token's minimum count: 1, or its quantifier's. */
        uint32_t lo = 1;
        if (i < n && (pat[i] == '*' || pat[i] == '?')) {
            lo = 0;
            i++;
        } else if (i < n && pat[i] == '+') {
            i++;
        } else if (i < n && pat[i] == '{') {
            /* Only {m}, {m,} and {m,n} are quantifiers; else '{' is a character. */
            size_t j = i + 1;
            uint64_t m = 0;
            bool digits = false;
            while (j < n && pat[j] >= '0' && pat[j] <= '9') {
                m = m * 10 + (uint64_t)(pat[j] - '0');
                if (m > 65535)
                    goto give_up;
                j++;
                digits = true;
            }
            if (digits && j < n && pat[j] == ',') {
                j++;
                while (j < n && pat[j] >= '0' && pat[j] <= '9')
                    j++;
            }
            if (digits && j < n && pat[j] == '}') {
                lo = (uint32_t)m;
                i = j + 1;
            }
        }
        if (i < n && (pat[i] == '?' || pat[i] == '+') && i > 0 &&
            (pat[i - 1] == '*' || pat[i - 1] == '+' || pat[i - 1] == '?' || pat[i - 1] == '}'))
            i++; /* lazy or possessive */
        if (cls && lo > best) {
            best = lo;
            memcpy(best_set, set, sizeof(set));
        }
        bool ok = cls && lo >= 1;
        if (ok && prev_ok) {
            int na = set_count(prev), nb = set_count(set);
            if (na * nb < best_pair) {
                best_pair = na * nb;
                memcpy(pair, prev, 32);
                memcpy(pair + 32, set, 32);
                *first = na == 1 ? set_only(prev) : -1;
            }
        }
        prev_ok = ok;
        if (ok)
            memcpy(prev, set, sizeof(set));
    }
    return best;
give_up:
    *first = -2;
    return 0;
}

/* ---- Atoms ---------------------------------------------------------------------------------- */

/* Literals shorter than this never go into a database: one- and two-byte
 * literals occur in almost every value and make Vectorscan report (and
 * filter) at nearly every byte. Tests on them are evaluated directly. */
#define SG_MIN_DB_LITERAL 3
/* windash values with up to this many dashes are expanded into concrete
 * literals (5^n of them) for the databases. */
#define SG_MAX_DASH_EXPAND 2

/* The concrete literals of a value whose truth is exactly "one of these
 * literal tests holds": EQ/PREFIX/SUFFIX/CONTAINS/ANY, and windash values
 * made only of literals and dashes. Empty when the value is more than that. */
static tr_err value_forms(builder *b, const sg_pred *p, const sg_value *v, formvec *out)
{
    static const char *const dashes[5] = { "-", "/", "\xE2\x80\x93", "\xE2\x80\x94",
                                           "\xE2\x80\x95" };
    bool kw = p->kind == SG_P_KEYWORD;
    unsigned caseless = (v->flags & SG_V_CASED) ? 0 : TR_MPM_CASELESS;
    form f = { kw ? K_KW : K_MPM, caseless, v->lit, false };
    out->n = 0;
    switch (v->op) {
    case SG_OP_EQ:
        f.exact = true;
        if (kw)
            f.fl |= TR_MPM_PREFIX | TR_MPM_SUFFIX;
        else
            f.kind = (v->flags & SG_V_NUMBER) ? K_NUM : (v->flags & SG_V_CASED) ? K_EQC : K_EQ;
        break;
    case SG_OP_PREFIX:
        f.fl |= TR_MPM_PREFIX;
        break;
    case SG_OP_SUFFIX:
        f.fl |= TR_MPM_SUFFIX;
        break;
    case SG_OP_CONTAINS:
        break;
    case SG_OP_ANY:
        f.lit = (tr_str){ "", 0 };
        break;
    case SG_OP_GLOB: {
        /* [*] (LIT|DASH)+ [*] with a few dashes. */
        uint32_t a = 0, e = v->ntoks, nd = 0;
        if (a < e && v->toks[a].kind == SG_G_STAR)
            a++;
        if (e > a && v->toks[e - 1].kind == SG_G_STAR)
            e--;
        for (uint32_t i = a; i < e; i++) {
            if (v->toks[i].kind == SG_G_DASH)
                nd++;
            else if (v->toks[i].kind != SG_G_LIT)
                return TR_OK;
        }
        if (nd == 0 || nd > SG_MAX_DASH_EXPAND || a == e)
            return TR_OK;
        bool lead = a > 0, trail = e < v->ntoks;
        f.fl |= lead && trail ? 0 : lead ? TR_MPM_SUFFIX : trail ? TR_MPM_PREFIX : 0;
        if (!lead && !trail) {
            f.exact = true;
            if (kw)
                f.fl |= TR_MPM_PREFIX | TR_MPM_SUFFIX;
            else
                f.kind = (v->flags & SG_V_CASED) ? K_EQC : K_EQ;
        }
        unsigned combos = 1;
        for (uint32_t i = 0; i < nd; i++)
            combos *= 5;
        tr_buf buf = TR_BUF_INIT;
        tr_err err = TR_OK;
        for (unsigned c = 0; c < combos && !err; c++) {
            tr_buf_reset(&buf);
            unsigned k = c;
            for (uint32_t i = a; i < e && !err; i++) {
                if (v->toks[i].kind == SG_G_DASH) {
                    err = tr_buf_append(&buf, dashes[k % 5], strlen(dashes[k % 5]));
                    k /= 5;
                } else {
                    err = tr_buf_append_str(&buf, v->toks[i].lit);
                }
            }
            form g = f;
            g.lit = tr_arena_strdup(b->rs->arena, buf.p ? buf.p : "", buf.n);
            if (!err && (!g.lit.p || !TR_VEC_PUSH(out, g)))
                err = TR_ENOMEM;
        }
        tr_buf_release(&buf);
        return err;
    }
    default:
        return TR_OK;
    }
    return TR_VEC_PUSH(out, f) ? TR_OK : TR_ENOMEM;
}

/* A form can go into a database (Vectorscan's literal API mistakes a
 * literal starting with NUL, as UTF-16BE values do, for an empty one). */
static bool db_ok(const form *f)
{
    if (f->kind != K_MPM && f->kind != K_KW)
        return true;
    if (f->lit.n == 0)
        return !(f->fl & (TR_MPM_PREFIX | TR_MPM_SUFFIX)) || true;
    if (f->lit.p[0] == '\0')
        return false;
    if (f->lit.n >= SG_MIN_DB_LITERAL)
        return true;
    /* A two-byte UTF-8 character is rare enough (homoglyph rules list many). */
    if (f->lit.n == 2 && (unsigned char)f->lit.p[0] >= 0xC2 && (unsigned char)f->lit.p[1] >= 0x80)
        return true;
    /* So are obfuscation marks: cmd's caret, PowerShell's backtick
     * ('^^', '`'), which otherwise leave their rules without atoms. */
    for (size_t i = 0; i < f->lit.n; i++)
        if (f->lit.p[i] != '^' && f->lit.p[i] != '`')
            return false;
    return true;
}

static uint32_t form_fid(const sg_pred *p)
{
    return p->kind == SG_P_KEYWORD ? 0 : p->field;
}

static unsigned form_flags(const form *f)
{
    return (f->kind == K_MPM || f->kind == K_KW) ? f->fl : 0;
}

static tr_err form_slot(builder *b, const sg_pred *p, const sg_value *v, const form *f,
                        uint32_t *slot)
{
    return get_slot(b, f->kind, form_flags(f), form_fid(p), f->lit, v->num, slot);
}

/* The slot of a form that is already in a database (an atom), without
 * making one: TR_OK and *slot = SG_NONE when there is none. */
static tr_err find_slot(builder *b, const sg_pred *p, const form *f, uint32_t *slot)
{
    *slot = SG_NONE;
    tr_err err = slot_key(b, f->kind, form_flags(f), form_fid(p), f->lit);
    uint64_t v;
    if (!err && tr_map_get(b->slots, (tr_str){ b->key.p, b->key.n }, &v))
        *slot = (uint32_t)v;
    return err;
}

/* Whether a literal test that is no atom still gets a slot (a bit set by
 * the scan, so that evaluating it is one bit test instead of a search).
 * Exact values and numbers do: they cost one hash lookup per field value
 * however many there are. A literal in a database costs every event's scan
 * something, the more the more common it is (".exe", "c:\\" or "" are
 * found in nearly every value and reported each time): common ones (quality
 * below SG_DECIDE_QUALITY) are searched for directly, only in the values of
 * candidate rules, unless the rule is evaluated for every event anyway.
 * Measured with bench/sigma.sh, all SigmaHQ process_creation rules
 * (instructions per event, callgrind): every literal a slot 52.4k; quality
 * >= 5: 47.4k, >= 15: 46.8k, >= 25: 48.9k, atoms only: 51.0k. */
#define SG_DECIDE_QUALITY 15
/* Nor are ASCII literals shorter than this (' -f', ' /c'): a database
 * with three-byte literals costs Vectorscan far more per byte (all SigmaHQ
 * process_creation rules: CommandLine's ASCII literals without the seven
 * decided three-byte ones cost 5.2k instead of 5.7k per command line,
 * measured alone; atoms of three bytes remain). */
#define SG_DECIDE_MIN_LEN 4

static bool form_decided(const form *f, bool always)
{
    if (f->kind == K_EQ || f->kind == K_EQC || f->kind == K_NUM)
        return true;
    if (f->lit.n < SG_DECIDE_MIN_LEN && !lit_high(f->lit))
        return false;
    if (always)
        return true;
    return lit_quality(f->lit, f->fl, f->exact) >= SG_DECIDE_QUALITY;
}

/* The literal a wildcard or regex value cannot match without (empty when
 * there is none). */
static tr_err need_form(builder *b, const sg_pred *p, const sg_value *v, form *f)
{
    *f = (form){ p->kind == SG_P_KEYWORD ? K_KW : K_MPM,
                 (v->flags & SG_V_CASED) ? 0 : TR_MPM_CASELESS, { NULL, 0 }, false };
    if (v->op == SG_OP_GLOB) {
        unsigned fl;
        glob_atom(v, &f->lit, &fl);
        f->fl |= fl;
    } else if (v->op == SG_OP_RE) {
        tr_buf rl = TR_BUF_INIT;
        bool cl;
        unsigned rf = sg_regex_flags(b->rs->re, v->re);
        if (re_atom(sg_regex_pattern(b->rs->re, v->re), rf & SG_RE_I, &rl, &cl)) {
            f->lit = tr_arena_strdup(b->rs->arena, rl.p, rl.n);
            f->fl = cl ? TR_MPM_CASELESS : 0;
            if (!f->lit.p) {
                tr_buf_release(&rl);
                return TR_ENOMEM;
            }
        }
        tr_buf_release(&rl);
    }
    /* Inside a UTF-16BE literal: skip the leading NULs. */
    while (f->lit.n && f->lit.p[0] == '\0') {
        f->lit.p++;
        f->lit.n--;
        f->fl &= ~(unsigned)TR_MPM_PREFIX;
    }
    return TR_OK;
}

/* The atoms of one alternative into out; *has false when it has none. */
static tr_err value_atoms(builder *b, const sg_pred *p, const sg_value *v, atomvec *out,
                          bool *has)
{
    *has = false;
    formvec fv = { 0 };
    tr_err err = value_forms(b, p, v, &fv);
    bool ok = fv.n > 0;
    for (size_t i = 0; i < fv.n && ok; i++)
        ok = db_ok(&fv.v[i]) && (fv.v[i].lit.n > 0 || fv.v[i].exact);
    if (!err && !ok) {
        /* One literal the value cannot match without. */
        fv.n = 0;
        form f;
        err = need_form(b, p, v, &f);
        if (!err && f.lit.n && db_ok(&f) && !TR_VEC_PUSH(&fv, f))
            err = TR_ENOMEM;
    }
    for (size_t i = 0; i < fv.n && !err; i++) {
        atom a = { fv.v[i], form_fid(p), v->num,
                   lit_quality(fv.v[i].lit, fv.v[i].fl, fv.v[i].exact) };
        if (!TR_VEC_PUSH(out, a))
            err = TR_ENOMEM;
    }
    *has = !err && fv.n > 0;
    TR_VEC_FREE(&fv);
    return err;
}

/* Atoms of the alternatives values[a, b): all of them, or none. */
static tr_err alts_atoms(builder *b, const sg_pred *p, uint32_t a, uint32_t e, atomvec *out,
                         bool *has)
{
    *has = true;
    size_t start = out->n;
    for (uint32_t i = a; i < e; i++) {
        bool h;
        tr_err err = value_atoms(b, p, &b->rs->values.v[i], out, &h);
        if (err)
            return err;
        if (!h) {
            *has = false;
            out->n = start;
            return TR_OK;
        }
    }
    return TR_OK;
}

/* The necessary conditions of a node, as groups of atoms: the node cannot
 * match unless, for every group, one of the group's atoms is hit. AND
 * collects the groups of all its children; OR and x-of take the union of
 * one group per child (the best); a predicate gives one group (|all: one
 * per value group); NOT and the tests without atoms give none (no
 * condition). A group without atoms is a node that never matches. */
typedef struct group {
    uint32_t off, n; /* atoms[off .. off+n) of the gset */
    int score;       /* the quality of its worst atom (INT32_MAX without atoms) */
} group;

typedef struct gset {
    atomvec atoms;
    TR_VEC(group) g;
} gset;

static void gset_free(gset *gs)
{
    TR_VEC_FREE(&gs->atoms);
    TR_VEC_FREE(&gs->g);
}

static tr_err gset_add(gset *gs, const atom *a, size_t n)
{
    group g = { (uint32_t)gs->atoms.n, (uint32_t)n, INT32_MAX };
    for (size_t i = 0; i < n; i++) {
        if (!TR_VEC_PUSH(&gs->atoms, a[i]))
            return TR_ENOMEM;
        g.score = TR_MIN(g.score, a[i].quality);
    }
    return TR_VEC_PUSH(&gs->g, g) ? TR_OK : TR_ENOMEM;
}

/* The group that gates best: the highest score, then the fewest atoms,
 * then the first (how a rule's atoms were chosen before it had gates). */
static bool group_better(const group *a, const group *b)
{
    return a->score > b->score || (a->score == b->score && a->n < b->n);
}

static size_t gset_best(const gset *gs)
{
    size_t best = 0;
    for (size_t i = 1; i < gs->g.n; i++)
        if (group_better(&gs->g.v[i], &gs->g.v[best]))
            best = i;
    return best;
}

static tr_err pred_groups(builder *b, const sg_pred *p, gset *gs)
{
    if (p->neg || p->kind == SG_P_NULL || p->kind == SG_P_EXISTS || p->n == 0)
        return TR_OK;
    atomvec cur = { 0 };
    tr_err err = TR_OK;
    bool h;
    if (!p->all) {
        err = alts_atoms(b, p, p->first, p->first + p->n, &cur, &h);
        if (!err && h)
            err = gset_add(gs, cur.v, cur.n);
        TR_VEC_FREE(&cur);
        return err;
    }
    /* |all: every value group is needed. */
    const sg_value *vals = b->rs->values.v;
    uint32_t end = p->first + p->n;
    for (uint32_t a = p->first; a < end && !err;) {
        uint32_t e = a;
        while (e < end && vals[e].group == vals[a].group)
            e++;
        cur.n = 0;
        err = alts_atoms(b, p, a, e, &cur, &h);
        if (!err && h)
            err = gset_add(gs, cur.v, cur.n);
        a = e;
    }
    TR_VEC_FREE(&cur);
    return err;
}

/* The groups of node ni, appended to gs. */
static tr_err node_groups(builder *b, uint32_t ni, gset *gs, int depth)
{
    const tr_ruleset *rs = b->rs;
    const sg_node *n = &rs->nodes.v[ni];
    const uint32_t *k = n->n ? rs->kids.v + n->first : NULL;
    if (depth > 400)
        return TR_OK;
    switch (n->op) {
    case SG_N_FALSE:
        return gset_add(gs, NULL, 0); /* never matches */
    case SG_N_PRED:
        return pred_groups(b, &rs->preds.v[n->a], gs);
    case SG_N_AND:
        for (uint32_t i = 0; i < n->n; i++) {
            tr_err err = node_groups(b, k[i], gs, depth + 1);
            if (err)
                return err;
        }
        return TR_OK;
    case SG_N_OR:
    case SG_N_ATLEAST: {
        atomvec u = { 0 };
        gset c = { 0 };
        tr_err err = TR_OK;
        bool cond = true;
        for (uint32_t i = 0; i < n->n && !err && cond; i++) {
            c.atoms.n = c.g.n = 0;
            err = node_groups(b, k[i], &c, depth + 1);
            cond = c.g.n > 0; /* a child without a condition: the node has none */
            if (err || !cond)
                break;
            const group *g = &c.g.v[gset_best(&c)];
            for (uint32_t j = 0; j < g->n && !err; j++)
                if (!TR_VEC_PUSH(&u, c.atoms.v[g->off + j]))
                    err = TR_ENOMEM;
        }
        if (!err && cond)
            err = gset_add(gs, u.v, u.n);
        TR_VEC_FREE(&u);
        gset_free(&c);
        return err;
    }
    default:
        return TR_OK; /* TRUE, NOT */
    }
}

/* Marks every literal value test reachable from node ni with its decision
 * slots (field predicates only; keywords and filters evaluate directly). */
static tr_err assign_slots(builder *b, uint32_t ni, bool always, int depth)
{
    tr_ruleset *rs = b->rs;
    const sg_node *n = &rs->nodes.v[ni];
    if (depth > 400)
        return TR_OK;
    if (n->op == SG_N_PRED) {
        const sg_pred *p = &rs->preds.v[n->a];
        if (p->kind != SG_P_VALUES)
            return TR_OK;
        formvec fv = { 0 };
        tr_err err = TR_OK;
        for (uint32_t i = p->first; i < p->first + p->n && !err; i++) {
            sg_value *v = &rs->values.v[i];
            if (!v->slots && v->need == SG_NONE && (v->op == SG_OP_RE || v->op == SG_OP_GLOB)) {
                /* A literal it cannot match without: when the scan did not
                 * see it (an atom), the regex or wildcard test is skipped. */
                form f;
                if ((err = need_form(b, p, v, &f)))
                    break;
                if (f.lit.n && db_ok(&f) &&
                    (err = form_decided(&f, always) ? form_slot(b, p, v, &f, &v->need)
                                                    : find_slot(b, p, &f, &v->need)))
                    break;
                if (f.lit.n && v->need == SG_NONE && p->kind == SG_P_VALUES) {
                    /* Not scanned for: a memmem before the regex. */
                    v->need_cased = !(f.fl & TR_MPM_CASELESS);
                    v->need_lit = tr_arena_strdup(rs->arena, f.lit.p, f.lit.n);
                    if (!v->need_lit.p) {
                        err = TR_ENOMEM;
                        break;
                    }
                    if (!v->need_cased)
                        sg_lower((char *)v->need_lit.p, v->need_lit);
                }
                if (v->op == SG_OP_RE && v->need == SG_NONE && v->need_lit.n < 3 &&
                    !v->run_set && !v->pair_set) {
                    /* No literal (or a weak one): perhaps a long repetition of
                     * a class, or two rare characters in a row. */
                    uint8_t set[32], pair[64];
                    int first = -1;
                    uint32_t m = re_class_run(sg_regex_pattern(rs->re, v->re),
                                              sg_regex_flags(rs->re, v->re), set, pair, &first);
                    if (first != -2) {
                        uint8_t *cp = tr_arena_alloc(rs->arena, sizeof(pair));
                        if (!cp) {
                            err = TR_ENOMEM;
                            break;
                        }
                        memcpy(cp, pair, sizeof(pair));
                        v->pair_set = cp;
                        v->pair_first = (int16_t)first;
                    }
                    if (!v->need_lit.n && m >= SG_MIN_RUN) {
                        uint8_t *cp = tr_arena_alloc(rs->arena, sizeof(set));
                        if (!cp) {
                            err = TR_ENOMEM;
                            break;
                        }
                        memcpy(cp, set, sizeof(set));
                        v->run_set = cp;
                        v->run_min = m;
                    }
                }
            }
            if (v->slots || (err = value_forms(b, p, v, &fv)) || fv.n == 0)
                continue;
            bool ok = true;
            for (size_t k = 0; k < fv.n && ok; k++)
                ok = db_ok(&fv.v[k]);
            if (!ok)
                continue;
            uint32_t *slots = tr_arena_alloc(rs->arena, fv.n * sizeof(uint32_t));
            if (!slots) {
                err = TR_ENOMEM;
                break;
            }
            for (size_t k = 0; k < fv.n && !err && ok; k++) {
                if (form_decided(&fv.v[k], always))
                    err = form_slot(b, p, v, &fv.v[k], &slots[k]);
                else if (!(err = find_slot(b, p, &fv.v[k], &slots[k])))
                    ok = slots[k] != SG_NONE;
            }
            if (!ok)
                continue; /* evaluated directly when its rule is a candidate */
            v->slots = slots;
            v->nslots = (uint32_t)fv.n;
        }
        TR_VEC_FREE(&fv);
        return err;
    }
    for (uint32_t i = 0; i < n->n; i++) {
        tr_err err = assign_slots(b, rs->kids.v[n->first + i], always, depth + 1);
        if (err)
            return err;
    }
    return TR_OK;
}

/* ---- Build ---------------------------------------------------------------------------------- */

static bool route_eq(const sg_route *a, const sg_route *b)
{
    return tr_str_eq(a->product, b->product) && tr_str_eq(a->category, b->category) &&
           tr_str_eq(a->service, b->service);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static tr_err compile_mpm(tr_mpm_builder *mb, tr_mpm **out, tr_mpm_scratch *proto)
{
    char err[256];
    tr_err e = tr_mpm_compile(mb, out, err, sizeof(err), NULL);
    if (e)
        return e;
    return tr_mpm_scratch_reserve(proto, *out);
}

/* Clauses (one per rule value of a decided predicate), the slot -> clause
 * fan-out, and each predicate's list of values evaluated directly. */
static tr_err build_decisions(builder *b)
{
    tr_ruleset *rs = b->rs;
    sg_plan *p = b->p;
    size_t np = rs->preds.n ? rs->preds.n : 1;
    p->pdec = tr_calloc(np, sizeof(sg_pdec));
    p->und = tr_malloc((rs->values.n ? rs->values.n : 1) * sizeof(uint32_t));
    if (!p->pdec || !p->und)
        return TR_ENOMEM;
    TR_VEC(uint64_t) pairs = { 0 }; /* (slot << 32) | clause */
    uint32_t nclauses = 0;
    uint32_t nund = 0;
    tr_err err = TR_OK;
    for (uint32_t pi = 0; pi < rs->preds.n && !err; pi++) {
        const sg_pred *pr = &rs->preds.v[pi];
        sg_pdec *d = &p->pdec[pi];
        d->und_off = nund;
        bool any = false;
        for (uint32_t i = pr->first; i < pr->first + pr->n; i++)
            any |= rs->values.v[i].slots != NULL;
        if (pr->kind != SG_P_VALUES || !any) {
            for (uint32_t i = pr->first; i < pr->first + pr->n; i++)
                p->und[nund++] = i;
            d->und_n = nund - d->und_off;
            continue;
        }
        d->decided = true;
        /* Few slots and no |all: test them directly when evaluated, which
         * spares the scan from marking clauses for every hit. */
        uint32_t nds = 0;
        for (uint32_t i = pr->first; i < pr->first + pr->n; i++)
            nds += rs->values.v[i].nslots;
        if (!pr->all && nds <= SG_PDEC_DIRECT) {
            for (uint32_t i = pr->first; i < pr->first + pr->n; i++) {
                const sg_value *v = &rs->values.v[i];
                if (!v->slots) {
                    p->und[nund++] = i;
                    continue;
                }
                for (uint32_t k = 0; k < v->nslots; k++)
                    d->direct[d->ndirect++] = v->slots[k];
            }
            d->und_n = nund - d->und_off;
            continue;
        }
        /* With |all, a clause per rule value (each must hold); without, one
         * for the whole predicate (any value will do): a hit marks one
         * clause, however many of its values the slot decides. */
        d->first_clause = nclauses;
        nclauses += pr->all ? pr->ngroups : 1;
        for (uint32_t i = pr->first; i < pr->first + pr->n && !err; i++) {
            const sg_value *v = &rs->values.v[i];
            if (!v->slots) {
                p->und[nund++] = i;
                continue;
            }
            uint32_t c = d->first_clause + (pr->all ? v->group : 0);
            for (uint32_t k = 0; k < v->nslots && !err; k++)
                if (!TR_VEC_PUSH(&pairs, ((uint64_t)v->slots[k] << 32) | c))
                    err = TR_ENOMEM;
        }
        d->und_n = nund - d->und_off;
    }
    if (!err && pairs.n)
        qsort(pairs.v, pairs.n, sizeof(uint64_t), cmp_u64);
    p->dec_off = err ? NULL : tr_calloc((size_t)p->nslots + 1, sizeof(uint32_t));
    p->dec = err ? NULL : tr_malloc((pairs.n ? pairs.n : 1) * sizeof(uint32_t));
    if (!err && (!p->dec_off || !p->dec))
        err = TR_ENOMEM;
    size_t w = 0;
    for (size_t i = 0; i < pairs.n && !err; i++) {
        if (i && pairs.v[i] == pairs.v[i - 1])
            continue;
        p->dec[w++] = (uint32_t)pairs.v[i];
        p->dec_off[(pairs.v[i] >> 32) + 1]++;
    }
    for (uint32_t sl = 0; sl < p->nslots && !err; sl++)
        p->dec_off[sl + 1] += p->dec_off[sl];
    p->nclauses = nclauses;
    TR_VEC_FREE(&pairs);
    return err;
}

/* Evaluation cost estimate of node ni (decided literal tests are nearly
 * free, regexes are not), memoised in cost[]. */
static uint32_t node_cost(const tr_ruleset *rs, const sg_plan *p, uint32_t ni, uint32_t *cost,
                          int depth)
{
    if (cost[ni])
        return cost[ni];
    const sg_node *n = &rs->nodes.v[ni];
    uint64_t c = 1;
    if (depth > 400)
        return 1000;
    if (n->op == SG_N_PRED) {
        const sg_pred *pr = &rs->preds.v[n->a];
        const sg_pdec *d = &p->pdec[n->a];
        uint32_t cnt = d->decided ? d->und_n : pr->n;
        const uint32_t *und = p->und + d->und_off;
        for (uint32_t i = 0; i < cnt; i++) {
            const sg_value *v = &rs->values.v[d->decided ? und[i] : pr->first + i];
            uint32_t w = v->op == SG_OP_RE ? 30 : v->op == SG_OP_GLOB ? 6 : 3;
            if (v->need != SG_NONE)
                w = 2;
            c += w;
        }
        if (pr->kind == SG_P_KEYWORD)
            c *= 8;
    } else {
        for (uint32_t i = 0; i < n->n; i++)
            c += node_cost(rs, p, rs->kids.v[n->first + i], cost, depth + 1);
    }
    cost[ni] = (uint32_t)TR_MIN(c, UINT32_MAX / 4);
    return cost[ni];
}

/* AND and OR stop at their first false / true child: cheap children first. */
static tr_err order_children(tr_ruleset *rs, const sg_plan *p)
{
    uint32_t *cost = tr_calloc(rs->nodes.n ? rs->nodes.n : 1, sizeof(uint32_t));
    if (!cost)
        return TR_ENOMEM;
    for (uint32_t ni = 0; ni < rs->nodes.n; ni++) {
        const sg_node *n = &rs->nodes.v[ni];
        if (n->op != SG_N_AND && n->op != SG_N_OR)
            continue;
        uint32_t *k = n->n ? rs->kids.v + n->first : NULL;
        for (uint32_t i = 0; i < n->n; i++)
            node_cost(rs, p, k[i], cost, 0);
        for (uint32_t i = 1; i < n->n; i++) {
            uint32_t x = k[i];
            uint32_t j = i;
            for (; j > 0 && cost[k[j - 1]] > cost[x]; j--)
                k[j] = k[j - 1];
            k[j] = x;
        }
    }
    tr_free(cost);
    return TR_OK;
}

/* Whether a group that is not a rule's best may gate it too: when scanning
 * for its atoms costs little more. They may not be keywords (the joined
 * keyword scan, and the field databases holding a few keyword atoms,
 * depend on their number). An atom that is a slot anyway (an exact value, a
 * literal good enough to be decided: form_decided) costs nothing; a common
 * literal added to a field's database costs a Vectorscan report in many
 * values, and a bigger database, paid for each value the value cache has
 * not seen. The field rules test with the most literals is free text
 * (CommandLine: two thirds of all values of SigmaHQ's process_creation
 * rules) whose values rarely repeat: common literals stay out of it.
 * Measured (bench/sigma.sh's events, all SigmaHQ process_creation rules,
 * instructions per event): common literals in no field 26.3k, in every
 * field 27.9k, only outside free text 24.8k. */
#define SG_GATE_FREE_TEXT 4        /* a field with a quarter of all values tested */
#define SG_GATE_FREE_TEXT_MIN 256  /* (and at least this many: small rulesets are cheap) */

static bool gate_cheap(const builder *b, const gset *gs, const group *g)
{
    if (g->n == 0)
        return false;
    for (uint32_t i = 0; i < g->n; i++) {
        const atom *a = &gs->atoms.v[g->off + i];
        if (a->f.kind == K_KW)
            return false;
        if (a->f.kind == K_MPM && b->field_values[a->fid] >= b->free_text &&
            !form_decided(&a->f, false))
            return false;
    }
    return true;
}

static bool atom_eq(const atom *a, const atom *b)
{
    return a->f.kind == b->f.kind && a->f.fl == b->f.fl && a->fid == b->fid &&
           tr_str_eq(a->f.lit, b->f.lit);
}

static bool group_eq(const gset *gs, const group *a, const group *b)
{
    if (a->n != b->n)
        return false;
    for (uint32_t i = 0; i < a->n; i++)
        if (!atom_eq(&gs->atoms.v[a->off + i], &gs->atoms.v[b->off + i]))
            return false;
    return true;
}

/* Gates rule r: its best group's atoms make it a candidate (the fan-out);
 * up to SG_MAX_GATES - 1 cheap other groups, best first, must then have a
 * hit too (plan.gates). */
static tr_err add_gates(builder *b, uint32_t r, gset *gs)
{
    uint32_t chosen[SG_MAX_GATES];
    uint32_t nch = 0;
    bool *used = tr_calloc(gs->g.n, sizeof(bool));
    if (!used)
        return TR_ENOMEM;
    size_t first = gset_best(gs);
    chosen[nch++] = (uint32_t)first;
    used[first] = true;
    while (nch < SG_MAX_GATES) {
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < gs->g.n; i++) {
            if (used[i] || !gate_cheap(b, gs, &gs->g.v[i]))
                continue;
            bool dup = false;
            for (uint32_t c = 0; c < nch && !dup; c++)
                dup = group_eq(gs, &gs->g.v[i], &gs->g.v[chosen[c]]);
            if (dup) {
                used[i] = true;
                continue;
            }
            if (best == SIZE_MAX || group_better(&gs->g.v[i], &gs->g.v[best]))
                best = i;
        }
        if (best == SIZE_MAX)
            break;
        used[best] = true;
        chosen[nch++] = (uint32_t)best;
    }
    tr_free(used);
    tr_err err = TR_OK;
    for (uint32_t c = 0; c < nch && !err; c++) {
        const group *g = &gs->g.v[chosen[c]];
        if (c && !TR_VEC_PUSH(&b->gates, g->n))
            err = TR_ENOMEM;
        for (uint32_t i = 0; i < g->n && !err; i++) {
            const atom *a = &gs->atoms.v[g->off + i];
            uint32_t slot;
            err = get_slot(b, a->f.kind, form_flags(&a->f), a->fid, a->f.lit, a->num, &slot);
            if (err)
                break;
            if (c ? !TR_VEC_PUSH(&b->gates, slot)
                  : !TR_VEC_PUSH(&b->fan, ((uint64_t)slot << 32) | r))
                err = TR_ENOMEM;
        }
    }
    return err;
}

static tr_err build_guards(tr_ruleset *rs, sg_plan *p);

/* The byte every occurrence of keyword atom lit has (kw_search): one that
 * is no ASCII letter, a rare one if it can, else its first letter in both
 * cases when caseless. */
static void kw_anchors(sg_plan *p, tr_str lit, bool caseless)
{
    int pick = -1;
    for (size_t i = 0; i < lit.n; i++) {
        unsigned char c = (unsigned char)lit.p[i];
        bool letter = (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
        if (!caseless || !letter) {
            if (pick < 0)
                pick = (int)i;
            if (!strchr(" \\/-.:\"", c) && c) {
                pick = (int)i;
                break;
            }
        }
    }
    if (!lit.n) {
        p->nkw_anchor = UINT32_MAX; /* the empty keyword occurs everywhere */
    } else if (p->nkw_anchor == UINT32_MAX) {
        return;
    } else if (pick >= 0) {
        p->kw_anchor[p->nkw_anchor++] = (uint8_t)lit.p[pick];
    } else {
        unsigned char c = (unsigned char)lit.p[0];
        p->kw_anchor[p->nkw_anchor++] = (uint8_t)(c | 0x20);
        p->kw_anchor[p->nkw_anchor++] = (uint8_t)(c & ~0x20);
    }
}

static tr_err build_prefilter(builder *b)
{
    tr_ruleset *rs = b->rs;
    sg_plan *p = b->p;
    tr_err err = TR_OK;
    gset gs = { 0 };
    b->field_values = tr_calloc(rs->fields.n ? rs->fields.n : 1, sizeof(uint32_t));
    if (!b->field_values)
        return TR_ENOMEM;
    for (size_t i = 0; i < rs->preds.n; i++)
        if (rs->preds.v[i].kind == SG_P_VALUES)
            b->field_values[rs->preds.v[i].field] += rs->preds.v[i].n;
    uint64_t total = 0;
    for (size_t f = 0; f < rs->fields.n; f++)
        total += b->field_values[f];
    b->free_text = (uint32_t)TR_MIN(TR_MAX(total / SG_GATE_FREE_TEXT, SG_GATE_FREE_TEXT_MIN),
                                    UINT32_MAX);
    for (size_t r = 0; r < rs->rules.n && !err; r++) {
        gs.atoms.n = gs.g.n = 0;
        err = node_groups(b, rs->rules.v[r].root, &gs, 0);
        if (err)
            break;
        if (gs.g.n == 0) {
            p->rule_always[r] = 1;
            rs->stats.unfiltered_rules++;
        } else {
            err = add_gates(b, (uint32_t)r, &gs);
        }
        p->gate_off[r + 1] = (uint32_t)b->gates.n;
    }
    gset_free(&gs);
    p->gates = b->gates.v; /* (NULL when no rule has more than one gate) */
    b->gates.v = NULL;
    b->gates.n = b->gates.cap = 0;
    /* Decisions only after every atom has its slot (they reuse them). */
    for (size_t r = 0; r < rs->rules.n && !err; r++)
        err = assign_slots(b, rs->rules.v[r].root, p->rule_always[r], 0);
    if (!err)
        err = build_decisions(b);
    if (!err)
        err = order_children(rs, p);
    if (!err)
        err = build_guards(rs, p);
    if (err)
        return err;
    /* Fan-out table. */
    if (b->fan.n)
        qsort(b->fan.v, b->fan.n, sizeof(uint64_t), cmp_u64);
    p->fan_off = tr_calloc((size_t)p->nslots + 1, sizeof(uint32_t));
    p->fan = tr_malloc((b->fan.n ? b->fan.n : 1) * sizeof(uint32_t));
    if (!p->fan_off || !p->fan)
        return TR_ENOMEM;
    size_t nf = 0;
    for (size_t i = 0; i < b->fan.n; i++) {
        if (i && b->fan.v[i] == b->fan.v[i - 1])
            continue;
        uint32_t slot = (uint32_t)(b->fan.v[i] >> 32);
        p->fan[nf++] = (uint32_t)b->fan.v[i];
        p->fan_off[slot + 1]++;
    }
    for (uint32_t s = 0; s < p->nslots; s++)
        p->fan_off[s + 1] += p->fan_off[s];
    /* Compile the databases and sets. */
    if ((err = tr_mpm_scratch_new(&p->proto)))
        return err;
    p->nfields = (uint32_t)rs->fields.n;
    p->fplans = tr_calloc(p->nfields ? p->nfields : 1, sizeof(sg_fplan));
    if (!p->fplans)
        return TR_ENOMEM;
    for (uint32_t f = 0; f < p->nfields; f++)
        p->fplans[f].bgate = -1;
    /* A field scanned with its own database is searched for the keyword
     * atoms there too, and left out of the joined scan; only for a few
     * keyword atoms (every database grows by all of them: with all SigmaHQ
     * rules, load time went from 1.2 s to 9 s). */
    p->kw_in_fields = b->kwl.n <= SG_KW_IN_FIELDS;
    if (p->kw_in_fields && b->kwl.n) {
        p->kwa = tr_calloc(b->kwl.n, sizeof(*p->kwa));
        if (!p->kwa)
            return TR_ENOMEM;
        for (size_t k = 0; k < b->kwl.n; k++) {
            struct kwlit *kl = &b->kwl.v[k];
            bool nocase = kl->fl & TR_MPM_CASELESS;
            tr_str l = tr_arena_strdup(rs->arena, kl->lit.p ? kl->lit.p : "", kl->lit.n);
            if (!l.p)
                return TR_ENOMEM;
            if (nocase)
                sg_lower((char *)l.p, l);
            p->kwa[p->nkwa++] = (struct kwatom){ l, nocase, kl->slot };
            kw_anchors(p, l, nocase);
        }
    }
    for (uint32_t f = 0; f < p->nfields && !err; f++) {
        fbuild *fb = &b->fb[f];
        sg_fplan *fp = &p->fplans[f];
        bool dbs = fb->mpm || fb->mpm_hi;
        for (size_t k = 0; dbs && p->kw_in_fields && k < b->kwl.n && !err; k++)
            err = fbuild_add(fb, b->kwl.v[k].lit, b->kwl.v[k].fl, b->kwl.v[k].slot, true);
        if (!err && fb->mpm) {
            err = compile_mpm(fb->mpm, &fp->mpm, p->proto);
            if (!err)
                rs->stats.literals += (uint32_t)tr_mpm_literal_count(fp->mpm);
            if (!err)
                err = build_bgate(fb, fp);
        }
        if (!err && fb->mpm_hi) {
            err = compile_mpm(fb->mpm_hi, &fp->mpm_hi, p->proto);
            if (!err)
                rs->stats.literals += (uint32_t)tr_mpm_literal_count(fp->mpm_hi);
        }
        if (!err && fb->eq && !(err = tr_strset_build(fb->eq, &fp->eq)))
            rs->stats.exact_values += (uint32_t)tr_strset_count(fp->eq);
        if (!err && fb->eqc && !(err = tr_strset_build(fb->eqc, &fp->eqc)))
            rs->stats.exact_values += (uint32_t)tr_strset_count(fp->eqc);
        if (!err && fb->num)
            err = tr_strset_build(fb->num, &fp->num);
    }
    /* The scan-time layout of the slot tables. */
    p->hdr = err ? NULL : tr_calloc((size_t)p->nslots + 1, sizeof(*p->hdr));
    if (!err && !p->hdr)
        err = TR_ENOMEM;
    for (uint32_t sl = 0; sl < p->nslots && !err; sl++)
        p->hdr[sl] = (struct slothdr){ p->dec_off[sl], p->dec_off[sl + 1], p->fan_off[sl],
                                       p->fan_off[sl + 1] };
    if (!err && b->kw) {
        err = compile_mpm(b->kw, &p->kw, p->proto);
        if (!err)
            rs->stats.literals += (uint32_t)tr_mpm_literal_count(p->kw);
    }
    return err;
}

/* ---- Guards of rules without atoms ---------------------------------------------------------- */

/* A rule without atoms is evaluated for every event it applies to, yet most
 * such rules cannot match unless one of a few regex or wildcard values does,
 * and each of those carries cheap tests it must pass first (a literal, a run
 * of a class, two characters in a row: need, need_lit, run_set, pair_set,
 * tested by the evaluator before PCRE2). A rule's guard lists predicates,
 * one of which must hold for the rule to match, whose every value has such
 * tests: when no value of their fields passes the tests of any of their
 * values, the rule is not evaluated (all SigmaHQ process_creation rules,
 * bench/sigma.sh's events: 8.9 -> 5.9 rules evaluated per event). */
typedef TR_VEC(uint32_t) u32vec;

static bool pred_guarded(const tr_ruleset *rs, const sg_pred *p)
{
    if (p->kind != SG_P_VALUES || p->neg || p->n == 0)
        return false;
    for (uint32_t i = p->first; i < p->first + p->n; i++) {
        const sg_value *v = &rs->values.v[i];
        if (v->need == SG_NONE && !v->need_lit.n && !v->run_min && !v->pair_set)
            return false;
    }
    return true;
}

/* The guard of node ni appended to out (*ok), or nothing (!*ok): AND takes
 * its first child with one (children are ordered cheapest first), OR and
 * x-of need one in every child and take them all, NOT has none. */
static tr_err node_guard(const tr_ruleset *rs, uint32_t ni, u32vec *out, bool *ok, int depth)
{
    const sg_node *n = &rs->nodes.v[ni];
    const uint32_t *k = n->n ? rs->kids.v + n->first : NULL;
    size_t start = out->n;
    *ok = false;
    if (depth > 64)
        return TR_OK;
    switch (n->op) {
    case SG_N_PRED:
        if (!pred_guarded(rs, &rs->preds.v[n->a]))
            return TR_OK;
        if (!TR_VEC_PUSH(out, n->a))
            return TR_ENOMEM;
        *ok = true;
        return TR_OK;
    case SG_N_AND:
        for (uint32_t i = 0; i < n->n; i++) {
            tr_err err = node_guard(rs, k[i], out, ok, depth + 1);
            if (err || *ok)
                return err;
            out->n = start;
        }
        return TR_OK;
    case SG_N_OR:
    case SG_N_ATLEAST:
        for (uint32_t i = 0; i < n->n; i++) {
            tr_err err = node_guard(rs, k[i], out, ok, depth + 1);
            if (err)
                return err;
            if (!*ok) {
                out->n = start;
                return TR_OK;
            }
        }
        *ok = n->n > 0;
        return TR_OK;
    default: return TR_OK;
    }
}

static tr_err build_guards(tr_ruleset *rs, sg_plan *p)
{
    u32vec g = { 0 };
    tr_err err = TR_OK;
    p->guard_off = tr_calloc(rs->rules.n + 1, sizeof(uint32_t));
    if (!p->guard_off)
        return TR_ENOMEM;
    for (size_t r = 0; r < rs->rules.n && !err; r++) {
        size_t start = g.n;
        bool ok = false;
        if (p->rule_always[r])
            err = node_guard(rs, rs->rules.v[r].root, &g, &ok, 0);
        if (!ok)
            g.n = start;
        p->guard_off[r + 1] = (uint32_t)g.n;
    }
    p->guards = g.v; /* (NULL when no rule has a guard) */
    return err;
}

/* Keyword slots: marks rules whose atoms include a keyword slot. */
static void mark_keyword_rules(builder *b)
{
    size_t it = 0;
    tr_str key;
    uint64_t slot;
    uint8_t *kwslot = tr_calloc(b->p->nslots ? b->p->nslots : 1, 1);
    if (!kwslot)
        return;
    while (tr_map_next(b->slots, &it, &key, &slot))
        if (key.n && key.p[0] == K_KW)
            kwslot[slot] = 1;
    for (uint32_t s = 0; s < b->p->nslots; s++) {
        if (!kwslot[s])
            continue;
        for (uint32_t k = b->p->fan_off[s]; k < b->p->fan_off[s + 1]; k++)
            b->p->rule_keyword[b->p->fan[k]] = 1;
    }
    tr_free(kwslot);
}

static void free_builder(builder *b)
{
    if (b->fb)
        for (size_t f = 0; f < b->rs->fields.n; f++) {
            tr_mpm_builder_free(b->fb[f].mpm);
            tr_mpm_builder_free(b->fb[f].mpm_hi);
            TR_VEC_FREE(&b->fb[f].lits);
            tr_strset_builder_free(b->fb[f].eq);
            tr_strset_builder_free(b->fb[f].eqc);
            tr_strset_builder_free(b->fb[f].num);
        }
    tr_free(b->fb);
    tr_mpm_builder_free(b->kw);
    TR_VEC_FREE(&b->kwl);
    tr_map_free(b->slots);
    tr_buf_release(&b->key);
    TR_VEC_FREE(&b->fan);
    TR_VEC_FREE(&b->gates);
    tr_free(b->field_values);
}

/* A literal test without an ASCII letter is the same with or without case
 * folding: comparing it with the value as is spares lowercasing the value
 * (Image|contains: '\', on every event). */
static bool value_letterless(const sg_value *v)
{
    if (v->op > SG_OP_GLOB || v->op == SG_OP_ANY)
        return false;
    for (uint32_t t = 0; v->op == SG_OP_GLOB && t < v->ntoks; t++)
        for (size_t i = 0; v->toks[t].kind == SG_G_LIT && i < v->toks[t].lit.n; i++)
            if (tr_ascii_lower((unsigned char)v->toks[t].lit.p[i]) >= 'a' &&
                tr_ascii_lower((unsigned char)v->toks[t].lit.p[i]) <= 'z')
                return false;
    for (size_t i = 0; v->op != SG_OP_GLOB && i < v->lit.n; i++)
        if (tr_ascii_lower((unsigned char)v->lit.p[i]) >= 'a' &&
            tr_ascii_lower((unsigned char)v->lit.p[i]) <= 'z')
            return false;
    return true;
}

tr_err sg_plan_build(tr_ruleset *rs, sg_plan **out)
{
    *out = NULL;
    sg_plan *p = tr_calloc(1, sizeof(*p));
    if (!p)
        return TR_ENOMEM;
    size_t nr = rs->rules.n ? rs->rules.n : 1;
    p->rule_route = tr_calloc(nr, sizeof(uint32_t));
    p->rule_always = tr_calloc(nr, 1);
    p->rule_keyword = tr_calloc(nr, 1);
    p->gate_off = tr_calloc(nr + 1, sizeof(uint32_t));
    if (!p->rule_route || !p->rule_always || !p->rule_keyword || !p->gate_off) {
        sg_plan_free(p);
        return TR_ENOMEM;
    }
    for (size_t i = 0; i < rs->rules.n; i++) {
        const sg_route *r = &rs->rules.v[i].route;
        uint32_t k = 0;
        while (k < p->routes.n && !route_eq(&p->routes.v[k], r))
            k++;
        if (k == p->routes.n && !TR_VEC_PUSH(&p->routes, *r)) {
            sg_plan_free(p);
            return TR_ENOMEM;
        }
        p->rule_route[i] = k;
    }
    for (size_t i = 0; i < rs->values.n; i++) {
        rs->values.v[i].slots = NULL;
        rs->values.v[i].nslots = 0;
        rs->values.v[i].need = SG_NONE;
        rs->values.v[i].need_lit = (tr_str){ NULL, 0 };
        rs->values.v[i].run_min = 0;
        rs->values.v[i].run_set = NULL;
        rs->values.v[i].pair_set = NULL;
        rs->values.v[i].pair_first = -1;
        if (value_letterless(&rs->values.v[i]))
            rs->values.v[i].flags |= SG_V_NOFOLD;
    }
    if (rs->no_prefilter) {
        for (size_t i = 0; i < rs->rules.n; i++)
            p->rule_always[i] = 1;
        *out = p;
        return TR_OK;
    }
    p->prefilter = true;
    builder b;
    memset(&b, 0, sizeof(b));
    b.rs = rs;
    b.p = p;
    b.fb = tr_calloc(rs->fields.n ? rs->fields.n : 1, sizeof(fbuild));
    b.slots = tr_map_new(1024, 0);
    tr_err err = (!b.fb || !b.slots) ? TR_ENOMEM : build_prefilter(&b);
    if (!err)
        mark_keyword_rules(&b);
    free_builder(&b);
    if (err) {
        sg_plan_free(p);
        return err;
    }
    *out = p;
    return TR_OK;
}

void sg_plan_free(sg_plan *p)
{
    if (!p)
        return;
    tr_free(p->dec_off);
    tr_free(p->dec);
    tr_free(p->hdr);
    tr_free(p->pdec);
    tr_free(p->und);
    TR_VEC_FREE(&p->routes);
    tr_free(p->rule_route);
    tr_free(p->rule_always);
    tr_free(p->rule_keyword);
    tr_free(p->gate_off);
    tr_free(p->gates);
    tr_free(p->guard_off);
    tr_free(p->guards);
    for (uint32_t f = 0; p->fplans && f < p->nfields; f++) {
        tr_mpm_free(p->fplans[f].mpm);
        tr_mpm_free(p->fplans[f].mpm_hi);
        tr_free(p->fplans[f].bgate_set);
        tr_strset_free(p->fplans[f].eq);
        tr_strset_free(p->fplans[f].eqc);
        tr_strset_free(p->fplans[f].num);
    }
    tr_free(p->fplans);
    tr_mpm_free(p->kw);
    tr_free(p->kwa);
    tr_free(p->fan_off);
    tr_free(p->fan);
    tr_mpm_scratch_free(p->proto);
    tr_free(p);
}

uint32_t sg_plan_nroutes(const sg_plan *p)
{
    return (uint32_t)p->routes.n;
}

const sg_route *sg_plan_route(const sg_plan *p, uint32_t i)
{
    return &p->routes.v[i];
}

uint32_t sg_plan_rule_route(const sg_plan *p, uint32_t rule)
{
    return p->rule_route[rule];
}

bool sg_plan_rule_always(const sg_plan *p, uint32_t rule)
{
    return p->rule_always[rule];
}

const uint32_t *sg_plan_rule_guard(const sg_plan *p, uint32_t rule, uint32_t *n)
{
    *n = p->guard_off ? p->guard_off[rule + 1] - p->guard_off[rule] : 0;
    return *n ? p->guards + p->guard_off[rule] : NULL;
}

bool sg_plan_rule_keyword(const sg_plan *p, uint32_t rule)
{
    return p->rule_keyword[rule];
}

uint32_t sg_plan_nslots(const sg_plan *p)
{
    return p->nslots;
}

bool sg_plan_prefiltered(const sg_plan *p)
{
    return p->prefilter;
}

const sg_pdec *sg_plan_pdec(const sg_plan *p)
{
    return p->pdec;
}

const uint32_t *sg_plan_und(const sg_plan *p)
{
    return p->und;
}

uint32_t sg_plan_nclauses(const sg_plan *p)
{
    return p->nclauses;
}

tr_err sg_plan_scratch_new(const sg_plan *p, struct sg_plan_scratch **out)
{
    *out = NULL;
    struct sg_plan_scratch *ps = tr_calloc(1, sizeof(*ps));
    if (!ps)
        return TR_ENOMEM;
    tr_err err = p->proto ? tr_mpm_scratch_clone(p->proto, &ps->ms) : TR_OK;
    if (!err && p->prefilter && !(ps->cache = tr_calloc(SG_VC_ENTRIES, sizeof(vcent))))
        err = TR_ENOMEM;

    if (!err)
        err = tr_idset_init(&ps->one, p->nslots);
    tr_buf_init(&ps->joined, 0);
    if (err) {
        sg_plan_scratch_free(ps);
        return err;
    }
    *out = ps;
    return TR_OK;
}

void sg_plan_scratch_free(struct sg_plan_scratch *ps)
{
    if (!ps)
        return;
    tr_mpm_scratch_free(ps->ms);
    tr_free(ps->cache);
    tr_idset_release(&ps->one);
    tr_buf_release(&ps->joined);
    TR_VEC_FREE(&ps->covered);
    tr_free(ps);
}

/* ---- Scan ----------------------------------------------------------------------------------- */

static void add_ids(tr_idset *hits, const uint32_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tr_idset_add(hits, ids[i]);
}

static bool numeric_start(tr_str v)
{
    if (!v.n)
        return false;
    char c = v.p[0];
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.';
}

/* The keyword atoms (p->kwa: a few) that occur in v, into hits. */
static void kw_search(const sg_plan *p, tr_str v, tr_idset *hits)
{
    for (uint32_t k = 0; k < p->nkwa; k++) {
        const struct kwatom *a = &p->kwa[k];
        if (!tr_idset_has(hits, a->slot) &&
            (a->caseless ? sg_memmem_nocase(v.p, v.n, a->lit.p, a->lit.n)
                         : sg_memmem(v.p, v.n, a->lit.p, a->lit.n)))
            tr_idset_add(hits, a->slot);
    }
}

/* Some keyword atom may occur in v: it has one of their anchor bytes
 * (kw_anchors). A value without one is not searched: a memchr() per anchor
 * instead of a search per atom (all SigmaHQ process_creation rules: the
 * GUIDs, times and ids no field database scans, ~14 values per event,
 * searched for '\\perfc.dat'). */
static bool kw_maybe(const sg_plan *p, tr_str v)
{
    uint32_t na = p->nkw_anchor;
    if (na == UINT32_MAX)
        return true;
    for (uint32_t k = 0; k < na; k++)
        if (v.n && memchr(v.p, (uint8_t)p->kw_anchor[k], v.n))
            return true;
    return false;
}

/* The value may hold one of the field's ASCII literals (build_bgate). */
static bool bgate_pass(const sg_fplan *fp, tr_str v)
{
    const char *p = v.p, *end = v.p + v.n;
    while (end - p > SG_BGATE_LEN) {
        const char *q = memchr(p, fp->bgate, (size_t)(end - p - SG_BGATE_LEN));
        if (!q)
            return false;
        uint32_t h = bgate_hash(q + 1);
        if (fp->bgate_set[h >> 6] >> (h & 63) & 1)
            return true;
        p = q + 1;
    }
    return false;
}

/* The value has a byte >= 0x80 (eight at a time). */
static bool value_high(tr_str v)
{
    uint64_t acc = 0, w;
    size_t i = 0;
    for (; i + 8 <= v.n; i += 8) {
        memcpy(&w, v.p + i, 8);
        acc |= w;
    }
    for (; i < v.n; i++)
        acc |= (unsigned char)v.p[i];
    return (acc & 0x8080808080808080ULL) != 0;
}

/* The slots value v of field fid hits, into out; db: the value may hold
 * one of the literals of fp->mpm (it has one and the byte gate let v in). */
static void scan_fresh(const sg_plan *p, const sg_fplan *fp, tr_mpm_scratch *ms, tr_str v, bool db,
                       tr_idset *out)
{
    size_t n;
    const uint32_t *ids;
    if (fp->eq && (ids = tr_strset_get(fp->eq, v, &n)))
        add_ids(out, ids, n);
    if (fp->eqc && (ids = tr_strset_get(fp->eqc, v, &n)))
        add_ids(out, ids, n);
    if (fp->num && numeric_start(v)) {
        double d;
        char nk[40];
        size_t nn;
        if (sg_parse_number(v, &d) && (nn = num_key(d, nk, sizeof(nk))) &&
            (ids = tr_strset_get(fp->num, (tr_str){ nk, nn }, &n)))
            add_ids(out, ids, n);
    }
    if (db)
        (void)tr_mpm_scan(fp->mpm, ms, v, out);
    else if (fp->mpm && p->kw_in_fields && kw_maybe(p, v))
        kw_search(p, v, out);
    if (fp->mpm_hi && value_high(v))
        (void)tr_mpm_scan(fp->mpm_hi, ms, v, out);
}

/* The value cache's key hash: values are short (at most SG_VC_MAXVAL) and
 * every hit is confirmed by comparing the bytes, so a multiply per word is
 * enough (a library hash call cost a tenth of the prefilter). */
static inline uint64_t vc_mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * 0xc2b2ae3d27d4eb4fULL;
    return h ^ (h >> 31);
}

static inline uint64_t vc_hash(const char *p, size_t n, uint32_t fid)
{
    uint64_t h = ((uint64_t)fid << 32 | n) * 0x9e3779b97f4a7c15ULL, w;
    uint32_t a, b;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8) {
            memcpy(&w, p + i, 8);
            h = vc_mix(h, w);
        }
        memcpy(&w, p + n - 8, 8); /* the last 8 bytes, overlapping */
        h = vc_mix(h, w);
    } else if (n >= 4) {
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        h = vc_mix(h, (uint64_t)a << 32 | b);
    } else if (n) {
        h = vc_mix(h, (uint64_t)(unsigned char)p[0] << 16 |
                          (uint64_t)(unsigned char)p[n / 2] << 8 | (unsigned char)p[n - 1]);
    }
    return h * 0x165667b19e3779f9ULL;
}

/* The slots of value v of field fid, through the value cache (fields with
 * exact values only too: a set lookup hashes and compares case-folded, a
 * dearer way to the same answer for the few values such fields take).
 * A value the field's byte gate keeps out of its database skips the cache:
 * the gate's few memchr() steps cost less than hashing the value (a Hashes
 * value is 200 bytes), and storing the values seen once would only evict
 * others. */
static void scan_value(const sg_plan *p, struct sg_plan_scratch *ps, uint32_t fid,
                       const sg_fplan *fp, tr_str v, tr_idset *hits)
{
    bool db = fp->mpm && (fp->bgate < 0 || bgate_pass(fp, v));
    if (v.n > SG_VC_MAXVAL || (fp->bgate >= 0 && !db)) {
        scan_fresh(p, fp, ps->ms, v, db, hits);
        return;
    }
    uint64_t h = vc_hash(v.p, v.n, fid) | 1;
    vcent *set = &ps->cache[((h >> 40) & (SG_VC_ENTRIES / 2 - 1)) * 2]; /* (bit 0 is always set) */
    for (int w = 0; w < 2; w++) {
        vcent *e = &set[w];
        if (e->hash == h && e->fid == fid && e->vlen == v.n && memcmp(e->val, v.p, v.n) == 0) {
            e->hot = 1;
            add_ids(hits, e->slots, e->nslots);
            return;
        }
    }
    tr_idset *one = &ps->one;
    scan_fresh(p, fp, ps->ms, v, db, one);
    add_ids(hits, one->ids, one->n);
    if (one->n <= SG_VC_MAXSLOTS) {
        /* The victim: a way not hot (the second when neither is); when both
         * are, the second, and the first cools down (so hot values that
         * stopped repeating go in time). */
        vcent *e = !set[1].hot ? &set[1] : !set[0].hot ? &set[0] : &set[1];
        if (set[0].hot && set[1].hot)
            set[0].hot = 0;
        e->hot = 0;
        e->hash = h;
        e->fid = fid;
        e->vlen = (uint16_t)v.n;
        e->nslots = (uint8_t)one->n;
        memcpy(e->slots, one->ids, one->n * sizeof(uint32_t));
        memcpy(e->val, v.p, v.n);
    }
    tr_idset_reset(one);
}

/* Every other gate of rule r has a hit. */
static bool gates_hit(const sg_plan *p, const tr_idset *hits, uint32_t r)
{
    const uint32_t *g = p->gates + p->gate_off[r], *end = p->gates + p->gate_off[r + 1];
    while (g < end) {
        uint32_t n = *g++;
        bool any = false;
        for (uint32_t i = 0; i < n && !any; i++)
            any = tr_idset_has(hits, g[i]);
        if (!any)
            return false;
        g += n;
    }
    return true;
}

tr_err sg_plan_prefilter(const tr_ruleset *rs, tr_sigma_scratch *s)
{
    const sg_plan *p = rs->plan;
    if (!p->prefilter)
        return TR_OK;
    tr_idset *hits = &s->hits;
    tr_idset_reset(hits);
    tr_mpm_scratch *ms = s->ps->ms;
    const tr_event *ev = s->ev;
    (void)rs;
    bool kw = p->kw && s->cur_ls->keywords;
    uint8_t *covered = NULL;
    if (kw) {
        /* (When they are not in the field databases, nothing is covered.) */
        /* Field databases hold the keyword atoms too (build_prefilter):
         * the values they scan need no keyword scan. */
        struct sg_plan_scratch *ps = s->ps;
        if (!tr_vec_grow((void **)&ps->covered.v, &ps->covered.cap, ev->nfields + 1u, 1))
            return TR_ENOMEM;
        covered = ps->covered.v;
        memset(covered, 0, ev->nfields);
    }
    for (size_t t = 0; t < s->touched.n; t++) {
        uint32_t fid = s->touched.v[t];
        const sg_fplan *fp = &p->fplans[fid];
        if (!fp->mpm && !fp->mpm_hi && !fp->eq && !fp->eqc)
            continue;
        for (uint32_t bi = s->fhead[fid]; bi != SG_NONE; bi = s->binds.v[bi].next) {
            uint32_t evf = s->binds.v[bi].evf;
            if (ev->fields[evf].kind == TR_VNULL)
                continue;
            scan_value(p, s->ps, fid, fp, sg_scratch_value(s, evf), hits);
            if (covered && (fp->mpm || fp->mpm_hi) && p->kw_in_fields)
                covered[evf] = 1;
        }
    }
    if (kw && p->nkwa) {
        /* A few keyword atoms, in every field database too: the values no
         * database scanned (GUIDs, ids, times) are searched for them
         * directly, cheaper than joining them for one more Vectorscan
         * call (all SigmaHQ process_creation rules: one keyword atom;
         * 0.1k instructions per event less). */
        for (uint32_t f = 0; f < ev->nfields; f++) {
            if (ev->fields[f].kind == TR_VNULL || covered[f])
                continue;
            tr_str v = sg_scratch_value(s, f);
            if (kw_maybe(p, v))
                kw_search(p, v, hits);
        }
    } else if (kw) {
        /* One scan of all values joined by newlines instead of one per
         * field (the fixed cost of a Vectorscan call, times every field of
         * every event, was a sixth of the time with all SigmaHQ
         * process_creation rules for a single keyword rule). A literal
         * across a newline only makes a rule a candidate needlessly. */
        tr_buf *j = &s->ps->joined;
        size_t need = 0;
        for (uint32_t f = 0; f < ev->nfields; f++)
            need += covered[f] ? 0 : ev->fields[f].value.n + 1; /* decoding never lengthens */
        tr_buf_reset(j);
        bool join = tr_buf_reserve(j, need) == TR_OK; /* else (huge event): field by field */
        for (uint32_t f = 0; f < ev->nfields; f++) {
            if (ev->fields[f].kind == TR_VNULL || covered[f])
                continue;
            tr_str v = sg_scratch_value(s, f);
            if (!join) {
                (void)tr_mpm_scan(p->kw, ms, v, hits);
                continue;
            }
            memcpy(j->p + j->n, v.p, v.n);
            j->n += v.n;
            j->p[j->n++] = '\n';
        }
        if (join && j->n)
            (void)tr_mpm_scan(p->kw, ms, (tr_str){ j->p, j->n }, hits);
    }
    s->stats.literal_hits += hits->n;
    /* Candidates: the applicable rules of the hit atoms whose other gates
     * have a hit too; and the clauses the hits decide. */
    const uint8_t *routes = s->cur_ls->routes;

    for (uint32_t i = 0; i < hits->n; i++) {
        uint32_t slot = hits->ids[i];
        const struct slothdr *h = &p->hdr[slot];
        for (uint32_t k = h->dec; k < h->dec_end; k++)
            s->chgen[p->dec[k]] = s->gen; /* (a stamp: nothing to reset) */
        for (uint32_t k = h->fan; k < h->fan_end; k++) {
            uint32_t r = p->fan[k];
            if (s->cgen[r] == s->gen || !routes[p->rule_route[r]])
                continue;
            s->cgen[r] = s->gen; /* decided, one way or the other */
            if (p->gate_off[r] != p->gate_off[r + 1] && !gates_hit(p, hits, r))
                continue;
            if (!TR_VEC_PUSH(&s->cands, r))
                return TR_ENOMEM;
        }
    }
    return TR_OK;
}
