"""Alembic environment: runs on the connection open_ledger hands over, or on the configured URL."""

from alembic import context
from sqlalchemy import create_engine

from db.engine import install_sqlite_hooks, migration_connection
from db.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        context.run_migrations()
        return
    # Run by hand (alembic upgrade, or a test building an old revision): the same BEGIN recipe,
    # and foreign keys off around the transaction as open_ledger does.
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    install_sqlite_hooks(engine)
    try:
        with migration_connection(engine) as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
    finally:
        engine.dispose()


run_migrations()
