"""Hostile templates: forged and swapped 标识, rows past <dimension>, damaged archives and oversized parts.

Each case is refused with a Chinese message naming the file (and the row where there is one), or
imported correctly; the ledger's reports and audit log change only for files that import.
"""

import hashlib
import json
import os
import random
import re
import sqlite3
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.ledger import list_tasks
from db.models import AuditLog, ProgressEntry, Task, Unit
from exports import template_import_xlsx
from exports.unit_template import export_templates, import_templates
from tests.test_unit_template import (
    CODE,
    FIRST_ROW,
    HOUSING,
    TEXT,
    fill,
    housing_codes,
    report_of,
    row_of,
)

NATURAL = "市自然资源和规划局"
FINANCE = "市财政局"
# Words a refusal may contain besides Chinese: the product and format names a clerk knows.
ALLOWED_WORDS = {"Excel", "xlsx", "MB"}


def dump(ledger):
    """The reports (who, when, what) and the size of the audit log: what a bad file must not change."""
    with ledger.Session() as s:
        reports = s.execute(
            select(Task.code, Unit.name, ProgressEntry.period, ProgressEntry.progress_text, ProgressEntry.version)
            .join(Task, Task.id == ProgressEntry.task_id)
            .join(Unit, Unit.id == ProgressEntry.unit_id)
        ).all()
        audits = s.scalar(select(func.count()).select_from(AuditLog))
    return sorted(reports), audits


def codes_of(ledger, unit):
    with ledger.Session() as s:
        return [t.code for t in list_tasks(s, unit=unit)]


def export(ledger, folder, unit, period):
    (path,) = export_templates(ledger, folder, period=period, unit=unit)
    return path


def english_words(problem) -> list[str]:
    """ASCII words in a refusal, leaving out the file's own name, column letters, indicator codes and quoted values."""
    line = problem.line().replace(problem.file, "")
    line = re.sub(r"第 [A-Z]{1,3} 列|ZB\d{2}-\d{2}|“[^”]*”", "", line)  # column letters, indicator codes, the file's own values quoted
    return [w for w in re.findall(r"[A-Za-z]{2,}", line) if w not in ALLOWED_WORDS]


def assert_refused_in_chinese(report, name):
    outcome = next(f for f in report.files if f.file == name)
    assert not outcome.imported and outcome.problems, name
    for problem in outcome.problems:
        assert problem.file == name and problem.line().startswith(f"文件 {name}")
        assert not english_words(problem), (name, problem.line())
    return outcome


# --- forged and swapped 标识 ------------------------------------------------------------------------


def recompute_checksum(changes):
    """An attacker's edit of the 标识: change facts, then recompute the plain sha256 the old format used."""

    def edit(wb):
        ws = wb["标识"]
        lines = [[c.value for c in row] for row in ws.iter_rows()]
        facts_end = next(i for i, line in enumerate(lines) if i and not any(line))
        for i in range(1, facts_end):
            if lines[i][0] in changes:
                ws.cell(i + 1, 2).value = changes[lines[i][0]]
                lines[i][1] = changes[lines[i][0]]
        values = [line[1] for line in lines[1 : facts_end - 1]]
        rows = [[str(v) for v in line if v is not None] for line in lines[facts_end + 2 :] if any(line)]
        digest = hashlib.sha256(json.dumps([*values, rows], ensure_ascii=False).encode("utf-8")).hexdigest()
        ws.cell(facts_end, 2).value = digest[:32] if lines[facts_end - 1][0] == "校验码" else digest

    return edit


def paste_id_sheet(source):
    """The 标识 sheet of another template pasted over this one's."""

    def edit(wb):
        ws = wb["标识"]
        ws.delete_rows(1, ws.max_row)
        for r, line in enumerate(load_workbook(source)["标识"].iter_rows(values_only=True), start=1):
            for c, value in enumerate(line, start=1):
                ws.cell(r, c).value = value

    return edit


