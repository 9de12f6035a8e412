"""Write pages into the staging folder: in parallel, and reusing unchanged pages of the last build.

Every page gets a fingerprint of everything it shows (its context, the note file behind it, the
templates and kb's version). A page whose fingerprint matches the previous build's is hard-linked
from the previous site instead of rendered again, so an edit rewrites only the pages it affects.
The previous site is never modified: new renders always go to new files in the staging folder.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import unquote

from kb.body import LinkPlace, link_places, read_body
from kb.build_state import (
    MANIFEST,
    RECORDS_PER_FILE,
    PageRecord,
    shape_of,
    write_records,
)
from kb.collector import collect_less_often, heap_frozen
from kb.earlier_entries import EarlierEntries
from kb.memory import release_free_memory
from kb.model import Note
from kb.page_rows import marshalled
from kb.pages import Page, note_body, note_page
from kb.render import make_environment, render_page, write_rendered
from kb.search import SearchDoc, search_doc
from kb.site_files import link_file, write_parts_or_link, write_text_file

PARALLEL_MIN_PAGES = 200  # below this, forking workers costs more than it saves (even at 148 notes; 417 notes: 0.76 s against 1.11 s)
CHUNK = 250


@dataclass(frozen=True)
class WriteJob:
    """What every page writer needs: where to write, what was there, and how to render."""

    out: Path
    previous: Path  # the last build's folder (may not exist)
    manifest: dict[str, str]  # page path -> fingerprint, from the last build
    templates: Path | None
    stamp: str  # kb.templates_folder.page_stamp: the templates, kb's code and the settings
    site: dict[str, Any]
    search: bool = True  # also return each note page's search entry
    records: Path | None = None  # where to keep each note page's PageRecord (kb.build_state)
    folders: set[Path] = field(default_factory=set)  # folders made so far (each forked writer has its own copy)
    earlier: EarlierEntries | None = None  # the last build's search entries (kb.earlier_entries)

    def folder_for(self, target: Path) -> None:
        """Make the folder of a page's file, once per folder and process."""
        if target.parent not in self.folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.folders.add(target.parent)


def read_manifest(previous: Path) -> dict[str, str]:
    """The last build's page fingerprints (none when absent or unreadable)."""
    try:
        data = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def fingerprint(page: Page, stamp: str) -> str:
    """Hash of everything that decides a page's bytes.

    marshal format 2 (no back-references, so equal contexts give equal bytes) is about twice as
    fast as repr, and writes long rows made on the fly piece by piece (kb.page_rows); a context
    holding a type marshal cannot write is spelled out by repr instead.
    """
    inputs = (stamp, page.template, page.digest, page.context)
    digest = hashlib.blake2b(digest_size=16)
    try:
        for part in marshalled(inputs):
            digest.update(part)
    except ValueError:
        return hashlib.blake2b(repr(inputs).encode(), digest_size=16).hexdigest()
    return digest.hexdigest()


def write_page(page: Page, job: WriteJob, env: Any, mark: str | None = None) -> tuple[str, str, bool]:
    """Write one page (or link it from the last build); returns (path, fingerprint, rendered).

    `mark`: the page's fingerprint, when already made.
    """
    mark = mark or fingerprint(page, job.stamp)
    name = unquote(page.path)  # page paths are URLs; files have the decoded name
    target = job.out / name
    job.folder_for(target)
    if job.manifest.get(page.path) == mark and link_file(job.previous / name, target):
        return page.path, mark, False
    if page.stream:
        write_rendered(env, page, job.site, target)
    else:
        write_text_file(target, render_page(env, Page(page.path, page.template, page.full_context()), job.site))
    return page.path, mark, True


NoteEntry = tuple[int, SearchDoc | None]  # a note's place in the base (its search id) and search entry
PageWritten = tuple[str, str, bool, NoteEntry | None]  # path, fingerprint, rendered, and for a note's page its entry


