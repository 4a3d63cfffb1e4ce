#!/usr/bin/env bash
# The interop stage of ./test: builds target/glint.jar, starts Glint on a free loopback port with a fresh data
# directory, waits until GET /versions answers, runs interop/run.sh with the openrc-admin Glint wrote, and always
# stops Glint again. Prints Glint's log when anything fails; the last line is "N passed, N failed".
#   scripts/interop-glint.sh [--keystone] [--database sqlite|postgresql|mariadb] [interop/runner.py options, e.g. -k list]
# Glint's configuration: two file stores (enabled_backends = file1:file, file2:file, default file1: copy-image needs a
# second store) and web-download allowed from 127.0.0.1 on a free port, passed to the suite as INTEROP_HTTP_PORT
# (test_formats.py serves its images there).
# --keystone: Glint in [identity] mode = keystone behind a real Keystone instead of its built-in identity: the
# Keystone started by scripts/keystone.sh in $GLINT_KEYSTONE_DIR (./test passes its own), else a fresh one started
# (and stopped) here; the image service is registered in its catalog at Glint's URL, and the suite runs as
# Keystone's admin.
# --database postgresql|mariadb: Glint's [database] on a fresh database (glint_interop_<random>) on the local test
# server (127.0.0.1:5432 as postgres / 127.0.0.1:3306 as root, started when down, as for ./test's Maven stages),
# dropped afterwards. Default sqlite: the file in the data directory. ./test runs `--database postgresql -k
# test_formats` and the same for mariadb.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. scripts/lib.sh

START_TIMEOUT=${GLINT_START_TIMEOUT:-90}
identity=builtin
database=sqlite
usage="usage: scripts/interop-glint.sh [--keystone] [--database sqlite|postgresql|mariadb] [runner.py options]"
while [ $# -gt 0 ]; do
  case $1 in
    --keystone) identity=keystone; shift ;;
    --database)
      case ${2:-} in
        sqlite|postgresql|mariadb) database=$2; shift 2 ;;
        *) say "$usage"; echo "0 passed, 1 failed"; exit 2 ;;
      esac ;;
    *) break ;;
  esac
done
ensure_java_maven || { echo "0 passed, 1 failed"; exit 1; }
ensure_openstack_clients || { echo "0 passed, 1 failed"; exit 1; }
case $database in
  postgresql) ensure_postgresql || { echo "0 passed, 1 failed"; exit 1; } ;;
  mariadb) ensure_mariadb || { echo "0 passed, 1 failed"; exit 1; } ;;
esac

# GLINT_JAR_BUILT=1: target/glint.jar was just built by the caller (./test's second interop run)
if [ "${GLINT_JAR_BUILT:-0}" = 1 ] && [ -s target/glint.jar ]; then
  say "== using target/glint.jar as built"
else
  say "== building target/glint.jar"
  build_log=$(mktemp -t glint-package-XXXXXX.log)
  if ! mvn -B -q -DskipTests package >"$build_log" 2>&1; then
    cat "$build_log" >&2; rm -f "$build_log"
    say "mvn package failed"; echo "0 passed, 1 failed"; exit 1
  fi
  rm -f "$build_log"
fi

data=$(mktemp -d -t glint-interop-XXXXXX)
log="$data/glint.log"
port=$(free_port)
GLINT_ADMIN_PASSWORD="interop-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
export GLINT_ADMIN_PASSWORD
INTEROP_HTTP_PORT=$(free_port)
until [ "$INTEROP_HTTP_PORT" != "$port" ]; do INTEROP_HTTP_PORT=$(free_port); done
export INTEROP_HTTP_PORT
cat >"$data/glint.conf" <<CONF
[DEFAULT]
enabled_backends = file1:file, file2:file
[glance_store]
default_backend = file1
[file1]
filesystem_store_datadir = $data/images/file1
[file2]
filesystem_store_datadir = $data/images/file2
[import_filtering_opts]
allowed_hosts = [127.0.0.1]
allowed_ports = [80,443,$INTEROP_HTTP_PORT]
CONF
config=(--config "$data/glint.conf")

