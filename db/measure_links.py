"""附件1's summary measures linked to the special-annex tasks that carry them out, and the measures' real progress.

附件1 (总体方案) repeats in summary what 附件2-21 set out as tasks with deadlines.  Links are
suggested from the wording both share (db.link_scoring), weighted towards the annex whose whole
text reads most like the measure; the office confirms or rejects each, or adds one by hand.  A
suggestion never overrides a decision.  A measure counts as done once every task confirmed to carry
it out is signed off (办结销号), and its deadline is the latest of theirs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from db import audit
from db.accounts import refuse_unless_office
from db.errors import UserError
from db.ledger import resolve_plan_id
from db.link_scoring import Corpus, cosine, shared_phrases
from db.models import Annex, MeasureLink, Section, Task, utcnow
from db.settings import load_settings
from db.vocabulary import LinkStatus
from db.warning_rules import DONE, RED, TaskState, task_states

OVERALL_ANNEX = 1  # 附件1, the overall plan whose measures the special annexes carry out
MIN_SCORE = 0.2  # below it a pair shares words, not a measure (checked on the hand-read sample, bench/measure_links.py)
MAX_SUGGESTIONS = 6
# How much a task's score leans on its annex reading like the measure as a whole: a measure about 获得电力
# finds its tasks in 附件4 even where one sentence of 附件14 happens to print the same words.
THEME_WEIGHT = 0.8


@dataclass
class Candidate:
    """A special-annex task suggested for a measure, with why."""

    task_code: str
    score: float
    phrases: list[str]


@dataclass
class _Text:
    id: int
    code: str
    annex: int
    text: str


def _texts(session: Session, plan_id: int) -> list[_Text]:
    """The plan's tasks still in it, in plan order, with the wording as corrected (what the office reads)."""
    rows = session.execute(
        select(Task.id, Task.code, Annex.number, Task.title, Task.text)
        .join(Annex, Annex.id == Task.annex_id)
        .where(Task.plan_id == plan_id, Task.removed_at.is_(None))
        .order_by(Annex.number, Task.position)
    ).all()
    return [_Text(i, code, number, text if text.startswith(title) else f"{title}。{text}") for i, code, number, title, text in rows]


def score_candidates(texts: list[_Text], *, limit: int = MAX_SUGGESTIONS, min_score: float = MIN_SCORE) -> dict[str, list[Candidate]]:
    """For each 附件1 measure, the special-annex tasks above min_score, best first (at most limit)."""
    corpus = Corpus.of([t.text for t in texts])
    vectors = {t.code: corpus.vector(t.text) for t in texts}
    specials = [t for t in texts if t.annex != OVERALL_ANNEX]
    annex_text: dict[int, list[str]] = {}
    for t in specials:
        annex_text.setdefault(t.annex, []).append(t.text)
    annex_vectors = {number: corpus.vector("。".join(parts)) for number, parts in annex_text.items()}
    result: dict[str, list[Candidate]] = {}
    for measure in (t for t in texts if t.annex == OVERALL_ANNEX):
        mine = vectors[measure.code]
        theme = {number: cosine(mine, vector) for number, vector in annex_vectors.items()}
        top_theme = max(theme.values(), default=0.0) or 1.0
        scored = []
        for task in specials:
            score = cosine(mine, vectors[task.code]) * ((1 - THEME_WEIGHT) + THEME_WEIGHT * theme[task.annex] / top_theme)
            if score >= min_score:
                scored.append((score, task))
        scored.sort(key=lambda pair: -pair[0])
        result[measure.code] = [
            Candidate(task.code, round(score, 4), shared_phrases(measure.text, task.text, corpus)) for score, task in scored[:limit]
        ]
    return result


def suggest_for_plan(session: Session, plan_id: int | None = None, **options) -> dict[str, list[Candidate]]:
    """The suggestions for a plan, without storing them (for checking the scoring against a hand reading)."""
    return score_candidates(_texts(session, resolve_plan_id(session, plan_id)), **options)


