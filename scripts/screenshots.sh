#!/usr/bin/env bash
# Images for the user guide (docs/guide.md), made from a demo ledger (`duban demo`):
#   docs/img/window-*.png   the main views, rendered offscreen with `duban gui --screenshot`
#   docs/img/export-*.png   first page of the Excel exports (工作台账, 预警清单, 报送模板) via LibreOffice
#   docs/img/report-*.png   pages of the PDFs (月度通报 first page and an attachment page, 督办通知单)
#   docs/img/packet-*.png   the printable merge report of a field packet changed on the "laptop"
# Usage: bash scripts/screenshots.sh [PYTHON]   (default: .venv/bin/python, else python3)
# Runs after `bash scripts/install.sh`; installs poppler-utils and LibreOffice Calc with apt when missing.
# Same names every run (the demo ledger uses a fixed seed), so re-running only replaces the images.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${1:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
RES=70         # dpi of the PDF pages (A4 portrait): small PNGs in which every Chinese character reads clearly
SHEET_RES=80   # the workbooks print landscape with small cell text, so a little finer

need=""
command -v pdftoppm >/dev/null 2>&1 || need="$need poppler-utils"
command -v soffice >/dev/null 2>&1 || need="$need libreoffice-calc-nogui"
if command -v dpkg >/dev/null 2>&1; then
    # Carlito: metric-compatible Calibri, so LibreOffice lays the workbooks out as Excel does.
    for p in fonts-crosextra-carlito fonts-wqy-microhei; do dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"; done
fi
if [ -n "$need" ]; then
    command -v apt-get >/dev/null 2>&1 || { echo "please install:$need" >&2; exit 1; }
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "installing system packages:$need"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $need >/dev/null
fi

# Every window on the office PCs' 1366×768 screen (offscreen Qt's own screen is 800×800).
export QT_QPA_PLATFORM="offscreen:configfile=$PWD/tests/data/screen-1366x768.json"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
duban() { "$PY" -m desktop.cli "$@"; }
# Run a command silently; show what it printed only if it fails (and fail with its exit code).
quiet() {
    local out rc=0
    out="$("$@" 2>&1)" || rc=$?
    [ "$rc" -eq 0 ] || printf '%s\n' "$out" >&2
    return "$rc"
}
IMG=docs/img
mkdir -p "$IMG"

# A PDF page to PNG: page_png PDF PAGE NAME [DPI]
page_png() {
    pdftoppm -r "${4:-$RES}" -png -f "$2" -l "$2" -singlefile "$1" "$IMG/$3"
    echo "$IMG/$3.png"
}
# The first page of a workbook as LibreOffice prints it: sheet_png XLSX NAME
sheet_png() {
    local out="$work/pdf-$2"
    mkdir -p "$out"
    soffice -env:UserInstallation="file://$work/lo-profile" --headless --convert-to pdf --outdir "$out" "$1" >/dev/null 2>&1
    page_png "$out/$(basename "${1%.xlsx}").pdf" 1 "$2" "$SHEET_RES"
}

quiet duban --db "$work/empty.sqlite" demo "$work/demo.sqlite"
D=(--db "$work/demo.sqlite" --operator 李娜)

# --- the main views -------------------------------------------------------------------------------
for view in annexes units warnings dashboard compare; do
    quiet duban "${D[@]}" gui --screenshot "$IMG/window-$view.png" --view "$view" --select A03-01
    echo "$IMG/window-$view.png"
done

# --- the 指标 view: a year of 附件3's 时间 reported through the command line, a number-less value, one met limit ---
for pv in 2022-01=27.5 2022-02=27.5 2022-03=27 2022-04=26.5 2022-05=26.5 2022-06=26 2022-07=26 2022-08=25.5 2022-09=25.5 2022-10=26; do
    quiet duban "${D[@]}" indicators report --indicator ZB03-02 --unit 市住房和城乡建设局 --period "${pv%=*}" --value "${pv#*=}个工作日"
done
quiet duban "${D[@]}" indicators report --indicator ZB03-01 --unit 市住房和城乡建设局 --period 2022-10 --value 6
quiet duban "${D[@]}" indicators report --indicator ZB03-03 --unit 市住房和城乡建设局 --period 2022-09 --value 配套费标准调整已报市政府审定
quiet duban "${D[@]}" indicators report --indicator ZB04-01 --unit 三门峡供电公司 --period 2022-10 --value 18个工作日
quiet duban "${D[@]}" gui --screenshot "$IMG/window-indicators.png" --view indicators --select ZB03-02
echo "$IMG/window-indicators.png"

# --- 督查督办 and the 综合考评 tab at the office's 1366×768: a few acts of December recorded through the command line ---
quiet duban "${D[@]}" acts add --kind 约谈 --date 2022-12-08 --unit 市住房和城乡建设局 --task A03-02 --basis "A03-02 连续两月进展滞后" --follow-up "一周内报送整改方案" --in-circular
quiet duban "${D[@]}" acts add --kind 通报批评 --date 2022-12-12 --unit 市自然资源和规划局 --basis "12月报送逾期且多项任务逾期" --in-circular
quiet duban "${D[@]}" acts add --kind 表扬 --date 2022-12-15 --unit 三门峡供电公司 --basis "办电时间压缩至18个工作日" --in-circular
quiet duban "${D[@]}" recheck draw --date 2022-12-20 --basis 年底回头看 --size 5 --seed 2022
for shot in "assessment 市住房和城乡建设局" "act A03-02"; do
    set -- $shot
    quiet duban "${D[@]}" gui --screenshot "$IMG/window-$1.png" --view "$1" --select "$2"
    echo "$IMG/window-$1.png"
