"""What a build is asked to do and reports back: options, result, progress and timings, state to record.

Kept apart from kb.build so that a quick rebuild (kb.quick_build) can start without importing
the page renderers.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Protocol

from kb.cache import Stamp
from kb.model import Diagnostic, Severity

Tally = dict[tuple[str, Severity], int]  # how many diagnostics of each (rule, severity)


class Reporter(Protocol):
    """Receives build progress (a rich bar on a terminal, plain lines in CI, a list in tests)."""

    def stage(self, name: str, total: int = 0) -> None: ...  # noqa: D102
    def advance(self, count: int = 1) -> None: ...  # noqa: D102
    def done(self) -> None: ...  # noqa: D102


class SilentReporter:
    """A reporter that reports nothing."""

    def stage(self, name: str, total: int = 0) -> None:
        """Ignore a stage."""

    def advance(self, count: int = 1) -> None:
        """Ignore progress."""

    def done(self) -> None:
        """Ignore the end."""


class TimingReporter:
    """Passes progress on to another reporter and keeps the wall time of every stage, in order."""

    def __init__(self, inner: Reporter) -> None:
        self.inner = inner
        self.stages: list[tuple[str, float]] = []
        self.started = self.mark = time.perf_counter()
        self.current = ""

    def stage(self, name: str, total: int = 0) -> None:
        """Close the running stage and start the next."""
        self._close()
        self.current = name
        self.inner.stage(name, total)

    def advance(self, count: int = 1) -> None:
        """Pass progress on."""
        self.inner.advance(count)

    def done(self) -> None:
        """Close the last stage (a reporter may be told more than once)."""
        self._close()
        self.inner.done()

    def _close(self) -> None:
        """Record the time since the last mark under the running stage's name, if any."""
        now = time.perf_counter()
        if self.current:
            self.stages.append((self.current, now - self.mark))
        self.current, self.mark = "", now

    def lines(self) -> list[str]:
        """`stage: 1.23 s` lines, then the total since this reporter was made."""
        rows = self.stages + [("total", time.perf_counter() - self.started)]
        return [f"{name}: {seconds:.2f} s" for name, seconds in rows]


@dataclass(frozen=True)
class BuildOptions:
    """How to build: where to, with which templates, and site-wide settings."""

    out: Path
    templates: Path | None = None
    site_url: str = ""
    title: str = "Knowledge base"
    search: bool = True
    workers: int = 0  # processes rendering pages; 0: one per core


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    out: Path
    pages: int
    search_indexed: bool
    search_message: str  # for a quick rebuild: what it rewrote
    quick: bool = False  # only the pages of notes whose bodies changed were rewritten (kb.quick_build)


@dataclass(frozen=True)
class Recording:
    """Keep this build's state for quick rebuilds (kb.build_state): where, and what was read."""

    folder: Path  # the state folder of this root and output folder
    stamps: dict[str, Stamp | None]  # every file's stamp, taken before it was read
    discovery: tuple[Diagnostic, ...]
    key: str


def tally_of(diagnostics: Iterable[Diagnostic]) -> Tally:
    """Count diagnostics by rule and severity: all `kb build` prints, kept in a quick rebuild's state."""
    return dict(Counter((d.rule, d.severity) for d in diagnostics))
