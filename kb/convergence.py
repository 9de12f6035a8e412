"""Convergence across research programs: which independent programs support or challenge each claim.

Evidence comes from three places, each kept with the text that matched:
  source-field      citations in the claim's free-text `source` (kb.programs.extract_citations)
  source-note       a source note naming the claim in `claims_extracted` or `enrichments`
  evidence-section  an `### Additional Evidence (confirm|extend|challenge)` section citing a source note
Keys are merged through source notes (a note whose url holds an arXiv id or DOI ties that id to the
note's author-year key) and an optional `programs.yaml` alias table at the root.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from kb.cache import TextMemo
from kb.collector import collector_paused
from kb.config import PROGRAM_ALIASES
from kb.model import KnowledgeBase, LinkKind, Note
from kb.programs import extract_citations
from kb.source_note_keys import key_from_source_note
from kb.workers import Workers

NO_AUTHOR = frozenset({"", "unattributed", "unknown", "anonymous", "anon", "n/a", "none"})
SUPPORTING = {"confirm": "support", "extend": "support", "challenge": "challenge"}
Citations = tuple[tuple[str, str], ...]  # (program key, cited text) of each citation in a text


@dataclass(frozen=True, slots=True)
class ProgramEvidence:
    """One piece of evidence tying a program to a claim."""

    kind: str  # source-field | source-note | evidence-section
    text: str  # the matched citation, or the source note and stance
    stance: str  # support | challenge


@dataclass(slots=True)  # one per claim
class ClaimPrograms:
    """The programs behind one claim, with the evidence for each."""

    path: str
    evidence: dict[str, tuple[ProgramEvidence, ...]] = field(default_factory=dict)  # program key -> evidence

    def stance(self, key: str) -> str:
        """support, challenge, or mixed when one program's evidence points both ways."""
        stances = {e.stance for e in self.evidence[key]}
        return stances.pop() if len(stances) == 1 else "mixed"

    def stances(self) -> dict[str, str]:
        """Every program's stance on the claim, each worked out once."""
        return {key: self.stance(key) for key in self.evidence}


def supporting(stances: Mapping[str, str]) -> int:
    """Number of programs supporting a claim (alone or mixed), from its programs' stances."""
    return sum(1 for stance in stances.values() if stance != "challenge")


@dataclass(frozen=True)
class Convergence:
    """Programs per claim and claims per program for a whole knowledge base."""

    claims: dict[str, ClaimPrograms]  # claim path -> programs
    confidence: dict[str, str]  # claim path -> confidence level

    @cached_property
    def programs(self) -> dict[str, list[str]]:
        """Program key -> claim paths it bears on, both sorted (computed once)."""
        table: dict[str, set[str]] = defaultdict(set)
        for path, found in self.claims.items():
            for key in found.evidence:
                table[key].add(path)
        return {key: sorted(paths) for key, paths in sorted(table.items())}

    def stances(self, path: str) -> dict[str, str]:
        """Program key -> stance on a claim (none for a claim without programs)."""
        found = self.claims.get(path)
        return found.stances() if found else {}

    def count(self, path: str) -> int:
        """Number of independent programs supporting a claim."""
        return supporting(self.stances(path))

    def flags(self, path: str, stances: Mapping[str, str] | None = None) -> list[dict[str, str]]:
        """Warnings about a claim's support: one program for a strong rating, disagreement, none.

        `stances`: the claim's (as `stances` gives them), when already worked out.
        """
        stances = self.stances(path) if stances is None else stances
        level, flags = self.confidence.get(path, ""), []
        if not stances:
            flags.append({"kind": "no-program", "text": "No identifiable research program stands behind this claim."})
        elif level in ("proven", "likely") and supporting(stances) <= 1:
            flags.append({"kind": "single-program", "text": f"Rated {level} but supported by only {supporting(stances)} program."})
        seen = set(stances.values())
        if seen & {"challenge", "mixed"} and seen & {"support", "mixed"}:
            flags.append({"kind": "disagreement", "text": "Evidence disagrees: programs (or one program's sources) both support and challenge this claim."})
        return flags

    def claim_view(self, path: str) -> dict[str, Any]:
        """What a claim page shows: programs with stance and evidence, count and flags."""
        stances = self.stances(path)
        evidence = self.claims[path].evidence if stances else {}
        rows = [
            {"key": key, "stance": stances[key], "url": f"programs/{key_file(key)}.html",
             "evidence": [{"kind": e.kind, "text": e.text} for e in evidence[key]]}
            for key in sorted(stances, key=lambda k: (stances[k] == "challenge", k))
        ]  # fmt: skip
        return {"count": supporting(stances), "programs": rows, "flags": self.flags(path, stances)}


