"""导出 and 导入 in the window: choose what and where, run it off the GUI thread, show the outcome."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from db.doc_numbers import check_issue_date
from db.engine import Ledger
from db.errors import UserError, known_error
from db.jobs import JobControl
from desktop.decision_dialogs import date_edit
from desktop.forms import FieldForm
from desktop.month_edit import MonthEdit
from desktop.ops import report_failure, runner
from desktop.screen import FRAME_ALLOWANCE, available_geometry, fit_to_screen
from exports import actions
from exports.fonts import face_plan

ALL_UNITS = "全部单位"


class ExportKind:
    """One thing the office can export: its label, writer, and whether it goes to a file or a folder."""

    def __init__(self, label: str, writer, *, suffix: str | None, unit: str, signed: bool = False, issued: str = ""):
        self.label, self.writer, self.suffix, self.unit = label, writer, suffix, unit
        self.signed = signed  # the file records who made it (a packet names its exporter in the merge report)
        # An official document: "dated" carries a 成文日期, "numbered" also a 期号/发文字号 the clerk may set.
        self.issued = issued

    def default_name(self, period: str, unit: str | None) -> str:
        """工作台账_市住房和城乡建设局_2022-12.xlsx: what, for whom (when one unit is chosen), and for which month."""
        what = re.split(r"[（.]", self.label)[0]  # 预警清单.xlsx → 预警清单, 工作台账（单个单位）.xlsx → 工作台账
        stem = what + (f"_{_name_part(unit)}" if unit else "") + f"_{_name_part(period)}"
        return stem + (self.suffix or "")


def _name_part(text: str) -> str:
    """A unit or period as part of a file name: never a folder, no character Windows forbids."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", text).strip(" .") or "_"


EXPORT_KINDS = [
    ExportKind("工作台账（全部任务）.xlsx", actions.write_ledger, suffix=".xlsx", unit="none"),
    ExportKind("工作台账（单个单位）.xlsx", actions.write_ledger, suffix=".xlsx", unit="required"),
    ExportKind("预警清单.xlsx", actions.write_warnings, suffix=".xlsx", unit="none"),
    ExportKind("月度工作进展情况通报（PDF）", actions.write_monthly_report, suffix=".pdf", unit="none", issued="numbered"),
    ExportKind("督办通知单（PDF，每单位一份，选择文件夹）", actions.write_notices, suffix=None, unit="none", issued="dated"),
    ExportKind("单位报送模板（每单位一份，选择文件夹）", actions.write_templates, suffix=None, unit="optional"),
    ExportKind("外勤数据包（供笔记本离线填报）", actions.write_packet, suffix=".duban", unit="optional", signed=True),
]


