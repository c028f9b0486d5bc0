#!/bin/sh
# genlog.sh FIRST COUNT TAG: COUNT combined-format access log lines numbered from FIRST;
# every 7th is a Citrix CVE-2019-19781 probe (rules/citrix.yml matches it). TAG goes into
# every URI, so files written with different tags differ from their first byte.
awk -v first="$1" -v n="$2" -v tag="$3" 'BEGIN {
    for (i = first; i < first + n; i++) {
        bad = i % 7 == 0
        ip = bad ? "66.42.98.220" : "10.1." int(i / 250) % 250 "." i % 250
        uri = bad ? "/vpn/../vpns/portal/scripts/newbm.pl" : "/index.html"
        printf "%s - - [01/Feb/2020:%02d:%02d:%02d +0000] \"GET %s?%s=%d HTTP/1.1\" 200 135 \"-\" \"python-requests/2.22.0\"\n", ip, int(i / 3600) % 24, int(i / 60) % 60, i % 60, uri, tag, i
    }
}'
