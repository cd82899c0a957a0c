"""Many writers at once on a real PostgreSQL (READ COMMITTED): no lost report, no double sign-off or extension.

Each race is staged, not left to luck: the first writer holds its transaction open while the second
runs in a thread, and the test checks the second really waited before the first committed.
"""

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text

from db.decisions import extend, sign_off
from db.engine import open_ledger
from db.errors import UserError
from db.ledger import get_task
from db.marks import period_states
from db.models import Extension, MergeConflict, ProgressEntry, SignOff, WarningMark
from db.progress import ProgressInput, ReportChanged, add_progress, batch_rows, list_progress, save_progress
from db.settings import load_settings
from tests.pg_server import template_copy

UNIT = "市住房和城乡建设局"
PERIOD = "2022-06"
WAIT = 0.2  # how long the first writer still holds its transaction once the second one waits on it


@pytest.fixture
def pg_ledger(pg_cluster, pg_initialised_url):
    ledger = open_ledger(template_copy(pg_cluster, pg_initialised_url, "race"))
    yield ledger
    ledger.close()


def codes(ledger, n):
    with ledger.Session() as session:
        return [r.task_code for r in batch_rows(session, UNIT, PERIOD)[:n]]


def report(code, text, version=None, unit=UNIT):
    return ProgressInput(code, unit, PERIOD, "推进中", 40, text, version=version)


