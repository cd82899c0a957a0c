"""The 指标 view's dialogs: a unit's actual value for a month, and the office's correction of an extracted indicator.

Each saves through its db service (report_actual, correct_indicator) on the op runner's worker, in one
transaction; a refusal leaves the dialog open with the Chinese message, and nothing is written.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger
from db.errors import UserError
from db.indicator_actuals import IndicatorStanding, report_actual
from db.indicators import IndicatorFix, IndicatorWording, correct_indicator
from db.models import Indicator, Unit
from db.periods import chinese_period
from db.vocabulary import Direction
from desktop.forms import FieldForm, SavingDialog, fact_label, text_area
from desktop.month_edit import MonthEdit
from desktop.screen import fit_to_screen

GENERAL = "general"


class ActualEntryDialog(SavingDialog):
    """填报实际值: one unit's actual value of one indicator for a month, as the unit writes it."""

    def __init__(
        self, ledger: Ledger, line: IndicatorStanding, *, period: str, operator: str,
        only_units: frozenset[int] | None = None, parent: QWidget | None = None,
    ):
        """only_units: a unit login's units (the list offers only those); a UserError if the indicator has none of them."""
        units = [(uid, name) for uid, name in zip(line.unit_ids, line.units) if only_units is None or uid in only_units]
        if not units:
            raise UserError(f"指标 {line.code} 不由本单位填报，不能为它填报实际值。" if only_units is not None else f"指标 {line.code} 没有责任单位，无法填报。")
        super().__init__("填报指标实际值", parent)
        self.ledger, self.operator, self.indicator_id, self.code = ledger, operator, line.indicator_id, line.code
        title = fact_label(f"{line.code}　附件{line.annex}　{line.name}")
        title.setStyleSheet("font-weight: bold;")
        targets = "；".join(f"{chinese_period(p)}：{t}" for p, t, _v in sorted(line.targets)) or "（原文未列阶段目标）"
        self.unit = QComboBox()
        for uid, name in units:
            self.unit.addItem(name, uid)
        self.period = MonthEdit(period)
        self.value = QLineEdit()
        self.value.setPlaceholderText("照填原样，如“25个工作日”“≤20”“96%”")
        self.note = text_area(3, "选填：口径、数据来源或未达标的原因")
        self.form = FieldForm()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.addRow("计量单位", fact_label(f"{line.measure_unit or '—'}（{line.direction}）"))
        self.form.addRow("阶段目标", fact_label(targets))
        self.form.add_field("unit", "填报单位", self.unit)
        self.form.add_field("period", "月份", self.period)
        self.form.add_field("value", "实际值", self.value)
        self.form.add_field("note", "说明", self.note)
        self.period.setMaximumWidth(max(self.period.sizeHint().width(), 160))
        self.period.message_changed.connect(lambda message: self.form.show_error("period", message))
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.value.setFocus()
        fit_to_screen(self, 0.5, 0.7, most=(620, 400))

    def save(self) -> None:
        """Queue report_actual for the form's unit, month and value (checked by the db service)."""
        if self.period.lineEdit().hasFocus():
            self.period.commit()
        if self.period.message():
            self.form.show_error("period", self.period.message())
            return
        ledger, indicator_id, unit_id = self.ledger, self.indicator_id, self.unit.currentData()
        period, value, note, operator = self.period.period(), self.value.text(), self.note.toPlainText(), self.operator

        def work(_control) -> bool:
            with ledger.Session.begin() as session:
                indicator, unit = session.get(Indicator, indicator_id), session.get(Unit, unit_id)
                if indicator is None or unit is None:
                    raise UserError("该指标或单位已不在台账中，请刷新（F5）后重试。")
                return report_actual(session, indicator, unit, period, value, note=note, operator=operator)

        self._run(work, ledger)


def _targets_text(targets: dict[str, str]) -> str:
    return "\n".join(f"{period} {text}" for period, text in sorted(targets.items()))


