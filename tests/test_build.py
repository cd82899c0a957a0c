"""The release build: PyInstaller one-folder bundle, then the build script's smoke test of the frozen program.

Skipped unless DUBAN_BUILD_TEST=1: it takes about a minute and a quarter on a 2-core machine (build
~40 s, smoke test ~30 s), writes build/ and dist/, and installs PyInstaller with pip when missing.
See docs/build.md for what the smoke test checks and why CI may run it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.build,
    pytest.mark.skipif(os.environ.get("DUBAN_BUILD_TEST") != "1", reason="set DUBAN_BUILD_TEST=1 to build and smoke-test the release bundle"),
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="scripts/build.sh is the Linux build; Windows builds follow docs/build.md"),
]


def test_build_and_smoke_test(tmp_path):
    env = dict(os.environ, PYTHON=sys.executable, DUBAN_BUILD_SHOTS=str(tmp_path / "shots"))
    proc = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build.sh")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=20 * 60,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-6000:]
    assert "smoke test passed" in output
    for view in ("first-start", "annexes", "dashboard", "units"):
        assert (tmp_path / "shots" / f"{view}.png").stat().st_size > 20_000
