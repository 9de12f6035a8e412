"""Research programs: find the independent programs a claim's free-text `source` cites, as keys.

A program is an author group, lab or paper line, keyed `surname-year` ("sorensen-2024"). Rules of
`program_key`, the one normalisation used everywhere here:

* diacritics are stripped ("Müller" -> "muller", "ß" -> "ss", "Ø" -> "o");
* apostrophes are dropped and a possessive "'s" removed ("O'Neil" -> "oneil", "Knuth's" -> "knuth");
* name particles (van, von, der, de, la, di, ...) are glued to the following word without a
  separator: "van der Berg" -> "vanderberg", "de la Cruz" -> "delacruz";
* other spaces and punctuation become one hyphen; hyphens are kept ("Smith-Jones" -> "smith-jones");
* well-known organisations map to one canonical slug ("Google DeepMind" and "DeepMind" -> "deepmind");
* the year is the first four-digit year given (a letter suffix as in "2020a" is dropped), else "nd";
* arXiv ids become "arxiv-<id>" (version dropped), DOIs "doi-<doi, lower case>"; a URL becomes the
  site's name ("simonwillison.net/2025/Jun/" -> "simonwillison-2025") or the account on a hosting
  platform ("github.com/openai/evals" -> "openai-nd").

Extraction (`extract_citations`) is heuristic: the text is split into segments at ";", "|" and line
breaks, identifiers, URLs and page/volume details are masked, and candidates are collected per
segment (author-year, organisation, "Name (@handle)", "Named Title paper", and "Author, Title (...,
year)" at a segment's start). Overlaps go to the leftmost, then longest, candidate. An identifier or
URL only becomes a program of its own when no named program in its segment claims it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from kb.citation_identifiers import _find_identifiers, _Ident, _is_unbalanced_close
from kb.citation_patterns import (  # ARXIV_RE, DOI_RE and URL_RE are re-exported
    _DIRECT_RE,
    _DOCUMENT_WORD_RE,
    _GENERIC_TITLE,
    _HANDLE_RE,
    _LEAD_RE,
    _NOUN_SUFFIX_RE,
    _ORG_RE,
    _ORGS,
    _PAPER_RE,
    _SEGMENT_SEP_RE,
    _STOP,
    _YEAR_RE,
    ARXIV_RE,
    DOI_RE,
    URL_RE,
)
from kb.program_keys import _strip_possessive, program_key
from kb.source_note_keys import key_from_source_note

__all__ = ["ARXIV_RE", "DOI_RE", "URL_RE", "Citation", "extract_citations", "key_from_source_note", "program_key"]


@dataclass(frozen=True)
class Citation:
    """One research program cited in a text."""

    key: str  # normalised program key, e.g. "sorensen-2024"
    text: str  # the matched text as it appears in the input, e.g. "Sorensen et al 2024"


class _Cand(NamedTuple):
    """A candidate program mention inside one segment (offsets into the whole text)."""

    start: int
    end: int
    kind: str  # "direct" (carries its own year), "org", "paper", "handle" or "lead" (year from context)
    name: str  # what program_key normalises: a surname, organisation, handle or title
    year: str | None = None  # direct candidates: their year
    year_pos: int = -1  # direct candidates: offset of their year
    paren: int = -1  # direct candidates: offset of the "(" before the year, -1 if none
    weak: bool = False  # "lead" candidates followed by lower-case text: need a year or identifier
    extent: int = -1  # end of the text the program claims (up to the year it took)


# --- Extraction --------------------------------------------------------------------------------

def extract_citations(text: str) -> tuple[Citation, ...]:
    """Programs cited in a free-text `source` field, in order of appearance, one per key."""
    if not isinstance(text, str) or not text.strip():
        return ()
    idents, masked = _find_identifiers(text)
    found: list[tuple[int, Citation]] = []
    for lo, hi in _segments(masked):
        found += _segment_citations(text, masked, (lo, hi), [i for i in idents if lo <= i.start < hi])
    return _dedupe(sorted(found, key=lambda pair: pair[0]))


def _segments(masked: str) -> list[tuple[int, int]]:
    """The spans between ";", "|" and line breaks (identifiers are already blanked out)."""
    seps = list(_SEGMENT_SEP_RE.finditer(masked))
    starts = [0] + [m.end() for m in seps]
    ends = [m.start() for m in seps] + [len(masked)]
    return list(zip(starts, ends))


class _Layout:
    """A segment's shape: the comma-separated list item and the bracket depth at each offset.

    Measured on first use only: most segments never ask.
    """

    def __init__(self, masked: str, lo: int, hi: int) -> None:
        self.masked, self.lo, self.hi = masked, lo, hi

    @cached_property
    def _shape(self) -> tuple[list[int], list[int]]:
        """List-item number and brackets open before each offset of the segment, in one pass."""
        items, depths, number, depth = [], [], 0, 0
        for char in self.masked[self.lo:self.hi]:
            items.append(number)
            depths.append(depth)
            if char in "([":
                depth += 1
            elif char in ")]":
                depth = max(0, depth - 1)
            elif char == "," and depth == 0:
                number += 1
        return items, depths

    def item_of(self, pos: int) -> int:
        """The list item holding an offset of the text (commas inside brackets do not separate)."""
        items = self._shape[0]
        return items[min(max(pos - self.lo, 0), len(items) - 1)] if items else 0

    def depth_of(self, pos: int) -> int:
        """How many brackets are open at an offset of the text."""
        depths = self._shape[1]
        return depths[min(max(pos - self.lo, 0), len(depths) - 1)] if depths else 0


def _segment_citations(
    text: str, masked: str, seg: tuple[int, int], idents: list[_Ident]
) -> list[tuple[int, Citation]]:
    """The citations of one segment, with their offsets: named programs, then loose identifiers.

    A segment's citations depend on its own text only (every pattern's look-behind sees a separator
    or the start either way), so they are worked out on the segment alone and remembered: the same
    "Sorensen et al 2024" comes back in many sources.
    """
    lo, hi = seg
    end = max([hi, *(ident.end for ident in idents)])
    local = tuple(ident._replace(start=ident.start - lo, end=ident.end - lo) for ident in idents)
    return [(start + lo, citation) for start, citation in _segment_alone(text[lo:end], masked[lo:end], hi - lo, local)]


@lru_cache(maxsize=16384)
def _segment_alone(text: str, masked: str, hi: int, idents: tuple[_Ident, ...]) -> tuple[tuple[int, Citation], ...]:
    """`_segment_citations` of a segment cut out of its text: it spans [0, hi), offsets are its own."""
    lo = 0
    layout = _Layout(masked, lo, hi)
    all_years = list(_YEAR_RE.finditer(masked, lo, hi))
    cands = _drop_affiliations(_resolve(_segment_candidates(masked, lo, hi, dated=bool(all_years))), layout)
    years = _free_years(all_years, cands)
    named = _with_years(cands, years, masked, has_ident=bool(idents))
    out = [(c.start, Citation(program_key(c.name, c.year), _clip(text, c.start, c.end))) for c in named]
    for ident in _standalone(list(idents), named, layout):
        out.append((ident.start, Citation(_ident_citation_key(ident, years), _clip(text, ident.start, ident.end))))
    return tuple(out)


def _clip(text: str, start: int, end: int) -> str:
    """The matched text, stripped of spaces and of a closing bracket that belongs to an outer pair."""
    clipped = text[start:end].strip()
    while clipped and _is_unbalanced_close(clipped):
        clipped = clipped[:-1].rstrip()
    return clipped


def _segment_candidates(masked: str, lo: int, hi: int, dated: bool) -> list[_Cand]:
    """Every candidate mention in the segment, overlapping ones included (`dated`: it holds a year)."""
    if masked[lo:hi].isspace() or lo == hi:  # only identifiers, masked out: nothing to name
        return []
    lead, title = _lead_candidate(masked, lo, hi)
    direct = _direct_candidates(masked, lo, hi) if dated else []  # an author-year needs a year
    cands = [c for c in direct if not (title and title[0] < c.start < title[1])]
    cands += [_Cand(m.start(), m.end(), "org", m.group("org")) for m in _ORG_RE.finditer(masked, lo, hi)]
    cands += _handle_candidates(masked, lo, hi) + _paper_candidates(masked, lo, hi)
    return cands + ([lead] if lead else [])


def _direct_candidates(masked: str, lo: int, hi: int) -> list[_Cand]:
    """Author-year and organisation-year mentions, minus those that swallow an inner author-year."""
    cands = []
    for match in _DIRECT_RE.finditer(masked, lo, hi):
        name = match.group("name")
        if _is_org(name) or _is_surname(name):
            cands.append(_Cand(match.start("all"), match.end("all"), "direct", name, match.group("year"),
                               match.start("year"), match.start("paren")))
    # "Anthropic (see Zeng 2025)": the year in the parentheses is Zeng's, not Anthropic's.
    last_person: dict[int, int] = {}  # year offset -> latest start of a person mention ending in it
    for cand in cands:
        if not _is_org(cand.name):
            last_person[cand.year_pos] = max(last_person.get(cand.year_pos, -1), cand.start)
    return [a for a in cands if not 0 <= a.paren < last_person.get(a.year_pos, -1)]


def _handle_candidates(masked: str, lo: int, hi: int) -> list[_Cand]:
    """"Simon Willison (@simonw)" (named by the surname) and bare "@handle" mentions."""
    cands: list[_Cand] = []
    if masked.find("@", lo, hi) < 0:  # every form holds an "@"
        return cands
    for match in _HANDLE_RE.finditer(masked, lo, hi):
        if match.group("org") or (match.group("sur") and _is_person(match.group("given"), match.group("sur"))):
            name = match.group("org") or match.group("sur")
        else:
            name = match.group("h1") or match.group("h2")
        cands.append(_Cand(match.start("all"), match.end("all"), "handle", name))
    return cands


def _paper_candidates(masked: str, lo: int, hi: int) -> list[_Cand]:
    """Named documents without an author: "Full-Stack Alignment paper", "Anthropic's ... report"."""
    cands: list[_Cand] = []
    if not _DOCUMENT_WORD_RE.search(masked, lo, hi):  # every form ends in a document word
        return cands
    for match in _PAPER_RE.finditer(masked, lo, hi):
        name = _paper_name(match.group("quoted") or match.group("title"))
        if name:
            cands.append(_Cand(match.start("all"), match.end("all"), "paper", name))
    return cands


def _paper_name(title: str) -> str | None:
    """The program a document title names: its owner (organisation, possessive) or the title itself."""
    words = re.split(r"[:–—]", title)[0].split()
    while words and words[0].casefold() in _GENERIC_TITLE:
        words = words[1:]
    if not words:
        return None
    org = _ORG_RE.match(" ".join(words))
    owner = _strip_possessive(words[0])
    if org or (owner != words[0] and _is_surname(owner)):
        return org.group("org") if org else owner
    if all(w.casefold() in _GENERIC_TITLE for w in words):
        return None
    return " ".join(words[:6])


def _lead_candidate(masked: str, lo: int, hi: int) -> tuple[_Cand | None, tuple[int, int] | None]:
    """"Spizzirri, Syntropic Frameworks (...)" at a segment's start: the author and the title's span."""
    match = _LEAD_RE.match(masked, lo, hi) if masked.find(",", lo, hi) >= 0 else None  # it needs a comma
    if not match or not (match.group("org") or _is_person(match.group("given"), match.group("sur"))):
        return None, None
    group = "org" if match.group("org") else "sur"
    start = match.start("org") if group == "org" else match.start("given")
    title = match.group("title")
    capitalised = bool(re.match(r"[\"“‘'A-ZÀ-ÖØ-Þ]", title))
    cand = _Cand(start, match.end(group), "lead", match.group(group), weak=not capitalised)
    return cand, ((match.start("title"), match.end("title")) if capitalised else None)


def _is_org(name: str) -> bool:
    """Whether the name is a known organisation."""
    return _strip_possessive(name) in _ORGS


@lru_cache(maxsize=16384)
def _is_surname(name: str) -> bool:
    """Whether the last word of a name can be a surname (not a month, venue, label or title noun)."""
    words = name.split()
    last = _strip_possessive(words[-1]) if words else ""
    folded = last.casefold()
    return (len(last) >= 2 and last[0].isupper() and not any(ch.isdigit() for ch in last)
            and folded not in _STOP and not (len(folded) >= 8 and _NOUN_SUFFIX_RE.search(folded)))


def _is_person(given: str | None, surname: str) -> bool:
    """Whether given names plus surname look like a person's name."""
    words = (given or "").split()
    return _is_surname(surname) and all(w[0].isupper() and w.casefold().rstrip(".") not in _STOP for w in words)


