"""What a full build leaves behind so that the next one can redo only what an edit touched.

Beside the parse cache (kb.cache.cache_folder), per output folder:

- `state.pickle`: a BuildState: the key of everything else a build depends on (kb's code, the
  templates, settings and options), every file's stamp as it was *before* it was read, every
  note's path in order (a note's place gives its search document id and its records file), the
  tally of the diagnostics, and a hash of the site's manifest (a site changed by another build no longer matches).
- `diagnostics.pickle`: the diagnostics of the base the site shows (unchanged by a quick rebuild,
  which only needs their tally, kept in the state).
- `records-N.pickle`: a PageRecord per note, written by the worker that rendered its page: what
  re-rendering that page needs without loading the rest of the base.

A full build writes them into a fresh folder and moves it into place after the site is swapped
in; a quick rebuild (kb.quick_build) rewrites the records it changed, then the state.
"""

from __future__ import annotations

import bisect
import hashlib
import marshal
import shutil
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kb.build_options import Tally
from kb.cache import (
    Stamp,
    cache_folder,
    code_stamp,
    read_pickle,
    stamp_of,
    write_pickle,
)
from kb.config import PROGRAM_ALIASES, Settings
from kb.discover import Discovered
from kb.model import Diagnostic, Note

if TYPE_CHECKING:  # kb.body is imported only when a page is rendered
    from kb.body import LinkPlace

STATE = "state.pickle"
DIAGNOSTICS = "diagnostics.pickle"
RECORDS_PER_FILE = 25  # a quick rebuild reads one small file per changed note
READ_RULES = ("KB10",)  # codes of the rules reading a file reports (yaml-error ... unreadable-file)


class PageRecord(NamedTuple):
    """One note's page as the last build made it, and the parse it came from."""

    shape: str  # hash of the parse result with the content hash left out
    clean: bool  # reading the file reported nothing
    path: str  # the page's site path
    template: str
    context: dict[str, Any]  # without the body
    links: list[LinkPlace]  # the note's resolved links, as kb.body.render_note_body takes them
    urls: dict[str, str]  # site path of every note those links reach
    doc: Any  # kb.search.SearchDoc, or None without search


@dataclass(frozen=True)
class BuildState:
    """What the last full or quick build was made from (see the module docstring)."""

    key: str
    stamps: dict[str, Stamp | None]
    discovery: tuple[Diagnostic, ...]
    notes: tuple[str, ...]  # every note's path in the base's (sorted) order: see place_of
    manifest_hash: str
    tally: Tally  # of the diagnostics

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle the stamps and note paths through marshal: several times quicker both ways.

        Data marshal wrote under another Python fails to load, as a stale state should.
        """
        return _restore_state, (self.key, marshal.dumps(self.stamps), marshal.dumps(self.notes), self.discovery, self.manifest_hash, self.tally)


def _restore_state(key: str, stamps: bytes, notes: bytes, discovery: tuple[Diagnostic, ...], manifest: str, tally: Tally) -> BuildState:
    """A BuildState from its pickled parts (see BuildState.__reduce__)."""
    return BuildState(key, marshal.loads(stamps), discovery, marshal.loads(notes), manifest, tally)


def place_of(state: BuildState, path: str) -> int | None:
    """A note's place in the base: its search document id; its records file is place // RECORDS_PER_FILE."""
    place = bisect.bisect_left(state.notes, path)
    return place if place < len(state.notes) and state.notes[place] == path else None


SHAPE_FIELDS = ("path", "title", "kind", "meta", "positions", "headings", "body_line", "has_front_matter", "program")
_shape_fields = attrgetter(*SHAPE_FIELDS)


def shape_of(note: Note) -> str:
    """A hash of everything parsed from a file except its content hash (repr spells values out).

    SHAPE_FIELDS are every field of a Note but its digest, links and evidence sections; those two
    go in as plain tuples (a link's kind as its value), which repr in C (the named tuples' and the
    enum's own reprs, and the dataclass's, are Python code).
    """
    links = [(*link[:6], link.kind._value_, *link[7:]) for link in note.links]
    fields = (_shape_fields(note), links, [tuple(section) for section in note.evidence])
    return hashlib.blake2b(repr(fields).encode(), digest_size=16).hexdigest()


def is_clean(diagnostics: list[Diagnostic]) -> bool:
    """Whether none of a file's diagnostics came from reading it."""
    return not any(d.code.startswith(READ_RULES) for d in diagnostics)


def build_key(root: Path, settings: Settings, options: Any, templates: str) -> str:
    """Everything besides the notes that decides the site's bytes (the alias table included)."""
    try:
        aliases = (root / PROGRAM_ALIASES).read_bytes()
    except OSError:
        aliases = b""
    inputs = (code_stamp(), templates, repr(settings), str(root), aliases, options.title, options.site_url, options.search, str(options.templates))
    return hashlib.blake2b(repr(inputs).encode(), digest_size=16).hexdigest()


def state_folder(root: Path, out: Path) -> Path:
    """Where the state of builds of `root` into `out` lives."""
    return cache_folder(root) / "builds" / hashlib.blake2b(str(out.resolve()).encode(), digest_size=8).hexdigest()


def take_stamps(found: Discovered) -> dict[str, Stamp | None]:
    """Every discovered file's stamp, taken before anything is read (during the walk, mostly)."""
    return {rel: found.stamps[rel] if rel in found.stamps else stamp_of(path) for rel, path in found.files}


MANIFEST = ".kb-manifest.json"  # the page manifest kb.writer keeps in the site


def manifest_hash(site: Path) -> str:
    """Hash of a site's page manifest ("" when it has none)."""
    try:
        return manifest_digest((site / MANIFEST).read_bytes())
    except OSError:
        return ""


def manifest_digest(manifest: bytes) -> str:
    """Hash of a page manifest's bytes."""
    return hashlib.blake2b(manifest, digest_size=16).hexdigest()


def read_state(folder: Path) -> BuildState | None:
    """The stored state, or None when absent, unreadable or of another shape."""
    state = read_pickle(folder / STATE)
    return state if isinstance(state, BuildState) else None


def read_records(folder: Path, chunk: int) -> dict[str, PageRecord]:
    """One records file ({} when unreadable)."""
    records = read_pickle(folder / f"records-{chunk}.pickle")
    return records if isinstance(records, dict) else {}


def write_records(folder: Path, chunk: int, records: dict[str, PageRecord]) -> bool:
    """Store one records file; whether it was stored (a failure leaves the file as it was)."""
    return write_pickle(folder / f"records-{chunk}.pickle", records)


def read_diagnostics(folder: Path) -> tuple[Diagnostic, ...] | None:
    """The diagnostics the last full build stored (None when unreadable)."""
    found = read_pickle(folder / DIAGNOSTICS)
    return found if isinstance(found, tuple) else None


def install(fresh: Path, folder: Path, state: BuildState, diagnostics: tuple[Diagnostic, ...]) -> None:
    """Make a full build's freshly written records the current state, replacing the old one."""
    write_pickle(fresh / DIAGNOSTICS, diagnostics)
    write_pickle(fresh / STATE, state)
    shutil.rmtree(folder, ignore_errors=True)
    try:
        fresh.rename(folder)
    except OSError:
        shutil.rmtree(fresh, ignore_errors=True)