def parse_targets(text: str) -> dict[str, str]:
    """阶段目标 as typed, one a line: 月份, a space (or =), then the wording; a Chinese error naming a bad line."""
    targets: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        period, _sep, wording = line.replace("=", " ", 1).replace("\u3000", " ").partition(" ")
        if not wording.strip():
            raise UserError(f"阶段目标第 {number} 行“{line}”格式不正确，应为“月份 目标”，例如：2022-12 25个工作日。")
        targets[period.strip()] = wording.strip()
    return targets


class IndicatorCorrectionDialog(SavingDialog):
    """更正指标: the office fixes an extracted indicator; the plan's printed wording stays beside it and in the ledger."""

    def __init__(self, ledger: Ledger, wording: IndicatorWording, operator: str, parent: QWidget | None = None):
        super().__init__("更正指标", parent)
        self.ledger, self.operator, self.indicator_id = ledger, operator, wording.indicator_id
        values, printed = wording.values, wording.printed
        heading = f"{wording.code}　附件{wording.annex}　原文第 {wording.source_line} 行" if wording.source_line else f"{wording.code}　附件{wording.annex}"
        if wording.corrected_by is not None:
            heading += f"（已由 {wording.corrected_by or '未知操作员'} 更正过）"
        self.name = QLineEdit(values["name"])
        self.measure = QLineEdit(values["measure_unit"] or "")
        self.direction = QComboBox()
        self.direction.addItems([d.value for d in Direction])
        self.direction.setCurrentText(values["direction"])
        self.baseline = QLineEdit(values["baseline_text"] or "")
        self.frontier = QLineEdit(values["frontier_text"] or "")
        self.targets = text_area(3, "每行一个：月份 目标，例如 2022-12 25")
        self.targets.setPlainText(_targets_text(values["targets"]))
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("必填，例如：与原文第 5 页核对，目标值提取有误")
        self.form = FieldForm()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label, widget in (
            ("name", "指标名称", self.name), ("measure", "计量单位", self.measure), ("direction", "方向", self.direction),
            ("baseline", "现状", self.baseline), ("targets", "阶段目标", self.targets), ("frontier", "国内前沿", self.frontier),
            ("reason", "更正原因", self.reason),
        ):
            self.form.add_field(key, label, widget)
        self.form.addRow("操作员", fact_label(operator))
        shown = QGroupBox("印发原文")
        printed_form = QFormLayout(shown)
        for label, text in (
            ("指标名称", printed["name"]), ("计量单位", printed["measure_unit"]), ("方向", printed["direction"]),
            ("现状", printed["baseline_text"]), ("阶段目标", _targets_text(printed["targets"])), ("国内前沿", printed["frontier_text"]),
            ("原文", wording.source_text),
        ):
            printed_form.addRow(label, fact_label(text or "—"))
        self.printed_labels = shown
        left = QVBoxLayout()  # the fields keep their height; the room left goes below them
        left.addLayout(self.form)
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addSpacing(12)
        columns.addWidget(shown, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(fact_label(heading))
        layout.addLayout(columns, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.name.setFocus()
        fit_to_screen(self, 0.8, 0.8, most=(980, 560))

    def fix(self) -> IndicatorFix:
        """The form as a correction: every field given, the targets read line by line (UserError on a bad line)."""
        return IndicatorFix(
            reason=self.reason.text(), name=self.name.text(), measure_unit=self.measure.text(), direction=self.direction.currentText(),
            baseline_text=self.baseline.text(), frontier_text=self.frontier.text(), targets=parse_targets(self.targets.toPlainText()),
        )

    def save(self) -> None:
        """Queue correct_indicator (the printed values are kept by the service)."""
        try:
            fix = self.fix()
        except UserError as exc:
            self.show_error(exc.message)
            return
        ledger, indicator_id, operator = self.ledger, self.indicator_id, self.operator

        def work(_control) -> bool:
            with ledger.Session.begin() as session:
                indicator = session.get(Indicator, indicator_id)
                if indicator is None:
                    raise UserError("该指标已不在台账中，请刷新（F5）后重试。")
                return correct_indicator(session, indicator, fix, operator)

        self._run(work, ledger)

    def _saved(self, changed: bool) -> None:
        if not changed:
            self.buttons.setEnabled(True)
            self.show_error("内容与台账中的现有数据相同，没有需要更正的地方。")
            return
        super()._saved(changed)
