"""Loaded files as compact bytes: how parse results cross process boundaries and sit in the cache.

A LoadResult is a tree of named tuples, enums and a frozen dataclass; pickling those calls back
into Python for every object, which made shipping 10,000 parsed notes from the worker processes
(and into the parse cache) cost more than parsing them. `pack` flattens a result to plain tuples
first and pickles that (C speed); `unpack` rebuilds the objects, sharing one copy of every link
target, heading, front-matter key, short front-matter value and (line, col) position among all
notes (`strings`), which also keeps a large base's memory down.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kb.model import Diagnostic, Evidence, Link, LinkKind, LoadResult, Note, Severity

SHARED_VALUE_LENGTH = 64  # front-matter text values up to this long are shared (types, domains, dates)
_KINDS = {kind.value: kind for kind in LinkKind}
_SEVERITIES = {int(level): level for level in Severity}
_new_tuple = tuple.__new__


def pack(result: LoadResult) -> bytes:
    """One LoadResult as bytes of plain tuples.

    A link's target is most often its raw text, but an equal string, not the same one (the
    parser memoises targets by text): it is packed as the raw text itself, so pickle writes it
    once. `_value_` is the member's value without the enum property's Python call.
    """
    note = result.note
    diagnostics = diagnostic_rows(result.diagnostics)
    if note is None:
        return pickle.dumps((diagnostics, None), protocol=pickle.HIGHEST_PROTOCOL)
    links = tuple((raw, raw if target == raw else target, *link[2:6], link.kind._value_, link.context, link.bracketed) for link in note.links for raw, target in (link[:2],))
    fields = (note.path, note.title, note.kind, dict(note.meta), dict(note.positions), links, note.headings, tuple(map(tuple, note.evidence)), note.body_line, note.digest, note.has_front_matter, note.program)
    return pickle.dumps((diagnostics, fields), protocol=pickle.HIGHEST_PROTOCOL)


def unpack(data: bytes, strings: dict[Any, Any]) -> LoadResult:
    """Rebuild a packed LoadResult, sharing repeated strings and positions through `strings`."""
    diagnostics, fields = pickle.loads(data)
    share = strings.setdefault
    problems = tuple(diagnostics_of(diagnostics, share))
    if fields is None:
        return LoadResult(None, problems)
    path, title, kind, meta, positions, links, headings, evidence, body_line, digest, has_front_matter, program = fields
    note = Note(
        share(path, path), title, share(kind, kind), _shared_meta(meta, strings), {share(key, key): share(at, at) for key, at in positions.items()},
        _links(links, strings), tuple(share(text, text) for text in headings),
        tuple(Evidence(share(stance, stance), line, share(source, source)) for stance, line, source in evidence),
        body_line, digest, has_front_matter, program,
    )  # fmt: skip
    return LoadResult(note, problems)


DiagnosticRow = tuple[str, int, int, str, str, int, str, str]  # a Diagnostic with its severity as a number


def diagnostic_rows(diagnostics: Iterable[Diagnostic]) -> tuple[DiagnosticRow, ...]:
    """Diagnostics as plain tuples: named tuples and enums pickle slowly and large."""
    return tuple((*d[:5], int(d.severity), d.message, d.hint) for d in diagnostics)


def diagnostics_of(rows: Iterable[DiagnosticRow], share: Callable[[str, str], str] = lambda path, _: path) -> Iterator[Diagnostic]:
    """The diagnostics of diagnostic_rows again, each path passed through `share` (e.g. a table's setdefault)."""
    return (Diagnostic(share(path, path), line, col, code, rule, _SEVERITIES[level], message, hint) for path, line, col, code, rule, level, message, hint in rows)


def _links(packed: tuple[tuple[Any, ...], ...], strings: dict[Any, Any]) -> tuple[Link, ...]:
    """Links from their packed fields, raw text and target shared between notes (a target packed as
    the raw text itself is that shared text).

    Built with tuple.__new__ (what Link._make does, minus a Python call per link: there are
    over a hundred thousand in a large base).
    """
    share, kinds = strings.setdefault, _KINDS
    return tuple(
        _new_tuple(Link, (text := share(raw, raw), text if target is raw else share(target, target), heading, alias, line, col, kinds[kind], share(context, context) if context else context, bracketed))
        for raw, target, heading, alias, line, col, kind, context, bracketed in packed
    )


def _shared_meta(meta: dict[str, Any], strings: dict[Any, Any]) -> dict[str, Any]:
    """Front matter with its keys and short text values shared between notes."""
    return {_shared(key, strings): _shared_value(value, strings) for key, value in meta.items()}


def _shared_value(value: Any, strings: dict[Any, Any]) -> Any:
    """A front-matter value with short text (also in lists) shared; anything else unchanged."""
    if type(value) is str and len(value) <= SHARED_VALUE_LENGTH:
        return strings.setdefault(value, value)
    if type(value) is list:
        return [_shared_value(item, strings) for item in value]
    return value


def _shared(text: str, strings: dict[Any, Any]) -> str:
    """The one shared copy of a string."""
    return strings.setdefault(text, text)
