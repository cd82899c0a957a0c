"""The 督办通知单: one per lead unit with overdue tasks, a one-page form the unit signs for.

Each carries a number of its own yearly series (督办〔2023〕5号, db.doc_numbers: the same unit and
period keep theirs when made again), its 成文日期, a reply deadline counted from that date, the 落款
kept on the page of the last paragraph, and the contact line when the settings name one.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import HRFlowable, KeepTogether, Spacer, Table

from db.doc_numbers import default_issue_date, notice_number_text, reply_deadline
from db.errors import UserError
from db.files import discard, publish, temp_beside
from db.jobs import JobControl
from db.periods import chinese_date, chinese_period
from db.report_data import PeriodReport, TaskLine
from exports.fonts import find_cjk_fonts
from exports.pdf.cjk import CJKParagraph
from exports.pdf.document import TITLE, Signature, Styles, build, contact_line, document, grid_style, write_document
from exports.pdf.text import clip, markup, unit_part

# The 督办通知单 is a form: 4号 text, so most units' notices fit one page.
NOTICE_BODY, NOTICE_LINE = 14, 24
NOTICE_PROGRESS_CHARS = 40


def notice_file_name(unit: str, period: str) -> str:
    """督办通知单_{单位}_{期间}.pdf, with characters Windows forbids in names replaced."""
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", unit).strip(" .") or "单位"
    return f"督办通知单_{safe}_{period}.pdf"


def overdue_by_unit(report: PeriodReport) -> dict[str, list[TaskLine]]:
    """Each answerable unit's overdue tasks, units in name order: who gets a 督办通知单 (never a collective)."""
    groups: dict[str, list[TaskLine]] = {}
    for line in report.overdue:
        for unit in line.task.answerable:
            groups.setdefault(unit, []).append(line)
    return dict(sorted(groups.items()))


def _notice_story(report: PeriodReport, unit: str, lines: list[TaskLine], number: int, issued: dt.date, s: Styles) -> list:
    office = report.settings.office_name
    plan = f"《{report.plan_title}》" + (f"（{report.doc_number}）" if report.doc_number else "")
    rows = [[CJKParagraph(h, s.notice_head) for h in ("编号", "任务", "原定时限", "现行时限", "最近进展")]]
    for line in lines:
        current = chinese_date(line.state.due) if line.state.due else "—"
        if line.state.extended:
            current += "（已批准延期）"
        progress = clip(unit_part(line.progress_text, line, unit), NOTICE_PROGRESS_CHARS) or "本单位未报送进展"
        rows.append(
            [
                CJKParagraph(escape(line.task.code), s.notice_cell),
                CJKParagraph(escape(line.task.title), s.notice_cell),
                CJKParagraph(escape((line.task.deadline or "持续推进").replace("\n", "；")), s.notice_cell),
                CJKParagraph(escape(current), s.notice_cell),
                CJKParagraph(markup(progress), s.notice_cell),
            ]
        )
    table = Table(rows, colWidths=[22 * mm, 32 * mm, 22 * mm, 30 * mm, 50 * mm], repeatRows=1)
    table.setStyle(grid_style(s.fonts, [("VALIGN", (0, 1), (-1, -1), "TOP")]))
    receipt = ParagraphStyle("receipt", s.plain, spaceBefore=s.line / 2)
    contact = contact_line(report.settings.contact_person, report.settings.contact_phone)
    return [
        CJKParagraph("督办通知单", ParagraphStyle("noticetitle", s.title, fontSize=TITLE + 4, leading=(TITLE + 4) * 1.6)),
        CJKParagraph(notice_number_text(issued.year, number), s.centre),
        Spacer(1, s.line / 2),
        CJKParagraph(escape(f"致：{unit}"), s.plain),
        CJKParagraph(
            escape(
                f"根据{plan}任务分工和{chinese_period(report.period)}工作进展调度情况，截至{chinese_date(report.reference)}，"
                f"你单位负责（牵头或负责落实）的以下{len(lines)}项任务时间节点已到，尚未办结销号，现予督办："
            ),
            s.body,
        ),
        Spacer(1, s.line / 4),
        table,
        Spacer(1, s.line / 4),
        # The 落款 stays on the page of the last paragraph: they move to the next page together.
        KeepTogether(
            [
                CJKParagraph(
                    escape(
                        f"请你单位高度重视，逐项分析原因，明确整改措施和完成时限，于{chinese_date(reply_deadline(issued, report.settings.reply_days))}前书面反馈整改情况；"
                        f"已完成的任务请同时提交佐证材料，申请办结销号。"
                    ),
                    s.body,
                ),
                # Room for the seal over 署名 and date.
                Spacer(1, 2 * s.line),
                Signature(office, issued, s),
                *([CJKParagraph(escape(contact), s.body)] if contact else []),
                Spacer(1, s.line / 2),
                HRFlowable(width="100%", thickness=0.8, color=colors.black, spaceAfter=0),
                CJKParagraph("签收人：＿＿＿＿＿＿　　签收日期：＿＿＿＿年＿＿月＿＿日", receipt),
            ]
        ),
    ]


