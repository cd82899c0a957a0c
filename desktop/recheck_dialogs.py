"""回头看 in the window: a rule, a preview of the candidates and the draw (read only), then the draw and each task's re-check.

The preview asks db.recheck.preview_recheck with the seed shown, so 抽取 with the same rule and seed draws
the same tasks.  A 未通过 revokes the task's sign-off (db.recheck.record_recheck): the dialog says so first.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from db.acts import ActView, RecheckView, act_views
from db.engine import Ledger
from db.errors import UserError, known_error
from db.recheck import MAX_SEED, RecheckCandidate, RecheckPreview, RecheckRule, draw_recheck, preview_recheck, record_recheck
from db.vocabulary import RecheckOutcome
from desktop.act_dialogs import date_edit, fit_columns, rows_table
from desktop.forms import ERROR_STYLE, FieldForm, SavingDialog, fact_label, text_area
from desktop.list_model import ROW_ROLE, RowsModel
from desktop.ops import report_failure, runner
from desktop.screen import fit_to_screen

ALL = "全部"
EVERY, RECENT, RANDOM = "全部复核", "最近销号的 N 项", "随机抽取 N 项"
ITEM_COLUMNS = ("任务", "名称", "销号日期", "复核结果", "未通过原因", "复核日期")
ITEM_CHARS = (6, 0, 6.5, 5, 14, 6.5)


def fresh_seed() -> int:
    """A new seed for a random draw (shown and recorded, so the draw can be repeated)."""
    return random.SystemRandom().randrange(MAX_SEED + 1)


def _day(text: str, label: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{label}“{text[:20]}”不是日期，应写作 2022-06-01。") from None


class RecheckDrawDialog(SavingDialog):
    """回头看: which signed-off tasks to re-check (annex, unit, sign-off dates; all, the N latest or N at random), previewed, then drawn.

    Attributes:
        preview: the last preview shown (None before 预览).
        act: the 回头看 as drawn (set when saved).
    """

    def __init__(self, ledger: Ledger, plan_id: int, operator: str, *, annexes: list[int], units: list[str], parent: QWidget | None = None):
        super().__init__("回头看：抽取复核任务", parent)
        self.ledger, self.plan_id, self.operator = ledger, plan_id, operator
        self.preview: RecheckPreview | None = None
        self.act: ActView | None = None
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("抽取（Ctrl+S）")
        self.date = date_edit(dt.date.today())
        self.basis = text_area(2, "必填：开展回头看的依据，如“7月督查工作安排”")
        self.follow_up = text_area(1, "选填：复核要求")
        self.in_circular = QCheckBox("列入当月通报")
        self.annex = QComboBox()
        self.annex.addItem(ALL, None)
        for number in annexes:
            self.annex.addItem(f"附件{number}", number)
        self.unit = QComboBox()
        self.unit.addItem(ALL, None)
        for name in units:
            self.unit.addItem(name, name)
        self.unit.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit.setMinimumContentsLength(14)
        self.signed_from, self.signed_to = QLineEdit(), QLineEdit()
        for edit in (self.signed_from, self.signed_to):
            edit.setPlaceholderText("不限")
            edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("2022-06-30") + 40)
        self.mode = QComboBox()
        self.mode.addItems([EVERY, RECENT, RANDOM])
        self.size = QSpinBox()
        self.size.setRange(1, 999)
        self.size.setValue(5)
        self.size.setSuffix(" 项")
        self.seed = QSpinBox()
        self.seed.setRange(0, MAX_SEED)
        self.seed.setValue(fresh_seed())
        self.seed.setMinimumWidth(self.seed.fontMetrics().horizontalAdvance("2147483647") + 40)
        new_seed = QPushButton("换一个种子")
        new_seed.clicked.connect(lambda: self.seed.setValue(fresh_seed()))
        self.preview_button = QPushButton("预览（不保存）")
        self.preview_button.clicked.connect(self.show_preview)
        self.form = FieldForm()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.add_field("date", "回头看日期", self.date)
        self.form.add_field("basis", "依据", self.basis)
        self.form.add_field("follow_up", "复核要求", self.follow_up)
        scope = QHBoxLayout()
        for label, widget in (("附件", self.annex), ("单位", self.unit)):
            scope.addWidget(QLabel(label))
            scope.addWidget(widget)
        scope.addStretch(1)
        self.form.addRow("范围", scope)
        dates = QHBoxLayout()
        dates.addWidget(self.signed_from)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.signed_to)
        dates.addStretch(1)
        self.form.addRow("销号日期", dates)
        how = QHBoxLayout()
        how.addWidget(self.mode)
        how.addWidget(self.size)
        how.addWidget(QLabel("随机种子"))
        how.addWidget(self.seed)
        how.addWidget(new_seed)
        how.addStretch(1)
        self.form.addRow("抽取方式", how)
        self.form.addRow("", self.in_circular)
        self.summary = fact_label("按“预览”查看符合条件的已销号任务和将抽中的任务；预览不写入台账。")
        self.model = RowsModel(("抽中", "任务", "名称", "销号日期"), self._cells, self)
        self.table = rows_table(self.model)
        fit_columns(self.table, (3, 6, 0, 6.5))
        preview_bar = QHBoxLayout()
        preview_bar.addWidget(self.summary, 1)
        preview_bar.addWidget(self.preview_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addLayout(preview_bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.mode.currentIndexChanged.connect(self._on_mode_changed)
        for signal in (self.annex.currentIndexChanged, self.unit.currentIndexChanged, self.mode.currentIndexChanged,
                       self.size.valueChanged, self.seed.valueChanged, self.signed_from.textChanged, self.signed_to.textChanged,
                       self.date.dateChanged):
            signal.connect(self._on_rule_changed)
        self._on_mode_changed()
        self.basis.setFocus()
        fit_to_screen(self, 0.8, 0.85, most=(940, 640))

    def _cells(self, candidate: RecheckCandidate) -> list[str]:
        drawn = self.preview is not None and candidate in self.preview.drawn
        return ["✔" if drawn else "", candidate.task, candidate.title, candidate.signed_on.isoformat()]

    def rule(self) -> RecheckRule:
        """The form's rule (a UserError for a date that is not one; the service checks the rest)."""
        mode = self.mode.currentText()
        return RecheckRule(
            signed_from=_day(self.signed_from.text(), "销号日期起始日"), signed_to=_day(self.signed_to.text(), "销号日期截止日"),
            annex=self.annex.currentData(), unit=self.unit.currentData(),
            recent=self.size.value() if mode == RECENT else None,
            size=self.size.value() if mode == RANDOM else None, seed=self.seed.value() if mode == RANDOM else None,
        )

    def show_preview(self) -> None:
        """Read the candidates and the draw the rule would make (nothing written)."""
        try:
            rule = self.rule()
        except UserError as exc:
            self.show_error(exc.message)
            return
        self.show_error("")
        ledger, plan_id, day = self.ledger, self.plan_id, self.date.date().toPython()

        def read() -> RecheckPreview:
            with ledger.Session() as session:
                return preview_recheck(session, plan_id, rule, day)

        runner().query(read, self._show_preview, parent=self, on_failure=self._failed_preview)

    def _show_preview(self, preview: RecheckPreview) -> None:
        self.preview = preview
        self.model.set_rows(preview.candidates)
        if preview.candidates:
            drawn = "、".join(c.task for c in preview.drawn)
            self.summary.setText(f"候选 {len(preview.candidates)} 项，将抽取 {len(preview.drawn)} 项：{drawn}。（{preview.rule}）")
        else:
            self.summary.setText("没有符合条件的已销号任务（销号日期不晚于回头看日期）。")

    def _failed_preview(self, error: BaseException) -> None:
        known = known_error(error, self.ledger.label)
        if known is None:
            report_failure(self, error)
            return
        self.show_error("\n".join([known.message, *known.details]))

    def _on_mode_changed(self, *_args) -> None:
        mode = self.mode.currentText()
        self.size.setEnabled(mode != EVERY)
        self.seed.setEnabled(mode == RANDOM)

    def _on_rule_changed(self, *_args) -> None:
        """A preview of another rule is not this one's: it is cleared."""
        if self.preview is not None:
            self.preview = None
            self.model.set_rows([])
            self.summary.setText("条件已改变，请重新预览。")

    def save(self) -> None:
        """Queue draw_recheck with the form's rule and seed."""
        try:
            rule = self.rule()
        except UserError as exc:
            self.show_error(exc.message)
            return
        ledger, plan_id, operator = self.ledger, self.plan_id, self.operator
        day, basis, follow_up, in_circular = self.date.date().toPython(), self.basis.toPlainText(), self.follow_up.toPlainText(), self.in_circular.isChecked()

        def work(_control) -> ActView:
            with ledger.Session.begin() as session:
                return draw_recheck(session, plan_id, act_date=day, basis=basis, rule=rule, operator=operator, follow_up=follow_up, in_circular=in_circular)

        self._run(work, ledger)

    def _saved(self, act: ActView) -> None:
        self.act = act
        self.accept()


