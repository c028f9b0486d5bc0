/*
 * trawl/fleet.h - the fleet inventory: which tenants exist, where they are
 * and what they do (DESIGN.md "Fleet inventory").
 *
 * CSV with the header tenant,name,country,sector (extra columns ignored):
 * country is ISO 3166-1 alpha-2, sector a STIX 2.1 industry-sector value.
 */
#ifndef TR_FLEET_H
#define TR_FLEET_H

#include "trawl/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tr_tenant {
    tr_str id;      /* "org-017" */
    tr_str name;    /* display name */
    tr_str country; /* "US" (upper case) */
    tr_str sector;  /* "healthcare" */
} tr_tenant;

typedef struct tr_fleet tr_fleet;

/* Loads a fleet file. Bad rows are reported as "PATH:LINE: reason" through
 * the log and skipped; *bad_rows (optional) counts them. Fails only when the
 * file cannot be read or has no usable header. */
TR_API tr_err tr_fleet_load(const char *path, tr_fleet **out, size_t *bad_rows, char *errbuf,
                            size_t errlen);
/* An empty fleet, to which tenants can be added. */
TR_API tr_fleet *tr_fleet_new(void);
TR_API tr_err tr_fleet_add(tr_fleet *f, const char *id, const char *name, const char *country,
                           const char *sector);
TR_API void tr_fleet_free(tr_fleet *f);

TR_API size_t tr_fleet_count(const tr_fleet *f);
TR_API const tr_tenant *tr_fleet_at(const tr_fleet *f, size_t i);
TR_API const tr_tenant *tr_fleet_find(const tr_fleet *f, tr_str id);
/* The tenant named by a directory component of path ("…/<tenant>/…"); the
 * component closest to the file wins. NULL when none matches. */
TR_API const tr_tenant *tr_fleet_for_path(const tr_fleet *f, const char *path);

/* True for a value of the STIX 2.1 industry-sector open vocabulary. */
TR_API bool tr_stix_sector_known(tr_str sector);

#ifdef __cplusplus
}
#endif
#endif /* TR_FLEET_H */
