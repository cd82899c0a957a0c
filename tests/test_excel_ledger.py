"""The 工作台账 and 预警清单 workbooks, reopened and read the way a clerk would read them."""

import datetime as dt
import json
import re
import shutil

import pytest
from openpyxl import load_workbook

from db.decisions import sign_off_facts
from db.demo import fill_demo
from db.engine import open_ledger
from db.jobs import Cancelled, JobControl
from db.ledger import list_tasks, resolve_plan_id
from db.periods import chinese_date
from db.progress import ProgressInput, add_progress
from db.report_data import period_report
from db.warning_rules import GREY, RED, YELLOW, task_states
from exports.excel_ledger import export_ledger, export_warnings

TODAY = dt.date(2023, 1, 15)
MADE_ON = dt.date(2023, 1, 16)
PERIOD = "2022-12"
HEADER = ["序号", "任务内容", "牵头单位", "配合单位", "时间节点", "完成状态", "进度", "进展情况", "存在问题", "下步计划", "最近报送", "销号日期", "销号依据", "编码"]
WARNING_HEADER = ["序号", "任务编号", "任务名称", "牵头单位", "时间节点", "逾期天数", "最新进展", "预警"]
HEADER_ROW = 4
FORMULA_TEXT = "=HYPERLINK(\"http://example.com\",\"点击\") 已完成系统对接"
UNIT = "市发展改革委"


@pytest.fixture(scope="module")
def demo(initialised_ledger_file, tmp_path_factory):
    """A ledger with a year of demo reports, one of them starting with “=”."""
    path = tmp_path_factory.mktemp("excel") / "ledger.sqlite"
    shutil.copy(initialised_ledger_file, path)
    ledger = open_ledger(path)
    with ledger.Session.begin() as session:
        fill_demo(session, entries=6000, seed=1, last_period=PERIOD, today=TODAY)
        add_progress(session, ProgressInput("A01-01", "市政务服务和大数据管理局", PERIOD, "推进中", 80, FORMULA_TEXT, problems="-无"), operator="测试")
    yield ledger
    ledger.close()


@pytest.fixture(scope="module")
def report(demo):
    with demo.Session() as session:
        return period_report(session, PERIOD, today=TODAY)


@pytest.fixture(scope="module")
def sign_offs(demo, report):
    with demo.Session() as session:
        return sign_off_facts(session, resolve_plan_id(session, None), report.reference)


@pytest.fixture(scope="module")
def workbook_path(report, sign_offs, tmp_path_factory):
    return export_ledger(report, tmp_path_factory.mktemp("out") / "台账.xlsx", sign_offs=sign_offs, made_on=MADE_ON)


@pytest.fixture(scope="module")
def workbook(workbook_path):
    return load_workbook(workbook_path)


def header(ws, row=HEADER_ROW):
    return [c.value for c in ws[row]]


def task_rows(ws, columns=HEADER):
    """Each task's first row number by its code (the last column), below the header."""
    code_col = columns.index("编码") + 1
    return {ws.cell(row=r, column=code_col).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(row=r, column=code_col).value}


def cell(ws, row, name, columns=HEADER):
    return ws.cell(row=row, column=columns.index(name) + 1)


def test_summaries_first_then_one_sheet_per_annex_with_the_ledger_columns_and_a_filter(workbook):
    assert workbook.sheetnames == ["汇总", "按单位汇总", "综合考评"] + [f"附件{n}" for n in range(1, 22)]
    for name in workbook.sheetnames[3:]:
        ws = workbook[name]
        assert header(ws) == HEADER, name
        assert ws.auto_filter.ref == f"A{HEADER_ROW}:{chr(64 + len(HEADER))}{ws.max_row}", name


def test_each_annex_sheet_has_exactly_the_annex_tasks_in_plan_order(workbook, demo):
    with demo.Session() as session:
        for annex in range(1, 22):
            codes = [t.code for t in list_tasks(session, annex=annex)]
            assert list(task_rows(workbook[f"附件{annex}"])) == codes, annex