@dataclass
class SuggestResult:
    """What one run of suggest_links changed."""

    plan_id: int
    measures: int
    with_suggestions: int
    added: int
    updated: int
    dropped: int
    kept_decided: int


def _links(session: Session, plan_id: int) -> dict[tuple[int, int], MeasureLink]:
    measure = aliased(Task)
    rows = session.scalars(select(MeasureLink).join(measure, measure.id == MeasureLink.measure_task_id).where(measure.plan_id == plan_id))
    return {(link.measure_task_id, link.task_id): link for link in rows}


def suggest_links(session: Session, plan_id: int | None = None, *, operator: str | None = None) -> SuggestResult:
    """Store the wording's suggestions: new pairs added, open suggestions refreshed or dropped, decisions left alone."""
    refuse_unless_office(session, "生成附件1措施关联建议")
    pid = resolve_plan_id(session, plan_id)
    texts = _texts(session, pid)
    ids = {t.code: t.id for t in texts}
    suggestions = score_candidates(texts)
    existing = _links(session, pid)
    added = updated = kept = 0
    wanted = set()
    for measure_code, candidates in suggestions.items():
        for candidate in candidates:
            key = (ids[measure_code], ids[candidate.task_code])
            wanted.add(key)
            link = existing.get(key)
            if link is None:
                session.add(
                    MeasureLink(
                        measure_task_id=key[0], task_id=key[1], status=LinkStatus.SUGGESTED.value,
                        score=candidate.score, phrases=candidate.phrases,
                    )
                )
                added += 1
            elif link.status != LinkStatus.SUGGESTED:
                kept += 1
            elif link.score != candidate.score or link.phrases != candidate.phrases:
                link.score, link.phrases = candidate.score, candidate.phrases
                updated += 1
    dropped = 0
    for key, link in existing.items():  # a suggestion the corrected wording no longer bears goes; a decision stays
        if key not in wanted and link.status == LinkStatus.SUGGESTED:
            session.delete(link)
            dropped += 1
    result = SuggestResult(pid, len(suggestions), sum(1 for c in suggestions.values() if c), added, updated, dropped, kept)
    if added or updated or dropped:
        audit.record(
            session, "measure_link.suggest", "plan", str(pid), operator=operator,
            after={"added": added, "updated": updated, "dropped": dropped, "kept_decided": kept},
        )
    session.flush()
    return result


@dataclass
class LinkView:
    """A link as the command line and the window show it."""

    id: int
    measure: str
    measure_title: str
    task: str
    task_title: str
    annex: int
    status: str
    score: float | None
    phrases: list[str]
    decided_at: dt.datetime | None
    decided_by: str | None

    def to_json(self) -> dict:
        return {
            "id": self.id, "measure": self.measure, "measure_title": self.measure_title, "task": self.task,
            "task_title": self.task_title, "annex": self.annex, "status": self.status, "score": self.score,
            "phrases": self.phrases, "decided_at": self.decided_at.isoformat(timespec="seconds") if self.decided_at else None,
            "decided_by": self.decided_by,
        }


def _views(session: Session, where) -> list[LinkView]:
    measure, task = aliased(Task), aliased(Task)
    rows = session.execute(
        select(MeasureLink, measure.code, measure.title, task.code, task.title, Annex.number)
        .join(measure, measure.id == MeasureLink.measure_task_id)
        .join(task, task.id == MeasureLink.task_id)
        .join(Annex, Annex.id == task.annex_id)
        .where(*where(measure, task))
        .order_by(measure.position, MeasureLink.score.desc().nulls_first(), task.code)
    ).all()
    return [
        LinkView(link.id, mc, mt, tc, tt, number, link.status, link.score, list(link.phrases or []), link.decided_at, link.decided_by)
        for link, mc, mt, tc, tt, number in rows
    ]