def _resolve(cands: list[_Cand]) -> list[_Cand]:
    """Keep non-overlapping candidates: leftmost first, then longest, then author-year."""
    kept: list[_Cand] = []
    reach = -1  # end of the last kept candidate; kept ones never overlap, so it is the furthest end
    for cand in sorted(cands, key=lambda c: (c.start, c.start - c.end, c.kind != "direct")):
        if cand.start >= reach:
            kept.append(cand)
            reach = cand.end
    return kept


def _drop_affiliations(cands: list[_Cand], layout: _Layout) -> list[_Cand]:
    """Drop organisations and document names bracketed with an author-year: "Hubinger 2024 (Anthropic)"."""
    if not any(c.kind in ("org", "paper") for c in cands):
        return cands
    bracketed: dict[int, bool] = {}  # list item -> whether an author-year in it sits in brackets
    for cand in cands:
        if cand.kind == "direct":
            item = layout.item_of(cand.start)
            bracketed[item] = bracketed.get(item, False) or layout.depth_of(cand.start) > 0
    return [c for c in cands if c.kind not in ("org", "paper") or not _is_affiliation(c, layout, bracketed)]


def _is_affiliation(cand: _Cand, layout: _Layout, bracketed: dict[int, bool]) -> bool:
    """Whether the mention shares a list item with an author-year and one of the two is bracketed."""
    item = layout.item_of(cand.start)
    return item in bracketed and (bracketed[item] or layout.depth_of(cand.start) > 0)


