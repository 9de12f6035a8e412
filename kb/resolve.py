"""Resolve link targets to notes: by title, by path (root-relative, file-relative, partial), by case.

Several files may share a title (every `_map.md`, or a claim saved in two folders). A link then
goes to the one in the linking file's folder, else its nearest ancestor folder, if exactly one
file qualifies there; otherwise it is ambiguous and reported with its candidates, never guessed.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Iterator

from kb.model import Resolution

MISSING = Resolution("missing")


@dataclass(frozen=True)
class Index:
    """Lookup tables over every note path (relative, POSIX, with .md)."""

    paths: frozenset[str]
    by_path: dict[str, str]  # NFC path without .md -> path as on disk
    by_stem: dict[str, tuple[str, ...]]  # NFC stem -> paths
    by_stem_folded: dict[str, tuple[str, ...]]  # casefolded stem -> paths
    by_path_folded: dict[str, tuple[str, ...]]  # casefolded path without .md -> paths
    by_suffix: dict[str, tuple[str, ...]]  # trailing components without .md ("x/_map") -> paths
    by_suffix_folded: dict[str, tuple[str, ...]]  # the same, casefolded


def _nfc(text: str) -> str:
    """Unicode NFC, so NFC and NFD spellings of a name are one name."""
    return unicodedata.normalize("NFC", text)


def build_index(paths: Iterable[str]) -> Index:
    """Index note paths by stem, folded stem, folded path and path suffix."""
    stems, folded, folded_paths, suffixes, folded_suffixes = (defaultdict(list) for _ in range(5))
    all_paths = sorted(paths)
    by_path: dict[str, str] = {}
    for path in all_paths:
        bare = _nfc(path[:-3])
        by_path[bare] = path
        parts = bare.split("/")
        stems[parts[-1]].append(path)
        folded[_fold(parts[-1])].append(path)
        folded_paths[_fold(bare)].append(path)
        for start in range(1, len(parts) - 1):
            suffix = "/".join(parts[start:])
            suffixes[suffix].append(path)
            folded_suffixes[_fold(suffix)].append(path)
    alone = {path: (path,) for path in all_paths}
    return Index(frozenset(all_paths), by_path, *(_freeze(table, alone) for table in (stems, folded, folded_paths, suffixes, folded_suffixes)))


def _fold(text: str) -> str:
    """Casefolded text; the very same string when folding changes nothing (saves memory)."""
    folded = text.casefold()
    return text if folded == text else folded


def _freeze(table: dict[str, list[str]], alone: dict[str, tuple[str]]) -> dict[str, tuple[str, ...]]:
    """Lists to tuples, so the index cannot be changed after it is built (one shared 1-tuple per path)."""
    return {key: alone[value[0]] if len(value) == 1 else tuple(value) for key, value in table.items()}


def resolve(index: Index, target: str, origin: str) -> Resolution:
    """Resolve a normalised link target written in the note at `origin`."""
    if not target:
        return Resolution("ok", origin)
    if "/" in target or "\\" in target:
        return _resolve_path(index, target.replace("\\", "/"), origin)
    exact = index.by_stem.get(target, ())
    if exact:
        return _choose(exact, origin, "ok")
    return _choose(index.by_stem_folded.get(target.casefold(), ()), origin, "case")


def resolve_note_links(index: Index, targets: Iterable[str], origin: str, memo: dict[str, dict[str, Resolution]]) -> Iterator[Resolution]:
    """resolve() for each target written in the note at `origin`, remembered across notes.

    A resolution depends on the target and the linking note's folder only (an empty target
    names the note itself), and a base links the same targets from many notes, so `memo`
    keeps one Resolution per target in each folder's table.
    """
    known = memo.setdefault(posixpath.dirname(origin), {})
    for target in targets:
        if not target:
            yield resolve(index, target, origin)
            continue
        found = known.get(target)
        if found is None:
            found = known[target] = resolve(index, target, origin)
        yield found


def _resolve_path(index: Index, target: str, origin: str) -> Resolution:
    """A path target: root-relative, relative to the linking file, or a partial path."""
    if len(target) > 1 and target[1] == ":":
        return Resolution("outside")  # a Windows drive path
    if target.startswith("/"):
        rooted = posixpath.normpath(target).lstrip("/")
        if rooted == ".." or rooted.startswith("../") or target.count("/..") > target.count("/"):
            return Resolution("outside")
        if ".." in target.split("/"):
            return Resolution("outside")
        return _lookup_path(index, rooted) or MISSING
    found = _lookup_path(index, target)
    if found:
        return found
    relative = posixpath.normpath(posixpath.join(posixpath.dirname(origin), target))
    if relative == ".." or relative.startswith("../"):
        return Resolution("outside")
    found = _lookup_path(index, relative)
    if found:
        return found
    exact = index.by_suffix.get(target, ())
    if exact:
        return _choose(exact, origin, "ok")
    return _choose(index.by_suffix_folded.get(target.casefold(), ()), origin, "case")


def _lookup_path(index: Index, bare: str) -> Resolution | None:
    """Exact path (without .md) from the root, then the same ignoring case."""
    if ".." in bare.split("/"):
        return None
    if bare in index.by_path:
        return Resolution("ok", index.by_path[bare])
    folded = index.by_path_folded.get(bare.casefold(), ())
    return Resolution("case", folded[0]) if len(folded) == 1 else None


def _choose(candidates: tuple[str, ...], origin: str, status: str) -> Resolution:
    """One candidate wins outright; several are decided by the nearest folder, else ambiguous."""
    if not candidates:
        return MISSING
    if len(candidates) == 1:
        return Resolution(status, candidates[0])
    nearest = nearest_candidates(candidates, origin)
    if len(nearest) == 1:
        return Resolution(status, nearest[0])
    return Resolution("ambiguous", None, tuple(nearest))


def nearest_candidates(candidates: tuple[str, ...], origin: str) -> tuple[str, ...]:
    """The candidates nearest the origin: in its folder, else below it, else the same from each ancestor."""
    folder = posixpath.dirname(origin)
    while True:
        prefix = folder + "/" if folder else ""
        direct = tuple(c for c in candidates if posixpath.dirname(c) == folder)
        within = direct or tuple(c for c in candidates if c.startswith(prefix))
        if within or not folder:
            return within or candidates
        folder = posixpath.dirname(folder)