def _numbers(groups: dict[str, list[TaskLine]], numbers: dict[str, int] | None) -> dict[str, int]:
    """The notices' numbers: those given (from the ledger's series), else 1, 2, … in unit order (a draft)."""
    return numbers if numbers is not None else {unit: index for index, unit in enumerate(groups, start=1)}


def supervision_notice(
    report: PeriodReport, unit: str, path: str | Path, *, issued: dt.date | None = None, numbers: dict[str, int] | None = None, today: dt.date | None = None
) -> Path:
    """One unit's 督办通知单, numbered as in the full set; UserError when the unit has no overdue task."""
    groups = overdue_by_unit(report)
    if unit not in groups:
        raise UserError(f"{unit}在{chinese_period(report.period)}没有逾期任务，无需发督办通知单。")
    path = Path(path)
    fonts = find_cjk_fonts()
    issued = issued or default_issue_date(report.period, report.settings.report_day, today)
    number = _numbers(groups, numbers)[unit]
    story = _notice_story(report, unit, groups[unit], number, issued, Styles(fonts, NOTICE_BODY, NOTICE_LINE))
    return write_document(path, fonts, f"督办通知单（{unit}）", report.settings.office_name, story, subject=_subject(report, issued, number))


def _subject(report: PeriodReport, issued: dt.date, number: int) -> str:
    return f"{chinese_period(report.period)}督办通知单（{notice_number_text(issued.year, number)}）"


def supervision_notices(
    report: PeriodReport,
    out_dir: str | Path,
    *,
    control: JobControl | None = None,
    issued: dt.date | None = None,
    numbers: dict[str, int] | None = None,
    today: dt.date | None = None,
) -> list[Path]:
    """One 督办通知单 per lead unit with overdue tasks; all files appear together, or none if cancelled.

    issued is the 成文日期 (default: db.doc_numbers.default_issue_date); numbers maps each unit to its
    number in the 成文日期's year (default 1, 2, … in unit order).
    """
    out_dir = Path(out_dir)
    fonts = find_cjk_fonts()
    s = Styles(fonts, NOTICE_BODY, NOTICE_LINE)
    issued = issued or default_issue_date(report.period, report.settings.report_day, today)
    groups = overdue_by_unit(report)
    numbers = _numbers(groups, numbers)
    pairs: list[tuple[Path, Path]] = []
    try:
        for done, (unit, lines) in enumerate(groups.items()):
            if control is not None:
                control.step(done, len(groups), f"正在生成督办通知单：{unit}")
            target = out_dir / notice_file_name(unit, report.period)
            temp = temp_beside(target)
            pairs.append((temp, target))
            subject = _subject(report, issued, numbers[unit])
            doc = document(temp, fonts, f"督办通知单（{unit}）", report.settings.office_name, subject=subject, with_landscape=False)
            build(doc, _notice_story(report, unit, lines, numbers[unit], issued, s))
        publish(pairs)
    finally:
        discard(temp for temp, _target in pairs)
    return [target for _temp, target in pairs]
