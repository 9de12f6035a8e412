"""Value types shared by every stage: severities, diagnostics, links and notes."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Mapping, NamedTuple


class Severity(enum.IntEnum):
    """How much a diagnostic matters; errors fail `kb check`, warnings only under --strict."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """Lower-case name as printed: "error", "warning", "info"."""
        return self.name.lower()


class Diagnostic(NamedTuple):
    """One problem found in one file, at a 1-based line and column (orders by place)."""

    path: str  # POSIX path relative to the knowledge-base root
    line: int
    col: int
    code: str  # stable code, e.g. "KB301"
    rule: str  # stable kebab-case name, e.g. "broken-link"
    severity: Severity
    message: str
    hint: str = ""  # a suggested fix, e.g. "did you mean [[Foo Bar]]?"


class LinkKind(str, enum.Enum):
    """Where a link was written, which decides the type of graph edge it makes."""

    BODY = "body"  # inline in the argument
    RELATES = "relates"  # a bullet under "Relevant Notes:"
    TOPIC = "topic"  # a bullet under "Topics:"
    EVIDENCE = "evidence"  # the *Source:* line of an Additional Evidence section
    DEPENDS_ON = "depends_on"  # front matter
    CHALLENGED_BY = "challenged_by"  # front matter
    CLAIMS_EXTRACTED = "claims_extracted"  # front matter of a source note
    ENRICHMENTS = "enrichments"  # front matter of a source note


FRONT_MATTER_KINDS = frozenset(
    {LinkKind.DEPENDS_ON, LinkKind.CHALLENGED_BY, LinkKind.CLAIMS_EXTRACTED, LinkKind.ENRICHMENTS}
)


class Link(NamedTuple):
    """A wiki link as written: `[[target#heading|alias]]` or a bare front-matter title."""

    raw: str  # the text between the brackets (or the whole list item)
    target: str  # normalised target: no alias, heading or trailing .md; NFC
    heading: str  # "" when the link names no heading
    alias: str  # "" when the link has no alias
    line: int
    col: int
    kind: LinkKind
    context: str = ""  # relationship prose after " — ", or the stance of an evidence section
    bracketed: bool = True  # False for a bare title in a front-matter list


class Evidence(NamedTuple):
    """An `### Additional Evidence (stance)` section of a claim."""

    stance: str  # confirm | extend | challenge
    line: int
    source: str  # target of the section's *Source:* link, "" if it names none


@dataclass(frozen=True, slots=True)  # slots: a large base holds tens of thousands
class Note:
    """One Markdown file of the knowledge base, as loaded (bodies are re-read when rendering)."""

    path: str  # POSIX path relative to root, e.g. "domains/ai/x.md"
    title: str  # the file stem, NFC-normalised
    kind: str  # "claim", "source", "map", another `type`, or "note" when untyped
    meta: Mapping[str, Any]  # front matter as parsed (empty when absent or broken)
    positions: Mapping[str, tuple[int, int]]  # front-matter key -> (line, col)
    links: tuple[Link, ...]
    headings: tuple[str, ...]  # ATX heading texts outside code
    evidence: tuple[Evidence, ...]
    body_line: int  # 1-based line where the body starts
    digest: str  # content hash of the file's bytes
    has_front_matter: bool = True
    program: str | None = None  # a source note's own program key


    def position(self, key: str) -> tuple[int, int]:
        """Line and column of a front-matter key, or the top of the file."""
        return self.positions.get(key, (1, 1))

    def challenge_count(self) -> int:
        """How contested the note is: its `challenged_by` items (challenging notes or counter-evidence,
        whether or not they resolve) and its `Additional Evidence (challenge)` sections."""
        items = self.meta.get("challenged_by")
        listed = [items] if isinstance(items, str) else items if isinstance(items, list) else []
        written = sum(1 for item in listed if isinstance(item, str) and item.strip())
        return written + sum(1 for section in self.evidence if section.stance == "challenge")


class Resolution(NamedTuple):
    """Where a link points: a note's path, or why it points nowhere."""

    status: str  # "ok" | "case" | "missing" | "ambiguous" | "outside"
    path: str | None = None
    candidates: tuple[str, ...] = ()


class ResolvedLink(NamedTuple):
    """A link together with the note it was written in and what it resolved to."""

    origin: str  # path of the note holding the link
    link: Link
    resolution: Resolution

    @property
    def target_path(self) -> str | None:
        """Path of the note linked to, when the link resolved."""
        return self.resolution.path if self.resolution.status in ("ok", "case") else None


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What reading one file gives: the note (None if unreadable) and its diagnostics."""

    note: Note | None
    diagnostics: tuple[Diagnostic, ...] = field(default=())


@dataclass(frozen=True)
class KnowledgeBase:
    """A loaded, resolved and checked knowledge base: what `kb.load(root)` returns."""

    root: Any  # pathlib.Path of the root folder
    settings: Any  # kb.config.Settings in force
    notes: Mapping[str, Note]  # by path, sorted
    links: tuple[ResolvedLink, ...]  # every link of every note, in note then file order
    diagnostics: tuple[Diagnostic, ...]  # sorted, severities applied

    def of_kind(self, kind: str) -> list[Note]:
        """Notes of one kind ("claim", "source", "map", ...), by path."""
        return [note for note in self.notes.values() if note.kind == kind]

    @property
    def claims(self) -> list[Note]:
        """All claims, by path."""
        return self.of_kind("claim")

    @property
    def sources(self) -> list[Note]:
        """All source notes, by path."""
        return self.of_kind("source")

    @property
    def maps(self) -> list[Note]:
        """All topic maps, by path."""
        return self.of_kind("map")

    def outlinks(self) -> dict[str, list[ResolvedLink]]:
        """Links by the note they are written in."""
        table: dict[str, list[ResolvedLink]] = {}
        for item in self.links:
            table.setdefault(item.origin, []).append(item)
        return table

    def graph(self) -> Any:
        """The typed networkx graph of notes (networkx is imported only when asked for)."""
        from kb.graph import build_graph

        return build_graph(self)