def key_file(key: str) -> str:
    """A program key as a file name (keys may hold `/` from DOIs)."""
    return key.replace("/", "_")


def compute_convergence(kb: KnowledgeBase) -> Convergence:
    """Find the programs behind every claim of a knowledge base."""
    with collector_paused():  # tens of thousands of small, acyclic objects next to a large loaded base
        return _compute(kb)


def _compute(kb: KnowledgeBase) -> Convergence:
    """`compute_convergence` itself."""
    cited = citations_by_text(kb)
    aliases = {**source_note_aliases(kb, cited), **alias_table(kb.root)}
    claim_notes = kb.claims
    claims = {note.path: ClaimPrograms(note.path) for note in claim_notes}
    field_evidence = _source_field_evidence(cited)
    for note in claim_notes:
        for key, evidence in field_evidence.get(cited_text(note), ()):
            _add(claims[note.path], aliases, key, evidence)
    for path, key, evidence in _link_evidence(kb, claims):
        _add(claims[path], aliases, key, evidence)
    merge_undated(claims)
    confidence = {n.path: str(n.meta.get("confidence") or "") for n in claim_notes}
    return Convergence(claims, confidence)


def _source_field_evidence(cited: Mapping[str, Citations]) -> dict[str, list[tuple[str, ProgramEvidence]]]:
    """(program key, evidence) per cited text, built once and shared by every claim citing that text."""
    return {text: [(key, ProgramEvidence("source-field", match, "support")) for key, match in found]
            for text, found in cited.items()}


def merge_undated(claims: dict[str, ClaimPrograms]) -> None:
    """Fold `name-nd` into `name-YYYY` when the base cites that name with exactly one year."""
    keys = set().union(*(found.evidence for found in claims.values()))
    years: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        name, _, year = key.rpartition("-")
        if name and year.isdigit():
            years[name].add(key)
    dated = {key: next(iter(years[key[:-3]])) for key in keys if key.endswith("-nd") and len(years.get(key[:-3], ())) == 1}
    for found in claims.values() if dated else ():
        for key in [k for k in found.evidence if k in dated]:
            for item in found.evidence.pop(key):
                _add(found, {}, dated[key], item)


def _add(found: ClaimPrograms, aliases: dict[str, str], key: str, evidence: ProgramEvidence) -> None:
    """Record evidence under the program's canonical key (one entry per kind and text)."""
    canonical = aliases.get(key, key)
    entries = found.evidence.get(canonical, ())
    if evidence not in entries:
        found.evidence[canonical] = (*entries, evidence)  # a tuple: most hold one or two, and a list costs half again


def _link_evidence(kb: KnowledgeBase, claims: Mapping[str, ClaimPrograms]) -> Iterator[tuple[str, str, ProgramEvidence]]:
    """(claim path, program key, evidence) from source notes' claim lists and claims' evidence sections."""
    listings: dict[tuple[str, LinkKind], ProgramEvidence] = {}  # one shared evidence per source note and list
    sections: dict[tuple[str, str], ProgramEvidence] = {}  # one shared evidence per source link and stance as written
    for origin, link, target in _evidence_links(kb):
        if link.kind is LinkKind.EVIDENCE:
            key = source_key(kb.notes[target]) if origin in claims and kb.notes[target].kind == "source" else None
            if key:
                yield origin, key, _section_evidence(sections, link.raw, link.context)
        elif target in claims and source_key(kb.notes[origin]):
            if (origin, link.kind) not in listings:
                text = f"{kb.notes[origin].title} lists this claim in {link.kind.value}"
                listings[origin, link.kind] = ProgramEvidence("source-note", text, "support")
            yield target, source_key(kb.notes[origin]), listings[origin, link.kind]


