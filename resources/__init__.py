"""Bundled data: the 2022 plan document, its errata and the unit alias table."""

from pathlib import Path

RESOURCES_DIR = Path(__file__).parent
BUNDLED_PLAN = RESOURCES_DIR / "plan_2022_sanmenxia.txt"
# Corrections of the plan text's PDF extraction defects (db.errata, docs/errata.md).
BUNDLED_ERRATA = RESOURCES_DIR / "errata.csv"
UNITS_TABLE = RESOURCES_DIR / "units.csv"