def waiting_on_a_lock(engine, timeout: float = 20.0) -> bool:
    """Whether another connection to this database comes to wait on a lock (the second writer blocked by the first)."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            if conn.execute(query).scalar():
                return True
            conn.rollback()
            time.sleep(0.05)
    return False


def raced(first_session, second):
    """Run second() in a thread while first_session's transaction is open; once it waits on the first's lock, commit the first.

    Returns the second's result, or the exception it raised.
    """
    outcome = {}

    def run():
        try:
            outcome["result"] = second()
        except Exception as exc:  # the refusal is what the test looks at
            outcome["result"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    blocked = waiting_on_a_lock(first_session.get_bind().engine)
    time.sleep(WAIT)
    assert blocked and "result" not in outcome, "the second writer did not wait for the first"
    first_session.commit()
    thread.join(30)
    return outcome["result"]


def test_two_clerks_saving_the_same_report_at_once_the_second_is_told_and_nothing_is_lost(pg_ledger):
    (code,) = codes(pg_ledger, 1)
    save_progress(pg_ledger, report(code, "初稿", version=0), operator="张三")
    first = pg_ledger.Session()
    first.begin()
    add_progress(first, report(code, "李四的修改", version=1), operator="李四")  # version 2, not yet committed

    refused = raced(first, lambda: save_progress(pg_ledger, report(code, "王五的修改", version=1), operator="王五"))
    first.close()

    assert isinstance(refused, ReportChanged), refused
    assert (refused.expected, refused.current, refused.by, refused.theirs["progress_text"]) == (1, 2, "李四", "李四的修改")
    with pg_ledger.Session() as session:
        (view,) = list_progress(session, task_code=code, unit=UNIT, period=PERIOD)
        conflict = session.scalar(select(MergeConflict))
    assert (view.progress_text, view.version) == ("李四的修改", 2)
    assert (conflict.id, conflict.packet_values["progress_text"], conflict.ledger_values["progress_text"]) == (refused.conflict_id, "王五的修改", "李四的修改")


def test_two_clerks_creating_the_same_report_at_once_the_second_is_told(pg_ledger):
    from db.identity import ensure_ledger_id

    (code,) = codes(pg_ledger, 1)
    ensure_ledger_id(pg_ledger)  # made already, as on any ledger in use: the two meet on the report itself
    first = pg_ledger.Session()
    first.begin()
    add_progress(first, report(code, "先填的", version=0), operator="张三")

    refused = raced(first, lambda: save_progress(pg_ledger, report(code, "同时填的", version=0), operator="李四"))
    first.close()

    assert isinstance(refused, ReportChanged), refused
    assert (refused.current, refused.by) == (1, "张三")
    with pg_ledger.Session() as session:
        assert session.scalars(select(ProgressEntry.progress_text)).all() == ["先填的"]
        assert session.scalar(select(MergeConflict.packet_values))["progress_text"] == "同时填的"


def test_many_clerks_saving_different_reports_at_once_all_commit_and_the_marks_agree(pg_ledger):
    with pg_ledger.Session() as session:
        pairs = [(r.task_code, UNIT) for r in batch_rows(session, UNIT, PERIOD)[:6]]
        pairs += [(r.task_code, "市发展改革委") for r in batch_rows(session, "市发展改革委", PERIOD)[:6]]
    texts = {pair: f"{pair[1]}{pair[0]}的六月进展" for pair in pairs}

    def clerk(pair):
        return save_progress(pg_ledger, report(pair[0], texts[pair], version=0, unit=pair[1]), operator=f"clerk-{pair[0]}")

    with ThreadPoolExecutor(8) as pool:
        saved = list(pool.map(clerk, pairs))
    assert [s.outcome for s in saved] == ["added"] * len(pairs)
    with pg_ledger.Session() as session:
        found = {(v.task, v.unit): v.progress_text for v in list_progress(session, period=PERIOD)}
        assert found == texts
        # The marks recorded by the concurrent commits are the colours worked out now, with every report in.
        settings = load_settings(session)
        marks = dict(session.execute(select(WarningMark.task_id, WarningMark.colour).where(WarningMark.period == settings.current_period)).all())
        plan_id = get_task(session, pairs[0][0]).plan_id
        now = {task_id: s.colour for task_id, s in period_states(session, plan_id, settings, record=False).items()}
    assert marks == now


def test_a_sign_off_raced_from_two_connections_applies_once(pg_ledger):
    (code,) = codes(pg_ledger, 1)
    day = dt.date(2022, 6, 30)
    first = pg_ledger.Session()
    first.begin()
    sign_off(first, get_task(first, code), signed_on=day, operator="张三", note="验收通过")

    def second():
        with pg_ledger.Session.begin() as session:
            sign_off(session, get_task(session, code), signed_on=day, operator="李四", note="也验收了")

    refused = raced(first, second)
    first.close()
    assert isinstance(refused, UserError) and f"任务 {code} 已经销号" in str(refused), refused
    with pg_ledger.Session() as session:
        assert session.scalars(select(SignOff.operator)).all() == ["张三"]


def test_an_extension_raced_from_two_connections_applies_once(pg_ledger):
    with pg_ledger.Session() as session:
        code = next(r.task_code for r in batch_rows(session, UNIT, PERIOD) if get_task(session, r.task_code).milestones)
    new_due = dt.date(2030, 12, 31)

    def decide(session, who):
        extend(session, get_task(session, code), new_due=new_due, reason="资金未到位", document="三政办〔2022〕1号", approved_on=dt.date(2022, 6, 1), operator=who)

    first = pg_ledger.Session()
    first.begin()
    decide(first, "张三")

    def second():
        with pg_ledger.Session.begin() as session:
            decide(session, "李四")

    refused = raced(first, second)
    first.close()
    assert isinstance(refused, UserError) and "应晚于现有时限 2030-12-31" in str(refused), refused
    with pg_ledger.Session() as session:
        assert session.scalar(select(func.count()).select_from(Extension)) == 1


def test_a_login_that_may_not_read_the_audit_log_is_still_told_and_keeps_its_version(pg_cluster, pg_ledger):
    """Who changed the report comes from the audit log; a login without the right to read it gets the rest of the message."""
    import psycopg
    from sqlalchemy.engine import make_url

    (code,) = codes(pg_ledger, 1)
    save_progress(pg_ledger, report(code, "办公室的版本", version=0), operator="张三")
    url = make_url(pg_ledger.engine.url.render_as_string(hide_password=False))
    with psycopg.connect(host=url.host, port=url.port, user=url.username, password=url.password, dbname=url.database, autocommit=True) as conn:
        # an office login (so the app lets it write) whose own grants leave out reading the audit log
        conn.execute("DO $$ BEGIN CREATE ROLE duban_office NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$")
        conn.execute("CREATE ROLE clerk_no_audit LOGIN PASSWORD 'pw' IN ROLE duban_office")
        conn.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO clerk_no_audit")
        conn.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO clerk_no_audit")
        conn.execute("REVOKE SELECT ON audit_log FROM clerk_no_audit")
        conn.execute("GRANT SELECT (id) ON audit_log TO clerk_no_audit")  # an insert's RETURNING id, nothing else
    clerk = open_ledger(url.set(username="clerk_no_audit", password="pw").render_as_string(hide_password=False))
    try:
        with pytest.raises(ReportChanged) as refused:
            save_progress(clerk, report(code, "单位的版本", version=0), operator="单位")
    finally:
        clerk.close()
    assert refused.value.by is None and "该进展已被 另一位操作员 于" in refused.value.message and refused.value.conflict_id
    with pg_ledger.Session() as session:
        assert session.scalar(select(MergeConflict.packet_values))["progress_text"] == "单位的版本"


def test_two_first_writers_agree_on_the_ledgers_own_id(pg_ledger):
    """A fresh server ledger has no id yet; the first two writers at once must end with one id, not a crash."""
    from db.identity import own_id

    first = pg_ledger.Session()
    first.begin()
    made = own_id(first)

    def second():
        with pg_ledger.Session.begin() as session:
            return own_id(session)

    assert raced(first, second) == made
    first.close()


def test_two_writers_deadlocked_over_two_reports_the_victim_is_run_again(pg_ledger):
    """A batch holding report two and waiting for report one, against a writer doing the reverse: PostgreSQL aborts one, it reruns."""
    from db.identity import ensure_ledger_id
    from db.transactions import run_transaction

    one, two = codes(pg_ledger, 2)
    ensure_ledger_id(pg_ledger)
    first = pg_ledger.Session()
    first.begin()
    add_progress(first, report(one, "甲的一"), operator="甲")  # holds report one
    holding_two, attempts, outcome = threading.Event(), [], {}

    def batch(session):
        attempts.append(len(attempts) + 1)
        add_progress(session, report(two, "乙的二"), operator="乙")
        holding_two.set()
        add_progress(session, report(one, "乙的一"), operator="乙")  # waits for 甲, who is about to wait for 乙

    def run():
        try:
            run_transaction(pg_ledger, batch)
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    holding_two.wait(10)
    time.sleep(0.3)  # 乙 waits first, so its deadlock check (after deadlock_timeout, 1 s) finds the cycle and 乙 is aborted
    add_progress(first, report(two, "甲的二"), operator="甲")
    first.commit()
    first.close()
    thread.join(30)
    assert "error" not in outcome and attempts == [1, 2]
    with pg_ledger.Session() as session:
        assert {v.task: v.progress_text for v in list_progress(session, unit=UNIT, period=PERIOD)} == {one: "乙的一", two: "乙的二"}


def test_a_template_imported_while_the_office_saves_the_same_report_does_not_overwrite_it(pg_ledger, tmp_path):
    """The template's base version is checked again under the report's lock: the office's save in between wins, the row is a conflict."""
    from exports.unit_template import export_templates, import_templates
    from tests.test_unit_template import fill, report_of

    (code,) = codes(pg_ledger, 1)
    save_progress(pg_ledger, report(code, "电话报送的初稿", version=0), operator="张三")
    (template,) = export_templates(pg_ledger, tmp_path, period=PERIOD, unit=UNIT)  # based on version 1
    filled = fill(template, tmp_path / "filled.xlsx", {code: report_of("单位填报的版本")})
    first = pg_ledger.Session()
    first.begin()
    add_progress(first, report(code, "办公室刚改的", version=1), operator="张三")

    imported = raced(first, lambda: import_templates(pg_ledger, filled, operator="收件人"))
    first.close()

    (conflict,) = imported.conflicts
    assert "该进展已被 张三 于" in conflict.message and "（第 2 版），您修改的是第 1 版" in conflict.message and "单位填报的版本" in conflict.message
    with pg_ledger.Session() as session:
        (view,) = list_progress(session, task_code=code, unit=UNIT, period=PERIOD)
    assert (view.progress_text, view.version) == ("办公室刚改的", 2)


