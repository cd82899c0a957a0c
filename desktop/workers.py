"""Running ledger work off the GUI thread while the window keeps painting."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QThread

T = TypeVar("T")


class _Call(QThread):
    """A thread that runs one function and keeps its result or its error."""

    def __init__(self, fn: Callable[[], T]):
        super().__init__()
        self.fn = fn
        self.result: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.fn()
        except BaseException as exc:  # handed back to the GUI thread and raised there
            self.error = exc


def call_off_gui_thread(fn: Callable[[], T]) -> T:
    """Run fn in a worker thread, serving GUI events until it ends; return its result or raise its error."""
    thread = _Call(fn)
    loop = QEventLoop()
    thread.finished.connect(loop.quit)
    thread.start()
    loop.exec()
    thread.wait()
    if thread.error is not None:
        raise thread.error
    return thread.result
