# shellcheck shell=bash
# Shared by ./glint, ./test and scripts/*.sh (sourced, not run): Debian packages installed on demand, the test
# databases started on demand, bounded waits. Functions return non-zero with a message on stderr; callers use
# `|| exit 1` (or set -e). Debian bookworm is the target; nothing here assumes systemd.

say() { printf '%s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    say "need root (or sudo) for: $*"
    return 1
  fi
}

# Polls "$@" every half second until it succeeds; gives up after $1 seconds. This is the only waiting the scripts
# do: a bounded poll on the thing waited for, never a fixed sleep.
wait_for() {
  local seconds=$1 deadline
  shift
  deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.5
  done
}

# Prints the packages among "$@" that are not installed.
missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
  done
}

# Installs the missing packages among "$@" with apt-get (apt-get update first only if the install fails, e.g. on
# a fresh machine with empty lists). Packaged daemons are kept from starting during the install (policy-rc.d),
# since the scripts start what they need themselves, on loopback.
apt_install() {
  local missing out prc=/usr/sbin/policy-rc.d created_prc=0 rc=0
  missing=$(missing_packages "$@")
  [ -n "$missing" ] || return 0
  # shellcheck disable=SC2086
  set -- $missing
  say "installing with apt-get: $*"
  if [ ! -e "$prc" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$prc" >/dev/null && as_root chmod 755 "$prc" && created_prc=1
  fi
  out=$(mktemp -t glint-apt-XXXXXX.log)
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >"$out" 2>&1; then
    say "apt-get install failed; running apt-get update and trying again"
    if ! { as_root apt-get update -q && as_root env DEBIAN_FRONTEND=noninteractive \
           apt-get install -y -q --no-install-recommends "$@"; } >"$out" 2>&1; then
      cat "$out" >&2
      say "could not install: $*"
      rc=1
    fi
  fi
  rm -f "$out"
  [ "$created_prc" = 1 ] && as_root rm -f "$prc"
  return "$rc"
}

java_major() {
  java -version 2>&1 | sed -nE '1s/.*version "(1\.)?([0-9]+).*/\2/p'
}

# Java 17+ (a JDK: Maven needs javac) and Maven.
ensure_java_maven() {
  if ! command -v javac >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
    apt_install openjdk-17-jdk-headless || return 1
    if [ "$(java_major)" -lt 17 ] 2>/dev/null; then
      # an older java first on PATH: use the one just installed
      JAVA_HOME=$(ls -d /usr/lib/jvm/java-17-openjdk-* | head -1)
      export JAVA_HOME PATH="$JAVA_HOME/bin:$PATH"
    fi
  fi
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

# The Debian OpenStack clients the interop suite drives (run with /usr/bin/python3, never a pyenv python3).
ensure_openstack_clients() {
  apt_install python3-openstackclient python3-glanceclient python3-openstacksdk
}

# The tools that make test images in every format the inspector knows (qemu-img from qemu-utils, genisoimage,
# sfdisk from fdisk, cryptsetup, mkfs.fat from dosfstools); qemu-img is also the conversion plugin's engine.
ensure_image_tools() {
  apt_install qemu-utils genisoimage fdisk cryptsetup-bin dosfstools
}

# Prometheus's own exposition parser (prometheus_client), which the metrics tests parse Glint's /metrics with, run
# with /usr/bin/python3.
ensure_metrics_parser() {
  apt_install python3-prometheus-client
}

# The notification tests (glint.notify.*): RabbitMQ on 127.0.0.1:5672 (guest/guest) and oslo.messaging's own
# notification listener (OsloListenerTest runs it with /usr/bin/python3).
ensure_notification_tests() {
  ensure_rabbitmq && apt_install python3-oslo.messaging
}

pg_can_login() {
  psql -w -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc 'select 1' </dev/null >/dev/null 2>&1
}

# PostgreSQL on 127.0.0.1:5432, user postgres with trust authentication over TCP.
ensure_postgresql() {
  local fresh=0 version hba tmp
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    apt_install postgresql || return 1
    fresh=1
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    say "starting PostgreSQL"
    # shellcheck disable=SC2046
    as_root pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ||
      say "pg_ctlcluster returned non-zero; waiting for the server anyway"
    if ! wait_for 60 pg_isready -q -h 127.0.0.1 -p 5432; then
      say "PostgreSQL did not answer on 127.0.0.1:5432 within 60 s (pg_isready); see /var/log/postgresql/"
      return 1
    fi
  fi
  pg_can_login && return 0
  if [ "$fresh" = 1 ]; then
    # Installed just now: Debian's pg_hba.conf asks for a password over TCP. The tests expect trust for postgres
    # on loopback only.
    version=$(ls /etc/postgresql | head -1)
    hba=/etc/postgresql/$version/main/pg_hba.conf
    say "configuring trust authentication for postgres on 127.0.0.1 in $hba"
    tmp=$(mktemp)
    { printf 'host all postgres 127.0.0.1/32 trust\n'; as_root cat "$hba"; } >"$tmp" && as_root cp "$tmp" "$hba"
    rm -f "$tmp"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    wait_for 30 pg_can_login && return 0
  fi
  say "cannot log in to PostgreSQL at 127.0.0.1:5432 as postgres without a password."
  say "The tests need trust authentication there, e.g. first line of pg_hba.conf: host all postgres 127.0.0.1/32 trust"
  return 1
}

mariadb_can_login() {
  mariadb -h127.0.0.1 -P3306 -uroot -e 'select 1' </dev/null >/dev/null 2>&1
}

# MariaDB on 127.0.0.1:3306, root without a password.
ensure_mariadb() {
  local fresh=0
  if [ ! -x /usr/sbin/mariadbd ]; then
    apt_install mariadb-server || return 1
    fresh=1
  fi
  if ! mariadb-admin -h127.0.0.1 -uroot ping >/dev/null 2>&1; then
    say "starting MariaDB"
    # mariadbd started as root must be told to switch to the mysql user; Debian's own 50-server.cnf leaves
    # `user` commented out (systemd does the switch there).
    if ! /usr/sbin/mariadbd --print-defaults 2>/dev/null | grep -q -- '--user='; then
      as_root mkdir -p /etc/mysql/mariadb.conf.d &&
        printf '[mysqld]\nuser = mysql\n' | as_root tee /etc/mysql/mariadb.conf.d/90-glint-tests.cnf >/dev/null
    fi
    as_root install -d -o mysql -g mysql /run/mysqld   # socket and pid file; /run is often a fresh tmpfs
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd ||
      say "start-stop-daemon returned non-zero; waiting for the server anyway"
    if ! wait_for 60 mariadb-admin -h127.0.0.1 -uroot ping; then
      say "MariaDB did not answer on 127.0.0.1:3306 within 60 s (mariadb-admin ping); see /var/log/mysql/error.log"
      return 1
    fi
  fi
  mariadb_can_login && return 0
  if [ "$fresh" = 1 ]; then
    # Installed just now: root@localhost authenticates through the unix socket only. Allow it over loopback
    # without a password too, as the tests expect.
    say "allowing MariaDB root on 127.0.0.1 without a password"
    as_root mariadb -uroot -e "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');
      CREATE USER IF NOT EXISTS root@'127.0.0.1' IDENTIFIED BY '';
      GRANT ALL PRIVILEGES ON *.* TO root@'127.0.0.1' WITH GRANT OPTION;" </dev/null
    mariadb_can_login && return 0
  fi
  say "cannot log in to MariaDB at 127.0.0.1:3306 as root without a password (the tests need that)."
  return 1
}

rabbitmq_answers() {
  as_root rabbitmqctl -q status >/dev/null 2>&1
}

# RabbitMQ on 127.0.0.1:5672 (user guest, which RabbitMQ admits from loopback only), started when down with
# `rabbitmq-server -detached` (Nova's RPC bus, scripts/nova.sh).
ensure_rabbitmq() {
  if [ ! -x /usr/sbin/rabbitmq-server ]; then
    apt_install rabbitmq-server || return 1
    if [ ! -e /etc/rabbitmq/rabbitmq.conf ]; then
      # installed just now: listen on loopback only
      printf 'listeners.tcp.local = 127.0.0.1:5672\n' | as_root tee /etc/rabbitmq/rabbitmq.conf >/dev/null
    fi
  fi
  rabbitmq_answers && return 0
  say "starting RabbitMQ"
  as_root rabbitmq-server -detached || say "rabbitmq-server -detached returned non-zero; waiting for the server anyway"
  if ! wait_for 90 rabbitmq_answers; then
    say "RabbitMQ did not answer within 90 s (rabbitmqctl status); see /var/log/rabbitmq/"
    return 1
  fi
}

# A TCP port free on 127.0.0.1 right now.
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# True when an HTTP GET of $1 gets any response below 500 (used to wait for a server to answer).
http_answers() {
  /usr/bin/python3 - "$1" <<'PY'
import sys, urllib.error, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=5).close()
except urllib.error.HTTPError as e:
    sys.exit(0 if e.code < 500 else 1)
except Exception:
    sys.exit(1)
PY
}

# Copies stdin to stdout as it comes, except a summary line "N passed, N failed", which goes to the file $1, so
# that the caller can print more and still end with the summary.
hold_summary() {
  awk -v f="$1" '/^[0-9]+ passed, [0-9]+ failed$/ { print > f; next } { print; fflush() }'
}

# Seconds as "1m05s" / "42s".
duration() {
  local s=$1
  if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

# nginx from Debian (the cluster stage's load balancer): the binary only, started by the caller with a config of its
# own (never the packaged service).
ensure_nginx() {
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || apt_install nginx || return 1
}

# Writes DIR/nginx.conf: deploy/nginx.conf's server on 127.0.0.1:PORT with the upstream listing 127.0.0.1:NODE_PORT
# for each node port given, everything else (pid, logs, temp files) under DIR; access log lines start with the
# node that answered ($upstream_addr). write_nginx_conf DIR PORT NODE_PORT...; run it with
# `nginx -e DIR/error.log -p DIR -c DIR/nginx.conf` (it stays in the foreground: daemon off).
write_nginx_conf() {
  local dir=$1 port=$2 servers="" p root_dir
  shift 2
  root_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  mkdir -p "$dir"
  for p in "$@"; do servers="$servers    server 127.0.0.1:$p max_fails=3 fail_timeout=10s;\n"; done
  awk -v servers="$servers" -v port="$port" '
    /^ *server 127\.0\.0\.1:[0-9]+ / { if (!done) { printf "%s", servers; done = 1 } next }
    /^ *listen [0-9]+;/ { sub(/[0-9]+/, "127.0.0.1:" port) }
    { print }' "$root_dir/deploy/nginx.conf" >"$dir/glint.conf" || return 1
  cat >"$dir/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
$( [ "$(id -u)" = 0 ] && echo "user root;" )
events { worker_connections 1024; }
http {
    log_format upstream '\$upstream_addr \$request_method \$status \$request_uri';
    access_log $dir/access.log upstream;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/glint.conf;
}
CONF
  "$(command -v nginx || echo /usr/sbin/nginx)" -t -q -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" ||
    { cat "$dir/error.log" >&2; say "nginx refuses $dir/nginx.conf"; return 1; }
}
