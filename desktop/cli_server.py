"""The command line of a server ledger: `duban --db URL server …` and `duban --db URL user …`.

Kept apart from desktop/cli.py, which serves both engines; these commands need a PostgreSQL ledger.
"""

from __future__ import annotations

import argparse


def add_server_commands(sub: argparse._SubParsersAction) -> None:
    """Register `server` (set up and fill a server ledger) and `user` (its logins)."""
    p = sub.add_parser("server", help="服务器台账（PostgreSQL）：建立、升级、迁入单机台账")
    p.add_subparsers(dest="server_command", required=True)
    p = sub.add_parser("user", help="服务器台账的登录账号：新增、列出、停用")
    p.add_subparsers(dest="user_command", required=True)
