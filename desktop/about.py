"""帮助 menu: the bundled user guide (docs/guide.md, rendered offline) and 关于 with the version and the ledger path."""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextCursor, QTextDocument, QTextOption
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from desktop.screen import fit_to_screen
from resources import RESOURCES_DIR

# docs/ sits beside resources/ in the source tree and in the PyInstaller bundle (build.spec's datas).
GUIDE = RESOURCES_DIR.parent / "docs" / "guide.md"


def duban_version() -> str:
    try:
        return version("duban")
    except PackageNotFoundError:
        return "未安装版本（源码运行）"


class GuideDialog(QDialog):
    """使用说明: the guide shipped with the program, with its screenshots; links inside it scroll, outside links open nothing."""

    def __init__(self, parent: QWidget | None = None, guide: Path = GUIDE):
        super().__init__(parent)
        self.setWindowTitle("督办台账使用说明")
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(False)
        self.browser.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.browser.setSearchPaths([str(guide.parent)])
        try:
            text = guide.read_text(encoding="utf-8")
        except OSError as exc:
            text = f"# 找不到使用说明\n\n程序附带的使用说明 {guide} 无法读取（{exc.strerror or exc}）。请重新安装督办台账。"
        self.browser.setMarkdown(text)
        self.browser.anchorClicked.connect(self._link)
        self.browser.setOpenLinks(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
        fit_to_screen(self, 0.8, 0.9, most=(1100, 1000))
        self._fit_images(guide.parent, self.width() - 120)  # room for margins and the scroll bar

    def _fit_images(self, folder: Path, width: int) -> None:
        """The guide's screenshots are wider than a small screen: shown scaled to the dialog's width; code lines wrap."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().nonBreakableLines():  # a long command line wraps rather than scroll sideways
                cursor = QTextCursor(block)
                fmt = block.blockFormat()
                fmt.setNonBreakableLines(False)
                cursor.setBlockFormat(fmt)
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    image_format = fmt.toImageFormat()
                    natural = QImage(str(folder / image_format.name())).width()
                    if natural > width:
                        image_format.setWidth(width)
                        cursor = QTextCursor(document)
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                        cursor.setCharFormat(image_format)
                it += 1
            block = block.next()

    def heading_titles(self) -> list[str]:
        """The guide's headings as shown (tests and the table of contents' links)."""
        return [b.text() for b in _blocks(self.browser.document()) if b.blockFormat().headingLevel() > 0]

    def _link(self, url) -> None:
        """The contents' links (#备份与恢复) jump to their heading; nothing is fetched from outside."""
        if not url.hasFragment() or url.path():
            return
        wanted = url.fragment()
        for block in _blocks(self.browser.document()):
            if block.blockFormat().headingLevel() > 0 and _slug(block.text()) == wanted:
                top = self.browser.document().documentLayout().blockBoundingRect(block).top()
                self.browser.verticalScrollBar().setValue(int(top))
                return


def _blocks(document: QTextDocument):
    block = document.begin()
    while block.isValid():
        yield block
        block = block.next()


def _slug(heading: str) -> str:
    """A heading's anchor as Markdown renderers name it: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading).strip().lower().replace(" ", "-")


class AboutDialog(QDialog):
    """关于: which version is running and which ledger file it has open."""

    def __init__(self, ledger_path: Path | str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("关于督办台账")
        self.label = QLabel(
            f"<h3>督办台账 {duban_version()}</h3>"
            "<p>三门峡市营商环境优化提升行动方案任务督办台账，离线运行。</p>"
            f"<p>当前台账：<br>{ledger_path}</p>"
        )
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)
        fit_to_screen(self, 0.4, 0.3, most=(560, 320))

    def text(self) -> str:
        return self.label.text()
