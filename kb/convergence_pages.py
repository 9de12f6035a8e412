"""Convergence pages: the ranking, one page per program, and the program × program view."""

from __future__ import annotations

from collections import Counter
from itertools import combinations
from typing import Any, Iterator

from kb.convergence import Convergence, key_file
from kb.page_rows import Rows
from kb.pages import Page, display_title, item, site_page
from kb.site_model import CONFIDENCE_HELP, SiteModel, domain_of

MATRIX_SIZE = 40  # programs shown in the program × program view (the most connected)


def rankingsite_page(model: SiteModel, found: Convergence) -> Page:
    """Claims ranked by the number of independent programs supporting them (rows made as written)."""
    ranked = sorted(model.kb.claims, key=lambda note: (-found.count(note.path), display_title(note)))

    def rows() -> Iterator[dict[str, Any]]:
        for note in ranked:
            view = found.claim_view(note.path)
            yield {**item(model, note.path), **view, "challengers": sum(1 for p in view["programs"] if p["stance"] in ("challenge", "mixed"))}

    return site_page("convergence/index.html", "convergence.html", "Convergence across research programs", rows=Rows(len(ranked), rows),
                 domains=list(model.domains), confidences=list(CONFIDENCE_HELP))  # fmt: skip


def program_pages(model: SiteModel, found: Convergence) -> Iterator[Page]:
    """A page per program: the claims it supports and challenges, across domains."""
    for key, paths in found.programs.items():
        supports, challenges = [], []
        for path in paths:
            claim = found.claims[path]
            entry = item(model, path, "; ".join(f"{e.kind}: {e.text}" for e in claim.evidence[key]))
            (challenges if claim.stance(key) == "challenge" else supports).append(entry)
        domains = sorted({domain_of(model.note(p)) for p in paths})
        yield site_page(f"programs/{key_file(key)}.html", "program.html", key, key=key, supports=supports, challenges=challenges, domains=domains)


def matrixsite_page(model: SiteModel, found: Convergence) -> Page:
    """Which programs meet on which claims: co-occurrence counts with the shared claims."""
    programs = found.programs
    top = sorted(programs, key=lambda k: (-len(programs[k]), k))[:MATRIX_SIZE]
    shared: Counter[tuple[str, str]] = Counter()
    for claim in found.claims.values():
        for a, b in combinations(sorted(k for k in claim.evidence if k in top), 2):
            shared[(a, b)] += 1
    cells = {f"{a}|{b}": n for (a, b), n in shared.items()} | {f"{b}|{a}": n for (a, b), n in shared.items()}
    order = {path: place for place, path in enumerate(found.claims)}
    pairs = [{"a": a, "b": b, "count": n, "claims": _shared_claims(model, found, order, a, b)} for (a, b), n in shared.most_common(100)]
    return site_page("convergence/matrix.html", "matrix.html", "Where programs meet", programs=top, cells=cells, pairs=pairs,
                 sizes={k: len(programs[k]) for k in top}, urls={k: f"programs/{key_file(k)}.html" for k in top})  # fmt: skip


def _shared_claims(model: SiteModel, found: Convergence, order: dict[str, int], a: str, b: str) -> list[dict[str, Any]]:
    """Claims two programs both bear on, in the order of `found.claims` (`order`: each claim's place there)."""
    both = set(found.programs[a]).intersection(found.programs[b])
    return [item(model, path) for path in sorted(both, key=order.__getitem__)]


def convergence_pages(model: SiteModel) -> Iterator[Page]:
    """Every convergence page."""
    found = model.convergence
    yield rankingsite_page(model, found)
    yield matrixsite_page(model, found)
    yield from program_pages(model, found)
