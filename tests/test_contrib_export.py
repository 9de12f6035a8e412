"""`kb export graph` in every format and `kb export claims` as JSON lines: they parse and count right."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

import kb

CLAIMS = Path(__file__).resolve().parents[1] / "claims"


@pytest.fixture(scope="module")
def base() -> Any:
    """The bundled knowledge base, loaded once."""
    return kb.load(CLAIMS)


def test_export_graph_json_has_every_note_and_edge(run_kb: Any, base: Any) -> None:
    data = json.loads(run_kb("export", "graph", str(CLAIMS), "--format", "json").stdout)
    assert {node["id"] for node in data["nodes"]} == set(base.notes)
    assert len(data["edges"]) == base.graph().number_of_edges()


@pytest.mark.parametrize("fmt, reader", [("graphml", nx.read_graphml), ("gexf", nx.read_gexf)])
def test_export_graph_xml_formats_parse(run_kb: Any, base: Any, tmp_path: Path, fmt: str, reader: Any) -> None:
    out = tmp_path / f"kb.{fmt}"
    assert run_kb("export", "graph", str(CLAIMS), "--format", fmt, "-o", str(out)).exit_code == 0
    graph = reader(io.BytesIO(out.read_bytes()))
    assert graph.number_of_nodes() == len(base.notes)
    assert graph.number_of_edges() == base.graph().number_of_edges()
    relations = {data["relation"] for _, _, data in graph.edges(data=True)}
    assert {"relates", "topic", "challenges"} <= relations


def test_export_graph_teleo_has_the_graphdata_shape(run_kb: Any, base: Any) -> None:
    data = json.loads(run_kb("export", "graph", str(CLAIMS), "--format", "teleo").stdout)
    assert set(data) == {"nodes", "edges"}
    assert {node["id"] for node in data["nodes"]} == {note.path for note in base.claims}
    for node in data["nodes"]:
        assert set(node) == {"id", "title", "domain", "confidence", "created", "challenged"}
        assert isinstance(node["challenged"], bool)
    assert any(node["challenged"] for node in data["nodes"])
    for edge in data["edges"]:
        assert set(edge) == {"source", "target", "type", "cross_domain"} and edge["type"] in ("wiki-link", "conflict")
    assert any(edge["cross_domain"] for edge in data["edges"])
    assert len({(e["source"], e["target"], e["type"]) for e in data["edges"]}) == len(data["edges"])


def test_export_claims_jsonl_has_one_line_per_claim(run_kb: Any, base: Any) -> None:
    lines = run_kb("export", "claims", str(CLAIMS)).stdout.splitlines()
    assert len(lines) == len(base.claims)
    records = [json.loads(line) for line in lines]
    assert [r["path"] for r in records] == [n.path for n in base.claims]
    first = records[0]
    assert isinstance(first["front_matter"]["created"], str) and len(first["front_matter"]["created"]) == 10
    assert all({"raw", "target", "kind", "relationship"} == set(link) for r in records for link in r["links"])
    assert any(link["relationship"] for r in records for link in r["links"])
    assert any(r["programs"] for r in records) and all({"key", "stance"} == set(p) for r in records for p in r["programs"])
