"""Convergence across research programs: evidence sources, stances, merging, flags and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import kb
from kbtest import invoke_kb
from kb.cache import TextMemo
from kb.convergence import citations_of, compute_convergence, extract_all
from kb.workers import PARALLEL_MIN_FILES

CLAIMS = Path(__file__).resolve().parent.parent / "claims"
SPEC_TRAP = "the specification trap means any values encoded at training time become structurally unstable as deployment contexts diverge from training conditions"
SEED_PROGRAMS = {"spizzirri-2025", "zeng-2025", "sorensen-2024", "klassen-2024", "gabriel-2020"}


def claim(source: str, confidence: str = "likely", body: str = "") -> str:
    """A claim file citing `source`."""
    return f"---\ntype: claim\ndomain: d\ndescription: a description that adds scope\nconfidence: {confidence}\nsource: \"{source}\"\ncreated: 2026-01-01\n---\n{body}\n"


def source_note(author: str, date: str, url: str = "", extracted: str = "") -> str:
    """A source note listing one claim in claims_extracted."""
    lines = ["---", "type: source", "title: A paper", f"author: {author}", f"date: {date}"]
    lines += [f"url: {url}"] if url else []
    lines += [f"claims_extracted:\n  - {extracted}"] if extracted else []
    return "\n".join(lines + ["---", "", "Summary."]) + "\n"


def programs_of(base: kb.model.KnowledgeBase, path: str) -> dict[str, str]:
    """Program key -> stance for one claim."""
    found = compute_convergence(base).claims[path]
    return {key: found.stance(key) for key in found.evidence}


def test_json_lists_the_five_seed_programs_of_the_specification_trap_claim() -> None:
    result = invoke_kb("convergence", str(CLAIMS), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    entry = next(c for c in data["claims"] if c["title"] == SPEC_TRAP)
    assert entry["path"] == f"domains/ai-alignment/{SPEC_TRAP}.md"
    keys = {p["key"] for p in entry["programs"]}
    assert SEED_PROGRAMS <= keys
    zeng = next(p for p in entry["programs"] if p["key"] == "zeng-2025")
    assert {"kind": "source-field", "text": "Zeng 2025"} in zeng["evidence"]
    assert all(set(p) == {"key", "stance", "evidence"} for p in entry["programs"])
    assert {p["key"] for p in data["programs"]} >= SEED_PROGRAMS


def test_min_and_domain_filter_the_claims(tmp_path: Path) -> None:
    data = json.loads(invoke_kb("convergence", str(CLAIMS), "--format", "json", "--min", "5").output)
    assert [c["title"] for c in data["claims"]] == [SPEC_TRAP]
    other = json.loads(invoke_kb("convergence", str(CLAIMS), "--format", "json", "--domain", "collective-intelligence").output)
    assert other["claims"] and all("collective-intelligence" in c["path"] for c in other["claims"])


def test_source_note_and_evidence_section_add_programs_with_stance(tmp_path: Path, write_corpus) -> None:
    body = "### Additional Evidence (challenge)\n*Source: [[2025-01-01-lee-paper]] | Added: 2026-02-01*\nIt disagrees.\n"
    root = write_corpus(tmp_path, {
        "c/the claim.md": claim("Zeng 2025", body=body),
        "inbox/2024-01-01-park-paper.md": source_note("Park, Ji", "2024-03-01", extracted="the claim"),
        "inbox/2025-01-01-lee-paper.md": source_note("Lee", "2025-05-01"),
    })  # fmt: skip
    found = compute_convergence(kb.load(root))
    view = found.claim_view("c/the claim.md")
    stances = {p["key"]: p["stance"] for p in view["programs"]}
    assert stances == {"zeng-2025": "support", "park-2024": "support", "lee-2025": "challenge"}
    kinds = {p["key"]: p["evidence"][0]["kind"] for p in view["programs"]}
    assert kinds == {"zeng-2025": "source-field", "park-2024": "source-note", "lee-2025": "evidence-section"}
    assert found.count("c/the claim.md") == 2
    assert [f["kind"] for f in view["flags"]] == ["disagreement"]


def test_arxiv_id_merges_with_author_year_through_a_source_note(tmp_path: Path, write_corpus) -> None:
    root = write_corpus(tmp_path, {
        "c/one.md": claim("arXiv 2512.03048"),
        "c/two.md": claim("Spizzirri 2025"),
        "inbox/s.md": source_note("Austin Spizzirri", "2025-11-01", url="https://arxiv.org/abs/2512.03048"),
    })  # fmt: skip
    base = kb.load(root)
    assert programs_of(base, "c/one.md") == {"spizzirri-2025": "support"}
    assert programs_of(base, "c/two.md") == {"spizzirri-2025": "support"}


def test_alias_table_and_undated_citations_merge(tmp_path: Path, write_corpus) -> None:
    root = write_corpus(tmp_path, {
        "c/one.md": claim("Full-Stack Alignment paper (2025)"),
        "c/two.md": claim("Edelman 2025; Spizzirri, Syntropic Frameworks (preprint)"),
        "c/three.md": claim("Spizzirri 2025"),
        "programs.yaml": "edelman-2025:\n  - full-stack-alignment-2025\n",
    })  # fmt: skip
    base = kb.load(root)
    assert programs_of(base, "c/one.md") == {"edelman-2025": "support"}
    assert programs_of(base, "c/two.md") == {"edelman-2025": "support", "spizzirri-2025": "support"}


def test_flags_single_program_and_no_program(tmp_path: Path, write_corpus) -> None:
    root = write_corpus(tmp_path, {
        "c/strong.md": claim("Zeng 2025", confidence="proven"),
        "c/weak.md": claim("Zeng 2025", confidence="speculative"),
        "c/none.md": claim("original analysis", confidence="experimental"),
    })  # fmt: skip
    found = compute_convergence(kb.load(root))
    assert [f["kind"] for f in found.flags("c/strong.md")] == ["single-program"]
    assert found.flags("c/weak.md") == []
    assert [f["kind"] for f in found.flags("c/none.md")] == ["no-program"]


def test_many_cited_texts_are_shared_among_worker_processes_with_the_same_result() -> None:
    """Enough new texts to start the workers: every text keeps its own citations, in order."""
    texts = [f"Author{n} {2000 + n % 25}; see also Zeng {1990 + n % 30} and a note {n}" for n in range(PARALLEL_MIN_FILES + 500)]
    shared = extract_all(texts)
    assert shared == citations_of(texts)
    assert len(shared) == len(texts) and all(shared)
    assert shared[3] != shared[4]


def test_the_citation_memo_holds_each_text_once_and_computes_only_new_ones(tmp_path: Path) -> None:
    """Repeated texts are computed once; a second run on the same root computes nothing."""
    asked: list[list[str]] = []

    def count(texts: list[str]) -> list[tuple[tuple[str, str], ...]]:
        asked.append(texts)
        return citations_of(texts)

    memo = TextMemo(tmp_path, "citations")
    first = memo.values(["Zeng 2025", "Edelman 2025", "Zeng 2025"], count)
    memo.save(set(first))
    again = TextMemo(tmp_path, "citations").values(["Edelman 2025", "Zeng 2025"], count)
    assert asked == [["Zeng 2025", "Edelman 2025"]]
    assert list(first) == ["Zeng 2025", "Edelman 2025"] and again == first
    assert first["Zeng 2025"] == (("zeng-2025", "Zeng 2025"),)
