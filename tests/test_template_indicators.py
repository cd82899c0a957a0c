"""The 报送模板's 指标 sheet: indicator actuals out and back with the progress reports, refused whole on any problem."""

from openpyxl import load_workbook
from sqlalchemy import select

from db.indicator_actuals import report_actual
from db.indicators import find_indicator
from db.ledger import find_unit, resolve_plan_id
from db.models import AuditLog, IndicatorActual, Unit
from exports.unit_template import export_templates, import_templates
from tests.test_template_hostile import dump
from tests.test_unit_template import fill, housing_codes, report_of

HOUSING = "市住房和城乡建设局"
PERIOD = "2022-06"
SHEET = "指标"
FIRST = 6
SEQ, CODE, ANNEX, NAME, MEASURE, DIRECTION, TARGET, PREVIOUS, ACTUAL, NOTE = range(1, 11)
NO_INDICATORS = "市司法局"  # a real unit with tasks, answerable for no indicator


def export(ledger, folder, unit="住建局", period=PERIOD):
    (path,) = export_templates(ledger, folder, period=period, unit=unit)
    return path


def indicator_rows(path):
    ws = load_workbook(path)[SHEET]
    return {ws.cell(r, CODE).value: r for r in range(FIRST, ws.max_row + 1) if ws.cell(r, CODE).value}


def fill_indicators(src, dst, values, tasks=None, edit=None):
    """Fill 本期实际值 and 说明 as a clerk would: values maps an indicator code to (value, note)."""

    def both(wb):
        ws = wb[SHEET]
        where = {ws.cell(r, CODE).value: r for r in range(FIRST, ws.max_row + 1)}
        for code, (value, note) in values.items():
            ws.cell(where[code], ACTUAL).value, ws.cell(where[code], NOTE).value = value, note
        if edit:
            edit(ws)

    return fill(src, dst, tasks or {}, both)


def actuals(ledger, unit=HOUSING):
    """The unit's stored actuals: code -> (period, value text, number, note, version)."""
    from db.models import Indicator

    with ledger.Session() as s:
        rows = s.execute(
            select(Indicator.code, IndicatorActual).join(Indicator, Indicator.id == IndicatorActual.indicator_id).join(Unit, Unit.id == IndicatorActual.unit_id).where(Unit.name == unit)
        ).all()
        return {code: (a.period, a.value_text, a.value, a.note, a.version) for code, a in rows}


def actual_audits(ledger):
    with ledger.Session() as s:
        return [(a.entity_key, a.after["value_text"], a.note) for a in s.scalars(select(AuditLog).where(AuditLog.action == "indicator.actual").order_by(AuditLog.id))]


