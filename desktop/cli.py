"""The duban command line: the same ledger the window shows, for scripting and checking.

Qt is imported only when a window is opened, so every other command runs without a display.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from db.errors import UserError, known_error, shown, writing_to
from desktop.logs import log_location_text, setup_logging

log = logging.getLogger("duban.cli")

SCREENSHOT_VIEWS = ("annexes", "units", "warnings", "dashboard", "compare", "indicators", "assessment", "act", "conflicts", "links")
STATUS_HELP = "未启动、推进中、已完成、滞后、持续推进"


def _print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


_opened: list = []  # ledgers this run opened; main() closes them so the file is free for others


def _open(args):
    ledger = open_ledger_asking(args.db, read_only=getattr(args, "read_only", False))
    _opened.append(ledger)
    return ledger


def open_ledger_asking(db, **options):
    """open_ledger, asking at the terminal for a server ledger's password when the server wants one and none was given."""
    from db.engine import open_ledger
    from db.pg_engine import PasswordNeeded, display_name, sqlalchemy_url, with_password

    try:
        return open_ledger(db, **options)
    except PasswordNeeded:
        if not sys.stdin.isatty():
            raise
    import getpass

    password = getpass.getpass(f"服务器台账 {display_name(sqlalchemy_url(db))} 的登录密码：")
    return open_ledger(with_password(db, password), **options)


def cmd_init(args) -> int:
    from db.ledger import init_from_bundled_plan

    ledger = _open(args)
    result = init_from_bundled_plan(ledger, operator=args.operator)
    verb = "已创建" if result.created else "已更新"
    print(
        f"{verb}计划（编号 {result.plan_id}）于 {ledger.label}：新增任务 {result.tasks_added} 项，"
        f"更新 {result.tasks_updated} 项，未变 {result.tasks_unchanged} 项，保留人工更正 {result.tasks_kept_corrected} 项。"
    )
    if result.errata_applied:
        print(f"已按内置勘误表更正 {len(result.errata_applied)} 项任务的文本提取错误（原文保留，见 docs/errata.md）：" + "、".join(result.errata_applied))
    if result.errata_kept_clerk:
        print("以下任务已由人工更正，内置勘误未覆盖：" + "、".join(result.errata_kept_clerk), file=sys.stderr)
    if result.indicators is not None:
        found = result.indicators
        print(f"指标 {found.total} 项（指标表 {found.from_tables} 项，目标文字 {found.from_goals} 项）：新增 {len(found.added)} 项，更新 {len(found.updated)} 项。")
    _report_import_warnings(result)
    return 0


def _report_import_warnings(result) -> None:
    if result.new_units:
        print("以下单位不在单位别名表中，已作为“未分类”单位新建：" + "、".join(result.new_units), file=sys.stderr)
    if result.undated_deadlines:
        print("以下任务的时间节点无法换算为日期（保留原文）：" + "、".join(result.undated_deadlines), file=sys.stderr)
    if result.tasks_missing_from_source:
        print("以下任务已不在来源文件中，仍保留在台账里：" + "、".join(result.tasks_missing_from_source), file=sys.stderr)


def cmd_tasks(args) -> int:
    from db.ledger import list_tasks

    ledger = _open(args)
    with ledger.Session() as session:
        tasks = list_tasks(session, plan_id=args.plan, annex=args.annex, unit=args.unit)
    if args.json:
        _print_json([t.to_json() for t in tasks])
    else:
        for t in tasks:
            print(f"{t.code}\t附件{t.annex} {t.label}\t{t.title}\t{t.deadline or '—'}\t牵头：{'、'.join(t.lead) or '—'}")
    return 0


def cmd_plans(args) -> int:
    from db.plans import list_plans

    ledger = _open(args)
    with ledger.Session() as session:
        plans = list_plans(session)
    if args.json:
        _print_json([p.to_json() for p in plans])
    else:
        for p in plans:
            state = "（已归档）" if p.archived else ""
            removed = f"（其中 {p.removed_tasks} 项已从新版计划中删除）" if p.removed_tasks else ""
            print(f"{p.id}\t{'*' if p.is_current else ' '}\t{p.year or ''}\t{p.title}{state}\t{p.tasks} 项任务{removed}")
    return 0


def cmd_plans_change(args) -> int:
    """plans use / archive / unarchive: one audited change of a plan's state."""
    from db import plans

    ledger = _open(args)
    with ledger.Session.begin() as session:
        if args.plans_command == "use":
            plan, done = plans.set_current_plan(session, args.id, args.operator), "当前计划："
        elif args.plans_command == "archive":
            plan, done = plans.archive_plan(session, args.id, args.operator, make_current=args.use), "已归档计划（仍可查阅，不再预警）："
        else:
            plan, done = plans.unarchive_plan(session, args.id, args.operator), "已取消归档计划："
        said = f"{done}{plan.id}《{plan.title}》"
    print(said)  # only once committed
    return 0


