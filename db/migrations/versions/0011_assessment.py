"""the monthly 综合考评: the office's schemes per plan, and each month's stored result with the scheme it used

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 09:00:00

A plan keeps every version of its scheme the office saved (the newest is in force).  A month's result
holds a copy of the scheme it was computed with and one row per real unit, so a later scheme leaves
the month as it was until the office computes it again.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'assessment_scheme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('components', sa.JSON(), nullable=False),
        sa.Column('operator', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_assessment_scheme_plan_id_plan'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_scheme')),
        sa.UniqueConstraint('plan_id', 'version', name=op.f('uq_assessment_scheme_plan_id')),
    )
    with op.batch_alter_table('assessment_scheme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_scheme_plan_id'), ['plan_id'], unique=False)
    op.create_table(
        'assessment_result',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('scheme', sa.JSON(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.Column('operator', sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['plan.id'], name=op.f('fk_assessment_result_plan_id_plan'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_result')),
        sa.UniqueConstraint('plan_id', 'period', name=op.f('uq_assessment_result_plan_id')),
    )
    with op.batch_alter_table('assessment_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_result_plan_id'), ['plan_id'], unique=False)
    op.create_table(
        'assessment_score',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('result_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('components', sa.JSON(), nullable=False),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('rank', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['result_id'], ['assessment_result.id'], name=op.f('fk_assessment_score_result_id_assessment_result'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_assessment_score_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_score')),
        sa.UniqueConstraint('result_id', 'unit_id', name=op.f('uq_assessment_score_result_id')),
    )
    with op.batch_alter_table('assessment_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_score_result_id'), ['result_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assessment_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_score_result_id'))
    op.drop_table('assessment_score')
    with op.batch_alter_table('assessment_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_result_plan_id'))
    op.drop_table('assessment_result')
    with op.batch_alter_table('assessment_scheme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_scheme_plan_id'))
    op.drop_table('assessment_scheme')
