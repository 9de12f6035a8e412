"""The search index of a large base, built in a process of its own while the pages are written.

Its postings and result rows grow with the base (120 MB at 50k notes): in the main process they
would come on top of the loaded base, which the page writers also hold. A process started afresh
(not a fork of the main process) holds only the index. Small bases
keep the index in the main process (starting a process costs more than it saves).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Iterator

from kb.search import SearchDoc, SearchIndex, write_search_index

NumberedDocs = list[tuple[int, SearchDoc]]  # search documents with their ids
SEPARATE_MIN_DOCS = 1_500  # below this, the index stays in the main process


class LocalIndex:
    """The search index kept in this process."""

    def __init__(self, count: int, out: Path, previous: Path) -> None:
        self.index, self.out, self.previous = SearchIndex(count), out, previous

    def add(self, docs: NumberedDocs) -> None:
        """Add documents under their ids."""
        for doc_id, doc in docs:
            self.index.add(doc_id, doc)

    def write(self) -> None:
        """Write the index into `out/search/` (kb.search.write_search_index)."""
        write_search_index(self.index, self.out, self.previous)


class IndexProcess:
    """The search index kept by another Python process; documents are pickled to its input as they come.

    A plain subprocess rather than multiprocessing's spawn, which would run the calling
    program's main script again in the child. Use as a context manager: leaving the block
    early stops the process.
    """

    def __init__(self, count: int, out: Path, previous: Path) -> None:
        command = [sys.executable, "-c", "from kb.search_process import serve; serve()"]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, env=_finding_kb())
        self.add((count, str(out), str(previous)))

    def add(self, docs: NumberedDocs | tuple[int, str, str]) -> None:
        """Send documents to the process (first of all: how many, where to write and the last build)."""
        pickle.dump(docs, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)

    def write(self) -> None:
        """Let the process write the index, and wait until it has."""
        self.add(None)
        self.process.stdin.close()
        if self.process.wait() != 0:
            raise RuntimeError(f"the search index process failed (exit status {self.process.returncode})")

    def __enter__(self) -> IndexProcess:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        with suppress(BrokenPipeError):  # what was still buffered for a process that is gone
            self.process.stdin.close()


def _finding_kb() -> dict[str, str]:
    """Our environment with this kb's folder first on PYTHONPATH, however this process found it."""
    import kb

    here = str(Path(kb.__file__).resolve().parent.parent)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (here, os.environ.get("PYTHONPATH"))))}


def serve() -> None:
    """The index process: read what to index from standard input, then write the index."""
    stream = sys.stdin.buffer
    count, out, previous = pickle.load(stream)
    index = LocalIndex(count, Path(out), Path(previous))
    while (docs := pickle.load(stream)) is not None:
        index.add(docs)
    index.write()


SearchIndexer = LocalIndex | IndexProcess


@contextmanager
def search_index(count: int, out: Path, previous: Path, search: bool) -> Iterator[LocalIndex | IndexProcess | None]:
    """The search index of `count` documents to write into `out` (None without search)."""
    if not search:
        yield None
    elif count < SEPARATE_MIN_DOCS:
        yield LocalIndex(count, out, previous)
    else:
        with IndexProcess(count, out, previous) as index:
            yield index
