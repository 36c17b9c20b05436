#!/usr/bin/env bash
# Installs what is needed and serves the playground on http://127.0.0.1:8000 (data under ./data/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec .venv/bin/nnplay serve "$@"
