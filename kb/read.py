"""Read one Markdown file into a Note: decode, front matter, body links; never raises on content."""

from __future__ import annotations

import hashlib
import unicodedata
from pathlib import PurePosixPath
from typing import Any, Mapping

from kb import frontmatter
from kb.config import Settings
from kb.links import BodyScan, front_matter_links, scan_body
from kb.model import Diagnostic, LoadResult, Note
from kb.rules import diagnostic

# Files that ordinarily carry no front matter: not worth a missing-front-matter warning.
UNTYPED_STEMS = frozenset({"readme", "index", "license", "contributing", "changelog", "code_of_conduct"})


def title_of(path: str) -> str:
    """A note's title: its file stem in Unicode NFC (the one place titles are derived)."""
    name = path[path.rfind("/") + 1 :]
    if name in ("", ".", ".."):  # not a plain file name: let pathlib say what the name is
        name = PurePosixPath(path).name
    return unicodedata.normalize("NFC", name[:-3])


def content_digest(data: bytes) -> str:
    """A file's content hash (Note.digest)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def read_note(path: str, data: bytes, settings: Settings) -> LoadResult:
    """Parse a file's bytes into a Note with every problem as a diagnostic."""
    digest = content_digest(data)
    if len(data) > settings.max_file_bytes:
        message = f"file is {len(data):,} bytes, over the {settings.max_file_bytes:,}-byte limit; not parsed"
        problem = diagnostic("unreadable-file", path, 1, 1, message, "split it, or raise max_file_bytes in [tool.kb]")
        return LoadResult(_bare_note(path, digest), (problem,))
    text, problems = frontmatter.decode(data, path)
    yaml_text, body_line, closed, body = frontmatter.split(text)
    front, parse_problems = _parse_front(yaml_text, closed, path)
    problems.extend(parse_problems)
    if yaml_text is None:
        problems.extend(_missing_front_matter(path, text))
    note = _note(path, front, scan_body(body, body_line), body_line, digest, yaml_text is not None)
    return LoadResult(note, tuple(problems))


def _note(path: str, front: frontmatter.FrontMatter, scan: BodyScan, body_line: int, digest: str, has_front_matter: bool) -> Note:
    """The Note of a parsed file: its front matter, and what the body scan found."""
    kind, title = _kind_of(path, front.meta), title_of(path)
    return Note(
        path=path,
        title=title,
        kind=kind,
        meta=front.meta,
        positions=front.positions,
        links=tuple(front_matter_links(front)) + scan.links,
        headings=scan.headings,
        evidence=scan.evidence,
        body_line=body_line,
        digest=digest,
        has_front_matter=has_front_matter,
        program=_program_of_source(front.meta, title) if kind == "source" else None,
    )


def _parse_front(yaml_text: str | None, closed: bool, path: str) -> tuple[frontmatter.FrontMatter, list[Diagnostic]]:
    """Parse the front-matter block if there is one; an unclosed block is reported, not parsed."""
    if yaml_text is None:
        return frontmatter.FrontMatter(), []
    if not closed:
        problem = diagnostic("yaml-error", path, 1, 1, "front matter opened with `---` is never closed", "end it with a line holding only `---`")
        return frontmatter.FrontMatter(), [problem]
    return frontmatter.parse(yaml_text, path)


def _missing_front_matter(path: str, text: str) -> list[Diagnostic]:
    """Warn about a note with no front matter, unless it is a README-like file."""
    if PurePosixPath(path).stem.lower() in UNTYPED_STEMS:
        return []
    what = "empty file" if not text.strip() else "no front matter"
    return [diagnostic("missing-front-matter", path, 1, 1, what, "start the file with a `---` YAML block giving at least `type`")]


def _kind_of(path: str, meta: dict[str, object]) -> str:
    """The note's kind: its `type`, "map" for an untyped _map.md, else "note"."""
    declared = meta.get("type")
    if isinstance(declared, str) and declared.strip():
        return declared.strip().lower()
    return "map" if PurePosixPath(path).stem == "_map" else "note"


def _bare_note(path: str, digest: str) -> Note:
    """A note with nothing parsed: still a valid link target."""
    return Note(path, title_of(path), _kind_of(path, {}), {}, {}, (), (), (), 1, digest, False)


def _program_of_source(meta: Mapping[str, Any], title: str) -> str | None:
    """A source note's own program key (kb.convergence, imported only when a source is read)."""
    from kb.convergence import program_of_source

    return program_of_source(meta, title)
