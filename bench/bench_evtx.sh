#!/usr/bin/env bash
# bench/bench_evtx.sh — EVTX reading speed: spoor against the peers available
# on this machine, same file, same run.  Not a test: it prints figures.
#
#   bash bench/bench_evtx.sh [MEGABYTES=64] [RUNS=5]
#
# Builds a MEGABYTES EVTX from the shared corpus with ../shared/tools/make-big-evtx
# (intact chunks only, records renumbered; every reader sees the same records),
# then times (spoor: best of FINE_RUNS=21, 1 and N threads interleaved; peers
# and peak RSS: best of RUNS):
#   spoor evtx dump --format jsonl --threads 1     (JSON lines, one core)
#   spoor evtx dump --format jsonl --threads N     (all cores)
#   evtxexport -f xml                               (libevtx, Debian libevtx-utils)
# and, on one small file, python-evtx's evtx_dump.py against spoor.
# spoor's runs are timed by hyperfine -N when it is installed (scripts/deps.sh
# bench installs it), else from this shell; see measure_pair below.
# Output goes to /dev/null for every tool.  Requires ../shared (datasets, tools).
# Before each group of timed runs the file is put in the page cache in one
# known state (bench/settle.py: dropped, then read back in one pass), so
# every tool reads it from memory alike whatever the host did to the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-64}; RUNS=${2:-5}
SPOOR=${SPOOR:-build/spoor}
out=bench/out; mkdir -p "$out"
tool=../shared/tools/make-big-evtx
[ -x "$tool" ] || [ -f "$tool" ] || { echo "bench: $tool not found (needs ../shared)"; exit 2; }
big=$out/big${MB}.evtx
[ -f "$big" ] || python3 "$tool" "$big" "$MB" >&2
NPROC=$(nproc)

