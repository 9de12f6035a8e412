"""View models of the site-wide pages: home, all claims, domains, health, graph and search."""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import partial
from itertools import islice
from typing import Any, Iterator

from kb.model import Note
from kb.page_rows import Rows
from kb.pages import Page, item, site_page
from kb.site_model import (
    CONFIDENCE_HELP,
    SiteModel,
    date_of,
    map_domain,
    text_of,
    texts_of,
)

TOP = 10


def homesite_page(model: SiteModel) -> Page:
    """Counts, most-connected, most-contested and newest claims."""
    claims = model.kb.claims
    newest = sorted(claims, key=lambda n: (str(date_of(n, "created") or ""), n.path), reverse=True)[:TOP]
    connected = sorted(claims, key=lambda n: (-model.degree[n.path], n.path))[:TOP]
    challenged = sorted((-count, n.path) for n in claims if (count := n.challenge_count()))[:TOP]
    counts = {
        "claims": len(claims), "sources": len(model.kb.sources), "maps": len(model.kb.maps),
        "domains": len(model.domains), "links": model.edge_count,
        "errors": model.diagnostics.errors,
        "programs": len(model.convergence.programs) if model.convergence else 0,
    }  # fmt: skip
    return site_page(
        "index.html", "home.html", "Home", counts=counts,
        newest=[item(model, n.path, str(date_of(n, "created") or "")) for n in newest],
        connected=[item(model, n.path, f"{model.degree[n.path]} connections") for n in connected],
        contested=[item(model, path, f"{-count} challenge(s)") for count, path in challenged],
        domains=[{"name": d, "url": model.domain_urls[d], "count": len(c)} for d, c in model.domains.items()],
    )  # fmt: skip


def claimssite_page(model: SiteModel) -> Page:
    """Every claim in one sortable, filterable table (rows made as written)."""
    claims = model.kb.claims

    def rows() -> Iterator[dict[str, Any]]:
        for n in claims:
            yield {**item(model, n.path), "created": str(date_of(n, "created") or ""), "links_in": model.count_in(n.path),
                   "links_out": model.count_out(n.path), "description": text_of(n, "description"),
                   "programs": model.convergence.count(n.path) if model.convergence else 0}  # fmt: skip

    return site_page("claims/index.html", "claims.html", "All claims", rows=Rows(len(claims), rows), domains=list(model.domains), confidences=list(CONFIDENCE_HELP))


def domain_pages(model: SiteModel) -> Iterator[Page]:
    """A page per domain: its claims by confidence, its topic map, claims from other domains."""
    secondary: dict[str, list[str]] = defaultdict(list)
    for note in model.kb.claims:
        for other in texts_of(note, "secondary_domains"):
            secondary[other].append(note.path)
    maps = {map_domain(m): m.path for m in model.kb.maps}
    for name, notes in model.domains.items():
        counts = Counter(text_of(n, "confidence") or "unstated" for n in notes)
        yield site_page(
            model.domain_urls[name], "domain.html", name, domain=name, counts=dict(sorted(counts.items())),
            claims=Rows(len(notes), partial(_domain_claims, model, notes)),
            secondary=[item(model, p) for p in secondary.get(name, [])],
            map=item(model, maps[name]) if name in maps else None,
        )  # fmt: skip


def _domain_claims(model: SiteModel, notes: list[Note]) -> Iterator[dict[str, Any]]:
    """The rows of a domain page's claims."""
    return (item(model, n.path, text_of(n, "description")) for n in notes)


def domains_index(model: SiteModel) -> Page:
    """All domains with their claim counts."""
    rows = [{"name": d, "url": model.domain_urls[d], "count": len(c)} for d, c in model.domains.items()]
    return site_page("domains/index.html", "domains.html", "Domains", domains=rows)


HEALTH_SHOWN = 100  # diagnostics of a rule the health page lists; all of them are on the rule's own page


def healthsite_page(model: SiteModel) -> Page:
    """Every rule with diagnostics, each listing its first HEALTH_SHOWN linked to the note's page."""
    found = model.diagnostics
    rows = [_health_group(model, rule, HEALTH_SHOWN) for rule in sorted(found.heads)]
    return site_page("health.html", "health.html", "Health", groups=rows, total=len(found))


def health_rule_pages(model: SiteModel) -> Iterator[Page]:
    """A page with every diagnostic of each rule that has more than the health page lists."""
    for rule, count in sorted(model.diagnostics.counts.items()):
        if count > HEALTH_SHOWN:
            yield site_page(_health_url(rule), "health.html", f"Health: {rule}", groups=[_health_group(model, rule)], total=count)


def _health_url(rule: str) -> str:
    """The site path of a rule's own health page (rule names are lower-case words and hyphens)."""
    return f"health/{rule}.html"


def _health_group(model: SiteModel, rule: str, limit: int | None = None) -> dict[str, Any]:
    """One rule's section: its first `limit` diagnostics (all when None), made as written, and a
    link to the rule's own page when some are left out."""
    head, count = model.diagnostics.heads[rule], model.diagnostics.counts[rule]
    shown = count if limit is None else min(count, limit)

    def rows() -> Iterator[dict[str, Any]]:
        for d in islice(model.diagnostics.of_rule(rule), shown):
            yield {"path": d.path, "url": model.urls.get(d.path, ""), "line": d.line, "col": d.col, "severity": d.severity.label,
                   "code": d.code, "message": d.message, "hint": d.hint}  # fmt: skip

    more = _health_url(rule) if shown < count else ""
    return {"rule": rule, "entries": Rows(shown, rows), "count": count, "more_url": more, "severity": head.severity.label, "code": head.code}


def graphsite_page(model: SiteModel) -> Page:
    """The global graph view."""
    return site_page("graph.html", "graph.html", "Graph", domains=[{"name": d, "url": model.domain_urls[d], "count": len(c)} for d, c in model.domains.items()])


def searchsite_page(model: SiteModel) -> Page:
    """The search page (kb.search writes its index)."""
    return site_page("search.html", "search.html", "Search")


def site_pages(model: SiteModel) -> Iterator[Page]:
    """Every site-wide page."""
    yield homesite_page(model)
    yield claimssite_page(model)
    yield domains_index(model)
    yield from domain_pages(model)
    yield healthsite_page(model)
    yield from health_rule_pages(model)
    yield graphsite_page(model)
    yield searchsite_page(model)
