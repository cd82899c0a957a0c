"""Unit 报送模板 name their unit by uuid too (format 3): a unit renamed after the templates went out still gets its
reports, a unit that is gone is named, and a format 2 template (made before uuids) still imports by name."""

from __future__ import annotations

import uuid

from openpyxl import load_workbook
from sqlalchemy import update

from db.models import Unit
from db.progress import list_progress
from db.template_import import sign, signing_key
from exports.template_export import ID_ROW_HEADER
from exports.template_import_xlsx import ID_KEYS_BY_VERSION
from exports.template_indicator_sheet import IND_ROW_HEADER
from exports.unit_template import export_templates, import_templates
from exports.xlsx_io import cell_text

HOUSING = "市住房和城乡建设局"
RENAMED = "市住房城乡建设局"
PERIOD = "2022-06"
FIRST_ROW, CODE, STATUS, PERCENT, TEXT = 6, 3, 8, 9, 10


def filled_template(ledger, folder, text: str, edit=None):
    (path,) = export_templates(ledger, folder, period=PERIOD, unit=HOUSING)
    wb = load_workbook(path)
    ws = wb["进展报送"]
    ws.cell(FIRST_ROW, STATUS).value, ws.cell(FIRST_ROW, PERCENT).value, ws.cell(FIRST_ROW, TEXT).value = "推进中", 60, text
    code = ws.cell(FIRST_ROW, CODE).value
    if edit:
        edit(wb)
    wb.save(path)
    return path, code


def texts(ledger, unit: str) -> dict[str, str]:
    with ledger.Session() as s:
        return {p.task: p.progress_text for p in list_progress(s, unit=unit, period=PERIOD)}


def change_unit(ledger, **values) -> None:
    with ledger.Session.begin() as s:
        s.execute(update(Unit).where(Unit.name == HOUSING).values(**values))


def test_the_template_records_the_units_uuid_under_its_signature(ledger, tmp_path):
    path, _code = filled_template(ledger, tmp_path, "x")
    facts = {row[0].value: row[1].value for row in load_workbook(path)["标识"].iter_rows(max_col=2) if row[0].value}
    with ledger.Session() as s:
        own = s.query(Unit.uuid).filter(Unit.name == HOUSING).scalar()
    assert facts["格式版本"] == "4" and facts["单位编号"] == own


def test_a_unit_renamed_after_export_still_gets_its_template_reports(ledger, tmp_path):
    """Renamed, and its old name given to a new unit (a reorganisation): the reports go to the unit the template was for."""
    path, code = filled_template(ledger, tmp_path, "改名后收回的模板")
    change_unit(ledger, name=RENAMED)
    with ledger.Session.begin() as s:
        s.add(Unit(name=HOUSING, kind="市直部门"))

    report = import_templates(ledger, path, operator="收件人")

    assert report.ok, [p.message for f in report.files for p in f.problems]
    assert texts(ledger, RENAMED) == {code: "改名后收回的模板"} and texts(ledger, HOUSING) == {}


def test_a_template_whose_unit_is_gone_is_refused_naming_it(ledger, tmp_path):
    path, _code = filled_template(ledger, tmp_path, "单位已不在")
    change_unit(ledger, uuid=str(uuid.uuid4()))  # the same name, but not the unit the template was made for

    report = import_templates(ledger, path, operator="收件人")

    assert not report.ok
    (problem,) = report.files[0].problems
    assert f"模板所属的单位“{HOUSING}”已不在台账中" in problem.message
    assert texts(ledger, HOUSING) == {}


def without_indicators(wb):
    """A template as a program before the 指标 sheet wrote it: that sheet and the 标识's indicator section gone."""
    del wb["指标"]
    ws = wb["标识"]
    (number,) = [row[0].row for row in ws.iter_rows() if row[0].value == IND_ROW_HEADER[0]]
    ws.delete_rows(number - 1, ws.max_row)


def test_a_format_3_template_made_before_the_indicator_sheet_still_imports(ledger, tmp_path):
    def as_format_3(wb):
        without_indicators(wb)
        ws = wb["标识"]
        lines = [[cell_text(c.value) for c in row] for row in ws.iter_rows(min_row=2, max_col=len(ID_ROW_HEADER))]
        facts = {line[0]: line[1] for line in lines[: lines.index(list(ID_ROW_HEADER))] if line[0]} | {"格式版本": "3"}
        rows = [line for line in lines[lines.index(list(ID_ROW_HEADER)) + 1 :] if any(line)]
        with ledger.Session() as s:
            signature = sign(signing_key(s), [*(facts[k] for k in ID_KEYS_BY_VERSION["3"][:-1]), rows])
        for row in ws.iter_rows(max_col=2):
            if row[0].value in ("格式版本", "签名"):
                row[1].value = "3" if row[0].value == "格式版本" else signature

    path, code = filled_template(ledger, tmp_path, "第三版格式模板", as_format_3)
    assert load_workbook(path).sheetnames == ["进展报送", "标识"]

    report = import_templates(ledger, path, operator="收件人")

    assert report.ok, [p.message for f in report.files for p in f.problems]
    assert texts(ledger, HOUSING) == {code: "第三版格式模板"} and "指标实际值" not in report.lines()[0]


def test_a_format_2_template_made_before_uuids_still_imports_by_name(ledger, tmp_path):
    def as_format_2(wb):
        """The 标识 as a program before uuids wrote and signed it: no 单位编号, no 指标 sheet or rows, format 2."""
        without_indicators(wb)
        ws = wb["标识"]
        (number,) = [row[0].row for row in ws.iter_rows() if row[0].value == "单位编号"]
        ws.delete_rows(number)
        lines = [[cell_text(c.value) for c in row] for row in ws.iter_rows(min_row=2, max_col=len(ID_ROW_HEADER))]
        facts = {line[0]: line[1] for line in lines[: lines.index(list(ID_ROW_HEADER))] if line[0]} | {"格式版本": "2"}
        rows = [line for line in lines[lines.index(list(ID_ROW_HEADER)) + 1 :] if any(line)]
        with ledger.Session() as s:
            signature = sign(signing_key(s), [*(facts[k] for k in ID_KEYS_BY_VERSION["2"][:-1]), rows])
        for row in ws.iter_rows(max_col=2):
            if row[0].value in ("格式版本", "签名"):
                row[1].value = "2" if row[0].value == "格式版本" else signature

    path, code = filled_template(ledger, tmp_path, "旧格式模板", as_format_2)
    assert "单位编号" not in {row[0].value for row in load_workbook(path)["标识"].iter_rows(max_col=1)}

    report = import_templates(ledger, path, operator="收件人")

    assert report.ok, [p.message for f in report.files for p in f.problems]
    assert texts(ledger, HOUSING) == {code: "旧格式模板"}
