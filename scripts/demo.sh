#!/usr/bin/env bash
# The main job: parse the bundled example networks and interfaces and summarize each.
# Sets up its own virtual environment on first use.
set -euo pipefail
source "$(dirname "$0")/setup-env.sh"
setup_env "" python3-venv >&2
cd "$ROOT"
if [ "$#" -eq 0 ]; then set -- examples/networks/*.xml examples/interfaces/*.xml; fi
exec "$VENV/bin/virtnetlib" show "$@"
