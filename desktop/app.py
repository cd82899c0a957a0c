"""Starting the window: create the ledger on first run (in a worker, with progress), then show it.

Start-up is kept short (bench/bench_startup.py): the ledger's quick_check runs in a thread while the window's
modules load,
Python's cyclic garbage collector waits until the task table is drawn, and the backup on open runs in
a worker after that.  Nothing the first paint does not need is imported before it (tests/test_startup.py).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import threading
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QEventLoop, QLibraryInfo, QLocale, QObject, Qt, QTimer, QTranslator, Signal, qVersion
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from db.engine import Ledger, default_ledger_path, open_ledger
from db.errors import UserError, known_error
from db.safety import QuickCheck, upkeep_after_open
from desktop.crash_dialog import install_crash_dialog
from desktop.ops import runner
from desktop.safety_dialogs import open_ledger_interactively
from resources import RESOURCES_DIR

log = logging.getLogger("duban.app")
WINDOW_ICON = RESOURCES_DIR / "icon" / "duban.png"
CJK_FONTS = ["Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Sans Serif"]


def _initialisation_needed(ledger: Ledger) -> tuple[str, bool] | None:
    """What the first run must do before the window can show the ledger: (what to tell the clerk, make the plan
    current), or None.  A new ledger gets the bundled plan; one whose bundled plan lacks the shipped errata (made
    by an earlier program) gets them."""
    from db.errata import pending_plan
    from db.ledger import list_plans

    with ledger.Session() as session:
        plans = list_plans(session)
        if ledger.server:  # `duban server init` loads and corrects a server's plan; a window never writes it
            if not plans:
                raise UserError(f"服务器台账 {ledger.label} 中还没有计划：请管理员先运行 duban --db … server init。")
            return None
        pending = pending_plan(session) if plans and not ledger.read_only else None
        make_current = pending.is_current if pending is not None else True
    if plans and pending is None:
        return None
    if ledger.read_only:
        raise UserError(f"台账 {ledger.label} 中还没有计划，只读方式无法创建。")
    return ("正在按内置勘误表更正方案文字……" if plans else "正在从内置的2022年行动方案创建台账……"), make_current


def _initialise(ledger: Ledger, make_current: bool) -> None:
    from db.ledger import init_from_bundled_plan

    init_from_bundled_plan(ledger, make_current=make_current)


def _install_qt_translations(app: QApplication) -> None:
    """Qt's own texts (确定, 取消, 显示详情…) in Simplified Chinese; the build keeps only these catalogues."""
    if app.findChild(QTranslator, "qtbase_zh_CN") is not None:
        return  # already installed by an earlier run_gui in this process
    translator = QTranslator(app)  # parented to the app so it lives as long as the app
    translator.setObjectName("qtbase_zh_CN")
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    else:
        log.warning("未找到 Qt 的简体中文翻译，标准按钮将显示英文")