def test_a_forged_period_with_a_recomputed_checksum_is_refused(ledger, tmp_path):
    code = housing_codes(ledger)[0]
    template = export(ledger, tmp_path, "住建局", "2022-06")
    forged = fill(template, tmp_path / "forged.xlsx", {code: report_of("伪造成五月的进展")}, recompute_checksum({"期间": "2022-05"}))
    before = dump(ledger)
    report = import_templates(ledger, forged, operator="测试")
    outcome = assert_refused_in_chinese(report, "forged.xlsx")
    (problem,) = outcome.problems
    assert problem.sheet == "标识" and "签名不符" in problem.message
    assert dump(ledger) == before


def test_an_old_unsigned_template_is_refused_with_a_request_for_a_new_one(ledger, tmp_path):
    code = housing_codes(ledger)[0]
    template = export(ledger, tmp_path, "住建局", "2022-06")
    old = fill(template, tmp_path / "old.xlsx", {code: report_of("旧模板填报")}, recompute_checksum({"格式版本": "1"}))
    before = dump(ledger)
    (problem,) = import_templates(ledger, old, operator="测试").problems
    assert "旧版程序导出的报送模板" in problem.message and "重新导出模板" in problem.message
    assert dump(ledger) == before


def test_a_december_id_sheet_in_a_january_file_is_refused(ledger, tmp_path):
    code = housing_codes(ledger)[0]
    december = export(ledger, tmp_path / "dec", "住建局", "2022-12")
    january = export(ledger, tmp_path / "jan", "住建局", "2023-01")
    swapped = fill(january, tmp_path / "swapped.xlsx", {code: report_of("一月的进展")}, paste_id_sheet(december))
    before = dump(ledger)
    report = import_templates(ledger, swapped, operator="测试")
    outcome = assert_refused_in_chinese(report, "swapped.xlsx")
    assert [(p.sheet, p.row) for p in outcome.problems] == [("进展报送", 2)]
    assert "与标识工作表不符" in outcome.problems[0].message
    assert dump(ledger) == before
    # The January file with its own 标识 imports, as January.
    fine = import_templates(ledger, fill(january, tmp_path / "fine.xlsx", {code: report_of("一月的进展")}), operator="测试")
    assert fine.ok and [r[1:4] for r in dump(ledger)[0]] == [(HOUSING, "2023-01", "一月的进展")]


def test_another_units_id_sheet_cannot_file_rows_under_that_unit(ledger, tmp_path):
    shared = [c for c in housing_codes(ledger) if c in set(codes_of(ledger, NATURAL))]
    assert shared, "the plan gives 住建局 and 自然资源和规划局 common tasks"
    housing = export(ledger, tmp_path / "h", "住建局", "2022-06")
    natural = export(ledger, tmp_path / "n", NATURAL, "2022-06")
    swapped = fill(housing, tmp_path / "swapped.xlsx", {c: report_of("住建局的进展") for c in shared[:3]}, paste_id_sheet(natural))
    before = dump(ledger)
    report = import_templates(ledger, swapped, operator="测试")
    outcome = assert_refused_in_chinese(report, "swapped.xlsx")
    assert outcome.problems[0].row == 2 and "与标识工作表不符" in outcome.problems[0].message
    assert dump(ledger) == before


# --- rows the <dimension> hides ---------------------------------------------------------------------


def shrink_dimension(path, ref):
    """Rewrite the sheet's <dimension> to the template's own range, hiding the rows added below it."""
    data = {}
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        for info in infos:
            data[info.filename] = z.read(info.filename)
    sheet = "xl/worksheets/sheet1.xml"
    data[sheet], count = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data[sheet])
    assert count == 1
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info in infos:
            z.writestr(info.filename, data[info.filename])
    return path


def add_rows(template, code_of_row):
    """Rows appended below the last task row, each a copy of the first task row with another code."""

    def edit(wb):
        ws = wb["进展报送"]
        last = ws.max_row
        for offset, code in enumerate(code_of_row):
            r = last + 1 + offset
            for c in range(1, 14):
                ws.cell(r, c).value = ws.cell(FIRST_ROW, c).value
            ws.cell(r, CODE).value = code
            for column, value in report_of(f"多出的第 {offset + 1} 行").items():
                ws.cell(r, column).value = value

    return edit


