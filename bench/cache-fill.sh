#!/usr/bin/env bash
# The image cache filled by downloads: N concurrent cold downloads of one image (the cache empty), from the file store
# and from an s3 store (S3Proxy, filesystem backend, on loopback), against one cold download, one warm (cached)
# download and N concurrent downloads of a Glint without the cache. Prints the bytes read from the store (Glint's
# glint_store_read_bytes_total) and the aggregate throughput, next to this machine's page-cache read.
#   bench/cache-fill.sh                       # 1 GiB image, 16 concurrent downloads
#   SIZE_MB=256 CONCURRENT=8 bench/cache-fill.sh
# Sends traffic to 127.0.0.1 only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
. bench/lib.sh
ensure_java_maven
apt_install curl jq

SIZE_MB=${SIZE_MB:-1024}
CONCURRENT=${CONCURRENT:-16}
work=${BENCH_DIR:-$here/bench/out}
mkdir -p "$work"
img="$work/random-${SIZE_MB}m.bin"
ensure_random_file "$img" "$SIZE_MB"
bytes=$((SIZE_MB << 20))

mvn -B -q -DskipTests package   # also puts S3Proxy's jar in target/s3proxy
java_opts=${GLINT_JAVA_OPTS:--Xms32m -Xmx256m -XX:+UseSerialGC}
run=$(mktemp -d -p "$work" cachefill-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$run"
}
trap cleanup EXIT

# S3Proxy on loopback, files under $run/s3
s3port=$(free_port)
mkdir -p "$run/s3"
cat > "$run/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$s3port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench-access
s3proxy.credential=bench-secret
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$run/s3
PROPS
java -Xmx512m -jar target/s3proxy/s3proxy.jar --properties "$run/s3proxy.properties" > "$run/s3proxy.log" 2>&1 &
pids+=($!)
wait_for 60 curl -s -o /dev/null "http://127.0.0.1:$s3port/" || { cat "$run/s3proxy.log"; exit 1; }

# start_glint NAME CACHE(on|off) → sets BASE and MPORT; both Glints share the database and the stores
start_glint() {
  local name=$1 cache=$2 port mport
  port=$(free_port); mport=$(free_port)
  mkdir -p "$run/$name"
  {
    echo "[DEFAULT]"
    echo "enabled_backends = fast:file, objects:s3"
    [ "$cache" = on ] && echo "image_cache_dir = $run/$name/image-cache"
    echo "image_cache_max_size = $((4 * bytes))"
    echo "[glance_store]"; echo "default_backend = fast"
    echo "[fast]"; echo "filesystem_store_datadir = $run/images"
    echo "[objects]"; echo "s3_store_host = http://127.0.0.1:$s3port"; echo "s3_store_access_key = bench-access"
    echo "s3_store_secret_key = bench-secret"; echo "s3_store_bucket = glint-bench"; echo "s3_store_create_bucket_on_put = true"
    echo "[database]"; echo "connection = jdbc:sqlite:$run/glint.db"
    echo "[metrics]"; echo "enabled = true"; echo "bind_port = $mport"
  } > "$run/$name/glint.conf"
  # shellcheck disable=SC2086
  GLINT_ADMIN_PASSWORD=bench-secret java $java_opts -jar target/glint.jar serve --port "$port" --data-dir "$run/$name" \
    --config "$run/$name/glint.conf" > "$run/$name.log" 2>&1 &
  pids+=($!)
  wait_for 60 curl -sf "http://127.0.0.1:$port/versions" || { cat "$run/$name.log"; exit 1; }
  BASE="http://127.0.0.1:$port"; MPORT=$mport
}
store_read() { # MPORT STORE → bytes read from STORE so far
  curl -sf "http://127.0.0.1:$1/metrics" | awk -v s="store=\"$2\"" 'index($0, "glint_store_read_bytes_total{") == 1 && index($0, s) {printf "%.0f", $2}'
}
gib() { awk -v b="$1" 'BEGIN{printf "%.2f", b/1073741824}'; }

