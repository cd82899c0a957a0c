"""collective members: each member of 各县（市、区）人民政府 and the like gets its own assignment

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 23:30:00

An existing ledger keeps every assignment and every report as it was (a collective's old reports
stay under the collective); each member of a collective with known members gets a row of its own,
in the collective's role and wording, appended after the task's printed units.  The members come
from the alias table bundled with this version (the county 供电公司 are new in it).
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

unit = sa.table("unit", sa.column("id", sa.Integer), sa.column("name", sa.String), sa.column("kind", sa.String), sa.column("expands_to_kind", sa.String))
unit_alias = sa.table("unit_alias", sa.column("alias", sa.String), sa.column("unit_id", sa.Integer))
assignment = sa.table(
    "assignment",
    sa.column("id", sa.Integer),
    sa.column("task_id", sa.Integer),
    sa.column("unit_id", sa.Integer),
    sa.column("role", sa.String),
    sa.column("as_printed", sa.String),
    sa.column("position", sa.Integer),
    sa.column("via_unit_id", sa.Integer),
)


def upgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('via_unit_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_assignment_via_unit_id_unit'), 'unit', ['via_unit_id'], ['id'])
    _expand_collectives(op.get_bind())


def _expand_collectives(conn) -> None:
    """Add the bundled table's member units and give each member of a collective its own assignments."""
    from db.units import UnitDirectory, normalise
    from resources import UNITS_TABLE

    directory = UnitDirectory.load(UNITS_TABLE)
    ids = dict(conn.execute(sa.select(unit.c.name, unit.c.id)).all())
    aliases = set(conn.execute(sa.select(unit_alias.c.alias)).scalars())
    targets = {r.expands_to for r in directory.records.values() if r.expands_to}
    for record in directory.records.values():
        if record.kind in targets and record.name not in ids:
            conn.execute(sa.insert(unit).values(name=record.name, kind=record.kind, expands_to_kind=None))
            ids[record.name] = conn.execute(sa.select(unit.c.id).where(unit.c.name == record.name)).scalar_one()
            for spelling in {normalise(s) for s in [record.name, *record.aliases]} - aliases:
                conn.execute(sa.insert(unit_alias).values(alias=spelling, unit_id=ids[record.name]))
                aliases.add(spelling)
    for record in directory.records.values():
        if record.expands_to and record.name in ids:
            conn.execute(sa.update(unit).where(unit.c.id == ids[record.name]).values(kind=record.kind, expands_to_kind=record.expands_to))
    members_of = {
        ids[r.name]: [ids[m] for m in directory.expansion(r.name) if m in ids]
        for r in directory.records.values()
        if r.expands_to and r.name in ids
    }
    rows = conn.execute(sa.select(assignment).order_by(assignment.c.task_id, assignment.c.position)).all()
    by_task: dict[int, list] = {}
    for row in rows:
        by_task.setdefault(row.task_id, []).append(row)
    for task_id, task_rows in by_task.items():
        taken = {r.unit_id for r in task_rows}
        position = max(r.position for r in task_rows) + 1
        for row in task_rows:
            for member in members_of.get(row.unit_id, []):
                if member in taken:
                    continue
                taken.add(member)
                conn.execute(
                    sa.insert(assignment).values(
                        task_id=task_id, unit_id=member, role=row.role, as_printed=row.as_printed, position=position, via_unit_id=row.unit_id
                    )
                )
                position += 1


def downgrade() -> None:
    op.execute(sa.delete(assignment).where(assignment.c.via_unit_id.is_not(None)))
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_assignment_via_unit_id_unit'), type_='foreignkey')
        batch_op.drop_column('via_unit_id')
