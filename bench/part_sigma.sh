#!/usr/bin/env bash
# Sigma: 1M process-creation events against 100, 1,000 and all SigmaHQ process_creation
# rules in one run (see bench/sigma.sh).
exec bash "$(dirname "$0")/sigma.sh"