start_glint cached on; base=$BASE; mport=$MPORT
token=$(password_token "$base/identity/v3" admin bench-secret admin)
start_glint plain off; base_plain=$BASE; mport_plain=$MPORT
token_plain=$(password_token "$base_plain/identity/v3" admin bench-secret admin)

echo "== Glint cache fill benchmark $(date -u +%FT%TZ), $(nproc) cores, $(java -version 2>&1 | head -1), ${SIZE_MB} MiB image, $CONCURRENT concurrent"
row metric value unit notes
machine_refs "$img"
row "ref: read ${SIZE_MB} MiB from page cache" "$REF_CACHE" MiB/s
row "ref: md5sum" "$REF_MD5" MiB/s "a fill checks the MD5 as it writes"

# downloads BASE TOKEN ID N → aggregate MiB/s of N concurrent downloads, each checked for its size
downloads() {
  local b=$1 t=$2 id=$3 n=$4 t0 t1 i bad=0
  t0=$(bench_now)
  for i in $(seq "$n"); do
    curl -sf "$b/v2/images/$id/file" -H "X-Auth-Token: $t" -o /dev/null -w '%{size_download}\n' > "$run/dl-$i" &
  done
  wait   # in this command substitution's subshell: its curl jobs only
  t1=$(bench_now)
  for i in $(seq "$n"); do [ "$(cat "$run/dl-$i")" = "$bytes" ] || bad=$((bad + 1)); done
  [ "$bad" = 0 ] || { echo "$bad download(s) incomplete" >&2; exit 1; }
  mibps $((n * bytes)) "$(bench_elapsed "$t0" "$t1")"
}

for store in fast objects; do
  id=$(new_image "$base" "$token" "bench-$store")
  curl -sf -X PUT "$base/v2/images/$id/file" -H "X-Auth-Token: $token" -H 'Content-Type: application/octet-stream' \
    -H "X-Image-Meta-Store: $store" -T "$img" -o /dev/null
  kind=$([ "$store" = fast ] && echo file || echo s3)
  cat "$img" > /dev/null  # the file store's copy and the S3Proxy file are read through the page cache like the ref

  # (1) one cold download: the cache empty
  curl -sf -X DELETE "$base/v2/cache" -H "X-Auth-Token: $token"
  r0=$(store_read "$mport" "$store")
  one=$(downloads "$base" "$token" "$id" 1)
  r1=$(store_read "$mport" "$store")
  row "$kind: 1 cold download (fills the cache)" "$one" MiB/s "store read $(gib $((r1 - r0))) GiB"
  # (2) one warm download: served from the cache
  warm=$(downloads "$base" "$token" "$id" 1)
  r2=$(store_read "$mport" "$store")
  row "$kind: 1 warm download (cache hit)" "$warm" MiB/s "store read $(gib $((r2 - r1))) GiB"
  # (3) N concurrent cold downloads: one fill, every download reads behind it
  curl -sf -X DELETE "$base/v2/cache" -H "X-Auth-Token: $token"
  r3=$(store_read "$mport" "$store")
  cold=$(downloads "$base" "$token" "$id" "$CONCURRENT")
  r4=$(store_read "$mport" "$store")
  row "$kind: $CONCURRENT concurrent cold downloads" "$cold" MiB/s "aggregate; store read $(gib $((r4 - r3))) GiB"
  # (4) N concurrent warm downloads
  hot=$(downloads "$base" "$token" "$id" "$CONCURRENT")
  r5=$(store_read "$mport" "$store")
  row "$kind: $CONCURRENT concurrent warm downloads" "$hot" MiB/s "aggregate; store read $(gib $((r5 - r4))) GiB"
  # (5) N concurrent downloads from a Glint without the cache (same database and stores)
  p0=$(store_read "$mport_plain" "$store"); p0=${p0:-0}
  plain=$(downloads "$base_plain" "$token_plain" "$id" "$CONCURRENT")
  p1=$(store_read "$mport_plain" "$store")
  row "$kind: $CONCURRENT concurrent downloads, no cache" "$plain" MiB/s "aggregate; store read $(gib $((p1 - p0))) GiB"
done
