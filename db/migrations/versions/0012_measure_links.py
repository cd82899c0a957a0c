"""links from 附件1's summary measures to the special-annex tasks that carry them out

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-20 09:00:00

附件1 repeats, in summary, measures the special annexes (附件2-21) set out as tasks of their own.
A link is suggested by the wording both share, then confirmed or rejected by the office; a
confirmed link lets a measure count as done when the tasks that carry it out are signed off.
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'measure_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('measure_task_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('phrases', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['measure_task_id'], ['task.id'], name=op.f('fk_measure_link_measure_task_id_task'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_measure_link_task_id_task'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_measure_link')),
        sa.UniqueConstraint('measure_task_id', 'task_id', name=op.f('uq_measure_link_measure_task_id')),
    )
    with op.batch_alter_table('measure_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measure_link_measure_task_id'), ['measure_task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_measure_link_task_id'), ['task_id'], unique=False)


def downgrade() -> None:
    op.drop_table('measure_link')
