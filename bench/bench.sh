#!/usr/bin/env bash
# Glint benchmark: starts Glint on loopback and prints throughput, latency and memory figures, each next to this
# machine's own limits measured in the same run (page-cache read, dd fdatasync write, md5sum, sha512sum).
#   bench/bench.sh                 # 1 GiB image, 1000 records, 8 concurrent 1 GiB uploads
#   SIZE_MB=256 RECORDS=200 CONCURRENT=4 bench/bench.sh   # a quicker run
#   INSPECT_RUNS=15 bench/bench.sh   # more alternating uploads for (a'), inspection on against off
# Needs wrk and curl (installed with apt-get when missing). Sends traffic to 127.0.0.1 only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
. bench/lib.sh
ensure_java_maven
apt_install wrk curl jq

SIZE_MB=${SIZE_MB:-1024}
RECORDS=${RECORDS:-1000}
CONCURRENT=${CONCURRENT:-8}
WRK_SECONDS=${WRK_SECONDS:-15}
work=${BENCH_DIR:-$here/bench/out}
mkdir -p "$work"
img="$work/random-${SIZE_MB}m.bin"
ensure_random_file "$img" "$SIZE_MB"

mvn -B -q -DskipTests package
port=$(free_port)
data=$(mktemp -d -p "$work" data-XXXXXX)
export GLINT_ADMIN_PASSWORD=bench-secret
java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve --port "$port" --data-dir "$data" \
  >"$work/glint.log" 2>&1 &
pid=$!
# a second Glint, the same but for [image_format] inspect_content = false: format inspection's cost on the upload
port_off=$(free_port)
data_off=$(mktemp -d -p "$work" data-XXXXXX)
printf '[image_format]\ninspect_content = false\n' > "$data_off/glint.conf"
java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve --port "$port_off" \
  --data-dir "$data_off" --config "$data_off/glint.conf" >"$work/glint-off.log" 2>&1 &
pid_off=$!
cleanup() {
  kill "$pid" "$pid_off" 2>/dev/null || true; wait "$pid" "$pid_off" 2>/dev/null || true; rm -rf "$data" "$data_off"
}
trap cleanup EXIT
wait_for 60 curl -sf "http://127.0.0.1:$port/versions" || { cat "$work/glint.log"; exit 1; }
wait_for 60 curl -sf "http://127.0.0.1:$port_off/versions" || { cat "$work/glint-off.log"; exit 1; }
base="http://127.0.0.1:$port"
token=$(password_token "$base/identity/v3" admin bench-secret admin)

bytes=$((SIZE_MB << 20))

echo "== Glint benchmark $(date -u +%FT%TZ), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1)"
row metric value unit notes

# --- this machine's limits, same file, same disk
machine_refs "$img"
row "ref: read ${SIZE_MB} MiB from page cache" "$REF_CACHE" MiB/s
row "ref: dd ${SIZE_MB} MiB conv=fdatasync" "$REF_DD" MiB/s
row "ref: md5sum" "$REF_MD5" MiB/s
row "ref: sha512sum" "$REF_SHA" MiB/s
read_cache=$REF_CACHE dd_write=$REF_DD md5=$MD5 sha=$SHA

# --- (a) upload, (b) download
id=$(new_image "$base" "$token" bench-1g)
t0=$(bench_now); upload_file "$base" "$token" "$id" "$img"; t1=$(bench_now)
up=$(mibps $bytes "$(bench_elapsed $t0 $t1)")
row "(a) upload ${SIZE_MB} MiB (PUT /file)" "$up" MiB/s "$(pct "$up" "$dd_write") of dd fdatasync write"
check=$(image_check "$base" "$token" "$id")
[ "$check" = "active $md5 $sha" ] && row "    status/checksum/os_hash_value" ok "" || row "    status/checksum/os_hash_value" MISMATCH "" "$check"
download_file "$base" "$token" "$id"   # warm the page cache like the ref read
t0=$(bench_now); download_file "$base" "$token" "$id"; t1=$(bench_now)
down=$(mibps $bytes "$(bench_elapsed $t0 $t1)")
row "(b) download ${SIZE_MB} MiB (GET /file)" "$down" MiB/s "$(pct "$down" "$read_cache") of page-cache read"

