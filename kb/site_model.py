"""Everything page builders need, computed once per build: URLs, edges both ways, degrees, domains."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from kb.collector import collector_paused
from kb.frontmatter import as_date
from kb.graph import Edge, edges_of
from kb.model import Diagnostic, KnowledgeBase, Note, ResolvedLink
from kb.urls import assign_slugs, note_urls

CONFIDENCE_HELP = {
    "proven": "Proven: established by strong, replicated evidence or formal proof.",
    "likely": "Likely: well supported by evidence, open to revision.",
    "experimental": "Experimental: some evidence; not yet tested widely.",
    "speculative": "Speculative: an argued hypothesis with little direct evidence.",
}


@dataclass
class SiteModel:
    """Derived, read-only views of a knowledge base for rendering (never queried by templates)."""

    kb: KnowledgeBase
    convergence: Any = None  # kb.convergence.Convergence, when computed
    urls: dict[str, str] = field(init=False)
    listed: dict[str, dict[str, Any]] = field(init=False, default_factory=dict)  # memo of pages.item

    def __post_init__(self) -> None:
        self.urls = note_urls({p: (n.kind, n.title) for p, n in self.kb.notes.items()})

    @cached_property
    def outlinks(self) -> dict[str, list[ResolvedLink]]:
        """Links by the note they are written in."""
        return self.kb.outlinks()

    @cached_property
    def edges(self) -> list[Edge]:
        """Every typed edge of the graph."""
        return list(edges_of(self.kb.links))

    @cached_property
    def edges_out(self) -> dict[str, list[Edge]]:
        """Edges by source note."""
        return _group(self.edges, lambda edge: edge.source)

    @cached_property
    def edges_in(self) -> dict[str, list[Edge]]:
        """Edges by target note."""
        return _group(self.edges, lambda edge: edge.target)

    @cached_property
    def degree(self) -> Counter[str]:
        """Number of distinct neighbours of each note."""
        neighbours: dict[str, set[str]] = defaultdict(set)
        for edge in self.edges:
            neighbours[edge.source].add(edge.target)
            neighbours[edge.target].add(edge.source)
        return Counter({path: len(found) for path, found in neighbours.items()})

    @cached_property
    def domains(self) -> dict[str, list[Note]]:
        """Claims by primary domain, domains sorted by name."""
        table: dict[str, list[Note]] = defaultdict(list)
        for note in self.kb.claims:
            table[domain_of(note)].append(note)
        return dict(sorted(table.items()))

    @cached_property
    def domain_urls(self) -> dict[str, str]:
        """Site path of each domain page."""
        slugs = assign_slugs((name, name) for name in self.domains)
        return {name: f"domains/{slug}.html" for name, slug in slugs.items()}

    @cached_property
    def challenge_count(self) -> Counter[str]:
        """How contested each claim is: challenging claims, counter-evidence and challenge sections."""
        counts: Counter[str] = Counter()
        for edge in self.edges:
            if edge.type == "challenges" or (edge.type == "evidence" and edge.text == "challenge"):
                counts[edge.target if edge.type == "challenges" else edge.source] += 1
        for item in self.kb.links:
            if item.resolution.status == "text":
                counts[item.origin] += 1
        return counts

    @cached_property
    def diagnostics_by_path(self) -> dict[str, list[Diagnostic]]:
        """`kb check`'s diagnostics by file."""
        table: dict[str, list[Diagnostic]] = defaultdict(list)
        for found in self.kb.diagnostics:
            table[found.path].append(found)
        return table

    def prepare(self) -> SiteModel:
        """Compute every derived view now (before forking page writers, which then share them)."""
        with collector_paused():  # hundreds of thousands of acyclic tuples and lists beside the loaded base
            for view in ("outlinks", "edges_out", "edges_in", "degree", "domains", "domain_urls", "challenge_count", "diagnostics_by_path"):
                getattr(self, view)
        return self

    def note(self, path: str) -> Note:
        """A note by path."""
        return self.kb.notes[path]


def _group(edges: list[Edge], key: Callable[[Edge], str]) -> dict[str, list[Edge]]:
    """Edges grouped by one of their ends."""
    table: dict[str, list[Edge]] = defaultdict(list)
    for edge in edges:
        table[key(edge)].append(edge)
    return table


def domain_of(note: Note) -> str:
    """A note's primary domain, or "(none)"."""
    value = note.meta.get("domain")
    return value.strip() if isinstance(value, str) and value.strip() else "(none)"


def map_domain(note: Note) -> str:
    """The domain a topic map indexes: its `domain`, else its folder (`domains/x/_map.md` -> x)."""
    if isinstance(note.meta.get("domain"), str):
        return domain_of(note)
    parts = note.path.split("/")
    return parts[-2] if len(parts) >= 2 else "(none)"


def date_of(note: Note, key: str) -> datetime.date | None:
    """A front-matter date field as a date, if valid."""
    return as_date(note.meta.get(key))


def texts_of(note: Note, key: str) -> list[str]:
    """A front-matter list of text as a list (a lone text value is one item; anything else none)."""
    value = note.meta.get(key)
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    return [v.strip() for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def text_of(note: Note, key: str) -> str:
    """A front-matter field as display text ("" when absent; lists joined)."""
    value = note.meta.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v is not None)
    return str(value)
