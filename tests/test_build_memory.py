"""What keeps a large build lean: rows made as written, edges made when asked, bounded memos,
the search index in a process of its own, and cheaper page records (same bytes as before)."""

from __future__ import annotations

import marshal
from collections import Counter, defaultdict
from dataclasses import fields, replace
from pathlib import Path

import pytest
from markupsafe import Markup

import kb
from kb.build_state import SHAPE_FIELDS, shape_of
from kb.graph import edges_of
from kb.model import Note
from kb.page_rows import Rows, marshalled
from kb.render import ANCHORS_KEPT, linked
from kb.search import SearchDoc
from kb.search_process import IndexProcess, LocalIndex
from kb.site_model import SiteModel

CLAIMS = Path(__file__).resolve().parents[1] / "claims"


def test_rows_are_made_afresh_on_every_iteration_and_counted_without_making_them() -> None:
    made: list[int] = []

    def make():
        for n in range(3):
            made.append(n)
            yield {"n": n}

    rows = Rows(3, make)
    assert len(rows) == 3 and made == []
    assert list(rows) == list(rows) == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert made == [0, 1, 2, 0, 1, 2]
    assert repr(rows) == repr([{"n": 0}, {"n": 1}, {"n": 2}])


@pytest.mark.parametrize("shape", ["top", "in a dict", "in a list", "in a tuple", "twice, nested"])
def test_a_context_with_rows_marshals_as_if_the_rows_were_a_list(shape: str) -> None:
    items = [{"title": f"t{n}", "count": n, "tags": ["a", "é"], "at": (n, 1.5)} for n in range(4)]

    def rows() -> Rows:
        return Rows(len(items), lambda: iter(items))

    contexts = {
        "top": (rows(), items),
        "in a dict": ({"before": 1, "rows": rows(), "after": None}, {"before": 1, "rows": items, "after": None}),
        "in a list": ([1, rows(), "x"], [1, items, "x"]),
        "in a tuple": (("s", rows()), ("s", items)),
        "twice, nested": ([{"rule": "r", "entries": rows()}, {"rule": "q", "entries": rows()}], [{"rule": "r", "entries": items}, {"rule": "q", "entries": items}]),
    }
    lazy, plain = contexts[shape]
    assert b"".join(marshalled(lazy)) == marshal.dumps(plain, 2)


def test_marshalling_rows_fails_like_marshal_for_values_it_cannot_write() -> None:
    with pytest.raises(ValueError):
        b"".join(marshalled({"rows": Rows(1, lambda: iter([{"odd": object()}]))}))


def test_a_note_shape_covers_every_field_but_the_content_hash() -> None:
    assert set(SHAPE_FIELDS) | {"links", "evidence", "digest"} == {f.name for f in fields(Note)}
    base = kb.load(CLAIMS)
    note = next(n for n in base.claims if n.links and n.evidence)
    assert shape_of(note) == shape_of(replace(note, digest="other"))
    link = note.links[0]
    assert shape_of(note) != shape_of(replace(note, links=(link._replace(line=link.line + 1), *note.links[1:])))
    assert shape_of(note) != shape_of(replace(note, evidence=(note.evidence[0]._replace(stance="challenge" if note.evidence[0].stance != "challenge" else "confirm"),)))
    assert shape_of(note) != shape_of(replace(note, meta={**note.meta, "confidence": "proven!"}))


def test_edges_made_on_demand_are_the_graph_edges_grouped_by_end() -> None:
    base = kb.load(CLAIMS)
    model = SiteModel(base).prepare()
    out, into = defaultdict(list), defaultdict(list)
    neighbours = defaultdict(set)
    for edge in edges_of(base.links):
        out[edge.source].append(edge)
        into[edge.target].append(edge)
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    assert out and into
    for path in base.notes:
        assert model.edges_out(path) == out.get(path, []) and model.count_out(path) == len(out.get(path, []))
        assert model.edges_in(path) == into.get(path, []) and model.count_in(path) == len(into.get(path, []))
        assert list(model.depends_on(path)) == [e.target for e in out.get(path, []) if e.type == "depends_on"]
    assert model.degree == Counter({path: len(found) for path, found in neighbours.items()})
    assert model.edge_count == len(list(model.edges())) == sum(map(len, out.values()))


def test_the_anchor_memo_starts_afresh_when_full() -> None:
    calls: list[str] = []

    def macro(base: str, it: dict[str, str]) -> Markup:
        calls.append(it["url"])
        return Markup(f"<a>{it['title']}</a>")

    anchors: dict = {}
    items = [{"url": f"claims/{n}.html", "title": str(n), "kind": "claim", "confidence": ""} for n in range(ANCHORS_KEPT + 1)]
    for it in items:
        linked(anchors, macro, "", it)
    assert len(anchors) == 1 and len(calls) == ANCHORS_KEPT + 1
    assert linked(anchors, macro, "", items[0]) == Markup("<a>0</a>") and len(calls) == ANCHORS_KEPT + 2


def _docs() -> list[tuple[int, SearchDoc]]:
    """A few search documents, out of order, one id left without a document."""
    return [
        (2, SearchDoc("claims/b.html", "Beta claim", "claim", "x", "likely", "About beta", "beta claim", "words about beta")),
        (0, SearchDoc("claims/a.html", "Alpha", "claim", "y", "", "About alpha", "alpha", "words about alpha élan")),
        (3, SearchDoc("sources/s.html", "Source", "source", "x", "", "", "source", "alpha beta")),
    ]


def test_the_index_process_writes_the_same_files_as_an_index_kept_here(tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "there"
    local = LocalIndex(4, here, tmp_path / "none")
    local.add(_docs())
    local.write()
    with IndexProcess(4, there, tmp_path / "none") as remote:
        remote.add(_docs()[:1])
        remote.add(_docs()[1:])
        remote.write()
    written = sorted(p.relative_to(here) for p in here.rglob("*") if p.is_file())
    assert written and written == sorted(p.relative_to(there) for p in there.rglob("*") if p.is_file())
    assert all((here / name).read_bytes() == (there / name).read_bytes() for name in written)


def test_an_index_process_left_early_stops_without_writing(tmp_path: Path) -> None:
    with pytest.raises(KeyError), IndexProcess(4, tmp_path / "out", tmp_path / "none") as remote:
        remote.add(_docs())
        raise KeyError("the build failed")
    assert remote.process.returncode is not None and not (tmp_path / "out").exists()
