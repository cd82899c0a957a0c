"""台账 and 帮助 menu actions on the ledger file itself: open another ledger or a field packet, back up, restore; the guide and 关于.

A mixin of MainWindow: it uses the window's ledger, its op runner callbacks (_alive) and its
layout memory (save_layout, start_loading) so a reopened ledger comes back as the clerk left it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from db.engine import Ledger
from db.errors import UserError
from desktop.ops import runner


class LedgerFileActions:
    """The window's actions on the ledger file: 打开台账…, 打开外勤数据包…, 备份台账…, 从备份恢复…, 使用说明, 关于."""

    def open_other_ledger(self) -> None:
        """Open another ledger file; the current one is closed."""
        self._open_file("打开台账", "督办台账 (*.sqlite);;外勤数据包 (*.duban);;所有文件 (*)")

    def open_packet(self) -> None:
        """Open a field packet (a .duban file made by 导出外勤数据包) to fill in on this laptop."""
        self._open_file("打开外勤数据包", "外勤数据包 (*.duban);;督办台账 (*.sqlite);;所有文件 (*)")

    def _open_file(self, title: str, filters: str) -> None:
        from desktop.safety_dialogs import open_ledger_interactively

        if self._ledger_busy():
            return
        chosen, _ = QFileDialog.getOpenFileName(self, title, str(self.ledger.folder), filters)
        if not chosen:
            return
        try:
            other = open_ledger_interactively(self, chosen)
        except UserError as exc:
            QMessageBox.warning(self, "无法打开", str(exc))
            return
        if other is not None:
            self._switch_ledger(other)

    def _ledger_busy(self) -> bool:
        """Whether ledger work is still queued (the ledger cannot be closed or replaced under it)."""
        if runner().busy:
            QMessageBox.information(self, "督办台账", "台账正在读取或写入，请等它完成后再试。")
            return True
        return False

    def _switch_ledger(self, other: Ledger) -> None:
        """Show another ledger in this window; layout and view are kept as on a restart."""
        self.save_layout()
        self.ledger.close()
        self.ledger = other
        self._enable_writing()
        self.model = None
        self.start_loading()

    def backup_ledger(self) -> None:
        """台账 → 备份台账…: a checked copy (SQLite's backup API + integrity check, as `duban backup`) made on the worker."""
        from db.safety import backup_to, backups_dir

        default = backups_dir(self.ledger.path) / f"{self.ledger.path.stem}-手动备份-{dt.datetime.now():%Y%m%d-%H%M}.sqlite"
        default.parent.mkdir(parents=True, exist_ok=True)
        chosen, _ = QFileDialog.getSaveFileName(self, "备份台账", str(default), "台账备份 (*.sqlite);;所有文件 (*)")
        if not chosen:
            return
        source, dest = self.ledger.path, Path(chosen)
        runner().run(
            lambda _control: backup_to(source, dest),
            self._alive(lambda made: QMessageBox.information(self, "备份台账", f"已将台账备份到\n{made}\n备份已通过完整性检查。")),
            label="正在备份台账……",
            parent=self,
        )

    def restore_ledger(self) -> None:
        """台账 → 从备份恢复…: the rules of `duban restore` (a packet or another ledger's backup only when confirmed), then reopen."""
        from db.safety import backups_dir, check_file, foreign_backup

        if self.ledger.read_only or self._ledger_busy():
            return
        chosen, _ = QFileDialog.getOpenFileName(self, "从备份恢复台账", str(backups_dir(self.ledger.path)), "台账备份 (*.sqlite);;所有文件 (*)")
        if not chosen:
            return
        backup, target = Path(chosen), self.ledger.path

        def examine() -> tuple[list[str], str | None]:
            problems = check_file(backup)
            return problems, None if problems else foreign_backup(backup, target)

        runner().query(examine, self._alive(lambda found: self._confirm_restore(backup, *found)), parent=self)

    def _confirm_restore(self, backup: Path, problems: list[str], foreign: str | None) -> None:
        if problems:
            box = QMessageBox(QMessageBox.Icon.Warning, "从备份恢复", f"备份文件 {backup} 不能用于恢复：{problems[0]}台账未作改动。", QMessageBox.StandardButton.Ok, self)
            box.setDetailedText("\n".join(problems[1:]))
            box.exec()
            return
        question = (
            f"{foreign}\n\n仍要用它替换当前台账吗？" if foreign else f"用备份 {backup.name} 替换当前台账 {self.ledger.path.name} 吗？"
        ) + "\n恢复前会把当前台账另存到备份文件夹；备份之后录入的内容需要重新录入。"
        answer = QMessageBox.question(self, "从备份恢复", question, QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes or self._ledger_busy():
            return
        from db.engine import open_ledger
        from db.safety import restore

        target = self.ledger.path
        self.save_layout()
        self.ledger.close()  # restore takes the ledger's lock; this window lets go of it first

        def reopen(message: str | None) -> None:
            try:
                other = open_ledger(target)
            except UserError as exc:
                QMessageBox.critical(self, "督办台账", f"{message or ''}\n\n{exc}")
                self.close()
                return
            self.ledger = other  # the closed ledger object is replaced without closing it twice
            self._enable_writing()
            self.model = None  # read again as on a restart, with the layout and view saved below
            self.start_loading()
            if message:
                QMessageBox.information(self, "从备份恢复", message)

        def done(kept: Path | None) -> None:
            reopen(f"已用 {backup.name} 恢复台账。" + (f"\n恢复前的台账已另存为 {kept}。" if kept else ""))

        def failed(error: BaseException) -> None:
            reopen(None)
            QMessageBox.warning(self, "从备份恢复", str(error) if isinstance(error, UserError) else f"恢复未完成：{error}")

        runner().run(lambda _control: restore(backup, target, force=foreign is not None), self._alive(done), on_failure=self._alive(failed), label="正在恢复台账……", parent=self, writes=True)

    def show_guide(self) -> None:
        from desktop.about import GuideDialog

        GuideDialog(self).exec()

    def show_about(self) -> None:
        from desktop.about import AboutDialog

        AboutDialog(self.ledger.label, self).exec()
