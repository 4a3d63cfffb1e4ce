#!/usr/bin/env bash
# Runs the interop suite against whatever OS_* points at (Glint, or the real Glance for comparison).
# Prints "N passed, N failed[, N skipped]" on its own line; exits non-zero on failure.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
out=$(mktemp -t glint-interop-XXXXXX.txt)
/usr/bin/python3 -m unittest discover -s "$here" -p 'test_*.py' -v "$@" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
ran=$(grep -oE '^Ran [0-9]+ test' "$out" | grep -oE '[0-9]+' || echo 0)
failed=$(grep -cE '^(FAIL|ERROR): ' "$out" || true)
skipped=$(grep -cE ' \.\.\. skipped' "$out" || true)
passed=$((ran - failed - skipped))
rm -f "$out"
echo "interop: $passed passed, $failed failed, $skipped skipped"
[ "$ran" -gt 0 ] || { echo "no interop test ran" >&2; exit 1; }
exit "$rc"
