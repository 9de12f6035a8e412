"""Output-folder discipline: refuse dangerous folders, build beside, swap atomically, clean leftovers.

A build writes into a temporary folder next to `--out` and exchanges the two at the end with one
atomic renameat2(RENAME_EXCHANGE) on Linux, so a failed or killed build never leaves the
previous site half-replaced. The next build removes whatever a killed one left behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from kb.site_files import write_or_link

MARKER = ".kb-site"  # written into every site kb builds; only such folders are replaced
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputError(Exception):
    """The output folder is one kb must not write into."""


def check_output_folder(out: Path, root: Path) -> None:
    """Refuse ROOT, its parents, the home folder, and folders holding content or not built by kb."""
    out, root = out.resolve(), root.resolve()
    if out == root or out in root.parents:
        raise OutputError(f"refusing to write the site into {out}: it is the knowledge base root or contains it")
    if out == Path.home().resolve() or out == Path(out.anchor):
        raise OutputError(f"refusing to write the site into {out}: choose a dedicated folder such as ./site")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        detail = "it holds Markdown files" if next(out.rglob("*.md"), None) else "it was not built by kb"
        raise OutputError(f"refusing to replace {out}: {detail}; empty it or choose another --out")


def leftovers(out: Path) -> list[Path]:
    """Temporary folders a killed build left beside the output folder."""
    return sorted(out.parent.glob(f".{out.name}.tmp-*")) + sorted(out.parent.glob(f".{out.name}.old-*"))


def clean_leftovers(out: Path) -> None:
    """Remove what killed builds left, restoring a site moved aside but never swapped back."""
    for old in sorted(out.parent.glob(f".{out.name}.old-*")):
        if not out.exists() and (old / MARKER).exists():
            old.rename(out)
    for folder in leftovers(out):
        shutil.rmtree(folder, ignore_errors=True)


def make_staging(out: Path) -> Path:
    """A fresh temporary folder beside the output folder (same file system, so renames work)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    write_or_link(staging / MARKER, out / MARKER, "built by kb; this folder is replaced by every `kb build`\n")  # the last site's, if the same
    return staging


def swap_into_place(staging: Path, out: Path) -> None:
    """Make the staging folder the output folder, atomically when the platform allows."""
    if not out.exists():
        staging.rename(out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging, ignore_errors=True)
        return
    aside = out.parent / f".{out.name}.old-{os.getpid()}"
    out.rename(aside)
    staging.rename(out)
    shutil.rmtree(aside, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step with Linux renameat2(RENAME_EXCHANGE); False if unsupported."""
    import ctypes.util  # only a full build swaps folders: a quick rebuild need not load ctypes

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    return result == 0
