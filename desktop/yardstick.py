"""The yardstick of bench/bench_startup.py: a bare PySide6 window, and the grab both it and duban end with.

It lives here because Qt is imported only in desktop/; the benchmark runs it in a child process.
"""

from __future__ import annotations

import sys
import time


def report_drawn() -> None:
    """Tell the parent when the window was drawn: the system's monotonic clock and this process's CPU time."""
    print(f"DRAWN {time.monotonic()} {time.process_time()}", flush=True)


def grab_when_painted(app, window, table, shot: str) -> int:
    """Run the event loop until table's viewport has painted, then grab window to shot (both kinds end so)."""
    from PySide6.QtCore import QEvent, QObject, QTimer

    class Painted(QObject):
        def eventFilter(self, _watched, event):  # noqa: N802 - Qt names it
            if event.type() == QEvent.Type.Paint:
                QTimer.singleShot(0, finish)
            return False

    saved = []

    def finish() -> None:
        if not saved:
            saved.append(window.grab().save(shot))
            report_drawn()
            app.quit()

    watcher = Painted()
    table.viewport().installEventFilter(watcher)
    window.show()
    table.viewport().update()
    app.exec()
    return 0 if saved and saved[0] else 1


def bare_child(shot: str, *, rows: int, columns: int, annexes: int) -> int:
    """A bare PySide6 window with a tree and a filled table; exits once the table has painted."""
    from PySide6.QtGui import QFont, QStandardItem, QStandardItemModel
    from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTableView, QTreeView

    app = QApplication(sys.argv[:1])
    app.setFont(QFont(["Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Sans Serif"], 10))  # duban's
    window = QMainWindow()
    window.resize(1400, 860)
    tree_model = QStandardItemModel()
    for annex in range(1, annexes + 1):
        item = QStandardItem(f"附件{annex} 优化营商环境专项行动")
        item.appendRows([QStandardItem(f"（{n}）重点任务") for n in range(1, 6)])
        tree_model.appendRow(item)
    table_model = QStandardItemModel(rows, columns)
    for row in range(rows):
        for column in range(columns):
            table_model.setItem(row, column, QStandardItem(f"任务 {row + 1} 第 {column + 1} 列 推进营商环境优化提升"))
    tree, table = QTreeView(), QTableView()
    tree.setModel(tree_model)
    table.setModel(table_model)
    splitter = QSplitter()
    splitter.addWidget(tree)
    splitter.addWidget(table)
    window.setCentralWidget(splitter)
    return grab_when_painted(app, window, table, shot)
