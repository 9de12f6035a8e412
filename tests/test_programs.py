"""Tests for kb.programs: citation extraction against a hand-labelled fixture, and key normalisation."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.programs import ARXIV_RE, DOI_RE, Citation, extract_citations, key_from_source_note, program_key

FIXTURE = Path(__file__).parent / "fixtures" / "citations.yaml"
ROWS: list[dict] = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9.\-/]*$")


def _param(row: dict) -> object:
    """A pytest param for one fixture row; rows with an `xfail` reason are strict expected failures."""
    marks = [pytest.mark.xfail(reason=row["xfail"], strict=True)] if row.get("xfail") else []
    return pytest.param(row["text"], set(row["keys"]), marks=marks, id=row["text"][:60])


def test_fixture_is_large_and_varied() -> None:
    """The fixture keeps at least 45 strings, 8 of them noise-only."""
    assert len(ROWS) >= 45
    assert sum(1 for row in ROWS if not row["keys"]) >= 8


@pytest.mark.parametrize(("text", "expected"), [_param(row) for row in ROWS])
def test_extract_citations_matches_fixture(text: str, expected: set[str]) -> None:
    """Each fixture string yields exactly its labelled key set."""
    assert {c.key for c in extract_citations(text)} == expected


def test_extract_citations_precision_and_recall_over_fixture() -> None:
    """Precision and recall over every fixture row (known misses included) are both >= 0.95."""
    true_pos = false_pos = false_neg = 0
    for row in ROWS:
        got, want = {c.key for c in extract_citations(row["text"])}, set(row["keys"])
        true_pos += len(got & want)
        false_pos += len(got - want)
        false_neg += len(want - got)
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    print(f"precision={precision:.3f} recall={recall:.3f} over {len(ROWS)} strings")
    assert precision >= 0.95 and recall >= 0.95


def test_extract_citations_keeps_order_and_first_text() -> None:
    """Citations come in order of appearance, one per key, with the first occurrence's text."""
    found = extract_citations("Zeng et al. 2025; Sorensen 2024; Zeng 2025b")
    assert found == (Citation("zeng-2025", "Zeng et al. 2025"), Citation("sorensen-2024", "Sorensen 2024"))


def test_extract_citations_arxiv_id_belongs_to_author() -> None:
    """An arXiv id in the author's parenthetical is not a program of its own."""
    found = extract_citations("Spizzirri, Syntropic Frameworks (arXiv 2512.03048, November 2025)")
    assert found == (Citation("spizzirri-2025", "Spizzirri"),)


def test_extract_citations_standalone_identifiers() -> None:
    """Identifiers alone become programs: arXiv (version dropped), DOI (lower case), URL site."""
    text = "arxiv.org/abs/2512.03399v3; DOI 10.1000/ABC.12; https://simonwillison.net/2025/Jun/"
    keys = [c.key for c in extract_citations(text)]
    assert keys == ["arxiv-2512.03399", "doi-10.1000/abc.12", "simonwillison-2025"]


@pytest.mark.parametrize("text", ["", "   ", ";;;", "et al", "2024", "(ICML)", "p. 12", "@", "http://", "arXiv:"])
def test_extract_citations_noise_yields_nothing(text: str) -> None:
    """Fragments without a program yield no citation."""
    assert extract_citations(text) == ()


def test_extract_citations_non_string_input_yields_nothing() -> None:
    """A non-string `source` (None, a number from YAML) yields no citation rather than raising."""
    assert extract_citations(None) == ()  # type: ignore[arg-type]
    assert extract_citations(2024) == ()  # type: ignore[arg-type]


def test_identifier_regexes_are_exported() -> None:
    """ARXIV_RE and DOI_RE find the identifier group in their usual spellings."""
    ids = [m.group("id") for m in ARXIV_RE.finditer("arXiv 2512.03048, arXiv:hep-th/9901001v2")]
    assert ids == ["2512.03048", "hep-th/9901001"]
    assert DOI_RE.search("doi: 10.1126/sciadv.adn5290").group("doi") == "10.1126/sciadv.adn5290"


