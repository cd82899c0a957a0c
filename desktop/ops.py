"""Ledger work off the GUI thread: one worker thread, results and errors handed back on the main thread.

Modelled on Anki's CollectionOp/QueryOp on a single-thread executor: every read and write of the
ledger queues on the same worker, so two writes never race and the window never waits on a lock.
Nothing here re-enters the event loop; callers continue in their on_success callback.
"""

from __future__ import annotations

import functools
import itertools
import logging
import sys
import threading
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
    """One queued piece of work and what to do with its outcome; held only by the main thread."""

    work: Callable[[JobControl], Any]
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[BaseException], None] | None
    on_cancel: Callable[[], None] | None
    parent: QWidget | None
    writes: bool
    label: str
    cancel: threading.Event = field(default_factory=threading.Event)
    dialog: QProgressDialog | None = None


class OpRunner(QObject):
    """The application's ledger worker: run(work, on_success) queues work and calls back on the main thread.

    Only op numbers cross between threads.  The ops (with their callbacks, widgets and outcomes) are
    held by the main thread, so no Qt object is ever released, and no widget deleted, on the worker.

    Signals:
        busy_changed: True while a write op is queued or running, False once none is (write actions follow it).
        idle: no op is queued or running any more (tests and the unattended screenshot wait on it).
    """

    busy_changed = Signal(bool)
    idle = Signal()
    _finished = Signal(int)  # op number, emitted on the worker once its outcome is stored
    _progressed = Signal(int, int, int, str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="duban-ledger")
        self._ops: dict[int, _Op] = {}
        self._outcomes: dict[int, tuple[bool, Any]] = {}  # written by the worker, taken by the main thread
        self._numbers = itertools.count(1)
        self._writes = 0
        # Queued: the worker emits, the slots run on the thread this runner lives in (the GUI thread).
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._progressed.connect(self._on_progressed, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        """Whether any op is queued or running."""
        return bool(self._ops)

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
        cancellable: bool = True,
        on_failure: Callable[[BaseException], None] | None = None,
        on_cancel: Callable[[], None] | None = None,
    ) -> bool:
        """Queue work(control) on the worker; False (with a message) if it writes while another write is pending.

        label shows a progress dialog after a short delay, with 取消 unless not cancellable; 取消 makes
        control.step raise Cancelled, which calls on_cancel. Failures go to on_failure, or by default: a failure the
        clerk can act on (db.errors.known_error) as a message, anything else to the crash dialog.
        """
        if writes and self._writes:
            if parent is not None:
                QMessageBox.information(parent, "督办台账", BUSY_MESSAGE)
            return False
        number = next(self._numbers)
        op = _Op(work, on_success, on_failure, on_cancel, parent, writes, label or "")
        if label:
            op.dialog = _progress_dialog(label, parent, (lambda: _request_cancel(op)) if cancellable else None)
        self._ops[number] = op
        if writes:
            self._writes += 1
            if self._writes == 1:
                self.busy_changed.emit(True)
        report = functools.partial(self._progressed.emit, number)
        self._executor.submit(self._call, number, work, JobControl(report=report, cancelled=op.cancel.is_set))
        return True

    def query(self, fn: Callable[[], Any], on_success: Callable[[Any], None] | None = None, **options) -> bool:
        """Queue a read: fn() takes no control; same callbacks and options as run()."""
        return self.run(lambda _control: fn(), on_success, **options)

    def _call(self, number: int, work: Callable[[JobControl], Any], control: JobControl) -> None:
        """On the worker: run the work, store its outcome for the main thread, drop every reference, then signal."""
        try:
            outcome = (True, work(control))
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread whatever it is
            outcome = (False, exc)
        self._outcomes[number] = outcome
        del work, outcome  # the main thread's op keeps the work alive: nothing of it is freed on this thread
        self._finished.emit(number)

    def _on_progressed(self, number: int, done: int, total: int, what: str) -> None:
        op = self._ops.get(number)
        dialog = op.dialog if op is not None else None
        if dialog is None or not shiboken6.isValid(dialog) or op.cancel.is_set():
            return
        dialog.setMaximum(max(total, 1))
        dialog.setValue(min(done, max(total, 1)))
        dialog.setLabelText(f"{op.label}\n{what}" if what else op.label)

    def _on_finished(self, number: int) -> None:
        op = self._ops.pop(number)
        succeeded, outcome = self._outcomes.pop(number)
        if op.dialog is not None and shiboken6.isValid(op.dialog):
            op.dialog.close()
            op.dialog.setParent(None)  # owned by Python alone now: freed right here with the op (a deleteLater as well freed it twice)
        op.dialog = None
        if op.writes:
            self._writes -= 1
            if self._writes == 0:
                self.busy_changed.emit(False)
        try:
            if op.parent is not None and not shiboken6.isValid(op.parent):
                _log_orphan(succeeded, outcome)  # the window that asked was closed meanwhile
            elif succeeded:
                if op.on_success is not None:
                    op.on_success(outcome)
            elif isinstance(outcome, Cancelled):
                if op.on_cancel is not None:
                    op.on_cancel()
            elif op.on_failure is not None:
                op.on_failure(outcome)
            else:
                report_failure(op.parent, outcome)
        finally:
            if not self._ops:
                self.idle.emit()


def _log_orphan(succeeded: bool, outcome: Any) -> None:
    """An op whose window was closed while it ran: nothing to show its outcome in, so it is only logged."""
    if succeeded or isinstance(outcome, Cancelled):
        log.info("操作已完成，但发起它的窗口已关闭")
    else:
        log.warning("操作失败，发起它的窗口已关闭", exc_info=(type(outcome), outcome, outcome.__traceback__))


def _progress_dialog(label: str, parent: QWidget | None, cancel: Callable[[], None] | None) -> QProgressDialog:
    dialog = QProgressDialog(label, "取消" if cancel else "", 0, 0, parent)
    dialog.setWindowTitle("督办台账")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(PROGRESS_DELAY_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if cancel is None:
        dialog.setCancelButton(None)
    else:
        dialog.canceled.connect(cancel)
    return dialog


def _request_cancel(op: _Op) -> None:
    op.cancel.set()
    if op.dialog is not None and shiboken6.isValid(op.dialog):
        op.dialog.setLabelText("正在取消……")


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

