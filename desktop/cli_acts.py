"""The command line of the office's supervisory acts: `duban acts …` and `duban recheck …` (回头看)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

KIND_HELP = "约谈、通报批评、表扬、专项督查、自查评估（回头看用 duban recheck draw）"


def add_act_commands(sub: argparse._SubParsersAction) -> None:
    """Register `acts` (add, list, result) and `recheck` (draw, record)."""
    p = sub.add_parser("acts", help="督查督办事项：约谈、通报批评、表扬、专项督查、回头看、自查评估")
    acts = p.add_subparsers(dest="acts_command", required=True)
    a = acts.add_parser("add", help="记录一项督查督办事项")
    a.add_argument("--kind", required=True, help=KIND_HELP)
    a.add_argument("--date", required=True, type=_date, help="日期 YYYY-MM-DD")
    a.add_argument("--unit", action="append", default=[], help="涉及的单位（可多次给出，可用简称）")
    a.add_argument("--task", action="append", default=[], help="涉及的任务编号（可多次给出）")
    a.add_argument("--basis", required=True, help="依据（事由）")
    a.add_argument("--follow-up", help="整改或跟进要求")
    a.add_argument("--result", help="结果（也可以以后用 duban acts result 填写）")
    a.add_argument("--in-circular", action="store_true", help="在月度通报中列出")
    a.add_argument("--evidence", action="append", default=[], help="证明材料文件（每个不超过 20 MB，存入台账；可多次给出）")
    _plan_option(a)
    a.set_defaults(func=cmd_acts_add)
    a = acts.add_parser("list", help="列出督查督办事项")
    a.add_argument("--json", action="store_true")
    a.add_argument("--unit", help="涉及该单位或其任务的事项")
    a.add_argument("--task", help="涉及该任务的事项")
    a.add_argument("--kind", help=KIND_HELP.split("（")[0] + "、回头看")
    a.add_argument("--period", help="日期在该月 YYYY-MM 的事项")
    _plan_option(a)
    a.set_defaults(func=cmd_acts_list)
    a = acts.add_parser("result", help="填写或更正一项事项的结果")
    a.add_argument("id", type=int, help="事项编号（见 duban acts list）")
    a.add_argument("--result", required=True)
    a.set_defaults(func=cmd_acts_result)

    p = sub.add_parser("recheck", help="回头看：从已销号任务中抽取复核，记录复核结果（未通过的撤销销号、重新办理）")
    recheck = p.add_subparsers(dest="recheck_command", required=True)
    r = recheck.add_parser("draw", help="抽取回头看任务：按销号日期、附件、单位，最近销号的N项，或按随机种子随机抽取")
    r.add_argument("--date", required=True, type=_date, help="回头看日期 YYYY-MM-DD（只抽取此前已销号的任务）")
    r.add_argument("--basis", required=True, help="依据（事由）")
    r.add_argument("--follow-up", help="整改或跟进要求")
    r.add_argument("--from", dest="signed_from", type=_date, help="销号日期不早于 YYYY-MM-DD")
    r.add_argument("--to", dest="signed_to", type=_date, help="销号日期不晚于 YYYY-MM-DD")
    r.add_argument("--annex", type=int, help="只抽取该附件的任务")
    r.add_argument("--unit", help="只抽取该单位负责的任务")
    r.add_argument("--recent", type=int, help="抽取最近销号的N项")
    r.add_argument("--size", type=int, help="随机抽取的项数")
    r.add_argument("--seed", type=int, help="随机种子（相同种子、相同候选任务抽取结果相同；不给出时自动生成并记录）")
    r.add_argument("--in-circular", action="store_true", help="在月度通报中列出")
    _plan_option(r)
    r.set_defaults(func=cmd_recheck_draw)
    r = recheck.add_parser("record", help="记录一项任务的复核结果")
    r.add_argument("act_id", type=int, help="回头看编号（见 duban acts list --kind 回头看）")
    r.add_argument("--task", required=True, help="任务编号")
    r.add_argument("--outcome", required=True, choices=("通过", "未通过"))
    r.add_argument("--note", help="复核说明（未通过时必填：原因）")
    r.add_argument("--date", type=_date, help="复核日期 YYYY-MM-DD（默认今天）")
    r.set_defaults(func=cmd_recheck_record)


def _plan_option(p) -> None:
    p.add_argument("--plan", type=int, help="计划编号（默认当前计划）")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期“{text[:20]}”格式不正确，应为 YYYY-MM-DD。") from None


def _operator(args) -> str:
    from db.audit import default_operator

    return args.operator or default_operator()


def _act_line(act) -> str:
    targets = "、".join(act.units + act.tasks)
    result = act.result or ("—" if not act.rechecks else "；".join(f"{r.task} {r.outcome}" for r in act.rechecks))
    mark = "（通报）" if act.in_circular else ""
    return f"{act.id}\t{act.act_date.isoformat()}\t{act.kind}{mark}\t{targets}\t{act.basis}\t结果：{result}"


def cmd_acts_add(args) -> int:
    from db.acts import ActInput, record_act
    from db.ledger import resolve_plan_id
    from desktop.cli import _open

    data = ActInput(
        kind=args.kind, act_date=args.date, basis=args.basis, units=args.unit, tasks=args.task, follow_up=args.follow_up,
        result=args.result, in_circular=args.in_circular, evidence=args.evidence,
    )
    with _open(args).Session.begin() as session:
        act = record_act(session, resolve_plan_id(session, args.plan), data, operator=_operator(args))
    print(f"已记录{act.kind}（编号 {act.id}）：{'、'.join(act.units + act.tasks)}" + (f"；证明材料 {len(act.evidence)} 个" if act.evidence else ""))
    return 0


def cmd_acts_list(args) -> int:
    from db.acts import list_acts
    from db.ledger import resolve_plan_id
    from desktop.cli import _open, _print_json

    with _open(args).Session() as session:
        acts = list_acts(session, resolve_plan_id(session, args.plan), unit=args.unit, task=args.task, kind=args.kind, period=args.period)
    if args.json:
        _print_json([a.to_json() for a in acts])
        return 0
    for act in acts:
        print(_act_line(act))
    return 0


def cmd_acts_result(args) -> int:
    from db.acts import update_act_result
    from desktop.cli import _open

    with _open(args).Session.begin() as session:
        act = update_act_result(session, args.id, args.result, operator=_operator(args))
    print(f"已填写{act.kind}（编号 {act.id}）的结果：{act.result}")
    return 0


def cmd_recheck_draw(args) -> int:
    from db.ledger import resolve_plan_id
    from db.recheck import RecheckRule, draw_recheck
    from desktop.cli import _open

    rule = RecheckRule(
        signed_from=args.signed_from, signed_to=args.signed_to, annex=args.annex, unit=args.unit, recent=args.recent, size=args.size, seed=args.seed
    )
    with _open(args).Session.begin() as session:
        act = draw_recheck(
            session, resolve_plan_id(session, args.plan), act_date=args.date, basis=args.basis, rule=rule, operator=_operator(args),
            follow_up=args.follow_up, in_circular=args.in_circular,
        )
    print(f"已抽取回头看（编号 {act.id}）：{act.sample_rule}。")
    for item in act.rechecks:
        print(f"{item.task}\t{item.title}\t销号 {item.signed_on.isoformat()}\t{item.outcome}")
    if act.seed is not None:
        print(f"随机种子 {act.seed} 已记录：相同种子、相同候选任务可重现本次抽取。", file=sys.stderr)
    return 0


def cmd_recheck_record(args) -> int:
    from db.recheck import record_recheck
    from desktop.cli import _open

    with _open(args).Session.begin() as session:
        item = record_recheck(
            session, args.act_id, args.task, args.outcome, checked_on=args.date or dt.date.today(), operator=_operator(args), note=args.note
        )
    print(f"任务 {item.task} 回头看复核{item.outcome}。")
    if item.revoked_sign_off:
        print(f"已撤销其 {item.revoked_sign_off['signed_on']} 的办结销号，任务重新计为未办结；原销号记录保留在任务详情和审计日志中。")
    return 0
