"""Plan a synthetic codex: folders, claim titles, source notes and link popularity.

Planning decides every name before any text is rendered, so that links can be
checked against the full set of stems and intended breaks are known exactly.
"""

from __future__ import annotations

import bisect
import itertools
import random
from dataclasses import dataclass

from benchmarks import vocab

MAX_STEM_BYTES = 250  # 250 + len(".md") stays under the 255-byte file-name limit

DOMAINS = (
    "ai-alignment", "internet-finance", "collective-intelligence", "governance",
    "mechanisms", "health", "entertainment", "space-development", "energy",
    "critical-systems", "cultural-dynamics", "grand-strategy", "teleological-economics",
    "living-capital",
)
FOUNDATION_AREAS = {"collective-intelligence": "collective-intelligence",
                    "critical-systems": "critical-systems", "cultural-dynamics": "cultural-dynamics"}
CORE_AREAS = {"mechanisms": "mechanisms", "living-agents": "ai-alignment",
              "teleohumanity": "grand-strategy"}
HEADING_CHOICES = ("Mechanism", "Evidence", "Limits", "Counter-evidence", "Implications")
SOURCE_FORMATS = ("essay", "paper", "thread", "report", "podcast", "dataset", "talk")
ZIPF_EXPONENT = 1.0
SAME_FOLDER_SHARE = 0.35  # share of link targets drawn uniformly from the linking claim's folder


@dataclass(frozen=True)
class Claim:
    """One planned claim file."""

    folder: str                    # root-relative folder, e.g. "domains/ai-alignment"
    stem: str                      # file name without ".md"
    title: str                     # the full sentence; longer than stem when truncated
    domain: str                    # value of the front-matter ``domain`` field
    headings: tuple[str, ...] = ()  # "## " headings in the body, targets of ``#heading`` links

    @property
    def path(self) -> str:
        """Root-relative file path."""
        return f"{self.folder}/{self.stem}.md"

    @property
    def is_truncated(self) -> bool:
        """True when the saved stem was cut short of the full title."""
        return self.stem != self.title


@dataclass(frozen=True)
class Source:
    """One planned source note under ``inbox/archive/``."""

    slug: str                      # "YYYY-MM-DD-author-slug", the file stem
    title: str                     # human title, quoted in front matter
    author: str                    # author or organisation
    date: str                      # ISO date, also the slug prefix
    domain: str                    # front-matter domain
    extracted: tuple[str, ...]     # stems of claims extracted from it
    enrichments: tuple[str, ...]   # stems of claims it enriched


def folder_table() -> tuple[tuple[str, str, float], ...]:
    """Return ``(folder, domain, weight)`` rows; big domains first, Zipf-ish sizes."""
    rows = [(f"domains/{d}", d, 0.80 / (i + 1) ** 0.8) for i, d in enumerate(DOMAINS)]
    rows += [(f"foundations/{a}", d, 0.04) for a, d in sorted(FOUNDATION_AREAS.items())]
    rows += [(f"core/{a}", d, 0.027) for a, d in sorted(CORE_AREAS.items())]
    return tuple(rows)


def random_date(rng: random.Random, start_year: int = 2024) -> str:
    """Return an ISO date between ``start_year`` and March 2026."""
    year = rng.randint(start_year, 2026)
    month = rng.randint(1, 3 if year == 2026 else 12)
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def _title_text(rng: random.Random) -> tuple[str, str]:
    """Return ``(stem, full title)`` drawn from the title-length mix."""
    roll = rng.random()
    if roll < 0.05:
        return (slug := vocab.slugify(vocab.make_sentence(rng, 25, 90))), slug
    if roll < 0.06:
        full = vocab.make_sentence(rng, MAX_STEM_BYTES + 12, MAX_STEM_BYTES + 90)
        return full[:MAX_STEM_BYTES].rstrip(" -"), full
    if roll < 0.07:
        text = vocab.make_sentence(rng, MAX_STEM_BYTES - 10, MAX_STEM_BYTES)
        return text, text
    top = int(rng.triangular(70, MAX_STEM_BYTES - 11, 130))
    text = vocab.make_sentence(rng, max(60, top - 40), top)
    return text, text


