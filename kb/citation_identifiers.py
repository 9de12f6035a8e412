"""Identifiers in citation text: URLs, arXiv ids and DOIs, found, keyed and masked out."""

from __future__ import annotations

import re
from typing import NamedTuple

from kb.citation_patterns import (
    _ACCOUNT_HOSTS,
    _ACCOUNT_SUFFIXES,
    _ARXIV_HINT_RE,
    _DETAIL_RE,
    _GENERIC_PATH,
    _PATH_YEAR_RE,
    _URL_HINT_RE,
    _URL_PARTS_RE,
    ARXIV_RE,
    DOI_RE,
    URL_RE,
)
from kb.program_keys import _ident_key


class _Ident(NamedTuple):
    """An arXiv id, DOI or URL found in the text."""

    start: int
    end: int
    kind: str  # "arxiv", "doi" or "url"
    key: str  # full key for arxiv/doi; the site or account name for url
    year: str | None = None  # url: a year found in its path


def _find_identifiers(text: str) -> tuple[list[_Ident], str]:
    """URLs, arXiv ids and DOIs in the text, and the text with them (and page numbers) blanked."""
    idents: list[_Ident] = []
    for match in URL_RE.finditer(text) if _URL_HINT_RE.search(text) else ():
        end = match.start() + len(_trim_trailing(match.group()))
        ident = _ident_from_url(text[match.start():end], match.start(), end)
        idents += [ident] if ident else []
    masked = _blank(text, [(i.start, i.end) for i in idents])
    for match in ARXIV_RE.finditer(masked) if _ARXIV_HINT_RE.search(masked) else ():
        idents.append(_Ident(match.start(), match.end(), "arxiv", _ident_key("arxiv", match.group("id"))))
    masked = _blank(masked, [(i.start, i.end) for i in idents])
    for match in DOI_RE.finditer(masked) if "10." in masked else ():  # every DOI starts "10."
        doi = _trim_trailing(match.group("doi"))
        end = match.start("doi") + len(doi)
        idents.append(_Ident(match.start(), end, "doi", _ident_key("doi", doi)))
    spans = [(i.start, i.end) for i in idents] + [m.span() for m in _DETAIL_RE.finditer(masked)]
    return sorted(idents, key=lambda i: i.start), _blank(masked, spans)


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with every span replaced by spaces (offsets are kept)."""
    if not spans:
        return text
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
