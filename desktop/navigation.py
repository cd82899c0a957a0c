"""The navigation tree's three views: 按附件, 按单位, 按预警.

Every node carries the filter it stands for (a dict of TaskFilter fields); task leaves carry the
task id so clicking one opens it.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from db.ledger import UnitView
from db.warning_rules import COLOUR_NAMES, DONE, GREEN, GREY, RED, YELLOW
from desktop.task_model import ROLE_LEAD, ROLE_OTHER, ROLE_SUPPORT, TaskRow

FILTER_ROLE = Qt.ItemDataRole.UserRole
TASK_ID_ROLE = Qt.ItemDataRole.UserRole + 1
UNIT_KIND_ORDER = ("市直部门", "县（市、区）", "开发区", "驻市单位", "企业", "县级供电企业", "集合", "未分类")
UNIT_KIND_LABELS = {"集合": "集合单位（各县（市、区）、市直各部门等）"}
WARNING_NODES = ((RED, "逾期"), (YELLOW, "临期或滞后"), (GREY, "本期未报送"), (GREEN, "正常推进"), (DONE, "已办结销号"))


def _node(text: str, filter_: dict | None) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setToolTip(text)  # the tree is narrow on a small screen: the full name and counts on hover
    item.setData(filter_, FILTER_ROLE)
    return item


def _task_leaf(row: TaskRow, filter_: dict, *, name_annex: bool = True) -> QStandardItem:
    """A task under its node; outside the annex tree it says which annex, as labels repeat across annexes."""
    task = row.task
    item = _node(f"{f'附件{task.annex} ' if name_annex else ''}{task.label} {task.title}", filter_)
    item.setData(task.id, TASK_ID_ROLE)
    item.setToolTip(f"{task.code}：{task.title}")
    return item


def annex_tree(rows: list[TaskRow], parent: QObject) -> QStandardItemModel:
    """附件 → 分组 → 任务, with counts."""
    model = QStandardItemModel(parent)
    root = _node(f"全部任务（{len(rows)}）", {})
    model.appendRow(root)
    annexes: dict[int, list[TaskRow]] = {}
    for row in rows:
        annexes.setdefault(row.task.annex, []).append(row)
    for number, members in sorted(annexes.items()):
        title = members[0].task.annex_title.removeprefix("三门峡市")
        annex_item = _node(f"附件{number} {title}（{len(members)}）", {"annex": number})
        root.appendRow(annex_item)
        sections: dict[str | None, list[TaskRow]] = {}
        for row in members:
            sections.setdefault(row.task.section, []).append(row)
        for section, tasks in sections.items():
            if section is None:
                for row in tasks:
                    annex_item.appendRow(_task_leaf(row, {"annex": number}, name_annex=False))
                continue
            section_item = _node(f"{section}（{len(tasks)}）", {"annex": number, "section": section})
            annex_item.appendRow(section_item)
            for row in tasks:
                section_item.appendRow(_task_leaf(row, {"annex": number, "section": section}, name_annex=False))
    return model


def unit_tree(rows: list[TaskRow], units: list[UnitView], parent: QObject) -> QStandardItemModel:
    """Unit kind → canonical unit → 牵头/负责 / 配合 / 其他 → tasks, with counts; collective units too.

    牵头/负责 lists the tasks the unit answers for (db.answerable): the same count the ranking uses.
    """
    model = QStandardItemModel(parent)
    by_unit: dict[str, dict[str, list[TaskRow]]] = {}
    for row in rows:
        for name, role in row.unit_roles.items():
            by_unit.setdefault(name, {}).setdefault(role, []).append(row)
    kinds: dict[str, list[UnitView]] = {}
    for unit in units:
        if unit.name in by_unit:
            kinds.setdefault(unit.kind, []).append(unit)
    for kind in sorted(kinds, key=lambda k: UNIT_KIND_ORDER.index(k) if k in UNIT_KIND_ORDER else 99):
        members = sorted(kinds[kind], key=lambda u: -sum(len(v) for v in by_unit[u.name].values()))
        kind_item = _node(f"{UNIT_KIND_LABELS.get(kind, kind)}（{len(members)} 个单位）", None)
        model.appendRow(kind_item)
        for unit in members:
            roles = by_unit[unit.name]
            counts = Counter({role: len(tasks) for role, tasks in roles.items()})
            summary = "，".join(f"{role}{counts[role]}" for role in (ROLE_LEAD, ROLE_SUPPORT, ROLE_OTHER) if counts[role])
            unit_item = _node(f"{unit.name}（{summary}）", {"unit": unit.name})
            if unit.expands_to:
                unit_item.setToolTip("包括：" + "、".join(unit.expands_to))
            kind_item.appendRow(unit_item)
            for role in (ROLE_LEAD, ROLE_SUPPORT, ROLE_OTHER):
                if role not in roles:
                    continue
                label = "其他（落实等）" if role == ROLE_OTHER else role
                role_item = _node(f"{label}（{len(roles[role])}）", {"unit": unit.name, "role": role})
                unit_item.appendRow(role_item)
                for row in roles[role]:
                    role_item.appendRow(_task_leaf(row, {"unit": unit.name, "role": role}))
    return model


def warning_tree(rows: list[TaskRow], parent: QObject) -> QStandardItemModel:
    """逾期 / 临期或滞后 / 本期未报送 / 正常 / 已销号 → tasks, with counts."""
    model = QStandardItemModel(parent)
    for colour, label in WARNING_NODES:
        members = [row for row in rows if row.state and row.state.colour == colour]
        item = _node(f"{label}（{len(members)}）", {"colour": colour})
        item.setToolTip(COLOUR_NAMES[colour])
        model.appendRow(item)
        for row in members:
            item.appendRow(_task_leaf(row, {"colour": colour}))
    return model
