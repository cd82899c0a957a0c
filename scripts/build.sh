#!/usr/bin/env bash
# Build the one-folder release (dist/duban/) with PyInstaller, then smoke-test the built program as a
# user would: version, a fresh ledger from the bundled plan, the window rendered offscreen, a demo
# ledger, Excel and PDF exports.  Exits non-zero on any failure.
#
#   bash scripts/build.sh              build and test
#   bash scripts/build.sh --test-only  test an existing dist/duban/
#
# PYTHON picks the interpreter that has duban's dependencies installed (default: .venv/bin/python if
# present, else python3).  Nothing here needs a display or the network, except installing PyInstaller
# when it is missing (pip; offline, point pip at a wheel folder: PIP_FIND_LINKS=... PIP_NO_INDEX=1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

if [ -n "${PYTHON:-}" ]; then PY="$PYTHON"
elif [ -x .venv/bin/python ]; then PY="$ROOT/.venv/bin/python"
else PY="python3"; fi

fail() { echo "BUILD CHECK FAILED: $*" >&2; exit 1; }

VERSION="$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' pyproject.toml | head -1)"
[ -n "$VERSION" ] || fail "no version in pyproject.toml"
APP="$ROOT/dist/duban"

if [ "${1:-}" != "--test-only" ]; then
    if ! "$PY" -m PyInstaller --version >/dev/null 2>&1; then
        echo "installing PyInstaller"
        "$PY" -m pip install -q "pyinstaller>=6.10"
    fi
    command -v objdump >/dev/null 2>&1 || fail "PyInstaller needs binutils (objdump): apt-get install binutils"
    echo "building duban $VERSION with PyInstaller $("$PY" -m PyInstaller --version) ($("$PY" --version))"
    start=$(date +%s)
    "$PY" -m PyInstaller --noconfirm --clean --log-level WARN \
        --workpath "$ROOT/build" --distpath "$ROOT/dist" build.spec
    end=$(date +%s)
    echo "build time: $((end - start)) s"
fi

[ -x "$APP/duban" ] || fail "$APP/duban was not built"
echo "bundle size: $(du -sh "$APP" | cut -f1), $(find "$APP" -type f | wc -l) files"

# --- smoke test: run from an empty folder, with no source tree or site-packages on the path -------
T="$(mktemp -d /tmp/duban-build-check.XXXXXX)"
trap 'rm -rf "$T"' EXIT
cd "$T"
export QT_QPA_PLATFORM=offscreen
unset PYTHONPATH
# Where a fresh ledger goes when --db is not given: keep the user's own data dir out of it.
export HOME="$T/home" XDG_DATA_HOME="$T/home/.local/share" XDG_CONFIG_HOME="$T/home/.config"
mkdir -p "$HOME"

run() {  # run the frozen program, show the command, fail with its output
    echo "+ duban $*"
    if ! "$APP/duban" "$@" >"$T/out.txt" 2>&1; then
        cat "$T/out.txt" >&2
        fail "duban $* exited non-zero"
    fi
}

