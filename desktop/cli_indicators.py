"""The command line of indicators: `duban indicators list|report|correct`."""

from __future__ import annotations

import argparse
import sys

from db.errors import UserError


def add_indicator_commands(sub: argparse._SubParsersAction) -> None:
    """Register `indicators` and its subcommands."""
    p = sub.add_parser("indicators", help="指标：列出计划中的指标、填报月度实际值、更正提取结果")
    isub = p.add_subparsers(dest="indicators_command", required=True)
    p = isub.add_parser("list", help="列出指标（附件、编号、名称、单位、方向、现状、阶段目标、前沿水平、责任单位、原文行号）")
    p.add_argument("--json", action="store_true")
    p.add_argument("--annex", type=int, help="附件序号")
    p.add_argument("--plan", type=int, help="计划编号（默认当前计划）")
    p.add_argument("--period", help="同时给出该月（YYYY-MM）的应达目标、最新实际值和达标情况")
    p.set_defaults(func=cmd_indicators_list)
    p = isub.add_parser("report", help="填报一项指标某月的实际值")
    p.add_argument("--indicator", required=True, help="指标编号，如 ZB03-02")
    p.add_argument("--unit", required=True, help="填报单位（名称或别名）")
    p.add_argument("--period", required=True, help="月份 YYYY-MM")
    p.add_argument("--value", required=True, help="实际值，照填原样，如“25个工作日”“≤20”“96%%”")
    p.add_argument("--note", help="说明")
    p.add_argument("--plan", type=int, help="计划编号（默认当前计划）")
    p.set_defaults(func=cmd_indicators_report)
    p = isub.add_parser("correct", help="更正一项指标的提取结果（印发原文保留）")
    p.add_argument("code", help="指标编号，如 ZB03-02")
    p.add_argument("--name")
    p.add_argument("--unit", dest="measure_unit", help="计量单位，如 个、工作日、%%")
    p.add_argument("--direction", choices=["越低越好", "越高越好"])
    p.add_argument("--baseline")
    p.add_argument("--frontier")
    p.add_argument("--target", action="append", metavar="YYYY-MM=文字", help="阶段目标，可重复；给出时替换全部阶段目标")
    p.add_argument("--reason", required=True, help="更正原因")
    p.add_argument("--plan", type=int, help="计划编号（默认当前计划）")
    p.set_defaults(func=cmd_indicators_correct)


def cmd_indicators_list(args) -> int:
    from db.indicator_actuals import indicator_standing
    from db.indicators import list_indicators
    from db.ledger import resolve_plan_id
    from db.periods import check_period
    from desktop.cli import _open, _print_json

    ledger = _open(args)
    with ledger.Session() as session:
        plan_id = resolve_plan_id(session, args.plan)
        views = list_indicators(session, plan_id, annex=args.annex)
        standing = {s.code: s for s in indicator_standing(session, plan_id, check_period(args.period), annex=args.annex)} if args.period else {}
    if args.json:
        rows = []
        for v in views:
            row = v.to_json()
            if args.period:
                s = standing[v.code]
                row["standing"] = {
                    "period": args.period,
                    "target_period": s.target_period,
                    "target": s.target_text,
                    "actual": s.actual.value_text if s.actual else None,
                    "actual_value": s.actual.value if s.actual else None,
                    "standing": s.standing.value,
                }
            rows.append(row)
        _print_json(rows)
        return 0
    for v in views:
        targets = "；".join(f"{t['period']} {_short(t['text'])}" for t in v.targets) or "—"
        line = f"{v.code}\t附件{v.annex}\t{_short(v.name, 40)}\t{v.measure_unit or '—'}\t{v.direction}\t现状 {_short(v.baseline)}\t目标 {targets}\t前沿 {_short(v.frontier)}\t{'、'.join(v.units) or '—'}\t第{v.source_line}行"
        if args.period:
            s = standing[v.code]
            line += f"\t{args.period}：{s.standing.value}（实际 {s.actual.value_text if s.actual else '—'}）"
        print(line)
    print(f"共 {len(views)} 项指标。", file=sys.stderr)
    return 0


def _short(text: str | None, width: int = 20) -> str:
    if not text:
        return "—"
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_indicators_report(args) -> int:
    from db.indicator_actuals import report_actual
    from db.indicators import find_indicator
    from db.ledger import find_unit, resolve_plan_id
    from desktop.cli import _open

    ledger = _open(args)
    with ledger.Session.begin() as session:
        indicator = find_indicator(session, resolve_plan_id(session, args.plan), args.indicator)
        unit = find_unit(session, args.unit)
        changed = report_actual(session, indicator, unit, args.period, args.value, note=args.note, operator=args.operator)
        code, name = indicator.code, unit.name
    print(f"已保存 {code} {name} {args.period} 的实际值：{args.value.strip()}" if changed else f"{code} {name} {args.period} 的实际值未变。")
    return 0


def cmd_indicators_correct(args) -> int:
    from db.indicators import IndicatorFix, correct_indicator, find_indicator
    from db.ledger import resolve_plan_id
    from desktop.cli import _open

    targets = None
    if args.target:
        targets = {}
        for item in args.target:
            period, sep, text = item.partition("=")
            if not sep:
                raise UserError(f"阶段目标“{item}”格式不正确，应为“YYYY-MM=文字”，例如 2022-12=25。")
            targets[period.strip()] = text
    fix = IndicatorFix(
        reason=args.reason, name=args.name, measure_unit=args.measure_unit, direction=args.direction,
        baseline_text=args.baseline, frontier_text=args.frontier, targets=targets,
    )
    ledger = _open(args)
    with ledger.Session.begin() as session:
        indicator = find_indicator(session, resolve_plan_id(session, args.plan), args.code)
        changed = correct_indicator(session, indicator, fix, args.operator or "")
        code = indicator.code
    print(f"已更正指标 {code}（印发原文保留）。" if changed else f"指标 {code} 没有变化。")
    return 0
