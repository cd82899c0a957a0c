"""A plan's indicators as data: read from its indicator tables and quantitative goals, kept and corrected.

What one indicator is, by table layout (the 2022 plan has all four):

* a comparison table (指标项目 | 现状 | 2022年6月目标 | 2022年12月目标 | 国内前沿水平 …): one per row; the
  name column is the first that is not 序号, targets come from each ``YYYY年M月目标`` column;
* a step table (a header naming only a period, ``2022 年底``, then a 序号 | 环节 | 时间 row): one per
  numbered step, its time the target at that period; the 合计 row is not one, since it repeats the
  comparison table's year-end 环节 and 时间 above it;
* a one-row table of limits (10千伏接网 ``≤20 | ≤30 …``): one per column, named by the caption and the column;
* a table with sub-columns (客户类型 | 各环节办理时间 × 6 | 合计办理时间 | 现行国家规定时限 | 压减比例): one per
  customer row, its 合计办理时间 the target and the 现行国家规定时限 the baseline; the sub-header row is not one,
  and the per-step times stay readable in the printed row (source_text).

A quantitative goal paragraph gives one indicator per clause (split at ，。；, and at 、 when each part
has its own verb and number) that carries a number with a measure; its target falls due at the date
that opens its sentence (``2022年6月前`` → 2022-06, ``2022年底`` → 2022-12) or at the plan's year end.

Responsible units: the annex's 牵头 units (those of the goal's section when it has one); when the
document names no lead there, the real (non-collective) units named in the most of its tasks.

Identity: ``source_key`` (annex, table title and row name, or the clause) keeps an indicator, its code
and its actuals across re-imports and revised plans; re-importing the same plan changes nothing.
A corrected indicator keeps the clerk's values; its extracted values stay in ``printed``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.accounts import refuse_unless_office
from db.errors import UserError
from db.models import Annex, Assignment, Goal, Indicator, IndicatorTable, IndicatorTarget, IndicatorUnit, Plan, Task, Unit, utcnow
from db.vocabulary import COLLECTIVE_KIND, Direction, IndicatorSource, Role

MEASURES = (
    "个工作日", "工作日", "个百分点", "%", "％", "万人次", "万人", "万元", "亿元", "亿美元", "万亩", "万", "平方公里", "公顷",
    "批次", "个小时", "小时", "个", "天", "次", "年", "家", "件", "项", "分", "台", "所", "张", "人",
)
RE_MEASURED = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(re.escape(m) for m in MEASURES) + ")")
RE_DATE = re.compile(r"\d{4}\s*年(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?)?")
RE_NOTE = re.compile(r"[（(][^（()）]*[)）]")
RE_NUMBER = re.compile(r"\d+(?:\.\d+)?")
RE_TARGET_HEADER = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*目标")
RE_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:底|末)")
RE_OPENING_DATE = re.compile(r"^(?:力争)?(?:到|于|在)?\s*(\d{4})\s*年\s*(?:(\d{1,2})\s*月)?")
RE_HEADER_MEASURE = re.compile(r"[（(]\s*(个|工作日|%|％|天|次)\s*[)）]")
RE_CAPTION_MEASURE = re.compile(r"单位[：:]\s*(\S+?)[）)]?$")
LOWER_WORDS = ("时间", "环节", "成本", "用时", "时限", "次数", "费用")
LOWER_WORDING = ("≤", "不超过", "以内", "以下", "日内", "小时内", "内办结", "压缩", "压减", "降低", "缩短", "减低", "下降", "减少", "之内")
HIGHER_WORDING = ("≥", "达到", "以上", "不低于", "超过", "突破", "提升", "增长", "增幅", "新增", "完成", "达")
TIME_MEASURES = ("工作日", "天", "小时")
CLAUSE_VERBS = ("实现", "达", "达到", "不低于", "不超过", "超过", "突破", "压缩", "压减", "降低", "缩短", "减低", "下降", "提升", "增长", "新增", "完成")


@dataclass
class IndicatorDraft:
    """An indicator as read from the plan, before it meets the ledger."""

    source_key: str
    name: str
    measure_unit: str | None
    direction: Direction
    baseline_text: str | None
    frontier_text: str | None
    targets: dict[str, str]
    source_kind: IndicatorSource
    source_line: int | None
    source_text: str
    row_id: int | None = None
    goal_id: int | None = None
    section_id: int | None = None


def read_number(text: str | None) -> float | None:
    """The number a value states, or None: dates and bracketed notes aside, exactly one distinct number, or 零."""
    if not text:
        return None
    plain = RE_NOTE.sub("", RE_DATE.sub("", text))
    numbers = {float(n) for n in RE_NUMBER.findall(plain)}
    if len(numbers) == 1:
        return numbers.pop()
    if not numbers and re.fullmatch(r"\s*零(?:收费|费用|成本)?\s*", plain):
        return 0.0
    return None


def measure_of(*texts: str | None) -> str | None:
    """The measure unit a value is written in (个, 工作日, % …), from the first text that shows one."""
    for text in texts:
        if not text:
            continue
        found = RE_HEADER_MEASURE.search(text)
        if found:
            return found.group(1).replace("％", "%")
        found = RE_MEASURED.findall(RE_DATE.sub("", text))
        if found:
            # The last measure governs an enumeration: 分别不超过3个、15个工作日.
            unit = found[-1][1].replace("％", "%")
            return {"个工作日": "工作日", "个小时": "小时"}.get(unit, unit)
    return None


def direction_of(name: str, *wording: str | None) -> Direction:
    """Lower is better for times, steps and costs, or when the wording caps a value; higher otherwise."""
    if any(w in name for w in LOWER_WORDS):
        return Direction.LOWER
    text = "".join(w for w in wording if w)
    if any(w in text for w in LOWER_WORDING):
        return Direction.LOWER
    return Direction.HIGHER


def _clause_direction(clause: str) -> Direction:
    """A goal clause says its direction in its verb (压缩至, 不超过 / 达到, 以上); its subject decides otherwise."""
    lower = min((clause.find(w) for w in LOWER_WORDING if w in clause), default=-1)
    higher = min((clause.find(w) for w in HIGHER_WORDING if w in clause and not (w == "超过" and "不超过" in clause)), default=-1)
    if lower >= 0 and (higher < 0 or lower <= higher):
        return Direction.LOWER
    if higher >= 0:
        return Direction.HIGHER
    if measure_of(clause) in TIME_MEASURES:
        return Direction.LOWER
    return direction_of(clause)


def _period(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _header_period(text: str, plan_year: int | None) -> str | None:
    m = RE_TARGET_HEADER.search(text)
    if m:
        return _period(int(m.group(1)), int(m.group(2)))
    m = RE_YEAR_END.search(text) or re.search(r"(\d{4})\s*年", text)
    if m:
        return _period(int(m.group(1)), 12)
    return _period(plan_year, 12) if plan_year else None


def _printed_row(cells: list[str]) -> str:
    """A table row as the document prints it, cell by cell."""
    return " | ".join(cells)


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def _table_drafts(annex: Annex, table: IndicatorTable, plan_year: int | None) -> list[IndicatorDraft]:
    """The indicators of one table, by its layout (see the module docstring)."""
    header = [_clean(h) for h in table.header]
    rows = list(table.rows)
    title = _clean(table.title)
    caption_measure = RE_CAPTION_MEASURE.search(title)
    caption_unit = caption_measure.group(1) if caption_measure else None
    key = f"表:{annex.number}:{title}"
    first = [_clean(c) for c in rows[0].cells] if rows else []
    # A step table: the header names only a period, the first row is the real header.
    if header and header[0] and not any(header[1:]) and first and first[0] == "序号":
        period = _header_period(header[0], plan_year)
        drafts = []
        for row in rows[1:]:
            cells = [_clean(c) for c in row.cells]
            if not cells or not cells[0].isdigit():
                continue
            name = f"{cells[1]}（{re.sub(r'（.*', '', first[2])}）"
            drafts.append(
                IndicatorDraft(
                    f"{key}:{cells[1]}", name, measure_of(first[2], cells[2]), Direction.LOWER, None, None,
                    {period: cells[2]} if period else {}, IndicatorSource.TABLE, row.source_line, _printed_row(cells), row_id=row.id,
                )
            )
        return drafts
    # A one-row table of limits: one indicator per column.
    if len(rows) == 1 and header and all(header) and not any(w in "".join(header) for w in ("现状", "目标", "指标", "客户")):
        core = re.sub(r"单位[：:].*$", "", re.sub(r"^\d{4}\s*年\s*", "", title))
        core = re.sub(r"\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff\d])\s+", "", core).removesuffix("目标")
        period = _header_period(title, plan_year)
        cells = [_clean(c) for c in rows[0].cells]
        return [
            IndicatorDraft(
                f"{key}:{col}", f"{core}（{col}）", caption_unit or measure_of(value), direction_of(core, value), None, None,
                {period: value} if period else {}, IndicatorSource.TABLE, rows[0].source_line,
                _printed_row(cells), row_id=rows[0].id,
            )
            for col, value in zip(header, cells)
            if value
        ]
    # Sub-columns: the sub-header is the first row with an empty first cell.
    if first and not first[0] and any(first[1:]) and "" in header[1:]:
        total = next(i for i, h in enumerate(header) if "合计" in h)
        base = next((i for i, h in enumerate(header) if "规定" in h or "现状" in h), None)
        period = _header_period(title, plan_year)
        drafts = []
        for row in rows[1:]:
            cells = [_clean(c) for c in row.cells]
            if not cells or not cells[0]:
                continue
            drafts.append(
                IndicatorDraft(
                    f"{key}:{cells[0]}", f"{cells[0]}{header[total]}", caption_unit or measure_of(header[total]),
                    direction_of(header[total]), cells[base] if base is not None else None, None,
                    {period: cells[total]} if period else {}, IndicatorSource.TABLE, row.source_line,
                    _printed_row(cells), row_id=row.id,
                )
            )
        return drafts
    # A comparison table.
    name_col = 1 if header and header[0] == "序号" else 0
    base = next((i for i, h in enumerate(header) if "现状" in h), None)
    front = next((i for i, h in enumerate(header) if "前沿" in h), None)
    targets = {i: _header_period(h, plan_year) for i, h in enumerate(header) if RE_TARGET_HEADER.search(h)}
    drafts = []
    for row in rows:
        cells = [_clean(c) for c in row.cells]
        if len(cells) <= name_col or not cells[name_col]:
            continue
        name = cells[name_col]
        baseline = cells[base] if base is not None and base < len(cells) else None
        frontier = cells[front] if front is not None and front < len(cells) else None
        staged = {p: cells[i] for i, p in targets.items() if i < len(cells) and cells[i]}
        name_measure = RE_HEADER_MEASURE.search(name)
        measure = name_measure.group(1) if name_measure else ("个" if "环节" in name else measure_of(baseline, *staged.values()))
        drafts.append(
            IndicatorDraft(
                f"{key}:{name}", name, measure.replace("％", "%") if measure else None,
                direction_of(name, baseline, *staged.values()), baseline or None, frontier or None, staged,
                IndicatorSource.TABLE, row.source_line, _printed_row(cells), row_id=row.id,
            )
        )
    return drafts


def goal_clauses(text: str, plan_year: int | None) -> list[tuple[str, str | None]]:
    """The quantitative clauses of a goal paragraph, each with the month its target falls due."""
    found = []
    for sentence in re.split(r"[。；;]", text):
        period = _period(plan_year, 12) if plan_year else None
        for clause in re.split(r"[，,：:]", sentence):
            clause = clause.strip(" 　—\t")
            opening = RE_OPENING_DATE.match(clause)
            if opening:
                period = _period(int(opening.group(1)), int(opening.group(2)) if opening.group(2) else 12)
            for part in _split_enumeration(clause):
                if RE_MEASURED.search(RE_DATE.sub("", part)):
                    found.append((part, period))
    return found


def _split_enumeration(clause: str) -> list[str]:
    """``环节压减至6个以内、时间26个工作日内`` is two clauses; ``分别不超过3个、15个工作日`` is one.

    A clause splits at 、 when it has no 分别, its first part has a verb and every part its own measured number.
    """
    parts = [p.strip() for p in clause.split("、")]
    if len(parts) > 1 and "分别" not in clause and any(v in parts[0] for v in CLAUSE_VERBS) and all(RE_MEASURED.search(p) for p in parts):
        return parts
    return [clause]


def _goal_drafts(annex: Annex, goal: Goal, plan_year: int | None) -> list[IndicatorDraft]:
    drafts = []
    for clause, period in goal_clauses(goal.text, plan_year):
        drafts.append(
            IndicatorDraft(
                f"文:{annex.number}:{clause}", clause[:300], measure_of(clause), _clause_direction(clause), None, None,
                {period: clause} if period else {}, IndicatorSource.GOAL, goal.source_line, clause,
                goal_id=goal.id, section_id=goal.section_id,
            )
        )
    return drafts


def read_indicators(session: Session, plan: Plan) -> list[tuple[Annex, IndicatorDraft]]:
    """Every indicator the plan's tables and quantitative goals give, in document order per annex."""
    out = []
    for annex in session.scalars(select(Annex).where(Annex.plan_id == plan.id).order_by(Annex.number)):
        for table in annex.indicator_tables:
            out.extend((annex, d) for d in _table_drafts(annex, table, plan.year))
        for goal in annex.goals:
            if goal.is_quantitative:
                out.extend((annex, d) for d in _goal_drafts(annex, goal, plan.year))
    return out


