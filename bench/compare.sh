#!/usr/bin/env bash
# Glint against the real Glance 25.1 (Debian bookworm, with its Keystone), side by side on loopback: the same
# workload, the same client commands (bench/lib.sh) and the same file against each, one server at a time, then a
# table of both figures and the ratio Glint/Glance, and whether issue 4's targets are met.
#
#   bench/compare.sh                              # 1 GiB image, 10 000 images (15–30 min on 2 busy cores)
#   SIZE_MB=64 IMAGES=500 SMALL_COUNT=64 CONCURRENT=4 WRK_SECONDS=5 bench/compare.sh   # a quick run
#   SKIP_GLANCE=1 bench/compare.sh                # Glint only; Glance's figures from an earlier run if any
#   RESUME=1 bench/compare.sh                     # reuse a side's results saved by an earlier run with the same
#                                                 # parameters (bench/out/compare-{glint,glance}.res)
# Environment: SIZE_MB (1024), IMAGES (10000), CONCURRENT (8 uploads of SIZE_MB for the memory figure),
#   SMALL_COUNT (160 images of 1 MiB) at SMALL_CLIENTS (16), WRK_SECONDS (15),
#   GLANCE_LOAD (sql: clone an image made through Glance's API into its MariaDB tables; api: POST all of them,
#   about 25–50 images/s), SKIP_GLINT, SKIP_GLANCE, RESUME, PEER (/work/shared/peer), PEER_DIR (/tmp/peer-bench),
#   BENCH_DIR (bench/out).
#
# What it needs: for Glint, Java 17 + Maven, curl, jq and wrk (installed with apt-get when missing). For Glance, the
# peer scripts (start-peer.sh, stop-peer.sh in $PEER), Debian's glance-api, keystone, uwsgi-core and
# python3-pymysql as installed by $PEER/install.sh, and a MariaDB server on 127.0.0.1:3306 with root allowed
# without a password (started, or installed, by ensure_mariadb of scripts/lib.sh). Glance runs as operators run it:
# MariaDB through PyMySQL, one API worker per core (start-peer.sh's PEER_DB=mariadb); SQLite fails under load.
# Both servers get a project-scoped admin token (Glint: its built-in identity; Glance: Keystone's admin/admin).
# Everything started and created is stopped and removed at exit, Glance's MariaDB databases included.
# Traffic goes to 127.0.0.1 only, on free ports. This is a benchmark, not part of ./test.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
. scripts/lib.sh
. bench/lib.sh

SIZE_MB=${SIZE_MB:-1024}
IMAGES=${IMAGES:-10000}
CONCURRENT=${CONCURRENT:-8}
SMALL_COUNT=${SMALL_COUNT:-160}
SMALL_CLIENTS=${SMALL_CLIENTS:-16}
WRK_SECONDS=${WRK_SECONDS:-15}
GLANCE_LOAD=${GLANCE_LOAD:-sql}
SKIP_GLINT=${SKIP_GLINT:-0}
SKIP_GLANCE=${SKIP_GLANCE:-0}
RESUME=${RESUME:-0}
PEER=${PEER:-/work/shared/peer}
PEER_DIR=${PEER_DIR:-/tmp/peer-bench}
OUT=${BENCH_DIR:-$here/bench/out}
params="SIZE_MB=$SIZE_MB IMAGES=$IMAGES CONCURRENT=$CONCURRENT SMALL_COUNT=$SMALL_COUNT SMALL_CLIENTS=$SMALL_CLIENTS WRK_SECONDS=$WRK_SECONDS"
export PATH="/usr/sbin:/usr/bin:/sbin:/bin:$PATH"   # Debian's python3 for the peer, not a pyenv one

ensure_java_maven
apt_install wrk curl jq
mkdir -p "$OUT"
img="$OUT/random-${SIZE_MB}m.bin"
small="$OUT/random-1m.bin"
ensure_random_file "$img" "$SIZE_MB"
ensure_random_file "$small" 1
bytes=$((SIZE_MB << 20))

glance_needs() {
  local missing
  [ -x "$PEER/start-peer.sh" ] && [ -x "$PEER/stop-peer.sh" ] || { say "Glance: no peer scripts in $PEER (set PEER=)"; return 1; }
  missing=$(missing_packages glance-api keystone uwsgi-core python3-pymysql)
  [ -z "$missing" ] || { say "Glance: missing Debian packages: $missing (run $PEER/install.sh)"; return 1; }
  ensure_mariadb
}

