#!/usr/bin/env bash
# The cluster stage of ./test: several Glint nodes on one database, one object store and one shared staging
# directory, behind nginx (Debian's package, installed when missing) with deploy/nginx.conf, and the interop suite
# (the real OpenStack clients) run once through nginx. Always stops what it started; the last line is
# "N passed, N failed".
#   scripts/cluster-glint.sh [--database postgresql|mariadb] [--nodes N] [interop/runner.py options]
# Defaults: PostgreSQL, 3 nodes, the s3 store on an S3Proxy started here (target/s3proxy/s3proxy.jar, as the s3
# tests use): two stores, s3a and s3b (buckets of their own; copy-image needs a second store).
# Another object store: GLINT_CLUSTER_STORE_CONF=FILE names a file of glint.conf lines ([DEFAULT] enabled_backends,
# [glance_store] default_backend and the stores' sections, e.g. Swift's) that replace the S3 ones; no S3Proxy is
# started then, and the store must be running already. For example, MariaDB with Swift:
#   GLINT_CLUSTER_STORE_CONF=/tmp/swift.conf scripts/cluster-glint.sh --database mariadb
# Each node: its own data directory and port, [DEFAULT] public_endpoint = nginx's URL (the catalog, /versions and the
# openrc name nginx), [os_glance_staging_store] filesystem_store_datadir = a directory every node shares with
# [cluster] shared_staging = true. The first node starts alone (it bootstraps the built-in identity's admin), then
# the others. The suite gets nginx's openrc, so every client request goes through nginx to any node.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. scripts/lib.sh

START_TIMEOUT=${GLINT_START_TIMEOUT:-90}
database=postgresql
nodes=3
usage="usage: scripts/cluster-glint.sh [--database postgresql|mariadb] [--nodes N] [runner.py options]"
while [ $# -gt 0 ]; do
  case $1 in
    --database)
      case ${2:-} in
        postgresql|mariadb) database=$2; shift 2 ;;
        *) say "$usage"; echo "0 passed, 1 failed"; exit 2 ;;
      esac ;;
    --nodes)
      case ${2:-} in
        [1-9]) nodes=$2; shift 2 ;;
        *) say "$usage"; echo "0 passed, 1 failed"; exit 2 ;;
      esac ;;
    *) break ;;
  esac
done
fail() { say "$1"; echo "0 passed, 1 failed"; exit 1; }
ensure_java_maven || fail "no Java/Maven"
ensure_openstack_clients || fail "no OpenStack clients"
ensure_nginx || fail "no nginx"
case $database in
  postgresql) ensure_postgresql || fail "no PostgreSQL" ;;
  mariadb) ensure_mariadb || fail "no MariaDB" ;;
esac

if [ "${GLINT_JAR_BUILT:-0}" = 1 ] && [ -s target/glint.jar ] && [ -s target/s3proxy/s3proxy.jar ]; then
  say "== using target/glint.jar as built"
else
  say "== building target/glint.jar"
  build_log=$(mktemp -t glint-package-XXXXXX.log)
  if ! mvn -B -q -DskipTests package >"$build_log" 2>&1; then
    cat "$build_log" >&2; rm -f "$build_log"
    fail "mvn package failed"
  fi
  rm -f "$build_log"
fi

work=$(mktemp -d -t glint-cluster-XXXXXX)
status=1
pids=()          # Glint nodes, in start order
s3proxy_pid=""
nginx_pid=""
db_name=""
stopped=0
stop_all() {
  [ "$stopped" = 0 ] || return 0
  stopped=1
  [ -z "$nginx_pid" ] || kill "$nginx_pid" 2>/dev/null
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    wait_for 20 bash -c "! kill -0 $p" || { say "node $p did not stop within 20 s; killing it"; kill -9 "$p" 2>/dev/null; }
    wait "$p" 2>/dev/null
  done
  [ -z "$nginx_pid" ] || { wait_for 10 bash -c "! kill -0 $nginx_pid" || kill -9 "$nginx_pid" 2>/dev/null; }
  [ -z "$s3proxy_pid" ] || { kill "$s3proxy_pid" 2>/dev/null; wait "$s3proxy_pid" 2>/dev/null; }
  if [ -n "$db_name" ]; then
    case $database in
      postgresql) psql -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $db_name WITH (FORCE)" </dev/null ;;
      mariadb) mariadb -h127.0.0.1 -P3306 -uroot -e "DROP DATABASE IF EXISTS $db_name" </dev/null ;;
    esac || say "could not drop the test database $db_name"
  fi
  if [ "$status" = 0 ] || [ -n "${CI:-}" ]; then
    rm -rf "$work"
  else
    say "the cluster's directories are kept for inspection: $work"
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

