"""The monthly 工作进展情况通报 as PDF, laid out as a GB/T 9704-2012 official document.

The 通报 runs as such documents do: 版头 (office, 发文字号 or 期号, red rule), title, 主送, 一、总体进展
(figures and charts), 二、进展较好的单位 (with the ranking), then, numbered in turn, 综合考评结果 (the month's
scores by the office's scheme, db.assessment: the table, and why the lowest units scored as they did), 指标进展情况
(once an indicator's target has fallen due, exports.pdf.indicator_section), 进展滞后的任务
named with their lead units, 督查督办情况 (the office's acts it chose to print, when there are any), 下步工作要求,
附件说明, 落款 and contact line, then the attachment table on landscape pages
and the 版记 at the foot of the last page.  Fonts are embedded TrueType (exports.fonts), so the files
print the same on a machine with no Chinese font.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, KeepTogether, NextPageTemplate, PageBreak, Spacer, Table

from db.acts import ActView, CircularGroup
from db.assessment import MonthAssessment
from db.doc_numbers import default_issue_date, number_text, reply_deadline
from db.jobs import JobControl
from db.measure_links import MeasureSummary
from db.periods import chinese_date, chinese_period
from db.plan_text import _annex_topic
from db.report_data import PeriodReport, TaskLine
from db.vocabulary import ActKind, DueCategory, RecheckOutcome, Status
from db.warning_rules import COLOUR_NAMES, DONE, GREY, RED, YELLOW
from exports.fonts import FontSet, find_cjk_fonts
from exports.pdf.cjk import CJKParagraph
from exports.pdf.document import (
    CHARS_PER_LINE,
    LAND_MARGIN_X,
    LAND_W,
    LINE,
    TEXT_W,
    AtFoot,
    Letterhead,
    Signature,
    Styles,
    contact_line,
    grid_style,
    record_block,
    write_document,
)
from exports.pdf.indicator_section import indicator_section
from exports.pdf.text import chinese_number, clip, lead_units, markup, percent, unit_part

PROGRESS_CHARS = 60
REPORTERS_SHOWN = 2
UNIT_CHART_BARS = 15
BOTTOM_UNITS = 3  # the lowest-scoring units the 综合考评 section explains one by one
STATE_COLOURS = {RED: colors.HexColor("#C00000"), YELLOW: colors.HexColor("#B8860B"), GREY: colors.HexColor("#666666")}


def report_title(report: PeriodReport) -> str:
    """关于{方案简称}{期间}工作进展情况的通报: the plan's title without its （2022版） suffix."""
    return "".join(_title_parts(report))


def _title_parts(report: PeriodReport) -> tuple[str, str]:
    short = re.sub(r"[（(][^（()）]*[)）]$", "", report.plan_title.strip())
    return f"关于{short}", f"{chinese_period(report.period)}工作进展情况的通报"


def _title_markup(report: PeriodReport, s: Styles) -> str:
    """The title on one line when it fits, else broken before the period so 2022年 is not cut (GB/T 9704 7.3.1:
    a wrapped title keeps words whole)."""
    title = report_title(report)
    if stringWidth(title, s.title.fontName, s.title.fontSize) <= TEXT_W:
        return escape(title)
    return "<br/>".join(escape(part) for part in _title_parts(report))


def _reason(line: TaskLine, unit: str) -> str:
    """Why a task is named: its overdue or lagging state, and the unit's own account of the problem."""
    if line.state.colour == RED:
        due = chinese_date(line.state.due) if line.state.due else ""
        why = f"时间节点（{due}）已到，尚未办结销号。"
    else:
        why = f"进度滞后（{line.percent}%）。" if line.percent is not None else "进度滞后。"
    problem = clip(unit_part(line.problems, line, unit), 40, mark=False)
    return why + (f"存在问题：{problem}" if problem else "")