def responsible_units(session: Session, annex_id: int, section_id: int | None = None) -> list[tuple[int, str]]:
    """(unit id, role) answerable for an annex's (or section's) indicators: its leads, else its most named units.

    Units are read as printed; when the tasks name only collectives (各县（市、区）人民政府), their members.
    """
    query = (
        select(Assignment.unit_id, Assignment.role, Unit.kind, Assignment.via_unit_id)
        .join(Task, Task.id == Assignment.task_id)
        .join(Unit, Unit.id == Assignment.unit_id)
        .where(Task.annex_id == annex_id, Task.removed_at.is_(None))
        .order_by(Task.position, Assignment.position)
    )
    if section_id is not None:
        query = query.where(Task.section_id == section_id)
    named = session.execute(query).all()
    rows = [(uid, role) for uid, role, kind, via in named if kind != COLLECTIVE_KIND and via is None]
    if not rows:
        rows = [(uid, role) for uid, role, kind, via in named if kind != COLLECTIVE_KIND]
    leads = list(dict.fromkeys(uid for uid, role in rows if role == Role.LEAD))
    if leads:
        return [(uid, Role.LEAD.value) for uid in leads]
    counts = Counter(uid for uid, role in rows if role != Role.SUPPORT)
    if not counts:
        return [] if section_id is None else responsible_units(session, annex_id)
    most = max(counts.values())
    return [(uid, Role.PLAIN.value) for uid in dict.fromkeys(uid for uid, _ in rows) if counts.get(uid) == most]


