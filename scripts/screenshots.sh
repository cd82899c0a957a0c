#!/usr/bin/env bash
# Screenshots of the workbook's main views for docs/, rendered offscreen from a demo ledger.
# Usage: bash scripts/screenshots.sh [PYTHON]   (default: .venv/bin/python, else python3)
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
export QT_QPA_PLATFORM=offscreen
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$PY" -m desktop.cli --db "$work/empty.sqlite" demo "$work/demo.sqlite" >/dev/null
mkdir -p docs/img
for view in annexes units warnings dashboard compare; do
    "$PY" -m desktop.cli --db "$work/demo.sqlite" gui --screenshot "docs/img/window-$view.png" --view "$view" --select A03-01
    echo "docs/img/window-$view.png"
done
