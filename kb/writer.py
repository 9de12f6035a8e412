"""Write pages into the staging folder: in parallel, and reusing unchanged pages of the last build.

Every page gets a fingerprint of everything it shows (its context, the note file behind it, the
templates and kb's version). A page whose fingerprint matches the previous build's is hard-linked
from the previous site instead of rendered again, so an edit rewrites only the pages it affects.
The previous site is never modified: new renders always go to new files in the staging folder.
"""

from __future__ import annotations

import gc
import hashlib
import json
import marshal
import multiprocessing
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import unquote

from kb.body import read_body
from kb.build_state import (
    RECORDS_PER_FILE,
    PageRecord,
    is_clean,
    shape_of,
    write_records,
)
from kb.model import Note
from kb.pages import Page, note_page
from kb.render import make_environment, render_page, write_rendered
from kb.search import SearchDoc, search_doc
from kb.site_files import link_file, write_or_link

MANIFEST = ".kb-manifest.json"
PARALLEL_MIN_PAGES = 1_500  # below this, forking workers costs more than it saves
CHUNK = 250


@dataclass(frozen=True)
class WriteJob:
    """What every page writer needs: where to write, what was there, and how to render."""

    out: Path
    previous: Path  # the last build's folder (may not exist)
    manifest: dict[str, str]  # page path -> fingerprint, from the last build
    templates: Path | None
    stamp: str  # fingerprint of the templates and kb's version
    site: dict[str, Any]
    search: bool = True  # also return each note page's search entry
    records: Path | None = None  # where to keep each note page's PageRecord (kb.build_state)


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
    fast as repr; a context holding a type marshal cannot write is spelled out by repr instead.
    """
    inputs = (stamp, page.template, page.digest, page.context)
    try:
        data = marshal.dumps(inputs, 2)
    except ValueError:
        data = repr(inputs).encode()
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def write_page(page: Page, job: WriteJob, env: Any) -> tuple[str, str, bool]:
    """Write one page (or link it from the last build); returns (path, fingerprint, rendered)."""
    mark = fingerprint(page, job.stamp)
    name = unquote(page.path)  # page paths are URLs; files have the decoded name
    target = job.out / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if job.manifest.get(page.path) == mark and link_file(job.previous / name, target):
        return page.path, mark, False
    if page.stream:
        write_rendered(env, page, job.site, target)
    else:
        target.write_text(render_page(env, Page(page.path, page.template, page.full_context()), job.site), encoding="utf-8")
    return page.path, mark, True


NoteWritten = tuple[str, str, bool, SearchDoc | None]  # path, fingerprint, rendered, search entry


def write_notes(model: Any, paths: list[str], start: int, job: WriteJob, env: Any) -> list[NoteWritten]:
    """Write some notes' pages (the `start`-th note onwards) with their search entries and records."""
    done, records = [], defaultdict(dict)
    for number, path in enumerate(paths, start):
        note = model.kb.notes[path]
        text = read_body(model.kb.root, note, model.kb.settings.max_file_bytes) if job.search else None
        page = note_page(model, note, text)
        doc = search_doc(page.path, note, page.context["title"], page.context["domain"], text) if text is not None else None
        done.append((*write_page(page, job, env), doc))
        if job.records is not None:
            records[number // RECORDS_PER_FILE][path] = page_record(model, note, page, doc)
    for group, kept in records.items():
        write_records(job.records, group, kept)
    return done


def page_record(model: Any, note: Note, page: Page, doc: SearchDoc | None) -> PageRecord:
    """What re-rendering this page after a body-only edit needs (see kb.quick_build)."""
    links = model.outlinks.get(note.path, [])
    urls = {r.target_path: model.urls[r.target_path] for r in links if r.target_path in model.urls}
    clean = is_clean(model.diagnostics_by_path.get(note.path, []))
    return PageRecord(shape_of(note), clean, page.path, page.template, page.context, links, urls, doc)


PageFamily = Callable[[Any], Iterable[Page]]  # a function from the site model to some site-wide pages
Task = tuple[str, Any]  # ("family", index into the families) or ("notes", (first note's number, [note paths]))
_WORKER: dict[str, Any] = {}  # set before forking: what the workers inherit


def write_all_pages(model: Any, job: WriteJob, families: list[PageFamily], workers: int) -> Iterator[list[NoteWritten]]:
    """Write every page: note pages in chunks and each family of site-wide pages, as tasks shared
    by forked workers when there are many; yields each finished task's pages (search entry or None)."""
    paths = list(model.kb.notes)
    tasks: list[Task] = [("family", index) for index in range(len(families))]
    tasks += [("notes", (i, paths[i : i + CHUNK])) for i in range(0, len(paths), CHUNK)]
    if len(paths) < PARALLEL_MIN_PAGES or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        env = make_environment(job.templates)
        yield from (_run(model, job, families, env, task) for task in tasks)
        return
    _WORKER.update(model=model, job=job, families=families)
    gc.freeze()  # the workers' collector then leaves the inherited objects (and their pages) alone
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap_unordered(_run_inherited, tasks)
    finally:
        gc.unfreeze()
        _WORKER.clear()


def _run_inherited(task: Task) -> list[NoteWritten]:
    """Worker: run one task with the model, job and families inherited through fork."""
    env = _WORKER.setdefault("env", make_environment(_WORKER["job"].templates))
    return _run(_WORKER["model"], _WORKER["job"], _WORKER["families"], env, task)


def _run(model: Any, job: WriteJob, families: list[PageFamily], env: Any, task: Task) -> list[NoteWritten]:
    """Write the pages of one task."""
    kind, what = task
    if kind == "notes":
        return write_notes(model, what[1], what[0], job, env)
    return [(*write_page(page, job, env), None) for page in families[what](model)]


def save_manifest(out: Path, previous: Path, marks: dict[str, str]) -> None:
    """Record this build's page fingerprints inside the site, for the next build."""
    write_or_link(out / MANIFEST, previous / MANIFEST, manifest_text(marks))


def manifest_text(marks: dict[str, str]) -> str:
    """The manifest file's text: page path -> fingerprint, sorted, one per line (C-encoded)."""
    return json.dumps(dict(sorted(marks.items())), separators=(",\n", ": "))

