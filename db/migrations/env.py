"""Alembic environment: runs on the connection open_ledger hands over, or on the configured URL."""

from alembic import context
from sqlalchemy import create_engine

from db.engine import install_sqlite_hooks, migration_connection
from db.models import Base
from db.pg_engine import is_server_url

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if is_server_url(url):  # a PostgreSQL ledger: transactional DDL, none of SQLite's pragmas
        from db.pg_engine import _declare_unbounded_strings, sqlalchemy_url

        _declare_unbounded_strings()
        engine = create_engine(sqlalchemy_url(url))
        try:
            with engine.begin() as conn:
                context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
                context.run_migrations()
        finally:
            engine.dispose()
        return
    # Run by hand (alembic upgrade, or a test building an old revision): the same BEGIN recipe,
    # and foreign keys off around the transaction as open_ledger does.
    engine = create_engine(url)
    install_sqlite_hooks(engine)
    try:
        with migration_connection(engine) as conn:
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
    finally:
        engine.dispose()


run_migrations()