def _no_display() -> bool:
    """On Linux without X11 or Wayland and no platform chosen, Qt would abort with an English message."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("QT_QPA_PLATFORM")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
    )


def _shown_db(db: str | None) -> str | None:
    """--db as a message may name it: a server URL without its password."""
    from db.pg_engine import display_name, is_server_url

    return display_name(db) if is_server_url(db) else db


def _start_quick_check(db: str | None) -> QuickCheck | None:
    """Check the ledger file in a thread while the window's modules load (open_ledger waits for the result).

    A server ledger has no file to check (db.pg_engine), nor does a password-hidden address (open_ledger refuses it).
    """
    from db.pg_engine import is_server_url, looks_redacted

    if is_server_url(db) or looks_redacted(db):
        return None
    path = Path(db) if db else default_ledger_path()
    try:
        existing = path.is_file() and path.stat().st_size > 0
    except OSError:
        existing = False  # open_ledger reports it
    return QuickCheck(path) if existing else None


class _Upkeep(QObject):
    """The backup on open (db.safety.upkeep_after_open) in a worker once the table is drawn; a failure is told."""

    failed = Signal(str)

    def __init__(self, window):
        super().__init__(window)
        # Emitted on the worker, shown on the GUI thread this object lives in.
        self.failed.connect(self._tell, Qt.ConnectionType.QueuedConnection)

    def _tell(self, text: str) -> None:
        QMessageBox.warning(self.parent(), "督办台账", text)

    def start(self, path: Path) -> threading.Thread:
        # Not a daemon: a backup under way when the window closes is finished before the process exits.
        thread = threading.Thread(target=self._run, args=(path,), name="duban-upkeep")
        thread.start()
        return thread

    def _run(self, path: Path) -> None:
        text = _upkeep_failure(path)
        if text is not None:
            try:
                self.failed.emit(text)
            except RuntimeError:  # the window is gone already; the log has it
                pass


def _upkeep_failure(path: Path) -> str | None:
    """Run the backup on open; None when it went well, else the sentence for the clerk (details in the log)."""
    try:
        upkeep_after_open(path)
    except Exception as exc:  # noqa: BLE001 - the ledger is open and fine; a missing backup must not stop the clerk
        log.warning("打开台账后的自动备份失败：%s", exc, exc_info=True)
        known = known_error(exc, path)
        reason = exc if isinstance(exc, UserError) else known or "详见日志"
        return f"打开台账时的自动备份没有完成：{reason}\n台账本身没有受影响，可以继续使用；请检查备份文件夹所在磁盘的空间和权限。"
    return None


def _when_ops_idle(callback) -> None:
    """Call back from the event loop once the op runner has nothing queued (the window's data has arrived)."""
    from desktop.ops import runner

    ops = runner()
    if not ops.busy:
        QTimer.singleShot(0, callback)
        return

    def once() -> None:
        ops.idle.disconnect(once)
        callback()

    ops.idle.connect(once)


def _wait_until_ops_idle() -> None:
    """Unattended only (--screenshot is a script): run the event loop until the op runner has nothing queued."""
    from desktop.ops import runner

    ops = runner()
    if ops.busy:
        loop = QEventLoop()
        ops.idle.connect(loop.quit)
        loop.exec()
        ops.idle.disconnect(loop.quit)


def _after_first_paint(window, ledger: Ledger) -> threading.Thread | None:
    """Once the table is drawn: collect garbage again, and make the backup on open in a worker (returned)."""
    gc.freeze()  # what start-up made lives on: later collections need not walk it again
    gc.enable()
    if not ledger.upkeep_due:
        return None
    ledger.upkeep_due = False
    return _Upkeep(window).start(ledger.path)  # upkeep_due only ever on a ledger file


def run_gui(args) -> int:
    """Open the window (or render it to a PNG with --screenshot and exit)."""
    # Start-up allocates some 130,000 objects that all live on; collecting cycles among them would only cost
    # time.  Collection resumes once the table is drawn (_after_first_paint), or when start-up fails.
    gc.disable()
    try:
        return _run_gui(args)
    finally:
        gc.enable()


def _run_gui(args) -> int:
    quick_check = _start_quick_check(args.db)
    from db.pg_engine import is_server_url

    if is_server_url(args.db):  # a server that does not answer is given up after a few seconds
        from desktop.server_dialog import limit_connect_wait

        limit_connect_wait()
    if _no_display() and QApplication.instance() is None:
        if not args.screenshot:
            print("错误：没有可用的图形界面（未设置 DISPLAY 或 WAYLAND_DISPLAY），无法打开窗口。"
                  "请在桌面环境中运行；命令行功能见 duban --help。", file=sys.stderr)
            return 2
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setFont(QFont(CJK_FONTS, 10))
    app.setWindowIcon(QIcon(str(WINDOW_ICON)))
    _install_qt_translations(app)
    log.info("窗口启动：Qt %s，PySide6 %s", qVersion(), pyside_version)
    # Unattended screenshots let errors reach the command line; a person at the window gets the crash dialog.
    reporter = None if args.screenshot else install_crash_dialog()
    read_only = getattr(args, "read_only", False)
    try:
        # The window's modules (SQLAlchemy and the ledger's) load while the quick_check reads the file.
        import desktop.main_window  # noqa: F401

        # --screenshot runs unattended (docs, benchmarks): no questions, a refusal is printed.
        options = {"read_only": read_only, "quick_check": quick_check, "defer_upkeep": True}
        ledger = open_ledger(args.db, **options) if args.screenshot else open_ledger_interactively(None, args.db, **options)
        if ledger is None:
            return 2
        if reporter is not None:
            reporter.ledger_path = ledger.label
        needed = _initialisation_needed(ledger)
        if args.screenshot:  # unattended: nothing to paint meanwhile, so the first run builds the ledger right here
            if needed is not None:
                _initialise(ledger, needed[1])
            window = _new_window(ledger, args)
            window.load()  # the grab follows at once, no event loop runs in between
    except UserError as exc:
        if args.screenshot:
            print(f"错误：{exc}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "督办台账", exc.message)
        return 2
    except Exception as exc:
        known = known_error(exc, _shown_db(args.db))
        if known is not None:  # disk full, read-only folder, locked: a message, not the crash dialog
            if args.screenshot:
                print(f"错误：{known}", file=sys.stderr)
            else:
                QMessageBox.critical(None, "督办台账", str(known))
            return 2
        if reporter is None:
            raise
        reporter.report(sys.exc_info())
        return 3
    if args.screenshot:
        _wait_until_ops_idle()  # a window that loads through the op runner is drawn with its tasks, not loading
        code = _screenshot(app, window, args)
        gc.enable()
        if ledger.upkeep_due:  # unattended: after the grab, on this thread, a failure printed
            ledger.upkeep_due = False
            failure = _upkeep_failure(ledger.path)
            if failure is not None:
                print(f"警告：{failure}", file=sys.stderr)
        return code
    windows: list = []  # the window, once the ledger is ready (kept here for the life of the event loop)

    def show_window(_result=None) -> None:
        window = _new_window(ledger, args)
        windows.append(window)
        window.start_loading()  # 正在读取台账…… in the table until the op runner's worker has read it
        _when_ops_idle(lambda: _after_first_paint(window, ledger))

    def initialisation_failed(exc: BaseException) -> None:
        known = known_error(exc, ledger.label)
        if known is not None:
            QMessageBox.critical(None, "督办台账", known.message)
            app.exit(2)
        else:
            reporter.report((type(exc), exc, exc.__traceback__))
            app.exit(3)

    if needed is None:
        show_window()
    else:  # the first run builds the ledger on the worker, with its progress shown
        runner().run(lambda _control: _initialise(ledger, needed[1]), show_window, label=needed[0], cancellable=False, on_failure=initialisation_failed)
    return app.exec()


def _new_window(ledger: Ledger, args):
    """The main window over the ledger, shown (empty until it loads)."""
    from desktop.main_window import MainWindow

    window = MainWindow(ledger)
    if getattr(args, "operator", None):  # --operator names this session's clerk, over the saved preference
        window.operator = args.operator
    window.show()
    return window


def _screenshot(app: QApplication, window, args) -> int:
    """Render one view of the window to a PNG (for the docs and for checks) and exit."""
    app.processEvents()
    if args.view == "conflicts":  # the side-by-side dialog of pending merge conflicts
        from desktop.merge_dialogs import ConflictDialog

        dialog = ConflictDialog(window.ledger, window.operator, window)
        dialog.show()
        app.processEvents()
        return 0 if dialog.grab().save(args.screenshot) else 1
    if args.view == "links":  # 总体方案措施关联, on the measure given by --select
        return _links_screenshot(app, window, args)
    if args.view == "act":  # 记录督查督办事项, on the task --select names
        from desktop.act_dialogs import ActDialog

        dialog = ActDialog(window.ledger, window.plan_id, window.operator, task_code=args.select, parent=window)
        dialog.show()
        app.processEvents()
        return 0 if dialog.grab().save(args.screenshot) else 1
    views = {"annexes": (0, 0), "units": (1, 0), "warnings": (2, 0), "dashboard": (0, 1), "compare": (0, 2), "indicators": (0, 3), "assessment": (0, 4)}
    tree_tab, main_tab = views[args.view]
    window.nav_tabs.setCurrentIndex(tree_tab)
    tree = window.nav_tabs.currentWidget()
    tree.expand(tree.model().index(0, 0))
    if args.select and args.view not in ("indicators", "assessment"):
        with window.ledger.Session() as session:
            from db.ledger import get_task

            window.open_task(get_task(session, args.select).id)
    else:
        window.table.selectRow(0)
    window.tabs.setCurrentIndex(main_tab)
    from desktop.ops import runner

    while runner().busy:  # the dashboard's, the comparison's and the indicators' figures are read on the worker
        app.processEvents()
    if args.view == "indicators" and args.select:  # --select names an indicator here (ZB03-02)
        window.indicators.select(args.select.strip().upper())
        while runner().busy:
            app.processEvents()
    if args.view == "assessment" and args.select:  # --select names a unit here, whose sentence shows
        window.assessment.select(args.select.strip())
    app.processEvents()
    return 0 if window.grab().save(args.screenshot) else 1


def _links_screenshot(app: QApplication, window, args) -> int:
    """The 总体方案措施关联 dialog with its measures read, the --select measure chosen."""
    from desktop.measure_link_dialog import MeasureLinkDialog

    dialog = MeasureLinkDialog(window.ledger, window.operator, window.settings.current_period, window)
    dialog.show()
    _wait_until_ops_idle()
    if args.select:
        dialog.select_measure(args.select)
    dialog.candidates.setFocus()
    app.processEvents()
    return 0 if dialog.grab().save(args.screenshot) else 1
