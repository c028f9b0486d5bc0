#!/bin/sh
# Fails when library code uses a banned libc function (unbounded or
# thread-unsafe): strcpy sprintf strcat strtok atoi gets.
set -u
cd "$(dirname "$0")/.."
hits=$(grep -nE '\b(strcpy|sprintf|vsprintf|strcat|strtok|atoi|atol|gets)\s*\(' \
    src/*/*.c src/*/*.h sim/*.c 2>/dev/null | grep -v 'snprintf\|vsnprintf')
if [ -n "$hits" ]; then
    echo "banned functions used:"; echo "$hits"; exit 1
fi
echo "banned functions: none"
