"""Find wiki links in a note's body and front matter, and normalise their targets.

Links inside fenced code blocks and inline code spans are text, not links. The section a link
sits in (Relevant Notes, Topics, an Additional Evidence source line) decides its kind.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from kb.frontmatter import FrontMatter
from kb.model import Evidence, Link, LinkKind

# [[ target ]]: group 1 is everything between the brackets; no brackets or newline inside.
WIKI_LINK = re.compile(r"\[\[([^\[\]\n]+)\]\]")
# An opening code fence: up to 3 spaces, then 3+ backticks or tildes (group 1), then an info string.
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# A run of backticks, for inline code spans.
BACKTICKS = re.compile(r"`+")
# An ATX heading: 1-6 hashes (group 1), then its text (group 2), minus closing hashes.
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
# The opening of an ATX heading: HEADING up to its text.
HEADING_START = re.compile(r" {0,3}#{1,6}[ \t]+")
# "### Additional Evidence (confirm)": the stance in group 1.
EVIDENCE_HEADING = re.compile(r"^#{2,6}\s*Additional Evidence\s*\((confirm|extend|challenge)\)", re.I)
# Section labels that end a note: "Relevant Notes:" and "Topics:" (optionally as headings or bold).
SECTION_LABEL = re.compile(r"^\s*(?:#{1,6}\s*)?\**\s*(Relevant Notes|Topics)\s*:?\s*\**\s*:?\s*$", re.I)
# The prose after a link on a bullet: " — how it relates" (em dash, en dash or double hyphen).
RELATION_TEXT = re.compile(r"^\s*(?:—|–|--|-|:)\s*(.+)$")
MD_SUFFIX = re.compile(r"\.md$", re.I)
_new_tuple = tuple.__new__
_BODY = LinkKind.BODY


@dataclass(frozen=True)
class BodyScan:
    """What scanning a body yields: its links, headings and evidence sections."""

    links: tuple[Link, ...]
    headings: tuple[str, ...]
    evidence: tuple[Evidence, ...]


@lru_cache(maxsize=65_536)
def split_target(raw: str) -> tuple[str, str, str]:
    """Split link text into (target, heading, alias), normalised.

    Rules, in order: the alias is everything after the first `|` (a `\\|` escaped for a
    Markdown table counts too); the heading is everything after the first `#`; the target is
    stripped of surrounding space, a leading `./`, a trailing `.md` (any case) and put in
    Unicode NFC, so `[[Title.md]]`, `[[ Title ]]` and an NFD spelling name the same note.
    Memoised: the same link text recurs across notes, and sharing one target string saves memory.
    """
    text = raw.replace("\\|", "|")
    target, _, alias = text.partition("|")
    target, _, heading = target.partition("#")
    target = unicodedata.normalize("NFC", target.strip())
    while target.startswith("./"):
        target = target[2:]
    target = MD_SUFFIX.sub("", target).strip()
    return target, heading.strip(), alias.strip()


def make_link(raw: str, line: int, col: int, kind: LinkKind, context: str = "", bracketed: bool = True) -> Link:
    """Build a Link from its raw text and position (by tuple.__new__: Link._make minus a Python call)."""
    return _new_tuple(Link, (raw, *split_target(raw), line, col, kind, context, bracketed))


def inline_code_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of each inline code span in a line: a backtick run closed by an equal run."""
    spans: list[tuple[int, int]] = []
    runs = list(BACKTICKS.finditer(line))
    index = 0
    while index < len(runs):
        opener = runs[index]
        closer = next((i for i in range(index + 1, len(runs)) if len(runs[i].group()) == len(opener.group())), None)
        if closer is None:
            index += 1
            continue
        spans.append((opener.start(), runs[closer].end()))
        index = closer + 1
    return spans


def mask_inline_code(line: str) -> str:
    """Blank out inline code spans (keeping columns) so links inside them are not seen."""
    if "`" not in line:
        return line
    for start, end in inline_code_spans(line):
        line = line[:start] + " " * (end - start) + line[end:]
    return line


def iter_prose_lines(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """Yield (file line number, line) for lines outside fenced code, inline code blanked."""
    fence = ""
    for offset, line in enumerate(body.split("\n")):
        opening = FENCE.match(line) if ("`" in line or "~" in line) else None
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence) and not line.strip().strip(fence[0]):
                fence = ""
            continue
        if opening and not (opening.group(1)[0] == "`" and "`" in line[opening.end() :]):
            fence = opening.group(1)
            continue
        yield first_line + offset, mask_inline_code(line)


