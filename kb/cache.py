"""A parse cache: loaded notes kept by path, reused while a file's size and mtime are unchanged.

Notes are kept packed (kb.note_packing), so saving a cache of 10,000 notes is one fast write.

It lives in ROOT/.kb-cache/ (with a .gitignore of its own), or under $KB_CACHE_DIR when that is
set, and is only an accelerator: a missing, stale, corrupt or unwritable cache just means files
are parsed again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

import kb

CACHE_DIR = ".kb-cache"
Stamp = tuple[int, int]  # (mtime in ns, size in bytes)


def cache_folder(root: Path) -> Path:
    """Where a root's caches live: ROOT/.kb-cache, or a folder per root under $KB_CACHE_DIR."""
    elsewhere = os.environ.get("KB_CACHE_DIR")
    if not elsewhere:
        return root / CACHE_DIR
    return Path(elsewhere) / hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()


def code_stamp() -> str:
    """A hash of kb's own source, so a cache made by other code is never trusted."""
    digest = hashlib.blake2b(kb.__version__.encode(), digest_size=8)
    for source in sorted(Path(kb.__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()


def stamp_of(path: str | os.PathLike[str]) -> Stamp | None:
    """What must not change for a cached parse to stay valid; None if the file is gone."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_mtime_ns, status.st_size)


class ParseCache:
    """Cached packed LoadResults (kb.note_packing) of one root under one parsing configuration."""

    def __init__(self, root: Path, variant: str) -> None:
        digest = hashlib.blake2b(f"{code_stamp()}|{variant}".encode(), digest_size=6).hexdigest()
        self.folder = cache_folder(root)
        self.file = self.folder / f"notes-{digest}.pickle"
        self.entries: dict[str, tuple[Stamp, bytes]] = self._read()
        self.changed = False

    def _read(self) -> dict[str, tuple[Stamp, bytes]]:
        """The stored entries, or none when absent or unreadable."""
        data = read_pickle(self.file)
        return data if isinstance(data, dict) else {}

    def get(self, rel: str, stamp: Stamp | None) -> bytes | None:
        """The cached packed result for a file whose stamp is unchanged."""
        entry = self.entries.get(rel)
        return entry[1] if entry is not None and stamp is not None and entry[0] == stamp and isinstance(entry[1], bytes) else None

    def put(self, rel: str, stamp: Stamp | None, result: bytes) -> None:
        """Remember a fresh result."""
        if stamp is not None:
            self.entries[rel] = (stamp, result)
            self.changed = True

    def save(self, keep: set[str]) -> None:
        """Write the entries of files still present, atomically; failures are ignored."""
        if not self.changed and keep == set(self.entries):
            return
        entries = {rel: entry for rel, entry in self.entries.items() if rel in keep}
        write_pickle(self.file, entries)


def read_pickle(path: Path) -> Any:
    """A pickled value, or None when the file is absent, corrupt or from other code."""
    try:
        with path.open("rb") as stream:
            return pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, IndexError):
        return None


def write_pickle(path: Path, value: Any) -> None:
    """Store a value in the cache folder (created with its own .gitignore); failures ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / ".gitignore").write_text("*\n", encoding="utf-8")
        _write_atomically(path, value)
    except OSError:
        return


def _write_atomically(path: Path, data: Any) -> None:
    """Pickle into a temporary file beside `path`, then rename it over."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(data, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class ResultCache:
    """One memoised result for an exact set of file stamps and settings (e.g. kb check's report)."""

    def __init__(self, root: Path, variant: str, stamps: list[tuple[str, Stamp | None]]) -> None:
        key = hashlib.blake2b(repr((code_stamp(), variant, stamps)).encode(), digest_size=12).hexdigest()
        self.folder = cache_folder(root)
        self.file = self.folder / "check-result.pickle"
        self.key = key

    def get(self) -> Any:
        """The stored result if it was stored under this key, else None."""
        data = read_pickle(self.file)
        return data[1] if isinstance(data, tuple) and len(data) == 2 and data[0] == self.key else None

    def put(self, value: Any) -> None:
        """Store the result under this key (one result per root; failures ignored)."""
        write_pickle(self.file, (self.key, value))


class TextMemo:
    """A persistent memo of a pure function of text (e.g. citation extraction), per kb code."""

    def __init__(self, root: Path, name: str) -> None:
        self.folder = cache_folder(root)
        self.file = self.folder / f"{name}-{code_stamp()}.pickle"
        self.table: dict[str, Any] = self._read()
        self.changed = False

    def _read(self) -> dict[str, Any]:
        """The stored table, or an empty one."""
        data = read_pickle(self.file)
        return data if isinstance(data, dict) else {}

    def get(self, text: str, compute: Any) -> Any:
        """The memoised value for a text, computing and remembering it when new."""
        if text not in self.table:
            self.table[text] = compute(text)
            self.changed = True
        return self.table[text]

    def save(self, keep: set[str]) -> None:
        """Store the entries still in use if anything changed (failures ignored)."""
        if not self.changed and keep == set(self.table):
            return
        self.table = {text: value for text, value in self.table.items() if text in keep}
        write_pickle(self.file, self.table)
