#!/usr/bin/env bash
# A real OpenStack Swift (Debian's swift 2.30 packages) all-in-one on loopback, authenticating through keystonemiddleware
# against Glint's own built-in identity, for the swift store's tests and bench/.
#   scripts/swift.sh start DIR PORT   fresh Swift proxy on 127.0.0.1:PORT, state in DIR (wiped first)
#   scripts/swift.sh stop DIR         stops what `start` started there (only the pids recorded in DIR)
# `start` installs swift, swift-proxy, swift-account, swift-container, swift-object and python3-keystonemiddleware when
# missing (scripts/lib.sh apt_install: no packaged daemon starts), then
#   - starts a Glint from target/glint.jar (built unless GLINT_JAR_BUILT=1 and it exists) on a free port with its data
#     in DIR/identity: its built-in identity (/identity/v3) is the Keystone of this Swift, so Swift is a real client of
#     it (keystonemiddleware's authtoken validates every token with GET /v3/auth/tokens and a service token);
#   - creates there, through the identity API: the role swiftoperator, the project service with the user swift
#     (role admin: authtoken's service user), the project glint-images with the user glint (role member: what the
#     swift store logs in as), and the object-store service with endpoints http://127.0.0.1:PORT/v1/AUTH_$(project_id)s
#     in RegionOne;
#   - builds the rings (1 replica, part power 10, one folder device under DIR/srv), writes the servers' configuration
#     (mount_check = false, servers run as the caller, storage in DIR/srv) and starts the account, container and
#     object servers on free ports and the proxy on PORT with the pipeline
#     catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk authtoken keystoneauth copy slo dlo
#     proxy-logging proxy-server, each in its own process group, pids in DIR/*.pid.
# It writes DIR/env:
#   SWIFT_URL (the proxy), SWIFT_AUTH_ADDRESS (Glint's identity, .../identity/v3), SWIFT_USER (project:user, as
#   glance_store's swift reference `user`), SWIFT_KEY, SWIFT_ADMIN_PASSWORD (the identity Glint's admin)
# and logs to DIR/logs. Pitfalls (see /work/shared/peer/README.md): Swift drops to user swift unless `user =` names
# the caller, who owns DIR; without `cache` the proxy logs "swift.cache could not be found" (harmless).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib.sh"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH   # Debian's python3 (swift's modules) first, never a pyenv one
SERVERS=(account container object proxy)

usage() {
  say "usage: scripts/swift.sh start DIR PORT | stop DIR"
  exit 2
}

stop_pid_file() {
  local file=$1 pid
  [ -s "$file" ] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null   # its own process group (setsid): workers too
    wait_for 20 bash -c "! kill -0 $pid" || { say "pid $pid did not stop within 20 s; killing it"; kill -9 -- "-$pid" 2>/dev/null; }
  fi
  rm -f "$file"
}

stop_swift() {
  local dir=$1 s
  for s in "${SERVERS[@]}"; do stop_pid_file "$dir/$s.pid"; done
  stop_pid_file "$dir/identity.pid"
}

# The identity API of the Glint in DIR (admin of project admin): creates what Swift and the store need.
identity_setup() {
  /usr/bin/python3 - "$@" <<'PY'
import json, sys, time, urllib.error, urllib.request
url, admin_password, swift_url, glint_password, swift_password = sys.argv[1:6]

def call(method, path, body=None, token=None):
    req = urllib.request.Request(url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **({"X-Auth-Token": token} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.headers, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read()[:300]!r}")

auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "admin", "domain": {"id": "default"}, "password": admin_password}}},
    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
token = call("POST", "/v3/auth/tokens", auth)[0]["X-Subject-Token"]

def find(kind, name):
    items = [i for i in call("GET", f"/v3/{kind}", token=token)[1][kind] if i.get("name") == name]
    return items[0]["id"] if items else None

def ensure(kind, name, extra):
    one = kind[:-1]
    return find(kind, name) or call("POST", f"/v3/{kind}", {one: {"name": name, **extra}}, token)[1][one]["id"]

for role in ("admin", "member", "reader", "swiftoperator"):
    ensure("roles", role, {})
for project, user, password, role in (("service", "swift", swift_password, "admin"),
                                      ("glint-images", "glint", glint_password, "member")):
    p = ensure("projects", project, {"domain_id": "default"})
    u = ensure("users", user, {"domain_id": "default", "password": password, "default_project_id": p})
    call("PUT", f"/v3/projects/{p}/users/{u}/roles/{find('roles', role)}", token=token)
service = call("POST", "/v3/services", {"service": {"name": "swift", "type": "object-store",
                                                     "description": "Object Storage"}}, token)[1]["service"]["id"]
for interface in ("public", "internal", "admin"):
    call("POST", "/v3/endpoints", {"endpoint": {"service_id": service, "interface": interface,
                                                "url": swift_url + "/v1/AUTH_$(project_id)s", "region_id": "RegionOne"}}, token)
PY
}

