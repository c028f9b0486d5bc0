/*
 * pf_masks.c - the portable byte classes of the prefilter (pf_masks.h),
 * the reference the SIMD versions are tested against.
 */
#include "core/common.h"

#include "ioc/pf_masks.h"

void ioc_pf_masks64_portable(const unsigned char *q, ioc_pf_masks *m)
{
    *m = (ioc_pf_masks){ 0 };
    for (unsigned i = 0; i < 64; i++) {
        unsigned char c = q[i];
        uint64_t b = 1ULL << i;
        m->word |= ioc_pf_is_word(c) ? b : 0;
        m->digit |= (unsigned char)(c - '0') < 10 ? b : 0;
        m->bslash |= c == '\\' ? b : 0;
        m->colon |= c == ':' ? b : 0;
        m->zero |= c == '0' ? b : 0;
        m->dot |= c == '.' ? b : 0;
        m->f |= (c | 0x20) == 'f' ? b : 0;
        m->join |= c == '-' || c == '_' || c == '@' ? b : 0;
    }
}

#if IOC_PF_HAVE_AVX512
IOC_PF_AVX512_TARGET void ioc_pf_masks64_avx512_call(const unsigned char *q, ioc_pf_masks *m)
{
    ioc_pf_masks64_avx512(q, m);
}
#endif
