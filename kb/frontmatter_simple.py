"""A fast reader for the plain front matter real codex files use; it declines everything else.

Nearly every claim's front matter is a flat block of `key: value` lines whose values are plain
or quoted one-line scalars, one-line `[a, b]` flow lists, or `- item` block lists. Reading those
directly is some ten times faster than building PyYAML's node tree. Anything outside that subset
(comments, tabs, anchors, escapes, multi-line values, nesting, duplicate keys, odd characters,
values PyYAML would refuse) makes `parse_simple` return None, and kb.frontmatter then uses
PyYAML. Tags are still decided by PyYAML's own resolver and non-text values are still built by
its SafeConstructor, so the two readers agree exactly; tests/test_frontmatter_simple.py checks
that with generated YAML.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import yaml

# A top-level key at column 0 (group 1), then `:` and either nothing or a space and the rest (group 2).
KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,127}):( .*)?")
# A block-list item: indentation (group 1), `- ` and the rest (group 2).
ITEM_LINE = re.compile(r"( *)-( .*)?")
# Anything outside printable, non-break, non-tab text (YAML line breaks \x85 \u2028 \u2029 too): the
# complement of \n, \x20-\x7e, \xa0-\u2027, \u202a-\ud7ff, \ue000-\ufefe, \uff00-\ufffd and the astral
# planes, spelled as the few ranges it leaves (a negated class over all of Unicode takes 6-10 ms to
# compile, at every start of kb).
UNUSUAL_CHARACTER = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# Characters that cannot start a plain scalar (or that we leave to PyYAML).
INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# A one-line double- or single-quoted scalar with no escapes: the text in group 1 or 2.
QUOTED = re.compile(r'"([^"\\]*)"|\'((?:[^\']|\'\')*)\'')
# A one-line flow list of simple items: `[a, "b", c]`.
FLOW_LIST = re.compile(r"\[(.*)\]")
FLOW_UNSAFE = frozenset(",[]{}#:")  # characters left to PyYAML inside a plain flow item
_FLOW_UNSAFE_CHARACTER = re.compile("[" + re.escape("".join(sorted(FLOW_UNSAFE))) + "]")
MAX_NODES = 20_000  # kb.frontmatter.MAX_YAML_NODES: a block this big goes the checked way

Scalar = tuple[Any, str]  # (constructed value, text as written), or None when declined
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR_TAG = "tag:yaml.org,2002:str"
MAX_KNOWN_LINES = 20_000  # `key: scalar` lines remembered by _KNOWN_LINES (the recurring ones come first)
_KNOWN_LINES: dict[str, tuple[str, Any]] = {}  # a whole `key: scalar` line -> (key, value): most recur across files


Meta = dict[str, Any]
Positions = dict[str, tuple[int, int]]
Items = dict[str, list[tuple[Any, int, int]]]  # a list's items as written: (text, line, column)


def parse_simple(yaml_text: str) -> tuple[Meta, Positions, Items] | None:
    """(meta, positions, items) of a simple front-matter block, or None to let PyYAML read it.

    A line seen before in any file (`_KNOWN_LINES`) is taken as it was read then, right here:
    most lines recur, and this loop is part of parsing every note.
    """
    if not yaml_text or UNUSUAL_CHARACTER.search(yaml_text):
        return None
    meta: Meta = {}
    positions: Positions = {}
    items: Items = {}
    if not _read_lines(yaml_text.split("\n"), meta, positions, items):
        return None
    if not meta or 1 + 2 * len(meta) + sum(len(v) for v in items.values()) > MAX_NODES:
        return None
    return meta, positions, items


def _read_lines(lines: list[str], meta: Meta, positions: Positions, items: Items) -> bool:
    """Read every line of a block into the tables; False to decline the block."""
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        known = _KNOWN_LINES.get(line)
        if known is not None:
            if known[0] in meta:
                return False
            meta[known[0]], positions[known[0]] = known[1], (index + 1, 1)
        elif line.strip(" "):
            index = _read_key(lines, index, meta, positions, items)
            if index < 0:
                return False
    return True


def _read_key(lines: list[str], index: int, meta: Meta, positions: Positions, items: Items) -> int:
    """Read the key on line `index - 1` (0-based) and its value into the tables; the index of the
    line after it, or -1 to decline the block."""
    line = lines[index - 1]
    found = KEY_LINE.fullmatch(line)
    if found is None or found.group(1) in meta:
        return -1
    key, rest = found.group(1), found.group(2) or ""
    value = rest.strip(" ")
    positions[key] = (index + 1, 1)
    if not value:
        return _read_block_list(lines, index, key, meta, items)
    read = _value(value, index + 1, len(line) - len(rest.lstrip(" ")) + 1)
    if read is None:
        return -1
    meta[key], listed = read
    if listed is not None:
        items[key] = listed
    elif len(_KNOWN_LINES) < MAX_KNOWN_LINES:
        _KNOWN_LINES[line] = key, meta[key]
    return index


def _read_block_list(lines: list[str], index: int, key: str, meta: Meta, items: Items) -> int:
    """Read the `- item` lines after `key:` (none: the value is null); the index after them, or -1."""
    index, listed = _block_items(lines, index)
    if listed is None:
        return -1
    if listed:
        meta[key] = [value for value, _, _, _ in listed]
        items[key] = [(text, line_no, col) for _, text, line_no, col in listed]
    else:
        meta[key] = None
    return index


def _value(text: str, line: int, col: int) -> tuple[Any, list[tuple[Any, int, int]] | None] | None:
    """A key's one-line value at a 1-based column: (value, items of a flow list), or None to decline."""
    if text.startswith("["):
        return _flow_list(text, line, col)
    scalar = _scalar(text, flow=False)
    return None if scalar is None else (scalar[0], None)


