#!/usr/bin/env bash
# Indicators: 10k/100k/1M indicators over web and Zeek logs against grep -F -f and rg -F -f,
# plus load time and memory of 1M indicators (see bench/ioc.sh).
exec bash "$(dirname "$0")/ioc.sh"
