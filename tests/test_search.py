"""kb's search index on disk: what the browser's search.js reads (its behaviour is in tests/browser)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import kb
from kb.build import BuildOptions, build_site
from kb.search import MAX_WORD, STOPWORDS, WORD, gap_encode, shard_key, words
from kbtest import claim_text, write_files

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = ROOT / "claims"


def decode(postings: list[int]) -> list[tuple[int, int]]:
    """(document id, in title) pairs, as search.js decodes them."""
    pairs, doc_id = [], 0
    for value in postings:
        doc_id += value >> 1
        pairs.append((doc_id, value & 1))
    return pairs


def lookup(site: Path, term: str) -> list[tuple[list[str], int]]:
    """The documents (docs-N.json rows) holding a term, with the in-title flag."""
    folder = site / "search"
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if shard_key(term) not in meta["shards"]:
        return []
    shard = json.loads((folder / f"terms-{shard_key(term)}.json").read_text(encoding="utf-8"))
    rows = []
    for doc_id, in_title in decode(shard.get(term, [])):
        chunk = json.loads((folder / f"docs-{doc_id // meta['chunk']}.json").read_text(encoding="utf-8"))
        rows.append((chunk[doc_id % meta["chunk"]], in_title))
    return rows


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search") / "site"
    build_site(kb.load(CLAIMS), BuildOptions(out=out))
    return out


def test_words_are_lowered_letter_and_digit_runs_without_stopwords() -> None:
    assert words("The Specification-Trap, 2025 edition: AI_alignment x") == {"specification", "trap", "2025", "edition", "ai", "alignment"}
    assert words("Ὀδυσσεύς café ŞEKER") == {"ὀδυσσεύς", "café", "şeker"}
    assert not words(" ".join(STOPWORDS))
    assert words("a" * 41 + " " + "b" * 40) == {"b" * 40}


MIXED_TEXT = st.text(st.sampled_from(" -_.,:;'’—\n\t\xa0\u2003aZ9ΣσςİßÄ①中\udcff") | st.characters(blacklist_categories=()))


@given(MIXED_TEXT)
def test_words_are_the_word_pattern_runs_of_the_lowered_text(text: str) -> None:
    """words() splits ASCII text its own faster way; it must agree with the plain definition."""
    expected = {w for w in WORD.findall(text.lower()) if 1 < len(w) <= MAX_WORD and w not in STOPWORDS}
    assert words(text) == expected


@given(st.sets(st.tuples(st.integers(0, 100_000), st.integers(0, 1)), max_size=200).map(lambda pairs: list({d: f for d, f in pairs}.items())))
def test_gap_encoding_round_trips(pairs: list[tuple[int, int]]) -> None:
    encoded = gap_encode([doc << 1 | flag for doc, flag in pairs])
    assert decode(encoded) == sorted(pairs)
    assert all(value >= 0 for value in encoded)


def test_a_body_word_finds_its_claim_and_a_title_word_is_flagged(site: Path) -> None:
    body_hits = lookup(site, "syntropy")
    assert body_hits, "a word of a claim's body is indexed"
    assert all(row[0].startswith(("claims/", "sources/", "maps/", "notes/")) for row, _ in body_hits)
    title_hits = {row[1]: flag for row, flag in lookup(site, "specification")}
    spec = "the specification trap means any values encoded at training time become structurally unstable as deployment contexts diverge from training conditions"
    assert title_hits[spec] == 1
    for row, _ in body_hits:
        assert (site / row[0]).is_file(), "every result URL is a page of the site"


def test_every_note_page_is_a_document_once(site: Path) -> None:
    meta = json.loads((site / "search" / "meta.json").read_text(encoding="utf-8"))
    rows = [row for n in range(0, meta["docs"], meta["chunk"]) for row in json.loads((site / "search" / f"docs-{n // meta['chunk']}.json").read_text(encoding="utf-8"))]
    base = kb.load(CLAIMS)
    assert len(rows) == meta["docs"] == len(base.notes)
    assert len({row[0] for row in rows}) == len(rows)
    facets = json.loads((site / "search" / "facets.json").read_text(encoding="utf-8"))
    assert [meta["kinds"][k] for k in facets[0]] == [row[2] for row in rows]
    assert [meta["domains"][d] for d in facets[1]] == [row[3] for row in rows]


def test_editing_one_note_rewrites_only_the_index_files_it_touches(tmp_path: Path) -> None:
    root = write_files(tmp_path / "kb", {f"domains/d/claim number {n} about topic.md": claim_text(f"Body {n} mentions plankton.") for n in range(30)})
    out = tmp_path / "site"
    build_site(kb.load(root), BuildOptions(out=out))
    before = {p.name: p.stat().st_ino for p in (out / "search").iterdir()}
    path = root / "domains/d/claim number 7 about topic.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nQuasicrystal.\n", encoding="utf-8")
    build_site(kb.load(root), BuildOptions(out=out))
    after = {p.name: p.stat().st_ino for p in (out / "search").iterdir()}
    changed = sorted(name for name in after if before.get(name) != after[name])
    assert changed == sorted(["meta.json", f"terms-{shard_key('quasicrystal')}.json"])
    assert [row for row, _ in lookup(out, "quasicrystal")][0][1] == "claim number 7 about topic"


def test_no_search_writes_no_index(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = build_site(kb.load(CLAIMS), BuildOptions(out=out, search=False))
    assert not result.search_indexed
    assert not (out / "search").exists()
