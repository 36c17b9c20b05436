#!/usr/bin/env bash
# Installs what is needed (test tools, Debian's Chromium) and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
exec .venv/bin/python -m pytest "$@"