class FailReasonDialog(QDialog):
    """未通过: the reason, and the warning that the task's sign-off goes and the task is reopened."""

    def __init__(self, task: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("回头看：未通过")
        self.reason = text_area(3, "必填：复核发现的问题")
        self.warning = warning = fact_label(f"记为未通过后，任务 {task} 的销号将被撤销，任务重新打开办理；原销号记录和材料保留在本次回头看中。")
        warning.setStyleSheet(ERROR_STYLE)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("记为未通过并撤销销号")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"任务 {task} 未通过复核的原因："))
        layout.addWidget(self.reason)
        layout.addWidget(warning)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 0.5, 0.5, most=(560, 300))

    @classmethod
    def ask(cls, task: str, parent: QWidget | None = None) -> str | None:
        """The reason typed, or None when cancelled (an empty reason is the service's to refuse)."""
        dialog = cls(task, parent)
        return dialog.reason.toPlainText() if dialog.exec() == QDialog.DialogCode.Accepted else None


class RecheckItemsDialog(QDialog):
    """One 回头看's drawn tasks with 通过 / 未通过 for each; each result is written as it is given.

    Attributes:
        changed: whether a result was recorded here.
    """

    def __init__(
        self, ledger: Ledger, act_id: int, operator: str, *, may_write: bool = True,
        on_recorded: Callable[[], None] | None = None, parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.setWindowTitle("回头看复核")
        self.ledger, self.act_id, self.operator, self.may_write, self.on_recorded = ledger, act_id, operator, may_write, on_recorded
        self.changed = False
        self.heading = fact_label("")
        self.model = RowsModel(ITEM_COLUMNS, self._cells, self)
        self.table = rows_table(self.model)
        fit_columns(self.table, ITEM_CHARS)
        self.checked_on = date_edit(dt.date.today())
        self.pass_button, self.fail_button = QPushButton("通过"), QPushButton("未通过…")
        self.pass_button.clicked.connect(lambda: self.record(RecheckOutcome.PASSED))
        self.fail_button.clicked.connect(self._on_fail_clicked)
        self.error = fact_label("")
        self.error.setStyleSheet(ERROR_STYLE)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel("复核日期"))
        buttons.addWidget(self.checked_on)
        buttons.addWidget(self.pass_button)
        buttons.addWidget(self.fail_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.table.selectionModel().currentRowChanged.connect(lambda _c, _p: self._on_selection_changed())
        self._on_selection_changed()
        fit_to_screen(self, 0.8, 0.7, most=(960, 520))
        self.load()

    @staticmethod
    def _cells(item: RecheckView) -> list[str]:
        return [
            item.task, item.title, item.signed_on.isoformat(), item.outcome.value, item.note or "",
            item.checked_on.isoformat() if item.checked_on else "",
        ]

    def load(self) -> None:
        ledger, act_id = self.ledger, self.act_id

        def read() -> ActView:
            with ledger.Session() as session:
                return act_views(session, [act_id])[0]

        runner().query(read, self._show, parent=self)

    def _show(self, act: ActView) -> None:
        keep = self.current_item().task if self.current_item() else None
        self.heading.setText(f"{act.act_date.isoformat()} 回头看：{act.basis}\n{act.sample_rule or ''}")
        self.model.set_rows(act.rechecks)
        pending = next((r for r, item in enumerate(act.rechecks) if item.outcome is RecheckOutcome.PENDING), 0)
        row = next((r for r, item in enumerate(act.rechecks) if item.task == keep), pending)
        if act.rechecks:
            self.table.selectRow(row)
        self._on_selection_changed()

    def current_item(self) -> RecheckView | None:
        return self.table.currentIndex().data(ROW_ROLE)

    def select(self, task: str) -> None:
        self.table.selectRow(next(r for r, item in enumerate(self.model.rows) if item.task == task))

    def _on_selection_changed(self) -> None:
        item = self.current_item()
        pending = self.may_write and item is not None and item.outcome is RecheckOutcome.PENDING
        self.pass_button.setEnabled(pending)
        self.fail_button.setEnabled(pending)

    def _on_fail_clicked(self) -> None:
        item = self.current_item()
        if item is None:
            return
        reason = FailReasonDialog.ask(item.task, self)
        if reason is not None:
            self.record(RecheckOutcome.FAILED, reason)

    def record(self, outcome: RecheckOutcome, note: str | None = None) -> None:
        """Queue record_recheck for the selected task; a refusal is shown under the table."""
        item = self.current_item()
        if item is None:
            return
        ledger, act_id, task, day, operator = self.ledger, self.act_id, item.task, self.checked_on.date().toPython(), self.operator

        def work(_control) -> RecheckView:
            with ledger.Session.begin() as session:
                return record_recheck(session, act_id, task, outcome.value, checked_on=day, operator=operator, note=note)

        self.error.setText("")
        self.pass_button.setEnabled(False)
        self.fail_button.setEnabled(False)
        if not runner().run(work, self._recorded, parent=self, writes=True, on_failure=self._failed):
            self._on_selection_changed()

    def _recorded(self, _item: RecheckView) -> None:
        self.changed = True
        self.load()
        if self.on_recorded is not None:
            self.on_recorded()

    def _failed(self, error: BaseException) -> None:
        self._on_selection_changed()
        known = known_error(error, self.ledger.label)
        if known is None:
            report_failure(self, error)
            return
        self.error.setText("\n".join([known.message, *known.details]))
