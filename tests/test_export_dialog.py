"""The export dialog as a clerk uses it: choose what, for whom and which month, press 导出, open the file."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from db.engine import open_ledger
from db.ledger import list_tasks, list_units
from desktop.screen import FRAME_ALLOWANCE, fits_on_screen

pytestmark = pytest.mark.gui

UNIT = "市住房和城乡建设局"
CODE_COLUMN = 15  # 编码, the workbook's last column


@pytest.fixture
def demo_ledger(demo_year_file, tmp_path):
    """A private copy of the demo year (current period 2022-12)."""
    path = tmp_path / "ledger.sqlite"
    shutil.copy(demo_year_file, path)
    opened = open_ledger(path)
    yield opened
    opened.close()


def unit_names(ledger):
    with ledger.Session() as s:
        return [u.name for u in list_units(s)]


def answer_message_boxes(told: list[str]) -> QTimer:
    """Read and close each message box the dialog shows, as the clerk clicks 确定 on it."""

    def look() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            told.append(box.text())
            box.accept()

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(20)
    return timer


def kind_index(dialog, label_start):
    return next(i for i in range(dialog.kind.count()) if dialog.kind.itemText(i).startswith(label_start))


def choose_unit(qtbot, dialog, name):
    dialog.unit.setCurrentIndex(dialog.unit.findText(name))
    assert dialog.unit.currentText() == name


def type_period(qtbot, dialog, text):
    """Type a month and confirm it with Enter, which takes the month without pressing 导出."""
    dialog.period.selectAll()
    qtbot.keyClicks(dialog.period, text)
    qtbot.keyClick(dialog.period, Qt.Key.Key_Return)


def test_a_units_ledger_is_named_after_the_unit_and_month_chosen_when_exporting(qtbot, demo_ledger, tmp_path):
    """The clerk picks 工作台账（单个单位）, then 住建局 (the list offers the first unit first), then November."""
    from desktop.export_dialogs import ExportDialog

    out = tmp_path / "导出"
    out.mkdir()
    dialog = ExportDialog(demo_ledger, period="2022-12", units=unit_names(demo_ledger), folder=out)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.open_after.setChecked(False)
    dialog.kind.setCurrentIndex(kind_index(dialog, "工作台账（单个单位）"))
    first = dialog.unit.currentText()
    assert first != UNIT and dialog.target.text().endswith(f"工作台账_{first}_2022-12.xlsx")
    choose_unit(qtbot, dialog, UNIT)
    assert dialog.target.text() == str(out / f"工作台账_{UNIT}_2022-12.xlsx"), "the suggested name follows the unit"
    type_period(qtbot, dialog, "2022-11")
    assert dialog.target.text() == str(out / f"工作台账_{UNIT}_2022-11.xlsx"), "and the month, once typed"
    assert dialog.issued.date().toPython() == dt.date(2022, 12, 10), "the 成文日期 too: November's report deadline"

    told: list[str] = []
    timer = answer_message_boxes(told)
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    expected = out / f"工作台账_{UNIT}_2022-11.xlsx"
    qtbot.waitUntil(lambda: bool(told), timeout=15000)
    timer.stop()
    assert "已写出 1 个文件" in told[0] and str(expected) in told[0]
    assert dialog.written == [expected] and [p.name for p in out.iterdir()] == [expected.name]

    sheet = load_workbook(expected).worksheets[0]
    assert sheet.title == UNIT
    assert UNIT in sheet["A1"].value and "统计期间：2022年11月（截至2022年11月30日）" in sheet["A3"].value
    codes = {row[0] for row in sheet.iter_rows(min_row=5, min_col=CODE_COLUMN, max_col=CODE_COLUMN, values_only=True) if row[0]}
    with demo_ledger.Session() as s:
        mine = {t.code for t in list_tasks(s, unit=UNIT)}
    assert codes == mine and len(mine) > 20


def test_a_name_the_clerk_typed_stays_while_unit_and_month_change(qtbot, demo_ledger, tmp_path):
    from desktop.export_dialogs import ExportDialog

    dialog = ExportDialog(demo_ledger, period="2022-12", units=unit_names(demo_ledger), folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(kind_index(dialog, "工作台账（单个单位）"))
    own = str(tmp_path / "给住建局的台账.xlsx")
    dialog.target.setText(own)
    choose_unit(qtbot, dialog, UNIT)
    type_period(qtbot, dialog, "2022-10")
    assert dialog.target.text() == own, "the clerk's own name is theirs"
    dialog.kind.setCurrentIndex(kind_index(dialog, "预警清单"))
    assert dialog.target.text() == str(tmp_path / "预警清单_2022-10.xlsx"), "another kind of file starts from a suggested name"
    dialog.kind.setCurrentIndex(kind_index(dialog, "外勤数据包"))
    choose_unit(qtbot, dialog, UNIT)
    assert dialog.target.text() == str(tmp_path / f"外勤数据包_{UNIT}_2022-10.duban"), "a packet for one unit names it"


def test_a_unit_typed_with_a_slash_never_becomes_a_folder(qtbot, demo_ledger, tmp_path):
    from desktop.export_dialogs import ExportDialog

    dialog = ExportDialog(demo_ledger, period="2022-12", units=unit_names(demo_ledger), folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(kind_index(dialog, "工作台账（单个单位）"))
    dialog.unit.setEditText("../住建局")
    target = Path(dialog.target.text())
    assert target.parent == tmp_path and target.name == "工作台账__住建局_2022-12.xlsx"


def test_export_and_import_dialogs_fit_the_office_screen(qtbot, demo_ledger, tmp_path):
    """At 1366×768 (the test screen) shown whole; their smallest layout also fits 1280×720."""
    from desktop.export_dialogs import ExportDialog, ImportResultDialog

    problems = [("报送模板_市财政局_2022-12.xlsx", "任务", 5 + i, "进度", "进度“150”无效，应为 0 到 100 之间的整数。") for i in range(400)]
    for dialog in (
        ExportDialog(demo_ledger, period="2022-12", units=unit_names(demo_ledger), folder=tmp_path),
        ImportResultDialog([f"报送模板_{i:02d}.xlsx：导入 12 条" for i in range(30)], problems),  # thirty units' files
    ):
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert fits_on_screen(dialog), (type(dialog).__name__, dialog.geometry())
        smallest = dialog.minimumSizeHint()
        assert smallest.width() <= 1280 - FRAME_ALLOWANCE[0] and smallest.height() <= 720 - FRAME_ALLOWANCE[1], type(dialog).__name__
    assert dialog.summary.toPlainText().count("\n") == 29, "every file's line is there, scrolled"


def test_the_name_is_rebuilt_from_the_choices_at_the_moment_of_export(qtbot, demo_ledger, tmp_path):
    """A month typed but not yet confirmed (no Enter, focus still in the field) is what 导出 names and writes."""
    from desktop.export_dialogs import ExportDialog

    dialog = ExportDialog(demo_ledger, period="2022-12", units=unit_names(demo_ledger), folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.open_after.setChecked(False)
    dialog.kind.setCurrentIndex(kind_index(dialog, "工作台账（单个单位）"))
    choose_unit(qtbot, dialog, UNIT)
    dialog.period.lineEdit().setText("2022年10月")
    told: list[str] = []
    timer = answer_message_boxes(told)
    qtbot.mouseClick(dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(told), timeout=15000)
    timer.stop()
    assert dialog.written == [tmp_path / f"工作台账_{UNIT}_2022-10.xlsx"]
    assert "统计期间：2022年10月" in load_workbook(dialog.written[0]).worksheets[0]["A3"].value
