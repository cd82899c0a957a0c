"""The command line of a server ledger: `duban --db URL server …` and `duban --db URL user …`.

Kept apart from desktop/cli.py, which serves both engines; these commands need a PostgreSQL ledger.
"""

from __future__ import annotations

import argparse


def add_server_commands(sub: argparse._SubParsersAction) -> None:
    """Register `server` (set up and fill a server ledger) and `user` (its logins)."""
    p = sub.add_parser("server", help="服务器台账（PostgreSQL）：建立、升级、迁入单机台账")
    server = p.add_subparsers(dest="server_command", required=True)
    add_server_import(server)
    p = sub.add_parser("user", help="服务器台账的登录账号：新增、列出、停用")
    p.add_subparsers(dest="user_command", required=True)


def _server_url(args) -> str:
    from db.errors import UserError
    from db.pg_engine import is_server_url

    if not is_server_url(args.db):
        raise UserError("该命令用于服务器台账：请用 --db postgresql://用户@主机:端口/数据库 指定服务器台账。")
    return args.db


# --- server import --------------------------------------------------------------------------------


def add_server_import(server: argparse._SubParsersAction) -> None:
    p = server.add_parser("import", help="把一个单机台账文件（含全部进展、决定、证明材料和审计日志）迁入空的服务器台账")
    p.add_argument("file", help="单机台账文件（只读打开，不作改动）")
    p.set_defaults(func=cmd_server_import)


def cmd_server_import(args) -> int:
    from db.engine import open_ledger
    from db.server_transfer import import_ledger_file

    ledger = open_ledger(_server_url(args))  # an empty database gets this program's schema first
    try:
        result = import_ledger_file(ledger, args.file, operator=args.operator)
    finally:
        ledger.close()
    print("\n".join(result.lines()))
    return 0


# --- backup and restore of a server ledger (called by cmd_backup / cmd_restore for a server URL) ---


def backup_server_ledger(args) -> int:
    from db.engine import open_ledger
    from db.server_transfer import backup_server

    ledger = open_ledger(_server_url(args), read_only=True)
    try:
        made = backup_server(ledger, args.file, logical=getattr(args, "logical", False))
    finally:
        ledger.close()
    if made.method == "pg_dump":
        print(f"已用 pg_dump 将服务器台账 {ledger.path} 备份到 {made.path}（恢复：duban --db 新建的空数据库 restore {made.path}）。")
    else:
        rows = sum(made.counts.values())
        print(f"已将服务器台账 {ledger.path} 逐行导出到台账文件 {made.path}（{rows} 行，同一快照；未使用 pg_dump）。")
    return 0


def restore_server_ledger(args) -> int:
    from db.pg_engine import display_name, sqlalchemy_url
    from db.server_transfer import restore_server

    url = _server_url(args)
    method = restore_server(url, args.file, operator=args.operator)
    how = "pg_restore" if method == "pg_restore" else "迁入台账文件（server import）"
    print(f"已用 {args.file} 恢复服务器台账 {display_name(sqlalchemy_url(url))}（{how}）。")
    return 0
