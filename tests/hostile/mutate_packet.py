"""Mutators of a real returned field packet: bytes, and SQL edits an attacker makes with sqlite3, re-sealed or not."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import uuid
from pathlib import Path

from tests.hostile import world as sample

HUGE = 2**63 - 1


def _copy(world: sample.World, case: Path) -> Path:
    path = case / sample.PACKET_NAME
    shutil.copy(world.packet, path)
    return path


def reseal(path: Path) -> str:
    """Seal the edited packet again with the program's own compute_seal, as an attacker with the program can."""
    from db.engine import open_ledger
    from db.packet_seal import INFO_SEAL, compute_seal

    try:
        packet = open_ledger(path, scratch=True)
        try:
            with packet.Session() as s:
                seal = compute_seal(s)
        finally:
            packet.close()
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE ledger_info SET value = ? WHERE key = ?", (json.dumps(seal), INFO_SEAL))
        conn.close()
        return ", re-sealed"
    except Exception as exc:  # noqa: BLE001 - the attacker's tool failed on this edit: the packet goes unsealed
        return f", re-seal failed ({type(exc).__name__})"


def bytes_flip(rng: random.Random, world: sample.World, case: Path):
    path = _copy(world, case)
    data = bytearray(path.read_bytes())
    if rng.random() < 0.3:
        cut = rng.randrange(len(data))
        path.write_bytes(bytes(data[:cut]))
        return path, f"cut at {cut} of {len(data)} bytes"
    flips = rng.randint(1, 24)
    for _ in range(flips):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return path, f"{flips} random bit flips"


def _pick(conn, sql: str, rng: random.Random):
    rows = conn.execute(sql).fetchall()
    return rng.choice(rows) if rows else None


def _entry_edit(rng: random.Random, conn: sqlite3.Connection, world: sample.World) -> str:
    """One edit of progress_entry (rows added, removed or changed, with wrong types)."""
    move = rng.choice(["status", "percent", "text", "entry_date", "period", "reporter", "version", "tombstone_all", "delete_rows",
                       "unassigned", "out_of_months", "steal_uuid", "task_id", "unit_id", "blob", "changed_on"])
    uid = _pick(conn, "SELECT uuid FROM progress_entry", rng)[0]
    values = {
        "status": ["完成了", "", "已完成 ", None, 1, "推进中" * 100],
        "percent": [500, -1, HUGE, -HUGE, "80", 3.5, None, b"\x01"],
        "text": ["", " ", "进" * 400_000, None, 12345, "\x00"],
        "entry_date": ["2999-01-01", "garbage", "", None, 12345, "2022-02-30", "1900-01-01", "2022-06-01T00:00:00"],
        "period": ["2022-13", "abcd", "2999-01", "", None, "2015-01", "2022-6"],
        "reporter": ["人" * 1000, 42, None, "\x1b[2J"],
        "version": [HUGE, -5, "x", 0, None, 2**53],
        "changed_on": ["x" * 10_000, 42],
    }
    column = {"text": "progress_text"}.get(move, move)
    if move in values:
        value = rng.choice(values[move])
        conn.execute(f"UPDATE progress_entry SET {column} = ? WHERE uuid = ?", (value, uid))
        return f"progress_entry.{column} of one report = {str(value)[:30]!r}"
    if move == "blob":
        column = rng.choice(["progress_text", "status", "problems", "period", "uuid"])
        conn.execute(f"UPDATE progress_entry SET {column} = CAST(? AS BLOB) WHERE uuid = ?", ("推进中".encode(), uid))
        return f"progress_entry.{column} stored as a BLOB"
    if move == "tombstone_all":
        conn.execute("UPDATE progress_entry SET deleted_at = '2022-06-30 00:00:00', version = version + 1")
        return "every report tombstoned"
    if move == "delete_rows":
        conn.execute("DELETE FROM progress_entry WHERE uuid = ?", (uid,))
        return "a report removed"
    if move == "steal_uuid":
        stolen = str(uuid.uuid4())
        conn.execute("UPDATE progress_entry SET uuid = ? WHERE uuid = ?", (stolen, uid))
        return "a report's uuid changed"
    if move == "task_id":
        conn.execute("UPDATE progress_entry SET task_id = ? WHERE uuid = ?", (rng.choice([10**9, -1, "A01-01"]), uid))
        return "a report's task_id points nowhere"
    if move == "unit_id":
        other = _pick(conn, "SELECT id FROM unit WHERE id NOT IN (SELECT unit_id FROM progress_entry)", rng)
        conn.execute("UPDATE progress_entry SET unit_id = ? WHERE uuid = ?", (other[0], uid))
        return "a report moved to another unit"
    # New rows: for a (task, unit) with no assignment, or a month outside the packet.
    task, unit = _pick(conn, "SELECT t.id, u.id FROM task t, unit u WHERE NOT EXISTS (SELECT 1 FROM assignment a WHERE a.task_id = t.id AND a.unit_id = u.id) LIMIT 200", rng) \
        if move == "unassigned" else _pick(conn, "SELECT task_id, unit_id FROM assignment", rng)
    period = "2022-06" if move == "unassigned" else rng.choice(["2015-01", "2021-01", "2030-01"])
    for _ in range(rng.choice([1, 1, 50])):
        conn.execute(
            "INSERT OR IGNORE INTO progress_entry (uuid, task_id, unit_id, period, status, percent, progress_text, entry_date, version,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, '推进中', 50, '伪造的进展', '2022-06-15', 1, '2022-06-15 00:00:00', '2022-06-15 00:00:00')",
            (str(uuid.uuid4()), task, unit, period),
        )
        task += 0
        period = period if move != "unassigned" else period
    return f"reports inserted ({move}, {period})"


