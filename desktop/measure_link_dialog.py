"""任务 → 总体方案措施关联…: the office goes through 附件1's measures and confirms or rejects the special-annex tasks suggested for each.

Everything is read and written on the op runner through db.measure_links (review_measures, decide_link,
add_link, suggest_links); a refusal is shown in the dialog in Chinese and nothing is written.  Made for the
keyboard: Up/Down across a measure's candidates, Y confirms, N rejects, J jumps to the next measure with a
suggestion still waiting, Ctrl+Up/Ctrl+Down to the previous or next measure.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from db.engine import Ledger
from db.errors import known_error
from db.measure_links import MAX_SUGGESTIONS, MeasureReview, TaskChoice
from db.vocabulary import LinkStatus
from desktop.detail_view import measure_progress_line
from desktop.ops import report_failure, runner
from desktop.screen import fit_to_screen

MEASURE_HEADERS = ("编号", "措施", "待定", "确认", "进展")
CANDIDATE_HEADERS = ("编号", "任务", "附件", "相似度", "状态")
CODE_ROLE = Qt.ItemDataRole.UserRole
MARK_STYLE = "background-color:#ffe08a; font-weight:bold"  # the phrases both texts print
STATUS_COLOURS = {LinkStatus.CONFIRMED: "#237a4b", LinkStatus.REJECTED: "#8a8f96"}
DONE_COLOUR, OVERDUE_COLOUR = "#2b6cb0", "#c0392b"
MAX_CHOICES = 200  # the hand-add list shows this many matches; typing narrows it


def highlight(text: str, phrases: list[str]) -> str:
    """The text as HTML (escaped: it comes from a document) with every occurrence of the shared phrases marked."""
    marked = [False] * len(text)
    for phrase in phrases:
        if not phrase:
            continue
        start = text.find(phrase)
        while start >= 0:
            marked[start : start + len(phrase)] = [True] * len(phrase)
            start = text.find(phrase, start + len(phrase))
    parts, i = [], 0
    while i < len(text):
        j = i
        while j < len(text) and marked[j] == marked[i]:
            j += 1
        chunk = escape(text[i:j]).replace("\n", "<br>")
        parts.append(f"<span style='{MARK_STYLE}'>{chunk}</span>" if marked[i] else chunk)
        i = j
    return "".join(parts)


def progress_mark(review: MeasureReview) -> tuple[str, str | None]:
    """The 进展 column: done, with an overdue task, under way, or nothing while no task is confirmed; and its colour."""
    progress = review.progress
    if progress.done:
        return "已完成", DONE_COLOUR
    if progress.overdue_tasks:
        return f"逾期 {len(progress.overdue_tasks)} 项", OVERDUE_COLOUR
    if progress.linked:
        return "推进中", None
    return "", None


def read_review(ledger: Ledger, period: str) -> list[MeasureReview]:
    """Every measure with its links and progress (on the worker)."""
    from db.measure_links import review_measures

    with ledger.Session() as session:
        return review_measures(session, None, period)


class MeasureLinkDialog(QDialog):
    """附件1's measures on the left, the selected measure's candidate tasks on the right, the shared wording marked below.

    Attributes:
        reviews: the MeasureReview rows shown, in 附件1 order.
        changed: whether a link was decided, added or suggested again (the window redraws the detail then).
    """

    def __init__(self, ledger: Ledger, operator: str, period: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ledger, self.operator, self.period = ledger, operator, period
        self.reviews: list[MeasureReview] = []
        self.changed = False
        self._choices: list[TaskChoice] | None = None
        self.setWindowTitle("总体方案措施关联")
        intro = QLabel(
            "左侧是附件1（总体方案）的措施，右侧是按文字相似度建议由哪些专项方案任务落实它，两段原文共有的词句以黄色标出。"
            "确认后，措施按这些任务的办结情况计算进展。键盘：↑↓ 选任务，Y 确认，N 否决，J 下一项待定措施，Ctrl+↑↓ 换措施。"
        )
        intro.setWordWrap(True)
        self.measures = _table(MEASURE_HEADERS)
        header = self.measures.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.measures.itemSelectionChanged.connect(self._on_measures_selection_changed)
        self.candidates = _table(CANDIDATE_HEADERS)
        header = self.candidates.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.candidates.itemSelectionChanged.connect(self._on_candidates_selection_changed)
        self.compare = QTextBrowser()
        self.compare.setOpenLinks(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setVisible(False)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.candidates)
        right.addWidget(self.compare)
        right.setStretchFactor(1, 1)
        split = QSplitter()
        split.addWidget(self.measures)
        split.addWidget(right)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 5)
        split.setChildrenCollapsible(False)
        self.confirm_button = QPushButton("确认关联（Y）")
        self.reject_button = QPushButton("否决（N）")
        self.next_button = QPushButton("下一项待定措施（J）")
        self.add_button = QPushButton("手工添加关联…")
        self.suggest_button = QPushButton("重新生成建议")
        self.suggest_button.setToolTip("按当前的任务文字重新计算建议；已确认或否决的关联保持不变。")
        close = QPushButton("关闭")
        for button in (self.confirm_button, self.reject_button, self.next_button, self.add_button, self.suggest_button, close):
            button.setAutoDefault(False)  # Enter in a table must not press a button
        self.confirm_button.clicked.connect(lambda: self.decide(True))
        self.reject_button.clicked.connect(lambda: self.decide(False))
        self.next_button.clicked.connect(self.next_undecided)
        self.add_button.clicked.connect(lambda: self.add_by_hand())
        self.suggest_button.clicked.connect(self.suggest_again)
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        for button in (self.confirm_button, self.reject_button, self.next_button, self.add_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.suggest_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(split, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        for key, slot in (
            ("Y", lambda: self.decide(True)),
            ("N", lambda: self.decide(False)),
            ("J", self.next_undecided),
            ("Ctrl+Down", lambda: self._step_measure(1)),
            ("Ctrl+Up", lambda: self._step_measure(-1)),
        ):
            QShortcut(QKeySequence(key), self, slot)
        fit_to_screen(self, 0.96, 0.94)
        split.setSizes([self.width() * 4 // 9, self.width() * 5 // 9])
        # Room for the most suggestions a measure gets (db.measure_links.MAX_SUGGESTIONS); the wording takes the rest.
        rows = self.candidates.verticalHeader().defaultSectionSize() * (MAX_SUGGESTIONS + 1) + self.candidates.horizontalHeader().sizeHint().height()
        right.setSizes([rows, max(1, self.height() - rows)])
        self._update_buttons()
        self.load()

    # ----- reading ------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the measures on the worker and show them."""
        ledger, period = self.ledger, self.period
        runner().query(lambda: read_review(ledger, period), self._alive(self.show_reviews), parent=self)

    def _alive(self, callback: Callable) -> Callable:
        return lambda *args: callback(*args) if shiboken6.isValid(self) else None

    def show_reviews(self, reviews: list[MeasureReview], *, task: str | None = None) -> None:
        """Fill the measure list, keeping the selected measure (and the candidate task, if given)."""
        keep = self.current_measure()
        keep_code = keep.code if keep is not None else None
        self.reviews = reviews
        self.measures.blockSignals(True)
        self.measures.setRowCount(len(reviews))
        for row, review in enumerate(reviews):
            mark, colour = progress_mark(review)
            cells = (review.code, review.title, _count(review.count(LinkStatus.SUGGESTED)), _count(review.count(LinkStatus.CONFIRMED)), mark)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(CODE_ROLE, review.code)
                if column == 1:
                    item.setToolTip(review.title)
                if column in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if column == 4 and colour:
                    item.setForeground(QColor(colour))
                self.measures.setItem(row, column, item)
        self.measures.blockSignals(False)
        codes = [r.code for r in reviews]
        if codes:
            self.select_measure(keep_code if keep_code in codes else codes[0], task=task)
        self._update_buttons()

    def current_measure(self) -> MeasureReview | None:
        row = self.measures.currentRow()
        return self.reviews[row] if 0 <= row < len(self.reviews) and self.measures.selectionModel().hasSelection() else None

    def current_link(self):
        review = self.current_measure()
        row = self.candidates.currentRow()
        if review is None or not (0 <= row < len(review.links)) or not self.candidates.selectionModel().hasSelection():
            return None
        return review.links[row]

    def select_measure(self, code: str, *, task: str | None = None) -> None:
        """Select a measure by its code, and in it the given candidate task, else the first one still waiting."""
        row = next((i for i, r in enumerate(self.reviews) if r.code == code), None)
        if row is None:
            return
        self.measures.blockSignals(True)
        self.measures.selectRow(row)
        self.measures.blockSignals(False)
        self.measures.scrollToItem(self.measures.item(row, 0), QAbstractItemView.ScrollHint.PositionAtCenter)
        self._show_candidates(task=task)

    def _on_measures_selection_changed(self) -> None:
        self.message.setVisible(False)
        self._show_candidates()

    def _show_candidates(self, *, task: str | None = None) -> None:
        review = self.current_measure()
        links = review.links if review is not None else []
        self.candidates.blockSignals(True)
        self.candidates.setRowCount(len(links))
        for row, link in enumerate(links):
            score = f"{link.score:.2f}" if link.score is not None else "手工"
            for column, text in enumerate((link.task, link.task_title, f"附件{link.annex}", score, link.status)):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setToolTip(link.task_title)
                if column in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                colour = STATUS_COLOURS.get(LinkStatus(link.status))
                if colour:
                    item.setForeground(QColor(colour))
                self.candidates.setItem(row, column, item)
        wanted = next((i for i, link in enumerate(links) if link.task == task), None)
        if wanted is None:
            wanted = next((i for i, link in enumerate(links) if link.status == LinkStatus.SUGGESTED), 0 if links else None)
        if wanted is not None:
            self.candidates.selectRow(wanted)
        else:
            self.candidates.clearSelection()
        self.candidates.blockSignals(False)
        self._show_comparison()  # the same row of another measure changes no selection, so no signal says so
        self._update_buttons()

    def _on_candidates_selection_changed(self) -> None:
        self._show_comparison()
        self._update_buttons()

    def _show_comparison(self) -> None:
        """The measure's and the selected task's wording with their shared phrases marked, and the measure's progress."""
        review = self.current_measure()
        if review is None:
            self.compare.clear()
            return
        link = self.current_link()
        phrases = link.phrases if link is not None else []
        parts = [f"<p><b>措施 {escape(review.code)}</b>（附件1）　{highlight(review.text, phrases)}</p>"]
        if link is not None:
            parts.append(f"<p><b>任务 {escape(link.task)}</b>（附件{link.annex}）　{highlight(review.task_texts.get(link.task, ''), phrases)}</p>")
            shared = "、".join(escape(p) for p in phrases) if phrases else "（无）"
            decided = f"　{escape(link.status)}：{escape(link.decided_by or '')} {link.decided_at:%Y-%m-%d}" if link.decided_at else ""
            parts.append(f"<p style='color:#555'>共同词句：{shared}{decided}</p>")
        elif not review.links:
            parts.append("<p style='color:#555'>按文字相似度没有找到落实本措施的专项任务；如有，请用“手工添加关联…”指定。</p>")
        parts.append(f"<p style='color:#555'>{escape(measure_progress_line(review.progress))}</p>")
        self.compare.setHtml("".join(parts))

    # ----- moving around ------------------------------------------------------------------------

    def _step_measure(self, step: int) -> None:
        row = self.measures.currentRow() + step
        if 0 <= row < len(self.reviews):
            self.select_measure(self.reviews[row].code)
            self.candidates.setFocus()

    def next_undecided(self) -> None:
        """Jump to the next measure (after the selected one, wrapping round) with a suggestion still waiting."""
        if not self.reviews:
            return
        start = max(self.measures.currentRow(), -1)
        order = self.reviews[start + 1 :] + self.reviews[: start + 1]
        found = next((r for r in order if r.undecided), None)
        if found is None:
            self._say("所有建议都已确认或否决。", error=False)
            return
        self.message.setVisible(False)
        self.select_measure(found.code)
        self.candidates.setFocus()

    # ----- writing ------------------------------------------------------------------------------

    def _update_buttons(self) -> None:
        writable = not self.ledger.read_only
        link = self.current_link()
        self.confirm_button.setEnabled(writable and link is not None and link.status != LinkStatus.CONFIRMED)
        self.reject_button.setEnabled(writable and link is not None and link.status != LinkStatus.REJECTED)
        self.add_button.setEnabled(writable and self.current_measure() is not None)
        self.suggest_button.setEnabled(writable)
        self.next_button.setEnabled(bool(self.reviews))

    def decide(self, confirm: bool) -> None:
        """Confirm or reject the selected candidate; the next one still waiting in this measure is selected after."""
        from db.measure_links import decide_link

        link, review = self.current_link(), self.current_measure()
        if link is None or self.ledger.read_only or link.status == (LinkStatus.CONFIRMED if confirm else LinkStatus.REJECTED):
            return
        operator = self.operator
        later = [x.task for x in review.links[review.links.index(link) + 1 :] + review.links if x.status == LinkStatus.SUGGESTED and x is not link]
        self._write(
            lambda session: decide_link(session, link.id, confirm, operator),
            f"已{'确认' if confirm else '否决'}：{review.code} → {link.task}",
            task=later[0] if later else link.task,
        )

    def add_by_hand(self, task_code: str | None = None) -> None:
        """Tie the selected measure to a task the wording did not suggest (picked from a list when not given); confirmed at once."""
        from db.measure_links import add_link, carrier_choices

        review = self.current_measure()
        if review is None or self.ledger.read_only:
            return
        if task_code is None:
            if self._choices is None:  # the special-annex tasks are read once, on the worker
                ledger = self.ledger

                def read() -> list[TaskChoice]:
                    with ledger.Session() as session:
                        return carrier_choices(session)

                def got(choices: list[TaskChoice]) -> None:
                    self._choices = choices
                    self.add_by_hand()

                runner().query(read, self._alive(got), parent=self)
                return
            task_code = AddLinkDialog.ask(self, review, self._choices)
            if task_code is None:
                return
        operator, measure, code = self.operator, review.code, task_code.strip()
        self._write(lambda session: add_link(session, measure, code, operator), f"已添加并确认关联：{measure} → {code}", task=code)

    def suggest_again(self) -> None:
        """Run the suggestion again over the tasks' wording as it now stands (decisions are kept)."""
        from db.measure_links import suggest_links

        if self.ledger.read_only:
            return
        operator = self.operator

        def said(result) -> str:
            return f"建议已重新生成：新增 {result.added} 条，更新 {result.updated} 条，撤下 {result.dropped} 条；已确认或否决的 {result.kept_decided} 条不变。"

        self._write(lambda session: suggest_links(session, operator=operator), said, label="正在按文字相似度重新生成关联建议……")

    def _write(self, change: Callable, said, *, task: str | None = None, label: str | None = None) -> None:
        """One change in its own transaction on the worker, then everything read again; a refusal is said here, nothing written."""
        ledger, period = self.ledger, self.period

        def work(_control):
            with ledger.Session.begin() as session:
                outcome = change(session)
            return outcome, read_review(ledger, period)

        def done(result) -> None:
            outcome, reviews = result
            self.changed = True
            self.show_reviews(reviews, task=task)
            self._say(said(outcome) if callable(said) else said, error=False)
            self.candidates.setFocus()

        runner().run(work, self._alive(done), label=label, parent=self, writes=True, cancellable=False, on_failure=self._alive(self._refused))

    def _refused(self, error: BaseException) -> None:
        known = known_error(error, self.ledger.label)
        if known is None:
            report_failure(self, error)  # a bug: the crash dialog
            return
        self._say(known.message, error=True)

    def _say(self, text: str, *, error: bool) -> None:
        colour, background = ("#8a1f11", "#fdecea") if error else ("#1d5c38", "#e8f5ec")
        self.message.setStyleSheet(f"color:{colour}; background:{background}; padding:4px")
        self.message.setText(text)
        self.message.setVisible(True)


