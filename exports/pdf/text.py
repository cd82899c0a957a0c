"""Ledger text made printable: markup, clipped progress, one unit's part, lead units, Chinese numbers."""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from db.report_data import TaskLine
from db.responsibility import SUPPORT

CN_DIGITS = "〇一二三四五六七八九"


def chinese_number(n: int) -> str:
    """一 … 九十九, for （一） headings and 一、 sections."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def lead_units(line: TaskLine) -> list[str]:
    """The units a task is named under: the real units that answer for it (db.answerable).

    A task only vague collectives answer for (市直相关部门…) is named under those words as printed,
    so the 通报 still lists it; no notice goes to them (notices use task.answerable alone).
    """
    return list(line.task.answerable) or [u.name for u in line.task.units if u.role != SUPPORT]


def percent(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "—"


def markup(value: str) -> str:
    """Ledger text as Paragraph markup: escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


def clip(text: str, limit: int, *, mark: bool = True) -> str:
    """Whole sentences up to about `limit` characters, …… marking a cut (the full text is in the Excel ledger)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    sentences = re.findall(r"[^。；！？]*[。；！？]?", text)
    kept = ""
    for sentence in sentences:
        if kept and len(kept) + len(sentence) > limit:
            break
        kept += sentence
    if len(kept) > limit:
        return kept[: limit - 1] + "……"
    return kept + ("……" if mark else "")


def unit_part(text: str, line: TaskLine, unit: str) -> str:
    """What one lead unit wrote, out of the task's text that may join several units' 【单位】 parts."""
    if unit not in line.reporting_units:
        return ""
    if len(line.reporting_units) == 1:
        return text
    tag = f"【{unit}】"
    return "\n".join(part[len(tag):] for part in text.split("\n") if part.startswith(tag))
