"""The fast front-matter reader agrees exactly with PyYAML whenever it does not decline.

Hypothesis writes front-matter blocks from pieces real files use (`key: value`, quoted text,
`[a, b]` and `- item` lists) mixed with pieces that trip YAML up (comments, tabs, colons,
anchors, escapes, YAML 1.1 booleans and dates, impossible dates, odd Unicode line breaks,
indentation changes, duplicate keys). For every block the fast reader accepts, its values (with
their Python types), key positions and list-item positions must equal what PyYAML gives, and
PyYAML must report no problem.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import frontmatter
from kb.frontmatter_simple import UNUSUAL_CHARACTER, parse_simple

EXAMPLES = int(os.environ.get("KB_FUZZ_EXAMPLES", "300")) * 3
DIFFERENTIAL = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
REPO = Path(__file__).resolve().parents[1]

KEYS = ["type", "domain", "description", "depends_on", "secondary_domains", "a-b", "_x", "yes", "null", "x1", "1a", "key word", "ключ", "?x"]
WORDS = [
    "claim", "likely", "ai-alignment", "yes", "No", "on", "OFF", "null", "~", "Null", "true", "y", "n",
    "2026-01-24", "2026-02-30", "2026-1-2", "2026-01-24 10:00:00", "2026-01-24T10:00:00Z", "1_000", "0x1F",
    "0o17", "017", "1:20", "1.5e3", "1e3", ".inf", "-.INF", ".NaN", "-5", "+3", "0", "3.", "<<", "=", "!", "&a", "*a",
    "a:b", "http://x.org/a?b=c#d", "a #b", "a#b", "C++", "it's", 'say "hi"', "x: y", "end:", "-", "- x", "?", "%x",
    "@x", "`x", "|", ">", "a|b", "{a}", "[a]", "a, b", "é", "naïve", "\u00a0x", "x\u0085y", "x\u2028y", "\ufeffx",
    "x\x7fy", "\tx", "x\ty", "Anthropic (2025)", "Smith & Jones 2021; Doe 2020", "[[A Title]]",
]  # fmt: skip
# Words that keep a block valid YAML (typed values included), so the fast path is exercised often.
TAME_WORDS = [
    "claim", "likely", "ai-alignment", "yes", "No", "on", "null", "~", "2026-01-24", "2026-02-30", "1_000",
    "0o17", "017", "1:20", "1.5e3", ".inf", "a:b", "http://x.org/a?b=c#d", "a#b", "C++", "it's", "é", "<<", "=",
    "Anthropic (2025)", "Smith & Jones 2021; Doe 2020", "a, b", "x]", "{a}", "A", "0",
]  # fmt: skip
SPACES = st.sampled_from(["", " ", "  "])


@st.composite
def scalars(draw: st.DrawFn, words: list[str] = WORDS) -> str:
    """A scalar as written: plain words, or the same quoted (sometimes with an escape)."""
    text = " ".join(draw(st.lists(st.sampled_from(words), min_size=1, max_size=3)))
    style = draw(st.sampled_from(["plain", "plain", "double", "single"]))
    if style == "double":
        return '"' + draw(st.sampled_from([text, text.replace('"', ""), text + "\\n", text.replace('"', "") + "\\"])) + '"'
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    return text


@st.composite
def entries(draw: st.DrawFn, tame: bool = False, key: str = "") -> list[str]:
    """The lines of one key: a scalar, a flow list, a block list, or (unless tame) stranger things."""
    key = key or draw(st.sampled_from(KEYS))
    colon = draw(st.sampled_from([": ", ":  "] if tame else [": ", ": ", ":  ", ":", " : ", ":\t"]))
    shape = draw(st.sampled_from(["scalar", "flow", "block", "empty"] if tame else ["scalar", "scalar", "flow", "block", "empty", "continued", "comment"]))
    words = TAME_WORDS if tame else WORDS
    if shape == "scalar":
        return [key + colon + draw(scalars(words)) + draw(SPACES)]
    if shape == "flow":
        items = draw(st.lists(scalars(words), max_size=4))
        return [key + colon + "[" + draw(SPACES) + ("," + draw(SPACES)).join(items) + draw(SPACES) + "]" + draw(SPACES)]
    if shape == "block":
        indent = draw(st.sampled_from(["", " ", "  ", "    "]))
        lines = [key + colon.rstrip(" ")]
        for item in draw(st.lists(scalars(words), max_size=4)):
            lines.append((indent if tame else draw(st.sampled_from([indent, indent, "  "]))) + draw(st.sampled_from(["- ", "- ", "-  ", "-"])) + item)
        return lines
    if shape == "empty":
        return [key + colon.rstrip(" ")]
    if shape == "continued":
        return [key + colon + draw(scalars()), draw(st.sampled_from(["  more words", "more: x", "", "  - x"]))]
    return [draw(st.sampled_from(["# a comment", "", "   ", "key: value # note", "---", "..."]))]


def typed(value: Any) -> Any:
    """A value with the type of every part spelled out, so 1 != True != "1"."""
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    return (type(value).__name__, repr(value))


def assert_agrees(text: str) -> bool:
    """If the fast reader accepts the block, PyYAML reads it the same; True when accepted."""
    simple = parse_simple(text)
    if simple is None:
        return False
    meta, positions, items = simple
    full, problems = frontmatter.parse_yaml(text, "p.md")
    assert problems == []
    assert typed(meta) == typed(full.meta)
    assert list(meta) == list(full.meta)
    assert positions == full.positions
    assert {k: [(typed(v), line, col) for v, line, col in rows] for k, rows in items.items()} == {
        k: [(typed(v), line, col) for v, line, col in rows] for k, rows in full.items.items()
    }
    return True


@DIFFERENTIAL
@given(st.lists(entries(), min_size=1, max_size=8))
def test_simple_reader_agrees_with_pyyaml(blocks: list[list[str]]) -> None:
    assert_agrees("\n".join(line for block in blocks for line in block))


@DIFFERENTIAL
@given(st.data(), st.lists(st.sampled_from(KEYS[:10]), min_size=1, max_size=8, unique=True))
def test_simple_reader_agrees_with_pyyaml_on_near_simple_blocks(data: st.DataObject, keys: list[str]) -> None:
    assert_agrees("\n".join(line for key in keys for line in data.draw(entries(tame=True, key=key))))


@DIFFERENTIAL
@given(st.text(alphabet=st.sampled_from(list("ab:-[], '\"#\n ty1é\t")), max_size=60))
def test_simple_reader_agrees_with_pyyaml_on_any_text(text: str) -> None:
    assert_agrees(text)


def test_simple_reader_accepts_the_usual_front_matter() -> None:
    text = (
        "type: claim\ndomain: energy\ndescription: A claim, stated at length (2024) per http://x.org/a?b, C++ & a#b.\nconfidence: likely\n"
        'source: "Smith & Jones 2021"\ncreated: 2026-01-24\nsecondary_domains: [health, teleological-economics]\n'
        "depends_on:\n- a claim\n- 'another'\nchallenged_by:\n  - \"a third\"\n  - fourth"
    )
    assert assert_agrees(text)


def test_simple_reader_agrees_on_every_stored_note() -> None:
    """Every front matter of the repository's claims and test corpora reads the same both ways."""
    for path in [*REPO.joinpath("claims").rglob("*.md"), *REPO.joinpath("tests", "corpora").rglob("*.md")]:
        text, _ = frontmatter.decode(path.read_bytes(), path.name)
        yaml_text, _, closed, _ = frontmatter.split(text)
        if yaml_text is not None and closed:
            assert_agrees(yaml_text)


ALLOWED_RANGES = ((0x0A, 0x0A), (0x20, 0x7E), (0xA0, 0x2027), (0x202A, 0xD7FF), (0xE000, 0xFEFE), (0xFF00, 0xFFFD), (0x10000, 0x10FFFF))


def test_unusual_characters_are_exactly_those_outside_the_plain_ranges() -> None:
    """Every code point: the fast reader declines text with one outside printable, non-break, non-tab text."""
    unusual = [point for point in range(0x110000) if UNUSUAL_CHARACTER.match(chr(point))]
    expected = [point for point in range(0x110000) if not any(low <= point <= high for low, high in ALLOWED_RANGES)]
    assert unusual == expected and 0x85 in unusual and 0x2028 in unusual and 0x09 in unusual
