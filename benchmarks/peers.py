"""Build the benchmark corpus with peer static-site generators: Hugo and MkDocs.

Each adapter first converts the corpus into the tool's input in a temporary folder (not
timed), then times the tool's own build command as one subprocess. The peers render the
same Markdown but do none of kb's work on it: wiki links stay text, there is no checking,
no backlinks and no graph.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from benchmarks.measure import median_run, run_measured, run_name, tool_version
from benchmarks.site_metrics import folder_bytes, html_pages
from kb.exports import FEED_SIZE

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
# The files kb writes besides pages, and no others: a sitemap and one feed of the newest entries.
HUGO_CONFIG = f"""baseURL = "http://localhost/"
title = "kb benchmark corpus"
disableKinds = ["taxonomy", "term", "robotsTXT", "404"]
[outputs]
home = ["HTML", "RSS"]
section = ["HTML"]
[services.rss]
limit = {FEED_SIZE}
"""
HUGO_SINGLE = ('<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>'
               "<body><main><h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>\n")
HUGO_LIST = ('<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>'
             '<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>'
             "</li>{{ end }}</ul></body></html>\n")
HUGO_INDEX = ('<!doctype html><html><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head><body>'
              "<h1>{{ .Site.Title }}</h1><p>{{ len .Site.RegularPages }} pages</p><ul>{{ range .Sections }}"
              '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>\n')


@dataclass
class Prepared:
    """A peer's input folder and what the conversion had to change."""

    site: Path                     # the folder the peer builds from
    files: int = 0                 # Markdown files copied in
    front_matter_stripped: int = 0  # files whose front matter the peer could not parse
    notes: list[str] = field(default_factory=list)


def _copy_corpus(corpus: Path, dest: Path) -> list[Path]:
    """Copy the corpus's Markdown (no hidden folders such as .kb-cache) and return the copies."""
    shutil.copytree(corpus, dest, ignore=shutil.ignore_patterns(".*"))
    return sorted(dest.rglob("*.md"))


def _hugo_front_matter(text: str, stem: str) -> tuple[str, bool]:
    """Return Hugo-ready text (``url`` renamed, a ``title`` added) and whether front matter was dropped."""
    match = FRONT_MATTER.match(text)
    title = f"title: {json.dumps(stem, ensure_ascii=False)}"
    if not match:
        return f"---\n{title}\n---\n{text}", False
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        return f"---\n{title}\n---\n{text[match.end():]}", True
    lines = [re.sub(r"^url:", "source_url:", line) for line in match.group(1).splitlines()]
    if "title" not in data:
        lines.insert(0, title)
    return "---\n" + "\n".join(lines) + "\n---\n" + text[match.end():], False


def prepare_hugo(corpus: Path, work: Path) -> Prepared:
    """Write a minimal Hugo site whose content/ is the corpus, with front matter Hugo accepts."""
    site = work / "hugo-site"
    prepared = Prepared(site)
    for path in _copy_corpus(corpus, site / "content"):
        text, stripped = _hugo_front_matter(path.read_text(encoding="utf-8", errors="replace"), path.stem)
        path.write_text(text, encoding="utf-8")
        prepared.files += 1
        prepared.front_matter_stripped += stripped
    (site / "config.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(HUGO_INDEX, encoding="utf-8")
    return prepared


def _mkdocs_nav(docs: Path) -> list:
    """Return a short nav: the home page and every topic map under domains/ (never all pages)."""
    maps = sorted(docs.glob("domains/*/_map.md"))
    return [{"Home": "index.md"},
            {"Domain maps": [{p.parent.name: str(p.relative_to(docs).as_posix())} for p in maps]}]


def prepare_mkdocs(corpus: Path, work: Path) -> Prepared:
    """Write mkdocs.yml (default theme, file URLs, curated nav) beside a copy of the corpus."""
    site = work / "mkdocs-site"
    docs = site / "docs"
    prepared = Prepared(site, files=len(_copy_corpus(corpus, docs)))
    (docs / "index.md").write_text("# Benchmark corpus\n\nSee the domain maps.\n", encoding="utf-8")
    config = {"site_name": "kb benchmark corpus", "docs_dir": "docs", "use_directory_urls": False,
              "theme": {"name": "mkdocs"}, "nav": _mkdocs_nav(docs)}
    (site / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True),
                                     encoding="utf-8")
    prepared.notes.append("MkDocs reads front matter leniently; none was changed.")
    return prepared


def hugo_command(site: Path, out: Path) -> list[str]:
    """Return the timed Hugo command."""
    return ["hugo", "--quiet", "--source", str(site), "-d", str(out)]


def mkdocs_command(site: Path, out: Path) -> list[str]:
    """Return the timed MkDocs command (quiet, not strict)."""
    return [sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(site / "mkdocs.yml"), "-d", str(out)]


PEERS = {
    "hugo": (prepare_hugo, hugo_command, ["hugo", "version"]),
    "mkdocs": (prepare_mkdocs, mkdocs_command, [sys.executable, "-m", "mkdocs", "--version"]),
}


def peer_version(name: str) -> str:
    """Return a peer's short version (``hugo v0.111.3+extended``, ``mkdocs 1.6.1``) or ``"missing"``."""
    line = tool_version(PEERS[name][2])
    if name == "mkdocs" and (match := re.search(r"version (\S+)", line)):
        return f"mkdocs {match.group(1)}"
    return " ".join(line.split()[:2]) if name == "hugo" else line


@dataclass
class PeerBuilds:
    """A peer's converted input (converting is not timed) and its timed builds so far."""

    name: str
    prepared: Prepared
    out: Path  # each build goes into this folder, emptied first
    logs: Path
    timeout: float | None
    runs: list[dict] = field(default_factory=list)

    def build(self) -> None:
        """Time one build into an empty output folder (logs NAME, NAME_1, ...)."""
        shutil.rmtree(self.out, ignore_errors=True)
        log = self.logs / f"{run_name(self.name, len(self.runs))}.log"
        measured = run_measured(PEERS[self.name][1](self.prepared.site, self.out), log, cwd=self.prepared.site, timeout=self.timeout)
        self.runs.append(measured.as_dict() | {"ok": measured.returncode == 0})

    def finish(self) -> dict:
        """The median build (median_run) and the last build's output, then the input and output removed."""
        result = median_run(self.runs) | {
            "input_files": self.prepared.files,
            "front_matter_stripped": self.prepared.front_matter_stripped,
            "notes": self.prepared.notes,
            "output_bytes": folder_bytes(self.out) if self.out.exists() else 0,
            "html_pages": len(html_pages(self.out)) if self.out.exists() else 0,
        }
        shutil.rmtree(self.prepared.site, ignore_errors=True)
        shutil.rmtree(self.out, ignore_errors=True)
        return result


def prepare_peer(name: str, corpus: Path, work: Path, logs: Path, timeout: float | None) -> PeerBuilds:
    """Convert the corpus for peer ``name``, ready for its timed builds."""
    return PeerBuilds(name, PEERS[name][0](corpus, work), work / f"{name}-out", logs, timeout)
