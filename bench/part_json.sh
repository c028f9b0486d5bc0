#!/usr/bin/env bash
# JSON lines: trawl's tokenizer+flattener against cJSON on the same Sysmon-like
# file, and trawl cat's peak RSS over a 2 GB input (see bench/json.sh).
exec "$(dirname "$0")/json.sh" "$TRAWL"
