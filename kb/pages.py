"""View models: one function per kind of page, each returning plain data for its template."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from kb.body import LinkPlace, link_places, read_body, render_note_body
from kb.graph import Edge
from kb.model import Note
from kb.site_model import (
    CONFIDENCE_HELP,
    SiteModel,
    date_of,
    domain_of,
    map_domain,
    text_of,
    texts_of,
)
from kb.urls import base_of

EDGE_LABELS = {
    "relates": "Relates to",
    "depends_on": "Depends on",
    "challenges": "Challenges",
    "topic": "Topics",
    "extracted_from": "Extracted from",
    "evidence": "Evidence from",
}
INCOMING_LABELS = {
    "relates": "Linked from",
    "depends_on": "Depended on by",
    "challenges": "Challenged by",
    "topic": "Listed in topic",
    "extracted_from": "Claims extracted from this source",
    "evidence": "Evidence for",
}


@dataclass(frozen=True)
class Page:
    """A page to write: its site path, its template and the data the template shows."""

    path: str
    template: str
    context: dict[str, Any]
    digest: str = ""  # hash of inputs the context does not show (the note's file)
    body: Callable[[], str] | None = None  # renders the costly "body" entry, only when needed
    stream: bool = False  # written piece by piece as rendered (site-wide lists can be tens of MB)

    def full_context(self) -> dict[str, Any]:
        """The context with its deferred body rendered."""
        return {**self.context, "body": self.body()} if self.body else self.context


def site_page(path: str, template: str, title: str, **context: Any) -> Page:
    """A site-wide page (not a note's) with the context every template needs."""
    return Page(path, template, {"page": path, "base": base_of(path), "title": title, **context}, stream=True)


def item(model: SiteModel, path: str, text: str = "", **extra: Any) -> dict[str, Any]:
    """A link to a note as templates list it (its shown fields memoised as a tuple: a dict each costs 4x the memory)."""
    listed = model.listed.get(path)
    if listed is None:
        note = model.note(path)
        listed = model.listed[path] = (model.urls[path], display_title(note), note.kind, text_of(note, "confidence"), domain_of(note))
    url, title, kind, confidence, domain = listed
    return {"url": url, "title": title, "kind": kind, "confidence": confidence, "domain": domain, "text": text, **extra}


def display_title(note: Note) -> str:
    """How a note is named in lists: a source note by its `title`, everything else by its stem."""
    title = note.meta.get("title")
    return title.strip() if note.kind == "source" and isinstance(title, str) and title.strip() else note.title


LIST_LIMIT = 150  # relations shown per group on a note page; the rest are on its links page


def _edge_groups(model: SiteModel, edges: list[Edge], incoming: bool, limit: int | None = None) -> list[dict[str, Any]]:
    """Edges grouped by type, with the other end and the relationship text (first `limit` each).

    Past the limit a relation is only counted: a hub's thousands of backlinks are never listed.
    """
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    counts: Counter[str] = Counter()
    seen: set[tuple[str, str, str]] = set()
    for edge in edges:
        key = (edge.type, edge.source if incoming else edge.target, edge.text)
        if key not in seen:
            seen.add(key)
            counts[edge.type] += 1
            if limit is None or counts[edge.type] <= limit:
                groups[edge.type].append(item(model, key[1], edge.text))
    labels = INCOMING_LABELS if incoming else EDGE_LABELS
    return [
        {"type": kind, "label": labels[kind], "links": groups[kind], "more": counts[kind] - len(groups[kind])}
        for kind in labels
        if groups.get(kind)
    ]


def links_url(page: str) -> str:
    """Site path of the page listing every relation of a heavily linked note (its page's path
    under links/: a claim and a source may share a slug, not a section)."""
    return "links/" + page


def links_page(model: SiteModel, note: Note) -> Page:
    """Every relation of a note whose page shows only the first LIST_LIMIT of each group."""
    page = links_url(model.urls[note.path])
    out_edges, in_edges = model.edges_out(note.path), model.edges_in(note.path)
    context = {"page": page, "base": base_of(page), "title": f"All relations of {display_title(note)}",
               "note": item(model, note.path), "outgoing": _edge_groups(model, out_edges, incoming=False),
               "incoming": _edge_groups(model, in_edges, incoming=True)}  # fmt: skip
    return Page(page, "links.html", context, stream=True)


def links_pages(model: SiteModel) -> Iterator[Page]:
    """A full relations page for every note with more relations than its page lists."""
    for path, note in model.kb.notes.items():
        if model.count_in(path) > LIST_LIMIT or model.count_out(path) > LIST_LIMIT:
            yield links_page(model, note)


def depends_chain(model: SiteModel, path: str, limit: int = 50) -> list[dict[str, Any]]:
    """What a claim depends on, transitively, breadth first, with depth (cycles stop)."""
    chain, seen, frontier, depth = [], {path}, [path], 0
    while frontier and len(chain) < limit:
        depth += 1
        following = []
        for current in frontier:
            for target in model.depends_on(current):
                if target not in seen:
                    seen.add(target)
                    following.append(target)
                    chain.append(item(model, target, depth=depth))
        frontier = following
    return chain[:limit]


def unresolved_links(model: SiteModel, path: str) -> list[dict[str, Any]]:
    """Links of a note that point nowhere (free-text counter-evidence excluded)."""
    return [
        {"raw": r.link.raw, "status": r.resolution.status, "line": r.link.line}
        for r in model.outlinks.get(path, [])
        if r.resolution.status in ("missing", "ambiguous", "outside")
    ]


def counter_evidence(model: SiteModel, path: str) -> list[str]:
    """Free-text `challenged_by` items of a claim."""
    return [r.link.raw for r in model.outlinks.get(path, []) if r.resolution.status == "text"]


def note_meta(note: Note) -> dict[str, Any]:
    """Front-matter fields every note page shows."""
    created, evaluated = date_of(note, "created"), date_of(note, "last_evaluated")
    confidence = text_of(note, "confidence")
    return {
        "description": text_of(note, "description"),
        "confidence": confidence,
        "confidence_help": CONFIDENCE_HELP.get(confidence, "Confidence not stated in a known level."),
        "source": text_of(note, "source"),
        "created": created.isoformat() if created else text_of(note, "created"),
        "last_evaluated": evaluated.isoformat() if evaluated else "",
        "status": text_of(note, "status"),
        "secondary_domains": texts_of(note, "secondary_domains"),
    }


def note_page(model: SiteModel, note: Note, places: list[LinkPlace] | None = None) -> Page:
    """The page of one note: claim, source, map or any other kind (its body read again when rendered).

    `places`: its links as link_places gives them, if made.
    """
    page = model.urls[note.path]
    template = f"{note.kind if note.kind in ('claim', 'source', 'map') else 'note'}.html"
    links = places if places is not None else link_places(model.outlinks.get(note.path, []))
    return Page(page, template, _note_context(model, note, page), note.digest, note_body(model, note, page, links))


def note_body(model: SiteModel, note: Note, page: str, links: list[LinkPlace], text: str | None = None) -> Callable[[], str]:
    """Renders a note's body for its page at site path `page` (from `text`, else its file read again)."""

    def body() -> str:
        source = text if text is not None else read_body(model.kb.root, note, model.kb.settings.max_file_bytes)
        return render_note_body(source, note, page, links, model.urls)

    return body


def _note_context(model: SiteModel, note: Note, page: str) -> dict[str, Any]:
    """What a note's page shows besides its body (the page at site path `page`)."""
    out_edges, in_edges = model.edges_out(note.path), model.edges_in(note.path)
    return {
        "page": page, "base": base_of(page), "title": display_title(note), "note_path": note.path,
        "kind": note.kind, "domain": domain_of(note), "meta": note_meta(note),
        "domain_url": model.domain_urls.get(domain_of(note), ""),
        "outgoing": _edge_groups(model, out_edges, incoming=False, limit=LIST_LIMIT),
        "incoming": _edge_groups(model, in_edges, incoming=True, limit=LIST_LIMIT),
        "links_url": links_url(page),
        "depends": depends_chain(model, note.path),
        "challenges": _challenges(model, note, in_edges, out_edges),
        "evidence": _evidence(model, note, out_edges),
        "unresolved": unresolved_links(model, note.path),
        "source_fields": _source_fields(note) if note.kind == "source" else [],
        "url": safe_url(text_of(note, "url")),
        "missing_from_map": _missing_from_map(model, note, out_edges) if note.kind == "map" else [],
        "programs": model.convergence.claim_view(note.path) if model.convergence and note.kind == "claim" else None,
        "graph_focus": note.path,
    }  # fmt: skip


def _challenges(model: SiteModel, note: Note, in_edges: list[Edge], out_edges: list[Edge]) -> dict[str, Any]:
    """Who challenges a claim: challenging claims, free-text counter-evidence, challenge evidence."""
    return {
        "claims": [item(model, e.source, e.text) for e in in_edges if e.type == "challenges"],
        "text": counter_evidence(model, note.path),
        "sections": [item(model, e.target) for e in out_edges if e.type == "evidence" and e.text == "challenge"],
    }


def _evidence(model: SiteModel, note: Note, out_edges: list[Edge]) -> list[dict[str, Any]]:
    """The claim's Additional Evidence sections with their stance and source."""
    rows = []
    for section in note.evidence:
        linked = next((e.target for e in out_edges if e.type == "evidence" and e.line == section.line + 1), None)
        rows.append({"stance": section.stance, "line": section.line, "source": item(model, linked) if linked else None, "source_text": section.source})
    return rows


SOURCE_FIELDS = ("author", "date", "format", "status", "processed_by", "tags")


def _source_fields(note: Note) -> list[tuple[str, str]]:
    """Metadata rows of a source note (the url is shown separately, and only if http(s))."""
    return [(key, text_of(note, key)) for key in SOURCE_FIELDS if text_of(note, key)]


def safe_url(value: str) -> str:
    """An http(s) URL from front matter, or "" (never javascript:, data: or anything else)."""
    text = value.strip()
    return text if text.lower().startswith(("http://", "https://")) and not any(c in text for c in "\"'<> \n") else ""


def _missing_from_map(model: SiteModel, note: Note, out_edges: list[Edge]) -> list[dict[str, Any]]:
    """Claims of the map's domain that the map does not link."""
    linked = {e.target for e in out_edges}
    return [item(model, c.path) for c in model.domains.get(map_domain(note), []) if c.path not in linked]
