#!/usr/bin/env bash
# Installs the Debian packages trawl needs, only those missing.
#   scripts/deps.sh            build + test packages
#   scripts/deps.sh --bench    also the peers measured by `make bench`
#   scripts/deps.sh --list     print the package list and exit
set -eu
BUILD_PKGS="gcc make pkg-config clang libvectorscan-dev libpcre2-dev libyaml-dev libsqlite3-dev
 zlib1g-dev libzstd-dev liblz4-dev libxxhash-dev libevtx-dev libbfio-dev librdkafka-dev
 libmicrohttpd-dev"
TEST_PKGS="gzip zstd lz4 sqlite3 python3 curl chromium"
BENCH_PKGS="libcjson-dev ripgrep grep yara libevtx-utils hyperfine wrk"

want="$BUILD_PKGS $TEST_PKGS"
case "${1:-}" in
    --bench) want="$want $BENCH_PKGS" ;;
    --list) echo $want $BENCH_PKGS; exit 0 ;;
esac

missing=""
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

echo "trawl: installing missing packages:$missing" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "trawl: not root and no sudo: install these packages:$missing" >&2
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