def test_title_names_plan_period_office_and_date(workbook):
    ws = workbook["附件3"]
    assert ws["A1"].value == "三门峡市营商环境优化提升行动方案（2022版）工作台账"
    assert ws["A2"].value.startswith("附件3　三门峡市办理建筑许可提升专项行动方案（共 12 项任务）")
    info = ws["A3"].value
    assert "统计期间：2022年12月" in info and "制表日期：2023年1月16日" in info and "三门峡市优化营商环境工作领导小组办公室" in info
    assert any(str(r) == f"A1:{chr(64 + len(HEADER))}1" for r in ws.merged_cells.ranges)


def test_a_known_task_shows_its_label_units_and_deadline(workbook):
    ws = workbook["附件1"]
    row = task_rows(ws)["A01-06"]
    assert cell(ws, row, "序号").value == "6."
    assert cell(ws, row, "牵头单位").value == "市发展改革委、市政务服务和大数据管理局"
    assert cell(ws, row, "配合单位").value == "市直相关部门"
    assert cell(ws, row, "时间节点").value == "持续推进"
    assert cell(ws, row, "任务内容").value.startswith("完善营商环境监测平台。")
    ws = workbook["附件2"]
    row = task_rows(ws)["A02-01"]
    assert cell(ws, row, "序号").value == "（一）"
    assert cell(ws, row, "时间节点").value == "2022年12月"
    assert cell(ws, row, "牵头单位").value.startswith("市市场监督管理局、市政务服务和大数据管理局")


def test_progress_is_a_percentage_and_the_last_report_its_period_and_date(workbook, report):
    line = next(x for x in report.lines if x.task.code == "A01-01")
    ws = workbook["附件1"]
    row = task_rows(ws)["A01-01"]
    assert cell(ws, row, "进度").value == pytest.approx(0.8) and cell(ws, row, "进度").number_format == "0%"
    entry_date = re.search(r"（(.+)）", line.last_report).group(1)
    assert cell(ws, row, "最近报送").value == f"2022-12\n{entry_date}"


def test_text_that_looks_like_a_formula_stays_text(workbook, workbook_path):
    ws = workbook["附件1"]
    row = task_rows(ws)["A01-01"]
    progress, problems = cell(ws, row, "进展情况"), cell(ws, row, "存在问题")
    assert progress.value == FORMULA_TEXT and progress.data_type == "s"
    assert problems.value == "-无" and problems.data_type == "s"
    values = load_workbook(workbook_path, data_only=True)["附件1"]
    assert cell(values, row, "进展情况").value == FORMULA_TEXT


def test_rows_are_coloured_by_warning(workbook, report):
    colours = {RED: "FFC7CE", YELLOW: "FFEB9C", GREY: "E7E6E6", "done": "DDEBF7"}
    overdue = report.overdue[0]
    ws = workbook[f"附件{overdue.task.annex}"]
    row = task_rows(ws)[overdue.task.code]
    for name in ("序号", "任务内容", "完成状态", "编码"):
        assert cell(ws, row, name).fill.fgColor.rgb.endswith(colours[RED]), name
    green = next(x for x in report.lines if x.state.colour == "green")
    ws = workbook[f"附件{green.task.annex}"]
    assert cell(ws, task_rows(ws)[green.task.code], "完成状态").fill.fill_type is None
    done = next(x for x in report.lines if x.state.colour == "done")
    ws = workbook[f"附件{done.task.annex}"]
    assert cell(ws, task_rows(ws)[done.task.code], "完成状态").fill.fgColor.rgb.endswith(colours["done"])


def test_every_sheet_prints_a4_fitted_to_width_with_repeated_header(workbook):
    for ws in workbook.worksheets:
        assert ws.page_setup.orientation == ("portrait" if ws.title in ("汇总", "按单位汇总") else "landscape"), ws.title
        assert int(ws.page_setup.paperSize) == 9
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert int(ws.page_setup.fitToWidth) == 1 and int(ws.page_setup.fitToHeight) == 0
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    for ws in workbook.worksheets[1:]:
        assert ws.print_title_rows == "$4:$4"
        assert ws.freeze_panes == "A5"


def test_row_heights_fit_long_text_within_excels_limit(workbook, report):
    ws = workbook["附件1"]
    rows = task_rows(ws)
    short = min(report.lines[:100], key=lambda x: len(x.task.text) + len(x.progress_text))
    long = max(report.lines[:100], key=lambda x: len(x.task.text))
    assert ws.row_dimensions[rows[long.task.code]].height > 3 * ws.row_dimensions[rows[short.task.code]].height
    for sheet in workbook.worksheets[1:]:
        for r in range(HEADER_ROW, sheet.max_row + 1):
            height = sheet.row_dimensions[r].height
            assert height is not None and 12 <= height <= 409, (sheet.title, r)


