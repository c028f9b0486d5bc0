/*
 * decomp.h - streaming decompressors behind tr_source.
 *
 * A decoder pulls compressed bytes from a file descriptor through its own
 * input buffer and writes decompressed bytes straight into the caller's
 * window, so plain files cost one read() and no copy, and compressed files
 * one decompression pass.
 */
#ifndef TR_SRC_INPUT_DECOMP_H
#define TR_SRC_INPUT_DECOMP_H

#include "core/common.h"

#include "trawl/input.h"

typedef struct tr_decomp tr_decomp;

/* Detects the compression from the first bytes of a stream. */
tr_compression tr_decomp_detect(const unsigned char *p, size_t n);

/* Creates a decoder for kind over fd. prefix[0..nprefix) are bytes already
 * read from fd (the sniffed head); they are consumed first. */
tr_err tr_decomp_new(tr_compression kind, int fd, const void *prefix, size_t nprefix,
                     size_t chunk, tr_decomp **out);
void tr_decomp_free(tr_decomp *d);

/* Writes up to cap decompressed bytes into dst; *got = 0 means end of stream.
 * TR_EIO or TR_ECOMPRESS on failure (message in errbuf). */
tr_err tr_decomp_read(tr_decomp *d, void *dst, size_t cap, size_t *got, char *errbuf,
                      size_t errlen);

/* Compressed bytes read from fd so far. */
uint64_t tr_decomp_bytes_in(const tr_decomp *d);

#endif