# ---------------------------------------------------------------- cleanup of everything started here
GLINT_PID="" GLINT_DATA="" PEER_STARTED=0
cleanup() {
  if [ -n "$GLINT_PID" ]; then kill "$GLINT_PID" 2>/dev/null || true; wait "$GLINT_PID" 2>/dev/null || true; fi
  [ -z "$GLINT_DATA" ] || rm -rf "$GLINT_DATA"
  if [ "$PEER_STARTED" = 1 ]; then
    PEER_DIR=$PEER_DIR PEER_DROP_DB=1 "$PEER/stop-peer.sh" >/dev/null 2>&1 || true
    rm -rf "$PEER_DIR"
  fi
  GLINT_PID="" GLINT_DATA="" PEER_STARTED=0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Seconds from $1 (bench_now) until GET $2/v2/images answers 200 with token $3 (polled every 50 ms, at most 180 s).
first_list() {
  local t0=$1 base=$2 token=$3 deadline=$((SECONDS + 180))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Auth-Token: $token" "$base/v2/images" || true)" = 200 ]; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
  bench_elapsed "$t0" "$(bench_now)"
}

# ---------------------------------------------------------------- Glint: ./glint serve, SQLite, built-in identity
glint_start() {
  [ -n "$GLINT_DATA" ] || : > "$OUT/glint.log"   # a new log for each fresh server
  GLINT_PORT=$(free_port)
  [ -n "$GLINT_DATA" ] || GLINT_DATA=$(mktemp -d -p "$OUT" glint-data-XXXXXX)
  GLINT_ADMIN_PASSWORD=bench-secret ./glint serve --port "$GLINT_PORT" --data-dir "$GLINT_DATA" \
    >>"$OUT/glint.log" 2>&1 &
  GLINT_PID=$!   # ./glint execs java
  BASE="http://127.0.0.1:$GLINT_PORT"
}
glint_up() {
  glint_start
  wait_for 120 curl -sf "$BASE/versions" || { tail -20 "$OUT/glint.log" >&2; return 1; }
  TOKEN=$(password_token "$BASE/identity/v3" admin bench-secret admin)
  ROOT_PID=$GLINT_PID
}
glint_load() {   # through the API
  load_images "$BASE" "$TOKEN" "$1"
}
# Sets STARTUP. The token is kept in the database and stays valid. Started without GLINT_ADMIN_PASSWORD, as a
# deployed server is restarted: with it, every start sets the password again (PBKDF2, 210 000 rounds), as
# keystone-manage bootstrap would, which is not part of Glance's start either.
glint_restart() {
  kill "$GLINT_PID"; wait "$GLINT_PID" 2>/dev/null || true
  local t0; t0=$(bench_now)
  ./glint serve --port "$GLINT_PORT" --data-dir "$GLINT_DATA" >>"$OUT/glint.log" 2>&1 &
  GLINT_PID=$!
  ROOT_PID=$GLINT_PID
  STARTUP=$(first_list "$t0" "$BASE" "$TOKEN")
}
glint_down() { cleanup; }
glint_version() { echo "Glint $(git -C "$here" rev-parse --short HEAD), $(java -version 2>&1 | head -1), ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC}, SQLite, file store"; }