@pytest.mark.parametrize(
    "case,rows,expected",
    [
        ("duplicate", 1, "重复出现"),
        ("unknown", 1, "不在本模板的任务清单中"),
        ("extra", 2100, "另有 2050 行"),
    ],
)
def test_rows_beyond_the_dimension_are_read_and_refused(ledger, tmp_path, case, rows, expected):
    codes = housing_codes(ledger)
    template = export(ledger, tmp_path, "住建局", "2022-06")
    last = FIRST_ROW + len(codes) - 1
    added = {"duplicate": [codes[0]], "unknown": ["Z9-99"], "extra": [None] * rows}[case]
    path = fill(template, tmp_path / f"{case}.xlsx", {codes[0]: report_of("正常的一行")}, add_rows(template, added))
    shrink_dimension(path, f"A1:M{last}")
    assert load_workbook(path, read_only=True)["进展报送"].max_row == last  # what a dimension-trusting reader sees
    before = dump(ledger)
    report = import_templates(ledger, path, operator="测试")
    outcome = assert_refused_in_chinese(report, path.name)
    assert outcome.problems[0].row == last + 1
    assert any(expected in p.message for p in outcome.problems), [p.message for p in outcome.problems]
    assert len(outcome.problems) <= template_import_xlsx.MAX_LISTED + 1
    assert dump(ledger) == before


# --- damaged archives -------------------------------------------------------------------------------