def cmd_units(args) -> int:
    from dataclasses import asdict

    from db.ledger import list_units

    ledger = _open(args)
    with ledger.Session() as session:
        units = list_units(session, plan_id=args.plan)
    if args.json:
        _print_json([asdict(u) for u in units])
    else:
        for u in units:
            print(f"{u.name}\t{u.kind}\t牵头 {u.lead_tasks}\t配合 {u.support_tasks}\t别名：{'、'.join(u.aliases)}")
    return 0


def cmd_progress_add(args) -> int:
    import datetime as dt

    from db.progress import ADDED, UNCHANGED, UPDATED, ProgressInput, save_progress

    try:
        entry_date = dt.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        raise UserError(f"填报日期“{args.date}”格式不正确，应为 YYYY-MM-DD。") from None
    entry = ProgressInput(
        task_code=args.task,
        unit=args.unit,
        period=args.period,
        status=args.status,
        percent=args.percent,
        progress_text=args.text,
        problems=args.problems,
        next_steps=args.next,
        reporter=args.reporter,
        entry_date=entry_date,
        version=args.version,
    )
    saved = save_progress(_open(args), entry, operator=args.operator, plan_id=args.plan)  # ReportChanged: kept as a conflict
    verb = {ADDED: "已新增", UPDATED: "已更新", UNCHANGED: "未变化："}[saved.outcome]
    print(f"{verb}进展 {saved.uuid}（第 {saved.version} 版）")
    return 0


def cmd_progress_list(args) -> int:
    from db.progress import list_progress

    ledger = _open(args)
    with ledger.Session() as session:
        rows = list_progress(session, task_code=args.task, unit=args.unit, period=args.period, plan_id=args.plan)
    if args.json:
        _print_json([r.to_json() for r in rows])
    else:
        for r in rows:
            print(f"{r.task}\t{r.unit}\t{r.period}\t{r.status}\t{r.percent}%\t{r.progress_text}")
    return 0


def cmd_progress_attach(args) -> int:
    from db.evidence import attach_evidence

    ledger = _open(args)
    with ledger.Session.begin() as session:
        row = attach_evidence(session, args.task, args.unit, args.period, args.file, operator=args.operator)
        name, size, sha256 = row.name, row.size, row.sha256
    print(f"已附上证明材料 {name}（{size / 1024:.0f} KB，sha256 {sha256[:12]}…）。")  # only once committed
    return 0


def _column_maps(texts: list[str] | None) -> dict[str, str]:
    """--map "工作措施=任务名称" (repeatable) as {header: field}; the field may be named in Chinese or by its key."""
    mapping: dict[str, str] = {}
    for text in texts or []:
        header, sep, chosen = text.partition("=")
        if not sep or not header.strip() or not chosen.strip():
            raise UserError(f"--map “{text}” 的写法不对，应为 “列名=用途”，如 --map \"工作措施=任务名称\"。")
        mapping[header.strip()] = chosen.strip()
    return mapping


def _read_only_ledger(args):
    """The ledger opened read-only for a try-out (remembered column mappings, units, revisions), or None when there is none."""
    from db.engine import default_ledger_path, open_ledger
    from db.pg_engine import is_server_url

    if is_server_url(args.db):  # a server ledger is there to compare with (failing to connect is told, as a damaged file is)
        path = args.db
    else:
        path = Path(args.db) if args.db else default_ledger_path()
        if not (path.is_file() and path.stat().st_size > 0):
            return None
    try:
        ledger = open_ledger(path, read_only=True)
    except UserError as exc:  # an old or damaged ledger: the file is still read, against the alias table alone
        print(f"注意：未能读取台账（{exc}）；列用途按表头名称识别，单位只按单位别名表核对，也未与台账中的计划比较。", file=sys.stderr)
        return None
    _opened.append(ledger)
    return ledger