png_ok() {  # a real PNG of a real window, not an empty or 1-pixel image
    local f="$1"
    [ -s "$f" ] || fail "$f missing"
    [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$f is not a PNG"
    local w h
    w=$(od -An -tu4 --endian=big -j16 -N4 "$f" | tr -d ' ')
    h=$(od -An -tu4 --endian=big -j20 -N4 "$f" | tr -d ' ')
    [ "$w" -ge 600 ] && [ "$h" -ge 400 ] || fail "$f is only ${w}x${h}"
    [ "$(stat -c %s "$f")" -ge 20000 ] || fail "$f is suspiciously small ($(stat -c %s "$f") bytes): blank window?"
    echo "  $f: ${w}x${h}, $(stat -c %s "$f") bytes"
}

run --version
grep -qx "duban $VERSION" "$T/out.txt" || fail "--version printed '$(cat "$T/out.txt")', expected 'duban $VERSION'"
"$APP/duban-cli" --version | grep -qx "duban $VERSION" || fail "duban-cli --version"
echo "  $(cat "$T/out.txt")"

# The bundled data the program loads by path.
for f in resources/plan_2022_sanmenxia.txt resources/units.csv resources/first_letters.txt resources/icon/duban.png \
         db/migrations/env.py db/migrations/versions/0001_initial_schema.py \
         pypinyin/pinyin_dict.json pypinyin/phrases_dict.json; do
    [ -s "$APP/_internal/$f" ] || fail "bundle lacks _internal/$f"
done

# First start with no ledger: the window builds it from the bundled plan (Alembic runs every
# migration from the bundled scripts), then renders offscreen.
run gui --screenshot "$T/first-start.png"
png_ok "$T/first-start.png"
[ -s "$XDG_DATA_HOME/duban/ledger.sqlite" ] || fail "the first start made no ledger in the user data directory"

# The command line on an explicit ledger, a year of demo progress, and the exports.
run --db "$T/ledger.sqlite" init
grep -q "计划" "$T/out.txt" || fail "init printed: $(cat "$T/out.txt")"
# Alembic ran the bundled scripts up to this program's head revision.
HEAD="$(sed -n 's/^SCHEMA_HEAD *= *"\([^"]*\)".*/\1/p' "$ROOT/db/migrations/__init__.py")"
STORED="$("$PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT version_num FROM alembic_version").fetchone()[0])' "$T/ledger.sqlite")"
[ -n "$HEAD" ] && [ "$STORED" = "$HEAD" ] || fail "fresh ledger is at schema '$STORED', expected '$HEAD'"
echo "  schema $STORED (head $HEAD)"
run --db "$T/ledger.sqlite" demo "$T/demo.sqlite"
run --db "$T/demo.sqlite" tasks --json
[ "$(grep -c '"code"' "$T/out.txt")" -gt 50 ] || fail "tasks --json listed too few tasks"
run --db "$T/demo.sqlite" export ledger "$T/ledger.xlsx"
run --db "$T/demo.sqlite" export warnings "$T/warnings.xlsx"
for x in ledger warnings; do
    [ -s "$T/$x.xlsx" ] || fail "$x.xlsx missing"
    [ "$(head -c 2 "$T/$x.xlsx")" = "PK" ] || fail "$x.xlsx is not a zip"
done
run --db "$T/demo.sqlite" report monthly "$T/monthly.pdf"
[ "$(head -c 5 "$T/monthly.pdf")" = "%PDF-" ] || fail "monthly.pdf is not a PDF"
if command -v pdffonts >/dev/null 2>&1; then
    pdffonts "$T/monthly.pdf" | grep -q "TrueType" || fail "monthly.pdf embeds no TrueType font"
fi
run --db "$T/demo.sqlite" template export "$T/templates"
[ "$(find "$T/templates" -name '*.xlsx' | wc -l)" -gt 0 ] || fail "no unit templates written"

# A plan published as PDF (pdfplumber, pdfminer and its CMaps in the bundle): read, not imported.
cp "$ROOT/tests/data/plans/forms/厦门市2023年再创营商环境新优势行动方案任务分解表.pdf" "$T/plan.pdf"
run --db "$T/ledger.sqlite" import-plan "$T/plan.pdf" --dry-run --json
grep -q '"市市场监管局"' "$T/out.txt" || fail "import-plan of a PDF did not read its lead units: $(head -c 400 "$T/out.txt")"

# A server ledger's driver is in the bundle (psycopg with its own libpq): asked for a server that is not
# there, the program says it cannot connect, rather than that a module or libpq is missing.
if PGCONNECT_TIMEOUT=5 "$APP/duban-cli" --db "postgresql://duban@127.0.0.1:1/duban" tasks >"$T/out.txt" 2>&1; then
    fail "tasks on a server ledger at port 1 succeeded"
fi
grep -q "无法连接服务器台账" "$T/out.txt" || fail "a server ledger could not be tried: $(head -c 400 "$T/out.txt")"
grep -qi "libpq\|no module" "$T/out.txt" && fail "the bundle lacks the PostgreSQL driver: $(head -c 400 "$T/out.txt")"
echo "  server ledger driver present: $(head -n 1 "$T/out.txt")"

# Views of the demo ledger, the dashboard being pyqtgraph's.
SHOTS="${DUBAN_BUILD_SHOTS:-$ROOT/build/smoke}"
mkdir -p "$SHOTS"
for view in annexes dashboard units; do
    run --db "$T/demo.sqlite" gui --view "$view" --screenshot "$SHOTS/$view.png"
    png_ok "$SHOTS/$view.png"
done
cp "$T/first-start.png" "$SHOTS/first-start.png"
echo "smoke test passed; screenshots in $SHOTS"
