"""`kb build`: a quick rebuild after body-only edits, else a full build that leaves its state behind.

When every changed file parses to the same note as before except for its content hash (same
front matter, links at the same places, same headings and evidence sections, nothing reported
while reading it), no other page can change: the rebuild re-renders those notes' own pages
from their records (kb.build_state), updates the search terms whose postings moved, and the page
manifest. Everything is computed in memory first and the previous site is untouched if that
fails; then each of the few files is replaced by an atomic rename. Files added or removed, any
other edit, other templates, settings, options or kb code, or a site that another build changed
all mean a full build (`--full` forces one).
"""

from __future__ import annotations

import json
import os
import shutil
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import unquote

from kb.build_options import (
    BuildOptions,
    BuildResult,
    Recording,
    Reporter,
    SilentReporter,
    Tally,
    tally_of,
)
from kb.build_state import (
    DIAGNOSTICS,
    MANIFEST,
    RECORDS_PER_FILE,
    STATE,
    BuildState,
    PageRecord,
    build_key,
    manifest_digest,
    place_of,
    read_diagnostics,
    read_records,
    read_state,
    shape_of,
    state_folder,
    take_stamps,
    write_records,
)  # fmt: skip
from kb.cache import Stamp, write_pickle
from kb.collector import collector_paused, heap_frozen
from kb.config import Settings
from kb.diagnostic_store import DiagnosticStore
from kb.discover import Discovered, discover
from kb.manifest_edit import with_marks
from kb.model import Diagnostic, KnowledgeBase
from kb.output import check_output_folder, clean_leftovers
from kb.templates_folder import page_stamp

if TYPE_CHECKING:
    from kb.pages import Page

MAX_CHANGED = 50  # more changed files than this: a full build is as quick
PENDING = ".kb-pending"  # folder in the site holding a quick rebuild's files until each is renamed


class Built(NamedTuple):
    """A finished build, the check tally of the base it shows, and where its diagnostics are."""

    result: BuildResult
    tally: Tally
    kept: DiagnosticStore | None  # in memory (packed) after a full build; None: only in `folder`
    folder: Path  # the build's state folder (kb.build_state)

    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Every diagnostic of the base the site shows (a quick rebuild reads them only now)."""
        return self.kept.all() if self.kept is not None else read_diagnostics(self.folder) or ()


class Plan(NamedTuple):
    """What a quick rebuild will write: site files (None: delete) and updated records by chunk."""

    files: dict[str, str | None]
    records: dict[int, dict[str, PageRecord]]
    notes: int


def build(root: Path, settings: Settings, options: BuildOptions, reporter: Reporter | None = None, full: bool = False) -> Built:
    """Build the site of `root`: quickly when only note bodies changed, else in full."""
    reporter = reporter or SilentReporter()
    check_output_folder(options.out, root)
    clean_leftovers(options.out)
    reporter.stage("finding files")
    found = discover(root, settings)
    stamps = take_stamps(found)
    folder = state_folder(root, options.out)
    stamp = page_stamp(options.templates, settings)
    key = build_key(root, settings, options, stamp)
    reporter.stage("quick rebuild")
    quick = None if full else quick_rebuild(root, settings, options, found, stamps, folder, key, stamp)
    if quick is not None:
        reporter.done()
        return quick
    reporter.stage("loading and checking")
    from kb.build import build_site

    recording = Recording(folder, stamps, found.diagnostics, key)
    with ExitStack() as frozen:
        base, tally, diagnostics = _load_all(root, settings, found, frozen)
        del found  # every file's path: not needed any more, and a large base has tens of thousands
        built = build_site(base, options, reporter, recording, diagnostics)
    return Built(built, tally, diagnostics, folder)


def _load_all(root: Path, settings: Settings, found: Discovered, frozen: ExitStack) -> tuple[KnowledgeBase, Tally, DiagnosticStore]:
    """Read, resolve and check every file: the base, with its diagnostics tallied and packed into a
    store instead (page writers then do not inherit them whole).

    The base comes back frozen (kb.collector.heap_frozen) until `frozen` closes: later collections
    need not walk it. The collector resumes only once the base is frozen: every object made while
    it was paused counts toward the next collections, and resumed before, they would walk the
    whole base (0.5 s at 10,000 notes). What loading leaves for the collector (24 objects in
    reference cycles at 10,000 notes) is frozen with the base, until the build ends.
    """
    from kb.pipeline import assemble  # the full build's modules are imported only when it runs
    from kb.render import prune_compiled_templates

    prune_compiled_templates()
    with collector_paused():
        base = assemble(root, settings, found, True)
        tally, diagnostics = tally_of(base.diagnostics), DiagnosticStore(base.diagnostics)
        base = replace(base, diagnostics=())
        frozen.enter_context(heap_frozen())
    return base, tally, diagnostics


def quick_rebuild(root: Path, settings: Settings, options: BuildOptions, found: Discovered, stamps: dict[str, Stamp | None], folder: Path, key: str, stamp: str) -> Built | None:
    """Rewrite only what body-only edits change; None when a full build is needed."""
    state, manifest = read_state(folder), _read_manifest(options.out)
    if state is None or not (folder / DIAGNOSTICS).is_file() or not _still_valid(state, key, found, stamps, manifest):
        return None
    changed = [rel for rel, stamp in stamps.items() if stamp != state.stamps[rel]]
    if len(changed) > MAX_CHANGED:
        return None
    plan = _plan(root, settings, options, state, changed, folder, stamp, manifest) if changed else Plan({}, {}, 0)
    if plan is None:
        return None
    rewritten = _apply(plan.files, options.out)
    kept = all([write_records(folder, chunk, records) for chunk, records in plan.records.items()])
    if changed:  # records not all kept: the state vouches for no site (""), and the next build is full, from scratch
        manifest = (plan.files.get(MANIFEST) or "").encode()  # what the site's manifest now holds
        write_pickle(folder / STATE, replace(state, stamps=stamps, manifest_hash=manifest_digest(manifest) if kept else ""))
    message = f"quick rebuild: {plan.notes} changed note(s), {rewritten} file(s) rewritten"
    return Built(BuildResult(options.out, plan.notes, options.search, message, quick=True), state.tally, None, folder)


def _still_valid(state: BuildState, key: str, found: Discovered, stamps: dict[str, Stamp | None], manifest: bytes) -> bool:
    """Whether the last build's state describes this site (its manifest), these files and these options."""
    same_files = state.stamps.keys() == stamps.keys() and state.discovery == found.diagnostics
    return state.key == key and same_files and manifest != b"" and state.manifest_hash == manifest_digest(manifest)


