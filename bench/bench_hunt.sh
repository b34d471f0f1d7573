#!/usr/bin/env bash
# bench/bench_hunt.sh — `spoor hunt` with the full SigmaHQ rule set against
# `spoor evtx dump` on the same file, same run (issue: hunt at >= 50% of the
# dump's speed; Hayabusa publishes ~13,000 events/s with its full rule set),
# with 1 thread and with all threads, and peak RSS on a large file.  Not a test.
# Timed by hyperfine -N when it is installed (scripts/deps.sh bench), else
# from this shell (see best_rr).
# hunt is timed as users run it again and again: rules read from the
# compiled-rules cache; the time without it (first run, or --no-rule-cache)
# is printed beside.
#
#   bash bench/bench_hunt.sh [MEGABYTES=64] [BIG_MEGABYTES=640] [RUNS=3] [SMALL_RUNS=11]
# (best of RUNS on the big file, of SMALL_RUNS on the small one: its runs
# last tens of milliseconds, where the machine's noise is a few ms; the dump
# and the two warm ways of hunting take turns in each round)
set -euo pipefail
cd "$(dirname "$0")/.."
MB=${1:-64}; BIG=${2:-640}; BIG_RUNS=${3:-3}; SMALL_RUNS=${4:-11}; RUNS=$BIG_RUNS
SPOOR=${SPOOR:-build/spoor}
S=../shared/datasets/sigma
[ -d "$S/rules" ] || { echo "bench: $S not found (needs ../shared)"; exit 2; }
out=bench/out; mkdir -p "$out"
for m in "$MB" "$BIG"; do
  [ -f "$out/big$m.evtx" ] || python3 ../shared/tools/make-big-evtx "$out/big$m.evtx" "$m" >&2
done
RULES=(--sigma "$S/rules" --sigma "$S/rules-emerging-threats" --sigma "$S/rules-threat-hunting")
# the compiled-rules cache of this bench (hunt keeps one by default): written
# once here, read by every timed run but the --no-rule-cache ones
export SPOOR_CACHE_DIR=$out/rule-cache
"$SPOOR" hunt -q --no-builtin "${RULES[@]}" "$out/big$MB.evtx" >/dev/null 2>&1 || true
# and a compiled-rules file of the same rules (spoor rules compile), as one
# would keep beside a fixed rule set
"$SPOOR" rules compile -q -o "$out/sigmahq.spc" "$S/rules" "$S/rules-emerging-threats" "$S/rules-threat-hunting" >/dev/null 2>&1 || true
NPROC=$(nproc)
# the commands timed, as functions of $t (threads) and $f (file)
c_dump() { "$SPOOR" evtx dump --format jsonl --threads "$t" "$f"; }
c_cache() { "$SPOOR" hunt -q --no-builtin --threads "$t" "${RULES[@]}" "$f"; }
c_file() { "$SPOOR" hunt -q --compiled-rules "$out/sigmahq.spc" --threads "$t" "$f"; }
c_cold() { "$SPOOR" hunt -q --no-builtin --no-rule-cache --threads "$t" "${RULES[@]}" "$f"; }
# the same commands as single strings, for hyperfine
cmd_str() {
  case "$1" in
    c_dump) printf '%q ' "$SPOOR" evtx dump --format jsonl --threads "$t" "$f" ;;
    c_cache) printf '%q ' "$SPOOR" hunt -q --no-builtin --threads "$t" "${RULES[@]}" "$f" ;;
    c_file) printf '%q ' "$SPOOR" hunt -q --compiled-rules "$out/sigmahq.spc" --threads "$t" "$f" ;;
    c_cold) printf '%q ' "$SPOOR" hunt -q --no-builtin --no-rule-cache --threads "$t" "${RULES[@]}" "$f" ;;
  esac
}
# best wall time (seconds) of each command, RUNS rounds with the commands
# taking turns (so a slow spell of the machine hits all of them alike).
# Timed by hyperfine -N when installed (it starts each command directly:
# /bin/true costs it 0.5 ms, against 1.1-1.3 ms from a bash loop, which forks
# itself first), else from this shell with $EPOCHREALTIME (HARNESS=bash
# forces that), as bench_evtx.sh does.
HARNESS=${HARNESS:-auto}
if [ "$HARNESS" = auto ]; then
  if command -v hyperfine >/dev/null; then HARNESS=hyperfine; else HARNESS=bash; fi
