"""The main window on a 1366×768 office screen, used as a clerk does: chips, tree clicks, remembered state, keyboard, menus."""

import shutil

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QLineEdit, QMessageBox

from db.engine import open_ledger
from db.settings import load_settings, save_settings
from desktop.task_model import COL_DEADLINE, COL_LEAD, COL_LIGHT, COL_PERCENT, COL_STATUS, COL_TITLE, TASK_ROLE

pytestmark = pytest.mark.gui
MAIN_COLUMNS = (COL_TITLE, COL_DEADLINE, COL_STATUS, COL_PERCENT, COL_LEAD)


@pytest.fixture
def prefs_path(tmp_path):
    return tmp_path / "prefs.ini"


@pytest.fixture
def demo_ledger(demo_year_file, tmp_path):
    """A private copy of the demo year (December 2022 reported), as the office has it in January."""
    path = tmp_path / "demo" / "ledger.sqlite"
    path.parent.mkdir()
    shutil.copy(demo_year_file, path)
    ledger = open_ledger(path)
    yield ledger
    ledger.close()


def open_window(qtbot, ledger, prefs_path):
    """The window as app.py starts it: shown at once, the ledger read on the op runner's worker."""
    from desktop.main_window import MainWindow
    from desktop.ops import runner

    window = MainWindow(ledger, QSettings(str(prefs_path), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(runner().idle, timeout=20000):
        window.start_loading()
    return window


@pytest.fixture
def window(qtbot, demo_ledger, prefs_path):
    return open_window(qtbot, demo_ledger, prefs_path)


def when_modal(kind, act):
    """Answer the next modal dialog of this kind (it blocks the test's call until it is closed)."""

    def look():
        widget = QApplication.activeModalWidget()
        if isinstance(widget, kind):
            act(widget)
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


def wait_idle(qtbot):
    from desktop.ops import runner

    qtbot.waitUntil(lambda: not runner().busy, timeout=20000)


def click(qtbot, view, index):
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center())


def shown(window):
    return [window.proxy.index(r, 0).data(TASK_ROLE) for r in range(window.proxy.rowCount())]


def test_window_fills_the_office_screen_and_shows_the_main_columns_without_scrolling(window, qtbot):
    screen = window.screen().availableGeometry()
    assert (screen.width(), screen.height()) == (1366, 768)
    assert window.isMaximized()
    qtbot.waitUntil(lambda: window.width() == 1366)
    header = window.table.horizontalHeader()
    viewport = window.table.viewport().width()
    for column in MAIN_COLUMNS:
        assert not header.isSectionHidden(column)
        left = header.sectionViewportPosition(column)
        assert 0 <= left and left + header.sectionSize(column) <= viewport, window.model.headerData(column, Qt.Orientation.Horizontal)
    assert header.sectionSize(COL_TITLE) >= 300  # 任务 takes what is left
    assert window.table.horizontalScrollBar().maximum() == 0
    assert window.outer.sizes()[0] >= 200  # the navigation tree keeps a usable width
    # Long text is cut with … and given whole in the tooltip.
    row = next(r for r in range(window.proxy.rowCount()) if len(window.proxy.index(r, COL_LEAD).data()) > 12)
    assert window.proxy.index(row, COL_LEAD).data(Qt.ItemDataRole.ToolTipRole) == window.proxy.index(row, COL_LEAD).data()
    assert window.table.textElideMode() == Qt.TextElideMode.ElideRight
    # The filter bar wraps before the search box gets narrow.
    assert window.search.width() >= window.search.fontMetrics().horizontalAdvance("中") * 20


def test_a_warning_chosen_in_the_tree_is_a_chip_that_can_be_removed_alone(window, qtbot):
    window.nav_tabs.setCurrentIndex(2)
    overdue = window.warning_view.model().index(0, 0)
    click(qtbot, window.warning_view, overdue)
    red = window.proxy.rowCount()
    assert 0 < red < 373 and all(r.state.colour == "red" for r in shown(window))
    assert window.chips.isVisible() and window.chips.texts() == ["预警：逾期"]
    # A search now narrows the overdue tasks, and says so.
    qtbot.keyClicks(window.search, "zjj")
    qtbot.waitUntil(lambda: window.proxy.rowCount() < red)
    assert window.chips.texts() == ["预警：逾期", "搜索：zjj"]
    with_search = window.proxy.rowCount()
    qtbot.mouseClick(window.chips.chip("colour").button, Qt.MouseButton.LeftButton)
    assert window.chips.texts() == ["搜索：zjj"]
    assert window.proxy.rowCount() > with_search  # all of 住建局's tasks, not only the overdue ones
    assert window.search.text() == "zjj"
    qtbot.mouseClick(window.chips.chip("text").button, Qt.MouseButton.LeftButton)
    assert window.proxy.rowCount() == 373 and window.search.text() == "" and not window.chips.isVisible()


def test_clicking_the_highlighted_tree_node_again_reapplies_it(window, qtbot):
    annex3 = window.annex_view.model().index(2, 0, window.annex_view.model().index(0, 0))
    click(qtbot, window.annex_view, annex3)
    assert window.proxy.rowCount() == 12
    window.annex_combo.setCurrentIndex(0)  # the clerk widens the table in the bar
    assert window.proxy.rowCount() == 373 and window.annex_view.currentIndex() == annex3
    click(qtbot, window.annex_view, annex3)
    assert window.proxy.rowCount() == 12 and window.chips.texts()[0].startswith("附件：附件3")


def test_several_words_must_all_match_full_width_spaces_too(window, qtbot):
    qtbot.keyClicks(window.search, "zjj")
    qtbot.waitUntil(lambda: window.proxy.rowCount() < 373)
    housing = {r.task.code for r in shown(window)}
    window.search.setText("zjj\u3000审批")
    qtbot.waitUntil(lambda: window.proxy.rowCount() < len(housing))
    both = shown(window)
    assert both and {r.task.code for r in both} < housing
    assert all("审批" in r.haystack for r in both)
    window.search.setText("审批 zjj")  # the order does not matter
    qtbot.waitUntil(lambda: {r.task.code for r in shown(window)} == {r.task.code for r in both})


def test_view_is_remembered_across_restarts(qtbot, demo_ledger, prefs_path, window):
    window.nav_tabs.setCurrentIndex(1)
    model = window.unit_view.model()
    departments = model.index(0, 0)
    unit = model.index(0, 0, departments)
    window.unit_view.expand(departments)
    window.unit_view.expand(unit)
    lead = model.index(0, 0, unit)
    click(qtbot, window.unit_view, lead)
    window.status_combo.setCurrentText("推进中")
    chosen = shown(window)[1].task.id
    window.open_task(chosen)
    window.table.horizontalHeader().resizeSection(COL_LEAD, 222)
    window.task_split.setSizes([300, 200])
    split = window.task_split.sizes()
    chips = window.chips.texts()
    rows = window.proxy.rowCount()
    window.close()

    again = open_window(qtbot, demo_ledger, prefs_path)
    assert again.isMaximized()
    assert again.nav_tabs.currentIndex() == 1
    assert again.unit_view.isExpanded(again.unit_view.model().index(0, 0))
    assert again.unit_view.currentIndex().data() == lead.data()
    assert again.chips.texts() == chips and again.proxy.rowCount() == rows
    assert again.status_combo.currentText() == "推进中"
    assert again.current_task_id() == chosen
    assert again.table.horizontalHeader().sectionSize(COL_LEAD) == 222
    assert again.task_split.sizes() == split


def test_settings_ok_keeps_size_trees_filters_and_selection(window, qtbot, demo_ledger):
    from desktop.settings_dialog import SettingsDialog

    window.nav_tabs.setCurrentIndex(2)
    overdue = window.warning_view.model().index(0, 0)
    window.warning_view.expand(overdue)
    click(qtbot, window.warning_view, overdue)
    window.search.setText("审批")
    qtbot.waitUntil(lambda: len(window.chips.texts()) == 2)
    window.table.selectRow(1)
    chosen = window.current_task_id()
    size = window.size()

    def change_and_accept(dialog):
        dialog.due_soon_days.setValue(dialog.due_soon_days.value() + 5)
        dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    when_modal(SettingsDialog, change_and_accept)
    next(a for a in window.actions() if a.text() == "设置…").trigger()
    wait_idle(qtbot)
    with demo_ledger.Session() as s:
        assert load_settings(s).due_soon_days == window.settings.due_soon_days
    assert window.size() == size and window.isMaximized()
    assert window.nav_tabs.currentIndex() == 2
    assert window.warning_view.isExpanded(window.warning_view.model().index(0, 0))
    assert window.warning_view.currentIndex().row() == 0
    assert window.chips.texts() == ["预警：逾期", "搜索：审批"] and window.search.text() == "审批"
    assert window.current_task_id() == chosen


def test_enter_on_a_row_opens_the_entry_form_and_tab_leaves_the_table(window, qtbot):
    from desktop.entry_dialog import ProgressEntryDialog

    window.table.setFocus()
    window.table.selectRow(0)
    task_id = window.current_task_id()
    opened = []

    def close(dialog):
        opened.append(dialog.windowTitle())
        dialog.reject()

    when_modal(ProgressEntryDialog, close)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert len(opened) == 1
    assert window.current_task_id() == task_id
    window.activateWindow()
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus)
    column = window.table.currentIndex().column()
    qtbot.keyClick(window.table, Qt.Key.Key_Tab)
    assert not window.table.hasFocus() and QApplication.focusWidget() is not None
    assert window.table.currentIndex().column() == column  # Tab did not walk to the next cell