def cmd_import_plan(args) -> int:
    from db.ledger import load_directory
    from db.plan_review import import_reviewed, parse_unit_option, unit_questions
    from db.settings import mapping_lookup, remember_choices
    from exports.plan_reading import read_plan_document

    settled = [parse_unit_option(text) for text in args.unit or []]  # a bad option is refused before any reading
    mapping = _column_maps(args.map)
    read_only = _read_only_ledger(args)
    remembered = None
    if read_only is not None:
        with read_only.Session() as session:
            remembered = mapping_lookup(session)
    reading = read_plan_document(Path(args.file), year=args.year, mapping=mapping or None, remembered=remembered)
    draft = reading.draft
    headers = {h for layout in reading.layouts for h in layout.headers}
    for header in mapping:
        if "".join(header.split()) not in headers:
            print(f"注意：--map 指定的列“{header}”不在 {Path(args.file).name} 任何表格的表头中，未起作用。", file=sys.stderr)
    directory = load_directory()
    if args.dry_run:
        _print_plan(reading, as_json=args.json, review=_dry_review(args, read_only, draft, directory))
        return 0
    if read_only is not None:
        _opened.remove(read_only)
        read_only.close()
    ledger = _open(args)
    with ledger.Session.begin() as session:
        decisions = _unit_decisions(session, settled, unit_questions(session, draft, directory) if settled else [])
        result = import_reviewed(
            session, draft, directory, decisions, operator=args.operator, make_current=not args.keep_current, plan_id=args.revises,
            revise=not args.as_new,
        )
        kept = remember_choices(session, [layout.headers for layout in reading.layouts if layout.headers], mapping, operator=args.operator)
    print(result.plan_id)
    for headers, chosen in kept:  # only once committed
        print(f"已记住表头（{'、'.join(headers)}）的列用途：" + "，".join(f"{h}→{f}" for h, f in chosen.items()), file=sys.stderr)
    print(
        f"已导入《{draft.title}》：新增任务 {result.tasks_added} 项，更新 {result.tasks_updated} 项，未变 {result.tasks_unchanged} 项。",
        file=sys.stderr,
    )
    if result.renamed:
        print("以下任务在新版中编号变动，沿用台账中的编号和已报进展：" + "、".join(f"{d}→{c}" for d, c in result.renamed.items()), file=sys.stderr)
    if result.removed_by_revision:
        print("以下任务新版计划中已没有，保留在台账中（已报进展不变，不再预警）：" + "、".join(result.removed_by_revision), file=sys.stderr)
    _report_import_warnings(result)
    return 0


def _unit_decisions(session, settled: list[tuple[str, str]], questions: list) -> list:
    """--unit 拼写=单位名: an alias when the ledger knows the unit, else a new unit (a collective for 各…/有关部门).

    The spelling may be given as printed: a bare 财政局 in a district plan settles the question about 区财政局.
    """
    from db.plan_review import ALIAS, COLLECTIVE, NEW, UnitDecision, find_unit_named, is_collective_spelling
    from db.units import normalise

    asked_as = {q.printed: q.spelling for q in questions}
    decisions = []
    for given, name in settled:
        spelling = asked_as.get(normalise(given), given)
        if find_unit_named(session, name) is not None:
            decisions.append(UnitDecision(spelling, ALIAS, name))
        else:
            decisions.append(UnitDecision(spelling, COLLECTIVE if is_collective_spelling(name) else NEW, name))
    return decisions


def _dry_review(args, ledger, draft, directory) -> dict:
    """--dry-run against the ledger, opened read-only: units not known yet, and what a revised plan changes."""
    from db.plan_review import plan_changes, unit_questions

    if ledger is None:  # no ledger yet: the alias table alone
        return {"unknown_units": unit_questions(None, draft, directory), "changes": None}
    with ledger.Session() as session:
        questions = unit_questions(session, draft, directory)
        changes = plan_changes(session, draft, args.revises, directory) if not args.as_new else None
    return {"unknown_units": questions, "changes": changes if changes is not None and changes.plan_id is not None else None}


def _short(value, width: int = 30) -> str:
    text = "、".join(value) if isinstance(value, list) else (value or "—")
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_plan(reading, *, as_json: bool, review: dict | None = None) -> None:
    """--dry-run: the tasks as they would be imported, and what to check; nothing is written."""
    from db.deadlines import DeadlineError, due_of, parse_deadline

    draft = reading.draft
    tasks = []
    sections = {(annex.number, s.label): s.label + s.heading for annex in draft.annexes for s in annex.sections}
    for annex, task in ((annex, task) for annex in draft.annexes for task in annex.tasks):
        units = task.unit_pairs()
        try:
            due = due_of(parse_deadline(task.deadline_text, draft.year))
        except DeadlineError:
            due = None
        tasks.append({
            "code": task.code, "section": sections.get((annex.number, task.section_label), task.section_label), "title": task.title, "text": task.text,
            "lead": [name for name, role in units if role == "牵头"], "units": [[name, str(role)] for name, role in units],
            "deadline": task.deadline_text, "due": due.isoformat() if due else None, "source_line": task.line_start,
        })
    review = review or {"unknown_units": [], "changes": None}
    questions, changes = review["unknown_units"], review["changes"]
    if as_json:
        _print_json({"title": draft.title, "year": draft.year, "source": draft.source_name, "tasks": tasks,
                     "problems": [{"code": d.code, "message": d.message} for d in reading.doubts],
                     "unknown_units": [q.to_json() for q in questions],
                     "changes": changes.to_json() if changes is not None else None})
        return
    print(f"《{draft.title}》（{draft.year or '年份未知'}）：{len(tasks)} 项任务；试读，未写入台账。")
    for t in tasks:
        print(f"{t['code']}\t{t['title']}\t牵头：{'、'.join(t['lead']) or '—'}\t时限：{t['deadline'] or '—'}（{t['due'] or '无日期'}）")
    for doubt in reading.doubts:
        print(f"需核对：{doubt.message}")
    for q in questions:
        best = q.suggestions[0] if q.suggestions else None
        hint = f"；建议：{best.reason}" if best else ""
        print(f"未知单位：{q.shown}（任务 {'、'.join(q.tasks[:5])}{'等' if len(q.tasks) > 5 else ''}）{hint}")
    if questions:
        print("可用 --unit \"写法=单位名\" 指定（可多次给出），例如 --unit \"" + f"{questions[0].spelling}={questions[0].suggestions[0].name if questions[0].suggestions else questions[0].spelling}" + "\"。")
    if changes is not None:
        print(f"这是台账中计划 {changes.plan_id}《{changes.plan_title}》的新版本：新增任务 {len(changes.added)} 项，"
              f"变动 {len(changes.changed)} 项，删除 {len(changes.removed)} 项，未变 {changes.unchanged} 项。")
        for c in changes.changed:
            what = "；".join(f"{f}：{_short(c.before[f])} → {_short(c.after[f])}" for f in c.fields)
            print(f"变动：{c.code}{'（新版编号 ' + c.draft_code + '）' if c.draft_code != c.code else ''}：{what}")
        for code in changes.added:
            print(f"新增：{code}")
        for code in changes.removed:
            print(f"删除：{code}（保留在台账中，已报进展不变）")


