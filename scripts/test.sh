#!/usr/bin/env bash
# Install duban with its test dependencies and run the whole test suite (offscreen Qt).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec "${VENV:-.venv}/bin/python" -m pytest -q "$@"