def flipped(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
    return bytes(b)


def test_byte_flipped_templates_in_a_folder_are_each_refused_and_the_good_ones_imported(ledger, tmp_path):
    housing, finance = housing_codes(ledger), codes_of(ledger, FINANCE)
    folder = tmp_path / "back"
    folder.mkdir()
    good_housing = fill(export(ledger, tmp_path, "住建局", "2022-06"), tmp_path / "housing.xlsx", {housing[0]: report_of("住建局六月进展")})
    data = good_housing.read_bytes()
    rng = random.Random(12)
    for n in range(40):  # sorted before the good files: a crash would leave those unread
        (folder / f"a_{n:02d}.xlsx").write_bytes(flipped(data, rng))
    fill(export(ledger, tmp_path, FINANCE, "2022-06"), folder / "z_finance.xlsx", {finance[0]: report_of("财政局六月进展")})
    (folder / "z_housing.xlsx").write_bytes(data)
    report = import_templates(ledger, folder, operator="测试")
    assert len(report.files) == 42
    refused = [f for f in report.files if not f.imported]
    assert len(refused) >= 35  # a flip in the zip's slack may leave a file intact: then it imports like the original
    for outcome in refused:
        assert_refused_in_chinese(report, outcome.file)
    assert {f.file for f in report.files if f.imported} >= {"z_finance.xlsx", "z_housing.xlsx"}
    assert [r[:4] for r in dump(ledger)[0]] == sorted(
        [(housing[0], HOUSING, "2022-06", "住建局六月进展"), (finance[0], FINANCE, "2022-06", "财政局六月进展")]
    )


def rewrite(path, target, change):
    """A copy of an xlsx with its members changed by change(name, bytes) -> bytes | None (None drops it)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            if content is not None:
                out.writestr(info.filename, content)
    return target


SHEET1 = "xl/worksheets/sheet1.xml"
MUTATIONS = {
    "half_sheet": lambda n, d: d[: len(d) // 2] if n == SHEET1 else d,
    "bad_shared_index": lambda n, d: re.sub(rb'(<c r="J6"[^>]*t=")[^"]*("[^>]*>)(?:<v>[^<]*</v>)?', rb'\1s\2<v>999999</v>', d, 1) if n == SHEET1 else d,
    "bad_number": lambda n, d: re.sub(rb"<v>(\d+)</v>", rb"<v>abc</v>", d, 1) if n == SHEET1 else d,
    "garbage_strings": lambda n, d: b"\xff\xfe<<not xml" if n == "xl/sharedStrings.xml" else d,
    "garbage_workbook": lambda n, d: b"<workbook><sheets><sheet" if n == "xl/workbook.xml" else d,
    "no_content_types": lambda n, d: None if n == "[Content_Types].xml" else d,
    "no_sheet": lambda n, d: None if n == SHEET1 else d,
    "garbage_styles": lambda n, d: b"<styleSheet><<" if n == "xl/styles.xml" else d,
    "entity": lambda n, d: d.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1) if n == SHEET1 else d,
    "bad_utf8": lambda n, d: d.replace(b"<sheetData>", b"<sheetData>\xc3\x28", 1) if n == SHEET1 else d,
}


def test_no_refusal_quotes_english_parser_text(ledger, tmp_path):
    code = housing_codes(ledger)[0]
    filled = fill(export(ledger, tmp_path, "住建局", "2022-06"), tmp_path / "filled.xlsx", {code: report_of("六月进展")})
    folder = tmp_path / "mutated"
    folder.mkdir()
    for name, change in MUTATIONS.items():
        rewrite(filled, folder / f"{name}.xlsx", change)
    data = filled.read_bytes()
    rng = random.Random(7)
    for n in range(30):
        (folder / f"flip_{n:02d}.xlsx").write_bytes(flipped(data, rng))
    before = dump(ledger)
    report = import_templates(ledger, folder, operator="测试")
    assert len(report.files) == len(MUTATIONS) + 30
    refused = [f for f in report.files if not f.imported]
    assert len(refused) >= len(MUTATIONS) - 1 + 25  # an unused DTD entity and a flip in the zip's slack leave the content intact
    for outcome in refused:
        assert_refused_in_chinese(report, outcome.file)
    # Whatever imported carried the filled row intact, and wrote it and nothing else.
    reports, _audits = dump(ledger)
    assert [r[:4] for r in reports] in ([], [(code, HOUSING, "2022-06", "六月进展")])
    if not reports:
        assert dump(ledger) == before


# --- oversized parts: refused from the file alone, before any write lock ----------------------------


def with_comment(path, target, size):
    """A filled template whose first sheet carries one comment of `size` bytes of barely compressible text."""
    noise = os.urandom(size).translate(bytes(b"ACGT"[i % 4] for i in range(256)))
    comments = (
        b'<?xml version="1.0" encoding="UTF-8"?><comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<authors><author>x</author></authors><commentList><comment ref=\"J6\" authorId=\"0\"><text><t>" + noise + b"</t></text></comment></commentList></comments>"
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rIdc1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="../comments1.xml"/>'
        b"</Relationships>"
    )

    def change(name, data):
        if name == "[Content_Types].xml":
            return data.replace(
                b"</Types>",
                b'<Override PartName="/xl/comments1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"/></Types>',
            )
        return data

    rewrite(path, target, change)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("xl/comments1.xml", comments)
        z.writestr("xl/worksheets/_rels/sheet1.xml.rels", rels)
    return target


@pytest.mark.sqlite_only  # SQLite's one-writer lock on the file (a server takes row locks, not the ledger)
def test_a_40_mb_comment_is_refused_quickly_without_holding_the_ledger(ledger, tmp_path, monkeypatch):
    code = housing_codes(ledger)[0]
    filled = fill(export(ledger, tmp_path, "住建局", "2022-06"), tmp_path / "filled.xlsx", {code: report_of("六月进展")})
    huge = with_comment(filled, tmp_path / "comment.xlsx", 40 * 1024 * 1024)
    assert huge.stat().st_size < 20 * 1024 * 1024  # under the file limit: only the part's own size gives it away

    probes = []
    reader = getattr(template_import_xlsx, "read_template", None)  # absent before the reader was split from the import

    def read_then_write_elsewhere(path):
        # While (and right after) the file is parsed, another connection must be able to write the ledger.
        try:
            return reader(path)
        finally:
            other = sqlite3.connect(ledger.path, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("INSERT INTO ledger_info(key, value) VALUES ('probe', '1')")
                other.execute("ROLLBACK")
                probes.append(path.name)
            finally:
                other.close()

    monkeypatch.setattr(template_import_xlsx, "read_template", read_then_write_elsewhere, raising=False)
    before = dump(ledger)
    started = time.perf_counter()
    report = import_templates(ledger, huge, operator="测试")
    elapsed = time.perf_counter() - started
    outcome = assert_refused_in_chinese(report, "comment.xlsx")
    assert "批注过大" in outcome.problems[0].message
    assert elapsed < 5, elapsed
    assert probes == ["comment.xlsx"] and dump(ledger) == before


def test_an_overlong_cell_is_refused_naming_its_row_and_column(ledger, tmp_path):
    codes = housing_codes(ledger)
    template = export(ledger, tmp_path, "住建局", "2022-06")
    filled = fill(template, tmp_path / "long.xlsx", {codes[0]: report_of("好"), codes[1]: report_of("长" * 5000)})
    before = dump(ledger)
    report = import_templates(ledger, filled, operator="测试")
    outcome = assert_refused_in_chinese(report, "long.xlsx")
    row = row_of(load_workbook(template)["进展报送"], codes[1])
    assert [(p.row, p.column[:1]) for p in outcome.problems] == [(row, "J")]
    assert "过长" in outcome.problems[0].message and TEXT == 10
    assert dump(ledger) == before


# --- the signing key stays in the office ledger -----------------------------------------------------


def test_a_field_packet_never_carries_the_template_signing_key(ledger, tmp_path):
    from db.models import LedgerInfo
    from db.packets import export_packet
    from db.template_import import SECRET_KEY

    export(ledger, tmp_path, "住建局", "2022-06")
    with ledger.Session() as s:
        key = s.get(LedgerInfo, SECRET_KEY).value
    assert len(key) == 64
    packet = export_packet(ledger, tmp_path / "p.duban", period="2022-06", units=[HOUSING], operator="测试")
    conn = sqlite3.connect(packet)
    try:
        values = [v for (v,) in conn.execute("SELECT value FROM ledger_info")]
    finally:
        conn.close()
    assert key not in values


def test_a_cell_in_the_sheets_last_row_is_refused_without_walking_a_million_rows(ledger, tmp_path):
    code = housing_codes(ledger)[0]
    filled = fill(export(ledger, tmp_path, "住建局", "2022-06"), tmp_path / "filled.xlsx", {code: report_of("六月进展")})
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>1</t></is></c></row></sheetData>'
    path = rewrite(filled, tmp_path / "far.xlsx", lambda n, d: d.replace(b"</sheetData>", far, 1) if n == SHEET1 else d)
    before = dump(ledger)
    started = time.perf_counter()
    report = import_templates(ledger, path, operator="测试")
    assert time.perf_counter() - started < 5
    outcome = assert_refused_in_chinese(report, "far.xlsx")
    assert "表格超过 10000 行" in outcome.problems[-1].message
    assert dump(ledger) == before


def test_task_rows_moved_or_deleted_are_refused_naming_the_rows(ledger, tmp_path):
    codes = housing_codes(ledger)
    template = export(ledger, tmp_path, "住建局", "2022-06")

    def swap_first_two(wb):
        ws = wb["进展报送"]
        for c in range(1, 14):
            a, b = ws.cell(FIRST_ROW, c), ws.cell(FIRST_ROW + 1, c)
            a.value, b.value = b.value, a.value

    def delete_first(wb):
        wb["进展报送"].delete_rows(FIRST_ROW)

    rows = {codes[0]: report_of("第一项"), codes[1]: report_of("第二项")}
    moved = fill(template, tmp_path / "moved.xlsx", rows, swap_first_two)
    deleted = fill(template, tmp_path / "deleted.xlsx", {codes[1]: report_of("第二项")}, delete_first)
    before = dump(ledger)
    report = import_templates(ledger, moved, operator="测试")
    outcome = assert_refused_in_chinese(report, "moved.xlsx")
    assert [(p.row, p.column) for p in outcome.problems] == [(FIRST_ROW, "C（任务编号）"), (FIRST_ROW + 1, "C（任务编号）")]
    assert f"这一行应为任务 {codes[0]}" in outcome.problems[0].message
    report = import_templates(ledger, deleted, operator="测试")
    outcome = assert_refused_in_chinese(report, "deleted.xlsx")
    assert outcome.problems[0].row == FIRST_ROW and f"这一行应为任务 {codes[0]}" in outcome.problems[0].message
    last = outcome.problems[-1]  # the row left where the last task was: empty, or gone
    assert last.row == FIRST_ROW + len(codes) - 1 and ("任务编号为空" in last.message or "所在的行缺失" in last.message)
    assert dump(ledger) == before


# --- the 指标 sheet, filled by a careless or hostile clerk (hypothesis) ------------------------------

IND_SHEET, IND_FIRST = "指标", 6
_TEMPLATES: dict[int, object] = {}  # one exported template per ledger, for every hypothesis example
IND_CODE, IND_ACTUAL, IND_NOTE = 2, 9, 10
IND_VALUES = [
    "25个工作日", "≤20", "98%", "0.5个工作日", "零收费", " 7 ", "", None, 0, 26, 98.5, -1, 1e308, True, "=1+1", "@SUM(A1)", "-3",
    "ZB03-02", "ZB04-01", "两行\n文字", "长" * 201, "很长的说明" * 300, "\u202e反转", "𠀀𠀁",
]


@given(
    edits=st.lists(
        st.tuples(st.integers(-1, 34), st.sampled_from([IND_CODE, 4, 7, IND_ACTUAL, IND_ACTUAL, IND_NOTE, 11]), st.sampled_from(IND_VALUES)),
        min_size=1, max_size=4,
    )
)
@settings(max_examples=30, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_a_hostile_indicator_sheet_is_refused_whole_or_imported_as_it_reads(ledger, tmp_path_factory, edits):
    """Odd values in any cell of the 指标 sheet: refused in Chinese naming file and sheet with nothing written, or imported as the sheet reads.

    One template serves every example; a value an earlier example stored and this one changes is a conflict, not written.
    """
    from exports.xlsx_io import cell_text

    if id(ledger) not in _TEMPLATES:
        _TEMPLATES[id(ledger)] = export(ledger, tmp_path_factory.mktemp("ind-template"), "住建局", "2022-06")
    template = _TEMPLATES[id(ledger)]
    folder = tmp_path_factory.mktemp("ind")
    original = load_workbook(template)[IND_SHEET]
    last = max(r for r in range(IND_FIRST, original.max_row + 1) if original.cell(r, IND_CODE).value)

    def edit(wb):
        ws = wb[IND_SHEET]
        for offset, column, value in edits:
            try:
                ws.cell(IND_FIRST + offset, column).value = value
            except ValueError:  # openpyxl will not write some control characters
                pass

    path = fill(template, folder / "ind.xlsx", {}, edit)
    seen = load_workbook(path)[IND_SHEET]
    # The table's grey cells, and anything below it (cells right of the table are not read, as on the first sheet).
    locked_changed = any(
        cell_text(seen.cell(r, c).value) != cell_text(original.cell(r, c).value)
        for r in range(1, last + 8) for c in range(1, 12) if (c < IND_ACTUAL and r >= IND_FIRST - 1) or r > last
    )
    visible = {
        seen.cell(r, IND_CODE).value: cell_text(seen.cell(r, IND_ACTUAL).value)
        for r in range(IND_FIRST, last + 1) if cell_text(seen.cell(r, IND_ACTUAL).value)
    }
    before = dump(ledger)

    report = import_templates(ledger, path, operator="测试")

    (outcome,) = report.files
    if not outcome.imported:
        for problem in outcome.problems:
            assert problem.file == "ind.xlsx" and problem.line().startswith("文件 ind.xlsx") and not english_words(problem), problem.line()
        assert any(p.sheet in (IND_SHEET, "标识") for p in outcome.problems), [p.line() for p in outcome.problems]
        assert dump(ledger) == before
        return
    assert not locked_changed, f"imported a sheet whose locked cells changed: {edits}"
    with ledger.Session() as s:
        from db.models import Indicator, IndicatorActual

        stored = dict(
            s.execute(
                select(Indicator.code, IndicatorActual.value_text)
                .join(Indicator, Indicator.id == IndicatorActual.indicator_id)
                .join(Unit, Unit.id == IndicatorActual.unit_id)
                .where(Unit.name == HOUSING, IndicatorActual.period == "2022-06")
            ).all()
        )
    conflicted = {c.message.split()[1] for c in outcome.conflicts}
    assert {code: stored.get(code) for code in visible if code not in conflicted} == {c: v for c, v in visible.items() if c not in conflicted}, edits
