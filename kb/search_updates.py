"""Update kb's search index in place after some documents changed (see kb.search for its layout).

A quick rebuild (kb.quick_build) knows each changed page's search entry before and after the
edit; only the terms files of words that appeared, disappeared or moved in or out of a title are
read and rewritten, and the docs file when what a result shows changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kb.search import SearchDoc, compact_json, gap_encode, shard_key

Change = tuple[int, SearchDoc, SearchDoc]  # (document id, as indexed, as it is now)


def index_updates(folder: Path, changes: list[Change]) -> dict[str, str | None]:
    """The index files (name -> new text, None to delete) after some documents changed.

    Only the terms files of words added, removed or moved in or out of a title are read and
    rewritten; the result is byte for byte what write_search_index would write.
    """
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    shards: dict[str, dict[str, list[int]]] = {}
    files: dict[str, str | None] = {}
    for doc_id, old, new in changes:
        for term, flag in _flag_changes(old, new).items():
            key = shard_key(term)
            if key not in shards:
                shards[key] = _read_json(folder / f"terms-{key}.json", {}) if key in meta["shards"] else {}
            _repost(shards[key], term, doc_id, flag)
        files.update(_docs_update(folder, meta, doc_id, old, new, files))
    for key, terms in shards.items():
        files[f"terms-{key}.json"] = compact_json(dict(sorted(terms.items()))) if terms else None
    shard_keys = sorted((set(meta["shards"]) | set(shards)) - {k for k, terms in shards.items() if not terms})
    if shard_keys != meta["shards"]:
        files["meta.json"] = compact_json({**meta, "shards": shard_keys})
    return files


def _flag_changes(old: SearchDoc, new: SearchDoc) -> dict[str, int | None]:
    """Words whose posting changes: their new in-title flag, or None when no longer there."""
    def flags(doc: SearchDoc) -> dict[str, int]:
        return {**dict.fromkeys(doc.body_words.split(), 0), **dict.fromkeys(doc.title_words.split(), 1)}

    before, after = flags(old), flags(new)
    return {term: after.get(term) for term in before.keys() | after.keys() if before.get(term) != after.get(term)}


def _repost(terms: dict[str, list[int]], term: str, doc_id: int, flag: int | None) -> None:
    """Set (or, with flag None, drop) one document in one term's postings."""
    postings, previous = {}, 0
    for value in terms.get(term, []):
        previous += value >> 1
        postings[previous] = value & 1
    postings.pop(doc_id, None)
    if flag is not None:
        postings[doc_id] = flag
    if postings:
        terms[term] = gap_encode(number << 1 | bit for number, bit in postings.items())
    else:
        terms.pop(term, None)


def _docs_update(folder: Path, meta: dict, doc_id: int, old: SearchDoc, new: SearchDoc, files: dict[str, str | None]) -> dict[str, str]:
    """The docs file holding a document, rewritten when what a result shows changed."""
    if old[:6] == new[:6]:
        return {}
    name = f"docs-{doc_id // meta['chunk']}.json"
    rows = json.loads(files[name]) if files.get(name) else _read_json(folder / name, [])
    rows[doc_id % meta["chunk"]] = list(new[:6])
    return {name: compact_json(rows)}


def _read_json(path: Path, default: object) -> Any:
    """A JSON file's value, or the default when it is missing."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
