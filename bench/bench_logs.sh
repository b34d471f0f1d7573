#!/usr/bin/env bash
# bench/bench_logs.sh — parse speed of the line-log readers, one core: the
# files of tests/gen/make_logs.py blown up to ~N lines each (data lines
# repeated, headers kept once), read by `spoor logs parse -q` (counts only)
# and by `spoor logs parse --json` (events rendered as JSON), beside ripgrep
# counting the same file's lines (`rg -c ''`: reading and splitting lines
# only, the floor any parser sits on) in the same run.  Not a test.
#
#   bash bench/bench_logs.sh [LINES=500000]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-500000}
SPOOR=${SPOOR:-build/spoor}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
python3 tests/gen/make_logs.py "$work/src" >/dev/null 2>&1
grow() { # FILE OUT: header lines once, then data lines until N lines
  python3 - "$1" "$2" "$N" <<'PY'
import sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
lines = open(src, 'rb').read().splitlines(keepends=True)
iis = lines and lines[0].startswith(b'#Software')
hdr = [l for l in lines if l.startswith(b'#')] if not iis else []
data = [l for l in lines if not l.startswith(b'#') and l.strip()] if not iis else lines
with open(out, 'wb') as f:
    f.writelines(hdr if not iis else [])
    k = len(hdr)
    while k < n:
        take = data[:n - k]
        f.writelines(take)
        k += len(take)
PY
}
printf '%-13s %9s %14s %14s %8s %12s %14s\n' format lines 'lines/s' 'lines/s json' 'MB/s' "rg lines/s" 'spoor / rg'

for f in web/apache_access.log web/zimbra_access_log web/u_ex220815.log zeek/conn.log zeek/dns.log zeek/conn.20220811.json linux/auth.log linux/audit.log; do
  b=$work/big_$(basename "$f")
  grow "$work/src/$f" "$b"
  mb=$(du -m "$b" | cut -f1)
  t() { local s e; s=$(date +%s.%N); taskset -c 0 "$SPOOR" logs parse "$@" >/dev/null 2>&1 || true; e=$(date +%s.%N); awk "BEGIN{print $e - $s}"; }
  trg() { local s e; s=$(date +%s.%N); taskset -c 0 rg -j1 -c '' "$b" >/dev/null 2>&1 || true; e=$(date +%s.%N); awk "BEGIN{print $e - $s}"; }
  t1=$(t -q "$b"); t1b=$(t -q "$b"); t1=$(awk "BEGIN{print ($t1 < $t1b) ? $t1 : $t1b}")
  t2=$(t -q --json "$b")
  fmt=$("$SPOOR" logs parse -q "$b" | awk -F': ' '{print $2}')
  lines=$(wc -l < "$b")
  if command -v rg >/dev/null; then r1=$(trg); r1b=$(trg); r1=$(awk "BEGIN{print ($r1 < $r1b) ? $r1 : $r1b}"); else r1=0; fi
  printf '%-13s %9d %14.0f %14.0f %8.0f %12s %14s\n' "$fmt" "$lines" "$(awk "BEGIN{print $lines / $t1}")" "$(awk "BEGIN{print $lines / $t2}")" \
    "$(awk "BEGIN{print $(stat -c %s "$b") / 1048576 / $t1}")" "$(awk "BEGIN{if ($r1 > 0) printf \"%.0f\", $lines / $r1; else print \"-\"}")" \
    "$(awk "BEGIN{if ($r1 > 0) printf \"%.2fx\", $r1 / $t1; else print \"-\"}")"
done