def _evidence_edit(rng: random.Random, conn: sqlite3.Connection, world: sample.World) -> str:
    move = rng.choice(["name", "name", "sha", "size", "big", "orphan", "new", "blob_name"])
    row = _pick(conn, "SELECT uuid, entry_uuid FROM evidence WHERE deleted_at IS NULL", rng)
    entry = _pick(conn, "SELECT uuid FROM progress_entry WHERE deleted_at IS NULL", rng)[0]
    names = ["../../evil.txt", "/etc/cron.d/evil", "C:\\Windows\\evil.dll", "\\\\server\\share\\evil", "a\x00b.jpg", "x" * 1000 + ".jpg",
             "\x1b[31m.jpg", "CON", " ", "..", "照片/../../逃逸.jpg", "正常.jpg"]
    if move in ("new", "big", "orphan") or row is None:
        size = 20 * 1024 * 1024 + 1 if move == "big" else 64
        data = b"\0" * size
        import hashlib

        conn.execute(
            "INSERT INTO evidence (uuid, entry_uuid, name, size, sha256, data, origin, created_at) VALUES (?, ?, ?, ?, ?, ?, NULL, '2022-06-15 00:00:00')",
            (str(uuid.uuid4()), entry if move != "orphan" else str(uuid.uuid4()), rng.choice(names), size, hashlib.sha256(data).hexdigest(), data),
        )
        return f"evidence inserted ({move})"
    if move == "name":
        name = rng.choice(names)
        conn.execute("UPDATE evidence SET name = ? WHERE uuid = ?", (name, row[0]))
        return f"evidence name = {name[:40]!r}"
    if move == "blob_name":
        conn.execute("UPDATE evidence SET name = CAST(? AS BLOB) WHERE uuid = ?", (b"\xff\xfe/../x", row[0]))
        return "evidence name stored as non-UTF-8 BLOB"
    if move == "sha":
        conn.execute("UPDATE evidence SET sha256 = ? WHERE uuid = ?", ("0" * 64, row[0]))
        return "evidence sha256 wrong"
    conn.execute("UPDATE evidence SET size = ? WHERE uuid = ?", (rng.choice([0, -1, 10**12, HUGE]), row[0]))
    return "evidence size false"