def _values(ind: Indicator) -> dict:
    """The extracted or corrected values of an indicator, compared on re-import and kept as printed."""
    return {
        "name": ind.name,
        "measure_unit": ind.measure_unit,
        "direction": ind.direction,
        "baseline_text": ind.baseline_text,
        "frontier_text": ind.frontier_text,
        "targets": {t.period: t.text for t in ind.targets},
    }


def _apply(ind: Indicator, values: dict) -> None:
    ind.name, ind.measure_unit, ind.direction = values["name"], values["measure_unit"], values["direction"]
    ind.baseline_text, ind.baseline_value = values["baseline_text"], read_number(values["baseline_text"])
    ind.frontier_text, ind.frontier_value = values["frontier_text"], read_number(values["frontier_text"])
    wanted = values["targets"]
    current = {t.period: t for t in ind.targets}
    for period, target in current.items():
        if period not in wanted:
            ind.targets.remove(target)
    for period, text in wanted.items():
        if period in current:
            current[period].text, current[period].value = text, read_number(text)
        else:
            ind.targets.append(IndicatorTarget(period=period, text=text, value=read_number(text)))


@dataclass
class ExtractResult:
    """What an extraction did: counts by source, and the codes added, changed and dropped."""

    from_tables: int = 0
    from_goals: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.from_tables + self.from_goals


