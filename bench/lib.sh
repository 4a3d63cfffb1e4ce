# shellcheck shell=bash
# Shared by bench/bench.sh (Glint alone) and bench/compare.sh (Glint against Glance 25.1), sourced, not run: the
# measurements themselves, so that every figure is taken the same way whichever server is measured. Each function
# talks HTTP to the base URL it is given, on loopback only. Needs curl, jq, wrk, awk.

bench_now() { date +%s.%N; }
bench_elapsed() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }
mibps() { awk -v b="$1" -v s="$2" 'BEGIN{printf "%.1f", b/1048576/s}'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.0f%%", 100*a/b}'; }
row() { printf '%-52s %12s  %-6s %s\n' "$1" "$2" "$3" "${4:-}"; }

# A file of $2 MiB of random bytes at $1, made once (atomically: a second run may share it).
ensure_random_file() {
  local f=$1 mb=$2
  [ -f "$f" ] && [ "$(stat -c %s "$f")" = $((mb << 20)) ] && return 0
  head -c $((mb << 20)) /dev/urandom > "$f.$$" && mv "$f.$$" "$f"
}

# This machine's limits on file $1 (in the same directory as the data): sets REF_CACHE (page-cache read), REF_DD
# (dd conv=fdatasync write), REF_MD5, REF_SHA (MiB/s) and MD5, SHA (the file's digests).
machine_refs() {
  local img=$1 bytes t0 t1
  bytes=$(stat -c %s "$img")
  cat "$img" > /dev/null   # warm
  t0=$(bench_now); dd if="$img" of=/dev/null bs=1M status=none; t1=$(bench_now)
  REF_CACHE=$(mibps "$bytes" "$(bench_elapsed "$t0" "$t1")")
  t0=$(bench_now); dd if="$img" of="$img.dd" bs=1M conv=fdatasync status=none; t1=$(bench_now); rm -f "$img.dd"
  REF_DD=$(mibps "$bytes" "$(bench_elapsed "$t0" "$t1")")
  t0=$(bench_now); MD5=$(md5sum < "$img" | cut -d' ' -f1); t1=$(bench_now)
  REF_MD5=$(mibps "$bytes" "$(bench_elapsed "$t0" "$t1")")
  t0=$(bench_now); SHA=$(sha512sum < "$img" | cut -d' ' -f1); t1=$(bench_now)
  REF_SHA=$(mibps "$bytes" "$(bench_elapsed "$t0" "$t1")")
}

# A project-scoped Keystone v3 token: password_token AUTH_URL USER PASSWORD PROJECT (AUTH_URL ends in /v3).
password_token() {
  curl -si -X POST "$1/auth/tokens" -H 'Content-Type: application/json' \
    -d "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"$2\",\"domain\":{\"name\":\"Default\"},\"password\":\"$3\"}}},\"scope\":{\"project\":{\"name\":\"$4\",\"domain\":{\"name\":\"Default\"}}}}}" \
    | awk 'tolower($1)=="x-subject-token:"{print $2}' | tr -d '\r'
}

# POST /v2/images: new_image BASE TOKEN NAME → prints the id. The same body for every image of every benchmark.
image_body() { printf '{"name":"%s","disk_format":"raw","container_format":"bare","tags":["bench"],"bench_prop":"x"}' "$1"; }
new_image() {
  curl -sf -X POST "$1/v2/images" -H "X-Auth-Token: $2" -H 'Content-Type: application/json' -d "$(image_body "$3")" \
    | jq -r .id
}

# PUT /v2/images/{id}/file: upload_file BASE TOKEN ID FILE.
upload_file() {
  curl -sf -X PUT "$1/v2/images/$3/file" -H "X-Auth-Token: $2" -H 'Content-Type: application/octet-stream' \
    -T "$4" -o /dev/null
}

# GET /v2/images/{id}/file to /dev/null: download_file BASE TOKEN ID.
download_file() { curl -sf "$1/v2/images/$3/file" -H "X-Auth-Token: $2" -o /dev/null; }

# "status checksum os_hash_value" of an image: image_check BASE TOKEN ID.
image_check() {
  curl -sf "$1/v2/images/$3" -H "X-Auth-Token: $2" | jq -r '[.status, .checksum, .os_hash_value] | join(" ")'
}

# Creates $3 images through the API with $4 parallel curl processes (bodies as new_image); prints how many got 201.
create_images() {
  local base=$1 token=$2 n=$3 par=$4
  [ "$n" -gt 0 ] || { echo 0; return; }
  seq -w 1 "$n" | xargs -P "$par" -I{} curl -s -o /dev/null -w '%{http_code}\n' -X POST "$base/v2/images" \
    -H "X-Auth-Token: $token" -H 'Content-Type: application/json' \
    -d '{"name":"bench-rec-{}","disk_format":"raw","container_format":"bare","tags":["bench"],"bench_prop":"x"}' \
    | grep -c '^201$' || true
}

# The number of images the token sees, by paging GET /v2/images?limit=1000 (1000 is Glance's api_limit_max).
count_images() {
  local base=$1 token=$2 marker="" n=0 page got
  while :; do
    page=$(curl -sf "$base/v2/images?limit=1000${marker:+&marker=$marker}" -H "X-Auth-Token: $token") || return 1
    got=$(jq '.images | length' <<<"$page")
    n=$((n + got))
    [ "$got" -gt 0 ] && [ "$(jq -r '.next // empty' <<<"$page")" != "" ] || break
    marker=$(jq -r '.images[-1].id' <<<"$page")
  done
  echo "$n"
}

# The id of the image at 0-based position $3 of GET /v2/images in its default order (created_at desc), by paging.
image_at() {
  local base=$1 token=$2 pos=$3 marker="" page got
  while :; do
    page=$(curl -sf "$base/v2/images?limit=1000${marker:+&marker=$marker}" -H "X-Auth-Token: $token") || return 1
    got=$(jq '.images | length' <<<"$page")
    [ "$got" -gt 0 ] || return 1
    if [ "$pos" -lt "$got" ]; then jq -r ".images[$pos].id" <<<"$page"; return 0; fi
    pos=$((pos - got))
    marker=$(jq -r '.images[-1].id' <<<"$page")
  done
}

# wrk on a GET: wrk_get URL TOKEN SECONDS → prints "rps p50 p99 non2xx socket_errors" (latencies as wrk prints them,
# e.g. 10.65ms). 2 threads, 32 connections, the token sent by the same Lua script on both sides, and a 30 s timeout
# (wrk's default of 2 s drops the slow responses from the latency figures).
wrk_get() {
  local url=$1 token=$2 secs=$3 lua out
  lua=$(mktemp --suffix .lua)
  printf 'wrk.headers["X-Auth-Token"] = "%s"\n' "$token" > "$lua"
  out=$(wrk -t2 -c32 -d"${secs}s" --timeout 30s --latency -s "$lua" "$url" 2>&1) || true
  rm -f "$lua"
  awk '/^Requests\/sec/{r=$2} $1=="50%"{p50=$2} $1=="99%"{p99=$2} /Non-2xx/{bad=$NF}
       /Socket errors/{gsub(",", ""); err=$4+$6+$8+$10}
       END{printf "%s %s %s %s %s\n", (r=="" ? "ERR" : r), (p50=="" ? "?" : p50), (p99=="" ? "?" : p99), (bad=="" ? 0 : bad),
           (err=="" ? 0 : err)}' <<<"$out"
}

# wrk latency (10.65ms, 1.02s, 850.00us) in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0;
    else if (v ~ /m$/) printf "%.2f", v*60000; else if (v ~ /s$/) printf "%.2f", v*1000; else print "nan" }'
}