start_swift() {
  local dir=$1 port=$2 gport url gurl me aport cport oport s p n pids_ok
  apt_install swift swift-proxy swift-account swift-container swift-object python3-keystonemiddleware || return 1
  if [ "${GLINT_JAR_BUILT:-0}" = 1 ] && [ -s "$root/target/glint.jar" ]; then
    :
  else
    say "swift.sh: building target/glint.jar (the identity Swift authenticates against)"
    (cd "$root" && mvn -B -q -DskipTests package) >/dev/null || { say "mvn package failed"; return 1; }
  fi
  stop_swift "$dir"
  rm -rf "$dir"
  mkdir -p "$dir"/{etc,srv/d1,logs,identity} || return 1
  dir=$(cd "$dir" && pwd)
  url="http://127.0.0.1:$port"

  # ---- the identity: a Glint with its built-in Keystone subset ----
  gport=$(free_port)
  gurl="http://127.0.0.1:$gport/identity"
  local admin_password glint_password swift_password
  admin_password="admin-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
  glint_password="glint-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
  swift_password="swift-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
  (cd "$dir/identity" || exit 1
   GLINT_ADMIN_PASSWORD=$admin_password setsid java -Xms32m -Xmx128m -XX:+UseSerialGC -jar "$root/target/glint.jar" serve \
     --port "$gport" --data-dir "$dir/identity" >"$dir/logs/identity.log" 2>&1 </dev/null &
   echo $! >"$dir/identity.pid")
  wait_for 90 http_answers "$gurl/v3" || { tail -n 30 "$dir/logs/identity.log" >&2; say "Glint's identity did not answer at $gurl/v3"; return 1; }
  identity_setup "$gurl" "$admin_password" "$url" "$glint_password" "$swift_password" ||
    { say "could not set up Swift's users in Glint's identity"; return 1; }

  # ---- rings and configuration ----
  aport=$(free_port); cport=$(free_port); oport=$(free_port)
  while [ "$cport" = "$aport" ]; do cport=$(free_port); done
  while [ "$oport" = "$aport" ] || [ "$oport" = "$cport" ]; do oport=$(free_port); done
  cat >"$dir/etc/swift.conf" <<CONF
[swift-hash]
swift_hash_path_suffix = glint-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
swift_hash_path_prefix = glint
[storage-policy:0]
name = Policy-0
default = yes
CONF
  for s in account:$aport container:$cport object:$oport; do
    n=${s%%:*}; p=${s##*:}
    (cd "$dir/etc" && swift-ring-builder "$n.builder" create 10 1 1 && swift-ring-builder "$n.builder" add "r1z1-127.0.0.1:$p/d1" 100 &&
      { swift-ring-builder "$n.builder" rebalance || true; }) >>"$dir/logs/rings.log" 2>&1
    [ -s "$dir/etc/$n.ring.gz" ] || { cat "$dir/logs/rings.log" >&2; say "ring $n not built"; return 1; }
  done
  me=$(id -un)
  for s in account:$aport container:$cport object:$oport; do
    n=${s%%:*}; p=${s##*:}
    cat >"$dir/etc/$n-server.conf" <<CONF
[DEFAULT]
user = $me
bind_ip = 127.0.0.1
bind_port = $p
swift_dir = $dir/etc
devices = $dir/srv
mount_check = false
workers = 0
log_level = INFO
[pipeline:main]
pipeline = healthcheck $n-server
[app:$n-server]
use = egg:swift#$n
[filter:healthcheck]
use = egg:swift#healthcheck
CONF
  done
  printf '[container-sync]\n' >>"$dir/etc/container-server.conf"
  cat >"$dir/etc/proxy-server.conf" <<CONF
[DEFAULT]
user = $me
bind_ip = 127.0.0.1
bind_port = $port
swift_dir = $dir/etc
workers = ${SWIFT_PROXY_WORKERS:-1}
log_level = INFO

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging listing_formats bulk authtoken keystoneauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = $gurl
auth_url = $gurl
auth_type = password
project_domain_id = default
user_domain_id = default
project_name = service
username = swift
password = $swift_password
delay_auth_decision = True
[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin, member, swiftoperator
reseller_admin_role = ResellerAdmin
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
CONF

  # ---- servers ----
  for n in account container object; do
    (cd "$dir" || exit 1; setsid "swift-$n-server" "$dir/etc/$n-server.conf" -v >"$dir/logs/$n.log" 2>&1 </dev/null &
     echo $! >"$dir/$n.pid")
  done
  (cd "$dir" || exit 1; setsid swift-proxy-server "$dir/etc/proxy-server.conf" -v >"$dir/logs/proxy.log" 2>&1 </dev/null &
   echo $! >"$dir/proxy.pid")
  local started=$SECONDS up
  while :; do
    up=1
    for p in $aport $cport $oport $port; do curl -sf -o /dev/null "http://127.0.0.1:$p/healthcheck" || up=0; done
    [ $up = 1 ] && break
    for s in "${SERVERS[@]}"; do
      kill -0 "$(cat "$dir/$s.pid")" 2>/dev/null || { tail -n 20 "$dir/logs/$s.log" >&2; say "swift $s exited during start-up"; return 1; }
    done
    [ $((SECONDS - started)) -lt 60 ] || { say "Swift did not answer within 60 s; logs in $dir/logs"; return 1; }
    sleep 0.5
  done
  cat >"$dir/env" <<ENV
SWIFT_URL=$url
SWIFT_AUTH_ADDRESS=$gurl/v3
SWIFT_USER=glint-images:glint
SWIFT_KEY=$glint_password
SWIFT_ADMIN_PASSWORD=$admin_password
ENV
  say "Swift answers on $url after $((SECONDS - started)) s (identity: Glint at $gurl; state in $dir)"
}

case "${1:-}" in
  start)
    [ $# = 3 ] || usage
    start_swift "$2" "$3" || { stop_swift "$2"; exit 1; }
    ;;
  stop)
    [ $# = 2 ] || usage
    stop_swift "$2"
    ;;
  *) usage ;;
esac
