/*
 * prefilter.h - the necessary literal of an indicator (see trawl/ioc.h,
 * tr_ioc_prefilter), exposed for the unit tests.
 */
#ifndef TR_SRC_IOC_PREFILTER_H
#define TR_SRC_IOC_PREFILTER_H

#include "core/common.h"

#include "trawl/ioc.h"

#define IOC_PF_MIN_LITERAL 3 /* shorter literals turn the prefilter off */

/* The necessary literal of an indicator of type t with canonical value v,
 * lower-cased into out (cap bytes): bytes that every raw line whose event
 * can match the indicator holds (ignoring ASCII case), unless the line
 * holds an always pattern. Returns its length; 0 when there is none (a
 * network whose prefix fixes no whole octet or group, an IPv6 address
 * whose first six groups are zero). */
size_t ioc_pf_literal(tr_ioc_type t, tr_str v, char *out, size_t cap);

#endif
