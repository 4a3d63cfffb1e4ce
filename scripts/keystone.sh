#!/usr/bin/env bash
# A real Keystone (Debian's `keystone` package) on loopback, for testing Glint's keystone identity mode.
#   scripts/keystone.sh start DIR PORT          fresh Keystone on 127.0.0.1:PORT with its state in DIR (wiped first)
#   scripts/keystone.sh register-image DIR URL  puts the image service (type image) in the catalog at URL
#   scripts/keystone.sh register DIR NAME TYPE URL   the service NAME of TYPE, public/internal/admin endpoints at URL
#   scripts/keystone.sh service-user DIR NAME PASSWORD   user NAME (password reset if present) with the roles admin
#                                               and service in project service, as a service such as Nova needs
#   scripts/keystone.sh remove DIR NAME...       deletes the services and the users named NAME (scripts/nova.sh stop)
#   scripts/keystone.sh stop DIR                stops the Keystone started with DIR (only the pid recorded there)
# `start` installs keystone and uwsgi when missing, writes DIR/keystone.conf (SQLite in WAL mode, fernet tokens),
# runs keystone-manage db_sync, fernet_setup, credential_setup and bootstrap, then keystone-wsgi-public under uwsgi
# (1 process, 1 thread: Keystone holds a read transaction across a request, so a second writer on SQLite waits and
# fails with "database is locked"). It creates the role `service`, the project `service` and the service user `glint`
# (role service there: Keystone's default policy lets it validate tokens) and writes DIR/env:
#   KEYSTONE_URL, KEYSTONE_ADMIN_PASSWORD, KEYSTONE_SERVICE_USER, KEYSTONE_SERVICE_PASSWORD
# and DIR/openrc-admin. Logs are in DIR/logs.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib.sh"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin   # Debian's python3 (keystone's modules), never a pyenv one

usage() {
  say "usage: scripts/keystone.sh start DIR PORT | register-image DIR URL | register DIR NAME TYPE URL |"
  say "       service-user DIR NAME PASSWORD | remove DIR NAME... | stop DIR"
  exit 2
}

# Runs an identity API helper (stdlib only) with DIR/env loaded: waits for an admin token, then does "$@".
keystone_api() {
  local dir=$1
  shift
  # shellcheck disable=SC1091
  (set -a; . "$dir/env"; set +a; /usr/bin/python3 - "$@" <<'PY'
import json, os, sys, time, urllib.error, urllib.request
url = os.environ["KEYSTONE_URL"]

def call(method, path, body=None, token=None, ok=(200, 201, 204)):
    req = urllib.request.Request(url + path, method=method,
                                 data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json", **({"X-Auth-Token": token} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        if e.code in ok:
            return e.code, e.headers, {}
        raise SystemExit(f"{method} {path}: {e.code} {e.read()[:300]!r}")

auth = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
    "name": "admin", "domain": {"id": "default"}, "password": os.environ["KEYSTONE_ADMIN_PASSWORD"]}}},
    "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
