"""The command line of 附件1's links: `duban links suggest|list|confirm|reject|add|progress`."""

from __future__ import annotations

import argparse

from db.vocabulary import LinkStatus


def add_link_commands(sub: argparse._SubParsersAction) -> None:
    """Register `links`: suggest links from 附件1's measures to special-annex tasks, list, decide and add them."""
    p = sub.add_parser("links", help="附件1（总体方案）措施与专项方案任务的关联：生成建议、确认、否决、手工添加、按关联任务查看进展")
    links = p.add_subparsers(dest="links_command", required=True)
    s = links.add_parser("suggest", help="按文字相似度为附件1各项措施建议关联的专项方案任务（已确认或否决的关联不变）")
    s.add_argument("--json", action="store_true", help="以 JSON 输出建议")
    s.set_defaults(func=cmd_links_suggest)
    s = links.add_parser("list", help="列出关联：编号、措施、任务、状态、相似度、共同词句")
    s.add_argument("--json", action="store_true")
    s.add_argument("--measure", help="只列该措施的关联，如 A01-28")
    s.add_argument("--status", choices=[x.value for x in LinkStatus], help="只列该状态的关联")
    s.set_defaults(func=cmd_links_list)
    for name, confirm, what in (("confirm", True, "确认关联（可给出多个编号）"), ("reject", False, "否决关联（可给出多个编号）")):
        s = links.add_parser(name, help=what)
        s.add_argument("ids", nargs="+", type=int, metavar="编号", help="关联编号（见 duban links list）")
        s.set_defaults(func=cmd_links_decide, confirm=confirm)
    s = links.add_parser("add", help="手工添加一条已确认的关联")
    s.add_argument("measure", help="附件1措施编号，如 A01-06")
    s.add_argument("task", help="专项方案任务编号，如 A14-05.02")
    s.set_defaults(func=cmd_links_add)
    s = links.add_parser("progress", help="附件1各项措施按已确认关联任务的进展：是否完成、最晚时限、逾期任务")
    s.add_argument("--period", help="报送期间 YYYY-MM（默认：台账设置中的当前期间）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_links_progress)
    for parser in links.choices.values():
        parser.add_argument("--plan", type=int, help="计划编号（默认当前计划）")


def _line(view) -> str:
    score = f"{view.score:.2f}" if view.score is not None else "手工"
    return f"{view.id}\t{view.measure} {view.measure_title}\t→ {view.task} {view.task_title}\t{view.status}\t{score}\t{'、'.join(view.phrases)}"


def cmd_links_suggest(args) -> int:
    from db.measure_links import list_links, suggest_links
    from desktop.cli import _open, _print_json

    ledger = _open(args)
    with ledger.Session.begin() as session:
        result = suggest_links(session, args.plan, operator=args.operator)
        views = list_links(session, result.plan_id, status=LinkStatus.SUGGESTED)
        shown = [v.to_json() for v in views]
    if args.json:
        _print_json(shown)
        return 0
    print(
        f"附件1共 {result.measures} 项措施，{result.with_suggestions} 项有建议：新增建议 {result.added} 条，更新 {result.updated} 条，"
        f"撤下 {result.dropped} 条；已确认或否决的 {result.kept_decided} 条保持不变。"
    )
    print("用 duban links list --status 建议 查看，duban links confirm/reject 编号 确认或否决。")
    return 0


def cmd_links_list(args) -> int:
    from db.measure_links import list_links
    from desktop.cli import _open, _print_json

    ledger = _open(args)
    with ledger.Session() as session:
        views = list_links(session, args.plan, measure=args.measure, status=args.status)
    if args.json:
        _print_json([v.to_json() for v in views])
    else:
        for view in views:
            print(_line(view))
    return 0


def cmd_links_decide(args) -> int:
    from db.audit import default_operator
    from db.measure_links import decide_link
    from desktop.cli import _open

    ledger = _open(args)
    with ledger.Session.begin() as session:  # all the ids or none
        views = [decide_link(session, link_id, args.confirm, args.operator or default_operator()) for link_id in args.ids]
        said = [_line(v) for v in views]
    print(("已确认" if args.confirm else "已否决") + f" {len(said)} 条关联：")
    print("\n".join(said))
    return 0


def cmd_links_add(args) -> int:
    from db.audit import default_operator
    from db.measure_links import add_link
    from desktop.cli import _open

    ledger = _open(args)
    with ledger.Session.begin() as session:
        said = _line(add_link(session, args.measure, args.task, args.operator or default_operator(), plan_id=args.plan))
    print("已添加并确认关联：" + said)
    return 0


def cmd_links_progress(args) -> int:
    from db.measure_links import measure_summary
    from desktop.cli import _current_period, _open, _print_json

    ledger = _open(args)
    period = _current_period(ledger, args.period)
    with ledger.Session() as session:
        summary = measure_summary(session, args.plan, period)
    if args.json:
        _print_json({"period": period, "measures": [m.to_json() for m in summary.measures]})
        return 0
    print(f"{period}：附件1共 {summary.total} 项措施，{len(summary.linked)} 项已确认关联任务，其中 {len(summary.done)} 项已完成。")
    for m in summary.linked:
        state = "已完成" if m.done else ("有逾期任务" if m.overdue_tasks else "推进中")
        tasks = "、".join(f"{t.code}（{t.status}）" for t in m.tasks)
        print(f"{m.code}\t{m.title}\t{state}\t时限 {m.deadline.isoformat() if m.deadline else '—'}\t{tasks}")
    return 0
