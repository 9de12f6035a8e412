"""Program keys of source notes, from their author, date, url and title front matter."""

from __future__ import annotations

import re

from kb.citation_identifiers import _ident_from_url, _url_name
from kb.citation_patterns import _ORG_KEYS, _ORG_RE, _ORG_WORD_RE, _PARTICLES
from kb.program_keys import _ascii_slug, _year_text, program_key


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
