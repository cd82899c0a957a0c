"""The command line of the monthly 综合考评: `duban assess --period P` and `duban assess scheme [--set FILE.json]`.

The office's first look at a month past its 报送截止日 stores it, so the 通报 and later looks read the same
figures until `--recompute`; a month still being reported, or a login that may not store it, sees the month
worked out now, marked so.
"""

from __future__ import annotations

import argparse
import sys


def add_assess_commands(sub: argparse._SubParsersAction) -> None:
    """Register `assess` (a month's scores) and `assess scheme` (the plan's scheme: show or replace)."""
    p = sub.add_parser("assess", help="综合考评：各责任单位本月得分、各项构成和排名（报送截止日过后首次查看时计算并保存）")
    p.add_argument("--period", help="考评期间 YYYY-MM（默认：台账设置中的当前期间）")
    p.add_argument("--plan", type=int, help="计划编号（默认当前计划）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.add_argument("--recompute", action="store_true", help="按现行考评方案重新计算并保存该月结果（替换此前保存的结果）")
    p.set_defaults(func=cmd_assess)
    asub = p.add_subparsers(dest="assess_command")
    s = asub.add_parser("scheme", help="考评方案：显示现行方案，或用 JSON 文件保存新版本")
    s.add_argument("--set", dest="scheme_file", metavar="FILE.json", help="保存该文件中的方案为新版本（先整体检查，有误则不保存）")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    s.set_defaults(func=cmd_assess_scheme)


def cmd_assess(args) -> int:
    from db.assessment import assess_month, month_assessment, settled_month
    from db.ledger import resolve_plan_id
    from desktop.cli import _current_period, _open, _print_json

    ledger = _open(args)
    period = _current_period(ledger, args.period)
    with ledger.Session.begin() as session:
        plan_id = resolve_plan_id(session, args.plan)
        if args.recompute:
            month = assess_month(session, plan_id, period, args.operator)
        elif ledger.read_only:
            month = month_assessment(session, plan_id, period)
        else:
            month = settled_month(session, plan_id, period, args.operator)
    if args.json:
        _print_json(month.to_json())
        return 0
    _print_month(month)
    return 0


def _print_month(month) -> None:
    from db.periods import chinese_period

    when = f"{month.computed_local.isoformat(sep=' ', timespec='minutes')} 由 {month.operator} 计算并保存" if month.stored else "按现行方案即时计算，未保存"
    print(f"{chinese_period(month.period)}综合考评（{month.scheme.describe()}，满分 {month.scheme.full_marks:g}；{when}）")
    labels = [c.label for c in month.scheme.components]
    print("\t".join(["名次", "单位", *labels, "总分"]))
    for unit in month.units:
        cells = ["不适用" if c.points is None else f"{c.points:g}" for c in unit.components]
        score = "—" if unit.score is None else f"{unit.score:g}"
        print("\t".join([str(unit.rank or "—"), unit.unit, *cells, score]))
    unscored = len(month.units) - len(month.ranked)
    if unscored:
        print(f"另有 {unscored} 个单位本期无可考评事项，不参加排名。", file=sys.stderr)


def cmd_assess_scheme(args) -> int:
    from db.assessment import current_scheme, read_scheme_file, save_scheme
    from db.ledger import resolve_plan_id
    from desktop.cli import _open, _print_json

    ledger = _open(args)
    if args.scheme_file:
        data = read_scheme_file(args.scheme_file)
        with ledger.Session.begin() as session:
            scheme = save_scheme(session, resolve_plan_id(session, args.plan), data, operator=args.operator)
        said = f"已保存考评方案{scheme.describe()}，此后计算的月份按此方案；已保存的月份不变，需要时用 duban assess --recompute 重新计算。"
    else:
        with ledger.Session() as session:
            scheme = current_scheme(session, resolve_plan_id(session, args.plan))
        said = None
    if args.json:
        _print_json(scheme.to_json())
    else:
        if said:
            print(said)
        print(f"现行考评方案：{scheme.describe()}，满分 {scheme.full_marks:g}")
        for component in scheme.components:
            print(f"{component.label}\t{component.rule_text()}")
    return 0
