"""设置: the office's shared settings (kept in the ledger) and this clerk's own operator name."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QSizePolicy, QSpinBox, QWidget

from db.assessment import Scheme, current_scheme
from db.engine import Ledger
from db.errors import UserError
from db.ledger import resolve_plan_id
from db.settings import OfficeSettings, load_settings, save_settings
from desktop.decision_dialogs import FormDialog, add_fact, route
from desktop.forms import fact_label
from desktop.month_edit import MonthEdit
from desktop.screen import fit_to_screen

ROUTES = {
    "办公室名称": "office_name",
    "报送期间": "current_period",
    "临期预警天数": "due_soon_days",
    "报送截止日": "report_day",
    "表扬": "praise_rate",
    "整改反馈期限": "reply_days",
    "发文机关代字": "doc_code",
    "抄送": "copy_to",
    "联系人": "contact_person",
    "联系电话": "contact_phone",
}


class SettingsDialog(FormDialog):
    """Office-wide values go to the ledger on 确定; the window keeps operator_name in QSettings."""

    def __init__(self, ledger: Ledger, operator: str, parent: QWidget | None = None):
        super().__init__("设置", 36, parent)
        self.ledger = ledger
        with ledger.Session() as session:
            self.office_settings: OfficeSettings = load_settings(session)
        self.office_name = self.form.add_field("office_name", "办公室名称", QLineEdit(self.office_settings.office_name))
        self.operator_edit = self.form.add_field("operator", "操作员姓名", QLineEdit(operator))
        self.operator_edit.setPlaceholderText("随每条录入和更改记入台账")
        # A month, not a day: typed as 2023-1, 2023年1月 or 202301, or stepped with ↑↓ across the year's end.
        self.period = self.form.add_field("current_period", "当前报送期间", MonthEdit(self.office_settings.current_period))
        self.period.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.period.setMinimumWidth(self.period.sizeHint().width() + 40)
        self.period.message_changed.connect(lambda message: self.form.show_error("current_period", message))
        self.due_soon_days = self.form.add_field("due_soon_days", "临期预警天数", QSpinBox())
        self.due_soon_days.setRange(0, 365)
        self.due_soon_days.setSuffix(" 天")
        self.due_soon_days.setValue(self.office_settings.due_soon_days)
        self.due_soon_days.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.due_soon_days.setMinimumWidth(self.period.minimumWidth())
        add_fact(self.form, "", "距时间节点不足此天数且未销号的任务标为黄色（临期）。")
        settings = self.office_settings
        self.report_day = self._spin(self.form, "report_day", "报送截止日", (1, 28), settings.report_day, prefix="每月 ", suffix=" 日前")
        documents = self.new_form()
        self.body.insertWidget(1, QLabel("<b>通报和督办通知单</b>"))
        self.body.insertLayout(2, documents)
        self.praise_rate = self._spin(documents, "praise_rate", "表扬标准", (1, 100), settings.praise_rate, prefix="按期办结率 ", suffix=" %")
        self.reply_days = self._spin(documents, "reply_days", "整改反馈期限", (1, 60), settings.reply_days, prefix="成文日期后 ", suffix=" 天")
        self.doc_code = documents.add_field("doc_code", "发文机关代字", QLineEdit(settings.doc_code))
        self.doc_code.setPlaceholderText("如 三营商办，通报显示发文字号“三营商办〔2023〕3号”；留空则显示期号“第3期”")
        self.copy_to = documents.add_field("copy_to", "抄送", QLineEdit(settings.copy_to))
        self.copy_to.setPlaceholderText("版记中的抄送机关，用顿号或逗号分隔；留空则不印抄送")
        self.contact_person = documents.add_field("contact_person", "联系人", QLineEdit(settings.contact_person))
        self.contact_phone = documents.add_field("contact_phone", "联系电话", QLineEdit(settings.contact_phone))
        self.contact_phone.setPlaceholderText("印在成文日期下一行；联系人和电话都留空则不印")
        self._add_scheme_group(ledger, operator)
        self.office_name.setFocus()
        fit_to_screen(self, 0.5, 0.0, most=(820, 720))  # as tall as its fields need, never taller than the screen

    def _add_scheme_group(self, ledger: Ledger, operator: str) -> None:
        """综合考评方案: the scheme in force in a line, edited (and saved as a new version) in its own dialog."""
        with ledger.Session() as session:
            try:
                self.plan_id: int | None = resolve_plan_id(session, None)
            except UserError:
                self.plan_id = None  # no plan yet: no scheme to edit
                return
            scheme = current_scheme(session, self.plan_id)
        self.scheme_summary = fact_label("")
        self._show_scheme(scheme)
        edit = QPushButton("编辑考评方案…")
        edit.clicked.connect(lambda: self._on_edit_scheme_clicked(operator))
        row = QHBoxLayout()
        row.addWidget(self.scheme_summary, 1)
        row.addWidget(edit)
        self.body.insertWidget(3, QLabel("<b>综合考评方案</b>"))
        self.body.insertLayout(4, row)

    def _show_scheme(self, scheme: Scheme) -> None:
        rules = "；".join(f"{c.label}{c.rule_text()}" for c in scheme.components)
        self.scheme_summary.setText(f"{scheme.describe()}：{rules}。")

    def _on_edit_scheme_clicked(self, operator: str) -> None:
        from desktop.scheme_dialog import SchemeDialog

        dialog = SchemeDialog(self.ledger, self.plan_id, self.operator_name or operator, parent=self)
        if dialog.exec() == SchemeDialog.DialogCode.Accepted:
            self._show_scheme(dialog.scheme)

    @staticmethod
    def _spin(form, key: str, label: str, limits: tuple[int, int], value: int, *, prefix: str, suffix: str) -> QSpinBox:
        box = form.add_field(key, label, QSpinBox())
        box.setRange(*limits)
        box.setPrefix(prefix)
        box.setSuffix(suffix)
        box.setValue(value)
        box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        box.setMinimumWidth(box.fontMetrics().horizontalAdvance("按期办结率 100 %") + 40)
        return box

    @property
    def operator_name(self) -> str:
        return self.operator_edit.text().strip()

    def save(self) -> dict[str, str]:
        if self.period.lineEdit().hasFocus():
            self.period.commit()  # Enter straight after typing a month takes it first
        # replace(): a setting this dialog does not show keeps its stored value.
        settings = replace(
            self.office_settings,
            office_name=self.office_name.text().strip(),
            current_period=self.period.period(),
            due_soon_days=self.due_soon_days.value(),
            report_day=self.report_day.value(),
            praise_rate=self.praise_rate.value(),
            reply_days=self.reply_days.value(),
            doc_code=self.doc_code.text().strip(),
            copy_to=self.copy_to.text().strip(),
            contact_person=self.contact_person.text().strip(),
            contact_phone=self.contact_phone.text().strip(),
        )
        problems = route(settings.check(), ROUTES, fallback="office_name")
        if not self.operator_name:
            problems["operator"] = "请填写操作员姓名：每条录入和更改都会记下操作员。"
        if self.period.message():  # the typed text is not a month: never save the old one silently
            problems["current_period"] = self.period.message()
        if problems:
            return problems
        with self.ledger.Session.begin() as session:
            save_settings(session, settings, operator=self.operator_name)
        self.office_settings = settings
        return {}
