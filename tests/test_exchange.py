"""The exports and the template round trip as a clerk runs them: the duban commands and the window's import."""

import pytest

from db.progress import list_progress
from tests.test_unit_template import PERCENT, fill, report_of


def test_template_round_trip_on_the_command_line(run_cli, ledger, tmp_path):
    code, out, err = run_cli("template", "export", str(tmp_path / "out"), "--unit", "住建局", "--period", "2022-06")
    assert code == 0 and "已写出 1 个文件" in err
    template = tmp_path / "out" / out.strip().rsplit("/", 1)[1]
    good = fill(template, tmp_path / "good.xlsx", {"A03-01": report_of("联合验收已推行")})
    bad = fill(template, tmp_path / "bad.xlsx", {"A03-01": report_of("联合验收已推行") | {PERCENT: 130}})
    code, out, _ = run_cli("template", "import", str(bad))
    assert code == 1
    assert "bad.xlsx" in out and "130" in out and "第 " in out and "行" in out
    with ledger.Session() as s:
        assert list_progress(s) == []
    code, out, _ = run_cli("template", "import", str(good))
    assert code == 0
    with ledger.Session() as s:
        [entry] = list_progress(s)
    assert (entry.task, entry.unit, entry.period, entry.percent) == ("A03-01", "市住房和城乡建设局", "2022-06", 60)


def test_export_commands_fail_with_a_chinese_message(run_cli, tmp_path):
    code, _, err = run_cli("export", "ledger", str(tmp_path / "x.xlsx"), "--period", "2022-13")
    assert code == 2 and "报送期间" in err
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run_cli("template", "export", str(blocker / "sub"), "--period", "2022-06", "--unit", "住建局")
    assert code == 2 and err.startswith("错误：")


@pytest.mark.gui
def test_window_import_shows_every_problem_in_a_copyable_table(qtbot, ledger, tmp_path, monkeypatch):
    from desktop.export_dialogs import ImportResultDialog, run_import
    from exports.unit_template import export_templates, import_templates

    (template,) = export_templates(ledger, tmp_path, period="2022-06", unit="住建局")
    good = fill(template, tmp_path / "a_good.xlsx", {"A03-01": report_of("已推行")})
    bad = fill(template, tmp_path / "b_bad.xlsx", {"A03-04": report_of("已推行", status="完成了")})
    shown = []
    monkeypatch.setattr(ImportResultDialog, "exec", lambda self: shown.append(self))
    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    imported = []
    run_import(parent, ledger, "测试", [good, bad], import_templates, imported.append)
    qtbot.waitUntil(lambda: bool(imported), timeout=15000)
    [reports] = imported
    assert [r.ok for r in reports] == [True, False]
    table = shown[0].model
    assert table.rowCount() == 1
    text = table.as_text()
    assert text.splitlines()[0] == "文件\t工作表\t行\t列\t问题"
    assert "b_bad.xlsx" in text and "完成了" in text
    with ledger.Session() as s:
        assert [e.task for e in list_progress(s)] == ["A03-01"]


@pytest.mark.gui
def test_window_export_dialog_writes_the_chosen_ledger(qtbot, ledger, tmp_path, monkeypatch):
    from openpyxl import load_workbook
    from PySide6.QtWidgets import QMessageBox

    from desktop.export_dialogs import ExportDialog

    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: told.append(args[2]))
    dialog = ExportDialog(ledger, period="2022-06", units=["市住房和城乡建设局", "市财政局"], folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.open_after.setChecked(False)
    dialog.kind.setCurrentIndex(1)  # 工作台账（单个单位）
    assert dialog.unit.currentText() == "市住房和城乡建设局"
    assert dialog.target.text().endswith("工作台账_市住房和城乡建设局_2022-06.xlsx")
    dialog.period.lineEdit().setText("2022-13")
    dialog.export()
    assert "月份 13 不存在" in dialog.form.error_text("period") and not dialog.written
    dialog.period.lineEdit().setText("2022-6")  # a month as clerks write it
    dialog.export()
    qtbot.waitUntil(lambda: bool(dialog.written), timeout=15000)
    [written] = dialog.written
    assert written.name == "工作台账_市住房和城乡建设局_2022-06.xlsx"
    assert written.exists() and "已写出 1 个文件" in told[-1]
    sheet = load_workbook(written).worksheets[0]
    assert sheet.title == "市住房和城乡建设局"


@pytest.mark.gui
def test_export_dialog_dates_the_report_for_its_period(qtbot, ledger, tmp_path, monkeypatch):
    """The 成文日期 follows the period (a past period: its report deadline); a date before the period is refused."""
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QMessageBox

    from desktop.export_dialogs import ExportDialog

    monkeypatch.setattr(QMessageBox, "information", lambda *args: None)
    dialog = ExportDialog(ledger, period="2022-12", units=[], folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(3)  # 月度工作进展情况通报
    assert dialog.issued.isEnabled() and dialog.number.isEnabled()
    assert dialog.issued.date() == QDate(2023, 1, 10)
    dialog.period.set_period("2022-06")
    assert dialog.issued.date() == QDate(2022, 7, 10)
    dialog.issued.setDate(QDate(2022, 5, 31))
    dialog.export()
    assert "早于报送期间2022年6月" in dialog.form.error_text("issued") and not dialog.written
    dialog.kind.setCurrentIndex(0)
    assert not dialog.issued.isEnabled() and not dialog.number.isEnabled()
