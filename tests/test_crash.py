"""SIGKILL a template import and a packet merge over and over: the ledger holds all of the write or none, and stays sound.

The loop is bench/crash_loop.py's; here with kills spread evenly over each write (no luck involved):
over the whole write, inside its transaction, at its commit and just after it.  A long run with random
kills is `python bench/crash_loop.py`; deselect this one with -m "not slow".
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The loop runs its trials in spawned processes, which import it by this name from sys.path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import crash_loop as loop  # noqa: E402

TRIALS = 30  # per write: 60 in all, of which at least 50 kill a running write (a few may finish first)
KILLS_EACH = 25  # kills of a running write per case, topped up if the plan fell short
JOBS = 2

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tallies(initialised_ledger_file, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("crash")
    base = workdir / "base.sqlite"
    loop.copy_ledger(initialised_ledger_file, base)
    loop.fill_base(base)
    cases = [loop.measure(prepare(base, workdir), workdir, runs=JOBS) for prepare in loop.PREPARE.values()]
    out = loop.run_trials(cases, {case.kind: loop.even_plan(case, TRIALS) for case in cases}, workdir, jobs=JOBS)
    # On a machine much faster now than while the write was measured, late kills find it finished:
    # top up with kills inside the transaction as the trials saw it, until each write has its share.
    for round_ in range(1, 3):
        short = {case.kind: KILLS_EACH - out[case.kind].kills for case in cases if out[case.kind].kills < KILLS_EACH}
        if not short:
            break
        plans = {kind: loop.spread("begin", loop.observed_transaction(out[kind]), count + 2) for kind, count in short.items()}
        more = loop.run_trials(cases, plans, workdir, jobs=JOBS, first=100 * round_)
        for kind, tally in more.items():
            out[kind].trials += tally.trials
    for tally in out.values():
        print("\n".join(tally.lines()))
    return out


@pytest.mark.parametrize("kind", ["import", "merge"])
def test_a_killed_write_leaves_all_of_it_or_none(tallies, kind):
    tally = tallies[kind]
    report = "\n".join(tally.lines())
    assert tally.count(loop.PARTIAL) == 0, report
    assert tally.count(loop.BROKEN) == 0, report
    assert not tally.failures, report  # also: a kill before the commit left none, after it all; duban reopens and completes it
    assert tally.count(loop.NONE, killed=True) >= 1, report
    assert tally.count(loop.ALL, killed=True) >= 1, report
    for phase in (loop.BEFORE, loop.INSIDE, loop.AFTER):
        assert tally.count(killed=True, phase=phase) >= 1, f"no kill {phase}\n{report}"


def test_enough_kills_of_both_writes(tallies):
    kills = {kind: tally.kills for kind, tally in tallies.items()}
    assert sum(kills.values()) >= 50, kills
    assert all(count >= KILLS_EACH for count in kills.values()), kills
