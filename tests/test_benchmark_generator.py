"""Tests for the synthetic benchmark corpus generator (benchmarks/generate.py)."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from benchmarks.generate import CorpusStats, generate_corpus

CLAIMS = 300
REPO_ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```.*?^```", re.S | re.M)   # a fenced block, opening to closing fence
INLINE_CODE = re.compile(r"`[^`\n]*`")              # an inline code span on one line
WIKI_LINK = re.compile(r"\[\[([^\]]+)\]\]")         # [[target]] with alias/heading inside
CLAIM_ROOTS = ("domains", "foundations", "core")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CorpusStats]:
    """Generate one 300-claim corpus shared by the read-only tests."""
    out = tmp_path_factory.mktemp("corpus")
    return out, generate_corpus(out, CLAIMS, seed=1)


def read_tree(root: Path) -> dict[str, bytes]:
    """Return every file under ``root`` as relative path -> bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def split_front_matter(text: str) -> tuple[str | None, str]:
    """Return (front matter block or None, body)."""
    if not text.startswith("---\n"):
        return None, text
    end = text.index("\n---\n", 3)
    return text[4:end], text[end + 5:]


def link_targets(text: str) -> list[str]:
    """Return normalised targets of the wiki links in ``text`` outside front matter and code."""
    _, body = split_front_matter(text)
    body = INLINE_CODE.sub("", FENCE.sub("", body))
    targets = []
    for raw in WIKI_LINK.findall(body):
        target = raw.split("|", 1)[0].split("#", 1)[0].strip()
        targets.append(target.removesuffix(".md").lower())
    return targets


def is_claim(relative: str) -> bool:
    """True for claim files (not topic maps, not source notes)."""
    return relative.split("/", 1)[0] in CLAIM_ROOTS and not relative.endswith("/_map.md")


def resolve_all(root: Path) -> tuple[list[str | None], set[str]]:
    """Resolve every link in the tree; return (resolved stem or None per link, claim stems)."""
    tree = read_tree(root)
    stems = {Path(p).stem.lower() for p in tree}
    paths = {p.removesuffix(".md").lower() for p in tree}
    resolved: list[str | None] = []
    for data in tree.values():
        for target in link_targets(data.decode("utf-8")):
            hit = target in paths if "/" in target else target in stems
            resolved.append(target.rsplit("/", 1)[-1] if hit else None)
    return resolved, {Path(p).stem.lower() for p in tree if is_claim(p)}


def test_generate_corpus_same_seed_is_byte_identical(tmp_path: Path) -> None:
    """Two runs with the same arguments write the same tree, also from the CLI under another hash seed."""
    first, second, third = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate_corpus(first, CLAIMS, seed=3)
    generate_corpus(second, CLAIMS, seed=3)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "benchmarks.generate", "--claims", str(CLAIMS),
                    "--out", str(third), "--seed", "3"], cwd=REPO_ROOT, env=env, check=True,
                   capture_output=True)
    assert read_tree(first) == read_tree(second) == read_tree(third)


def test_generate_corpus_different_seed_differs(tmp_path: Path) -> None:
    """Another seed gives another corpus."""
    generate_corpus(tmp_path / "a", 50, seed=1)
    generate_corpus(tmp_path / "b", 50, seed=2)
    assert read_tree(tmp_path / "a") != read_tree(tmp_path / "b")


def test_generate_corpus_counts_match_request(corpus: tuple[Path, CorpusStats]) -> None:
    """Claim and source counts follow the request and the stats describe the tree."""
    root, stats = corpus
    tree = read_tree(root)
    assert stats.claims == CLAIMS == sum(is_claim(p) for p in tree)
    assert stats.sources == sum(p.startswith("inbox/archive/") for p in tree)
    assert 90 <= stats.sources <= 110
    assert stats.maps == sum(p.endswith("/_map.md") for p in tree) > 10
    assert stats.files == len(tree)
    assert stats.bytes_written == sum(len(d) for d in tree.values())


def test_generate_corpus_links_resolve_and_break_as_stated(corpus: tuple[Path, CorpusStats]) -> None:
    """Some links resolve, some break, and the counts equal the generator's own."""
    root, stats = corpus
    resolved, _ = resolve_all(root)
    broken = sum(target is None for target in resolved)
    assert len(resolved) == stats.links
    assert broken == stats.broken_links
    assert 0.04 <= broken / len(resolved) <= 0.10


def test_generate_corpus_backlinks_are_skewed(corpus: tuple[Path, CorpusStats]) -> None:
    """A few claims collect most backlinks: max in-degree is at least ten times the median."""
    root, _ = corpus
    resolved, claim_stems = resolve_all(root)
    counts = Counter(t for t in resolved if t in claim_stems)
    degrees = [counts[stem] for stem in claim_stems]
    assert statistics.median(degrees) >= 1
    assert max(degrees) >= 10 * statistics.median(degrees)


def test_generate_corpus_front_matter_parses_except_noise(corpus: tuple[Path, CorpusStats]) -> None:
    """Every front matter block is YAML, except the ones broken on purpose (which must fail)."""
    root, stats = corpus
    malformed = set(stats.malformed_front_matter)
    for relative, data in read_tree(root).items():
        block, _ = split_front_matter(data.decode("utf-8"))
        if block is None:
            assert relative in stats.no_front_matter
        elif relative in malformed:
            with pytest.raises(yaml.YAMLError):
                yaml.safe_load(block)
        else:
            assert isinstance(yaml.safe_load(block).get("type"), str), relative


def test_generate_corpus_titles_fit_file_name_limit(corpus: tuple[Path, CorpusStats]) -> None:
    """No stem exceeds 250 bytes; some sit within 10 bytes of it; some are hyphen slugs."""
    root, stats = corpus
    stems = [Path(p).stem for p in read_tree(root) if is_claim(p)]
    sizes = [len(s.encode("utf-8")) for s in stems]
    assert max(sizes) <= 250
    assert any(size >= 240 for size in sizes)
    assert any(" " not in s and "-" in s for s in stems)
    assert stats.duplicate_titles == len(stems) - len(set(stems)) >= 1


def test_generate_corpus_refuses_non_empty_folder(tmp_path: Path) -> None:
    """Generating into a folder that holds files is refused rather than mixed."""
    (tmp_path / "keep.md").write_text("mine\n")
    with pytest.raises(FileExistsError):
        generate_corpus(tmp_path, 10)
