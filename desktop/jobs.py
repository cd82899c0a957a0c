"""Long work in the window: a worker thread, a progress dialog, and a 取消 button that stops it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QThread, Qt, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from db.errors import known_error
from db.jobs import Cancelled, JobControl

T = TypeVar("T")


class _Job(QThread):
    """Runs work(control) off the GUI thread; progress crosses back as a queued signal."""

    progressed = Signal(int, int, str)

    def __init__(self, work: Callable[[JobControl], T]):
        super().__init__()
        self.work = work
        self.cancel_requested = False
        self.result: T | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        control = JobControl(report=self.progressed.emit, cancelled=lambda: self.cancel_requested)
        try:
            self.result = self.work(control)
        except BaseException as exc:  # raised again on the GUI thread
            self.error = exc


def _wait(job: _Job) -> None:
    """Serve GUI events until the job's thread ends."""
    loop = QEventLoop()
    job.finished.connect(loop.quit)
    job.start()
    loop.exec()
    job.wait()


def _raise(error: BaseException) -> None:
    """Raise a worker's error on the GUI thread: a disk or SQLite failure the clerk can act on as a UserError
    (the dialogs show those as a message), anything else as it was (the crash dialog)."""
    known = known_error(error)
    if known is not None and known is not error:
        raise known from error
    raise error


def call_off_gui_thread(fn: Callable[[], T]) -> T:
    """Run fn in a worker thread while the window keeps painting; return its result or raise its error."""
    job = _Job(lambda _control: fn())
    _wait(job)
    if job.error is not None:
        _raise(job.error)
    return job.result


def run_job(parent: QWidget | None, label: str, work: Callable[[JobControl], T]) -> T | None:
    """Run work with a progress dialog; returns its result, None if the clerk cancelled, or raises its error."""
    job = _Job(work)
    dialog = QProgressDialog(label, "取消", 0, 0, parent)
    dialog.setWindowTitle("督办台账")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(300)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)

    def show_progress(done: int, total: int, what: str) -> None:
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        dialog.setLabelText(f"{label}\n{what}")

    def cancel() -> None:
        job.cancel_requested = True
        dialog.setLabelText("正在取消……")

    job.progressed.connect(show_progress, Qt.ConnectionType.QueuedConnection)  # a plain callable would run on the worker
    dialog.canceled.connect(cancel)
    _wait(job)
    dialog.close()
    if isinstance(job.error, Cancelled):
        return None
    if job.error is not None:
        _raise(job.error)
    return job.result