def cmd_export_plan(args) -> int:
    from exports.plan_sheet import write_plan_sheet

    ledger = _open(args)
    with ledger.Session() as session:
        count = write_plan_sheet(session, Path(args.file), plan_id=args.plan)
    print(f"已导出 {count} 项任务到 {args.file}")
    return 0


def cmd_demo(args) -> int:
    import time

    from db.demo import build_demo_ledger
    from db.engine import default_ledger_path
    from db.periods import chinese_period

    started = time.perf_counter()
    _file_only(args, "生成演示台账", "演示台账是一个台账文件，请用 duban --db 演示台账.sqlite demo 在本机生成。")
    source = Path(args.db) if args.db else default_ledger_path()
    result = build_demo_ledger(source, Path(args.out_file), entries=args.entries, seed=args.seed, operator=args.operator, force=args.force)
    if result.initialised_plan:
        print("源台账中没有计划，演示台账已用内置的2022年行动方案初始化。")
    print(
        f"已生成演示台账 {args.out_file}：进展 {result.entries} 条"
        f"（{chinese_period(result.first_period)}至{chinese_period(result.last_period)}，"
        f"{result.tasks} 项任务、{result.assignments} 个责任分工），办结销号 {result.sign_offs} 项，批准延期 {result.extensions} 项；"
        f"已记录{chinese_period(result.marked_periods[0])}至{chinese_period(result.marked_periods[-1])}每月的预警颜色，"
        f"{chinese_period(result.last_period)}逾期任务 {result.red_in_last_period} 项。用时 {time.perf_counter() - started:.1f} 秒。"
    )
    return 0


def _current_period(ledger, period: str | None) -> str:
    """The period asked for, else the ledger's current reporting period."""
    from db.periods import check_period
    from db.settings import load_settings

    if period:
        return check_period(period)
    with ledger.Session() as session:
        return load_settings(session).current_period


def cmd_write(args) -> int:
    """export ledger / export warnings / report monthly / report notices / template export."""
    from exports import actions

    ledger = _open(args)
    period = _current_period(ledger, args.period)
    issued = {}
    if args.what in ("monthly", "notices"):
        from db.doc_numbers import parse_issue_date

        date = parse_issue_date(args.date) if args.date else None
        issued = {"date": actions.issue_date(ledger, period, date), "operator": args.operator}
    writers = {
        "ledger": lambda: actions.write_ledger(ledger, args.target, period=period, unit=args.unit),
        "warnings": lambda: actions.write_warnings(ledger, args.target, period=period),
        "monthly": lambda: actions.write_monthly_report(ledger, args.target, period=period, number=args.number, **issued),
        "notices": lambda: actions.write_notices(ledger, args.target, period=period, **issued),
        "templates": lambda: actions.write_templates(ledger, args.target, period=period, unit=args.unit),
    }
    written = writers[args.what]()
    for path in written:
        print(path)
    dated = f"，成文日期 {issued['date'].isoformat()}" if issued else ""
    print(f"已写出 {len(written)} 个文件（{period}{dated}）。" if written else f"没有需要写出的文件（{period}）。", file=sys.stderr)
    return 0


def cmd_figures(args) -> int:
    """report figures: the numbers the period's 通报 states, as text or JSON."""
    from db.report_data import period_report

    ledger = _open(args)
    period = _current_period(ledger, args.period)
    with ledger.Session() as session:
        figures = period_report(session, period).figures
    if args.json:
        _print_json(figures.to_json())
        return 0
    print(f"{period}：任务 {figures.tasks} 项，其中持续推进 {figures.ongoing} 项；到期 {figures.due} 项：{figures.breakdown_text()}。")
    for u in figures.units:
        rate = f"{u.rate:.1%}" if u.rate is not None else "—"
        print(f"{u.rank or '—'}\t{u.unit}\t{u.kind}\t到期 {u.due}\t按期 {u.done_on_time}\t逾期办结 {u.done_late}\t到期未办结 {u.overdue}\t按期办结率 {rate}")
    return 0


