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
    root = root.resolve()
    files: dict[str, str] = {}
    problems: list[Diagnostic] = []
    seen_dirs: set[str] = set()
    stamps: dict[str, tuple[int, int]] = {}
    starts = [root / folder for folder in settings.include] or [root]
    for start in starts:
        if start.is_dir():
            _walk(start, root, settings, (files, stamps), problems, seen_dirs)
    return Discovered(tuple(sorted(files.items())), tuple(problems), stamps)


def _walk(folder: Path, root: Path, settings: Settings, found: tuple[dict[str, str], dict[str, tuple[int, int]]], problems: list[Diagnostic], seen: set[str]) -> None:
    """Walk one folder depth-first; a symlink is followed only if it stays inside root."""
    real = os.path.realpath(folder)
    if real in seen:
        return
    seen.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(".") or entry.name in settings.exclude:
            continue
        rel = entry.path[len(str(root)) + 1 :].replace(os.sep, "/")  # scandir paths start with root's
        if entry.is_symlink() and not _inside(entry.path, root):
            problems.append(diagnostic("symlink-outside-root", rel, 1, 1, "symbolic link leads outside the root (or nowhere); skipped"))
        elif entry.is_dir():
            _walk(Path(entry.path), root, settings, found, problems, seen)
        elif entry.name.lower().endswith(".md") and entry.is_file():
            found[0][rel] = entry.path
            _stamp(entry, rel, found[1])


def _stamp(entry: os.DirEntry[str], rel: str, stamps: dict[str, tuple[int, int]]) -> None:
    """Note a file's (mtime ns, size) while walking (a file gone meanwhile gets none)."""
    try:
        status = entry.stat()
    except OSError:
        return
    stamps[rel] = (status.st_mtime_ns, status.st_size)


def _inside(path: str, root: Path) -> bool:
    """Whether a path's real location (symlinks followed) exists and is inside root."""
    real = os.path.realpath(path)
    return os.path.exists(real) and (real == str(root) or real.startswith(str(root) + os.sep))
