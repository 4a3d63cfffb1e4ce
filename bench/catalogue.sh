#!/usr/bin/env bash
# Catalogue benchmark (issue 13): one list query of each shape Glance accepts, against a catalogue grown to 1k, 10k,
# 100k (and with SIZES="... 1000000" 1M) images, on each database. Prints req/s, p50 and p99 of each shape at each
# size, and the req/s ratio to the first size: a shape whose cost is flat keeps a ratio near 1.
#   bench/catalogue.sh                                    # sqlite postgresql mariadb, 1k 10k 100k
#   DATABASES=sqlite SIZES="1000 10000 100000 1000000" bench/catalogue.sh
# The catalogue is filled by glint.bench.CatalogueFill (test classes): JdbcImageRepository.insertAll, the statements
# the API writes, batched. At each size one image is also created and uploaded through the API and read back, and
# listed by name. Then: image creations by 8 concurrent clients (req/s, p50, p99). Loopback only.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
. bench/lib.sh
ensure_java_maven
apt_install wrk curl jq

DATABASES=${DATABASES:-sqlite postgresql mariadb}
SIZES=${SIZES:-1000 10000 100000}
WRK_SECONDS=${WRK_SECONDS:-5}
work=${BENCH_DIR:-$here/bench/out}
mkdir -p "$work"

mvn -B -q -DskipTests package test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
fill_cp="target/classes:target/test-classes:$(cat "$work/cp.txt")"
JAVA_OPTS=${GLINT_JAVA_OPTS:--Xms64m -Xmx512m -XX:+UseSerialGC}

# The id of catalogue image i (CatalogueFill.image: Java's UUID.nameUUIDFromBytes, an MD5 name-based UUID).
image_id() { /usr/bin/python3 -c 'import hashlib,sys,uuid; print(uuid.UUID(bytes=hashlib.md5(("glint-bench-"+sys.argv[1]).encode()).digest(), version=3))' "$1"; }

# wrk with 2 threads and 16 connections: "rps p50 p99 non2xx" (latencies in ms).
wrk16() {
  local url=$1 lua out
  lua=$(mktemp -p "$work" --suffix .lua)
  printf 'wrk.headers["X-Auth-Token"] = "%s"\n' "$token" > "$lua"
  [ -n "${2:-}" ] && printf 'wrk.method = "POST"\nwrk.body = %s\nwrk.headers["Content-Type"] = "application/json"\n' "$2" >> "$lua"
  out=$(wrk -t2 -c"${3:-16}" -d"${WRK_SECONDS}s" --timeout 30s --latency -s "$lua" "$url" 2>&1) || true
  rm -f "$lua"
  awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
       /^Requests\/sec/{r=$2} $1=="50%"{p50=ms($2)} $1=="99%"{p99=ms($2)} /Non-2xx/{bad=$NF}
       END{printf "%s %.2f %.2f %s\n", (r=="" ? "ERR" : r), p50, p99, (bad=="" ? 0 : bad)}' <<<"$out"
}

start_glint() {
  local db=$1 url=$2
  data=$(mktemp -d -p "$work" catalogue-XXXXXX)
  port=$(free_port)
  printf '[database]\nconnection = %s\n' "$url" > "$data/glint.conf"
  export GLINT_ADMIN_PASSWORD=bench-secret
  # shellcheck disable=SC2086
  (cd "$here" || exit; exec java $JAVA_OPTS -jar target/glint.jar serve --port "$port" --data-dir "$data" \
     --config "$data/glint.conf" >"$work/catalogue-$db.log" 2>&1) &
  pid=$!
  wait_for 120 curl -sf "http://127.0.0.1:$port/versions" >/dev/null || { tail -50 "$work/catalogue-$db.log"; exit 1; }
  base="http://127.0.0.1:$port"
  token=$(password_token "$base/identity/v3" admin bench-secret admin)
}
stop_glint() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap 'stop_glint' EXIT

fresh_database() {
  local name=glint_catalogue_bench
  case $1 in
    sqlite) echo "jdbc:sqlite:$work/catalogue-sqlite/glint.db"; rm -rf "$work/catalogue-sqlite" ;;
    postgresql)
      psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" -c "CREATE DATABASE $name" >/dev/null
      echo "jdbc:postgresql://127.0.0.1:5432/$name?user=postgres" ;;
    mariadb)
      mysql -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
      echo "jdbc:mariadb://127.0.0.1:3306/$name?user=root" ;;
  esac
}

# The planner statistics a long-running server has: SQLite's PRAGMA optimize (Glint's own, every 10 min), what
# autovacuum / InnoDB's automatic recalculation would do by then on the others.
analyze() {
  case $1 in
    sqlite) : ;;  # CatalogueFill ends with Database.refreshStatistics
    postgresql) psql -q -h 127.0.0.1 -U postgres -d glint_catalogue_bench -c ANALYZE ;;
    mariadb) mysql -h 127.0.0.1 -u root glint_catalogue_bench -e \
      "ANALYZE TABLE images, image_tags, image_properties, image_members, image_locations" >/dev/null ;;
  esac
}

