"""`kb new claim` and `kb new source` on a copy of claims/: valid files, refusals, no overwrites."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

CLAIMS = Path(__file__).resolve().parents[1] / "claims"
EXISTING = "AI alignment is a coordination problem not a technical problem"


@pytest.fixture
def codex(tmp_path: Path) -> Path:
    """A writable copy of the bundled claims/."""
    return Path(shutil.copytree(CLAIMS, tmp_path / "claims"))


def errors_of(run_kb: Any, root: Path) -> list[str]:
    """Error lines of `kb check` on a root."""
    return [line for line in run_kb("check", str(root)).stdout.splitlines() if " error KB" in line]


def test_new_claim_writes_a_file_that_checks_clean(run_kb: Any, codex: Path) -> None:
    title = "markets aggregate dispersed knowledge better than committees"
    result = run_kb("new", "claim", title, "--domain", "ai-alignment", "--source", "Hayek (1945)", str(codex))
    assert result.exit_code == 0, result.stderr
    path = codex / "domains/ai-alignment" / f"{title}.md"
    text = path.read_text(encoding="utf-8")
    assert "type: claim\n" in text and "confidence: experimental\n" in text and "source: Hayek (1945)\n" in text
    assert f"# {title}\n" in text and "Relevant Notes:" in text and "- [[domains/ai-alignment/_map]]" in text
    assert errors_of(run_kb, codex) == []
    assert "description-repeats-title" not in run_kb("check", str(codex)).stdout


def test_new_claim_in_a_new_domain_has_no_topic_link(run_kb: Any, codex: Path) -> None:
    result = run_kb("new", "claim", "prices carry information", "--domain", "economics", "--confidence", "likely", str(codex))
    assert result.exit_code == 0, result.stderr
    text = (codex / "domains/economics/prices carry information.md").read_text(encoding="utf-8")
    assert "confidence: likely" in text and "[[" not in text
    assert errors_of(run_kb, codex) == []


def test_new_claim_refuses_a_taken_title_in_any_case(run_kb: Any, codex: Path) -> None:
    before = sorted(codex.rglob("*.md"))
    result = run_kb("new", "claim", EXISTING.upper(), "--domain", "ai-alignment", str(codex))
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "similar existing note" in result.stderr
    assert sorted(codex.rglob("*.md")) == before


def test_new_claim_shows_near_duplicates_before_writing(run_kb: Any, codex: Path) -> None:
    result = run_kb("new", "claim", "AI alignment is a coordination problem rather than a technical problem", "--domain", "x", str(codex))
    assert result.exit_code == 0
    assert EXISTING in result.stderr


@pytest.mark.parametrize("title", ["a/b", "nul\0byte", "x" * 250, "a [[link]] title", "heading # title"])
def test_new_claim_refuses_titles_that_cannot_be_file_names(run_kb: Any, codex: Path, title: str) -> None:
    before = sorted(codex.rglob("*.md"))
    result = run_kb("new", "claim", title, "--domain", "ai-alignment", str(codex))
    assert result.exit_code == 1 and "not written" in result.stderr
    assert sorted(codex.rglob("*.md")) == before


def test_new_source_writes_an_unprocessed_note(run_kb: Any, codex: Path) -> None:
    args = ("new", "source", "https://example.org/p", "--title", "Prices: A Theory", "--author", "Friedrich Hayek", "--date", "1945-09-01", str(codex))
    result = run_kb(*args)
    assert result.exit_code == 0, result.stderr
    text = (codex / "inbox/archive/1945-09-01-hayek-prices-a-theory.md").read_text(encoding="utf-8")
    for line in ("type: source", 'title: "Prices: A Theory"', "author: Friedrich Hayek", "url: https://example.org/p", "date: 1945-09-01", "status: unprocessed", "claims_extracted: []"):
        assert line + "\n" in text
    assert errors_of(run_kb, codex) == []
    again = run_kb(*args)
    assert again.exit_code == 1 and "already archived" in again.stderr
