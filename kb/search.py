"""kb's full-text search: a static inverted index, split into small files the browser loads on demand.

Pagefind indexed the rendered pages of 10k claims in 33.7 s with 3.7 GB
(`python -m benchmarks.search_index`); this index is built from the bodies the page writers read
anyway (5.5 s serially, shared among the writers during a build), with postings kept as 4-byte
arrays. Layout, under `search/`:

- `meta.json`: `{"version", "docs", "chunk", "shards", "kinds", "domains", "stopwords"}`: how
  many documents, how many per docs file, which term files exist, the filter values.
- `facets.json`: `[kinds, domains]`, for each document id its index into meta's lists.
- `docs-N.json`: `[url, title, kind, domain, confidence, excerpt]` for documents N*chunk onwards.
- `terms-KEY.json`: `{term: postings}` for the terms whose first two characters, UTF-8 and hex,
  are KEY. Postings list document ids in increasing order as gaps, each `gap << 1 | in_title`.

`templates/static/search.js` reads it: prefix matching, all terms required, title hits first.
"""

from __future__ import annotations

import json
import operator
import re
from array import array
from collections import defaultdict
from pathlib import Path
from typing import Iterable, Iterator, NamedTuple

from kb.model import Note
from kb.site_files import write_or_link

FOLDER = "search"
CHUNK = 500  # documents per docs file
EXCERPT = 220  # characters of description (or body) shown under a result
MAX_WORD = 40
WORD = re.compile(r"[^\W_]+")
STOPWORDS = frozenset(
    "a an and are as at be been but by can do for from has have how if in into is it its not of on or "
    "so than that the their there these they this to was were what when which who will with would "
    "http https www com org html".split()
)


_ASCII_SEPARATORS = bytes(c if c >= 128 or chr(c).isalnum() else 32 for c in range(256))  # for bytes.translate


def words(text: str) -> set[str]:
    """The distinct searchable words of a text: lower case, 2–40 characters, no stopwords.

    Words are runs of letters and digits, lowered as JavaScript lowers them, so that
    templates/static/search.js splits and lowers a query the same way. Twice as fast as
    `WORD.findall` alone: ASCII punctuation becomes spaces in one C pass over the UTF-8 bytes,
    and only the few pieces holding other characters are split by WORD.
    """
    lowered = text.lower()
    pieces = lowered.encode("utf-8", "surrogatepass").translate(_ASCII_SEPARATORS).decode("utf-8", "surrogatepass")
    found = set(pieces.split())  # (surrogates: file names that are not UTF-8, as Python decodes them)
    if not lowered.isascii():
        mixed = {piece for piece in found if not piece.isascii()}
        found -= mixed
        found.update(*(WORD.findall(piece) for piece in mixed))
    found -= STOPWORDS
    return {w for w in found if 1 < len(w) <= MAX_WORD}


class SearchDoc(NamedTuple):
    """One page as the index knows it: what a result shows, and its words."""

    url: str
    title: str
    kind: str
    domain: str
    confidence: str
    excerpt: str
    title_words: str  # space-separated, in no particular order (one string pickles cheaply)
    body_words: str


def search_doc(url: str, note: Note, title: str, domain: str, body: str) -> SearchDoc:
    """The index entry of a note page, from its title, front matter and Markdown body."""
    description = note.meta.get("description")
    description = description if isinstance(description, str) else ""
    confidence = note.meta.get("confidence")
    titled = words(title)
    body_words = words(f"{description}\n{body}") - titled
    excerpt = " ".join((description or body).split())[:EXCERPT]
    return SearchDoc(url, title, note.kind, domain, confidence if isinstance(confidence, str) else "", excerpt,
                     " ".join(titled), " ".join(body_words))  # fmt: skip


class SearchIndex:
    """Postings of `count` documents, added in any order under ids fixed beforehand."""

    def __init__(self, count: int) -> None:
        self.docs: list[tuple[str, ...] | None] = [None] * count
        self.postings: dict[str, array[int]] = defaultdict(lambda: array("I"))  # 4 bytes a posting

    def add(self, doc_id: int, doc: SearchDoc) -> None:
        """Add a document's words (its own word strings are not kept)."""
        self.docs[doc_id] = tuple(doc[:6])
        postings, in_title, in_body = self.postings, doc_id << 1 | 1, doc_id << 1
        for word in doc.title_words.split():
            postings[word].append(in_title)
        for word in doc.body_words.split():
            postings[word].append(in_body)

    def shard_texts(self) -> Iterator[tuple[str, str]]:
        """(key, JSON) of each terms file, one at a time: terms sorted, postings gap-encoded."""
        by_key: dict[str, list[str]] = defaultdict(list)
        for term in self.postings:
            by_key[shard_key(term)].append(term)
        for key in sorted(by_key):
            yield key, compact_json({term: gap_encode(self.postings[term]) for term in sorted(by_key[key])})


def shard_key(term: str) -> str:
    """The terms file a term belongs to: its first two characters as UTF-8 hex."""
    return term[:2].encode("utf-8").hex()


def gap_encode(postings: Iterable[int]) -> list[int]:
    """Sorted `id << 1 | flag` values as `gap << 1 | flag`, gaps between successive ids."""
    values = sorted(postings)
    starts = [value & -2 for value in values]  # each id << 1, after a 0 for the first
    starts.insert(0, 0)
    return list(map(operator.sub, values, starts))  # id << 1 | flag minus the previous id << 1


def write_search_index(index: SearchIndex, out: Path, previous: Path) -> None:
    """Write the index into `out/search/` (files unchanged since `previous` are hard-linked)."""
    folder, last = out / FOLDER, previous / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    shards = []
    for key, text in index.shard_texts():
        write_or_link(folder / f"terms-{key}.json", last / f"terms-{key}.json", text)
        shards.append(key)
    docs = [doc or ("", "", "", "", "", "") for doc in index.docs]
    files: dict[str, object] = {f"docs-{start // CHUNK}.json": docs[start : start + CHUNK] for start in range(0, len(docs), CHUNK)}
    kinds, domains = (sorted({doc[field] for doc in docs}) for field in (2, 3))
    files["facets.json"] = [_positions(kinds, (doc[2] for doc in docs)), _positions(domains, (doc[3] for doc in docs))]
    files["meta.json"] = {"version": 1, "docs": len(docs), "chunk": CHUNK, "kinds": kinds, "domains": domains,
                          "shards": shards, "stopwords": sorted(STOPWORDS)}  # fmt: skip
    for name, value in files.items():
        write_or_link(folder / name, last / name, compact_json(value))


def _positions(values: list[str], items: Iterable[str]) -> list[int]:
    """Each item's index in `values`."""
    where = {value: number for number, value in enumerate(values)}
    return [where[item] for item in items]


def compact_json(value: object) -> str:
    """Compact, deterministic JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
