"""printed wording of corrected tasks

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 23:00:00

A task whose title or text differs from the printed document keeps the printed wording beside the
corrected one.  Tasks a clerk corrected before this revision get theirs back from the audit trail:
the "before" of their first correction, when the task code is unambiguous in the ledger.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('printed_title', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('printed_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('wording_note', sa.Text(), nullable=True))
    _backfill_clerk_corrections()


def _backfill_clerk_corrections() -> None:
    conn = op.get_bind()
    tasks = conn.execute(
        sa.text(
            "SELECT t.id, t.code, t.title, t.text FROM task t WHERE t.corrected_at IS NOT NULL "
            "AND (SELECT count(*) FROM task o WHERE o.code = t.code) = 1"
        )
    ).all()
    for task_id, code, title, text in tasks:
        first = conn.execute(
            sa.text(
                "SELECT before, note FROM audit_log WHERE action = 'task.correct' AND entity = 'task' "
                "AND entity_key = :code ORDER BY id LIMIT 1"
            ),
            {"code": code},
        ).first()
        if first is None or first[0] is None:
            continue
        before = first[0] if isinstance(first[0], dict) else json.loads(first[0])
        printed_title = before.get("title") if before.get("title") not in (None, title) else None
        printed_text = before.get("text") if before.get("text") not in (None, text) else None
        if printed_title is None and printed_text is None:
            continue
        conn.execute(
            sa.text("UPDATE task SET printed_title = :pt, printed_text = :px, wording_note = :note WHERE id = :id"),
            {"pt": printed_title, "px": printed_text, "note": first[1], "id": task_id},
        )


def downgrade() -> None:
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('wording_note')
        batch_op.drop_column('printed_text')
        batch_op.drop_column('printed_title')