def test_a_task_taller_than_one_row_continues_below_with_nothing_lost(workbook, report):
    line = next(x for x in report.lines if x.task.code == "A04-02.01")
    ws = workbook["附件4"]
    first = task_rows(ws)[line.task.code]
    codes = [ws.cell(row=r, column=len(HEADER)).value for r in range(first + 1, ws.max_row + 1)]
    last = first + next((i for i, c in enumerate(codes) if c), len(codes))
    assert last > first
    pieces = [cell(ws, r, "任务内容").value or "" for r in range(first, last + 1)]
    assert "".join(pieces).replace("\n", "") == line.task.text.replace("\n", "")
    assert any(str(r) == f"C{first}:C{last}" for r in ws.merged_cells.ranges)


def test_signed_off_tasks_show_the_sign_off_date_and_its_basis(workbook, report, sign_offs):
    done = [line for line in report.lines if line.task.id in sign_offs]
    assert done
    for line in done[:20]:
        ws = workbook[f"附件{line.task.annex}"]
        row = task_rows(ws)[line.task.code]
        fact = sign_offs[line.task.id]
        assert cell(ws, row, "销号日期").value.replace("\n", "") == chinese_date(fact.signed_on)
        assert cell(ws, row, "销号依据").value == fact.basis and fact.basis
    open_line = next(line for line in report.lines if line.task.id not in sign_offs)
    ws = workbook[f"附件{open_line.task.annex}"]
    row = task_rows(ws)[open_line.task.code]
    assert cell(ws, row, "销号日期").value is None and cell(ws, row, "销号依据").value is None


def test_unit_summary_lists_each_real_units_figures_and_rank_as_the_tongbao_does(workbook, report, capsys):
    ws = workbook["按单位汇总"]
    columns = ["单位", "负责任务", "到期", "按期办结", "逾期办结", "到期未办结", "滞后", "按期办结率", "排名"]
    assert header(ws) == columns
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=HEADER_ROW + 1)]
    assert [r[0] for r in rows] == [s.unit for s in report.standings]
    for values, standing in zip(rows, report.standings):
        assert values[1:7] == [standing.lead_tasks, standing.due, standing.done_on_time, standing.done_late, standing.overdue, standing.lagging]
        if standing.due:
            assert values[7] == pytest.approx(standing.done_on_time / standing.due)
            assert values[8] == 1 + sum(1 for s in report.standings if s.due and s.done_on_time / s.due > standing.done_on_time / standing.due)
        else:
            assert values[7] is None and values[8] is None
    names = {r[0] for r in rows}
    assert not names & {"各县（市、区）人民政府", "各县（市、区）公共资源交易中心", "市直相关部门", "各金融机构"}, "no collective is ranked"
    assert {"灵宝市人民政府", "卢氏县人民政府"} <= names
    assert ws.cell(row=HEADER_ROW + 1, column=8).number_format == "0.0%"


