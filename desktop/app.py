"""Starting the window: create the ledger on first run (in a worker, with progress), then show it."""

from __future__ import annotations

import logging
import os
import sys

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator, qVersion
from PySide6.QtGui import QFont, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from db.engine import Ledger, open_ledger
from db.errors import UserError, known_error
from db.errata import pending_plan
from db.ledger import init_from_bundled_plan, list_plans
from desktop.crash_dialog import install_crash_dialog
from desktop.jobs import call_off_gui_thread
from desktop.safety_dialogs import open_ledger_interactively
from resources import RESOURCES_DIR

log = logging.getLogger("duban.app")
WINDOW_ICON = RESOURCES_DIR / "icon" / "duban.png"
CJK_FONTS = ["Microsoft YaHei UI", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Sans Serif"]


def _ensure_initialised(ledger: Ledger, show_progress: bool) -> None:
    """On first run, build the ledger from the bundled plan in a worker, with visible progress; a ledger
    whose bundled plan lacks the shipped errata (made by an earlier program) gets them the same way."""
    with ledger.Session() as session:
        plans = list_plans(session)
        pending = pending_plan(session) if plans and not ledger.read_only else None
        make_current = pending.is_current if pending is not None else True
    if plans and pending is None:
        return
    if ledger.read_only:
        raise UserError(f"台账 {ledger.path} 中还没有计划，只读方式无法创建。")
    message = "正在按内置勘误表更正方案文字……" if plans else "正在从内置的2022年行动方案创建台账……"
    dialog = QProgressDialog(message, None, 0, 0)
    dialog.setWindowTitle("督办台账")
    if show_progress:
        dialog.show()
    try:
        call_off_gui_thread(lambda: init_from_bundled_plan(ledger, make_current=make_current))
    finally:
        dialog.close()


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


def run_gui(args) -> int:
    """Open the window (or render it to a PNG with --screenshot and exit)."""
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
    log.info("窗口启动：Qt %s，PySide6 %s", qVersion(), PYSIDE_VERSION)
    # Unattended screenshots let errors reach the command line; a person at the window gets the crash dialog.
    reporter = None if args.screenshot else install_crash_dialog()
    read_only = getattr(args, "read_only", False)
    try:
        # --screenshot runs unattended (docs, benchmarks): no questions, a refusal is printed.
        ledger = open_ledger(args.db, read_only=read_only) if args.screenshot else open_ledger_interactively(None, args.db, read_only=read_only)
        if ledger is None:
            return 2
        if reporter is not None:
            reporter.ledger_path = ledger.path
        _ensure_initialised(ledger, show_progress=not args.screenshot)
        from desktop.main_window import MainWindow

        window = MainWindow(ledger)
        if getattr(args, "operator", None):  # --operator names this session's clerk, over the saved preference
            window.operator = args.operator
        window.show()
        if args.screenshot:
            window.load()  # unattended: the grab follows at once, no event loop runs in between
        else:
            window.start_loading()  # 正在读取台账…… in the table until the op runner's worker has read it
    except UserError as exc:
        if args.screenshot:
            print(f"错误：{exc}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "督办台账", exc.message)
        return 2
    except Exception as exc:
        known = known_error(exc, args.db)
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
        return _screenshot(app, window, args)
    return app.exec()


def _screenshot(app: QApplication, window, args) -> int:
    """Render one view of the window to a PNG (for the docs and for checks) and exit."""
    app.processEvents()
    if args.view == "conflicts":  # the side-by-side dialog of pending merge conflicts
        from desktop.merge_dialogs import ConflictDialog

        dialog = ConflictDialog(window.ledger, window.operator, window)
        dialog.show()
        app.processEvents()
        return 0 if dialog.grab().save(args.screenshot) else 1
    views = {"annexes": (0, 0), "units": (1, 0), "warnings": (2, 0), "dashboard": (0, 1), "compare": (0, 2)}
    tree_tab, main_tab = views[args.view]
    window.nav_tabs.setCurrentIndex(tree_tab)
    tree = window.nav_tabs.currentWidget()
    tree.expand(tree.model().index(0, 0))
    if args.select:
        with window.ledger.Session() as session:
            from db.ledger import get_task

            window.open_task(get_task(session, args.select).id)
    else:
        window.table.selectRow(0)
    window.tabs.setCurrentIndex(main_tab)
    from desktop.ops import runner

    while runner().busy:  # the dashboard's and the comparison's figures are read on the worker
        app.processEvents()
    app.processEvents()
    return 0 if window.grab().save(args.screenshot) else 1