@pytest.mark.parametrize(
    ("name", "year", "key"),
    [
        ("Müller", 2024, "muller-2024"),
        ("Østergaard", "2021", "ostergaard-2021"),
        ("Straße", 2020, "strasse-2020"),
        ("García-López", 2023, "garcia-lopez-2023"),
        ("van der Berg", 2023, "vanderberg-2023"),
        ("Van der Berg", 2023, "vanderberg-2023"),
        ("de la Cruz", "2019", "delacruz-2019"),
        ("O'Neil", 2016, "oneil-2016"),
        ("O’Neil", 2016, "oneil-2016"),
        ("D'Amour", 2020, "damour-2020"),
        ("Knuth's", 2026, "knuth-2026"),
        ("Smith-Jones", 2022, "smith-jones-2022"),
        ("Knuth", None, "knuth-nd"),
        ("Knuth", "n.d.", "knuth-nd"),
        ("Zeng", "2025-03-01", "zeng-2025"),
        ("Smith", "2020a", "smith-2020"),
        ("Google DeepMind", 2024, "deepmind-2024"),
        ("Epoch AI", 2024, "epoch-ai-2024"),
        ("Full-Stack Alignment", 2025, "full-stack-alignment-2025"),
        ("", None, "unknown-nd"),
        ("张伟", 2024, "unknown-2024"),
    ],
)
def test_program_key_normalises(name: str, year: object, key: str) -> None:
    """Diacritics, particles, apostrophes, organisations, and a missing year become one key form."""
    assert program_key(name, year) == key  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("author", "title", "date", "url", "key"),
    [
        ("Simon Willison", "Prompt injection", datetime.date(2025, 6, 1), None, "willison-2025"),
        ("Zeng, Wei", None, "2025-01-10", None, "zeng-2025"),
        ("Zeng, Sorensen, Klassen", None, 2025, None, "zeng-2025"),
        ("Massenkoff & McCrory", None, "2026", None, "massenkoff-2026"),
        ("Sorensen et al.", None, "2024", None, "sorensen-2024"),
        ("Vincent van der Berg", None, "2023", None, "vanderberg-2023"),
        ("Doshi, A. and Hauser, J.", None, "2025", None, "doshi-2025"),
        ("Simon Willison (@simonw)", None, None, None, "willison-nd"),
        ("@karpathy", None, "2017-06-01", None, "karpathy-2017"),
        (["Hubinger", "Denison"], None, "2024", None, "hubinger-2024"),
        ("Anthropic Alignment Team", None, "2025-11-21", None, "anthropic-2025"),
        (None, "Natural Emergent Misalignment", "2025-11", "https://www.anthropic.com/research/x", "anthropic-2025"),
        (None, "Full-Stack Alignment: Co-Aligning AI and Institutions", "2025-12-01",
         "https://arxiv.org/abs/2512.03399", "full-stack-alignment-2025"),
        (None, None, None, "https://simonwillison.net/2025/Jun/", "simonwillison-2025"),
        (None, None, None, "https://arxiv.org/abs/2512.03048v1", "arxiv-2512.03048"),
        (None, None, "2025", None, None),
        ("", "", None, "", None),
    ],
)
def test_key_from_source_note(
    author: object, title: str | None, date: object, url: str | None, key: str | None
) -> None:
    """Author surname + year of date; else organisation (from URL or title) or title slug; else URL; else None."""
    assert key_from_source_note(author, title, date, url) == key  # type: ignore[arg-type]


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_extract_citations_never_raises_and_keys_are_well_formed(text: str) -> None:
    """Arbitrary text never raises, and every key is lower-case ASCII of the documented form."""
    for citation in extract_citations(text):
        assert KEY_RE.match(citation.key), citation


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Zeng", "Müller", "van", "der", "O'Neil", "et al.", "&", "and", "(", ")", ",", ";",
                                 "2024", "Nov", "arXiv", "2512.03048", "@simonw", "Anthropic", "paper", "p.", "12",
                                 "https://x.com/a/2025/", "doi:10.1/x", "'s", " ", "\n"]), max_size=30))
def test_extract_citations_on_citation_like_noise(parts: list[str]) -> None:
    """Random sequences of citation fragments never raise and yield well-formed, distinct keys."""
    keys = [c.key for c in extract_citations(" ".join(parts))]
    assert all(KEY_RE.match(key) for key in keys) and len(keys) == len(set(keys))


@given(st.text(max_size=40), st.one_of(st.none(), st.integers(), st.text(max_size=12)))
def test_program_key_always_well_formed(name: str, year: object) -> None:
    """program_key returns a well-formed key for any name and year."""
    assert KEY_RE.match(program_key(name, year))  # type: ignore[arg-type]