def extract_indicators(session: Session, plan: Plan, *, operator: str | None = None) -> ExtractResult:
    """Bring a plan's indicators in line with its tables and goals, inside the caller's transaction (idempotent)."""
    result = ExtractResult()
    existing = {i.source_key: i for i in session.scalars(select(Indicator).where(Indicator.plan_id == plan.id))}
    used = {i.code for i in existing.values()}
    seen: set[str] = set()
    per_annex: Counter = Counter()
    for position, (annex, draft) in enumerate(read_indicators(session, plan)):
        if draft.source_key in seen:
            continue
        seen.add(draft.source_key)
        per_annex[annex.number] += 1
        if draft.source_kind == IndicatorSource.TABLE:
            result.from_tables += 1
        else:
            result.from_goals += 1
        values = {
            "name": draft.name,
            "measure_unit": draft.measure_unit,
            "direction": draft.direction.value,
            "baseline_text": draft.baseline_text,
            "frontier_text": draft.frontier_text,
            "targets": draft.targets,
        }
        ind = existing.get(draft.source_key)
        if ind is None:
            code = _next_code(annex.number, used)
            ind = Indicator(plan_id=plan.id, code=code, source_key=draft.source_key, source_kind=draft.source_kind.value)
            session.add(ind)
            result.added.append(code)
            before = None
        else:
            before = _snapshot(ind)
        ind.annex_id, ind.position, ind.removed_at = annex.id, position, None
        ind.indicator_row_id, ind.goal_id = draft.row_id, draft.goal_id
        ind.source_line, ind.source_text = draft.source_line, draft.source_text
        if ind.corrected_at is None:
            _apply(ind, values)
        else:
            ind.printed = values  # the clerk's values stand; the plan's own wording is kept beside them
        wanted_units = responsible_units(session, annex.id, draft.section_id)
        if [(u.unit_id, u.role) for u in ind.units] != wanted_units:
            ind.units.clear()
            session.flush()
            for pos, (uid, role) in enumerate(wanted_units):
                ind.units.append(IndicatorUnit(unit_id=uid, role=role, position=pos))
        session.flush()
        if before is not None and before != _snapshot(ind):
            result.updated.append(ind.code)
            audit.record(session, "indicator.reimport", "indicator", ind.code, before=before, after=_snapshot(ind), operator=operator)
    for key, ind in existing.items():
        if key not in seen and ind.removed_at is None:
            ind.removed_at = utcnow()
            result.removed.append(ind.code)
            audit.record(session, "indicator.removed", "indicator", ind.code, before=_snapshot(ind), operator=operator)
    if result.added:
        audit.record(session, "indicator.extract", "plan", str(plan.id), after={"added": result.added}, operator=operator)
    session.flush()
    return result


