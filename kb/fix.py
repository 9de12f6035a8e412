"""`kb fix`: rewrite links that have exactly one right answer, as a diff or in place.

Two kinds of fix, nothing else: a link that resolves only ignoring letter case gets the note's
exact spelling, and a broken link whose did-you-mean is strong (kb.suggest: a cut title, a
hyphen/space spelling, a one-letter slip) gets that title. Alias, heading, `.md` and spacing
are kept; a link is never removed. Each proposed target must resolve to the intended note, and
each patched file is re-read and must yield the same links with only the fixed targets changed,
or the file is left alone. Files are edited as bytes at the link's line and column, so a BOM,
CRLF line ends and every other byte stay as they were.
"""

from __future__ import annotations

import difflib
import hashlib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from kb.model import KnowledgeBase, Link, Note, ResolvedLink
from kb.read import read_note
from kb.resolve import Index, build_index, resolve
from kb.suggest import Suggester

BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(rb"(\r\n|\r|\n)")
# The target part of link text: leading space and "./" (group 1), the name (2), ".md" and space (3).
_TARGET_PART = re.compile(r"^(\s*(?:\./)*)(.*?)((?:\.md)?\s*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Fix:
    """One link rewritten: where, from which text to which, and why."""

    path: str
    line: int
    col: int
    old: str  # the text replaced, e.g. "[[futarchy is x|alias]]"
    new: str  # its replacement, e.g. "[[Futarchy is x|alias]]"
    target: str  # the normalised target the link will have
    reason: str  # "letter case", "truncated title", "hyphen/space spelling", ...


@dataclass(frozen=True)
class FilePatch:
    """A file's bytes before and after its fixes."""

    path: str
    before: bytes
    after: bytes
    fixes: tuple[Fix, ...]


def plan_fixes(base: KnowledgeBase) -> list[FilePatch]:
    """Every safe fix in the knowledge base, one patch per file, by path."""
    index = build_index(base.notes)
    suggester = Suggester(index)
    by_file: dict[str, list[Fix]] = {}
    for resolved in base.links:
        fix = propose_fix(resolved, index, suggester)
        if fix is not None:
            by_file.setdefault(resolved.origin, []).append(fix)
    patches = (patch_file(base, path, fixes) for path, fixes in sorted(by_file.items()))
    return [patch for patch in patches if patch is not None]


def propose_fix(resolved: ResolvedLink, index: Index, suggester: Suggester) -> Fix | None:
    """The fix for one link, if it has exactly one right answer."""
    link, res = resolved.link, resolved.resolution
    if res.status == "case" and res.path is not None:
        options, reason, intended = case_spellings(link.target, res.path), "letter case", res.path
    elif res.status == "missing" and link.target:
        found = suggester.suggest(link.target)
        if found is None or not found.strong:
            return None
        options, reason, intended = suggested_spellings(link.target, found.title, found.path), found.reason, found.path
    else:
        return None
    target = first_resolving(options, index, resolved.origin, intended)
    return None if target is None else _make_fix(resolved.origin, link, target, reason)


def first_resolving(options: list[str], index: Index, origin: str, intended: str) -> str | None:
    """The first target that resolves exactly (no case folding, no ambiguity) to the intended note."""
    for target in options:
        found = resolve(index, target, origin)
        if found.status == "ok" and found.path == intended:
            return target
    return None


def case_spellings(target: str, path: str) -> list[str]:
    """Targets naming `path` in its exact case: the link's own form first, then the full path."""
    exact = path[:-3]
    if "/" not in target:
        return [posixpath.basename(exact)]
    tail = exact[-len(target) :]
    same_form = [tail] if len(tail) == len(target) and tail.casefold() == target.casefold() else []
    return same_form + [exact]


def suggested_spellings(target: str, title: str, path: str) -> list[str]:
    """Targets naming a suggested note: the link's folder part with the title, then the full path."""
    if "/" not in target:
        return [title]
    return [f"{posixpath.dirname(target)}/{title}", path[:-3]]


def rewrite_target(raw: str, target: str) -> str:
    """Link text with its target replaced; heading, alias, `./`, `.md` and spacing kept."""
    cuts = [i for i in (raw.find("#"), raw.find("|"), raw.find("\\|")) if i >= 0]
    end = min(cuts, default=len(raw))
    parts = _TARGET_PART.match(raw[:end])
    assert parts is not None  # the pattern matches any text
    return parts.group(1) + target + parts.group(3) + raw[end:]


def _make_fix(path: str, link: Link, target: str, reason: str) -> Fix:
    """A Fix replacing a link's written text."""
    raw = rewrite_target(link.raw, target)
    if link.bracketed:
        return Fix(path, link.line, link.col, f"[[{link.raw}]]", f"[[{raw}]]", target, reason)
    return Fix(path, link.line, link.col, link.raw, raw, target, reason)


def patch_file(base: KnowledgeBase, path: str, fixes: list[Fix]) -> FilePatch | None:
    """Apply fixes to a file's bytes; None if the file changed, an edit misses or the result misreads."""
    try:
        before = (Path(base.root) / path).read_bytes()
    except OSError:
        return None
    note = base.notes[path]
    if hashlib.blake2b(before, digest_size=16).hexdigest() != note.digest:
        return None  # changed since it was loaded
    after = edit_bytes(before, fixes)
    if after is None or not reads_as_fixed(note, after, fixes, base):
        return None
    return FilePatch(path, before, after, tuple(fixes))


def edit_bytes(data: bytes, fixes: Iterable[Fix]) -> bytes | None:
    """Replace each fix's text at its line and column (in characters), touching no other byte."""
    bom = BOM if data.startswith(BOM) else b""
    parts = _LINE_END.split(data[len(bom) :])  # even items are lines, odd items their ends
    for fix in sorted(fixes, key=lambda f: (f.line, f.col), reverse=True):
        at = 2 * (fix.line - 1)
        if at >= len(parts):
            return None
        try:
            text = parts[at].decode("utf-8")
        except UnicodeDecodeError:
            return None
        start = fix.col - 1
        if text[start : start + len(fix.old)] != fix.old:
            return None
        parts[at] = (text[:start] + fix.new + text[start + len(fix.old) :]).encode("utf-8")
    return bom + b"".join(parts)


def reads_as_fixed(note: Note, after: bytes, fixes: Iterable[Fix], base: KnowledgeBase) -> bool:
    """Whether the patched bytes parse to the same links, only the fixed ones retargeted."""
    reread = read_note(note.path, after, base.settings).note
    if reread is None or len(reread.links) != len(note.links):
        return False
    wanted = {(fix.line, fix.col): fix.target for fix in fixes}
    for old, new in zip(note.links, reread.links):
        target = wanted.get((old.line, old.col), old.target)
        if (new.target, new.kind, new.line, new.heading, new.alias) != (target, old.kind, old.line, old.heading, old.alias):
            return False
    return reread.meta.keys() == note.meta.keys()


def render_diff(patches: Iterable[FilePatch]) -> str:
    """A unified diff of every patch (a/ and b/ paths, as git prints them)."""
    chunks = []
    for patch in patches:
        old = patch.before.removeprefix(BOM).decode("utf-8", errors="replace").splitlines()
        new = patch.after.removeprefix(BOM).decode("utf-8", errors="replace").splitlines()
        diff = difflib.unified_diff(old, new, f"a/{patch.path}", f"b/{patch.path}", lineterm="")
        chunks.append("\n".join(diff) + "\n")
    return "".join(chunks)


def apply_patches(root: Path, patches: Iterable[FilePatch]) -> list[str]:
    """Write each patched file whose bytes are still the ones planned from; return their paths."""
    written = []
    for patch in patches:
        target = Path(root) / patch.path
        if target.read_bytes() == patch.before:
            target.write_bytes(patch.after)
            written.append(patch.path)
    return written
