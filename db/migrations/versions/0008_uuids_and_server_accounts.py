"""stable UUIDs for plans and units, the database login in the audit log, the units a login reports for

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 09:00:00

Sync and field packets matched plans and units by name; a UUID made once and kept everywhere lets a
renamed unit or a retitled plan still match.  On a server ledger (PostgreSQL) the audit log records
the database login that made each change (audit_log.login, set by the server, not the client), and
account_unit says which units a `unit` login may report for; a ledger file leaves both empty.
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TABLES = ('plan', 'unit')


def upgrade() -> None:
    conn = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('uuid', sa.String(length=36), nullable=True))
        rows = sa.table(table, sa.column('id', sa.Integer), sa.column('uuid', sa.String))
        for (row_id,) in conn.execute(sa.select(rows.c.id)).all():
            conn.execute(sa.update(rows).where(rows.c.id == row_id).values(uuid=str(uuid.uuid4())))
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('uuid', existing_type=sa.String(length=36), nullable=False)
            batch_op.create_unique_constraint(op.f(f'uq_{table}_uuid'), ['uuid'])
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('login', sa.String(length=63), nullable=True))
    op.create_table(
        'account_unit',
        sa.Column('login', sa.String(length=63), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_account_unit_unit_id_unit'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('login', 'unit_id', name=op.f('pk_account_unit')),
    )


def downgrade() -> None:
    op.drop_table('account_unit')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('login')
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'uq_{table}_uuid'), type_='unique')
            batch_op.drop_column('uuid')
