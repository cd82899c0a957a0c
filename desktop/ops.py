"""Ledger work off the GUI thread: one worker thread, results and errors handed back on the main thread.

Modelled on Anki's CollectionOp/QueryOp on a single-thread executor: every read and write of the
ledger queues on the same worker, so two writes never race and the window never waits on a lock.
Nothing here re-enters the event loop; callers continue in their on_success callback.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from db.errors import known_error
from db.jobs import Cancelled, JobControl

log = logging.getLogger("duban.ops")

RUNNER_NAME = "duban-op-runner"
PROGRESS_DELAY_MS = 400  # quick jobs finish before a progress dialog would flicker up
BUSY_MESSAGE = "另一项写入操作正在进行，请稍候再试。"


@dataclass(eq=False)
class _Op:
    """One queued piece of work and what to do with its outcome on the main thread."""

    work: Callable[[JobControl], Any]
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[BaseException], None] | None
    on_cancel: Callable[[], None] | None
    parent: QWidget | None
    writes: bool
    dialog: QProgressDialog | None = None
    cancel_requested: bool = False
    label: str = ""
    control: JobControl = field(default_factory=JobControl)


class OpRunner(QObject):
    """The application's ledger worker: run(work, on_success) queues work and calls back on the main thread.

    Signals:
        busy_changed: True while a write op is queued or running, False once none is (write actions follow it).
        idle: no op is queued or running any more (tests and the unattended screenshot wait on it).
    """

    busy_changed = Signal(bool)
    idle = Signal()
    _finished = Signal(object, bool, object)  # (op, succeeded, result or exception), emitted on the worker
    _progressed = Signal(object, int, int, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duban-ledger")
        self._pending = 0
        self._writes = 0
        # Queued: the worker emits, the slots run on the thread this runner lives in (the GUI thread).
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._progressed.connect(self._on_progressed, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        """Whether any op is queued or running."""
        return self._pending > 0

    @property
    def writing(self) -> bool:
        """Whether a write op is queued or running."""
        return self._writes > 0

    def run(
        self,
        work: Callable[[JobControl], Any],
        on_success: Callable[[Any], None] | None = None,
        *,
        label: str | None = None,
        parent: QWidget | None = None,
        writes: bool = False,
        on_failure: Callable[[BaseException], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> bool:
        """Queue work(control) on the worker; False (with a message) if it writes while another write is pending.

        label shows a progress dialog with 取消 after a short delay; 取消 makes control.step raise
        Cancelled, which calls on_cancel. Failures go to on_failure, or by default: a failure the
        clerk can act on (db.errors.known_error) as a message, anything else to the crash dialog.
        """
        if writes and self._writes:
            if parent is not None:
                QMessageBox.information(parent, "督办台账", BUSY_MESSAGE)
            return False
        op = _Op(work, on_success, on_failure, on_cancel, parent, writes, label=label or "")
        op.control = JobControl(
            report=lambda done, total, what: self._progressed.emit(op, done, total, what),
            cancelled=lambda: op.cancel_requested,
        )
        if label:
            op.dialog = _progress_dialog(label, parent, lambda: _request_cancel(op))
        self._pending += 1
        if writes:
            self._writes += 1
            if self._writes == 1:
                self.busy_changed.emit(True)
        self._executor.submit(self._call, op)
        return True

    def query(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None, **options) -> bool:
        """Queue a read: fn() takes no control; same callbacks and options as run()."""
        return self.run(lambda _control: fn(), on_success, **options)

    def _call(self, op: _Op) -> None:
        """On the worker: run the op and send its outcome back; exceptions never stay on this thread."""
        try:
            result = op.work(op.control)
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread whatever it is
            self._finished.emit(op, False, exc)
        else:
            self._finished.emit(op, True, result)

    def _on_progressed(self, op: _Op, done: int, total: int, what: str) -> None:
        dialog = op.dialog
        if dialog is None or not shiboken6.isValid(dialog) or op.cancel_requested:
            return
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        dialog.setLabelText(f"{op.label}\n{what}" if what else op.label)

    def _on_finished(self, op: _Op, succeeded: bool, outcome: Any) -> None:
        if op.dialog is not None and shiboken6.isValid(op.dialog):
            op.dialog.close()
            op.dialog.deleteLater()
        self._pending -= 1
        if op.writes:
            self._writes -= 1
            if self._writes == 0:
                self.busy_changed.emit(False)
        if op.parent is not None and not shiboken6.isValid(op.parent):
            # The window that asked was closed meanwhile: nothing to show the outcome in.
            if succeeded or isinstance(outcome, Cancelled):
                log.info("操作已完成，但发起它的窗口已关闭")
            else:
                log.warning("操作失败，发起它的窗口已关闭", exc_info=(type(outcome), outcome, outcome.__traceback__))
            if self._pending == 0:
                self.idle.emit()
            return
        try:
            if succeeded:
                if op.on_success is not None:
                    op.on_success(outcome)
            elif isinstance(outcome, Cancelled):
                if op.on_cancel is not None:
                    op.on_cancel()
            elif op.on_failure is not None:
                op.on_failure(outcome)
            else:
                report_failure(_alive(op.parent), outcome)
        finally:
            if self._pending == 0:
                self.idle.emit()


def _progress_dialog(label: str, parent: QWidget | None, cancel: Callable[[], None]) -> QProgressDialog:
    dialog = QProgressDialog(label, "取消", 0, 0, parent)
    dialog.setWindowTitle("督办台账")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(PROGRESS_DELAY_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.canceled.connect(cancel)
    return dialog


def _request_cancel(op: _Op) -> None:
    op.cancel_requested = True
    if op.dialog is not None and shiboken6.isValid(op.dialog):
        op.dialog.setLabelText("正在取消……")


def _alive(widget: QWidget | None) -> QWidget | None:
    """The widget, unless it was closed and deleted while the op ran."""
    return widget if widget is not None and shiboken6.isValid(widget) else None


def report_failure(parent: QWidget | None, error: BaseException) -> None:
    """A failure the clerk can act on becomes a plain message; anything else is a bug for the crash dialog."""
    known = known_error(error)
    if known is not None:
        log.warning("操作未完成：%s", known.message)
        box = QMessageBox(QMessageBox.Icon.Warning, "督办台账", known.message, QMessageBox.StandardButton.Ok, parent)
        if known.details:
            box.setDetailedText("\n".join(known.details))
        box.exec()
        return
    sys.excepthook(type(error), error, error.__traceback__)  # the crash dialog, with the worker's traceback


def runner() -> OpRunner:
    """The application's one runner (made on first use, on the GUI thread, owned by the QApplication)."""
    app = QCoreApplication.instance()
    found = app.findChild(OpRunner, RUNNER_NAME)
    if found is None:
        found = OpRunner(app)
        found.setObjectName(RUNNER_NAME)
    return found
