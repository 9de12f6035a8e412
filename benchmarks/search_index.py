"""Compare search indexers on one built site: `python -m benchmarks.search_index ROOT`.

Builds ROOT without search into a temporary folder, then measures, each as a whole subprocess
under GNU time (wall seconds, peak RSS): kb's own index (read every body, collect the words,
write `search/`) and, when the `pagefind` wheel is installed (`pip install -e '.[bench]'`),
Pagefind over the same note pages. Prints one line per indexer with index size and file count.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

KB_INDEX = """
import sys
from pathlib import Path
import kb
from kb.body import read_body
from kb.pages import display_title
from kb.search import SearchIndex, search_doc, write_search_index
from kb.site_model import SiteModel, domain_of
base = kb.load(sys.argv[1])
model = SiteModel(base)
limit = base.settings.max_file_bytes
index = SearchIndex(len(base.notes))
for number, note in enumerate(base.notes.values()):
    index.add(number, search_doc(model.urls[note.path], note, display_title(note), domain_of(note), read_body(base.root, note, limit)))
write_search_index(index, Path(sys.argv[2]), Path(sys.argv[2]) / "none")
"""
PAGEFIND_GLOB = "{claims,sources,maps,notes}/*.html"


def timed(command: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in MB) of a command, from GNU time."""
    done = subprocess.run(["/usr/bin/time", "-f", "%e %M", *command], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout}{done.stderr}")
    wall, rss = done.stderr.strip().splitlines()[-1].split()
    return float(wall), int(rss) // 1024


def size_of(folder: Path) -> tuple[float, int]:
    """(MB, files) under a folder."""
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6, len(files)


def measure(root: Path, site: Path) -> list[tuple[str, float, int, float, int]]:
    """(indexer, seconds, peak MB, index MB, files) for kb and, if installed, Pagefind."""
    rows = []
    load_only = timed([sys.executable, "-c", "import sys, kb; kb.load(sys.argv[1])", str(root)])
    seconds, rss = timed([sys.executable, "-c", KB_INDEX, str(root), str(site)])
    rows.append(("kb (load + index)", seconds, rss, *size_of(site / "search")))
    rows.append(("kb (index only: minus load)", seconds - load_only[0], rss, *size_of(site / "search")))
    if shutil.which("pagefind") or _has_module("pagefind"):
        seconds, rss = timed([sys.executable, "-m", "pagefind", "--site", str(site), "--output-subdir", "pagefind", "--silent", "--glob", PAGEFIND_GLOB])
        rows.append(("Pagefind", seconds, rss, *size_of(site / "pagefind")))
    return rows


def _has_module(name: str) -> bool:
    """Whether a Python module can be imported."""
    return subprocess.run([sys.executable, "-c", f"import {name}"], capture_output=True, check=False).returncode == 0


def main() -> None:
    """Build once, then print one line per indexer."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", nargs="?", default="claims")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        site = Path(work) / "site"
        subprocess.run([sys.executable, "-c", "from kb.cli import main; main()", "build", args.root, "--out", str(site), "--no-search"], check=True, capture_output=True)
        for name, seconds, rss, megabytes, files in measure(Path(args.root), site):
            print(f"{name}: {seconds:.2f} s, peak RSS {rss} MB, index {megabytes:.2f} MB in {files} files")


if __name__ == "__main__":
    main()
