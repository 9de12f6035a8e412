"""Write pages into the staging folder: in parallel, and reusing unchanged pages of the last build.

Every page gets a fingerprint of everything it shows (its context, the note file behind it, the
templates and kb's version). A page whose fingerprint matches the previous build's is hard-linked
from the previous site instead of rendered again, so an edit rewrites only the pages it affects.
The previous site is never modified: new renders always go to new files in the staging folder.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import unquote

import kb
from kb.body import read_body
from kb.model import Note
from kb.pages import Page, note_page
from kb.render import make_environment, render_page, templates_dir
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


def templates_stamp(user_templates: Path | None) -> str:
    """A hash of every template and static file (ours and the user's) and kb's version."""
    digest = hashlib.blake2b(kb.__version__.encode(), digest_size=16)
    for folder in (templates_dir(), user_templates):
        for path in sorted(folder.rglob("*")) if folder and folder.is_dir() else ():
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def read_manifest(previous: Path) -> dict[str, str]:
    """The last build's page fingerprints (none when absent or unreadable)."""
    try:
        data = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def fingerprint(page: Page, stamp: str) -> str:
    """Hash of everything that decides a page's bytes."""
    return hashlib.blake2b(repr((stamp, page.template, page.digest, page.context)).encode(), digest_size=16).hexdigest()


def write_page(page: Page, job: WriteJob, env: Any) -> tuple[str, str, bool]:
    """Write one page (or link it from the last build); returns (path, fingerprint, rendered)."""
    mark = fingerprint(page, job.stamp)
    name = unquote(page.path)  # page paths are URLs; files have the decoded name
    target = job.out / name
    target.parent.mkdir(parents=True, exist_ok=True)
    if job.manifest.get(page.path) == mark and link_file(job.previous / name, target):
        return page.path, mark, False
    target.write_text(render_page(env, Page(page.path, page.template, page.full_context()), job.site), encoding="utf-8")
    return page.path, mark, True


NoteWritten = tuple[str, str, bool, SearchDoc | None]  # path, fingerprint, rendered, search entry


def write_note(model: Any, note: Note, job: WriteJob, env: Any) -> NoteWritten:
    """Write a note's page and make its search entry (the body is read once, for both)."""
    text = read_body(model.kb.root, note, model.kb.settings.max_file_bytes) if job.search else None
    page = note_page(model, note, text)
    written = write_page(page, job, env)
    doc = search_doc(page.path, note, page.context["title"], page.context["domain"], text) if text is not None else None
    return (*written, doc)


def write_serial(pages: Iterable[Page], job: WriteJob) -> Iterator[tuple[str, str, bool]]:
    """Write pages one by one in this process."""
    env = make_environment(job.templates)
    for page in pages:
        yield write_page(page, job, env)


_WORKER: dict[str, Any] = {}  # set before forking: the model and job the workers inherit


def _write_notes(paths: list[str]) -> list[NoteWritten]:
    """Worker: write the pages of some notes (model and job inherited through fork)."""
    model, job = _WORKER["model"], _WORKER["job"]
    env = _WORKER.setdefault("env", make_environment(job.templates))
    return [write_note(model, model.kb.notes[path], job, env) for path in paths]


def write_note_pages(model: Any, job: WriteJob, workers: int) -> Iterator[list[NoteWritten]]:
    """Write every note page, in forked workers when there are many; yields finished chunks."""
    paths = list(model.kb.notes)
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    if len(paths) < PARALLEL_MIN_PAGES or workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        env = make_environment(job.templates)
        for chunk in chunks:
            yield [write_note(model, model.kb.notes[p], job, env) for p in chunk]
        return
    _WORKER.update(model=model, job=job)
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield from pool.imap_unordered(_write_notes, chunks)
    finally:
        _WORKER.clear()


def save_manifest(out: Path, previous: Path, marks: dict[str, str]) -> None:
    """Record this build's page fingerprints inside the site, for the next build."""
    write_or_link(out / MANIFEST, previous / MANIFEST, json.dumps(dict(sorted(marks.items())), indent=0))