def _section_evidence(sections: dict[tuple[str, str], ProgramEvidence], raw: str, context: str) -> ProgramEvidence:
    """The evidence an `Additional Evidence` section citing `[[raw]]` with stance `context` gives (shared)."""
    found = sections.get((raw, context))
    if found is None:
        found = sections[raw, context] = ProgramEvidence("evidence-section", f"[[{raw}]] ({context})", SUPPORTING.get(context, "support"))
    return found


def _evidence_links(kb: KnowledgeBase) -> Iterator[tuple[str, Any, str]]:
    """(origin, link, target path) of resolved links that can carry evidence: claim lists and evidence sections."""
    kinds = (LinkKind.EVIDENCE, LinkKind.CLAIMS_EXTRACTED, LinkKind.ENRICHMENTS)
    for resolved in kb.links:
        if resolved.link.kind in kinds:
            target = resolved.target_path
            if target is not None:
                yield resolved.origin, resolved.link, target


def source_key(note: Note) -> str | None:
    """The program key of a source note (computed when the note was read)."""
    return note.program


def program_of_source(meta: Mapping[str, Any], title: str) -> str | None:
    """The program key of a source note, from its author, date, url or title."""
    author = meta.get("author")
    if isinstance(author, str) and author.strip().casefold() in NO_AUTHOR:
        author = None
    named = meta.get("title") if isinstance(meta.get("title"), str) else title
    url = meta.get("url") if isinstance(meta.get("url"), str) else None
    return key_from_source_note(author, named, meta.get("date"), url)


def cited_text(note: Note) -> str:
    """The text whose citations count for a note: a claim's `source`, a source note's `url`."""
    text = note.meta.get("url" if note.kind == "source" else "source")
    return text if isinstance(text, str) else ""


def citations_by_text(kb: KnowledgeBase) -> dict[str, Citations]:
    """The citations of every distinct cited text, extracted once and cached on disk."""
    memo = TextMemo(kb.root, "citations")
    texts = (cited_text(note) for note in kb.notes.values() if note.kind in ("claim", "source"))
    table = memo.values((text for text in texts if text), extract_all)
    memo.save(set(table))
    return table


def extract_all(texts: list[str]) -> list[Citations]:
    """The citations of each text; by the worker processes when there are enough texts to share."""
    with Workers() as workers:
        pool = workers.for_files(len(texts))
        if pool is None:
            return citations_of(texts)
        size = -(-len(texts) // (Workers.size() * 4))  # a few parts per worker, for an even finish
        parts = pool.map(citations_of, [texts[start : start + size] for start in range(0, len(texts), size)])
        return [found for part in parts for found in part]


def citations_of(texts: list[str]) -> list[Citations]:
    """The citations of each text, in order (a worker's part of extract_all)."""
    return [tuple((c.key, c.text) for c in extract_citations(text)) for text in texts]


def source_note_aliases(kb: KnowledgeBase, cited: Mapping[str, Citations]) -> dict[str, str]:
    """arXiv ids and DOIs in source-note URLs, mapped to the note's own program key."""
    aliases = {}
    for note in kb.sources:
        key = source_key(note)
        for other, _ in cited.get(cited_text(note), ()) if key else ():
            if other != key and other.startswith(("arxiv-", "doi-")):
                aliases[other] = key
    return aliases


def alias_table(root: Path) -> dict[str, str]:
    """`programs.yaml` at the root: `canonical-key: [alias, alias]` (missing or bad file: none)."""
    path = Path(root) / PROGRAM_ALIASES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(alias): str(key) for key, names in data.items() if isinstance(names, list) for alias in names}