def write_notes(model: Any, paths: list[str], start: int, job: WriteJob, env: Any) -> list[PageWritten]:
    """Write some notes' pages (the `start`-th note onwards) with their search entries and records."""
    done, records = [], defaultdict(dict)
    for number, path in enumerate(paths, start):
        note = model.kb.notes[path]
        places = link_places(model.outlinks.get(path, []))
        page = note_page(model, note, places)
        mark = fingerprint(page, job.stamp)
        page, doc = with_search_entry(model, note, page, places, job, mark) if job.search else (page, None)
        done.append((*write_page(page, job, env, mark), (number, doc)))
        if job.records is not None:
            records[number // RECORDS_PER_FILE][path] = page_record(model, note, page, doc, places)
    for group, kept in records.items():
        write_records(job.records, group, kept)
    return done


def with_search_entry(model: Any, note: Note, page: Page, places: list[LinkPlace], job: WriteJob, mark: str) -> tuple[Page, SearchDoc]:
    """A note's search entry: the last build's when the page is unchanged (fingerprint `mark`),
    else made from the note's file, read again, which the page then renders from too."""
    if job.earlier is not None and job.manifest.get(page.path) == mark:
        doc = job.earlier.entry(note.path, page.path)
        if doc is not None:
            return page, doc
    text = read_body(model.kb.root, note, model.kb.settings.max_file_bytes)
    doc = search_doc(page.path, note, page.context["title"], page.context["domain"], text)
    return replace(page, body=note_body(model, note, page.path, places, text)), doc


def page_record(model: Any, note: Note, page: Page, doc: SearchDoc | None, places: list[LinkPlace]) -> PageRecord:
    """What re-rendering this page after a body-only edit needs (see kb.quick_build); `places`: its links."""
    urls = {place[5]: model.urls[place[5]] for place in places if place[5] in model.urls}
    clean = model.diagnostics.is_clean(note.path)
    return PageRecord(shape_of(note), clean, page.path, page.template, page.context, places, urls, doc)


PageFamily = Callable[[Any], Iterable[Page]]  # a function from the site model to some site-wide pages
Task = tuple[str, Any]  # ("family", index into the families) or ("notes", (first note's number, [note paths]))
_WORKER: dict[str, Any] = {}  # set before forking: what the workers inherit


def write_all_pages(model: Any, job: WriteJob, families: list[PageFamily], workers: int) -> Iterator[list[PageWritten]]:
    """Write every page: note pages in chunks and each family of site-wide pages, as tasks shared
    by forked workers when there are many; yields each finished task's pages."""
    import multiprocessing  # only a full build forks: a quick rebuild, which uses this module, need not load it

    paths = list(model.kb.notes)
    tasks: list[Task] = [("family", index) for index in range(len(families))]
    tasks += [("notes", (i, paths[i : i + CHUNK])) for i in range(0, len(paths), CHUNK)]
    if len(paths) < PARALLEL_MIN_PAGES or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        env = make_environment(job.templates)
        yield from (_run(model, job, families, env, task) for task in tasks)
        return
    _WORKER.update(model=model, job=job, families=families)
    release_free_memory()  # each forked worker's resident size starts at the main process's
    try:
        with heap_frozen(), multiprocessing.get_context("fork").Pool(workers, collect_less_often) as pool:  # workers' collections skip what they inherit
            model.writers_forked()  # the workers have their copy: the main process lets go of its own
            release_free_memory()
            yield from pool.imap_unordered(_run_inherited, tasks)
    finally:
        _WORKER.clear()


def _run_inherited(task: Task) -> list[PageWritten]:
    """Worker: run one task with the model, job and families inherited through fork."""
    env = _WORKER.setdefault("env", make_environment(_WORKER["job"].templates))
    return _run(_WORKER["model"], _WORKER["job"], _WORKER["families"], env, task)


def _run(model: Any, job: WriteJob, families: list[PageFamily], env: Any, task: Task) -> list[PageWritten]:
    """Write the pages of one task."""
    kind, what = task
    if kind == "notes":
        return write_notes(model, what[1], what[0], job, env)
    return [(*write_page(page, job, env), None) for page in families[what](model)]


def save_manifest(out: Path, previous: Path, marks: dict[str, str]) -> None:
    """Record this build's page fingerprints inside the site, for the next build (written in pieces)."""
    write_parts_or_link(out / MANIFEST, previous / MANIFEST, manifest_parts(marks))


def manifest_text(marks: dict[str, str]) -> str:
    """The manifest file's text: page path -> fingerprint, sorted, one per line (C-encoded)."""
    return "".join(manifest_parts(marks))


MANIFEST_BATCH = 1_000  # entries encoded per call


def manifest_parts(marks: dict[str, str]) -> Iterator[str]:
    """manifest_text in pieces, each a batch of entries encoded in one call (the whole text is never held)."""
    paths = sorted(marks)
    yield "{"
    for start in range(0, len(paths), MANIFEST_BATCH):
        batch = json.dumps({path: marks[path] for path in paths[start : start + MANIFEST_BATCH]}, separators=(",\n", ": "))
        yield ("" if start == 0 else ",\n") + batch[1:-1]
    yield "}"
