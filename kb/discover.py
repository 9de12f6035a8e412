"""Find the Markdown files of a knowledge base, staying inside its root."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import Settings
from kb.model import Diagnostic
from kb.rules import diagnostic


@dataclass(frozen=True)
class Discovered:
    """The files to read, as (relative POSIX path, absolute path), sorted, plus walk problems.

    Absolute paths are strings: a base has tens of thousands, and building a Path for each
    costs more than the walk itself.
    """

    files: tuple[tuple[str, str], ...]
    diagnostics: tuple[Diagnostic, ...]
    stamps: dict[str, tuple[int, int]] = field(default_factory=dict)  # (mtime ns, size) seen while walking


def discover(root: Path, settings: Settings) -> Discovered:
    """Every `.md` file under the root's content folders, skipping excluded and hidden names."""
    walk = _Walk(root.resolve(), frozenset(settings.exclude))
    for start in [walk.root / folder for folder in settings.include] or [walk.root]:
        if start.is_dir():
            walk.folder(str(start))
    return Discovered(tuple(sorted(walk.files.items())), tuple(walk.problems), walk.stamps)


class _Walk:
    """One depth-first walk: what it found so far and the folders it has been in."""

    def __init__(self, root: Path, exclude: frozenset[str]) -> None:
        self.root, self.exclude = root, exclude
        self.prefix = len(str(root)) + 1  # scandir paths start with root's
        self.files: dict[str, str] = {}
        self.stamps: dict[str, tuple[int, int]] = {}
        self.problems: list[Diagnostic] = []
        self.seen: set[str] = set()

    def folder(self, path: str) -> None:
        """Walk one folder; a symlink is followed only if it stays inside root."""
        real = os.path.realpath(path)
        if real in self.seen:
            return
        self.seen.add(real)
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            if entry.name[0] != "." and entry.name not in self.exclude:
                self.entry(entry)

    def entry(self, entry: os.DirEntry[str]) -> None:
        """Take in one folder entry: walk into folders, keep Markdown files with their stamps."""
        rel = entry.path[self.prefix :].replace(os.sep, "/")
        if entry.is_symlink() and not _inside(entry.path, self.root):
            self.problems.append(diagnostic("symlink-outside-root", rel, 1, 1, "symbolic link leads outside the root (or nowhere); skipped"))
        elif entry.is_dir():
            self.folder(entry.path)
        elif entry.name[-3:].lower() == ".md" and entry.is_file():
            self.files[rel] = entry.path
            self.stamp(entry, rel)

    def stamp(self, entry: os.DirEntry[str], rel: str) -> None:
        """Note a file's (mtime ns, size) while walking (a file gone meanwhile gets none)."""
        try:
            status = entry.stat()
        except OSError:
            return
        self.stamps[rel] = (status.st_mtime_ns, status.st_size)


def _inside(path: str, root: Path) -> bool:
    """Whether a path's real location (symlinks followed) exists and is inside root."""
    real = os.path.realpath(path)
    return os.path.exists(real) and (real == str(root) or real.startswith(str(root) + os.sep))
