#!/usr/bin/env bash
# Install duban with its test dependencies and run the whole test suite (offscreen Qt).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh test
# tests/conftest.py runs Qt offscreen on a 1366×768 screen unless QT_QPA_PLATFORM names another platform.
exec "${VENV:-.venv}/bin/python" -m pytest -q "$@"
