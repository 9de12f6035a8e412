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
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from kb.citation_patterns import (  # noqa: F401  (tables and patterns; ARXIV_RE, DOI_RE, URL_RE re-exported)
    _ORGS,
    _ORG_KEYS,
    _STOP,
    _GENERIC_TITLE,
    _PARTICLES,
    _ASCII_FIX,
    _ACCOUNT_HOSTS,
    _ACCOUNT_SUFFIXES,
    _GENERIC_PATH,
    _YEAR_RE,
    _DIRECT_RE,
    _ORG_RE,
    _HANDLE_RE,
    _PAPER_RE,
    _LEAD_RE,
    URL_RE,
    ARXIV_RE,
    DOI_RE,
    _DETAIL_RE,
    _SEGMENT_SEP_RE,
    _URL_PARTS_RE,
    _PATH_YEAR_RE,
    _ANY_YEAR_RE,
    _ORG_WORD_RE,
    _NOUN_SUFFIX_RE,
)

__all__ = ["ARXIV_RE", "DOI_RE", "URL_RE", "Citation", "extract_citations", "key_from_source_note", "program_key"]


@dataclass(frozen=True)
class Citation:
    """One research program cited in a text."""

    key: str  # normalised program key, e.g. "sorensen-2024"
    text: str  # the matched text as it appears in the input, e.g. "Sorensen et al 2024"


@dataclass(frozen=True)
class _Cand:
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


@dataclass(frozen=True)
class _Ident:
    """An arXiv id, DOI or URL found in the text."""

    start: int
    end: int
    kind: str  # "arxiv", "doi" or "url"
    key: str  # full key for arxiv/doi; the site or account name for url
    year: str | None = None  # url: a year found in its path


# --- Normalisation -----------------------------------------------------------------------------

def program_key(name: str, year: str | int | None) -> str:
    """Normalise an author surname / organisation / paper name and a year to a program key."""
    return f"{_name_slug(name)}-{_year_text(year) or 'nd'}"


def _name_slug(name: object) -> str:
    """The key's name part: a canonical organisation slug, else the ASCII slug with glued particles."""
    text = _strip_possessive(" ".join(str(name or "").split()))
    org = _ORG_KEYS.get(text.casefold())
    if org:
        return org
    parts = (_ascii_slug(word) for word in _glue_particles(text.split()))
    return "-".join(part for part in parts if part) or "unknown"


def _glue_particles(words: list[str]) -> list[str]:
    """Glue name particles to the following word: ["van", "der", "Berg"] -> ["vanderBerg"]."""
    out: list[str] = []
    pending = ""
    for word in words:
        if word.casefold() in _PARTICLES and len(words) > 1:
            pending += word
        else:
            out.append(pending + word)
            pending = ""
    return out + ([pending] if pending else [])


def _ascii_slug(text: str) -> str:
    """Lower-case ASCII with diacritics and apostrophes dropped, other punctuation as hyphens."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_FIX))
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).encode("ascii", "ignore")
    plain = re.sub(r"['’`]", "", ascii_text.decode("ascii").lower())
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _strip_possessive(text: str) -> str:
    """Drop a trailing possessive: "Knuth's" -> "Knuth", "Jones'" -> "Jones"."""
    return re.sub(r"(?<=\w)['’]s?$", "", text)


def _year_text(value: object) -> str | None:
    """The first plausible four-digit year in a year, date or string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if 1000 <= value <= 2999 else None
    year = getattr(value, "year", None)
    if isinstance(year, int) and not isinstance(value, str):
        return _year_text(year)
    match = _ANY_YEAR_RE.search(value) if isinstance(value, str) else None
    return match.group(1) if match else None


def _ident_key(prefix: str, raw: str) -> str:
    """An identifier key: "arxiv-2512.03048", "doi-10.1038/abc" (only [a-z0-9./-] kept)."""
    body = re.sub(r"[^a-z0-9./\-]+", "-", raw.lower())
    body = re.sub(r"-{2,}", "-", body).strip("-./")
    return f"{prefix}-{body or 'unknown'}"


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


def _find_identifiers(text: str) -> tuple[list[_Ident], str]:
    """URLs, arXiv ids and DOIs in the text, and the text with them (and page numbers) blanked."""
    idents: list[_Ident] = []
    for match in URL_RE.finditer(text):
        end = match.start() + len(_trim_trailing(match.group()))
        ident = _ident_from_url(text[match.start():end], match.start(), end)
        idents += [ident] if ident else []
    masked = _blank(text, [(i.start, i.end) for i in idents])
    for match in ARXIV_RE.finditer(masked):
        idents.append(_Ident(match.start(), match.end(), "arxiv", _ident_key("arxiv", match.group("id"))))
    masked = _blank(masked, [(i.start, i.end) for i in idents])
    for match in DOI_RE.finditer(masked):
        doi = _trim_trailing(match.group("doi"))
        end = match.start("doi") + len(doi)
        idents.append(_Ident(match.start(), end, "doi", _ident_key("doi", doi)))
    spans = [(i.start, i.end) for i in idents] + [m.span() for m in _DETAIL_RE.finditer(masked)]
    return sorted(idents, key=lambda i: i.start), _blank(masked, spans)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with every span replaced by spaces (offsets are kept)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _trim_trailing(raw: str) -> str:
    """Strip sentence punctuation and unbalanced closing brackets from the end of a URL or DOI."""
    while raw and (raw[-1] in ".,;:!?'\"" or _is_unbalanced_close(raw)):
        raw = raw[:-1]
    return raw


