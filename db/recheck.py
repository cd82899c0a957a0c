"""回头看: a re-check of signed-off tasks, drawn by rule or at random with a recorded seed.

The sample is a 回头看 act (db.acts) whose recheck_item rows are the drawn tasks.  A random draw takes
the candidates in document order and random.Random(seed), so the same seed over the same candidates
draws the same tasks.  A failed re-check reopens its task: the sign-off is revoked (db.decisions), and
the revoked sign-off is kept on the re-check (its file among the act's evidence), so the task's history
still shows what was signed off, when and on what evidence.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_office
from db.acts import ActView, RecheckView, act_views, date_problems, get_act, text_problems
from db.decisions import lock_task, revoke_sign_off, sign_off_snapshot
from db.errors import UserError
from db.evidence import safe_evidence_name
from db.ledger import find_unit, get_task
from db.models import ActEvidence, ActTarget, Annex, Assignment, RecheckItem, SignOff, SupervisoryAct, Task
from db.vocabulary import ActKind, RecheckOutcome

MAX_SEED = 2**31 - 1


@dataclass
class RecheckRule:
    """Which signed-off tasks a 回头看 draws from (date range, annex, unit) and how many it takes.

    recent: the N most recently signed off; size: N at random (seed recorded, drawn if not given);
    neither: every candidate.
    """

    signed_from: dt.date | None = None
    signed_to: dt.date | None = None
    annex: int | None = None
    unit: str | None = None
    recent: int | None = None
    size: int | None = None
    seed: int | None = None

    def problems(self) -> list[str]:
        found = []
        if self.recent is not None and (self.size is not None or self.seed is not None):
            found.append("“最近销号的N项”与“随机抽取”只能选一种。")
        if self.seed is not None and self.size is None:
            found.append("随机抽取请同时给出抽取项数。")
        for label, value in (("抽取项数", self.size), ("最近销号项数", self.recent)):
            if value is not None and value < 1:
                found.append(f"{label}应为正整数。")
        if self.seed is not None and not 0 <= self.seed <= MAX_SEED:
            found.append(f"随机种子应为 0 到 {MAX_SEED} 之间的整数。")
        if self.signed_from and self.signed_to and self.signed_from > self.signed_to:
            found.append(f"销号日期范围的起始日 {self.signed_from.isoformat()} 晚于截止日 {self.signed_to.isoformat()}。")
        return found

    def describe(self, seed: int | None) -> str:
        """The rule in words, as the act records it."""
        scope = []
        if self.signed_from or self.signed_to:
            scope.append(f"销号日期{self.signed_from.isoformat() if self.signed_from else ''}至{self.signed_to.isoformat() if self.signed_to else ''}")
        if self.annex is not None:
            scope.append(f"附件{self.annex}")
        if self.unit:
            scope.append(f"单位“{self.unit}”")
        where = "、".join(scope) or "全部"
        if self.recent is not None:
            return f"{where}已销号任务中最近销号的{self.recent}项"
        if self.size is not None:
            return f"{where}已销号任务中随机抽取{self.size}项（随机种子 {seed}）"
        return f"{where}已销号任务全部复核"


def recheck_candidates(session: Session, plan_id: int, rule: RecheckRule, on: dt.date) -> list[tuple[Task, SignOff]]:
    """The plan's tasks signed off by `on` that the rule's scope admits, in document order (the draw's fixed order)."""
    query = (
        select(Task, SignOff)
        .join(SignOff, SignOff.task_id == Task.id)
        .where(Task.plan_id == plan_id, Task.removed_at.is_(None), SignOff.signed_on <= on)
        .order_by(Task.position, Task.id)
    )
    if rule.signed_from is not None:
        query = query.where(SignOff.signed_on >= rule.signed_from)
    if rule.signed_to is not None:
        query = query.where(SignOff.signed_on <= rule.signed_to)
    if rule.annex is not None:
        query = query.join(Annex, Annex.id == Task.annex_id).where(Annex.number == rule.annex)
    if rule.unit is not None:
        unit_id = find_unit(session, rule.unit).id
        query = query.where(Task.id.in_(select(Assignment.task_id).where(Assignment.unit_id == unit_id)))
    return [(task, signed) for task, signed in session.execute(query).all()]


def draw_sample(candidates: list, rule: RecheckRule, seed: int | None) -> list:
    """The rule's pick among candidates (in their given order): all, the N most recent, or N by random.Random(seed)."""
    if rule.recent is not None:
        recent = sorted(range(len(candidates)), key=lambda i: (-candidates[i][1].signed_on.toordinal(), i))[: rule.recent]
        return [candidates[i] for i in sorted(recent)]
    if rule.size is not None:
        picked = random.Random(seed).sample(range(len(candidates)), min(rule.size, len(candidates)))
        return [candidates[i] for i in sorted(picked)]
    return list(candidates)


@dataclass
class RecheckCandidate:
    """A signed-off task a 回头看 may draw, as the window's preview lists it."""

    task: str
    title: str
    signed_on: dt.date


@dataclass
class RecheckPreview:
    """What a draw with this rule and seed would take, before anything is recorded."""

    candidates: list[RecheckCandidate]
    drawn: list[RecheckCandidate]
    rule: str


def preview_recheck(session: Session, plan_id: int, rule: RecheckRule, on: dt.date) -> RecheckPreview:
    """The candidates and the tasks draw_recheck would draw on `on` with the rule's seed (read only)."""
    problems = rule.problems()
    if rule.size is not None and rule.seed is None:
        problems.append("预览随机抽取请给出随机种子。")
    if problems:
        raise UserError("抽取条件有误：", problems)
    candidates = [RecheckCandidate(task.code, task.title, signed.signed_on) for task, signed in recheck_candidates(session, plan_id, rule, on)]
    # draw_sample reads each pair's second item's signed_on, as draw_recheck's (task, sign-off) pairs give it.
    drawn = [c for c, _same in draw_sample([(c, c) for c in candidates], rule, rule.seed)]
    return RecheckPreview(candidates, drawn, rule.describe(rule.seed))


def draw_recheck(
    session: Session,
    plan_id: int,
    *,
    act_date: dt.date,
    basis: str,
    rule: RecheckRule,
    operator: str,
    follow_up: str | None = None,
    in_circular: bool = False,
) -> ActView:
    """Record a 回头看 and the signed-off tasks it draws for re-check, each 待复核."""
    refuse_unless_office(session, "开展回头看")
    problems = rule.problems() + date_problems(session, plan_id, act_date, "回头看")
    problems += text_problems("依据", basis, required=True) + text_problems("整改或跟进要求", follow_up, required=False)
    if problems:
        raise UserError("回头看未抽取：", problems)
    candidates = recheck_candidates(session, plan_id, rule, act_date)
    if not candidates:
        raise UserError(f"没有符合条件的已销号任务（{rule.describe(None)}，销号日期不晚于 {act_date.isoformat()}），回头看未抽取。")
    seed = rule.seed if rule.seed is not None or rule.size is None else random.SystemRandom().randrange(MAX_SEED + 1)
    sample = draw_sample(candidates, rule, seed)
    act = SupervisoryAct(
        plan_id=plan_id, kind=ActKind.RECHECK.value, act_date=act_date, basis=basis.strip(), follow_up=(follow_up or "").strip() or None,
        in_circular=in_circular, operator=operator, seed=seed if rule.size is not None else None,
        sample_rule=f"{rule.describe(seed)}；候选{len(candidates)}项，抽取{len(sample)}项",
    )
    act.targets = [ActTarget(task_id=task.id) for task, _signed in sample]
    act.recheck_items = [RecheckItem(task_id=task.id, signed_on=signed.signed_on, outcome=RecheckOutcome.PENDING.value) for task, signed in sample]
    session.add(act)
    session.flush()
    audit.record(
        session, "act.recheck_draw", "act", act.uuid, operator=operator,
        after={"date": act_date, "basis": act.basis, "rule": act.sample_rule, "seed": act.seed, "candidates": [t.code for t, _s in candidates],
               "drawn": [t.code for t, _s in sample], "in_circular": in_circular},
    )
    return act_views(session, [act.id])[0]


def record_recheck(
    session: Session, act_id: int, task_code: str, outcome: str, *, checked_on: dt.date, operator: str, note: str | None = None
) -> RecheckView:
    """Record one re-check; a failed one revokes the task's sign-off in the same transaction and keeps it on the re-check."""
    refuse_unless_office(session, "记录回头看结果")
    act = get_act(session, act_id)
    if act.kind != ActKind.RECHECK:
        raise UserError(f"编号 {act.id} 的事项是{act.kind}，不是回头看。")
    task = get_task(session, task_code, act.plan_id)
    lock_task(session, task)
    item = session.scalar(select(RecheckItem).where(RecheckItem.act_id == act.id, RecheckItem.task_id == task.id))
    if item is None:
        raise UserError(f"任务 {task.code} 不在编号 {act.id} 的回头看抽取的任务中。")
    problems = []
    try:
        verdict = RecheckOutcome((outcome or "").strip())
    except ValueError:
        verdict = None
    if verdict not in (RecheckOutcome.PASSED, RecheckOutcome.FAILED):
        problems.append(f"复核结果“{(outcome or '')[:20]}”无效，应为“通过”或“未通过”。")
    if item.outcome != RecheckOutcome.PENDING:
        problems.append(f"任务 {task.code} 已于 {item.checked_on.isoformat() if item.checked_on else ''} 记录复核结果“{item.outcome}”，不能再次记录。")
    if checked_on < act.act_date:
        problems.append(f"复核日期 {checked_on.isoformat()} 早于回头看日期 {act.act_date.isoformat()}。")
    if checked_on > dt.date.today():
        problems.append(f"复核日期 {checked_on.isoformat()} 晚于今天。")
    problems += text_problems("未通过的原因", note, required=verdict is RecheckOutcome.FAILED)
    if problems:
        raise UserError(f"任务 {task.code} 的回头看结果未保存：", problems)
    item.outcome, item.note, item.checked_on, item.operator = verdict.value, (note or "").strip() or None, checked_on, operator
    if verdict is RecheckOutcome.FAILED:
        _reopen(session, act, item, task, operator)
    audit.record(
        session, "act.recheck", "act", act.uuid, operator=operator,
        after={"task": task.code, "outcome": item.outcome, "note": item.note, "checked_on": checked_on, "revoked_sign_off": item.revoked_sign_off},
    )
    session.flush()
    return next(r for r in act_views(session, [act.id])[0].rechecks if r.task == task.code)


def _reopen(session: Session, act: SupervisoryAct, item: RecheckItem, task: Task, operator: str) -> None:
    """Revoke the task's sign-off; its record stays on the re-check and its file among the act's evidence."""
    signed = session.scalar(select(SignOff).where(SignOff.task_id == task.id))
    if signed is None:  # revoked since the draw: the task is open already
        return
    item.revoked_sign_off = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in sign_off_snapshot(signed).items()}
    if signed.evidence_data is not None:
        data = signed.evidence_data
        act.evidence.append(
            ActEvidence(name=safe_evidence_name(f"原销号材料-{task.code}-{signed.evidence_name or '证明材料'}"), size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), data=data)
        )
    revoke_sign_off(session, task, operator=operator, reason=f"回头看（编号 {act.id}，{act.act_date.isoformat()}）复核未通过：{item.note}")
