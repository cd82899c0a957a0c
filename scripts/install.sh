#!/usr/bin/env bash
# Install duban into ./.venv, with the system libraries Qt and the CJK fonts need (Debian/Ubuntu/UOS/Kylin).
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRA="${1:-}"

APT_PACKAGES="python3-venv libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libglib2.0-0 libdbus-1-3 \
libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-randr0 libxcb-render-util0 libxcb-shape0 \
libxcb-xfixes0 libxcb-xkb1 fonts-wqy-microhei"
# The tests check exports as a user would: PDFs with poppler (pdffonts, pdftotext), workbooks by
# converting them with LibreOffice.
if [ "$EXTRA" = "test" ]; then
    command -v pdffonts >/dev/null 2>&1 || APT_PACKAGES="$APT_PACKAGES poppler-utils"
    command -v soffice >/dev/null 2>&1 || APT_PACKAGES="$APT_PACKAGES libreoffice-calc-nogui"
    # Metric-compatible Calibri, so LibreOffice lays out workbooks as Excel does.
    APT_PACKAGES="$APT_PACKAGES fonts-crosextra-carlito"
    # The PDF tests choose faces by family name among real ones (楷体 AR PL UKai, 明体 AR PL UMing) and
    # build documents from OpenType/CFF faces alone (Noto Sans/Serif CJK, converted to TrueType).
    APT_PACKAGES="$APT_PACKAGES fonts-noto-cjk fonts-arphic-ukai fonts-arphic-uming"
    # The server-ledger tests start a throwaway PostgreSQL cluster of their own (tests/pg_server.py).
    APT_PACKAGES="$APT_PACKAGES postgresql"
fi
if command -v apt-get >/dev/null 2>&1; then
    missing=""
    for p in $APT_PACKAGES; do
        dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
        echo "installing system packages:$missing"
        $SUDO apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
    fi
fi

# VENV and PYSIDE6 let a second environment pin another Qt, e.g. the oldest supported one:
#   VENV=.venv-pyside69 PYSIDE6='PySide6-Essentials==6.9.*' bash scripts/install.sh test
PY="${PYTHON:-python3}"
VENV="${VENV:-.venv}"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
TARGET="."; [ "$EXTRA" = "test" ] && TARGET=".[test]"
"$VENV/bin/python" -m pip install -q -e "$TARGET" ${PYSIDE6:+"$PYSIDE6"}
