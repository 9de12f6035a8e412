"""Re-read a note's body and render it to safe HTML with its wiki links resolved to page links."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

from kb import frontmatter
from kb.links import split_target
from kb.markdown import WikiAnchor, render_markdown
from kb.model import Note, ResolvedLink
from kb.urls import heading_slug, relative_href

_LEADING_H1 = re.compile(r"\A\s*#[ \t]+(.+?)[ \t]*#*[ \t]*\n")


def read_body(root: Path, note: Note, max_bytes: int) -> str:
    """The note's Markdown body as text (the file is read again: bodies are not kept in memory).

    A file over the size limit (reported by `kb check` as unreadable-file) is not read at all.
    """
    path = root / note.path
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return f"*This file is {size:,} bytes, over the {max_bytes:,}-byte limit, and is not shown.*\n"
        data = path.read_bytes()
    except OSError:
        return ""
    return body_of(data, note)


def body_of(data: bytes, note: Note) -> str:
    """The body of a note from its file's bytes: the text after its front matter."""
    text, _ = frontmatter.decode(data, note.path)
    if note.body_line <= 1:
        return text
    return text.split("\n", note.body_line - 1)[-1]


def drop_title_heading(body: str, title: str) -> tuple[str, int]:
    """Remove a leading `# title` (the page shows the title); return body and lines removed."""
    found = _LEADING_H1.match(body)
    if found and found.group(1).strip().casefold() == title.casefold():
        return body[found.end() :], body[: found.end()].count("\n")
    return body, 0


LinkPlace = tuple[int, str, str, str, str, "str | None", str]  # line, raw, target, heading, alias, target path, status


def link_places(links: Iterable[ResolvedLink]) -> list[LinkPlace]:
    """What rendering a note's wiki links needs of its resolved links, as plain tuples.

    A page record keeps them (kb.build_state): plain tuples pickle in C, named tuples and
    enums through Python calls.
    """
    return [(r.link.line, r.link.raw, r.link.target, r.link.heading, r.link.alias, r.target_path, r.resolution.status) for r in links]


def render_note_body(text: str, note: Note, page: str, links: list[LinkPlace], urls: dict[str, str]) -> str:
    """The note's body (Markdown `text`, as read_body gives it) as HTML for the page at site path `page`."""
    body, removed = drop_title_heading(text, note.title)
    by_place = {(place[0], place[1]): place for place in links}

    def render_link(raw: str, line: int) -> WikiAnchor:
        return anchor_for(by_place.get((line, raw)), raw, page, urls)

    return render_markdown(body, note.body_line + removed, render_link)


def anchor_for(place: LinkPlace | None, raw: str, page: str, urls: dict[str, str]) -> WikiAnchor:
    """What one wiki link renders as: a relative link, or marked text when it resolves nowhere."""
    target, heading, alias = place[2:5] if place else split_target(raw)
    text = alias or (f"{target} › {heading}" if heading and target else heading or target)
    path = place[5] if place else None
    if path is None or path not in urls:
        status = place[6] if place else "missing"
        return WikiAnchor(None, f"[[{raw}]]", f"{status} link: no single note is named “{target}”")
    return WikiAnchor(relative_href(page, urls[path], heading_slug(heading) if heading else ""), text, path)
