"""Field packets: what a packet holds, the merge rules, refusals, evidence, and property tests of the merge."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from db.engine import open_ledger
from db.errors import UserError
from db.evidence import attach_evidence, delete_evidence, evidence_data, evidence_of
from db.ledger import list_tasks
from db.packets import PacketInfo, export_packet, merge_packet, pending_conflicts, resolve_conflict
from db.progress import ProgressInput, add_progress, delete_progress, list_progress
from tests.ledger_state import ledger_fingerprint

UNIT = "市发展改革委"
PERIOD = "2022-06"


def report(task: str, text: str, *, period: str = PERIOD, status: str = "推进中", percent: int = 40, unit: str = UNIT) -> ProgressInput:
    return ProgressInput(task, unit, period, status, percent, text)


def write(ledger, *entries: ProgressInput, operator: str = "测试") -> None:
    with ledger.Session.begin() as s:
        for entry in entries:
            add_progress(s, entry, operator=operator)


def reports(ledger, **where) -> dict[tuple, tuple]:
    """Every live report as (task, unit, period) -> (status, percent, text)."""
    with ledger.Session() as s:
        return {(e.task, e.unit, e.period): (e.status, e.percent, e.progress_text) for e in list_progress(s, **where)}


def dump(path: Path) -> dict[str, list]:
    """Every row of every table, to show that something changed nothing."""
    with sqlite3.connect(path) as conn:
        names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(map(repr, conn.execute(f'SELECT * FROM "{n}"'))) for n in names}


@pytest.fixture
def tasks(ledger) -> list[str]:
    with ledger.Session() as s:
        return [t.code for t in list_tasks(s, unit=UNIT)]


@pytest.fixture
def packet(ledger, tasks, tmp_path) -> Path:
    """A packet for 市发展改革委 made after the office entered May and June reports for its first tasks."""
    write(ledger, *(report(code, f"五月进展 {code}", period="2022-05") for code in tasks[:6]))
    write(ledger, *(report(code, f"六月进展 {code}") for code in tasks[:6]))
    return export_packet(ledger, tmp_path / "field" / "外勤.duban", period=PERIOD, units=[UNIT], operator="张三")


def in_packet(path: Path):
    """The packet opened as the laptop opens it."""
    return open_ledger(path)


# --- what a packet holds --------------------------------------------------------------------------


def test_packet_holds_the_units_tasks_and_recent_history_and_opens_as_a_ledger(ledger, tasks, tmp_path, run_cli):
    write(ledger, report(tasks[0], "很早的进展", period="2021-05"), report("A03-01", "住建局的进展", unit="住建局"))
    path = export_packet(ledger, tmp_path / "p.duban", period=PERIOD, units=[UNIT], months=12, operator="张三")
    field = in_packet(path)
    try:
        with field.Session() as s:
            assert [t.code for t in list_tasks(s)] == tasks  # only the unit's tasks, in plan order
            info = PacketInfo.read(s)
            assert info.period == PERIOD and info.scope["units"] == [UNIT] and info.created["by"] == "张三"
        assert reports(field) == {}  # 2021-05 is older than 12 months; 住建局's task is not in the packet
    finally:
        field.close()
    code, out, err = run_cli("--db", str(path), "tasks")
    assert code == 0 and tasks[0] in out and "A03-01" not in out


def test_packet_by_annex_and_refusal_of_an_empty_scope(ledger, tmp_path):
    path = export_packet(ledger, tmp_path / "a.duban", period=PERIOD, annexes=[3], operator="张三")
    field = in_packet(path)
    with field.Session() as s:
        codes = {t.code for t in list_tasks(s)}
    field.close()
    assert codes and all(code.startswith("A03-") for code in codes)
    with pytest.raises(UserError, match="没有任务"):
        export_packet(ledger, tmp_path / "none.duban", period=PERIOD, units=["住建局"], annexes=[21], operator="张三")
    assert not (tmp_path / "none.duban").exists()


# --- merge rules ----------------------------------------------------------------------------------


def test_merge_adds_takes_one_sided_changes_and_keeps_both_sides_of_a_conflict(ledger, tasks, packet):
    field = in_packet(packet)
    write(field, report(tasks[0], "外勤核查：主体工程完工", percent=80), report(tasks[7], "七月外勤新增", period="2022-07"), report(tasks[2], "外勤的版本", percent=50))
    with field.Session.begin() as s:
        delete_progress(s, tasks[1], UNIT, PERIOD, operator="外勤")
    field.close()
    write(ledger, report(tasks[2], "办公室的版本", percent=55), report(tasks[3], "办公室后来改的", percent=60))
    before = ledger_fingerprint(ledger)
    with pytest.raises(UserError, match=r"会删除台账中的 1 条进展.*--allow-deletes") as refused:
        merge_packet(ledger, packet, operator="李四")  # a deletion of an office report needs the clerk's confirmation
    assert refused.value.details == [f"{tasks[1]} {UNIT} {PERIOD}"] and ledger_fingerprint(ledger) == before

    result = merge_packet(ledger, packet, operator="李四", allow_deletes=True)

    assert [(i.task_code, i.period) for i in result.added] == [(tasks[7], "2022-07")]
    assert [i.task_code for i in result.updated] == [tasks[0]]
    assert [i.task_code for i in result.deleted] == [tasks[1]]
    assert [i.task_code for i in result.conflicts] == [tasks[2]]
    now = reports(ledger, unit=UNIT)
    assert now[(tasks[0], UNIT, PERIOD)] == ("推进中", 80, "外勤核查：主体工程完工")
    assert (tasks[1], UNIT, PERIOD) not in now
    assert now[(tasks[2], UNIT, PERIOD)][2] == "办公室的版本"  # nothing overwritten silently
    assert now[(tasks[3], UNIT, PERIOD)][2] == "办公室后来改的"  # changed in the office only: kept
    with ledger.Session() as s:
        [conflict] = pending_conflicts(s)
    assert conflict.ledger_values["progress_text"] == "办公室的版本" and conflict.packet_values["progress_text"] == "外勤的版本"
    with ledger.engine.connect() as conn:
        actions = dict(conn.execute(text("SELECT action, count(*) FROM audit_log WHERE action LIKE 'packet.%' OR action LIKE 'progress.merge%' GROUP BY action")).all())
    assert actions == {"packet.merge": 1, "progress.merge_add": 1, "progress.merge_update": 2, "progress.merge_conflict": 1}


def test_the_printable_merge_report_lists_what_the_merge_did(ledger, tasks, packet, tmp_path, run_cli):
    from tests.test_pdf_report import pdf_text

    field = in_packet(packet)
    write(field, report(tasks[0], "外勤改过"), report(tasks[2], "外勤的版本"))
    field.close()
    write(ledger, report(tasks[2], "办公室的版本"))
    code, out, _ = run_cli("packet", "merge", str(packet), "--report", str(tmp_path / "合并报告.pdf"))
    assert code == 1  # merged, with a conflict left pending
    text = pdf_text(tmp_path / "合并报告.pdf").replace(" ", "")
    assert "外勤数据包合并报告" in text and "外勤.duban" in text and "张三导出" in text and "操作员测试" in text
    assert "更新的进展（采用数据包中的版本）（1条）" in text and "冲突（两边都修改过，待逐项处理）（1条）" in text
    assert tasks[0] in text and tasks[2] in text


def test_merging_the_same_packet_twice_changes_nothing(ledger, tasks, packet):
    field = in_packet(packet)
    write(field, report(tasks[0], "外勤改过"), report(tasks[2], "外勤的版本"))
    field.close()
    write(ledger, report(tasks[2], "办公室的版本"))
    merge_packet(ledger, packet, operator="李四")
    before = ledger_fingerprint(ledger)
    again = merge_packet(ledger, packet, operator="李四")
    assert not again.changed and "已全部合并过" in "\n".join(again.lines())
    assert ledger_fingerprint(ledger) == before


def test_more_field_work_after_a_merge_is_taken_not_a_conflict(ledger, tasks, packet):
    field = in_packet(packet)
    write(field, report(tasks[0], "第一次外勤"))
    merge_packet(ledger, packet, operator="李四")
    write(field, report(tasks[0], "第二次外勤", percent=70))
    field.close()
    result = merge_packet(ledger, packet, operator="李四")
    assert [i.task_code for i in result.updated] == [tasks[0]] and not result.conflicts
    assert reports(ledger, unit=UNIT)[(tasks[0], UNIT, PERIOD)] == ("推进中", 70, "第二次外勤")


def test_a_month_reported_on_both_sides_is_a_conflict_settled_by_the_clerk(ledger, tasks, packet, run_cli):
    field = in_packet(packet)
    write(field, report(tasks[10], "外勤填的七月", period="2022-07"))
    field.close()
    write(ledger, report(tasks[10], "办公室填的七月", period="2022-07"))
    code, out, _ = run_cli("packet", "merge", str(packet))
    assert code == 1 and "冲突 1 条" in out
    code, out, _ = run_cli("packet", "conflicts", "--json")
    [conflict] = json.loads(out)
    assert conflict["ledger_values"]["progress_text"] == "办公室填的七月" and conflict["packet_values"]["progress_text"] == "外勤填的七月"
    code, out, _ = run_cli("packet", "resolve", str(conflict["id"]), "--take", "packet")
    assert code == 0
    assert reports(ledger, unit=UNIT)[(tasks[10], UNIT, "2022-07")][2] == "外勤填的七月"
    code, out, _ = run_cli("packet", "merge", str(packet))
    assert code == 0 and "已全部合并过" in out  # the settled conflict does not come back
    code, _, err = run_cli("packet", "resolve", str(conflict["id"]), "--take", "ledger")
    assert code == 2 and "已处理" in err


def test_a_report_deleted_on_both_sides_is_no_conflict(ledger, tasks, packet):
    field = in_packet(packet)
    with field.Session.begin() as s:
        delete_progress(s, tasks[0], UNIT, PERIOD, operator="外勤")
    field.close()
    write(ledger, report(tasks[0], "办公室先改了再删"))
    with ledger.Session.begin() as s:
        delete_progress(s, tasks[0], UNIT, PERIOD, operator="办公室")
    result = merge_packet(ledger, packet, operator="李四")
    assert not result.conflicts and not result.deleted
    assert (tasks[0], UNIT, PERIOD) not in reports(ledger, unit=UNIT)


def test_combined_values_are_validated_and_recorded(ledger, tasks, packet):
    field = in_packet(packet)
    write(field, report(tasks[2], "外勤的版本"))
    field.close()
    write(ledger, report(tasks[2], "办公室的版本"))
    merge_packet(ledger, packet, operator="李四")
    with ledger.Session() as s:
        [conflict] = pending_conflicts(s)
    with pytest.raises(UserError, match="已完成"), ledger.Session.begin() as s:
        resolve_conflict(s, conflict.id, choice={"status": "已完成", "percent": 90, "progress_text": "合并"}, operator="李四")
    with ledger.Session.begin() as s:
        resolve_conflict(s, conflict.id, choice={"status": "推进中", "percent": 65, "progress_text": "办公室的版本；外勤的版本"}, operator="李四")
    assert reports(ledger, unit=UNIT)[(tasks[2], UNIT, PERIOD)] == ("推进中", 65, "办公室的版本；外勤的版本")


# --- refusals -------------------------------------------------------------------------------------


def _refused(ledger, path: Path, message: str) -> None:
    before = ledger_fingerprint(ledger)
    with pytest.raises(UserError) as caught:
        merge_packet(ledger, path, operator="李四")
    assert path.name in str(caught.value) and message in str(caught.value)
    assert ledger_fingerprint(ledger) == before


def test_tampered_truncated_foreign_and_newer_packets_are_refused_and_change_nothing(ledger, tasks, packet, tmp_path, initialised_ledger_file):
    field = in_packet(packet)
    write(field, report(tasks[0], "外勤改过"))
    field.close()

    tampered = tmp_path / "改过.duban"
    shutil.copy(packet, tampered)
    with sqlite3.connect(tampered) as conn:
        conn.execute("UPDATE progress_entry SET percent = 130")
    _refused(ledger, tampered, "内容的校验和不同")

    truncated = tmp_path / "截断.duban"
    truncated.write_bytes(packet.read_bytes()[: packet.stat().st_size // 2])
    _refused(ledger, truncated, "损坏或不完整")

    _refused(ledger, tmp_path / "not-there.duban", "找不到")
    garbage = tmp_path / "乱码.duban"
    garbage.write_bytes(b"PK\x03\x04 not a database" * 100)
    _refused(ledger, garbage, "损坏或不完整")

    plain = tmp_path / "台账.duban"
    shutil.copy(initialised_ledger_file, plain)
    _refused(ledger, plain, "不是外勤数据包")

    newer = tmp_path / "新版.duban"
    shutil.copy(packet, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    _refused(ledger, newer, "比本程序新")

    other = open_ledger(tmp_path / "other" / "ledger.sqlite")
    try:
        shutil.copy(initialised_ledger_file, other.path)
    finally:
        other.close()
    other = open_ledger(tmp_path / "other" / "ledger.sqlite")
    try:
        before = dump(other.path)
        with pytest.raises(UserError, match="另一个台账"):
            merge_packet(other, packet, operator="李四")
        assert dump(other.path) == before
    finally:
        other.close()


def test_an_invalid_report_in_a_sealed_packet_is_listed_as_refused_not_merged(ledger, tasks, packet):
    """A packet written by a buggy or older program can be sealed yet hold a percent of 130: that report stays out."""
    from sqlalchemy import update

    from db.models import ProgressEntry
    from db.packet_seal import reseal

    field = in_packet(packet)
    write(field, report(tasks[0], "外勤改过", percent=60), report(tasks[1], "外勤也改了", percent=70))
    with field.Session.begin() as s:
        s.execute(update(ProgressEntry).where(ProgressEntry.percent == 60).values(percent=130))
        reseal(s)
    field.close()
    result = merge_packet(ledger, packet, operator="李四")
    [refused] = result.refused
    assert refused.task_code == tasks[0] and "130" in refused.note
    assert [i.task_code for i in result.updated] == [tasks[1]]
    assert reports(ledger, unit=UNIT)[(tasks[0], UNIT, PERIOD)][2] == f"六月进展 {tasks[0]}"
    assert "未合并 1 条" in "\n".join(result.lines())


def test_fuzzed_packets_are_refused_cleanly_or_merge_as_the_original(ledger, tasks, packet, tmp_path):
    """Flip bytes all over the file: a packet either fails a check (UserError) or is byte-for-byte as good as the original."""
    import random

    field = in_packet(packet)
    write(field, report(tasks[0], "外勤改过", percent=66))
    field.close()
    data = packet.read_bytes()
    rng = random.Random(5)
    outcomes = {"refused": 0, "merged": 0}
    for trial in range(40):
        mutated = bytearray(data)
        for _ in range(rng.choice((1, 4, 32))):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        path = tmp_path / f"fuzz-{trial}.duban"
        path.write_bytes(bytes(mutated))
        before = ledger_fingerprint(ledger)
        try:
            merge_packet(ledger, path, operator="李四")
        except UserError:
            outcomes["refused"] += 1
            assert ledger_fingerprint(ledger) == before
        else:
            outcomes["merged"] += 1
            assert reports(ledger, unit=UNIT)[(tasks[0], UNIT, PERIOD)] == ("推进中", 66, "外勤改过")
    assert outcomes["refused"] > 0


# --- evidence -------------------------------------------------------------------------------------


def test_evidence_travels_in_the_packet_by_content_never_by_path(ledger, tasks, packet, tmp_path, run_cli):
    photo = tmp_path / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 40)
    field = in_packet(packet)
    with field.Session.begin() as s:
        attach_evidence(s, tasks[0], UNIT, PERIOD, photo, operator="外勤")
    field.close()
    photo.unlink()  # the laptop's file is gone: the packet must not need it
    result = merge_packet(ledger, packet, operator="李四")
    assert result.evidence_added == 1
    with ledger.Session() as s:
        [entry] = [e for e in list_progress(s, task_code=tasks[0], unit=UNIT, period=PERIOD)]
        [item] = evidence_of(s, [entry.uuid])[entry.uuid]
        name, data = evidence_data(s, item.uuid)
    assert name == "现场照片.jpg" and data.startswith(b"\xff\xd8\xff") and item.size == len(data)
    big = tmp_path / "太大.pdf"
    with big.open("wb") as f:
        f.truncate(21 * 1024 * 1024)
    code, _, err = run_cli("progress", "attach", str(big), "--task", tasks[0], "--unit", UNIT, "--period", PERIOD)
    assert code == 2 and "超过 20 MB" in err


def test_an_attachment_removed_in_the_field_is_removed_by_the_merge(ledger, tasks, packet, tmp_path):
    with ledger.Session() as s:
        [entry] = list_progress(s, task_code=tasks[0], unit=UNIT, period=PERIOD)
    scan = tmp_path / "扫描件.pdf"
    scan.write_bytes(b"%PDF-1.4 scan")
    field = in_packet(packet)
    with field.Session.begin() as s:
        item = attach_evidence(s, tasks[0], UNIT, PERIOD, scan, operator="外勤")
    assert merge_packet(ledger, packet, operator="李四").evidence_added == 1
    with field.Session.begin() as s:
        delete_evidence(s, item.uuid, operator="外勤")  # attached to the wrong report: taken off on site
    field.close()
    merge_packet(ledger, packet, operator="李四")
    with ledger.Session() as s:
        assert evidence_of(s, [entry.uuid]) == {}


# --- properties -----------------------------------------------------------------------------------

SLOTS = [(i, period) for i in range(4) for period in ("2022-06", "2022-07")]
edit = st.tuples(st.sampled_from(range(len(SLOTS))), st.sampled_from(("write", "delete")), st.integers(0, 100), st.sampled_from(("甲", "乙", "丙")))


def _apply(target, codes, edits, side: str) -> None:
    for slot, action, percent, word in edits:
        index, period = SLOTS[slot]
        with target.Session.begin() as s:
            if action == "write":
                add_progress(s, report(codes[index], f"{side}{word}", period=period, percent=percent), operator=side)
            elif (codes[index], UNIT, period) in {(e.task, e.unit, e.period) for e in list_progress(s, task_code=codes[index], unit=UNIT, period=period)}:
                delete_progress(s, codes[index], UNIT, period, operator=side)


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(start=st.lists(edit, max_size=4), office=st.lists(edit, max_size=5), field_work=st.lists(edit, max_size=5))
def test_random_edits_on_both_sides_merge_deterministically_idempotently_and_lose_nothing(initialised_ledger_file, start, office, field_work):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        shutil.copy(initialised_ledger_file, folder / "a.sqlite")
        ledger = open_ledger(folder / "a.sqlite")
        try:
            with ledger.Session() as s:
                codes = [t.code for t in list_tasks(s, unit=UNIT)][:4]
            _apply(ledger, codes, start, "起")
            base = reports(ledger, unit=UNIT)
            path = export_packet(ledger, folder / "p.duban", period=PERIOD, units=[UNIT], operator="张三")
            field = open_ledger(path)
            _apply(field, codes, field_work, "外")
            theirs = reports(field, unit=UNIT)
            field.close()
            _apply(ledger, codes, office, "内")
            ours = reports(ledger, unit=UNIT)
            twin_path = folder / "twin.sqlite"
            with sqlite3.connect(ledger.path) as src, sqlite3.connect(twin_path) as dst:
                src.backup(dst)

            result = merge_packet(ledger, path, operator="李四", allow_deletes=True)
            merged = reports(ledger, unit=UNIT)
            with ledger.Session() as s:
                conflicts = {(c.task_code, c.unit, c.period): c for c in pending_conflicts(s)}

            # Lose nothing: each report ends as the side that changed it, or stays the office's with the field's kept in a conflict.
            for key in base.keys() | ours.keys() | theirs.keys():
                b, o, t = base.get(key), ours.get(key), theirs.get(key)
                if t == b or t == o:
                    assert merged.get(key) == o, key
                elif o == b:
                    assert merged.get(key) == t, key
                else:
                    assert merged.get(key) == o and key in conflicts, key
                    packet_side = conflicts[key].packet_values
                    assert (None if packet_side["deleted"] else (packet_side["status"], packet_side["percent"], packet_side["progress_text"])) == t
            assert len(conflicts) == len(result.conflicts)

            # Idempotent: merging again changes no row.
            before = ledger_fingerprint(ledger)
            merge_packet(ledger, path, operator="李四", allow_deletes=True)
            assert ledger_fingerprint(ledger) == before

            # Deterministic: the same merge into an identical ledger gives the same reports and conflicts.
            twin = open_ledger(twin_path)
            try:
                twin_result = merge_packet(twin, path, operator="李四", allow_deletes=True)
                assert reports(twin, unit=UNIT) == merged and twin_result.counts() == result.counts()
            finally:
                twin.close()
        finally:
            ledger.close()
