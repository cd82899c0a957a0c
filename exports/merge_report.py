"""The printable 外勤数据包合并报告: what a merge added, updated, deleted, left in conflict and refused.

The office files it with the returned packet, so every change a field trip made to the ledger is on paper.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from db.engine import Ledger
from db.packets import MergeItem, MergeReport
from db.periods import chinese_date
from db.settings import load_settings
from exports.fonts import find_cjk_fonts
from exports.pdf.cjk import CJKParagraph
from exports.pdf.document import TEXT_W, Styles, grid_style, write_document
from exports.pdf.text import markup

SECTIONS = (
    ("added", "新增的进展"),
    ("updated", "更新的进展（采用数据包中的版本）"),
    ("deleted", "删除的进展"),
    ("conflicts", "冲突（两边都修改过，待逐项处理）"),
    ("refused", "未合并的进展"),
)


def _items_table(items: list[MergeItem], s: Styles, *, with_note: bool) -> Table:
    header = ["序号", "任务编号", "责任单位", "期间"] + (["原因"] if with_note else [])
    rows = [[CJKParagraph(h, s.head) for h in header]]
    for number, item in enumerate(items, 1):
        cells = [str(number), item.task_code, item.unit, item.period] + ([item.note] if with_note else [])
        rows.append([CJKParagraph(markup(c), s.cell_centre if i in (0, 1, 3) else s.cell) for i, c in enumerate(cells)])
    widths = [12 * mm, 24 * mm, 60 * mm, 20 * mm]
    if with_note:
        widths.append(TEXT_W - sum(widths))
    else:
        widths[2] += TEXT_W - sum(widths)
    return Table(rows, colWidths=widths, repeatRows=1, style=grid_style(s.fonts))


def _story(report: MergeReport, office: str, operator: str | None, merged_on: dt.date, s: Styles) -> list:
    counts = report.counts()
    story = [
        CJKParagraph("外勤数据包合并报告", s.title),
        Spacer(1, s.line / 2),
        CJKParagraph(markup(f"数据包：{report.packet}（{report.period}，{report.made_by} 导出）"), s.plain),
        CJKParagraph(markup(f"合并：{chinese_date(merged_on)}，操作员 {operator or '—'}"), s.plain),
        Spacer(1, s.line / 2),
    ]
    labels = ("新增", "更新", "删除", "冲突", "未合并", "无变化", "证明材料")
    keys = ("added", "updated", "deleted", "conflicts", "refused", "unchanged", "evidence_added")
    figures = [[CJKParagraph(label, s.head) for label in labels], [CJKParagraph(str(counts[k]), s.cell_centre) for k in keys]]
    story.append(Table(figures, colWidths=[TEXT_W / len(labels)] * len(labels), style=grid_style(s.fonts)))
    if not report.changed and not report.refused:
        story += [Spacer(1, s.line / 2), CJKParagraph("该数据包的内容此前已全部合并，本次合并未改动台账。", s.plain)]
    for key, title in SECTIONS:
        items = getattr(report, key)
        if items:
            story += [Spacer(1, s.line / 2), CJKParagraph(f"{title}（{len(items)} 条）", s.h2), _items_table(items, s, with_note=key == "refused")]
    story += [Spacer(1, s.line), CJKParagraph(f"{office}　　经办人：__________　　复核人：__________", s.plain)]
    return story


def write_merge_report(ledger: Ledger, report: MergeReport, path: str | Path, *, operator: str | None = None, merged_on: dt.date | None = None) -> Path:
    """Write the merge report as an A4 PDF, atomically (a half-written PDF never takes the name)."""
    path = Path(path)
    with ledger.Session() as session:
        office = load_settings(session).office_name
    fonts = find_cjk_fonts()
    story = _story(report, office, operator, merged_on or dt.date.today(), Styles(fonts, 12, 20))
    return write_document(path, fonts, "外勤数据包合并报告", office, story)
