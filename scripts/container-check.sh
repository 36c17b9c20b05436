#!/usr/bin/env bash
# Builds the nnplay image from the Dockerfile and runs it as docker-compose.yml says, with podman,
# then proves it works: the compose healthcheck passes, a job trains through the published port,
# the server runs as the image's non-root user with the CPU build of torch, and the job and its
# history are still there after the container is removed and started again on the same volume.
# Removes what it created (container, volume, image); keeps the base image it built as a cache.
#
# Usage: scripts/container-check.sh        (needs ./.venv: scripts/install.sh)
# Exit 0: passed, or "container check SKIPPED: <reason>" when no container engine can be had here
# (no podman and no root + apt-get to install it, or podman cannot start a container).
# Exit 1: "container check FAILED: <reason>".
#
# Nothing machine-specific is written into the Dockerfile or the compose file; it is passed in:
# - the base: the Dockerfile's python:3.11-slim when a registry answers, else Debian bookworm's
#   python3 (3.11) from the configured Debian mirror (debootstrap), given as `podman build --from`;
# - a CPU torch wheel that this machine's pip finds locally (with its dependencies) as a file://
#   wheel index in the Dockerfile's TORCH_INDEX_URL, instead of download.pytorch.org;
# - this machine's CA bundle over the build's /etc/ssl/certs/ca-certificates.crt (Debian's pip reads
#   it), so pip can reach the package registry through a TLS-inspecting proxy.
# Set CONTAINER_CHECK_BASE=<image> to build from another base instead.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
PROJECT="nnplay-check-$$"                   # names unique to this run: several may share a machine
IMAGE="localhost/nnplay-check:$$"
NAME="$PROJECT-nnplay-1"                    # as scripts/container_check.py run-args names it
UPSTREAM_BASE=docker.io/library/python:3.11-slim
LOCAL_BASE=localhost/nnplay-base:bookworm
MAX_IMAGE_BYTES=2000000000                  # 2 GB
HEALTH_TIMEOUT_S=180
TMP=$(mktemp -d)
VOLUMES=()
T_START=$SECONDS

skip() { echo "container check SKIPPED: $*"; exit 0; }
fail() { echo "container check FAILED: $*" >&2; exit 1; }
engine() { podman "$@"; }

# Runs one step and prints its time: step "what it does" function [args...]
step() {
  local what=$1 t0=$SECONDS
  shift
  echo "== $what"
  "$@"
  echo "   ($what: $((SECONDS - t0)) s)"
}

cleanup() {
  local rc=$?
  if command -v podman >/dev/null 2>&1 && [ -n "${CONTAINERS_CONF:-}" ]; then
    engine rm --force --time 5 "$NAME" >/dev/null 2>&1 || true
    for v in "${VOLUMES[@]}"; do engine volume rm --force "$v" >/dev/null 2>&1 || true; done
    engine rmi --force "$IMAGE" >/dev/null 2>&1 || true
  fi
  rm -rf "$TMP"
  echo "container check: $((SECONDS - T_START)) s in all"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. the engine -------------------------------------------------------------------------------

apt_install() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 || return 1
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

install_engine() {
  [ -x "$PY" ] || fail "$PY is missing: run scripts/install.sh first"
  if ! command -v podman >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then
    apt_install podman runc || skip "podman is not installed and cannot be (needs root and apt-get)"
  fi
  # crun fails on hybrid cgroups (v1 + v2), so runc; and no default ulimits, since some sandboxes
  # refuse setrlimit. Only this script's podman calls read this file.
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' > "$TMP/containers.conf"
  export CONTAINERS_CONF="$TMP/containers.conf"
  engine info >/dev/null 2>"$TMP/info.err" || skip "podman does not work here: $(tail -n 1 "$TMP/info.err")"
  podman --version
}

# --- 2. the base image ---------------------------------------------------------------------------

debian_mirror() {
  # The first Debian archive in APT's sources (deb822 or one-line format), else deb.debian.org.
  local uri
  uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
          /etc/apt/sources.list | grep -v security | head -n 1 \
          | sed -E 's/^(URIs:|deb)[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}')
  echo "${uri:-http://deb.debian.org/debian}"
}

