"""Everything page builders need, computed once per build: URLs, edges both ways, degrees, domains."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import InitVar, dataclass, field
from functools import cached_property
from itertools import chain
from typing import Any, Iterator

from kb.collector import collector_paused
from kb.diagnostic_store import DiagnosticStore
from kb.frontmatter import as_date
from kb.graph import Edge, edge_ends, edge_of, edges_of
from kb.model import KnowledgeBase, LinkKind, Note, ResolvedLink
from kb.urls import assign_slugs, note_urls

CONFIDENCE_HELP = {
    "proven": "Proven: established by strong, replicated evidence or formal proof.",
    "likely": "Likely: well supported by evidence, open to revision.",
    "experimental": "Experimental: some evidence; not yet tested widely.",
    "speculative": "Speculative: an argued hypothesis with little direct evidence.",
}


WRITERS_ONLY = ("outlinks", "edge_links")  # views exports do not use


@dataclass
class SiteModel:
    """Derived, read-only views of a knowledge base for rendering (never queried by templates)."""

    kb: KnowledgeBase
    convergence: Any = None  # kb.convergence.Convergence, when computed
    store: InitVar[DiagnosticStore | None] = None  # `kb check`'s diagnostics when taken out of `kb`
    diagnostics: DiagnosticStore = field(init=False)  # the store, by default kb.diagnostics as they are
    urls: dict[str, str] = field(init=False)
    listed: dict[str, tuple[str, ...]] = field(init=False, default_factory=dict)  # memo of pages.item

    def __post_init__(self, store: DiagnosticStore | None) -> None:
        self.diagnostics = store if store is not None else DiagnosticStore(self.kb.diagnostics, packed=False)
        self.urls = note_urls({p: (n.kind, n.title) for p, n in self.kb.notes.items()})

    @cached_property
    def outlinks(self) -> dict[str, list[ResolvedLink]]:
        """Links by the note they are written in."""
        return self.kb.outlinks()

    @cached_property
    def edge_links(self) -> tuple[dict[str, list[ResolvedLink]], dict[str, list[ResolvedLink]]]:
        """The links making each note's outgoing and incoming edges, in link order.

        Edges themselves are made when a page asks for them: half a million Edge tuples held
        for the whole build cost 85 MB at 50k notes, in every page writer.
        """
        out: dict[str, list[ResolvedLink]] = defaultdict(list)
        into: dict[str, list[ResolvedLink]] = defaultdict(list)
        for resolved in self.kb.links:
            ends = edge_ends(resolved)
            if ends is not None:
                out[ends[0]].append(resolved)
                into[ends[1]].append(resolved)
        return out, into

    def edges(self) -> Iterator[Edge]:
        """Every typed edge of the graph, in link order."""
        return edges_of(self.kb.links)

    def edges_out(self, path: str) -> list[Edge]:
        """A note's outgoing edges."""
        return [edge_of(resolved) for resolved in self.edge_links[0].get(path, ())]

    def edges_in(self, path: str) -> list[Edge]:
        """A note's incoming edges."""
        return [edge_of(resolved) for resolved in self.edge_links[1].get(path, ())]

    def depends_on(self, path: str) -> Iterator[str]:
        """The notes a note depends on directly, in link order."""
        return (resolved.target_path for resolved in self.edge_links[0].get(path, ()) if resolved.link.kind is LinkKind.DEPENDS_ON)

    def count_out(self, path: str) -> int:
        """How many edges leave a note."""
        return len(self.edge_links[0].get(path, ()))

    def count_in(self, path: str) -> int:
        """How many edges reach a note."""
        return len(self.edge_links[1].get(path, ()))

    @cached_property
    def edge_count(self) -> int:
        """How many edges the graph has."""
        return sum(map(len, self.edge_links[0].values()))

    @cached_property
    def degree(self) -> Counter[str]:
        """Number of distinct neighbours of each note (one note's set of them at a time: all at once took 70 MB at 50k)."""
        out, into = self.edge_links
        counts: Counter[str] = Counter()
        for path in self.kb.notes:  # the other end of a note's edge: the link's origin, or the note it reaches
            neighbours = {r.origin if r.origin != path else r.resolution.path for r in chain(out.get(path, ()), into.get(path, ()))}
            if neighbours:
                counts[path] = len(neighbours)
        return counts

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

    def prepare(self) -> SiteModel:
        """Compute every derived view now (before forking page writers, which then share them)."""
        with collector_paused():  # hundreds of thousands of acyclic tuples and lists beside the loaded base
            for view in ("outlinks", "edge_links", "edge_count", "degree", "domains", "domain_urls"):
                getattr(self, view)
        return self

    def writers_forked(self) -> None:
        """Drop what only page writers use, once they are forked with their own copy (kb.writer).

        The main process goes on to the exports, which need the base, URLs and degrees only.
        """
        for view in WRITERS_ONLY:
            self.__dict__.pop(view, None)
        self.listed.clear()
        self.convergence = None

    def note(self, path: str) -> Note:
        """A note by path."""
        return self.kb.notes[path]


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
