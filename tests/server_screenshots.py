"""Images of the window on a server ledger for the docs: docs/img/server-dialog-WxH.png and server-unit-WxH.png.

Starts a throwaway PostgreSQL (tests/pg_server.py; needs the postgresql package), builds a ledger with a demo
half-year of reports, makes a unit login for 市发展改革委, and renders offscreen at 1366×768 and 1280×720:
  server-dialog-*.png  打开服务器台账… after a wrong password (the refusal under the fields)
  server-unit-*.png    the window as that unit login: its own tasks, the batch-grid bar above the table
Usage: PYTHONPATH=. python tests/server_screenshots.py   (beside the tests: it drives the window and starts
tests/pg_server.py's throwaway server, so it lives where Qt and that server are already at home)
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
SIZES = ("1366x768", "1280x720")
UNIT = "市发展改革委"


def _one(size: str) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from sqlalchemy.engine import make_url

    from db.demo import fill_demo, year_entries
    from db.engine import open_ledger
    from db.ledger import init_from_bundled_plan
    from db.settings import load_settings, save_settings
    from desktop.app import CJK_FONTS, _install_qt_translations
    from desktop.main_window import MainWindow
    from desktop.ops import runner
    from desktop.server_dialog import ServerConnection, ServerDialog, remember_connection
    from tests.pg_server import running_cluster

    app = QApplication.instance() or QApplication([])
    from PySide6.QtGui import QFont

    app.setFont(QFont(CJK_FONTS, 10))
    _install_qt_translations(app)  # 取消, as the window has it

    def settle() -> None:
        while runner().busy:
            app.processEvents()
        for _ in range(5):
            app.processEvents()

    with running_cluster() as cluster:
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=cluster.port, user=cluster.user, password=cluster.password, dbname="postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE duban")  # the name docs/server.md suggests
        url = cluster.url("duban")
        ledger = open_ledger(url)
        init_from_bundled_plan(ledger, operator="办公室")
        with ledger.Session.begin() as session:
            fill_demo(session, entries=year_entries(session), seed=1, last_period="2022-06", today=dt.date(2022, 7, 8))
            settings = load_settings(session)
            settings.current_period = "2022-06"  # the month the demo reported last, as an office in early July
            save_settings(session, settings, operator="办公室")
        ledger.close()
        login, password = "fgw_zhang", uuid.uuid4().hex
        with psycopg.connect(host="127.0.0.1", port=cluster.port, user=cluster.user, password=cluster.password, dbname=make_url(url).database, autocommit=True) as conn:
            for group in ("duban_office", "duban_unit", "duban_reader"):
                conn.execute(f"CREATE ROLE {group} NOLOGIN")
            conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO duban_unit")
            conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}' IN ROLE duban_unit")
            conn.execute("INSERT INTO account_unit (login, unit_id) SELECT %s, id FROM unit WHERE name = %s", (login, UNIT))
        prefs = QSettings(str(Path(tempfile.mkdtemp()) / "prefs.ini"), QSettings.Format.IniFormat)
        remember_connection(prefs, ServerConnection("192.168.10.20", 5432, "duban", "office_li"))
        remember_connection(prefs, ServerConnection("127.0.0.1", cluster.port, make_url(url).database, login))

        dialog = ServerDialog(prefs)
        dialog.show()
        dialog.password.setText("not-the-password")
        dialog.connect_to_server()
        settle()
        dialog.grab().save(str(OUT / f"server-dialog-{size}.png"))
        dialog.password.setText(password)
        dialog.connect_to_server()
        settle()
        assert dialog.ledger is not None, dialog.error.text()
        window = MainWindow(dialog.ledger, prefs)
        window.show()
        window.start_loading()
        settle()
        window.table.selectRow(2)
        settle()
        window.grab().save(str(OUT / f"server-unit-{size}.png"))
        window.poll_timer.stop()
        window.ledger.close()


def main() -> int:
    if len(sys.argv) > 1:
        _one(sys.argv[1])
        return 0
    for size in SIZES:  # one process per size: Qt's screen is fixed when the application starts
        screen = ROOT / "tests" / "data" / f"screen-{size}.json"
        env = os.environ | {"QT_QPA_PLATFORM": f"offscreen:configfile={screen}", "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, __file__, size], cwd=ROOT, env=env, check=True)
        print(f"docs/img/server-dialog-{size}.png, docs/img/server-unit-{size}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
