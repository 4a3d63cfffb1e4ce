#!/usr/bin/env bash
# Glint benchmark: starts Glint on loopback and prints throughput, latency and memory figures, each next to this
# machine's own limits measured in the same run (page-cache read, dd fdatasync write, md5sum, sha512sum).
#   bench/bench.sh                 # 1 GiB image, 1000 records, 8 concurrent 1 GiB uploads
#   SIZE_MB=256 RECORDS=200 CONCURRENT=4 bench/bench.sh   # a quicker run
# Needs wrk and curl (installed with apt-get when missing). Sends traffic to 127.0.0.1 only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
ensure_java_maven
apt_install wrk curl jq

SIZE_MB=${SIZE_MB:-1024}
RECORDS=${RECORDS:-1000}
CONCURRENT=${CONCURRENT:-8}
WRK_SECONDS=${WRK_SECONDS:-15}
work=${BENCH_DIR:-$here/bench/out}
mkdir -p "$work"
img="$work/random-${SIZE_MB}m.bin"
[ -f "$img" ] && [ "$(stat -c %s "$img")" = $((SIZE_MB << 20)) ] || head -c $((SIZE_MB << 20)) /dev/urandom > "$img"

mvn -B -q -DskipTests package
port=$(free_port)
data=$(mktemp -d -p "$work" data-XXXXXX)
export GLINT_ADMIN_PASSWORD=bench-secret
java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve --port "$port" --data-dir "$data" \
  >"$work/glint.log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
wait_for 60 curl -sf "http://127.0.0.1:$port/versions" || { cat "$work/glint.log"; exit 1; }
base="http://127.0.0.1:$port"
token=$(curl -si -X POST "$base/identity/v3/auth/tokens" -H 'Content-Type: application/json' -d '{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"admin","domain":{"name":"Default"},"password":"bench-secret"}}},"scope":{"project":{"name":"admin","domain":{"name":"Default"}}}}}' \
  | awk 'tolower($1)=="x-subject-token:"{print $2}' | tr -d '\r')

mibps() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.1f", b/1048576/s}'; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
row() { printf '%-52s %12s  %-6s %s\n' "$1" "$2" "$3" "${4:-}"; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f%%", 100*a/b}'; }
bytes=$((SIZE_MB << 20))

echo "== Glint benchmark $(date -u +%FT%TZ), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)"
row metric value unit notes

# --- this machine's limits, same file, same disk
sync; t0=$(now); cat "$img" > /dev/null; t1=$(now)   # warm
t0=$(now); dd if="$img" of=/dev/null bs=1M status=none; t1=$(now); read_cache=$(mibps $bytes "$(elapsed $t0 $t1)")
row "ref: read ${SIZE_MB} MiB from page cache" "$read_cache" MiB/s
t0=$(now); dd if="$img" of="$work/dd.out" bs=1M conv=fdatasync status=none; t1=$(now); rm -f "$work/dd.out"
dd_write=$(mibps $bytes "$(elapsed $t0 $t1)"); row "ref: dd ${SIZE_MB} MiB conv=fdatasync" "$dd_write" MiB/s
t0=$(now); md5=$(md5sum "$img" | cut -d' ' -f1); t1=$(now); row "ref: md5sum" "$(mibps $bytes "$(elapsed $t0 $t1)")" MiB/s
t0=$(now); sha=$(sha512sum "$img" | cut -d' ' -f1); t1=$(now); row "ref: sha512sum" "$(mibps $bytes "$(elapsed $t0 $t1)")" MiB/s

new_image() {
  curl -sf -X POST "$base/v2/images" -H "X-Auth-Token: $token" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}" | jq -r .id
}

# --- (a) upload, (b) download
id=$(new_image bench-1g)
t0=$(now)
curl -sf -X PUT "$base/v2/images/$id/file" -H "X-Auth-Token: $token" -H 'Content-Type: application/octet-stream' \
  -T "$img" -o /dev/null
