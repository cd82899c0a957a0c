"""Exports: Excel ledgers, PDF reports, unit templates and the plan sheet (no Qt)."""
