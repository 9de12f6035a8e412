"""Write output files without touching the previous site: unchanged bytes are hard-linked from it."""

from __future__ import annotations

import os
from pathlib import Path


def link_file(old: Path, new: Path) -> bool:
    """Hard-link a file of the last build into the new one (copy-free); False if impossible."""
    try:
        os.link(old, new)
    except OSError:
        return False
    return True


def write_or_link(target: Path, previous: Path, text: str) -> None:
    """Write a file, or hard-link last build's copy when its bytes would be the same."""
    data = text.encode("utf-8")
    try:
        if previous.stat().st_size == len(data) and previous.read_bytes() == data and link_file(previous, target):
            return
    except OSError:
        pass
    target.write_bytes(data)
