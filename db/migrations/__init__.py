"""Alembic migrations of the ledger schema."""

# The newest revision in versions/; a test checks it against Alembic's own view.
SCHEMA_HEAD = "0011"
