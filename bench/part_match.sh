#!/usr/bin/env bash
# Matching primitives: prefix and string sets at 1M entries, Vectorscan, PCRE2 (see bench/match.sh).
exec "$(dirname "$0")/match.sh"
