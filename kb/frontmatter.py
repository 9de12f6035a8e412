"""Decode a file's bytes and parse its YAML front matter, keeping the line of every key and item.

Plain blocks (nearly all of them) are read by kb.frontmatter_simple; for the rest
PyYAML's C composer builds the node tree (fast, and every node keeps its position); values are
then constructed one key at a time so a bad date or a duplicate key becomes a diagnostic
instead of an exception that loses the whole block.
"""

from __future__ import annotations

import bisect
import datetime
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from kb.frontmatter_simple import parse_simple
from kb.model import Diagnostic
from kb.rules import diagnostic

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_NESTING = 500  # libyaml recurses per level and overflows the C stack near 30,000
MAX_YAML_NODES = 20_000  # front matter is small; more nodes than this is an alias bomb or junk


class InvalidDate(str):
    """The text of a date-like value that is no real date; already reported as invalid-date."""


@dataclass
class FrontMatter:
    """Parsed front matter: values, key positions and item positions of list values."""

    meta: dict[str, Any] = field(default_factory=dict)
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    items: dict[str, list[tuple[Any, int, int]]] = field(default_factory=dict)  # key -> (value, line, col)
    present: bool = False


def decode(data: bytes, path: str) -> tuple[str, list[Diagnostic]]:
    """Bytes to text: drop a BOM, report invalid UTF-8 (replacing it), normalise newlines."""
    problems: list[Diagnostic] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        line_start = data.rfind(b"\n", 0, error.start) + 1
        col = len(data[line_start : error.start].decode("utf-8", errors="replace")) + 1
        problems.append(diagnostic("encoding-error", path, line, col, f"invalid UTF-8 byte 0x{data[error.start]:02x}", "save the file as UTF-8"))
        text = data.decode("utf-8", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, problems


def split(text: str) -> tuple[str | None, int, bool, str]:
    """(YAML text or None, 1-based line where the body starts, whether the block closed, body).

    The body is what follows the closing line; when that line ends the text without a newline,
    the body is that line itself, and without a closed block it is the whole text. Lines are
    walked only to the closing one, never the whole body.
    """
    if not (text.startswith("---\n") or text.rstrip("\n") == "---" or text.startswith("--- \n")):
        return None, 1, True, text
    opened = text.find("\n")
    if opened < 0:
        return "", 1, False, text
    start, number = opened + 1, 1
    while True:
        end = text.find("\n", start)
        if text[start : end if end >= 0 else len(text)].rstrip() in ("---", "..."):
            return text[opened + 1 : max(start - 1, opened + 1)], number + 2, True, text[end + 1 :] if end >= 0 else text[start:]
        if end < 0:
            return text[opened + 1 :], 1, False, text
        start, number = end + 1, number + 1


def parse(yaml_text: str, path: str) -> tuple[FrontMatter, list[Diagnostic]]:
    """Parse front matter YAML (starting at file line 2) into values with positions."""
    simple = parse_simple(yaml_text)
    if simple is not None:
        return FrontMatter(*simple, present=True), []
    return parse_yaml(yaml_text, path)


def parse_yaml(yaml_text: str, path: str) -> tuple[FrontMatter, list[Diagnostic]]:
    """Parse front matter with PyYAML: any YAML at all, every problem a diagnostic."""
    result = FrontMatter(present=True)
    if nesting_depth(yaml_text) > MAX_NESTING:
        return result, [diagnostic("yaml-error", path, 2, 1, f"front matter nests brackets more than {MAX_NESTING} deep; ignored")]
    lines = _Lines(yaml_text)
    try:
        root = yaml.compose(yaml_text, Loader=_Loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = lines.of(mark) if mark else (2, 1)
        return result, [diagnostic("yaml-error", path, line, col, f"invalid YAML: {error.problem or error}")]
    except (yaml.YAMLError, RecursionError, ValueError) as error:
        return result, [diagnostic("yaml-error", path, 2, 1, f"invalid YAML: {error}")]
    if root is None:
        return result, []
    if not isinstance(root, yaml.MappingNode):
        return result, [diagnostic("yaml-error", path, *lines.of(root.start_mark), "front matter must be a mapping of keys to values")]
    return result, _read_mapping(root, result, path, lines)


def nesting_depth(text: str) -> int:
    """Deepest nesting of flow brackets, counted only when there are many (cheap otherwise)."""
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return 0
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(depth - 1, 0)
    return deepest


def _read_mapping(root: yaml.MappingNode, result: FrontMatter, path: str, lines: _Lines) -> list[Diagnostic]:
    """Fill `result` from the top-level mapping; report duplicate keys and bad values."""
    problems: list[Diagnostic] = []
    constructor = yaml.constructor.SafeConstructor()
    if _count_nodes(root) > MAX_YAML_NODES:
        return [diagnostic("yaml-error", path, lines.of(root.start_mark)[0], 1, f"front matter has more than {MAX_YAML_NODES} YAML nodes (alias bomb?); ignored")]
    for key_node, value_node in root.value:
        if not isinstance(key_node, yaml.ScalarNode):
            problems.append(diagnostic("yaml-error", path, *lines.of(key_node.start_mark), "front-matter keys must be plain text"))
            continue
        key = key_node.value
        if key in result.positions:
            first = result.positions[key][0]
            problems.append(diagnostic("duplicate-key", path, *lines.of(key_node.start_mark), f"duplicate key `{key}` (first at line {first}); YAML keeps only this last value", "remove one of the two"))
        result.positions[key] = lines.of(key_node.start_mark)
        result.meta[key], value_problems = _construct(constructor, key, value_node, path, lines)
        problems.extend(value_problems)
        if isinstance(value_node, yaml.SequenceNode):
            result.items[key] = _items(value_node, lines)
    return problems


def _construct(constructor: Any, key: str, node: yaml.Node, path: str, lines: _Lines) -> tuple[Any, list[Diagnostic]]:
    """Construct one value; an impossible date stays as its text with an invalid-date diagnostic."""
    try:
        return constructor.construct_object(node, deep=True), []
    except (ValueError, OverflowError) as error:
        constructor.recursive_objects.clear()
        if isinstance(node, yaml.ScalarNode):
            return InvalidDate(node.value), [diagnostic("invalid-date", path, *lines.of(node.start_mark), f"`{key}: {node.value}` is not a real date ({error})", "use YYYY-MM-DD with a real month and day")]
        return None, [diagnostic("invalid-date", path, *lines.of(node.start_mark), f"`{key}` holds an impossible date ({error})")]
    except (yaml.YAMLError, RecursionError, TypeError) as error:
        constructor.recursive_objects.clear()
        return None, [diagnostic("yaml-error", path, *lines.of(node.start_mark), f"cannot read `{key}`: {error}")]


def _items(node: yaml.SequenceNode, lines: _Lines) -> list[tuple[Any, int, int]]:
    """Each item of a list value with its own position (values of scalar items only)."""
    items: list[tuple[Any, int, int]] = []
    for item in node.value:
        line, col = lines.of(item.start_mark)
        items.append((_item_text(item), line, col + (1 if getattr(item, "style", None) in ('"', "'") else 0)))
    return items


def _item_text(item: yaml.Node) -> str | None:
    """A list item's text; an unquoted `- [[Title]]` (YAML: a list in a list) reads as "[[Title]]"."""
    if isinstance(item, yaml.ScalarNode):
        return str(item.value)
    inner = item.value[0] if isinstance(item, yaml.SequenceNode) and len(item.value) == 1 else None
    if isinstance(inner, yaml.SequenceNode) and len(inner.value) == 1 and isinstance(inner.value[0], yaml.ScalarNode):
        return f"[[{inner.value[0].value}]]"
    return None


def _count_nodes(root: yaml.Node) -> int:
    """Count nodes as construction would visit them (aliases counted each time), stopping early."""
    count, stack = 0, [root]
    while stack and count <= MAX_YAML_NODES:
        node = stack.pop()
        count += 1
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))
    return count


class _Lines:
    """File positions of YAML marks (YAML lines are 0-based and start after the opening `---`).

    YAML also ends a line at U+0085, U+2028 and U+2029, where a file's lines (as kb counts them
    everywhere; `decode` made every CR an LF) end only at LF: when the text holds one, a mark's
    position is counted from its character index instead of taken from YAML's line and column.
    """

    def __init__(self, text: str) -> None:
        self.newlines = [found.start() for found in _NEWLINE.finditer(text)] if _OTHER_BREAK.search(text) else None

    def of(self, mark: Any) -> tuple[int, int]:
        """The file line and 1-based column of a mark."""
        if self.newlines is None:
            return int(mark.line) + 2, int(mark.column) + 1
        before = bisect.bisect_left(self.newlines, mark.index)  # LFs before the mark
        start = self.newlines[before - 1] + 1 if before else 0
        return before + 2, mark.index - start + 1


_NEWLINE = re.compile("\n")
_OTHER_BREAK = re.compile("[\x85\u2028\u2029]")


def as_date(value: Any) -> datetime.date | None:
    """A front-matter value as a date, when it is one (quoted ISO dates included)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
