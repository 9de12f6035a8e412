"""Render a note body as sanitised GitHub Flavored Markdown with wiki links made into site links.

Order matters for safety: wiki links in prose become inert placeholder tokens, cmark-gfm renders
the Markdown, nh3 sanitises the whole result as untrusted HTML, and only then are the tokens
replaced by anchors kb writes itself (their text escaped). Code keeps its brackets as text.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Callable

import nh3
from cmarkgfm.cmark import Options

from kb.gfm import gfm_to_html
from kb.links import WIKI_LINK, iter_prose_lines
from kb.urls import heading_slug

_TOKEN = "kbwikilinkq{}z"
_TOKEN_RE = re.compile(r"kbwikilinkq(\d+)z")
_HEADING_TAG = re.compile(r"<h([1-6])>(.*?)</h\1>", re.S)
_TAGS = re.compile(r"<[^>]+>")

ALLOWED_TAGS = (nh3.ALLOWED_TAGS - {"area", "map", "center"}) | {"input"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"type", "checked", "disabled"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}


@dataclass(frozen=True)
class WikiAnchor:
    """How one wiki link renders: an href (None when broken) and the text to show."""

    href: str | None
    text: str
    title: str = ""


LinkRenderer = Callable[[str, int], WikiAnchor]  # (raw link text, file line) -> anchor


def render_markdown(body: str, first_line: int, render_link: LinkRenderer) -> str:
    """Body Markdown to safe HTML; `render_link` decides what each wiki link becomes."""
    anchors: list[WikiAnchor] = []
    marked = _mark_links(body, first_line, render_link, anchors)
    raw = gfm_to_html(marked, Options.CMARK_OPT_UNSAFE)
    clean = sanitise(raw)
    return _add_heading_ids(_TOKEN_RE.sub(lambda m: _anchor_html(anchors[int(m.group(1))]), clean))


_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def sanitise(fragment: str) -> str:
    """Keep only harmless HTML: no scripts, handlers, styles, or non-http(s)/mailto URLs."""
    return _CLEANER.clean(fragment)


def _mark_links(body: str, first_line: int, render_link: LinkRenderer, anchors: list[WikiAnchor]) -> str:
    """Replace wiki links on prose lines (not in code) with numbered placeholder tokens."""
    if "`" not in body and "~~~" not in body:
        return _mark_links_without_code(body, first_line, render_link, anchors)
    lines = body.split("\n")
    for number, masked in iter_prose_lines(body, first_line):
        if "[[" not in masked:
            continue
        index = number - first_line
        line, pieces, pos = lines[index], [], 0
        for match in WIKI_LINK.finditer(masked):
            pieces.append(line[pos : match.start()])
            pieces.append(_TOKEN.format(len(anchors)))
            anchors.append(render_link(match.group(1), number))
            pos = match.end()
        lines[index] = "".join(pieces) + line[pos:]
    return "\n".join(lines)


def _mark_links_without_code(body: str, first_line: int, render_link: LinkRenderer, anchors: list[WikiAnchor]) -> str:
    """_mark_links for a body with no code at all: one pass over the whole text."""
    pieces, pos, line = [], 0, first_line
    for match in WIKI_LINK.finditer(body):
        line += body.count("\n", pos, match.start())
        pieces.append(body[pos : match.start()])
        pieces.append(_TOKEN.format(len(anchors)))
        anchors.append(render_link(match.group(1), line))
        pos = match.end()
    return "".join(pieces) + body[pos:]


def _anchor_html(anchor: WikiAnchor) -> str:
    """Trusted HTML for one wiki link: an anchor, or marked text for a broken link."""
    text = html.escape(anchor.text)
    if anchor.href is None:
        return f'<span class="broken-link" title="{html.escape(anchor.title or "broken link")}">{text}</span>'
    title = f' title="{html.escape(anchor.title)}"' if anchor.title else ""
    return f'<a class="wikilink" href="{html.escape(anchor.href)}"{title}>{text}</a>'


def _add_heading_ids(fragment: str) -> str:
    """Give headings GitHub-style anchor ids (deduplicated with -1, -2, ...)."""
    seen: dict[str, int] = {}

    def with_id(match: re.Match[str]) -> str:
        slug = heading_slug(html.unescape(_TAGS.sub("", match.group(2)))) or "section"
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchor = slug if count == 0 else f"{slug}-{count}"
        return f'<h{match.group(1)} id="{html.escape(anchor)}">{match.group(2)}</h{match.group(1)}>'

    return _HEADING_TAG.sub(with_id, fragment)
