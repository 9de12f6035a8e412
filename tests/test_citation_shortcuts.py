"""Tests for the shortcuts that keep citation extraction fast: each must leave results unchanged."""

from __future__ import annotations

import gc

import pytest

from kb.collector import collector_paused
from kb.programs import extract_citations


def keys(text: str) -> list[tuple[str, str]]:
    """(key, matched text) of every citation in a text."""
    return [(c.key, c.text) for c in extract_citations(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a16z 2023 report", [("a16z-2023", "a16z 2023")]),  # lower-case organisations still start names
        ("xAI 2024", [("xai-2024", "xAI 2024")]),
        ("van der Berg 2020", [("vanderberg-2020", "van der Berg 2020")]),  # so do lower-case particles
        ("see de la Cruz (2019)", [("delacruz-2019", "de la Cruz (2019)")]),
        ("Simon Willison (@simonw)", [("willison-nd", "Simon Willison (@simonw)")]),  # "@" present: handles
        ("Zeng, Syntropic Frameworks (2025)", [("zeng-2025", "Zeng")]),  # a comma: a leading author
    ],
)
def test_quick_tests_keep_matches(text: str, expected: list[tuple[str, str]]) -> None:
    """The cheap pre-checks (lower-case start, "@", ",", a year, a document word) skip no real match."""
    assert keys(text) == expected


def test_a_segment_reads_the_same_wherever_it_stands() -> None:
    """A remembered segment gives the same citations, at the right offsets, in any text."""
    alone = keys("Perez et al 2022")
    assert keys("Olson 2021; Perez et al 2022") == [("olson-2021", "Olson 2021"), *alone]
    assert keys("Perez et al 2022 | Olson 2021") == [*alone, ("olson-2021", "Olson 2021")]
    assert keys("arXiv 2301.12345\nPerez et al 2022") == [("arxiv-2301.12345", "arXiv 2301.12345"), *alone]


@pytest.mark.parametrize("enabled", [True, False])
def test_collector_paused_restores_the_collector(enabled: bool) -> None:
    """The collector is off inside the block and back to its former state after it, even on error."""
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with pytest.raises(RuntimeError), collector_paused():
            assert not gc.isenabled()
            raise RuntimeError
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
