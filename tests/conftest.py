"""Shared fixtures: a ledger built from the bundled plan once per session, copied per test."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Tests log into a throwaway folder, not the developer's own duban log.
os.environ.setdefault("DUBAN_LOG_DIR", tempfile.mkdtemp(prefix="duban-test-logs-"))

from db.engine import open_ledger  # noqa: E402
from db.ledger import init_from_bundled_plan  # noqa: E402
from db.plan_text import read_plan_file  # noqa: E402
from resources import BUNDLED_PLAN  # noqa: E402

DATA = Path(__file__).parent / "data"


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


@pytest.fixture
def ledger(initialised_ledger_file, tmp_path):
    """A private copy of an initialised ledger."""
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
        code = main(["--db", str(ledger.path), "--operator", "测试", *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run

