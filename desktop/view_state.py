"""What the window remembers of how it was left: tree nodes chosen and opened, the filter, as plain JSON values.

Tree nodes are named by what they stand for (their filter or task), not by their text, which holds
counts that change from month to month.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from PySide6.QtCore import QAbstractItemModel, QModelIndex
from PySide6.QtWidgets import QTreeView

from desktop.navigation import FILTER_ROLE, TASK_ID_ROLE
from desktop.task_model import TaskFilter


def node_key(index: QModelIndex) -> str:
    """A node's name that survives a rebuild of its tree."""
    task_id = index.data(TASK_ID_ROLE)
    filter_ = index.data(FILTER_ROLE)
    if filter_ is None:
        return "text:" + str(index.data()).split("（")[0]
    key = json.dumps(filter_, sort_keys=True, ensure_ascii=False)
    return f"task:{task_id}:{key}" if task_id is not None else "filter:" + key


def _walk(model: QAbstractItemModel, parent: QModelIndex = QModelIndex()) -> Iterator[QModelIndex]:
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        yield index
        if model.hasChildren(index):
            yield from _walk(model, index)


def tree_state(view: QTreeView) -> dict:
    """The view's current node and its opened nodes, by key."""
    model = view.model()
    if model is None:
        return {}
    current = view.currentIndex()
    selected = view.selectionModel().isSelected(current) if current.isValid() else False
    return {
        "current": node_key(current) if current.isValid() and selected else None,
        "expanded": [node_key(i) for i in _walk(model) if model.hasChildren(i) and view.isExpanded(i)],
    }


def restore_tree(view: QTreeView, state: dict) -> None:
    """Open the nodes named in state and make its current node current again (the caller keeps the filter quiet)."""
    model = view.model()
    if model is None or not isinstance(state, dict):
        return
    listed = state.get("expanded")
    expanded = {key for key in listed if isinstance(key, str)} if isinstance(listed, list) else set()
    current = state.get("current")
    for index in _walk(model):
        key = node_key(index)
        if key in expanded:
            view.expand(index)
        if key == current:
            view.setCurrentIndex(index)
            view.scrollTo(index)


def filter_to_json(filter_: TaskFilter) -> dict:
    values = dict(filter_.__dict__)
    if values.get("task_ids") is not None:
        values["task_ids"] = sorted(values["task_ids"])
    return values


def filter_from_json(values: dict) -> dict:
    """TaskFilter fields from saved JSON; anything unknown or of the wrong type is dropped."""
    fields = {}
    for name, default in TaskFilter().__dict__.items():
        value = values.get(name, default) if isinstance(values, dict) else default
        if name == "task_ids":
            value = frozenset(v for v in value if isinstance(v, int)) if isinstance(value, list) else None
        elif name == "annex":
            value = value if isinstance(value, int) else None
        elif name == "text":
            value = value if isinstance(value, str) else ""
        else:
            value = value if isinstance(value, str) else None
        fields[name] = value
    return fields
