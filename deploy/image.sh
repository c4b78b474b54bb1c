#!/usr/bin/env bash
# Build the Domi image on this machine, where no container registry answers: a Debian bookworm base made
# with debootstrap (cached under DOMI_IMAGE_CACHE, made from nothing when that folder is empty), imported
# into podman as localhost/domi-base, then the Containerfile built on it with buildah.
#   bash deploy/image.sh            -> localhost/domi:latest
# With a registry at hand, `buildah build -t domi .` uses the official python:3.11-slim-bookworm instead.
set -euo pipefail
cd "$(dirname "$0")/.."

CACHE="${DOMI_IMAGE_CACHE:-/var/cache/domi-image}"
IMAGE="${DOMI_IMAGE:-localhost/domi:latest}"
BASE_IMAGE="localhost/domi-base:bookworm"
export CONTAINERS_CONF="${CONTAINERS_CONF:-${PWD}/deploy/containers.conf}"

need() { command -v "$1" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }
need podman podman
need buildah buildah
need runc runc
need debootstrap debootstrap

# The Debian mirror apt uses here (the first URIs of the bookworm suite).
mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri="$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)"
  fi
  if [ -z "${uri}" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk '$1 == "deb" && $3 ~ /^bookworm$/ {print $2; exit}' /etc/apt/sources.list)"
  fi
  echo "${uri}"
}

mkdir -p "${CACHE}/pip"
BASE_TAR="${CACHE}/bookworm-minbase-python3.tar"
if [ ! -s "${BASE_TAR}" ]; then
  ROOTFS="$(mktemp -d "${CACHE}/rootfs.XXXXXX")"
  trap 'rm -rf "${ROOTFS}"' EXIT
  echo "debootstrap: bookworm minbase with python3 into ${ROOTFS}"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "${ROOTFS}" "$(mirror)" \
    >"${CACHE}/debootstrap.log" 2>&1 || { tail -30 "${CACHE}/debootstrap.log"; exit 1; }
  # The base keeps no package lists or caches: the image has no apt index to go stale.
  rm -rf "${ROOTFS}"/var/lib/apt/lists/* "${ROOTFS}"/var/cache/apt/*.bin "${ROOTFS}"/var/cache/apt/archives/*.deb
  tar -C "${ROOTFS}" -c . >"${BASE_TAR}.part" && mv "${BASE_TAR}.part" "${BASE_TAR}"
  rm -rf "${ROOTFS}"
  trap - EXIT
fi
if ! podman image exists "${BASE_IMAGE}"; then
  podman import --quiet "${BASE_TAR}" "${BASE_IMAGE}" >/dev/null
fi

# Pip inside the build reaches the same package index as pip here: the host's pip configuration is handed to
# the build as a mounted file and environment for the install step only, never written into the image.
PIP_CONF="$(mktemp)"
trap 'rm -f "${PIP_CONF}"' EXIT
pip_args=()
HOST_CA="${DOMI_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}"
# The machine's pip first: CI builds the image while `make install` is still creating (and upgrading the pip of)
# .venv, whose pip may be half-written at that moment; both read the same configuration.
PIP="$(command -v pip3 || command -v .venv/bin/pip || true)"
{
  echo "[global]"
  # `pip config list` prints both the files' keys (global.X) and the PIP_* environment (:env:.X); a
  # constraint file on the host's disk means nothing inside the build, so it stays out.
  if [ -n "${PIP}" ]; then
    "${PIP}" config list 2>/dev/null | sed -nE "s/^(global|:env:)\.([a-z-]+)='(.*)'$/\2 = \3/p" \
      | grep -vE '^(constraint|cert) ' | awk '!seen[$1]++' || true
  fi
  # The host's certificate authorities (its index may sit behind a proxy with a CA of its own), mounted for
  # the install step only.
  echo "cert = /run/domi-build/ca-certificates.crt"
} >"${PIP_CONF}"
for folder in /opt/wheels /opt/pypi /opt/pypi-more; do
  [ -d "${folder}" ] && pip_args+=(--volume "${folder}:${folder}:ro")
done

buildah build --quiet --format docker --isolation chroot --network host --layers \
  --build-arg "BASE=${BASE_IMAGE}" \
  --volume "${PIP_CONF}:/etc/pip.conf:ro" \
  --volume "${HOST_CA}:/run/domi-build/ca-certificates.crt:ro" \
  --volume "${CACHE}/pip:/root/.cache/pip" \
  "${pip_args[@]}" \
  -t "${IMAGE}" -f Containerfile . >/dev/null
echo "built ${IMAGE} on ${BASE_IMAGE}: $(podman image inspect --format '{{.Size}}' "${IMAGE}" | awk '{printf "%.0f MB", $1/1e6}')"