# Right after start the first authentication can fail once (401): retry for a bounded time.
deadline = time.time() + 60
while True:
    try:
        req = urllib.request.Request(url + "/v3/auth/tokens", data=json.dumps(auth).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            token = r.headers["X-Subject-Token"]
        break
    except (urllib.error.URLError, ConnectionError) as e:
        if time.time() > deadline:
            raise SystemExit(f"no admin token from {url}: {e}")
        time.sleep(0.5)

def find(kind, name):
    _, _, body = call("GET", f"/v3/{kind}?name={name}", token=token)
    items = [i for i in body[kind] if i.get("name") == name]   # the filter is a hint: never take another one
    return items[0]["id"] if items else None

def ensure(kind, name, extra):
    one = kind[:-1]
    return find(kind, name) or call("POST", f"/v3/{kind}", {one: {"name": name, **extra}}, token)[2][one]["id"]

if sys.argv[1] == "setup":
    role = ensure("roles", "service", {})
    project = ensure("projects", "service", {"domain_id": "default"})
    user = ensure("users", os.environ["KEYSTONE_SERVICE_USER"],
                  {"domain_id": "default", "password": os.environ["KEYSTONE_SERVICE_PASSWORD"],
                   "default_project_id": project})
    call("PUT", f"/v3/projects/{project}/users/{user}/roles/{role}", token=token)
elif sys.argv[1] == "register":
    name, kind, endpoint_url = sys.argv[2:5]
    service = find("services", name) or call("POST", "/v3/services", {"service": {
        "name": name, "type": kind, "description": f"{name} ({kind})"}}, token)[2]["service"]["id"]
    _, _, existing = call("GET", f"/v3/endpoints?service_id={service}", token=token)
    for e in existing["endpoints"]:
        call("DELETE", f"/v3/endpoints/{e['id']}", token=token)
    for interface in ("public", "internal", "admin"):
        call("POST", "/v3/endpoints", {"endpoint": {"service_id": service, "interface": interface,
                                                    "url": endpoint_url, "region_id": "RegionOne"}}, token)
elif sys.argv[1] == "service-user":
    name, password = sys.argv[2:4]
    project = ensure("projects", "service", {"domain_id": "default"})
    user = find("users", name)
    if user:
        call("PATCH", f"/v3/users/{user}", {"user": {"password": password}}, token)
    else:
        user = call("POST", "/v3/users", {"user": {"name": name, "domain_id": "default", "password": password,
                                                   "default_project_id": project}}, token)[2]["user"]["id"]
    for role in ("admin", "service"):
        call("PUT", f"/v3/projects/{project}/users/{user}/roles/{ensure('roles', role, {})}", token=token)
elif sys.argv[1] == "remove":
    # deleting a service deletes its endpoints too
    for name in sys.argv[2:]:
        for kind in ("services", "users"):
            found = find(kind, name)
            if found:
                call("DELETE", f"/v3/{kind}/{found}", token=token)
PY
  )
}

