#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs packages, Debian's chromium and the data itself.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi
bash scripts/setup.sh dev
exec .venv/bin/python -m pytest -q "$@"
