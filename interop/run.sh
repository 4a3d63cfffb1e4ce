#!/usr/bin/env bash
# Runs the interop suite against the Glance v2 endpoint that the OS_* environment (or OS_CLOUD) points at:
# Glint, or the real Glance for comparison. Options go to interop/runner.py (-k PATTERN, -j JOBS, -l).
# The last line printed is "N passed, N failed"; the exit status is non-zero on any failure.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Debian's python3 and clients, never a pyenv/virtualenv python3 that lacks the Debian modules
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
if [ -z "${OS_AUTH_URL:-}" ] && [ -z "${OS_CLOUD:-}" ]; then
  echo "interop: set OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME, ... (e.g. source an openrc) or OS_CLOUD" >&2
  exit 2
fi
exec /usr/bin/python3 "$here/runner.py" "$@"
