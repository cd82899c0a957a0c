"""Errata of the bundled plan: words its PDF extraction got wrong, shipped as data and applied on import.

The bundled plan (resources/plan_2022_sanmenxia.txt) is text extracted from the printed PDF; the
extraction left English words, misread characters and a repeated phrase.  resources/errata.csv lists
each defect by source line with the wording as extracted (原文), the corrected wording and why.  The
plan is read twice, as extracted and as corrected: the ledger gets the corrected plan, and every task
whose title or text differs keeps the printed wording beside it (Task.printed_title/printed_text) with
the reason (Task.wording_note), so the window and `duban tasks --json` can say "与印发原文不同".
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, fields
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import audit
from db.models import AuditLog, Plan
from db.plan_draft import PlanDraft, TaskDraft
from db.plan_text import parse_plan_text
from resources import BUNDLED_ERRATA, BUNDLED_PLAN

# The operator the audit log names for corrections that ship with the program.
ERRATA_OPERATOR = "内置勘误"
DIFFERS_FROM_PRINTED = "与印发原文不同"
COLUMNS = ("编号", "附件", "位置", "行", "原文", "更正", "原因")
# Fields an erratum may change in a task; anything else changing means the erratum broke the parse.
WORDING_FIELDS = ("title", "text")


class ErratumError(RuntimeError):
    """An erratum no longer matches the text it corrects (the plan or the parser changed): a bug."""


@dataclass(frozen=True)
class Erratum:
    """One correction of the extracted text: on source line `line`, `printed` reads `corrected`."""

    number: int
    annex: int
    location: str
    line: int
    printed: str
    corrected: str
    reason: str


def load_errata(path: Path = BUNDLED_ERRATA) -> list[Erratum]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and tuple(rows[0]) != COLUMNS:
        raise ErratumError(f"{path.name} 的列应为 {'、'.join(COLUMNS)}")
    return [
        Erratum(int(r["编号"]), int(r["附件"]), r["位置"], int(r["行"]), r["原文"], r["更正"], r["原因"]) for r in rows
    ]


def apply_errata(text: str, errata: list[Erratum]) -> str:
    """The text with each erratum's wording replaced on its line; an erratum that no longer matches raises."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for erratum in errata:
        index = erratum.line - 1
        if not 0 <= index < len(lines) or erratum.printed not in lines[index]:
            raise ErratumError(f"勘误 {erratum.number}：第 {erratum.line} 行中找不到原文“{erratum.printed}”")
        lines[index] = lines[index].replace(erratum.printed, erratum.corrected)
    return "\n".join(lines)


def _task_fields(task: TaskDraft) -> dict:
    return {f.name: getattr(task, f.name) for f in fields(TaskDraft) if f.name not in WORDING_FIELDS}


def corrected_draft(text: str, source_name: str, errata: list[Erratum]) -> PlanDraft:
    """The plan as corrected, each changed task carrying its printed wording and the errata's reasons."""
    printed = parse_plan_text(text, source_name)
    corrected = parse_plan_text(apply_errata(text, errata), source_name)
    corrected.source_sha256 = printed.source_sha256  # the plan is still the document as issued
    before = {t.code: t for t in printed.tasks}
    if [t.code for t in corrected.tasks] != [t.code for t in printed.tasks]:
        raise ErratumError("勘误改变了任务的划分或编号")
    for task in corrected.tasks:
        original = before[task.code]
        if _task_fields(task) != _task_fields(original):
            raise ErratumError(f"勘误改变了任务 {task.code} 的名称和原文以外的内容")
        if (task.title, task.text) == (original.title, original.text):
            continue
        task.printed_title = original.title if task.title != original.title else None
        task.printed_text = original.text if task.text != original.text else None
        reasons = [e.reason for e in errata if original.line_start <= e.line <= (original.line_end or original.line_start)]
        task.wording_note = "；".join(dict.fromkeys(reasons)) or "按内置勘误表更正"
        task.from_errata = True
    return corrected


def read_bundled_plan(path: Path = BUNDLED_PLAN, errata_path: Path = BUNDLED_ERRATA) -> tuple[PlanDraft, list[Erratum]]:
    """The bundled plan as the ledger holds it: corrected by the shipped errata."""
    errata = load_errata(errata_path)
    return corrected_draft(path.read_text(encoding="utf-8"), path.name, errata), errata


def landing(text: str, source_name: str, erratum: Erratum) -> str:
    """Where one erratum lands in the plan as read (tasks, goals, sections, tables), in words for the docs."""
    printed = parse_plan_text(text, source_name)
    alone = parse_plan_text(apply_errata(text, [erratum]), source_name)
    places: list[str] = []
    for old, new in zip(printed.annexes, alone.annexes):
        for a, b in zip(old.tasks, new.tasks):
            changed = [name for attr, name in (("title", "名称"), ("text", "原文")) if getattr(a, attr) != getattr(b, attr)]
            if changed:
                places.append(f"{a.code} {'、'.join(changed)}")
        places += [f"附件{old.number} {a.kind}" for a, b in zip(old.goals, new.goals) if a.text != b.text]
        places += [
            f"附件{old.number} {a.label}分组标题" for a, b in zip(old.sections, new.sections) if (a.heading, a.goal_text) != (b.heading, b.goal_text)
        ]
        places += [f"附件{old.number} {a.title}" for a, b in zip(old.tables, new.tables) if (a.header, a.rows) != (b.header, b.rows)]
    return "；".join(dict.fromkeys(places)) or "未列入台账"


def _applied(errata: list[Erratum]) -> list[dict]:
    return [{"编号": e.number, "行": e.line, "原文": e.printed, "更正": e.corrected} for e in errata]


def _last_recorded(session: Session, plan_id: int) -> list[dict] | None:
    last = session.scalar(
        select(AuditLog.after)
        .where(AuditLog.action == "plan.errata", AuditLog.entity == "plan", AuditLog.entity_key == str(plan_id))
        .order_by(AuditLog.id.desc())
        .limit(1)
    )
    return (last or {}).get("errata")


def pending_plan(session: Session, path: Path = BUNDLED_PLAN, errata_path: Path = BUNDLED_ERRATA) -> Plan | None:
    """The bundled plan in this ledger when the shipped errata have not been applied to it yet (a ledger
    made by an earlier program, or errata added since); None otherwise.  Cheap enough for start-up."""
    sha = hashlib.sha256(path.read_text(encoding="utf-8").encode("utf-8")).hexdigest()
    plan = session.scalar(select(Plan).where(Plan.source_sha256 == sha).order_by(Plan.id).limit(1))
    if plan is None or _last_recorded(session, plan.id) == _applied(load_errata(errata_path)):
        return None
    return plan


def record_errata(session: Session, plan_id: int, errata: list[Erratum]) -> bool:
    """Audit the set of errata applied to a plan when it differs from the last one recorded."""
    applied = _applied(errata)
    if _last_recorded(session, plan_id) == applied:
        return False
    audit.record(
        session,
        "plan.errata",
        "plan",
        str(plan_id),
        after={"errata": applied},
        operator=ERRATA_OPERATOR,
        note="按内置勘误表更正计划文本的 PDF 提取错误（见 docs/errata.md）",
    )
    return True

