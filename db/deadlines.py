"""Turning deadline wording (时间节点) into milestones with due dates, by one documented rule.

* A deadline in stages (one per line, or separated by ；) gives one milestone per stage; whatever
  follows the date in a stage ("2022年6月，全面优化…") is that stage's note.
* ``2022年6月``, ``2022年6月前``, ``2022年6月底（前）``, ``2022年6月末`` → the last day of that month.
  In these plans "6月前" means "by the end of June" (the same plan writes 6月 and 6月前 for the
  same kind of measure), so both give 30 June.
* ``2022年3月15日（前）`` → that day.  ``2022年上半年`` → 30 June; ``下半年``/``年底``/``年末``/
  ``2022年`` alone → 31 December; ``第一季度（末）`` / ``一季度`` → the quarter's last day.
* A month without a year (``6月底前``) takes the plan's year; so do ``年底前`` / ``上半年`` /
  ``下半年`` without a year.
* ``持续推进``, ``持续开展``, ``长期坚持``, ``常态化``, ``中长期目标`` … are ongoing: no due date.
* Anything else is not a deadline the ledger can date: a plan sheet carrying it is rejected, a
  document keeps the wording with no due date.
* A task's due date is its last dated stage.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

RE_ONGOING = re.compile(
    r"^(持续推进|持续开展|持续实施|长期坚持|长期推进|长期|常态化推进|常态化|中长期目标|中长期|长效|每季度|每月|每年|定期)"
)
RE_DAY = re.compile(r"^(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:前|以前|之前)?")
RE_MONTH = re.compile(r"^(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(?:份)?\s*(?:底|末|中旬|上旬|下旬)?\s*(?:前|以前|之前)?")
RE_HALF = re.compile(r"^(\d{4})\s*年\s*(上半年|下半年|年底|年末|底|末|内)\s*(?:前|以前|之前)?")
RE_QUARTER = re.compile(r"^(?:(\d{4})\s*年\s*)?第?\s*([一二三四1-4])\s*季度\s*(?:末|底)?\s*(?:前|以前|之前)?")
RE_HALF_PLAN_YEAR = re.compile(r"^(上半年|下半年|年底|年末|年内|全年)\s*(?:前|以前|之前)?")
# "2024年6月至12月", "2024—2025年", "6月至9月": a span is due at its end.
RE_SPAN = re.compile(r"^(\d{4}\s*年?\s*(?:\d{1,2}\s*月)?|\d{1,2}\s*月)\s*(?:至|—|－|-|~|～)\s*((?:\d{4}\s*年)?\s*(?:\d{1,2}\s*月)?\s*(?:底|末)?\s*(?:前|以前|之前)?)")
RE_YEAR = re.compile(r"^(\d{4})\s*年\s*(?:内|前|以前|之前)?")
QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


@dataclass
class MilestoneDraft:
    """One stage of a deadline: its wording, the due date the rule gives, and its own note."""

    wording: str
    due: dt.date | None
    ongoing: bool
    note: str | None


class DeadlineError(ValueError):
    """A deadline wording the rule cannot date."""


def _month_end(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise DeadlineError(f"月份 {month} 不存在")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _stage(wording: str, plan_year: int | None) -> MilestoneDraft:
    text = re.sub(r"\s+", "", wording).rstrip("。")
    if m := RE_ONGOING.match(text):
        return MilestoneDraft(wording, None, True, _note(text[m.end():]))
    if (m := RE_SPAN.match(text)) and m.group(1).strip() and m.group(2).strip():
        start_year = re.match(r"(\d{4})", m.group(1))
        end_year = int(start_year.group(1)) if start_year else plan_year
        last = _stage(m.group(2), end_year)
        return MilestoneDraft(wording, last.due, False, _note(text[m.end():]))
    due: dt.date | None = None
    end = 0
    if m := RE_DAY.match(text):
        year = int(m.group(1) or plan_year or 0)
        if year:
            try:
                due = dt.date(year, int(m.group(2)), int(m.group(3)))
            except ValueError as exc:
                raise DeadlineError(f"日期不存在：{m.group(0)}") from exc
        end = m.end()
    elif (m := RE_QUARTER.match(text)) and (m.group(1) or plan_year):
        due = _month_end(int(m.group(1) or plan_year), QUARTERS[m.group(2)] * 3)
        end = m.end()
    elif m := RE_HALF.match(text):
        due = _month_end(int(m.group(1)), 6 if m.group(2) == "上半年" else 12)
        end = m.end()
    elif (m := RE_HALF_PLAN_YEAR.match(text)) and plan_year:
        due = _month_end(plan_year, 6 if m.group(1) == "上半年" else 12)
        end = m.end()
    elif (m := RE_MONTH.match(text)) and (m.group(1) or plan_year):
        due = _month_end(int(m.group(1) or plan_year), int(m.group(2)))
        end = m.end()
    elif m := RE_YEAR.match(text):
        due = _month_end(int(m.group(1)), 12)
        end = m.end()
    if due is None:
        raise DeadlineError(f"无法识别的时间节点：{wording}")
    rest = text[end:]
    if rest.startswith("完成"):
        rest = rest[2:]
    return MilestoneDraft(wording, due, False, _note(rest))


def _note(rest: str) -> str | None:
    rest = rest.lstrip("，,；;：: ").strip()
    return rest or None


def split_stages(text: str) -> list[str]:
    """The stages of a deadline: one per line, or separated by ；."""
    parts = [p.strip() for p in re.split(r"[\n；;]", text) if p.strip()]
    return parts


def parse_deadline(text: str | None, plan_year: int | None = None) -> list[MilestoneDraft]:
    """Milestones for a deadline wording; raises DeadlineError on wording the rule cannot date."""
    if not text or not text.strip():
        return []
    return [_stage(part, plan_year) for part in split_stages(text)]


def due_of(milestones: list[MilestoneDraft]) -> dt.date | None:
    """A task is due when its last dated stage is."""
    dates = [m.due for m in milestones if m.due]
    return max(dates) if dates else None


# Deadlines inside a task's own text or its bracket ("10月底前，完成…", "…，9月底完成").
_YEAR_MONTH = r"(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*(?:\d{1,2}\s*日|份)?"
_UNTIL = r"(?:前|以前|之前)"
RE_DEADLINE_IN_TEXT = re.compile(
    r"(?<![\d年])(?:"
    rf"{_YEAR_MONTH}\s*(?:底|末)\s*{_UNTIL}?|{_YEAR_MONTH}\s*{_UNTIL}|"
    rf"(?:\d{{4}}\s*年\s*)?(?:年底|年末|上半年|下半年){_UNTIL}?|"
    rf"\d{{4}}\s*年\s*(?:底|末){_UNTIL}"
    r")"
)
RE_DEADLINE_CLAUSE = re.compile(
    rf"^(?:{_YEAR_MONTH}\s*(?:底|末|上旬|中旬|下旬)?|(?:\d{{4}}\s*年\s*)?(?:年底|年末|上半年|下半年|年内|全年)|\d{{4}}\s*年(?:内|底|末)?|"
    r"(?:\d{4}\s*年\s*)?第?[一二三四1-4]\s*季度(?:末|底)?|"
    r"(?:\d{4}\s*年?\s*(?:\d{1,2}\s*月)?|\d{1,2}\s*月)\s*(?:至|—|－|-|~|～)\s*(?:\d{4}\s*年)?\s*(?:\d{1,2}\s*月)?\s*(?:底|末)?)"
    rf"\s*{_UNTIL}?\s*(?:完成)?$|^(?:{RE_ONGOING.pattern[2:-1]})$"
)


@dataclass
class FoundDeadline:
    """A deadline found inside running text: its wording as printed, where it is, and what it dates to."""

    wording: str
    start: int
    end: int
    due: dt.date | None
    ongoing: bool


RE_DEADLINE_LABEL = re.compile(r"^\s*(?:完成时限|完成时间|时间节点|时限要求|时间要求|时限)\s*[：:]\s*(?P<value>.*)$")


def labelled_deadline(clause: str) -> str | None:
    """The value of a labelled deadline clause in a bracket (完成时限：长期坚持 → 长期坚持), else None."""
    m = RE_DEADLINE_LABEL.match(clause)
    return m.group("value").strip().rstrip("。.") if m and m.group("value").strip() else None


def is_deadline_clause(clause: str) -> bool:
    """Whether a whole clause (between ，；) is a deadline: 6月底完成, 2023年6月, 年底前, 长期坚持…"""
    return bool(RE_DEADLINE_CLAUSE.match(re.sub(r"\s+", "", clause).rstrip("。.")))


def _found(wording: str, start: int, end: int, plan_year: int | None) -> FoundDeadline:
    try:
        stages = parse_deadline(wording, plan_year)
    except DeadlineError:
        stages = []
    return FoundDeadline(wording, start, end, due_of(stages), any(s.ongoing for s in stages))


def deadlines_in_text(text: str | None, plan_year: int | None = None) -> list[FoundDeadline]:
    """Every deadline a task's text or bracket carries, in order of position.

    A clause that is a deadline on its own (…，9月底完成 / （…，长期坚持）) counts whole; otherwise a
    dated phrase with 底/末/前 inside the text (10月底前，完成… / 于2022年10月底前编制… / 到2020年底前，
    实现…; "到2025年底，达到…" without 前 is a target, not a deadline).  持续推进 /
    长期坚持 count only as a clause of their own: inside a sentence they are verbs, not deadlines.
    A bare date inside a sentence (自2022年1月1日起) is not a deadline.
    """
    if not text:
        return []
    found: list[FoundDeadline] = []
    pos = 0
    for clause in re.split(r"([，,；;。（）()〔〕])", text):
        stripped = clause.strip().rstrip("。.")
        if stripped and is_deadline_clause(stripped):
            start = pos + clause.index(stripped)
            found.append(_found(stripped, start, start + len(stripped), plan_year))
        pos += len(clause)
    clauses, i = list(found), 0  # in order of position, so one pass skips the phrases inside them
    for m in RE_DEADLINE_IN_TEXT.finditer(text):
        while i < len(clauses) and clauses[i].end <= m.start():
            i += 1
        if not (i < len(clauses) and clauses[i].start <= m.start()):
            found.append(_found(m.group(0), m.start(), m.end(), plan_year))
    return sorted(found, key=lambda f: f.start)


def find_deadline(text: str | None, plan_year: int | None = None) -> FoundDeadline | None:
    """The deadline of a task from its text: the latest dated one (a task is due at its last stage),
    else an ongoing clause (长期坚持), else the first one found without a date (10月底前 with no
    plan year: the wording is kept so the clerk can be asked), else None."""
    found = deadlines_in_text(text, plan_year)
    dated = [f for f in found if f.due]
    if dated:
        return max(dated, key=lambda f: (f.due, f.start))
    return next((f for f in found if f.ongoing), found[0] if found else None)
