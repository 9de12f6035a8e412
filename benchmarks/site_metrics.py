"""Inspect a corpus and a built site: pick the claim to edit, snapshot files, weigh pages.

Nothing here is timed; it runs between the measured commands.
"""

from __future__ import annotations

import hashlib
import os
import re
import statistics
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

WIKI_LINK = re.compile(r"\[\[([^\]|#]+)")
EDIT_SENTENCE = "\n\nThis sentence was appended by the benchmark to time an incremental rebuild.\n"
SKIPPED_DIRS = {"pagefind"}
FRONT_MATTER = re.compile(rb"\A---\r?\n(.*?\n)---\r?\n", re.S)
CONFIDENCE_LINE = re.compile(rb"^confidence:[^\r\n]*", re.M)
CONFIDENCE_LEVELS = ("proven", "likely", "experimental", "speculative")
GRAPH_MARKERS = ('"nodes":[', '"edges":[', '"nodes": [', '"edges": [')


@dataclass(frozen=True)
class FileState:
    """What identifies one output file's version: its write time, size and content hash."""

    mtime_ns: int
    size: int
    digest: str


def claim_files(root: Path) -> list[Path]:
    """Return the claim files of a generated corpus (not maps, not source notes), sorted."""
    files = [p for p in root.rglob("*.md") if p.name != "_map.md" and "inbox" not in p.parts]
    return sorted(p for p in files if not any(part.startswith(".") for part in p.relative_to(root).parts))


def inbound_counts(root: Path) -> Counter[str]:
    """Count wiki links aimed at each lower-cased stem across the whole corpus."""
    counts: Counter[str] = Counter()
    for path in root.rglob("*.md"):
        for target in WIKI_LINK.findall(path.read_text(encoding="utf-8", errors="replace")):
            stem = target.strip().removesuffix(".md").rsplit("/", 1)[-1]
            counts[stem.lower()] += 1
    return counts


def mid_popularity_claim(root: Path, front_matter: bool = False) -> tuple[Path, int]:
    """Return the linked claim at the median inbound-link count (ties broken by path) and its count;
    with ``front_matter``, the first from there on that has front matter (the corpus has a few without)."""
    counts = inbound_counts(root)
    ranked = sorted((counts[p.stem.lower()], str(p)) for p in claim_files(root) if counts[p.stem.lower()] > 0)
    if not ranked:
        ranked = [(0, str(path)) for path in claim_files(root)]
    middle = ranked[len(ranked) // 2 :] + ranked[: len(ranked) // 2]
    count, path = next((row for row in middle if not front_matter or FRONT_MATTER.match(Path(row[1]).read_bytes())), middle[0])
    return Path(path), count


def append_sentence(path: Path) -> bytes:
    """Append one sentence to the end of a claim's body and return the original bytes."""
    original = path.read_bytes()
    path.write_bytes(original + EDIT_SENTENCE.encode("utf-8"))
    return original


def snapshot(out: Path) -> dict[str, FileState]:
    """Return the state of every file under ``out``, skipping the Pagefind index."""
    states: dict[str, FileState] = {}
    for folder, dirs, files in os.walk(out):
        if Path(folder) == out:
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        for name in files:
            path = Path(folder, name)
            stat = path.stat()
            digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
            states[str(path.relative_to(out))] = FileState(stat.st_mtime_ns, stat.st_size, digest)
    return states


def change_confidence(path: Path) -> tuple[bytes, str]:
    """Move a claim's ``confidence:`` to the next level (every page listing the claim shows it as a
    badge), or add one to its front matter; return the original bytes and the new level."""
    original = path.read_bytes()
    front = FRONT_MATTER.match(original)
    if front is None:
        raise ValueError(f"{path} has no front matter to edit")
    match = CONFIDENCE_LINE.search(original, front.start(1), front.end(1))
    current = match.group(0).split(b":", 1)[1].strip().decode("utf-8", "replace") if match else ""
    level = CONFIDENCE_LEVELS[(CONFIDENCE_LEVELS.index(current) + 1) % 4] if current in CONFIDENCE_LEVELS else "proven"
    start, end = (match.start(), match.end()) if match else (front.start(1), front.start(1))
    line = f"confidence: {level}".encode() + (b"" if match else b"\n")
    path.write_bytes(original[:start] + line + original[end:])
    return original, level


def compare(before: dict[str, FileState], after: dict[str, FileState]) -> dict[str, int]:
    """Count files rewritten (new write time), changed in content, added and removed."""
    common = before.keys() & after.keys()
    return {
        "files_before": len(before),
        "files_after": len(after),
        "rewritten": sum(before[k].mtime_ns != after[k].mtime_ns for k in common) + len(after.keys() - before.keys()),
        "content_changed": sum(before[k].digest != after[k].digest for k in common),
        "added": len(after.keys() - before.keys()),
        "removed": len(before.keys() - after.keys()),
    }


def folder_bytes(folder: Path) -> int:
    """Return the total size of the files under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def html_pages(out: Path) -> list[Path]:
    """Return every HTML page of a site, outside the Pagefind folder."""
    return [p for p in out.rglob("*.html") if "pagefind" not in p.relative_to(out).parts]


def claim_page_weights(out: Path) -> list[int]:
    """Return the byte sizes of ``out/claims/*.html`` except ``index.html``."""
    return [p.stat().st_size for p in (out / "claims").glob("*.html") if p.name != "index.html"]


def graph_inlined(out: Path, sample: int = 200) -> bool:
    """Return True when some claim page carries graph data (node/edge arrays or graph.json text)."""
    graph = out / "graph.json"
    probe = graph.read_text(encoding="utf-8", errors="replace")[:120] if graph.exists() else ""
    pages = sorted(p for p in (out / "claims").glob("*.html") if p.name != "index.html")
    for page in pages[:: max(1, len(pages) // sample)]:
        text = page.read_text(encoding="utf-8", errors="replace")
        if any(marker in text for marker in GRAPH_MARKERS) or (probe and probe in text):
            return True
    return False


def search_inlined(out: Path, sample: int = 200) -> bool:
    """Return True when claim pages embed a search index instead of loading Pagefind files."""
    pages = sorted(p for p in (out / "claims").glob("*.html") if p.name != "index.html")
    for page in pages[:: max(1, len(pages) // sample)]:
        text = page.read_text(encoding="utf-8", errors="replace")
        if "pagefind-entry" in text or '"fragments"' in text or "lunr" in text.lower():
            return True
    return False


def site_metrics(out: Path) -> dict:
    """Return output size, page counts, claim page weights and inlining checks for one site."""
    weights = claim_page_weights(out)
    graph = out / "graph.json"
    return {
        "output_bytes": folder_bytes(out),
        "pagefind_bytes": folder_bytes(out / "pagefind") if (out / "pagefind").exists() else 0,
        "html_pages": len(html_pages(out)),
        "claim_pages": len(weights),
        "claim_page_avg_bytes": statistics.fmean(weights) if weights else 0.0,
        "claim_page_max_bytes": max(weights, default=0),
        "graph_json_bytes": graph.stat().st_size if graph.exists() else 0,
        "graph_inlined_in_pages": graph_inlined(out),
        "search_inlined_in_pages": search_inlined(out),
    }
