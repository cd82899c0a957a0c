"""Every kind of hostile input, and one case of a kind: mutate a real file, feed it to its entry point, judge the result."""

from __future__ import annotations

import os
import random

from tests.hostile import mutate_packet, mutate_plan, mutate_xlsx
from tests.hostile.oracle import Bench, Verdict

TEMPLATE_KINDS = mutate_xlsx.KINDS
PACKET_KINDS = mutate_packet.KINDS
RESTORE_KINDS = mutate_packet.RESTORE_KINDS
PLAN_KINDS = mutate_plan.KINDS
KINDS = {**TEMPLATE_KINDS, **PACKET_KINDS, **RESTORE_KINDS, **PLAN_KINDS}
# Cases per kind in CI (1,040 in all; a kind with few distinct inputs asks for no more than it has); DUBAN_FUZZ_CASES sets the total for a long run (e.g. 10000).
CI_CASES = {
    "xlsx_byte_flip": 90, "xlsx_truncate": 50, "xlsx_deflate": 70, "xlsx_members": 50, "xlsx_sheet_xml": 100,
    "xlsx_strings": 70, "xlsx_id_sheet": 50, "xlsx_id_swap": 12, "xlsx_cells": 50, "xlsx_folder": 30,
    "packet_bytes": 70, "packet_rows_unsealed": 50, "packet_rows_resealed": 100, "packet_evidence_resealed": 50,
    "packet_meta": 64, "packet_base_resealed": 30, "restore_bytes": 60, "restore_foreign": 4,
    "plan_docx_bytes": 40, "plan_xlsx_bytes": 40, "plan_docx_cells": 30, "plan_text": 40, "plan_pdf_bytes": 40,
}


def cases_per_kind() -> dict[str, int]:
    total = os.environ.get("DUBAN_FUZZ_CASES")
    if not total:
        return dict(CI_CASES)
    scale = int(total) / sum(CI_CASES.values())
    return {kind: max(1, round(n * scale)) for kind, n in CI_CASES.items()}


def run_case(kind: str, rng: random.Random, bench: Bench) -> tuple[Verdict, str]:
    """Mutate, feed and judge one case; returns the verdict and what the mutation was."""
    case = bench.case_dir()
    path, what = KINDS[kind](rng, bench.world, case)
    if kind == "xlsx_folder":
        verdict = bench.folder_case(path)
    elif kind in TEMPLATE_KINDS:
        verdict = bench.template_case(path)
    elif kind in PACKET_KINDS:
        verdict = bench.packet_case(path)
    elif kind in PLAN_KINDS:
        verdict = bench.plan_case(path)
    else:
        verdict = bench.restore_case(path, foreign=kind == "restore_foreign")
    return verdict, what
