#!/usr/bin/env bash
# make bench: the API's service time and capacity, measured in one run on the same server settings.
#
# A fresh PostgreSQL database with the demo data and 10,000 requests; the API under gunicorn (2 sync
# workers, DJANGO_ENV=local DEBUG=false, tasks sent to a spare Redis database so no AI crew runs inside a
# request); beside it the baseline (bench/baseline: a minimal DRF list of 50 rows of a two-field model, no
# auth) under the same gunicorn settings; wrk as the load tool. For each endpoint: p50/p95/p99 latency with
# 2 concurrent clients (service time), requests per second with 20 (capacity). Prints the table, the
# ratios and the targets' pass/fail, and writes them to bench-results/. Everything it starts or creates
# (gunicorn, both databases, the Redis database's keys) is stopped or dropped on exit.
#
# Settings (environment): BENCH_REQUESTS (10000), BENCH_SECONDS per run (10), BENCH_WARMUP_SECONDS (2),
# BENCH_LOW_CLIENTS (2), BENCH_HIGH_CLIENTS (20), BENCH_WORKERS (2), BENCH_RATIO_ROUNDS (3: rounds of the
# list / baseline capacity pair, the figure their median), BENCH_REDIS_DB (15),
# BENCH_RESULTS (bench-results).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
REQUESTS="${BENCH_REQUESTS:-10000}"
RUN_SECONDS="${BENCH_SECONDS:-10}"
WARMUP_SECONDS="${BENCH_WARMUP_SECONDS:-2}"
LOW="${BENCH_LOW_CLIENTS:-2}"
HIGH="${BENCH_HIGH_CLIENTS:-20}"
WORKERS="${BENCH_WORKERS:-2}"
RATIO_ROUNDS="${BENCH_RATIO_ROUNDS:-3}"
REDIS_DB="${BENCH_REDIS_DB:-15}"
RESULTS_DIR="${BENCH_RESULTS:-bench-results}"
WRK_THREADS=2
PG_DB="domi_bench_$$"
BASE_DB="domi_bench_base_$$"
WORK="$(mktemp -d)"
API_PID=""
BASE_PID=""

log() { echo "[bench $(date +%H:%M:%S)] $*"; }
psql_admin() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q "$@"; }

