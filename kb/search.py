"""kb's full-text search: a static inverted index, split into small files the browser loads on demand.

Pagefind indexed the rendered pages in 27–40 s and 2.9 GB at 10k claims (benchmarks/README.md);
this index is built from the words the page writers already have, in about a second, with
postings kept as 4-byte arrays. Layout, under `search/`:

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
import re
from array import array
from collections import defaultdict
from pathlib import Path
from typing import Iterable, NamedTuple

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


def words(text: str) -> set[str]:
    """The distinct searchable words of a text: lower case, 2–40 characters, no stopwords.

    Words are runs of letters and digits, lowered as JavaScript lowers them, so that
    templates/static/search.js splits and lowers a query the same way.
    """
    return {w for w in WORD.findall(text.lower()) if 1 < len(w) <= MAX_WORD and w not in STOPWORDS}


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
    """Postings accumulated document by document (ids are the order documents are added in)."""

    def __init__(self) -> None:
        self.docs: list[tuple[str, ...]] = []
        self.postings: dict[str, array[int]] = defaultdict(lambda: array("I"))

    def add(self, doc: SearchDoc) -> None:
        """Add a document's words under the next id."""
        doc_id = len(self.docs)
        self.docs.append(doc[:6])
        for word in doc.title_words.split():
            self.postings[word].append(doc_id << 1 | 1)
        for word in doc.body_words.split():
            self.postings[word].append(doc_id << 1)

    def shards(self) -> dict[str, dict[str, list[int]]]:
        """Terms grouped into files by their first two characters, postings gap-encoded."""
        grouped: dict[str, dict[str, list[int]]] = defaultdict(dict)
        for term in sorted(self.postings):
            grouped[shard_key(term)][term] = gap_encode(self.postings[term])
        return grouped


def shard_key(term: str) -> str:
    """The terms file a term belongs to: its first two characters as UTF-8 hex."""
    return term[:2].encode("utf-8").hex()


def gap_encode(postings: Iterable[int]) -> list[int]:
    """Sorted `id << 1 | flag` values as `gap << 1 | flag`, gaps between successive ids."""
    encoded, previous = [], 0
    for value in sorted(postings):
        doc_id = value >> 1
        encoded.append((doc_id - previous) << 1 | (value & 1))
        previous = doc_id
    return encoded


def write_search_index(docs: Iterable[SearchDoc], out: Path, previous: Path) -> int:
    """Write the index into `out/search/` (files unchanged since `previous` are hard-linked)."""
    index = SearchIndex()
    for doc in sorted(docs):
        index.add(doc)
    files = {f"terms-{key}.json": terms for key, terms in index.shards().items()}
    files.update((f"docs-{start // CHUNK}.json", index.docs[start : start + CHUNK]) for start in range(0, len(index.docs), CHUNK))
    kinds, domains = (sorted({doc[field] for doc in index.docs}) for field in (2, 3))
    files["facets.json"] = [_positions(kinds, (doc[2] for doc in index.docs)), _positions(domains, (doc[3] for doc in index.docs))]
    files["meta.json"] = {"version": 1, "docs": len(index.docs), "chunk": CHUNK, "kinds": kinds, "domains": domains,
                          "shards": sorted(name[6:-5] for name in files if name.startswith("terms-")), "stopwords": sorted(STOPWORDS)}  # fmt: skip
    folder = out / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name, value in files.items():
        write_or_link(folder / name, previous / FOLDER / name, _json(value))
    return len(index.docs)


def _positions(values: list[str], items: Iterable[str]) -> list[int]:
    """Each item's index in `values`."""
    where = {value: number for number, value in enumerate(values)}
    return [where[item] for item in items]


def _json(value: object) -> str:
    """Compact, deterministic JSON."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
