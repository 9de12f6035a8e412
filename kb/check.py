"""Link and graph rules over a resolved knowledge base, and severity settings applied last."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Iterable, Iterator, Mapping

from kb.config import Settings
from kb.model import Diagnostic, Link, LinkKind, Note, ResolvedLink, Severity
from kb.read import UNTYPED_STEMS
from kb.rules import diagnostic
from kb.suggest import Suggester, hint_for
from kb.urls import heading_slug


def shown(resolved: ResolvedLink) -> str:
    """How a link is quoted in messages: `[[raw]]`, or the bare front-matter item."""
    link = resolved.link
    return f"[[{link.raw}]]" if link.bracketed else f"`{link.kind.value}` item «{link.raw}»"


def link_problems(resolved: ResolvedLink, notes: Mapping[str, Note], suggester: Suggester) -> Iterator[Diagnostic]:
    """Problems of one link, by how it resolved."""
    link, res, path = resolved.link, resolved.resolution, resolved.origin
    if res.status == "missing":
        hint = hint_for(suggester.suggest(link.target))
        yield diagnostic("broken-link", path, link.line, link.col, f"broken link {shown(resolved)}: no note has this title or path", hint)
    elif res.status == "ambiguous":
        yield diagnostic("ambiguous-link", path, link.line, link.col, f"ambiguous link {shown(resolved)}: {len(res.candidates)} notes match", "candidates: " + ", ".join(res.candidates) + "; link by path")
    elif res.status == "outside":
        yield diagnostic("link-outside-root", path, link.line, link.col, f"link {shown(resolved)} leads outside the root; not followed")
    elif res.status in ("ok", "case") and res.path is not None:
        yield from _resolved_problems(resolved, notes[res.path])


def has_link_problems(resolved: ResolvedLink) -> bool:
    """Whether link_problems may find anything: false for a link that found another note, with no #heading (most links)."""
    res = resolved.resolution
    return res.status != "ok" or res.path is None or res.path == resolved.origin or bool(resolved.link.heading)


def _resolved_problems(resolved: ResolvedLink, target: Note) -> Iterator[Diagnostic]:
    """Problems of a link that found its note: case, self-link, missing heading."""
    link, path = resolved.link, resolved.origin
    if resolved.resolution.status == "case":
        yield diagnostic("case-mismatch", path, link.line, link.col, f"link {shown(resolved)} matches `{target.path}` only ignoring letter case", f"write [[{target.path[:-3] if '/' in link.target else target.title}]]")
    if target.path == path and link.target:
        yield diagnostic("self-link", path, link.line, link.col, f"note links to itself: {shown(resolved)}")
    if link.heading and not has_heading(target, link.heading):
        hint = f"headings there: {', '.join(target.headings[:6])}" if target.headings else "that note has no headings"
        yield diagnostic("missing-heading", path, link.line, link.col, f"no heading `#{link.heading}` in `{target.path}`", hint)


def has_heading(note: Note, heading: str) -> bool:
    """Whether a note has a heading, by its text (any case) or its anchor slug; block refs pass."""
    if heading.startswith("^"):
        return True
    wanted = heading.casefold()
    return any(h.casefold() == wanted or heading_slug(h) == heading_slug(heading) for h in note.headings)


def duplicate_titles(notes: Iterable[Note]) -> Iterator[Diagnostic]:
    """Titles shared by several files (maps, READMEs and index files excepted)."""
    by_title: dict[str, list[str]] = defaultdict(list)
    for note in notes:
        if note.title != "_map" and note.title.lower() not in UNTYPED_STEMS:
            by_title[note.title].append(note.path)
    for paths in by_title.values():
        for path in paths if len(paths) > 1 else ():
            others = ", ".join(p for p in paths if p != path)
            yield diagnostic("duplicate-title", path, 1, 1, f"title also used by {others}", "rename one, or link by path")


def orphans(notes: Iterable[Note], links: Iterable[ResolvedLink]) -> Iterator[Diagnostic]:
    """Claims that no other note links to."""
    linked = {path for r in links if (path := r.target_path) and path != r.origin}
    for note in notes:
        if note.kind == "claim" and note.path not in linked:
            yield diagnostic("orphan", note.path, 1, 1, "no other note links to this claim", "link it from its topic map or a related claim")


def name_collisions(paths: Iterable[str]) -> Iterator[Diagnostic]:
    """Paths that differ only in letter case or Unicode normalisation."""
    groups: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        groups[unicodedata.normalize("NFC", path).casefold()].append(path)
    for group in groups.values():
        for path in group if len(group) > 1 else ():
            others = ", ".join(p for p in group if p != path)
            yield diagnostic("name-collision", path, 1, 1, f"name collides with {others} on case-insensitive or normalising file systems", "rename one of them")


def apply_severity(diagnostics: Iterable[Diagnostic], settings: Settings) -> list[Diagnostic]:
    """Apply [tool.kb.severity] overrides, drop rules turned off, sort by place."""
    result = []
    for item in diagnostics:
        level = settings.severity.get(item.rule, item.severity)
        if level is not None:
            result.append(item if level == item.severity else _with_severity(item, level))
    return sorted(result)


def _with_severity(item: Diagnostic, level: Severity) -> Diagnostic:
    """A copy of a diagnostic at another severity."""
    return item._replace(severity=level)


def is_counter_evidence(link: Link, suggester: Suggester) -> bool:
    """A bare challenged_by item resembling no title is free-text counter-evidence, not a link."""
    return link.kind is LinkKind.CHALLENGED_BY and not link.bracketed and suggester.suggest(link.target) is None