build_local_base() {
  command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap || fail "debootstrap is needed to build the base"
  local mirror rootfs="$TMP/rootfs"
  mirror=$(debian_mirror)
  echo "   building $LOCAL_BASE: Debian bookworm minbase with python3 from $mirror"
  debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm "$rootfs" "$mirror" \
    >"$TMP/debootstrap.log" 2>&1 || fail "debootstrap: $(tail -n 3 "$TMP/debootstrap.log")"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | engine import --quiet --change 'ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV=LANG=C.UTF-8' --change 'CMD=["python3"]' - "$LOCAL_BASE" >/dev/null
  rm -rf "$rootfs"
}

base_image() {
  FROM_ARGS=()
  if [ -n "${CONTAINER_CHECK_BASE:-}" ]; then
    FROM_ARGS=(--from "$CONTAINER_CHECK_BASE")
  elif timeout 120 podman pull --quiet "$UPSTREAM_BASE" >/dev/null 2>"$TMP/pull.err"; then
    echo "   pulled $UPSTREAM_BASE (the Dockerfile's own base)"
  else
    echo "   cannot pull $UPSTREAM_BASE: $(tail -n 1 "$TMP/pull.err" | cut -c1-160)"
    if engine image exists "$LOCAL_BASE"; then
      echo "   using $LOCAL_BASE built here on $(engine image inspect --format '{{.Created}}' "$LOCAL_BASE" | cut -c1-19)"
    else
      build_local_base
    fi
    FROM_ARGS=(--from "$LOCAL_BASE")
  fi
  local base=${FROM_ARGS[1]:-$UPSTREAM_BASE}
  engine image exists "$base" || fail "no base image $base"
  engine run --rm "$base" python3 -c 'import sys; print("   base python", sys.version.split()[0])' \
    2>"$TMP/run.err" || skip "podman cannot start a container here: $(tail -n 1 "$TMP/run.err")"
}

# --- 3. the image --------------------------------------------------------------------------------

torch_wheels() {
  # A CPU torch wheel this machine's pip finds without the network (a find-links folder), with
  # its dependencies, as a wheel index; none: the Dockerfile's own TORCH_INDEX_URL is used.
  TORCH_ARGS=()
  if "$PY" -m pip download --quiet --only-binary=:all: --dest "$TMP/wheels" "torch==2.13.0+cpu" \
       >"$TMP/pip.log" 2>&1; then
    echo "   local wheel index: $("$PY" scripts/container_check.py wheel-index "$TMP/wheels")"
    TORCH_ARGS=(--build-arg TORCH_INDEX_URL=file:///mnt/simple --volume "$TMP/wheels:/mnt:ro")
  else
    echo "   no local CPU torch wheel; the build takes torch from the Dockerfile's TORCH_INDEX_URL"
  fi
}

build_progress() {
  # The build's output to $TMP/build.log; each Dockerfile step's start time (seconds) to stdout.
  local line
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$TMP/build.log"
    case $line in "STEP "* | "COMMIT "*) echo "   [$((SECONDS - $1)) s] ${line:0:110}" ;; esac
  done
}

build_image() {
  local ca=/etc/ssl/certs/ca-certificates.crt ca_args=()
  [ -f "$ca" ] && ca_args=(--volume "$ca:$ca:ro")
  # docker format keeps the Dockerfile's HEALTHCHECK (OCI image configs have no healthcheck);
  # --layers=false: one commit, since the image is removed afterwards.
  local t0=$SECONDS
  timeout 1200 podman build --format docker --layers=false --pull=never "${FROM_ARGS[@]}" \
    "${TORCH_ARGS[@]}" "${ca_args[@]}" --tag "$IMAGE" --file Dockerfile . 2>&1 | build_progress "$t0" \
    || fail "podman build: $(tail -n 20 "$TMP/build.log")"
  local size
  size=$(engine image inspect --format '{{.Size}}' "$IMAGE")
  echo "   image $IMAGE: $((size / 1000000)) MB ($size bytes; limit $((MAX_IMAGE_BYTES / 1000000)) MB)"
  [ "$size" -le "$MAX_IMAGE_BYTES" ] || fail "the image is $size bytes, over $MAX_IMAGE_BYTES"
  echo "   image healthcheck: $(engine image inspect --format '{{json .Config.Healthcheck.Test}}' "$IMAGE" | cut -c1-120)"
}

# --- 4. run it as compose does -------------------------------------------------------------------