def _is_unbalanced_close(raw: str) -> bool:
    """Whether the string ends with a ")" or "]" that closes nothing inside it."""
    opener = {")": "(", "]": "["}.get(raw[-1])
    return opener is not None and raw.count(raw[-1]) > raw.count(opener)


def _ident_from_url(url: str, start: int, end: int) -> _Ident | None:
    """Classify a URL: an arXiv or DOI link, or a site/account name with an optional path year."""
    arxiv = ARXIV_RE.search(url)
    if arxiv:
        return _Ident(start, end, "arxiv", _ident_key("arxiv", arxiv.group("id")))
    doi = re.search(r"(?:^|/)(10\.\d{4,9}/[^\s?#]+)", url)
    if doi:
        return _Ident(start, end, "doi", _ident_key("doi", _trim_trailing(doi.group(1))))
    name, year = _url_name(url)
    return _Ident(start, end, "url", name, year) if name else None


def _url_name(url: str) -> tuple[str | None, str | None]:
    """The program name a URL stands for (site or account) and a year from its path."""
    match = _URL_PARTS_RE.match(url)
    if not match:
        return None, None
    host = re.sub(r"^(?:www\d?|m|mobile)\.", "", match.group("host").lower())
    path = match.group("path")
    year = _PATH_YEAR_RE.search(path)
    return _site_name(host, path), (year.group(1) if year else None)


def _site_name(host: str, path: str) -> str | None:
    """An account on a hosting platform ("github.com/openai" -> "openai"), else the domain's name."""
    if host in _ACCOUNT_HOSTS:
        for part in path.split("/"):
            part = part.lstrip("@")
            if part and part.lower() not in _GENERIC_PATH:
                return part
    for suffix in _ACCOUNT_SUFFIXES:
        if host.endswith(suffix):
            return host[: -len(suffix)].split(".")[-1] or None
    labels = [label for label in host.split(".") if label]
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in {"co", "ac", "com", "org", "gov", "edu", "net"}:
        labels = labels[:-1]
    labels = labels[:-1] if len(labels) > 1 else labels
    return labels[-1] if labels and re.search(r"[a-z]", labels[-1]) else None


def _segments(masked: str) -> list[tuple[int, int]]:
    """The spans between ";", "|" and line breaks (identifiers are already blanked out)."""
    seps = list(_SEGMENT_SEP_RE.finditer(masked))
    starts = [0] + [m.end() for m in seps]
    ends = [m.start() for m in seps] + [len(masked)]
    return list(zip(starts, ends))


@dataclass(frozen=True)
class _Layout:
    """A segment's shape: the comma-separated list item and the bracket depth at each offset."""

    lo: int  # offset of the segment in the text
    items: tuple[int, ...]  # list-item number per offset (commas inside brackets do not separate)
    depths: tuple[int, ...]  # brackets open before each offset

    def item_of(self, pos: int) -> int:
        """The list item holding an offset of the text."""
        return self.items[min(max(pos - self.lo, 0), len(self.items) - 1)] if self.items else 0

    def depth_of(self, pos: int) -> int:
        """How many brackets are open at an offset of the text."""
        return self.depths[min(max(pos - self.lo, 0), len(self.depths) - 1)] if self.depths else 0


def _layout(masked: str, lo: int, hi: int) -> _Layout:
    """Number the segment's list items and measure its bracket depth, in one pass."""
    items, depths, number, depth = [], [], 0, 0
    for char in masked[lo:hi]:
        items.append(number)
        depths.append(depth)
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            number += 1
    return _Layout(lo, tuple(items), tuple(depths))


def _segment_citations(
    text: str, masked: str, seg: tuple[int, int], idents: list[_Ident]
) -> list[tuple[int, Citation]]:
    """The citations of one segment, with their offsets: named programs, then loose identifiers."""
    lo, hi = seg
    layout = _layout(masked, lo, hi)
    cands = _drop_affiliations(_resolve(_segment_candidates(masked, lo, hi)), layout)
    years = _free_years(masked, lo, hi, cands)
    named = _with_years(cands, years, masked, has_ident=bool(idents))
    out = [(c.start, Citation(program_key(c.name, c.year), _clip(text, c.start, c.end))) for c in named]
    for ident in _standalone(idents, named, layout):
        out.append((ident.start, Citation(_ident_citation_key(ident, years), _clip(text, ident.start, ident.end))))
    return out


def _clip(text: str, start: int, end: int) -> str:
    """The matched text, stripped of spaces and of a closing bracket that belongs to an outer pair."""
    clipped = text[start:end].strip()
    while clipped and _is_unbalanced_close(clipped):
        clipped = clipped[:-1].rstrip()
    return clipped


