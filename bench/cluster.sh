#!/usr/bin/env bash
# Several nodes behind nginx: what the load balancer costs and what more nodes give, on this machine.
#   bench/cluster.sh                              # 512 MiB image, 6 concurrent uploads
#   SIZE_MB=256 CONCURRENT=4 bench/cluster.sh     # quicker
# Starts three Glint nodes on one PostgreSQL database (a fresh one, dropped after), one file store directory and one
# staging directory shared by all, and two nginx instances with deploy/nginx.conf: one in front of node 1 alone,
# one in front of all three. Prints, next to this machine's durable write rate (dd conv=fdatasync) and page-cache
# read:
#   (a) one upload of SIZE_MB straight to node 1, then through nginx (node 1 alone behind it);
#   (b) one download of it straight from node 1, then through nginx;
#   (c) the aggregate rate of CONCURRENT uploads at once through nginx to 1 node, then to 3 nodes.
# Every image's checksum is checked. Loopback only. Needs curl, jq, nginx (installed with apt-get when missing).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
. bench/lib.sh
ensure_java_maven
ensure_postgresql
ensure_nginx
apt_install curl jq

SIZE_MB=${SIZE_MB:-512}
CONCURRENT=${CONCURRENT:-6}
work=${BENCH_DIR:-$here/bench/out}
mkdir -p "$work"
img="$work/random-${SIZE_MB}m.bin"
ensure_random_file "$img" "$SIZE_MB"
bytes=$(stat -c %s "$img")

# GLINT_JAR_BUILT=1: use target/glint.jar as it is
[ "${GLINT_JAR_BUILT:-0}" = 1 ] && [ -s target/glint.jar ] || mvn -B -q -DskipTests package
run=$(mktemp -d -p "$work" cluster-XXXXXX)
db="glint_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
psql -w -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $db" </dev/null
export GLINT_ADMIN_PASSWORD=bench-secret
pids=()
ports=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  psql -w -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" </dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT

for n in 1 2 3; do
  mkdir -p "$run/node$n"
  ports+=("$(free_port)")
  cat >"$run/node$n/glint.conf" <<CONF
[database]
connection = postgresql://postgres@127.0.0.1:5432/$db
[glance_store]
filesystem_store_datadir = $run/shared/images
[os_glance_staging_store]
filesystem_store_datadir = $run/shared/staging
[cluster]
shared_staging = true
CONF
done
start_node() {
  # shellcheck disable=SC2086
  java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve --port "${ports[$1]}" \
    --data-dir "$run/node$(($1 + 1))" --config "$run/node$(($1 + 1))/glint.conf" >"$run/node$(($1 + 1)).log" 2>&1 &
  pids+=($!)
}
start_node 0
wait_for 120 http_answers "http://127.0.0.1:${ports[0]}/versions" || { say "node 1 did not start"; exit 1; }
start_node 1
start_node 2
for i in 1 2; do wait_for 120 http_answers "http://127.0.0.1:${ports[$i]}/versions" || { say "node $((i + 1)) did not start"; exit 1; }; done
lb1=$(free_port)
lb3=$(free_port)
write_nginx_conf "$run/nginx1" "$lb1" "${ports[0]}"
write_nginx_conf "$run/nginx3" "$lb3" "${ports[@]}"
for d in nginx1 nginx3; do
  "$(command -v nginx || echo /usr/sbin/nginx)" -e "$run/$d/error.log" -p "$run/$d" -c "$run/$d/nginx.conf" &
  pids+=($!)
done
wait_for 30 http_answers "http://127.0.0.1:$lb1/versions"
wait_for 30 http_answers "http://127.0.0.1:$lb3/versions"

machine_refs "$img"
direct="http://127.0.0.1:${ports[0]}"
token=$(password_token "$direct/identity/v3" admin "$GLINT_ADMIN_PASSWORD" admin)

timed_upload() {   # timed_upload BASE ID → MiB/s, the checksum checked
  local t0 t1
  t0=$(bench_now); upload_file "$1" "$token" "$2" "$img"; t1=$(bench_now)
  [ "$(image_check "$1" "$token" "$2" | cut -d' ' -f2)" = "$MD5" ] || { say "checksum mismatch on $2"; exit 1; }
  mibps "$bytes" "$(bench_elapsed "$t0" "$t1")"
}
timed_download() {  # timed_download BASE ID → MiB/s (best of two: the first warms the page cache)
  local t0 t1 a b
  t0=$(bench_now); download_file "$1" "$token" "$2"; t1=$(bench_now); a=$(mibps "$bytes" "$(bench_elapsed "$t0" "$t1")")
  t0=$(bench_now); download_file "$1" "$token" "$2"; t1=$(bench_now); b=$(mibps "$bytes" "$(bench_elapsed "$t0" "$t1")")
  awk -v a="$a" -v b="$b" 'BEGIN{print (a > b ? a : b)}'
}

id_direct=$(new_image "$direct" "$token" bench-cluster-direct)
id_lb=$(new_image "$direct" "$token" bench-cluster-lb)
up_direct=$(timed_upload "$direct" "$id_direct")
up_lb=$(timed_upload "http://127.0.0.1:$lb1" "$id_lb")
down_direct=$(timed_download "$direct" "$id_lb")
down_lb=$(timed_download "http://127.0.0.1:$lb1" "$id_lb")
concurrent_uploads "http://127.0.0.1:$lb1" "$token" "$img" "$CONCURRENT" "$MD5" "${pids[0]}"
agg1=$CU_AGG ok1=$CU_OK
concurrent_uploads "http://127.0.0.1:$lb3" "$token" "$img" "$CONCURRENT" "$MD5" "${pids[0]}"
agg3=$CU_AGG ok3=$CU_OK
served=$(awk '$2 == "PUT" {print $1}' "$run/nginx3/access.log" | sort | uniq -c | awk '{printf "%s%s:%s", s, $2, $1; s=" "}')

printf '%s, %s cores, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc)" "$(uptime | sed 's/.*load average/load average/')"
row metric value unit notes
row "ref: read ${SIZE_MB} MiB from page cache" "$REF_CACHE" MiB/s
row "ref: dd ${SIZE_MB} MiB conv=fdatasync" "$REF_DD" MiB/s
row "(a) upload, straight to node 1" "$up_direct" MiB/s "$(pct "$up_direct" "$REF_DD") of dd fdatasync write"
row "(a) upload, through nginx (node 1 behind it)" "$up_lb" MiB/s "$(pct "$up_lb" "$up_direct") of straight"
row "(b) download, straight from node 1" "$down_direct" MiB/s "$(pct "$down_direct" "$REF_CACHE") of page-cache read"
row "(b) download, through nginx" "$down_lb" MiB/s "$(pct "$down_lb" "$down_direct") of straight"
row "(c) $CONCURRENT concurrent uploads via nginx, 1 node" "$agg1" MiB/s "aggregate; $ok1/$CONCURRENT checksums ok"
row "(c) $CONCURRENT concurrent uploads via nginx, 3 nodes" "$agg3" MiB/s "aggregate; $ok3/$CONCURRENT checksums ok; PUTs per node: $served"
