"""Shared fixtures: a ledger built from the bundled plan once per session, copied per test."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# GUI tests run offscreen on a 1366×768 screen, the office PCs' size, so every window is checked against it.
OFFICE_SCREEN = Path(__file__).parent / "data" / "screen-1366x768.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={OFFICE_SCREEN}"
# Tests log into a throwaway folder, not the developer's own duban log.
os.environ.setdefault("DUBAN_LOG_DIR", tempfile.mkdtemp(prefix="duban-test-logs-"))

from db.engine import open_ledger  # noqa: E402
from db.ledger import init_from_bundled_plan  # noqa: E402
from db.plan_text import read_plan_file  # noqa: E402
from resources import BUNDLED_PLAN  # noqa: E402

DATA = Path(__file__).parent / "data"
# DUBAN_TEST_ENGINE=postgresql: the `ledger` fixture (and run_cli) is a PostgreSQL database (tests/pg_server.py).
ON_SERVER = os.environ.get("DUBAN_TEST_ENGINE") == "postgresql"


def pytest_collection_modifyitems(config, items):
    """On a server ledger, tests about the SQLite file itself (marked sqlite_only) are skipped, with the reason."""
    if not ON_SERVER:
        return
    skip = pytest.mark.skip(reason="sqlite_only: about the ledger file itself; DUBAN_TEST_ENGINE=postgresql")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def bundled_draft():
    return read_plan_file(BUNDLED_PLAN)


@pytest.fixture(scope="session")
def initialised_ledger_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("ledger") / "ledger.sqlite"
    ledger = open_ledger(path)
    init_from_bundled_plan(ledger, operator="测试")
    ledger.close()
    return path


@pytest.fixture(scope="session")
def demo_year_file(initialised_ledger_file, tmp_path_factory):
    """A ledger with a demo year of reports, sign-offs and extensions up to December 2022, filled in mid-January 2023.

    Shared read-only by the tests of the reports, fonts and figures: copy it before writing.
    """
    import datetime as dt

    from db.demo import fill_demo, year_entries

    path = tmp_path_factory.mktemp("demo-year") / "ledger.sqlite"
    shutil.copy(initialised_ledger_file, path)
    ledger = open_ledger(path)
    try:
        with ledger.Session.begin() as session:
            fill_demo(session, entries=year_entries(session), seed=1, last_period="2022-12", today=dt.date(2023, 1, 15))
    finally:
        ledger.close()
    return path


@pytest.fixture(scope="session")
def demo_year_report(demo_year_file):
    """The demo year reported for December 2022 in mid-January, as the 通报 and the notices read it."""
    import datetime as dt

    from db.report_data import period_report

    ledger = open_ledger(demo_year_file, read_only=True)
    try:
        with ledger.Session() as session:
            return period_report(session, "2022-12", today=dt.date(2023, 1, 15))
    finally:
        ledger.close()


@pytest.fixture
def ledger_file(initialised_ledger_file, tmp_path) -> Path:
    """A private copy of an initialised ledger that nothing holds open, in a folder of its own."""
    path = tmp_path / "office" / "ledger.sqlite"
    path.parent.mkdir()
    shutil.copy(initialised_ledger_file, path)
    return path


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster for the session (tests/pg_server.py); skipped if PostgreSQL is absent."""
    from tests.pg_server import running_cluster

    with running_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def pg_initialised_url(pg_cluster):
    """A PostgreSQL ledger initialised from the bundled plan, as initialised_ledger_file: clone it before writing."""
    url = pg_cluster.create_database("template")
    ledger = open_ledger(url)
    init_from_bundled_plan(ledger, operator="测试")
    ledger.close()
    return url


@pytest.fixture
def ledger(initialised_ledger_file, tmp_path, request):
    """A private copy of an initialised ledger (a PostgreSQL clone when DUBAN_TEST_ENGINE=postgresql)."""
    if ON_SERVER:
        from tests.pg_server import template_copy

        opened = open_ledger(template_copy(request.getfixturevalue("pg_cluster"), request.getfixturevalue("pg_initialised_url")))
    else:
        path = tmp_path / "ledger.sqlite"
        shutil.copy(initialised_ledger_file, path)
        opened = open_ledger(path)
    yield opened
    opened.close()


@pytest.fixture
def run_cli(ledger, capsys):
    """Run duban's main() against the test ledger; returns (exit code, stdout, stderr)."""
    from desktop.cli import main

    def run(*args):
        code = main(["--db", ledger.location, "--operator", "测试", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run

