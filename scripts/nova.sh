#!/usr/bin/env bash
# A real Nova (Zed, Debian bookworm's packages) with libvirt/qemu on loopback, on top of a Keystone started by
# scripts/keystone.sh: the Nova stage of ./test (scripts/nova-glint.sh) boots servers from Glint with it.
#   scripts/nova.sh install                  the Debian packages only (./test's prerequisites stage)
#   scripts/nova.sh start DIR KEYSTONE_DIR   a fresh Nova with its state in DIR (wiped first), registered in the
#                                            Keystone of KEYSTONE_DIR; returns when the compute host can take servers
#   scripts/nova.sh stop DIR                 undoes what start did, also after a failed or interrupted start
# `start` installs the packages when missing (their daemons are never started by the packages: policy-rc.d, debconf
# answers "no"), starts MariaDB and RabbitMQ when they are down (scripts/lib.sh), then:
#   - MariaDB databases <prefix>_{nova_api,nova,nova_cell0,placement} and a RabbitMQ vhost <prefix> (user guest),
#     <prefix> = glint_nova_<random>;
#   - Keystone: users nova and placement (roles admin and service in project service), services compute
#     (http://127.0.0.1:PORT/v2.1) and placement in the catalog;
#   - on free loopback ports: Placement (uwsgi), nova-api (eventlet, osapi_compute only), a Neutron stub (Nova lists
#     ports when it deletes a server even with --nic none; the stub answers empty lists); nova-conductor,
#     nova-scheduler, nova-compute (libvirt, virt_type qemu: TCG) and a libvirtd of its own. Each runs in its own
#     process group (setsid), pid in DIR/<name>.pid, log in DIR/logs/;
#   - /etc/libvirt/qemu.conf gets container settings appended (guests as root, no cgroups, namespaces or security
#     driver, no virtlogd); the original is saved as qemu.conf.glint-nova-orig and put back by `stop`. A libvirt
#     network set to autostart is turned off the same way. `start` refuses when a libvirtd it did not start runs.
# DIR/nova.env then has NOVA_URL, PLACEMENT_URL and the names above. `start` on a DIR whose services all run does
# nothing; otherwise it stops what is left there and starts afresh.
# `stop` destroys the libvirt domains (instance-*), stops the process groups by their recorded pids, restores
# qemu.conf, drops the databases, deletes the vhost, and removes the Keystone users and services when that Keystone
# still answers. It keeps DIR (logs) for the caller to remove.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$root/scripts/lib.sh"
export PATH=/usr/sbin:/usr/bin:/sbin:/bin   # Debian's python3 (Nova's modules), never a pyenv one

PACKAGES=(nova-api nova-conductor nova-scheduler nova-compute placement-api libvirt-daemon-system libvirt-clients
  qemu-system-x86 qemu-utils python3-libvirt python3-pymysql python3-openstackclient uwsgi-core uwsgi-plugin-python3)
