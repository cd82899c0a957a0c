"""The main window's 督查督办 menu (acts, their list, 回头看) and its 综合考评 tab: a mixin of MainWindow.

Acts, 回头看, storing a month and the scheme are the office's (db.accounts refuses anyone else; the
window hides them from other logins).  The 综合考评 tab is for everyone: a unit login sees the ranking.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton, QVBoxLayout, QWidget

from db.assessment import MonthAssessment, assess_month, month_assessment
from db.periods import chinese_period
from desktop.ops import runner
from desktop.server_window import OFFICE

ASSESSMENT_TAB = 4


def mirror_action(button: QPushButton, act: QAction) -> None:
    """A button in a tab shown and enabled as its menu action is (the role and a read-only ledger decide)."""
    button.setVisible(act.isVisible())
    button.setEnabled(act.isEnabled())


class ActWindowActions:
    """督查督办 and 综合考评 in the window; MainWindow provides ledger, plan_id, settings, operator, tabs and the runner glue."""

    def _build_act_parts(self) -> QWidget:
        """The 综合考评 tab's holder (the panel is built when the tab is first opened)."""
        self.assessment = None
        self.assessment_holder = QWidget()
        QVBoxLayout(self.assessment_holder).setContentsMargins(0, 0, 0, 0)
        return self.assessment_holder

    def _build_act_menu(self, action) -> None:
        """督查督办(&S): record, list, 回头看, and storing the month's 综合考评; action is _build_actions' helper."""
        menu = self.menuBar().addMenu("督查督办(&S)")
        action(menu, "记录督查督办事项…", self.record_act, "Ctrl+Shift+D", writes=True)
        action(menu, "督查督办记录…", self.show_acts, who=OFFICE)
        action(menu, "回头看…", self.draw_recheck, writes=True)
        menu.addSeparator()
        self.assessment_store_action = action(menu, "保存本月综合考评结果", self.store_assessment, writes=True)
        self.assessment_store_action.changed.connect(self._mirror_assessment_buttons)

    # ----- acts ---------------------------------------------------------------------------

    def _current_task_code(self) -> str | None:
        task_id = self.current_task_id()
        row = self.model.row_of(task_id) if task_id is not None else None
        return self.model.rows[row].task.code if row is not None else None

    def record_act(self) -> None:
        """记录督查督办事项, prefilled with the task selected in the table."""
        from desktop.act_dialogs import ActDialog

        dialog = ActDialog(self.ledger, self.plan_id, self.operator, task_code=self._current_task_code(), parent=self)
        if self._run_dialog(dialog):
            act = dialog.act
            self.statusBar().showMessage(f"已记录{act.kind.value}（{act.act_date.isoformat()}，编号 {act.id}）。", 5000)

    def show_acts(self) -> None:
        """督查督办记录: the plan's acts (those of the unit the table is filtered to); a re-check recorded from it refreshes the table."""
        from desktop.act_dialogs import ActListDialog

        dialog = ActListDialog(
            self.ledger, self.plan_id, self.operator, period=self.settings.current_period, may_write=self._may_write(),
            on_rechecked=self.refresh, units=self._unit_names(), unit=self.proxy.filter.unit, parent=self,
        )
        dialog.exec()
        if dialog.changed:
            self.refresh()

    def draw_recheck(self) -> None:
        """回头看…: draw a sample, then record each drawn task's re-check."""
        from desktop.recheck_dialogs import RecheckDrawDialog, RecheckItemsDialog

        annexes = sorted({row.task.annex for row in self.model.rows})
        draw = RecheckDrawDialog(self.ledger, self.plan_id, self.operator, annexes=annexes, units=self._unit_names(), parent=self)
        if draw.exec() != QDialog.DialogCode.Accepted:
            return
        self.statusBar().showMessage(f"已抽取回头看任务 {len(draw.act.rechecks)} 项（编号 {draw.act.id}）。", 5000)
        items = RecheckItemsDialog(self.ledger, draw.act.id, self.operator, on_recorded=self.refresh, parent=self)
        items.exec()
        self.refresh()

    # ----- 综合考评 -------------------------------------------------------------------------

    def _show_assessment(self, period: str | None = None) -> None:
        """A month's 综合考评 (the one shown, else the current period), read on the worker."""
        if self.assessment is None:
            from desktop.assessment_view import AssessmentPanel

            self.assessment = AssessmentPanel(self.settings.current_period)
            self.assessment.period_requested.connect(self._show_assessment)
            self.assessment.store_requested.connect(self.store_assessment)
            self.assessment_holder.layout().addWidget(self.assessment)
            self._mirror_assessment_buttons()
        shown = self.assessment.month.period if self.assessment.month is not None else self.settings.current_period
        ledger, plan_id, period = self.ledger, self.plan_id, period or shown

        def read() -> MonthAssessment:
            with ledger.Session() as session:
                return month_assessment(session, plan_id, period)

        runner().query(read, self._alive(self.assessment.show_month), parent=self)

    def _mirror_assessment_buttons(self) -> None:
        if self.assessment is not None:
            act = self.assessment_store_action
            self.assessment.set_store_allowed(act.isVisible(), act.isEnabled())

    def store_assessment(self) -> None:
        """保存本月结果 / 按现行方案重新计算: assess_month for the month shown; replacing a stored month is confirmed first."""
        if self.assessment is None:  # from the menu before the tab was opened: the month is shown first
            self.tabs.setCurrentIndex(ASSESSMENT_TAB)
            self.statusBar().showMessage("请在“综合考评”页核对该月结果后，点“保存本月结果”。", 5000)
            return
        month = self.assessment.month
        period = month.period if month is not None else self.settings.current_period
        stored = month is not None and month.period == period and month.stored
        if stored:
            answer = QMessageBox.question(
                self, "综合考评",
                f"{chinese_period(period)}的综合考评已保存。按现行考评方案重新计算，将替换已保存的结果（原结果记入操作日志）。\n\n是否重新计算？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        ledger, plan_id, operator = self.ledger, self.plan_id, self.operator

        def work(_control) -> MonthAssessment:
            with ledger.Session.begin() as session:
                return assess_month(session, plan_id, period, operator)

        def stored_now(result: MonthAssessment) -> None:
            self.assessment.show_month(result)
            self.statusBar().showMessage(f"已保存{chinese_period(period)}综合考评结果（{result.scheme.describe()}）。", 5000)

        runner().run(work, self._alive(stored_now), parent=self, writes=True)
