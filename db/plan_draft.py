"""A plan as read from a document or a spreadsheet, before it is written to the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field

from db.responsibility import parse_responsibility


@dataclass
class SectionDraft:
    """A heading that groups tasks inside a measures chapter."""

    label: str
    heading: str
    goal_text: str | None = None
    line: int | None = None


@dataclass
class GoalDraft:
    """A goal paragraph of an annex (工作目标) or of a section (主要目标)."""

    kind: str
    text: str
    section_label: str | None = None
    line: int | None = None


@dataclass
class TableDraft:
    """An indicator table with its header and rows as printed."""

    title: str
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    row_lines: list[int] = field(default_factory=list)
    line: int | None = None


@dataclass
class TaskDraft:
    """One task: wording, deadline and responsibility text exactly as printed, and where it came from."""

    label: str
    title: str
    text: str
    section_label: str | None = None
    block: int = 1
    deadline_text: str | None = None
    responsibility_text: str | None = None
    footnotes: list[str] = field(default_factory=list)
    line_start: int | None = None
    line_end: int | None = None
    code: str = ""
    # Units with roles when a spreadsheet states them; None means "read them from responsibility_text".
    units: list[tuple[str, str]] | None = None
    # Set when the wording differs from the document as issued: the printed title and text where
    # they differ, and why; from_errata when the program's shipped errata made the difference (db.errata).
    printed_title: str | None = None
    printed_text: str | None = None
    wording_note: str | None = None
    from_errata: bool = False
    # What the reader doubted in this task (a bracket not closed), in Chinese, for the preview to flag.
    problems: list[str] = field(default_factory=list)

    def unit_pairs(self) -> list[tuple[str, str]]:
        """(unit as printed, role): the units a table stated, else those its responsibility text names."""
        return self.units if self.units is not None else parse_responsibility(self.responsibility_text)


@dataclass
class AnnexDraft:
    """An annex with its sections, goals, indicator tables and tasks."""

    number: int
    title: str
    topic: str
    line: int | None = None
    sections: list[SectionDraft] = field(default_factory=list)
    goals: list[GoalDraft] = field(default_factory=list)
    tables: list[TableDraft] = field(default_factory=list)
    tasks: list[TaskDraft] = field(default_factory=list)

    def section(self, label: str | None) -> SectionDraft | None:
        return next((s for s in self.sections if s.label == label), None)


@dataclass
class PlanDraft:
    """A whole plan: its identity and its annexes."""

    title: str
    doc_number: str | None
    year: int | None
    source_name: str
    annexes: list[AnnexDraft] = field(default_factory=list)
    source_sha256: str | None = None

    @property
    def tasks(self) -> list[TaskDraft]:
        return [t for a in self.annexes for t in a.tasks]
