"""`kb new`: write a new claim or source note with valid front matter, refusing clashes first.

Nothing here prints: each function returns a Draft (where to write, what, and what to tell the
user) or a Refusal, and `write_draft` writes a draft without ever replacing a file.
"""

from __future__ import annotations

import datetime
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from kb.model import KnowledgeBase
from kb.urls import slugify

MAX_NAME_BYTES = 250  # a file name ("<title>.md") longer than this is cut by some file systems
LINK_BREAKERS = ("[", "]", "|", "#")  # a title holding these cannot be written as a [[wiki link]]
NEAR_SCORE = 85.0  # rapidfuzz token_set_ratio from which an existing title is shown as similar
DESCRIPTION_PLACEHOLDER = "TODO: one sentence adding scope, mechanism or evidence beyond the title."
SOURCE_PLACEHOLDER = "TODO: who proposed it, and the evidence (author year, arXiv id or URL)"
ARGUMENT_PLACEHOLDER = "TODO: the argument, citing its evidence inline."
SOURCES_FOLDER = "inbox/archive"


@dataclass(frozen=True)
class Draft:
    """A note ready to be written."""

    path: str  # POSIX path relative to the root
    text: str
    similar: tuple[str, ...] = ()  # paths of notes with similar titles, shown before writing


@dataclass(frozen=True)
class Refusal:
    """Why a note cannot be created."""

    message: str
    similar: tuple[str, ...] = ()


def title_problem(title: str) -> str:
    """Why a title cannot be a claim's file name and link target ("" when it can)."""
    if not title:
        return "the title is empty"
    if "/" in title or "\\" in title or "\0" in title:
        return "a title cannot hold `/`, `\\` or NUL: it is the file name"
    if title.startswith("."):
        return "a title cannot start with `.`: kb skips hidden files"
    if any(char in title for char in LINK_BREAKERS):
        return "a title cannot hold `[`, `]`, `|` or `#`: no [[wiki link]] could name it"
    size = len((title + ".md").encode("utf-8"))
    if size > MAX_NAME_BYTES:
        return f"the file name would be {size} bytes, over the {MAX_NAME_BYTES}-byte limit; shorten the title"
    return ""


def clean_title(raw: str) -> str:
    """A title as it will be saved: NFC, single spaces, no surrounding space."""
    return " ".join(unicodedata.normalize("NFC", raw).split())


def similar_titles(base: KnowledgeBase, title: str, limit: int = 5) -> tuple[str, ...]:
    """Paths of the notes whose titles are closest to `title`."""
    choices = {path: note.title for path, note in base.notes.items() if note.title != "_map"}
    found = process.extract(title, choices, scorer=fuzz.token_set_ratio, score_cutoff=NEAR_SCORE, limit=limit)
    return tuple(sorted(path for _, _, path in found))


def claim_folder(base: KnowledgeBase, domain: str) -> str:
    """The folder holding most claims of a domain, else `domains/<domain>`."""
    folders = Counter(str(PurePosixPath(n.path).parent) for n in base.claims if n.meta.get("domain") == domain)
    if folders:
        folder = min(folders, key=lambda name: (-folders[name], name))
        return "" if folder == "." else folder
    return f"domains/{domain}"


def yaml_text(value: Any) -> str:
    """A front-matter value: plain when YAML reads it back unchanged, else double-quoted (JSON)."""
    plain = str(value)
    if isinstance(value, str) and plain == plain.strip() and "\n" not in plain and not plain.startswith(("'", '"')):
        try:
            if yaml.safe_load(f"key: {plain}") == {"key": value}:
                return plain
        except yaml.YAMLError:
            pass
    return json.dumps(value, ensure_ascii=False)


