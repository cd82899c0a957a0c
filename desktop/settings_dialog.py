"""设置: the office's shared settings (kept in the ledger) and this clerk's own operator name."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QSizePolicy, QSpinBox, QWidget

from db.engine import Ledger
from db.periods import period_start
from db.settings import OfficeSettings, load_settings, save_settings
from desktop.decision_dialogs import FormDialog, add_fact, date_edit, route

ROUTES = {"办公室名称": "office_name", "报送期间": "current_period", "临期预警天数": "due_soon_days"}


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
        self.period = self.form.add_field(
            "current_period", "当前报送期间", date_edit(period_start(self.office_settings.current_period), "yyyy年MM月")
        )
        self.period.setDateRange(period_start("2000-01"), period_start("2100-12"))
        self.due_soon_days = self.form.add_field("due_soon_days", "临期预警天数", QSpinBox())
        self.due_soon_days.setRange(0, 365)
        self.due_soon_days.setSuffix(" 天")
        self.due_soon_days.setValue(self.office_settings.due_soon_days)
        self.due_soon_days.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.due_soon_days.setMinimumWidth(self.period.minimumWidth())
        add_fact(self.form, "", "距时间节点不足此天数且未销号的任务标为黄色（临期）。")
        self.office_name.setFocus()

    @property
    def operator_name(self) -> str:
        return self.operator_edit.text().strip()

    def save(self) -> dict[str, str]:
        day = self.period.date()
        settings = OfficeSettings(
            office_name=self.office_name.text().strip(),
            current_period=f"{day.year():04d}-{day.month():02d}",
            due_soon_days=self.due_soon_days.value(),
        )
        problems = route(settings.check(), ROUTES, fallback="office_name")
        if not self.operator_name:
            problems["operator"] = "请填写操作员姓名：每条录入和更改都会记下操作员。"
        if problems:
            return problems
        with self.ledger.Session.begin() as session:
            save_settings(session, settings, operator=self.operator_name)
        self.office_settings = settings
        return {}
