#!/usr/bin/env bash
# fuzz/run.sh TARGET SECONDS — run one libFuzzer target (built by `make fuzz`)
# on its seed corpus: fuzz/corpus/<name>/ (small inputs written by the
# project) plus, when ../shared/datasets is present, inputs taken from it
# (copied to a temp dir, never into the repo).  Fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
t=$1; secs=${2:-30}; name=${t#fuzz_}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
[ -d "fuzz/corpus/$name" ] && cp -r "fuzz/corpus/$name/." "$work/corpus/"
ds=../shared/datasets
case "$name" in
  evtx)
    # the project's own edge cases (every value type, raw tokens, damage)
    python3 tests/gen/make_edge_evtx.py "$work/gen" >/dev/null && cp "$work"/gen/*.evtx "$work/corpus/" && rm -rf "$work/gen"
    if [ -d "$ds/evtx-samples/samples" ]; then
      for f in "$ds"/evtx-samples/samples/*.evtx; do head -c 200000 "$f" > "$work/corpus/$(basename "$f")"; done
    else echo "fuzz/run.sh: $ds absent, fuzzing from the repo's seeds only"; fi ;;
esac
echo "fuzz $t: $(ls "$work/corpus" | wc -l) seeds, $secs s"
build-fuzz/"$t" -max_total_time="$secs" -max_len=200000 -rss_limit_mb=2048 -timeout=10 \
  -artifact_prefix="$work/" -print_final_stats=1 "$work/corpus" 2>"$work/log" || {
  tail -40 "$work/log"; mkdir -p fuzz-findings; cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* fuzz-findings/ 2>/dev/null || true
  echo "fuzz $t: FAILED (inputs copied to fuzz-findings/)"; exit 1; }
grep -E '^stat::number_of_executed_units|^Done' "$work/log" | tr '\n' ' '; echo
echo "fuzz $t: clean"