def test_guide_and_about_open_from_the_help_menu(window, qtbot):
    from desktop.about import AboutDialog, GuideDialog

    seen = {}

    def read_guide(dialog):
        qtbot.wait(500)  # the document lays itself out while shown
        seen["guide"] = (dialog.browser.toPlainText(), dialog.heading_titles(), dialog.size(), dialog.browser.horizontalScrollBar().maximum())
        dialog.reject()

    when_modal(GuideDialog, read_guide)
    next(a for a in window.actions() if a.text() == "使用说明").trigger()
    text, headings, size, sideways = seen["guide"]
    assert "督办台账使用说明" in text and "备份与恢复" in headings
    assert size.width() <= 1366 and size.height() <= 768 and sideways == 0  # screenshots scaled to the dialog

    def read_about(dialog):
        seen["about"] = dialog.text()
        dialog.accept()

    when_modal(AboutDialog, read_about)
    next(a for a in window.actions() if a.text() == "关于督办台账").trigger()
    from desktop.about import duban_version

    assert duban_version() in seen["about"] and str(window.ledger.path) in seen["about"]


def test_backup_from_the_menu_writes_a_checked_copy_of_this_ledger(window, qtbot, tmp_path):
    from db.safety import check_file, ledger_facts

    dest = tmp_path / "U盘" / "台账-2022-12.sqlite"
    dest.parent.mkdir()
    said = []

    def choose(dialog):
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(dest))  # typed into the name field
        dialog.accept()

    def note(box):
        said.append(box.text())
        box.accept()

    when_modal(QFileDialog, choose)
    next(a for a in window.actions() if a.text() == "备份台账…").trigger()
    when_modal(QMessageBox, note)
    qtbot.waitUntil(lambda: bool(said), timeout=20000)
    assert check_file(dest) == []
    assert ledger_facts(dest).ledger_id == ledger_facts(window.ledger.path).ledger_id
    assert str(dest) in said[0] and "完整性检查" in said[0]


