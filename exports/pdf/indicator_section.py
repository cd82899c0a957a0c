"""The 通报's 指标进展情况: how the plan's indicators stand against the target due, and which are behind.

A director reads one sentence of counts, a table of the indicators behind their target (target and its
month, the latest actual, the units answerable), and the units that reported no value for an indicator
whose target has fallen due.  The full list is the Excel 指标台账; the 通报 names only what needs acting on.
"""

from __future__ import annotations

from collections import Counter
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from db.indicator_actuals import IndicatorProgress
from db.periods import chinese_period
from db.vocabulary import Standing
from exports.pdf.cjk import CJKParagraph
from exports.pdf.document import LINE, TEXT_W, Styles, grid_style
from exports.pdf.text import chinese_number, clip

# Behind-target rows printed in the 通报 before the rest is left to the Excel 指标台账.
MAX_BEHIND_ROWS = 20
MAX_SILENT_UNITS = 15


def _counts_sentence(progress: IndicatorProgress) -> str:
    """One sentence: how many indicators, how many due, and how those stand."""
    counts = progress.counts
    total = sum(counts.values())
    due = progress.due
    parts = [f"{word}{counts[word]}项" for word in (Standing.MET, Standing.BEHIND, Standing.NOT_REPORTED, Standing.UNKNOWN) if counts.get(word)]
    text = f"方案确定的{total}项指标中，截至{chinese_period(progress.period)}已到目标期的{due}项"
    text += f"：{'、'.join(parts)}" if parts else ""
    not_due = counts.get(Standing.NOT_DUE, 0)
    return text + (f"；尚未到目标期{not_due}项。" if not_due else "。")


def _behind_table(progress: IndicatorProgress, s: Styles) -> Table:
    """The indicators behind their target: code, name, target and its month, the latest actual, the units."""
    style = ParagraphStyle("indcell", s.cell, fontSize=10.5, leading=13)
    centre = ParagraphStyle("indcellc", s.cell_centre, fontSize=10.5, leading=13)
    head = ParagraphStyle("indhead", s.head, fontSize=10.5, leading=13)
    rows = [[CJKParagraph(h, head) for h in ("编号", "指标", "应达到（期限）", "实际值", "责任单位")]]
    for line in [x for x in progress.lines if x.standing == Standing.BEHIND][:MAX_BEHIND_ROWS]:
        target = f"{clip(line.target_text or '', 30)}（{chinese_period(line.target_period)}）" if line.target_period else "—"
        actual = f"{clip(line.actual.value_text, 24)}（{chinese_period(line.actual.period)}）" if line.actual else "—"
        cells = [line.code, clip(line.name, 40), target, actual, "、".join(line.units[:2]) + ("等" if len(line.units) > 2 else "")]
        rows.append([CJKParagraph(escape(text), centre if col == 0 else style) for col, text in enumerate(cells)])
    widths = [21 * mm, None, 32 * mm, 30 * mm, 34 * mm]
    widths[1] = TEXT_W - sum(w for w in widths if w)
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(grid_style(s.fonts))
    return table


def indicator_section(progress: IndicatorProgress, s: Styles, number: int) -> list:
    """指标进展情况: the counts, the indicators behind target, and the units that reported no value for a due one."""
    story = [CJKParagraph(f"{chinese_number(number)}、指标进展情况", s.h1), CJKParagraph(escape(_counts_sentence(progress)), s.body)]
    behind = [x for x in progress.lines if x.standing == Standing.BEHIND]
    if behind:
        story.append(CJKParagraph(f"未达到本期目标的指标{len(behind)}项：", s.body))
        story += [Spacer(1, LINE / 4), _behind_table(progress, s), Spacer(1, LINE / 4)]
        if len(behind) > MAX_BEHIND_ROWS:
            story.append(CJKParagraph(f"另有{len(behind) - MAX_BEHIND_ROWS}项未列出，详见工作台账“指标台账”工作表。", s.body))
    silent = Counter(unit for x in progress.lines if x.standing == Standing.NOT_REPORTED for unit in x.units)
    if silent:
        named = "、".join(f"{unit}（{n}项）" for unit, n in silent.most_common(MAX_SILENT_UNITS))
        more = f"等{len(silent)}个单位" if len(silent) > MAX_SILENT_UNITS else ""
        story.append(CJKParagraph(escape(f"已到目标期但尚未报送实际值的指标涉及{named}{more}，请于下次报送时一并填报。"), s.body))
    return story
