"""The typed graph of notes; networkx is imported only when a graph is built."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator, NamedTuple

from kb.model import LinkKind, ResolvedLink

if TYPE_CHECKING:
    from kb.model import KnowledgeBase

EDGE_TYPES = ("relates", "depends_on", "challenges", "topic", "extracted_from", "evidence")

# Link kind -> (edge type, whether the edge runs against the link: from target to origin).
_EDGE_OF_KIND: dict[LinkKind, tuple[str, bool]] = {
    LinkKind.BODY: ("relates", False),
    LinkKind.RELATES: ("relates", False),
    LinkKind.TOPIC: ("topic", False),
    LinkKind.DEPENDS_ON: ("depends_on", False),
    LinkKind.CHALLENGED_BY: ("challenges", True),  # the challenger challenges the claim
    LinkKind.EVIDENCE: ("evidence", False),  # claim -> source note, with a stance
    LinkKind.CLAIMS_EXTRACTED: ("extracted_from", True),  # claim -> the source it came from
    LinkKind.ENRICHMENTS: ("evidence", True),  # claim -> the source enriching it
}


class Edge(NamedTuple):
    """A typed relation between two notes, with the prose and place that created it (a tuple: there are many)."""

    source: str  # path
    target: str  # path
    type: str  # one of EDGE_TYPES
    text: str  # relationship text after " — ", or the evidence stance
    origin: str  # path of the note the link is written in
    line: int
    col: int


_EDGE_OF_VALUE = {kind.value: found for kind, found in _EDGE_OF_KIND.items()}  # by the kind's value: hashing an enum runs Python code


_REACHES = frozenset({"ok", "case"})  # resolution statuses whose path a link reaches (ResolvedLink.target_path)


def edge_ends(resolved: ResolvedLink) -> tuple[str, str] | None:
    """Source and target of the edge a resolved link makes (None when it resolved nowhere or to itself)."""
    origin, link, (status, target, _) = resolved
    if target is None or target == origin or status not in _REACHES:
        return None
    return (target, origin) if _EDGE_OF_VALUE[link.kind._value_][1] else (origin, target)


def edge_of(resolved: ResolvedLink) -> Edge | None:
    """The graph edge a resolved link makes (None when it resolved nowhere or to itself)."""
    ends = edge_ends(resolved)
    if ends is None:
        return None
    link = resolved.link
    text = link.context or ("enrichment" if link.kind is LinkKind.ENRICHMENTS else "")
    return Edge(ends[0], ends[1], _EDGE_OF_VALUE[link.kind._value_][0], text, resolved.origin, link.line, link.col)


def edges_of(links: Iterable[ResolvedLink]) -> Iterator[Edge]:
    """Every edge the links make, in link order."""
    for resolved in links:
        edge = edge_of(resolved)
        if edge is not None:
            yield edge


def build_graph(kb: "KnowledgeBase") -> Any:
    """A networkx MultiDiGraph: a node per note, a typed edge per resolved link."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    for note in kb.notes.values():
        graph.add_node(note.path, title=note.title, kind=note.kind, domain=str(note.meta.get("domain") or ""), confidence=str(note.meta.get("confidence") or ""))
    for edge in edges_of(kb.links):
        graph.add_edge(edge.source, edge.target, key=f"{edge.type}:{edge.line}:{edge.col}", type=edge.type, text=edge.text, origin=edge.origin, line=edge.line, col=edge.col)
    return graph