SERVICES=(nova-api nova-compute nova-scheduler nova-conductor placement neutron-stub libvirtd)
QEMU_CONF=/etc/libvirt/qemu.conf
SAVED=glint-nova-orig
AUTOSTART=/etc/libvirt/qemu/networks/autostart
DB="mariadb -h127.0.0.1 -P3306 -uroot"
VIRSH=(virsh -q -c qemu:///system)

usage() { say "usage: scripts/nova.sh install | start DIR KEYSTONE_DIR | stop DIR"; exit 2; }

install_nova() {
  [ -n "$(missing_packages "${PACKAGES[@]}")" ] || return 0
  # no database, RabbitMQ or endpoint set-up by the packages (the defaults; said explicitly here too)
  as_root debconf-set-selections <<'SEL'
nova-common nova/configure_db boolean false
nova-common nova/configure_rabbit boolean false
nova-common nova/configure_ksat boolean false
nova-common nova-common/dbconfig-install boolean false
nova-common nova-common/dbconfig-upgrade boolean false
nova-api nova/configure_api-endpoint boolean false
nova-api nova-api/dbconfig-install boolean false
placement-common placement/configure_db boolean false
placement-common placement-common/dbconfig-install boolean false
placement-api placement/configure_api-endpoint boolean false
SEL
  # libvirt-daemon-system wants libvirt-daemon-system-systemd or -sysv: the latter unless the former is there, so
  # that a machine without systemd does not get it (and systemd-sysv) for a daemon started by hand anyway
  if [ -n "$(missing_packages libvirt-daemon-system-systemd)" ]; then
    apt_install "${PACKAGES[@]}" libvirt-daemon-system-sysv
  else
    apt_install "${PACKAGES[@]}"
  fi
}

alive() { [ -s "$D/$1.pid" ] && kill -0 "$(cat "$D/$1.pid")" 2>/dev/null; }

# Starts "$@" in a process group of its own (setsid: the shell's background job is no group leader, so setsid
# does not fork and $! is the service itself), stdin closed, output in DIR/logs/NAME.out; records the pid.
spawn() {
  local name=$1
  shift
  setsid "$@" >"$D/logs/$name.out" 2>&1 </dev/null &
  echo $! >"$D/$name.pid"
}

# The last lines of a service's logs, for an error message.
show_logs() {
  local f
  for f in "$D/logs/$1".*; do
    [ -s "$f" ] || continue
    say "---- $f (last 30 lines)"
    tail -n 30 "$f" >&2
  done
}

# True when nova_api knows a compute host and Placement has its inventory: the scheduler can place a server.
compute_ready() {
  [ "$($DB -N -e "SELECT (SELECT COUNT(*) FROM \`${P}_nova_api\`.host_mappings) > 0
                    AND (SELECT COUNT(*) FROM \`${P}_placement\`.inventories) > 0" 2>/dev/null)" = 1 ]
}

patch_qemu_conf() {
  [ -e "$QEMU_CONF.$SAVED" ] || cp -p "$QEMU_CONF" "$QEMU_CONF.$SAVED" || return 1
  { cat "$QEMU_CONF.$SAVED"; cat <<'CONF'; } >"$QEMU_CONF"
# glint-nova settings (scripts/nova.sh; the original is qemu.conf.glint-nova-orig, put back by `stop`):
# guests run as root, without cgroups, namespaces, a security driver or virtlogd, as a container allows
user = "root"
group = "root"
cgroup_controllers = [ ]
namespaces = [ ]
security_driver = "none"
stdio_handler = "file"
remember_owner = 0
CONF
  # a libvirt network set to autostart would add a bridge and firewall rules: off while Nova runs
  local link
  for link in "$AUTOSTART"/*.xml; do
    [ -e "$link" ] || [ -L "$link" ] || continue
    mv -f "$link" "$link.$SAVED" && say "libvirt network autostart off while Nova runs: $link"
  done
}

restore_system_files() {
  local link
  if [ -e "$QEMU_CONF.$SAVED" ]; then
    mv -f "$QEMU_CONF.$SAVED" "$QEMU_CONF" && say "restored $QEMU_CONF"
  fi
  for link in "$AUTOSTART"/*.xml."$SAVED"; do
    [ -e "$link" ] || [ -L "$link" ] || continue
    mv -f "$link" "${link%."$SAVED"}" && say "restored ${link%."$SAVED"}"
  done
}

# Stops the process groups of the recorded services: TERM to all at once, 30 s for each leader to go, then KILL for
# what is left of each group (a privsep daemon, a uwsgi worker, a leader that ignored TERM).
stop_groups() {
  local name pid pids=()
  for name in "$@"; do
    [ -s "$D/$name.pid" ] || continue
    pid=$(cat "$D/$name.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
      pids+=("$pid")
    fi
  done
  for pid in "${pids[@]}"; do
    wait_for 30 bash -c "! kill -0 $pid" || say "pid $pid did not stop within 30 s of SIGTERM; killing it"
  done
  for name in "$@"; do
    [ -s "$D/$name.pid" ] || continue
    kill -KILL -- "-$(cat "$D/$name.pid")" 2>/dev/null
    rm -f "$D/$name.pid"
  done
}

stop_nova() {
  D=$1
  [ -d "$D" ] || return 0
  D=$(cd "$D" && pwd)
  local dom pid P="" NOVA_RABBIT_VHOST="" NOVA_KEYSTONE_DIR=""
  # shellcheck disable=SC1091
  [ -s "$D/nova.env" ] && . "$D/nova.env"
  P=${NOVA_DB_PREFIX:-}
  if alive libvirtd; then
    for dom in $("${VIRSH[@]}" list --all --name 2>/dev/null | grep '^instance-'); do
      "${VIRSH[@]}" destroy "$dom" >/dev/null 2>&1
      "${VIRSH[@]}" undefine --nvram "$dom" >/dev/null 2>&1 || "${VIRSH[@]}" undefine "$dom" >/dev/null 2>&1
      say "removed libvirt domain $dom"
    done
  fi
  stop_groups nova-api nova-compute nova-scheduler nova-conductor placement neutron-stub
  stop_groups libvirtd
  # a guest whose libvirtd went first: its qemu runs with disks in DIR/instances (only ours have that path)
  for pid in $(pgrep -f -- "$D/instances/" 2>/dev/null); do
    kill -KILL "$pid" 2>/dev/null && say "killed a qemu left behind (pid $pid)"
  done
  pgrep -x libvirtd >/dev/null || restore_system_files
  if [ -n "$P" ]; then
    $DB -e "DROP DATABASE IF EXISTS \`${P}_nova_api\`; DROP DATABASE IF EXISTS \`${P}_nova\`;
            DROP DATABASE IF EXISTS \`${P}_nova_cell0\`; DROP DATABASE IF EXISTS \`${P}_placement\`;" </dev/null ||
      say "could not drop the databases ${P}_*"
  fi
  if [ -n "$NOVA_RABBIT_VHOST" ]; then
    rabbitmqctl -q delete_vhost "$NOVA_RABBIT_VHOST" >/dev/null 2>&1
  fi
  if [ -n "$NOVA_KEYSTONE_DIR" ] && [ -s "$NOVA_KEYSTONE_DIR/env" ] &&
     http_answers "$(sed -n 's/^KEYSTONE_URL=//p' "$NOVA_KEYSTONE_DIR/env")/v3"; then
    "$root/scripts/keystone.sh" remove "$NOVA_KEYSTONE_DIR" nova placement ||
      say "could not remove nova and placement from Keystone"
  fi
  rm -f "$D/nova.env"
}

start_nova() {
  D=$1
  local kdir=$2 pport nport qport nova_password placement_password ks s started=$SECONDS services_started
  install_nova || return 1
  ensure_mariadb || return 1
  ensure_rabbitmq || return 1
  [ -s "$kdir/env" ] || { say "no $kdir/env: start Keystone with scripts/keystone.sh first"; return 1; }
  kdir=$(cd "$kdir" && pwd)
  ks=$(sed -n 's/^KEYSTONE_URL=//p' "$kdir/env")
  if [ -d "$D" ]; then
    D=$(cd "$D" && pwd)
    if [ -s "$D/nova.env" ]; then
      local all=1
      for s in "${SERVICES[@]}"; do alive "$s" || all=0; done
      # shellcheck disable=SC1091
      if [ "$all" = 1 ] && . "$D/nova.env" && http_answers "$NOVA_URL"; then
        say "Nova already runs from $D ($NOVA_URL)"
        return 0
      fi
    fi
    stop_nova "$D"
  fi
  for pid in $(pgrep -x libvirtd); do
    say "a libvirtd that scripts/nova.sh did not start is running (pid $pid); Nova needs its own (it changes"
    say "/etc/libvirt/qemu.conf for it): stop that one first"
    return 1
  done
  rm -rf "$D"
  mkdir -p "$D"/{logs,etc/placement,state,instances,locks,run} || return 1
  D=$(cd "$D" && pwd)
  P="glint_nova_$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
  pport=$(free_port); nport=$(free_port); qport=$(free_port)
  nova_password="nova-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
  placement_password="placement-$(od -An -N9 -tx1 /dev/urandom | tr -d ' \n')"
  # written first, so that `stop` finds what to remove even after a failed start
  cat >"$D/nova.env" <<ENV
NOVA_URL=http://127.0.0.1:$nport/v2.1
PLACEMENT_URL=http://127.0.0.1:$pport
NOVA_DB_PREFIX=$P
NOVA_RABBIT_VHOST=$P
NOVA_KEYSTONE_DIR=$kdir
ENV

  $DB -e "CREATE DATABASE \`${P}_nova_api\` CHARACTER SET utf8mb4; CREATE DATABASE \`${P}_nova\` CHARACTER SET utf8mb4;
          CREATE DATABASE \`${P}_nova_cell0\` CHARACTER SET utf8mb4;
          CREATE DATABASE \`${P}_placement\` CHARACTER SET utf8mb4;" </dev/null || return 1
  local db="mysql+pymysql://root@127.0.0.1:3306"
  # keystoneauth password options for a service user: $1 name, $2 password
  auth() {
    printf '%s\n' "auth_url = $ks/v3" "auth_type = password" "project_domain_name = Default" \
      "user_domain_name = Default" "project_name = service" "username = $1" "password = $2" "region_name = RegionOne"
  }
  cat >"$D/etc/placement/placement.conf" <<CONF
[DEFAULT]
log_file = $D/logs/placement.log
[api]
auth_strategy = keystone
[keystone_authtoken]
www_authenticate_uri = $ks
$(auth placement "$placement_password")
[placement_database]
connection = $db/${P}_placement?charset=utf8
CONF
  cat >"$D/etc/placement/uwsgi.ini" <<CONF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:$pport
wsgi-file = /usr/bin/placement-api
master = true
processes = 1
threads = 2
enable-threads = true
lazy-apps = true
die-on-term = true
buffer-size = 65535
# http-socket closes each connection after the response: say so (see scripts/keystone.sh)
add-header = Connection: close
env = OS_PLACEMENT_CONFIG_DIR=$D/etc/placement
CONF
  cat >"$D/etc/nova.conf" <<CONF
[DEFAULT]
host = glint-nova-compute
my_ip = 127.0.0.1
state_path = $D/state
instances_path = $D/instances
transport_url = rabbit://guest:guest@127.0.0.1:5672/$P
compute_driver = libvirt.LibvirtDriver
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = $nport
osapi_compute_workers = 1
heal_instance_info_cache_interval = -1
[api]
auth_strategy = keystone
[api_database]
connection = $db/${P}_nova_api?charset=utf8
[database]
connection = $db/${P}_nova?charset=utf8
[keystone_authtoken]
www_authenticate_uri = $ks
$(auth nova "$nova_password")
[placement]
$(auth nova "$nova_password")
[glance]
# the catalog's image service: Glint
region_name = RegionOne
[neutron]
endpoint_override = http://127.0.0.1:$qport
$(auth nova "$nova_password")
[libvirt]
virt_type = qemu
cpu_mode = none
[vnc]
enabled = false
[spice]
enabled = false
[conductor]
workers = 1
[scheduler]
workers = 1
# the scheduler maps the new compute host itself (no nova-manage cell_v2 discover_hosts loop)
discover_hosts_in_cells_interval = 2
[oslo_concurrency]
lock_path = $D/locks
CONF
  # cell0's schema, made beside cell1's (`db sync --local_cell` syncs the database of [database] only)
  printf '[database]\nconnection = %s\n' "$db/${P}_nova_cell0?charset=utf8" >"$D/etc/nova-cell0.conf"

  # libvirtd (its own, in its own process group like every service here) and the Neutron stub start meanwhile
  patch_qemu_conf || { say "could not write $QEMU_CONF"; return 1; }
  LIBVIRT_LOG_OUTPUTS="3:file:$D/logs/libvirtd.log" spawn libvirtd libvirtd --pid-file "$D/run/libvirtd.pid"
  spawn neutron-stub /usr/bin/python3 "$root/scripts/neutron-stub.py" "$qport"

  # The set-up steps that do not depend on each other run at once (each log in DIR/logs/NAME.log); mostly Python
  # start-up and MariaDB DDL, about 40 s one after the other.
  local nc=(--config-file "$D/etc/nova.conf") steps=() step failed=0
  setup_step() { local name=$1; shift; "$@" >"$D/logs/$name.log" 2>&1 & steps+=("$name:$!"); }
  # shellcheck disable=SC2016   # the bash -c scripts take their values as $1...
  setup_step keystone-setup bash -c '
    "$1" service-user "$2" nova "$3" && "$1" service-user "$2" placement "$4" &&
    "$1" register "$2" nova compute "$5" && "$1" register "$2" placement placement "$6"' _ \
    "$root/scripts/keystone.sh" "$kdir" "$nova_password" "$placement_password" \
    "http://127.0.0.1:$nport/v2.1" "http://127.0.0.1:$pport"
  # shellcheck disable=SC2016
  setup_step rabbitmq-vhost bash -c 'rabbitmqctl -q add_vhost "$1" && rabbitmqctl -q set_permissions -p "$1" guest ".*" ".*" ".*"' \
    _ "$P"
  setup_step placement-manage placement-manage --config-file "$D/etc/placement/placement.conf" db sync
  # the API database's schema first, then cell0 and cell1 mapped in it (independent rows: at once)
  # shellcheck disable=SC2016
  setup_step nova-manage-api bash -c '
    nova-manage "$1" "$2" api_db sync || exit 1
    nova-manage "$1" "$2" cell_v2 map_cell0 --database_connection "$3" & cell0=$!
    nova-manage "$1" "$2" cell_v2 create_cell --name=cell1 || exit 1
    wait $cell0' _ "${nc[@]}" "$db/${P}_nova_cell0?charset=utf8"
  setup_step nova-manage-cell1 nova-manage "${nc[@]}" db sync --local_cell
  setup_step nova-manage-cell0 nova-manage --config-file "$D/etc/nova-cell0.conf" db sync --local_cell
  for step in "${steps[@]}"; do
    wait "${step#*:}" || { show_logs "${step%%:*}"; say "${step%%:*} failed (log: $D/logs/${step%%:*}.log)"; failed=1; }
  done
  [ "$failed" = 0 ] || return 1
  wait_for 30 "${VIRSH[@]}" version || { show_logs libvirtd; say "libvirtd did not answer within 30 s"; return 1; }
  spawn placement uwsgi --ini "$D/etc/placement/uwsgi.ini"

  for s in nova-api nova-conductor nova-scheduler nova-compute; do
    spawn "$s" "$s" "${nc[@]}" --log-file "$D/logs/$s.log"
  done
  # bounded poll: the compute API answers and the compute host is mapped with its inventory in Placement
  services_started=$SECONDS
  until http_answers "http://127.0.0.1:$nport/" && compute_ready; do
    for s in "${SERVICES[@]}"; do
      alive "$s" || { show_logs "$s"; say "$s exited during start-up (logs in $D/logs)"; return 1; }
    done
    if [ $((SECONDS - services_started)) -ge 180 ]; then
      show_logs nova-compute; show_logs nova-scheduler
      say "the compute host was not ready within 180 s (logs in $D/logs)"
      return 1
    fi
    sleep 1
  done
  say "Nova answers on http://127.0.0.1:$nport/v2.1 with its compute host ready, $((SECONDS - started)) s after the" \
    "start ($((SECONDS - services_started)) s after the services; libvirt qemu/TCG; state in $D)"
}

case "${1:-}" in
  install)
    [ $# = 1 ] || usage
    install_nova
    ;;
  start)
    [ $# = 3 ] || usage
    trap 'say "interrupted; undoing the start"; stop_nova "$2"; exit 130' INT TERM
    start_nova "$2" "$3" || { say "Nova did not start; undoing"; stop_nova "$2"; exit 1; }
    ;;
  stop)
    [ $# = 2 ] || usage
    stop_nova "$2"
    ;;
  *) usage ;;
esac
