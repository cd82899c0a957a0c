"""desktop/screen.py: asking a window's screen leaves Qt's screens alone."""

import gc

import pytest
import shiboken6
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog

from desktop.screen import available_geometry


@pytest.mark.gui
def test_a_dialogs_screen_outlives_the_dialog(qtbot):
    """A dialog sized to its screen, then collected, must not take the QScreen with it (a later window crashed)."""
    screen = QGuiApplication.primaryScreen()
    dialog = QDialog()
    assert available_geometry(dialog).width() > 0
    dialog.cycle = dialog  # freed by the garbage collector, as dialogs with connected lambdas are
    del dialog
    gc.collect()
    assert shiboken6.isValid(screen) and not shiboken6.ownedByPython(screen)
    assert screen.availableGeometry() == available_geometry(None)