def _read_manifest(out: Path) -> bytes:
    """The site's page manifest (empty when it has none)."""
    try:
        return (out / MANIFEST).read_bytes()
    except OSError:
        return b""


def _plan(root: Path, settings: Settings, options: BuildOptions, state: BuildState, changed: list[str], folder: Path, stamp: str, manifest: bytes) -> Plan | None:
    """Re-render the changed notes' pages in memory; None as soon as one needs a full build."""
    from kb.render import make_environment  # the renderers are imported only when a page changed

    env = make_environment(options.templates)
    site = {"title": options.title, "url": options.site_url}
    chunks: dict[int, dict[str, PageRecord]] = {}
    redone: list[Redone] = []
    for rel in changed:
        place = place_of(state, rel)  # None: not a note at the last build (it could not be read)
        records = None if place is None else chunks.setdefault(place // RECORDS_PER_FILE, read_records(folder, place // RECORDS_PER_FILE))
        found = None if records is None else _rerender(root / rel, rel, records.get(rel), settings, options, env, site)
        if place is None or records is None or found is None:
            return None
        redone.append(Redone(place, records, rel, *found))
    files = {**{unquote(item.page.path): item.html for item in redone}, **_index_files(options.out, redone, stamp, manifest)}
    for item in redone:  # each record now holds its note's new search entry
        item.records[item.rel] = item.records[item.rel]._replace(doc=item.doc)
    return Plan(files, chunks, len(changed))


class Redone(NamedTuple):
    """A changed note's new page and search entry, and the records file holding its record."""

    place: int  # the note's place in the base: its search document id
    records: dict[str, PageRecord]
    rel: str
    html: str
    page: Page  # without the body
    doc: Any  # kb.search.SearchDoc, or None without search


def _index_files(out: Path, redone: list[Redone], stamp: str, manifest: bytes) -> dict[str, str | None]:
    """The page manifest and the search files the changed pages alter."""
    from kb.search import FOLDER
    from kb.search_updates import index_updates
    from kb.writer import fingerprint

    marks = {item.page.path: fingerprint(item.page, stamp) for item in redone}
    changes = [(item.place, item.records[item.rel].doc, item.doc) for item in redone if item.doc is not None and item.records[item.rel].doc is not None]
    files: dict[str, str | None] = {MANIFEST: _manifest_update(manifest.decode("utf-8"), marks)}
    files.update((f"{FOLDER}/{name}", text) for name, text in index_updates(out / FOLDER, changes).items())
    return files


def _rerender(path: Path, rel: str, record: PageRecord | None, settings: Settings, options: BuildOptions, env: Any, site: dict[str, str]) -> tuple[str, Page, Any] | None:
    """A changed note's page (HTML, Page without body) and search entry, if only its body changed."""
    from kb.body import body_of, render_note_body
    from kb.pages import Page
    from kb.read import read_note
    from kb.render import render_page
    from kb.search import search_doc
    try:
        data = path.read_bytes()
    except OSError:
        return None
    loaded = read_note(rel, data, settings)
    note = loaded.note
    if record is None or note is None or loaded.diagnostics or not record.clean or shape_of(note) != record.shape:
        return None
    text = body_of(data, note)
    body = render_note_body(text, note, record.path, record.links, record.urls)
    html = render_page(env, Page(record.path, record.template, {**record.context, "body": body}), site)
    doc = search_doc(record.path, note, record.context["title"], record.context["domain"], text) if options.search else None
    return html, Page(record.path, record.template, record.context, note.digest), doc


def _manifest_update(manifest: str, marks: dict[str, str]) -> str:
    """The page manifest's text with new fingerprints: spliced in, else (a new page) encoded again."""
    from kb.writer import manifest_text

    return with_marks(manifest, marks) or manifest_text({**json.loads(manifest), **marks})


def _apply(files: dict[str, str | None], out: Path) -> int:
    """Replace each file whose bytes change with an atomic rename (None: remove it); how many.

    New files are written into one pending folder first (what a killed rebuild left there goes).
    """
    pending = out / PENDING
    shutil.rmtree(pending, ignore_errors=True)
    pending.mkdir()
    try:
        return sum(_replace(out / name, text, pending / str(number)) for number, (name, text) in enumerate(files.items()))
    finally:
        shutil.rmtree(pending, ignore_errors=True)


def _replace(target: Path, text: str | None, temporary: Path) -> bool:
    """Give one file new text through `temporary` (None: remove it); whether it changed."""
    data = None if text is None else text.encode("utf-8")
    if data is not None and target.is_file() and target.read_bytes() == data:
        return False
    if data is None:
        target.unlink(missing_ok=True)
        return True
    temporary.write_bytes(data)  # a new file, with the usual permissions (not mkstemp's 0600)
    os.replace(temporary, target)
    return True