# ---------------------------------------------------------------- Glance 25.1 + Keystone through the peer scripts
glance_up() {
  local kport gport
  kport=$(free_port); gport=$(free_port)
  PEER_STARTED=1
  PEER_DB=mariadb PEER_DIR=$PEER_DIR KEYSTONE_PORT=$kport GLANCE_PORT=$gport "$PEER/start-peer.sh" >&2
  BASE="http://127.0.0.1:$gport"
  KEYSTONE="http://127.0.0.1:$kport/v3"
  TOKEN=$(password_token "$KEYSTONE" admin admin admin)
  ROOT_PID=$(cat "$PEER_DIR/glance-api.pid")
}
glance_load() {
  local n=$1 template
  if [ "$GLANCE_LOAD" = api ]; then load_images "$BASE" "$TOKEN" "$n"; return; fi
  [ "$n" -gt 0 ] || return 0
  # One image through the API, then n-1 copies of its rows (images, image_properties, image_tags) with new ids and
  # created_at one second apart, older than it: what n POSTs would have written, without 5 minutes of POSTs.
  template=$(new_image "$BASE" "$TOKEN" bench-rec-template)
  /usr/bin/python3 - "$PEER_DIR/glance/glance-api.conf" "$template" $((n - 1)) <<'PY'
import configparser, datetime, sys, uuid
import pymysql
from sqlalchemy.engine import make_url
cp = configparser.ConfigParser(interpolation=None, strict=False); cp.read(sys.argv[1])
u = make_url(cp.get('database', 'connection'))
db = pymysql.connect(host=u.host, port=u.port or 3306, user=u.username, password=u.password or '', database=u.database)
template, n = sys.argv[2], int(sys.argv[3])
c = db.cursor()
def rows(table, key):
    c.execute('SELECT * FROM %s WHERE %s = %%s' % (table, key), (template,))
    return [d[0] for d in c.description], c.fetchall()
icols, irows = rows('images', 'id')
pcols, prows = rows('image_properties', 'image_id')
tcols, trows = rows('image_tags', 'image_id')
image = dict(zip(icols, irows[0]))
def insert(table, cols, values):
    cols = [k for k in cols if k != 'id'] if table != 'images' else cols
    sql = 'INSERT INTO %s (%s) VALUES (%s)' % (table, ','.join('`%s`' % k for k in cols), ','.join(['%s'] * len(cols)))
    c.executemany(sql, [[v[k] for k in cols] for v in values])
for start in range(0, n, 1000):
    imgs, props, tags = [], [], []
    for i in range(start, min(n, start + 1000)):
        new = dict(image, id=str(uuid.uuid4()), name='bench-rec-%05d' % (i + 1))
        when = image['created_at'] - datetime.timedelta(seconds=n - i)
        new.update(created_at=when, updated_at=when)
        imgs.append(new)
        for r in prows:
            props.append(dict(dict(zip(pcols, r)), image_id=new['id'], created_at=when, updated_at=when))
        for r in trows:
            tags.append(dict(dict(zip(tcols, r)), image_id=new['id'], created_at=when, updated_at=when))
    insert('images', icols, imgs)
    if props: insert('image_properties', pcols, props)
    if tags: insert('image_tags', tcols, tags)
    db.commit()
PY
}
all_gone() { local p; for p in "$@"; do ! kill -0 "$p" 2>/dev/null || return 1; done; }
glance_restart() {   # sets STARTUP: the glance-api parent is stopped and started again as start-peer.sh starts it
  local old t0
  mapfile -t old < <(tree_pids "$ROOT_PID")
  kill -TERM "$ROOT_PID"
  wait_for 30 all_gone "${old[@]}" || kill -KILL "${old[@]}" 2>/dev/null || true
  t0=$(bench_now)
  # in a subshell, so that init reaps it when stop-peer.sh stops it (pid file as start-peer.sh writes it)
  ( setsid /usr/bin/glance-api --config-file "$PEER_DIR/glance/glance-api.conf" >>"$PEER_DIR/logs/glance-api.out" 2>&1 \
      </dev/null & echo $! > "$PEER_DIR/glance-api.pid" )
  ROOT_PID=$(cat "$PEER_DIR/glance-api.pid")
  STARTUP=$(first_list "$t0" "$BASE" "$TOKEN")
}
glance_down() { cleanup; }
glance_version() {
  echo "Glance $(dpkg-query -W -f='${Version}' glance-api) (glance-api eventlet, $(awk -F' *= *' '$1=="workers"{print $2}' "$PEER_DIR/glance/glance-api.conf") workers, MariaDB via PyMySQL, file store), Keystone $(dpkg-query -W -f='${Version}' keystone) (uwsgi, fernet)"
}