def _next_code(annex_number: int, used: set[str]) -> str:
    n = 1
    while f"ZB{annex_number:02d}-{n:02d}" in used:
        n += 1
    code = f"ZB{annex_number:02d}-{n:02d}"
    used.add(code)
    return code


def _snapshot(ind: Indicator) -> dict:
    return {**_values(ind), "source_line": ind.source_line, "units": [(u.unit_id, u.role) for u in ind.units], "printed": ind.printed}


@dataclass
class IndicatorFix:
    """A clerk's correction: each field given replaces the extracted one; targets map 'YYYY-MM' to wording."""

    reason: str
    name: str | None = None
    measure_unit: str | None = None
    direction: str | None = None
    baseline_text: str | None = None
    frontier_text: str | None = None
    targets: dict[str, str] | None = None


def correct_indicator(session: Session, indicator: Indicator, fix: IndicatorFix, operator: str) -> bool:
    """Correct an indicator in the caller's transaction, keeping the printed values; False when nothing changed."""
    from db.periods import check_period

    refuse_unless_office(session, "更正指标")
    problems = []
    if not fix.reason.strip():
        problems.append("请填写更正原因（例如：与原文核对有误）。")
    if fix.name is not None and not fix.name.strip():
        problems.append("指标名称不能为空。")
    if fix.direction is not None and fix.direction not in {d.value for d in Direction}:
        problems.append(f"方向“{fix.direction}”无效，应为：{'、'.join(d.value for d in Direction)}。")
    for period in fix.targets or {}:
        try:
            check_period(period)
        except UserError as exc:
            problems.append(exc.message)
    if problems:
        raise UserError(f"指标 {indicator.code} 的更正未保存：", problems)
    before = _values(indicator)
    after = dict(before)
    for name in ("name", "measure_unit", "direction", "baseline_text", "frontier_text"):
        value = getattr(fix, name)
        if value is not None:
            after[name] = value.strip() or None if name != "name" else value.strip()
    if fix.targets is not None:
        after["targets"] = {p: t.strip() for p, t in sorted(fix.targets.items()) if t.strip()}
    if after == before:
        return False
    if indicator.printed is None:
        indicator.printed = before
    _apply(indicator, after)
    indicator.corrected_at, indicator.corrected_by = utcnow(), operator
    session.flush()
    audit.record(session, "indicator.correct", "indicator", indicator.code, before=before, after=_values(indicator), operator=operator, note=fix.reason)
    return True


