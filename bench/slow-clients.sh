#!/usr/bin/env bash
# Idle and slow clients against Glint: opens IDLE idle connections and SLOW slowloris connections (a request head
# sent a byte every 200 ms), then prints the server's threads, open descriptors and resident memory, and the time of a
# normal request, before, during and after; next to this machine's descriptor limit and [wsgi] max_connections.
#   bench/slow-clients.sh                  # 2000 idle, 200 slow
#   IDLE=8000 SLOW=500 bench/slow-clients.sh
# Sends traffic to 127.0.0.1 only. Needs curl and /usr/bin/python3 (Debian's).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
. bench/lib.sh
ensure_java_maven
apt_install curl

IDLE=${IDLE:-2000}
SLOW=${SLOW:-200}
HEADER_TIMEOUT=${HEADER_TIMEOUT:-10}
work=${BENCH_DIR:-$here/bench/out}
mkdir -p "$work"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

[ -f target/glint.jar ] || mvn -B -q -DskipTests package
port=$(free_port)
data=$(mktemp -d -p "$work" data-XXXXXX)
printf '[wsgi]\nheader_timeout = %s\n' "$HEADER_TIMEOUT" > "$data/glint.conf"
GLINT_ADMIN_PASSWORD=bench-secret java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve \
  --port "$port" --data-dir "$data" --config "$data/glint.conf" >"$work/glint-slow.log" 2>&1 &
pid=$!
clients=
cleanup() {
  [ -n "$clients" ] && kill "$clients" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"
}
trap cleanup EXIT
wait_for 60 curl -sf "http://127.0.0.1:$port/versions" || { cat "$work/glint-slow.log"; exit 1; }

threads() { awk '/^Threads:/{print $2}' "/proc/$pid/status"; }
rss() { awk '/^VmRSS:/{printf "%.0f", $2/1024}' "/proc/$pid/status"; }
fds() { ls "/proc/$pid/fd" | wc -l; }
request_ms() { curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$port/versions" | awk '{printf "%.1f", $1*1000}'; }
snapshot() {
  row "$1: threads" "$(threads)" ""
  row "$1: open descriptors" "$(fds)" ""
  row "$1: resident memory" "$(rss)" MiB
  row "$1: GET /versions" "$(request_ms)" ms
}

echo "== Glint idle and slow clients $(date -u +%FT%TZ), $(nproc) cores, descriptor limit $(ulimit -n)," \
  "max_connections 4096, header_timeout ${HEADER_TIMEOUT}s"
row metric value unit notes
snapshot "before"

/usr/bin/python3 - "$port" "$IDLE" "$SLOW" "$work/clients.ready" <<'PY' &
import socket, sys, time
port, idle, slow, ready = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(idle)]
slowsocks = [socket.create_connection(("127.0.0.1", port)) for _ in range(slow)]
head = b"GET /versions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4000 + b"\r\n\r\n"
open(ready, "w").close()
i, dropped = 0, set()
while True:
    for n, s in enumerate(slowsocks):
        if n in dropped:
            continue
        try:
            s.send(head[i % len(head):i % len(head) + 1])
        except OSError:
            dropped.add(n)
    with open(ready, "w") as f:
        f.write(str(len(dropped)))
    i += 1
    time.sleep(0.2)
PY
clients=$!
rm -f "$work/clients.ready"
wait_for 120 test -e "$work/clients.ready"
sleep 2
snapshot "with $IDLE idle + $SLOW slowloris"
wait_for $((HEADER_TIMEOUT * 3 + 30)) sh -c "[ \"\$(cat '$work/clients.ready' 2>/dev/null)\" = '$SLOW' ]" || true
row "slowloris connections dropped" "$(cat "$work/clients.ready")" "of $SLOW" "within 2 x header_timeout"
snapshot "after the slowloris drops"
kill "$clients" 2>/dev/null || true; wait "$clients" 2>/dev/null || true; clients=
sleep 2
snapshot "after the clients left"
