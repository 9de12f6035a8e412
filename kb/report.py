"""Print diagnostics as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from kb.model import Diagnostic, Severity

FORMATS = ("text", "json", "github")


def summarise(diagnostics: Iterable[Diagnostic]) -> dict[str, object]:
    """Counts by severity and by rule, as reported after the diagnostics."""
    items = list(diagnostics)
    by_rule = Counter(d.rule for d in items)
    by_severity = Counter(d.severity.label for d in items)
    return {
        "errors": by_severity.get("error", 0),
        "warnings": by_severity.get("warning", 0),
        "infos": by_severity.get("info", 0),
        "by_rule": dict(sorted(by_rule.items())),
    }


def as_text(diagnostics: Sequence[Diagnostic]) -> Iterator[str]:
    """`path:line:col: severity CODE message (hint)` lines, then a summary by rule.

    Every format is yielded in pieces to be written as they come: a large base has tens of
    thousands of diagnostics, and one joined string would sit on top of them in memory.
    """
    yield from (_text_line(d) + "\n" for d in diagnostics)
    summary = summarise(diagnostics)
    if diagnostics:
        yield "\n"
        yield from (f"{count:6d}  {rule}\n" for rule, count in summary["by_rule"].items())  # type: ignore[union-attr]
    yield _totals(summary) + "\n"


def _totals(summary: dict[str, object]) -> str:
    """The last line of the text and GitHub formats."""
    return f"{summary['errors']} error(s), {summary['warnings']} warning(s), {summary['infos']} info"


def _text_line(item: Diagnostic) -> str:
    """One diagnostic as a compiler-style line."""
    hint = f" ({item.hint})" if item.hint else ""
    return f"{item.path}:{item.line}:{item.col}: {item.severity.label} {item.code} [{item.rule}] {item.message}{hint}"


def as_json(diagnostics: Sequence[Diagnostic]) -> Iterator[str]:
    """One JSON object: {"diagnostics": [...], "summary": {...}} (in one piece)."""
    rows = [
        {"path": d.path, "line": d.line, "col": d.col, "severity": d.severity.label, "code": d.code, "rule": d.rule, "message": d.message, "hint": d.hint}
        for d in diagnostics
    ]
    yield json.dumps({"diagnostics": rows, "summary": summarise(diagnostics)}, indent=2, ensure_ascii=False) + "\n"


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def as_github(diagnostics: Sequence[Diagnostic], root: Path, cwd: Path) -> Iterator[str]:
    """GitHub Actions `::error file=…,line=…,col=…,title=…::message` workflow commands."""
    for d in diagnostics:
        file = Path(os.path.relpath(root / d.path, cwd)).as_posix()
        message = d.message + (f" ({d.hint})" if d.hint else "")
        props = f"file={_escape(file, True)},line={d.line},col={d.col},title={_escape(d.code + ' ' + d.rule, True)}"
        yield f"::{_GITHUB_LEVEL[d.severity]} {props}::{_escape(message, False)}\n"
    yield _totals(summarise(diagnostics)) + "\n"


def _escape(text: str, is_property: bool) -> str:
    """Escape a workflow-command value as the Actions toolkit does."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text