def _meta_edit(rng: random.Random, conn: sqlite3.Connection, world: sample.World) -> str:
    key, value = rng.choice([
        ("packet.seal", "[]"), ("packet.seal", "[1, 2]"), ("packet.seal", "null"), ("packet.seal", '"x"'), ("packet.seal", "{"),
        ("packet.seal", '{"format": 9223372036854775807}'), ("packet.seal", '{"format": 1}'), ("packet.scope", "[]"), ("packet.scope", "{"),
        ("packet.created", "[]"), ("packet.created", '"张三"'), ("packet.created", '{"by": ["x"]}'), ("packet.source_ledger_id", ""),
        ("packet.id", "x" * 100_000), ("packet.period", "garbage"), ("packet.period", "2999-01"), ("packet.id", None),
        ("packet.seal", b"\x80\x81"), ("packet.created", b"\xff"),
    ])
    conn.execute("UPDATE ledger_info SET value = ? WHERE key = ?", (value, key))
    return f"ledger_info {key} = {str(value)[:30]!r}"


def _base_edit(rng: random.Random, conn: sqlite3.Connection, world: sample.World) -> str:
    move = rng.choice(["drop_all", "version", "digest", "add"])
    if move == "drop_all":
        conn.execute("DELETE FROM packet_base")
        return "packet_base emptied"
    if move == "version":
        conn.execute("UPDATE packet_base SET version = ?", (rng.choice([HUGE, -1, "x"]),))
        return "packet_base versions changed"
    if move == "digest":
        conn.execute("UPDATE packet_base SET digest = ?", (rng.choice(["", "0" * 64, "x" * 10_000]),))
        return "packet_base digests changed"
    conn.execute("INSERT INTO packet_base (entry_uuid, version, digest) VALUES (?, 1, ?)", (str(uuid.uuid4()), "0" * 64))
    return "a packet_base row for no report"


def _sql(edit, sealed: bool):
    def mutate(rng: random.Random, world: sample.World, case: Path):
        path = _copy(world, case)
        done = []
        with sqlite3.connect(path) as conn:
            for _ in range(rng.choice([1, 1, 2])):
                try:
                    done.append(edit(rng, conn, world))
                except sqlite3.DatabaseError as exc:  # a constraint stopped this edit: the attacker tries the next
                    done.append(f"edit refused by SQLite ({exc})")
        conn.close()
        what = "; ".join(done)
        if sealed:
            what += reseal(path)
        return path, what

    return mutate


KINDS = {
    "packet_bytes": bytes_flip,
    "packet_rows_unsealed": _sql(_entry_edit, sealed=False),
    "packet_rows_resealed": _sql(_entry_edit, sealed=True),
    "packet_evidence_resealed": _sql(_evidence_edit, sealed=True),
    "packet_meta": _sql(_meta_edit, sealed=False),
    "packet_base_resealed": _sql(_base_edit, sealed=True),
}


# --- restore ----------------------------------------------------------------------------------------


def restore_bytes(rng: random.Random, world: sample.World, case: Path):
    path = case / "ledger-backup.sqlite"
    data = bytearray(world.backup.read_bytes())
    flips = rng.randint(1, 12)
    for _ in range(flips):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return path, f"{flips} bit flips in a good backup"


def restore_foreign(rng: random.Random, world: sample.World, case: Path):
    source = rng.choice([world.foreign_ledger, world.packet])
    path = case / rng.choice(["ledger-backup.sqlite", source.name])
    shutil.copy(source, path)
    return path, f"{'another ledger' if source == world.foreign_ledger else 'a field packet'} given as the backup"


RESTORE_KINDS = {"restore_bytes": restore_bytes, "restore_foreign": restore_foreign}
