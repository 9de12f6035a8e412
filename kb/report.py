"""Print diagnostics as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Iterable, Sequence

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


def as_text(diagnostics: Sequence[Diagnostic]) -> str:
    """`path:line:col: severity CODE message (hint)` lines, then a summary by rule."""
    lines = [_text_line(d) for d in diagnostics]
    summary = summarise(diagnostics)
    if diagnostics:
        lines.append("")
        lines += [f"{count:6d}  {rule}" for rule, count in summary["by_rule"].items()]  # type: ignore[union-attr]
    lines.append(f"{summary['errors']} error(s), {summary['warnings']} warning(s), {summary['infos']} info")
    return "\n".join(lines) + "\n"


def _text_line(item: Diagnostic) -> str:
    """One diagnostic as a compiler-style line."""
    hint = f" ({item.hint})" if item.hint else ""
    return f"{item.path}:{item.line}:{item.col}: {item.severity.label} {item.code} [{item.rule}] {item.message}{hint}"


def as_json(diagnostics: Sequence[Diagnostic]) -> str:
    """One JSON object: {"diagnostics": [...], "summary": {...}}."""
    rows = [
        {"path": d.path, "line": d.line, "col": d.col, "severity": d.severity.label, "code": d.code, "rule": d.rule, "message": d.message, "hint": d.hint}
        for d in diagnostics
    ]
    return json.dumps({"diagnostics": rows, "summary": summarise(diagnostics)}, indent=2, ensure_ascii=False) + "\n"


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def as_github(diagnostics: Sequence[Diagnostic], root: Path, cwd: Path) -> str:
    """GitHub Actions `::error file=…,line=…,col=…,title=…::message` workflow commands."""
    lines = []
    for d in diagnostics:
        file = Path(os.path.relpath(root / d.path, cwd)).as_posix()
        message = d.message + (f" ({d.hint})" if d.hint else "")
        props = f"file={_escape(file, True)},line={d.line},col={d.col},title={_escape(d.code + ' ' + d.rule, True)}"
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {props}::{_escape(message, False)}")
    summary = summarise(diagnostics)
    lines.append(f"{summary['errors']} error(s), {summary['warnings']} warning(s), {summary['infos']} info")
    return "\n".join(lines) + "\n"


def _escape(text: str, is_property: bool) -> str:
    """Escape a workflow-command value as the Actions toolkit does."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if is_property else text
