#!/usr/bin/env bash
# Glint on object stores: upload and download of one image through Glint's swift and s3 stores, each next to the
# store's own raw speed measured in the same run with the same bytes (curl PUT and GET straight to Swift and to S3).
#   bench/objectstores.sh                 # 1 GiB
#   SIZE_MB=256 bench/objectstores.sh     # a quicker run
# Starts, on loopback only, a real Swift (scripts/swift.sh: Debian's packages, keystone auth against a Glint's
# built-in identity), an S3Proxy (the jar the tests use, files in a temporary folder) and a Glint with
# enabled_backends = swift:swift, s3:s3; stops them all at the end. The Glint's stores use glance_store's default
# sizes (swift segments of 200 "MB", s3 parts of 10 MB with 10 threads) and GLINT_JAVA_OPTS (default -Xmx128m... as
# ./glint serve; give it -Xmx512m for s3 parts in flight).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
. bench/lib.sh
ensure_java_maven
apt_install curl jq

SIZE_MB=${SIZE_MB:-1024}
work=${BENCH_DIR:-$here/bench/out}
mkdir -p "$work"
img="$work/random-${SIZE_MB}m.bin"
ensure_random_file "$img" "$SIZE_MB"
bytes=$((SIZE_MB << 20))
md5=$(md5sum "$img" | cut -d' ' -f1)

mvn -B -q -DskipTests package   # also copies target/s3proxy/s3proxy.jar
run=$(mktemp -d -p "$work" objectstores-XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  scripts/swift.sh stop "$run/swift"
  rm -rf "$run"
}
trap cleanup EXIT

# --- Swift
GLINT_JAR_BUILT=1 scripts/swift.sh start "$run/swift" "$(free_port)"
# shellcheck disable=SC1091
. "$run/swift/env"
swift_token=$(password_token "$SWIFT_AUTH_ADDRESS" "${SWIFT_USER#*:}" "$SWIFT_KEY" "${SWIFT_USER%%:*}")
storage=$(curl -sf -X POST "$SWIFT_AUTH_ADDRESS/auth/tokens" -H 'Content-Type: application/json' \
  -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"${SWIFT_USER#*:}\",\"domain\":{\"id\":\"default\"},\"password\":\"$SWIFT_KEY\"}}},\"scope\":{\"project\":{\"name\":\"${SWIFT_USER%%:*}\",\"domain\":{\"id\":\"default\"}}}}}" |
  jq -r '.token.catalog[] | select(.type=="object-store") | .endpoints[] | select(.interface=="public") | .url')
printf '[ref1]\nauth_version = 3\nauth_address = %s\nuser = %s\nkey = %s\n' "$SWIFT_AUTH_ADDRESS" "$SWIFT_USER" "$SWIFT_KEY" \
  >"$run/glance-swift.conf"

# --- S3Proxy
s3port=$(free_port)
mkdir -p "$run/s3data"
access=bench-access secret=bench-secret-key
printf 's3proxy.endpoint=http://127.0.0.1:%s\ns3proxy.authorization=aws-v2-or-v4\ns3proxy.identity=%s\ns3proxy.credential=%s\njclouds.provider=filesystem-nio2\njclouds.filesystem.basedir=%s\n' \
  "$s3port" "$access" "$secret" "$run/s3data" >"$run/s3proxy.properties"
