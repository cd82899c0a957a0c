"""The task detail pane's HTML: the task as written, where it stands, and every report on it."""

from __future__ import annotations

from html import escape

from db.errata import DIFFERS_FROM_PRINTED
from db.indicator_actuals import IndicatorStanding
from db.measure_links import MeasureProgress, TaskLinks
from db.task_detail import TaskDetail
from db.warning_rules import COLOUR_NAMES, TaskState
from desktop.task_model import LIGHT_COLOURS, STANDING_COLOURS


def _text(value: str | None) -> str:
    return escape(value or "").replace("\n", "<br>")


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_text(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr style='background:#eef2f7'>{head}</tr>{body}</table>"


def _dot(colour: str) -> str:
    return f"<span style='color:{LIGHT_COLOURS[colour]}'>●</span>"


def _printed_wording(task) -> str:
    """The 与印发原文不同 note: why the ledger's wording differs and the wording as the document prints it."""
    lines = [f"<b>{DIFFERS_FROM_PRINTED}</b>" + (f"：{escape(task.wording_note)}" if task.wording_note else "")]
    if task.printed_title is not None:
        lines.append(f"印发原文名称：{escape(task.printed_title)}")
    if task.printed_text is not None:
        lines.append(f"印发原文：{_text(task.printed_text)}")
    return "<p style='color:#8a5300; background:#fff7e6'>" + "<br>".join(lines) + "</p>"


def _recheck_text(act, code: str) -> str:
    """A 回头看's finding on this task; a failed one names the sign-off it revoked."""
    found = act.recheck_of(code)
    if found is None:
        return act.result or ""
    said = f"复核{found.outcome}" + (f"（{found.checked_on.isoformat()}）" if found.checked_on else "") + (f"：{found.note}" if found.note else "")
    old = found.revoked_sign_off
    if old:
        basis = "；".join(x for x in (old.get("evidence_note"), old.get("evidence_name") and f"附件 {old['evidence_name']}") if x)
        said += f"\n已撤销 {old['signed_on']} 的办结销号（{old.get('operator') or ''}，依据：{basis}），任务重新办理"
    return said


def _acts_table(detail: TaskDetail, code: str) -> str:
    """The office's acts naming the task: date, kind, basis, what was asked and what came of it."""
    rows = [
        [a.act_date.isoformat(), a.kind.value, a.basis, a.follow_up or "", _recheck_text(a, code) if a.rechecks else (a.result or "（待填写）"), "、".join(a.units)]
        for a in detail.acts
    ]
    return _table(["日期", "类别", "依据", "整改或跟进要求", "结果", "涉及单位"], rows)


def _short(text: str | None, width: int = 24) -> str:
    if not text:
        return "—"
    return text if len(text) <= width else text[: width - 1] + "…"


def _indicator_table(lines: list[IndicatorStanding]) -> str:
    """The annex's indicators in short: target in force, latest actual and standing, coloured as in the 指标 view."""
    head = "".join(f"<th>{h}</th>" for h in ("编号", "指标", "本期应达到", "实际值", "达标情况"))
    body = "".join(
        f"<tr><td>{s.code}</td><td>{escape(_short(s.name, 30))}</td><td>{escape(_short(s.target_text))}</td>"
        f"<td>{escape(_short(s.actual.value_text if s.actual else None))}</td>"
        f"<td style='color:{STANDING_COLOURS.get(s.standing, '#333')}'><b>{s.standing.value}</b></td></tr>"
        for s in lines
    )
    return f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr style='background:#eef2f7'>{head}</tr>{body}</table>"


def measure_progress_line(progress: MeasureProgress) -> str:
    """One sentence on a 附件1 measure's real progress, from the tasks confirmed to carry it out."""
    if not progress.linked:
        return "尚未确认由哪些专项任务落实，本措施的进展暂不计算。"
    signed = sum(1 for t in progress.tasks if t.done)
    deadline = progress.deadline.isoformat() if progress.deadline else "无"
    line = f"按已确认的 {len(progress.tasks)} 项任务计：{signed} 项已办结销号，最晚时限 {deadline}"
    if progress.overdue_tasks:
        line += f"，逾期 {len(progress.overdue_tasks)} 项（{'、'.join(t.code for t in progress.overdue_tasks)}）"
    return line + ("；本措施已完成。" if progress.done else "；本措施尚未完成。")


def _links(links: TaskLinks) -> str:
    """A measure's confirmed tasks with where they stand, or the 附件1 measures a task carries out; short."""
    if links.measure is not None:
        progress = links.measure
        rows = [[t.code, t.title, t.status, t.due.isoformat() if t.due else "持续推进", COLOUR_NAMES[t.colour]] for t in progress.tasks]
        table = _table(["任务", "名称", "状态", "时限", "预警"], rows) if rows else ""
        return f"<h4>落实本措施的专项任务</h4>{table}<p>{escape(measure_progress_line(progress))}</p>"
    if links.carries:
        measures = "；".join(f"{escape(code)} {escape(title)}" for code, title in links.carries)
        return f"<p><b>落实附件1措施</b>：{measures}</p>"
    return ""


HISTORY_PERIODS = 12
SHOW_ALL_LINK = "duban:history-all"
EVIDENCE_LINK = "duban:evidence/"
EVIDENCE_DELETE_LINK = "duban:evidence-delete/"


def render_detail(detail: TaskDetail, state: TaskState | None, *, full_history: bool = False, links: TaskLinks | None = None) -> str:
    """The pane's HTML; the report history stops at the latest 12 months unless asked for all.

    links: the task's 附件1 links (db.measure_links.task_links), shown after its wording.
    """
    task, decisions = detail.task, detail.decisions
    parts = [f"<h3>{escape(task.code)}　附件{task.annex}　{escape(task.label)} {escape(task.title)}</h3>"]
    where = f"附件{task.annex}《{escape(task.annex_title)}》" + (f" · {escape(task.section)}" if task.section else "")
    parts.append(f"<p style='color:#555'>{where}　原文位置：第 {task.source_line}–{task.source_line_end} 行</p>")
    if task.corrected:
        parts.append("<p style='color:#8a5300'>✎ 本任务的计划数据已人工更正，见审计日志。</p>")
    if state:
        parts.append(
            f"<p>{_dot(state.colour)} <b>{COLOUR_NAMES[state.colour]}</b>：{escape(state.reason)}　"
            f"状态：{escape(state.status)}　进度：{'' if state.percent is None else str(state.percent) + '%'}</p>"
        )
    parts.append(f"<p>{_text(task.text)}</p>")
    if task.footnotes:
        parts.append(f"<p style='color:#555'>注：{_text(task.footnotes)}</p>")
    if task.differs_from_printed:
        parts.append(_printed_wording(task))
    if links is not None:
        parts.append(_links(links))
    stages = [[m.wording, m.due or ("持续推进" if m.ongoing else "无日期"), m.note or ""] for m in task.milestones]
    parts.append("<h4>时间节点</h4>" + (_table(["原文", "完成时限", "说明"], stages) if stages else "<p>（原文未列时间节点，按持续推进管理）</p>"))
    for new_due, reason, document, approved_on, operator in decisions.extensions:
        parts.append(f"<p>延期：至 <b>{new_due.isoformat()}</b>（{escape(document)}，{approved_on.isoformat()} 批准，{escape(operator)} 录入）原因：{_text(reason)}</p>")
    if decisions.signed_on:
        evidence = "；".join(x for x in (decisions.evidence_note, decisions.evidence_name and f"附件 {decisions.evidence_name}") if x)
        parts.append(f"<p><b>已办结销号</b>：{decisions.signed_on.isoformat()}，{escape(decisions.signed_by or '')}。依据：{_text(evidence)}</p>")
    if detail.acts:
        parts.append("<h4>督查督办记录</h4>" + _acts_table(detail, task.code))
    units = [[u.name, u.role, u.as_printed] for u in task.units]
    parts.append(f"<h4>责任单位</h4><p style='color:#555'>原文：{_text(task.responsibility)}</p>" + _table(["单位", "角色", "原文写法"], units))
    if detail.colours:
        marks = "　".join(f"{p} {_dot(c)}" for p, c, _reason in detail.colours)
        parts.append(f"<h4>预警记录（按月）</h4><p>{marks}</p>")
    periods = sorted({h.period for h in detail.history}, reverse=True)
    shown = detail.history if full_history else [h for h in detail.history if h.period in periods[:HISTORY_PERIODS]]
    history = [
        [h.period, h.unit, detail.unit_roles.get(h.unit, ""), h.status, f"{h.percent}%", h.progress_text, h.problems or "", h.next_steps or "", f"{h.reporter or ''} {h.entry_date}（第{h.version}版）"]
        for h in shown
    ]
    parts.append(
        "<h4>进展报送记录</h4>"
        + (_table(["期间", "单位", "角色", "状态", "进度", "进展情况", "存在问题", "下步计划", "报送"], history) if history else "<p>（尚无报送）</p>")
    )
    if len(shown) < len(detail.history):
        parts.append(f"<p>仅显示最近 {HISTORY_PERIODS} 个月；<a href='{SHOW_ALL_LINK}'>显示全部 {len(detail.history)} 条报送记录</a></p>")
    if detail.evidence:
        items = [
            f"<li>{period} {escape(unit)}：<a href='{EVIDENCE_LINK}{item.uuid}'>{escape(item.name)}</a>（{item.size / 1024:.0f} KB）"
            f"　<a href='{EVIDENCE_DELETE_LINK}{item.uuid}' style='color:#888'>删除</a></li>"
            for period, unit, item in detail.evidence
        ]
        parts.append("<h4>证明材料</h4><ul>" + "".join(items) + "</ul>")
    if detail.section_goal:
        parts.append(f"<h4>本组目标</h4><p>{_text(detail.section_goal)}</p>")
    goals = [f"<p><b>{escape(kind)}</b>{'（量化）' if quantitative else ''}：{_text(text)}</p>" for kind, text, quantitative in detail.annex_goals]
    if goals:
        parts.append("<h4>附件目标</h4>" + "".join(goals))
    if detail.indicators:
        parts.append("<h4>本附件指标（当前报送期间）</h4>" + _indicator_table(detail.indicators))
    for title, header, rows in detail.indicator_tables:
        parts.append(f"<h4>{escape(title)}</h4>" + _table(header, rows))
    return "".join(parts)
