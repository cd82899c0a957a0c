"""The bundled plan reads clean: shipped errata applied on init, the printed wording kept and shown."""

import json
import re
import sqlite3
from contextlib import closing
from dataclasses import replace

import pytest
from alembic import command
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.corrections import TaskCorrection, correct_task
from db.engine import alembic_config, open_ledger
from db.errata import ERRATA_OPERATOR, ErratumError, apply_errata, landing, load_errata, read_bundled_plan
from db.ledger import import_draft, init_from_bundled_plan, list_tasks
from db.models import AuditLog, Goal, IndicatorRow, IndicatorTable, ProgressEntry, Section, Task
from db.plan_text import read_plan_file
from db.progress import ProgressInput, add_progress, list_progress
from db.report_data import period_report
from db.task_detail import task_detail
from exports.excel_ledger import export_ledger
from exports.unit_template import export_templates
from resources import BUNDLED_PLAN

CORRECTED = {"A01-91", "A04-01.02", "A04-02.01", "A06-02", "A11-08.03", "A19-20", "A20-01"}
WRONG = ["governments", " and ", "滹", "滏", "渑浙", "完善多次资本市场", "主要信息包括：应当通过"]
# Latin words that belong in the plan: acronyms, units, road numbers, product names.
ALLOWED_LATIN = {"LPR", "VOCs", "VOCS", "AEO", "ODR", "Ukey", "CBMS", "APP", "km", "N", "T", "e", "G", "S"}
LATIN_WORD = re.compile(r"[A-Za-z]+")


def ledger_texts(session) -> list[str]:
    """Every piece of plan wording the ledger shows: tasks, goals, section headings, indicator tables."""
    texts = [t for row in session.execute(select(Task.title, Task.text)) for t in row]
    texts += list(session.scalars(select(Goal.text)))
    texts += [t or "" for row in session.execute(select(Section.heading, Section.goal_text)) for t in row]
    texts += [c for cells in session.scalars(select(IndicatorRow.cells)) for c in cells]
    texts += [h for t in session.scalars(select(IndicatorTable)) for h in [t.title, *t.header]]
    return texts


def stray_latin(text: str) -> list[str]:
    return [w for w in LATIN_WORD.findall(text) if w not in ALLOWED_LATIN]