def _figures_table(report: PeriodReport, s: Styles) -> Table:
    """The figures box: tasks, 持续推进, due, then each category of the due tasks (they sum to the due count)."""
    figures = report.figures
    cells = [("任务总数", figures.tasks, None), ("持续推进", figures.ongoing, None), ("到期任务", figures.due, None)]
    cells += [(category.value, n, figures.due) for category, n in figures.due_breakdown.items()]
    small = ParagraphStyle("fig", s.cell_centre, fontSize=11, leading=14)
    head = ParagraphStyle("fighead", small, fontName=s.fonts.heading)
    columns = 4
    rows = []
    for start in range(0, len(cells), columns):
        chunk = cells[start : start + columns] + [("", None, None)] * (columns - len(cells[start : start + columns]))
        rows.append([CJKParagraph(escape(name), head) for name, _v, _w in chunk])
        rows.append(
            [CJKParagraph("" if value is None else f"{value}项" + (f"（{percent(value, whole)}）" if whole else ""), small) for _n, value, whole in chunk]
        )
    table = Table(rows, colWidths=[TEXT_W / columns] * columns, hAlign="CENTER")
    table.setStyle(grid_style(s.fonts))
    return table


def _bar_chart(labels: list[str], rates: list[float], fonts: FontSet) -> Drawing:
    """A horizontal bar per group: its 办结销号率 in percent, labelled with the CJK body font."""
    bar = 15
    label_width = max(stringWidth(text, fonts.body, 10) for text in labels) + 8
    height = bar * len(labels) + 24
    drawing = Drawing(TEXT_W, height, initialFontName=fonts.body)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 16
    chart.width, chart.height = TEXT_W - label_width - 40, bar * len(labels)
    chart.data = [[round(rate * 100, 1) for rate in rates]]
    chart.bars[0].fillColor = colors.HexColor("#4472C4")
    chart.bars.strokeColor = None
    chart.barSpacing = 0
    chart.groupSpacing = 4
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.reverseDirection = 1
    chart.categoryAxis.labels.fontName = fonts.body
    chart.categoryAxis.labels.fontSize = 10
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -4
    chart.categoryAxis.tickLeft = 0
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = fonts.body
    chart.valueAxis.labels.fontSize = 9
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#DDDDDD")
    chart.barLabelFormat = "%.1f%%"
    chart.barLabels.fontName = fonts.body
    chart.barLabels.fontSize = 9
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing


def _chart_block(number: int, caption: str, labels: list[str], rates: list[float], s: Styles) -> KeepTogether:
    return KeepTogether([Spacer(1, LINE / 3), _bar_chart(labels, rates, s.fonts), CJKParagraph(f"图{number}　{escape(caption)}", s.caption)])


