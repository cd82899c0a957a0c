"""Long work (exports, imports, merges) reports progress and stops when the clerk cancels.

The window passes a JobControl wired to its progress dialog; the command line uses the default,
which reports nothing and is never cancelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


class Cancelled(Exception):
    """The clerk pressed 取消: the work stopped, and nothing was written."""


@dataclass
class JobControl:
    """Progress reporting and cancellation for one piece of long work."""

    report: Callable[[int, int, str], None] = field(default=lambda done, total, what: None)
    cancelled: Callable[[], bool] = field(default=lambda: False)

    def step(self, done: int, total: int, what: str) -> None:
        """Report progress; raises Cancelled if the clerk asked to stop."""
        if self.cancelled():
            raise Cancelled()
        self.report(done, total, what)
