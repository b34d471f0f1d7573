#!/usr/bin/env bash
# bench/bench_intel.sh — IOC store speed on one core: load + compile N mixed
# generated indicators (goal < 2 s for 1,000,000), IPv4 lookups (goal >= 10
# million/s), domain and hash lookups (goal >= 3 million/s).  Not a test: it
# prints figures.  Builds bench/out/bench_intel against build/libspoor.a.
#
#   bash bench/bench_intel.sh [N=1000000] [LOOKUPS=4000000]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}; L=${2:-4000000}
[ -f build/libspoor.a ] || make -s build/libspoor.a
mkdir -p bench/out
PKGS="zlib libzstd yaml-0.1 libpcre2-8 jansson libmaxminddb"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g -Iinclude -Isrc $(pkg-config --cflags $PKGS) bench/bench_intel.c \
  build/libspoor.a $(pkg-config --libs $PKGS) -lpthread -lm -o bench/out/bench_intel
echo "bench_intel: $N indicators, $L lookups per kind, one core ($(nproc) online)"
taskset -c 0 bench/out/bench_intel "$N" "$L" 2>/dev/null || bench/out/bench_intel "$N" "$L"
/usr/bin/time -f 'peak RSS %M KB' bench/out/bench_intel "$N" 1 2>&1 >/dev/null | tail -1
