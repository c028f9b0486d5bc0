/*
 * csv.h - splitting one RFC 4180 CSV record into fields.
 */
#ifndef TR_SRC_CORE_CSV_H
#define TR_SRC_CORE_CSV_H

#include "core/common.h"

#include "trawl/arena.h"

/* Splits line[0..n) at commas into at most max fields. Quoted fields may
 * hold commas and doubled quotes; their unescaped text is written to arena
 * (unquoted fields are slices of line). Returns TR_EPARSE for a stray quote
 * or an unterminated quoted field, TR_ELIMIT for more than max fields.
 * A record whose quoted field spans lines must be joined by the caller. */
tr_err tr_csv_split(const char *line, size_t n, tr_str *fields, size_t max, size_t *nfields,
                    tr_arena *arena);

/* Trims ASCII spaces and tabs at both ends. */
tr_str tr_str_trim(tr_str s);

#endif
