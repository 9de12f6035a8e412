"""The search index: Pagefind over the note pages, reused from a cache when they are unchanged.

Pagefind (1.5) names and orders its filter files differently on every run, so the index of an
unchanged set of pages is taken from kb's cache (kb.cache.cache_folder) instead of being rebuilt: the same input
then gives the same bytes, and a rebuild that changes no note page skips the indexer entirely.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Mapping

from kb.cache import cache_folder

SEARCH_SECTIONS = ("claims", "sources", "maps", "notes")  # note pages only: indexes would repeat them
SEARCH_GLOB = "{" + ",".join(SEARCH_SECTIONS) + "}/*.html"
BUNDLE = "pagefind"


def search_digest(marks: Mapping[str, str]) -> str:
    """A hash of every indexed page's fingerprint (what Pagefind would read) and Pagefind's version."""
    indexed = sorted((path, mark) for path, mark in marks.items() if path.count("/") == 1 and path.split("/")[0] in SEARCH_SECTIONS)
    return hashlib.blake2b(repr((_pagefind_version(), indexed)).encode(), digest_size=16).hexdigest()


def _pagefind_version() -> str:
    """The installed Pagefind's version ("" when it is not installed)."""
    try:
        return metadata.version("pagefind")
    except metadata.PackageNotFoundError:
        return ""


def index_search(out: Path, marks: Mapping[str, str], root: Path, reporter: Any) -> tuple[bool, str]:
    """Put a Pagefind index into the site: the cached one for these pages, else a fresh one."""
    cached = cache_folder(root) / f"search-{search_digest(marks)}"
    if (cached / "pagefind.js").is_file() and _copy(cached, out / BUNDLE):
        return True, "search index reused (note pages unchanged)"
    reporter.stage("indexing search")
    built, message = run_pagefind(out)
    if built:
        _remember(out / BUNDLE, cached)
    return built, message


def run_pagefind(out: Path) -> tuple[bool, str]:
    """Run Pagefind (offline; its binary comes with the pagefind wheel) over the written site."""
    command = [sys.executable, "-m", "pagefind", "--site", str(out), "--output-subdir", BUNDLE, "--silent", "--glob", SEARCH_GLOB]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"search index not built: {error}"
    if done.returncode != 0:
        return False, f"search index not built: {(done.stderr or done.stdout).strip()[:500]}"
    return True, "search index built"


def _copy(source: Path, target: Path) -> bool:
    """Copy a cached index into the site (hard links where possible); False on failure."""
    try:
        shutil.copytree(source, target)
    except OSError:
        shutil.rmtree(target, ignore_errors=True)
        return False
    return True


def _remember(bundle: Path, cached: Path) -> None:
    """Keep this index as the only cached one (failures only cost speed)."""
    try:
        for old in cached.parent.glob("search-*"):
            shutil.rmtree(old, ignore_errors=True)
        cached.parent.mkdir(parents=True, exist_ok=True)
        (cached.parent / ".gitignore").write_text("*\n", encoding="utf-8")
        shutil.copytree(bundle, cached)
    except OSError:
        shutil.rmtree(cached, ignore_errors=True)