def _flow_list(text: str, line: int, col: int) -> tuple[list[Any], list[tuple[Any, int, int]]] | None:
    """A one-line `[a, "b", c]` list of simple items with their columns, or None."""
    whole = FLOW_LIST.fullmatch(text)
    if whole is None:
        return None
    inside = whole.group(1)
    if not inside.strip(" "):
        return ([], []) if not inside else None
    values, listed, offset = [], [], 1
    for part in inside.split(","):
        item = part.strip(" ")
        scalar = _scalar(item, flow=True) if item else None
        if scalar is None:
            return None
        start = col + offset + (len(part) - len(part.lstrip(" ")))
        values.append(scalar[0])
        listed.append((scalar[1], line, start + (1 if item[0] in "\"'" else 0)))
        offset += len(part) + 1
    return values, listed


def _block_items(lines: list[str], index: int) -> tuple[int, list[tuple[Any, str, int, int]] | None]:
    """The `- item` lines after an empty `key:`: (next line index, [(value, text, line, col)])."""
    listed: list[tuple[Any, str, int, int]] = []
    indent = None
    while index < len(lines):
        line = lines[index]
        if not line.strip(" "):
            index += 1
            continue
        found = ITEM_LINE.fullmatch(line)
        if found is None:
            return (index, listed) if not line.startswith(" ") else (index, None)
        if indent is None:
            indent = len(found.group(1))
        rest = found.group(2) or ""
        text = rest.strip(" ")
        scalar = _scalar(text, flow=False) if text and len(found.group(1)) == indent and not text.startswith("[") else None
        if scalar is None:
            return index, None
        column = len(line) - len(rest.lstrip(" ")) + 1 + (1 if text[0] in "\"'" else 0)
        listed.append((scalar[0], scalar[1], index + 2, column))
        index += 1
    return index, listed


@lru_cache(maxsize=8192)
def _scalar(text: str, flow: bool) -> Scalar | None:
    """(value, text) of a one-line scalar, quoted or plain, or None when PyYAML should judge it.

    Memoised, as the values are immutable and most (types, domains, dates) recur across files.
    """
    if text[0] in "\"'":
        quoted = QUOTED.fullmatch(text)
        if quoted is None:
            return None
        value = quoted.group(1) if quoted.group(1) is not None else quoted.group(2).replace("''", "'")
        return value, value
    if text[0] in INDICATORS or ": " in text or " #" in text or text.endswith(":"):
        return None
    if flow and _FLOW_UNSAFE_CHARACTER.search(text):
        return None
    implicit = _RESOLVER.yaml_implicit_resolvers  # by first character: bool, number, date, null...
    if text[0] not in implicit and None not in implicit and not _RESOLVER.yaml_path_resolvers:
        return text, text  # what Resolver.resolve finds, with no candidate tag to try
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, (True, False))
    if tag == _STR_TAG:
        return text, text
    return _construct(tag, text)


def _construct(tag: str, text: str) -> Scalar | None:
    """A non-text plain scalar (date, number, bool, null) built by PyYAML's SafeConstructor."""
    build = _CONSTRUCTOR.yaml_constructors.get(tag)
    if build is None:
        return None
    try:
        return build(_CONSTRUCTOR, yaml.ScalarNode(tag, text)), text
    except Exception:  # noqa: BLE001 - anything odd (an impossible date) goes the checked way
        return None
