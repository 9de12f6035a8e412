"""Write a synthetic codex-style knowledge base for benchmarking kb.

Usage::

    python -m benchmarks.generate --claims 10000 --out /tmp/codex-10k [--seed 1]

The tree imitates the layout described in shared/CONVENTIONS.md (domains/,
foundations/, core/, inbox/archive/, ``_map.md`` topic maps, long prose titles,
mixed wiki-link forms, deliberate breaks and front-matter noise). The same
arguments always give a byte-identical tree.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks import vocab
from benchmarks.plan import DOMAINS, SOURCE_FORMATS, Claim, Picker, Source
from benchmarks.plan import plan_claims, plan_sources, random_date

BROKEN_SHARE = 0.08         # claim-to-claim links that miss on purpose (~6.5% of all links with missing maps)
MISSING_MAPS = (2, 1)       # domain / other folders whose _map.md is never written
SENTENCE_POOL = 4000
CONFIDENCE = ("likely",) * 45 + ("experimental",) * 30 + ("speculative",) * 15 + ("proven",) * 10
OFF_ENUM_CONFIDENCE = ("high", "medium", "moderate", "plausible")
MAP_HEADINGS = ("Foundations", "Mechanisms", "Evidence", "Open questions", "Failure modes",
                "Applications", "Institutions")
STANCES = ("confirm", "confirm", "extend", "extend", "challenge")
EXTRACTORS = ("bot", "bot", "bot", "leo", "rio", "theseus")


@dataclass(frozen=True)
class CorpusStats:
    """What one generator run wrote."""

    claims: int                      # claim files, duplicates and noisy files included
    sources: int                     # source notes under inbox/archive/
    maps: int                        # _map.md files written
    links: int                       # wiki links outside code, in every file
    broken_links: int                # links written to resolve to nothing
    case_variant_links: int          # links that resolve only when case is ignored
    code_links: int                  # [[...]] inside code spans or fences (text, not links)
    duplicate_titles: int            # stems saved in a second folder
    truncated_titles: int            # stems cut at the byte limit
    files: int                       # all files written
    bytes_written: int               # their total size
    malformed_front_matter: tuple[str, ...]  # paths whose YAML is broken on purpose
    no_front_matter: tuple[str, ...]         # claim paths written without front matter

    def summary(self) -> str:
        """Return one ``name: value`` line per field; path lists are shown as counts."""
        lines = []
        for name, value in vars(self).items():
            shown = len(value) if isinstance(value, tuple) else value
            lines.append(f"{name}: {shown}")
        return "\n".join(lines)


@dataclass
class _Tally:
    """Counters filled while writing; frozen into CorpusStats at the end."""

    links: int = 0
    broken: int = 0
    case_variant: int = 0
    code_links: int = 0
    files: int = 0
    bytes: int = 0
    malformed: list[str] = field(default_factory=list)
    bare: list[str] = field(default_factory=list)


class CorpusWriter:
    """Renders planned claims, sources and maps and writes them under ``out``."""

    def __init__(self, out: Path, rng: random.Random, claims: list[Claim], sources: list[Source]) -> None:
        """Index the plan and choose which topic maps go missing."""
        self.out, self.rng, self.claims, self.sources = out, rng, claims, sources
        self.tally = _Tally()
        self.pool = vocab.make_sentence_pool(rng, SENTENCE_POOL)
        self.picker = Picker(rng, claims)
        self.resolvable = {c.stem.lower() for c in claims} | {s.slug.lower() for s in sources}
        self.truncated = [c for c in claims if c.is_truncated]
        self.duplicated = _duplicated([c.stem for c in claims])
        used = sorted({c.folder for c in claims})
        missing = _choose_missing_maps(rng, used)
        self.mapped = [f for f in used if f not in missing]

    # -- links -------------------------------------------------------------

    def _count(self, kind: str) -> None:
        """Record one written link of kind ``ok``, ``case``, ``broken`` or ``pending``."""
        self.tally.links += 1
        self.tally.broken += kind in ("broken", "pending")
        self.tally.case_variant += kind == "case"

    def link(self, target: Claim) -> tuple[str, str]:
        """Return ``([[...]] text, kind)`` for a link aimed at ``target``; some miss on purpose."""
        if self.rng.random() < BROKEN_SHARE:
            text, kind = self._broken_text(target)
        elif target.is_truncated and self.rng.random() < 0.5:
            text, kind = target.title, "broken"  # the full sentence, not the saved stem
        else:
            text, kind = self._valid_text(target)
        self._count(kind)
        return f"[[{text}]]", kind

    def _valid_text(self, target: Claim) -> tuple[str, str]:
        """Return a resolving link body in one of the forms of CONVENTIONS.md."""
        roll, stem = self.rng.random(), target.stem
        if roll < 0.008:
            return stem[0].swapcase() + stem[1:], "case"
        if roll < 0.065:
            return f"{stem}.md", "ok"
        if roll < 0.125:
            return f"{target.folder}/{stem}", "ok"
        if roll < 0.175:
            return f"{stem}|{' '.join(stem.split()[:4])}", "ok"
        if roll < 0.215 and target.headings and stem not in self.duplicated:
            return f"{stem}#{self.rng.choice(target.headings)}", "ok"
        return stem, "ok"

    def _broken_text(self, target: Claim) -> tuple[str, str]:
        """Return a link body that resolves to nothing: renamed, re-spelled, truncated or absent."""
        roll, words = self.rng.random(), target.stem.split(" ")
        candidate, kind = "", "broken"
        if roll < 0.30 and len(words) > 4:
            del words[self.rng.randrange(1, len(words) - 1)]
            candidate = " ".join(words)  # a claim renamed after the link was written
        elif roll < 0.55:
            candidate = target.stem.replace(" ", "-") if len(words) > 1 else target.stem.replace("-", " ")
        elif roll < 0.70 and self.truncated:
            candidate = self.rng.choice(self.truncated).title
        if not candidate or candidate.lower() in self.resolvable:
            candidate, kind = self._absent_title(), "pending"
        return candidate, kind

    def _absent_title(self) -> str:
        """Return a plausible title that no file has."""
        while True:
            title = vocab.make_sentence(self.rng, 60, 200)
            if title.lower() not in self.resolvable:
                return title

    def map_link(self, folder: str) -> str:
        """Return ``[[folder/_map]]`` and count it, broken when that map is not written."""
        self._count("ok" if folder in self.mapped else "broken")
        return f"[[{folder}/_map]]"

    # -- claims ------------------------------------------------------------

    def render_claim(self, index: int) -> str:
        """Return the full text of claim ``index``."""
        claim, noise = self.claims[index], self._noise()
        secondary = self._secondary_domains(claim)
        blocks = [self._claim_front_matter(index, secondary, noise), f"# {claim.title}"]
        blocks += self._body_blocks(index) + self._evidence_blocks()
        blocks += ["---", self._notes(index), self._topics(claim, secondary)]
        if noise == "malformed":
            self.tally.malformed.append(claim.path)
        if noise == "bare":
            self.tally.bare.append(claim.path)
        return "\n\n".join(b for b in blocks if b) + "\n"

    def _noise(self) -> str:
        """Pick this claim's deliberate defect, usually none."""
        roll = self.rng.random()
        for limit, kind in ((0.005, "no-confidence"), (0.010, "no-source"), (0.015, "off-enum"),
                            (0.018, "malformed"), (0.021, "bare")):
            if roll < limit:
                return kind
        return ""

    def _secondary_domains(self, claim: Claim) -> list[str]:
        """Return 0-2 secondary domains (30% of claims have any)."""
        if self.rng.random() >= 0.3:
            return []
        others = [d for d in DOMAINS if d != claim.domain]
        return self.rng.sample(others, self.rng.randint(1, 2))

    def _claim_front_matter(self, index: int, secondary: list[str], noise: str) -> str:
        """Return the ``---`` block of a claim, with this claim's noise applied."""
        if noise == "bare":
            return ""
        claim, rng = self.claims[index], self.rng
        lines = ["---", "type: claim", f"domain: {claim.domain}"]
        if secondary:
            lines.append(f"secondary_domains: [{', '.join(secondary)}]")
        lines.append(self._description_line(noise))
        if noise != "no-confidence":
            pool = OFF_ENUM_CONFIDENCE if noise == "off-enum" else CONFIDENCE
            lines.append(f"confidence: {rng.choice(pool)}")
        if noise != "no-source":
            lines.append(_quoted(rng, "source", vocab.make_source_field(rng), 0.1))
        lines.append(_quoted(rng, "created", random_date(rng, 2025), 0.2))
        if rng.random() < 0.15:
            lines.append(f"last_evaluated: {random_date(rng, 2026)}")
        lines += self._relation_lines(index)
        if rng.random() < 0.01:
            lines.append("status: retired")
        return "\n".join(lines + ["---"])

    def _description_line(self, noise: str) -> str:
        """Return the ``description`` line; a malformed one carries an unquoted ``: ``."""
        text = self.rng.choice(self.pool)
        if noise == "malformed":
            return f"description: {text[:-1]}: {self.rng.choice(self.pool)}"
        return _quoted(self.rng, "description", text, 0.15)

    def _relation_lines(self, index: int) -> list[str]:
        """Return optional ``depends_on`` / ``challenged_by`` lists of bare titles."""
        lines: list[str] = []
        if self.rng.random() < 0.3:
            targets = self.picker.pick_distinct(index, self.rng.randint(1, 3))
            lines += _yaml_list(self.rng, "depends_on", [self.claims[t].stem for t in targets])
        if self.rng.random() < 0.15:
            targets = self.picker.pick_distinct(index, self.rng.randint(1, 2))
            items = [self.claims[t].stem for t in targets]
            if self.rng.random() < 0.2:  # counter-evidence in prose that names no claim
                items.append(self.rng.choice(self.pool).rstrip("."))
            lines += _yaml_list(self.rng, "challenged_by", items)
        return lines

    def _body_blocks(self, index: int) -> list[str]:
        """Return the argument: 2-6 paragraphs, ``##`` headings, sometimes table or code."""
        headings = self.claims[index].headings
        blocks = []
        for number in range(max(self.rng.randint(2, 6), len(headings) + 1)):
            if 1 <= number <= len(headings):
                blocks.append(f"## {headings[number - 1]}")
            blocks.append(self._paragraph(index))
        return blocks + self._extras()

    def _paragraph(self, index: int, link_chance: float = 0.3) -> str:
        """Return 3-7 pooled sentences, sometimes ending with an inline wiki link."""
        text = " ".join(self.rng.sample(self.pool, self.rng.randint(3, 7)))
        if self.rng.random() < link_chance:
            target = self.claims[self.picker.pick(index)]
            text += f" This builds on {self.link(target)[0]}."
        return text

    def _extras(self) -> list[str]:
        """Return optional GFM table, fenced code and inline code holding ``[[...]]`` text."""
        rng, blocks = self.rng, []
        if rng.random() < 0.10:
            rows = [f"| {rng.choice(vocab.OBJECTS)} | {rng.randint(1, 99)}% | {vocab.make_citation(rng)} |"
                    for _ in range(rng.randint(2, 5))]
            blocks.append("\n".join(["| measure | value | source |", "|---|---|---|", *rows]))
        if rng.random() < 0.05:
            self.tally.code_links += 1
            blocks.append(f"```markdown\n- [[{self._absent_title()}]] — how a note is linked\n```")
        if rng.random() < 0.05:
            self.tally.code_links += 1
            blocks.append(f"Links are written as `[[{rng.choice(vocab.SUBJECTS)}]]`, not as bare titles.")
        return blocks

    def _evidence_blocks(self) -> list[str]:
        """Return 0-3 ``### Additional Evidence (stance)`` sections citing source notes."""
        rng, blocks = self.rng, []
        count = rng.choices((0, 1, 2, 3), weights=(40, 30, 20, 10))[0] if self.sources else 0
        for _ in range(count):
            source = rng.choice(self.sources)
            self._count("ok")
            blocks.append(f"### Additional Evidence ({rng.choice(STANCES)})\n"
                          f"*Source: [[{source.slug}]] | Added: {random_date(rng, 2026)} | "
                          f"Extractor: {rng.choice(EXTRACTORS)}*\n"
                          + " ".join(rng.sample(self.pool, rng.randint(1, 3))))
        return blocks

    def _notes(self, index: int) -> str:
        """Return the ``Relevant Notes:`` list; 80% of lines describe the relationship."""
        lines = ["Relevant Notes:"]
        for target in self.picker.pick_distinct(index, self.rng.randint(2, 8)):
            text, kind = self.link(self.claims[target])
            if kind == "pending" and self.rng.random() < 0.4:
                text += " (claim pending)"
            elif self.rng.random() < 0.8:
                text += f" — {self.rng.choice(vocab.RELATIONS)}"
            lines.append(f"- {text}")
        return "\n".join(lines)

    def _topics(self, claim: Claim, secondary: list[str]) -> str:
        """Return the ``Topics:`` list linking the claim's own map and some secondary maps."""
        lines = ["Topics:", f"- {self.map_link(claim.folder)}"]
        for domain in secondary:
            if self.rng.random() < 0.5 and f"domains/{domain}" != claim.folder:
                lines.append(f"- {self.map_link(f'domains/{domain}')}")
        return "\n".join(lines)

    # -- sources and maps --------------------------------------------------

    def render_source(self, source: Source) -> str:
        """Return a source note with the front matter fields of CONVENTIONS.md."""
        rng = self.rng
        status = ("processed", '"processed"', "processing")[rng.choices((0, 1, 2), (80, 12, 8))[0]]
        if not source.extracted:
            status = rng.choice(("null-result", "unprocessed"))
        tags = sorted({vocab.slugify(rng.choice(vocab.OBJECTS)) for _ in range(rng.randint(1, 3))})
        lines = ["---", "type: source", f'title: "{source.title}"', f"author: {source.author}",
                 f"url: https://example.org/{source.slug[11:]}", f"date: {source.date}",
                 f"domain: {source.domain}", f"format: {rng.choice(SOURCE_FORMATS)}",
                 f"status: {status}", "processed_by: bot"]
        lines += _yaml_list(rng, "claims_extracted", list(source.extracted))
        lines += _yaml_list(rng, "enrichments", list(source.enrichments))
        lines += [f"tags: [{', '.join(tags)}]", "---"]
        body = [f"# {source.title}", " ".join(rng.sample(self.pool, rng.randint(3, 8)))]
        if source.extracted:
            body.append("\n".join(["## Extracted claims"] + [f"- {self._plain_link(s)}" for s in source.extracted]))
        return "\n".join(lines) + "\n\n" + "\n\n".join(body) + "\n"

    def _plain_link(self, stem: str, folder: str = "") -> str:
        """Return a resolving ``[[stem]]`` link (by path when the stem is ambiguous and known)."""
        self._count("ok")
        if folder and stem in self.duplicated:
            return f"[[{folder}/{stem}]]"
        return f"[[{stem}]]"

    def render_map(self, folder: str) -> str:
        """Return a topic map linking about 70% of a folder's claims under 2-4 headings."""
        rng, name = self.rng, folder.rsplit("/", 1)[1]
        members = [c for c in self.claims if c.folder == folder and rng.random() < 0.7]
        headings = rng.sample(MAP_HEADINGS, rng.randint(2, 4))
        blocks = [f"---\ntype: map\ndomain: {name}\ndescription: Topic map of the {name} claims.\n---",
                  f"# {name}"]
        share = -(-len(members) // len(headings))
        for number, heading in enumerate(headings):
            chunk = members[number * share:(number + 1) * share]
            blocks.append("\n".join([f"## {heading}"] + [f"- {self._plain_link(c.stem, folder)}" for c in chunk]))
        return "\n\n".join(blocks) + "\n"

    # -- output ------------------------------------------------------------

    def write(self, relative: str, text: str) -> None:
        """Write ``text`` to ``out/relative`` as UTF-8 with LF line ends."""
        data = text.encode("utf-8")
        (self.out / relative).write_bytes(data)
        self.tally.files += 1
        self.tally.bytes += len(data)

    def write_all(self) -> None:
        """Write every claim, source note and topic map."""
        folders = sorted({c.folder for c in self.claims}) + ["inbox/archive"]
        for folder in folders:
            (self.out / folder).mkdir(parents=True, exist_ok=True)
        for index, claim in enumerate(self.claims):
            self.write(claim.path, self.render_claim(index))
        for source in self.sources:
            self.write(f"inbox/archive/{source.slug}.md", self.render_source(source))
        for folder in self.mapped:
            self.write(f"{folder}/_map.md", self.render_map(folder))


def _choose_missing_maps(rng: random.Random, used: list[str]) -> set[str]:
    """Pick the folders whose topic map is never written: two smaller domains, one other."""
    large = {f"domains/{d}" for d in DOMAINS[:4]}  # keeps the broken share steady across seeds
    domains = [f for f in used if f.startswith("domains/") and f not in large]
    others = [f for f in used if not f.startswith("domains/")]
    missing = rng.sample(domains, min(MISSING_MAPS[0], max(0, len(domains) - 1)))
    return set(missing + rng.sample(others, min(MISSING_MAPS[1], len(others))))


def _duplicated(stems: list[str]) -> set[str]:
    """Return stems that occur more than once."""
    return {stem for stem, count in Counter(stems).items() if count > 1}


def _quoted(rng: random.Random, key: str, value: str, share: float) -> str:
    """Return ``key: value``, double-quoted in about ``share`` of cases (both occur in the wild)."""
    if rng.random() < share:
        return f'{key}: "{value}"'
    return f"{key}: {value}"


def _yaml_list(rng: random.Random, key: str, items: list[str]) -> list[str]:
    """Return a YAML list as ``[a, b]`` flow or as a block list, as real repositories mix both."""
    if not items:
        return [f"{key}: []"]
    if rng.random() < 0.5 and not any("," in item for item in items):
        return [f"{key}: [{', '.join(items)}]"]
    indent = rng.choice(("  ", ""))
    return [f"{key}:"] + [f"{indent}- {item}" for item in items]


def generate_corpus(out: Path, claims: int, seed: int = 1) -> CorpusStats:
    """Write a corpus of ``claims`` claims (and ~claims/3 sources) into the empty folder ``out``."""
    if claims < 1:
        raise ValueError("claims must be at least 1")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    rng = random.Random(seed)
    seen: set[str] = set()
    planned = plan_claims(rng, claims, seen)
    writer = CorpusWriter(out, rng, planned, plan_sources(rng, claims // 3, planned, seen))
    writer.write_all()
    return _stats(writer)


def _stats(writer: CorpusWriter) -> CorpusStats:
    """Freeze the writer's counters into CorpusStats."""
    tally, claims = writer.tally, writer.claims
    return CorpusStats(
        claims=len(claims), sources=len(writer.sources), maps=len(writer.mapped),
        links=tally.links, broken_links=tally.broken, case_variant_links=tally.case_variant,
        code_links=tally.code_links, duplicate_titles=len(claims) - len({c.stem for c in claims}),
        truncated_titles=len(writer.truncated), files=tally.files, bytes_written=tally.bytes,
        malformed_front_matter=tuple(tally.malformed), no_front_matter=tuple(tally.bare))


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, generate the corpus and print its statistics."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.generate", description=__doc__.splitlines()[0],
        epilog="example: python -m benchmarks.generate --claims 10000 --out /tmp/codex-10k")
    parser.add_argument("--claims", type=int, required=True, help="number of claim files")
    parser.add_argument("--out", type=Path, required=True, help="empty or missing output folder")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    try:
        stats = generate_corpus(args.out, args.claims, args.seed)
    except (ValueError, FileExistsError) as error:
        parser.error(str(error))
    print(stats.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
