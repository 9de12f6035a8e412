"""Loading edge cases: what a file's bytes turn into, and where each problem is reported."""

from __future__ import annotations

import datetime
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Callable, Mapping

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import kb
from kb.config import Settings
from kb.model import Diagnostic, KnowledgeBase

from kbtest import run_kb_process, write_files

WriteCorpus = Callable[[Path, Mapping[str, "str | bytes"]], Path]

VALID_FRONT = """\
---
type: claim
domain: ai-alignment
description: a mechanism the title does not state, with its scope
confidence: likely
source: "Tester (2025)"
created: 2026-01-15
---
"""  # 8 lines; the body starts on line 9


def load_one(tmp_path: Path, write: WriteCorpus, content: str | bytes, name: str = "note.md", **extra: str | bytes) -> KnowledgeBase:
    """Load a corpus of one file (plus `extra` files) and return the knowledge base."""
    return kb.load(write(tmp_path, {name: content, **extra}))


def found(base: KnowledgeBase, path: str = "note.md", skip: tuple[str, ...] = ("orphan",)) -> list[tuple[str, int, int]]:
    """(rule, line, col) of a file's diagnostics, orphans left out."""
    return [(d.rule, d.line, d.col) for d in base.diagnostics if d.path == path and d.rule not in skip]


def body_links(base: KnowledgeBase, path: str = "note.md") -> list[tuple[str, int, int]]:
    return [(r.link.target, r.link.line, r.link.col) for r in base.links if r.origin == path]


