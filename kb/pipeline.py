"""Assemble a knowledge base: discover → read → resolve → check. `kb check` is exactly this."""

from __future__ import annotations

import os
from collections import deque
from contextlib import ExitStack, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from kb import check
from kb.cache import CacheWriter, ParseCache, ResultCache, Stamp, stamp_of
from kb.collector import collector_paused
from kb.config import Settings, load_settings
from kb.discover import Discovered, discover
from kb.linking import TEXT, counter_evidence, link_stage, resolve_links  # noqa: F401 (TEXT, counter_evidence, resolve_links: re-exported)
from kb.memory import release_free_memory
from kb.model import Diagnostic, KnowledgeBase, LoadResult
from kb.near_duplicates import claims_of, duplicates_among
from kb.note_packing import pack, unpack
from kb.read import content_digest, read_note
from kb.rules import diagnostic
from kb.schema import schema_problems
from kb.workers import Workers

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

READ_SIZE = 1 << 16  # bytes asked of a file at a time: most notes fit in one read
MAX_CHUNK_FILES = 1_000  # files a worker parses per task
CHUNKS_IN_FLIGHT = 3  # tasks per worker handed out ahead of the results being unpacked


def load(root: str | os.PathLike[str], settings: Settings | None = None, use_cache: bool = True) -> KnowledgeBase:
    """Load, resolve and check the knowledge base under `root`."""
    root_path = Path(root).resolve()
    settings = settings if settings is not None else load_settings(root_path)
    return assemble(root_path, settings, discover(root_path, settings), use_cache)


def check_diagnostics(root: str | os.PathLike[str], settings: Settings | None = None, use_cache: bool = True) -> tuple[Diagnostic, ...]:
    """What `kb check` reports; memoised on every file's stamp and the settings when unchanged."""
    root_path = Path(root).resolve()
    settings = settings if settings is not None else load_settings(root_path)
    found = discover(root_path, settings)
    if not use_cache:
        return _diagnostics_only(root_path, settings, found, False)
    memo = ResultCache(root_path, repr(settings), list(zip((rel for rel, _ in found.files), file_stamps(found))))
    cached = memo.get()
    if cached is not None:
        return tuple(cached)
    diagnostics = _diagnostics_only(root_path, settings, found, True)
    memo.put(diagnostics)
    return diagnostics


def _diagnostics_only(root_path: Path, settings: Settings, found: Discovered, use_cache: bool) -> tuple[Diagnostic, ...]:
    """The diagnostics of an assembled base, the base itself dropped and its memory handed back.

    The collector stays paused until the base is gone: it counts every object made while it was
    paused, so resumed earlier it would at once walk the whole base (about 0.15 s at 10,000 notes).
    """
    with collector_paused():
        diagnostics = assemble(root_path, settings, found, use_cache).diagnostics
    release_free_memory()  # the report comes next; without this it would sit on top of the freed base
    return diagnostics


def assemble(root_path: Path, settings: Settings, found: Discovered, use_cache: bool) -> KnowledgeBase:
    """Read the discovered files, resolve their links and run every rule."""
    with collector_paused():  # millions of small acyclic objects: collections would only walk them
        return _assemble(root_path, settings, found, use_cache)


def _assemble(root_path: Path, settings: Settings, found: Discovered, use_cache: bool) -> KnowledgeBase:
    """assemble's stages, in order; near-duplicates in a worker meanwhile when parsing started a pool."""
    with Workers() as workers:
        results = read_files(root_path, found, settings, use_cache, workers)
        notes = {r.note.path: r.note for r in results if r.note is not None}
        problems: list[Diagnostic] = list(found.diagnostics)  # in any order: apply_severity sorts them
        problems += [d for r in results for d in r.diagnostics]
        duplicates = workers.later(duplicates_among, claims_of(notes.values()))  # without a pool: here, before links exist (its memory is large)
        links = link_stage(notes, problems, workers)
        problems += duplicates()
    return KnowledgeBase(root_path, settings, notes, links, tuple(check.apply_severity(problems, settings)))


def read_files(root: Path, found: Discovered, settings: Settings, use_cache: bool = True, workers: Workers | None = None) -> list[LoadResult]:
    """Read and parse every changed file once (in `workers` when many); reuse cached parses."""
    files, stamps = found.files, file_stamps(found)
    cache = ParseCache(root, parse_variant(settings)) if use_cache else None
    known = [cache.take(rel, stamp) if cache else None for (rel, _), stamp in zip(files, stamps)]
    todo = [(rel, path, cache.digest(rel) if cache else "") for (rel, path), data in zip(files, known) if data is None]
    writer = cache.writer(changed=bool(todo)) if cache else None
    with ExitStack() as stack:
        pool = (workers or stack.enter_context(Workers())).for_files(len(todo))
        stack.enter_context(writer or nullcontext())
        results = unpack_all(files, stamps, known, parse_all(todo, settings, pool), writer, cache)
    if len(todo) < len(files):
        release_free_memory()  # the cached results read whole at the start (165 MB at 50,000 notes), freed as unpacked
    return results


