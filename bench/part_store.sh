#!/usr/bin/env bash
# Store: detections per second, re-runs, reading back, and the cost of --store (see bench/store.sh).
exec "$(dirname "$0")/store.sh"
