"""One slug function and the site's URL map: every note, domain and program gets one page path.

A `SitePath` is a path from the site root with no leading slash, percent-encoded, e.g.
`claims/the-specification-trap.html`; pages link with `relative_href(page, target)`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from typing import Iterable, Mapping
from urllib.parse import quote

MAX_SLUG_BYTES = 120  # leaves room for ".html" and a hash suffix inside the 255-byte name limit
_UNSAFE = re.compile(r"[\W_]+")

SECTION_OF_KIND = {"claim": "claims", "source": "sources", "map": "maps"}


def slugify(text: str) -> str:
    """Lower-case NFC words joined by hyphens; Unicode letters kept; at most MAX_SLUG_BYTES bytes.

    Never empty ("note" stands in) and never ends inside a multi-byte character.
    """
    slug = _UNSAFE.sub("-", unicodedata.normalize("NFC", text).casefold()).strip("-_")
    encoded = slug.encode("utf-8")[:MAX_SLUG_BYTES]
    slug = encoded.decode("utf-8", errors="ignore").strip("-_")
    return slug or "note"


def short_hash(text: str) -> str:
    """Six hex digits identifying a text, for disambiguating slugs."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=3).hexdigest()


RESERVED = frozenset({"index"})  # a section's own page (claims/index.html, domains/index.html) is no note's


def assign_slugs(keys: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Map each identity to a unique slug of its label; colliding slugs all get a hash suffix, and
    so does a RESERVED one.

    `keys` are (identity, label) pairs; the result depends only on the set, not the order.
    """
    pairs = sorted(set(keys))
    by_slug: dict[str, list[str]] = defaultdict(list)
    for identity, label in pairs:
        by_slug[slugify(label)].append(identity)
    result = {identities[0]: slug for slug, identities in by_slug.items() if len(identities) == 1 and slug not in RESERVED}
    taken = set(result.values()) | RESERVED
    for slug, identities in by_slug.items():
        for identity in identities if len(identities) > 1 or slug in RESERVED else ():
            result[identity] = _unused(slug, identity, taken)
    return result


def _unused(slug: str, identity: str, taken: set[str]) -> str:
    """`slug-<hash>` not already taken (a title may itself look like a hashed slug)."""
    candidate, size = f"{slug}-{short_hash(identity)}", 3
    while candidate in taken:
        size += 1
        candidate = f"{slug}-{hashlib.blake2b(identity.encode('utf-8'), digest_size=size).hexdigest()}"
    taken.add(candidate)
    return candidate


def note_urls(notes: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    """Site path of each note page: path -> "claims/<slug>.html" (sections by kind)."""
    by_section: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path, (kind, title) in notes.items():
        section = SECTION_OF_KIND.get(kind, "notes")
        label = path[:-3] if kind == "map" else title
        by_section[section].append((path, label))
    urls = {}
    for section, pairs in by_section.items():
        for path, slug in assign_slugs(pairs).items():
            urls[path] = f"{section}/{quote(slug)}.html"
    return urls


def relative_href(page: str, target: str, fragment: str = "") -> str:
    """A link from one site page to another, relative so the site works from any folder."""
    folder = page.rpartition("/")[0]
    href = target[len(folder) + 1 :] if folder and target.startswith(folder + "/") else base_of(page) + target
    return href + (f"#{quote(fragment)}" if fragment else "")


def base_of(page: str) -> str:
    """The relative prefix from a page back to the site root ("", "../", ...)."""
    return "../" * page.count("/")


_SLUG_DROP = re.compile(r"[^\w\- ]")


def heading_slug(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    return _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")
