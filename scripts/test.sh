#!/usr/bin/env bash
# Installs what is needed (test tools, Debian's Chromium) and runs the whole test suite: pytest (its
# arguments are passed on), then the page's pure modules under Node's test runner (tests/js). Either
# failing fails this script.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --test
status=0
.venv/bin/python -m pytest "$@" || status=$?
node --test tests/js/ || status=$?
exit "$status"