def test_a_packet_merged_while_the_office_saves_the_same_report_keeps_both(pg_ledger, tmp_path):
    """The merge reads the reports under their locks: the office's save in between is a conflict, not overwritten by the field's."""
    from db.packets import export_packet, merge_packet

    (code,) = codes(pg_ledger, 1)
    save_progress(pg_ledger, report(code, "办公室初稿", version=0), operator="张三")
    path = export_packet(pg_ledger, tmp_path / "外勤.duban", period=PERIOD, units=[UNIT], operator="张三")
    field = open_ledger(path)
    with field.Session.begin() as session:
        add_progress(session, report(code, "外勤的版本"), operator="外勤")
    field.close()
    first = pg_ledger.Session()
    first.begin()
    add_progress(first, report(code, "办公室刚改的", version=1), operator="张三")

    merged = raced(first, lambda: merge_packet(pg_ledger, path, operator="李四"))
    first.close()

    assert [i.task_code for i in merged.conflicts] == [code] and not merged.updated
    with pg_ledger.Session() as session:
        (view,) = list_progress(session, task_code=code, unit=UNIT, period=PERIOD)
        conflict = session.scalar(select(MergeConflict))
    assert (view.progress_text, view.version) == ("办公室刚改的", 2)
    assert (conflict.ledger_values["progress_text"], conflict.packet_values["progress_text"]) == ("办公室刚改的", "外勤的版本")


def test_a_sign_off_revoked_from_two_connections_at_once_is_revoked_once(pg_ledger):
    from db.decisions import revoke_sign_off
    from db.models import AuditLog

    (code,) = codes(pg_ledger, 1)
    with pg_ledger.Session.begin() as session:
        sign_off(session, get_task(session, code), signed_on=dt.date(2022, 6, 30), operator="张三", note="验收通过")
    first = pg_ledger.Session()
    first.begin()
    revoke_sign_off(first, get_task(first, code), operator="张三", reason="证明材料不全")

    def second():
        with pg_ledger.Session.begin() as session:
            revoke_sign_off(session, get_task(session, code), operator="李四", reason="也发现材料不全")

    refused = raced(first, second)
    first.close()
    assert isinstance(refused, UserError) and f"任务 {code} 尚未销号" in str(refused), refused
    with pg_ledger.Session() as session:
        assert session.scalars(select(AuditLog.operator).where(AuditLog.action == "task.revoke_sign_off")).all() == ["张三"]