t1=$(now); up=$(mibps $bytes "$(elapsed $t0 $t1)")
row "(a) upload ${SIZE_MB} MiB (PUT /file)" "$up" MiB/s "$(pct "$up" "$dd_write") of dd fdatasync write"
check=$(curl -sf "$base/v2/images/$id" -H "X-Auth-Token: $token" | jq -r '[.status, .checksum, .os_hash_value] | join(" ")')
[ "$check" = "active $md5 $sha" ] && row "    status/checksum/os_hash_value" ok "" || row "    status/checksum/os_hash_value" MISMATCH "" "$check"
curl -sf "$base/v2/images/$id/file" -H "X-Auth-Token: $token" -o /dev/null   # warm the page cache like the ref read
t0=$(now); curl -sf "$base/v2/images/$id/file" -H "X-Auth-Token: $token" -o /dev/null; t1=$(now)
down=$(mibps $bytes "$(elapsed $t0 $t1)")
row "(b) download ${SIZE_MB} MiB (GET /file)" "$down" MiB/s "$(pct "$down" "$read_cache") of page-cache read"

# --- (c) records: creation rate, then metadata reads
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"name":"bench-record","disk_format":"raw","container_format":"bare","tags":["bench"]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Auth-Token"] = "$token"
LUA
created_before=$(curl -sf "$base/v2/images?limit=1000&tag=bench" -H "X-Auth-Token: $token" | jq '.images | length')
out=$(wrk -t2 -c8 -d5s -s "$work/post.lua" "$base/v2/images")
row "(c) image creations (wrk POST, 8 connections)" "$(echo "$out" | awk '/Requests\/sec/{print $2}')" req/s
# top up to RECORDS images for the read tests
have=$(curl -sf "$base/v2/images?limit=1000" -H "X-Auth-Token: $token" | jq '.images | length')
seq $((have < RECORDS ? RECORDS - have : 0)) | xargs -r -P 8 -I{} curl -sf -o /dev/null -X POST "$base/v2/images" \
  -H "X-Auth-Token: $token" -H 'Content-Type: application/json' -d '{"name":"bench-fill","disk_format":"raw","container_format":"bare"}'
total=$(curl -sf "$base/v2/images?limit=1000" -H "X-Auth-Token: $token" | jq '.images | length')
wrk_row() {
  local label=$1 url=$2 out
  out=$(wrk -t2 -c32 -d${WRK_SECONDS}s --latency -H "X-Auth-Token: $token" "$url")
  local rps p50 p99 non2xx
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p50=$(echo "$out" | awk '$1=="50%"{print $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/{print $5}')
  row "$label" "$rps" req/s "p50 $p50 p99 $p99 non2xx ${non2xx:-0} ($total images)"
}
wrk_row "    wrk GET /v2/images/{id}" "$base/v2/images/$id"
wrk_row "    wrk GET /v2/images?limit=20" "$base/v2/images?limit=20"
deep=$(curl -sf "$base/v2/images?limit=1000&sort_key=created_at&sort_dir=asc" -H "X-Auth-Token: $token" | jq -r '.images[50].id')
wrk_row "    wrk GET /v2/images?limit=20&marker=<deep>" "$base/v2/images?limit=20&marker=$deep"

# --- (d) memory while CONCURRENT uploads of SIZE_MB run at once
echo 5 > "/proc/$pid/clear_refs" 2>/dev/null || true
idle=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$pid/status")
ids=(); for i in $(seq "$CONCURRENT"); do ids+=("$(new_image "bench-par-$i")"); done
t0=$(now)
for i in "${ids[@]}"; do
  curl -sf -X PUT "$base/v2/images/$i/file" -H "X-Auth-Token: $token" -H 'Content-Type: application/octet-stream' \
    -T "$img" -o /dev/null &
done
wait $(jobs -p | grep -v "^$pid$") 2>/dev/null || true
t1=$(now)
hwm=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$pid/status")
ok=0; for i in "${ids[@]}"; do
  [ "$(curl -sf "$base/v2/images/$i" -H "X-Auth-Token: $token" | jq -r .checksum)" = "$md5" ] && ok=$((ok + 1))
done
row "(d) peak RSS during $CONCURRENT concurrent uploads" "$hwm" MiB "idle RSS before: $idle MiB; $ok/$CONCURRENT correct; aggregate $(mibps $((bytes * CONCURRENT)) "$(elapsed $t0 $t1)") MiB/s"
