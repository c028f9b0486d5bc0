#!/usr/bin/env bash
# The main job of the README: until the simulator and the hunt exist, it shows
# the parsers at work on the bundled samples.
set -eu
TRAWL=${1:-build/trawl}
cd "$(dirname "$0")/.."
shopt -s nullglob
samples=(tests/data/samples/*)
if [ ${#samples[@]} -eq 0 ]; then
    echo "trawl demo: no samples yet"; exit 0
fi
"$TRAWL" -v cat "${samples[@]}"