# The scanner cares about two kinds of event: a wiki link (WIKI_LINK), and the start of a line
# that may open or close a section (headings, "Relevant Notes"/"Topics" labels, thematic breaks,
# *Source:* lines). Each is found by its own regex, whose literal first character ("[" or the
# newline before the line) lets the regex engine skip ahead instead of trying every offset
# (one regex for both is slower: it can only test each offset against a set of characters).
_MARK_AHEAD = r"(?=[ \t]*(?i:#|\*|-{3}|_{3}|relevant notes|topics))"
_MARK_AT_START = re.compile(_MARK_AHEAD)
_MARK_AFTER_NEWLINE = re.compile("\n" + _MARK_AHEAD)
THEMATIC_BREAKS = ("---", "***", "___")


def _events(body: str) -> list[tuple[int, re.Match[str] | None]]:
    """(offset, link match) of every link, and (offset, None) of every section mark, in order."""
    events: list[tuple[int, re.Match[str] | None]] = [(m.start(), m) for m in WIKI_LINK.finditer(body)]
    marks = [(m.start() + 1, None) for m in _MARK_AFTER_NEWLINE.finditer(body)]
    if _MARK_AT_START.match(body):
        marks.insert(0, (0, None))
    if not marks:
        return events
    events += marks
    events.sort()  # by offset alone: a link and a mark never share one, so matches are never compared
    return events


def code_spans(body: str) -> list[tuple[int, int]]:
    """Offsets (start, end) of fenced code blocks and inline code spans, in order."""
    if "`" not in body and "~~~" not in body:
        return []
    spans, offset = [], 0
    prose = {number for number, _ in iter_prose_lines(body, 0)}
    for number, line in enumerate(body.split("\n")):
        if number not in prose:
            spans.append((offset, offset + len(line) + 1))
        elif "`" in line:
            spans.extend((offset + start, offset + end) for start, end in inline_code_spans(line))
        offset += len(line) + 1
    return spans


def scan_body(body: str, first_line: int) -> BodyScan:
    """Find links, headings and evidence sections in a body starting at a file line.

    The hot loop of parsing (some ten events a note), so plain body links are built right here
    and the section in force is two locals: the kind of link it makes and an evidence stance.
    `start` is the offset of the current line.
    """
    links: list[Link] = []
    headings: list[str] = []
    evidence: list[Evidence] = []
    kind, stance = _BODY, ""
    spans = code_spans(body)[::-1]  # last first: spans behind the scan are popped off the end
    line = first_line
    last = start = 0
    for at, event in _events(body):
        if spans and _in_code(spans, at):
            continue
        newlines = body.count("\n", last, at)
        if newlines:
            line += newlines
            start = body.rfind("\n", last, at) + 1
        last = at
        if event is None:
            kind, stance = _enter_section(body[at : _line_end(body, at)], line, (kind, stance), headings, evidence)
        elif kind is _BODY and not stance:
            raw = event.group(1)
            links.append(_new_tuple(Link, (raw, *split_target(raw), line, at - start + 1, _BODY, "", True)))
        else:
            links.append(_section_link(event, body, start, line, kind, stance, evidence))
    return BodyScan(tuple(links), tuple(headings), tuple(evidence))


def _enter_section(text: str, line: int, current: tuple[LinkKind, str], headings: list[str], evidence: list[Evidence]) -> tuple[LinkKind, str]:
    """The section in force after a line that may change it (`text`, at file line `line`): its
    heading is recorded, and an Additional Evidence section it opens."""
    heading, section, opens_evidence = mark_effect(text)
    kind, stance = section or current
    if heading is not None:
        headings.append(heading)
        if opens_evidence:
            evidence.append(Evidence(stance, line, ""))
    return kind, stance