def _segment_candidates(masked: str, lo: int, hi: int) -> list[_Cand]:
    """Every candidate mention in the segment, overlapping ones included."""
    lead, title = _lead_candidate(masked, lo, hi)
    cands = [c for c in _direct_candidates(masked, lo, hi) if not (title and title[0] < c.start < title[1])]
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
    cands = []
    for match in _HANDLE_RE.finditer(masked, lo, hi):
        if match.group("org") or (match.group("sur") and _is_person(match.group("given"), match.group("sur"))):
            name = match.group("org") or match.group("sur")
        else:
            name = match.group("h1") or match.group("h2")
        cands.append(_Cand(match.start("all"), match.end("all"), "handle", name))
    return cands


def _paper_candidates(masked: str, lo: int, hi: int) -> list[_Cand]:
    """Named documents without an author: "Full-Stack Alignment paper", "Anthropic's ... report"."""
    cands = []
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
    match = _LEAD_RE.match(masked, lo, hi)
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


def _free_years(masked: str, lo: int, hi: int, cands: list[_Cand]) -> list[tuple[int, str]]:
    """Years in the segment not owned by an author-year mention, with their offsets."""
    owned = {c.year_pos for c in cands if c.kind == "direct"}
    return [(m.start("year"), m.group("year")) for m in _YEAR_RE.finditer(masked, lo, hi)
            if m.start("year") not in owned]


def _with_years(cands: list[_Cand], years: list[tuple[int, str]], masked: str, has_ident: bool) -> list[_Cand]:
    """Give context-dated candidates the nearest free year; drop weak ones with nothing to back them."""
    out = []
    for cand in cands:
        if cand.kind == "direct":
            out.append(replace(cand, extent=cand.end))
            continue
        year, extent = _context_year(cand.start, cand.end, years, masked)
        if not (cand.weak and year is None and not has_ident):
            out.append(replace(cand, year=year, extent=extent))
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


# --- Source notes ------------------------------------------------------------------------------

def key_from_source_note(author: str | None, title: str | None, date: object, url: str | None) -> str | None:
    """Program key for a source note's front matter: first author's surname + year of date.

    Falls back to an organisation (from the URL's site or the title's start), then a title slug, then
    the URL itself; None if nothing usable.
    """
    year = _year_text(date) or _url_year(url)
    name = _first_author(author) or _url_org(url) or _title_name(title)
    if name:
        return program_key(name, year)
    ident = _ident_from_url(url, 0, 0) if isinstance(url, str) and url.strip() else None
    if ident is None:
        return None
    return ident.key if ident.kind != "url" else program_key(ident.key, year or ident.year)


def _first_author(author: object) -> str | None:
    """The first author's surname (or organisation, or handle) from an `author` field."""
    if isinstance(author, (list, tuple)):
        author = author[0] if author else None
    if not isinstance(author, str):
        return None
    handle = re.fullmatch(r"\s*@(\w+)\s*", author)
    if handle:
        return handle.group(1)
    text = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", author)
    first = re.split(r"\s*(?:;|&|\band\b|\bet\.?\s*al\b|\bwith\b)\s*", text.strip())[0]
    first = first.split(",")[0].strip()  # "Zeng, Wei" and "Zeng, Sorensen" both start with the first author
    org = _ORG_RE.match(first)
    if org:
        return org.group("org")
    if _ORG_WORD_RE.search(first):  # "Some Policy Institute": the whole name is the program
        return first
    return _surname(first)


def _surname(name: str) -> str | None:
    """The surname of a full name, particles included: "Vincent van der Berg" -> "van der Berg"."""
    words = [w for w in name.replace(".", ". ").split()
             if not re.fullmatch(r"(?i:jr|sr|ii|iii|iv|phd|md)\.?|[A-Z]\.?", w)]
    if not words or not any(ch.isalpha() for ch in words[-1]):
        return None
    first = len(words) - 1
    while first > 0 and words[first - 1].casefold() in _PARTICLES:
        first -= 1
    return " ".join(words[first:])


def _url_year(url: object) -> str | None:
    """A year in a URL's path ("/2025/Jun/")."""
    return _url_name(url)[1] if isinstance(url, str) else None


def _url_org(url: object) -> str | None:
    """A known organisation a URL's site belongs to ("www.anthropic.com/research/x" -> "anthropic")."""
    name = _url_name(url)[0] if isinstance(url, str) else None
    return name if name and name.casefold() in _ORG_KEYS else None


def _title_name(title: object) -> str | None:
    """A short name from a title: a leading organisation, else its first words before any subtitle."""
    if not isinstance(title, str):
        return None
    text = title.strip().strip("\"'“”‘’")
    org = _ORG_RE.match(text)
    if org:
        return org.group("org")
    words = re.split(r"[:–—|?]|\s-\s", text)[0].split()[:6]
    return " ".join(words) if any(_ascii_slug(w) for w in words) else None
