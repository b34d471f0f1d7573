#!/usr/bin/env bash
# The README's test command: install what is missing, build, run every test.
#   bash scripts/test.sh
# Ends with the line "N passed, N failed, N skipped"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh test
make -j"$(nproc)" WERROR=1 >/dev/null
make test WERROR=1
