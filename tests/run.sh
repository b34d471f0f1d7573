#!/usr/bin/env bash
# tests/run.sh — run every test suite and print one closing line
# "N passed, N failed" (skips are counted and shown, never hidden).
#
#   SPOOR=build/spoor UNIT=build/unit_tests bash tests/run.sh
#
# Suites: the C unit tests (tests/unit), then each tests/corpus/test_*.py
# (golden files and the ../shared/datasets corpora; those skip loudly when
# the data is absent).  A suite that crashes counts as a failure.
set -u
cd "$(dirname "$0")/.."
SPOOR=${SPOOR:-build/spoor}
UNIT=${UNIT:-build/unit_tests}
export SPOOR UNIT
P=0; F=0; S=0
tally() { # parse "...N passed, N failed[, N skipped]" from a suite's last such line
  local line; line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
  if [ -z "$line" ]; then echo "suite $2 printed no result line"; F=$((F+1)); return; fi
  local p f s
  p=$(sed -E 's/.*([^0-9]|^)([0-9]+) passed.*/\2/' <<<"$line")
  f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
  s=$(sed -nE 's/.* ([0-9]+) skipped.*/\1/p' <<<"$line")
  P=$((P+p)); F=$((F+f)); S=$((S+${s:-0}))
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# compiled-rules cache of this run only (hunt writes one by default)
export SPOOR_CACHE_DIR="$tmp/rule-cache"
echo "== unit tests ($UNIT)"
"$UNIT" >"$tmp/unit.out" 2>&1; rc=$?
cat "$tmp/unit.out"
tally "$tmp/unit.out" unit
[ $rc -ne 0 ] && ! grep -qE ' [1-9][0-9]* failed' "$tmp/unit.out" && { echo "unit tests exited $rc"; F=$((F+1)); }
for t in tests/corpus/test_*.py; do
  [ -e "$t" ] || continue
  n=$(basename "$t" .py)
  echo "== $n"
  python3 "$t" >"$tmp/$n.out" 2>&1; rc=$?
  cat "$tmp/$n.out"
  tally "$tmp/$n.out" "$n"
  [ $rc -ne 0 ] && ! grep -qE ' [1-9][0-9]* failed' "$tmp/$n.out" && { echo "$n exited $rc"; F=$((F+1)); }
done
echo
echo "$P passed, $F failed, $S skipped"
[ $F -eq 0 ]
