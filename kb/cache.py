"""A parse cache: loaded notes kept by path, reused while a file's size and mtime are unchanged.

Notes are kept packed (kb.note_packing) and written in batches while they are unpacked, so
saving a cache of 10,000 notes is a few fast writes and never needs them all in memory at once.

It lives in ROOT/.kb-cache/ (with a .gitignore of its own), or under $KB_CACHE_DIR when that is
set, and is only an accelerator: a missing, stale, corrupt or unwritable cache just means files
are parsed again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import kb

CACHE_DIR = ".kb-cache"
Stamp = tuple[int, int]  # (mtime in ns, size in bytes)
CacheRow = tuple[Stamp, bytes, str]  # a file's stamp, packed parse result and content hash


def cache_folder(root: Path) -> Path:
    """Where a root's caches live: ROOT/.kb-cache, or a folder per root under $KB_CACHE_DIR."""
    elsewhere = os.environ.get("KB_CACHE_DIR")
    if not elsewhere:
        return root / CACHE_DIR
    return Path(elsewhere) / hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()


@functools.cache
def code_stamp() -> str:
    """A hash of kb's own source, so a cache made by other code is never trusted (once a process)."""
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
    """Cached packed LoadResults (kb.note_packing) of one root under one parsing configuration.

    The file is a stream of pickled batches of (path, stamp, packed, content hash) rows, written
    while the results are unpacked, so a large base never holds every packed result in memory at
    once. A file whose stamp changed but whose bytes did not (a `git checkout`, a copied tree)
    keeps its result: the content hash tells.
    """

    def __init__(self, root: Path, variant: str) -> None:
        digest = hashlib.blake2b(f"{code_stamp()}|{variant}".encode(), digest_size=6).hexdigest()
        self.folder = cache_folder(root)
        self.file = self.folder / f"notes-{digest}.pickle"
        self.entries: dict[str, CacheRow] = read_batches(self.file)
        self.restamped: dict[str, CacheRow] = {}  # taken with another stamp: reused if the content is the same

    def take(self, rel: str, stamp: Stamp | None) -> bytes | None:
        """The cached packed result for a file whose stamp is unchanged (forgotten here once taken)."""
        entry = self.entries.pop(rel, None)
        if entry is None or not isinstance(entry[1], bytes):
            return None
        if stamp is not None and entry[0] == stamp:
            return entry[1]
        self.restamped[rel] = entry
        return None

    def digest(self, rel: str) -> str:
        """The content hash a file had when its cached result was made ("" when there is none)."""
        entry = self.restamped.get(rel)
        return entry[2] if entry is not None else ""

    def reuse(self, rel: str) -> bytes:
        """The cached result of a file whose stamp changed but whose content hash did not."""
        return self.restamped.pop(rel)[1]

    def writer(self, changed: bool) -> CacheWriter | None:
        """A writer replacing this cache, or None when nothing changed (every entry taken, none new)."""
        return CacheWriter(self.file) if changed or self.entries else None


class CacheWriter:
    """Writes a parse cache row by row into a temporary file; `commit` puts it in place."""

    BATCH = 512  # rows pickled together

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[tuple[str, Stamp, bytes, str]] = []
        self.temporary: Path | None = None
        self.stream: Any = None
        try:
            prepare_folder(path.parent)
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            self.temporary, self.stream = Path(name), os.fdopen(handle, "wb")
        except OSError:
            return

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        """Commit after success; abandon the file after an exception."""
        if kind is None:
            self.commit()
        else:
            self.abandon()

    def add(self, rel: str, stamp: Stamp | None, packed: bytes, digest: str) -> None:
        """Remember one file's packed result and content hash (files without a stamp are not cached)."""
        if stamp is not None and self.stream is not None:
            self.rows.append((rel, stamp, packed, digest))
            if len(self.rows) >= self.BATCH:
                self._flush()

    def _flush(self) -> None:
        """Write the pending rows as one batch; a failure abandons the cache."""
        try:
            pickle.dump(self.rows, self.stream, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            self.abandon()
        self.rows = []

    def commit(self) -> None:
        """Write what is pending and rename the file over the cache (failures ignored)."""
        if self.stream is not None:
            self._flush()
        if self.stream is None or self.temporary is None:
            return
        stream, self.stream = self.stream, None
        try:
            stream.close()
            os.replace(self.temporary, self.path)
        except OSError:
            self.abandon()

    def abandon(self) -> None:
        """Give up writing: close and delete the temporary file."""
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        if self.temporary is not None:
            self.temporary.unlink(missing_ok=True)


def read_batches(path: Path) -> dict[str, CacheRow]:
    """The rows of a parse cache by path; none when it is absent or unreadable."""
    entries: dict[str, CacheRow] = {}
    try:
        with path.open("rb") as stream:
            while stream.peek(1):
                entries.update((rel, (stamp, packed, digest)) for rel, stamp, packed, digest in pickle.load(stream))
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, IndexError):
        return {}
    return entries


def read_pickle(path: Path) -> Any:
    """A pickled value, or None when the file is absent, corrupt or from other code."""
    try:
        with path.open("rb") as stream:
            return pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, IndexError):
        return None


def write_pickle(path: Path, value: Any) -> bool:
    """Store a value in the cache folder (created with its own .gitignore); whether it was stored
    (a failure leaves the file as it was, and is otherwise ignored)."""
    try:
        prepare_folder(path.parent)
        _write_atomically(path, value)
    except OSError:
        return False
    return True


def prepare_folder(folder: Path) -> None:
    """Create the cache folder with its own .gitignore (raises OSError when it cannot)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ".gitignore").write_text("*\n", encoding="utf-8")


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

    def values(self, texts: Iterable[str], compute: Callable[[list[str]], list[Any]]) -> dict[str, Any]:
        """The memoised value of each text; `compute` makes those of the new texts (in their order) at once."""
        wanted = list(dict.fromkeys(texts))
        new = [text for text in wanted if text not in self.table]
        if new:
            self.table.update(zip(new, compute(new), strict=True))
            self.changed = True
        return {text: self.table[text] for text in wanted}

    def save(self, keep: set[str]) -> None:
        """Store the entries still in use if anything changed (failures ignored)."""
        if not self.changed and keep == set(self.table):
            return
        self.table = {text: value for text, value in self.table.items() if text in keep}
        write_pickle(self.file, self.table)