java -Xmx256m -XX:+UseSerialGC -jar target/s3proxy/s3proxy.jar --properties "$run/s3proxy.properties" >"$run/s3proxy.log" 2>&1 &
pids+=($!)
wait_for 60 http_answers "http://127.0.0.1:$s3port/" || { cat "$run/s3proxy.log"; exit 1; }
s3() { curl -sf --aws-sigv4 "aws:amz:us-east-1:s3" --user "$access:$secret" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$@"; }
s3 -X PUT "http://127.0.0.1:$s3port/bench-raw" -o /dev/null
# A raw multipart upload as an S3 client makes it (parts of 10 MiB, 10 in flight, as Glint's s3 store with glance_store's
# defaults): S3Proxy's filesystem backend stores each part as a file and copies them all into the object on completion,
# so this, not the single PUT, is the bound of any multipart upload to it. The parts are cut before the clock starts.
s3_multipart_put() { # KEY
  local key=$1 url upload part
  url="http://127.0.0.1:$s3port/bench-raw/$1"
  upload=$(s3 -X POST "$url?uploads=" | sed -n 's:.*<UploadId>\(.*\)</UploadId>.*:\1:p')
  export access secret url upload
  export -f s3
  # shellcheck disable=SC2016
  find "$run/parts" -name 'part-*' | sort | awk '{ printf "%d %s\n", NR, $0 }' |
    xargs -P 10 -L 1 bash -c 's3 -X PUT "$url?partNumber=$0&uploadId=$upload" -T "$1" -D - -o /dev/null |
      tr -d "\r" | sed -n "s/^[Ee][Tt]ag: *//p" > "$1.etag"'
  { echo '<CompleteMultipartUpload>'
    for part in $(find "$run/parts" -name 'part-*' ! -name '*.etag' | sort); do
      printf '<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>\n' "$((10#${part##*part-} + 1))" "$(cat "$part.etag")"
    done
    echo '</CompleteMultipartUpload>'
  } > "$run/complete.xml"
  s3 -X POST "$url?uploadId=$upload" --data-binary @"$run/complete.xml" -o /dev/null
}
mkdir -p "$run/parts"
split -b 10M -d -a 4 "$img" "$run/parts/part-"

# --- Glint with both stores
port=$(free_port)
cat >"$run/glint.conf" <<CONF
[DEFAULT]
enabled_backends = swift:swift, s3:s3
[glance_store]
default_backend = swift
[swift]
swift_store_config_file = $run/glance-swift.conf
default_swift_reference = ref1
swift_store_container = glance
swift_store_create_container_on_put = true
[s3]
s3_store_host = http://127.0.0.1:$s3port
s3_store_access_key = $access
s3_store_secret_key = $secret
s3_store_bucket = glance
s3_store_create_bucket_on_put = true
CONF
export GLINT_ADMIN_PASSWORD=bench-secret
# shellcheck disable=SC2086
java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve --port "$port" --data-dir "$run/glint" \
  --config "$run/glint.conf" >"$run/glint.log" 2>&1 &
pids+=($!)
base="http://127.0.0.1:$port"
wait_for 60 curl -sf "$base/versions" || { cat "$run/glint.log"; exit 1; }
token=$(password_token "$base/identity/v3" admin bench-secret admin)

echo "== Glint on object stores $(date -u +%FT%TZ), $(nproc) cores, ${SIZE_MB} MiB, $(java -version 2>&1 | head -1)"
row metric value unit notes
timed() { local t0 t1; t0=$(bench_now); "$@"; t1=$(bench_now); mibps $bytes "$(bench_elapsed "$t0" "$t1")"; }

through_glint() { # STORE RAW_UP RAW_DOWN
  local id up down check
  id=$(new_image "$base" "$token" "bench-$1")
  up=$(timed curl -sf -X PUT "$base/v2/images/$id/file" -H "X-Auth-Token: $token" -H 'Content-Type: application/octet-stream' \
    -H "X-Image-Meta-Store: $1" -T "$img" -o /dev/null)
  row "glint: upload to the $1 store" "$up" MiB/s "$(pct "$up" "$2") of raw PUT"
  up_rate=$up
  check=$(curl -sf "$base/v2/images/$id" -H "X-Auth-Token: $token" | jq -r '.status + " " + .checksum + " " + .stores')
  [ "$check" = "active $md5 $1" ] && row "    status/checksum/stores" ok "" || row "    status/checksum/stores" MISMATCH "" "$check"
  down=$(timed download_file "$base" "$token" "$id")
  row "glint: download from the $1 store" "$down" MiB/s "$(pct "$down" "$3") of raw GET"
  curl -sf -X DELETE "$base/v2/images/$id" -H "X-Auth-Token: $token" -o /dev/null
}

# --- Swift: raw, then through Glint
curl -sf -X PUT "$storage/bench-raw" -H "X-Auth-Token: $swift_token" -o /dev/null
raw_up=$(timed curl -sf -X PUT "$storage/bench-raw/object" -H "X-Auth-Token: $swift_token" -T "$img" -o /dev/null)
raw_down=$(timed curl -sf "$storage/bench-raw/object" -H "X-Auth-Token: $swift_token" -o /dev/null)
row "ref: swift raw PUT (curl, one object)" "$raw_up" MiB/s
row "ref: swift raw GET (curl)" "$raw_down" MiB/s
curl -sf -X DELETE "$storage/bench-raw/object" -H "X-Auth-Token: $swift_token" -o /dev/null
through_glint swift "$raw_up" "$raw_down"

# --- S3: raw, then through Glint
raw_up=$(timed s3 -X PUT "http://127.0.0.1:$s3port/bench-raw/object" -T "$img" -o /dev/null)
raw_down=$(timed s3 "http://127.0.0.1:$s3port/bench-raw/object" -o /dev/null)
row "ref: s3 raw PUT (curl, one object)" "$raw_up" MiB/s "S3Proxy, filesystem"
row "ref: s3 raw GET (curl)" "$raw_down" MiB/s
s3 -X DELETE "http://127.0.0.1:$s3port/bench-raw/object" -o /dev/null
raw_multipart=$(timed s3_multipart_put multipart)
[ "$(s3 -I "http://127.0.0.1:$s3port/bench-raw/multipart" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: *//p')" = "$bytes" ] ||
  { echo "the raw multipart upload did not store $bytes bytes" >&2; exit 1; }
row "ref: s3 raw multipart PUT (curl, 10 MiB x 10)" "$raw_multipart" MiB/s "$(pct "$raw_multipart" "$raw_up") of one PUT"
s3 -X DELETE "http://127.0.0.1:$s3port/bench-raw/multipart" -o /dev/null
rm -rf "$run/parts"
through_glint s3 "$raw_up" "$raw_down"
row "glint: upload to the s3 store / raw multipart" "$(pct "$up_rate" "$raw_multipart")" ""
