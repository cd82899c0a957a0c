"""The unit directory: canonical names, kinds and every spelling, from the editable alias table.

``resources/units.csv`` has one row per canonical unit: ``name,kind,aliases,expands_to`` where
aliases are separated by ``|``.  A row of kind ``复合`` is not a unit but a spelling that names
several units at once (``各县（市、区）政府和供电公司``); its aliases column lists those units.
Lookups ignore spaces, half-width brackets and a trailing 。.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from db.errors import UserError

KINDS = ("市直部门", "县（市、区）", "开发区", "驻市单位", "企业", "县级供电企业", "集合", "未分类")
COMPOUND = "复合"
UNCLASSIFIED = "未分类"


def normalise(name: str) -> str:
    """The lookup key of a spelling: no spaces, full-width brackets, no trailing punctuation."""
    name = re.sub(r"\s+", "", name).replace("(", "（").replace(")", "）")
    return name.rstrip("。.，,；;")


@dataclass
class UnitRecord:
    """A canonical unit as the alias table defines it."""

    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    expands_to: str | None = None


class UnitDirectory:
    """Resolves any spelling to canonical unit names."""

    def __init__(self, records: list[UnitRecord], compounds: dict[str, list[str]]):
        self.records = {r.name: r for r in records}
        self.compounds = compounds
        self._lookup: dict[str, str] = {}
        for record in records:
            for spelling in [record.name, *record.aliases]:
                self._lookup[normalise(spelling)] = record.name

    @classmethod
    def load(cls, path: str | Path) -> UnitDirectory:
        """Read the alias table; a malformed row is a UserError naming the row."""
        path = Path(path)
        records: list[UnitRecord] = []
        compounds: dict[str, list[str]] = {}
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            for lineno, row in enumerate(reader, start=2):
                name = (row.get("name") or "").strip()
                kind = (row.get("kind") or "").strip()
                aliases = [a.strip() for a in (row.get("aliases") or "").split("|") if a.strip()]
                if not name or kind not in (*KINDS, COMPOUND):
                    raise UserError(f"单位别名表 {path.name} 第 {lineno} 行：名称为空或类别“{kind}”不在 {'、'.join(KINDS)} 之中。")
                if kind == COMPOUND:
                    compounds[normalise(name)] = aliases
                else:
                    records.append(UnitRecord(name, kind, aliases, (row.get("expands_to") or "").strip() or None))
        directory = cls(records, compounds)
        for spelling, parts in compounds.items():
            missing = [p for p in parts if p not in directory.records]
            if missing:
                raise UserError(f"单位别名表 {path.name}：复合写法“{spelling}”指向未定义的单位 {'、'.join(missing)}。")
        return directory

    def canonical(self, spelling: str) -> str | None:
        return self._lookup.get(normalise(spelling))

    def resolve(self, spelling: str) -> list[str]:
        """Canonical names for a spelling; a spelling glued from two known ones is split; [] if unknown."""
        key = normalise(spelling)
        if key in self._lookup:
            return [self._lookup[key]]
        if key in self.compounds:
            return list(self.compounds[key])
        # A page break can drop the 、 between two units: 银保监分局市大数据局.
        for cut in range(2, len(key) - 1):
            left, right = self._lookup.get(key[:cut]), self._lookup.get(key[cut:])
            if left and right:
                return [left, right]
        return []

    def kind(self, name: str) -> str:
        record = self.records.get(name)
        return record.kind if record else UNCLASSIFIED

    def expansion(self, name: str) -> list[str]:
        """The units a collective stands for (各县（市、区）政府 → each county's government)."""
        record = self.records.get(name)
        if not record or not record.expands_to:
            return []
        return [r.name for r in self.records.values() if r.kind == record.expands_to]
