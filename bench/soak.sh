#!/usr/bin/env bash
# A soak: CLIENTS clients (64) of mixed operations (reads, lists with sorts and filters, create + upload + read back,
# downloads, patches, tags, members, glance-direct imports, deletes) against one Glint for DURATION seconds (600), after a
# warm-up. Prints a line every INTERVAL seconds (operations, errors, p50/p99, the server's threads, descriptors and
# resident memory) and, at the start and the end, the server's live heap after a full collection. Goal: 0 errors and
# flat threads, descriptors and live heap. Each client works on images of its own (at most 12 at a time).
#   bench/soak.sh                          # 64 clients, 10 minutes, SQLite, the file store
#   CLIENTS=16 DURATION=60 bench/soak.sh    # a short look
#   GLINT_CONF=/path/glint.conf bench/soak.sh   # e.g. [database] connection = postgresql://…
# Sends traffic to 127.0.0.1 only. Needs the JDK (runs bench/Soak.java as a source file) and curl.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
. bench/lib.sh
ensure_java_maven
apt_install curl

CLIENTS=${CLIENTS:-64}
DURATION=${DURATION:-600}
INTERVAL=${INTERVAL:-30}
WARMUP=${WARMUP:-20}
work=${BENCH_DIR:-$here/bench/out}
mkdir -p "$work"

[ -f target/glint.jar ] || mvn -B -q -DskipTests package
port=$(free_port)
data=$(mktemp -d -p "$work" data-XXXXXX)
conf=${GLINT_CONF:-$data/glint.conf}
[ -f "$conf" ] || : > "$conf"
GLINT_ADMIN_PASSWORD=bench-secret java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve \
  --port "$port" --data-dir "$data" --config "$conf" >"$work/glint-soak.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
wait_for 60 curl -sf "http://127.0.0.1:$port/versions" || { cat "$work/glint-soak.log"; exit 1; }
base="http://127.0.0.1:$port"
token=$(password_token "$base/identity/v3" admin bench-secret admin)

echo "== Glint soak $(date -u +%FT%TZ), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)," \
  "$CLIENTS clients for ${DURATION}s after ${WARMUP}s of warm-up, server ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC}," \
  "database: $(awk -F' *= *' '/^connection/{print $2}' "$conf" | sed 's/:.*//' | grep . || echo sqlite)"
java -Xmx512m bench/Soak.java "$base" "$token" "$pid" "$CLIENTS" "$DURATION" "$INTERVAL" "$WARMUP"
echo "server log lines at ERROR: $(grep -c ' ERROR ' "$work/glint-soak.log" || true)"
