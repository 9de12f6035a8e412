"""Machine-readable outputs of a build: graph.json, sitemap.xml and an Atom feed of new claims."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from itertools import islice
from typing import Iterable, Iterator
from xml.sax.saxutils import escape

from kb.site_model import SiteModel, date_of, domain_of, text_of

FEED_SIZE = 50
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # compact, as json.dumps with these


def layout(model: SiteModel) -> dict[str, tuple[float, float]]:
    """Deterministic linear-time layout: a sunflower spiral per domain, hubs at each centre."""
    groups: dict[str, list[str]] = defaultdict(list)
    for path, note in model.kb.notes.items():
        groups[domain_of(note)].append(path)
    ordered = sorted(groups.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    radius_of = {name: math.sqrt(len(paths)) for name, paths in ordered}
    ring = sum(radius_of.values()) * 2 / math.pi + 1
    positions, angle = {}, math.pi - (2 * math.pi * radius_of[ordered[0][0]] / max(sum(radius_of.values()), 1)) / 2 if ordered else 0.0
    for name, paths in ordered:
        share = 2 * math.pi * radius_of[name] / max(sum(radius_of.values()), 1)
        cx, cy = (ring * math.cos(angle + share / 2), ring * math.sin(angle + share / 2)) if len(ordered) > 1 else (0.0, 0.0)
        angle += share
        for rank, path in enumerate(sorted(paths, key=lambda p: (-model.degree[p], p))):
            r, theta = math.sqrt(rank + 0.5) * 0.9, rank * GOLDEN_ANGLE
            positions[path] = (round(cx + r * math.cos(theta), 3), round(cy + r * math.sin(theta), 3))
    return positions


def graph_json(model: SiteModel) -> Iterator[str]:
    """The graph view's data: every node (with its precomputed position) and every typed edge.

    An edge is `[source, target, type]`, its ends given by their places in `nodes`: the ids are
    long prose paths, and written out at both ends of every edge they would make most of the
    file. `kb export graph` has the full edges: ids, relation text and where each was written.
    Yielded in pieces, so the whole document is never held.
    """
    where = layout(model)
    place = {path: number for number, path in enumerate(model.kb.notes)}
    nodes = (
        {"id": path, "title": note.title, "kind": note.kind, "domain": domain_of(note), "confidence": text_of(note, "confidence"),
         "url": model.urls[path], "degree": model.degree[path], "x": where[path][0], "y": where[path][1]}
        for path, note in model.kb.notes.items()
    )  # fmt: skip
    edges = ((place[e.source], place[e.target], e.type) for e in model.edges())
    yield '{"nodes":['
    yield from _json_items(nodes)
    yield '],"edges":['
    yield from _json_items(edges)
    yield "]}"


def _json_items(items: Iterable[object], batch: int = 500) -> Iterator[str]:
    """Compact JSON of each item, comma-separated, in batches (one encoder call a batch, brackets cut)."""
    iterator, first = iter(items), True
    while group := list(islice(iterator, batch)):
        yield ("" if first else ",") + _ENCODER.encode(group)[1:-1]
        first = False


def sitemap_xml(model: SiteModel, pages: list[str], site_url: str) -> Iterator[str]:
    """A sitemap of every page (URLs absolute when a site URL is configured), in pieces of 1,000 pages."""
    prefix = site_url.rstrip("/") + "/" if site_url else ""
    ordered = sorted(pages)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    for start in range(0, len(ordered), 1_000):
        yield "".join(f"  <url><loc>{escape(prefix + page)}</loc></url>\n" for page in ordered[start : start + 1_000])
    yield "</urlset>\n"


def _feed_entry(model: SiteModel, path: str, prefix: str) -> str:
    """One Atom entry for a claim."""
    note = model.note(path)
    created = date_of(note, "created")
    stamp = f"{created.isoformat()}T00:00:00Z" if created else "1970-01-01T00:00:00Z"
    link = escape(prefix + model.urls[path])
    return (f"  <entry>\n    <title>{escape(note.title)}</title>\n    <id>{link}</id>\n    <link href=\"{link}\"/>\n"
            f"    <updated>{stamp}</updated>\n    <summary>{escape(text_of(note, 'description'))}</summary>\n  </entry>\n")  # fmt: skip


def atom_feed(model: SiteModel, site_url: str, title: str) -> str:
    """An Atom feed of the newest claims; `updated` is the newest claim's date (no clock)."""
    claims = sorted(model.kb.claims, key=lambda n: (str(date_of(n, "created") or ""), n.path), reverse=True)[:FEED_SIZE]
    prefix = site_url.rstrip("/") + "/" if site_url else ""
    newest = date_of(claims[0], "created") if claims else None
    updated = f"{newest.isoformat()}T00:00:00Z" if newest else "1970-01-01T00:00:00Z"
    entries = "".join(_feed_entry(model, n.path, prefix) for n in claims)
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n  <title>{escape(title)}</title>\n'
            f"  <id>{escape(prefix or 'urn:kb:feed')}</id>\n  <updated>{updated}</updated>\n{entries}</feed>\n")  # fmt: skip
