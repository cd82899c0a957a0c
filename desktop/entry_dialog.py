"""The progress entry form: one unit's report on one task for one month, with drafts that survive a crash.

Every change restarts a short timer; when it fires the form's content is written to the ledger as
a draft.  Saving the entry removes the draft in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
)
from sqlalchemy import select

from db.drafts import discard_draft, list_drafts, save_draft
from db.engine import Ledger
from db.errors import UserError
from db.models import ProgressEntry, Task
from db.periods import check_period
from db.progress import STATUSES, ProgressInput, add_progress, field_problems, reporting_units
from desktop.forms import FieldForm

DRAFT_DELAY_MS = 600
TEXT_FIELDS = ("progress_text", "problems", "next_steps")


class ProgressEntryDialog(QDialog):
    """录入进展: the form for one task; the unit list holds only the task's own units."""

    def __init__(self, ledger: Ledger, task_id: int, *, period: str, operator: str, unit: str | None = None, parent=None):
        super().__init__(parent)
        self.ledger, self.task_id, self.operator = ledger, task_id, operator
        self.setWindowTitle("录入进展")
        self.setMinimumWidth(640)
        with ledger.Session() as session:
            task = session.get(Task, task_id)
            self.task_code = task.code
            heading = f"{task.code}　附件{task.annex.number} {task.label} {task.title}"
            self.units = reporting_units(session, task_id)
        title = QLabel(heading)
        title.setWordWrap(True)
        title.setStyleSheet("font-weight: bold;")
        self.notice = QLabel()
        self.notice.setStyleSheet("color: #2b6cb0;")
        self.notice.setWordWrap(True)
        self.unit = QComboBox()
        for unit_id, name, role in self.units:
            self.unit.addItem(f"{name}（{role}）", unit_id)
        names = [name for _id, name, _role in self.units]
        if unit in names:
            self.unit.setCurrentIndex(names.index(unit))
        self.period = QLineEdit(period)
        self.period.setPlaceholderText("例如 2022-06")
        self.status = QComboBox()
        self.status.addItems(STATUSES)
        self.percent = QSpinBox()
        self.percent.setRange(0, 100)
        self.percent.setSuffix(" %")
        self.progress_text = QPlainTextEdit()
        self.problems = QPlainTextEdit()
        self.next_steps = QPlainTextEdit()
        for box in (self.progress_text, self.problems, self.next_steps):
            box.setTabChangesFocus(True)
            box.setMinimumHeight(70)
        self.reporter = QLineEdit(operator)
        self.entry_date = QDateEdit(QDate.currentDate())
        self.entry_date.setCalendarPopup(True)
        self.entry_date.setDisplayFormat("yyyy-MM-dd")
        self.form = FieldForm()
        self.form.add_field("unit", "报送单位", self.unit)
        self.form.add_field("period", "报送期间", self.period)
        self.form.add_field("status", "完成状态", self.status)
        self.form.add_field("percent", "进度", self.percent)
        self.form.add_field("progress_text", "进展情况", self.progress_text)
        self.form.add_field("problems", "存在问题", self.problems)
        self.form.add_field("next_steps", "下步计划", self.next_steps)
        self.form.add_field("reporter", "填报人", self.reporter)
        self.form.add_field("entry_date", "填报日期", self.entry_date)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存（Ctrl+S）")
        buttons.button(QDialogButtonBox.StandardButton.Save).setShortcut("Ctrl+S")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("关闭（保留草稿）")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.notice)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._key: tuple[int, str] | None = None
        self._loading = False
        self._dirty = False
        self._load_slot()
        self.unit.currentIndexChanged.connect(self._switch_slot)
        self.period.editingFinished.connect(self._switch_slot)
        for signal in (
            self.status.currentIndexChanged,
            self.percent.valueChanged,
            self.progress_text.textChanged,
            self.problems.textChanged,
            self.next_steps.textChanged,
            self.reporter.textChanged,
            self.entry_date.dateChanged,
        ):
            signal.connect(self._changed)

    def _slot(self) -> tuple[int, str] | None:
        """The (unit id, period) the form is about, or None while the period is not a valid month."""
        try:
            return self.unit.currentData(), check_period(self.period.text())
        except UserError:
            return None

    def entry(self) -> ProgressInput:
        unit_name = next(name for uid, name, _r in self.units if uid == self.unit.currentData())
        return ProgressInput(
            task_code=self.task_code,
            unit=unit_name,
            period=self.period.text().strip(),
            status=self.status.currentText(),
            percent=self.percent.value(),
            progress_text=self.progress_text.toPlainText(),
            problems=self.problems.toPlainText(),
            next_steps=self.next_steps.toPlainText(),
            reporter=self.reporter.text(),
            entry_date=self.entry_date.date().toPython(),
        )

    def _fields(self) -> dict:
        entry = self.entry()
        return {
            "status": entry.status,
            "percent": entry.percent,
            "progress_text": entry.progress_text,
            "problems": entry.problems,
            "next_steps": entry.next_steps,
            "reporter": entry.reporter,
            "entry_date": entry.entry_date.isoformat(),
        }

    def _fill(self, values: dict) -> None:
        self._loading = True
        self.status.setCurrentText(values.get("status") or STATUSES[1])
        self.percent.setValue(int(values.get("percent") or 0))
        for name in TEXT_FIELDS:
            getattr(self, name).setPlainText(values.get(name) or "")
        self.reporter.setText(values.get("reporter") or self.operator)
        if values.get("entry_date"):
            self.entry_date.setDate(QDate.fromString(values["entry_date"], "yyyy-MM-dd"))
        self._loading = False

    def _load_slot(self) -> None:
        """Show the draft for this unit and month if there is one, else the saved report, else a blank form."""
        self._key = self._slot()
        self._dirty = False
        if self._key is None:
            return
        unit_id, period = self._key
        with self.ledger.Session() as session:
            drafts = [d for d in list_drafts(session, self.task_id) if d.unit_id == unit_id and d.period == period]
            saved = session.scalar(
                select(ProgressEntry).where(
                    ProgressEntry.task_id == self.task_id, ProgressEntry.unit_id == unit_id, ProgressEntry.period == period, ProgressEntry.deleted_at.is_(None)
                )
            )
        if drafts:
            self._fill(drafts[0].fields)
            when = drafts[0].saved_at.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%m-%d %H:%M")
            self.notice.setText(f"已恢复 {when} 自动保存的草稿（尚未保存为正式进展）。")
        elif saved is not None:
            self._fill({c: getattr(saved, c) for c in ("status", "percent", *TEXT_FIELDS, "reporter")} | {"entry_date": saved.entry_date.isoformat()})
            self.notice.setText(f"正在修改已报送的进展（第 {saved.version} 版）；保存后原内容留在审计日志中。")
        else:
            self._fill({})
            self.notice.setText("")

    def _switch_slot(self) -> None:
        """Another unit or month: keep what was typed as a draft, then load the other one."""
        if self._slot() == self._key:
            return
        if self._dirty and self._key is not None:
            self._write_draft(self._key)
        self._load_slot()

    def _changed(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self._draft_timer.start()

    def save_draft(self) -> None:
        if self._dirty and self._key is not None:
            self._write_draft(self._key)

    def _write_draft(self, key: tuple[int, str]) -> None:
        unit_id, period = key
        with self.ledger.Session.begin() as session:
            save_draft(session, self.task_id, unit_id, period, self._fields(), operator=self.operator)

    def save(self) -> None:
        """Validate, then store the report and drop its draft in one transaction."""
        entry = self.entry()
        problems = field_problems(entry)
        if problems:
            self.form.show_errors(problems)
            return
        try:
            with self.ledger.Session.begin() as session:
                add_progress(session, entry, operator=self.operator)
                discard_draft(session, self.task_id, *self._key)
        except UserError as exc:
            self.form.show_errors({"progress_text": "；".join([exc.message, *exc.details])})
            return
        self._dirty = False
        self._draft_timer.stop()
        self.accept()

    def reject(self) -> None:
        """Closing keeps what was typed as a draft rather than throwing it away."""
        self.save_draft()
        self._draft_timer.stop()
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.save_draft()
        super().closeEvent(event)