def _in_code(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether offset `at` lies in a code span (`spans` last first; those ending before `at` are dropped)."""
    while spans and spans[-1][1] <= at:
        spans.pop()
    return bool(spans) and spans[-1][0] <= at


@lru_cache(maxsize=16_384)
def mark_effect(text: str) -> tuple[str | None, tuple[LinkKind, str] | None, bool]:
    """What a line that may change section does: (its heading text or None, (kind, stance) of the
    section it opens or None, whether it opens an Additional Evidence section).

    A label opens Relevant Notes or Topics, an evidence heading an evidence section, any other
    heading or a thematic break the plain body. Memoised: most such lines recur across notes.
    """
    heading = heading_text(text)
    label, evidence = SECTION_LABEL.match(text), EVIDENCE_HEADING.match(text)
    section: tuple[LinkKind, str] | None = None
    if label:
        section = (LinkKind.RELATES if label.group(1).lower().startswith("relevant") else LinkKind.TOPIC, "")
    elif evidence:
        section = (_BODY, evidence.group(1).lower())
    elif heading is not None or text.strip() in THEMATIC_BREAKS:
        section = (_BODY, "")
    return (None if heading is None else heading.strip()), section, heading is not None and evidence is not None


def _line_end(body: str, at: int) -> int:
    """Offset of the end of the line holding `at`."""
    end = body.find("\n", at)
    return len(body) if end < 0 else end


def heading_text(line: str) -> str | None:
    """The text of an ATX heading line (HEADING's group 2), or None when it is no heading.

    A line not ending in a space, tab or `#` has no closing hashes to drop, so its text is all
    that follows the opening; only the other lines need HEADING's slower lazy match.
    """
    opening = HEADING_START.match(line)
    if opening is None:
        return None
    if line[-1] not in " \t#":
        return line[opening.end() :]
    heading = HEADING.match(line)
    return heading.group(2) if heading else None


def _section_link(event: re.Match[str], body: str, start: int, line: int, kind: LinkKind, stance: str, evidence: list[Evidence]) -> Link:
    """The Link for a matched `[[...]]` in a section of kind `kind` (evidence `stance`), not plain body.

    Links are built by tuple.__new__, as make_link does, minus its call.
    """
    raw, at = event.group(1), event.start()
    if stance and evidence and not evidence[-1].source and body[start:at].lstrip("*_ ")[:7].lower() == "source:":
        parts = split_target(raw)
        evidence[-1] = _new_tuple(Evidence, (evidence[-1].stance, evidence[-1].line, parts[0]))
        return _new_tuple(Link, (raw, *parts, line, at - start + 1, LinkKind.EVIDENCE, stance, True))
    if kind is _BODY:
        return _new_tuple(Link, (raw, *split_target(raw), line, at - start + 1, _BODY, "", True))
    end = event.end()  # a Relevant Notes or Topics link, with the prose after it on its line
    rest = body[end : _line_end(body, end)]
    return _new_tuple(Link, (raw, *split_target(raw), line, at - start + 1, kind, rest and _relation_text(rest), True))


@lru_cache(maxsize=16_384)
def _relation_text(rest: str) -> str:
    """The relationship prose written after a link on a bullet, if any (memoised: it often recurs)."""
    found = RELATION_TEXT.match(rest)
    return found.group(1).strip() if found and "[[" not in found.group(1) else ""


def front_matter_links(front: FrontMatter) -> list[Link]:
    """Links named by the relation lists of the front matter (bare titles or [[bracketed]])."""
    links: list[Link] = []
    for kind in (LinkKind.DEPENDS_ON, LinkKind.CHALLENGED_BY, LinkKind.CLAIMS_EXTRACTED, LinkKind.ENRICHMENTS):
        for value, line, col in _relation_items(kind.value, front):
            links.extend(_item_links(value, line, col, kind))
    return links


def _relation_items(key: str, front: FrontMatter) -> list[tuple[Any, int, int]]:
    """Items of a relation field: list items with positions, or a lone string value."""
    if key in front.items:
        return front.items[key]
    value = front.meta.get(key)
    if isinstance(value, str):
        line, col = front.positions[key]
        return [(value, line, col + len(key) + 2)]
    return []


def _item_links(value: Any, line: int, col: int, kind: LinkKind) -> Iterator[Link]:
    """One relation item: every [[link]] in it, else the whole item as a bare title."""
    if not isinstance(value, str) or not value.strip():
        return
    bracketed = list(WIKI_LINK.finditer(value)) if "[[" in value else []
    for match in bracketed:
        yield make_link(match.group(1), line, col + match.start(), kind)
    if not bracketed:
        yield make_link(value.strip(), line, col, kind, bracketed=False)
