"""帮助 menu: the bundled user guide (docs/guide.md, rendered offline) and 关于 with the version and the ledger path."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from PySide6.QtCore import Qt
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

    def _link(self, url) -> None:
        """In-page links (#备份与恢复) jump within the guide; nothing is fetched from outside."""
        if url.hasFragment() and not url.path():
            self.browser.scrollToAnchor(url.fragment())
        elif url.isRelative() and url.path().endswith(".md"):
            self.browser.setSource(url)


class AboutDialog(QDialog):
    """关于: which version is running and which ledger file it has open."""

    def __init__(self, ledger_path: Path, parent: QWidget | None = None):
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