print_logs() {
  local f
  for f in "$work"/node*/glint.log "$work"/nginx/error.log; do
    [ -s "$f" ] || continue
    say "---- $f (last 300 lines)"
    tail -n 300 "$f" >&2
  done
  say "---- end of logs"
}
not_started() { say "$1"; print_logs; fail "the cluster did not start"; }

# the database
db_name="glint_cluster_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
case $database in
  postgresql)
    psql -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -qc "CREATE DATABASE $db_name" </dev/null &&
      connection="postgresql://postgres@127.0.0.1:5432/$db_name" ;;
  mariadb)
    mariadb -h127.0.0.1 -P3306 -uroot -e "CREATE DATABASE $db_name CHARACTER SET utf8mb4 COLLATE utf8mb4_bin" </dev/null &&
      connection="mysql+pymysql://root@127.0.0.1:3306/$db_name?charset=utf8" ;;
esac || { db_name=""; fail "could not create the test database on $database"; }

# the object store
store_conf="$work/store.conf"
if [ -n "${GLINT_CLUSTER_STORE_CONF:-}" ]; then
  cp "$GLINT_CLUSTER_STORE_CONF" "$store_conf" || fail "cannot read GLINT_CLUSTER_STORE_CONF=$GLINT_CLUSTER_STORE_CONF"
  store_name="as in $GLINT_CLUSTER_STORE_CONF"
else
  mkdir -p "$work/s3proxy/data"
  s3_port=$(free_port)
  s3_key="glint-cluster-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
  s3_secret="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  cat >"$work/s3proxy/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$s3_port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$s3_key
s3proxy.credential=$s3_secret
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$work/s3proxy/data
PROPS
  (cd "$work/s3proxy" || exit; exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
    -jar "$root/target/s3proxy/s3proxy.jar" --properties s3proxy.properties >s3proxy.log 2>&1) &
  s3proxy_pid=$!
  wait_for 60 grep -q "Started ServerConnector" "$work/s3proxy/s3proxy.log" ||
    { cat "$work/s3proxy/s3proxy.log" >&2; fail "S3Proxy did not start"; }
  for b in s3a s3b; do
    cat >>"$store_conf" <<CONF
[$b]
s3_store_host = 127.0.0.1:$s3_port
s3_store_access_key = $s3_key
s3_store_secret_key = $s3_secret
s3_store_bucket = glint-$b
s3_store_create_bucket_on_put = true
CONF
  done
  printf '[DEFAULT]\nenabled_backends = s3a:s3, s3b:s3\n[glance_store]\ndefault_backend = s3a\n' >>"$store_conf"
  store_name="s3 (S3Proxy on 127.0.0.1:$s3_port)"
fi

