"""Packed notes come back equal, and remembered resolutions equal fresh ones."""

from __future__ import annotations

import datetime
from pathlib import Path

from kb.config import Settings
from kb.note_packing import pack, unpack
from kb.read import read_note
from kb.resolve import build_index, resolve, resolve_note_links

REPO = Path(__file__).resolve().parents[1]
NOTE = b"""\
---
type: claim
domain: ai-alignment
description: a mechanism, stated at length
created: 2026-01-15
depends_on:
  - a claim
challenged_by: [free text, "[[b claim]]"]
broken: 2026-02-30
---
# Title

A body with [[a claim#Evidence|alias]] and [[../x/y.md]].

### Additional Evidence (challenge)
*Source: [[some source]]*

Relevant Notes:
- [[b claim]] \xe2\x80\x94 why it matters

Topics:
- [[domains/ai/_map]]
"""


def test_pack_then_unpack_gives_an_equal_result() -> None:
    files = [("domains/ai/note.md", NOTE), ("empty.md", b""), ("bad.md", b"---\n: [\n---\nx\n"), ("latin.md", b"\xff---\n")]
    files += [(str(p.relative_to(REPO)), p.read_bytes()) for p in sorted((REPO / "claims").rglob("*.md"))]
    strings: dict[str, str] = {}
    for path, data in files:
        result = read_note(path, data, Settings())
        again = unpack(pack(result), strings)
        assert again == result
        if again.note is not None and result.note is not None:
            assert [type(v) for v in again.note.meta.values()] == [type(v) for v in result.note.meta.values()]
            assert [type(link.kind) for link in again.note.links] == [type(link.kind) for link in result.note.links]


def test_unpacking_shares_repeated_strings() -> None:
    strings: dict[str, str] = {}
    first, second = (unpack(pack(read_note(f"{name}.md", NOTE, Settings())), strings).note for name in ("one", "two"))
    assert first is not None and second is not None
    assert first.links[0].target is second.links[0].target
    assert first.meta["created"] == datetime.date(2026, 1, 15)


def test_remembered_resolutions_equal_fresh_ones() -> None:
    paths = ["a.md", "x/a.md", "x/y/b.md", "z/a.md", "x/_map.md", "z/_map.md", "Case.md"]
    index = build_index(paths)
    targets = ["a", "b", "_map", "case", "x/a", "../a", "/z/a", "", "missing", "y/b", "C:/x", "/../a"]
    memo: dict = {}
    for origin in paths * 2:
        assert list(resolve_note_links(index, targets, origin, memo)) == [resolve(index, t, origin) for t in targets]