def test_restore_from_the_menu_puts_the_backup_back_and_reopens(window, qtbot, tmp_path):
    from db.progress import ProgressInput, add_progress, list_progress
    from db.safety import backup_to

    backup = backup_to(window.ledger.path, tmp_path / "before.sqlite")
    with window.ledger.Session.begin() as s:
        add_progress(s, ProgressInput("A03-01", "市住建局", "2023-01", "推进中", 90, "备份之后录入的"), operator="测试")
    answers = []

    def choose(dialog):
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(backup))
        dialog.accept()

    def confirm(box):
        answers.append(box.text())
        box.button(QMessageBox.StandardButton.Yes).click() if box.button(QMessageBox.StandardButton.Yes) else box.accept()
        if len(answers) < 2:
            when_modal(QMessageBox, confirm)

    when_modal(QFileDialog, choose)
    when_modal(QMessageBox, confirm)
    next(a for a in window.actions() if a.text() == "从备份恢复…").trigger()
    qtbot.waitUntil(lambda: len(answers) == 2 and window.model is not None, timeout=20000)
    wait_idle(qtbot)
    assert "替换当前台账" in answers[0] and "已用 before.sqlite 恢复台账" in answers[1]
    with window.ledger.Session() as s:
        assert all(e.progress_text != "备份之后录入的" for e in list_progress(s, task_code="A03-01"))
    assert window.model.rowCount() == 373