def test_missing_front_matter_reported_and_body_still_read(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = load_one(tmp_path, write_corpus, "# Just a note\n\nIt cites [[Nope]].\n")
    assert found(base) == [("missing-front-matter", 1, 1), ("broken-link", 3, 10)]
    note = base.notes["note.md"]
    assert note.has_front_matter is False and note.kind == "note" and note.meta == {}
    assert note.headings == ("Just a note",)


@pytest.mark.parametrize("name", ["README.md", "index.md", "docs/CHANGELOG.md"])
def test_missing_front_matter_not_reported_for_readme_like_file(tmp_path: Path, write_corpus: WriteCorpus, name: str) -> None:
    base = load_one(tmp_path, write_corpus, "# About\n", name=name)
    assert base.diagnostics == ()


def test_empty_file_reported_as_empty(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = load_one(tmp_path, write_corpus, b"")
    (item,) = base.diagnostics
    assert (item.rule, item.line, item.col, item.message) == ("missing-front-matter", 1, 1, "empty file")
    assert base.notes["note.md"].links == ()


@pytest.mark.parametrize(
    ("yaml_lines", "line", "col"),
    [
        pytest.param("type: claim\ndomain: [ai-alignment\nconfidence: likely\n", 4, 11, id="unclosed-flow-list"),
        pytest.param("type: claim\n  domain: indented\n", 3, 9, id="bad-indentation"),
        pytest.param('type: claim\ndescription: "unterminated\n', 3, 27, id="unterminated-quote"),
        pytest.param("type: claim\nsource: a: b\n", 3, 10, id="colon-in-plain-value"),
        pytest.param("type: claim\n\tdomain: tab\n", 3, 1, id="tab-indentation"),
    ],
)
def test_yaml_error_reported_at_error_line(tmp_path: Path, write_corpus: WriteCorpus, yaml_lines: str, line: int, col: int) -> None:
    text = "---\n" + yaml_lines + "---\n# Body\n\nSee [[Nope]].\n"
    base = load_one(tmp_path, write_corpus, text)
    yaml_errors = [(d.line, d.col) for d in base.diagnostics if d.rule == "yaml-error"]
    assert yaml_errors == [(line, col)]
    assert [t for t, *_ in body_links(base)] == ["Nope"]  # the body is still scanned
    assert base.notes["note.md"].meta == {}


def test_yaml_error_line_matches_pyyaml_problem_line(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    yaml_text = "type: claim\ndomain: ai\nconfidence: [likely\nsource: x\n"
    with pytest.raises(yaml.MarkedYAMLError) as raised:
        yaml.safe_load(yaml_text)
    mark = raised.value.problem_mark
    assert mark is not None
    base = load_one(tmp_path, write_corpus, "---\n" + yaml_text + "---\n")
    (item,) = [d for d in base.diagnostics if d.rule == "yaml-error"]
    assert (item.line, item.col) == (mark.line + 2, mark.column + 1)  # +1 for `---`, +1 for 1-based


@pytest.mark.parametrize("front", ["---\njust a string\n---\n", "---\n- a\n- b\n---\n", "---\n42\n---\n"])
def test_yaml_error_when_front_matter_not_a_mapping(tmp_path: Path, write_corpus: WriteCorpus, front: str) -> None:
    base = load_one(tmp_path, write_corpus, front)
    assert found(base) == [("yaml-error", 2, 1)]


def test_empty_front_matter_is_not_an_error(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = load_one(tmp_path, write_corpus, "---\n---\n# Body\n")
    assert base.diagnostics == ()
    assert base.notes["note.md"].has_front_matter is True and base.notes["note.md"].body_line == 3


def test_front_matter_never_closed_reported_at_top(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = load_one(tmp_path, write_corpus, "---\ntype: claim\ndomain: ai\n\n# Title\n\nSee [[Nope]].\n")
    assert found(base) == [("yaml-error", 1, 1), ("broken-link", 7, 5)]
    assert "never closed" in base.diagnostics[0].message
    assert base.notes["note.md"].meta == {}


def test_front_matter_closed_with_dots(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = load_one(tmp_path, write_corpus, "---\ntype: entity\n...\n# Body\n")
    assert base.diagnostics == ()
    assert base.notes["note.md"].meta == {"type": "entity"}


def test_duplicate_key_reported_at_second_key(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = VALID_FRONT.replace("created: 2026-01-15\n", "created: 2026-01-15\nconfidence: speculative\n")
    base = load_one(tmp_path, write_corpus, text)
    (item,) = [d for d in base.diagnostics if d.path == "note.md" and d.rule != "orphan"]
    assert (item.rule, item.line, item.col) == ("duplicate-key", 8, 1)
    assert "first at line 5" in item.message
    assert base.notes["note.md"].meta["confidence"] == "speculative"  # what YAML itself keeps


def test_impossible_date_reported_and_loading_goes_on(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = VALID_FRONT.replace("created: 2026-01-15\n", "").replace("type: claim\n", "type: claim\ncreated: 2026-02-00\n")
    with pytest.raises(ValueError):
        yaml.safe_load(text.split("---\n")[1])  # plain PyYAML loses the whole block
    base = load_one(tmp_path, write_corpus, text + "# Body\n\n[[Nope]]\n")
    assert found(base) == [("invalid-date", 3, 10), ("broken-link", 11, 1)]
    meta = base.notes["note.md"].meta
    assert meta["created"] == "2026-02-00"
    assert meta["confidence"] == "likely" and meta["source"] == "Tester (2025)"  # keys after it survive


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param("2026-13-01", "not a real date", id="month-13"),
        pytest.param("2025-02-29", "not a real date", id="not-a-leap-year"),
        pytest.param('"2026-02-30"', "is not a date", id="quoted-impossible"),
        pytest.param("yesterday", "is not a date", id="words"),
        pytest.param("15/01/2026", "is not a date", id="other-format"),
    ],
)
def test_invalid_date_reported_once_on_its_line(tmp_path: Path, write_corpus: WriteCorpus, value: str, message: str) -> None:
    base = load_one(tmp_path, write_corpus, VALID_FRONT.replace("2026-01-15", value))
    items = [d for d in base.diagnostics if d.rule != "orphan"]
    assert [(d.rule, d.line) for d in items] == [("invalid-date", 7)]
    assert message in items[0].message


@pytest.mark.parametrize("value", ["2026-01-15", '"2026-01-15"', "'2026-01-15'", "2026-01-15T10:00:00Z"])
def test_valid_date_spellings_accepted(tmp_path: Path, write_corpus: WriteCorpus, value: str) -> None:
    base = load_one(tmp_path, write_corpus, VALID_FRONT.replace("2026-01-15", value))
    assert found(base) == []


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        pytest.param(('source: "Tester (2025)"', "source: [Tester, Other]"), [("invalid-value", 6, 1)], id="list-where-text"),
        pytest.param(("description: a mechanism", "description:\n  - a mechanism"), [("invalid-value", 4, 1)], id="block-list-where-text"),
        pytest.param(("domain: ai-alignment", "domain: 42"), [("invalid-value", 3, 1)], id="number-where-text"),
        pytest.param(("created: 2026-01-15", "created: 2026-01-15\nsecondary_domains: economics"), [("invalid-value", 8, 1)], id="text-where-list"),
        pytest.param(("created: 2026-01-15", "created: 2026-01-15\nchallenged_by: {a: 1}"), [("invalid-value", 8, 1)], id="mapping-where-list"),
        pytest.param(("created: 2026-01-15", "created: 2026-01-15\nsecondary_domains: [a, [b]]"), [("invalid-value", 8, 1)], id="nested-list-item"),
        pytest.param(("confidence: likely", "confidence: [likely]"), [("invalid-value", 5, 1)], id="list-where-enum"),
        pytest.param(("confidence: likely", "confidence: Likely"), [("invalid-value", 5, 1)], id="enum-other-case"),
    ],
)
def test_wrong_value_type_reported_at_key(tmp_path: Path, write_corpus: WriteCorpus, replace: tuple[str, str], expected: list[tuple[str, int, int]]) -> None:
    base = load_one(tmp_path, write_corpus, VALID_FRONT.replace(*replace))
    assert found(base) == expected


def test_missing_and_empty_fields_reported(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = VALID_FRONT.replace('source: "Tester (2025)"\n', "").replace("domain: ai-alignment", "domain:")
    base = load_one(tmp_path, write_corpus, text)
    assert found(base) == [("missing-field", 1, 1), ("missing-field", 3, 1)]
    messages = [d.message for d in base.diagnostics if d.rule == "missing-field"]
    assert messages == ["required field `source` is missing (type: claim)", "required field `domain` is empty (type: claim)"]


def test_invalid_utf8_in_body_reported_and_rest_parsed(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    data = VALID_FRONT.encode() + b"# Title\n\nThe caf\xe9 line.\nThen [[Nope]].\n"
    base = load_one(tmp_path, write_corpus, data)
    assert found(base) == [("encoding-error", 11, 8), ("broken-link", 12, 6)]
    assert base.notes["note.md"].meta["confidence"] == "likely"
    assert base.notes["note.md"].headings == ("Title",)


def test_invalid_utf8_in_front_matter_reported_and_keys_kept(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    data = VALID_FRONT.replace('"Tester (2025)"', "Tester caf_ 2025").encode().replace(b"caf_", b"caf\xff")
    base = load_one(tmp_path, write_corpus, data)
    assert found(base) == [("encoding-error", 6, 19)]
    meta = base.notes["note.md"].meta
    assert meta["source"] == "Tester caf\ufffd 2025" and meta["created"] == datetime.date(2026, 1, 15)


def test_invalid_utf8_column_counts_characters(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    """Columns are characters everywhere else (links, YAML); `résumé ` is 7 characters, 9 bytes."""
    data = VALID_FRONT.encode() + "résumé ".encode() + b"\xff\n"
    base = load_one(tmp_path, write_corpus, data)
    assert found(base) == [("encoding-error", 9, 8)]


def test_bom_is_ignored_and_positions_unchanged(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = VALID_FRONT.replace("created: 2026-01-15\n", "created: 2026-01-15\ncreated: 2026-01-16\n") + "# Title\n\nSee [[Nope]].\n"
    base = load_one(tmp_path, write_corpus, b"\xef\xbb\xbf" + text.encode())
    assert found(base) == [("duplicate-key", 8, 1), ("broken-link", 12, 5)]
    note = base.notes["note.md"]
    assert note.has_front_matter and note.meta["type"] == "claim" and note.position("type") == (2, 1)


def test_bom_without_front_matter_keeps_first_line_columns(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = load_one(tmp_path, write_corpus, b"\xef\xbb\xbfSee [[Nope]].\n")
    assert found(base) == [("missing-front-matter", 1, 1), ("broken-link", 1, 5)]


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_crlf_line_endings_keep_positions(tmp_path: Path, write_corpus: WriteCorpus, newline: str) -> None:
    text = VALID_FRONT.replace("created: 2026-01-15\n", "created: 2026-02-00\nconfidence: likely\n") + "# Title\n\nSee [[Nope]] and [[Other#Part]].\n"
    other = "---\ntype: entity\n---\n# Other\n".replace("\n", newline)
    base = load_one(tmp_path, write_corpus, text.replace("\n", newline), **{"Other.md": other})
    assert found(base) == [("invalid-date", 7, 10), ("duplicate-key", 8, 1), ("broken-link", 12, 5), ("missing-heading", 12, 18)]
    note = base.notes["note.md"]
    assert note.meta["description"] == "a mechanism the title does not state, with its scope"
    assert note.headings == ("Title",) and note.body_line == 10
    assert base.notes["Other.md"].headings == ("Other",)


def test_crlf_yaml_error_line_right(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    text = "---\r\ntype: claim\r\ndomain: [a\r\nsource: x\r\n---\r\n"
    base = load_one(tmp_path, write_corpus, text)
    assert found(base) == [("yaml-error", 4, 7)]


def test_alias_bomb_finishes_fast_with_yaml_error(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index, name in enumerate("bcdefghij"):
        prev = "abcdefghij"[index]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "---\n" + "\n".join(lines) + "\n---\n# Body\n\n[[Nope]]\n"
    started = time.perf_counter()
    base = load_one(tmp_path, write_corpus, text)
    assert time.perf_counter() - started < 5
    assert [d.rule for d in base.diagnostics if d.rule == "yaml-error"] == ["yaml-error"]
    assert [t for t, *_ in body_links(base)] == ["Nope"]


@pytest.mark.parametrize("depth", [20_000, 100_000])
def test_deeply_nested_yaml_finishes_with_yaml_error(tmp_path: Path, write_corpus: WriteCorpus, depth: int) -> None:
    """Run as a real process: a C-level stack overflow would kill the test session otherwise."""
    root = write_corpus(tmp_path, {"note.md": "---\nx: " + "[" * depth + "]" * depth + "\n---\n"})
    started = time.perf_counter()
    done = run_kb_process("check", str(root), "--format", "json")
    assert time.perf_counter() - started < 60
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])  # not a crash (-11)
    rules = [d["rule"] for d in json.loads(done.stdout)["diagnostics"]]
    assert rules == ["yaml-error"]


def test_unsafe_yaml_tag_is_yaml_error_not_code(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = load_one(tmp_path, write_corpus, "---\ntype: entity\nx: !!python/object/apply:os.system ['echo hacked']\n---\n")
    assert found(base) == [("yaml-error", 3, 4)]
    assert base.notes["note.md"].meta["type"] == "entity"


def test_file_over_size_limit_reported_not_parsed(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    root = write_corpus(tmp_path, {"big.md": "---\ntype: claim\n---\n" + "x" * 500 + "[[Nope]]\n"})
    base = kb.load(root, Settings(max_file_bytes=100))
    assert [(d.rule, d.path) for d in base.diagnostics] == [("unreadable-file", "big.md")]
    assert "big.md" in base.notes  # still a link target


def test_key_positions_recorded(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    base = load_one(tmp_path, write_corpus, VALID_FRONT)
    note = base.notes["note.md"]
    assert [note.position(k) for k in ("type", "domain", "description", "confidence", "source", "created")] == [(2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1)]
    assert note.position("absent") == (1, 1)
    assert note.body_line == 9


def test_type_decides_kind(tmp_path: Path, write_corpus: WriteCorpus) -> None:
    files = {
        "a.md": "---\ntype: Claim \n---\n",
        "domains/x/_map.md": "# Untyped map\n",
        "b.md": "---\ntype: source\ntitle: T\n---\n",
        "c.md": "---\ntitle: none\n---\n",
    }
    base = kb.load(write_corpus(tmp_path, files))
    assert {p: n.kind for p, n in base.notes.items()} == {"a.md": "claim", "b.md": "source", "c.md": "note", "domains/x/_map.md": "map"}


# --- property tests: no input makes kb.load raise, every position is on the page ---------------

TOKENS = st.sampled_from([
    "---\n", "---", "...\n", "[[", "]]", "`", "```\n", "~~~\n", "\n", "\r\n", "\r", "|", "\\|", "#", "## ", ": ",
    "- ", "  - ", "type: claim\n", "type: source\n", "depends_on:", "challenged_by: [", "claims_extracted:\n",
    "created: 2026-02-00\n", "&a ", "*a", "!!binary ", "? ", "{", "}", "[", "]", "\ufeff", "\t", '"', "'",
    "Relevant Notes:\n", "Topics:\n", "### Additional Evidence (challenge)\n", "*Source: ", " — ", "../", "/", ".md",
])  # fmt: skip
TEXTS = st.lists(st.one_of(TOKENS, st.text(max_size=12)), max_size=40).map("".join)


def _assert_loads(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_files(Path(folder), {"domains/x/Alpha claim.md": "---\ntype: entity\n---\n# Alpha claim\n", **files})
        base = kb.load(root)
        lines = {path: len(re.split(rb"\r\n|\r|\n", data)) for path, data in files.items()}
        for item in base.diagnostics:
            _assert_on_page(item, lines.get(item.path, 4))
        for resolved in base.links:
            assert resolved.link.line >= 1 and resolved.link.col >= 1


def _assert_on_page(item: Diagnostic, line_count: int) -> None:
    assert item.line >= 1 and item.col >= 1, item
    assert item.line <= line_count + 1, (item, line_count)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=600))
def test_load_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    _assert_loads({"note.md": data})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_load_never_raises_on_markdown_like_text(text: str) -> None:
    _assert_loads({"note.md": text.encode("utf-8", "surrogatepass")})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_load_never_raises_on_text_inside_front_matter(text: str) -> None:
    _assert_loads({"note.md": ("---\n" + text + "\n---\n" + text).encode("utf-8", "surrogatepass")})


@pytest.mark.parametrize("brk", ["\x85", "\u2028", "\u2029"])
def test_yaml_positions_count_only_lf_as_a_line_break(brk: str) -> None:
    """YAML also breaks lines at NEL, LS and PS; kb's lines (what editors show) do not."""
    from kb.read import read_note

    bad = f"---\ntype: claim\ndescription: a{brk}b{brk}c{brk}d\nconfidence: likely\n---\nBody{brk}text\n".encode()
    problems = read_note("x.md", bad, Settings()).diagnostics
    assert [(d.rule, d.line) for d in problems] == [("yaml-error", 3)]  # the description's line, not YAML's fifth
    good = f"---\ntype: claim\ndescription: \"a{brk}b{brk}c\"\nconfidence: likely\nsource: [\"x{brk}y\", z]\n---\nBody\n".encode()
    note = read_note("y.md", good, Settings()).note
    assert note is not None and note.positions["confidence"] == (4, 1) and note.positions["source"] == (5, 1)