class ExportDialog(QDialog):
    """导出: ledger workbooks, the warning list, the 通报 and 督办通知单, and the units' templates."""

    def __init__(
        self, ledger: Ledger, *, period: str, units: list[str], unit: str | None = None, folder: Path | None = None,
        operator: str | None = None, parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ledger, self.operator = ledger, operator
        self.written: list[Path] = []
        self.folder = folder or Path.home()
        self.setWindowTitle("导出")
        self.setMinimumWidth(min(560, available_geometry(parent).width() - FRAME_ALLOWANCE[0]))
        self._suggested = ""  # the file name last suggested; a target with another name is the clerk's own
        self.kind = QComboBox()
        self.kind.addItems([k.label for k in EXPORT_KINDS])
        self.period = MonthEdit(period)
        self.unit = QComboBox()
        self.unit.setEditable(True)
        self.unit.addItems([ALL_UNITS, *units])
        if unit:
            self.unit.setCurrentText(unit)
        self.target = QLineEdit()
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(self.target, 1)
        line.addWidget(browse)
        self.issued = date_edit(dt.date.today(), "yyyy年M月d日")
        self.issued.setToolTip("默认：今天；报送截止日已过的期间为该期间的报送截止日（设置中的报送截止日）")
        self.number = QSpinBox()
        self.number.setRange(0, 9999)
        self.number.setSpecialValueText("自动")
        self.number.setToolTip("自动：本期间已有编号则沿用，新期间取成文日期所在年份的下一个编号")
        self.number.setMinimumWidth(self.issued.minimumWidth())
        self.number.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.open_after = QCheckBox("完成后打开")
        self.open_after.setChecked(True)
        self.form = FieldForm()
        self.form.add_field("kind", "导出内容", self.kind)
        self.form.add_field("period", "报送期间", self.period)
        self.form.add_field("unit", "单位", self.unit)
        self.form.add_field("issued", "成文日期", self.issued)
        self.form.add_field("number", "期号/文号序号", self.number)
        self.form.add_field("target", "保存到", row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("导出")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("关闭")
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self._font_note())
        layout.addWidget(self.open_after)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.period.period_changed.connect(self._period_changed)  # the 成文日期 follows the month
        self.period.period_changed.connect(self._follow_choices)  # and so does the suggested name
        self.unit.currentTextChanged.connect(self._follow_choices)
        self._kind_changed()
        self._period_changed()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        if not getattr(self, "_fitted", False):
            self._fitted = True
            hint = self.sizeHint()
            fit_to_screen(self, 1.0, 1.0, most=(hint.width(), hint.height()))
        super().showEvent(event)

    def current_kind(self) -> ExportKind:
        return EXPORT_KINDS[self.kind.currentIndex()]

    def _period_text(self) -> str:
        """The month the field holds now, as YYYY-MM (the last valid one while typed text is not a month)."""
        return self.period.period()

    def _unit_choice(self) -> str | None:
        text = self.unit.currentText().strip()
        return None if text in ("", ALL_UNITS) else text

    def _font_note(self) -> QLabel:
        """A small line under the form, shown for PDFs: which role prints in a stand-in face on this machine."""
        self.font_note = QLabel()
        self.font_note.setWordWrap(True)
        self.font_note.setStyleSheet("color: #555; font-size: 9pt;")
        self.font_note.hide()
        self.kind.currentIndexChanged.connect(self._on_kind_font_note)
        return self.font_note

    def _on_kind_font_note(self) -> None:
        if "PDF" not in self.current_kind().label:
            self.font_note.hide()
            return
        if not self.font_note.text():
            try:
                faces, notes = face_plan()
            except UserError as exc:
                faces, notes = {}, [exc.message.split("。")[0]]
            self.font_note.setText("PDF 字体：" + ("；".join(notes) + "。" if notes else "各部分均使用规定字体。"))
            self.font_note.setToolTip("\n".join(f"{role}：{face}" for role, face in faces.items()))
        self.font_note.show()

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        self.unit.setEnabled(kind.unit != "none")
        self.issued.setEnabled(bool(kind.issued))
        self.number.setEnabled(kind.issued == "numbered")
        if kind.unit == "required" and self._unit_choice() is None and self.unit.count() > 1:
            self.unit.setCurrentIndex(1)
        self._follow_choices(new_kind=True)

    def suggested_name(self) -> str:
        """The file (or folder) name for the kind, unit and period chosen right now."""
        kind = self.current_kind()
        return kind.default_name(self._period_text(), self._unit_choice() if kind.unit != "none" else None)

    def names_itself(self) -> bool:
        """Whether 保存到 still holds the name the dialog suggested (the clerk typed or browsed to no name of their own)."""
        text = self.target.text().strip()
        return not text or Path(text).name == self._suggested

    def _follow_choices(self, *_args, new_kind: bool = False) -> None:
        """Keep the suggested name in step with kind, unit and period, in the folder 保存到 points at.

        A name the clerk typed or browsed to stays as it is while unit and period change; another kind
        of export (another suffix, a file or a folder) always starts from a suggested name.
        """
        if not (new_kind or self.names_itself()):
            return
        text = self.target.text().strip()
        folder = Path(text).parent if text else self.folder
        self._suggested = self.suggested_name()
        self.target.setText(str(folder / self._suggested))

    def _period_changed(self) -> None:
        """The 成文日期 follows the period: today, or the period's report deadline once that has passed."""
        self.issued.setDate(QDate(actions.issue_date(self.ledger, self._period_text())))

    def _browse(self) -> None:
        kind = self.current_kind()
        if kind.suffix:
            chosen, _ = QFileDialog.getSaveFileName(self, "保存到", self.target.text(), f"*{kind.suffix}")
        else:
            chosen = QFileDialog.getExistingDirectory(self, "保存到文件夹", str(self.folder))
        if chosen:
            self.target.setText(chosen)

    def export(self) -> None:
        """Check the choices, run the export in a worker with progress and 取消, then show (and open) the result."""
        kind = self.current_kind()
        problems = {}
        self.period.commit()  # a month typed but not yet confirmed with Enter counts
        period = self._period_text()
        if self.period.message():
            problems["period"] = self.period.message()
        unit = self._unit_choice() if kind.unit != "none" else None
        if kind.unit == "required" and unit is None:
            problems["unit"] = "请选择单位。"
        if not self.target.text().strip():
            problems["target"] = "请选择保存位置。"
        issued = self.issued.date().toPython()
        if kind.issued and "period" not in problems:
            try:
                check_issue_date(period, issued)
            except UserError as exc:
                problems["issued"] = exc.message
        self.form.show_errors(problems)
        if problems:
            return
        if self.names_itself():  # built from the choices as they are now, whatever signal a field sent or not
            self._follow_choices()
        target = Path(self.target.text().strip())
        options = {"period": period} | ({"unit": unit} if kind.unit != "none" else {}) | ({"operator": self.operator} if kind.signed or kind.issued else {})
        if kind.issued:
            options["date"] = issued
        if kind.issued == "numbered" and self.number.value():
            options["number"] = self.number.value()
        self.export_button.setEnabled(False)  # one export at a time; the dialog stays usable
        runner().run(
            lambda control: kind.writer(self.ledger, target, control=control, **options),
            self._exported,
            label=f"正在导出{kind.label}……",
            parent=self,
            writes=bool(kind.signed or kind.issued),  # these record the 期号/文号 issued in the ledger
            on_failure=lambda exc: self._export_failed(exc, target),
            on_cancel=self._export_cancelled,
        )

    def _exported(self, written: list[Path]) -> None:
        self.export_button.setEnabled(True)
        self.written = written
        if self.open_after.isChecked() and written:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(written[0] if len(written) == 1 else written[0].parent)))
        QMessageBox.information(self, "导出完成", f"已写出 {len(written)} 个文件：\n" + "\n".join(str(p) for p in written[:10]) + ("\n……" if len(written) > 10 else ""))

    def _export_failed(self, exc: BaseException, target: Path) -> None:
        self.export_button.setEnabled(True)
        if isinstance(exc, UserError):
            QMessageBox.warning(self, "导出失败", str(exc))
        elif isinstance(exc, OSError) and known_error(exc, target) is None:
            QMessageBox.warning(self, "导出失败", f"无法写入 {exc.filename or target}：{exc.strerror or exc}")
        else:
            report_failure(self, exc)

    def _export_cancelled(self) -> None:
        self.export_button.setEnabled(True)
        QMessageBox.information(self, "导出", "已取消，未写出文件。")


