"""The window driven the way a clerk uses it, one step at a time, for the benchmarks in bench/.

Qt stays in desktop/: the benchmark scripts time these steps without importing it themselves.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from db.engine import Ledger
from desktop.main_window import MainWindow, read_snapshot

STATUS_FILTERS = ("未报送", "推进中", "已完成", None)
SEARCH_KEYSTROKES = ("营", "营商", "营商环", "zjj", "住建局", "审批")


class WindowDriver:
    """A main window on a ledger, with each interactive step settled (events processed) before it returns."""

    def __init__(self, ledger: Ledger, prefs_path: Path):
        self.app = QApplication.instance() or QApplication([])
        self.ledger = ledger
        self.prefs = QSettings(str(prefs_path), QSettings.Format.IniFormat)
        self.window: MainWindow | None = None

    def read(self):
        """The worker thread's part of start-up: the ledger snapshot."""
        return read_snapshot(self.ledger)

    def build(self, snapshot) -> None:
        """The GUI thread's part of start-up: a new window with the snapshot applied and shown."""
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.app.processEvents()
        self.window = MainWindow(self.ledger, self.prefs)
        self.window.apply_snapshot(snapshot)
        self.window.show()
        self.app.processEvents()

    @property
    def task_count(self) -> int:
        return len(self.window.model.rows)

    def filter_step(self, i: int) -> None:
        """Three filters in a row (annex, unit, status), varied by i."""
        units = [self.window.unit_combo.itemData(n) for n in range(1, self.window.unit_combo.count())]
        self.window.apply_filter(annex=i % 21 + 1)
        self.window.apply_filter(unit=units[i % len(units)])
        self.window.apply_filter(status=STATUS_FILTERS[i % len(STATUS_FILTERS)])
        self.app.processEvents()

    def clear_filters(self) -> None:
        self.window.clear_filters()
        self.app.processEvents()

    def search(self, text: str) -> None:
        self.window.proxy.update_filter(text=text)
        self.app.processEvents()

    def open_detail(self, i: int) -> None:
        """Open the detail of a task spread over the table by i."""
        self.window.open_task(self.window.model.rows[(i * 37) % self.task_count].task.id)
        self.app.processEvents()

    def refresh(self) -> None:
        """F5: the states are read on the op runner's worker and applied when it is done."""
        from desktop.ops import runner

        self.window.refresh()
        while runner().busy:
            self.app.processEvents()
        self.app.processEvents()
