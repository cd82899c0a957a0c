"""Bundled data: the 2022 plan document and the unit alias table."""

from pathlib import Path

RESOURCES_DIR = Path(__file__).parent
BUNDLED_PLAN = RESOURCES_DIR / "plan_2022_sanmenxia.txt"
UNITS_TABLE = RESOURCES_DIR / "units.csv"
