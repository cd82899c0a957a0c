"""The unit reporting round trip: templates out, filled templates back, bad files refused whole, conflicts kept."""

import shutil
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select

from db.engine import open_ledger
from db.jobs import Cancelled, JobControl
from db.ledger import find_unit, get_task, list_tasks
from db.models import Assignment, AuditLog, ProgressEntry
from db.progress import STATUSES, ProgressInput, add_progress, list_progress
from exports.unit_template import export_templates, import_templates

HOUSING = "市住房和城乡建设局"
PERIOD = "2022-06"
FIRST_ROW = 6
HEADER_ROW = FIRST_ROW - 1
CODE, TITLE, STATUS, PERCENT, TEXT, PROBLEMS, NEXT, REPORTER = 3, 4, 8, 9, 10, 11, 12, 13


def export_one(ledger, folder, unit="住建局", period=PERIOD):
    (path,) = export_templates(ledger, folder, period=period, unit=unit)
    return path


def row_of(ws, code):
    for r in range(FIRST_ROW, ws.max_row + 1):
        if ws.cell(r, CODE).value == code:
            return r
    raise AssertionError(code)


def fill(src, dst, rows, edit=None):
    """Fill a template as a clerk would in Excel: rows maps a task code to its input cells."""
    wb = load_workbook(src)
    ws = wb["进展报送"]
    for code, values in rows.items():
        r = row_of(ws, code)
        for column, value in values.items():
            ws.cell(r, column).value = value
    if edit:
        edit(wb)
    wb.save(dst)
    return dst


def housing_codes(ledger):
    with ledger.Session() as s:
        return [t.code for t in list_tasks(s, unit=HOUSING)]


def progress_count(ledger):
    with ledger.Session() as s:
        return s.scalar(select(func.count()).select_from(ProgressEntry))


def audit_count(ledger):
    with ledger.Session() as s:
        return s.scalar(select(func.count()).select_from(AuditLog))


def report_of(text, status="推进中", percent=60):
    """The input cells of a row as a clerk fills them."""
    return {STATUS: status, PERCENT: percent, TEXT: text, PROBLEMS: "资金未到位", NEXT: "下月完成招标", REPORTER: "王五"}


def test_a_unit_template_lists_its_tasks_with_only_the_input_cells_open(ledger, tmp_path):
    path = export_one(ledger, tmp_path)
    assert path.name == f"报送模板_{HOUSING}_{PERIOD}.xlsx"
    wb = load_workbook(path)
    assert wb.sheetnames == ["进展报送", "标识", "指标"]  # 住建局 answers for indicators (tests/test_template_indicators.py)
    ws = wb["进展报送"]
    codes = [ws.cell(r, CODE).value for r in range(FIRST_ROW, ws.max_row + 1)]
    assert codes == housing_codes(ledger) and len(codes) == 67
    assert "报送单位：市住房和城乡建设局" in ws["A2"].value and "截止报送日期：2022年7月10日" in ws["A2"].value
    assert [ws.cell(HEADER_ROW, c).value for c in (STATUS, PERCENT, TEXT, PROBLEMS, NEXT, REPORTER)] == ["完成状态", "进度", "进展情况", "存在问题", "下步计划", "填报人"]
    last = FIRST_ROW + len(codes) - 1
    assert ws.protection.sheet
    for r in (FIRST_ROW, last):
        assert all(ws.cell(r, c).protection.locked for c in range(1, STATUS))
        assert not any(ws.cell(r, c).protection.locked for c in range(STATUS, REPORTER + 1))
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert rules[f"H{FIRST_ROW}:H{last}"].type == "list"
    assert rules[f"H{FIRST_ROW}:H{last}"].formula1 == '"' + ",".join(STATUSES) + '"'
    assert (rules[f"I{FIRST_ROW}:I{last}"].type, rules[f"I{FIRST_ROW}:I{last}"].formula1, rules[f"I{FIRST_ROW}:I{last}"].formula2) == ("whole", "0", "100")
    assert wb["标识"].sheet_state == "veryHidden"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}" and ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert all(ws.row_dimensions[r].height for r in range(1, last + 1))


def test_a_template_is_prefilled_with_the_units_report_and_shows_the_previous_one(ledger, tmp_path):
    code = housing_codes(ledger)[0]
    with ledger.Session.begin() as s:
        add_progress(s, ProgressInput(code, HOUSING, "2022-04", "推进中", 30, "四月：完成调研"), operator="测试")
        add_progress(s, ProgressInput(code, HOUSING, PERIOD, "推进中", 50, "六月：印发方案", reporter="李四"), operator="测试")
    ws = load_workbook(export_one(ledger, tmp_path))["进展报送"]
    r = row_of(ws, code)
    assert ws.cell(r, 7).value == "2022年4月：推进中，30%。四月：完成调研"
    assert [ws.cell(r, c).value for c in (STATUS, PERCENT, TEXT, REPORTER)] == ["推进中", 50, "六月：印发方案", "李四"]