done

# --- exports (period: the demo ledger's current one, 2022-12) --------------------------------------
quiet duban "${D[@]}" export ledger "$work/工作台账.xlsx"
sheet_png "$work/工作台账.xlsx" export-ledger
quiet duban "${D[@]}" export ledger "$work/工作台账-住建局.xlsx" --unit 市住建局
sheet_png "$work/工作台账-住建局.xlsx" export-ledger-unit
quiet duban "${D[@]}" export warnings "$work/预警清单.xlsx"
sheet_png "$work/预警清单.xlsx" export-warnings
quiet duban "${D[@]}" template export "$work/templates" --unit 市住建局
sheet_png "$(ls "$work"/templates/*.xlsx | head -1)" export-template

quiet duban "${D[@]}" report monthly "$work/通报.pdf"
page_png "$work/通报.pdf" 1 report-monthly
# The attachment (附件, the table of every task) starts on the first page headed "附件".
pages="$(pdfinfo "$work/通报.pdf" | awk '/^Pages:/ {print $2}')"
annex_page=""
for ((p = 2; p <= pages; p++)); do
    head="$(pdftotext -f "$p" -l "$p" -layout "$work/通报.pdf" - | grep -m1 -v '^[[:space:]]*$' | tr -d '[:space:]')"
    if [ "$head" = "附件" ]; then annex_page=$p; break; fi
done
[ -n "$annex_page" ] || { echo "no attachment page found in the monthly report" >&2; exit 1; }
page_png "$work/通报.pdf" "$annex_page" report-monthly-annex
# The pages that open the 综合考评 and 指标进展 sections (their headings are numbered in turn, so found by name).
for section in 综合考评结果=report-assessment 指标进展情况=report-indicators; do
    found=""
    for ((p = 2; p < annex_page; p++)); do
        if pdftotext -f "$p" -l "$p" "$work/通报.pdf" - | tr -d '[:space:]' | grep -q "、${section%=*}"; then found=$p; break; fi
    done
    [ -n "$found" ] || { echo "no ${section%=*} section in the monthly report" >&2; exit 1; }
    page_png "$work/通报.pdf" "$found" "${section#*=}"
done
quiet duban "${D[@]}" report notices "$work/notices"
page_png "$(ls "$work"/notices/*市住房和城乡建设局*.pdf | head -1)" 1 report-notice

# --- a field packet out, changed on the laptop, merged back with a printable report ----------------
quiet duban "${D[@]}" packet export "$work/外勤-住建局.duban" --unit 市住建局
F=(--db "$work/外勤-住建局.duban" --operator 王磊)
quiet duban "${F[@]}" progress add --task A03-02 --unit 市住建局 --period 2022-12 --status 推进中 --percent 90 \
    --text "外勤核实：施工图联合审查系统运行正常，现场抽查3个项目均已网上审图。" --reporter 王磊 --date 2023-01-10
quiet duban "${F[@]}" progress add --task A03-01 --unit 市住建局 --period 2022-12 --status 已完成 --percent 100 \
    --text "外勤核实：审批环节已精简到位，现场查看了窗口受理台账。" --reporter 王磊 --date 2023-01-10
printf 'photo' >"$work/现场照片.jpg"
quiet duban "${F[@]}" progress attach --task A03-02 --unit 市住建局 --period 2022-12 "$work/现场照片.jpg"
# Meanwhile the office changed A03-01 too: the merge keeps both versions as a conflict.
quiet duban "${D[@]}" progress add --task A03-01 --unit 市住建局 --period 2022-12 --status 滞后 --percent 70 \
    --text "办公室电话核实：仍有两个审批环节未合并。" --reporter 李娜 --date 2023-01-09
# Exit code 1 means merged, with conflicts left for `duban packet resolve`: expected here.
rc=0
duban "${D[@]}" packet merge "$work/外勤-住建局.duban" --report "$work/合并报告.pdf" >"$work/merge.log" 2>&1 || rc=$?
[ "$rc" -le 1 ] || { cat "$work/merge.log" >&2; echo "packet merge failed ($rc)" >&2; exit 1; }
page_png "$work/合并报告.pdf" 1 packet-merge-report
quiet duban "${D[@]}" gui --screenshot "$IMG/window-conflicts.png" --view conflicts

# --- 总体方案措施关联 on the office screen (1366×768): 附件1's suggestions, one of A01-28's confirmed ---------
# Last, so the links it stores change none of the images above.
quiet duban "${D[@]}" links suggest
quiet duban "${D[@]}" links add A01-28 A04-04.02
quiet duban "${D[@]}" gui --screenshot "$IMG/measure-links.png" --view links --select A01-28
echo "$IMG/measure-links.png"
