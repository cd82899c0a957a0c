"""The command line of a server ledger: `duban --db URL server …` and `duban --db URL user …`.

Kept apart from desktop/cli.py, which serves both engines; these commands need a PostgreSQL ledger.
"""

from __future__ import annotations

import argparse
import sys

from db.errors import UserError


def add_server_commands(sub: argparse._SubParsersAction) -> None:
    """Register `server` (set up and fill a server ledger) and `user` (its logins)."""
    p = sub.add_parser("server", help="服务器台账（PostgreSQL）：建立、升级、迁入单机台账")
    server = p.add_subparsers(dest="server_command", required=True)
    _add_server_init(server)
    add_server_import(server)
    p = sub.add_parser("user", help="服务器台账的登录账号：新增、列出、停用")
    user = p.add_subparsers(dest="user_command", required=True)
    _add_user_commands(user)


def _server_ledger(args):
    from desktop.cli import _open

    _server_url(args)
    return _open(args)


def _server_url(args) -> str:
    from db.pg_engine import is_server_url

    if not is_server_url(args.db):
        raise UserError(f"duban {args.command} 只用于服务器台账：请用 --db postgresql://登录名@主机:端口/数据库 指定。")
    return args.db


# --- server init ------------------------------------------------------------------------------------------


def _add_server_init(server: argparse._SubParsersAction) -> None:
    p = server.add_parser("init", help="由数据库所有者运行：建立或升级数据结构、角色组、权限和行级安全策略，并导入内置计划（若还没有计划）")
    p.set_defaults(func=cmd_server_init)


def cmd_server_init(args) -> int:
    from db.server_access import init_server

    ledger = _server_ledger(args)
    result = init_server(ledger, operator=args.operator)
    made = f"新建角色组 {'、'.join(result.roles_created)}" if result.roles_created else "角色组已存在"
    print(f"服务器台账 {ledger.label} 已初始化：{made}；已为 {len(result.tables)} 张数据表设置权限和行级安全策略。")
    if result.plan_loaded:
        print(f"已导入内置计划：{result.tasks} 项任务。")
    if result.unknown_tables:
        print("以下数据表不属于本程序，已收回其公共权限，未授予任何角色组：" + "、".join(result.unknown_tables), file=sys.stderr)
    print("升级督办台账程序后，请由数据库所有者再运行一次 server init（或用所有者登录打开一次台账）。")
    return 0


# --- user add / list / disable / enable -------------------------------------------------------------------


def _add_user_commands(user: argparse._SubParsersAction) -> None:
    from db.vocabulary import AccountRole

    roles = ", ".join(f"{r.value}={r.label}" for r in AccountRole)
    p = user.add_parser("add", help="新增登录账号（数据库登录角色）；密码从标准输入读取或在终端输入，不回显、不保存")
    p.add_argument("login", help="登录名：小写英文字母、数字、下划线")
    p.add_argument("--role", required=True, choices=[r.value for r in AccountRole], help=f"角色：{roles}")
    p.add_argument("--unit", action="append", default=[], metavar="单位", help="责任单位登录所填报的单位（名称或别名，可多次给出）")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    p.set_defaults(func=cmd_user_add)
    p = user.add_parser("list", help="列出登录账号：登录名、角色、单位、是否停用")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_user_list)
    for name, what in (("disable", "停用登录账号（不能再登录，记录保留）"), ("enable", "重新启用已停用的登录账号")):
        p = user.add_parser(name, help=what)
        p.add_argument("login")
        p.set_defaults(func=cmd_user_enable, enable=name == "enable")


def _read_password(args) -> str:
    """From stdin's first line, or typed twice at the terminal without echo; never logged, never stored."""
    if args.password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    import getpass

    if not sys.stdin.isatty():
        raise UserError("没有终端可输入密码：请用 --password-stdin 从标准输入提供密码。")
    first = getpass.getpass(f"登录 {args.login} 的密码：")
    if getpass.getpass("再输入一次：") != first:
        raise UserError("两次输入的密码不一致，登录未创建。")
    return first


def cmd_user_add(args) -> int:
    from db.server_access import add_login, check_login_name
    from db.vocabulary import AccountRole

    check_login_name(args.login)
    ledger = _server_ledger(args)
    password = _read_password(args)
    made = add_login(ledger, args.login, AccountRole(args.role), args.unit, password, operator=args.operator)
    units = f"，单位：{'、'.join(made.units)}" if made.units else ""
    print(f"已创建登录 {made.login}（{made.role.label}{units}）。")
    return 0


def cmd_user_list(args) -> int:
    from db.server_access import list_logins
    from desktop.cli import _print_json

    logins = list_logins(_server_ledger(args))
    if args.json:
        _print_json([item.to_json() for item in logins])
    else:
        for item in logins:
            state = "（已停用）" if item.disabled else ""
            print(f"{item.login}\t{item.role.value}\t{item.role.label}{state}\t{'、'.join(item.units) or '—'}")
    return 0


def cmd_user_enable(args) -> int:
    from db.server_access import set_login_enabled

    item = set_login_enabled(_server_ledger(args), args.login, args.enable, operator=args.operator)
    print(f"已{'启用' if args.enable else '停用'}登录 {item.login}（{item.role.label}）。")
    return 0


# --- server import --------------------------------------------------------------------------------


def add_server_import(server: argparse._SubParsersAction) -> None:
    p = server.add_parser("import", help="把一个单机台账文件（含全部进展、决定、证明材料和审计日志）迁入空的服务器台账")
    p.add_argument("file", help="单机台账文件（只读打开，不作改动）")
    p.set_defaults(func=cmd_server_import)


def cmd_server_import(args) -> int:
    from db.server_transfer import import_ledger_file
    from desktop.cli import open_ledger_asking

    ledger = open_ledger_asking(_server_url(args))  # an empty database gets this program's schema first
    try:
        result = import_ledger_file(ledger, args.file, operator=args.operator)
    finally:
        ledger.close()
    print("\n".join(result.lines()))
    return 0


# --- backup and restore of a server ledger (called by cmd_backup / cmd_restore for a server URL) ---


def backup_server_ledger(args) -> int:
    from db.server_transfer import backup_server
    from desktop.cli import open_ledger_asking

    ledger = open_ledger_asking(_server_url(args), read_only=True)
    try:
        made = backup_server(ledger, args.file, logical=getattr(args, "logical", False))
    finally:
        ledger.close()
    if made.method == "pg_dump":
        print(f"已用 pg_dump 将服务器台账 {ledger.label} 备份到 {made.path}（恢复：duban --db 新建的空数据库 restore {made.path}）。")
    else:
        rows = sum(made.counts.values())
        print(f"已将服务器台账 {ledger.label} 逐行导出到台账文件 {made.path}（{rows} 行，同一快照；未使用 pg_dump）。")
    return 0


def restore_server_ledger(args) -> int:
    from db.pg_engine import display_name, sqlalchemy_url
    from db.server_transfer import restore_server

    url = _server_url(args)
    method = restore_server(url, args.file, operator=args.operator)
    how = "pg_restore" if method == "pg_restore" else "迁入台账文件（server import）"
    print(f"已用 {args.file} 恢复服务器台账 {display_name(sqlalchemy_url(url))}（{how}）。")
    return 0