def test_every_erratum_still_matches_the_plan_and_lands_where_the_table_says():
    text = BUNDLED_PLAN.read_text(encoding="utf-8")
    errata = load_errata()
    assert len(errata) == 11
    for erratum in errata:
        assert landing(text, BUNDLED_PLAN.name, erratum) == erratum.location, erratum.number
    draft, _ = read_bundled_plan()
    assert {t.code for t in draft.tasks if t.wording_note} == CORRECTED
    # A correction leaves no space between Chinese characters behind (“市县政府 负责”).
    lines = apply_errata(text, errata).split("\n")
    assert [e.number for e in errata if re.search(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]", lines[e.line - 1])] == []


def test_an_erratum_whose_printed_wording_is_gone_is_an_error():
    text = BUNDLED_PLAN.read_text(encoding="utf-8")
    erratum = load_errata()[0]
    with pytest.raises(ErratumError, match="第 499 行中找不到原文"):
        apply_errata(text.replace("滏浙高速", "渑淅高速"), [erratum])
    with pytest.raises(ErratumError, match="第 500 行"):
        apply_errata(text, [replace(erratum, line=500)])


def test_the_ledger_holds_no_extraction_defects(ledger):
    with ledger.Session() as s:
        texts = ledger_texts(s)
    assert len(texts) > 800
    assert [(w, t[:30]) for t in texts for w in WRONG if w in t] == []
    assert [w for t in texts for w in stray_latin(t)] == []
    # The printed plan really had them: the check above is not empty by construction.
    printed = read_plan_file(BUNDLED_PLAN)
    printed_texts = [t for task in printed.tasks for t in (task.title, task.text)]
    assert {w for t in printed_texts for w in stray_latin(t)} == {"governments", "and"}


def test_corrected_tasks_say_they_differ_from_the_printed_wording(run_cli):
    code, out, _ = run_cli("tasks", "--json")
    assert code == 0
    tasks = {t["code"]: t for t in json.loads(out)}
    assert {c for c, t in tasks.items() if t["differs_from_printed"]} == CORRECTED
    assert all(t["printed_title"] is None and t["printed_text"] is None for c, t in tasks.items() if c not in CORRECTED)
    capital = tasks["A11-08.03"]
    assert (capital["title"], capital["printed_title"]) == ("完善多层次资本市场", "完善多次资本市场")
    assert capital["text"].startswith("完善多层次资本市场。") and capital["printed_text"].startswith("完善多次资本市场。")
    power = tasks["A04-01.02"]
    assert power["printed_title"] is None and power["text"].count("市县政府") == 3
    assert "市县政府负责" in power["text"] and "协同市县政府实现" in power["text"]  # no stray space left behind
    assert power["printed_text"].count("市县 governments") == 3 and "governments" in power["wording_note"]
    assert "渑淅高速渑池至洛宁段" in tasks["A20-01"]["text"] and "滹淅高速滹池至洛宁段" in tasks["A20-01"]["printed_text"]
    assert "主要信息包括：公安部门的户籍人口基本信息" in tasks["A06-02"]["text"]
    assert all(not t["corrected"] for t in tasks.values())  # errata are not a clerk's correction


def test_the_detail_pane_shows_the_printed_wording(ledger):
    from desktop.detail_view import render_detail

    with ledger.Session() as s:
        task_id = s.scalar(select(Task.id).where(Task.code == "A11-08.03"))
        html = render_detail(task_detail(s, task_id), None)
        plain_id = s.scalar(select(Task.id).where(Task.code == "A11-08.02"))
        plain = render_detail(task_detail(s, plain_id), None)
    assert "与印发原文不同" in html and "印发原文名称：完善多次资本市场" in html and "漏了“层”字" in html
    assert "<h3>A11-08.03　附件11　3. 完善多层次资本市场</h3>" in html
    assert "与印发原文不同" not in plain


def test_init_twice_changes_nothing(ledger, run_cli):
    def state():
        with ledger.Session() as s:
            rows = s.execute(select(Task.code, Task.title, Task.text, Task.printed_title, Task.printed_text, Task.wording_note)).all()
            return sorted(rows), s.scalar(select(func.count()).select_from(AuditLog))

    before = state()
    code, out, _ = run_cli("init")
    assert code == 0 and "更新 0 项，未变 373 项" in out and "勘误" not in out
    assert state() == before


def test_a_clerks_own_correction_of_a_corrected_task_survives_reinit(ledger):
    clerk_text = "大力发展公共养老服务。编制《三门峡市“十四五”养老服务体系与康养产业发展规划》（经核对印发件更正）。"
    with ledger.Session.begin() as s:
        task = s.scalars(select(Task).where(Task.code == "A19-20")).one()
        fix = TaskCorrection(task.title, clerk_text, task.deadline_text, [(a.unit.name, a.role) for a in task.assignments], "与印发件核对")
        assert correct_task(s, task, fix, operator="李四")
    result = init_from_bundled_plan(ledger, operator="测试")
    assert result.errata_kept_clerk == ["A19-20"] and result.errata_applied == []
    with ledger.Session() as s:
        [view] = [t for t in list_tasks(s, annex=19) if t.code == "A19-20"]
    assert view.text == clerk_text and view.corrected
    # The printed wording is still the document's, not the erratum's corrected text.
    assert view.differs_from_printed and "养老服务体系 and 康养产业" in view.printed_text
    assert view.wording_note == "与印发件核对"


def test_a_clerks_correction_of_any_task_keeps_the_printed_wording(ledger):
    with ledger.Session.begin() as s:
        task = s.scalars(select(Task).where(Task.code == "A03-01")).one()
        printed = task.title
        units = [(a.unit.name, a.role) for a in task.assignments]
        correct_task(s, task, TaskCorrection(printed + "（更正）", task.text, task.deadline_text, units, "名称漏字"), operator="李四")
    with ledger.Session() as s:
        [view] = [t for t in list_tasks(s, annex=3) if t.code == "A03-01"]
        assert (view.differs_from_printed, view.printed_title, view.printed_text, view.wording_note) == (True, printed, None, "名称漏字")
    with ledger.Session.begin() as s:
        task = s.scalars(select(Task).where(Task.code == "A03-01")).one()
        correct_task(s, task, TaskCorrection(printed, task.text, task.deadline_text, units, "改回原文"), operator="李四")
    with ledger.Session() as s:
        [view] = [t for t in list_tasks(s, annex=3) if t.code == "A03-01"]
        assert (view.differs_from_printed, view.printed_title, view.wording_note) == (False, None, None)


def test_a_ledger_made_before_the_errata_gets_them_on_the_next_init_and_keeps_its_reports(tmp_path):
    ledger = open_ledger(tmp_path / "2022年台账.sqlite")
    try:
        import_draft(ledger, read_plan_file(BUNDLED_PLAN), operator="旧版")  # what init did before errata shipped
        with ledger.Session.begin() as s:
            add_progress(s, ProgressInput("A19-20", "市民政局", "2022-11", "推进中", 80, "规划已完成初稿"), operator="王五")
            add_progress(s, ProgressInput("A20-01", "市交通运输局", "2022-11", "推进中", 70, "渑淅高速已完成路基"), operator="王五")
            assert "governments" in s.scalar(select(Task.text).where(Task.code == "A04-01.02"))
        before = _progress(ledger)

        result = init_from_bundled_plan(ledger, operator="赵六")
        assert sorted(result.errata_applied) == sorted(CORRECTED)
        assert (result.tasks_added, result.tasks_updated) == (0, len(CORRECTED))
        assert _progress(ledger) == before
        with ledger.Session() as s:
            assert [w for t in ledger_texts(s) for w in WRONG if w in t] == []
            erratum_audits = s.execute(
                select(AuditLog.entity_key, AuditLog.operator, AuditLog.before, AuditLog.after).where(AuditLog.action == "task.erratum")
            ).all()
            assert {(key, op) for key, op, _b, _a in erratum_audits} == {(c, ERRATA_OPERATOR) for c in CORRECTED}
            [(_k, _o, old, new)] = [a for a in erratum_audits if a[0] == "A11-08.03"]
            assert (old["title"], new["title"], new["printed_title"]) == ("完善多次资本市场", "完善多层次资本市场", "完善多次资本市场")
            assert s.scalar(select(func.count()).where(AuditLog.action == "plan.errata")) == 1

        again = init_from_bundled_plan(ledger, operator="赵六")
        assert (again.tasks_updated, again.errata_applied) == (0, [])
        assert _progress(ledger) == before
    finally:
        ledger.close()


def _progress(ledger) -> list[tuple]:
    with ledger.Session() as s:
        return sorted((p.task, p.unit, p.period, p.percent, p.progress_text) for p in list_progress(s)), s.scalar(
            select(func.count()).select_from(ProgressEntry)
        )


def test_migration_keeps_the_printed_wording_of_earlier_clerk_corrections(tmp_path):
    path = tmp_path / "old.sqlite"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0003")
    before = {"title": "完善多次资本市场", "text": "完善多次资本市场。推动…"}
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(
            """
            INSERT INTO plan (id, title, source_name, is_current, created_at) VALUES (1, '方案', 'x.txt', 1, '2022-01-01 00:00:00');
            INSERT INTO annex (id, plan_id, number, title, topic) VALUES (1, 1, 11, '获得信贷', '获得信贷');
            INSERT INTO task (id, plan_id, annex_id, code, label, block, title, text, position, corrected_at, corrected_by)
              VALUES (1, 1, 1, 'A11-08.03', '3.', 1, '完善多层次资本市场', '完善多层次资本市场。推动…', 1, '2022-06-01 00:00:00', '李四'),
                     (2, 1, 1, 'A11-08.04', '4.', 1, '未更正', '未更正。', 2, NULL, NULL);
            """
        )
        conn.execute(
            "INSERT INTO audit_log (at, operator, action, entity, entity_key, before, after, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ("2022-06-01 00:00:00", "李四", "task.correct", "task", "A11-08.03", json.dumps(before, ensure_ascii=False), "{}", "漏字"),
        )
        conn.commit()
    ledger = open_ledger(path)
    try:
        with ledger.Session() as s:
            rows = s.execute(select(Task.code, Task.printed_title, Task.printed_text, Task.wording_note).order_by(Task.id)).all()
    finally:
        ledger.close()
    assert rows == [("A11-08.03", "完善多次资本市场", "完善多次资本市场。推动…", "漏字"), ("A11-08.04", None, None, None)]


def test_exports_print_the_corrected_wording(ledger, tmp_path):
    with ledger.Session() as s:
        report = period_report(s, "2022-12")
    workbooks = [export_ledger(report, tmp_path / "台账.xlsx")]
    workbooks += export_templates(ledger, tmp_path / "templates", period="2022-12", unit="市民政局")
    workbooks += export_templates(ledger, tmp_path / "templates", period="2022-12", unit="市金融工作局")
    cells = [
        str(c.value) for path in workbooks for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row if c.value
    ]
    text = "\n".join(cells)
    assert "养老服务体系和康养产业" in text and "完善多层次资本市场" in text and "市县政府" in text
    assert [w for w in WRONG if w in text] == []


def test_the_errata_page_lists_every_correction():
    from pathlib import Path

    page = (Path(__file__).parents[1] / "docs" / "errata.md").read_text(encoding="utf-8")
    for e in load_errata():
        row = f"| {e.number} | 附件{e.annex} | {e.location} | {e.line} | {e.printed} | {e.corrected} | {e.reason} |"
        assert row in page
    assert "docs/errata.md" in (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "(errata.md)" in (Path(__file__).parents[1] / "docs" / "guide.md").read_text(encoding="utf-8")


def test_the_window_knows_when_a_ledger_still_lacks_the_errata(tmp_path, ledger):
    from db.errata import pending_plan

    with ledger.Session() as s:
        assert pending_plan(s) is None  # the shared ledger was built with them
    old = open_ledger(tmp_path / "old.sqlite")
    try:
        import_draft(old, read_plan_file(BUNDLED_PLAN), operator="旧版")
        with old.Session() as s:
            plan = pending_plan(s)
            assert plan is not None and plan.is_current
        init_from_bundled_plan(old, make_current=plan.is_current)
        with old.Session() as s:
            assert pending_plan(s) is None
    finally:
        old.close()


@pytest.mark.gui
def test_opening_an_old_ledger_in_the_window_applies_the_errata(qtbot, tmp_path):
    from desktop.app import _initialisation_needed, _initialise

    old = open_ledger(tmp_path / "old.sqlite")
    try:
        import_draft(old, read_plan_file(BUNDLED_PLAN), operator="旧版")
        message, make_current = _initialisation_needed(old)
        assert message == "正在按内置勘误表更正方案文字……" and make_current
        _initialise(old, make_current)
        assert _initialisation_needed(old) is None
        with old.Session() as s:
            text = s.scalar(select(Task.text).where(Task.code == "A19-20"))
            operators = set(s.scalars(select(AuditLog.operator).where(AuditLog.action == "task.erratum")))
        assert "养老服务体系和康养产业" in text and operators == {ERRATA_OPERATOR}
    finally:
        old.close()