def cmd_template_import(args) -> int:
    from exports.unit_template import import_templates

    report = import_templates(_open(args), args.source, operator=args.operator)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def cmd_packet_export(args) -> int:
    from db.packets import export_packet

    ledger = _open(args)
    period = _current_period(ledger, args.period)
    with writing_to(args.file):
        path = export_packet(ledger, args.file, period=period, units=args.unit, annexes=args.annex, months=args.months, operator=args.operator)
    print(path)
    print(f"已导出外勤数据包（{period}）。在笔记本上用 duban --db {path.name} 打开；带回后用 duban packet merge 合并。", file=sys.stderr)
    return 0


def cmd_packet_merge(args) -> int:
    from db.packets import merge_packet

    ledger = _open(args)
    report = merge_packet(ledger, args.file, operator=args.operator, allow_deletes=args.allow_deletes)
    for line in report.lines():
        print(line)
    if args.report:
        from exports.merge_report import write_merge_report

        print(write_merge_report(ledger, report, args.report, operator=args.operator), file=sys.stderr)
    return 1 if report.conflicts else 0


def cmd_packet_conflicts(args) -> int:
    from db.packets import pending_conflicts

    with _open(args).Session() as session:
        conflicts = pending_conflicts(session)
    if args.json:
        _print_json([c.to_json() for c in conflicts])
        return 0
    for c in conflicts:
        sides = [
            "已删除" if v.get("deleted") else f"{v['status']} {v['percent']}% {v['progress_text']}" for v in (c.ledger_values, c.packet_values)
        ]
        print(f"{c.id}\t{c.task_code}\t{c.unit}\t{c.period}\t台账：{sides[0]}\t数据包：{sides[1]}")
    if conflicts:
        print(f"待处理冲突 {len(conflicts)} 项。用 duban packet resolve 编号 --take ledger|packet 处理。", file=sys.stderr)
    else:
        print("没有待处理的合并冲突。", file=sys.stderr)
    return 0


def cmd_packet_resolve(args) -> int:
    from db.packets import resolve_conflict

    with _open(args).Session.begin() as session:
        resolve_conflict(session, args.id, choice=args.take, operator=args.operator)
    print(f"冲突 {args.id} 已处理：{'采用台账中的版本' if args.take == 'ledger' else '采用数据包中的版本'}。")
    return 0


def _file_only(args, what: str, advice: str) -> None:
    """Refuse a command that works on the ledger file when --db names a server ledger (named without its password)."""
    from db.pg_engine import display_name, is_server_url

    if is_server_url(args.db):
        raise UserError(f"服务器台账 {display_name(args.db)} 不是本机的文件，不能用这个命令{what}。{advice}")


def cmd_backup(args) -> int:
    from db.engine import default_ledger_path
    from db.pg_engine import is_server_url
    from db.safety import backup_to

    if is_server_url(args.db):  # pg_dump, or a logical export to a ledger file (db.server_transfer)
        from desktop.cli_server import backup_server_ledger

        return backup_server_ledger(args)

    source = Path(args.db) if args.db else default_ledger_path()
    made = backup_to(source, Path(args.file))
    print(f"已将台账 {source} 备份到 {made}（已通过完整性检查）。")
    return 0


def cmd_restore(args) -> int:
    from db.engine import default_ledger_path
    from db.pg_engine import is_server_url
    from db.safety import restore

    if is_server_url(args.db):  # pg_restore, or server import of a ledger file (db.server_transfer)
        from desktop.cli_server import restore_server_ledger

        return restore_server_ledger(args)

    target = Path(args.db) if args.db else default_ledger_path()
    kept = restore(Path(args.file), target, force=args.force)
    print(f"已用 {args.file} 恢复台账 {target}。")
    if kept is not None:
        print(f"恢复前的台账已另存为 {kept}。")
    return 0


def cmd_gui(args) -> int:
    from desktop.app import run_gui

    return run_gui(args)