def find_indicator(session: Session, plan_id: int, code: str) -> Indicator:
    """An indicator of the plan by its code (ZB02-01), or a Chinese error naming the command that lists them."""
    ind = session.scalar(select(Indicator).where(Indicator.plan_id == plan_id, Indicator.code == code.strip().upper()))
    if ind is None:
        raise UserError(f"当前计划中没有编号为“{code}”的指标。可用 duban indicators list 查看。")
    return ind



@dataclass(frozen=True)
class IndicatorView:
    """An indicator as the command line and exports list it."""

    annex: int
    code: str
    name: str
    measure_unit: str | None
    direction: str
    baseline: str | None
    targets: list[dict]
    frontier: str | None
    units: list[str]
    source_kind: str
    source_line: int | None
    source_text: str
    corrected: bool

    def to_json(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def indicator_query(plan_id: int, *, annex: int | None = None, unit_ids=None, printed_only: bool = True):
    """A plan's indicators with their annex number in document order: one annex's, or those of units (ids or a select)."""
    query = (
        select(Indicator, Annex.number)
        .join(Annex, Annex.id == Indicator.annex_id)
        .where(Indicator.plan_id == plan_id)
        .order_by(Annex.number, Indicator.position)
    )
    if printed_only:
        query = query.where(Indicator.removed_at.is_(None))
    if annex is not None:
        query = query.where(Annex.number == annex)
    if unit_ids is not None:
        query = query.where(Indicator.id.in_(select(IndicatorUnit.indicator_id).where(IndicatorUnit.unit_id.in_(unit_ids))))
    return query


def list_indicators(session: Session, plan_id: int, *, annex: int | None = None) -> list[IndicatorView]:
    """A plan's indicators still printed in it, in document order (optionally one annex's)."""
    return [
        IndicatorView(
            annex=number,
            code=ind.code,
            name=ind.name,
            measure_unit=ind.measure_unit,
            direction=ind.direction,
            baseline=ind.baseline_text,
            targets=[{"period": t.period, "text": t.text, "value": t.value} for t in ind.targets],
            frontier=ind.frontier_text,
            units=[u.unit.name for u in ind.units],
            source_kind=ind.source_kind,
            source_line=ind.source_line,
            source_text=ind.source_text,
            corrected=ind.corrected_at is not None,
        )
        for ind, number in session.execute(indicator_query(plan_id, annex=annex))
    ]


@dataclass(frozen=True)
class IndicatorWording:
    """An indicator's values now and as the plan prints them, for the correction form."""

    indicator_id: int
    code: str
    annex: int
    values: dict
    printed: dict
    source_line: int | None
    source_text: str
    corrected_by: str | None


def indicator_wording(session: Session, indicator_id: int) -> IndicatorWording:
    """The values a clerk corrects, beside the printed ones (the extracted values until a first correction)."""
    ind = session.get(Indicator, indicator_id)
    if ind is None:
        raise UserError("该指标已不在台账中，请刷新（F5）后重试。")
    values = _values(ind)
    return IndicatorWording(
        ind.id, ind.code, ind.annex.number, values, ind.printed or values, ind.source_line, ind.source_text, ind.corrected_by
    )
