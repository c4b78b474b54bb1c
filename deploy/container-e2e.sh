#!/usr/bin/env bash
# End to end from the image: migrate, web (gunicorn), a Celery worker and beat, each its own container of
# localhost/domi, against the machine's PostgreSQL and Redis; a tenant submits a request through the API
# and the crew triages (and books) it in the worker container.
#   bash deploy/image.sh && bash deploy/container-e2e.sh
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE="${DOMI_IMAGE:-localhost/domi:latest}"
DB="${DOMI_E2E_DB:-domi_prod_image}"
REDIS_DB="${DOMI_E2E_REDIS_DB:-3}"
PORT="${DOMI_E2E_PORT:-18431}"
export CONTAINERS_CONF="${CONTAINERS_CONF:-${PWD}/deploy/containers.conf}"
RUN_ID="domi-e2e-$$"
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
ENV_FILE="$(mktemp)"

cleanup() {
  for name in web worker beat; do "${PODMAN[@]}" rm -f -t 5 "${RUN_ID}-${name}" >/dev/null 2>&1 || true; done
  psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB}" flushdb >/dev/null 2>&1 || true
  rm -f "${ENV_FILE}"
}
trap cleanup EXIT

psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -q -c "DROP DATABASE IF EXISTS ${DB} WITH (FORCE)" -c "CREATE DATABASE ${DB}"
redis-cli -h 127.0.0.1 -p 6379 -n "${REDIS_DB}" flushdb >/dev/null
cat >"${ENV_FILE}" <<ENV
DJANGO_ENV=production
SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')
ALLOWED_HOSTS=127.0.0.1,localhost
DATABASE_URL=postgres://postgres@127.0.0.1:5432/${DB}
REDIS_URL=redis://127.0.0.1:6379/${REDIS_DB}
PORT=${PORT}
GUNICORN_WORKERS=2
DOMI_TRIAGE_PRELOAD=1
ENV
run() { "${PODMAN[@]}" run --network host --env-file "${ENV_FILE}" "$@"; }

echo "--- migrate (one-shot)"
run --rm "${IMAGE}" python3 manage.py migrate --noinput -v 0
echo "--- demo data (the demo set refuses production settings: loaded with DJANGO_ENV=local, same database)"
run --rm -e DJANGO_ENV=local "${IMAGE}" python3 manage.py seed_demo >/dev/null
echo "--- web, worker, beat"
run -d --name "${RUN_ID}-web" "${IMAGE}" >/dev/null
run -d --name "${RUN_ID}-worker" "${IMAGE}" celery -A domi worker --loglevel=INFO --concurrency=2 >/dev/null
run -d --name "${RUN_ID}-beat" "${IMAGE}" celery -A domi beat --loglevel=INFO --pidfile= >/dev/null
# The image runs as the unprivileged user, never root.
[ "$("${PODMAN[@]}" exec "${RUN_ID}-web" id -u)" = "10001" ]

status=0
.venv/bin/python deploy/e2e_submit.py "http://127.0.0.1:${PORT}" || status=$?
if [ "${status}" -ne 0 ]; then
  for name in web worker beat; do echo "--- ${name} log"; "${PODMAN[@]}" logs --tail 40 "${RUN_ID}-${name}" 2>&1; done
fi
exit "${status}"