def build_parser() -> argparse.ArgumentParser:
    from desktop.cli_acts import add_act_commands
    from desktop.cli_assess import add_assess_commands
    from desktop.cli_indicators import add_indicator_commands
    from desktop.cli_links import add_link_commands
    from desktop.cli_server import add_server_commands

    parser = argparse.ArgumentParser(prog="duban", description="督办台账：行动方案任务督办、进展填报与报表导出")
    parser.add_argument(
        "--db",
        help="台账文件路径（默认在用户数据目录），或服务器台账地址 postgresql://用户@服务器:端口/数据库名"
        "（密码不要写在地址里：放在环境变量 PGPASSWORD 或 PGPASSFILE 指向的密码文件中）",
    )
    parser.add_argument("--operator", help="操作员姓名（记入审计日志）")
    parser.add_argument("--read-only", action="store_true", help="以只读方式打开台账（另一个督办台账正在使用它时）")
    parser.add_argument("--version", action=_VersionAction, help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command")

    def plan_option(p):
        p.add_argument("--plan", type=int, help="计划编号（默认当前计划）")

    p = sub.add_parser("init", help="用内置的2022年行动方案创建或更新台账")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("tasks", help="列出任务")
    p.add_argument("--json", action="store_true")
    p.add_argument("--annex", type=int, help="附件序号")
    p.add_argument("--unit", help="单位名称或别名")
    plan_option(p)
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser("plans", help="列出台账中的计划；切换当前计划，归档已完成的计划")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plans)
    plsub = p.add_subparsers(dest="plans_command")
    for name, what in (("use", "把一个计划设为当前计划"), ("archive", "归档已完成的计划：仍可查阅，不再预警"), ("unarchive", "取消归档")):
        pc = plsub.add_parser(name, help=what)
        pc.add_argument("id", type=int, help="计划编号（见 duban plans）")
        pc.set_defaults(func=cmd_plans_change)
        if name == "archive":
            pc.add_argument("--use", type=int, help="归档当前计划时，改设为当前计划的计划编号")

    p = sub.add_parser("units", help="列出责任单位")
    p.add_argument("--json", action="store_true")
    plan_option(p)
    p.set_defaults(func=cmd_units)

    p = sub.add_parser("progress", help="进展填报")
    psub = p.add_subparsers(dest="progress_command", required=True)
    pa = psub.add_parser("add", help="新增或更新一条进展")
    pa.add_argument("--task", required=True, help="任务编号，如 A03-01")
    pa.add_argument("--unit", required=True, help="单位名称或别名")
    pa.add_argument("--period", required=True, help="报送期间 YYYY-MM")
    pa.add_argument("--status", required=True, help=STATUS_HELP)
    pa.add_argument("--percent", required=True, type=_percent, help="进度 0-100")
    pa.add_argument("--text", required=True, help="进展情况")
    pa.add_argument("--problems", help="存在问题")
    pa.add_argument("--next", help="下步计划")
    pa.add_argument("--reporter", help="填报人")
    pa.add_argument("--date", help="填报日期 YYYY-MM-DD（默认今天）")
    pa.add_argument(
        "--version", type=_report_version, help="所修改进展的版本号（progress list --json 中的 version；0 表示新填报）：台账中的进展已不是该版本时不保存，内容留作待处理冲突"
    )
    plan_option(pa)
    pa.set_defaults(func=cmd_progress_add)
    pl = psub.add_parser("list", help="列出进展")
    pl.add_argument("--json", action="store_true")
    pl.add_argument("--task")
    pl.add_argument("--unit")
    pl.add_argument("--period")
    plan_option(pl)
    pl.set_defaults(func=cmd_progress_list)
    pt = psub.add_parser("attach", help="为一条进展附上证明材料（照片、PDF、文档，不超过 20 MB，存入台账）")
    pt.add_argument("file")
    pt.add_argument("--task", required=True)
    pt.add_argument("--unit", required=True)
    pt.add_argument("--period", required=True)
    pt.set_defaults(func=cmd_progress_attach)

    p = sub.add_parser(
        "import-plan",
        help="导入计划（任务分解表 .xlsx、Word 任务分工表、Excel 工作台账、PDF（需有文字层），或方案文本 .txt/.docx；.doc/.wps/.xls 经 LibreOffice 转换）",
    )
    p.add_argument("file", help="计划文件：.xlsx、.docx、.pdf（需有文字层，扫描件请索要 Word 版）、.txt；.doc、.wps、.xls、.et 需本机装有 LibreOffice")
    p.add_argument("--keep-current", action="store_true", help="不把导入的计划设为当前计划")
    p.add_argument("--dry-run", action="store_true", help="只试读并列出任务和需核对的问题，不写入台账")
    p.add_argument("--json", action="store_true", help="与 --dry-run 一起：以 JSON 输出")
    p.add_argument("--year", type=int, help="计划年度（只写月份的时限按此年度换算；默认取文件名中的年份）")
    p.add_argument(
        "--map", action="append", metavar="列名=用途",
        help="指定表格某列的用途，如 --map \"工作措施=任务名称\" --map \"进展=不读取\"（可重复；用途：序号、类别、任务名称、具体内容、"
             "牵头单位、责任单位、配合单位、完成时限、不读取）。正式导入时台账会记住，下次同样表头的表格按此读取",
    )
    p.add_argument("--unit", action="append", metavar="写法=单位名",
                   help="指定一个未知单位写法对应的单位（台账中已有则作为别名，否则新建；可多次给出），例如 --unit \"区住建局=区住房和城乡建设局\"")
    p.add_argument("--revises", type=int, metavar="计划编号",
                   help="该文件是台账中这个计划的新版本（默认：文号相同或标题相同的计划）；已报进展随任务保留")
    p.add_argument("--as-new", action="store_true", help="作为一个新计划导入，即使它看起来是台账中某个计划的新版本")
    p.set_defaults(func=cmd_import_plan)

    p = sub.add_parser("export-plan", help="导出任务分解表 .xlsx")
    p.add_argument("file")
    plan_option(p)
    p.set_defaults(func=cmd_export_plan)

    p = sub.add_parser("demo", help="复制台账并填入一年的演示进展（用于演示和性能测试）")
    p.add_argument("out_file", help="演示台账输出文件")
    p.add_argument("--entries", type=int, help="进展条数（默认一年：全部责任分工 × 12 个月）")
    p.add_argument("--seed", type=int, default=2022, help="随机种子（相同种子生成相同数据）")
    p.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    p.set_defaults(func=cmd_demo)

    def writer(parent, name: str, what: str, target_help: str, help_text: str, *, unit: bool = False):
        p = parent.add_parser(name, help=help_text)
        p.add_argument("target", help=target_help)
        p.add_argument("--period", help="报送期间 YYYY-MM（默认：台账设置中的当前期间）")
        if unit:
            p.add_argument("--unit", help="只导出该单位（可用简称）")
        p.set_defaults(func=cmd_write, what=what, unit=None, date=None, number=None)
        return p

    issue_help = "成文日期 YYYY-MM-DD（默认：今天；报送截止日已过的期间为该期间的报送截止日）"

    p = sub.add_parser("export", help="导出 Excel 工作台账或预警清单")
    esub = p.add_subparsers(dest="kind", required=True)
    writer(esub, "ledger", "ledger", "输出文件 .xlsx", "工作台账：全部任务（汇总+各附件）或某单位的任务", unit=True)
    writer(esub, "warnings", "warnings", "输出文件 .xlsx", "预警清单：逾期、临期或滞后、未报送")
    p = sub.add_parser("report", help="生成 PDF 通报和督办通知单")
    rsub = p.add_subparsers(dest="kind", required=True)
    r = writer(rsub, "monthly", "monthly", "输出文件 .pdf", "月度工作进展情况通报")
    r.add_argument("--date", help=issue_help)
    r.add_argument("--number", type=int, help="期号或发文字号中的序号（默认：该期间已有的序号，新期间取本年下一个序号）")
    r = writer(rsub, "notices", "notices", "输出目录", "各单位督办通知单（有逾期任务的单位各一份）")
    r.add_argument("--date", help=issue_help)
    p = rsub.add_parser("figures", help="通报中的各项数字：到期任务分类、持续推进任务、各单位排名")
    p.add_argument("--period", help="报送期间 YYYY-MM（默认：台账设置中的当前期间）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_figures)
    p = sub.add_parser("template", help="单位报送模板：导出给各单位填写，收回后导入")
    tsub = p.add_subparsers(dest="kind", required=True)
    writer(tsub, "export", "templates", "输出目录", "每个单位一份报送模板 .xlsx", unit=True)
    ti = tsub.add_parser("import", help="导入填好的报送模板（文件或目录）")
    ti.add_argument("source")
    ti.set_defaults(func=cmd_template_import)

    p = sub.add_parser("packet", help="外勤数据包：导出到笔记本离线填报，带回后合并")
    ksub = p.add_subparsers(dest="kind", required=True)
    k = ksub.add_parser("export", help="导出外勤数据包（.duban）")
    k.add_argument("file", help="输出文件，例如 外勤-发改委.duban")
    k.add_argument("--period", help="报送期间 YYYY-MM（默认：台账设置中的当前期间）")
    k.add_argument("--unit", action="append", help="只含该单位的任务（可多次给出，可用简称）")
    k.add_argument("--annex", action="append", type=int, help="只含该附件的任务（附件序号，可多次给出）")
    k.add_argument("--months", type=int, default=12, help="带上的历史月数（默认 12）")
    k.set_defaults(func=cmd_packet_export)
    k = ksub.add_parser("merge", help="合并带回的外勤数据包（有冲突时退出码为 1，冲突保持待处理）")
    k.add_argument("file")
    k.add_argument("--report", help="同时写出可打印的合并报告 PDF")
    k.add_argument("--allow-deletes", action="store_true", help="允许数据包删除台账中的进展（不加时，会删除进展的数据包不合并，并列出将删除的进展）")
    k.set_defaults(func=cmd_packet_merge)
    k = ksub.add_parser("conflicts", help="列出待处理的合并冲突")
    k.add_argument("--json", action="store_true")
    k.set_defaults(func=cmd_packet_conflicts)
    k = ksub.add_parser("resolve", help="处理一项合并冲突")
    k.add_argument("id", type=int, help="冲突编号（见 duban packet conflicts）")
    k.add_argument("--take", choices=("ledger", "packet"), required=True, help="ledger：采用台账中的版本；packet：采用数据包中的版本")
    k.set_defaults(func=cmd_packet_resolve)

    p = sub.add_parser("backup", help="把台账备份到一个文件（用 SQLite 备份接口，并检查备份完整；服务器台账用 pg_dump）")
    p.add_argument("file", help="备份文件路径")
    p.add_argument("--logical", action="store_true", help="服务器台账：不用 pg_dump，逐行导出为一个台账文件")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="用备份文件恢复台账（先检查备份，并把当前台账另存到备份文件夹；服务器台账只恢复到空数据库：pg_dump 备份用 pg_restore，台账文件按 server import 迁入）")
    p.add_argument("file", help="备份文件路径")
    p.add_argument("--force", action="store_true", help="即使它是另一本台账的备份或外勤数据包，也用它替换当前台账")
    p.set_defaults(func=cmd_restore)

    add_act_commands(sub)
    add_server_commands(sub)
    add_indicator_commands(sub)
    add_link_commands(sub)
    add_assess_commands(sub)

    p = sub.add_parser("gui", help="打开督办台账窗口（默认）")
    p.add_argument("--screenshot", help="渲染主窗口保存为 PNG 后退出")
    p.add_argument("--view", choices=SCREENSHOT_VIEWS, default="annexes", help="截图时显示的视图")
    p.add_argument("--select", help="截图时选中的任务编号，例如 A03-04（--view indicators 时为指标编号，例如 ZB03-02；--view assessment 时为单位名称）")
    p.set_defaults(func=cmd_gui)
    return parser