# ---------------------------------------------------------------- the workload, the same on both sides
run_side() {
  local side=$1 res="$OUT/compare-$1.res" part t0 t1 id check have deep mid rps p50 p99 bad err d1 d2
  part="$res.partial"
  : > "$part"
  put() { printf '%s=%s\n' "$1" "$2" >> "$part"; }
  say "== $side: starting"
  "${side}_up"
  put params "$params"
  put when "$(date -u +%FT%TZ)"
  put version "$("${side}_version")"

  say "== $side: loading the catalogue to $IMAGES images"
  # the server starts empty (fresh data directory / databases)
  t0=$(bench_now); "${side}_load" "$IMAGES"; t1=$(bench_now)
  read -r have deep mid < <(catalogue_scan "$BASE" "$TOKEN" $((IMAGES * 9 / 10)) $((IMAGES / 2)))
  put images "$have"
  # what the catalogue holds, seen through the API (for Glance's rows written by SQL too)
  put catalogue_check "$(curl -sf "$BASE/v2/images/$mid" -H "X-Auth-Token: $TOKEN" \
    | jq -r '[.status, (.tags | join(",")), .bench_prop, .disk_format, .visibility] | join("/")')"
  put load_seconds "$(bench_elapsed "$t0" "$t1")"
  put load_method "$([ "$side" = glance ] && [ "$GLANCE_LOAD" = sql ] && echo "1 POST, the rest SQL copies" || echo "POST: wrk, 8 connections, then curl")"

  say "== $side: restart, time to the first GET /v2/images"
  "${side}_restart"
  put startup "$STARTUP"

  say "== $side: upload and download $SIZE_MB MiB"
  id=$(new_image "$BASE" "$TOKEN" bench-big)
  t0=$(bench_now); upload_file "$BASE" "$TOKEN" "$id" "$img"; t1=$(bench_now)
  put upload "$(mibps "$bytes" "$(bench_elapsed "$t0" "$t1")")"
  check=$(image_check "$BASE" "$TOKEN" "$id")
  [ "$check" = "active $MD5 $SHA" ] && put upload_check ok || put upload_check "MISMATCH($check)"
  t0=$(bench_now); download_file "$BASE" "$TOKEN" "$id"; t1=$(bench_now); d1=$(mibps "$bytes" "$(bench_elapsed "$t0" "$t1")")
  t0=$(bench_now); download_file "$BASE" "$TOKEN" "$id"; t1=$(bench_now); d2=$(mibps "$bytes" "$(bench_elapsed "$t0" "$t1")")
  put download "$(awk -v a="$d1" -v b="$d2" 'BEGIN{print (a > b) ? a : b}')"
  put download_first "$d1"   # Glance's image cache (on in the peer) fills on the first GET and serves the second

  say "== $side: wrk"
  for t in "show:$BASE/v2/images/$id" "list:$BASE/v2/images?limit=20" "deep:$BASE/v2/images?limit=20&marker=$deep"; do
    read -r rps p50 p99 bad err < <(wrk_get "${t#*:}" "$TOKEN" "$WRK_SECONDS")
    put "${t%%:*}_rps" "$rps"; put "${t%%:*}_p50" "$(to_ms "$p50")"; put "${t%%:*}_p99" "$(to_ms "$p99")"
    put "${t%%:*}_non2xx" "$bad"; put "${t%%:*}_errors" "$err"
  done

  say "== $side: $SMALL_COUNT create+upload of 1 MiB, $SMALL_CLIENTS clients"
  read -r rps bad < <(small_uploads "$BASE" "$TOKEN" "$small" "$SMALL_COUNT" "$SMALL_CLIENTS")
  put small "$rps"; put small_ok "$bad"

  say "== $side: memory, idle and during $CONCURRENT concurrent uploads of $SIZE_MB MiB"
  concurrent_uploads "$BASE" "$TOKEN" "$img" "$CONCURRENT" "$MD5" "$ROOT_PID"
  put idle_rss "$CU_IDLE"; put peak_rss "$CU_PEAK"; put sampled_rss "$CU_SAMPLED"; put nprocs "$CU_NPROCS"
  put concurrent_ok "$CU_OK"; put concurrent_agg "$CU_AGG"; put idle_pss "$CU_IDLE_PSS"; put peak_pss "$CU_PSS"
  if [ "$side" = glance ]; then
    put keystone_rss "$(sum_status_mib VmRSS $(tree_pids "$(cat "$PEER_DIR/keystone.pid")"))"
  fi

  "${side}_down"
  mv "$part" "$res"
  say "== $side: done"
}

declare -A R
load_res() {   # side → R[side.key]; false unless a finished result with the current parameters exists
  local side=$1 f="$OUT/compare-$1.res" k v
  [ -f "$f" ] && grep -qxF "params=$params" "$f" || return 1
  while IFS='=' read -r k v; do R[$side.$k]=$v; done < "$f"
}

echo "== Glint vs Glance 25.1, $(date -u +%FT%TZ)"
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB RAM, disk $(lsblk -dno NAME,MODEL,SIZE "$(df --output=source "$OUT" | tail -1)" 2>/dev/null | xargs || echo '?'), $(uname -r)"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "parameters: $params GLANCE_LOAD=$GLANCE_LOAD"
machine_refs "$img"

