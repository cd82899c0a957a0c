"""综合考评方案: the office edits the plan's scheme as a table; db.assessment.save_scheme checks it and keeps a new version.

The table's values go to the service as typed (a number where one was typed, the text otherwise), so every
problem is parse_scheme's own Chinese sentence.  Months already stored keep the scheme they were scored by.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from db.assessment import Component, Scheme, current_scheme, save_scheme
from db.engine import Ledger
from db.vocabulary import ASSESSED_ACTS, ComponentKind
from desktop.forms import SavingDialog, fact_label
from desktop.screen import fit_to_screen

COLUMNS = ("考评项目", "督办事项", "权重（比率项目）", "每项分值（扣分为负）", "上限（最多加或扣）")
COL_KIND, COL_ACT, COL_WEIGHT, COL_EACH, COL_CAP = range(len(COLUMNS))
NUMBER_FIELDS = {COL_WEIGHT: "weight", COL_EACH: "each", COL_CAP: "cap"}


def _typed(text: str) -> int | float | str:
    """A number as typed (40, 2.5, −3), or the text itself for the service to refuse."""
    cleaned = text.strip().replace("−", "-").replace("＋", "+")
    try:
        value = float(cleaned)
    except ValueError:
        return text.strip()
    return int(value) if value.is_integer() else value


def _shown(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


class SchemeDialog(SavingDialog):
    """编辑考评方案: one row per component; 保存 keeps a new version for the months computed from now on.

    Attributes:
        scheme: the scheme in force when opened, and the one saved once 保存 succeeds.
    """

    def __init__(self, ledger: Ledger, plan_id: int, operator: str, parent: QWidget | None = None):
        super().__init__("综合考评方案", parent)
        self.ledger, self.plan_id, self.operator = ledger, plan_id, operator
        with ledger.Session() as session:
            self.scheme: Scheme = current_scheme(session, plan_id)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        for component in self.scheme.components:
            self.add_row(component)
        add, remove = QPushButton("添加一行"), QPushButton("删除所选行")
        add.clicked.connect(lambda: self.add_row(None))
        remove.clicked.connect(self._on_remove_clicked)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(add)
        row_buttons.addWidget(remove)
        row_buttons.addStretch(1)
        version = "默认方案（尚未保存过）" if self.scheme.version is None else self.scheme.describe()
        self.note = fact_label(
            f"现行：{version}。比率项目（按期办结率、报送及时率、指标达标率）填权重，得分 = 比率 × 权重；"
            "计数项目（逾期任务、督办事项）填每项分值，扣分为负数，可填上限。\n"
            "保存后成为新的一版，用于此后计算的月份；已保存的月份结果不变，仍按当时的方案。"
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row_buttons)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        fit_to_screen(self, 0.8, 0.8, most=(860, 520))

    def add_row(self, component: Component | None) -> int:
        """A row for a component (a blank 督办事项 row when None); returns its row number."""
        row = self.table.rowCount()
        self.table.insertRow(row)
        kind, act = QComboBox(), QComboBox()
        kind.addItems([k.value for k in ComponentKind])
        act.addItem("")
        act.addItems(list(ASSESSED_ACTS))
        kind.currentTextChanged.connect(lambda text, a=act: a.setEnabled(text == ComponentKind.ACT.value))
        kind.setCurrentText((component.kind if component else ComponentKind.ACT).value)
        act.setEnabled(kind.currentText() == ComponentKind.ACT.value)
        if component is not None and component.act:
            act.setCurrentText(component.act)
        self.table.setCellWidget(row, COL_KIND, kind)
        self.table.setCellWidget(row, COL_ACT, act)
        for column, name in NUMBER_FIELDS.items():
            self.table.setItem(row, column, QTableWidgetItem(_shown(getattr(component, name)) if component else ""))
        return row

    def set_cell(self, row: int, column: int, text: str) -> None:
        """Type into a cell (tests): a combo's text or a number field's."""
        widget = self.table.cellWidget(row, column)
        if isinstance(widget, QComboBox):
            widget.setCurrentText(text)
        else:
            self.table.item(row, column).setText(text)

    def components(self) -> list[dict]:
        """The table as the service reads a scheme: each row's kind and the values typed in it."""
        items = []
        for row in range(self.table.rowCount()):
            kind, act = self.table.cellWidget(row, COL_KIND).currentText(), self.table.cellWidget(row, COL_ACT).currentText()
            item: dict = {"kind": kind}
            if kind == ComponentKind.ACT.value or act:
                item["act"] = act
            for column, name in NUMBER_FIELDS.items():
                text = self.table.item(row, column).text()
                if text.strip():
                    item[name] = _typed(text)
            items.append(item)
        return items

    def save(self) -> None:
        """Queue save_scheme; a refusal lists parse_scheme's problems, each naming its row."""
        ledger, plan_id, operator, data = self.ledger, self.plan_id, self.operator, {"components": self.components()}

        def work(_control) -> Scheme:
            with ledger.Session.begin() as session:
                return save_scheme(session, plan_id, data, operator=operator)

        self._run(work, ledger)

    def _saved(self, scheme: Scheme) -> None:
        if scheme.version == self.scheme.version:
            self.buttons.setEnabled(True)
            self.show_error("方案与现行方案相同，没有保存新版本。")
            return
        self.scheme = scheme
        self.accept()

    def _on_remove_clicked(self) -> None:
        rows = {index.row() for index in self.table.selectedIndexes()} or ({self.table.currentRow()} - {-1})
        for row in sorted(rows, reverse=True):
            self.table.removeRow(row)
