"""The catalogue of diagnostic rules: stable code, kebab-case name, default severity, meaning.

The README's rule table is generated from RULES, and tests/test_docs.py checks that every
rule is documented there.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.model import Diagnostic, Severity


@dataclass(frozen=True)
class Rule:
    """One kind of problem kb reports."""

    code: str
    name: str
    severity: Severity
    doc: str


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule("KB101", "yaml-error", _E, "Front matter is not valid YAML, is not a mapping, or is not closed."),
        Rule("KB102", "missing-front-matter", _W, "A note (or an empty file) has no front matter at all."),
        Rule("KB103", "duplicate-key", _E, "A front-matter key appears twice; YAML keeps only the last value."),
        Rule("KB104", "encoding-error", _E, "The file is not valid UTF-8; bad bytes are replaced and checking goes on."),
        Rule("KB105", "unreadable-file", _E, "The file could not be read, or is too large to check."),
        Rule("KB106", "symlink-outside-root", _W, "A symbolic link leads outside the root (or loops) and was skipped."),
        Rule("KB201", "missing-field", _E, "A field required for the note's type is missing or empty."),
        Rule("KB202", "invalid-value", _E, "A field has a value outside its enum, or of the wrong type."),
        Rule("KB203", "invalid-date", _E, "A date field is not a real YYYY-MM-DD date (e.g. 2026-02-00)."),
        Rule("KB204", "unknown-type", _W, "The `type` field names a type kb has no schema for."),
        Rule("KB205", "description-repeats-title", _W, "The description only restates the title instead of adding to it."),
        Rule("KB301", "broken-link", _E, "A wiki link or front-matter title points at no file."),
        Rule("KB302", "ambiguous-link", _E, "A link matches several files and no nearest one decides between them."),
        Rule("KB303", "case-mismatch", _W, "A link resolves only when letter case is ignored."),
        Rule("KB304", "missing-heading", _W, "A link's #heading does not exist in the note it points at."),
        Rule("KB305", "self-link", _W, "A note links to itself."),
        Rule("KB306", "link-outside-root", _E, "A link's path climbs out of the root; it is never followed."),
        Rule("KB401", "duplicate-title", _W, "Several files share one title (stem); links by title alone are ambiguous."),
        Rule("KB402", "orphan", _W, "No other note links to this claim."),
        Rule("KB403", "name-collision", _W, "File names differ only by letter case or Unicode normalisation (they collide on macOS/Windows)."),
        Rule("KB501", "near-duplicate", _W, "Two claims have nearly the same title or description."),
    )
}

RULES_BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES.values()}


def diagnostic(rule: str, path: str, line: int, col: int, message: str, hint: str = "") -> Diagnostic:
    """Build a diagnostic of a catalogued rule at its default severity."""
    entry = RULES[rule]
    return Diagnostic(path, line, col, entry.code, entry.name, entry.severity, message, hint)


def find_rule(name_or_code: str) -> Rule | None:
    """Look a rule up by its name ("broken-link") or its code ("KB301")."""
    return RULES.get(name_or_code) or RULES_BY_CODE.get(name_or_code.upper())
