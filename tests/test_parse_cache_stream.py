"""The streamed parse cache and pipeline: rows survive batching, results match a serial parse."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from kbtest import claim_text

from kb import pipeline, workers
from kb.cache import CacheWriter, ParseCache, cache_folder, read_batches
from kb.config import Settings
from kb.discover import discover
from kb.resolve import build_index
from kb.suggest import Suggester


def test_rows_written_in_several_batches_read_back_equal(tmp_path: Path) -> None:
    rows = [(f"n{i}.md", (i, i * 3), bytes([i % 256]) * i, f"hash {i}") for i in range(CacheWriter.BATCH * 2 + 7)]
    with CacheWriter(tmp_path / "c.pickle") as writer:
        for rel, stamp, packed, digest in rows:
            writer.add(rel, stamp, packed, digest)
        writer.add("gone.md", None, b"never kept", "")
    assert read_batches(tmp_path / "c.pickle") == {rel: (stamp, packed, digest) for rel, stamp, packed, digest in rows}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".gitignore", "c.pickle"]  # no temporary file left behind


def test_a_failed_write_leaves_no_cache(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), CacheWriter(tmp_path / "c.pickle") as writer:
        writer.add("a.md", (1, 1), b"x", "")
        raise RuntimeError("interrupted")
    assert [p.name for p in tmp_path.iterdir()] == [".gitignore"]


def test_corrupt_or_truncated_cache_reads_as_empty(tmp_path: Path) -> None:
    (tmp_path / "c.pickle").write_bytes(b"\x80\x05not a pickle at all")
    assert read_batches(tmp_path / "c.pickle") == {}
    assert read_batches(tmp_path / "absent.pickle") == {}


def test_unchanged_cache_is_not_rewritten_and_deleted_files_are_dropped(tmp_path: Path, write_corpus) -> None:
    root = write_corpus(tmp_path / "kb", {"a.md": claim_text("[[b]]"), "b.md": claim_text("[[a]]")})
    pipeline.load(root)
    (cache_file,) = cache_folder(root).glob("notes-*.pickle")
    written = cache_file.stat().st_mtime_ns
    pipeline.load(root)
    assert cache_file.stat().st_mtime_ns == written
    (root / "b.md").unlink()
    pipeline.load(root)
    assert set(read_batches(cache_file)) == {"a.md"}


def test_take_hands_out_only_fresh_entries_once(tmp_path: Path) -> None:
    cache = ParseCache(tmp_path, "v")
    cache.entries = {"a.md": ((1, 2), b"A", "hash a"), "b.md": ((1, 2), b"B", "hash b")}
    assert cache.take("a.md", (1, 2)) == b"A"
    assert cache.take("a.md", (1, 2)) is None
    assert cache.take("b.md", (9, 9)) is None
    assert (cache.digest("a.md"), cache.digest("b.md")) == ("", "hash b")  # b.md's stamp changed: its content may not have
    assert cache.reuse("b.md") == b"B"
    assert cache.writer(changed=False) is None


def test_pool_cached_and_serial_results_are_equal(tmp_path: Path, write_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"d{i % 3}/claim {i}.md": claim_text(f"links [[claim {i + 1}]] and [[nowhere {i}]]") for i in range(40)}
    root = write_corpus(tmp_path / "kb", files)
    found = discover(root, Settings())
    serial = [pipeline.parse_bytes(rel, pipeline.read_bytes(path), Settings()) for rel, path in found.files]
    monkeypatch.setattr(workers, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(workers.os, "cpu_count", lambda: 2)
    cold = pipeline.read_files(root, found, Settings())
    warm = pipeline.read_files(root, found, Settings())
    assert cold == serial == warm
    assert len(serial) == 40


def test_suggestions_are_remembered_per_stem() -> None:
    suggester = Suggester(build_index(["x/the specification trap means alignment fails.md", "b.md"]))
    first = suggester.suggest("the specification trap means alignment fail")
    assert first is not None and first.path == "x/the specification trap means alignment fails.md"
    assert suggester.suggest("elsewhere/the specification trap means alignment fail") is first
    assert suggester.suggest("nothing like any title at all") is None


def test_files_with_new_stamps_but_the_same_bytes_are_not_parsed_again(tmp_path: Path, write_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {f"d{i % 3}/claim {i}.md": claim_text(f"links [[claim {i + 1}]] and [[nowhere {i}]]") for i in range(40)}
    root = write_corpus(tmp_path / "kb", files)
    pipeline.load(root, Settings())
    for path in root.rglob("*.md"):  # what a `git checkout` or a copy does: new times, same bytes
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    (root / "d1/claim 1.md").write_text(claim_text("links [[claim 2]] only"), encoding="utf-8")
    parsed: list[str] = []
    parse_bytes = pipeline.parse_bytes
    monkeypatch.setattr(pipeline, "parse_bytes", lambda rel, data, settings: parsed.append(rel) or parse_bytes(rel, data, settings))
    again = pipeline.load(root, Settings())
    assert parsed == ["d1/claim 1.md"]
    monkeypatch.undo()
    assert again == pipeline.load(root, Settings(), use_cache=False)
    assert "nowhere 1" not in str(again.notes["d1/claim 1.md"].links)
