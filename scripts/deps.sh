#!/usr/bin/env bash
# Install the Debian packages spoor needs that are missing on this machine.
# usage: scripts/deps.sh [build|test|bench|all]   (default: build)
#   build  compiler, make, pkg-config and the -dev libraries libspoor links
#   test   build + python3 (test drivers) + clang/libFuzzer runtime (fuzz targets, sanitizers)
#   bench  test + the peers the benchmarks compare against (libevtx-utils, python3-evtx, ripgrep)
#          and hyperfine, which times the short runs
# As root it runs apt-get; otherwise it prints the command it would run.
set -eu
want=${1:-build}
pkgs="gcc make pkg-config libc6-dev python3 zlib1g-dev libzstd-dev libyaml-dev libpcre2-dev libarchive-dev libjansson-dev libmaxminddb-dev libisal-dev"
case "$want" in
  build) ;;
  test)  pkgs="$pkgs python3 clang libclang-rt-14-dev" ;;
  bench|all) pkgs="$pkgs python3 clang libclang-rt-14-dev libevtx-utils python3-evtx ripgrep time hyperfine" ;;
  *) echo "deps.sh: unknown set '$want' (build|test|bench|all)" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "deps.sh: missing packages:$missing" >&2
  echo "deps.sh: run as root: apt-get update && apt-get install -y --no-install-recommends$missing" >&2
  exit 1
fi
echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || apt-get update
apt-get install -y -qq --no-install-recommends $missing >/dev/null