mvn -B -q -DskipTests package >&2   # ./glint would build too; done here so that the build is not timed
if [ "$SKIP_GLINT" != 1 ] && ! { [ "$RESUME" = 1 ] && load_res glint; }; then run_side glint; fi
if [ "$SKIP_GLANCE" != 1 ] && ! { [ "$RESUME" = 1 ] && load_res glance; }; then glance_needs && run_side glance; fi
load_res glint || true
load_res glance || true
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- the table
g() { echo "${R[glint.$1]:--}"; }
p() { echo "${R[glance.$1]:--}"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a/b }'; }
line() { printf '%-46s %12s %12s %10s  %s\n' "$1" "$2" "$3" "$4" "${5:-}"; }
both() { line "$1" "$(g "$2")" "$(p "$2")" "$(ratio "$(g "$2")" "$(p "$2")")" "${3:-}"; }
echo
for s in glint glance; do [ -z "${R[$s.version]:-}" ] || echo "$s: ${R[$s.version]} (measured ${R[$s.when]})"; done
line "reference (this machine, same file)" "" "" ""
line "  page-cache read ${SIZE_MB} MiB (dd bs=1M)" "$REF_CACHE" "" "" MiB/s
line "  dd ${SIZE_MB} MiB conv=fdatasync" "$REF_DD" "" "" MiB/s
line "  md5sum" "$REF_MD5" "" "" MiB/s
line "  sha512sum" "$REF_SHA" "" "" MiB/s
line "metric" Glint Glance Glint/Glance unit
both "upload ${SIZE_MB} MiB (PUT /file)" upload "MiB/s; checksums: glint $(g upload_check), glance $(p upload_check)"
both "download ${SIZE_MB} MiB (GET /file, best of 2)" download MiB/s
both "    first download" download_first "MiB/s (Glance: its image cache fills on this one)"
for t in show:"GET /v2/images/{id}" list:"GET /v2/images?limit=20" deep:"GET /v2/images?limit=20&marker=<deep>"; do
  k=${t%%:*}
  both "${t#*:}" "${k}_rps" "req/s (wrk -t2 -c32 ${WRK_SECONDS}s; non-2xx $(g "${k}_non2xx") / $(p "${k}_non2xx"), socket errors $(g "${k}_errors") / $(p "${k}_errors"))"
  both "    p50" "${k}_p50" ms
  both "    p99" "${k}_p99" ms
done
both "create + upload 1 MiB, $SMALL_CLIENTS clients" small "images/s ($(g small_ok) / $(p small_ok) of $SMALL_COUNT)"
both "idle RSS (all server processes)" idle_rss "MiB"
both "    idle PSS (shared pages counted once)" idle_pss "MiB"
both "peak RSS, $CONCURRENT concurrent uploads (sum VmHWM)" peak_rss "MiB ($(g nprocs) / $(p nprocs) processes; Keystone besides: $(p keystone_rss) MiB)"
both "    largest sum of RSS seen at once" sampled_rss "MiB (sampled every 0.2 s)"
both "    largest sum of PSS seen at once" peak_pss "MiB (sampled every 0.2 s)"
both "    aggregate upload rate" concurrent_agg "MiB/s ($(g concurrent_ok) / $(p concurrent_ok) of $CONCURRENT correct)"
both "start to first GET /v2/images (restart)" startup "s (with $(g images) / $(p images) images)"
echo "catalogue: glint $(g images) images in $(g load_seconds) s ($(g load_method)); glance $(p images) in $(p load_seconds) s ($(p load_method))"
echo "an image in the middle (status/tags/bench_prop/disk_format/visibility): glint $(g catalogue_check), glance $(p catalogue_check)"

# ---------------------------------------------------------------- targets of issue 4
echo
verdict() { if [ "$2" = - ]; then printf '%-62s %s\n' "$1" "not measured"; elif [ "$2" = 1 ]; then printf '%-62s %s\n' "$1" met; else printf '%-62s %s\n' "$1" "NOT MET"; fi; }
cmp_() {  # cmp_ EXPR with a b → 1/0, or - when a side is missing
  awk -v a="$2" -v b="$3" "BEGIN{ if (a == \"-\" || b == \"-\") print \"-\"; else print ($1) ? 1 : 0 }"
}
verdict "upload >= 2x Glance" "$(cmp_ 'a >= 2 * b' "$(g upload)" "$(p upload)")"
verdict "download >= 3x Glance" "$(cmp_ 'a >= 3 * b' "$(g download)" "$(p download)")"
reads=1
for k in show list deep; do
  r=$(cmp_ 'a >= 10 * b' "$(g ${k}_rps)" "$(p ${k}_rps)"); l=$(cmp_ 'a < b' "$(g ${k}_p99)" "$(p ${k}_p99)")
  if [ "$r" = - ] || [ "$l" = - ]; then v=-; elif [ "$r$l" = 11 ]; then v=1; else v=0; fi
  verdict "  $k: req/s >= 10x Glance and lower p99" "$v"
  if [ "$v" = - ]; then reads=-; elif [ "$v" = 0 ] && [ "$reads" = 1 ]; then reads=0; fi
done
verdict "peak memory under concurrent uploads <= Glance's" "$(cmp_ 'a <= b' "$(g peak_rss)" "$(p peak_rss)")"
