#!/usr/bin/env bash
# The multi-host fault test (`make cluster-test`): network namespaces joined by veth pairs to one bridge
# stand for hosts (PostgreSQL + Redis, two web hosts, haproxy, two worker hosts, one beat host) on
# 10.231.7.0/24, addresses made here and nowhere else. deploy/cluster/run.py starts the processes, loads
# the balancer, kills a web process and a worker, stops Redis for 30 s, restores them, and prints the table.
# Everything made here is removed on exit, failure included. Needs root.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "cluster-test needs root (network namespaces)"; exit 1; }
command -v haproxy >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; }
PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"

ID="$$"
PREFIX="dct${ID: -4}"
BRIDGE="${PREFIX}br"
NET="10.231.7"
WORK="$(mktemp -d /tmp/domi-cluster.XXXXXX)"
chmod 755 "${WORK}"
declare -A HOSTS=([db]=2 [web1]=11 [web2]=12 [lb]=40 [wk1]=21 [wk2]=22 [beat]=31)

cleanup() {
  set +e
  if [ -f "${WORK}/pg/postmaster.pid" ]; then
    ip netns exec "${PREFIX}-db" su postgres -s /bin/sh -c "${PG_BIN}/pg_ctl -D ${WORK}/pg -m immediate stop" >/dev/null 2>&1
  fi
  for host in "${!HOSTS[@]}"; do
    ns="${PREFIX}-${host}"
    # Whatever still runs in the namespace goes with it.
    for pid in $(ip netns pids "${ns}" 2>/dev/null); do kill -9 "${pid}" 2>/dev/null; done
    ip link del "${PREFIX}${HOSTS[${host}]}h" 2>/dev/null
    ip netns del "${ns}" 2>/dev/null
  done
  ip link del "${BRIDGE}" 2>/dev/null
  rm -rf "${WORK}"
}
trap cleanup EXIT INT TERM

ip link add "${BRIDGE}" type bridge
ip addr add "${NET}.1/24" dev "${BRIDGE}"
ip link set "${BRIDGE}" up
for host in "${!HOSTS[@]}"; do
  ns="${PREFIX}-${host}"; n="${HOSTS[${host}]}"
  ip netns add "${ns}"
  ip link add "${PREFIX}${n}h" type veth peer name "${PREFIX}${n}n"
  ip link set "${PREFIX}${n}h" master "${BRIDGE}" up
  ip link set "${PREFIX}${n}n" netns "${ns}"
  ip -n "${ns}" addr add "${NET}.${n}/24" dev "${PREFIX}${n}n"
  ip -n "${ns}" link set "${PREFIX}${n}n" up
  ip -n "${ns}" link set lo up
done

# PostgreSQL of its own on the database host.
mkdir -p "${WORK}/pg" "${WORK}/redis" "${WORK}/logs"
chown postgres "${WORK}/pg"
chmod 777 "${WORK}/logs"
su postgres -s /bin/sh -c "${PG_BIN}/initdb -D ${WORK}/pg -U postgres --auth=trust -E UTF8 >/dev/null"
echo "host all all ${NET}.0/24 trust" >>"${WORK}/pg/pg_hba.conf"
ip netns exec "${PREFIX}-db" su postgres -s /bin/sh -c \
  "${PG_BIN}/pg_ctl -D ${WORK}/pg -l ${WORK}/logs/postgres.log -w -o \"-c listen_addresses=${NET}.2 -c port=5432 -c max_connections=100 -c fsync=off -c unix_socket_directories=${WORK}/pg\" start >/dev/null"
ip netns exec "${PREFIX}-db" "${PG_BIN}/psql" -h "${NET}.2" -U postgres -q -c "CREATE DATABASE domi"

DOMI_CLUSTER_PREFIX="${PREFIX}" DOMI_CLUSTER_NET="${NET}" DOMI_CLUSTER_WORK="${WORK}" \
  timeout 480 .venv/bin/python deploy/cluster/run.py
