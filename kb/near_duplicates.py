"""The near-duplicate rule: two claims whose titles (or descriptions) say nearly the same thing.

"Nearly the same" is judged on folded words (as kb.suggest.folded_words folds them: case, punctuation and
hyphen/space differences gone; a few function words dropped): the same words in any order, one
word spelled differently (a typo, an inflection, British and American spelling), or one extra
word. Changing one content word for another ("erode" for "amplify") makes a different claim.

Comparing every pair of 10,000 claims is 50 million comparisons, so candidates are blocked:
each text is keyed by the hash of its word set and by the hashes of that set with one word
left out. Two texts that pass the test above always share a key, and most texts share none,
so only a handful of pairs are ever compared.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Callable, Iterable, Iterator, NamedTuple

from rapidfuzz import fuzz

from kb.collector import collector_paused
from kb.model import Diagnostic, Note
from kb.rules import diagnostic
from kb.suggest import folded_words

MIN_WORDS = 3  # shorter titles (after dropping function words) are too generic to compare
MIN_DESCRIPTION_WORDS = 8  # shorter descriptions ("a mechanism, stated at length") are boilerplate
MAX_BLOCK = 50  # a key shared by more texts than this is too common to mean anything
WORD_RATIO = 80.0  # rapidfuzz ratio above which two words are one word spelled differently
STOPWORDS = frozenset("a an the of to in on and or is are be by for as at it its that this with".split())


class Claim(NamedTuple):
    """What the rule reads of a claim: small enough to hand to a worker process."""

    path: str
    title: str
    description: str  # "" when absent or not text
    description_at: tuple[int, int]  # line and column of the description field


@dataclass(frozen=True, slots=True)
class Text:
    """One claim's compared text (title or description), folded."""

    claim: Claim
    words: frozenset[str]  # folded content words


def near_duplicates(notes: Iterable[Note]) -> list[Diagnostic]:
    """Near-duplicate titles and descriptions among claims: one diagnostic per claim and field."""
    return duplicates_among(claims_of(notes))


def claims_of(notes: Iterable[Note]) -> list[Claim]:
    """The claims among notes, as the rule reads them."""
    return [Claim(note.path, note.title, _description(note), note.position("description")) for note in notes if note.kind == "claim"]


def duplicates_among(claims: list[Claim]) -> list[Diagnostic]:
    """near_duplicates of claims already read (what a worker process runs)."""
    with collector_paused():  # some 100,000 small containers beside a loaded base of millions of objects
        found = list(_report(claims, _title, "title", MIN_WORDS))
        found += _report(claims, _described, "description", MIN_DESCRIPTION_WORDS)
    return found


def _title(claim: Claim) -> str:
    """A claim's title."""
    return claim.title


def _described(claim: Claim) -> str:
    """A claim's description."""
    return claim.description


def _description(note: Note) -> str:
    """A note's description, "" when absent or not text."""
    value = note.meta.get("description")
    return value if isinstance(value, str) else ""


def _report(claims: list[Claim], text_of: Callable[[Claim], str], field: str, min_words: int) -> Iterator[Diagnostic]:
    """A diagnostic at every claim with near duplicates in one field, naming them."""
    partners: dict[str, list[str]] = defaultdict(list)
    texts = [text for text in (fold(claim, text_of(claim)) for claim in claims) if len(text.words) >= min_words]
    for first, second in similar_pairs(texts):
        if first.claim.title == second.claim.title:
            continue  # one claim saved in two folders is duplicate-title's business
        partners[first.claim.path].append(second.claim.path)
        partners[second.claim.path].append(first.claim.path)
    for claim in claims:
        if claim.path in partners:
            yield _diagnostic(claim, sorted(partners[claim.path]), field)


def fold(claim: Claim, raw: str) -> Text:
    """Fold a text for comparison: spelling_key's words, function words dropped."""
    return Text(claim, frozenset(folded_words(raw)) - STOPWORDS)


def similar_pairs(texts: list[Text]) -> list[tuple[Text, Text]]:
    """Pairs of near-duplicate texts, in input order: same word sets first, then the blocked rest."""
    groups: dict[frozenset[str], list[Text]] = defaultdict(list)
    for text in texts:
        groups[text.words].append(text)
    pairs = [pair for group in groups.values() for pair in combinations(group, 2)]
    unique = [group[0] for group in groups.values()]
    for i, j in sorted(candidate_pairs(unique)):
        if is_similar(unique[i], unique[j]):
            pairs += [(a, b) for a in groups[unique[i].words] for b in groups[unique[j].words]]
    return pairs


def candidate_pairs(texts: list[Text]) -> set[tuple[int, int]]:
    """Index pairs of texts sharing a word-set key (the whole set, or the set less one word)."""
    first: dict[int, int] = {}  # key -> the only text with it so far (most keys have one text)
    blocks: dict[int, list[int]] = {}  # key -> every text with it, once it has several
    for index, text in enumerate(texts):
        for key in _keys(text.words):
            if key not in first:
                first[key] = index
            elif key in blocks:
                blocks[key].append(index)
            else:
                blocks[key] = [first[key], index]
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) <= MAX_BLOCK:
            pairs.update(combinations(members, 2))
    return pairs


def _keys(words: frozenset[str]) -> list[int]:
    """Hash of the word set, and of the set with each word left out (sums of word hashes)."""
    hashes = [hash(word) for word in words]
    total = sum(hashes)
    if len(words) <= MIN_WORDS:
        return [total]
    return [total, *(total - h for h in hashes)]


def is_similar(first: Text, second: Text) -> bool:
    """Same words in any order, one word spelled differently, or one extra word."""
    only_first, only_second = first.words - second.words, second.words - first.words
    if not only_first and not only_second:
        return True
    if len(only_first) == 1 and len(only_second) == 1:
        return fuzz.ratio(next(iter(only_first)), next(iter(only_second))) >= WORD_RATIO
    extra = len(only_first) + len(only_second)
    return extra == 1 and len(first.words & second.words) >= MIN_WORDS


def _diagnostic(claim: Claim, others: list[str], field: str) -> Diagnostic:
    """The near-duplicate diagnostic at one claim, naming the others (at most three)."""
    line, col = (1, 1) if field == "title" else claim.description_at
    named = ", ".join(f"`{path}`" for path in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    hint = "merge the claims, or make the difference explicit in the titles" if field == "title" else "say what this claim adds"
    return diagnostic("near-duplicate", claim.path, line, col, f"{field} nearly the same as that of {named}", hint)
