"""Search entries of the last build, taken again for the note pages a full build finds unchanged.

An edit to front matter or links means a full build (kb.quick_build), which links every page
whose fingerprint is unchanged from the last build's site instead of rendering it. Its search
entry used to be made afresh all the same: the note's file read again and its words split, a
third of what an unchanged note page costs. A page with the same fingerprint shows the same file
at the same URL with the same title, domain and kind, so its entry is the same: it is read from
the last build's records, when those describe the site being replaced (same build key, same page
manifest: a build killed after swapping its site in, before keeping its state, leaves records
that do not).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.build_options import Recording
from kb.build_state import (
    RECORDS_PER_FILE,
    PageRecord,
    manifest_hash,
    read_records,
    read_state,
)


@dataclass
class EarlierEntries:
    """The last build's records of note pages, read a file at a time as page writers ask."""

    folder: Path  # the last build's state folder
    notes: tuple[str, ...]  # its notes' paths in order: a note's place gives its records file
    loaded: dict[int, dict[str, PageRecord]] = field(default_factory=dict)  # the file last read (each writer its own)

    def entry(self, path: str, url: str) -> Any:
        """The search entry the last build made for note `path` at page `url`, or None."""
        place = bisect.bisect_left(self.notes, path)
        if place == len(self.notes) or self.notes[place] != path:
            return None
        chunk = place // RECORDS_PER_FILE
        if chunk not in self.loaded:
            self.loaded.clear()  # a writer takes notes in order: one file at a time serves it
            self.loaded[chunk] = read_records(self.folder, chunk)
        record = self.loaded[chunk].get(path)
        return record.doc if record is not None and record.path == url else None


def earlier_entries(recording: Recording | None, out: Path) -> EarlierEntries | None:
    """The last build's entries, if its state is that of the site in `out` and of these inputs."""
    state = read_state(recording.folder) if recording is not None else None
    if recording is None or state is None or state.key != recording.key or state.manifest_hash != manifest_hash(out):
        return None
    return EarlierEntries(recording.folder, state.notes)