# Image create + upload of FILE by CLIENTS clients at once, COUNT images in all:
# small_uploads BASE TOKEN FILE COUNT CLIENTS → prints "images_per_second ok_count".
small_uploads() {
  local base=$1 token=$2 file=$3 count=$4 clients=$5 t0 t1 ok
  export BENCH_BASE=$base BENCH_TOKEN=$token BENCH_FILE=$file
  t0=$(bench_now)
  # shellcheck disable=SC2016
  ok=$(seq -w 1 "$count" | xargs -P "$clients" -I{} bash -c '
      id=$(curl -sf -X POST "$BENCH_BASE/v2/images" -H "X-Auth-Token: $BENCH_TOKEN" -H "Content-Type: application/json" \
        -d "{\"name\":\"bench-small-$1\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}" | jq -r .id) &&
      curl -sf -X PUT "$BENCH_BASE/v2/images/$id/file" -H "X-Auth-Token: $BENCH_TOKEN" \
        -H "Content-Type: application/octet-stream" -T "$BENCH_FILE" -o /dev/null && echo ok' _ {} | grep -c '^ok$' || true)
  t1=$(bench_now)
  echo "$(awk -v n="$ok" -v s="$(bench_elapsed "$t0" "$t1")" 'BEGIN{printf "%.1f", n/s}') $ok"
}

# A pid and all its descendants, one a line.
tree_pids() { echo "$1"; local c; for c in $(pgrep -P "$1"); do tree_pids "$c"; done; }
# Sum over pids of a /proc status field (VmRSS, VmHWM) in MiB.
sum_status_mib() {
  local field=$1 p kb sum=0
  shift
  for p in "$@"; do
    kb=$(awk -v f="$field:" '$1==f{print $2}' "/proc/$p/status" 2>/dev/null || true)
    sum=$((sum + ${kb:-0}))
  done
  echo $((sum / 1024))
}
# Sum over pids of the proportional set size (Pss: pages shared between processes, as Glance's forked workers share,
# counted once in all) in MiB.
sum_pss_mib() {
  local p sum=0 kb
  for p in "$@"; do
    kb=$(awk '/^Pss:/{print $2; exit}' "/proc/$p/smaps_rollup" 2>/dev/null || true)
    sum=$((sum + ${kb:-0}))
  done
  echo $((sum / 1024))
}
# Resets the peak RSS (VmHWM) of the pids to their current RSS.
reset_hwm() { local p; for p in "$@"; do echo 5 > "/proc/$p/clear_refs" 2>/dev/null || true; done; }

# N concurrent uploads of FILE to N new images while watching the memory of the server process ROOTPID and all
# its descendants (Glance's workers): concurrent_uploads BASE TOKEN FILE N MD5 ROOTPID. Sets CU_IDLE (sum of VmRSS
# just before, MiB), CU_PEAK (sum of each process's VmHWM, reset just before), CU_SAMPLED (largest sum of VmRSS
# seen at one time, sampled every 0.2 s), CU_NPROCS, CU_AGG (aggregate MiB/s) and CU_OK (images with the right
# checksum), and CU_IDLE_PSS and CU_PSS (largest sum of Pss sampled at one time).
concurrent_uploads() {
  local base=$1 token=$2 file=$3 n=$4 md5=$5 root=$6 pids ids=() i t0 t1 sampler maxf jobs_=()
  mapfile -t pids < <(tree_pids "$root")
  CU_NPROCS=${#pids[@]}
  for i in $(seq "$n"); do ids+=("$(new_image "$base" "$token" "bench-par-$i")"); done
  CU_IDLE=$(sum_status_mib VmRSS "${pids[@]}")
  CU_IDLE_PSS=$(sum_pss_mib "${pids[@]}")
  reset_hwm "${pids[@]}"
  maxf=$(mktemp)
  echo 0 0 > "$maxf"
  ( m=0 q=0; while :; do s=$(sum_status_mib VmRSS "${pids[@]}"); t=$(sum_pss_mib "${pids[@]}")
      [ "$s" -gt "$m" ] && m=$s; [ "$t" -gt "$q" ] && q=$t; echo "$m $q" > "$maxf.new"; mv "$maxf.new" "$maxf"
      sleep 0.2; done ) &
  sampler=$!
  t0=$(bench_now)
  for i in "${ids[@]}"; do upload_file "$base" "$token" "$i" "$file" & jobs_+=($!); done
  wait "${jobs_[@]}" 2>/dev/null || true
  t1=$(bench_now)
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
  CU_PEAK=$(sum_status_mib VmHWM "${pids[@]}")
  read -r CU_SAMPLED CU_PSS < "$maxf"; rm -f "$maxf" "$maxf.new"
  CU_AGG=$(mibps $(( $(stat -c %s "$file") * n )) "$(bench_elapsed "$t0" "$t1")")
  CU_OK=0
  for i in "${ids[@]}"; do
    [ "$(curl -sf "$base/v2/images/$i" -H "X-Auth-Token: $token" | jq -r .checksum)" = "$md5" ] && CU_OK=$((CU_OK + 1))
  done
  return 0
}

load_done() { { [ -e "$1/done-1" ] && [ -e "$1/done-2" ]; } || ! kill -0 "$2" 2>/dev/null; }
# Adds N images (bodies as new_image, names numbered) quickly: wrk POSTs on 8 connections, each of its 2 threads
# stopping after its share and saying so in a file (wrk itself would wait out its -d), then curl for the exact
# remainder. load_images BASE TOKEN N.
load_images() {
  local base=$1 token=$2 n=$3 quota dir before after wpid
  quota=$(( (n - 16) / 2 ))
  before=$(count_images "$base" "$token")
  if [ "$quota" -gt 0 ]; then
    dir=$(mktemp -d)
    cat > "$dir/load.lua" <<LUA
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads); thread:set("quota", $quota) end
local sent, got = 0, 0
function request()
  sent = sent + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Auth-Token"] = "$token"},
    string.format('{"name":"bench-load-%d-%06d","disk_format":"raw","container_format":"bare","tags":["bench"],"bench_prop":"x"}', tid, sent))
end
function response(status)
  got = got + 1
  if got == quota then io.open("$dir/done-" .. tid, "w"):close(); wrk.thread:stop() end
end
LUA
    wrk -t2 -c8 -d3600s --timeout 60s -s "$dir/load.lua" "$base/v2/images" > /dev/null 2>&1 &
    wpid=$!
    wait_for 3600 load_done "$dir" "$wpid" || true
    kill "$wpid" 2>/dev/null || true
    wait "$wpid" 2>/dev/null || true
    rm -rf "$dir"
  fi
  # POSTs that were in flight when wrk stopped may still be committing: count until two counts a second apart agree
  after=$(count_images "$base" "$token")
  for _ in $(seq 30); do
    sleep 1
    [ "$(count_images "$base" "$token")" = "$after" ] && break
    after=$(count_images "$base" "$token")
  done
  create_images "$base" "$token" $((n - (after - before))) 8 > /dev/null
}

# One pass over GET /v2/images?limit=1000 in its default order: catalogue_scan BASE TOKEN POS... → prints the number
# of images, then the id at each 0-based position POS ("-" past the end).
catalogue_scan() {
  local base=$1 token=$2 marker="" page all=""
  shift 2
  while :; do
    page=$(curl -sf "$base/v2/images?limit=1000${marker:+&marker=$marker}" -H "X-Auth-Token: $token") || return 1
    all+=$(jq -r '.images[].id' <<<"$page")$'\n'
    [ "$(jq '.images | length' <<<"$page")" -gt 0 ] && [ -n "$(jq -r '.next // empty' <<<"$page")" ] || break
    marker=$(jq -r '.images[-1].id' <<<"$page")
  done
  awk -v want="$*" 'NF{ids[n++]=$1} END{printf "%d", n; k=split(want, w, " "); for (i=1;i<=k;i++) printf " %s", (w[i] < n ? ids[w[i]] : "-"); print ""}' <<<"$all"
}
