"""`kb export`: the graph as JSON, GraphML, GEXF or teleo GraphData, and claims as JSON lines.

GraphML and GEXF come from networkx's writers over kb.graph.build_graph, with every attribute
turned into text (both formats type attributes, and GEXF's reader rejects mixed types). The
edge attribute `type` is written as `relation` there, because GEXF reserves `type` for
directed/undirected. `teleo` is the GraphData shape the teleo-codex pipeline
(ops/extract-graph-data.py) feeds its app: claim-like notes as nodes keyed by path, wiki-link
and conflict edges flagged when they cross domains.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from typing import Any, Iterator

from kb.convergence import compute_convergence
from kb.graph import edges_of
from kb.model import KnowledgeBase, LinkKind, Note

GRAPH_FORMATS = ("json", "graphml", "gexf", "teleo")
CLAIM_FORMATS = ("jsonl",)
TELEO_TYPES = frozenset({"claim", "conviction", "analysis", "belief", "position", "note"})  # "note": untyped
# Characters XML 1.0 cannot hold, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def json_value(value: Any) -> Any:
    """A front-matter value made JSON-ready: dates as ISO text, other odd types as text."""
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def graph_json(base: KnowledgeBase) -> str:
    """Every note and typed edge, with the prose and place that made each edge."""
    nodes = [{"id": n.path, "title": n.title, "kind": n.kind, "domain": _text(n, "domain"), "confidence": _text(n, "confidence")} for n in base.notes.values()]
    edges = [{"source": e.source, "target": e.target, "type": e.type, "text": e.text, "origin": e.origin, "line": e.line, "col": e.col} for e in edges_of(base.links)]
    return json.dumps({"nodes": nodes, "edges": edges}, indent=1, ensure_ascii=False) + "\n"


def _text(note: Note, key: str) -> str:
    """A front-matter value as text ("" when absent)."""
    value = note.meta.get(key)
    return "" if value is None else str(json_value(value))


def text_graph(base: KnowledgeBase) -> Any:
    """kb's graph with every attribute as XML-safe text, edge `type` renamed `relation`."""
    import networkx as nx

    source = base.graph()
    graph = nx.MultiDiGraph()
    for node, data in source.nodes(data=True):
        graph.add_node(node, **{key: _xml_text(value) for key, value in data.items()}, label=_xml_text(data.get("title", node)))
    for u, v, key, data in source.edges(keys=True, data=True):
        attributes = {("relation" if name == "type" else name): _xml_text(value) for name, value in data.items()}
        graph.add_edge(u, v, key=key, **attributes)
    return graph


def _xml_text(value: Any) -> str:
    """Any value as text XML can carry."""
    return _NOT_XML.sub("", str(value))


def graph_xml(base: KnowledgeBase, fmt: str) -> bytes:
    """The graph as GraphML or GEXF bytes (UTF-8)."""
    import networkx as nx

    graph, buffer = text_graph(base), io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8")
    else:
        nx.write_gexf(graph, buffer, encoding="utf-8")
    return buffer.getvalue()


def teleo_graph(base: KnowledgeBase) -> dict[str, list[dict[str, Any]]]:
    """The teleo-codex GraphData shape: {"nodes": [...], "edges": [...]}."""
    members = {p: n for p, n in base.notes.items() if n.kind in TELEO_TYPES and not n.title.startswith("_")}
    nodes = [_teleo_node(note) for note in members.values()]
    return {"nodes": nodes, "edges": list(_teleo_edges(base, members))}


def _teleo_node(note: Note) -> dict[str, Any]:
    """One GraphData node."""
    domain = _text(note, "domain") or (note.path.split("/")[1] if note.path.count("/") >= 2 else "")
    return {"id": note.path, "title": note.title, "domain": domain, "confidence": _text(note, "confidence") or "speculative", "created": _text(note, "created"), "challenged": note.challenge_count() > 0}


def _teleo_edges(base: KnowledgeBase, members: dict[str, Note]) -> Iterator[dict[str, Any]]:
    """Resolved links between nodes: `conflict` from challenged_by, `wiki-link` otherwise, once each."""
    seen: set[tuple[str, str, str]] = set()
    for resolved in base.links:
        target, origin = resolved.target_path, resolved.origin
        if target is None or target == origin or target not in members or origin not in members:
            continue
        kind = "conflict" if resolved.link.kind is LinkKind.CHALLENGED_BY else "wiki-link"
        if (origin, target, kind) not in seen:
            seen.add((origin, target, kind))
            domains = _text(members[origin], "domain"), _text(members[target], "domain")
            yield {"source": origin, "target": target, "type": kind, "cross_domain": bool(domains[1]) and domains[0] != domains[1]}


def export_graph(base: KnowledgeBase, fmt: str) -> bytes:
    """The graph in one of GRAPH_FORMATS, as bytes."""
    if fmt in ("graphml", "gexf"):
        return graph_xml(base, fmt)
    if fmt == "teleo":
        return (json.dumps(teleo_graph(base), indent=1, ensure_ascii=False) + "\n").encode("utf-8")
    return graph_json(base).encode("utf-8")


def claim_records(base: KnowledgeBase) -> Iterator[dict[str, Any]]:
    """One JSON-ready record per claim: front matter, links and research programs."""
    programs = compute_convergence(base)
    outlinks = base.outlinks()
    for note in base.claims:
        found = programs.claims.get(note.path)
        yield {
            "path": note.path,
            "title": note.title,
            "front_matter": json_value(dict(note.meta)),
            "links": [{"raw": r.link.raw, "target": r.target_path, "kind": r.link.kind.value, "relationship": r.link.context} for r in outlinks.get(note.path, [])],
            "programs": [{"key": key, "stance": found.stance(key)} for key in sorted(found.evidence)] if found else [],
        }


def export_claims(base: KnowledgeBase) -> bytes:
    """Claims as JSON lines, one object per line, by path."""
    lines = [json.dumps(record, ensure_ascii=False, sort_keys=False) for record in claim_records(base)]
    return "".join(line + "\n" for line in lines).encode("utf-8")
