/*
 * frame.h - finding where a JSON value ends, for JSON record framing.
 */
#ifndef TR_SRC_INPUT_FRAME_H
#define TR_SRC_INPUT_FRAME_H

#include "core/common.h"

typedef enum tr_frame_status {
    TR_FRAME_COMPLETE = 0, /* *end is one past the value's closing bracket */
    TR_FRAME_INCOMPLETE    /* the value continues past n */
} tr_frame_status;

/* p starts with '{' or '['. Finds the matching close bracket, skipping
 * strings (with their escapes). Does not validate: the parser does. */
tr_frame_status tr_frame_json_end(const char *p, size_t n, size_t *end);

#endif
