"""`kb.load(root).graph()`: a networkx MultiDiGraph with one typed edge per resolved link."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Mapping

import networkx as nx
import pytest

import kb

from kbtest import claim_text

WriteCorpus = Callable[[Path, Mapping[str, "str | bytes"]], Path]

ALPHA = "domains/x/alpha claim.md"
BETA = "domains/x/beta claim.md"
GAMMA = "domains/x/challenger claim.md"
MAP = "domains/x/_map.md"
SOURCE = "inbox/archive/2026-01-01-someone-essay.md"

ALPHA_TEXT = claim_text(
    """# alpha claim

The argument, citing [[beta claim]] inline and [[no such claim]] (broken: no edge) and [[alpha claim]] (self: no edge).

### Additional Evidence (challenge)
*Source: [[2026-01-01-someone-essay]] | Added: 2026-03-11 | Extractor: bot*
The essay finds the opposite; it also mentions [[challenger claim]].

### Additional Evidence (confirm)
*Source: [[2026-02-02-missing-source]] | Added: 2026-03-12 | Extractor: bot*

---

Relevant Notes:
- [[beta claim]] — how this claim relates to it
- [[challenger claim]]

Topics:
- [[domains/x/_map]]
"""
).replace("created: 2026-01-15\n", "created: 2026-01-15\ndepends_on: [beta claim]\nchallenged_by:\n  - challenger claim\n  - Field data from 2024 point the other way entirely\n")

SOURCE_TEXT = """---
type: source
title: Someone's essay
claims_extracted:
  - alpha claim
enrichments: [beta claim]
---
# Someone's essay
"""

FILES = {
    ALPHA: ALPHA_TEXT,
    BETA: claim_text("# beta claim\n"),
    GAMMA: claim_text("# challenger claim\n"),
    MAP: "---\ntype: map\n---\n# X\n\n- [[alpha claim]]\n",
    SOURCE: SOURCE_TEXT,
}


def line_of(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    """1-based (line, col) of the n-th occurrence of `needle` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


@pytest.fixture
def graph(tmp_path: Path, write_corpus: WriteCorpus) -> Any:
    return kb.load(write_corpus(tmp_path, FILES)).graph()


def edges(graph: Any, source: str, target: str) -> list[dict[str, Any]]:
    return sorted((dict(data) for data in graph.get_edge_data(source, target, default={}).values()), key=lambda d: (d["line"], d["col"]))


def test_graph_is_multidigraph_with_node_per_note(graph: Any) -> None:
    assert isinstance(graph, nx.MultiDiGraph)
    assert sorted(graph.nodes) == sorted(FILES)
    assert graph.nodes[ALPHA]["kind"] == "claim" and graph.nodes[SOURCE]["kind"] == "source" and graph.nodes[MAP]["kind"] == "map"
    assert graph.nodes[ALPHA]["title"] == "alpha claim"
    assert graph.nodes[ALPHA]["domain"] == "ai-alignment" and graph.nodes[ALPHA]["confidence"] == "likely"


def test_graph_relates_edges_carry_text_after_dash(graph: Any) -> None:
    relates = [(e["text"], e["line"], e["col"]) for e in edges(graph, ALPHA, BETA) if e["type"] == "relates"]
    assert relates == [
        ("", *line_of(ALPHA_TEXT, "[[beta claim]] inline")),
        ("how this claim relates to it", *line_of(ALPHA_TEXT, "[[beta claim]] —")),
    ]
    to_gamma = [(e["type"], e["text"]) for e in edges(graph, ALPHA, GAMMA)]
    assert ("relates", "") in to_gamma


def test_graph_topic_edge_to_map(graph: Any) -> None:
    (edge,) = edges(graph, ALPHA, MAP)
    assert (edge["type"], edge["origin"], edge["line"], edge["col"]) == ("topic", ALPHA, *line_of(ALPHA_TEXT, "[[domains/x/_map]]"))
    (back,) = edges(graph, MAP, ALPHA)
    assert back["type"] == "relates" and back["origin"] == MAP and back["line"] == 6


