"""Window sizes relative to the screen the clerk has (1366×768 office PCs), never fixed pixels."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

# Below this available size a main window opens maximised rather than as a floating window.
SMALL_SCREEN = (1440, 900)
# What a window frame and title bar add around a widget's geometry on common window managers.
FRAME_ALLOWANCE = (16, 40)


def available_geometry(widget: QWidget | None = None) -> QRect:
    """The usable part (without task bar) of the widget's screen, or of the primary screen."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def is_small_screen(widget: QWidget | None = None) -> bool:
    """True on screens like 1366×768 and 1280×720, where windows should use all the room there is."""
    area = available_geometry(widget)
    return area.width() < SMALL_SCREEN[0] or area.height() < SMALL_SCREEN[1]


def fit_to_screen(widget: QWidget, width_share: float, height_share: float, *, most: tuple[int, int] | None = None) -> None:
    """Size a window to a share of its screen's free area (capped by most=(w, h)) and centre it there.

    The frame allowance keeps title bar and borders on the screen too; minimum sizes larger than the
    screen are lowered so nothing ends up off-screen.
    """
    area = available_geometry(widget)
    room_w, room_h = area.width() - FRAME_ALLOWANCE[0], area.height() - FRAME_ALLOWANCE[1]
    width, height = int(room_w * width_share), int(room_h * height_share)
    if most is not None:
        width, height = min(width, most[0]), min(height, most[1])
    hint = widget.minimumSizeHint()
    width = min(max(width, hint.width()), room_w)
    height = min(max(height, hint.height()), room_h)
    widget.setMinimumSize(min(widget.minimumWidth(), room_w), min(widget.minimumHeight(), room_h))
    widget.resize(width, height)
    widget.move(area.x() + max(0, (area.width() - width - FRAME_ALLOWANCE[0]) // 2), area.y() + max(0, (area.height() - height - FRAME_ALLOWANCE[1]) // 2))


def fits_on_screen(widget: QWidget) -> bool:
    """Whether the whole window, frame included, lies inside its screen's free area (for tests and checks)."""
    area = available_geometry(widget)
    frame = widget.frameGeometry()
    if frame.width() <= widget.width():  # not yet decorated by a window manager (offscreen): allow for it
        frame = QRect(widget.x(), widget.y(), widget.width() + FRAME_ALLOWANCE[0], widget.height() + FRAME_ALLOWANCE[1])
    return area.contains(frame)