def test_a_filled_template_imports_and_importing_it_again_changes_nothing(ledger, tmp_path):
    codes = housing_codes(ledger)
    template = export_one(ledger, tmp_path)
    rows = {codes[0]: report_of("已完成方案起草"), codes[5]: {STATUS: "已完成", PERCENT: "100", TEXT: "已印发实施", REPORTER: "赵六"}}
    filled = fill(template, tmp_path / "filled.xlsx", rows)

    report = import_templates(ledger, filled, operator="收件人")
    assert report.ok and [(f.imported, f.added, f.updated, f.unchanged, f.skipped) for f in report.files] == [(True, 2, 0, 0, 65)]
    assert "新增 2 条" in report.lines()[1]
    with ledger.Session() as s:
        stored = {p.task: p for p in list_progress(s, unit=HOUSING, period=PERIOD)}
    assert stored.keys() == {codes[0], codes[5]}
    first = stored[codes[0]]
    assert (first.status, first.percent, first.progress_text, first.problems, first.next_steps, first.reporter) == (
        "推进中", 60, "已完成方案起草", "资金未到位", "下月完成招标", "王五"
    )
    assert (stored[codes[5]].status, stored[codes[5]].percent) == ("已完成", 100)
    with ledger.Session() as s:
        operators = set(s.scalars(select(AuditLog.operator).where(AuditLog.action.like("progress.%"))))
    assert operators == {"收件人"}

    entries, audits = progress_count(ledger), audit_count(ledger)
    again = import_templates(ledger, filled, operator="收件人")
    assert again.ok and [(f.added, f.updated, f.unchanged) for f in again.files] == [(0, 0, 2)]
    assert (progress_count(ledger), audit_count(ledger)) == (entries, audits)


def set_id(key, value):
    def edit(wb):
        ws = wb["标识"]
        for row in ws.iter_rows():
            if row[0].value == key:
                row[1].value = value

    return edit


@pytest.mark.parametrize(
    "values,column,message",
    [
        ({STATUS: "完成了"}, "H 列（完成状态）", "状态“完成了”无效"),
        ({PERCENT: 130}, "I 列（进度）", "进度“130”无效，应为 0 到 100 之间的整数"),
        ({PERCENT: "八十"}, "I 列（进度）", "进度“八十”无效"),
        ({PERCENT: 55.5}, "I 列（进度）", "进度“55.5”无效"),
        ({STATUS: "已完成", PERCENT: 90}, "I 列（进度）", "状态为“已完成”时进度应为 100"),
        ({TEXT: None, PROBLEMS: None, NEXT: None}, "J 列（进展情况）", "进展情况为空"),
        ({TITLE: "随手改过的任务名称"}, "D 列（任务名称）", "任务名称被改动"),
    ],
)
def test_a_bad_row_rejects_the_whole_file(ledger, tmp_path, values, column, message):
    codes = housing_codes(ledger)
    template = export_one(ledger, tmp_path)
    bad = report_of("第四项的进展") | values
    filled = fill(template, tmp_path / "bad.xlsx", {codes[0]: report_of("好的一行"), codes[3]: bad})
    report = import_templates(ledger, filled, operator="测试")
    assert not report.ok and not report.files[0].imported
    expected_row = row_of(load_workbook(template)["进展报送"], codes[3])
    assert len(report.problems) == 1
    file, sheet, problem_row, _column, text = report.problems[0]
    assert (file, sheet, problem_row) == ("bad.xlsx", "进展报送", expected_row) and message in text
    line = report.problems[0].line()
    assert line.startswith(f"文件 bad.xlsx，工作表 进展报送，第 {expected_row} 行，第 {column}：") and line in report.lines()[2]
    assert progress_count(ledger) == 0


