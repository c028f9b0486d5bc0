/*
 * syslog_kv.h - key=value pairs inside free-text log messages.
 *
 * Many programs log structured facts as key=value inside their message:
 * NetScaler's shell_command="…", sudo's USER=root ; COMMAND=…, pkexec's
 * [USER=root], kernel audit records' apparmor="DENIED". Exposing them as
 * fields lets rules address them (SigmaHQ's sudo rule matches USER).
 */
#ifndef TR_SRC_PARSE_SYSLOG_KV_H
#define TR_SRC_PARSE_SYSLOG_KV_H

#include "core/common.h"

#include "trawl/event.h"

/* At most this many pairs are taken from one message: the scan is linear
 * and stops there, so a hostile message costs one pass. */
#define TR_KV_MAX_PAIRS 32

enum tr_kv_flags {
    TR_KV_SEGMENTS = 1 << 0 /* sudo style: pairs separated by " ; ", values run to the
                               separator and may hold spaces */
};

/* Adds a field per key=value pair of msg. A key is [A-Za-z_][A-Za-z0-9_.-]*
 * at the start or after a blank, ',', ';', '[', '(' or '{'; a value is
 * "double quoted" (backslash escapes decoded into the arena when present),
 * 'single quoted', bracketed to the closing ']' when the key follows '[',
 * or runs to the next blank (trailing ',' and ';' dropped). Keys for which
 * reserved(key) is true are skipped. Returns the number of fields added. */
unsigned tr_kv_extract(tr_event *ev, tr_str msg, unsigned flags, bool (*reserved)(tr_str key));

#endif
