"""Program keys: the one normalisation of a name and a year into `surname-year` (rules in kb.programs)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from kb.citation_patterns import (
    _ANY_YEAR_RE,
    _ASCII_FIX,
    _ORG_KEYS,
    _PARTICLES,
    _POSSESSIVE_RE,
)


def program_key(name: str, year: str | int | None) -> str:
    """Normalise an author surname / organisation / paper name and a year to a program key."""
    return f"{_name_slug(name)}-{_year_text(year) or 'nd'}"


def _name_slug(name: object) -> str:
    """The key's name part: a canonical organisation slug, else the ASCII slug with glued particles."""
    return _text_slug(str(name or ""))


@lru_cache(maxsize=16384)
def _text_slug(name: str) -> str:
    """`_name_slug` of a string, remembered: the same surnames come back again and again."""
    text = _strip_possessive(" ".join(name.split()))
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
    return _POSSESSIVE_RE.sub("", text)


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
