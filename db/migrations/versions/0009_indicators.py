"""indicators of a plan, their staged targets and units, and the actual values units report monthly

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 21:35:46

The plan's indicator tables and quantitative goal clauses become tracked indicators (db.indicators);
an existing ledger gets them at its next `duban init` or plan import, which extracts them (the
migration only makes the tables: extraction needs the plan reader, which a migration must not import).
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('annex_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('source_key', sa.String(length=400), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('measure_unit', sa.String(length=20), nullable=True),
    sa.Column('direction', sa.String(length=10), nullable=False),
    sa.Column('baseline_text', sa.Text(), nullable=True),
    sa.Column('baseline_value', sa.Float(), nullable=True),
    sa.Column('frontier_text', sa.Text(), nullable=True),
    sa.Column('frontier_value', sa.Float(), nullable=True),
    sa.Column('source_kind', sa.String(length=10), nullable=False),
    sa.Column('indicator_row_id', sa.Integer(), nullable=True),
    sa.Column('goal_id', sa.Integer(), nullable=True),
    sa.Column('source_line', sa.Integer(), nullable=True),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('corrected_at', sa.DateTime(), nullable=True),
    sa.Column('corrected_by', sa.String(length=100), nullable=True),
    sa.Column('printed', sa.JSON(), nullable=True),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['annex_id'], ['annex.id'], name=op.f('fk_indicator_annex_id_annex'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['goal.id'], name=op.f('fk_indicator_goal_id_goal'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['indicator_row_id'], ['indicator_row.id'], name=op.f('fk_indicator_indicator_row_id_indicator_row'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_indicator_plan_id_plan'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator')),
    sa.UniqueConstraint('plan_id', 'code', name='uq_indicator_plan_code'),
    sa.UniqueConstraint('plan_id', 'source_key', name='uq_indicator_plan_source'),
    sa.UniqueConstraint('uuid', name=op.f('uq_indicator_uuid'))
    )
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_annex_id'), ['annex_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_plan_id'), ['plan_id'], unique=False)

    op.create_table('indicator_actual',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uuid', sa.String(length=36), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('value_text', sa.Text(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.Column('operator', sa.String(length=100), nullable=True),
    sa.Column('login', sa.String(length=63), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_actual_indicator_id_indicator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_indicator_actual_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_actual')),
    sa.UniqueConstraint('indicator_id', 'unit_id', 'period', name=op.f('uq_indicator_actual_indicator_id')),
    sa.UniqueConstraint('uuid', name=op.f('uq_indicator_actual_uuid'))
    )
    with op.batch_alter_table('indicator_actual', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_actual_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_actual_unit_id'), ['unit_id'], unique=False)

    op.create_table('indicator_target',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_target_indicator_id_indicator'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_target')),
    sa.UniqueConstraint('indicator_id', 'period', name=op.f('uq_indicator_target_indicator_id'))
    )
    with op.batch_alter_table('indicator_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_target_indicator_id'), ['indicator_id'], unique=False)

    op.create_table('indicator_unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_id'], ['indicator.id'], name=op.f('fk_indicator_unit_indicator_id_indicator'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_indicator_unit_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_unit')),
    sa.UniqueConstraint('indicator_id', 'unit_id', name=op.f('uq_indicator_unit_indicator_id'))
    )
    with op.batch_alter_table('indicator_unit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_unit_indicator_id'), ['indicator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_indicator_unit_unit_id'), ['unit_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('indicator_unit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_unit_unit_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_unit_indicator_id'))

    op.drop_table('indicator_unit')
    with op.batch_alter_table('indicator_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_target_indicator_id'))

    op.drop_table('indicator_target')
    with op.batch_alter_table('indicator_actual', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_actual_unit_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_actual_indicator_id'))

    op.drop_table('indicator_actual')
    with op.batch_alter_table('indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_plan_id'))
        batch_op.drop_index(batch_op.f('ix_indicator_annex_id'))

    op.drop_table('indicator')