def test_every_problem_of_a_file_is_listed(ledger, tmp_path):
    codes = housing_codes(ledger)
    template = export_one(ledger, tmp_path)
    rows = {codes[1]: {STATUS: "差不多", PERCENT: "八十", TITLE: "改名"}, codes[2]: {REPORTER: "只写了填报人"}, codes[4]: report_of("抄来的一行")}
    copied = FIRST_ROW + 4

    def copy_code(wb):
        wb["进展报送"].cell(copied, CODE).value = codes[1]

    report = import_templates(ledger, fill(template, tmp_path / "bad.xlsx", rows, copy_code), operator="测试")
    found = [(p.row, p.column) for p in report.problems]
    second = FIRST_ROW + 1
    assert found == [(second, "D（任务名称）"), (second, "H（完成状态）"), (second, "I（进度）"), (second, "J（进展情况）"), (copied, "C（任务编号）")]
    assert f"这一行应为任务 {codes[4]}，却是“{codes[1]}”：任务行被移动、复制或改动" in report.problems[-1].message
    assert report.files[0].skipped == 65 and progress_count(ledger) == 0


def test_files_that_are_not_this_ledgers_templates_are_refused(ledger, initialised_ledger_file, tmp_path):
    other_path = tmp_path / "other.sqlite"
    shutil.copy(initialised_ledger_file, other_path)
    other = open_ledger(other_path)
    foreign = export_one(other, tmp_path / "other")
    other.close()
    code = housing_codes(ledger)[0]
    template = export_one(ledger, tmp_path / "mine")
    cases = {
        "foreign.xlsx": (fill(foreign, tmp_path / "foreign.xlsx", {code: report_of("x")}), "标识", "另一本台账导出"),
        "period.xlsx": (fill(template, tmp_path / "period.xlsx", {code: report_of("x")}, set_id("期间", "2022-07")), "标识", "签名不符"),
        "unit.xlsx": (fill(template, tmp_path / "unit.xlsx", {code: report_of("x")}, set_id("单位", "市财政局")), "标识", "签名不符"),
        "no_id.xlsx": (fill(template, tmp_path / "no_id.xlsx", {}, lambda wb: wb.remove(wb["标识"])), "", "不是督办台账导出的报送模板"),
    }
    truncated = tmp_path / "truncated.xlsx"
    data = fill(template, tmp_path / "whole.xlsx", {code: report_of("x")}).read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])
    cases["truncated.xlsx"] = (truncated, "", "不是有效的 .xlsx 文件")
    garbled = tmp_path / "garbled.xlsx"
    with zipfile.ZipFile(tmp_path / "whole.xlsx") as source, zipfile.ZipFile(garbled, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            target.writestr(info, content[: len(content) // 2] if info.filename == "xl/worksheets/sheet1.xml" else content)
    cases["garbled.xlsx"] = (garbled, "", "工作表内容已损坏")
    text_file = tmp_path / "notes.xlsx"
    text_file.write_text("六月进展：已完成", encoding="utf-8")
    cases["notes.xlsx"] = (text_file, "", "不是有效的 .xlsx 文件")
    for name, (path, sheet, message) in cases.items():
        report = import_templates(ledger, path, operator="测试")
        assert not report.files[0].imported, name
        (problem,) = report.problems
        assert (problem.file, problem.sheet, problem.row) == (name, sheet, None), name
        assert message in problem.message, name
        assert problem.line().startswith(f"文件 {name}"), name
    assert progress_count(ledger) == 0


def test_plan_changes_after_export_refuse_the_rows_they_touch(ledger, tmp_path):
    codes = housing_codes(ledger)
    template = export_one(ledger, tmp_path)
    filled = fill(template, tmp_path / "filled.xlsx", {codes[0]: report_of("a"), codes[1]: report_of("b")})
    with ledger.Session.begin() as s:
        unit = find_unit(s, HOUSING)
        s.execute(delete(Assignment).where(Assignment.task_id == get_task(s, codes[0]).id, Assignment.unit_id == unit.id))
        get_task(s, codes[1]).title = "更正后的任务名称"
    report = import_templates(ledger, filled, operator="测试")
    messages = [(p.column, p.message) for p in report.problems]
    assert messages == [
        ("C（任务编号）", f"单位“{HOUSING}”不是任务 {codes[0]} 的责任单位（责任分工在导出模板后已更改），请重新导出模板。"),
        ("C（任务编号）", f"任务 {codes[1]} 的名称或时间节点在导出模板后已在台账中修改，请重新导出模板后填报。"),
    ]
    assert progress_count(ledger) == 0


def test_a_report_changed_in_the_ledger_after_export_is_a_conflict_not_overwritten(ledger, tmp_path):
    codes = housing_codes(ledger)
    with ledger.Session.begin() as s:
        add_progress(s, ProgressInput(codes[2], HOUSING, PERIOD, "推进中", 20, "电话报送的初稿"), operator="测试")
    template = export_one(ledger, tmp_path)
    with ledger.Session.begin() as s:
        add_progress(s, ProgressInput(codes[0], HOUSING, PERIOD, "推进中", 40, "办公室据电话录入"), operator="测试")
        add_progress(s, ProgressInput(codes[2], HOUSING, PERIOD, "推进中", 30, "办公室改过的版本"), operator="测试")
    rows = {codes[0]: report_of("单位填报的版本"), codes[1]: report_of("另一项")}
    report = import_templates(ledger, fill(template, tmp_path / "filled.xlsx", rows), operator="测试")
    (outcome,) = report.files
    assert outcome.imported and not report.ok and (outcome.added, outcome.updated, outcome.unchanged) == (1, 0, 1)
    (conflict,) = report.conflicts
    assert conflict.row == row_of(load_workbook(template)["进展报送"], codes[0])
    assert f"任务 {codes[0]} 的本期进展在导出模板后已在台账中修改（第 1 版：推进中，40%，“办公室据电话录入”）" in conflict.message
    assert "  冲突：" + conflict.line() in report.lines()
    with ledger.Session() as s:
        stored = {p.task: p.progress_text for p in list_progress(s, unit=HOUSING, period=PERIOD)}
    assert stored == {codes[0]: "办公室据电话录入", codes[1]: "另一项", codes[2]: "办公室改过的版本"}


def test_a_directory_imports_its_good_files_and_refuses_its_bad_ones(ledger, tmp_path):
    housing = housing_codes(ledger)
    with ledger.Session() as s:
        finance = [t.code for t in list_tasks(s, unit="市财政局")]
    out = tmp_path / "back"
    out.mkdir()
    good = fill(export_one(ledger, tmp_path, "市财政局"), out / "a.xlsx", {finance[0]: report_of("财政局的进展")})
    fill(export_one(ledger, tmp_path), out / "b.xlsx", {housing[0]: report_of("x", percent=130)})
    (out / "~$a.xlsx").write_bytes(b"lock file of an open workbook")
    report = import_templates(ledger, out, operator="测试")
    assert [(f.file, f.imported) for f in report.files] == [(good.name, True), ("b.xlsx", False)]
    assert report.lines()[0] == "共 2 个文件：导入 1 个，拒绝 1 个；新增 1 条，更新 0 条，未变 0 条，冲突 0 条；指标实际值新增 0 条，更新 0 条，未变 0 条。"
    with ledger.Session() as s:
        assert [(p.task, p.unit) for p in list_progress(s, period=PERIOD)] == [(finance[0], "市财政局")]


def test_every_unit_with_tasks_gets_a_template_and_a_cancelled_export_leaves_none(ledger, tmp_path):
    paths = export_templates(ledger, tmp_path / "all", period=PERIOD)
    names = {p.name for p in paths}
    # Real units only: each county government and county power company gets its own; no collective does.
    assert len(paths) == 65
    assert {"报送模板_灵宝市人民政府_2022-06.xlsx", "报送模板_卢氏供电公司_2022-06.xlsx"} <= names
    assert not any(c in name for name in names for c in ("各县", "市直相关部门", "市直各部门", "各级", "各金融机构"))
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == sorted(names)

    steps = []
    control = JobControl(report=lambda done, total, what: steps.append(done), cancelled=lambda: len(steps) >= 5)
    with pytest.raises(Cancelled):
        export_templates(ledger, tmp_path / "cancelled", period=PERIOD, control=control)
    assert list((tmp_path / "cancelled").iterdir()) == []


def test_the_seal_reviewer_and_telephone_line_is_open_to_fill_and_never_imported(ledger, tmp_path):
    codes = housing_codes(ledger)
    template = export_one(ledger, tmp_path)
    ws = load_workbook(template)["进展报送"]
    labels = {ws.cell(3, c).value: c for c in range(1, REPORTER + 1) if ws.cell(3, c).value}
    assert set(labels) == {"单位（盖章）：", "审核人：", "联系电话："}
    spaces = {"单位（盖章）：": "D3", "审核人：": "H3", "联系电话：": "K3"}
    for label, column in labels.items():
        assert ws.cell(3, column).protection.locked
        assert not ws[spaces[label]].protection.locked and ws[spaces[label]].border.bottom.style == "thin"

    def sign(wb):
        sheet = wb["进展报送"]
        sheet["D3"], sheet["H3"], sheet["K3"] = HOUSING, "张审核", "0398-2812345"

    report = import_templates(ledger, fill(template, tmp_path / "signed.xlsx", {codes[0]: report_of("盖章后报送")}, sign), operator="测试")
    assert report.ok and [(f.added, f.skipped) for f in report.files] == [(1, 66)]
    with ledger.Session() as s:
        assert [(p.task, p.progress_text) for p in list_progress(s, unit=HOUSING, period=PERIOD)] == [(codes[0], "盖章后报送")]
