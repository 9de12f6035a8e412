"""`kb stats`: the health of each domain: claims, broken links, missing fields, orphans, contested share."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Iterable

from kb.model import KnowledgeBase, Note
from kb.site_model import domain_of

COLUMNS = ("domain", "claims", "broken_links", "missing_fields", "orphans", "contested", "contested_share")


@dataclass(frozen=True)
class DomainStats:
    """Counts for the claims of one domain (or of all domains)."""

    domain: str
    claims: int
    broken_links: int  # links written in these claims that point at no note
    missing_fields: int  # required front-matter fields absent or empty
    orphans: int  # claims no other note links to
    contested: int  # claims with a challenge: a challenged_by item or a challenge evidence section (Note.challenge_count)

    @property
    def contested_share(self) -> float:
        """Contested claims over claims (0 when there are none), to three places."""
        return round(self.contested / self.claims, 3) if self.claims else 0.0

    def as_dict(self) -> dict[str, object]:
        """The counts and the share as one JSON-ready mapping."""
        return {**asdict(self), "contested_share": self.contested_share}


def domain_stats(base: KnowledgeBase) -> list[DomainStats]:
    """One row per domain of the claims, by domain name (counts taken from kb check's diagnostics)."""
    found = Counter((d.path, d.rule) for d in base.diagnostics)
    by_domain: dict[str, list[Note]] = {}
    for note in base.claims:
        by_domain.setdefault(domain_of(note), []).append(note)
    return [_row(name, notes, found) for name, notes in sorted(by_domain.items())]


def _row(name: str, notes: list[Note], found: Counter[tuple[str, str]]) -> DomainStats:
    """The counts of one domain's claims."""
    return DomainStats(
        domain=name,
        claims=len(notes),
        broken_links=sum(found[(note.path, "broken-link")] for note in notes),
        missing_fields=sum(found[(note.path, "missing-field")] for note in notes),
        orphans=sum(1 for note in notes if found[(note.path, "orphan")]),
        contested=sum(1 for note in notes if note.challenge_count()),
    )


def total(rows: Iterable[DomainStats]) -> DomainStats:
    """The sum of domain rows, as the row "(all)"."""
    items = list(rows)
    sums = [sum(getattr(row, column) for row in items) for column in COLUMNS[1:6]]
    return DomainStats("(all)", *sums)


def stats_json(rows: list[DomainStats]) -> str:
    """{"domains": [...], "total": {...}} as indented JSON."""
    document = {"domains": [row.as_dict() for row in rows], "total": total(rows).as_dict()}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def stats_table(rows: list[DomainStats]) -> str:
    """An aligned plain-text table with a total row."""
    headers = ("domain", "claims", "broken links", "missing fields", "orphans", "contested", "share")
    body = [_cells(row) for row in [*rows, total(rows)]]
    widths = [max(len(line[i]) for line in [headers, *body]) for i in range(len(headers))]
    lines = [_line(headers, widths)] + [_line(cells, widths) for cells in body]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.insert(len(lines) - 1, lines[1])
    return "\n".join(lines) + "\n"


def _cells(row: DomainStats) -> tuple[str, ...]:
    """One row's cells as text."""
    counts = (row.claims, row.broken_links, row.missing_fields, row.orphans, row.contested)
    return (row.domain, *(str(count) for count in counts), f"{row.contested_share:.0%}")


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    """Cells padded to their widths: the first left-aligned, numbers right-aligned."""
    return "  ".join(cell.ljust(width) if i == 0 else cell.rjust(width) for i, (cell, width) in enumerate(zip(cells, widths))).rstrip()