def list_links(session: Session, plan_id: int | None = None, *, measure: str | None = None, status: str | None = None) -> list[LinkView]:
    """The plan's links in 附件1 order, best suggestion first; optionally one measure's, or those of one status."""
    pid = resolve_plan_id(session, plan_id)
    if status is not None and status not in {s.value for s in LinkStatus}:
        raise UserError(f"关联状态“{status}”无效，应为 {'、'.join(s.value for s in LinkStatus)} 之一。")

    def where(m, t):
        conditions = [m.plan_id == pid]
        if measure is not None:
            conditions.append(m.code == measure.strip())
        if status is not None:
            conditions.append(MeasureLink.status == status)
        return conditions

    return _views(session, where)


def _view(session: Session, link_id: int) -> LinkView:
    return _views(session, lambda m, t: [MeasureLink.id == link_id])[0]


def decide_link(session: Session, link_id: int, confirm: bool, operator: str) -> LinkView:
    """The office confirms or rejects a link; deciding it the same way again changes nothing."""
    refuse_unless_office(session, "确认或否决附件1措施关联")
    link = session.get(MeasureLink, link_id)
    if link is None:
        raise UserError(f"没有编号为 {link_id} 的关联。可用 duban links list 查看。")
    status = LinkStatus.CONFIRMED if confirm else LinkStatus.REJECTED
    if link.status == status:
        return _view(session, link_id)
    view = _view(session, link_id)
    before = {"status": link.status, "decided_at": link.decided_at, "decided_by": link.decided_by}
    link.status, link.decided_at, link.decided_by = status.value, utcnow(), operator
    session.flush()
    audit.record(
        session, "measure_link.confirm" if confirm else "measure_link.reject", "measure_link", f"{view.measure}→{view.task}",
        before=before, after={"status": link.status, "decided_at": link.decided_at, "decided_by": operator}, operator=operator,
    )
    return _view(session, link_id)


def _task_by_code(session: Session, plan_id: int, code: str) -> tuple[Task, int]:
    row = session.execute(
        select(Task, Annex.number).join(Annex, Annex.id == Task.annex_id).where(Task.plan_id == plan_id, Task.code == code.strip())
    ).first()
    if row is None:
        raise UserError(f"当前计划中没有编号为“{code.strip()}”的任务。可用 duban tasks 查看。")
    return row[0], row[1]


def add_link(session: Session, measure_code: str, task_code: str, operator: str, *, plan_id: int | None = None) -> LinkView:
    """A clerk ties a measure to a task the wording did not suggest; the link is confirmed at once."""
    refuse_unless_office(session, "添加附件1措施关联")
    pid = resolve_plan_id(session, plan_id)
    measure, measure_annex = _task_by_code(session, pid, measure_code)
    task, task_annex = _task_by_code(session, pid, task_code)
    if measure_annex != OVERALL_ANNEX:
        raise UserError(f"{measure.code} 不是附件1（总体方案）的措施：关联须从附件1的措施连到专项方案的任务。")
    if task_annex == OVERALL_ANNEX:
        raise UserError(f"{task.code} 是附件1的措施，不是专项方案（附件2及以后）的任务。")
    link = session.scalar(select(MeasureLink).where(MeasureLink.measure_task_id == measure.id, MeasureLink.task_id == task.id))
    if link is not None:
        if link.status == LinkStatus.CONFIRMED:
            raise UserError(f"{measure.code} 与 {task.code} 的关联已经确认（编号 {link.id}）。")
        return decide_link(session, link.id, True, operator)
    texts = {t.code: t.text for t in _texts(session, pid)}
    link = MeasureLink(
        measure_task_id=measure.id, task_id=task.id, status=LinkStatus.CONFIRMED.value, score=None,
        phrases=shared_phrases(texts.get(measure.code, measure.text), texts.get(task.code, task.text)),
        decided_at=utcnow(), decided_by=operator,
    )
    session.add(link)
    session.flush()
    audit.record(session, "measure_link.add", "measure_link", f"{measure.code}→{task.code}", after={"status": link.status}, operator=operator)
    return _view(session, link.id)


