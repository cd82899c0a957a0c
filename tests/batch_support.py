"""What the batch-grid tests share: opening the dialog as a clerk would, and typing as an input method does."""

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from db.ledger import list_units

UNIT = "市住房和城乡建设局"
# The grid's columns (desktop.batch_dialog): 序号 任务 角色 核对 上月状态 上月进度 上月进展 状态 进度 进展情况 存在问题 下步计划 填报人
SEQ, TITLE, ROLE, MARK, LAST_STATUS, LAST_PERCENT, LAST_TEXT = 0, 1, 2, 3, 4, 5, 6
STATUS, PERCENT, PROGRESS, PROBLEMS, NEXT, REPORTER = 7, 8, 9, 10, 11, 12


def open_dialog(qtbot, ledger, unit="住建局", period="2022-06"):
    """The batch dialog, shown and active; a question about unsaved rows is recorded in dialog.asked and answered 放弃."""
    from desktop.batch_dialog import BatchEntryDialog

    with ledger.Session() as session:
        units = [u.name for u in list_units(session)]
    dialog = BatchEntryDialog(ledger, unit=unit, period=period, operator="李四", units=units)
    dialog.asked = []
    dialog.ask_unsaved = lambda: dialog.asked.append("asked") or "discard"  # the teardown closes it: no modal question
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    return dialog


def focused():
    return QApplication.focusWidget()


def ime(widget, text):
    """Type Chinese the way an input method delivers it: one committed string."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def go_to(dialog, row, column):
    dialog.view.setCurrentIndex(dialog.model.index(row, column))


def shown(dialog, row, column):
    return dialog.model.index(row, column).data()
