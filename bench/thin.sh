#!/usr/bin/env bash
# Thin provisioning (glance_store's filesystem_thin_provisioning): a sparse raw image, as a fresh cloud image is
# (SIZE_MB of zeros with DATA_MB of random data in 1 MiB pieces spread over it), uploaded to two Glints that differ
# only in that option; prints the disk space each stored copy takes (du) and the upload speed, beside the image's
# own apparent and allocated size. Sends traffic to 127.0.0.1 only.
#   bench/thin.sh                       # 1 GiB image, 64 MiB of data
#   SIZE_MB=4096 DATA_MB=256 bench/thin.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
. bench/lib.sh
ensure_java_maven
apt_install curl jq qemu-utils

SIZE_MB=${SIZE_MB:-1024}
DATA_MB=${DATA_MB:-64}
work=${BENCH_DIR:-$here/bench/out}
mkdir -p "$work"
img="$work/sparse-${SIZE_MB}m-${DATA_MB}m.raw"
if [ ! -f "$img" ]; then
  qemu-img create -q -f raw "$img" "${SIZE_MB}M"
  for i in $(seq 0 $((DATA_MB - 1))); do   # 1 MiB of data every SIZE_MB/DATA_MB MiB
    dd if=/dev/urandom of="$img" bs=1M count=1 seek=$((i * SIZE_MB / DATA_MB)) conv=notrunc status=none
  done
fi
md5=$(md5sum <"$img" | cut -d' ' -f1)

mvn -B -q -DskipTests package
export GLINT_ADMIN_PASSWORD=bench-secret
start() { # name thin -> "pid port datadir"
  local port data
  port=$(free_port); data=$(mktemp -d -p "$work" "data-$1-XXXXXX")
  printf '[glance_store]\nfilesystem_thin_provisioning = %s\n' "$2" >"$data/glint.conf"
  java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve --port "$port" \
    --data-dir "$data" --config "$data/glint.conf" >"$work/glint-$1.log" 2>&1 &
  echo "$! $port $data"
}
read -r pid_thin port_thin data_thin < <(start thin true)
read -r pid_full port_full data_full < <(start full false)
cleanup() { kill "$pid_thin" "$pid_full" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$data_thin" "$data_full"; }
trap cleanup EXIT
for p in "$port_thin" "$port_full"; do
  wait_for 60 curl -sf "http://127.0.0.1:$p/versions" || { cat "$work"/glint-*.log; exit 1; }
done

echo "== thin provisioning $(date -u +%FT%TZ), $(nproc) cores, image ${SIZE_MB} MiB with ${DATA_MB} MiB of data"
row metric value unit notes
row "image: apparent size" "$SIZE_MB" MiB
row "image: allocated (du)" "$(du -m "$img" | cut -f1)" MiB "the file qemu-img and dd made"
for which in thin full; do
  if [ "$which" = thin ]; then base="http://127.0.0.1:$port_thin"; data=$data_thin; else base="http://127.0.0.1:$port_full"; data=$data_full; fi
  token=$(password_token "$base/identity/v3" admin bench-secret admin)
  id=$(new_image "$base" "$token" "bench-thin")
  t0=$(bench_now); upload_file "$base" "$token" "$id" "$img"; t1=$(bench_now)
  got=$(curl -sf "$base/v2/images/$id" -H "X-Auth-Token: $token" | jq -r .checksum)
  [ "$got" = "$md5" ] || { echo "checksum mismatch on $which: $got != $md5"; exit 1; }
  [ "$(curl -sf "$base/v2/images/$id/file" -H "X-Auth-Token: $token" | md5sum | cut -d' ' -f1)" = "$md5" ] ||
    { echo "download differs on $which"; exit 1; }
  row "stored, filesystem_thin_provisioning = $([ $which = thin ] && echo true || echo false)" \
    "$(du -m "$data/images/$id" | cut -f1)" MiB "upload $(mibps $((SIZE_MB << 20)) "$(bench_elapsed "$t0" "$t1")") MiB/s; download md5 ok"
done
