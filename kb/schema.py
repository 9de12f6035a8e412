"""Schema rules: required fields, enums, dates, list and text fields, by the note's `type`."""

from __future__ import annotations

import difflib
from itertools import repeat
from typing import Any, Iterator

from rapidfuzz import fuzz

from kb.config import Settings, TypeSchema
from kb.frontmatter import InvalidDate, as_date
from kb.model import Diagnostic, Note
from kb.rules import diagnostic
from kb.suggest import spelling_key


def schema_problems(note: Note, settings: Settings) -> Iterator[Diagnostic]:
    """Every schema problem of one note."""
    if not note.has_front_matter:
        return
    schema = settings.schemas.get(note.kind)
    if schema is None:
        if note.kind not in settings.known_types and note.kind != "note":
            line, col = note.position("type")
            yield diagnostic("unknown-type", note.path, line, col, f"unknown type `{note.kind}`", f"known types: {', '.join(settings.known_types)}")
        return
    yield from _missing_fields(note, schema)
    yield from _enum_values(note, schema)
    yield from _dates(note, schema)
    yield from _shapes(note, schema)
    yield from _description_repeats_title(note)


def _is_empty(value: Any) -> bool:
    """Whether a field is absent in substance: None, blank text or an empty collection."""
    return value is None or (isinstance(value, (str, list, dict)) and not (value.strip() if isinstance(value, str) else value))


def _missing_fields(note: Note, schema: TypeSchema) -> Iterator[Diagnostic]:
    """Required fields that are absent or empty."""
    for field in schema.required:
        if _is_empty(note.meta.get(field)):
            where = "is empty" if field in note.meta else "is missing"
            line, col = note.position(field)
            yield diagnostic("missing-field", note.path, line, col, f"required field `{field}` {where} (type: {note.kind})")


def _enum_values(note: Note, schema: TypeSchema) -> Iterator[Diagnostic]:
    """Fields whose value is not one of their allowed values."""
    for field, allowed in schema.enums.items():
        value = note.meta.get(field)
        if _is_empty(value) or (isinstance(value, str) and value.strip() in allowed):
            continue
        close = difflib.get_close_matches(str(value).strip().lower(), allowed, n=1)
        hint = f"did you mean `{close[0]}`?" if close else f"one of: {' | '.join(allowed)}"
        line, col = note.position(field)
        yield diagnostic("invalid-value", note.path, line, col, f"`{field}: {value}` is not allowed", hint)


def _dates(note: Note, schema: TypeSchema) -> Iterator[Diagnostic]:
    """Date fields that hold no real YYYY-MM-DD date (impossible dates were reported on parsing)."""
    for field in schema.dates:
        value = note.meta.get(field)
        if _is_empty(value) or isinstance(value, InvalidDate) or as_date(value) is not None:
            continue
        line, col = note.position(field)
        yield diagnostic("invalid-date", note.path, line, col, f"`{field}: {value}` is not a date", "use YYYY-MM-DD")


def _shapes(note: Note, schema: TypeSchema) -> Iterator[Diagnostic]:
    """List fields that are not lists of text, and text fields that are not text."""
    for field in schema.lists:
        value = note.meta.get(field)
        if value is None or (isinstance(value, list) and all(map(isinstance, value, repeat(str)))):  # map: no Python call per item
            continue
        what = "a list of text items" if isinstance(value, list) else f"a list, not {type(value).__name__}"
        line, col = note.position(field)
        yield diagnostic("invalid-value", note.path, line, col, f"`{field}` must be {what}", f"write `{field}:` then one `- item` per line")
    for field in schema.strings:
        value = note.meta.get(field)
        if value is not None and not isinstance(value, str):
            line, col = note.position(field)
            yield diagnostic("invalid-value", note.path, line, col, f"`{field}` must be text, not {type(value).__name__}", "quote the value")


def _description_repeats_title(note: Note) -> Iterator[Diagnostic]:
    """A description that says nothing the title does not already say."""
    description = note.meta.get("description")
    if not isinstance(description, str) or not description.strip():
        return
    said, title = spelling_key(description), spelling_key(note.title)
    if said == title or fuzz.ratio(said, title) >= 90:
        line, col = note.position("description")
        yield diagnostic("description-repeats-title", note.path, line, col, "description repeats the title", "say what the title does not: scope, mechanism or evidence")