def test_graph_depends_on_edge_from_front_matter(graph: Any) -> None:
    depends = [e for e in edges(graph, ALPHA, BETA) if e["type"] == "depends_on"]
    assert [(e["origin"], e["line"], e["col"]) for e in depends] == [(ALPHA, *line_of(ALPHA_TEXT, "beta claim]"))]


def test_graph_challenges_edge_runs_from_challenger_to_claim(graph: Any) -> None:
    (edge,) = edges(graph, GAMMA, ALPHA)
    assert (edge["type"], edge["origin"], edge["line"], edge["col"]) == ("challenges", ALPHA, *line_of(ALPHA_TEXT, "challenger claim"))
    assert not [e for e in edges(graph, ALPHA, GAMMA) if e["type"] == "challenges"]


def test_graph_free_text_challenge_makes_no_edge(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = kb.load(write_corpus(tmp_path, FILES))
    challenges = [(u, v) for u, v, e in base.graph().edges(data=True) if e["type"] == "challenges"]
    assert challenges == [(GAMMA, ALPHA)]
    (free,) = [r for r in base.links if r.link.raw.startswith("Field data")]
    assert free.target_path is None
    assert not [d for d in base.diagnostics if "Field data" in d.message]


def test_graph_evidence_edge_has_stance_of_section(graph: Any) -> None:
    evidence = [e for e in edges(graph, ALPHA, SOURCE) if e["type"] == "evidence"]
    assert [(e["text"], e["origin"], e["line"], e["col"]) for e in evidence] == [("challenge", ALPHA, *line_of(ALPHA_TEXT, "[[2026-01-01-someone-essay]]"))]


def test_graph_other_links_in_evidence_section_are_relates(graph: Any) -> None:
    in_section = [e for e in edges(graph, ALPHA, GAMMA) if e["line"] == line_of(ALPHA_TEXT, "mentions [[challenger claim]]")[0]]
    assert [(e["type"], e["text"]) for e in in_section] == [("relates", "")]


def test_graph_extracted_from_edge_runs_claim_to_source(graph: Any) -> None:
    (edge,) = [e for e in edges(graph, ALPHA, SOURCE) if e["type"] == "extracted_from"]
    assert (edge["origin"], edge["line"], edge["col"]) == (SOURCE, 5, 5)
    assert not edges(graph, SOURCE, ALPHA)


def test_graph_enrichment_edge_is_evidence_claim_to_source(graph: Any) -> None:
    (edge,) = edges(graph, BETA, SOURCE)
    assert (edge["type"], edge["text"], edge["origin"], edge["line"], edge["col"]) == ("evidence", "enrichment", SOURCE, 6, 15)


def test_graph_has_no_edge_for_broken_or_self_links(graph: Any) -> None:
    assert not graph.has_edge(ALPHA, ALPHA)
    assert all(target in FILES for _, target in graph.edges())


def test_graph_edge_count_matches_resolved_links(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = kb.load(write_corpus(tmp_path, FILES))
    resolved = [r for r in base.links if r.target_path is not None and r.target_path != r.origin]
    assert base.graph().number_of_edges() == len(resolved) == 11


def test_graph_every_edge_has_type_text_origin_line_col(graph: Any) -> None:
    from kb.graph import EDGE_TYPES

    for _, _, data in graph.edges(data=True):
        assert data["type"] in EDGE_TYPES
        assert isinstance(data["text"], str) and data["origin"] in FILES
        assert data["line"] >= 1 and data["col"] >= 1


def test_graph_evidence_on_source_line_with_bold_marker(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = claim_text("# alpha claim\n\n## Additional Evidence (extend)\n**Source:** [[2026-01-01-someone-essay]] | Added: 2026-03-11\n")
    graph = kb.load(write_corpus(tmp_path, {ALPHA: text, SOURCE: SOURCE_TEXT})).graph()
    evidence = [e for e in edges(graph, ALPHA, SOURCE) if e["type"] == "evidence"]
    assert [(e["text"], e["line"]) for e in evidence] == [("extend", 12)]