fi
best_rr() {
  [ "$HARNESS" = hyperfine ] || { best_rr_bash "$@"; return; }
  local js c all=() cmds=()
  js=$(mktemp)
  for c in "$@"; do cmds+=("$(cmd_str "$c")"); done
  for _ in $(seq "$RUNS"); do
    hyperfine -N -i --runs 1 --export-json "$js" "${cmds[@]}" >/dev/null 2>&1 || { rm -f "$js"; best_rr_bash "$@"; return; }
    all+=("$(python3 -c 'import json,sys; print(" ".join("%d" % round(min(r["times"]) * 1e6) for r in json.load(open(sys.argv[1]))["results"]))' "$js")")
  done
  rm -f "$js"
  printf '%s\n' "${all[@]}" | awk '{for (i = 1; i <= NF; i++) if (!(i in b) || $i < b[i]) b[i] = $i} END{for (i = 1; i <= NF; i++) printf "%.4f ", b[i] / 1e6; print ""}'
}
best_rr_bash() {
  local -A b=()
  local c s e d
  for _ in $(seq "$RUNS"); do
    for c in "$@"; do
      s=${EPOCHREALTIME/./}; "$c" >/dev/null 2>&1 || true; e=${EPOCHREALTIME/./}
      d=$((10#$e - 10#$s))
      if [ -z "${b[$c]:-}" ] || [ "$d" -lt "${b[$c]}" ]; then b[$c]=$d; fi
    done
  done
  for c in "$@"; do awk -v u="${b[$c]}" 'BEGIN{printf "%.4f ", u / 1e6}'; done
  echo
}
best_scan() { # best "scan_seconds" (after rules are loaded) of RUNS runs of hunt --json
  local b=""
  for _ in $(seq "$RUNS"); do
    # into a file first: a python3 reading a pipe would start up on the
    # second core while the hunt's threads run, and slow them
    local t j; j=$(mktemp); "$@" --json >"$j" 2>/dev/null || true
    t=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["scan_seconds"])' "$j" 2>/dev/null || true); rm -f "$j"
    [ -n "$t" ] || continue
    if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
  done
  echo "${b:-nan}"
}
rss() { local f; f=$(mktemp); /usr/bin/time -o "$f" -f '%M' "$@" >/dev/null 2>&1 || true; tail -1 "$f"; rm -f "$f"; }
nrules=$( ("$SPOOR" rules check --json "$S/rules" "$S/rules-emerging-threats" "$S/rules-threat-hunting" || true) | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["loaded"], d["compile_ms"])')
echo "rules: ${nrules% *} loaded, compiled in ${nrules#* } ms; commands timed by $HARNESS"
goal_f=""; goal_c=""
for m in "$MB" "$BIG"; do
  f=$out/big$m.evtx
  if [ "$m" = "$MB" ]; then RUNS=$SMALL_RUNS; else RUNS=$BIG_RUNS; fi
  recs=$("$SPOOR" evtx info --json -q "$f" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["records"])')
  echo
  echo "file: $f ($recs records)"
  for t in 1 "$NPROC"; do
    # the file in the page cache in one known state (bench/settle.py)
    python3 bench/settle.py "$f"
    read -r d h hf < <(best_rr c_dump c_cache c_file)
    hc=$(best_rr c_cold)
    hs=$(best_scan "$SPOOR" hunt -q --no-builtin --threads "$t" "${RULES[@]}" "$f")
    awk -v t="$t" -v d="$d" -v h="$h" -v r="$recs" 'BEGIN{printf "  threads %d: evtx dump %.3f s; hunt with the rules as --sigma folders (compiled-rules cache) %.3f s -> %.0f%% of dump speed, %.0f events/s = %.1fx Hayabusa'"'"'s published 13,000\n", t, d, h, 100*d/h, r/h, r/h/13000}'
    awk -v d="$d" -v h="$hf" -v r="$recs" 'BEGIN{printf "             with a compiled-rules file (spoor rules compile; hunt --compiled-rules) %.3f s -> %.0f%%, %.0f events/s\n", h, 100*d/h, r/h}'
    awk -v d="$d" -v h="$hc" 'BEGIN{printf "             without the rule cache (--no-rule-cache: every YAML file parsed and compiled) %.3f s -> %.0f%%\n", h, 100*d/h}'
    awk -v d="$d" -v h="$h" -v s="$hs" -v r="$recs" 'BEGIN{l = h - s; if (l < 0) l = 0; printf "             scanning alone (after %.3f s loading rules) %.3f s -> at %.0f%% of dump speed, %.0f events/s\n", l, s, 100*d/s, r/s}'
    goal_f+=" $(awk -v d="$d" -v h="$hf" 'BEGIN{printf "%.0f", 100*d/h}')"
    goal_c+=" $(awk -v d="$d" -v h="$h" 'BEGIN{printf "%.0f", 100*d/h}')"
  done
done
echo
verdict() { local all=yes; for p in $1; do [ "$p" -ge 50 ] || all=no; done; [ $all = yes ] && echo "met" || echo "NOT met"; }
echo "goal: hunt at >= 50% of the dump's speed, both files, 1 and $NPROC threads (%, in the order above):"
echo "  with a compiled-rules file:$goal_f -> $(verdict "$goal_f")"
echo "  with --sigma folders (cache):$goal_c -> $(verdict "$goal_c")"
echo "peak RSS, hunt of $out/big$BIG.evtx with all threads: $(( $(rss "$SPOOR" hunt -q --no-builtin "${RULES[@]}" "$out/big$BIG.evtx") / 1024 )) MB (goal <= 256 MB)"
echo "peak RSS, evtx dump of the same file: $(( $(rss "$SPOOR" evtx dump "$out/big$BIG.evtx") / 1024 )) MB (goal < 64 MB)"
