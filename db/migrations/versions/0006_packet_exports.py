"""packet exports: the office's own record of each field packet it exported

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 23:40:18

A merge checks a returned packet against this record (its tasks, units, months and the base of every
report as exported), not against what the packet says about itself.  Packets exported before this
revision have no record and are refused at merge with a request to export them again.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'packet_export',
        sa.Column('packet_id', sa.String(length=36), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('operator', sa.String(length=100), nullable=True),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('first_period', sa.String(length=7), nullable=False),
        sa.Column('task_ids', sa.JSON(), nullable=False),
        sa.Column('unit_ids', sa.JSON(), nullable=False),
        sa.Column('base', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('packet_id', name=op.f('pk_packet_export')),
    )


def downgrade() -> None:
    op.drop_table('packet_export')