class AddLinkDialog(QDialog):
    """Pick a special-annex task for a measure, by code or by words of its title; a typed code not in the list is tried as typed."""

    def __init__(self, review: MeasureReview, choices: list[TaskChoice], parent: QWidget | None = None):
        super().__init__(parent)
        self.choices = choices
        self.setWindowTitle("手工添加关联")
        label = QLabel(f"为措施 {review.code} {review.title} 指定落实它的专项方案任务（输入编号或任务名称中的词，空格分隔）：")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self.search = QLineEdit()
        self.search.setPlaceholderText("如 A04-01.02 或 刷脸办电")
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget()
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("添加并确认")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(box)
        self.search.installEventFilter(self)
        fit_to_screen(self, 0.5, 0.6, most=(720, 520))
        self._filter("")

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        """Up and Down in the search box walk the list, so the hand never leaves the keys."""
        if watched is self.search and event.type() == event.Type.KeyPress and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            step = 1 if event.key() == Qt.Key.Key_Down else -1
            self.list.setCurrentRow(min(max(self.list.currentRow() + step, 0), self.list.count() - 1))
            return True
        return super().eventFilter(watched, event)

    def _filter(self, text: str) -> None:
        words = text.split()
        self.list.clear()
        shown = 0
        for choice in self.choices:
            line = f"{choice.code}　附件{choice.annex}　{choice.title}"
            if all(word.lower() in line.lower() for word in words):
                item = QListWidgetItem(line)
                item.setData(CODE_ROLE, choice.code)
                self.list.addItem(item)
                shown += 1
                if shown >= MAX_CHOICES:
                    break
        if self.list.count():
            self.list.setCurrentRow(0)

    def chosen(self) -> str | None:
        """The highlighted task's code, else what was typed (add_link says why a wrong code cannot be added)."""
        item = self.list.currentItem()
        if item is not None:
            return item.data(CODE_ROLE)
        return self.search.text().strip() or None

    @classmethod
    def ask(cls, parent: QWidget, review: MeasureReview, choices: list[TaskChoice]) -> str | None:
        dialog = cls(review, choices, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _table(headers: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    table.setTabKeyNavigation(False)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


def _count(n: int) -> str:
    return str(n) if n else ""
