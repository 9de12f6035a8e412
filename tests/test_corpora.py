"""One tiny corpus per rule under tests/corpora/<rule>/, checked against its expected.txt.

Each expected.txt is the whole `kb check --format text` output, reviewed by hand line by line
(line, column, rule, message, hint). A corpus named `clean-*` must check clean.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.rules import RULES

from kbtest import CORPORA, invoke_kb

CORPUS_DIRS = sorted(p for p in CORPORA.iterdir() if p.is_dir())
LINE = re.compile(r"^(?P<path>[^:]+\.md):(?P<line>\d+):(?P<col>\d+): (?P<severity>error|warning|info) (?P<code>KB\d{3}) \[(?P<rule>[a-z-]+)\] .+$")
REQUIRED = (
    "yaml-error", "missing-front-matter", "missing-field", "invalid-value", "invalid-date",
    "duplicate-key", "encoding-error", "broken-link", "ambiguous-link", "case-mismatch",
    "missing-heading", "duplicate-title", "orphan", "self-link", "description-repeats-title",
    "unknown-type", "link-outside-root", "name-collision",
)  # fmt: skip


def _expected(corpus: Path) -> str:
    return (corpus / "expected.txt").read_text(encoding="utf-8")


def test_corpora_exist_for_every_required_rule() -> None:
    names = {p.name for p in CORPUS_DIRS}
    assert set(REQUIRED) <= names, sorted(set(REQUIRED) - names)
    assert any(name.startswith("clean") for name in names)


@pytest.mark.parametrize("corpus", CORPUS_DIRS, ids=[p.name for p in CORPUS_DIRS])
def test_check_output_matches_expected_for_corpus(corpus: Path) -> None:
    result = invoke_kb("check", "--format", "text", str(corpus))
    assert result.stdout == _expected(corpus)


@pytest.mark.parametrize("corpus", CORPUS_DIRS, ids=[p.name for p in CORPUS_DIRS])
def test_check_exit_code_follows_errors_for_corpus(corpus: Path) -> None:
    has_errors = any(" error KB" in line for line in _expected(corpus).splitlines())
    result = invoke_kb("check", "--format", "text", str(corpus))
    assert result.exit_code == (1 if has_errors else 0)


@pytest.mark.parametrize("corpus", CORPUS_DIRS, ids=[p.name for p in CORPUS_DIRS])
def test_expected_lines_are_well_formed_for_corpus(corpus: Path) -> None:
    """Every diagnostic line names a real file of the corpus and a catalogued rule and code."""
    lines = _expected(corpus).splitlines()
    diagnostics = [LINE.match(line) for line in lines if re.match(r"^[^ ].*\.md:\d+:\d+: ", line)]
    assert all(diagnostics), lines
    for match in diagnostics:
        assert match is not None
        assert (corpus / match["path"]).is_file(), match["path"]
        rule = RULES[match["rule"]]
        assert (rule.code, rule.severity.label) == (match["code"], match["severity"])
        assert int(match["line"]) >= 1 and int(match["col"]) >= 1
    assert re.fullmatch(r"\d+ error\(s\), \d+ warning\(s\), \d+ info", lines[-1])


@pytest.mark.parametrize("corpus", CORPUS_DIRS, ids=[p.name for p in CORPUS_DIRS])
def test_corpus_reports_its_own_rule(corpus: Path) -> None:
    output = invoke_kb("check", "--format", "text", str(corpus)).stdout
    rules = {m["rule"] for m in map(LINE.match, output.splitlines()) if m}
    if corpus.name.startswith("clean"):
        assert rules == set()
        assert output.endswith("0 error(s), 0 warning(s), 0 info\n")
    else:
        assert corpus.name in RULES
        assert corpus.name in rules


def test_corpus_output_is_the_same_from_another_cwd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Paths are relative to ROOT, not to the working directory."""
    corpus = CORPORA / "broken-link"
    monkeypatch.chdir(tmp_path)
    assert invoke_kb("check", str(corpus)).stdout == _expected(corpus)