@dataclass
class LinkedTask:
    """A task confirmed to carry out a measure, where it stands in the period."""

    code: str
    title: str
    annex: int
    status: str
    colour: str
    reason: str
    due: dt.date | None

    @property
    def done(self) -> bool:
        return self.colour == DONE

    @property
    def overdue(self) -> bool:
        return self.colour == RED


@dataclass
class MeasureProgress:
    """A 附件1 measure judged by the tasks confirmed to carry it out."""

    code: str
    title: str
    section: str
    tasks: list[LinkedTask] = field(default_factory=list)

    @property
    def linked(self) -> bool:
        return bool(self.tasks)

    @property
    def done(self) -> bool:
        """Done once every confirmed task is signed off; an unlinked measure is never done."""
        return self.linked and all(t.done for t in self.tasks)

    @property
    def deadline(self) -> dt.date | None:
        """The latest due date of its tasks (after any approved extension); None when none is dated."""
        return max((t.due for t in self.tasks if t.due is not None), default=None)

    @property
    def overdue_tasks(self) -> list[LinkedTask]:
        return [t for t in self.tasks if t.overdue]

    def to_json(self) -> dict:
        return {
            "measure": self.code, "title": self.title, "section": self.section, "done": self.done,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "tasks": [
                {"task": t.code, "title": t.title, "annex": t.annex, "status": t.status, "colour": str(t.colour), "reason": t.reason,
                 "due": t.due.isoformat() if t.due else None}
                for t in self.tasks
            ],
        }


def measure_progress(session: Session, plan_id: int | None, period: str, *, today: dt.date | None = None) -> list[MeasureProgress]:
    """Every 附件1 measure with its confirmed tasks' status, colour and due date in the period, in plan order."""
    pid = resolve_plan_id(session, plan_id)
    states = task_states(session, pid, period, due_soon_days=load_settings(session).due_soon_days, today=today)
    return _progress(session, pid, states)


def _progress(session: Session, plan_id: int, states: dict[int, TaskState], *, measure_id: int | None = None) -> list[MeasureProgress]:
    """The plan's 附件1 measures (or the one asked for) judged by their confirmed tasks' states."""
    conditions = [Task.plan_id == plan_id, Annex.number == OVERALL_ANNEX, Task.removed_at.is_(None)]
    if measure_id is not None:
        conditions.append(Task.id == measure_id)
    measures = session.execute(
        select(Task.id, Task.code, Task.title, Section.label, Section.heading)
        .join(Annex, Annex.id == Task.annex_id)
        .outerjoin(Section, Section.id == Task.section_id)
        .where(*conditions)
        .order_by(Task.position)
    ).all()
    result = {mid: MeasureProgress(code, title, f"{label}{heading}" if heading else "") for mid, code, title, label, heading in measures}
    task = aliased(Task)
    linked = session.execute(
        select(MeasureLink.measure_task_id, task.id, task.code, task.title, Annex.number)
        .join(task, task.id == MeasureLink.task_id)
        .join(Annex, Annex.id == task.annex_id)
        .where(MeasureLink.status == LinkStatus.CONFIRMED, MeasureLink.measure_task_id.in_(result), task.removed_at.is_(None))
        .order_by(Annex.number, task.position)
    ).all()
    for measure_id_, task_id, code, title, annex in linked:
        state = states[task_id]
        result[measure_id_].tasks.append(LinkedTask(code, title, annex, state.status, state.colour, state.reason, state.due))
    return list(result.values())


@dataclass
class MeasureSummary:
    """附件1 by real progress, for the 通报: how many measures are done, and those with overdue tasks."""

    measures: list[MeasureProgress]

    @property
    def total(self) -> int:
        return len(self.measures)

    @property
    def linked(self) -> list[MeasureProgress]:
        return [m for m in self.measures if m.linked]

    @property
    def done(self) -> list[MeasureProgress]:
        return [m for m in self.measures if m.done]

    @property
    def with_overdue(self) -> list[MeasureProgress]:
        return [m for m in self.measures if m.overdue_tasks]


