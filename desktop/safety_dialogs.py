"""Opening a ledger from the window: offer the latest good backup for a damaged file, a read-only view for one in use."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from db.engine import Ledger, open_ledger
from db.safety import LedgerDamaged, LedgerInUse, restore

TITLE = "督办台账"
YES, NO = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


def question_box(parent: QWidget | None, text: str, details: list[str]) -> QMessageBox:
    """A 是/否 question about the ledger, its evidence (the backups tried, say) behind 显示详细信息."""
    box = QMessageBox(QMessageBox.Icon.Question, TITLE, text, YES | NO, parent)
    box.setDefaultButton(YES)
    if details:
        box.setDetailedText("\n".join(details))
    return box


def _ask(parent: QWidget | None, text: str, details: list[str]) -> bool:
    return question_box(parent, text, details).exec() == YES


def open_ledger_interactively(parent: QWidget | None, path: str | Path | None, *, read_only: bool = False) -> Ledger | None:
    """Open the ledger, settling the two expected refusals with the user; None if the user gives up.

    Other UserErrors propagate for the caller to show.
    """
    try:
        return open_ledger(path, read_only=read_only)
    except LedgerInUse as exc:
        if not _ask(parent, exc.message + "\n\n是否以只读方式打开？只读时可以查看和导出，不能录入或修改。", []):
            return None
        return open_ledger(exc.path, read_only=True)
    except LedgerDamaged as exc:
        if exc.backup is None:
            QMessageBox.critical(parent, TITLE, exc.message + "\n\n" + "\n".join(exc.details[-1:]))
            return None
        question = exc.message + "\n\n是否用这份备份恢复台账并打开？恢复前会把当前的损坏文件另存到备份文件夹。"
        if not _ask(parent, question, exc.details[:-1]):
            return None
        kept = restore(exc.backup, exc.path)
        ledger = open_ledger(exc.path, read_only=read_only)
        QMessageBox.information(
            parent,
            TITLE,
            f"已用备份 {exc.backup.name} 恢复台账。" + (f"\n原来的损坏文件另存为 {kept}。" if kept else "")
            + "\n备份之后录入的内容需要重新录入。",
        )
        return ledger

