"""A base's diagnostics while its site is written: what the pages need, the rest kept compact.

At 50,000 notes `kb check` finds about 90,000 problems; as Diagnostic tuples with their own
strings they take some 70 MB, which every page writer would inherit at fork while only the
health page reads them. A packed store keeps each rule's diagnostics as compressed pickled chunks
of plain tuples, and answers the other pages' questions (a note's cleanliness, the error count) from
small tables made up front.
"""

from __future__ import annotations

import pickle
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterator, Sequence

from kb.build_state import is_clean
from kb.model import Diagnostic, Severity
from kb.note_packing import diagnostic_rows, diagnostics_of

CHUNK = 4_096  # diagnostics per pickled chunk: one chunk at a time is unpacked
COMPRESSION = 1  # zlib level: messages repeat titles and phrasing, so even the fastest level packs them to a fifth
Chunk = bytes | tuple[Diagnostic, ...]  # packed, or kept as they are


class DiagnosticStore:
    """`kb check`'s diagnostics of a base by rule, packed or as they are, with the tables pages ask for."""

    def __init__(self, diagnostics: Sequence[Diagnostic], packed: bool = True) -> None:
        self.errors = sum(1 for d in diagnostics if d.severity is Severity.ERROR)
        self.unclean = frozenset(d.path for d in diagnostics if not is_clean([d]))  # notes a reading rule reported
        grouped: dict[str, list[Diagnostic]] = defaultdict(list)
        for d in diagnostics:
            grouped[d.rule].append(d)
        self.heads = {rule: found[0] for rule, found in grouped.items()}  # each rule's first diagnostic, rules in order of appearance
        self.counts = {rule: len(found) for rule, found in grouped.items()}
        numbers = {rule: number for number, rule in enumerate(grouped)}
        self.order = array("I", [numbers[d.rule] for d in diagnostics])  # the rule of each diagnostic, in order
        self.chunks = {rule: [_chunk(found[start : start + CHUNK], packed) for start in range(0, len(found), CHUNK)] for rule, found in grouped.items()}

    def __len__(self) -> int:
        return len(self.order)

    def __iter__(self) -> Iterator[Diagnostic]:
        """Every diagnostic in the order given."""
        streams = [self.of_rule(rule) for rule in self.heads]
        return (next(streams[number]) for number in self.order)

    def is_clean(self, path: str) -> bool:
        """Whether none of a note's diagnostics came from reading its file (kb.build_state.is_clean)."""
        return path not in self.unclean

    def of_rule(self, rule: str) -> Iterator[Diagnostic]:
        """One rule's diagnostics in order (one chunk unpacked at a time)."""
        for chunk in self.chunks.get(rule, ()):
            yield from _unpacked(chunk)

    def all(self) -> tuple[Diagnostic, ...]:
        """Every diagnostic, as one tuple."""
        return tuple(self)


def _chunk(diagnostics: list[Diagnostic], packed: bool) -> Chunk:
    """Some diagnostics as a compressed pickle of plain tuples (named tuples and enums pickle slowly and large), or as they are."""
    if not packed:
        return tuple(diagnostics)
    return zlib.compress(pickle.dumps(diagnostic_rows(diagnostics), protocol=pickle.HIGHEST_PROTOCOL), COMPRESSION)


def _unpacked(chunk: Chunk) -> Iterator[Diagnostic]:
    """A chunk's diagnostics again."""
    if type(chunk) is not bytes:
        return iter(chunk)
    return diagnostics_of(pickle.loads(zlib.decompress(chunk)))
