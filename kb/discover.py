"""Find the Markdown files of a knowledge base, staying inside its root."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kb.config import Settings
from kb.model import Diagnostic
from kb.rules import diagnostic


@dataclass(frozen=True)
class Discovered:
    """The files to read, as (relative POSIX path, absolute path), sorted, plus walk problems."""

    files: tuple[tuple[str, Path], ...]
    diagnostics: tuple[Diagnostic, ...]


def discover(root: Path, settings: Settings) -> Discovered:
    """Every `.md` file under the root's content folders, skipping excluded and hidden names."""
    root = root.resolve()
    files: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    seen_dirs: set[str] = set()
    starts = [root / folder for folder in settings.include] or [root]
    for start in starts:
        if start.is_dir():
            _walk(start, root, settings, files, problems, seen_dirs)
    return Discovered(tuple(sorted(files.items())), tuple(problems))


def _walk(folder: Path, root: Path, settings: Settings, files: dict[str, Path], problems: list[Diagnostic], seen: set[str]) -> None:
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
            _walk(Path(entry.path), root, settings, files, problems, seen)
        elif entry.name.lower().endswith(".md") and entry.is_file():
            files[rel] = Path(entry.path)


def _inside(path: str, root: Path) -> bool:
    """Whether a path's real location (symlinks followed) exists and is inside root."""
    real = os.path.realpath(path)
    return os.path.exists(real) and (real == str(root) or real.startswith(str(root) + os.sep))
