"""台账 → 导入新计划…: a plan file read on the worker, checked in a preview beside its source, imported all at once.

The preview shows the tasks as a tree (附件 → 分组 → 任务) next to the source text, flags every doubt, lets the
clerk edit, merge or split tasks (exports.plan_editing), settle unknown unit spellings (db.plan_review), change a
table's column mapping and see what a revision changes.  Nothing is written until 导入, which runs
db.plan_review.import_reviewed in one transaction on the op runner; 取消 writes nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger
from db.errors import UserError
from db.ledger import list_tasks, list_units, load_directory
from db.plan_draft import PlanDraft, TaskDraft
from db.plan_review import (
    ALIAS,
    COLLECTIVE,
    NEW,
    PlanChanges,
    TaskChange,
    UnitDecision,
    UnitQuestion,
    import_reviewed,
    plan_changes,
    unit_questions,
)
from db.plans import current_plan
from db.responsibility import LEAD, SUPPORT
from db.settings import mapping_lookup, remember_choices
from db.units import KINDS, UNCLASSIFIED
from desktop.ops import report_failure, runner
from desktop.screen import fit_to_screen
from exports.plan_editing import edit_task, merge_with_next, split_task, unit_doubts
from exports.plan_reading import Doubt, PlanReading, read_plan_document
from exports.plan_tables import FIELDS

FILE_FILTER = "计划文件 (*.txt *.docx *.doc *.wps *.xlsx *.xls *.et *.pdf);;所有文件 (*)"
FOLDER_PREF = "plan_import/folder"
COLUMNS = ("编号", "任务", "牵头单位", "完成时限", "核对")
COL_LABEL, COL_TITLE, COL_LEAD, COL_DEADLINE, COL_CHECK = range(5)
CODE_ROLE = Qt.ItemDataRole.UserRole
DOUBT_BACKGROUND = QColor("#fdebd0")
SOURCE_HIGHLIGHT = QColor("#fff3b0")
ACTIONS = {ALIAS: "归入已有单位", NEW: "新建单位", COLLECTIVE: "作为集合"}
KEPT_PROGRESS = "已报送的进展、销号和延期记录都保留在原任务上；文件中不再出现的任务标为已移出，仍留在台账中可以查看，不再参与预警。"


@dataclass
class Review:
    """What the ledger says about a draft: unknown unit spellings and, for a revision, what changes."""

    questions: list[UnitQuestion] = field(default_factory=list)
    changes: PlanChanges | None = None  # None for a plan not in the ledger yet
    removed_titles: dict[str, str] = field(default_factory=dict)  # ledger code → title of the tasks a revision drops
    unit_names: list[str] = field(default_factory=list)  # the ledger's units, offered when a spelling is an alias


def review_draft(ledger: Ledger, draft: PlanDraft) -> Review:
    """Unit questions and plan changes for a draft (on the worker; reads the ledger, writes nothing)."""
    directory = load_directory()
    with ledger.Session() as session:
        changes = plan_changes(session, draft, directory=directory)
        questions = unit_questions(session, draft, directory)
        names = [u.name for u in list_units(session)] if questions and current_plan(session) is not None else []
        if changes.plan_id is None:
            return Review(questions, unit_names=names)
        removed = set(changes.removed)
        titles = {t.code: t.title for t in list_tasks(session, plan_id=changes.plan_id) if t.code in removed}
        return Review(questions, changes, titles, names)


def read_and_review(ledger: Ledger, path: Path, mapping: dict[str, str] | None, control) -> tuple[PlanReading, Review]:
    """Read a plan file and check it against the ledger (on the worker, cancellable between the steps)."""
    control.step(0, 2, f"正在读取 {path.name}……")
    with ledger.Session() as session:
        remembered = mapping_lookup(session)  # the columns this office confirmed before for the same headers
    reading = read_plan_document(path, mapping=mapping or None, remembered=remembered)
    control.step(1, 2, "正在与台账核对单位和任务……")
    review = review_draft(ledger, copy.deepcopy(reading.draft))
    control.step(2, 2, "")
    return reading, review


def import_plan_interactively(
    parent: QWidget, ledger: Ledger, operator: str, prefs: QSettings, on_imported: Callable[[object, bool], None]
) -> None:
    """Choose a plan file, read it on the worker with a progress dialog, then preview it; on_imported(result, made_current)."""
    folder = prefs.value(FOLDER_PREF, "") or str(ledger.folder)
    chosen, _ = QFileDialog.getOpenFileName(parent, "导入新计划", folder, FILE_FILTER)
    if not chosen:
        return
    path = Path(chosen)
    prefs.setValue(FOLDER_PREF, str(path.parent))

    def show(read: tuple[PlanReading, Review]) -> None:
        dialog = PlanPreviewDialog(ledger, path, *read, operator=operator, prefs=prefs, parent=parent)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.imported is not None:
            on_imported(dialog.imported, dialog.make_current.isChecked())

    runner().run(
        lambda control: read_and_review(ledger, path, None, control),
        _alive(parent, show),
        label=f"正在读取计划文件 {path.name}……",
        parent=parent,
    )


def _alive(widget: QWidget, callback: Callable) -> Callable:
    return lambda *args: callback(*args) if shiboken6.isValid(widget) else None


class PlanPreviewDialog(QDialog):
    """The plan as read, before anything is written: tree and source, doubts, task edits, units, columns, changes.

    Attributes:
        reading: the PlanReading being edited (its draft is what 导入 writes).
        review: unit questions and changes, checked again on the worker after every edit.
        settled: unit spellings the clerk has confirmed on the 单位核对 page.
        imported: the ImportResult once 导入 succeeded, else None.
    """

    def __init__(
        self,
        ledger: Ledger,
        path: Path,
        reading: PlanReading,
        review: Review,
        *,
        operator: str,
        prefs: QSettings | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.ledger, self.path, self.operator = ledger, path, operator
        self.prefs = prefs
        self.reading, self.review = reading, review
        self.settled: set[str] = set()
        self.imported = None
        self.chosen_mapping: dict[str, str] = {}  # what the clerk set on the 列对应 page and read again with
        self.edited = False
        self._current_code: str | None = None
        self._review_pending = 0
        self.setWindowTitle(f"导入新计划 — {path.name}")
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_tasks_page(), "任务与原文")
        self.units_page = self._build_units_page()
        self.tabs.addTab(self.units_page, "单位核对")
        self.columns_page = self._build_columns_page()
        self.tabs.addTab(self.columns_page, "列对应")
        self.changes_page = self._build_changes_page()
        self.tabs.addTab(self.changes_page, "变化")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.make_current = QCheckBox("导入后设为当前计划")
        self.make_current.setChecked(True)
        self.import_button = QPushButton("导入")
        self.cancel_button = QPushButton("取消")
        self.import_button.clicked.connect(self._on_import_clicked)
        self.cancel_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.make_current)
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(bottom)
        # Enter in a field saves that task's edit; it must never import (no button is the dialog's default).
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        for field_edit in (self.title_edit, self.deadline_edit, self.units_edit):
            field_edit.returnPressed.connect(self._on_save_clicked)
        self._show_reading()
        fit_to_screen(self, 0.96, 0.94)
        width = self.width()
        self.split.setSizes([width * 11 // 20, width * 9 // 20])

    # ----- pages --------------------------------------------------------------------------

    def _build_tasks_page(self) -> QWidget:
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.tree.header()
        header.setStretchLastSection(False)
        char = self.fontMetrics().horizontalAdvance("中")
        for column, chars in ((COL_LABEL, 7), (COL_LEAD, 9), (COL_DEADLINE, 6), (COL_CHECK, 4)):
            header.resizeSection(column, chars * char + 16)
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        self.tree.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # long titles are cut with …, whole in the tooltip
        self.tree.currentItemChanged.connect(self._on_tree_current_changed)
        self.doubt_label = QLabel()
        self.doubt_list = QListWidget()
        self.doubt_list.setWordWrap(True)
        self.doubt_list.itemClicked.connect(self._on_doubt_clicked)
        self.doubt_list.itemActivated.connect(self._on_doubt_clicked)
        left_split = QSplitter(Qt.Orientation.Vertical)
        left_split.addWidget(self.tree)
        doubts_box = QWidget()
        doubts_layout = QVBoxLayout(doubts_box)
        doubts_layout.setContentsMargins(0, 0, 0, 0)
        doubts_layout.addWidget(self.doubt_label)
        doubts_layout.addWidget(self.doubt_list, 1)
        left_split.addWidget(doubts_box)
        left_split.setStretchFactor(0, 3)
        left_split.setStretchFactor(1, 1)

        self.source = QPlainTextEdit()
        self.source.setReadOnly(True)
        self.source.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.source_label = QLabel("原文")
        self.editor = self._build_editor()
        right_split = QSplitter(Qt.Orientation.Vertical)
        source_box = QWidget()
        source_layout = QVBoxLayout(source_box)
        source_layout.setContentsMargins(0, 0, 0, 0)
        source_layout.addWidget(self.source_label)
        source_layout.addWidget(self.source, 1)
        right_split.addWidget(source_box)
        right_split.addWidget(self.editor)
        right_split.setStretchFactor(0, 3)
        right_split.setStretchFactor(1, 2)
        self.split = QSplitter()
        self.split.addWidget(left_split)
        self.split.addWidget(right_split)
        self.split.setChildrenCollapsible(False)
        return self.split

    def _build_editor(self) -> QGroupBox:
        box = QGroupBox("所选任务（按原文修改；每次修改后重新核对）")
        self.title_edit = QLineEdit()
        self.text_edit = QPlainTextEdit()
        self.text_edit.setTabChangesFocus(True)
        self.deadline_edit = QLineEdit()
        self.deadline_edit.setPlaceholderText("如：6月底前、年底前、长期坚持")
        self.units_edit = QLineEdit()
        self.units_edit.setPlaceholderText("如：市商务局牵头，市财政局配合")
        self.units_read = QLabel()
        self.units_read.setWordWrap(True)
        self.units_read.setStyleSheet("color: #555;")
        form = QFormLayout()
        form.addRow("标题", self.title_edit)
        form.addRow("内容", self.text_edit)
        form.addRow("完成时限", self.deadline_edit)
        form.addRow("责任单位", self.units_edit)
        form.addRow("", self.units_read)
        self.save_button = QPushButton("保存修改")
        self.split_button = QPushButton("在光标处拆分")
        self.split_button.setToolTip("把“内容”从光标处（或所选文字的开头）拆成两项任务")
        self.merge_button = QPushButton("与下一项合并")
        self.save_button.clicked.connect(self._on_save_clicked)
        self.split_button.clicked.connect(self._on_split_clicked)
        self.merge_button.clicked.connect(self._on_merge_clicked)
        buttons = QHBoxLayout()
        for button in (self.save_button, self.split_button, self.merge_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(box)
        layout.addLayout(form, 1)
        layout.addLayout(buttons)
        box.setEnabled(False)
        return box

    def _build_units_page(self) -> QWidget:
        page = QWidget()
        self.units_intro = QLabel()
        self.units_intro.setWordWrap(True)
        self.units_table = QTableWidget(0, 8)
        self.units_table.setHorizontalHeaderLabels(["原文写法", "出现的任务", "处理", "单位名称", "类别", "成员（集合，用、分隔）", "依据", "已确认"])
        self.units_table.verticalHeader().hide()
        self.units_table.setWordWrap(False)  # one line a spelling; the whole reason is in its tooltip
        self.units_table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 16)
        header = self.units_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        char = self.fontMetrics().horizontalAdvance("中")
        for column, chars in ((0, 11), (1, 10), (2, 17), (3, 12), (4, 6), (5, 10), (7, 3)):
            header.resizeSection(column, chars * char + 16)
        self.confirm_all = QPushButton("全部按所选处理")
        self.confirm_all.clicked.connect(self._on_confirm_all_clicked)
        layout = QVBoxLayout(page)
        layout.addWidget(self.units_intro)
        layout.addWidget(self.units_table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.confirm_all)
        layout.addLayout(row)
        self._unit_rows: dict[str, dict] = {}
        return page

    def _build_columns_page(self) -> QWidget:
        page = QWidget()
        intro = QLabel("表格各列按表头读作下列内容。读错时改选后点“按此对应重新读取”；导入后台账会记住所选对应，下次导入同样表头的表格时沿用。")
        intro.setWordWrap(True)
        self.columns_table = QTableWidget(0, 3)
        self.columns_table.setHorizontalHeaderLabels(["表格", "表头", "读作"])
        self.columns_table.verticalHeader().hide()
        self.columns_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.reread_button = QPushButton("按此对应重新读取")
        self.reread_button.clicked.connect(self._on_reread_clicked)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addWidget(self.columns_table, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.reread_button)
        layout.addLayout(row)
        return page

    def _build_changes_page(self) -> QWidget:
        page = QWidget()
        self.changes_intro = QLabel()
        self.changes_intro.setWordWrap(True)
        self.changes_tree = QTreeWidget()
        self.changes_tree.setHeaderLabels(["任务", "原来", "现在"])
        self.changes_tree.header().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.kept_label = QLabel(KEPT_PROGRESS)
        self.kept_label.setWordWrap(True)
        layout = QVBoxLayout(page)
        layout.addWidget(self.changes_intro)
        layout.addWidget(self.changes_tree, 1)
        layout.addWidget(self.kept_label)
        return page

    # ----- showing ------------------------------------------------------------------------

    def _show_reading(self) -> None:
        """Everything from the reading and the review (after a read, a re-read or an edit)."""
        lines = self.reading.source_lines
        self.source.setPlainText("\n".join(lines) if lines else "（duban 任务分解表：没有可对照的原文）")
        self._fill_tree()
        self._fill_units()
        self._fill_columns()
        self._fill_changes()
        self._show_doubts()
        self.select_task(self._current_code or (self.reading.draft.tasks[0].code if self.reading.draft.tasks else None))

    def all_doubts(self) -> list[Doubt]:
        """The reader's doubts and the unknown units not yet settled, in task order."""
        doubts = self.reading.doubts + unit_doubts(self.reading, self.review.questions, self.settled)
        order = {t.code: i for i, t in enumerate(self.reading.draft.tasks)}
        return sorted(doubts, key=lambda d: order.get(d.code, -1))

    def _fill_tree(self) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        self._items: dict[str, QTreeWidgetItem] = {}
        several = len(self.reading.draft.annexes) > 1
        for annex in self.reading.draft.annexes:
            parent = self.tree.invisibleRootItem()
            if several or annex.sections:
                parent = QTreeWidgetItem(self.tree, [f"附件{annex.number}", annex.title])
                parent.setFirstColumnSpanned(False)
                parent.setToolTip(COL_TITLE, annex.title)
            sections: dict[str | None, QTreeWidgetItem] = {}
            for task in annex.tasks:
                holder = parent
                if task.section_label:
                    if task.section_label not in sections:
                        section = annex.section(task.section_label)
                        heading = section.heading if section else ""
                        sections[task.section_label] = QTreeWidgetItem(parent, [task.section_label, heading])
                        sections[task.section_label].setToolTip(COL_TITLE, heading)
                    holder = sections[task.section_label]
                item = QTreeWidgetItem(holder)
                item.setData(0, CODE_ROLE, task.code)
                self._items[task.code] = item
                self._show_task_item(item, task)
        self.tree.expandAll()
        self.tree.blockSignals(False)

    def _show_task_item(self, item: QTreeWidgetItem, task: TaskDraft) -> None:
        units = task.unit_pairs()
        leads = [n for n, role in units if role == LEAD] or [n for n, role in units if role != SUPPORT]
        item.setText(COL_LABEL, task.label or task.code)
        item.setText(COL_TITLE, task.title)
        item.setText(COL_LEAD, "、".join(leads))
        item.setText(COL_DEADLINE, task.deadline_text or "")
        item.setToolTip(COL_LABEL, task.code)
        item.setToolTip(COL_TITLE, task.text)

    def _show_doubts(self) -> None:
        doubts = self.all_doubts()
        by_code: dict[str, list[str]] = {}
        for doubt in doubts:
            if doubt.code:
                by_code.setdefault(doubt.code, []).append(doubt.message)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for code, item in self._items.items():
            messages = by_code.get(code, [])
            brush = QBrush(DOUBT_BACKGROUND) if messages else QBrush()
            for column in range(len(COLUMNS)):
                item.setBackground(column, brush)
            item.setIcon(COL_CHECK, icon if messages else QIcon())
            item.setText(COL_CHECK, f"{len(messages)} 处" if messages else "")
            item.setToolTip(COL_CHECK, "\n".join(messages) or "没有发现问题")
            if messages:
                item.setToolTip(COL_TITLE, "\n".join(messages) + "\n\n" + self._task(code).text)
        self.doubt_list.clear()
        prefix = f"{self.reading.draft.source_name} "  # the dialog's title names the file already
        for doubt in doubts:
            entry = QListWidgetItem(icon, doubt.message.removeprefix(prefix))
            entry.setToolTip(doubt.message)
            entry.setData(CODE_ROLE, doubt.code)
            self.doubt_list.addItem(entry)
        flagged = len(by_code)
        self.doubt_label.setText(f"需核对 {len(doubts)} 处（{flagged} 项任务）：点击一处，左侧选中该任务" if doubts else "没有发现需要核对的地方。")
        tasks = self.reading.draft.tasks
        draft = self.reading.draft
        title = draft.title if len(draft.title) <= 40 else draft.title[:39] + "…"
        what = f"《{title}》" + (f"（{draft.year}年）" if draft.year else "")
        changes = self.review.changes
        revision = ""
        if changes is not None and (changes.added or changes.changed or changes.removed or changes.restored):
            revision = "，是台账中已有计划的修订版（见“变化”页）"
        elif changes is not None:
            revision = "，与台账中已有的这份计划相同，导入不会改变任务"
        unsettled = len([q for q in self.review.questions if q.spelling not in self.settled])
        self.summary.setText(
            f"{what}：{len(tasks)} 项任务，{flagged} 项需核对" + (f"，{unsettled} 个单位写法待确认" if unsettled else "") + f"{revision}。导入前不会写入台账。"
        )
        self.tabs.setTabText(self.tabs.indexOf(self.units_page), f"单位核对（{unsettled}）" if unsettled else "单位核对")

    def _fill_units(self) -> None:
        questions = self.review.questions
        self.units_intro.setText(
            f"以下 {len(questions)} 个单位写法在单位表中没有找到。请为每个写法选择：归入已有单位（作为它的别名记住）、新建单位，或作为包含多个单位的集合。所作选择会记住，下一份计划中同样的写法不再询问。"
            if questions
            else "计划中的单位都已在单位表中。"
        )
        table = self.units_table
        table.setRowCount(0)
        self._unit_rows = {}
        self._unit_completer = QCompleter(self.review.unit_names, self)
        self._unit_completer.setFilterMode(Qt.MatchFlag.MatchContains)
        for row, question in enumerate(questions):
            table.insertRow(row)
            spelling = QTableWidgetItem(question.printed)  # as the plan prints it; the level it is taken at in the tooltip
            spelling.setToolTip(question.shown)
            spelling.setFlags(spelling.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(row, 0, spelling)
            codes = [getattr(t, "code", t) for t in question.tasks]
            where = QTableWidgetItem(codes[0] + (f" 等{len(codes)}项" if len(codes) > 1 else "") if codes else "")
            where.setFlags(where.flags() & ~Qt.ItemFlag.ItemIsEditable)
            where.setToolTip("、".join(codes))
            table.setItem(row, 1, where)
            action = QComboBox()
            for suggestion in question.suggestions:
                text = f"{ACTIONS.get(suggestion.action, suggestion.action)}：{suggestion.name}"
                action.addItem(text, (suggestion.action, suggestion.name, list(suggestion.members), getattr(suggestion, "kind", None)))
                action.setItemData(action.count() - 1, suggestion.reason, Qt.ItemDataRole.ToolTipRole)
            if not any(s.action == NEW for s in question.suggestions):
                action.addItem(f"{ACTIONS[NEW]}：{question.spelling}", (NEW, question.spelling, [], None))
            if not any(s.action == ALIAS for s in question.suggestions):
                action.addItem(f"{ACTIONS[ALIAS]}（在“单位名称”中填写）", (ALIAS, "", [], None))
            name, kind, members = QLineEdit(), QComboBox(), QLineEdit()
            name.setCompleter(self._unit_completer)
            members.setToolTip("集合包含的单位（台账中已有的单位名称），用、分隔")
            kind.addItems(list(KINDS))
            kind.setCurrentText(UNCLASSIFIED)
            confirmed = QCheckBox()
            confirmed.setChecked(question.spelling in self.settled)
            reason = QTableWidgetItem()
            reason.setFlags(reason.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(row, 6, reason)
            table.setCellWidget(row, 2, action)
            table.setCellWidget(row, 3, name)
            table.setCellWidget(row, 4, kind)
            table.setCellWidget(row, 5, members)
            table.setCellWidget(row, 7, confirmed)
            widgets = {"action": action, "name": name, "kind": kind, "members": members, "confirmed": confirmed, "reason": reason}
            self._unit_rows[question.spelling] = widgets
            previous = getattr(self, "_kept_choices", {}).get(question.spelling)
            if previous is not None:
                index = action.findData(previous[0])
                action.setCurrentIndex(max(0, index))
            self._show_choice(widgets)
            if previous is not None:
                name.setText(previous[1])
                members.setText(previous[2])
                kind.setCurrentText(previous[3])
            spelling_key = question.spelling
            action.currentIndexChanged.connect(lambda _i, w=widgets, s=spelling_key: (self._show_choice(w), self._settle(s)))
            name.textEdited.connect(lambda _t, s=spelling_key: self._settle(s))
            members.textEdited.connect(lambda _t, s=spelling_key: self._settle(s))
            kind.activated.connect(lambda _i, s=spelling_key: self._settle(s))
            confirmed.toggled.connect(lambda on, s=spelling_key: self._settle(s, on))

    def _show_choice(self, widgets: dict) -> None:
        action, name, members, kind = widgets["action"].currentData()
        widgets["name"].setText(name)
        widgets["members"].setText("、".join(members))
        widgets["kind"].setCurrentText(kind or UNCLASSIFIED)
        reason = widgets["action"].currentData(Qt.ItemDataRole.ToolTipRole) or ""
        widgets["reason"].setText(reason)
        widgets["reason"].setToolTip(reason)
        widgets["kind"].setEnabled(action == NEW)
        widgets["members"].setEnabled(action == COLLECTIVE)

    def _settle(self, spelling: str, on: bool = True) -> None:
        if on:
            self.settled.add(spelling)
        else:
            self.settled.discard(spelling)
        box = self._unit_rows[spelling]["confirmed"]
        if box.isChecked() != on:
            box.blockSignals(True)
            box.setChecked(on)
            box.blockSignals(False)
        self._show_doubts()

    def _on_confirm_all_clicked(self) -> None:
        for spelling in self._unit_rows:
            self._settle(spelling)

    def decisions(self) -> list:
        """What the clerk chose for each unknown spelling, as db.plan_review takes it."""
        chosen = []
        for spelling, widgets in self._unit_rows.items():
            action = widgets["action"].currentData()[0]
            name = widgets["name"].text().strip()
            members = [m.strip() for m in widgets["members"].text().replace("，", "、").replace(",", "、").split("、") if m.strip()]
            kind = widgets["kind"].currentText() if action == NEW else None
            chosen.append(UnitDecision(spelling, action, name, kind=kind, members=members if action == COLLECTIVE else []))
        return chosen

    def _fill_columns(self) -> None:
        """One row a header text (the mapping is by header text): a table continuing another is not listed again."""
        layouts = self.reading.layouts
        self.tabs.setTabVisible(self.tabs.indexOf(self.columns_page), bool(layouts))
        self.columns_table.setRowCount(0)
        self._column_combos: list[tuple[str, QComboBox]] = []
        seen: set[str] = set()
        for layout in layouts:
            if layout.continues:
                continue
            where = layout.source + (f"（第{layout.header_row}行为表头）" if layout.header_row else "")
            for column in layout.columns:
                if column.header and column.header not in seen:
                    seen.add(column.header)
                    self._add_column_row(where, column.label, column.header, column.field)
            known = {"".join(c.header.split()) for c in layout.columns}
            for text in layout.headers:  # headers the reader does not know: not read until the clerk says what they are
                if text not in known and text not in seen:
                    seen.add(text)
                    self._add_column_row(where, f"（未识别）{text}", text, "ignore")

    def _add_column_row(self, where: str, label: str, header: str, field_key: str) -> None:
        table = self.columns_table
        row = table.rowCount()
        table.insertRow(row)
        for column, text in ((0, where), (1, label)):
            item = QTableWidgetItem(text)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(row, column, item)
        combo = QComboBox()
        for key, name in FIELDS.items():
            combo.addItem(name, key)
        combo.setCurrentIndex(max(0, combo.findData(field_key)))
        table.setCellWidget(row, 2, combo)
        self._column_combos.append((header, combo))

    def column_mapping(self) -> dict[str, str]:
        """Header as printed → field key, as the 列对应 page shows it now."""
        return {header: combo.currentData() for header, combo in self._column_combos}

    def _fill_changes(self) -> None:
        changes = self.review.changes
        self.tabs.setTabVisible(self.tabs.indexOf(self.changes_page), changes is not None)
        self.changes_tree.clear()
        if changes is None:
            return
        titles = {**self.review.removed_titles, **{t.code: t.title for t in self.reading.draft.tasks}}
        self.changes_intro.setText(
            f"这份文件是台账中已有计划《{changes.plan_title or changes.plan_id}》的修订版：新增 {len(changes.added)} 项，"
            f"内容有变化 {len(changes.changed)} 项，不再出现 {len(changes.removed)} 项，未变 {changes.unchanged} 项。导入时按此更新该计划。"
        )
        groups = (("新增", changes.added), ("有变化", changes.changed), ("不再出现", changes.removed), ("恢复", changes.restored))
        for caption, entries in groups:
            if not entries:
                continue
            node = QTreeWidgetItem(self.changes_tree, [f"{caption}（{len(entries)} 项）"])
            for entry in entries:
                if isinstance(entry, TaskChange):
                    self._change_item(node, entry, titles)
                else:
                    QTreeWidgetItem(node, [f"{entry} {titles.get(entry, '')}"])
        self.changes_tree.expandAll()

    def _change_item(self, node: QTreeWidgetItem, change: TaskChange, titles: dict[str, str]) -> None:
        moved = f"（原编号 {change.code}）" if change.draft_code != change.code else ""
        item = QTreeWidgetItem(node, [f"{change.draft_code} {titles.get(change.draft_code, '')}{moved}：{'、'.join(change.fields)}"])
        for name in change.fields:
            QTreeWidgetItem(item, [name, _short(change.before.get(name)), _short(change.after.get(name))])

    # ----- selection ----------------------------------------------------------------------

    def _task(self, code: str) -> TaskDraft:
        return next(t for t in self.reading.draft.tasks if t.code == code)

    def select_task(self, code: str | None) -> None:
        """Select a task in the tree, highlight its source lines and fill the editor."""
        item = self._items.get(code) if code else None
        if item is None:
            self._current_code = None
            self.editor.setEnabled(False)
            return
        self.tree.setCurrentItem(item)
        self.tree.scrollToItem(item)
        self._on_tree_current_changed(item, None)

    def _on_tree_current_changed(self, item: QTreeWidgetItem | None, _previous) -> None:
        code = item.data(0, CODE_ROLE) if item is not None else None
        if code is None:
            return
        self._current_code = code
        task = self._task(code)
        self.editor.setEnabled(True)
        self.title_edit.setText(task.title)
        self.title_edit.setCursorPosition(0)
        self.text_edit.setPlainText(task.text)
        self.deadline_edit.setText(task.deadline_text or "")
        self._shown_units = task.responsibility_text or "、".join(n for n, _ in task.unit_pairs())
        self.units_edit.setText(self._shown_units)
        read = task.unit_pairs()
        self.units_read.setText("读作：" + ("；".join(f"{n}（{role}）" for n, role in read) if read else "没有单位"))
        self._highlight(self.reading.spans.get(code))

    def _highlight(self, span: tuple[int, int] | None) -> None:
        if not span or not self.reading.source_lines or span[0] < 1:
            self.source.setExtraSelections([])
            self.source_label.setText("原文")
            return
        first, last = span
        document = self.source.document()
        selections = []
        for number in range(first, max(first, last) + 1):
            block = document.findBlockByNumber(number - 1)
            if not block.isValid():
                break
            selection = QTextEdit.ExtraSelection()
            selection.format.setBackground(SOURCE_HIGHLIGHT)
            selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            selection.cursor = QTextCursor(block)
            selection.cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
            selections.append(selection)
        self.source.setExtraSelections(selections)
        block = document.findBlockByNumber(first - 1)
        if block.isValid():
            self.source.setTextCursor(QTextCursor(block))
            self.source.centerCursor()
        self.source_label.setText(f"原文（第{first}行）" if last <= first else f"原文（第{first}—{last}行）")

    def highlighted_lines(self) -> list[int]:
        """The 1-based source lines highlighted now (for tests and the screenshot)."""
        return [s.cursor.blockNumber() + 1 for s in self.source.extraSelections()]

    def _on_doubt_clicked(self, entry: QListWidgetItem) -> None:
        code = entry.data(CODE_ROLE)
        if code:
            self.tabs.setCurrentIndex(0)
            self.select_task(code)

    # ----- edits --------------------------------------------------------------------------

    def _edited(self, code: str | None) -> None:
        """After an edit: show it, select the task, and check units and changes again on the worker."""
        self.edited = True
        self._current_code = code
        self._fill_tree()
        self._show_doubts()
        self.select_task(code)
        self._check_again()

    def _check_again(self) -> None:
        ledger, draft = self.ledger, copy.deepcopy(self.reading.draft)
        self._review_pending += 1

        def apply(review: Review) -> None:
            self._review_pending -= 1
            self._keep_unit_choices()
            self.review = review
            self._fill_units()
            self._fill_changes()
            self._show_doubts()

        def failed(error: BaseException) -> None:
            self._review_pending -= 1
            report_failure(self, error)

        runner().query(lambda: review_draft(ledger, draft), _alive(self, apply), on_failure=_alive(self, failed), parent=self)

    def _keep_unit_choices(self) -> None:
        self._kept_choices = {
            spelling: (w["action"].currentData(), w["name"].text(), w["members"].text(), w["kind"].currentText()) for spelling, w in self._unit_rows.items()
        }

    def _apply_edit(self, change: Callable[[], TaskDraft | None], code_after: Callable[[TaskDraft | None], str | None]) -> None:
        try:
            changed = change()
        except UserError as exc:
            QMessageBox.warning(self, "导入新计划", str(exc))
            return
        self._edited(code_after(changed))

    def _on_save_clicked(self) -> None:
        code = self._current_code
        if code is None:
            return
        task = self._task(code)
        typed = {
            "title": self.title_edit.text(),
            "text": self.text_edit.toPlainText(),
            "deadline_text": self.deadline_edit.text(),
        }
        fields = {k: v for k, v in typed.items() if v.strip() != (getattr(task, k) or "")}
        if self.units_edit.text().strip() != self._shown_units:
            fields["responsibility_text"] = self.units_edit.text()
        if not fields:
            return
        self._apply_edit(lambda: edit_task(self.reading, code, **fields), lambda task: task.code)

    def _on_split_clicked(self) -> None:
        code = self._current_code
        if code is None:
            return
        cursor = self.text_edit.textCursor()
        at = cursor.selectionStart() if cursor.hasSelection() else cursor.position()
        if self.text_edit.toPlainText() != self._task(code).text:
            QMessageBox.information(self, "导入新计划", "内容已改动但尚未保存。请先点“保存修改”，再拆分。")
            return
        self._apply_edit(lambda: split_task(self.reading, code, at), lambda task: task.code)

    def _on_merge_clicked(self) -> None:
        code = self._current_code
        if code is None:
            return
        self._apply_edit(lambda: merge_with_next(self.reading, code), lambda task: task.code)

    def _on_reread_clicked(self) -> None:
        mapping = self.column_mapping()
        if self.edited:
            answer = QMessageBox.question(
                self, "重新读取", "按新的列对应重新读取会放弃在预览中对任务所作的修改。继续吗？", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        ledger, path = self.ledger, self.path

        def apply(read: tuple[PlanReading, Review]) -> None:
            self.chosen_mapping = mapping  # remembered in the ledger when the plan is imported, not before
            self.reading, self.review = read
            self.edited = False
            self._current_code = None
            self._show_reading()

        runner().run(lambda control: read_and_review(ledger, path, mapping, control), _alive(self, apply), label="正在按新的列对应重新读取……", parent=self)

    def reject(self) -> None:
        """取消 or Esc: nothing is written; work done in the preview is given up only when the clerk says so."""
        if self.imported is None and (self.edited or self.settled) and self.isVisible():
            answer = QMessageBox.question(
                self, "导入新计划", "放弃在预览中所作的修改和单位核对，不导入这份计划吗？", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()

    # ----- import -------------------------------------------------------------------------

    def _on_import_clicked(self) -> None:
        if not self.reading.draft.tasks:
            QMessageBox.warning(self, "导入新计划", f"{self.path.name} 中没有读出任务，无法导入。")
            return
        if self._review_pending:
            QMessageBox.information(self, "导入新计划", "正在重新核对单位，请稍候再点“导入”。")
            return
        doubts = self.all_doubts()
        unsettled = [q.spelling for q in self.review.questions if q.spelling not in self.settled]
        if doubts or unsettled:
            question = (
                f"还有 {len(doubts)} 处需核对" + (f"（其中 {len(unsettled)} 个单位写法未确认，将按“单位核对”页所选处理）" if unsettled else "")
                + "。仍要导入吗？导入后可用“任务 → 更正任务数据”修改。"
            )
            answer = QMessageBox.question(self, "导入新计划", question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        try:
            decisions = self.decisions()
        except UserError as exc:
            QMessageBox.warning(self, "导入新计划", str(exc))
            return
        ledger, draft, operator = self.ledger, copy.deepcopy(self.reading.draft), self.operator
        make_current = self.make_current.isChecked()
        plan_id = getattr(self.review.changes, "plan_id", None)

        chosen, headers = self.chosen_mapping, [layout.headers for layout in self.reading.layouts if layout.headers]

        def write(_control):
            directory = load_directory()
            with ledger.Session.begin() as session:
                result = import_reviewed(session, draft, directory, decisions, operator=operator, make_current=make_current, plan_id=plan_id)
                remember_choices(session, headers, chosen, operator=operator)
                return result

        def done(result) -> None:
            self.imported = result
            self.accept()

        self.import_button.setEnabled(False)

        def failed(error: BaseException) -> None:
            self.import_button.setEnabled(True)
            report_failure(self, error)

        started = runner().run(write, _alive(self, done), label="正在导入计划……", parent=self, writes=True, cancellable=False, on_failure=_alive(self, failed))
        if not started:
            self.import_button.setEnabled(True)


def _short(value, limit: int = 60) -> str:
    text = "、".join(map(str, value)) if isinstance(value, (list, tuple)) else ("" if value is None else str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
