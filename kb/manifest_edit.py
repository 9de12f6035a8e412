"""Give a few pages new fingerprints in the page manifest's text without decoding all of it.

The manifest (kb.writer.manifest_parts) holds one `"path": "fingerprint"` entry per line, sorted
by path, so a quick rebuild that changed a handful of pages can splice their new fingerprints into
the old text: a 10k-page manifest is 2 MB, which takes longer to decode and encode again than the
rest of such a rebuild.
"""

from __future__ import annotations

import json


def with_marks(text: str, marks: dict[str, str]) -> str | None:
    """`text` with each page's fingerprint replaced; None when a page has no entry there yet."""
    pieces, start = [], 0
    for path in sorted(marks):
        span = _value_span(text, json.dumps(path) + ': "', start)
        if span is None:
            return None
        pieces += [text[start : span[0]], json.dumps(marks[path])[1:-1]]
        start = span[1]
    return "".join(pieces) + text[start:]


def _value_span(text: str, key: str, start: int) -> tuple[int, int] | None:
    """Where the value of the entry starting with `key` (at a line start) lies, at or after `start`."""
    at = 1 if text.startswith(key, 1) and start <= 1 else text.find("\n" + key, max(start - 1, 0)) + 1
    if at <= 0:
        return None
    value = at + len(key)
    end = text.find('"', value)
    return (value, end) if end >= 0 else None
