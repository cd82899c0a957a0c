"""Field packets in the window: merge one back, and settle conflicts with both versions side by side."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger
from db.errors import UserError
from db.progress import MINE, STATUSES, THEIRS
from desktop.forms import PercentEdit
from desktop.ops import report_failure, runner
from desktop.screen import fit_to_screen

FIELDS = (
    ("status", "完成状态"),
    ("percent", "进度"),
    ("progress_text", "进展情况"),
    ("problems", "存在问题"),
    ("next_steps", "下步计划"),
    ("reporter", "填报人"),
    ("entry_date", "填报日期"),
    ("deleted", "已删除"),
)
# The merge result's lines shown in the box itself; a longer report lists the rest behind 显示详细信息.
MERGE_LINES_SHOWN = 12
EDITABLE = ("status", "percent", "progress_text", "problems", "next_steps")


def merge_packet_interactively(
    parent: QWidget, ledger: Ledger, operator: str, folder: Path | None = None, on_merged: Callable[[], None] | None = None
) -> None:
    """Ask for a returned packet, merge it in the ledger worker, show the report; on_merged() once anything changed."""
    from db.packets import DeletionsNeedConfirmation, merge_packet

    chosen, _ = QFileDialog.getOpenFileName(parent, "选择带回的外勤数据包", str(folder or Path.home()), "外勤数据包 (*.duban *.sqlite);;所有文件 (*)")
    if not chosen:
        return

    def merge(allow_deletes: bool) -> None:
        runner().run(
            lambda control: merge_packet(ledger, Path(chosen), operator=operator, control=control, allow_deletes=allow_deletes),
            merged,
            label="正在合并外勤数据包……",
            parent=parent,
            writes=True,
            on_failure=failed,
            on_cancel=lambda: QMessageBox.information(parent, "合并", "已取消，台账未改动。"),
        )

    def failed(exc: BaseException) -> None:
        if isinstance(exc, DeletionsNeedConfirmation):  # worked out in full, nothing written: the clerk decides, then it runs again
            if confirm_deletions(parent, exc):
                merge(True)
        elif isinstance(exc, UserError):
            QMessageBox.warning(parent, "数据包未合并", str(exc))
        else:
            report_failure(parent, exc)

    def merged(report) -> None:
        if on_merged is not None:
            on_merged()
        shown, save = merge_result_box(parent, report)
        shown.exec()
        if shown.clickedButton() is save:
            save_merge_report(parent, ledger, report, operator, Path(chosen).with_suffix(".合并报告.pdf"))
        if report.conflicts:
            ConflictDialog(ledger, operator, parent).exec()

    merge(False)


def merge_result_box(parent: QWidget | None, report) -> tuple[QMessageBox, QPushButton]:
    """合并结果 and its 保存合并报告 button; a long list of conflicts or refusals goes behind 显示详细信息.

    A message box grows with its text, so a packet with a hundred conflicts would push 确定 off a
    1366×768 screen; the box shows the first lines and the whole list in its details.
    """
    lines = report.lines()
    text = "\n".join(lines[:MERGE_LINES_SHOWN])
    if len(lines) > MERGE_LINES_SHOWN:
        text += f"\n……（共 {len(lines)} 行，完整清单见“显示详细信息”，也可保存合并报告）"
    box = QMessageBox(QMessageBox.Icon.Information, "合并结果", text, QMessageBox.StandardButton.Ok, parent)
    if len(lines) > MERGE_LINES_SHOWN:
        box.setDetailedText("\n".join(lines))
    save = box.addButton("保存合并报告（PDF）…", QMessageBox.ButtonRole.ActionRole)
    return box, save


def deletions_box(parent: QWidget | None, refusal: UserError) -> tuple[QMessageBox, QPushButton]:
    """The question before a packet deletes office reports (listed in the details), and its 删除并合并 button."""
    box = QMessageBox(QMessageBox.Icon.Warning, "数据包会删除进展", refusal.message.split("（见下）")[0] + "。", QMessageBox.StandardButton.NoButton, parent)
    box.setDetailedText("\n".join(refusal.details))
    confirm = box.addButton("删除并合并", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("不合并", QMessageBox.ButtonRole.RejectRole)
    return box, confirm


def confirm_deletions(parent: QWidget, refusal: UserError) -> bool:
    """Show which office reports the packet would delete; True only if the clerk chooses 删除并合并."""
    box, confirm = deletions_box(parent, refusal)
    box.exec()
    return box.clickedButton() is confirm


def save_merge_report(parent: QWidget, ledger: Ledger, report, operator: str, suggested: Path) -> None:
    """Ask where, then write the printable merge report in a worker."""
    from exports.merge_report import write_merge_report

    target, _ = QFileDialog.getSaveFileName(parent, "保存合并报告", str(suggested), "PDF 文件 (*.pdf)")
    if not target:
        return

    def failed(exc: BaseException) -> None:
        if isinstance(exc, UserError):
            QMessageBox.warning(parent, "合并报告未保存", str(exc))
        else:
            report_failure(parent, exc)

    runner().run(
        lambda control: write_merge_report(ledger, report, Path(target), operator=operator),
        lambda _path: None,
        label="正在生成合并报告……",
        parent=parent,
        on_failure=failed,
    )


class ConflictModel(QAbstractTableModel):
    """Pending conflicts, one per row: which report, and who changed it on each side."""

    HEADERS = ("任务", "单位", "期间", "台账中的进度", "数据包中的进度")

    def __init__(self, conflicts: list, parent=None):
        super().__init__(parent)
        self.conflicts = conflicts

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.conflicts)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        c = self.conflicts[index.row()]
        return (c.task_code, c.unit, c.period, _summary(c.ledger_values), _summary(c.packet_values))[index.column()]


def _summary(values: dict) -> str:
    if values.get("deleted"):
        return "（已删除）"
    return f"{values.get('status', '')} {values.get('percent', '')}%"


def _side(title: str, values: dict) -> QGroupBox:
    box = QGroupBox(title)
    form = QFormLayout(box)
    for key, label in FIELDS:
        if key in values:
            text = QLabel("是" if key == "deleted" and values[key] else "否" if key == "deleted" else str(values[key] if values[key] is not None else ""))
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, text)
    return box


class ConflictDialog(QDialog):
    """待处理冲突: the office's and the field's version side by side; take one, or combine them and save."""

    def __init__(self, ledger: Ledger, operator: str, parent=None):
        super().__init__(parent)
        self.ledger, self.operator = ledger, operator
        self.setWindowTitle("合并冲突")
        self.table = QTableView()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.sides = QWidget()
        self.sides_layout = QHBoxLayout(self.sides)
        self.combined = QGroupBox("合并后的内容（可编辑）")
        form = QFormLayout(self.combined)
        self.status = QComboBox()
        self.status.addItems(STATUSES)
        self.percent = PercentEdit()  # 150 is refused by resolve_conflict with a message, never clipped to 15
        self.texts = {key: QPlainTextEdit() for key in ("progress_text", "problems", "next_steps")}
        form.addRow("完成状态", self.status)
        form.addRow("进度", self.percent)
        for key, label in FIELDS:
            if key in self.texts:
                self.texts[key].setMaximumHeight(90)
                form.addRow(label, self.texts[key])
        take_ledger = QPushButton("采用台账中的版本")
        take_packet = QPushButton("采用数据包中的版本")
        take_combined = QPushButton("保存合并后的内容")
        take_ledger.clicked.connect(lambda: self.resolve("ledger"))
        take_packet.clicked.connect(lambda: self.resolve("packet"))
        take_combined.clicked.connect(lambda: self.resolve(self.combined_values()))
        buttons = QHBoxLayout()
        for button in (take_ledger, take_packet, take_combined):
            buttons.addWidget(button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭（冲突保持待处理）")
        close.rejected.connect(self.reject)
        # The two versions and the combined one side by side, scrolling if long texts need it, so the
        # buttons below stay on a 1366×768 (or 1280×720) screen whatever the reports say.
        lower = QWidget()
        row = QHBoxLayout(lower)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.sides, 2)
        row.addWidget(self.combined, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(lower)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(scroll)
        split.setStretchFactor(1, 3)
        split.setSizes([140, 480])
        layout = QVBoxLayout(self)
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        layout.addWidget(split, 1)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.load()
        fit_to_screen(self, 0.85, 0.92, most=(1100, 760))

    def load(self) -> None:
        from db.packets import pending_conflicts

        with self.ledger.Session() as session:
            conflicts = pending_conflicts(session)
        self.model = ConflictModel(conflicts, self)
        self.table.setModel(self.model)
        self.table.resizeColumnsToContents()
        self.table.selectionModel().currentRowChanged.connect(lambda current, _previous: self.show_conflict(current.row()))
        self.heading.setText(
            f"待处理冲突 {len(conflicts)} 项：同一条进展在两处都被修改过（办公室和外勤数据包，或两位操作员同时保存），"
            "两个版本均已保留，请逐项决定。"
        )
        if conflicts:
            self.table.selectRow(0)
            self.show_conflict(0)

    def current(self):
        row = self.table.currentIndex().row()
        return self.model.conflicts[row] if 0 <= row < len(self.model.conflicts) else None

    def show_conflict(self, row: int) -> None:
        if not 0 <= row < len(self.model.conflicts):
            return
        conflict = self.model.conflicts[row]
        while self.sides_layout.count():
            old = self.sides_layout.takeAt(0).widget()
            old.hide()  # deleteLater waits for the event loop; until then it would still paint over the new sides
            old.deleteLater()
        if conflict.packet_values.get("source") == "save":  # a save refused because the report moved on (db.progress.keep_mine)
            by = conflict.packet_values.get("by") or "另一位操作员"
            titles = ("台账中的版本（已保存）", f"未保存的版本（{by}，在第 {conflict.packet_values.get('based_on', '?')} 版上修改）")
        else:
            titles = ("台账中的版本（办公室）", "数据包中的版本（外勤）")
        self.sides_layout.addWidget(_side(titles[0], conflict.ledger_values))
        self.sides_layout.addWidget(_side(titles[1], conflict.packet_values))
        start = conflict.packet_values if not conflict.packet_values.get("deleted") else conflict.ledger_values
        self.status.setCurrentText(start.get("status") or STATUSES[1])
        self.percent.setValue(int(start.get("percent") or 0))
        for key, box in self.texts.items():
            box.setPlainText(start.get(key) or "")

    def combined_values(self) -> dict:
        values = {"status": self.status.currentText(), "percent": self.percent.value()}
        return values | {key: box.toPlainText() for key, box in self.texts.items()}

    def resolve(self, choice) -> None:
        from db.packets import resolve_conflict

        conflict = self.current()
        if conflict is None:
            return
        try:
            with self.ledger.Session.begin() as session:
                resolve_conflict(session, conflict.id, choice=choice, operator=self.operator)
        except UserError as exc:
            QMessageBox.warning(self, "未能处理冲突", str(exc))
            return
        self.load()


class ReportChangedDialog(QDialog):
    """该进展已被修改: the version saved meanwhile beside the clerk's own, to keep one of them.

    Closing it leaves the clerk's version as a pending conflict (处理合并冲突), so nothing is lost.
    """

    def __init__(self, changed, parent=None):
        super().__init__(parent)
        self.setWindowTitle("该进展已被他人修改")
        self.choice: str | None = None
        heading = QLabel(changed.message)
        heading.setWordWrap(True)
        sides = QWidget()
        row = QHBoxLayout(sides)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(_side(f"已保存的版本（{changed.by or '另一位操作员'}，第 {changed.current} 版）", changed.theirs))
        row.addWidget(_side(f"我的版本（在第 {changed.expected} 版上修改）" if changed.expected else "我的版本", changed.mine))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(sides)
        buttons = QDialogButtonBox()
        self.keep_mine = buttons.addButton("保留我的版本", QDialogButtonBox.ButtonRole.AcceptRole)
        self.take_theirs = buttons.addButton("采用已保存的版本", QDialogButtonBox.ButtonRole.DestructiveRole)
        later = buttons.addButton("稍后处理（冲突保持待处理）", QDialogButtonBox.ButtonRole.RejectRole)
        self.keep_mine.clicked.connect(lambda: self._choose(MINE))
        self.take_theirs.clicked.connect(lambda: self._choose(THEIRS))
        later.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 0.7, 0.8, most=(960, 640))

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()

    @classmethod
    def ask(cls, changed, parent=None) -> str | None:
        """MINE, THEIRS (db.progress), or None when the clerk leaves it for later."""
        dialog = cls(changed, parent)
        dialog.exec()
        return dialog.choice
