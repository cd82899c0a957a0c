"""A Word 任务分工表 or an office's Excel 台账 imported as a plan: tried first with --dry-run, then for real."""

import hashlib
import json

from db.ledger import list_plans, list_tasks
from tests.ledger_state import ledger_fingerprint
from tests.test_plan_tables import WORD_TASKS, _excel_ledger, _word_plan


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_dry_run_lists_the_word_tables_tasks_and_writes_nothing(run_cli, ledger, tmp_path):
    plan = _word_plan(tmp_path / "2024年优化营商环境重点任务分工表.docx")
    before = ledger_fingerprint(ledger)
    code, out, err = run_cli("import-plan", str(plan), "--dry-run", "--json")
    assert code == 0, err
    assert ledger_fingerprint(ledger) == before
    read = json.loads(out)
    assert read["year"] == 2024 and len(read["tasks"]) == len(WORD_TASKS)
    for task, (number, category, text, lead, responsible, deadline) in zip(read["tasks"], WORD_TASKS):
        assert task["section"] == category and task["text"] == text and task["deadline"] == deadline
        assert task["lead"] == lead.split("、")
        assert [n for n, role in task["units"] if role == "负责"] == responsible.split("、")
    dues = {t["deadline"]: t["due"] for t in read["tasks"]}
    assert dues["12月底前"] == "2024-12-31" and dues["6月底前"] == "2024-06-30" and dues["持续推进"] is None


def test_an_office_ledger_imports_as_a_plan_with_units_deadlines_and_sections(run_cli, ledger, tmp_path):
    sheet = _excel_ledger(tmp_path / "2024年营商环境台账.xlsx")
    code, out, err = run_cli("import-plan", str(sheet), "--keep-current")
    assert code == 0, err
    plan_id = int(out.strip())
    with ledger.Session() as s:
        assert any(p.id == plan_id and p.title == "2024年营商环境台账" for p in list_plans(s))
        tasks = {t.code: t for t in list_tasks(s, plan_id=plan_id)}
    assert sorted(tasks) == ["A01-01", "A01-02", "A01-03"]
    first = tasks["A01-01"]
    assert first.title == "高效办成一件事" and "13个事项集成办理" in first.text
    assert first.section == "一、优化政务服务" and first.source_line == 5  # the sheet's row, as the clerk sees it
    assert first.lead == ["区政务服务中心"]
    assert str(first.due) == "2024-12-31" and str(tasks["A01-03"].due) == "2024-06-30"  # 上半年
    assert "已完成8个事项" not in first.text  # the progress column is not part of the plan
    code, _, err = run_cli("import-plan", str(sheet), "--keep-current")
    assert code == 0 and "未变 3 项" in err  # importing the same table again changes nothing


def test_a_table_without_a_deadline_column_takes_the_deadline_from_the_task_text(run_cli, tmp_path):
    from docx import Document

    doc = Document()
    table = doc.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, [("序号", "工作任务", "牵头单位"),
                                       ("1", "10月底前，完成工程建设项目审批管理系统升级改造。", "区住建局"),
                                       ("2", "建立企业诉求“直通车”制度，长期坚持。", "区工商联")]):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    path = tmp_path / "2023年重点任务.docx"
    doc.save(path)
    code, out, err = run_cli("import-plan", str(path), "--dry-run", "--json")
    assert code == 0, err
    first, second = json.loads(out)["tasks"]
    assert (first["deadline"], first["due"], first["lead"]) == ("10月底前", "2023-10-31", ["区住建局"])
    assert (second["deadline"], second["due"]) == ("长期坚持", None)


def _as_old_excel(xlsx, tmp_path):
    """The same workbook saved in the old .xls format, as an office may still keep its 台账 (LibreOffice makes it)."""
    import subprocess

    out = tmp_path / "xls"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'lo').as_uri()}", "--headless", "--norestore",
                    "--convert-to", "xls", "--outdir", str(out), str(xlsx)], capture_output=True, timeout=180, check=False)
    old = out / f"{xlsx.stem}.xls"
    assert old.is_file(), "LibreOffice Calc (installed by scripts/install.sh test) made no .xls"
    return old


def test_an_old_xls_ledger_is_read_through_libreoffice(run_cli, tmp_path):
    old = _as_old_excel(_excel_ledger(tmp_path / "2024年营商环境台账.xlsx"), tmp_path)
    code, out, err = run_cli("import-plan", str(old), "--dry-run", "--json")
    assert code == 0, err
    read = json.loads(out)
    assert read["source"] == "2024年营商环境台账.xls" and [t["code"] for t in read["tasks"]] == ["A01-01", "A01-02", "A01-03"]
    assert read["tasks"][0]["lead"] == ["区政务服务中心"] and read["tasks"][2]["due"] == "2024-06-30"


def test_without_libreoffice_an_old_format_is_refused_with_what_to_do(run_cli, ledger, tmp_path, monkeypatch):
    import exports.office_convert

    monkeypatch.setattr(exports.office_convert, "libreoffice", lambda: None)
    old = tmp_path / "2024年任务分工.doc"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    before = ledger_fingerprint(ledger)
    code, _, err = run_cli("import-plan", str(old))
    assert code == 2
    assert "2024年任务分工.doc" in err and "没有安装 LibreOffice" in err and "另存为 Word（.docx）" in err
    assert ledger_fingerprint(ledger) == before
