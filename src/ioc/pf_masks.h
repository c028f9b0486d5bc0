/*
 * pf_masks.h - the byte classes of 64 bytes of text for the indicator
 * prefilter's scan (pf_first_hit.h): one bit per byte and class. Inline, so
 * that each copy of the scan loop has its own instruction set's version
 * inside it: SSE2 (every x86-64) or the portable loop, and AVX-512BW,
 * picked at run time when the CPU has it. The unit tests check that every
 * version equals the portable one on all byte values.
 */
#ifndef TR_SRC_IOC_PF_MASKS_H
#define TR_SRC_IOC_PF_MASKS_H

#include "ioc/prefilter.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if IOC_PF_HAVE_AVX512
#include <immintrin.h>
#endif

void ioc_pf_masks64_portable(const unsigned char *q, ioc_pf_masks *m);

#if defined(__SSE2__)
/* unsigned range checks with signed compares: x in [lo, lo + n) when
 * (x + 0x80 - lo) as a signed byte is below -128 + n */
static inline __attribute__((always_inline)) void ioc_pf_masks16_sse2(const unsigned char *q,
                                                                      unsigned sh, ioc_pf_masks *m)
{
    const __m128i fold = _mm_set1_epi8(0x20);
    const __m128i dbias = _mm_set1_epi8((char)(0x80 - '0')), dlim = _mm_set1_epi8(-128 + 10);
    const __m128i abias = _mm_set1_epi8((char)(0x80 - 'a')), alim = _mm_set1_epi8(-128 + 26);
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
    __m128i xf = _mm_or_si128(x, fold);
    __m128i dig = _mm_cmplt_epi8(_mm_add_epi8(x, dbias), dlim);
    __m128i let = _mm_cmplt_epi8(_mm_add_epi8(xf, abias), alim);
#define IOC_PF_MASK16(v) ((uint64_t)(unsigned)_mm_movemask_epi8(v) << sh)
    m->word |= IOC_PF_MASK16(_mm_or_si128(dig, let));
    m->digit |= IOC_PF_MASK16(dig);
    m->bslash |= IOC_PF_MASK16(_mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
    m->colon |= IOC_PF_MASK16(_mm_cmpeq_epi8(x, _mm_set1_epi8(':')));
    m->zero |= IOC_PF_MASK16(_mm_cmpeq_epi8(x, _mm_set1_epi8('0')));
    m->dot |= IOC_PF_MASK16(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')));
    m->f |= IOC_PF_MASK16(_mm_cmpeq_epi8(xf, _mm_set1_epi8('f')));
    m->join |= IOC_PF_MASK16(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('-')),
                                                       _mm_cmpeq_epi8(x, _mm_set1_epi8('_'))),
                                          _mm_cmpeq_epi8(x, _mm_set1_epi8('@'))));
#undef IOC_PF_MASK16
}

static inline __attribute__((always_inline)) void ioc_pf_masks64_base(const unsigned char *q,
                                                                      ioc_pf_masks *m)
{
    *m = (ioc_pf_masks){ 0 };
    ioc_pf_masks16_sse2(q, 0, m);
    ioc_pf_masks16_sse2(q + 16, 16, m);
    ioc_pf_masks16_sse2(q + 32, 32, m);
    ioc_pf_masks16_sse2(q + 48, 48, m);
}
#else
static inline void ioc_pf_masks64_base(const unsigned char *q, ioc_pf_masks *m)
{
    ioc_pf_masks64_portable(q, m);
}
#endif

#if IOC_PF_HAVE_AVX512
/* One load and a compare into a mask register per class. */
static inline __attribute__((always_inline)) IOC_PF_AVX512_TARGET void
ioc_pf_masks64_avx512(const unsigned char *q, ioc_pf_masks *m)
{
    __m512i x = _mm512_loadu_si512((const void *)q);
    __m512i xf = _mm512_or_si512(x, _mm512_set1_epi8(0x20));
    uint64_t dig = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(x, _mm512_set1_epi8('0')),
                                          _mm512_set1_epi8(10));
    uint64_t let = _mm512_cmplt_epu8_mask(_mm512_sub_epi8(xf, _mm512_set1_epi8('a')),
                                          _mm512_set1_epi8(26));
    m->word = dig | let;
    m->digit = dig;
    m->bslash = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('\\'));
    m->colon = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(':'));
    m->zero = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('0'));
    m->dot = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('.'));
    m->f = _mm512_cmpeq_epi8_mask(xf, _mm512_set1_epi8('f'));
    m->join = _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('-')) |
              _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('_')) |
              _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8('@'));
}

/* The same, callable from code built for the baseline (the tests). */
void ioc_pf_masks64_avx512_call(const unsigned char *q, ioc_pf_masks *m);
#endif

#endif
