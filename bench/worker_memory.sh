#!/usr/bin/env bash
# make bench-memory: a real Celery worker's resident memory with the triage model loaded, at start and after
# it has triaged many requests (the target: under 400 MB a worker).
#
# A fresh PostgreSQL database with the demo data; a spare Redis database as the broker; one worker started as
# a deployed one is (celery -A domi worker, prefork pool, DJANGO_ENV=production, DEBUG off, the offline local
# model, preloaded in the main process before the pool forks). Once it answers a ping, the RSS (VmRSS) and Pss
# (smaps_rollup) of its main process and each pool process are read; then the held-out messages
# (agents/evaluation/triage_heldout.jsonl) and the calibration ones (agents/local_model/data/calibration) are
# reported as tenants' requests through maintenance_request_create, which hands each to the crew
# (agents.analyze, then coordination and the tenant's messages). When every request is triaged, the figures
# are read again and printed with each process's peak RSS (VmHWM). Figures, not a test: nothing fails on them
# (the command fails only if the requests were not all triaged in time). Everything it starts or creates (the
# worker, the database, the Redis database's keys) is stopped or dropped on exit.
#
# The crew's analysis takes about 0.4 s a request here (two CPUs, one of them busy elsewhere), its later steps
# about twice that: the default, the held-out messages and no waiting for the later steps, takes about 5 minutes.
#
# Settings (environment): BENCH_MEMORY_MESSAGES (630: the held-out messages; up to 2070, the 1,440 calibration
# messages after them), BENCH_MEMORY_CONCURRENCY (1: pool processes), BENCH_MEMORY_DRAIN (0; 1: then also wait
# until the crew's later steps have left the queue, and read the figures again), BENCH_MEMORY_REDIS_DB (14),
# BENCH_MEMORY_TIMEOUT (a second a message, 420 at least: for all of it, from the first request reported).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
MESSAGES="${BENCH_MEMORY_MESSAGES:-630}"
CONCURRENCY="${BENCH_MEMORY_CONCURRENCY:-1}"
REDIS_DB="${BENCH_MEMORY_REDIS_DB:-14}"
TIMEOUT="${BENCH_MEMORY_TIMEOUT:-$((MESSAGES > 420 ? MESSAGES : 420))}"
DRAIN="${BENCH_MEMORY_DRAIN:-0}"
PG_DB="domi_membench_$$"
WORKER_NAME="membench-$$@$(hostname)"
WORK="$(mktemp -d)"
WORKER_PID=""

log() { echo "[bench $(date +%H:%M:%S)] $*"; }
psql_admin() { psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q "$@"; }