def _overall(report: PeriodReport, s: Styles) -> list:
    figures = report.figures
    lagging = len(report.lagging)
    not_reported = sum(1 for line in report.lines if line.state.colour == GREY)
    reference = chinese_date(report.reference)
    story = [
        CJKParagraph("一、总体进展", s.h1),
        CJKParagraph(
            escape(
                f"截至{reference}，方案确定的{figures.tasks}项任务中，有明确时间节点的{figures.dated}项，"
                f"持续推进类任务{figures.ongoing}项（不计入到期和完成率统计）。已到时间节点的任务{figures.due}项，其中"
                f"{figures.breakdown_text()}。到期任务按期办结率{percent(figures.count(DueCategory.ON_TIME), figures.due)}。"
            ),
            s.body,
        ),
    ]
    tail = []
    if lagging:
        tail.append(f"未到期任务中，{lagging}项责任单位报送进度滞后")
    if not_reported:
        tail.append(f"{not_reported}项任务本期责任单位未报送进展")
    if tail:
        story.append(CJKParagraph(escape("；".join(tail) + "。"), s.body))
    story += [Spacer(1, LINE / 4), _figures_table(report, s), Spacer(1, LINE / 4)]
    if report.by_annex:
        annexes = [c for c in report.by_annex if c.total]
        best = sorted(annexes, key=lambda c: (-c.rate, int(c.key)))[:3]
        with_overdue = [c for c in annexes if c.overdue]
        topic = {c.key: _annex_topic(report.annex_titles.get(int(c.key), c.label)) for c in annexes}
        sentence = "按专项行动看，" + "、".join(f"{topic[c.key]}（{c.label}，{c.rate:.0%}）" for c in best) + "办结销号率较高"
        if with_overdue:
            sentence += f"；{len(with_overdue)}个专项行动存在逾期任务，其中" + "、".join(f"{topic[c.key]}{c.overdue}项" for c in sorted(with_overdue, key=lambda c: -c.overdue)[:3]) + "较多"
        story += [
            CJKParagraph("（一）各专项行动完成情况", s.h2),
            CJKParagraph(escape(sentence) + "。", s.body),
            _chart_block(1, "各专项行动任务办结销号率", [f"{c.label} {topic[c.key]}" for c in annexes], [c.rate for c in annexes], s),
        ]
    if report.by_unit:
        units = report.by_unit[:UNIT_CHART_BARS]
        story += [
            CJKParagraph("（二）主要责任单位完成情况", s.h2),
            CJKParagraph(
                f"按责任单位看，负责有时限任务最多的{len(units)}个单位的办结销号率如图{2 if report.by_annex else 1}"
                "（责任单位为牵头单位，未明确牵头的为负责单位；共同负责的任务分别计入各单位）。",
                s.body,
            ),
            _chart_block(2 if report.by_annex else 1, f"负责任务最多的{len(units)}个单位任务办结销号率", [c.label for c in units], [c.rate for c in units], s),
        ]
    if report.measures and report.measures.linked:
        number = 1 + bool(report.by_annex) + bool(report.by_unit)
        story += [CJKParagraph(f"（{chinese_number(number)}）总体方案措施落实情况", s.h2), CJKParagraph(escape(_measures_text(report.measures)), s.body)]
    return story


MEASURES_NAMED = 8  # the 通报 names this many measures with overdue tasks, then says 等


def _measures_text(summary: MeasureSummary) -> str:
    """附件1 by real progress: N of M measures done, and the measures whose tasks are overdue."""
    linked, done, late = summary.linked, summary.done, summary.with_overdue
    text = (
        f"方案附件1（总体方案）的{summary.total}项措施中，{len(linked)}项已确认由专项方案任务落实；"
        f"按这些任务的办结销号情况，{len(done)}项措施已全部完成"
    )
    if late:
        named = "、".join(f"{m.code}{m.title}（逾期任务{'、'.join(t.code for t in m.overdue_tasks)}）" for m in late[:MEASURES_NAMED])
        text += f"，{len(late)}项措施的落实任务有逾期：{named}" + ("等" if len(late) > MEASURES_NAMED else "")
    return text + "。"