start_container() {
  "$PY" scripts/container_check.py run-args "$PROJECT" "$IMAGE" "$PORT" >"$TMP/run-args" \
    || fail "cannot apply docker-compose.yml to podman run"
  mapfile -d '' RUN_ARGS <"$TMP/run-args"
  VOLUMES=()
  for ((i = 0; i < ${#RUN_ARGS[@]}; i++)); do
    [ "${RUN_ARGS[i]}" = --volume ] && VOLUMES+=("${RUN_ARGS[i + 1]%%:*}")
  done
  echo "   podman run ${RUN_ARGS[*]}" | cut -c1-400
  run_container
}

run_container() {
  # podman's complaints that it cannot reach systemd to schedule the healthcheck go to a file:
  # wait_healthy runs the healthcheck itself.
  engine run "${RUN_ARGS[@]}" >/dev/null 2>>"$TMP/podman.err" || fail "podman run: $(tail -n 5 "$TMP/podman.err")"
}

wait_healthy() {
  # Runs the compose healthcheck in the container (podman runs it on a timer only under systemd).
  local deadline=$((SECONDS + HEALTH_TIMEOUT_S)) state
  until engine healthcheck run "$NAME" >/dev/null 2>&1; do
    state=$(engine inspect --format '{{.State.Status}}' "$NAME")
    [ "$state" = running ] || fail "the container is $state: $(engine logs --tail 20 "$NAME" 2>&1)"
    [ $SECONDS -lt $deadline ] || fail "not healthy after $HEALTH_TIMEOUT_S s: $(engine logs --tail 20 "$NAME" 2>&1)"
    sleep 2
  done
  echo "   healthy: $(engine inspect --format '{{.State.Health.Status}}' "$NAME"), http://127.0.0.1:$PORT"
}

check_user_and_torch() {
  local user uid status
  user=$(engine image inspect --format '{{.Config.User}}' "$IMAGE")
  uid=$(engine exec "$NAME" id -u "$user")
  status=$(engine exec "$NAME" sh -c 'grep "^Uid:" /proc/1/status; tr "\0" " " </proc/1/cmdline; echo; stat -c "%u %n" /data/nnplay.db')
  echo "$status" | sed 's/^/   /'
  [ -n "$user" ] && [ "$uid" != 0 ] || fail "the image's USER is '${user:-root}' (uid $uid), not a non-root user"
  echo "$status" | grep -qE "^Uid:\s+$uid\s+$uid\s+$uid\s+$uid$" || fail "the server does not run as $user ($uid)"
  echo "$status" | grep -q "nnplay serve" || fail "process 1 is not nnplay serve"
  echo "$status" | grep -q "^$uid /data/nnplay.db$" || fail "the database on the volume is not owned by $user"
  engine exec "$NAME" python -c 'import sys, torch; print("   torch", torch.__version__, "cuda", torch.version.cuda); sys.exit(torch.version.cuda is not None)' \
    || fail "the image has a CUDA build of torch"
}

train_job() {
  "$PY" scripts/container_check.py train "http://127.0.0.1:$PORT" --save "$TMP/job.json" >/dev/null \
    || fail "training through the API (server log: $(engine logs --tail 20 "$NAME" 2>&1))"
}

recreate_container() {
  # As `docker compose down` then `up` (the volume kept): a new container, the same volume.
  engine stop --time 30 "$NAME" >/dev/null 2>>"$TMP/podman.err"
  echo "   stopped, exit code $(engine inspect --format '{{.State.ExitCode}}' "$NAME")"
  engine rm "$NAME" >/dev/null 2>>"$TMP/podman.err"
  run_container
  wait_healthy
  "$PY" scripts/container_check.py recheck "http://127.0.0.1:$PORT" "$TMP/job.json" \
    || fail "the job did not survive the restart"
}

for v in $(compgen -e | grep '^NNPLAY_' || true); do unset "$v"; done  # compose's own defaults
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

step "container engine" install_engine
step "base image" base_image
step "local torch wheel" torch_wheels
step "build the image from the Dockerfile" build_image
step "start it with docker-compose.yml's settings" start_container
step "wait for the compose healthcheck" wait_healthy
step "train the linreg_plane preset through the API" train_job
step "non-root server, CPU torch" check_user_and_torch
step "remove and recreate the container on its volume" recreate_container
echo "container check PASSED"
