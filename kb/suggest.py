"""Did-you-mean for broken links: truncated titles, hyphen/space spellings, close spellings."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Mapping, Sequence

from rapidfuzz import fuzz, process

from kb.collector import collector_paused
from kb.resolve import Index

_PUNCTUATION = re.compile(r"[^\w\s]")
# The same folding for ASCII text in one pass: hyphens and underscores to spaces, other
# characters that are neither word characters nor whitespace dropped.
_ASCII_FOLD = str.maketrans({"-": " ", "_": " "} | {chr(c): None for c in range(128) if not (chr(c).isalnum() or chr(c).isspace() or chr(c) in "-_")})
MIN_PREFIX = 30  # a stem this long that starts a target (or the reverse) is a cut title
CLOSE_SCORE = 88.0  # rapidfuzz ratio (0-100) for a close spelling
BLOCK = 6  # characters at each end used to find close-spelling candidates without comparing all
# fuzz.ratio is 100 * (1 - distance / (l1 + l2)) and the distance is at least |l1 - l2|, so a
# stem whose length differs from the target's by more than this share of their sum never scores
# CLOSE_SCORE: its length lies within 2 * LENGTH_SLACK / (1 - LENGTH_SLACK) of the target's.
LENGTH_SLACK = 1 - CLOSE_SCORE / 100


def folded_words(text: str) -> list[str]:
    """The words of a text with case and punctuation folded away; hyphens and underscores split words."""
    if text.isascii():
        return text.lower().translate(_ASCII_FOLD).split()
    return _PUNCTUATION.sub("", text.casefold().replace("-", " ").replace("_", " ")).split()


def spelling_key(text: str) -> str:
    """Fold case, punctuation and hyphen/underscore/space differences away."""
    return " ".join(folded_words(text))


@dataclass(frozen=True, slots=True)  # slots: a large base holds thousands
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

    def remember(self, found: Mapping[str, Suggestion | None]) -> None:
        """Take suggestions made elsewhere (by suggest_stems in a worker), made again to share this index's paths."""
        for stem, made in found.items():
            self._found[stem] = made and self._make(made.title, made.reason, made.strong)

    @cached_property
    def _stems(self) -> list[str]:
        return sorted(self.index.by_stem)

    @cached_property
    def _by_key(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for stem in self.index.by_stem:
            table.setdefault(spelling_key(stem), []).append(stem)
        return table

    @cached_property
    def _blocks(self) -> dict[str, tuple[list[int], list[str]]]:
        """Stems by their first and by their last BLOCK characters (a typo rarely hits both ends).

        Each block is sorted by length, then stem, with the lengths alongside, so a search can
        skip the stems too long or too short to score CLOSE_SCORE.
        """
        table: dict[str, list[str]] = {}
        for stem in sorted(self.index.by_stem, key=lambda stem: (len(stem), stem)):
            key = stem.casefold()
            table.setdefault("<" + key[:BLOCK], []).append(stem)
            table.setdefault(">" + key[-BLOCK:], []).append(stem)
        return {key: (list(map(len, stems)), stems) for key, stems in table.items()}

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
        cut = self._cut_title(target)
        if cut is not None:
            return self._make(cut, "truncated title", True)
        if len(target) < MIN_PREFIX:
            return None
        at = bisect.bisect_left(self._stems, target)
        longer = [s for s in self._stems[at : at + 2] if s.startswith(target) and s != target]
        return self._make(longer[0], "truncated link", len(longer) == 1) if longer else None

    def _cut_title(self, target: str) -> str | None:
        """The longest stem that is `target[:size].rstrip()` for a size from MIN_PREFIX to len - 1.

        That is the longest stem ending in no space that the target less its last character
        starts with, if it reaches MIN_PREFIX together with the spaces that follow it there.
        """
        head = target[:-1]
        stem = self._longest_prefix(head)
        if stem is None:
            return None
        rest = head[len(stem) :]
        return stem if len(head) - len(rest.lstrip()) >= MIN_PREFIX else None

    def _longest_prefix(self, text: str) -> str | None:
        """The longest stem ending in no space (the empty stem too) that `text` starts with, by bisection.

        The greatest stem not above `text` is either such a prefix, or it shares a shorter
        common prefix with `text` that every such prefix must also be a prefix of.
        """
        stems = self._stems
        while True:
            at = bisect.bisect_right(stems, text) - 1
            if at < 0:
                return None
            stem = stems[at]
            if not text.startswith(stem):
                text = common_prefix(stem, text)
            elif not stem[-1:].isspace():
                return stem
            else:
                text = stem[:-1]

    def _by_spelling(self, target: str) -> Suggestion | None:
        """A stem equal to the target once case, punctuation and hyphens are folded."""
        same = self._by_key.get(spelling_key(target), [])
        return self._make(same[0], "hyphen/space spelling", len(same) == 1) if same else None

    def _by_fuzz(self, target: str) -> Suggestion | None:
        """The closest stem by edit similarity, if close enough; ties go to the first in sorted order.

        Only the stems of the target's two blocks whose lengths can reach CLOSE_SCORE are
        scored; the best of all goes first, of equal scores the smaller stem.
        """
        key = target.casefold()
        found = [hit[:2] for name in ("<" + key[:BLOCK], ">" + key[-BLOCK:]) for hit in self._close(target, self._blocks.get(name))]
        if not found:
            return None
        stem, score = min(found, key=lambda hit: (-hit[1], hit[0]))
        return self._make(stem, "close spelling", score >= 95)

    def _close(self, target: str, block: tuple[list[int], list[str]] | None) -> list[tuple[str, float, int]]:
        """Every stem of a block scoring at least CLOSE_SCORE against the target."""
        if block is None:
            return []
        lengths, stems = block
        size = len(target)
        slack = 2 * LENGTH_SLACK * size / (1 - LENGTH_SLACK) + 1  # |size - length| above this: too far (+1: float rounding)
        low, high = bisect.bisect_left(lengths, size - slack), bisect.bisect_right(lengths, size + slack)
        return process.extract(target, stems[low:high], scorer=fuzz.ratio, score_cutoff=CLOSE_SCORE, limit=None) if low < high else []


def common_prefix(first: str, second: str) -> str:
    """The longest common prefix of two texts (os.path.commonprefix's, found by bisection with slice comparisons in C)."""
    size = min(len(first), len(second))
    low, high = 0, size + 1  # first[:low] == second[:low]; first[:high] differs (or is past the shorter text)
    while high - low > 1:
        middle = (low + high) // 2
        if first[:middle] == second[:middle]:
            low = middle
        else:
            high = middle
    return first[:low]


def suggest_stems(by_stem: dict[str, tuple[str, ...]], stems: Sequence[str]) -> dict[str, Suggestion | None]:
    """The suggestion for each broken stem among a base's titles (`Index.by_stem`; run by a worker)."""
    suggester = Suggester(Index(frozenset(), {}, by_stem, {}, {}, {}, {}))
    with collector_paused():  # tens of thousands of small lists and tuples, and no cycles
        return {stem: suggester.suggest(stem) for stem in stems}


def hint_for(suggestion: Suggestion | None) -> str:
    """The hint text shown after a broken link."""
    if suggestion is None:
        return ""
    return f"did you mean [[{suggestion.title}]]? ({suggestion.reason}: {suggestion.path})"
