"""Evidence in the window: attach files to a report (on an inspection, into the packet) and open them again."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from db.engine import Ledger
from db.errors import UserError
from db.evidence import attach_evidence, delete_evidence, evidence_data, write_for_opening
from db.ledger import task_by_id
from db.progress import list_progress

FILE_FILTER = "照片、PDF 和文档 (*.jpg *.jpeg *.png *.heic *.pdf *.doc *.docx *.xls *.xlsx *.wps *.et *.ofd *.txt);;所有文件 (*)"


def attach_interactively(parent: QWidget, ledger: Ledger, task_id: int, period: str, operator: str) -> bool:
    """Pick one of the task's reports for the period, then files; each file is stored in the ledger. True if any was."""
    with ledger.Session() as session:
        code = task_by_id(session, task_id).code
        reports = list_progress(session, task_code=code, period=period)
    if not reports:
        QMessageBox.information(parent, "附上证明材料", f"任务 {code} 在 {period} 还没有进展报送。请先录入进展，再附上证明材料。")
        return False
    units = [r.unit for r in reports]
    unit = units[0]
    if len(units) > 1:
        chooser = report_chooser(parent, code, period, units)
        if chooser.exec() != QInputDialog.DialogCode.Accepted:
            return False
        unit = chooser.textValue()
    files, _ = QFileDialog.getOpenFileNames(parent, "选择证明材料（每个不超过 20 MB）", str(Path.home()), FILE_FILTER)
    if not files:
        return False
    try:
        with ledger.Session.begin() as session:
            names = [attach_evidence(session, code, unit, period, path, operator=operator).name for path in files]
    except UserError as exc:
        QMessageBox.warning(parent, "证明材料未保存", str(exc))
        return False
    QMessageBox.information(parent, "附上证明材料", f"已为 {code} {unit} {period} 附上：{'、'.join(names)}。")
    return True


def report_chooser(parent: QWidget | None, code: str, period: str, units: list[str]) -> QInputDialog:
    """Which unit's report the files belong to, when several units reported on the task that month."""
    chooser = QInputDialog(parent)
    chooser.setWindowTitle("附上证明材料")
    chooser.setLabelText(f"任务 {code}（{period}）的哪一条报送？")
    chooser.setComboBoxItems(units)
    chooser.setComboBoxEditable(False)
    chooser.setTextValue(units[0])
    chooser.setOkButtonText("确定")
    chooser.setCancelButtonText("取消")
    return chooser


def open_evidence(parent: QWidget, ledger: Ledger, uuid: str) -> None:
    """Write the stored file to a private temporary folder and open it with the system's program."""
    try:
        with ledger.Session() as session:
            name, data = evidence_data(session, uuid)
        target = write_for_opening(name, data)
    except UserError as exc:
        QMessageBox.warning(parent, "无法打开证明材料", str(exc))
        return
    except OSError as exc:
        QMessageBox.warning(parent, "无法打开证明材料", f"无法写出临时文件：{exc.strerror or exc.__class__.__name__}。")
        return
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))


def delete_interactively(parent: QWidget, ledger: Ledger, uuid: str, operator: str) -> bool:
    """Confirm, then remove an attachment (a tombstone, so a merge carries the removal back); True if removed."""
    try:
        with ledger.Session() as session:
            name, _data = evidence_data(session, uuid)
    except UserError as exc:
        QMessageBox.warning(parent, "无法删除证明材料", str(exc))
        return False
    answer = QMessageBox.question(parent, "删除证明材料", f"删除证明材料 {name}？删除记入审计日志。")
    if answer != QMessageBox.StandardButton.Yes:
        return False
    with ledger.Session.begin() as session:
        delete_evidence(session, uuid, operator=operator)
    return True
