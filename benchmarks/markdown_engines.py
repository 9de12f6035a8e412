"""Time the Markdown engines kb could use on real claim bodies: `python -m benchmarks.markdown_engines`.

Prints microseconds per body for each installed engine and its ratio to cmark-gfm (GitHub's C
renderer, which kb uses). Engines not installed are listed as missing.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Callable

from kb.body import read_body
from kb.pipeline import load

Engine = Callable[[str], str]


def engines() -> dict[str, Engine | None]:
    """Each candidate engine's render function, or None when it is not installed."""
    found: dict[str, Engine | None] = {}
    try:
        import cmarkgfm

        found["cmarkgfm (kb)"] = cmarkgfm.github_flavored_markdown_to_html
    except ImportError:
        found["cmarkgfm (kb)"] = None
    try:
        from markdown_it_pyrs import MarkdownIt as RsMarkdownIt

        found["markdown-it-pyrs"] = RsMarkdownIt("gfm").enable_many(["table", "strikethrough", "linkify", "tasklist"]).render
    except (ImportError, AttributeError, ValueError):
        found["markdown-it-pyrs"] = None
    try:
        import markdown

        renderer = markdown.Markdown(extensions=["tables", "fenced_code"])
        found["Python-Markdown"] = lambda text: renderer.reset().convert(text)
    except ImportError:
        found["Python-Markdown"] = None
    try:
        from markdown_it import MarkdownIt

        found["markdown-it-py"] = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render
    except ImportError:
        found["markdown-it-py"] = None
    return found


def time_engine(render: Engine, bodies: list[str], repeat: int) -> float:
    """Median microseconds per body over `repeat` passes."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for body in bodies:
            render(body)
        samples.append((time.perf_counter() - start) / len(bodies) * 1e6)
    return statistics.median(samples)


def main() -> None:
    """Time every engine on the bodies of a claim base (default: the bundled claims/)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", nargs="?", default="claims")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    base = load(Path(args.root))
    bodies = [read_body(base.root, n, base.settings.max_file_bytes) for n in base.notes.values()]
    size = statistics.mean(len(b.encode()) for b in bodies)
    print(f"{len(bodies)} bodies, mean {size / 1024:.1f} KB")
    results = {name: time_engine(fn, bodies, args.repeat) for name, fn in engines().items() if fn}
    reference = results.get("cmarkgfm (kb)", 1.0)
    for name, fn in engines().items():
        line = f"{results[name]:9.0f} µs/body  {results[name] / reference:5.1f}x" if fn else "  not installed"
        print(f"{name:18} {line}")


if __name__ == "__main__":
    main()