def draft_claim(base: KnowledgeBase, title: str, domain: str, confidence: str = "experimental", source: str = "", today: datetime.date | None = None) -> Draft | Refusal:
    """A new claim in its domain's folder, unless its title is unusable or taken."""
    title = clean_title(title)
    problem = title_problem(title) or _domain_problem(domain)
    if problem:
        return Refusal(problem)
    taken = sorted(p for p, n in base.notes.items() if n.title.casefold() == title.casefold())
    if taken:
        return Refusal(f"a note with this title already exists: {', '.join(taken)}", tuple(taken))
    folder = claim_folder(base, domain)
    path = f"{folder}/{title}.md" if folder else f"{title}.md"
    created = today or datetime.date.today()
    front = {"type": "claim", "domain": domain, "description": DESCRIPTION_PLACEHOLDER, "confidence": confidence, "source": source or SOURCE_PLACEHOLDER, "created": created}
    text = _front_matter(front) + _claim_body(base, title, folder)
    return Draft(path, text, similar_titles(base, title))


def _domain_problem(domain: str) -> str:
    """Why a domain name cannot be a folder name ("" when it can)."""
    if not domain.strip() or domain != domain.strip():
        return "the domain must be a non-empty name without surrounding spaces"
    if any(char in domain for char in "/\\\0") or domain.startswith("."):
        return "the domain names a folder: no `/`, `\\`, NUL or leading `.`"
    return ""


def _front_matter(fields: dict[str, Any]) -> str:
    """A `---` block: quoted text values, bare ISO dates, `[]` for empty lists."""
    lines = ["---"]
    for key, value in fields.items():
        if isinstance(value, datetime.date):
            lines.append(f"{key}: {value.isoformat()}")
        else:
            lines.append(f"{key}: {'[]' if value == [] else yaml_text(value)}")
    return "\n".join(lines + ["---", ""])


def _claim_body(base: KnowledgeBase, title: str, folder: str) -> str:
    """The body skeleton: heading, argument placeholder, Relevant Notes and Topics."""
    topic_map = f"{folder}/_map" if folder else "_map"
    topics = f"- [[{topic_map}]]\n" if f"{topic_map}.md" in base.notes else ""
    return (
        f"\n# {title}\n\n{ARGUMENT_PLACEHOLDER}\n\n---\n\n"
        "Relevant Notes:\n- TODO: link related claims as wiki links, each followed by — how it relates\n\n"
        f"Topics:\n{topics}"
    )


def surname(author: str) -> str:
    """An author's surname as a slug: the part before a comma ("Spizzirri, Austin"), else the last word."""
    name = author.split(",")[0] if "," in author else author
    words = name.split()
    return slugify(words[-1]) if words else "unattributed"


def source_file_name(date: datetime.date, author: str, title: str) -> str:
    """`<date>-<author surname>-<title slug>.md`, the slug cut to eight words and 80 bytes."""
    slug = "-".join(slugify(title).split("-")[:8]).encode("utf-8")[:80].decode("utf-8", errors="ignore").rstrip("-")
    return f"{date.isoformat()}-{surname(author)}-{slug}.md"


def draft_source(base: KnowledgeBase, url: str, title: str, author: str, date: datetime.date, domain: str = "", kind: str = "") -> Draft | Refusal:
    """A new unprocessed source note under inbox/archive, unless it is already archived."""
    same_url = sorted(n.path for n in base.sources if url and str(n.meta.get("url", "")).strip() == url.strip())
    if same_url:
        return Refusal(f"this URL is already archived in {', '.join(same_url)}", tuple(same_url))
    path = f"{SOURCES_FOLDER}/{source_file_name(date, author, title)}"
    if path in base.notes or any(p.casefold() == path.casefold() for p in base.notes):
        return Refusal(f"{path} already exists", (path,))
    fields: dict[str, Any] = {"type": "source", "title": clean_title(title), "author": clean_title(author), "url": url.strip(), "date": date}
    optional = {"domain": domain, "format": kind}
    fields.update({key: value for key, value in optional.items() if value})
    fields.update({"status": "unprocessed", "claims_extracted": [], "enrichments": [], "tags": []})
    front = _front_matter(fields)
    body = f"\n# {clean_title(title)}\n\nTODO: what the source says, and which claims it supports or challenges.\n"
    return Draft(path, front + body, similar_titles(base, clean_title(title)))


def write_draft(root: Path, draft: Draft) -> Path:
    """Write a draft, creating folders; never replaces a file (FileExistsError instead)."""
    target = root / draft.path
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8", newline="\n") as handle:
        handle.write(draft.text)
    return target
