#!/usr/bin/env bash
# The Nova stage of ./test: a real Nova (scripts/nova.sh: Zed from Debian, libvirt/qemu under TCG) boots servers
# from Glint, behind a real Keystone whose catalog names Glint as the image service.
#   scripts/nova-glint.sh
# Builds target/glint.jar (unless GLINT_JAR_BUILT=1), takes the Keystone started by scripts/keystone.sh in
# $GLINT_KEYSTONE_DIR (./test passes its own; without it one is started and stopped here), starts Glint in
# [identity] mode = keystone on a free loopback port with a fresh data directory, registers it as the catalog's
# image service, starts Nova, runs scripts/nova-checks.py as Keystone's admin (3 checks: boot, flavor smaller than
# the image's virtual size, snapshot), and always stops Nova and Glint again and removes what they made (trap).
# On failure it prints the end of Glint's and nova-compute's logs and keeps the work directory (not under CI).
# The last line is "N passed, N failed".
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 1
. scripts/lib.sh

START_TIMEOUT=${GLINT_START_TIMEOUT:-90}
fail_early() { say "$1"; echo "0 passed, 1 failed"; exit 1; }
ensure_java_maven || fail_early "no Java/Maven"
{ ensure_openstack_clients && ensure_image_tools && ensure_mariadb && ensure_rabbitmq && scripts/nova.sh install; } ||
  fail_early "a prerequisite of the Nova stage is missing (see above)"

if [ "${GLINT_JAR_BUILT:-0}" = 1 ] && [ -s target/glint.jar ]; then
  say "== using target/glint.jar as built"
else
  say "== building target/glint.jar"
  build_log=$(mktemp -t glint-package-XXXXXX.log)
  if ! mvn -B -q -DskipTests package >"$build_log" 2>&1; then
    cat "$build_log" >&2; rm -f "$build_log"
    fail_early "mvn package failed"
  fi
  rm -f "$build_log"
fi

work=$(mktemp -d -t glint-nova-XXXXXX)
data="$work/glint"
mkdir -p "$data" "$work/checks"
log="$data/glint.log"
keystone_dir=${GLINT_KEYSTONE_DIR:-}
own_keystone=0
pid=""
status=1
stopped=0
child=""
cleanup() {
  [ "$stopped" = 0 ] || return 0
  stopped=1
  # a signal while `scripts/nova.sh start` runs: it undoes its start on TERM; wait for that first
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  scripts/nova.sh stop "$work/nova"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    wait_for 20 bash -c "! kill -0 $pid" || { say "Glint did not stop within 20 s; killing it"; kill -9 "$pid"; }
  fi
  [ -z "$pid" ] || wait "$pid" 2>/dev/null
  [ "$own_keystone" = 0 ] || scripts/keystone.sh stop "$keystone_dir"
  if [ "$status" = 0 ] || [ -n "${CI:-}" ]; then
    rm -rf "$work"
  else
    say "the Nova stage's work directory is kept for inspection: $work (Glint's data and log, Nova's state and logs)"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

print_logs() {
  local f
  for f in "$log" "$work/nova/logs/nova-compute.log"; do
    [ -s "$f" ] || continue
    say "---- $f (last 60 lines)"
    tail -n 60 "$f" >&2
  done
  say "---- end of logs"
}
not_started() { say "$1"; print_logs; cleanup; echo "0 passed, 1 failed"; exit 1; }

if [ -z "$keystone_dir" ]; then
  keystone_dir="$work/keystone"
  own_keystone=1
  scripts/keystone.sh start "$keystone_dir" "$(free_port)" || not_started "Keystone did not start"
fi
# shellcheck disable=SC1091
. "$keystone_dir/env"
port=$(free_port)
scripts/keystone.sh register-image "$keystone_dir" "http://127.0.0.1:$port" ||
  not_started "could not register the image service in Keystone's catalog"
cat >"$data/glint.conf" <<CONF
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
say "== starting Glint on 127.0.0.1:$port (data dir $data, identity keystone at $KEYSTONE_URL)"
# shellcheck disable=SC2086
java ${GLINT_JAVA_OPTS:--Xms32m -Xmx128m -XX:+UseSerialGC} -jar target/glint.jar serve --port "$port" \
  --data-dir "$data" --config "$data/glint.conf" >"$log" 2>&1 &
pid=$!
started=$SECONDS
until http_answers "http://127.0.0.1:$port/versions"; do
  kill -0 "$pid" 2>/dev/null || not_started "Glint exited during start-up"
  [ $((SECONDS - started)) -lt "$START_TIMEOUT" ] || not_started "Glint did not answer GET /versions within $START_TIMEOUT s"
  sleep 0.5
done
say "Glint answers after $((SECONDS - started)) s"

say "== starting Nova (scripts/nova.sh, state in $work/nova)"
# in the background, so that a signal is handled at once (bash runs a trap only after a foreground child ends)
scripts/nova.sh start "$work/nova" "$keystone_dir" &
child=$!
wait "$child" || not_started "Nova did not start"
child=""

say "== the checks (scripts/nova-checks.py, as Keystone's admin)"
# Only the openrc's OS_* settings: drop any OS_* the caller had
while read -r name; do unset "$name"; done < <(env | sed -n 's/^\(OS_[A-Za-z0-9_]*\)=.*/\1/p')
summary_file="$work/summary"
# shellcheck disable=SC1091
(set -a; . "$keystone_dir/openrc-admin"; set +a; exec /usr/bin/python3 scripts/nova-checks.py "$work/checks") |
  hold_summary "$summary_file"
status=${PIPESTATUS[0]}
[ "$status" = 0 ] || print_logs
summary=""
[ -s "$summary_file" ] && summary=$(cat "$summary_file")
cleanup
echo "${summary:-0 passed, 1 failed}"
[ -n "$summary" ] || status=1
exit "$status"
