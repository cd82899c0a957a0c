"""A plan draft checked against the ledger before it is imported: units not known yet, and what a revision changes.

Units.  Every spelling of the draft that neither the alias table (resources/units.csv) nor the
ledger's own aliases know is a UnitQuestion, with suggestions best first: an existing unit whose name
is close (区住建局 → 区住房和城乡建设局, an abbreviation the alias table already knows for another
level), a new unit with a guessed kind, or a collective with members (各乡镇（街道） → the towns the
ledger has).  Units of different levels stay distinct: a spelling that says 省, 市, 县, 区 or 乡镇
(or a place name of that level) is never suggested as an alias of a unit of another level, and a
spelling without a level takes the level of the plan (the level most of its spellings state).
The clerk's UnitDecisions become ledger aliases, units and collectives (apply_unit_decisions), so the
next plan resolves them without asking.

Revisions.  A draft is a revised version of a ledger plan when it has the same document number or the
same title once years and 修订/版本 words are left out (and the same year when both know theirs); a
plan of another year with the same title is next year's plan, imported beside the old one, unless
``plan_id`` names the plan to revise.  Tasks are matched by their wording (an aligned diff of the
two task lists, then by similarity for changed and moved tasks), so a task inserted in the middle
does not hand its neighbours' reports to the wrong task: matched tasks keep their ledger code and
their row, hence every report, sign-off and extension.  A task the revision no longer has is not
deleted: it keeps its reports, is marked 已从新版计划中删除 (Task.removed_at) and drops out of the
warnings and the completion rates (db.warning_rules); a later version that has it again brings it back.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db import audit
from db.errors import UserError
from db.models import Assignment, Plan, Task, Unit, UnitAlias, UnitMember, utcnow
from db.plan_draft import PlanDraft, TaskDraft
from db.plan_import import ImportResult, import_plan, resolve_in_plan
from db.responsibility import LEAD, SUPPORT
from db.unit_levels import (
    CITY,
    COUNTY,
    DISTRICT,
    TOWN,
    fits_level,
    in_plan_spelling,
    levels_differ,
    plan_level,
    printed_units,
    split_level,
    unit_level,
)
from db.units import KINDS, UNCLASSIFIED, UnitDirectory, normalise
from db.vocabulary import COLLECTIVE_KIND

ALIAS, NEW, COLLECTIVE = "alias", "new", "collective"
ACTIONS = (ALIAS, NEW, COLLECTIVE)
MAX_NAME = 200  # Unit.name and UnitAlias.alias are String(200)

# ---------------------------------------------------------------------------------------------
# Unit questions
# ---------------------------------------------------------------------------------------------


@dataclass
class UnitSuggestion:
    """One way to settle an unknown spelling: an alias of an existing unit, a new unit, or a collective."""

    action: str  # alias, new or collective
    name: str  # the existing unit (alias) or the unit to create (new, collective)
    reason: str  # why, in Chinese, for the preview
    members: list[str] = field(default_factory=list)  # a collective's members (existing units)
    kind: str | None = None  # the kind a new unit would get
    score: float = 0.0  # how sure: 1 for a near certainty


@dataclass
class UnitQuestion:
    """A spelling of the draft the ledger does not know, the tasks that use it, and suggestions best first."""

    spelling: str  # as printed, normalised (db.units.normalise)
    tasks: list[str]  # task codes of the draft
    suggestions: list[UnitSuggestion]
    level: str | None = None  # the level the spelling states, or the plan's when it states none
    # The spelling as the plan prints it when it differs from `spelling`: a bare 财政局 in a district
    # plan is asked about, and settled, as 区财政局 (db.unit_levels).
    printed: str | None = None

    def __post_init__(self) -> None:
        if self.printed is None:
            self.printed = self.spelling

    def to_json(self) -> dict:
        return {
            "spelling": self.spelling,
            "printed": self.printed,
            "tasks": self.tasks,
            "level": self.level,
            "suggestions": [
                {"action": s.action, "name": s.name, "reason": s.reason, "members": s.members, "kind": s.kind, "score": round(s.score, 2)}
                for s in self.suggestions
            ],
        }


@dataclass
class _Known:
    """A unit the ledger or the alias table knows, with every spelling."""

    name: str
    kind: str
    spellings: list[str]
    level: str | None
    collective: bool


_UNIT_END = "局委办厅部院所室会站队司行处中心组"
_COLLECTIVE_WORDS = re.compile(r"^[省市县区]?各|(?:有关|相关|其他|其它|所属|成员)(?:部门|单位|机构|企业)|各(?:部门|单位)$|直各?(?:部门|单位)")


def is_collective_spelling(spelling: str) -> bool:
    """各乡镇（街道）, 县直有关部门, 区政府有关部门, 各相关单位: a group, not one unit."""
    return bool(_COLLECTIVE_WORDS.search(normalise(spelling)))


def guess_kind(spelling: str) -> str:
    """The kind a new unit most likely has, among db.units.KINDS."""
    key = normalise(spelling)
    if is_collective_spelling(key):
        return COLLECTIVE_KIND
    if re.search("管委会|开发区|高新区|示范区|园区|功能区|新区", key):
        return "开发区"
    if re.search("海关|税务|人民银行|人行|银保监|金融监管|邮政管理|气象局|通信管理|统计调查|铁路|民航", key):
        return "驻市单位"
    if re.search("供电", key):
        return "县级供电企业" if unit_level(key) in (COUNTY, DISTRICT) else "企业"
    if re.search("公司|集团|银行|企业", key):
        return "企业"
    level, prefix, core = split_level(key)
    if level == TOWN:
        return UNCLASSIFIED  # the kinds have no place for towns; 县（市、区） would make them members of 各县（市、区）人民政府
    if core in ("人民政府", "政府") and prefix and level in (COUNTY, DISTRICT, CITY):
        return "县（市、区）"
    return "市直部门"


def _known_units(session: Session | None, directory: UnitDirectory) -> list[_Known]:
    known: dict[str, _Known] = {}
    ledger_units = session.scalars(select(Unit).options(selectinload(Unit.aliases)).order_by(Unit.id)) if session is not None else []
    for unit in ledger_units:
        spellings = list(dict.fromkeys([normalise(unit.name), *(a.alias for a in unit.aliases)]))
        known[unit.name] = _Known(unit.name, unit.kind, spellings, unit_level(unit.name), unit.kind == COLLECTIVE_KIND)
    for record in directory.records.values():
        if record.name not in known:
            spellings = list(dict.fromkeys(normalise(s) for s in [record.name, *record.aliases]))
            known[record.name] = _Known(record.name, record.kind, spellings, unit_level(record.name), record.kind == COLLECTIVE_KIND)
    return list(known.values())


def _abbreviations(units: list[_Known]) -> dict[str, str]:
    """Short cores the alias table and the ledger know → full cores: 住建局 → 住房和城乡建设局, at any level."""
    out: dict[str, str] = {}
    for unit in units:
        if unit.collective:
            continue
        full = split_level(unit.name)[2]
        for spelling in unit.spellings:
            core = split_level(spelling)[2]
            if core != full and len(core) >= 3 and core[-1] in _UNIT_END and len(core) < len(full):
                out.setdefault(core, full)
    return out


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def _closeness(core: str, other: str) -> float:
    """How alike two cores are: difflib's ratio, or 0.85 for an abbreviation (住建局 in 住房和城乡建设局).

    A suffix both share (局, 委) is left out of the ratio: 环保局 and 医保局 are not alike.
    """
    if core == other:
        return 1.0
    a, b = core, other
    while a and b and a[-1] == b[-1] and a[-1] in _UNIT_END:
        a, b = a[:-1], b[:-1]
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio() if a and b else 0.0
    short, long = sorted((core, other), key=len)
    if len(short) >= 3 and short[0] == long[0] and _is_subsequence(short, long) and short[-1] in _UNIT_END and long[-1] == short[-1]:
        ratio = max(ratio, 0.85)
    return ratio


def _alias_suggestions(key: str, level: str | None, units: list[_Known], abbreviations: dict[str, str]) -> list[UnitSuggestion]:
    _, prefix, core = split_level(key)
    collective = is_collective_spelling(key)
    expanded = abbreviations.get(core)
    found: dict[str, UnitSuggestion] = {}
    for unit in units:
        if unit.collective != collective or levels_differ(level, unit.level):
            continue
        best, why = 0.0, ""
        for spelling in unit.spellings:
            other_level, _, other_core = split_level(spelling)
            if levels_differ(level, other_level):
                continue
            score = _closeness(core, other_core)
            if expanded and other_core == expanded:
                score, why_now = 0.97, f"“{core}”是“{expanded}”的简称（单位别名表），台账中已有同级的“{unit.name}”"
            elif score == 1.0:
                why_now = f"与台账中的“{unit.name}”只差地名或级别前缀的写法"
                score = 0.95
            else:
                why_now = f"与台账中的“{unit.name}”写法相近（相似度 {score:.0%}）"
            if score > best:
                best, why = score, why_now
        threshold = 0.75 if collective else 0.6
        if best >= threshold:
            found[unit.name] = UnitSuggestion(ALIAS, unit.name, why, kind=unit.kind, score=best)
    return sorted(found.values(), key=lambda s: -s.score)[:3]


def _is_town(name: str) -> bool:
    return unit_level(name) == TOWN and len(split_level(name)[1]) >= 3


def _is_county_government(name: str) -> bool:
    level, prefix, core = split_level(name)
    return level in (COUNTY, DISTRICT, CITY) and len(prefix) >= 3 and core in ("人民政府", "政府")


def _collective_suggestion(key: str, level: str | None, units: list[_Known]) -> UnitSuggestion:
    """A collective named as printed, with the members the ledger already has when the wording says which."""
    members: list[str] = []
    what = ""
    if re.search("乡镇|街道|各镇|各乡", key):
        members = [u.name for u in units if not u.collective and _is_town(u.name)]
        what = "乡镇（街道）"
    elif re.search(r"各(?:县|区|市)", key) and re.search("政府", key) or re.fullmatch(r"各县（?[市区、]*）?|各县区|各区县", key):
        members = [u.name for u in units if not u.collective and _is_county_government(u.name)]
        what = "县（市、区）政府"
    if members:
        reason = f"像是多个单位的统称；台账中已有 {len(members)} 个{what}，作为它的成员（可增减）"
    else:
        reason = "像是多个单位的统称；成员请在导入时选定（不选则按一个集合单位记）"
    return UnitSuggestion(COLLECTIVE, key, reason, members=members, kind=COLLECTIVE_KIND, score=0.7 if members else 0.6)


def _new_suggestion(key: str, abbreviations: dict[str, str], units: list[_Known]) -> UnitSuggestion | None:
    level, prefix, core = split_level(key)
    kind = guess_kind(key)
    full = abbreviations.get(core)
    if full and prefix:
        name = prefix + full
        if any(u.name == name for u in units):
            return None  # the alias suggestion names it already
        return UnitSuggestion(NEW, name, f"新建单位“{name}”（“{core}”是“{full}”的简称），类别推测为{_kind_words(kind)}", kind=kind, score=0.8)
    return UnitSuggestion(NEW, key, f"新建单位“{key}”，类别推测为{_kind_words(kind)}", kind=kind, score=0.5)


def _kind_words(kind: str) -> str:
    return "“市直部门”（本级政府的部门）" if kind == "市直部门" else f"“{kind}”"


def _lookup(session: Session | None, directory: UnitDirectory, spelling: str, level: str | None) -> tuple[list[str], str]:
    if session is not None:
        return resolve_in_plan(session, directory, spelling, level)
    names, qualified = directory.resolve(spelling), in_plan_spelling(spelling, level)
    if qualified is None or (names and fits_level(names, level)):
        return names, normalise(spelling)
    return directory.resolve(qualified), qualified


def unit_questions(session: Session | None, draft: PlanDraft, directory: UnitDirectory) -> list[UnitQuestion]:
    """The draft's spellings that neither the alias table nor the ledger knows, in order of first use.

    A bare spelling is asked about at the plan's level: in a district plan, 财政局 (the city's in the
    alias table) is asked about as 区财政局, printed 财政局.  Without a session (no ledger yet) the
    alias table alone decides.
    """
    default_level = plan_level(draft)
    unknown: dict[str, tuple[str, list[str]]] = {}
    known: set[str] = set()
    for task in draft.tasks:
        for written, _ in printed_units(task):
            printed = normalise(written)
            if not printed or printed in known:
                continue
            names, key = _lookup(session, directory, printed, default_level)
            if names:
                known.add(printed)
                continue
            codes = unknown.setdefault(key, (printed, []))[1]
            if task.code not in codes:
                codes.append(task.code)
    if not unknown:
        return []
    units = _known_units(session, directory)
    abbreviations = _abbreviations(units)
    asked = []
    for key, (printed, codes) in unknown.items():
        level = unit_level(key) or default_level
        suggestions = _alias_suggestions(key, level, units, abbreviations)
        if is_collective_spelling(key):
            suggestions.append(_collective_suggestion(key, level, units))
        else:
            new = _new_suggestion(key, abbreviations, units)
            if new is not None:
                suggestions.append(new)
        suggestions.sort(key=lambda s: -s.score)
        asked.append(UnitQuestion(key, codes, suggestions, level, printed))
    return asked


# ---------------------------------------------------------------------------------------------
# Unit decisions
# ---------------------------------------------------------------------------------------------


@dataclass
class UnitDecision:
    """What the clerk decided for a spelling: the unit it is (alias), a new unit, or a collective of members."""

    spelling: str
    action: str
    name: str
    kind: str | None = None
    members: list[str] = field(default_factory=list)


def find_unit_named(session: Session, name: str) -> Unit | None:
    """A ledger unit by its name or any alias, or None."""
    return _find(session, name)


def _find(session: Session, name: str) -> Unit | None:
    key = normalise(name)
    unit = session.scalar(select(Unit).where(Unit.name == name.strip()))
    return unit or session.scalar(select(Unit).join(UnitAlias, UnitAlias.unit_id == Unit.id).where(UnitAlias.alias == key))


def _checked_name(text: str, what: str) -> str:
    if not isinstance(text, str):
        raise UserError(f"{what}无效：应为单位名称文字。")
    name = normalise(text)
    if not name or len(name) > MAX_NAME or any(ch in name for ch in "\n\r\t\x00"):
        raise UserError(f"{what}“{(text or '')[:40]}”无效：应为 1 到 {MAX_NAME} 个字的单位名称。")
    return name


def _point_alias(session: Session, spelling: str, unit: Unit, operator: str | None) -> None:
    alias = session.scalar(select(UnitAlias).where(UnitAlias.alias == spelling))
    if alias is not None and alias.unit_id == unit.id:
        return
    before = None
    if alias is None:
        session.add(UnitAlias(alias=spelling, unit_id=unit.id))
    else:
        before = {"unit": session.get(Unit, alias.unit_id).name}
        alias.unit_id = unit.id
    session.flush()
    audit.record(session, "unit.alias", "unit_alias", spelling, before=before, after={"unit": unit.name}, operator=operator)


def _new_unit(session: Session, name: str, kind: str, operator: str | None) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.name == name))
    if unit is not None:
        if unit.kind == UNCLASSIFIED and kind != UNCLASSIFIED:
            audit.record(session, "unit.kind", "unit", name, before={"kind": unit.kind}, after={"kind": kind}, operator=operator)
            unit.kind = kind
        return unit
    unit = Unit(name=name, kind=kind)
    session.add(unit)
    session.flush()
    audit.record(session, "unit.create", "unit", name, after={"kind": kind}, operator=operator)
    _point_alias_quiet(session, name, unit)
    return unit


def _point_alias_quiet(session: Session, spelling: str, unit: Unit) -> None:
    if session.scalar(select(UnitAlias.id).where(UnitAlias.alias == spelling)) is None:
        session.add(UnitAlias(alias=spelling, unit_id=unit.id))
        session.flush()


MAX_MEMBERS = 500  # a collective's members: more than any county has towns or departments


def apply_unit_decisions(
    session: Session, decisions: list[UnitDecision], operator: str | None = None, directory: UnitDirectory | None = None
) -> None:
    """Write the clerk's decisions as units, aliases and collectives in the caller's transaction, audited.

    A bad decision (an unknown unit, an alias across levels, a collective inside a collective, a spelling
    the alias table already gives another unit) is a UserError and, as the caller's transaction rolls
    back, changes nothing.
    """
    if directory is None:
        from db.ledger import load_directory

        directory = load_directory()
    for decision in decisions:
        spelling = _checked_name(decision.spelling, "单位写法")
        name = _checked_name(decision.name, "单位名称")
        table_name = directory.canonical(spelling)
        if table_name is not None and table_name != name and _find(session, name) is not _find(session, table_name):
            # Every import brings the ledger's aliases back in line with the table (db.plan_import.sync_units).
            raise UserError(
                f"单位别名表 units.csv 已把“{spelling}”定为“{table_name}”，不能改为“{name}”。如确需更改，请修改单位别名表。"
            )
        if not isinstance(decision.members, (list, tuple)) or len(decision.members) > MAX_MEMBERS:
            raise UserError(f"集合“{name}”的成员应为不超过 {MAX_MEMBERS} 个单位名称的列表，请检查。")
        if decision.action == ALIAS:
            unit = _find(session, name)
            if unit is None:
                raise UserError(f"“{spelling}”要作为别名的单位“{name}”不在台账中。可用 duban units 查看单位名称。")
            if levels_differ(unit_level(spelling), unit_level(unit.name)):
                raise UserError(
                    f"“{spelling}”是{unit_level(spelling)}级单位，“{unit.name}”是{unit_level(unit.name)}级单位，不是同一个单位，不能作为别名。"
                    "请新建单位。"
                )
            _point_alias(session, spelling, unit, operator)
        elif decision.action == NEW:
            kind = decision.kind or guess_kind(name)
            if kind not in KINDS:
                raise UserError(f"单位“{name}”的类别“{kind}”无效，应为 {'、'.join(KINDS)} 之一。")
            unit = _new_unit(session, name, kind, operator)
            _point_alias(session, spelling, unit, operator)
        elif decision.action == COLLECTIVE:
            collective = _new_unit(session, name, COLLECTIVE_KIND, operator)
            if collective.kind != COLLECTIVE_KIND:
                raise UserError(f"“{name}”在台账中是一个单位（{collective.kind}），不能作为集合。请换一个名称。")
            members = []
            for member_name in dict.fromkeys(_checked_name(m, "成员单位") for m in decision.members):
                member = _find(session, member_name) or _new_unit(session, member_name, guess_kind(member_name), operator)
                if member.kind == COLLECTIVE_KIND or member.id == collective.id:
                    raise UserError(f"集合“{name}”的成员“{member.name}”本身是集合；请列出具体单位。")
                members.append(member)
            _set_members(session, collective, members, operator)
            _point_alias(session, spelling, collective, operator)
        else:
            raise UserError(f"对“{spelling}”的处理“{decision.action}”无效，应为 alias（已有单位）、new（新建单位）或 collective（集合）。")


def _set_members(session: Session, collective: Unit, members: list[Unit], operator: str | None) -> None:
    rows = session.scalars(select(UnitMember).where(UnitMember.collective_id == collective.id).order_by(UnitMember.position)).all()
    before = [session.get(Unit, r.member_id).name for r in rows]
    after = [m.name for m in members]
    if before == after:
        return
    for row in rows:
        session.delete(row)
    session.flush()
    for pos, member in enumerate(members):
        session.add(UnitMember(collective_id=collective.id, member_id=member.id, position=pos))
    session.flush()
    audit.record(session, "unit.members", "unit", collective.name, before={"members": before}, after={"members": after}, operator=operator)


def collective_member_names(session: Session, name: str) -> list[str]:
    """The members a clerk listed for a collective (in order); [] for any other unit."""
    unit = _find(session, name)
    if unit is None:
        return []
    return list(
        session.scalars(
            select(Unit.name).join(UnitMember, UnitMember.member_id == Unit.id).where(UnitMember.collective_id == unit.id).order_by(UnitMember.position)
        )
    )


def alias_choices(session: Session, level: str | None) -> list[str]:
    """The ledger units a spelling of `level` (UnitQuestion.level) may be an alias of: none of another level."""
    names = session.scalars(select(Unit.name).order_by(Unit.name)).all()
    return [n for n in names if not levels_differ(level, unit_level(n))]


def parse_unit_option(text: str) -> tuple[str, str]:
    """`--unit "拼写=单位名"` → (spelling, name); a bad option is a UserError."""
    spelling, sep, name = (text or "").partition("=")
    if not sep or not spelling.strip() or not name.strip():
        raise UserError(f"--unit “{text}”无效，应写作“拼写=单位名”，例如 --unit \"区住建局=区住房和城乡建设局\"。")
    return spelling.strip(), name.strip()


# ---------------------------------------------------------------------------------------------
# Revisions
# ---------------------------------------------------------------------------------------------

FIELD_TITLE, FIELD_TEXT, FIELD_LEAD, FIELD_UNITS, FIELD_SUPPORT, FIELD_DEADLINE = "任务名称", "任务内容", "牵头单位", "责任单位", "配合单位", "完成时限"
FIELDS = (FIELD_TITLE, FIELD_TEXT, FIELD_LEAD, FIELD_UNITS, FIELD_SUPPORT, FIELD_DEADLINE)


@dataclass
class TaskChange:
    """A task of the ledger the revision changed: which fields (in Chinese) and their values before and after."""

    code: str  # the ledger code, kept by the import
    draft_code: str
    fields: list[str]
    before: dict
    after: dict


@dataclass
class PlanChanges:
    """What a draft changes in the plan it revises; plan_id None when it revises no plan of the ledger."""

    plan_id: int | None
    added: list[str] = field(default_factory=list)  # draft codes
    changed: list[TaskChange] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # ledger codes
    unchanged: int = 0
    renamed: dict[str, str] = field(default_factory=dict)  # draft code → ledger code, for matched tasks whose code moved
    plan_title: str | None = None
    # Tasks an earlier revision dropped that this version has again (ledger codes).
    restored: list[str] = field(default_factory=list)
    # Ledger code → draft code of every matched task.
    matched: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "plan_id": self.plan_id,
            "plan_title": self.plan_title,
            "added": self.added,
            "changed": [
                {"code": c.code, "draft_code": c.draft_code, "fields": c.fields, "before": c.before, "after": c.after} for c in self.changed
            ],
            "removed": self.removed,
            "restored": self.restored,
            "unchanged": self.unchanged,
            "renamed": self.renamed,
        }


_YEAR = re.compile(r"(?:19|20)\d{2}\s*(?:[-—–至到]\s*(?:19|20)?\d{2,4})?\s*年?度?")
_VERSION_WORDS = re.compile(r"修订稿|修订版|修订本|修订|征求意见稿|送审稿|试行|暂行|版本|第[一二三四五六七八九十\d]+版|版|稿")
_EMPTY_BRACKETS = re.compile(r"[（(〔【\[]\s*[）)〕】\]]")


def title_key(title: str) -> str:
    """A plan title without years, 修订/版本 words and the brackets they leave."""
    key = normalise(title or "")
    key = _YEAR.sub("", key)
    key = _VERSION_WORDS.sub("", key)
    key = _EMPTY_BRACKETS.sub("", key)
    return re.sub(r"[\s《》“”\"']", "", key)


def revised_plan(session: Session, draft: PlanDraft, plan_id: int | None = None) -> Plan | None:
    """The ledger plan a draft is a revised version of: the one named, else same number, else same title and year."""
    if plan_id is not None:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise UserError(f"台账中没有编号为 {plan_id} 的计划。可用 duban plans 查看。")
        return plan
    plans = list(session.scalars(select(Plan).order_by(Plan.is_current.desc(), Plan.id.desc())))
    if draft.doc_number:
        number = normalise(draft.doc_number)
        for plan in plans:
            if plan.doc_number and normalise(plan.doc_number) == number:
                return plan
    key = title_key(draft.title)
    if not key:
        return None
    for plan in plans:
        same_year = plan.year is None or draft.year is None or plan.year == draft.year
        if title_key(plan.title) == key and same_year:
            return plan
    return None


def _wording_key(title: str | None, text: str | None) -> str:
    return re.sub(r"[\s，。；：、,.;:（）()“”\"]", "", f"{title or ''}{text or ''}")


def _deadline(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _draft_units(session: Session, directory: UnitDirectory, task: TaskDraft, level: str | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {FIELD_LEAD: [], FIELD_UNITS: [], FIELD_SUPPORT: []}
    for written, role in printed_units(task):
        names, key = resolve_in_plan(session, directory, written, level)
        names = names or [key]
        group = FIELD_LEAD if role == LEAD else FIELD_SUPPORT if role == SUPPORT else FIELD_UNITS
        for name in names:
            if name not in out[group]:
                out[group].append(name)
    return out


def _ledger_units(task: Task) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {FIELD_LEAD: [], FIELD_UNITS: [], FIELD_SUPPORT: []}
    for a in task.assignments:
        if a.via_unit_id is None:
            group = FIELD_LEAD if a.role == LEAD else FIELD_SUPPORT if a.role == SUPPORT else FIELD_UNITS
            if a.unit.name not in out[group]:
                out[group].append(a.unit.name)
    return out


def _ledger_fields(task: Task) -> dict:
    return {
        FIELD_TITLE: task.printed_title or task.title,
        FIELD_TEXT: task.printed_text or task.text,
        FIELD_DEADLINE: task.deadline_text,
        **_ledger_units(task),
    }


def _draft_fields(session: Session, directory: UnitDirectory, task: TaskDraft, level: str | None) -> dict:
    return {FIELD_TITLE: task.title, FIELD_TEXT: task.text, FIELD_DEADLINE: task.deadline_text, **_draft_units(session, directory, task, level)}


def _differences(before: dict, after: dict) -> list[str]:
    out = []
    for name in FIELDS:
        a, b = before.get(name), after.get(name)
        if name == FIELD_DEADLINE:
            a, b = _deadline(a), _deadline(b)
        elif name in (FIELD_TITLE, FIELD_TEXT):
            a, b = _wording_key(a, None), _wording_key(b, None)
        elif isinstance(a, list):
            a, b = sorted(a), sorted(b or [])
        if a != b:
            out.append(name)
    # A title read as the task's first words changes with its text: the text alone is news.
    if FIELD_TITLE in out and FIELD_TEXT in out and all(
        _wording_key(side.get(FIELD_TEXT), None).startswith(_wording_key(side.get(FIELD_TITLE), None)) for side in (before, after)
    ):
        out.remove(FIELD_TITLE)
    return out


def _bigrams(key: str) -> frozenset[str]:
    return frozenset(key[i : i + 2] for i in range(len(key) - 1)) or frozenset([key])


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    """How alike two wordings are: shared character pairs (fast enough for every pair of two 400-task plans)."""
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


EDITED, MOVED = 0.5, 0.7  # how alike an edited task must be to its place's old task, and a task found elsewhere


def match_tasks(ledger: list[Task], drafts: list[TaskDraft]) -> dict[int, int]:
    """Ledger index → draft index of the same task.

    Identical wordings pair first, in order (a task moved keeps its reports).  Then, for the rest, a
    task edited in place pairs with the old task between the same matched neighbours when they are
    alike, or, one for one, when they carry the same number and share their units or some words (a
    wholly other task put in a dropped one's place does not take its reports); last, a task edited and
    moved pairs with any old task it is very like.  Ties go to the task that kept its number.
    """
    lkeys = [_wording_key(t.printed_title or t.title, t.printed_text or t.text) for t in ledger]
    rkeys = [_wording_key(t.title, t.text) for t in drafts]
    pairs: dict[int, int] = {}
    waiting: dict[str, list[int]] = {}
    for j, key in enumerate(rkeys):
        waiting.setdefault(key, []).append(j)
    for i, key in enumerate(lkeys):
        if waiting.get(key):
            pairs[i] = waiting[key].pop(0)
    lgrams = [_bigrams(k) for k in lkeys]
    rgrams = [_bigrams(k) for k in rkeys]

    def pair_alike(left: list[int], right: list[int], threshold: float) -> None:
        if not left or not right or len(left) * len(right) > 400_000:
            return  # a wholly different plan: nothing worth pairing
        scored = []
        for i in left:
            for j in right:
                score = _dice(lgrams[i], rgrams[j]) + (0.05 if ledger[i].code == drafts[j].code else 0.0)
                if score >= threshold:
                    scored.append((score, i, j))
        taken_l, taken_r = set(), set()
        for _, i, j in sorted(scored, key=lambda t: (-t[0], t[1], t[2])):
            if i not in taken_l and j not in taken_r:
                pairs[i] = j
                taken_l.add(i)
                taken_r.add(j)

    # The gaps between matched neighbours: what the draft has where the ledger had something else.
    for left, right in _gaps(pairs, len(ledger), len(drafts)):
        pair_alike(left, right, EDITED)
        if len(left) == len(right):  # rewritten in place, one for one: the same number, the same units or some words
            for i, j in zip(left, right):
                if i not in pairs and j not in pairs.values() and ledger[i].code == drafts[j].code and (
                    _dice(lgrams[i], rgrams[j]) >= 0.25 or _wording_key(ledger[i].responsibility_text, None) == _wording_key(drafts[j].responsibility_text, None)
                ):
                    pairs[i] = j
    taken = set(pairs.values())
    pair_alike([i for i in range(len(ledger)) if i not in pairs], [j for j in range(len(drafts)) if j not in taken], MOVED)
    return pairs


def _gaps(pairs: dict[int, int], n_ledger: int, n_draft: int) -> list[tuple[list[int], list[int]]]:
    """Unmatched ledger and draft indexes between consecutive matched pairs that keep their order."""
    anchors = [(-1, -1)]
    for i in sorted(pairs):
        if pairs[i] > anchors[-1][1]:
            anchors.append((i, pairs[i]))
    anchors.append((n_ledger, n_draft))
    taken = set(pairs.values())
    gaps = []
    for (i0, j0), (i1, j1) in zip(anchors, anchors[1:]):
        left = [i for i in range(i0 + 1, i1) if i not in pairs]
        right = [j for j in range(j0 + 1, j1) if j not in taken]
        if left and right:
            gaps.append((left, right))
    return gaps


def plan_changes(session: Session, draft: PlanDraft, plan_id: int | None = None, directory: UnitDirectory | None = None) -> PlanChanges:
    """What importing the draft would change in the plan it revises (PlanChanges.plan_id None: a new plan)."""
    plan = revised_plan(session, draft, plan_id)
    if plan is None:
        return PlanChanges(plan_id=None, added=[t.code for t in draft.tasks])
    if directory is None:
        from db.ledger import load_directory

        directory = load_directory()
    ledger = list(
        session.scalars(
            select(Task)
            .where(Task.plan_id == plan.id)
            .options(selectinload(Task.assignments).selectinload(Assignment.unit))
            .order_by(Task.position, Task.id)
        )
    )
    drafts = draft.tasks
    level = plan_level(draft)
    pairs = match_tasks(ledger, drafts)
    changes = PlanChanges(plan_id=plan.id, plan_title=plan.title)
    matched_drafts = set(pairs.values())
    for i, task in enumerate(ledger):
        j = pairs.get(i)
        if j is None:
            if task.removed_at is None:
                changes.removed.append(task.code)
            continue
        d = drafts[j]
        changes.matched[task.code] = d.code
        if d.code != task.code:
            changes.renamed[d.code] = task.code
        if task.removed_at is not None:
            changes.restored.append(task.code)
        before, after = _ledger_fields(task), _draft_fields(session, directory, d, level)
        fields = _differences(before, after)
        if fields:
            changes.changed.append(TaskChange(task.code, d.code, fields, {f: before[f] for f in fields}, {f: after[f] for f in fields}))
        else:
            changes.unchanged += 1
    changes.added = [t.code for j, t in enumerate(drafts) if j not in matched_drafts]
    return changes


def recoded_draft(session: Session, draft: PlanDraft, changes: PlanChanges) -> PlanDraft:
    """A copy of the draft whose matched tasks carry their ledger codes, and whose new tasks take codes no ledger task has."""
    out = copy.deepcopy(draft)
    if changes.plan_id is None:
        return out
    taken = set(session.scalars(select(Task.code).where(Task.plan_id == changes.plan_id)))
    by_draft = {d: code for code, d in changes.matched.items()}
    used: set[str] = set(by_draft.values())
    for task in out.tasks:
        if task.code in by_draft:
            task.code = by_draft[task.code]
            continue
        code, n = task.code, 1
        while code in taken or code in used:
            n += 1
            code = f"{task.code}~{n}"
        used.add(code)
        task.code = code
    return out


def import_reviewed(
    session: Session,
    draft: PlanDraft,
    directory: UnitDirectory,
    decisions: list[UnitDecision],
    *,
    operator: str | None,
    make_current: bool = True,
    plan_id: int | None = None,
    revise: bool = True,
) -> ImportResult:
    """Apply the unit decisions and import the draft, in the caller's transaction (all of it or nothing).

    A revision (plan_id, or found by revised_plan) updates that plan: matched tasks keep their ledger
    code, row and reports; tasks the revision dropped stay, marked removed (Task.removed_at).  With
    revise=False the draft is imported as a plan of its own even when it looks like a revision (a plan
    of the very same title and number is still updated in place, as db.plan_import does).
    """
    apply_unit_decisions(session, decisions, operator, directory)
    if revise:
        changes = plan_changes(session, draft, plan_id, directory)
    else:
        changes = PlanChanges(plan_id=None, added=[t.code for t in draft.tasks])
    coded = recoded_draft(session, draft, changes)
    result = import_plan(session, coded, directory, make_current=make_current, operator=operator, plan_id=changes.plan_id)
    result.renamed = dict(changes.renamed)
    if changes.plan_id is not None:
        now = utcnow()
        for task in session.scalars(select(Task).where(Task.plan_id == changes.plan_id, Task.code.in_(changes.removed))):
            if task.removed_at is None:
                task.removed_at = now
                audit.record(
                    session, "task.removed_from_plan", "task", task.code, after={"plan": changes.plan_id, "source": draft.source_name}, operator=operator
                )
                result.removed_by_revision.append(task.code)
        # Dropped tasks are listed once, as dropped; tasks an earlier revision dropped are not news.
        dropped = set(session.scalars(select(Task.code).where(Task.plan_id == changes.plan_id, Task.removed_at.is_not(None))))
        result.tasks_missing_from_source = sorted(set(result.tasks_missing_from_source) - dropped)
        session.flush()
    return result
