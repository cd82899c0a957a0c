#!/usr/bin/env bash
# Install duban and open the workbook on the bundled 2022 plan (the ledger is created on first run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/duban "$@"