stop_server() {  # stop one gunicorn we started, by its pid: TERM, then KILL after 15 s
  local pid="$1"
  [ -n "${pid}" ] || return 0
  kill -TERM "${pid}" 2>/dev/null || return 0
  for _ in $(seq 150); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "${pid}" 2>/dev/null || true
  wait "${pid}" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server "${API_PID}"
  stop_server "${BASE_PID}"
  psql_admin -c "DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)" >/dev/null 2>&1 || true
  psql_admin -c "DROP DATABASE IF EXISTS ${BASE_DB} WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB}" flushdb >/dev/null 2>&1 || true
  if [ "${status}" -ne 0 ]; then
    for f in "${WORK}"/*.log; do [ -f "$f" ] && { echo "--- last lines of $f"; tail -20 "$f"; }; done
  fi
  rm -rf "${WORK}"
  log "cleaned up (gunicorn stopped, ${PG_DB} and ${BASE_DB} dropped, Redis db ${REDIS_DB} flushed)"
  exit "${status}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

spare_port() {
  "${PY}" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_for() {  # wait_for URL: until it answers (any HTTP status), 60 s at most
  for _ in $(seq 600); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "no answer from $1" >&2
  return 1
}

expect_status() {  # expect_status CODE CURL-ARGS...: one request, checked before it is measured
  local expected="$1" got
  shift
  got="$(curl -s -o "${WORK}/last-response" -w '%{http_code}' "$@")"
  if [ "${got}" != "${expected}" ]; then
    echo "expected ${expected}, got ${got} from: $*" >&2
    head -c 600 "${WORK}/last-response" >&2
    return 1
  fi
}

# --- the tools and services ----------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk (Debian package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 \
  || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no

# --- the databases -------------------------------------------------------------------------------------
psql_admin -c "CREATE DATABASE ${PG_DB}" -c "CREATE DATABASE ${BASE_DB}"
redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB}" flushdb >/dev/null

export DJANGO_ENV=local DEBUG=false
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${PG_DB}"
export REDIS_URL="redis://127.0.0.1:6379/${REDIS_DB}"
# The benchmark creates thousands of requests as one tenant: lift the per-person limit for this run only.
export DOMI_RATELIMIT_REQUEST_CREATE_PER_USER="100000000/h"
export JWT_ACCESS_MINUTES=60
export BENCH_BASELINE_DATABASE="postgres://postgres@127.0.0.1:5432/${BASE_DB}"

log "migrating ${PG_DB}"
"${PY}" manage.py migrate --noinput -v0 2>"${WORK}/migrate.log"
log "seeding the demo data and ${REQUESTS} requests"
SEED="$("${PY}" bench/seed.py --requests "${REQUESTS}" 2>"${WORK}/seed.log" | tail -1)"
psql_admin -d "${PG_DB}" -c "VACUUM ANALYZE"
"${PY}" bench/baseline/prepare.py
seed_field() { echo "${SEED}" | "${PY}" -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
log "seeded: ${SEED}"

# --- the servers ---------------------------------------------------------------------------------------
API_PORT="$(spare_port)"
BASE_PORT="$(spare_port)"
while [ "${BASE_PORT}" = "${API_PORT}" ]; do BASE_PORT="$(spare_port)"; done
GUNICORN=(.venv/bin/gunicorn --workers "${WORKERS}" --worker-class sync --log-level warning)
"${GUNICORN[@]}" --bind "127.0.0.1:${API_PORT}" domi.wsgi:application >"${WORK}/api.log" 2>&1 &
API_PID=$!
"${GUNICORN[@]}" --bind "127.0.0.1:${BASE_PORT}" bench.baseline.wsgi:application >"${WORK}/baseline.log" 2>&1 &
BASE_PID=$!
API="http://127.0.0.1:${API_PORT}"
BASE="http://127.0.0.1:${BASE_PORT}"
wait_for "${API}/healthz"
wait_for "${BASE}/items/"
log "API on ${API} (pid ${API_PID}), baseline on ${BASE} (pid ${BASE_PID}), ${WORKERS} workers each"

token() {
  curl -sf -X POST -H 'Content-Type: application/json' \
    -d "{\"email\": \"$1\", \"password\": \"$(seed_field password)\"}" "${API}/api/v1/auth/token/" \
    | "${PY}" -c 'import json, sys; print(json.load(sys.stdin)["access"])'
}
STAFF_AUTH="Authorization: Bearer $(token "$(seed_field staff)")"
TENANT_AUTH="Authorization: Bearer $(token "$(seed_field tenant)")"
DETAIL_ID="$(seed_field detail_id)"
CREATE_BODY="{\"unit\": $(seed_field tenant_unit_id), \"title\": \"Bench: kitchen tap dripping\", \
\"description\": \"The kitchen tap drips all the time, even when closed tight.\", \"permission_to_enter\": true}"

LIST_URL="${API}/api/v1/requests/?page_size=50"
DETAIL_URL="${API}/api/v1/requests/${DETAIL_ID}/"
CREATE_URL="${API}/api/v1/requests/"
expect_status 200 -H "${STAFF_AUTH}" "${LIST_URL}"
expect_status 200 -H "${STAFF_AUTH}" "${DETAIL_URL}"
expect_status 201 -H "${TENANT_AUTH}" -H 'Content-Type: application/json' -d "${CREATE_BODY}" "${CREATE_URL}"
expect_status 200 "${API}/healthz"
expect_status 200 "${BASE}/items/"

# --- the measurements ----------------------------------------------------------------------------------
RESULTS="${WORK}/results.jsonl"
: >"${RESULTS}"
run_wrk() {  # run_wrk CLIENTS SECONDS URL [wrk args...]: the JSON line of bench/wrk/report.lua
  local clients="$1" seconds="$2" url="$3"
  shift 3
  wrk -t"${WRK_THREADS}" -c"${clients}" -d"${seconds}s" --timeout 10s -s bench/wrk/report.lua "$@" "${url}" | tail -1
}
measure() {  # measure NAME URL [wrk args...]: warm up, then LOW clients (service time), HIGH (capacity)
  local name="$1" url="$2" clients figures
  shift 2
  run_wrk "${LOW}" "${WARMUP_SECONDS}" "${url}" "$@" >/dev/null
  for clients in "${LOW}" "${HIGH}"; do
    figures="$(run_wrk "${clients}" "${RUN_SECONDS}" "${url}" "$@")"
    echo "{\"endpoint\": \"${name}\", \"clients\": ${clients}, ${figures#\{}" >>"${RESULTS}"
    log "${name} @${clients}: ${figures}"
  done
}

measure baseline "${BASE}/items/"
measure healthz "${API}/healthz"
measure list "${LIST_URL}" -H "${STAFF_AUTH}"
measure detail "${DETAIL_URL}" -H "${STAFF_AUTH}"
BENCH_METHOD=POST BENCH_BODY="${CREATE_BODY}" measure create "${CREATE_URL}" -H "${TENANT_AUTH}"
# More rounds of the capacity pair, baseline then list, so the ratio is a median rather than one pair.
record_round() {  # record_round NAME ROUND FIGURES
  echo "{\"endpoint\": \"$1\", \"clients\": ${HIGH}, \"round\": $2, ${3#\{}" >>"${RESULTS}"
  log "$1 @${HIGH}, round $2: $3"
}
for round in $(seq 2 "${RATIO_ROUNDS}"); do
  record_round baseline "${round}" "$(run_wrk "${HIGH}" "${RUN_SECONDS}" "${BASE}/items/")"
  record_round list "${round}" "$(run_wrk "${HIGH}" "${RUN_SECONDS}" "${LIST_URL}" -H "${STAFF_AUTH}")"
done

# --- the report ----------------------------------------------------------------------------------------
QUEUED="$(redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB}" llen celery 2>/dev/null || echo '?')"
cat >"${WORK}/meta.json" <<EOF
{"requests_seeded": $(seed_field requests), "workers": ${WORKERS}, "seconds": ${RUN_SECONDS},
 "cpus": $(nproc), "wrk": "$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)",
 "postgresql": "$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW server_version' | cut -d' ' -f1)",
 "celery_tasks_queued_not_run": "${QUEUED}", "detail_id": ${DETAIL_ID},
 "prepared_statements": "${DB_PREPARED_STATEMENTS:-true}"}
EOF
log "Celery tasks left queued in Redis db ${REDIS_DB} by the creates (the crew ran in none of them): ${QUEUED}"
"${PY}" bench/report.py "${RESULTS}" "${WORK}/meta.json" "${RESULTS_DIR}"