def _headings(rng: random.Random) -> tuple[str, ...]:
    """Return the ``##`` headings a claim body will carry (often none)."""
    roll = rng.random()
    if roll < 0.5:
        return ()
    if roll < 0.8:
        return ("Evidence",)
    return tuple(rng.sample(HEADING_CHOICES, 2))


def plan_claims(rng: random.Random, count: int, seen: set[str]) -> list[Claim]:
    """Plan ``count`` claims with unique stems (case-insensitive), about 0.5% duplicated."""
    table = folder_table()
    cum = list(itertools.accumulate(row[2] for row in table))
    duplicates = round(count * 0.005) if count >= 100 else 0
    claims: list[Claim] = []
    for row in rng.choices(table, cum_weights=cum, k=count - duplicates):
        stem, title = _title_text(rng)
        while stem.lower() in seen or title.lower() in seen:
            stem, title = _title_text(rng)
        seen.update((stem.lower(), title.lower()))
        claims.append(Claim(row[0], stem, title, row[1], _headings(rng)))
    return claims + _plan_duplicates(rng, claims, duplicates, table)


def _plan_duplicates(rng: random.Random, claims: list[Claim], count: int,
                     table: tuple[tuple[str, str, float], ...]) -> list[Claim]:
    """Copy ``count`` stems into a second folder, as real codexes hold ~40 such pairs."""
    originals = [c for c in claims if not c.is_truncated]
    twins = []
    for original in rng.sample(originals, min(count, len(originals))):
        folder, domain, _ = rng.choice([row for row in table if row[0] != original.folder])
        twins.append(Claim(folder, original.stem, original.title, domain, _headings(rng)))
    return twins


def _source_slug(rng: random.Random, date: str, author: str, seen: set[str]) -> str:
    """Return a unique ``YYYY-MM-DD-author-slug`` stem."""
    while True:
        words = vocab.make_clause(rng).split()[: rng.randint(3, 6)]
        slug = f"{date}-{vocab.slugify(author)}-{vocab.slugify(' '.join(words))}"
        if slug.lower() not in seen:
            seen.add(slug.lower())
            return slug


def plan_sources(rng: random.Random, count: int, claims: list[Claim], seen: set[str]) -> list[Source]:
    """Plan ``count`` source notes, each naming a few extracted and enriched claims."""
    sources = []
    for _ in range(count):
        date = random_date(rng)
        author = rng.choice(vocab.AUTHORS + vocab.ORGS)
        title = vocab.make_sentence(rng, 30, 90)
        extracted = tuple(c.stem for c in rng.sample(claims, min(len(claims), rng.randint(0, 4))))
        enriched = tuple(c.stem for c in rng.sample(claims, min(len(claims), rng.choice((0, 0, 1, 2)))))
        domain = rng.choice(DOMAINS)
        sources.append(Source(_source_slug(rng, date, author, seen), title[0].upper() + title[1:],
                              author, date, domain, extracted, enriched))
    return sources


class Picker:
    """Draws link targets: Zipf-popular claims globally, or uniform within a folder."""

    def __init__(self, rng: random.Random, claims: list[Claim]) -> None:
        """Rank claims in a seeded random order and precompute cumulative Zipf weights."""
        self._rng = rng
        order = list(range(len(claims)))
        rng.shuffle(order)
        self._order = order
        self._cum = list(itertools.accumulate(1 / (r + 1) ** ZIPF_EXPONENT for r in range(len(order))))
        self._by_folder: dict[str, list[int]] = {}
        for index, claim in enumerate(claims):
            self._by_folder.setdefault(claim.folder, []).append(index)
        self._claims = claims

    def pick(self, source: int) -> int:
        """Return the index of a target claim for a link written in claim ``source``."""
        if self._rng.random() < SAME_FOLDER_SHARE:
            return self._rng.choice(self._by_folder[self._claims[source].folder])
        rank = bisect.bisect_left(self._cum, self._rng.random() * self._cum[-1])
        return self._order[min(rank, len(self._order) - 1)]

    def pick_distinct(self, source: int, count: int) -> list[int]:
        """Return up to ``count`` distinct targets, never ``source`` itself."""
        chosen: list[int] = []
        for _ in range(count * 3):
            target = self.pick(source)
            if target != source and target not in chosen:
                chosen.append(target)
            if len(chosen) == count:
                break
        return chosen