# best-of-N wall time and the peak RSS of the best run: "seconds KB"
measure() {
  local best="" rss=""
  for _ in $(seq "$RUNS"); do
    local tf; tf=$(mktemp)
    /usr/bin/time -o "$tf" -f '%e %M' "$@" >/dev/null 2>/dev/null || true
    local r; r=$(tail -1 "$tf"); rm -f "$tf"
    local t=${r% *} m=${r#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; rss=$m; fi
  done
  echo "$best $rss"
}
# /usr/bin/time prints 2 decimals; use a finer clock for the fast runs:
# bash's $EPOCHREALTIME (no process of its own, unlike date), best of N
FINE_RUNS=${FINE_RUNS:-21}
now_us() { local t=${EPOCHREALTIME/./}; echo $((10#$t)); }
measure_fine() {
  local best="" n=${RUNS_FINE:-$FINE_RUNS}
  for _ in $(seq "$n"); do
    local s e; s=$(now_us); "$@" >/dev/null 2>&1; e=$(now_us)
    if [ -z "$best" ] || [ $((e - s)) -lt "$best" ]; then best=$((e - s)); fi
  done
  awk -v u="$best" 'BEGIN{printf "%.4f", u / 1e6}'
}
# two commands, runs interleaved (so drift in the machine's speed hits both
# alike), best of N each: "t1 t2".  measure_pair_bash times each run from
# this shell, which forks itself for every command (~1.1 ms here, where
# hyperfine -N starts /bin/true in 0.5 ms): that share of a 17 ms run is the
# shell's, not the tool's.  measure_pair uses hyperfine (Debian package;
# -N: no shell, commands started directly) in rounds of 3 runs of each
# command, so the two still take turns, and falls back to the shell loop
# when hyperfine is missing (HARNESS=bash forces it).
HARNESS=${HARNESS:-auto}
if [ "$HARNESS" = auto ]; then
  if command -v hyperfine >/dev/null; then HARNESS=hyperfine; else HARNESS=bash; fi
fi
measure_pair() {
  [ "$HARNESS" = hyperfine ] || { measure_pair_bash; return; }
  local rounds=$(( (FINE_RUNS + 2) / 3 )) js; js=$(mktemp)
  local c1 c2; c1=$(printf '%q ' "${cmd1[@]}"); c2=$(printf '%q ' "${cmd2[@]}")
  local all=""
  for _ in $(seq "$rounds"); do
    hyperfine -N --runs 3 --export-json "$js" "$c1" "$c2" >/dev/null 2>&1 || { rm -f "$js"; measure_pair_bash; return; }
    all="$all $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print("%d,%d" % (round(min(r[0]["times"])*1e6), round(min(r[1]["times"])*1e6)))' "$js")"
  done
  rm -f "$js"
  echo "$all" | tr ' ' '\n' | awk -F, 'NF==2{if(a==""||$1<a)a=$1; if(b==""||$2<b)b=$2} END{printf "%.6f %.6f", a/1e6, b/1e6}'
}
# the harness's own cost of starting a command and waiting for it (best of 21)
harness_overhead() {
  if [ "$HARNESS" = hyperfine ]; then
    local js; js=$(mktemp)
    hyperfine -N --runs 21 --export-json "$js" /bin/true >/dev/null 2>&1
    python3 -c 'import json,sys; print("%.4f" % min(json.load(open(sys.argv[1]))["results"][0]["times"]))' "$js"; rm -f "$js"
  else
    measure_fine /bin/true
  fi
}
measure_pair_bash() {
  local b1="" b2="" s e
  for _ in $(seq "$FINE_RUNS"); do
    s=$(now_us); "${cmd1[@]}" >/dev/null 2>&1; e=$(now_us)
    if [ -z "$b1" ] || [ $((e - s)) -lt "$b1" ]; then b1=$((e - s)); fi
    s=$(now_us); "${cmd2[@]}" >/dev/null 2>&1; e=$(now_us)
    if [ -z "$b2" ] || [ $((e - s)) -lt "$b2" ]; then b2=$((e - s)); fi
  done
  awk -v a="$b1" -v b="$b2" 'BEGIN{printf "%.6f %.6f", a / 1e6, b / 1e6}'
}

recs=$("$SPOOR" evtx info --json -q "$big" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["records"])')
size=$(stat -c %s "$big")
echo "file: $big ($((size / 1048576)) MB, $recs records), best of $FINE_RUNS runs (spoor, interleaved; timed by $HARNESS) / $RUNS (RSS, peers), output to /dev/null"
echo
settle() { python3 bench/settle.py "$@"; }
cmd1=("$SPOOR" evtx dump --format jsonl --threads 1 "$big")
cmd2=("$SPOOR" evtx dump --format jsonl --threads "$NPROC" "$big")
settle "$big"
pair=$(measure_pair); t1=${pair% *}; tn=${pair#* }
over=$(harness_overhead)
if [ "$HARNESS" = hyperfine ]; then
  # the shell loop too, for comparison with figures measured that way
  settle "$big"
  pairb=$(measure_pair_bash); t1b=${pairb% *}; tnb=${pairb#* }; overb=$(measure_fine /bin/true)
fi
settle "$big"
r1=$(measure "$SPOOR" evtx dump --format jsonl --threads 1 "$big"); rss1=${r1#* }
rn=$(measure "$SPOOR" evtx dump --format jsonl --threads "$NPROC" "$big"); rssn=${rn#* }
tx="" ; rssx=""
if command -v evtxexport >/dev/null; then
  settle "$big"
  rx=$(RUNS=$(( RUNS > 2 ? 2 : RUNS )) measure evtxexport -f xml "$big"); tx=${rx% *}; rssx=${rx#* }
fi
row() { awk -v n="$1" -v t="$2" -v r="$recs" -v s="$size" -v m="$3" 'BEGIN{printf "%-44s %8.3f s %10.0f rec/s %8.1f MB/s %8.1f MB RSS\n", n, t, r/t, s/t/1048576, m/1024}'; }
printf '%-44s %10s %16s %13s %15s\n' tool time records/s input peak
row "spoor evtx dump --format jsonl --threads 1" "$t1" "$rss1"
row "spoor evtx dump --format jsonl --threads $NPROC" "$tn" "$rssn"
[ -n "$tx" ] && row "evtxexport -f xml (libevtx)" "$tx" "$rssx"
echo
[ -n "$tx" ] && awk -v a="$tx" -v b="$t1" 'BEGIN{printf "spoor (1 thread) vs evtxexport: %.1fx faster (goal >= 50x)\n", a/b}'
awk -v a="$t1" -v b="$tn" -v n="$NPROC" 'BEGIN{printf "spoor %d threads vs 1 thread: %.3fx (goal >= 1.8x with 2)\n", n, a/b}'
awk -v o="$over" -v h="$HARNESS" 'BEGIN{printf "  (%s starts and waits for an empty command, /bin/true, in %.4f s; part of every time above)\n", h, o}'
if [ -n "${t1b:-}" ]; then
  awk -v a="$t1b" -v b="$tnb" -v o="$overb" -v x="${tx:-0}" 'BEGIN{printf "  timed from a bash loop instead: %.4f s / %.4f s, %.3fx", a, b, a/b; if (x > 0) printf ", %.1fx evtxexport", x/a; printf " (bash runs /bin/true in %.4f s)\n", o}'
fi
awk -v m="$rss1" -v n="$rssn" 'BEGIN{printf "spoor peak RSS: %.1f MB (1 thread), %.1f MB (all threads) (goal < 64 MB)\n", m/1024, n/1024}'

# python-evtx is far slower: time it on one small file only
small=../shared/datasets/evtx-samples/samples/security.evtx
if command -v evtx_dump.py >/dev/null && [ -f "$small" ]; then
  sn=$("$SPOOR" evtx info --json -q "$small" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["records"])')
  tp=$(RUNS_FINE=1 measure_fine evtx_dump.py "$small")
  ts=$(measure_fine "$SPOOR" evtx dump --format jsonl --threads 1 "$small")
  echo
  echo "small file: $small ($sn records)"
  awk -v p="$tp" -v s="$ts" -v n="$sn" 'BEGIN{printf "  evtx_dump.py (python-evtx) %8.3f s %9.0f rec/s\n  spoor --threads 1           %8.3f s %9.0f rec/s   (%.0fx faster)\n", p, n/p, s, n/s, p/s}'
fi