def _free_years(all_years: list[re.Match[str]], cands: list[_Cand]) -> list[tuple[int, str]]:
    """The segment's years (`_YEAR_RE` matches) not owned by an author-year mention, with their offsets."""
    owned = {c.year_pos for c in cands if c.kind == "direct"}
    return [(m.start("year"), m.group("year")) for m in all_years if m.start("year") not in owned]


def _with_years(cands: list[_Cand], years: list[tuple[int, str]], masked: str, has_ident: bool) -> list[_Cand]:
    """Give context-dated candidates the nearest free year; drop weak ones with nothing to back them."""
    out = []
    for cand in cands:
        if cand.kind == "direct":
            out.append(cand._replace(extent=cand.end))
            continue
        year, extent = _context_year(cand.start, cand.end, years, masked)
        if not (cand.weak and year is None and not has_ident):
            out.append(cand._replace(year=year, extent=extent))
    return out


def _context_year(start: int, end: int, years: list[tuple[int, str]], masked: str = "") -> tuple[str | None, int]:
    """A free year right before a mention ("the 2024 RAND report"), else the first after, else the last before."""
    positions = [pos for pos, _ in years]
    before = bisect_left(positions, start)  # years[:before] lie before the mention
    if before and re.fullmatch(r"[a-z]?\s+", masked[positions[before - 1] + 4:start]):
        return years[before - 1][1], end
    after = bisect_left(positions, end)
    if after < len(years):
        return years[after][1], years[after][0] + 4
    return (years[before - 1][1] if before else None), end