def parse_variant(settings: Settings) -> str:
    """What parsing and its schema checks depend on besides a file (part of the parse cache key)."""
    return repr((settings.max_file_bytes, settings.schemas, settings.known_types))


def file_stamps(found: Discovered) -> list[Stamp | None]:
    """Each discovered file's stamp: as the walk saw it, else asked again."""
    return [found.stamps[rel] if rel in found.stamps else stamp_of(path) for rel, path in found.files]


def unpack_all(files: Sequence[tuple[str, str]], stamps: Sequence[Stamp | None], known: list[bytes | None], fresh: Iterator[bytes | None], writer: CacheWriter | None, cache: ParseCache | None = None) -> list[LoadResult]:
    """Unpack results in file order, fresh ones where none was cached, as the pool delivers them
    (None from the pool: the file's bytes are what the cached result was made from).

    Each packed copy goes to the new cache and is dropped once unpacked, so a large base never
    holds all of them at once.
    """
    strings: dict[Any, Any] = {}  # one copy of each repeated string and position (kb.note_packing)
    results = []
    for index, data in enumerate(known):
        known[index] = None
        rel = strings.setdefault(files[index][0], files[index][0])  # the note's path: the walk's copy
        data = data if data is not None else next(fresh)
        data = data if data is not None or cache is None else cache.reuse(rel)  # the file's bytes did not change
        result = unpack(data, strings)
        if writer is not None:
            writer.add(rel, stamps[index], data, result.note.digest if result.note else "")
        results.append(result)
    return results


def parse_all(files: Sequence[tuple[str, str, str]], settings: Settings, pool: ProcessPoolExecutor | None) -> Iterator[bytes | None]:
    """Packed results of (path, absolute path, content hash of the cached result or "") in order,
    from the process pool when there is one (see parse_changed).

    Only a few chunks per worker are handed out ahead of the one being unpacked here: a worker
    that runs ahead would otherwise pile up parsed results (tens of MB at 50,000 notes) while
    this process, sharing the cores, unpacks slowly.
    """
    if pool is None:
        yield from parse_chunk(files, settings)
        return
    size = min(MAX_CHUNK_FILES, max(64, len(files) // (Workers.size() * 8)))
    waiting: deque[Future[list[bytes | None]]] = deque()
    for start in range(0, len(files), size):
        waiting.append(pool.submit(parse_chunk, files[start : start + size], settings))
        if len(waiting) > CHUNKS_IN_FLIGHT * Workers.size():
            yield from waiting.popleft().result()
    while waiting:
        yield from waiting.popleft().result()


def parse_chunk(files: Sequence[tuple[str, str, str]], settings: Settings) -> list[bytes | None]:
    """Read, parse and pack some files (the unit of work of a pool worker)."""
    with collector_paused():
        return [parse_changed(rel, path, digest, settings) for rel, path, digest in files]


def parse_changed(rel: str, path: str | os.PathLike[str], digest: str, settings: Settings) -> bytes | None:
    """A file's packed result; None when its bytes still have the content hash `digest`."""
    try:
        data = read_bytes(path)
    except OSError as error:
        return pack(unreadable(rel, error))
    return None if digest and content_digest(data) == digest else pack(parse_bytes(rel, data, settings))


def unreadable(rel: str, error: OSError) -> LoadResult:
    """What reading a file that cannot be read gives."""
    return LoadResult(None, (diagnostic("unreadable-file", rel, 1, 1, f"cannot read: {error.strerror or error}"),))


def parse_bytes(rel: str, data: bytes, settings: Settings) -> LoadResult:
    """Parse a file's bytes and check the note's schema."""
    result = read_note(rel, data, settings)
    problems = tuple(schema_problems(result.note, settings)) if result.note is not None else ()
    return LoadResult(result.note, result.diagnostics + problems) if problems else result


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    """A file's bytes by plain descriptor reads (half the cost of open() and its buffered reader).

    A read that returns less than asked is the end of a regular file; larger files are read on
    to the empty read.
    """
    descriptor = os.open(path, os.O_RDONLY)
    try:
        data = os.read(descriptor, READ_SIZE)
        if len(data) < READ_SIZE:
            return data
        parts = [data]
        while part := os.read(descriptor, READ_SIZE):
            parts.append(part)
        return b"".join(parts)
    finally:
        os.close(descriptor)
