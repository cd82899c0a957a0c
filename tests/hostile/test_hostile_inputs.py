"""Hostile inputs: mutated 报送模板, packets and backups are refused in Chinese naming the file, or accepted correctly.

Each kind runs its cases once (hypothesis drives the mutators, derandomized so CI repeats itself), then
three tests judge them: no traceback, no write that should not happen, and refusals that a clerk can read.
DUBAN_FUZZ_CASES=10000 runs the long mode; bench/fuzz_report.py prints the counts per kind.
"""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.hostile import world as sample
from tests.hostile.cases import KINDS, cases_per_kind, run_case
from tests.hostile.oracle import Bench, message_problem, packet_write_problems

# About a minute: it runs in CI's first pass, and `-m "not slow"` leaves it out of a quick run.
pytestmark = pytest.mark.slow

# Defects still open on this code, by (check, kind); each entry is removed once its fix lands.
XFAIL: dict[tuple[str, str], str] = {  # (check, kind) → the open defect that makes it fail; none is open now
}


@pytest.fixture(scope="module")
def bench(initialised_ledger_file, tmp_path_factory):
    world = sample.build(tmp_path_factory.mktemp("hostile-world"), initialised_ledger_file)
    return Bench(world, tmp_path_factory.mktemp("hostile-cases"))


@pytest.fixture(scope="module")
def verdicts(bench):
    """kind -> [(verdict, mutation)], each kind's cases run once, when a test first asks for them."""
    found: dict[str, list] = {}

    def of(kind: str) -> list:
        if kind not in found:
            runs: list = []

            @settings(max_examples=cases_per_kind()[kind], deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(rng=st.randoms(use_true_random=False))
            def cases(rng):
                runs.append(run_case(kind, rng, bench))

            cases()
            found[kind] = runs
        return found[kind]

    return of


def _params(check: str):
    return [
        pytest.param(kind, id=kind, marks=[pytest.mark.xfail(strict=False, reason=XFAIL[(check, kind)])] if (check, kind) in XFAIL else [])
        for kind in KINDS
    ]


def _failures(runs: list, outcome: str) -> str:
    """The distinct failures of one outcome, each with a mutation that shows it."""
    seen: dict[str, str] = {}
    for verdict, what in runs:
        if verdict.outcome == outcome:
            seen.setdefault(verdict.detail[:90], what)
    return "\n".join(f"  {detail}  <- {what[:140]}" for detail, what in list(seen.items())[:12])


@pytest.mark.parametrize("kind", _params("crash"))
def test_no_hostile_input_crashes_its_entry_point(verdicts, kind):
    runs = verdicts(kind)
    crashed = [v for v, _ in runs if v.outcome == "crashed"]
    assert not crashed, f"{len(crashed)} of {len(runs)} {kind} cases raised other than UserError:\n" + _failures(runs, "crashed")


@pytest.mark.parametrize("kind", _params("bad_write"))
def test_no_hostile_input_writes_what_it_should_not(verdicts, kind):
    runs = verdicts(kind)
    bad = [v for v, _ in runs if v.outcome == "bad_write"]
    assert not bad, f"{len(bad)} of {len(runs)} {kind} cases wrote what they should not:\n" + _failures(runs, "bad_write")


@pytest.mark.parametrize("kind", _params("clear"))
def test_hostile_inputs_are_refused_in_chinese_naming_the_file(verdicts, kind):
    runs = verdicts(kind)
    unclear = [v for v, _ in runs if v.outcome == "unclear"]
    assert not unclear, f"{len(unclear)} of {len(runs)} {kind} refusals are unclear:\n" + _failures(runs, "unclear")


def test_every_kind_ran_its_cases(verdicts):
    counts = {kind: len(verdicts(kind)) for kind in KINDS}
    wanted = cases_per_kind()
    assert all(counts[kind] >= wanted[kind] // 2 for kind in KINDS), counts  # hypothesis stops early only when inputs run out
    assert sum(counts.values()) >= min(1000, sum(wanted.values()))


# --- the oracle itself: honest files pass, and it sees what it is meant to see ---------------------------


def test_the_honest_template_and_packet_are_accepted_correctly(bench):
    assert bench.template_case(bench.world.template).outcome == "accepted"
    assert bench.packet_case(bench.world.packet).outcome == "accepted"
    assert bench.restore_case(bench.world.backup, foreign=False).outcome == "accepted"


def test_the_oracle_names_english_text_and_a_missing_file_name():
    name = "报送模板_单位_2022-06.xlsx"
    assert message_problem(f"文件 {name}：已损坏（docProps/core.xml 校验失败）。", [name]) is None
    assert message_problem(f"文件 {name}：状态“DROP TABLE”无效。", [name]) is None
    assert message_problem(f"文件 {name}：无法读取（Start tag expected, '<' not found）", [name]).startswith("消息含英文")
    assert message_problem("文件已损坏。", [name]) == "消息没有写出文件名"
    assert message_problem(f"Bad file {name}", [name]) == "消息中没有中文"


def test_the_oracle_sees_an_unsafe_evidence_name_and_an_unassigned_report(bench, tmp_path):
    ledger = bench.copy_ledger("oracle-check")
    with sqlite3.connect(ledger) as conn:
        entry = conn.execute("SELECT uuid FROM progress_entry LIMIT 1").fetchone()[0]
        conn.execute(
            "INSERT INTO evidence (uuid, entry_uuid, name, size, sha256, data, created_at) VALUES ('e-1', ?, '../../x', 1, ?, x'00', '2022-06-01')",
            (entry, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        )
        conn.execute(
            "INSERT INTO progress_entry (uuid, task_id, unit_id, period, status, percent, progress_text, entry_date, version, created_at, updated_at)"
            " SELECT 'p-1', t.id, u.id, '2022-06', '推进中', 50, '伪造', '2022-06-15', 1, '2022-06-15', '2022-06-15' FROM task t, unit u"
            " WHERE NOT EXISTS (SELECT 1 FROM assignment a WHERE a.task_id = t.id AND a.unit_id = u.id) LIMIT 1"
        )
    conn.close()
    problems = packet_write_problems(bench, ledger, bench.world.packet)
    assert any("证明材料名称不安全" in p for p in problems) and any("未分工" in p for p in problems)
