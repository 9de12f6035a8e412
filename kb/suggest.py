"""Did-you-mean for broken links: truncated titles, hyphen/space spellings, close spellings."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property

from rapidfuzz import fuzz, process

from kb.resolve import Index

_SEPARATORS = re.compile(r"[\s\-_]+")
_PUNCTUATION = re.compile(r"[^\w\s]")
MIN_PREFIX = 30  # a stem this long that starts a target (or the reverse) is a cut title
CLOSE_SCORE = 88.0  # rapidfuzz ratio (0-100) for a close spelling
BLOCK = 6  # characters at each end used to find close-spelling candidates without comparing all


def spelling_key(text: str) -> str:
    """Fold case, punctuation and hyphen/underscore/space differences away."""
    return _SEPARATORS.sub(" ", _PUNCTUATION.sub("", text.casefold().replace("-", " "))).strip()


@dataclass(frozen=True)
class Suggestion:
    """A likely intended note and why kb thinks so."""

    path: str
    title: str
    reason: str  # "truncated title" | "hyphen/space spelling" | "close spelling"
    strong: bool  # a single clear answer that `kb fix` may apply


class Suggester:
    """Suggest notes for broken targets; lookup tables are built once, lazily."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self._found: dict[str, Suggestion | None] = {}  # by stem: bases repeat broken targets

    @cached_property
    def _stems(self) -> list[str]:
        return sorted(self.index.by_stem)

    @cached_property
    def _lengths(self) -> frozenset[int]:
        """The lengths stems have."""
        return frozenset(map(len, self.index.by_stem))

    @cached_property
    def _by_key(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for stem in self.index.by_stem:
            table.setdefault(spelling_key(stem), []).append(stem)
        return table

    @cached_property
    def _blocks(self) -> dict[str, list[str]]:
        """Stems by their first and by their last BLOCK characters (a typo rarely hits both ends), sorted."""
        table: dict[str, list[str]] = {}
        for stem in sorted(self.index.by_stem):
            key = stem.casefold()
            table.setdefault("<" + key[:BLOCK], []).append(stem)
            table.setdefault(">" + key[-BLOCK:], []).append(stem)
        return table

    def suggest(self, target: str) -> Suggestion | None:
        """The likeliest note for a target that resolved to nothing."""
        stem = target.rsplit("/", 1)[-1]
        if stem not in self._found:
            self._found[stem] = self._by_prefix(stem) or self._by_spelling(stem) or self._by_fuzz(stem)
        return self._found[stem]

    def _make(self, stem: str, reason: str, strong: bool) -> Suggestion:
        return Suggestion(self.index.by_stem[stem][0], stem, reason, strong and len(self.index.by_stem[stem]) == 1)

    def _by_prefix(self, target: str) -> Suggestion | None:
        """A stem that the target starts with (title cut at the name limit), or the reverse."""
        lengths = self._lengths
        for size in range(len(target) - 1, MIN_PREFIX - 1, -1):
            if size not in lengths and not target[size - 1].isspace():
                continue  # the cut would be `size` long, and no stem is
            cut = target[:size].rstrip()
            if cut in self.index.by_stem:
                return self._make(cut, "truncated title", True)
        if len(target) < MIN_PREFIX:
            return None
        at = bisect.bisect_left(self._stems, target)
        longer = [s for s in self._stems[at : at + 2] if s.startswith(target) and s != target]
        return self._make(longer[0], "truncated link", len(longer) == 1) if longer else None

    def _by_spelling(self, target: str) -> Suggestion | None:
        """A stem equal to the target once case, punctuation and hyphens are folded."""
        same = self._by_key.get(spelling_key(target), [])
        return self._make(same[0], "hyphen/space spelling", len(same) == 1) if same else None

    def _by_fuzz(self, target: str) -> Suggestion | None:
        """The closest stem by edit similarity, if close enough; ties go to the first in sorted order.

        The two blocks are searched one after the other, which gives what searching their sorted
        union would: the higher score wins, and of equal scores the smaller stem.
        """
        key = target.casefold()
        best: tuple[float, str] | None = None
        for block in (self._blocks.get("<" + key[:BLOCK]), self._blocks.get(">" + key[-BLOCK:])):
            found = process.extractOne(target, block, scorer=fuzz.ratio, score_cutoff=CLOSE_SCORE) if block else None
            if found and (best is None or (-found[1], found[0]) < (-best[0], best[1])):
                best = (found[1], found[0])
        return self._make(best[1], "close spelling", best[0] >= 95) if best else None


def hint_for(suggestion: Suggestion | None) -> str:
    """The hint text shown after a broken link."""
    if suggestion is None:
        return ""
    return f"did you mean [[{suggestion.title}]]? ({suggestion.reason}: {suggestion.path})"