def measure_summary(session: Session, plan_id: int | None, period: str, *, today: dt.date | None = None) -> MeasureSummary:
    """The figures an export prints about 附件1 (the plan's 总体方案) in a period."""
    return MeasureSummary(measure_progress(session, plan_id, period, today=today))


@dataclass
class MeasureReview:
    """A 附件1 measure as the office reviews it: its wording, its links with each task's wording, its real progress."""

    code: str
    title: str
    text: str
    links: list[LinkView]
    task_texts: dict[str, str]
    progress: MeasureProgress

    def count(self, status: LinkStatus) -> int:
        return sum(1 for link in self.links if link.status == status)

    @property
    def undecided(self) -> bool:
        """A suggestion is still waiting for the office's yes or no."""
        return self.count(LinkStatus.SUGGESTED) > 0


def review_measures(session: Session, plan_id: int | None, period: str, *, today: dt.date | None = None) -> list[MeasureReview]:
    """Every 附件1 measure with its links (best suggestion first), the wording both sides print, and its progress in the period."""
    pid = resolve_plan_id(session, plan_id)
    texts = _texts(session, pid)
    wording = {t.code: t.text for t in texts}
    links: dict[str, list[LinkView]] = {}
    for view in list_links(session, pid):
        links.setdefault(view.measure, []).append(view)
    progress = {m.code: m for m in measure_progress(session, pid, period, today=today)}
    return [
        MeasureReview(
            t.code, progress[t.code].title, t.text, links.get(t.code, []),
            {v.task: wording.get(v.task, "") for v in links.get(t.code, [])}, progress[t.code],
        )
        for t in texts
        if t.annex == OVERALL_ANNEX
    ]


@dataclass
class TaskChoice:
    """A special-annex task the clerk may tie to a measure by hand."""

    code: str
    title: str
    annex: int


def carrier_choices(session: Session, plan_id: int | None = None) -> list[TaskChoice]:
    """The plan's special-annex tasks (附件2 and after) still in it, in plan order."""
    pid = resolve_plan_id(session, plan_id)
    rows = session.execute(
        select(Task.code, Task.title, Annex.number)
        .join(Annex, Annex.id == Task.annex_id)
        .where(Task.plan_id == pid, Task.removed_at.is_(None), Annex.number != OVERALL_ANNEX)
        .order_by(Annex.number, Task.position)
    ).all()
    return [TaskChoice(code, title, number) for code, title, number in rows]


@dataclass
class TaskLinks:
    """What the task detail says of 附件1 links: a measure's confirmed tasks, or the measures a task carries out."""

    measure: MeasureProgress | None  # the task is a 附件1 measure
    carries: list[tuple[str, str]]  # (code, title) of the 附件1 measures the task is confirmed to carry out


def task_links(session: Session, task_id: int, states: dict[int, TaskState]) -> TaskLinks:
    """The links of one task, judged by the period's states the caller already has (the window's)."""
    plan_id, annex = session.execute(select(Task.plan_id, Annex.number).join(Annex, Annex.id == Task.annex_id).where(Task.id == task_id)).one()
    if annex == OVERALL_ANNEX:
        found = _progress(session, plan_id, states, measure_id=task_id)  # none for a measure removed from the plan
        return TaskLinks(found[0] if found else None, [])
    measure = aliased(Task)
    carries = session.execute(
        select(measure.code, measure.title)
        .join(MeasureLink, MeasureLink.measure_task_id == measure.id)
        .where(MeasureLink.task_id == task_id, MeasureLink.status == LinkStatus.CONFIRMED, measure.removed_at.is_(None))
        .order_by(measure.position)
    ).all()
    return TaskLinks(None, [(code, title) for code, title in carries])
