#!/usr/bin/env bash
# tests/tsan.sh — the threaded paths under ThreadSanitizer: `evtx dump` and
# `hunt` with 2 threads on the demo case and the fuzz seeds, the unit tests
# of the worker-thread pool (and, when ../shared is there, every EVTX sample
# with --recover and a hunt with the SigmaHQ rules).  Any report fails the run.  `make tsan` builds and runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
SPOOR=${SPOOR:-build-tsan/spoor}
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 ${TSAN_OPTIONS:-}"
export SPOOR_CACHE_DIR; SPOOR_CACHE_DIR=$(mktemp -d)   # also the scratch folder
trap 'rm -rf "$SPOOR_CACHE_DIR"' EXIT
case_dir=$SPOOR_CACHE_DIR/case          # the demo case, generated
python3 demo/make_demo.py "$case_dir" >/dev/null
n=0
run() { n=$((n + 1)); "$@" >/dev/null 2>"$SPOOR_CACHE_DIR/err" || { rc=$?; if [ $rc -eq 66 ] || grep -q ThreadSanitizer "$SPOOR_CACHE_DIR/err"; then cat "$SPOOR_CACHE_DIR/err" >&2; echo "tsan: FAILED: $*" >&2; exit 1; fi; }; }
run "$SPOOR" evtx dump --threads 2 "$case_dir"/*.evtx fuzz/corpus/evtx/*.evtx
run "$SPOOR" evtx dump --threads 2 --format xml "$case_dir"/*.evtx
run "$SPOOR" hunt --threads 2 "$case_dir"
# the library's worker-thread pool: scans from several threads at once,
# and after its threads were ended (unit tests; the one that forks is left
# out: ThreadSanitizer does not follow a threaded process through fork)
UNIT=${UNIT:-build-tsan/unit_tests}
for t in evtx_scans_from_several_threads evtx_release_memory_between_scans evtx_release_memory_twice evtx_pool_threads_take; do
  n=$((n + 1))
  "$UNIT" "$t" >"$SPOOR_CACHE_DIR/out" 2>&1 || { cat "$SPOOR_CACHE_DIR/out" >&2; echo "tsan: FAILED: $UNIT $t" >&2; exit 1; }
  grep -q "unit: 1 passed, 0 failed" "$SPOOR_CACHE_DIR/out" || { cat "$SPOOR_CACHE_DIR/out" >&2; echo "tsan: $UNIT $t did not run (skipped?)" >&2; }
done
S=../shared/datasets
if [ -d "$S/evtx-samples/samples" ]; then
  run "$SPOOR" evtx dump --threads 2 --recover "$S"/evtx-samples/samples/*.evtx
  run "$SPOOR" hunt -q --no-builtin --threads 2 --sigma "$S/sigma/rules" "$S/evtx-samples/samples"
  run "$SPOOR" hunt -q --no-builtin --threads 2 --sigma "$S/sigma/rules" "$S/evtx-samples/samples"   # from the rule cache
else
  echo "tsan: ../shared/datasets not found: the corpus runs are SKIPPED" >&2
fi
echo "tsan: $n runs, no report"
