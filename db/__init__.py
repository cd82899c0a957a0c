"""The ledger: models, migrations, plan import and the service functions that apply its rules (no Qt)."""