def _standalone(idents: list[_Ident], named: list[_Cand], layout: _Layout) -> list[_Ident]:
    """Identifiers no named program claims; each program claims at most one of each kind after it."""
    if not idents or not named:
        return list(idents)
    first_in_item: dict[int, int] = {}
    for number, cand in enumerate(named):
        first_in_item.setdefault(layout.item_of(cand.start), number)
    used: set[tuple[int, str]] = set()
    loose = []
    for ident in idents:
        owner = _owner(ident, named, first_in_item.get(layout.item_of(ident.start)), used)
        if owner is None:
            loose.append(ident)
        else:
            used.add((owner, ident.kind))
    return loose


def _owner(ident: _Ident, named: list[_Cand], in_item: int | None, used: set[tuple[int, str]]) -> int | None:
    """The named program an identifier belongs to: around it, in its list item, or right before it."""
    starts = [cand.start for cand in named]
    preceding = bisect_right(starts, ident.start)  # named[:preceding] start at or before the identifier
    around = next((n for n in range(preceding) if ident.start < named[n].extent), None)
    if around is not None or in_item is not None:
        return around if around is not None else in_item
    last = max((n for n in range(preceding) if named[n].end <= ident.start), default=None)
    return last if last is not None and (last, ident.kind) not in used else None


def _ident_citation_key(ident: _Ident, years: list[tuple[int, str]]) -> str:
    """The key of a standalone identifier; a URL takes its path year, else the segment's next year."""
    if ident.kind != "url":
        return ident.key
    return program_key(ident.key, ident.year or _context_year(ident.start, ident.end, years)[0])


def _dedupe(found: list[tuple[int, Citation]]) -> tuple[Citation, ...]:
    """One citation per key, keeping the first occurrence."""
    seen: set[str] = set()
    out = []
    for _, citation in found:
        if citation.key not in seen:
            seen.add(citation.key)
            out.append(citation)
    return tuple(out)