# the nodes
lb_port=$(free_port)
INTEROP_HTTP_PORT=$(free_port)
export INTEROP_HTTP_PORT
GLINT_ADMIN_PASSWORD="cluster-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
export GLINT_ADMIN_PASSWORD
mkdir -p "$work/shared/staging"
ports=()
for n in $(seq 1 "$nodes"); do
  dir="$work/node$n"
  mkdir -p "$dir"
  port=$(free_port)
  while [ "$port" = "$lb_port" ] || [ "$port" = "$INTEROP_HTTP_PORT" ]; do port=$(free_port); done
  ports+=("$port")
  {
    printf '[DEFAULT]\npublic_endpoint = http://127.0.0.1:%s\n' "$lb_port"
    printf '[database]\nconnection = %s\n' "$connection"
    printf '[os_glance_staging_store]\nfilesystem_store_datadir = %s\n' "$work/shared/staging"
    printf '[cluster]\nshared_staging = true\n'
    printf '[import_filtering_opts]\nallowed_hosts = [127.0.0.1]\nallowed_ports = [80,443,%s]\n' "$INTEROP_HTTP_PORT"
    cat "$store_conf"
  } >"$dir/glint.conf"
done

start_node() {
  local n=$1 dir="$work/node$1" port=${ports[$(($1 - 1))]}
  # shellcheck disable=SC2086
  (cd "$dir" || exit; exec java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar "$root/target/glint.jar" serve \
    --port "$port" --data-dir "$dir" --config "$dir/glint.conf" >"$dir/glint.log" 2>&1) &
  pids+=($!)
  say "node$n: 127.0.0.1:$port (pid $!)"
}
await_node() {
  local n=$1 port=${ports[$(($1 - 1))]} pid=${pids[$(($1 - 1))]} started=$SECONDS
  until http_answers "http://127.0.0.1:$port/versions"; do
    kill -0 "$pid" 2>/dev/null || not_started "node$n exited during start-up"
    [ $((SECONDS - started)) -lt "$START_TIMEOUT" ] || not_started "node$n did not answer within $START_TIMEOUT s"
    sleep 0.5
  done
}
say "== starting $nodes Glint nodes on $database ($db_name), store $store_name, shared staging $work/shared/staging"
started=$SECONDS
start_node 1
await_node 1   # alone first: it migrates the schema and bootstraps the admin
for n in $(seq 2 "$nodes"); do start_node "$n"; done
for n in $(seq 2 "$nodes"); do await_node "$n"; done
say "the nodes answer after $((SECONDS - started)) s"

# nginx with deploy/nginx.conf: its upstream lists these nodes, it listens on lb_port; paths of its own
write_nginx_conf "$work/nginx" "$lb_port" "${ports[@]}" || fail "nginx refuses the configuration"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
"$nginx_bin" -e "$work/nginx/error.log" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_pid=$!
wait_for 30 http_answers "http://127.0.0.1:$lb_port/versions" || not_started "nginx does not answer on 127.0.0.1:$lb_port"
say "nginx on 127.0.0.1:$lb_port (pid $nginx_pid) in front of ${ports[*]}"

openrc="$work/node1/openrc-admin"
[ -s "$openrc" ] || not_started "no $openrc"
while read -r name; do unset "$name"; done < <(env | sed -n 's/^\(OS_[A-Za-z0-9_]*\)=.*/\1/p')
set -a
# shellcheck disable=SC1091
. "$openrc"
set +a
case $OS_AUTH_URL in
  "http://127.0.0.1:$lb_port/"*) ;;
  *) not_started "the openrc does not name nginx: OS_AUTH_URL=$OS_AUTH_URL" ;;
esac

summary_file="$work/summary"
"$root/interop/run.sh" "$@" | hold_summary "$summary_file"
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || print_logs
[ -s "$summary_file" ] && summary=$(cat "$summary_file")
# every node served part of the suite (else this was no cluster test): nginx's log names the node of each request
shares=""
for p in "${ports[@]}"; do
  c=$(grep -c "^127.0.0.1:$p " "$work/nginx/access.log")
  shares="$shares 127.0.0.1:$p=$c"
  if [ "$c" = 0 ] && [ -n "${summary:-}" ]; then
    say "node 127.0.0.1:$p served no request through nginx"
    summary=$(echo "$summary" | awk '{ print $1 " passed, " $3 + 1 " failed" }')
    status=1
  fi
done
say "requests per node through nginx:$shares"
stop_all
echo "${summary:-0 passed, 1 failed}"
[ -n "${summary:-}" ] || status=1
exit "$status"
