#!/usr/bin/env bash
# Web logs (combined, W3C) and Zeek TSV: parse throughput per format (see bench/text_bench.sh).
exec "$(dirname "$0")/text_bench.sh"
