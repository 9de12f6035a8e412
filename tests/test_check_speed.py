"""Faster `kb check` stages give what the simple versions gave: suggestions, folding, splitting, workers."""

from __future__ import annotations

import dataclasses
import os
import random
import re
from pathlib import Path
from typing import Any

import pytest
from kbtest import claim_text
from rapidfuzz import fuzz, process

from kb import frontmatter, pipeline, workers
from kb.config import DEFAULT_SCHEMAS, Settings
from kb.discover import discover
from kb.resolve import build_index
from kb.suggest import BLOCK, CLOSE_SCORE, MIN_PREFIX, Suggester, folded_words, spelling_key, suggest_stems

_SEPARATORS = re.compile(r"[\s\-_]+")
_PUNCTUATION = re.compile(r"[^\w\s]")
WORDS = "alignment taxes markets deliberative polling futarchy may can erode amplify the of rarely".split()


def reference_spelling_key(text: str) -> str:
    """spelling_key as two regular expressions."""
    return _SEPARATORS.sub(" ", _PUNCTUATION.sub("", text.casefold().replace("-", " "))).strip()


def reference_cut(stems: set[str], target: str) -> str | None:
    """The truncated-title search by every cut length, longest first."""
    for size in range(len(target) - 1, MIN_PREFIX - 1, -1):
        cut = target[:size].rstrip()
        if cut in stems:
            return cut
    return None


def reference_fuzz(stems: list[str], target: str) -> tuple[float, str] | None:
    """The best close spelling over both whole blocks, of equal scores the smallest stem."""
    key = target.casefold()
    block = [s for s in sorted(stems) if s.casefold()[:BLOCK] == key[:BLOCK] or s.casefold()[-BLOCK:] == key[-BLOCK:]]
    found = process.extract(target, block, scorer=fuzz.ratio, score_cutoff=CLOSE_SCORE, limit=None)
    return min(((score, stem) for stem, score, _ in found), key=lambda hit: (-hit[0], hit[1]), default=None)


def random_title(rng: random.Random) -> str:
    """A title of 4-14 words, now and then with doubled or trailing spaces."""
    title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 14)))
    return title.replace(" ", "  ", 1) if rng.random() < 0.2 else title


def mutate(rng: random.Random, stem: str) -> str:
    """A broken target made from a title: cut, extended, misspelt, spaced or unrelated."""
    at = rng.randrange(len(stem) + 1)
    return rng.choice([
        stem[: max(1, at)], stem + rng.choice([" x", "   more words", "s", "  "]), stem[:at] + "q" + stem[at:],
        stem[:at] + stem[at + 1 :], stem[:at] + "  " + stem[at:], stem.upper(), random_title(rng), " " * 31 + stem,
    ])  # fmt: skip


@pytest.mark.parametrize("seed", range(4))
def test_suggestions_equal_the_exhaustive_searches(seed: int) -> None:
    rng = random.Random(seed)
    stems = sorted({random_title(rng) for _ in range(300)} | {"x" * MIN_PREFIX + "  ", "a"} | ({""} if seed % 2 else set()))
    suggester = Suggester(build_index([f"d/{stem}.md" for stem in stems]))
    for target in [mutate(rng, rng.choice(stems)) for _ in range(400)]:
        cut = reference_cut(set(stems), target)
        assert suggester._cut_title(target) == cut, target
        best = reference_fuzz(stems, target)
        found = suggester._by_fuzz(target)
        assert (found.title if found else None) == (best[1] if best else None), target
        assert found is None or found.strong == (best[0] >= 95)


def test_suggestions_made_in_parts_equal_suggestions_made_in_one() -> None:
    rng = random.Random(9)
    stems = sorted({random_title(rng) for _ in range(200)})
    index = build_index([f"d/{stem}.md" for stem in stems])
    targets = sorted({mutate(rng, rng.choice(stems)) for _ in range(300)})
    whole = Suggester(index)
    expected = {target: whole.suggest(target) for target in targets}
    assert suggest_stems(index.by_stem, targets) == expected
    remembered = Suggester(index)
    remembered.remember(suggest_stems(index.by_stem, targets))
    assert all(remembered.suggest(target) == expected[target] for target in targets)
    assert "_blocks" not in vars(remembered)  # nothing was searched again


