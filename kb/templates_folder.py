"""Where kb's templates are, and a stamp of everything in them (and in a user's templates folder)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import kb
from kb.cache import code_stamp


def templates_dir() -> Path:
    """Our templates: inside the installed package, else the repository's templates/ folder."""
    packaged = Path(kb.__file__).parent / "templates"
    return packaged if packaged.is_dir() else Path(kb.__file__).parent.parent / "templates"


def templates_stamp(user_templates: Path | None) -> str:
    """A hash of every template and static file (ours and the user's) and kb's version."""
    digest = hashlib.blake2b(kb.__version__.encode(), digest_size=16)
    for folder in (templates_dir(), user_templates):
        for path in sorted(folder.rglob("*")) if folder and folder.is_dir() else ():
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def page_stamp(user_templates: Path | None, settings: object) -> str:
    """What every page's fingerprint starts from: the templates, kb's own code (not only its
    version: a checkout of other code may keep it) and the settings (the size limit shows on pages)."""
    text = f"{templates_stamp(user_templates)}|{code_stamp()}|{settings!r}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