# --- (a') inspection on against off: alternating uploads of the same file to the two servers, median of each
base_off="http://127.0.0.1:$port_off"
token_off=$(password_token "$base_off/identity/v3" admin bench-secret admin)
# Wall-clock is bound by the disk here (dd fdatasync varies by +-20% between runs), so each upload also reports the
# server's CPU time for it (utime+stime of the whole process, digests and inspector threads included): the figure
# that shows what inspection adds, whatever the disk does.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
timed_upload() { # base token pid -> "MiB/s cpu-seconds"; the image is deleted afterwards
  local i t0 t1 c0 c1
  i=$(new_image "$1" "$2" bench-inspect)
  c0=$(cpu_ticks "$3"); t0=$(bench_now); upload_file "$1" "$2" "$i" "$img"; t1=$(bench_now); c1=$(cpu_ticks "$3")
  curl -sf -X DELETE "$1/v2/images/$i" -H "X-Auth-Token: $2" >/dev/null
  echo "$(mibps $bytes "$(bench_elapsed "$t0" "$t1")") $(awk -v a="$c0" -v b="$c1" -v t="$(getconf CLK_TCK)" 'BEGIN{printf "%.2f", (b-a)/t}')"
}
median() { sort -n | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
on=(); off=(); on_cpu=(); off_cpu=()
for _ in $(seq "${INSPECT_RUNS:-5}"); do
  read -r r c < <(timed_upload "$base" "$token" "$pid"); on+=("$r"); on_cpu+=("$c")
  read -r r c < <(timed_upload "$base_off" "$token_off" "$pid_off"); off+=("$r"); off_cpu+=("$c")
done
on_m=$(printf '%s\n' "${on[@]}" | median); off_m=$(printf '%s\n' "${off[@]}" | median)
on_c=$(printf '%s\n' "${on_cpu[@]}" | median); off_c=$(printf '%s\n' "${off_cpu[@]}" | median)
row "(a') upload, format inspection on (median of ${INSPECT_RUNS:-5})" "$on_m" MiB/s "runs: ${on[*]}"
row "     upload, inspect_content = false (median of ${INSPECT_RUNS:-5})" "$off_m" MiB/s "runs: ${off[*]}; on/off = $(pct "$on_m" "$off_m")"
row "     server CPU per upload, inspection on (median)" "$on_c" s "runs: ${on_cpu[*]}"
row "     server CPU per upload, inspection off (median)" "$off_c" s "runs: ${off_cpu[*]}; on/off = $(pct "$on_c" "$off_c")"
kill "$pid_off" 2>/dev/null || true

# --- (c) records: creation rate, then metadata reads
lua=$(mktemp -p "$work" --suffix .lua)
cat > "$lua" <<LUA
wrk.method = "POST"
wrk.body = '$(image_body bench-record)'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Auth-Token"] = "$token"
LUA
out=$(wrk -t2 -c8 -d5s -s "$lua" "$base/v2/images"); rm -f "$lua"
row "(c) image creations (wrk POST, 8 connections)" "$(echo "$out" | awk '/Requests\/sec/{print $2}')" req/s
# top up to RECORDS images for the read tests
have=$(count_images "$base" "$token")
create_images "$base" "$token" $((have < RECORDS ? RECORDS - have : 0)) 8 > /dev/null
total=$(count_images "$base" "$token")
wrk_row() {
  local rps p50 p99 non2xx
  read -r rps p50 p99 non2xx _ < <(wrk_get "$2" "$token" "$WRK_SECONDS")
  row "$1" "$rps" req/s "p50 $p50 p99 $p99 non2xx $non2xx ($total images)"
}
wrk_row "    wrk GET /v2/images/{id}" "$base/v2/images/$id"
wrk_row "    wrk GET /v2/images?limit=20" "$base/v2/images?limit=20"
deep=$(image_at "$base" "$token" $((total * 9 / 10)))
wrk_row "    wrk GET /v2/images?limit=20&marker=<deep>" "$base/v2/images?limit=20&marker=$deep"

# --- (d) memory while CONCURRENT uploads of SIZE_MB run at once
concurrent_uploads "$base" "$token" "$img" "$CONCURRENT" "$md5" "$pid"
row "(d) peak RSS during $CONCURRENT concurrent uploads" "$CU_PEAK" MiB "idle RSS before: $CU_IDLE MiB; $CU_OK/$CONCURRENT correct; aggregate $CU_AGG MiB/s"