def _ranking_table(ranked, s: Styles) -> Table:
    rows = [[CJKParagraph(h, s.head) for h in ("名次", "单位", "到期任务", "按期办结", "逾期办结", "到期未办结", "按期办结率")]]
    for standing in ranked:
        cells = [
            str(standing.rank), escape(standing.unit), str(standing.due), str(standing.done_on_time),
            str(standing.done_late), str(standing.overdue), f"{standing.rate:.1%}",
        ]
        rows.append([CJKParagraph(text, s.cell if col == 1 else s.cell_centre) for col, text in enumerate(cells)])
    widths = [13 * mm, 53 * mm, 18 * mm, 18 * mm, 18 * mm, 18 * mm, 18 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(grid_style(s.fonts))
    return table


def _good_units(report: PeriodReport, s: Styles) -> list:
    """Praise goes only to ranked units whose on-time rate reaches settings.praise_rate (100% by default) with nothing overdue."""
    ranked = [u for u in report.standings if u.rank is not None]
    threshold = report.settings.praise_rate
    # Compared in whole percent points of the exact fraction, so 2 of 3 is not 67% by rounding.
    good = [u for u in ranked if u.overdue == 0 and u.done_on_time * 100 >= threshold * u.due]
    story = [CJKParagraph("二、进展较好的单位", s.h1)]
    standard = "全部按期办结" if threshold >= 100 else f"按期办结率达到{threshold}%"
    if good:
        named = "、".join(f"{u.unit}（到期{u.due}项，按期办结{u.done_on_time}项）" for u in good)
        story.append(CJKParagraph(escape(f"从到期任务按期办结情况看，{named}{len(good)}个单位到期任务{standard}、无逾期任务，工作推进扎实有效，予以通报表扬。"), s.body))
    else:
        story.append(CJKParagraph(escape(f"本期没有到期任务{standard}且无逾期任务的单位，不予通报表扬。"), s.body))
    if ranked:
        story += [
            CJKParagraph("各责任单位截至期末到期任务按期办结情况排名如下（按期办结率＝按期办结销号项数÷到期项数，相同的并列）：", s.body),
            Spacer(1, LINE / 4),
            _ranking_table(ranked, s),
            Spacer(1, LINE / 4),
        ]
        idle = len(report.standings) - len(ranked)
        if idle:
            story.append(CJKParagraph(f"另有{idle}个责任单位截至期末无到期任务，未参与排名。", s.body))
    return story


def _lagging_groups(report: PeriodReport) -> list[tuple[tuple[str, ...], list[TaskLine], list[TaskLine]]]:
    """(lead units, overdue tasks, lagging tasks): each task once, under all its lead units together, most overdue first."""
    groups: dict[tuple[str, ...], tuple[list[TaskLine], list[TaskLine]]] = {}
    for line in report.overdue:
        groups.setdefault(tuple(lead_units(line)), ([], []))[0].append(line)
    for line in report.lagging:
        groups.setdefault(tuple(lead_units(line)), ([], []))[1].append(line)
    return sorted(((u, o, lag) for u, (o, lag) in groups.items()), key=lambda g: (-len(g[1]), -len(g[2]), len(g[0]), g[0]))


def _assessment_table(month: MonthAssessment, s: Styles) -> Table:
    """名次, 单位, each rate's points (its rate below), the count components' points together, 总分."""
    rates = [c for c in month.scheme.components if c.kind.is_rate]
    counts = [c for c in month.scheme.components if not c.kind.is_rate]
    head = ["名次", "单位", *(f"{c.label}<br/>权重{_points(c.weight)}" for c in rates), *(["加减分"] if counts else []), "总分"]
    small = ParagraphStyle("score", s.cell_centre, fontSize=10.5, leading=13)
    name = ParagraphStyle("scoreunit", s.cell, fontSize=10.5, leading=13)
    rows = [[CJKParagraph(h, ParagraphStyle("scorehead", s.head, fontSize=10.5, leading=13)) for h in head]]
    for unit in month.ranked:
        cells = [str(unit.rank), escape(unit.unit)]
        by_kind = dict(zip(month.scheme.components, unit.components))
        for component in rates:
            part = by_kind[component]
            cells.append(f"{_points(part.points)}<br/>{part.raw:.1%}" if part.applicable else "不适用")
        if counts:
            cells.append(_points(sum(by_kind[c].points or 0 for c in counts)))
        cells.append(_points(unit.score))
        rows.append([CJKParagraph(text, name if col == 1 else small) for col, text in enumerate(cells)])
    fixed = 12 * mm + 21 * mm * len(rates) + (17 * mm if counts else 0) + 17 * mm
    widths = [12 * mm, TEXT_W - fixed, *([21 * mm] * len(rates)), *([17 * mm] if counts else []), 17 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="CENTER")
    table.setStyle(grid_style(s.fonts))
    return table


def _points(value: float | None) -> str:
    """28.57, 15 and -3: points as the office writes them."""
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def _assessment(report: PeriodReport, s: Styles, number: int) -> list:
    """综合考评结果: the scheme in a sentence, the ranking table, and one sentence for each of the lowest units."""
    month = report.assessment
    scheme = month.scheme
    rules = "；".join(f"{c.label}{c.rule_text()}" for c in scheme.components)
    story = [
        CJKParagraph(f"{chinese_number(number)}、综合考评结果", s.h1),
        CJKParagraph(
            escape(
                f"按照综合考评方案（{scheme.describe()}，满分{_points(scheme.full_marks)}分。{rules}），对各责任单位{chinese_period(month.period)}工作进行综合考评。"
                "比率项目得分为比率乘以权重；单位无到期任务、无应报进展或无考核指标的，该项不适用，其权重按比例计入该单位适用的比率项目。"
                + ("" if month.stored else "本结果按现行方案计算，尚未由办公室确认保存。")
            ),
            s.body,
        ),
    ]
    ranked = month.ranked
    if not ranked:
        return story + [CJKParagraph("本期没有可考评的单位。", s.body)]
    story += [Spacer(1, LINE / 4), _assessment_table(month, s), Spacer(1, LINE / 4)]
    unscored = len(month.units) - len(ranked)
    if unscored:
        story.append(CJKParagraph(f"另有{unscored}个责任单位本期无可考评事项，未参与排名。", s.body))
    lowest = ranked[-BOTTOM_UNITS:]
    story.append(CJKParagraph(f"综合得分排名靠后的{len(lowest)}个单位得分情况如下：", s.body))
    story += [CJKParagraph(escape(unit.sentence()), s.body) for unit in reversed(lowest)]
    tied = sum(1 for unit in ranked[: -len(lowest)] if unit.score == lowest[0].score)
    if tied:
        story.append(CJKParagraph(escape(f"另有{tied}个单位综合得分同为{_points(lowest[0].score)}分，从略。"), s.body))
    return story


def _lagging(report: PeriodReport, s: Styles, number: int) -> list:
    groups = _lagging_groups(report)
    story = [CJKParagraph(f"{chinese_number(number)}、进展滞后的任务", s.h1)]
    if not groups:
        return story + [CJKParagraph("截至期末，各项任务均按时间节点推进，无逾期和进度滞后的任务。", s.body)]
    units = {unit for group, _o, _l in groups for unit in group}
    story.append(
        CJKParagraph(
            f"截至期末，{len(report.overdue)}项任务到期未办结，{len(report.lagging)}项任务责任单位报送进度滞后，"
            f"涉及{len(units)}个责任单位（多个单位共同负责的任务列在共同负责的单位之下），具体如下：",
            s.body,
        )
    )
    for number, (group, overdue, lagging) in enumerate(groups, start=1):
        counts = "、".join(part for part in (f"逾期{len(overdue)}项" if overdue else "", f"滞后{len(lagging)}项" if lagging else "") if part)
        together = "（共同负责）" if len(group) > 1 else ""
        story.append(CJKParagraph(f"（{chinese_number(number)}）{escape('、'.join(group))}{together}：{counts}", s.h2))
        for item, line in enumerate(overdue + lagging, start=1):
            deadline = escape(line.deadline_text)
            reason = _reason(line, group[0]) if len(group) == 1 else _shared_reason(line, group)
            story.append(CJKParagraph(f"{item}. {escape(line.task.code)} {escape(line.task.title)}（时限：{deadline}）。{escape(reason)}", s.body))
    return story


def _shared_reason(line: TaskLine, units: tuple[str, ...]) -> str:
    """The state of a task several units lead, with each unit's own account of the problem."""
    why = _reason(line, "")
    problems = [(unit, clip(unit_part(line.problems, line, unit), 30, mark=False).rstrip("。；;")) for unit in units]
    said = "；".join(f"【{unit}】{problem}" for unit, problem in problems if problem)
    return why + (f"存在问题：{said}。" if said else "")


ACT_VERBS = {
    ActKind.PRAISE: "对{who}予以表扬",
    ActKind.TALK: "约谈{who}",
    ActKind.CRITICISM: "对{who}予以通报批评",
    ActKind.INSPECTION: "对{who}开展专项督查",
    ActKind.SELF_ASSESSMENT: "组织{who}开展自查评估",
}


def _sentence(label: str, text: str | None) -> str:
    return f"{label}{text.strip().rstrip('。；;')}。" if text and text.strip() else ""


def _act_text(act: ActView) -> str:
    """One act as the 通报 tells it: when, what and whom, on what basis, what was asked and what came of it."""
    tasks = "、".join(act.tasks)
    who = "、".join(act.units) + (f"（涉及任务{tasks}）" if act.units and tasks else "") if act.units else f"任务{tasks}的责任单位"
    return (
        f"{chinese_date(act.act_date)}，{ACT_VERBS[act.kind].format(who=who)}。"
        + _sentence("事由：", act.basis) + _sentence("整改要求：", act.follow_up) + _sentence("结果：", act.result)
    )


def _recheck_text(act: ActView) -> str:
    """A 回头看's findings: how it drew, how many passed and failed, and the tasks reopened with the reason."""
    shown = (RecheckOutcome.PASSED, RecheckOutcome.FAILED, RecheckOutcome.PENDING)
    count = {outcome: sum(1 for r in act.rechecks if r.outcome == outcome) for outcome in shown}
    tally = "、".join(f"{outcome.value}{n}项" for outcome, n in count.items() if n)
    text = f"{chinese_date(act.act_date)}，开展“回头看”（{act.sample_rule}），复核已销号任务{len(act.rechecks)}项：{tally}。"
    failed = [r for r in act.rechecks if r.outcome == RecheckOutcome.FAILED]
    if failed:
        text += "以下任务复核未通过，已撤销办结销号、重新办理：" + "；".join(f"{r.task} {r.title}（{(r.note or '').rstrip('。')}）" for r in failed) + "。"
    return text + _sentence("整改要求：", act.follow_up)


def _acts_section(groups: list[CircularGroup], s: Styles, number: int) -> list:
    """督查督办情况: the acts of the month the office chose to print, by kind."""
    story = [CJKParagraph(f"{chinese_number(number)}、督查督办情况", s.h1)]
    for index, group in enumerate(groups, start=1):
        story.append(CJKParagraph(f"（{chinese_number(index)}）{escape(group.title)}", s.h2))
        for item, act in enumerate(group.acts, start=1):
            text = _recheck_text(act) if act.kind == ActKind.RECHECK else _act_text(act)
            story.append(CJKParagraph(f"{item}. {escape(text)}", s.body))
    return story


def _requirements(report: PeriodReport, s: Styles, reply_by: dt.date, number: int) -> list:
    due = chinese_date(reply_by)
    day = report.settings.report_day
    office = escape(report.settings.office_name)
    overdue_units = {u for line in report.overdue for u in lead_units(line)}
    reported_done = sum(1 for line in report.lines if line.state.reported_done and line.state.colour != DONE)
    not_reported = sum(1 for line in report.lines if line.state.colour == GREY)
    due_soon = sum(1 for line in report.lines if line.state.colour == YELLOW and line.status != Status.LAGGING)
    items = []
    if report.overdue:
        items.append(
            ("对逾期任务限期整改。", f"对本通报点名的{len(report.overdue)}项逾期任务，{len(overdue_units)}个责任单位要逐项分析原因，明确整改措施和完成时限，于{due}前将整改情况书面报送{office}；逾期仍未整改的，将按程序提请督查问责。")
        )
    else:
        items.append(("持续巩固推进成效。", f"各责任单位要对照时间节点倒排工期，确保到期任务按时办结，{office}将持续跟踪调度。"))
    items.append(
        (
            "加快滞后任务进度。",
            (f"对{len(report.lagging)}项进度滞后任务，" if report.lagging else "对推进难度较大的任务，")
            + (f"以及{due_soon}项临近时间节点的任务，" if due_soon else "")
            + "责任单位要主动协调配合单位，集中力量攻坚，确保按期完成。",
        )
    )
    if reported_done:
        items.append(("及时申请办结销号。", f"{reported_done}项任务责任单位均已报送完成但尚未销号，请及时整理佐证材料，向{office}申请办结销号。"))
    items.append(
        (
            "按时报送工作进展。",
            f"各责任单位要于每月{day}日前报送上月工作进展情况，做到数据真实、进展具体、问题清楚"
            + (f"；本期有{not_reported}项任务责任单位未报送进展，相关单位要立即补报" if not_reported else "")
            + "。",
        )
    )
    story = [CJKParagraph(f"{chinese_number(number)}、下步工作要求", s.h1)]
    for number, (head, text) in enumerate(items, start=1):
        story.append(CJKParagraph(f'<font name="{s.fonts.kai}">（{chinese_number(number)}）{head}</font>{text}', s.body))
    return story


def _attachment_title(report: PeriodReport) -> str:
    return f"{chinese_period(report.period)}重点任务推进情况表"


def _annex_table(lines: list[TaskLine], s: Styles) -> Table:
    """序号/任务/牵头/配合/时限/进展/状态, wrapped cells, header repeated on every page."""
    width = LAND_W - 2 * LAND_MARGIN_X
    widths = [10 * mm, 44 * mm, 40 * mm, 30 * mm, 20 * mm, 0, 18 * mm]
    widths[5] = width - sum(widths)
    rows = [[CJKParagraph(h, s.head) for h in ("序号", "任务", "牵头单位", "配合单位", "时限", "进展情况", "状态")]]
    for index, line in enumerate(lines, start=1):
        units = line.reporting_units
        if len(units) > 1:
            progress = "\n".join(f"【{u}】" + clip(unit_part(line.progress_text, line, u), PROGRESS_CHARS // 2) for u in units[:REPORTERS_SHOWN])
            if len(units) > REPORTERS_SHOWN:
                progress += f"（另有{len(units) - REPORTERS_SHOWN}个单位报送，从略）"
        else:
            progress = clip(line.progress_text, PROGRESS_CHARS)
        colour = STATE_COLOURS.get(line.state.colour)
        status = escape(line.status) + (f"<br/>{line.percent}%" if line.percent is not None and line.status not in ("已销号", "持续推进") else "")
        if line.state.colour in (RED, YELLOW, GREY):
            status += f'<br/><font color="#{colour.hexval()[2:]}">{COLOUR_NAMES[line.state.colour]}</font>'
        rows.append(
            [
                CJKParagraph(str(index), s.cell_centre),
                CJKParagraph(f"{escape(line.task.code)}<br/>{escape(line.task.title)}", s.cell),
                CJKParagraph(escape(line.lead_text), s.cell),
                CJKParagraph(escape(line.support_text), s.cell),
                CJKParagraph(escape(line.deadline_text), s.cell),
                CJKParagraph(markup(progress) or "（未报送）", s.cell),
                CJKParagraph(status, s.cell_centre),
            ]
        )
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(grid_style(s.fonts, [("VALIGN", (0, 1), (-1, -1), "TOP")]))
    return table


def _attachment(report: PeriodReport, s: Styles, control: JobControl | None) -> list:
    story = [
        NextPageTemplate("landscape"),
        PageBreak(),
        CJKParagraph("附件", ParagraphStyle("annexmark", s.plain, fontName=s.fonts.heading)),
        CJKParagraph(escape(_attachment_title(report)), ParagraphStyle("annextitle", s.title, fontSize=20, leading=32)),
    ]
    annexes = sorted({line.task.annex for line in report.lines})
    heading = ParagraphStyle("annexhead", s.plain, fontName=s.fonts.heading, fontSize=14, leading=24, spaceBefore=6)
    for number, annex in enumerate(annexes, start=1):
        if control is not None:
            control.step(number - 1, len(annexes), "正在整理附件表格")
        lines = [line for line in report.lines if line.task.annex == annex]
        done = sum(1 for line in lines if line.state.colour == DONE)
        overdue = sum(1 for line in lines if line.state.colour == RED)
        title = report.annex_titles.get(annex, f"附件{annex}")
        story += [
            CondPageBreak(60 * mm),
            CJKParagraph(escape(f"{chinese_number(number)}、{title}（方案附件{annex}，共{len(lines)}项，已销号{done}项，逾期{overdue}项）"), heading),
            _annex_table(lines, s),
        ]
    return story


def monthly_report(
    report: PeriodReport,
    path: str | Path,
    *,
    control: JobControl | None = None,
    issued: dt.date | None = None,
    number: int | None = None,
    today: dt.date | None = None,
    acts: list[CircularGroup] | None = None,
) -> Path:
    """Write the period's 工作进展情况通报 as a GB/T 9704 PDF with a landscape attachment table.

    issued is the 成文日期 (default: db.doc_numbers.default_issue_date, from today); number is the
    通报's running number in the 成文日期's year, printed as 发文字号 or 期号 (none: a draft without one).
    acts (db.acts.acts_for_circular) become a section 督查督办情况 before the requirements when there are any.
    """
    path = Path(path)
    settings = report.settings
    fonts = find_cjk_fonts()
    s = Styles(fonts, chars_per_line=CHARS_PER_LINE)
    issued = issued or default_issue_date(report.period, settings.report_day, today)
    title = report_title(report)
    office = settings.office_name
    numbered = number_text(settings.doc_code, issued.year, number) if number is not None else None
    plan = f"《{report.plan_title}》" + (f"（{report.doc_number}）" if report.doc_number else "")
    sections = [
        *([lambda n: _assessment(report, s, n)] if report.assessment is not None else []),
        *([lambda n: indicator_section(report.indicators, s, n)] if report.indicators and report.indicators.due else []),
        lambda n: _lagging(report, s, n),
        *([lambda n: _acts_section(acts, s, n)] if acts else []),
    ]
    numbered_sections = [part for n, build in enumerate(sections, start=3) for part in build(n)]
    requirements = _requirements(report, s, reply_deadline(issued, settings.reply_days), 3 + len(sections))
    contact = contact_line(settings.contact_person, settings.contact_phone)
    closing = [
        requirements[-1],
        Spacer(1, LINE),
        CJKParagraph(escape(f"附件：{_attachment_title(report)}"), s.body),
        # Two blank lines: the seal's top stays within a line of the 附件说明 and it covers 署名 and date.
        Spacer(1, 2 * LINE),
        Signature(office, issued, s),
        *([CJKParagraph(escape(contact), s.body)] if contact else []),
    ]
    story = [
        Letterhead(office, numbered, s),
        Spacer(1, 2 * LINE),
        CJKParagraph(_title_markup(report, s), s.title),
        Spacer(1, LINE),
        CJKParagraph("各有关单位：", s.plain),
        CJKParagraph(escape(f"为推动{plan}各项任务落地见效，{office}对{chinese_period(report.period)}各项任务推进情况进行了调度。现将有关情况通报如下："), s.body),
        *_overall(report, s),
        *_good_units(report, s),
        *numbered_sections,
        *requirements[:-1],
        # The 落款 stays on the page of the last paragraph (never alone at the top of a page).
        KeepTogether(closing),
        *_attachment(report, s, control),
        NextPageTemplate("portrait"),
        PageBreak(),
        AtFoot(record_block(office, issued, settings.copy_to, fonts)),
    ]
    subject = f"{chinese_period(report.period)}工作进展情况通报" + (f"（{numbered}）" if numbered else "")
    return write_document(path, fonts, title, office, story, subject=subject, landscape=True, control=control, what="正在排版通报")
