"""archived plans, tasks dropped from a revised plan, members of a clerk's own collectives

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 06:00:00

A finished plan can be archived: it stays readable but drops out of the warnings.  A task that a
revised version of its plan no longer has stays in the ledger with its reports, marked with the time
the revision dropped it.  A collective a clerk defined while importing a plan (各乡镇（街道）) lists its
members in unit_member; the bundled collectives keep expanding by kind (unit.expands_to_kind).
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.add_column(sa.Column('archived', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(), nullable=True))
    op.create_table(
        'unit_member',
        sa.Column('collective_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['collective_id'], ['unit.id'], name=op.f('fk_unit_member_collective_id_unit'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['unit.id'], name=op.f('fk_unit_member_member_id_unit'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('collective_id', 'member_id', name=op.f('pk_unit_member')),
    )


def downgrade() -> None:
    op.drop_table('unit_member')
    with op.batch_alter_table('task', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
    with op.batch_alter_table('plan', schema=None) as batch_op:
        batch_op.drop_column('archived')