stop_worker() {  # the worker we started, by its pid: TERM (a warm shutdown), then KILL it and its pool after 30 s
  [ -n "${WORKER_PID}" ] || return 0
  local pool
  pool="$(ps -o pid= --ppid "${WORKER_PID}" 2>/dev/null || true)"
  kill -TERM "${WORKER_PID}" 2>/dev/null || return 0
  for _ in $(seq 300); do kill -0 "${WORKER_PID}" 2>/dev/null || break; sleep 0.1; done
  # shellcheck disable=SC2086 # one pid a word
  kill -KILL "${WORKER_PID}" ${pool} 2>/dev/null || true
  wait "${WORKER_PID}" 2>/dev/null || true
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_worker
  psql_admin -c "DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB}" flushdb >/dev/null 2>&1 || true
  if [ "${status}" -ne 0 ]; then
    for f in "${WORK}"/*.log; do [ -f "$f" ] && { echo "--- last lines of $f"; tail -20 "$f"; }; done
  fi
  rm -rf "${WORK}"
  log "cleaned up (worker stopped, ${PG_DB} dropped, Redis db ${REDIS_DB} flushed)"
  exit "${status}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

STARTED=${SECONDS}

# --- the services and the database ---------------------------------------------------------------------
pg_isready -h 127.0.0.1 -p 5432 -q || pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 \
  || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
psql_admin -c "CREATE DATABASE ${PG_DB}"
redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB}" flushdb >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${PG_DB}"
export REDIS_URL="redis://127.0.0.1:6379/${REDIS_DB}"
export DOMI_AI_MODEL=local DOMI_AI_FALLBACK=local DOMI_TRIAGE_PRELOAD=1
# Migrating, seeding and reporting the requests run as a local process would (seed_demo refuses production).
export DJANGO_ENV=local DEBUG=false

log "migrating ${PG_DB} and seeding the demo data"
"${PY}" manage.py migrate --noinput -v0 2>"${WORK}/migrate.log"
"${PY}" manage.py seed_demo --quiet 2>"${WORK}/seed.log"

# --- the worker ----------------------------------------------------------------------------------------
# As compose.yaml and deploy/k8s start it, with the production settings (deploy/cluster/run.py's, bar the
# time limits, which keep their defaults).
SECRET_KEY="$("${PY}" -c 'import secrets; print(secrets.token_urlsafe(64))')"
env DJANGO_ENV=production SECRET_KEY="${SECRET_KEY}" ALLOWED_HOSTS='*' SECURE_SSL_REDIRECT=false LOG_LEVEL=INFO \
  .venv/bin/celery -A domi worker --loglevel=INFO --pool=prefork --concurrency="${CONCURRENCY}" \
  --hostname="${WORKER_NAME}" >"${WORK}/worker.log" 2>&1 &
WORKER_PID=$!
log "worker ${WORKER_NAME} (pid ${WORKER_PID}, prefork, concurrency ${CONCURRENCY}) starting"
"${PY}" bench/worker_memory.py ready --hostname "${WORKER_NAME}" --pid "${WORKER_PID}" --seconds 120
if ! grep -q triage_model_loaded "${WORK}/worker.log"; then
  echo "the worker answers but did not log triage_model_loaded" >&2
  exit 1
fi
log "ready: $(grep -o 'triage_model_loaded[^"]*' "${WORK}/worker.log" | head -1)"

SNAPSHOTS="${WORK}/snapshots.jsonl"
"${PY}" bench/worker_memory.py snapshot --pid "${WORKER_PID}" --label start >"${SNAPSHOTS}"

# --- the messages --------------------------------------------------------------------------------------
log "reporting ${MESSAGES} requests; the crew triages them on the worker"
CREW_STARTED="$(date +%s.%N)"
FIRST_ID="$("${PY}" bench/worker_memory.py create --messages "${MESSAGES}" 2>>"${WORK}/create.log")"
tail -1 "${WORK}/create.log"
DRAIN_FLAG=()
[ "${DRAIN}" = "1" ] && DRAIN_FLAG=(--drain)
OUTCOME="$("${PY}" bench/worker_memory.py wait --first-id "${FIRST_ID}" --expected "${MESSAGES}" \
  --since "${CREW_STARTED}" --seconds "${TIMEOUT}" --pid "${WORKER_PID}" --snapshots "${SNAPSHOTS}" "${DRAIN_FLAG[@]}")"
outcome() { echo "${OUTCOME}" | "${PY}" -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
TRIAGED="$(outcome triaged)"

# --- the report ----------------------------------------------------------------------------------------
echo
echo "Celery worker memory: triage model $(cat agents/local_model/artefacts/CURRENT), prefork pool of ${CONCURRENCY}," \
  "DJANGO_ENV=production, $(nproc) CPUs"
echo "triaged ${TRIAGED} of ${MESSAGES} requests $(outcome triage_seconds) s after the first was reported;" \
  "$(outcome queued_when_triaged) crew tasks were then queued or running"
if [ "${DRAIN}" = "1" ] && [ "$(outcome drained_seconds)" = "None" ]; then
  echo "the queue was not empty within ${TIMEOUT} s"
elif [ "${DRAIN}" = "1" ]; then
  echo "queue empty $(outcome drained_seconds) s after the first was reported"
fi
echo "statuses: $(outcome statuses)"
echo "Analyzer runs (model, outcome): $(outcome analyzer_runs)"
echo
"${PY}" bench/worker_memory.py report "${SNAPSHOTS}" --messages "${MESSAGES}"
echo
log "done in $((SECONDS - STARTED)) s"
if [ "${TRIAGED}" -lt "${MESSAGES}" ]; then
  echo "not every request was triaged within ${TIMEOUT} s: the figures above are after ${TRIAGED}" >&2
  exit 1
fi