def test_the_sheet_lists_the_units_indicators_with_target_previous_value_and_open_fill_cells(ledger, tmp_path):
    with ledger.Session.begin() as s:
        plan = resolve_plan_id(s, None)
        report_actual(s, find_indicator(s, plan, "ZB03-02"), find_unit(s, HOUSING), "2022-05", "27个工作日", operator="测试")
    path = export(ledger, tmp_path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["进展报送", "标识", SHEET]
    ws = wb[SHEET]
    assert [ws.cell(FIRST - 1, c).value for c in range(1, 11)] == ["序号", "编号", "附件", "指标", "计量单位", "方向", "目标（本期应达到）", "上期实际值", "本期实际值", "说明"]
    rows = indicator_rows(path)
    with ledger.Session() as s:
        plan = resolve_plan_id(s, None)
        mine = find_unit(s, HOUSING).id
        from db.models import Indicator, IndicatorUnit

        answerable = set(s.scalars(select(Indicator.code).join(IndicatorUnit).where(IndicatorUnit.unit_id == mine, Indicator.plan_id == plan, Indicator.removed_at.is_(None))))
    assert set(rows) == answerable and len(rows) == 32
    r = rows["ZB03-02"]  # 26 by 2022-06, lower is better
    assert [ws.cell(r, c).value for c in (MEASURE, DIRECTION)] == ["工作日", "越低越好"]
    assert ws.cell(r, TARGET).value.startswith("26") and ws.cell(r, TARGET).value.endswith("期限：2022年6月")
    assert ws.cell(r, PREVIOUS).value == "2022年5月：27个工作日"
    assert ws.cell(rows["ZB03-04"], TARGET).value == "7\n期限：2022年12月（未到期）"  # only a year-end target: the next one due
    last = max(rows.values())
    assert ws.protection.sheet and all(ws.cell(last, c).protection.locked for c in range(1, ACTUAL))
    assert not ws.cell(last, ACTUAL).protection.locked and not ws.cell(last, NOTE).protection.locked
    assert ws.cell(last, ACTUAL).number_format == "@"  # a typed 98% stays text
    (rule,) = ws.data_validations.dataValidation
    assert str(rule.sqref) == f"I{FIRST}:I{last}" and rule.type == "textLength" and "≤20" in rule.prompt
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.print_title_rows == f"${FIRST - 1}:${FIRST - 1}" and all(ws.row_dimensions[r].height for r in range(1, last + 1))


def test_a_filled_sheet_imports_with_the_reports_in_one_go_and_again_changes_nothing(ledger, tmp_path):
    template = export(ledger, tmp_path)
    task = housing_codes(ledger)[0]
    filled = fill_indicators(
        template, tmp_path / "filled.xlsx", {"ZB03-02": ("25.5个工作日", "全市平均"), "ZB03-03": ("≥98%", None)}, tasks={task: report_of("六月的进展")}
    )

    report = import_templates(ledger, filled, operator="收件人")

    assert report.ok, [p.line() for p in report.problems]
    (outcome,) = report.files
    assert (outcome.added, outcome.indicators_added, outcome.indicators_unchanged, outcome.indicators_skipped) == (1, 2, 0, 30)
    assert "指标实际值新增 2 条" in report.lines()[0]
    assert actuals(ledger) == {"ZB03-02": (PERIOD, "25.5个工作日", 25.5, "全市平均", 1), "ZB03-03": (PERIOD, "≥98%", 98.0, None, 1)}
    assert actual_audits(ledger) == [
        (f"ZB03-02/{HOUSING}/{PERIOD}", "25.5个工作日", "从报送模板 filled.xlsx 导入"),
        (f"ZB03-03/{HOUSING}/{PERIOD}", "≥98%", "从报送模板 filled.xlsx 导入"),
    ]
    before = dump(ledger), actuals(ledger)

    again = import_templates(ledger, filled, operator="收件人")

    assert again.ok and (again.files[0].unchanged, again.files[0].indicators_unchanged, again.files[0].indicators_added) == (1, 2, 0)
    assert (dump(ledger), actuals(ledger)) == before
    # The next template shows the value pre-filled and the template after the month shows it as the previous one.
    ws = load_workbook(export(ledger, tmp_path / "again"))[SHEET]
    r = indicator_rows(tmp_path / "again" / template.name)["ZB03-02"]
    assert (ws.cell(r, ACTUAL).value, ws.cell(r, NOTE).value) == ("25.5个工作日", "全市平均")
    july = export(ledger, tmp_path / "july", period="2022-07")
    assert load_workbook(july)[SHEET].cell(indicator_rows(july)["ZB03-02"], PREVIOUS).value == "2022年6月：25.5个工作日"


def test_a_number_typed_as_a_percentage_is_read_as_the_clerk_sees_it(ledger, tmp_path):
    def as_percent(ws):
        r = next(r for r in range(FIRST, ws.max_row + 1) if ws.cell(r, CODE).value == "ZB03-03")
        ws.cell(r, ACTUAL).value, ws.cell(r, ACTUAL).number_format = 0.98, "0%"

    filled = fill_indicators(export(ledger, tmp_path), tmp_path / "percent.xlsx", {}, edit=as_percent)
    assert import_templates(ledger, filled, operator="收件人").ok
    assert actuals(ledger)["ZB03-03"][1:3] == ("98%", 98.0)


def refused(report, name):
    (outcome,) = report.files
    assert not outcome.imported and outcome.problems and outcome.file == name
    return outcome.problems


def test_a_bad_value_refuses_the_whole_file_naming_file_sheet_row_and_column(ledger, tmp_path):
    template = export(ledger, tmp_path)
    rows = indicator_rows(template)
    task = housing_codes(ledger)[0]
    filled = fill_indicators(
        template, tmp_path / "bad.xlsx", {"ZB03-02": ("25", None), "ZB03-03": ("很" * 201, None), "ZB03-04": (None, "只写了说明")},
        tasks={task: report_of("六月的进展")},
    )
    before = dump(ledger), actuals(ledger), actual_audits(ledger)

    problems = refused(import_templates(ledger, filled, operator="收件人"), "bad.xlsx")

    assert [(p.sheet, p.row, p.column) for p in problems] == [(SHEET, rows["ZB03-03"], "I（本期实际值）"), (SHEET, rows["ZB03-04"], "I（本期实际值）")]
    assert "本期实际值过长（201 字）" in problems[0].message and "填写了说明，但本期实际值为空" in problems[1].message
    assert problems[0].line().startswith(f"文件 bad.xlsx，工作表 指标，第 {rows['ZB03-03']} 行，第 I 列（本期实际值）：")
    assert (dump(ledger), actuals(ledger), actual_audits(ledger)) == before  # not the good value, not the first sheet's report


def test_a_forged_code_a_copied_row_and_an_edited_locked_cell_are_refused(ledger, tmp_path):
    template = export(ledger, tmp_path)
    rows = indicator_rows(template)

    def forge(ws):
        ws.cell(rows["ZB03-02"], CODE).value = "ZB04-01"  # an indicator of another unit, under this one's row
        ws.cell(rows["ZB03-03"], TARGET).value = "2.5"  # an easier target
        last = max(rows.values())
        for c in range(1, 11):
            ws.cell(last + 1, c).value = ws.cell(rows["ZB03-04"], c).value  # a copied row
        ws.cell(last + 1, ACTUAL).value = "3"

    filled = fill_indicators(template, tmp_path / "forged.xlsx", {"ZB03-02": ("1", None), "ZB03-03": ("1.5", None)}, edit=forge)
    before = dump(ledger), actuals(ledger)

    problems = refused(import_templates(ledger, filled, operator="收件人"), "forged.xlsx")

    found = {(p.row, p.column): p.message for p in problems}
    assert "这一行应为指标 ZB03-02，却是“ZB04-01”" in found[(rows["ZB03-02"], "B（编号）")]
    assert "灰底列为指标信息，不可修改" in found[(rows["ZB03-03"], "G（目标（本期应达到））")]
    assert "指标 ZB03-04 重复出现" in found[(max(rows.values()) + 1, "B（编号）")]
    assert all(p.sheet == SHEET for p in problems) and (dump(ledger), actuals(ledger)) == before


def test_the_indicator_rows_are_signed_a_row_added_to_the_id_sheet_is_refused(ledger, tmp_path):
    template = export(ledger, tmp_path)

    def add_id_row(wb):
        ws = wb["标识"]
        ws.append([str(max(indicator_rows(template).values()) + 1), "ZB04-01", "0" * 16, "0", "0" * 16])

    filled = fill(template, tmp_path / "forged.xlsx", {}, add_id_row)
    problems = refused(import_templates(ledger, filled, operator="收件人"), "forged.xlsx")
    assert problems[0].sheet == "标识" and "签名不符" in problems[0].message


def test_a_unit_without_indicators_gets_no_sheet_and_still_round_trips(ledger, tmp_path):
    with ledger.Session() as s:
        from db.ledger import list_tasks

        code = list_tasks(s, unit=NO_INDICATORS)[0].code
    template = export(ledger, tmp_path, NO_INDICATORS)
    assert load_workbook(template).sheetnames == ["进展报送", "标识"]
    filled = fill(template, tmp_path / "tax.xlsx", {code: report_of("税务局的进展")})

    report = import_templates(ledger, filled, operator="收件人")

    assert report.ok and report.files[0].added == 1 and "指标实际值" not in report.lines()[1]
    assert import_templates(ledger, filled, operator="收件人").files[0].unchanged == 1

    def add_sheet(wb):
        wb.create_sheet(SHEET)["I6"] = "5"

    sneaked = fill(template, tmp_path / "sneaked.xlsx", {}, add_sheet)
    problems = refused(import_templates(ledger, sneaked, operator="收件人"), "sneaked.xlsx")
    assert problems[0].sheet == SHEET and "没有“指标”工作表" in problems[0].message


def test_an_actual_changed_in_the_ledger_after_export_is_a_conflict_and_the_rest_imports(ledger, tmp_path):
    template = export(ledger, tmp_path)
    with ledger.Session.begin() as s:
        report_actual(s, find_indicator(s, resolve_plan_id(s, None), "ZB03-02"), find_unit(s, HOUSING), PERIOD, "24", operator="办公室")
    filled = fill_indicators(template, tmp_path / "late.xlsx", {"ZB03-02": ("25", None), "ZB03-01": ("6", None)})

    report = import_templates(ledger, filled, operator="收件人")

    (conflict,) = report.conflicts
    assert conflict.sheet == SHEET and "ZB03-02" in conflict.message and "未覆盖" in conflict.message
    assert actuals(ledger)["ZB03-02"][1] == "24" and actuals(ledger)["ZB03-01"][1] == "6"