def test_folding_equals_the_regular_expressions() -> None:
    rng = random.Random(3)
    alphabet = [chr(c) for c in range(128)] + list("éßÅ\u00a0\u2003\u3000—–ﬁİΣς\u0301\u200b\u2028\x85")
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        assert spelling_key(text) == reference_spelling_key(text), repr(text)
        assert folded_words(text) == _PUNCTUATION.sub("", text.casefold().replace("-", " ").replace("_", " ")).split()


def reference_split(text: str) -> tuple[str | None, int, bool, str]:
    """frontmatter.split by splitting every line, the body cut off by the same count of newlines."""
    if not (text.startswith("---\n") or text.rstrip("\n") == "---" or text.startswith("--- \n")):
        return None, 1, True, text
    lines = text.split("\n")
    end = next((index for index in range(1, len(lines)) if lines[index].rstrip() in ("---", "...")), 0)
    if not end:
        return "\n".join(lines[1:]), 1, False, text
    return "\n".join(lines[1:end]), end + 2, True, text.split("\n", end + 1)[-1]


def test_front_matter_split_equals_splitting_every_line() -> None:
    rng = random.Random(5)
    pieces = ["---", "--- ", "...", "\n", "a: 1", " ", "\t", "\x85", "\u2028", "x", "---\t", ""]
    for _ in range(30_000):
        text = rng.choice(["---\n", "--- \n", "---", ""]) + "".join(rng.choice(pieces) for _ in range(rng.randrange(10)))
        assert frontmatter.split(text) == reference_split(text), repr(text)


def test_a_file_longer_than_one_read_is_read_whole(tmp_path: Path) -> None:
    data = bytes(range(256)) * (pipeline.READ_SIZE // 128 + 3)
    (tmp_path / "big.md").write_bytes(data)
    (tmp_path / "exact.md").write_bytes(data[: pipeline.READ_SIZE])
    assert pipeline.read_bytes(tmp_path / "big.md") == data
    assert pipeline.read_bytes(tmp_path / "exact.md") == data[: pipeline.READ_SIZE]


def test_work_sent_later_gives_its_result_with_or_without_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    with workers.Workers() as idle:
        assert idle.later(sum, [1, 2])() == 3
    with workers.Workers() as running:
        assert running.for_files(5) is not None
        assert running.later(sorted, [3, 1, 2])() == [1, 2, 3]
        assert running.later(os.getpid)() != os.getpid()  # it ran in a worker


def near_duplicate_corpus(tmp_path: Path, write_corpus: Any) -> Path:
    """Claims with near-duplicate titles and descriptions, links to missing notes and a bad schema."""
    files = {
        f"d{i % 3}/markets {i} rarely price alignment taxes well.md": claim_text(
            f"see [[markets {i + 1} rarely price alignment taxes well]] and [[markets {i} rarely price alignment taxs well]]",
            description=f"the same long description repeated nearly word for word in claim {i % 2}",
        )
        for i in range(60)
    }
    files["d0/broken.md"] = "---\ntype: claim\nconfidence: sure\n---\n[[nowhere at all]]\n"
    return write_corpus(tmp_path / "kb", files)


def test_checks_in_workers_equal_checks_in_one_process(tmp_path: Path, write_corpus: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    root = near_duplicate_corpus(tmp_path, write_corpus)
    alone = pipeline.check_diagnostics(root, Settings(), use_cache=False)
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    pooled = pipeline.check_diagnostics(root, Settings(), use_cache=False)
    assert pooled == alone
    assert {d.rule for d in alone} >= {"near-duplicate", "broken-link", "missing-field", "invalid-value"}


def test_schema_problems_cached_with_the_parse_follow_the_schema(tmp_path: Path, write_corpus: Any) -> None:
    root = near_duplicate_corpus(tmp_path, write_corpus)
    found = discover(root, Settings())
    lenient = Settings(schemas={**DEFAULT_SCHEMAS, "claim": dataclasses.replace(DEFAULT_SCHEMAS["claim"], required=(), enums={})})
    strict_rules = {d.rule for r in pipeline.read_files(root, found, Settings()) for d in r.diagnostics}
    lenient_rules = {d.rule for r in pipeline.read_files(root, found, lenient) for d in r.diagnostics}
    assert {"missing-field", "invalid-value"} <= strict_rules
    assert not {"missing-field", "invalid-value"} & lenient_rules
    assert strict_rules == {d.rule for r in pipeline.read_files(root, found, Settings()) for d in r.diagnostics}
