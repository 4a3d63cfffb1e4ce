#!/usr/bin/env bash
# Builds Glint, starts it on a free loopback port with a fresh data dir, and runs the interop suite against it
# with the real OpenStack clients from Debian. Prints "N passed, N failed" and exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
ensure_java_maven
apt_install python3-openstackclient python3-glanceclient python3-openstacksdk

mvn -B -q -DskipTests package
port=$(free_port)
data=$(mktemp -d -t glint-interop-XXXXXX)
log="$data/glint.log"
export GLINT_ADMIN_PASSWORD="interop-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
java -Xmx256m -jar target/glint.jar serve --port "$port" --data-dir "$data" >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
if ! wait_for 60 curl -sf "http://127.0.0.1:$port/versions"; then
  echo "Glint did not start; its log:" >&2; cat "$log" >&2; exit 1
fi
set -a; . "$data/openrc-admin"; set +a
if ! "$here/interop/run.sh"; then
  echo "---- Glint log (last 80 lines)" >&2; tail -80 "$log" >&2
  exit 1
fi
