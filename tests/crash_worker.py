"""One ledger write in a process of its own, so the crash tests can SIGKILL it half way.

    python tests/crash_worker.py import LEDGER TEMPLATE [--hold EVENT]
    python tests/crash_worker.py merge LEDGER PACKET [--hold EVENT]

Prints "started" just before the write, then one line per event of the ledger's sessions as it
happens, each with its seconds since "started":

    begin 0.184       a transaction on the ledger began
    commit 0.371      its commit began (the last flush, then SQLite's COMMIT and fsync)
    committed 0.379   the commit returned: the write is on disk
    done {summary as JSON: the write's seconds, when the ledger was closed, every event's time}

so the parent can spread its kills over the write, kill at an event, and know afterwards how far
the write had come.  --hold EVENT stops the worker for good right after printing EVENT (the parent
then kills it there: "committed" is a kill after the commit, before the WAL is checkpointed).
Imports only what the write needs, before "started": each crash trial pays this process's start-up.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EVENTS = ("begin", "commit", "committed")
HOLD_SECONDS = 600  # far longer than any trial waits: the parent kills the worker first


def template_import():
    """The unit template import, as the window's 导入报送模板 runs it."""
    from exports.unit_template import import_templates

    def write(ledger, source: str) -> dict:
        report = import_templates(ledger, source, operator="crash")
        return {"ok": report.ok, "added": sum(f.added for f in report.files), "updated": sum(f.updated for f in report.files)}

    return write


def packet_merge():
    """A field packet merged back, as `duban packet merge` and the window's 合并外勤数据包 run it."""
    from db.packets import merge_packet

    def write(ledger, source: str) -> dict:
        return merge_packet(ledger, source, operator="crash", allow_deletes=True).counts()

    return write


WRITES = {"import": template_import, "merge": packet_merge}


def report_events(ledger, began: float, hold: str | None) -> list[tuple[str, float]]:
    """Print each transaction event of the ledger's sessions as it happens; returns the list they go to."""
    from sqlalchemy import event

    seen: list[tuple[str, float]] = []

    def note(name: str) -> None:
        seconds = time.perf_counter() - began
        seen.append((name, seconds))
        print(f"{name} {seconds:.4f}", flush=True)
        if name == hold:
            time.sleep(HOLD_SECONDS)

    # A savepoint (a report saved under its own SAVEPOINT) begins and commits too; only the transaction's own
    # begin and commit count, the ones a kill can catch half-written.
    releasing: list[bool] = []

    def before_commit(session) -> None:
        releasing.append(session.in_nested_transaction())
        if not releasing[-1]:
            note("commit")

    event.listen(ledger.Session, "after_begin", lambda _s, transaction, _c: transaction.nested or note("begin"))
    event.listen(ledger.Session, "before_commit", before_commit)
    event.listen(ledger.Session, "after_commit", lambda *_: releasing.pop() or note("committed"))
    return seen


def main(argv: list[str]) -> int:
    hold = None
    if "--hold" in argv:
        at = argv.index("--hold")
        hold = argv[at + 1]
        del argv[at : at + 2]
        if hold not in EVENTS:
            raise SystemExit(f"--hold takes one of {', '.join(EVENTS)}")
    kind, ledger_path, source = argv
    from db.engine import open_ledger

    write = WRITES[kind]()
    ledger = open_ledger(ledger_path)
    print("started", flush=True)
    began = time.perf_counter()
    seen = report_events(ledger, began, hold)
    summary = write(ledger, source)
    seconds = time.perf_counter() - began
    ledger.close()  # the last connection's close checkpoints the WAL into the ledger file
    closed = time.perf_counter() - began
    print("done", json.dumps(summary | {"seconds": seconds, "closed": closed, "events": seen}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
