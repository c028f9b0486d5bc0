/*
 * pf_first_hit.h - the prefilter's scan loop, included by pf_scan.c once
 * per instruction set with
 *   PF_FIRST_HIT  the function's name,
 *   PF_MASKS64    the byte-class function it inlines (pf_masks.h),
 *   PF_TARGET     its target attribute (empty for the baseline),
 * so that each copy has its byte classes inlined and the CPU's best one is
 * picked at run time (ioc_pf_best_isa). Not a header of its own.
 */
/* The first position at or after o of p[0..n) where a literal or an always
 * pattern starts, or NO_HIT; bytes up to safe_end may be read. o is taken as
 * the start of a line (the byte before it, if any, is not a letter or digit). */
PF_TARGET static size_t PF_FIRST_HIT(const tr_ioc_prefilter *pf, const char *p, size_t n,
                                     const char *safe_end, size_t o)
{
    const unsigned char *u = (const unsigned char *)p;
    uint64_t carry_word = 0, carry_digit = 0, carry_bs = 0, carry_dot = 0, prev_f = 0;
    const uint64_t *bits = pf->bits;
    bool short_lens = pf->short_lens != 0, v4 = pf->v4;
    for (; o < n; o += 64) {
        ioc_pf_masks m;
        size_t avail = n - o;
        if (TR_LIKELY(avail >= 64 || (size_t)(safe_end - (p + o)) >= 64)) {
            PF_MASKS64(u + o, &m);
        } else {
            unsigned char tmp[64] = { 0 };
            memcpy(tmp, u + o, avail);
            PF_MASKS64(tmp, &m);
        }
        if (avail < 64) {
            uint64_t keep = (1ULL << avail) - 1;
            m.word &= keep, m.digit &= keep, m.bslash &= keep, m.colon &= keep, m.zero &= keep;
            m.dot &= keep, m.f &= keep, m.join &= keep;
        }
        uint64_t after_word = m.word << 1 | carry_word; /* bit i: byte i-1 is a letter or digit */
        uint64_t after_esc = m.bslash << 2 | carry_bs;  /* bit i: byte i-2 is a backslash */
        uint64_t starts = m.word & (~after_word | after_esc);
        uint64_t rare = m.bslash;
        if (v4) /* "ffff:" and zero-padded octets; rare_at decides */
            rare |= v4_candidates(&m, carry_digit, carry_dot, prev_f);
        /* the earliest hit of the chunk: the rare bytes first, then the word
         * starts before it */
        size_t hit = NO_HIT;
        for (; rare; rare &= rare - 1) {
            size_t i = o + (size_t)__builtin_ctzll(rare);
            if (rare_at(u, i, n)) {
                hit = i;
                starts &= (2ULL << (i - o)) - 1; /* the starts up to it */
                break;
            }
        }
        if (TR_LIKELY(o + 72 <= n)) {
            /* every start here has 8 bytes after it: the bitmaps decide */
            uint64_t long_ok = long_heads_of(pf, &m);
            uint64_t short_ok = short_lens ? short_ends_of(pf, &m) : 0;
            for (uint64_t todo = starts & (long_ok | short_ok); todo; todo &= todo - 1) {
                unsigned j = (unsigned)__builtin_ctzll(todo);
                size_t i = o + j;
                uint64_t w = load_le64(u + i) | IOC_PF_FOLD8;
                if ((long_ok >> j) & 1) {
                    if (TR_UNLIKELY(ioc_pf_test(bits, ioc_pf_bit(pf, w))) &&
                        has_long(pf, w, u + i, n - i)) {
                        hit = i; /* before the rare hit: starts were cut there */
                        break;
                    }
                }
                if (((short_ok >> j) & 1) && TR_UNLIKELY(short_gate(pf, w)) &&
                    probe_short(pf, u, i, n, w)) {
                    hit = i;
                    break;
                }
            }
        } else {
            for (; starts; starts &= starts - 1) {
                size_t i = o + (size_t)__builtin_ctzll(starts);
                if (probe(pf, u, i, n))
                    return i < hit ? i : hit;
            }
        }
        if (hit != NO_HIT)
            return hit;
        carry_word = m.word >> 63;
        carry_digit = m.digit >> 63;
        carry_bs = m.bslash >> 62;
        carry_dot = m.dot >> 63;
        prev_f = m.f;
    }
    return NO_HIT;
}

#undef PF_FIRST_HIT
#undef PF_MASKS64
#undef PF_TARGET