PROBLEM_COLUMNS = ("文件", "工作表", "行", "列", "问题")
SUMMARY_LINES = 6  # the import result's summary shows this many lines above the problem table, and scrolls


class ProblemTableModel(QAbstractTableModel):
    """Import problems, one per row, in the order the import found them."""

    def __init__(self, problems: list[tuple], parent=None):
        super().__init__(parent)
        self.problems = problems

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.problems)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(PROBLEM_COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return PROBLEM_COLUMNS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            value = self.problems[index.row()][index.column()]
            return "" if value is None else str(value)
        return None

    def as_text(self) -> str:
        """Tab-separated, header first: pastes into Excel/WPS as a table."""
        rows = [PROBLEM_COLUMNS, *self.problems]
        return "\n".join("\t".join("" if v is None else str(v) for v in row) for row in rows)


class ImportResultDialog(QDialog):
    """What a template import did: per-file outcome, and every problem in a table the clerk can copy."""

    def __init__(self, lines: list[str], problems: list[tuple], parent=None):
        super().__init__(parent)
        self.setWindowTitle("导入结果")
        self._fitted = False
        # One line per imported file: thirty units' templates must not push the buttons off a 768-line screen.
        text = [line for line in lines if line]
        summary = QPlainTextEdit("\n".join(text))
        summary.setReadOnly(True)
        summary.setFrameShape(QFrame.Shape.NoFrame)
        summary.viewport().setAutoFillBackground(False)
        if problems:  # the table gets the room
            shown = min(max(len(text), 1), SUMMARY_LINES)
            summary.setFixedHeight(summary.fontMetrics().lineSpacing() * shown + 2 * int(summary.document().documentMargin()) + 4)
        self.summary = summary
        self.model = ProblemTableModel(problems, self)
        table = QTableView()
        table.setModel(self.model)
        table.setWordWrap(False)  # one line a problem, elided; the whole message is its tooltip
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        for column in (1, 2, 3):  # 工作表, 行, 列: as wide as their contents
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        table.setColumnWidth(0, table.fontMetrics().horizontalAdvance("报送模板_市住房和城乡建设局_2022-12.xlsx") + 12)
        copy = QPushButton("复制问题清单")
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.model.as_text()))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary, 0 if problems else 1)
        if problems:
            layout.addWidget(QLabel(f"发现 {len(problems)} 个问题或冲突（有问题的文件整份未导入，请改正后重新导入；冲突的行未写入）："))
            layout.addWidget(table, 1)
        buttons = QHBoxLayout()
        if problems:
            buttons.addWidget(copy)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Room for the problem table: 900×520 where the screen has it, less on a small one."""
        if not self._fitted:
            self._fitted = True
            fit_to_screen(self, 0.75, 0.75, most=(900, 520))
        super().showEvent(event)


def import_templates_interactively(
    parent: QWidget, ledger: Ledger, operator: str, folder: Path | None = None, on_imported: Callable[[list], None] | None = None
) -> None:
    """Ask for filled templates, import them in a worker, show the result, then call on_imported(reports)."""
    from exports.unit_template import import_templates

    files, _ = QFileDialog.getOpenFileNames(parent, "选择填好的报送模板（可多选）", str(folder or Path.home()), "Excel 文件 (*.xlsx)")
    if files:
        run_import(parent, ledger, operator, [Path(f) for f in files], import_templates, on_imported)


def run_import(parent: QWidget, ledger: Ledger, operator: str, paths: list[Path], importer, on_imported: Callable[[list], None] | None = None) -> None:
    """Import the chosen files in the ledger worker (each its own transaction) and show one combined result.

    A file the importer refuses outright stops the run: the files before it stay imported, and the
    message names the refused one.  取消 stops between files, or inside one with nothing of it written.
    """
    done: list = []

    def work(control: JobControl) -> list:
        for number, path in enumerate(paths, start=1):
            control.step(number - 1, len(paths), f"正在导入 {path.name}（{number}/{len(paths)}）")
            done.append(importer(ledger, path, operator=operator, control=JobControl(cancelled=control.cancelled)))
        return done

    def show(reports: list) -> None:
        if reports:
            lines = [line for report in reports for line in report.lines()]
            problems = [problem for report in reports for problem in report.problems]
            problems += [(*conflict[:4], "冲突（未覆盖台账中较新的进展）：" + conflict[4]) for report in reports for conflict in report.conflicts]
            ImportResultDialog(lines, problems, parent).exec()
        if on_imported is not None and reports:
            on_imported(reports)

    def failed(exc: BaseException) -> None:
        if isinstance(exc, UserError):
            QMessageBox.warning(parent, "导入失败", str(exc))
        else:
            report_failure(parent, exc)
        show(done)

    def cancelled() -> None:
        QMessageBox.information(parent, "导入", "已取消；正在导入的文件未写入台账。")
        show(done)

    runner().run(work, show, label="正在导入报送模板……", parent=parent, writes=True, on_failure=failed, on_cancel=cancelled)
