# Shared helpers for ./glint and ./test (sourced).
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Debian's packaged daemons must not start on install (we start what we need ourselves, on loopback).
  local prc=/usr/sbin/policy-rc.d created=0
  if [ ! -e "$prc" ]; then printf '#!/bin/sh\nexit 101\n' | as_root tee "$prc" >/dev/null; as_root chmod +x "$prc"; created=1; fi
  as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    as_root apt-get update -qq && as_root apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
  [ "$created" = 1 ] && as_root rm -f "$prc"
  return 0
}

ensure_java_maven() {
  command -v java >/dev/null 2>&1 || apt_install openjdk-17-jdk-headless
  command -v mvn >/dev/null 2>&1 || apt_install maven
}

# Waits until "$@" succeeds, at most $1 seconds (polling, not sleeping as synchronisation of a test).
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.5
  done
}

ensure_postgresql() {
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
    echo "starting PostgreSQL" >&2
    as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
    wait_for 60 pg_isready -h 127.0.0.1 -p 5432 || { echo "PostgreSQL did not come up on 127.0.0.1:5432" >&2; return 1; }
  fi
  # trust auth for the postgres user over TCP is how this machine is set up; check we can log in
  psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null || {
    echo "cannot log in to PostgreSQL as postgres on 127.0.0.1 (trust auth expected)" >&2; return 1; }
}

ensure_mariadb() {
  command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || apt_install mariadb-server
  if ! mariadb-admin -h127.0.0.1 -uroot ping >/dev/null 2>&1; then
    echo "starting MariaDB" >&2
    as_root mkdir -p /run/mysqld && as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
    wait_for 60 mariadb-admin -h127.0.0.1 -uroot ping || { echo "MariaDB did not come up on 127.0.0.1:3306" >&2; return 1; }
  fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
