"""The near-duplicate rule: found for near-identical titles or descriptions, not for distinct ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import kb

FRONT = '---\ntype: claim\ndomain: d\ndescription: {description}\nconfidence: likely\nsource: "Tester (2025)"\ncreated: 2026-01-15\n---\n'
DESCRIPTIONS = iter(f"distinct description number {n} about {word} mechanisms" for n, word in enumerate("abcdefghij"))


def near(root: Path) -> list[tuple[str, str]]:
    """(path, message) of every near-duplicate diagnostic."""
    return [(d.path, d.message) for d in kb.load(root).diagnostics if d.rule == "near-duplicate"]


def claims(*titles: str) -> dict[str, str]:
    """Claim files with the given titles and unrelated descriptions."""
    return {f"d/{title}.md": FRONT.format(description=f"unrelated text {i} on subject {title[:3]}") for i, title in enumerate(titles)}


@pytest.mark.parametrize(
    "first, second",
    [
        ("markets aggregate dispersed knowledge better than committees", "markets aggregate dispersed knowledge better than the committees"),
        ("markets aggregate dispersed knowledge better than committees", "markets-aggregate-dispersed-knowledge-better-than-committees"),
        ("markets aggregate dispersed knowledge better than committees", "committees aggregate dispersed knowledge worse than markets better"),
        ("value pluralism means no utility function can rank human values", "value pluralism means no utility function can rank human value"),
        ("prices optimise the allocation of scarce resources", "prices optimize the allocation of scarce resources"),
        ("futarchy makes decisions by betting on outcomes", "futarchy quietly makes decisions by betting on outcomes"),
    ],
)
def test_near_duplicate_titles_are_reported_at_both_files(write_corpus: Any, tmp_path: Path, first: str, second: str) -> None:
    root = write_corpus(tmp_path, claims(first, second, "an unrelated claim about something else entirely"))
    found = near(root)
    assert sorted(path for path, _ in found) == sorted([f"d/{first}.md", f"d/{second}.md"])
    assert dict(found)[f"d/{first}.md"] == f"title nearly the same as that of `d/{second}.md`"


@pytest.mark.parametrize(
    "first, second",
    [
        ("markets aggregate dispersed knowledge better than committees", "markets erode dispersed knowledge better than committees"),
        ("AI alignment is a coordination problem not a technical problem", "AI alignment requires institutional co-alignment not just model alignment"),
        ("futarchy works", "futarchy fails"),
    ],
)
def test_distinct_titles_are_not_near_duplicates(write_corpus: Any, tmp_path: Path, first: str, second: str) -> None:
    assert near(write_corpus(tmp_path, claims(first, second))) == []


def test_copied_description_is_reported(write_corpus: Any, tmp_path: Path) -> None:
    copied = "prices summarise what many dispersed people know about scarce goods and their uses"
    files = {
        "d/first claim about prices.md": FRONT.format(description=copied),
        "d/second claim about markets.md": FRONT.format(description=copied.replace("summarise", "summarize")),
    }
    found = near(write_corpus(tmp_path, files))
    assert [message.split(" nearly")[0] for _, message in found] == ["description", "description"]
    assert found[0][0] != found[1][0]


def test_same_title_in_two_folders_is_left_to_duplicate_title(write_corpus: Any, tmp_path: Path) -> None:
    title = "markets aggregate dispersed knowledge better than committees"
    root = write_corpus(tmp_path, {f"a/{title}.md": FRONT.format(description="one"), f"b/{title}.md": FRONT.format(description="two")})
    assert near(root) == []


def test_bundled_claims_have_no_near_duplicates() -> None:
    assert near(Path(__file__).resolve().parents[1] / "claims") == []
