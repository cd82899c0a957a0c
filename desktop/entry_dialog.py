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
    QVBoxLayout,
)

from db.drafts import save_draft
from db.engine import Ledger
from db.errors import UserError
from db.progress import STATUSES, THEIRS, ProgressInput, ReportChanged, entry_slot, entry_task, field_problems, settle_changed, store_entry
from desktop.forms import FieldForm, PercentEdit
from desktop.month_edit import MonthEdit
from desktop.screen import fit_to_screen

DRAFT_DELAY_MS = 600
TEXT_FIELDS = ("progress_text", "problems", "next_steps")
# Problems shown while typing, before 保存: the ones a clerk can cause in a single field.
LIVE_FIELDS = ("percent",)


class ProgressEntryDialog(QDialog):
    """录入进展: the form for one task; the unit list holds only the task's own units."""

    def __init__(
        self, ledger: Ledger, task_id: int, *, period: str, operator: str, unit: str | None = None,
        only_units: frozenset[int] | None = None, parent=None,
    ):
        """only_units: a unit login's units (the list offers only those); a UserError if the task has none of them."""
        with ledger.Session() as session:
            task = entry_task(session, task_id)
        units = [u for u in task.units if only_units is None or u.unit_id in only_units]
        if not units and only_units is not None:
            raise UserError(f"任务 {task.code} 不由本单位报送，不能为它录入进展。")
        super().__init__(parent)
        self.ledger, self.task_id, self.operator = ledger, task_id, operator
        self.setWindowTitle("录入进展")
        self.task_code = task.code
        self.units = units
        title = QLabel(f"{task.code}　附件{task.annex} {task.label} {task.title}")
        title.setWordWrap(True)
        title.setStyleSheet("font-weight: bold;")
        self.notice = QLabel()
        self.notice.setStyleSheet("color: #2b6cb0;")
        self.notice.setWordWrap(True)
        self.unit = QComboBox()
        for reporting in self.units:
            self.unit.addItem(f"{reporting.name}（{reporting.role}）", reporting.unit_id)
        names = [reporting.name for reporting in self.units]
        if unit in names:
            self.unit.setCurrentIndex(names.index(unit))
        self.period = MonthEdit(period)
        self.status = QComboBox()
        self.status.addItems(STATUSES)
        self.percent = PercentEdit()
        self.progress_text = QPlainTextEdit()
        self.problems = QPlainTextEdit()
        self.next_steps = QPlainTextEdit()
        for box in (self.progress_text, self.problems, self.next_steps):
            box.setTabChangesFocus(True)
            box.setMinimumHeight(56)
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
        for small in (self.period, self.status, self.percent, self.entry_date):
            small.setMaximumWidth(max(small.sizeHint().width(), 160))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存（Ctrl+S）")
        buttons.button(QDialogButtonBox.StandardButton.Save).setShortcut("Ctrl+S")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("关闭（保留草稿）")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.notice)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self._draft_timer = QTimer(self, singleShot=True, interval=DRAFT_DELAY_MS)
        self._draft_timer.timeout.connect(self.save_draft)
        self._key: tuple[int, str] | None = None
        self._version = 0  # the version of the saved report the form started from (0: none)
        self._loading = False
        self._dirty = False
        self._load_slot()
        self.unit.currentIndexChanged.connect(self._switch_slot)
        self.period.period_changed.connect(self._switch_slot)
        self.period.message_changed.connect(lambda message: self.form.show_error("period", message))
        for signal in (
            self.status.currentIndexChanged,
            self.percent.text_changed,
            self.progress_text.textChanged,
            self.problems.textChanged,
            self.next_steps.textChanged,
            self.reporter.textChanged,
            self.entry_date.dateChanged,
        ):
            signal.connect(self._changed)
        self.status.currentIndexChanged.connect(self._check_live)
        self.percent.text_changed.connect(self._check_live)
        fit_to_screen(self, 0.5, 0.9, most=(760, 700))

    def _slot(self) -> tuple[int, str]:
        """The (unit id, period) the form is about (the month field keeps its last valid month)."""
        return self.unit.currentData(), self.period.period()

    def entry(self) -> ProgressInput:
        unit_name = next(u.name for u in self.units if u.unit_id == self.unit.currentData())
        return ProgressInput(
            task_code=self.task_code,
            unit=unit_name,
            period=self.period.period(),
            status=self.status.currentText(),
            percent=self.percent.value(),
            progress_text=self.progress_text.toPlainText(),
            problems=self.problems.toPlainText(),
            next_steps=self.next_steps.toPlainText(),
            reporter=self.reporter.text(),
            entry_date=self.entry_date.date().toPython(),
            version=self._version,
        )

    def _fields(self) -> dict:
        entry = self.entry()
        return {
            "version": entry.version,  # the saved version the draft was typed over, checked when it is saved
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
        percent = values.get("percent")
        self.percent.setValue(0 if percent is None else percent)  # a draft keeps 进度 as typed, even "150"
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
        unit_id, period = self._key
        with self.ledger.Session() as session:
            slot = entry_slot(session, self.task_id, unit_id, period)
        self._version = slot.saved_version or 0
        if slot.draft is not None and isinstance(slot.draft.get("version"), int):
            self._version = slot.draft["version"]  # the draft was typed over that version, whatever was saved since
        if slot.draft is not None:
            self._fill(slot.draft)
            when = slot.draft_saved_at.replace(tzinfo=dt.timezone.utc).astimezone().strftime("%m-%d %H:%M")
            self.notice.setText(f"已恢复 {when} 自动保存的草稿（尚未保存为正式进展）。")
        elif slot.saved is not None:
            saved = slot.saved
            self._fill({c: getattr(saved, c) for c in ("status", "percent", *TEXT_FIELDS, "reporter")} | {"entry_date": saved.entry_date.isoformat()})
            self.notice.setText(f"正在修改已报送的进展（第 {slot.saved_version} 版）；保存后原内容留在审计日志中。")
        else:
            self._fill({})
            self.notice.setText("")
        self._check_live()

    def _switch_slot(self) -> None:
        """Another unit or month: keep what was typed as a draft, then load the other one."""
        if self._slot() == self._key:
            return
        if self._dirty:
            self._write_draft(self._key)
        self._load_slot()

    def _changed(self) -> None:
        if self._loading:
            return
        self._dirty = True
        self._draft_timer.start()

    def save_draft(self) -> None:
        if self._dirty:
            self._write_draft(self._key)

    def _write_draft(self, key: tuple[int, str]) -> None:
        unit_id, period = key
        with self.ledger.Session.begin() as session:
            save_draft(session, self.task_id, unit_id, period, self._fields(), operator=self.operator)

    def _check_live(self) -> None:
        """Say at once what is wrong with 进度 (150, or 15% while 未启动), under the field, before 保存."""
        if self._loading:
            return
        problems = field_problems(self.entry())
        for key in LIVE_FIELDS:
            self.form.show_error(key, problems.get(key, ""))

    def save(self) -> None:
        """Validate, then store the report and drop its draft in one transaction."""
        if self.period.lineEdit().hasFocus():
            self.period.commit()  # Ctrl+S straight after typing a month takes it first
        entry = self.entry()
        problems = field_problems(entry)
        if self.period.message():
            problems["period"] = self.period.message()
        if problems:
            self.form.show_errors(problems)
            return
        unit_id, _period = self._key
        try:
            store_entry(self.ledger, entry, task_id=self.task_id, unit_id=unit_id, operator=self.operator)
        except ReportChanged as changed:  # someone saved this report since the form loaded it; the clerk's version is kept
            self._settle(changed)
            return
        except UserError as exc:
            self.form.show_errors({"progress_text": "；".join([exc.message, *exc.details])})
            return
        self._dirty = False
        self._draft_timer.stop()
        self.accept()

    def _settle(self, changed: ReportChanged) -> None:
        """Both versions side by side: keep mine (saved over theirs), take theirs (shown in the form), or leave it pending."""
        from desktop.merge_dialogs import ReportChangedDialog

        self._draft_timer.stop()
        self.save_draft()
        choice = ReportChangedDialog.ask(changed, self)
        if choice is None:
            self.notice.setText(changed.message)
            return
        try:
            with self.ledger.Session.begin() as session:
                settle_changed(session, changed, choice, operator=self.operator)
        except UserError as exc:
            self.form.show_errors({"progress_text": "；".join([exc.message, *exc.details])})
            return
        if choice == THEIRS:
            self._load_slot()
            self.notice.setText(f"已采用 {changed.by or '另一位操作员'} 保存的版本（第 {changed.current} 版），您的修改已放弃。")
            return
        self._dirty = False
        self.accept()

    def reject(self) -> None:
        """Closing keeps what was typed as a draft rather than throwing it away."""
        self.save_draft()
        self._draft_timer.stop()
        super().reject()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.save_draft()
        super().closeEvent(event)
