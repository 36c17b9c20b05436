#!/usr/bin/env bash
# Creates ./.venv (if missing) and installs nnplay with pinned dependencies.
# Usage: scripts/install.sh [--test]   (--test adds the test tools and Debian's Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# NNPLAY_EXTRAS (optional): more extras, e.g. `ray` (the Dockerfile passes its build argument on).
# The test install adds `ray`, so the Ray executor's tests run too (a local Ray of 2 CPUs).
extras="${NNPLAY_EXTRAS:-}"
[ "${1:-}" = "--test" ] && extras="test,ray${extras:+,$extras}"
extras="${extras:+[$extras]}"
# torch first, pinned (the CPU wheel where one lies on disk), so no other build is pulled in.
# TORCH_INDEX_URL (optional) sends this one step to another wheel index: the Dockerfile sets it to
# PyTorch's CPU-only index so the image gets the CPU build, not the multi-GB CUDA one.
.venv/bin/python -m pip install --quiet ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e "backend${extras}"
# dclint (validates docker-compose.yml against the Compose schema in tests/unit/test_docker.py),
# pinned in tools/package-lock.json; reinstalled only when the lock file changes
if [ "${1:-}" = "--test" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "The compose-file test needs Node.js 20.19+ and npm (for dclint)" >&2
    exit 1
  fi
  if [ ! -x tools/node_modules/.bin/dclint ] || [ tools/package-lock.json -nt tools/node_modules/.package-lock.json ]; then
    npm ci --prefix tools --no-audit --no-fund --loglevel=error
  fi
fi
if [ "${1:-}" = "--test" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Browser tests need Debian's chromium: sudo apt-get install -y chromium" >&2
    exit 1
  fi
fi