def test_f5_while_loading_waits_for_the_ledger(qtbot, demo_ledger, prefs_path):
    from desktop.main_window import LOADING, MainWindow
    from desktop.ops import runner

    window = MainWindow(demo_ledger, QSettings(str(prefs_path), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(runner().idle, timeout=20000):
        window.start_loading()
        assert window.table_stack.currentWidget() is window.loading_label and window.loading_label.text() == LOADING
        next(a for a in window.actions() if a.text() == "刷新").trigger()
        window.entry_action.trigger()
        assert LOADING in window.statusBar().currentMessage()
    assert window.table_stack.currentWidget() is window.table and window.model.rowCount() == 373


def test_write_actions_are_off_while_a_write_runs(window, qtbot):
    import threading

    from desktop.ops import runner

    release = threading.Event()
    with qtbot.waitSignal(runner().busy_changed):
        runner().run(lambda _control: release.wait(5), writes=True)
    assert not window.entry_action.isEnabled() and not window.restore_action.isEnabled()
    with qtbot.waitSignal(runner().idle, timeout=5000):
        release.set()
    assert window.entry_action.isEnabled()


def test_settings_change_of_period_reaches_every_view(window, qtbot, demo_ledger):
    """The period moved in the ledger (another clerk, the CLI): F5 shows the new month's colours and keeps the filter."""
    window.nav_tabs.setCurrentIndex(2)
    click(qtbot, window.warning_view, window.warning_view.model().index(0, 0))
    with demo_ledger.Session.begin() as s:
        settings = load_settings(s)
        settings.current_period = "2022-06"
        save_settings(s, settings, operator="测试")
    window.refresh()
    wait_idle(qtbot)
    assert "2022年6月" in window.period_label.text()
    assert window.chips.texts() == ["预警：逾期"]
    assert all(r.state.colour == "red" for r in shown(window))
    assert window.proxy.index(0, COL_LIGHT).data() == "逾期" or window.proxy.rowCount() == 0


def test_a_correction_reload_keeps_columns_and_view(window, qtbot):
    from desktop.task_model import COL_SUPPORT

    header = window.table.horizontalHeader()
    header.resizeSection(COL_LEAD, 211)
    window.status_combo.setCurrentText("滞后")
    rows = window.proxy.rowCount()
    from desktop.ops import runner

    with qtbot.waitSignal(runner().idle, timeout=20000):
        window.reload()
    assert header.sectionSize(COL_LEAD) == 211 and header.isSectionHidden(COL_SUPPORT)
    assert header.visualIndex(COL_LEAD) == header.visualIndex(COL_TITLE) + 1
    assert window.chips.texts() == ["状态：滞后"] and window.proxy.rowCount() == rows


def test_a_dashboard_month_is_a_chip_too(window, qtbot):
    window.tabs.setCurrentIndex(1)
    window.dashboard.filter_requested.emit("period", "2022-12")
    assert window.tabs.currentIndex() == 0
    red = window.proxy.rowCount()
    assert red > 0 and window.chips.texts() == [f"指定任务：2022年12月逾期（{red} 项）"]
    qtbot.mouseClick(window.chips.chip("task_ids").button, Qt.MouseButton.LeftButton)
    assert window.proxy.rowCount() == 373


def test_at_1024_px_the_filter_bar_wraps_instead_of_squeezing_the_search_box(window, qtbot):
    window.showNormal()
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.width() == 1024)
    char = window.search.fontMetrics().horizontalAdvance("中")
    assert window.search.width() >= char * 20  # "搜…" was the bug
    bar = window.filter_bar.rect()
    for widget in (window.search, window.annex_combo, window.unit_combo, window.role_combo, window.status_combo, window.due_combo):
        top_left = widget.mapTo(window.filter_bar, widget.rect().topLeft())
        bottom_right = widget.mapTo(window.filter_bar, widget.rect().bottomRight())
        assert bar.contains(top_left) and bar.contains(bottom_right), widget
    assert window.filter_bar.height() > window.search.height() * 1.5  # two lines


@pytest.mark.parametrize(
    "saved",
    [
        "{not json",
        '{"version": 1, "trees": {"units": {"expanded": [{"a": 1}], "current": 5}}, "filter": {"annex": "x", "task_ids": "all"}, "nav_tab": 99}',
        '{"version": 1, "trees": [], "filter": [], "search": 7, "task": "A03-01", "main_tab": "dashboard"}',
        '[1, 2]',
    ],
)
def test_a_damaged_remembered_view_opens_a_plain_window(qtbot, demo_ledger, prefs_path, saved):
    prefs = QSettings(str(prefs_path), QSettings.Format.IniFormat)
    prefs.setValue("view", saved)
    prefs.sync()
    window = open_window(qtbot, demo_ledger, prefs_path)
    assert window.model.rowCount() == 373
    assert window.proxy.rowCount() == 373 and window.chips.texts() == []


def test_open_a_field_packet_from_the_menu(window, qtbot, tmp_path):
    from db.packets import export_packet

    packet = export_packet(window.ledger, tmp_path / "外勤-住建局.duban", period="2022-12", units=["市住房和城乡建设局"], operator="测试")
    office = window.ledger.path

    def choose(dialog):
        assert dialog.nameFilters()[0].startswith("外勤数据包")  # the packet entry offers packets first
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(packet))
        dialog.accept()

    when_modal(QFileDialog, choose)
    next(a for a in window.actions() if a.text() == "打开外勤数据包…").trigger()
    wait_idle(qtbot)
    assert window.model is not None and window.ledger.path == packet
    assert "外勤数据包" in window.windowTitle() and "外勤数据包" in window.period_label.text()
    assert office.exists()
    window.ledger.close()  # the packet; the office ledger was closed when the window switched


def test_restoring_a_packet_is_questioned_and_no_leaves_the_ledger_alone(window, qtbot, tmp_path):
    from db.packets import export_packet
    from db.safety import ledger_facts

    packet = export_packet(window.ledger, tmp_path / "外勤.duban", period="2022-12", units=["市住房和城乡建设局"], operator="测试")
    before = ledger_facts(window.ledger.path)
    asked = []

    def choose(dialog):
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(packet))
        dialog.accept()

    def decline(box):
        asked.append(box.text())
        box.button(QMessageBox.StandardButton.No).click()

    when_modal(QFileDialog, choose)
    when_modal(QMessageBox, decline)
    next(a for a in window.actions() if a.text() == "从备份恢复…").trigger()
    qtbot.waitUntil(lambda: bool(asked), timeout=20000)
    wait_idle(qtbot)
    assert "不是台账备份，而是一个外勤数据包" in asked[0] and "仍要用它替换当前台账吗" in asked[0]
    assert ledger_facts(window.ledger.path) == before and not before.packet
    assert window.model is not None and not window.ledger.read_only
    with window.ledger.Session() as s:  # still open and usable
        assert load_settings(s).current_period == "2022-12"
