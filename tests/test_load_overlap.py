"""Faster load stages give what the plain versions gave.

Suggestions made while the other rules run, memoised section lines and front-matter lines, and
packed links that share their target with their text.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

import pytest
from kbtest import claim_text

from kb import frontmatter_simple, pipeline
from kb.config import Settings
from kb.linking import _unknown_stems, resolve_links
from kb.links import mark_effect, scan_body
from kb.model import LinkKind, LoadResult
from kb.note_packing import pack, unpack
from kb.read import read_note
from kb.resolve import build_index
from kb.suggest import common_prefix


def linked_corpus(tmp_path: Path, write_corpus: Any) -> Path:
    """Claims that link each other (one link broken) from two folders."""
    files = {
        f"d{i % 2}/claim {i} about markets.md": claim_text(f"see [[claim {(i + 1) % 6} about markets]] and [[claim {i} about market]]")
        for i in range(6)
    }
    return write_corpus(tmp_path / "kb", files)


def test_a_file_that_could_not_be_read_is_no_link_target(tmp_path: Path, write_corpus: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    root = linked_corpus(tmp_path, write_corpus)
    read_bytes = pipeline.read_bytes

    def failing(path: str | os.PathLike[str]) -> bytes:
        if str(path).endswith("claim 1 about markets.md"):
            raise PermissionError(13, "Permission denied")
        return read_bytes(path)

    monkeypatch.setattr(pipeline, "read_bytes", failing)
    diagnostics = pipeline.check_diagnostics(root, Settings(), use_cache=False)
    assert [(d.path, d.rule) for d in diagnostics if "claim 1 about markets]]" in d.message] == [("d0/claim 0 about markets.md", "broken-link")]
    assert any(d.rule == "unreadable-file" and d.path == "d1/claim 1 about markets.md" for d in diagnostics)


@pytest.mark.parametrize(
    ("first", "second"),
    [("", ""), ("abc", ""), ("abc", "abd"), ("abc", "abc"), ("abc", "abcd"), ("x y z", "x y"), ("alpha", "beta"), ("αβγ", "αβδ")],
)
def test_common_prefix_is_what_os_path_commonprefix_gives(first: str, second: str) -> None:
    assert common_prefix(first, second) == os.path.commonprefix([first, second])
    assert common_prefix(second, first) == os.path.commonprefix([second, first])


@pytest.mark.parametrize(
    ("line", "effect"),
    [
        ("Relevant Notes:", (None, (LinkKind.RELATES, ""), False)),
        ("**Topics:**", (None, (LinkKind.TOPIC, ""), False)),
        ("## Relevant Notes", ("Relevant Notes", (LinkKind.RELATES, ""), False)),
        ("### Additional Evidence (Challenge)", ("Additional Evidence (Challenge)", (LinkKind.BODY, "challenge"), True)),
        ("##Additional Evidence (confirm)", (None, (LinkKind.BODY, "confirm"), False)),
        ("## Evidence ##", ("Evidence", (LinkKind.BODY, ""), False)),
        ("---", (None, (LinkKind.BODY, ""), False)),
        ("*Source: [[a paper]] | Added: 2026-01-01*", (None, None, False)),
        ("* a bullet", (None, None, False)),
    ],
)
def test_mark_effect_of_lines_that_may_change_section(line: str, effect: tuple[Any, ...]) -> None:
    assert mark_effect(line) == effect


def test_links_take_the_kind_of_their_section() -> None:
    body = (
        "Intro [[a]].\n\n### Additional Evidence (extend)\n*Source: [[paper]] | Added: x*\nmore [[b]]\n\n"
        "Relevant Notes:\n- [[c]] — extends it\n- [[d]]\n\nTopics:\n- [[e]]\n\n## Later\n[[f]] `[[not a link]]`\n"
    )
    scan = scan_body(body, 5)
    assert [(link.target, link.kind.value, link.line, link.col, link.context) for link in scan.links] == [
        ("a", "body", 5, 7, ""),
        ("paper", "evidence", 8, 10, "extend"),
        ("b", "body", 9, 6, ""),
        ("c", "relates", 12, 3, "extends it"),
        ("d", "relates", 13, 3, ""),
        ("e", "topic", 16, 3, ""),
        ("f", "body", 19, 1, ""),
    ]
    assert scan.evidence[0].source == "paper" and scan.headings == ("Additional Evidence (extend)", "Later")


def test_remembered_front_matter_lines_read_as_before() -> None:
    first = frontmatter_simple.parse_simple("type: claim\ncreated: 2026-01-02\ndepends_on: [a, b]")
    again = frontmatter_simple.parse_simple("depends_on: [a, b]\ntype: claim\ncreated: 2026-01-02")
    assert first is not None and again is not None
    assert first[0] == again[0] and first[2] == {"depends_on": [("a", 4, 14), ("b", 4, 17)]}
    assert again[1] == {"depends_on": (2, 1), "type": (3, 1), "created": (4, 1)}
    assert frontmatter_simple.parse_simple("type: claim\ntype: claim") is None  # a duplicate key, even of a remembered line


def test_packed_links_share_target_and_text() -> None:
    text = b"---\ntype: claim\n---\nsee [[a note]] and [[a note|shown]] and [[b.md]]\n"
    result = read_note("x.md", text, Settings())
    packed = pickle.loads(pack(result))[1][5]
    assert [link[1] is link[0] for link in packed] == [True, False, False]
    again = unpack(pack(result), {})
    assert again == LoadResult(result.note, result.diagnostics)


def test_suggestions_asked_for_before_resolving_cover_every_broken_link(tmp_path: Path, write_corpus: Any) -> None:
    files = {
        "d0/_map.md": "---\ntype: map\n---\n[[d1/_map]] [[d0/_map]] [[D0/_MAP]] [[claim 0 about markets]]\n",
        "d0/claim 0 about markets.md": claim_text("see [[d2/claim 0 about markets]], [[claim 0 about market]], [[Claim 0 About Markets]] and [[d0/claim 0 about markets]]"),
        "d1/claim 1 about markets.md": claim_text("see [[claim 1 about markets#Nowhere]] and [[nothing of the kind]]"),
    }
    kb = pipeline.load(write_corpus(tmp_path / "kb", files), Settings(), use_cache=False)
    index = build_index(kb.notes)
    broken = {r.link.target.rsplit("/", 1)[-1] for r in resolve_links(kb.notes.values(), index) if r.resolution.status == "missing"}
    assert {"_map", "claim 0 about markets", "claim 0 about market", "nothing of the kind"} <= broken
    assert broken <= set(_unknown_stems(kb.notes, index))