stop_keystone() {
  local dir=$1 pid
  [ -s "$dir/keystone.pid" ] || return 0
  pid=$(cat "$dir/keystone.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null   # uwsgi master with die-on-term: stops its worker too
    wait_for 20 bash -c "! kill -0 $pid" || { say "Keystone (pid $pid) did not stop within 20 s; killing it"; kill -9 "$pid"; }
  fi
  rm -f "$dir/keystone.pid"
}

start_keystone() {
  local dir=$1 port=$2 url km pid admin_password service_password
  url="http://127.0.0.1:$port"
  if [ -e /usr/bin/keystone-manage ] && [ -e /usr/bin/keystone-wsgi-public ] && command -v uwsgi >/dev/null 2>&1 &&
     [ -n "$(ls /usr/lib/uwsgi/plugins/python3*_plugin.so 2>/dev/null)" ]; then
    :
  else
    # Never let the package configure a database, an admin or endpoints (its debconf questions default to false;
    # said explicitly here too)
    printf '%s\n' 'keystone keystone/configure_db boolean false' 'keystone keystone/create-admin-tenant boolean false' \
      'keystone keystone/register-endpoint boolean false' | as_root debconf-set-selections 2>/dev/null
    apt_install keystone uwsgi-core uwsgi-plugin-python3 || return 1
  fi
  stop_keystone "$dir"
  rm -rf "$dir"
  mkdir -p "$dir/logs" || return 1
  dir=$(cd "$dir" && pwd)
  admin_password="admin-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
  service_password="glint-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
  cat >"$dir/keystone.conf" <<CONF
[DEFAULT]
log_file = $dir/logs/keystone.log
[database]
connection = sqlite:///$dir/keystone.db
[token]
provider = fernet
[fernet_tokens]
key_repository = $dir/fernet-keys
[fernet_receipts]
key_repository = $dir/fernet-receipts
[credential]
key_repository = $dir/credential-keys
[identity]
password_hash_rounds = 4
CONF
  km="keystone-manage --config-file $dir/keystone.conf"
  {
    $km db_sync &&
    # WAL: Keystone keeps a read transaction open across a request; in rollback-journal mode that blocks its own
    # next write ("database is locked" after 5 s)
    /usr/bin/python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")' \
      "$dir/keystone.db" &&
    $km fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" &&
    $km credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)" &&
    $km bootstrap --bootstrap-password "$admin_password" --bootstrap-username admin \
      --bootstrap-project-name admin --bootstrap-role-name admin --bootstrap-region-id RegionOne \
      --bootstrap-admin-url "$url/v3" --bootstrap-public-url "$url/v3" --bootstrap-internal-url "$url/v3"
  } >>"$dir/logs/keystone-manage.log" 2>&1 || {
    tail -n 40 "$dir/logs/keystone-manage.log" >&2
    say "keystone-manage failed (log: $dir/logs/keystone-manage.log)"
    return 1
  }
  cat >"$dir/uwsgi.ini" <<CONF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:$port
wsgi-file = /usr/bin/keystone-wsgi-public
master = true
processes = 1
threads = 1
enable-threads = true
lazy-apps = true
die-on-term = true
buffer-size = 65535
# http-socket closes each connection after the response: say so, or clients that reuse connections get
# "Connection reset by peer"
add-header = Connection: close
env = OS_KEYSTONE_CONFIG_FILES=$dir/keystone.conf
CONF
  setsid uwsgi --ini "$dir/uwsgi.ini" >"$dir/logs/uwsgi.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/keystone.pid"
  cat >"$dir/env" <<ENV
KEYSTONE_URL=$url
KEYSTONE_ADMIN_PASSWORD=$admin_password
KEYSTONE_SERVICE_USER=glint
KEYSTONE_SERVICE_PASSWORD=$service_password
ENV
  cat >"$dir/openrc-admin" <<ENV
export OS_AUTH_URL=$url/v3
export OS_IDENTITY_API_VERSION=3
export OS_USERNAME=admin
export OS_PASSWORD=$admin_password
export OS_PROJECT_NAME=admin
export OS_USER_DOMAIN_NAME=Default
export OS_PROJECT_DOMAIN_NAME=Default
export OS_REGION_NAME=RegionOne
ENV
  local started=$SECONDS
  until http_answers "$url/v3"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$dir/logs/uwsgi.log" >&2
      say "Keystone (uwsgi) exited during start-up (log: $dir/logs/uwsgi.log)"
      return 1
    fi
    if [ $((SECONDS - started)) -ge 90 ]; then
      tail -n 40 "$dir/logs/uwsgi.log" >&2
      say "Keystone did not answer GET $url/v3 within 90 s"
      return 1
    fi
    sleep 0.5
  done
  keystone_api "$dir" setup || { say "could not create the service user in Keystone"; return 1; }
  say "Keystone answers on $url/v3 after $((SECONDS - started)) s (state in $dir)"
}

case "${1:-}" in
  start)
    [ $# = 3 ] || usage
    start_keystone "$2" "$3" || { stop_keystone "$2"; exit 1; }
    ;;
  register-image)
    [ $# = 3 ] || usage
    keystone_api "$2" register glint image "$3"
    ;;
  register)
    [ $# = 5 ] || usage
    keystone_api "$2" register "$3" "$4" "$5"
    ;;
  service-user)
    [ $# = 4 ] || usage
    keystone_api "$2" service-user "$3" "$4"
    ;;
  remove)
    [ $# -ge 3 ] || usage
    dir=$2
    shift 2
    keystone_api "$dir" remove "$@"
    ;;
  stop)
    [ $# = 2 ] || usage
    stop_keystone "$2"
    ;;
  *) usage ;;
esac
