"""The parse cache: where it lives, that it is reused, and that a change is seen."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.pipeline import check_diagnostics, load
from kbtest import claim_text


def test_cache_goes_to_kb_cache_dir_when_set(tmp_path: Path, write_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_corpus(tmp_path / "kb", {"a.md": claim_text("[[nowhere]]")})
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    check_diagnostics(root)
    assert not (root / ".kb-cache").exists()
    assert any((tmp_path / "cache").rglob("*.pickle"))


def test_cache_defaults_to_a_git_ignored_folder_in_root(tmp_path: Path, write_corpus, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_corpus(tmp_path / "kb", {"a.md": claim_text()})
    monkeypatch.delenv("KB_CACHE_DIR", raising=False)
    load(root)
    assert (root / ".kb-cache" / ".gitignore").read_text(encoding="utf-8") == "*\n"


def test_edited_file_is_parsed_again(tmp_path: Path, write_corpus) -> None:
    root = write_corpus(tmp_path / "kb", {"a.md": claim_text("[[nowhere]]")})
    assert "broken-link" in [d.rule for d in check_diagnostics(root)]
    (root / "a.md").write_text(claim_text("no links now, and a longer body"), encoding="utf-8")
    assert "broken-link" not in [d.rule for d in check_diagnostics(root)]
    assert "broken-link" not in [d.rule for d in load(root).diagnostics]
