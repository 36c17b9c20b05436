#!/usr/bin/env sh
# The container's command (docker-compose.yml): serve the playground. With RAY_HEAD_ADDRESS set
# (host:port of a Ray head, the compose `ray` profile), first join that cluster as a node of 0 CPUs
# (no job trains beside the API server) and train jobs on it (NNPLAY_RAY_ADDRESS=auto).
set -eu
if [ -n "${RAY_HEAD_ADDRESS:-}" ]; then
  ray start --address "$RAY_HEAD_ADDRESS" --num-cpus 0 --disable-usage-stats
  export NNPLAY_RAY_ADDRESS=auto
fi
exec nnplay serve "$@"