def test_summary_states_the_figures_json_and_each_annex_completion(workbook, report, demo, capsys):
    from desktop.cli import main

    assert main(["--db", str(demo.path), "--read-only", "report", "figures", "--period", PERIOD, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    ws = workbook["汇总"]
    rows = {str(ws.cell(row=r, column=1).value).strip("　").removeprefix("其中：").strip(): r for r in range(1, ws.max_row + 1)}
    value = lambda name: ws.cell(row=rows[name], column=3).value  # noqa: E731
    assert (value("任务总数"), value("持续推进"), value("到期任务")) == (data["tasks"], data["ongoing"], data["due"]) == (373, report.figures.ongoing, report.figures.due)
    for category, count in data["due_breakdown"].items():
        assert value(category) == count, category
    assert sum(value(category) for category in data["due_breakdown"]) == value("到期任务")
    for annex in (4, 21):
        bar = next(b for b in report.by_annex if b.key == str(annex))
        r = rows[f"附件{annex}"]
        assert [ws.cell(row=r, column=c).value for c in range(3, 8)] == [bar.total, bar.signed_off, bar.reported_done, bar.overdue, pytest.approx(bar.rate)]
    # 附件1's measures have no dated time limit: none of them counts in a completion rate.
    assert [ws.cell(row=rows["附件1"], column=c).value for c in (3, 7)] == [0, "—"]
    assert ws.cell(row=rows["合计"], column=3).value == 373 - data["ongoing"]


@pytest.fixture(scope="module")
def warning_sheet(report, tmp_path_factory):
    path = export_warnings(report, tmp_path_factory.mktemp("warnings") / "预警清单.xlsx", made_on=MADE_ON)
    return load_workbook(path)["预警清单"]


def warning_rows(ws):
    """Each task's row number by its code (column 任务编号)."""
    return {ws.cell(row=r, column=2).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(row=r, column=2).value}


def test_warning_list_has_exactly_the_red_yellow_and_grey_tasks_red_first(demo, report, warning_sheet):
    ws = warning_sheet
    assert header(ws) == WARNING_HEADER
    rows = warning_rows(ws)
    with demo.Session() as session:
        states = task_states(session, resolve_plan_id(session, None), PERIOD, due_soon_days=report.settings.due_soon_days, today=TODAY)
        codes = {t.id: t.code for t in list_tasks(session)}
    expected = {codes[i] for i, s in states.items() if s.colour in (RED, YELLOW, GREY)}
    assert set(rows) == expected and len(rows) == len(expected)
    order = {"逾期": 0, "临期": 1, "滞后": 1, "未报送": 2}
    kinds = [cell(ws, r, "预警", WARNING_HEADER).value for r in rows.values()]
    assert kinds == sorted(kinds, key=order.get) and kinds[0] == "逾期"
    assert [cell(ws, r, "序号", WARNING_HEADER).value for r in rows.values()] == list(range(1, len(rows) + 1))
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:H{ws.max_row}"


def test_warning_rows_say_who_when_how_late_and_the_latest_progress(report, warning_sheet):
    ws = warning_sheet
    rows = warning_rows(ws)
    # A task a few units answer for, overdue for some days already at the period's end.
    overdue = next(line for line in report.overdue if line.state.due < report.reference and len(re.split(r"、(?![^（]*）)", line.lead_text)) <= 3)
    row = rows[overdue.task.code]
    assert cell(ws, row, "时间节点", WARNING_HEADER).value == chinese_date(overdue.state.due) + ("（已延期）" if overdue.state.extended else "")
    title = cell(ws, row, "任务名称", WARNING_HEADER).value
    assert title == overdue.task.title or (title.endswith("……") and overdue.task.title.startswith(title.removesuffix("……")))
    assert cell(ws, row, "牵头单位", WARNING_HEADER).value == overdue.lead_text
    units = {line.task.code: re.split(r"、(?![^（]*）)", line.lead_text) for line in report.warnings}
    many = next(code for code, names in units.items() if len(names) > 3)
    shortened = cell(ws, rows[many], "牵头单位", WARNING_HEADER).value
    assert shortened == "、".join(units[many][:3]) + f"等{len(units[many])}个单位"
    assert cell(ws, row, "逾期天数", WARNING_HEADER).value == (report.reference - overdue.state.due).days > 0
    progress = cell(ws, row, "最新进展", WARNING_HEADER).value
    shown, first = progress.split("\n")[0], overdue.progress_text.split("\n")[0]
    assert shown == first or (shown.endswith("……") and first.startswith(shown.removesuffix("……")))
    assert all(len(p) <= 56 for p in progress.split("\n")[:2])
    for line in report.warnings:
        if line.state.colour != RED:
            assert cell(ws, rows[line.task.code], "逾期天数", WARNING_HEADER).value is None
    assert chinese_date(report.reference) in ws["A3"].value and "制表日期：2023年1月16日" in ws["A3"].value


def test_warning_list_prints_on_a_few_pages(warning_sheet):
    ws = warning_sheet
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$4:$4"
    assert sum(ws.column_dimensions[chr(64 + c)].width for c in range(1, 9)) <= 140  # A4 landscape at full size
    heights = [ws.row_dimensions[r].height for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    assert max(heights) < 110


def test_unit_ledger_has_exactly_that_units_tasks_with_its_role(demo, tmp_path):
    with demo.Session() as session:
        unit_report = period_report(session, PERIOD, unit=UNIT, today=TODAY)
        tasks = list_tasks(session, unit=UNIT)
    path = export_ledger(unit_report, tmp_path / "单位台账.xlsx", made_on=MADE_ON)
    wb = load_workbook(path)
    assert wb.sheetnames == [UNIT]
    ws = wb[UNIT]
    columns = [c.value for c in ws[HEADER_ROW]]
    assert columns == ["序号", "角色", *HEADER[1:]]
    rows = task_rows(ws, columns)
    assert list(rows) == [t.code for t in tasks]
    for task in tasks:
        roles = {u.role for u in task.units if u.name == UNIT}
        assert set(cell(ws, rows[task.code], "角色", columns).value.split("、")) == roles
    assert UNIT in ws["A1"].value


def test_same_input_same_workbook(report, sign_offs, workbook, tmp_path):
    again = load_workbook(export_ledger(report, tmp_path / "again.xlsx", sign_offs=sign_offs, made_on=MADE_ON))
    for ws in workbook.worksheets:
        other = again[ws.title]
        assert [[c.value for c in row] for row in ws.iter_rows()] == [[c.value for c in row] for row in other.iter_rows()]
        assert {r: d.height for r, d in ws.row_dimensions.items()} == {r: d.height for r, d in other.row_dimensions.items()}


def test_cancelled_export_leaves_no_file(report, tmp_path):
    calls = []

    def cancel_on_third():
        calls.append(1)
        return len(calls) >= 3

    with pytest.raises(Cancelled):
        export_ledger(report, tmp_path / "台账.xlsx", control=JobControl(cancelled=cancel_on_third))
    assert list(tmp_path.iterdir()) == []


def test_progress_is_reported_while_writing(report, tmp_path):
    seen = []
    export_ledger(report, tmp_path / "台账.xlsx", control=JobControl(report=lambda done, total, what: seen.append((done, total))))
    assert len(seen) > 5 and seen[-1] == (373, 373)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


def test_row_height_grows_with_lines_text_width_and_font_size():
    from exports.xlsx_io import MAX_ROW_HEIGHT, text_height, wrap_lines

    chinese, digits = "营商环境" * 10, "2022" * 10  # 40 characters each
    assert len(wrap_lines(chinese, 20)) > len(wrap_lines(digits, 20)) > 1
    assert "".join(wrap_lines(chinese + "\n" + digits, 20)) == chinese + "\n" + digits
    assert text_height("一\n二\n三", 20) > text_height("一二三", 20)
    assert text_height(chinese, 40) < text_height(chinese, 20)  # a merged cell is as wide as its columns
    assert text_height(chinese, 20, 14) > text_height(chinese, 20, 10)
    assert text_height("短", 20) < 25  # one line stays one line, with a little room
    assert text_height(chinese * 100, 20) == MAX_ROW_HEIGHT
    # A number or a word is never split across lines, and no line starts with a closing mark.
    lines = wrap_lines("累计办理相关业务2619件，企业群众满意率达69%。" * 3, 12)
    assert all(not line.startswith(("，", "。", "%")) for line in lines)
    assert sum(line.count("2619") for line in lines) == 3 and sum(line.count("69%") for line in lines) == 3


def test_a_sign_off_prints_its_date_note_and_evidence_file_from_the_day_it_was_made(ledger, tmp_path):
    from db.decisions import Evidence, sign_off
    from db.ledger import get_task

    with ledger.Session.begin() as session:
        task = get_task(session, "A02-01")
        sign_off(session, task, signed_on=dt.date(2022, 11, 20), operator="测试", note="=经审核已完成", evidence=Evidence("验收报告.pdf", b"%PDF-1.4"))
    for period, shown in (("2022-10", False), ("2022-11", True)):
        with ledger.Session() as session:
            report = period_report(session, period, today=TODAY)
            facts = sign_off_facts(session, resolve_plan_id(session, None), report.reference)
        ws = load_workbook(export_ledger(report, tmp_path / f"{period}.xlsx", sign_offs=facts, made_on=MADE_ON))["附件2"]
        row = task_rows(ws)["A02-01"]
        date, basis = cell(ws, row, "销号日期"), cell(ws, row, "销号依据")
        if shown:
            assert date.value == "2022年\n11月20日"
            assert basis.value == "=经审核已完成；证明材料：验收报告.pdf" and basis.data_type == "s"
        else:
            assert date.value is None and basis.value is None, period
