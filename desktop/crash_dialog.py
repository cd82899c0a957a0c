"""Unexpected errors in the window: log them with the traceback and tell the clerk in one plain sentence."""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from db.errors import known_error, shown
from desktop.logs import current_log_file, log_location_text

log = logging.getLogger("duban.crash")

HEADLINE = "出现了意外错误，当前操作未完成。"
DATA_KEPT = "此前已保存的台账数据不受影响：每次保存都是一个完整的事务，未完成的操作不会留下一半的数据。"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def crash_box(parent: QWidget | None, exc_info: ExcInfo) -> tuple[QMessageBox, QPushButton | None]:
    """The crash dialog, built but not shown, and its 打开日志文件夹 button (None without a log file)."""
    kind, value, tb = exc_info
    box = QMessageBox(QMessageBox.Icon.Critical, "督办台账 - 意外错误", HEADLINE, QMessageBox.StandardButton.Ok, parent)
    path = current_log_file()
    help_line = "如需帮助，请把该日志文件发给维护人员。" if path else ""
    box.setInformativeText(f"{DATA_KEPT}\n\n{log_location_text()}\n{help_line}程序可以继续使用。")
    summary = "".join(traceback.format_exception_only(kind, value)).strip()
    box.setDetailedText(f"{summary}\n\n{''.join(traceback.format_exception(kind, value, tb))}")
    open_folder = box.addButton("打开日志文件夹", QMessageBox.ButtonRole.ActionRole) if path else None
    return box, open_folder


def show_crash_dialog(parent: QWidget | None, exc_info: ExcInfo) -> None:
    """The crash dialog: what happened, that saved data is kept, where the log is; the traceback behind 显示详细信息."""
    box, open_folder = crash_box(parent, exc_info)
    box.exec()
    path = current_log_file()
    if open_folder is not None and path is not None and box.clickedButton() is open_folder:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path.parent)))


class CrashReporter(QObject):
    """Receives uncaught exceptions from any thread and shows them on the GUI thread, one dialog at a time.

    Attributes:
        ledger_path: the open ledger's path, named when a SQLite failure (disk full, locked) is shown.

    Signals:
        raised: an exception tuple, emitted from whichever thread failed; queued to the GUI thread.
    """

    raised = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.ledger_path = None  # the open ledger, named in a message about a SQLite failure (set by the app)
        self._showing = False
        self.raised.connect(self._on_raised)

    def report(self, exc_info: ExcInfo) -> None:
        """Log the exception with its traceback, then show the dialog (queued if not on the GUI thread).

        A failure the clerk can act on (disk full, read-only folder, no permission, ledger locked after
        the timeout, I/O error; see db.errors.known_error) is a plain warning message, not the crash dialog.
        """
        if known_error(exc_info[1], self.ledger_path) is not None:
            log.warning("读写错误（窗口）：%s", shown(exc_info[1]), exc_info=exc_info)
        else:
            log.error("意外错误（窗口）", exc_info=exc_info)
        if threading.current_thread() is threading.main_thread():  # the GUI thread
            self._on_raised(exc_info)
        else:
            self.raised.emit(exc_info)

    def _on_raised(self, exc_info: ExcInfo) -> None:
        if self._showing:  # an error while the dialog is open is logged, not stacked on top
            return
        self._showing = True
        try:
            known = known_error(exc_info[1], self.ledger_path)
            if known is not None:
                box = QMessageBox(QMessageBox.Icon.Warning, "督办台账", known.message, QMessageBox.StandardButton.Ok, QApplication.activeWindow())
                if known.details:
                    box.setDetailedText("\n".join(known.details))
                box.exec()
                return
            show_crash_dialog(QApplication.activeWindow(), exc_info)
        finally:
            self._showing = False

    def excepthook(self, kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
        """sys.excepthook: Qt slots and QThread.run land here."""
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        self.report((kind, value, tb))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """threading.excepthook: plain Python threads land here."""
        if args.exc_type is SystemExit:
            return
        self.report((args.exc_type, args.exc_value, args.exc_traceback))


_reporter: CrashReporter | None = None


def install_crash_dialog() -> CrashReporter:
    """Route uncaught exceptions (GUI thread and workers) to the crash dialog and the log; the app keeps running.

    Call on the GUI thread once the QApplication exists.
    """
    global _reporter
    if _reporter is None:
        _reporter = CrashReporter()  # created here, on the GUI thread, so emits from workers are queued to it
    sys.excepthook = _reporter.excepthook
    threading.excepthook = _reporter.thread_excepthook
    return _reporter
