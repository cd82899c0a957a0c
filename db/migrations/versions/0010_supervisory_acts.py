"""the office's supervisory acts (约谈, 通报批评, 表扬, 专项督查, 回头看, 自查评估) and 回头看 re-checks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 21:34:56

An act names the units and tasks it concerns (act_target) and keeps its files inside the ledger
(act_evidence, apart from a unit's report evidence: acts are the office's and never travel in a field
packet).  A 回头看 draws signed-off tasks (recheck_item); a failed re-check keeps the sign-off it revoked.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('supervisory_act',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('act_date', sa.Date(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('in_circular', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('sample_rule', sa.Text(), nullable=True),
    sa.Column('seed', sa.Integer(), nullable=True),
    sa.Column('operator', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('result_by', sa.String(length=100), nullable=True),
    sa.Column('result_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_supervisory_act_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisory_act')),
    sa.UniqueConstraint('uuid', name=op.f('uq_supervisory_act_uuid'))
    )
    with op.batch_alter_table('supervisory_act', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervisory_act_act_date'), ['act_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_supervisory_act_plan_id'), ['plan_id'], unique=False)

    op.create_table('act_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('act_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['act_id'], ['supervisory_act.id'], name=op.f('fk_act_evidence_act_id_supervisory_act'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_act_evidence')),
    sa.UniqueConstraint('uuid', name=op.f('uq_act_evidence_uuid'))
    )
    with op.batch_alter_table('act_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_act_evidence_act_id'), ['act_id'], unique=False)

    op.create_table('act_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('act_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('unit_id IS NOT NULL OR task_id IS NOT NULL', name=op.f('ck_act_target_unit_or_task')),
    sa.ForeignKeyConstraint(['act_id'], ['supervisory_act.id'], name=op.f('fk_act_target_act_id_supervisory_act'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_act_target_task_id_task'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_act_target_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_act_target'))
    )
    with op.batch_alter_table('act_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_act_target_act_id'), ['act_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_act_target_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_act_target_unit_id'), ['unit_id'], unique=False)

    op.create_table('recheck_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('act_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('checked_on', sa.Date(), nullable=True),
    sa.Column('operator', sa.String(length=100), nullable=True),
    sa.Column('revoked_sign_off', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['act_id'], ['supervisory_act.id'], name=op.f('fk_recheck_item_act_id_supervisory_act'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['task.id'], name=op.f('fk_recheck_item_task_id_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recheck_item')),
    sa.UniqueConstraint('act_id', 'task_id', name=op.f('uq_recheck_item_act_id'))
    )
    with op.batch_alter_table('recheck_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recheck_item_act_id'), ['act_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recheck_item_task_id'), ['task_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('recheck_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recheck_item_task_id'))
        batch_op.drop_index(batch_op.f('ix_recheck_item_act_id'))

    op.drop_table('recheck_item')
    with op.batch_alter_table('act_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_act_target_unit_id'))
        batch_op.drop_index(batch_op.f('ix_act_target_task_id'))
        batch_op.drop_index(batch_op.f('ix_act_target_act_id'))

    op.drop_table('act_target')
    with op.batch_alter_table('act_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_act_evidence_act_id'))

    op.drop_table('act_evidence')
    with op.batch_alter_table('supervisory_act', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supervisory_act_plan_id'))
        batch_op.drop_index(batch_op.f('ix_supervisory_act_act_date'))

    op.drop_table('supervisory_act')