echo "== Glint catalogue benchmark $(date -u +%FT%TZ), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(java -version 2>&1 | head -1), $(git rev-parse --short HEAD)"
echo "   wrk -t2 -c16 -d${WRK_SECONDS}s per shape; admin token; ratio = req/s / req/s at the first size"
for db in $DATABASES; do
  case $db in postgresql) ensure_postgresql ;; mariadb) ensure_mariadb ;; esac
  url=$(fresh_database "$db")
  start_glint "$db" "$url"
  declare -A first=()
  for n in $SIZES; do
    t0=$(bench_now)
    java -cp "$fill_cp" glint.bench.CatalogueFill "$url" "$n" 2>/dev/null | grep -v DEBUG || true
    analyze "$db"
    fill_s=$(bench_elapsed "$t0" "$(bench_now)")
    # one image through the API: created, uploaded, read back and found by name
    check=$(new_image "$base" "$token" "catalogue-check-$n")
    head -c 65536 /dev/urandom > "$work/check.bin"
    upload_file "$base" "$token" "$check" "$work/check.bin"
    got=$(image_check "$base" "$token" "$check")
    listed=$(curl -sf "$base/v2/images?name=catalogue-check-$n" -H "X-Auth-Token: $token" | jq '.images | length')
    [ "${got%% *}" = active ] && [ "$listed" = 1 ] || { echo "API check failed at $n: $got, listed $listed"; exit 1; }
    echo "-- $db, $n images (fill ${fill_s}s; API check: $got listed=$listed)"
    printf '%-72s %10s %9s %9s %7s\n' shape req/s p50_ms p99_ms ratio
    mid=$(image_id $((n / 2)))
    firstid=$(curl -sf "$base/v2/images?limit=1&sort_key=name&sort_dir=asc" -H "X-Auth-Token: $token" | jq -r '.images[0].id')
    shapes=(
      "GET /v2/images/{id}|/v2/images/$mid"
      "?limit=20|/v2/images?limit=20"
      "?limit=20&os_distro=d3|/v2/images?limit=20&os_distro=d3"
      "?limit=20&tag=t7|/v2/images?limit=20&tag=t7"
      "?limit=20&tag=t7&tag=t8|/v2/images?limit=20&tag=t7&tag=t8"
      "?limit=20&sort_key=name&sort_dir=asc&marker=<first>|/v2/images?limit=20&sort_key=name&sort_dir=asc&marker=$firstid"
      "?limit=20&sort_key=name&sort_dir=asc&marker=<middle>|/v2/images?limit=20&sort_key=name&sort_dir=asc&marker=$mid"
      "?limit=20&sort_key=status&sort_dir=desc&marker=<middle>|/v2/images?limit=20&sort_key=status&sort_dir=desc&marker=$mid"
      "?limit=20&sort_key=size&sort_dir=desc&marker=<middle>|/v2/images?limit=20&sort_key=size&sort_dir=desc&marker=$mid"
      "?limit=20&sort_key=updated_at&marker=<middle>|/v2/images?limit=20&sort_key=updated_at&marker=$mid"
      "?limit=20&sort=disk_format:asc,name:desc&marker=<middle>|/v2/images?limit=20&sort=disk_format:asc,name:desc&marker=$mid"
      "?limit=20&marker=<middle>|/v2/images?limit=20&marker=$mid"
      "?limit=20&visibility=public|/v2/images?limit=20&visibility=public"
      "?limit=20&visibility=shared&member_status=all|/v2/images?limit=20&visibility=shared&member_status=all"
      "?limit=20&owner=bench-p3|/v2/images?limit=20&owner=bench-p3"
      "?limit=20&status=queued|/v2/images?limit=20&status=queued"
      "?limit=20&name=catalogue-check-N|/v2/images?limit=20&name=catalogue-check-$n"
      "?limit=20&size_min=1000000&size_max=1000000000|/v2/images?limit=20&size_min=1000000&size_max=1000000000"
      "?limit=20&created_at=gt:2020-01-01T03:00:00Z|/v2/images?limit=20&created_at=gt:2020-01-01T03:00:00Z"
      "?limit=20&os_hidden=true|/v2/images?limit=20&os_hidden=true"
    )
    # warm-up: one second of each shape first (the JIT, the page cache), not recorded
    for s in "${shapes[@]}"; do WRK_SECONDS=1 wrk16 "$base${s#*|}" >/dev/null; done
    for s in "${shapes[@]}"; do
      label=${s%%|*}; path=${s#*|}
      read -r rps p50 p99 bad < <(wrk16 "$base$path")
      key="$db $label"
      [ -n "${first[$key]:-}" ] || first[$key]=$rps
      ratio=$(awk -v a="$rps" -v b="${first[$key]}" 'BEGIN{ if (b+0 > 0) printf "%.2f", a/b; else print "-" }')
      printf '%-72s %10s %9s %9s %7s%s\n' "$label" "$rps" "$p50" "$p99" "$ratio" "$([ "$bad" = 0 ] || echo " non2xx=$bad")"
    done
    read -r rps p50 p99 bad < <(wrk16 "$base/v2/images" "'$(image_body catalogue-create)'" 8)
    printf '%-72s %10s %9s %9s %7s%s\n' "POST /v2/images (8 connections)" "$rps" "$p50" "$p99" "" "$([ "$bad" = 0 ] || echo " non2xx=$bad")"
  done
  unset first
  stop_glint
done