# A fresh database on the test server; dropped when Glint has stopped.
db_name=""
drop_database() {
  [ -n "$db_name" ] || return 0
  case $database in
    postgresql) psql -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" </dev/null ;;
    mariadb) mariadb -h127.0.0.1 -P3306 -uroot -e "DROP DATABASE IF EXISTS $db_name" </dev/null ;;
  esac || say "could not drop the test database $db_name"
  db_name=""
}
if [ "$database" != sqlite ]; then
  db_name="glint_interop_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  case $database in
    postgresql)
      psql -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -qc "CREATE DATABASE $db_name" </dev/null &&
        printf '[database]\nconnection = jdbc:postgresql://127.0.0.1:5432/%s?user=postgres\n' "$db_name" >>"$data/glint.conf" ;;
    mariadb)
      mariadb -h127.0.0.1 -P3306 -uroot -e "CREATE DATABASE $db_name CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" </dev/null &&
        printf '[database]\nconnection = jdbc:mariadb://127.0.0.1:3306/%s?user=root\n' "$db_name" >>"$data/glint.conf" ;;
  esac || { say "could not create the test database $db_name on $database"; db_name=""; rm -rf "$data"
            echo "0 passed, 1 failed"; exit 1; }
  trap drop_database EXIT   # until stop_glint takes over below
fi

keystone_dir=${GLINT_KEYSTONE_DIR:-}
own_keystone=0
openrc="$data/openrc-admin"
if [ "$identity" = keystone ]; then
  if [ -z "$keystone_dir" ]; then
    keystone_dir="$data/keystone"
    own_keystone=1
    scripts/keystone.sh start "$keystone_dir" "$(free_port)" || { rm -rf "$data"; echo "0 passed, 1 failed"; exit 1; }
  fi
  # shellcheck disable=SC1091
  . "$keystone_dir/env"
  if ! scripts/keystone.sh register-image "$keystone_dir" "http://127.0.0.1:$port"; then
    [ "$own_keystone" = 0 ] || scripts/keystone.sh stop "$keystone_dir"
    say "could not register the image service in Keystone's catalog"; echo "0 passed, 1 failed"; exit 1
  fi
  cat >>"$data/glint.conf" <<CONF
[identity]
mode = keystone
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL
auth_url = $KEYSTONE_URL
auth_type = password
username = $KEYSTONE_SERVICE_USER
password = $KEYSTONE_SERVICE_PASSWORD
project_name = service
user_domain_name = Default
project_domain_name = Default
CONF
  openrc="$keystone_dir/openrc-admin"
fi
# shellcheck disable=SC2086
java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve --port "$port" \
  --data-dir "$data" "${config[@]}" >"$log" 2>&1 &
pid=$!
status=1

print_log() {
  local lines
  lines=$(wc -l <"$log")
  say "---- Glint log ($log, $lines lines$([ "$lines" -gt 2000 ] && echo ', last 2000 shown'))"
  tail -n 2000 "$log" >&2
  say "---- end of Glint log"
}

stopped=0
stop_glint() {
  [ "$stopped" = 0 ] || return 0
  stopped=1
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    wait_for 20 bash -c "! kill -0 $pid" || { say "Glint did not stop within 20 s; killing it"; kill -9 "$pid"; }
  fi
  wait "$pid" 2>/dev/null
  [ "$own_keystone" = 0 ] || scripts/keystone.sh stop "$keystone_dir"
  drop_database
  if [ "$status" = 0 ] || [ -n "${CI:-}" ]; then
    rm -rf "$data"
  else
    say "Glint's data directory is kept for inspection: $data"
  fi
}
trap stop_glint EXIT

not_started() {
  say "$1"
  print_log
  stop_glint
  echo "0 passed, 1 failed"
  exit 1
}
trap 'exit 130' INT TERM

say "== starting Glint on 127.0.0.1:$port (data dir $data, identity $identity, database $database${db_name:+ $db_name})"
started=$SECONDS
# Poll GET /versions until it answers, the process dies, or the deadline passes.
until http_answers "http://127.0.0.1:$port/versions"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    not_started "Glint exited during start-up"
  fi
  if [ $((SECONDS - started)) -ge "$START_TIMEOUT" ]; then
    not_started "Glint did not answer GET /versions within $START_TIMEOUT s"
  fi
  sleep 0.5
done
say "Glint answers after $((SECONDS - started)) s"
if [ ! -s "$openrc" ]; then
  not_started "no $openrc (Glint writes it in builtin mode, scripts/keystone.sh in keystone mode)"
fi

# Only the openrc's OS_* settings: drop any OS_* the caller had (e.g. a real cloud's).
while read -r name; do unset "$name"; done < <(env | sed -n 's/^\(OS_[A-Za-z0-9_]*\)=.*/\1/p')
set -a
# shellcheck disable=SC1091
. "$openrc"
set +a

# The suite's output streams through; its summary line is held back so that it stays the last line even when
# Glint's log follows.
summary_file="$data/summary"
"$root/interop/run.sh" "$@" | hold_summary "$summary_file"
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || print_log
[ -s "$summary_file" ] && summary=$(cat "$summary_file")
stop_glint
echo "${summary:-0 passed, 1 failed}"
[ -n "${summary:-}" ] || status=1
exit "$status"