def _percent(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"进度“{value}”无效，应为 0 到 100 之间的整数。") from None


def _report_version(value: str) -> int:
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    raise argparse.ArgumentTypeError(f"版本号“{value[:20]}”无效，应为 0 或正整数。")


class _VersionAction(argparse.Action):
    """--version, with the installed version looked up only when asked (importlib.metadata costs start-up time)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog} {_version()}")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("duban")
    except PackageNotFoundError:
        return "dev"


def _ensure_std_streams() -> None:
    """The windowed build (PyInstaller console=False) has no stdout/stderr; every print would crash it.

    A file name that is not valid UTF-8 (kept by Python as surrogates) is printed escaped, not a crash.
    """
    if sys.stdout is None or sys.stderr is None:
        devnull = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
        sys.stdout = sys.stdout or devnull
        sys.stderr = sys.stderr or devnull
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")


def _log_start(args, argv: list[str] | None) -> None:
    """One line per run: which duban, which Python, which ledger, which command."""
    import platform

    from db.engine import default_ledger_path
    from db.pg_engine import redact

    ledger = redact(args.db) if args.db else default_ledger_path()  # a server URL without its password
    log.info("duban %s 启动（Python %s，%s），台账：%s", _version(), platform.python_version(), platform.platform(), ledger)
    log.info("命令：%s", redact(" ".join(sys.argv[1:] if argv is None else argv)) or args.command)


def _shown_db(db: str | None) -> str | None:
    """--db as a message may name it: a server URL without its password."""
    from db.pg_engine import display_name, is_server_url

    return display_name(db) if is_server_url(db) else db


def _log_unraisable(unraisable) -> None:
    log.warning("清理时出错（已忽略）：%s", shown(unraisable.exc_value), exc_info=(unraisable.exc_type, unraisable.exc_value, unraisable.exc_traceback))


def main(argv: list[str] | None = None) -> int:
    _ensure_std_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "gui"])
    setup_logging()
    # A library's half-closed file failing again in __del__ (openpyxl's temp files on a full disk) goes to the log,
    # not as a traceback under the Chinese message.
    sys.unraisablehook = _log_unraisable
    _log_start(args, argv)
    try:
        return args.func(args)
    except UserError as exc:
        log.warning("用户错误：%s", shown(exc))
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the output went to a pipe that closed early (duban tasks | head): nothing to report
        sys.stdout = open(os.devnull, "w")
        return 0
    except KeyboardInterrupt:
        log.warning("已按 Ctrl+C 中断")
        print("已中断。", file=sys.stderr)
        return 130
    except Exception as exc:
        known = known_error(exc, _opened[-1].label if _opened else _shown_db(args.db) or "台账")
        if known is not None:  # disk full, read-only, no permission, locked, I/O error: the clerk can act on it
            log.warning("读写错误：%s", shown(exc), exc_info=True)
            print(f"错误：{known}", file=sys.stderr)
            return 2
        if isinstance(exc, OSError):
            log.warning("文件读写错误：%s", shown(exc), exc_info=True)
            what = f"无法读写文件 {shown(exc.filename)}" if exc.filename else "读写失败"
            print(f"错误：{what}：{exc.strerror or exc}", file=sys.stderr)
            return 2
        # A bug: the person gets one Chinese sentence and the log's path; the traceback goes to the log only.
        log.exception("意外错误（命令 %s）", args.command)
        print(f"错误：出现了意外错误，命令未完成；此前已保存的台账数据不受影响。{log_location_text()}", file=sys.stderr)
        return 3
    finally:
        while _opened:
            _opened.pop().close()


if __name__ == "__main__":
    sys.exit(main())
